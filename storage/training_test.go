package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/training"
	"github.com/dealgate/dealgate/workflow"
)

// trainingClock is a clock the test moves by hand.
type trainingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *trainingClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *trainingClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// trainingAnswers answers the first `right` questions of a correctly and every other one
// wrongly (a single option that is not correct).
func trainingAnswers(t *testing.T, a training.Attempt, right int) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for i, q := range a.Questions {
		if i < right {
			out[q.ID] = slices.Clone(q.Correct)
			continue
		}
		for _, o := range q.Options {
			if !slices.Contains(q.Correct, o.ID) {
				out[q.ID] = []string{o.ID}
				break
			}
		}
		if out[q.ID] == nil {
			t.Fatalf("question %s has no wrong option", q.ID)
		}
	}
	return out
}

// gatedPipeline is the default pipeline with a training gate on its first stage (research).
func gatedPipeline(t *testing.T) []byte {
	t.Helper()
	src := string(templates.DefaultPipeline())
	const at = "    requires:\n      - company: valid\n"
	if !strings.Contains(src, at) {
		t.Fatal("the default pipeline changed: the research stage's requirement was not found")
	}
	return []byte(strings.Replace(src, at, "    training_gate: true\n"+at, 1))
}

func TestTrainingSettings(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		got, err := st.TrainingSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != storage.DefaultTrainingSettings() {
			t.Fatalf("unset policy = %+v, want the default", got)
		}
		if p := got.Policy(); p.PassMark(10) != 8 || p.PassMark(6) != 5 || p.PassMark(15) != 12 {
			t.Fatalf("default pass marks 10→%d 6→%d 15→%d, want 8, 5, 12", p.PassMark(10), p.PassMark(6), p.PassMark(15))
		}
		want := storage.TrainingSettings{PassPercent: 70, QuestionsPerTest: 12, TimeLimit: 20 * time.Minute, Cooldown: 2 * time.Hour, MaxAttempts: 3, ValidMonths: 6}
		if err := st.SaveTrainingSettings(ctx, want, nil); err != nil {
			t.Fatal(err)
		}
		if got, err = st.TrainingSettings(ctx); err != nil || got != want {
			t.Fatalf("read back %+v, %v; want %+v", got, err, want)
		}
		bad := want
		bad.PassPercent = 0
		err = st.SaveTrainingSettings(ctx, bad, nil)
		var we *workflow.Error
		if !errors.As(err, &we) || we.Code != workflow.EINVALID || we.Field != "pass_percent" {
			t.Fatalf("pass_percent 0: %v, want EINVALID on pass_percent", err)
		}
		if got, _ = st.TrainingSettings(ctx); got != want {
			t.Fatalf("a refused policy changed the stored one: %+v", got)
		}
	})
}

func TestTrainingBankVersions(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		shipped, err := storage.ShippedTrainingBank()
		if err != nil {
			t.Fatal(err)
		}
		b, v, err := st.TrainingBank(ctx)
		if err != nil || !v.Shipped() || b.Digest() != shipped.Digest() || len(b.StageKeys()) != 15 {
			t.Fatalf("default bank: %v, %+v, %d stages", err, v, len(b.StageKeys()))
		}
		src, _, err := st.TrainingBankSource(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Saving the shipped bank's own export stores nothing.
		if _, saved, err := st.SaveTrainingBank(ctx, src, &f.Admin.ID); err != nil || saved {
			t.Fatalf("saving the shipped bank unchanged: saved %v, %v", saved, err)
		}

		// A broken edit is refused with the line of the problem and stores nothing.
		lines := strings.Split(string(src), "\n")
		badLine := -1
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "correct: [") {
				lines[i] = strings.Replace(l, "correct: [", "correct: [zz, ", 1)
				badLine = i + 1
				break
			}
		}
		_, _, err = st.SaveTrainingBank(ctx, []byte(strings.Join(lines, "\n")), &f.Admin.ID)
		var be *training.BankError
		if !errors.As(err, &be) || len(be.Problems) == 0 {
			t.Fatalf("a bank with an unknown correct option was accepted: %v", err)
		}
		if be.Problems[0].Line != badLine || be.Problems[0].Field != "correct" {
			t.Fatalf("problem %+v, want field correct at line %d", be.Problems[0], badLine)
		}
		if vs, _ := st.FindTrainingBankVersions(ctx); len(vs) != 0 {
			t.Fatalf("a refused bank was stored: %+v", vs)
		}

		// A real edit becomes version 1 and the bank in use; the same edit again is no new version.
		edited := "# edited by the admin\n" + strings.Replace(string(src), "title: Встреча\n", "title: Встреча с клиентом\n", 1)
		v1, saved, err := st.SaveTrainingBank(ctx, []byte(edited), &f.Admin.ID)
		if err != nil || !saved || v1.Version != 1 || v1.Shipped() {
			t.Fatalf("first edit: %+v saved %v, %v", v1, saved, err)
		}
		if _, saved, err := st.SaveTrainingBank(ctx, []byte(edited+"\n# only a comment differs\n"), &f.Admin.ID); err != nil || saved {
			t.Fatalf("an edit that changes only comments made a new version: saved %v, %v", saved, err)
		}
		b, v, err = st.TrainingBank(ctx)
		if err != nil || v.Version != 1 || b.Digest() == shipped.Digest() {
			t.Fatalf("bank in use after the edit: %+v, %v", v, err)
		}
		if stg, _ := b.Stage("meeting"); stg.Title != "Встреча с клиентом" {
			t.Fatalf("edited title not in use: %q", stg.Title)
		}
		back, v, err := st.TrainingBankSource(ctx)
		if err != nil || string(back) != edited || v.Version != 1 {
			t.Fatalf("the source did not come back as saved (comments included): v%d, %v", v.Version, err)
		}
	})
}

func TestTrainingAttemptScoringCooldownAndValidity(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		clock := &trainingClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		st.Now = clock.Now

		a, resumed, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "meeting")
		if err != nil || resumed {
			t.Fatalf("start: resumed %v, %v", resumed, err)
		}
		if len(a.Attempt.Questions) != 10 || a.Total != 10 || a.Attempt.Stage != "meeting" || a.Attempt.PassMark() != 8 {
			t.Fatalf("attempt: %d questions, total %d, stage %q, pass mark %d", len(a.Attempt.Questions), a.Total, a.Attempt.Stage, a.Attempt.PassMark())
		}
		// The stored attempt is the drawn one, and can be drawn again from its seed.
		stored, err := st.FindTrainingAttempt(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		bank, _, _ := st.TrainingBank(ctx)
		again, err := training.NewAttempt(bank, "meeting", stored.Attempt.Seed, stored.Attempt.StartedAt, stored.Attempt.Policy)
		if err != nil || !slices.EqualFunc(again.Questions, stored.Attempt.Questions, func(x, y training.Question) bool {
			return x.ID == y.ID && slices.Equal(x.Options, y.Options) && slices.Equal(x.Correct, y.Correct)
		}) {
			t.Fatalf("the stored attempt cannot be redrawn from its seed: %v", err)
		}

		// Opening the test again hands back the same open attempt.
		clock.Add(time.Minute)
		b, resumed, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "meeting")
		if err != nil || !resumed || b.ID != a.ID {
			t.Fatalf("second start: id %d (first %d), resumed %v, %v", b.ID, a.ID, resumed, err)
		}

		// 6 of 10 correct fails.
		clock.Add(5 * time.Minute)
		submittedAt := clock.Now()
		got, res, err := st.SubmitTrainingAttempt(ctx, a.ID, f.Rep1.ID, trainingAnswers(t, a.Attempt, 6))
		if err != nil {
			t.Fatal(err)
		}
		if res.Correct != 6 || res.Total != 10 || res.Passed || got.Passed || got.Correct != 6 {
			t.Fatalf("60 %%: correct %d/%d passed %v", res.Correct, res.Total, res.Passed)
		}
		if ok, err := st.TrainingPassed(ctx, f.Rep1.ID, "meeting"); err != nil || ok {
			t.Fatalf("a failed test counts as passed: %v, %v", ok, err)
		}
		// The result is kept with every answer and scores the same when read back.
		stored, err = st.FindTrainingAttempt(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !stored.Attempt.SubmittedAt.Equal(submittedAt) || len(stored.Answers) != 10 || stored.Correct != 6 || stored.Passed {
			t.Fatalf("stored: submitted %v, %d answers, %d correct, passed %v", stored.Attempt.SubmittedAt, len(stored.Answers), stored.Correct, stored.Passed)
		}
		if r, ok := stored.Result(); !ok || r.Correct != 6 || len(r.Questions) != 10 || r.Questions[0].Explanation == "" {
			t.Fatalf("result read back: ok %v, %+v", ok, r)
		}

		// A replayed submission counts nothing.
		_, _, err = st.SubmitTrainingAttempt(ctx, a.ID, f.Rep1.ID, trainingAnswers(t, a.Attempt, 10))
		if !errors.Is(err, training.ErrAlreadySubmitted) || workflow.Code(err) != workflow.ECONFLICT {
			t.Fatalf("replay: %v, want ECONFLICT wrapping ErrAlreadySubmitted", err)
		}
		if stored, _ = st.FindTrainingAttempt(ctx, a.ID); stored.Correct != 6 || stored.Passed {
			t.Fatalf("the replay changed the stored score: %d, passed %v", stored.Correct, stored.Passed)
		}

		// The cool-down (24 h from the submission) refuses a new attempt and says when.
		clock.Add(23 * time.Hour)
		_, _, err = st.StartTrainingAttempt(ctx, f.Rep1.ID, "meeting")
		var wait *storage.TrainingWaitError
		if !errors.As(err, &wait) || workflow.Code(err) != workflow.ECONFLICT || !wait.NextAt.Equal(submittedAt.Add(24*time.Hour)) {
			t.Fatalf("start in the cool-down: %v, want a wait until %v", err, submittedAt.Add(24*time.Hour))
		}
		// Another stage's test is not held back by this one.
		if _, _, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "proposal"); err != nil {
			t.Fatalf("another stage: %v", err)
		}

		clock.Add(time.Hour)
		c, resumed, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "meeting")
		if err != nil || resumed || c.ID == a.ID {
			t.Fatalf("start after the cool-down: %v (resumed %v)", err, resumed)
		}
		_, res, err = st.SubmitTrainingAttempt(ctx, c.ID, f.Rep1.ID, trainingAnswers(t, c.Attempt, 8))
		if err != nil || !res.Passed || res.Correct != 8 {
			t.Fatalf("8 of 10: passed %v, %d correct, %v", res.Passed, res.Correct, err)
		}
		passedAt := clock.Now()
		until, err := st.TrainingPassedUntil(ctx, f.Rep1.ID, "meeting")
		if err != nil || !until.Equal(passedAt.AddDate(0, 12, 0)) {
			t.Fatalf("valid until %v, want %v (%v)", until, passedAt.AddDate(0, 12, 0), err)
		}
		if ok, _ := st.TrainingPassed(ctx, f.Rep2.ID, "meeting"); ok {
			t.Fatal("another rep's pass counts for rep 2")
		}

		status, err := st.TrainingStatus(ctx, f.Rep1.ID, []string{"meeting", "proposal", "tender"})
		if err != nil {
			t.Fatal(err)
		}
		if s := status[0]; s.Last == nil || s.Last.ID != c.ID || s.Attempts != 2 || s.CanStart || !s.PassedUntil.Equal(until) || s.Open != nil {
			t.Fatalf("meeting status: %+v", s)
		}
		if s := status[1]; s.Open == nil || s.Last != nil || s.Attempts != 1 {
			t.Fatalf("proposal status (one open attempt): %+v", s)
		}
		if s := status[2]; !s.CanStart || s.Attempts != 0 || s.Last != nil {
			t.Fatalf("tender status (untouched): %+v", s)
		}

		latest, err := st.LatestTrainingResults(ctx, nil)
		if err != nil || len(latest) != 1 || latest[0].ID != c.ID || latest[0].Correct != 8 || !latest[0].Passed {
			t.Fatalf("latest results: %+v, %v", latest, err)
		}

		// Twelve months later the pass no longer counts.
		clock.Add(366 * 24 * time.Hour)
		if ok, err := st.TrainingPassed(ctx, f.Rep1.ID, "meeting"); err != nil || ok {
			t.Fatalf("a pass from more than 12 months ago still counts: %v, %v", ok, err)
		}
	})
}

func TestTrainingSubmissionsThatAreRefused(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		clock := &trainingClock{t: time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)}
		st.Now = clock.Now
		s := storage.DefaultTrainingSettings()
		s.TimeLimit = 15 * time.Minute
		if err := st.SaveTrainingSettings(ctx, s, &f.Admin.ID); err != nil {
			t.Fatal(err)
		}
		a, _, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "contract")
		if err != nil {
			t.Fatal(err)
		}
		if want := clock.Now().Add(15 * time.Minute); !a.Attempt.Deadline.Equal(want) {
			t.Fatalf("deadline %v, want %v", a.Attempt.Deadline, want)
		}

		// An answer to a question that is not in the attempt.
		answers := trainingAnswers(t, a.Attempt, 10)
		var foreign string
		bank, _, _ := st.TrainingBank(ctx)
		for _, q := range bank.Stages()[0].Questions {
			if _, in := answers[q.ID]; !in {
				foreign = q.ID
				break
			}
		}
		answers[foreign] = []string{"a"}
		_, _, err = st.SubmitTrainingAttempt(ctx, a.ID, f.Rep1.ID, answers)
		var ae *training.AnswerError
		if !errors.As(err, &ae) || ae.QuestionID != foreign || workflow.Code(err) != workflow.EINVALID {
			t.Fatalf("answer to %s outside the attempt: %v", foreign, err)
		}
		// An option the question does not have.
		answers = trainingAnswers(t, a.Attempt, 10)
		answers[a.Attempt.Questions[0].ID] = []string{"nope"}
		if _, _, err = st.SubmitTrainingAttempt(ctx, a.ID, f.Rep1.ID, answers); !errors.As(err, &ae) || ae.OptionID != "nope" {
			t.Fatalf("unknown option: %v", err)
		}
		// Someone else's attempt does not exist for them.
		if _, _, err = st.SubmitTrainingAttempt(ctx, a.ID, f.Rep2.ID, trainingAnswers(t, a.Attempt, 10)); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("rep 2 submitting rep 1's attempt: %v", err)
		}
		// The refused submissions left the attempt open.
		if got, _ := st.FindTrainingAttempt(ctx, a.ID); got.Submitted() {
			t.Fatal("a refused submission closed the attempt")
		}

		// Past the deadline and the grace period: refused as late, nothing stored.
		clock.Add(15*time.Minute + training.SubmissionGrace + time.Second)
		_, _, err = st.SubmitTrainingAttempt(ctx, a.ID, f.Rep1.ID, trainingAnswers(t, a.Attempt, 10))
		if !errors.Is(err, training.ErrLate) || workflow.Code(err) != workflow.ECONFLICT {
			t.Fatalf("late submission: %v", err)
		}
		if got, _ := st.FindTrainingAttempt(ctx, a.ID); got.Submitted() || got.Passed {
			t.Fatal("a late submission was stored")
		}
		// The expired attempt is not resumed; the cool-down runs from its deadline.
		_, _, err = st.StartTrainingAttempt(ctx, f.Rep1.ID, "contract")
		var wait *storage.TrainingWaitError
		if !errors.As(err, &wait) || !wait.NextAt.Equal(a.Attempt.Deadline.Add(24*time.Hour)) {
			t.Fatalf("start after an expired attempt: %v", err)
		}
		// A stage the bank does not know.
		if _, _, err = st.StartTrainingAttempt(ctx, f.Rep1.ID, "no_such_stage"); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("unknown stage: %v", err)
		}
	})
}

func TestTrainingConcurrentSubmissionsCountOnce(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		a, _, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "payment")
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				// Half of them would pass, half would fail: only one of them may count.
				_, _, errs[i] = st.SubmitTrainingAttempt(ctx, a.ID, f.Rep1.ID, trainingAnswers(t, a.Attempt, 4+i%2*6))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, training.ErrAlreadySubmitted):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d concurrent submissions were accepted, want exactly 1", ok)
		}
		var count int64
		if err := st.DB().Raw("SELECT COUNT(*) FROM training_attempts WHERE submitted_at IS NOT NULL").Scan(&count).Error; err != nil || count != 1 {
			t.Fatalf("%d submitted attempts stored (%v)", count, err)
		}
	})
}

func TestTrainingConcurrentStartsDrawOneAttempt(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		const n = 6
		var wg sync.WaitGroup
		ids := make([]int64, n)
		for i := range n {
			wg.Go(func() {
				a, _, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "tender")
				if err != nil {
					t.Errorf("start %d: %v", i, err)
				}
				ids[i] = a.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("concurrent starts drew several attempts: %v", ids)
			}
		}
	})
}

func TestTrainingGate(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		st.TrainingPassedFunc = st.TrainingPassed
		p := storagetest.SavePipeline(t, st, gatedPipeline(t))
		if st, _ := p.Stage("research"); !st.TrainingGate {
			t.Fatal("the research stage is not gated")
		}
		d := storagetest.CreateDeal(t, st, p, f.Company.ID, f.Rep1, "Компрессоры для ООО «Ромашка»")

		_, err := st.Transition(ctx, d.ID, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: d.Version}, f.Rep1.Actor())
		var me *workflow.MissingEvidenceError
		if !errors.As(err, &me) || len(me.Missing) != 1 || me.Missing[0].Type != "training" || !slices.Equal(me.Missing[0].Kinds, []string{"research"}) {
			t.Fatalf("advance without a passed test: %v", err)
		}
		if !strings.Contains(me.Missing[0].Ru, "Сбор информации о предприятии-клиенте") {
			t.Fatalf("the refusal does not name the test to take: %q", me.Missing[0].Ru)
		}

		// A failed test does not open the gate; a passed one of another stage neither.
		a, _, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "research")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SubmitTrainingAttempt(ctx, a.ID, f.Rep1.ID, trainingAnswers(t, a.Attempt, 6)); err != nil {
			t.Fatal(err)
		}
		o, _, _ := st.StartTrainingAttempt(ctx, f.Rep1.ID, "meeting")
		if _, _, err := st.SubmitTrainingAttempt(ctx, o.ID, f.Rep1.ID, trainingAnswers(t, o.Attempt, 10)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Transition(ctx, d.ID, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: d.Version}, f.Rep1.Actor()); !errors.As(err, &me) {
			t.Fatalf("advance after a failed test: %v", err)
		}

		// Rep 2 passes the research test: that does not open the gate for rep 1.
		r2, _, _ := st.StartTrainingAttempt(ctx, f.Rep2.ID, "research")
		if _, _, err := st.SubmitTrainingAttempt(ctx, r2.ID, f.Rep2.ID, trainingAnswers(t, r2.Attempt, 10)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Transition(ctx, d.ID, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: d.Version}, f.Rep1.Actor()); !errors.As(err, &me) {
			t.Fatalf("advance by rep 1 after rep 2 passed: %v", err)
		}

		// Rep 1 passes after the cool-down and may move the deal.
		st.Now = func() time.Time { return time.Now().UTC().Add(25 * time.Hour) }
		b, _, err := st.StartTrainingAttempt(ctx, f.Rep1.ID, "research")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SubmitTrainingAttempt(ctx, b.ID, f.Rep1.ID, trainingAnswers(t, b.Attempt, 9)); err != nil {
			t.Fatal(err)
		}
		moved, err := st.Transition(ctx, d.ID, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: d.Version}, f.Rep1.Actor())
		if err != nil || moved.Stage != "cold_call" {
			t.Fatalf("advance after passing: stage %q, %v", moved.Stage, err)
		}
	})
}
