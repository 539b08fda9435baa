package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	trainingbank "github.com/dealgate/dealgate/templates/training"
	"github.com/dealgate/dealgate/training"
	"github.com/dealgate/dealgate/workflow"
)

// This file keeps the stage tests: the question bank an admin edits (versioned; the shipped
// bank is the default), the test policy (a setting), and the attempts. The rules — drawing,
// scoring, the cool-down — live in package training; storage records what they decide.

// TrainingPolicyKey is the settings key of the test policy.
const TrainingPolicyKey = "training.policy"

// TrainingCourse is the stage value of a full-course attempt (questions from every stage).
const TrainingCourse = ""

// TrainingSettings is the test policy as an admin sets it.
type TrainingSettings struct {
	// PassPercent is the share of correct answers needed to pass, 1–100 (default 80): a test
	// of n questions passes with at least ⌈PassPercent·n/100⌉ correct.
	PassPercent int
	// QuestionsPerTest is how many questions an attempt draws (default 10).
	QuestionsPerTest int
	// TimeLimit is the time an attempt may take; zero means no limit.
	TimeLimit time.Duration
	// Cooldown is the wait between the end of one attempt and the start of the next one at
	// the same test (default 24 h).
	Cooldown time.Duration
	// MaxAttempts is the number of attempts at one test a rep may make; zero means no limit.
	MaxAttempts int
	// ValidMonths is how long a passed test counts for the training gate (default 12).
	ValidMonths int
}

// DefaultTrainingSettings returns 80 % to pass, 10 questions, no time limit, a 24 h cool-down,
// unlimited attempts and passes valid for 12 months.
func DefaultTrainingSettings() TrainingSettings {
	return TrainingSettings{PassPercent: 80, QuestionsPerTest: training.DefaultQuestionsPerTest,
		Cooldown: training.DefaultCooldown, ValidMonths: 12}
}

// Validate checks every field and names the first bad one.
func (t TrainingSettings) Validate() error {
	switch {
	case t.PassPercent < 1 || t.PassPercent > 100:
		return workflow.Invalid("pass_percent", "pass_percent must be between 1 and 100")
	case t.QuestionsPerTest < 1 || t.QuestionsPerTest > 200:
		return workflow.Invalid("questions_per_test", "questions_per_test must be between 1 and 200")
	case t.TimeLimit < 0 || t.TimeLimit > 24*time.Hour:
		return workflow.Invalid("time_limit_seconds", "the time limit must be between 0 (none) and 24 hours")
	case t.TimeLimit > 0 && t.TimeLimit < time.Minute:
		return workflow.Invalid("time_limit_seconds", "a time limit shorter than a minute leaves no time to answer")
	case t.Cooldown < 0 || t.Cooldown > 365*24*time.Hour:
		return workflow.Invalid("cooldown_seconds", "the cool-down must be between 0 and 365 days")
	case t.MaxAttempts < 0 || t.MaxAttempts > 1000:
		return workflow.Invalid("max_attempts", "max_attempts must be between 0 (unlimited) and 1000")
	case t.ValidMonths < 1 || t.ValidMonths > 120:
		return workflow.Invalid("valid_months", "valid_months must be between 1 and 120")
	}
	return nil
}

// Policy converts the settings into the policy package training applies.
func (t TrainingSettings) Policy() training.Policy {
	return training.Policy{PassNumerator: t.PassPercent, PassDenominator: 100, QuestionsPerTest: t.QuestionsPerTest,
		TimeLimit: t.TimeLimit, Cooldown: t.Cooldown, MaxAttempts: t.MaxAttempts}
}

// trainingSettingsJSON is how the settings are kept in the settings table (whole seconds).
type trainingSettingsJSON struct {
	PassPercent      int   `json:"pass_percent"`
	QuestionsPerTest int   `json:"questions_per_test"`
	TimeLimitSeconds int64 `json:"time_limit_seconds"`
	CooldownSeconds  int64 `json:"cooldown_seconds"`
	MaxAttempts      int   `json:"max_attempts"`
	ValidMonths      int   `json:"valid_months"`
}

// TrainingSettings returns the stored test policy, or the default when none is stored.
func (s *Store) TrainingSettings(ctx context.Context) (TrainingSettings, error) {
	var j trainingSettingsJSON
	ok, err := s.GetSetting(ctx, TrainingPolicyKey, &j)
	if err != nil {
		return TrainingSettings{}, fmt.Errorf("training policy: %w", err)
	}
	if !ok {
		return DefaultTrainingSettings(), nil
	}
	t := TrainingSettings{PassPercent: j.PassPercent, QuestionsPerTest: j.QuestionsPerTest,
		TimeLimit: time.Duration(j.TimeLimitSeconds) * time.Second, Cooldown: time.Duration(j.CooldownSeconds) * time.Second,
		MaxAttempts: j.MaxAttempts, ValidMonths: j.ValidMonths}
	if err := t.Validate(); err != nil {
		return TrainingSettings{}, fmt.Errorf("the stored training policy is invalid: %w", err)
	}
	return t, nil
}

// SaveTrainingSettings validates and stores the test policy. Attempts already started keep
// the policy they were started under.
func (s *Store) SaveTrainingSettings(ctx context.Context, t TrainingSettings, by *int64) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.PutSetting(ctx, TrainingPolicyKey, trainingSettingsJSON{PassPercent: t.PassPercent, QuestionsPerTest: t.QuestionsPerTest,
		TimeLimitSeconds: int64(t.TimeLimit / time.Second), CooldownSeconds: int64(t.Cooldown / time.Second),
		MaxAttempts: t.MaxAttempts, ValidMonths: t.ValidMonths}, by)
}

// ---- the question bank ----

// TrainingBankVersion describes the bank in use.
type TrainingBankVersion struct {
	// ID is 0 and Version 0 for the shipped bank (nothing saved yet).
	ID        int64
	Version   int
	Digest    string
	Questions int
	CreatedBy *int64
	CreatedAt time.Time
}

// Shipped reports whether this is the bank shipped with dealgate.
func (v TrainingBankVersion) Shipped() bool { return v.ID == 0 }

type trainingBankRow struct {
	ID        int64 `gorm:"primaryKey"`
	Version   int
	Source    string
	Digest    string
	Questions int
	CreatedBy *int64
	CreatedAt time.Time
}

func (trainingBankRow) TableName() string { return "training_banks" }

func (r trainingBankRow) version() TrainingBankVersion {
	return TrainingBankVersion{ID: r.ID, Version: r.Version, Digest: r.Digest, Questions: r.Questions, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// shippedBank loads the embedded bank once.
var shippedBank = sync.OnceValues(func() (*training.Bank, error) {
	return training.LoadFS(trainingbank.FS())
})

// ShippedTrainingBank returns the question bank shipped with dealgate (templates/training).
func ShippedTrainingBank() (*training.Bank, error) { return shippedBank() }

// bankCache keeps parsed banks by the SHA-256 of their source: stored versions never change,
// so a cached bank is valid in every process and for every database.
var bankCache = struct {
	sync.Mutex
	m map[string]*training.Bank
}{m: map[string]*training.Bank{}}

func parseBankCached(src string) (*training.Bank, error) {
	sum := sha256.Sum256([]byte(src))
	key := hex.EncodeToString(sum[:])
	bankCache.Lock()
	b := bankCache.m[key]
	bankCache.Unlock()
	if b != nil {
		return b, nil
	}
	b, err := training.Load(bytes.NewReader([]byte(src)))
	if err != nil {
		return nil, err
	}
	bankCache.Lock()
	if len(bankCache.m) > 16 {
		clear(bankCache.m)
	}
	bankCache.m[key] = b
	bankCache.Unlock()
	return b, nil
}

func (s *Store) latestBankRow(ctx context.Context, withSource bool) (trainingBankRow, bool, error) {
	var rows []trainingBankRow
	q := s.conn(ctx)
	if !withSource {
		q = q.Select("id, version, digest, questions, created_by, created_at")
	}
	if err := q.Order("version DESC").Limit(1).Find(&rows).Error; err != nil {
		return trainingBankRow{}, false, translate(err)
	}
	if len(rows) == 0 {
		return trainingBankRow{}, false, nil
	}
	return rows[0], true, nil
}

// TrainingBank returns the bank in use: the latest version an admin saved, or the shipped one.
func (s *Store) TrainingBank(ctx context.Context) (*training.Bank, TrainingBankVersion, error) {
	row, ok, err := s.latestBankRow(ctx, true)
	if err != nil {
		return nil, TrainingBankVersion{}, err
	}
	if !ok {
		b, err := ShippedTrainingBank()
		if err != nil {
			return nil, TrainingBankVersion{}, fmt.Errorf("the shipped question bank: %w", err)
		}
		return b, TrainingBankVersion{Digest: b.Digest(), Questions: b.Len()}, nil
	}
	b, err := parseBankCached(row.Source)
	if err != nil {
		return nil, TrainingBankVersion{}, fmt.Errorf("stored question bank version %d: %w", row.Version, err)
	}
	return b, row.version(), nil
}

// TrainingBankSource returns the YAML of the bank in use as the admin saved it (comments and
// all), or the canonical export of the shipped bank.
func (s *Store) TrainingBankSource(ctx context.Context) ([]byte, TrainingBankVersion, error) {
	row, ok, err := s.latestBankRow(ctx, true)
	if err != nil {
		return nil, TrainingBankVersion{}, err
	}
	if ok {
		return []byte(row.Source), row.version(), nil
	}
	b, err := ShippedTrainingBank()
	if err != nil {
		return nil, TrainingBankVersion{}, err
	}
	var buf bytes.Buffer
	if err := b.Export(&buf); err != nil {
		return nil, TrainingBankVersion{}, err
	}
	return buf.Bytes(), TrainingBankVersion{Digest: b.Digest(), Questions: b.Len()}, nil
}

// SaveTrainingBank validates src (one YAML document in the format of templates/training) and
// stores it as the next version. A bank with problems is refused with the *training.BankError
// listing them with their lines. A bank whose content equals the one in use is not stored
// again; its version is returned with saved false.
func (s *Store) SaveTrainingBank(ctx context.Context, src []byte, by *int64) (v TrainingBankVersion, saved bool, err error) {
	b, err := training.Load(bytes.NewReader(src))
	if err != nil {
		return TrainingBankVersion{}, false, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		cur, ok, err := s.latestBankRow(ctx, false)
		if err != nil {
			return err
		}
		if ok && cur.Digest == b.Digest() {
			v = cur.version()
			return nil
		}
		if !ok {
			if shipped, err := ShippedTrainingBank(); err == nil && shipped.Digest() == b.Digest() {
				v = TrainingBankVersion{Digest: b.Digest(), Questions: b.Len()}
				return nil
			}
		}
		row := trainingBankRow{Version: cur.Version + 1, Source: string(src), Digest: b.Digest(), Questions: b.Len(), CreatedBy: by, CreatedAt: s.now()}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		v, saved = row.version(), true
		return nil
	})
	return v, saved, translate(err)
}

// FindTrainingBankVersions lists the saved bank versions, newest first.
func (s *Store) FindTrainingBankVersions(ctx context.Context) ([]TrainingBankVersion, error) {
	var rows []trainingBankRow
	if err := s.conn(ctx).Select("id, version, digest, questions, created_by, created_at").Order("version DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]TrainingBankVersion, len(rows))
	for i, r := range rows {
		out[i] = r.version()
	}
	return out, nil
}

// ---- attempts ----

// TrainingAttempt is a stored attempt. Attempt holds what package training drew, with the
// correct answers: never send it to a rep before the attempt is submitted (send
// Attempt.ClientView()).
type TrainingAttempt struct {
	ID      int64
	UserID  int64
	Attempt training.Attempt
	// Answers are the submitted answers (question id → option ids); nil until submitted.
	Answers map[string][]string
	Correct int
	Total   int
	Passed  bool
}

// Submitted reports whether the attempt has been scored.
func (a TrainingAttempt) Submitted() bool { return !a.Attempt.SubmittedAt.IsZero() }

// Result scores the stored answers again (scoring is deterministic) and returns the result
// with the explanations; ok is false while the attempt is open.
func (a TrainingAttempt) Result() (r training.Result, ok bool) {
	if !a.Submitted() || len(a.Attempt.Questions) == 0 {
		return training.Result{}, false
	}
	open := a.Attempt
	open.SubmittedAt = time.Time{}
	open.Deadline = time.Time{} // it was checked at submission
	r, err := training.Score(open, a.Answers, a.Attempt.SubmittedAt)
	if err != nil {
		return training.Result{}, false
	}
	return r, true
}

// Open reports whether a rep may still answer the attempt at now: not submitted, and the
// deadline (plus the grace for the last click) not passed.
func (a TrainingAttempt) Open(now time.Time) bool {
	if a.Submitted() {
		return false
	}
	return a.Attempt.Deadline.IsZero() || !now.After(a.Attempt.Deadline.Add(training.SubmissionGrace))
}

type trainingAttemptRow struct {
	ID          int64 `gorm:"primaryKey"`
	UserID      int64
	Stage       string
	Seed        int64
	BankDigest  string
	Policy      string
	Questions   string
	StartedAt   time.Time
	Deadline    *time.Time
	SubmittedAt *time.Time
	Answers     *string
	Correct     int
	Total       int
	Passed      bool
}

func (trainingAttemptRow) TableName() string { return "training_attempts" }

// attemptSummaryColumns leaves out the drawn questions and the answers.
const attemptSummaryColumns = "id, user_id, stage, seed, bank_digest, policy, started_at, deadline, submitted_at, correct, total, passed"

func (r trainingAttemptRow) toAttempt() (TrainingAttempt, error) {
	a := TrainingAttempt{ID: r.ID, UserID: r.UserID, Correct: r.Correct, Total: r.Total, Passed: r.Passed,
		Attempt: training.Attempt{Stage: r.Stage, Seed: r.Seed, BankDigest: r.BankDigest, StartedAt: r.StartedAt.UTC()}}
	if r.Deadline != nil {
		a.Attempt.Deadline = r.Deadline.UTC()
	}
	if r.SubmittedAt != nil {
		a.Attempt.SubmittedAt = r.SubmittedAt.UTC()
	}
	if r.Policy != "" {
		if err := json.Unmarshal([]byte(r.Policy), &a.Attempt.Policy); err != nil {
			return a, fmt.Errorf("attempt %d: policy: %w", r.ID, err)
		}
	}
	if r.Questions != "" {
		if err := json.Unmarshal([]byte(r.Questions), &a.Attempt.Questions); err != nil {
			return a, fmt.Errorf("attempt %d: questions: %w", r.ID, err)
		}
	}
	if r.Answers != nil {
		if err := json.Unmarshal([]byte(*r.Answers), &a.Answers); err != nil {
			return a, fmt.Errorf("attempt %d: answers: %w", r.ID, err)
		}
	}
	return a, nil
}

// TrainingWaitError refuses a new attempt during the cool-down, or when no attempt is left.
// It is wrapped in a *workflow.Error with code ECONFLICT.
type TrainingWaitError struct {
	Stage string
	// NextAt is when the next attempt may start; zero when the attempts are used up.
	NextAt time.Time
}

func (e *TrainingWaitError) Error() string {
	if e.NextAt.IsZero() {
		return fmt.Sprintf("training: no attempts left at the test %q", e.Stage)
	}
	return fmt.Sprintf("training: the next attempt at the test %q may start at %s", e.Stage, e.NextAt.Format(time.RFC3339))
}

// newSeed draws an attempt seed from crypto/rand.
func newSeed() (int64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(b[:]) &^ (1 << 63)), nil
}

// StartTrainingAttempt gives userID an attempt at the test of stage (TrainingCourse for the
// full course). An attempt of the same test that is still open is handed back (resumed true)
// instead of drawing a new one, so reloading the page costs nothing. Otherwise the retake rules
// apply: during the cool-down, or with no attempts left, it refuses with a *workflow.Error
// (ECONFLICT) wrapping a *TrainingWaitError. A stage the bank has no questions for is ENOTFOUND.
func (s *Store) StartTrainingAttempt(ctx context.Context, userID int64, stage string) (a TrainingAttempt, resumed bool, err error) {
	bank, _, err := s.TrainingBank(ctx)
	if err != nil {
		return TrainingAttempt{}, false, err
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return TrainingAttempt{}, false, err
	}
	if stage != TrainingCourse {
		if _, ok := bank.Stage(stage); !ok {
			return TrainingAttempt{}, false, &workflow.Error{Code: workflow.ENOTFOUND, Field: "stage",
				Message: fmt.Sprintf("the question bank has no test for stage %q", stage)}
		}
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		// One start at a time per user: PostgreSQL locks the user's row; on SQLite every
		// transaction already holds the write lock (BEGIN IMMEDIATE).
		var ids []int64
		if err := s.conn(ctx).Raw("SELECT id FROM users WHERE id = ?"+s.lockClause(), userID).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return workflow.ErrNotFound
		}
		now := s.now()
		prev, err := s.FindTrainingAttempts(ctx, TrainingAttemptFilter{UserID: &userID, Stage: &stage})
		if err != nil {
			return err
		}
		for _, p := range prev {
			if p.Open(now) {
				full, err := s.FindTrainingAttempt(ctx, p.ID)
				if err != nil {
					return err
				}
				a, resumed = full, true
				return nil
			}
		}
		policy := settings.Policy()
		past := make([]training.Attempt, len(prev))
		for i, p := range prev {
			past[i] = p.Attempt
		}
		if ok, next := training.CanRetake(past, now, policy); !ok {
			we := &TrainingWaitError{Stage: stage, NextAt: next}
			msg := "the next attempt at this test may start at " + next.Format(time.RFC3339)
			if next.IsZero() {
				msg = "no attempts are left at this test"
			}
			return &workflow.Error{Code: workflow.ECONFLICT, Message: msg, Err: we}
		}
		seed, err := newSeed()
		if err != nil {
			return err
		}
		drawn, err := training.NewAttempt(bank, stage, seed, now, policy)
		if err != nil {
			if errors.Is(err, training.ErrNoQuestions) {
				return &workflow.Error{Code: workflow.ENOTFOUND, Field: "stage", Message: "the question bank has no questions to draw for this test", Err: err}
			}
			return err
		}
		pol, err := json.Marshal(drawn.Policy)
		if err != nil {
			return err
		}
		qs, err := json.Marshal(drawn.Questions)
		if err != nil {
			return err
		}
		row := trainingAttemptRow{UserID: userID, Stage: stage, Seed: seed, BankDigest: drawn.BankDigest, Policy: string(pol),
			Questions: string(qs), StartedAt: drawn.StartedAt, Total: len(drawn.Questions)}
		if !drawn.Deadline.IsZero() {
			d := drawn.Deadline
			row.Deadline = &d
		}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		a = TrainingAttempt{ID: row.ID, UserID: userID, Attempt: drawn, Total: row.Total}
		return nil
	})
	return a, resumed, translate(err)
}

// SubmitTrainingAttempt scores answers (question id → chosen option ids) to attempt id of
// userID at the store's clock and records them. The submission is a compare-and-set on
// submitted_at IS NULL, so a replayed or concurrent submission counts once; the others get
// ECONFLICT wrapping training.ErrAlreadySubmitted. A submission after the deadline (plus
// training.SubmissionGrace) is ECONFLICT wrapping training.ErrLate; an answer to a question
// that is not in the attempt, or an option the question lacks, is EINVALID wrapping the
// *training.AnswerError. Another user's attempt is ENOTFOUND.
func (s *Store) SubmitTrainingAttempt(ctx context.Context, id, userID int64, answers map[string][]string) (TrainingAttempt, training.Result, error) {
	a, err := s.FindTrainingAttempt(ctx, id)
	if err != nil {
		return TrainingAttempt{}, training.Result{}, err
	}
	if a.UserID != userID {
		return TrainingAttempt{}, training.Result{}, workflow.ErrNotFound
	}
	if answers == nil {
		answers = map[string][]string{}
	}
	now := s.now()
	r, err := training.Score(a.Attempt, answers, now)
	if err != nil {
		var ae *training.AnswerError
		switch {
		case errors.Is(err, training.ErrAlreadySubmitted):
			return a, training.Result{}, &workflow.Error{Code: workflow.ECONFLICT, Message: "this attempt has already been submitted", Err: err}
		case errors.Is(err, training.ErrLate):
			return a, training.Result{}, &workflow.Error{Code: workflow.ECONFLICT, Message: "the time limit of this attempt has passed; the answers were not accepted", Err: err}
		case errors.As(err, &ae):
			return a, training.Result{}, &workflow.Error{Code: workflow.EINVALID, Field: "answers." + ae.QuestionID, Message: ae.Error(), Err: err}
		}
		return a, training.Result{}, err
	}
	raw, err := json.Marshal(answers)
	if err != nil {
		return a, training.Result{}, err
	}
	q := s.conn(ctx).Model(&trainingAttemptRow{}).Where("id = ? AND submitted_at IS NULL", id).
		Updates(map[string]any{"submitted_at": now, "answers": string(raw), "correct": r.Correct, "passed": r.Passed})
	if q.Error != nil {
		return a, training.Result{}, translate(q.Error)
	}
	if q.RowsAffected != 1 {
		return a, training.Result{}, &workflow.Error{Code: workflow.ECONFLICT, Message: "this attempt has already been submitted", Err: training.ErrAlreadySubmitted}
	}
	a.Attempt.SubmittedAt, a.Answers, a.Correct, a.Passed = now, answers, r.Correct, r.Passed
	return a, r, nil
}

// FindTrainingAttempt returns one attempt with its questions and answers, or ENOTFOUND.
func (s *Store) FindTrainingAttempt(ctx context.Context, id int64) (TrainingAttempt, error) {
	var row trainingAttemptRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return TrainingAttempt{}, translate(err)
	}
	return row.toAttempt()
}

// TrainingAttemptFilter selects attempts; nil fields do not filter.
type TrainingAttemptFilter struct {
	UserID *int64
	Stage  *string
	// SubmittedOnly leaves out attempts not yet submitted.
	SubmittedOnly bool
}

// FindTrainingAttempts lists attempts without their questions and answers, newest first.
func (s *Store) FindTrainingAttempts(ctx context.Context, f TrainingAttemptFilter) ([]TrainingAttempt, error) {
	q := s.conn(ctx).Select(attemptSummaryColumns)
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	if f.Stage != nil {
		q = q.Where("stage = ?", *f.Stage)
	}
	if f.SubmittedOnly {
		q = q.Where("submitted_at IS NOT NULL")
	}
	var rows []trainingAttemptRow
	if err := q.Order("started_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return attemptsFromRows(rows)
}

func attemptsFromRows(rows []trainingAttemptRow) ([]TrainingAttempt, error) {
	out := make([]TrainingAttempt, len(rows))
	for i, r := range rows {
		a, err := r.toAttempt()
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// LatestTrainingResults returns the last submitted attempt of every user and test (stage, or
// TrainingCourse), without questions, ordered by user and stage. userID limits it to one user.
func (s *Store) LatestTrainingResults(ctx context.Context, userID *int64) ([]TrainingAttempt, error) {
	sql := `SELECT ` + attemptSummaryColumns + ` FROM (
		SELECT ` + attemptSummaryColumns + `, ROW_NUMBER() OVER (PARTITION BY user_id, stage ORDER BY submitted_at DESC, id DESC) AS rn
		FROM training_attempts WHERE submitted_at IS NOT NULL`
	var args []any
	if userID != nil {
		sql += ` AND user_id = ?`
		args = append(args, *userID)
	}
	sql += `) latest WHERE rn = 1 ORDER BY user_id, stage`
	var rows []trainingAttemptRow
	if err := s.conn(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return attemptsFromRows(rows)
}

// TrainingPassedUntil returns until when userID's latest passed test of stage counts for the
// training gate (ValidMonths after its submission), or zero when there is no valid pass.
func (s *Store) TrainingPassedUntil(ctx context.Context, userID int64, stage string) (time.Time, error) {
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var last []time.Time
	if err := s.conn(ctx).Raw("SELECT submitted_at FROM training_attempts WHERE user_id = ? AND stage = ? AND passed AND submitted_at IS NOT NULL ORDER BY submitted_at DESC LIMIT 1",
		userID, stage).Scan(&last).Error; err != nil {
		return time.Time{}, translate(err)
	}
	if len(last) == 0 {
		return time.Time{}, nil
	}
	until := last[0].UTC().AddDate(0, settings.ValidMonths, 0)
	if !s.now().Before(until) {
		return time.Time{}, nil
	}
	return until, nil
}

// TrainingPassed reports whether userID has a passed test of stage that still counts; it is
// the function the training gate reads (Store.TrainingPassedFunc). Only a test of that very
// stage counts: the full course does not open a stage's gate.
func (s *Store) TrainingPassed(ctx context.Context, userID int64, stage string) (bool, error) {
	until, err := s.TrainingPassedUntil(ctx, userID, stage)
	return !until.IsZero(), err
}

// TrainingStageStatus is where a user stands with one test.
type TrainingStageStatus struct {
	Stage string
	// Last is the last submitted attempt, nil if none.
	Last *TrainingAttempt
	// PassedUntil is until when the latest pass counts for the gate; zero without a valid pass.
	PassedUntil time.Time
	// Open is an attempt that may still be answered, nil if none.
	Open *TrainingAttempt
	// CanStart says whether a new attempt may start now; otherwise NextAt says when (zero:
	// no attempts left).
	CanStart bool
	NextAt   time.Time
	Attempts int
}

// TrainingStatus returns userID's standing with the tests of stages (TrainingCourse for the
// full course), in the order given.
func (s *Store) TrainingStatus(ctx context.Context, userID int64, stages []string) ([]TrainingStageStatus, error) {
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.FindTrainingAttempts(ctx, TrainingAttemptFilter{UserID: &userID})
	if err != nil {
		return nil, err
	}
	now := s.now()
	byStage := map[string][]TrainingAttempt{}
	for _, a := range all {
		byStage[a.Attempt.Stage] = append(byStage[a.Attempt.Stage], a)
	}
	policy := settings.Policy()
	out := make([]TrainingStageStatus, len(stages))
	for i, st := range stages {
		list := byStage[st] // newest first
		ss := TrainingStageStatus{Stage: st, Attempts: len(list)}
		past := make([]training.Attempt, 0, len(list))
		for j := range list {
			a := &list[j]
			past = append(past, a.Attempt)
			if a.Submitted() && ss.Last == nil {
				ss.Last = a
			}
			if a.Open(now) && ss.Open == nil {
				ss.Open = a
			}
			if a.Passed && ss.PassedUntil.IsZero() {
				if until := a.Attempt.SubmittedAt.AddDate(0, settings.ValidMonths, 0); now.Before(until) {
					ss.PassedUntil = until
				}
			}
		}
		ss.CanStart, ss.NextAt = training.CanRetake(past, now, policy)
		if ss.CanStart {
			ss.NextAt = time.Time{}
		}
		out[i] = ss
	}
	return out, nil
}
