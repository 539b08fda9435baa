package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/training"
	"github.com/dealgate/dealgate/workflow"
)

// Problem types of the training routes. They are part of the API.
const (
	// ProblemTrainingWait: a new attempt may not start yet (cool-down) or no attempt is left;
	// next_attempt_at says when the next one may start (absent when none is left). 409.
	ProblemTrainingWait = "/problems/training-wait"
	// ProblemTrainingClosed: the attempt was already submitted; a replayed or second
	// submission counts nothing. 409.
	ProblemTrainingClosed = "/problems/training-attempt-closed"
	// ProblemTrainingLate: the submission came after the attempt's time limit. 409.
	ProblemTrainingLate = "/problems/training-late"
	// ProblemTrainingBank: the question bank YAML has problems, each with its line. 422.
	ProblemTrainingBank = "/problems/training-bank-invalid"
)

// TrainingRoutes registers the /api/v1/training routes; add it to Server.Extra.
func TrainingRoutes(s *Server, auth *echo.Group, p string) {
	takers := requireRole(dealWriters...)
	admin := requireRole(workflow.RoleAdmin)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/training/stages/:key/test", Summary: "Start (or resume) an attempt at a stage's test; the questions come without their answers", Tag: "training", Response: "TrainingTest"}, s.handleTrainingStart, takers)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/training/course/test", Summary: "Start (or resume) an attempt at the full-course test (questions from every stage)", Tag: "training", Response: "TrainingTest"}, s.handleTrainingStart, takers)
	s.api(auth, p, routeDoc{Method: "POST", Path: "/training/attempts", Summary: "Submit the answers of an attempt; answers the score with the correct options and explanations. 409 for a second submission or after the time limit", Tag: "training", Request: "TrainingSubmission", Response: "TrainingResult"}, s.handleTrainingSubmit, takers, s.idempotent)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/training/attempts/:id", Summary: "One attempt: the questions while open, the result once submitted (own attempts; managers and admins: any)", Tag: "training", Response: "TrainingAttempt"}, s.handleTrainingAttempt)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/training/results", Summary: "The last result per rep and test (managers and admins: everyone, filters user_id and stage; others: their own)", Tag: "training", Response: "TrainingResultList"}, s.handleTrainingResults)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/training/bank", Summary: "The question bank in use as YAML (admin)", Tag: "training", Produces: "application/yaml"}, s.handleTrainingBankGet, admin)
	s.api(auth, p, routeDoc{Method: "PUT", Path: "/training/bank", Summary: "Replace the question bank: YAML body, or JSON {\"yaml\": …}; 422 lists every problem with its line (admin)", Tag: "training", Request: "TrainingBankYAML", Response: "TrainingBankVersion"}, s.handleTrainingBankPut, admin)
	s.api(auth, p, routeDoc{Method: "GET", Path: "/training/policy", Summary: "The test policy: pass mark, questions per test, time limit, cool-down, attempts, validity (admin)", Tag: "training", Response: "TrainingPolicy"}, s.handleTrainingPolicyGet, admin)
	s.api(auth, p, routeDoc{Method: "PUT", Path: "/training/policy", Summary: "Change the test policy; fields left out keep their value (admin)", Tag: "training", Request: "TrainingPolicy", Response: "TrainingPolicy"}, s.handleTrainingPolicyPut, admin)
}

// TrainingTestJSON is an open attempt as the rep receives it: no correct answers, no
// explanations (training.ClientAttempt has no field for them).
type TrainingTestJSON struct {
	AttemptID int64  `json:"attempt_id"`
	Status    string `json:"status"` // "open"
	// Resumed is true when an attempt that was already open is handed back.
	Resumed bool `json:"resumed,omitempty"`
	training.ClientAttempt
}

// TrainingOptionResult is an option of a scored question.
type TrainingOptionResult struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	TextEN  string `json:"text_en,omitempty"`
	Chosen  bool   `json:"chosen"`
	Correct bool   `json:"correct"`
}

// TrainingQuestionResult is a scored question with its explanation.
type TrainingQuestionResult struct {
	QuestionID     string                 `json:"question_id"`
	Stage          string                 `json:"stage"`
	Kind           training.Kind          `json:"kind"`
	Text           string                 `json:"text"`
	TextEN         string                 `json:"text_en,omitempty"`
	Options        []TrainingOptionResult `json:"options"`
	Chosen         []string               `json:"chosen"`
	CorrectOptions []string               `json:"correct_options"`
	Correct        bool                   `json:"correct"`
	Explanation    string                 `json:"explanation"`
	ExplanationEN  string                 `json:"explanation_en,omitempty"`
}

// TrainingResultJSON is a submitted attempt with its score.
type TrainingResultJSON struct {
	AttemptID   int64                    `json:"attempt_id"`
	UserID      int64                    `json:"user_id"`
	Status      string                   `json:"status"` // "submitted"
	Stage       string                   `json:"stage"`
	StartedAt   time.Time                `json:"started_at"`
	SubmittedAt time.Time                `json:"submitted_at"`
	Total       int                      `json:"total"`
	Correct     int                      `json:"correct"`
	PassMark    int                      `json:"pass_mark"`
	Passed      bool                     `json:"passed"`
	Percent     int                      `json:"percent"`
	Questions   []TrainingQuestionResult `json:"questions"`
}

// TrainingPercent is correct/total in whole percent, rounded down (the pass decision never
// uses it: it is correct ≥ the pass mark).
func TrainingPercent(correct, total int) int {
	if total <= 0 {
		return 0
	}
	return correct * 100 / total
}

// TrainingTestView is the client view of an open attempt.
func TrainingTestView(a storage.TrainingAttempt, resumed bool) TrainingTestJSON {
	return TrainingTestJSON{AttemptID: a.ID, Status: "open", Resumed: resumed, ClientAttempt: a.Attempt.ClientView()}
}

// TrainingResultView is the scored view of a submitted attempt; ok is false while it is open.
func TrainingResultView(a storage.TrainingAttempt) (TrainingResultJSON, bool) {
	r, ok := a.Result()
	if !ok {
		return TrainingResultJSON{}, false
	}
	out := TrainingResultJSON{AttemptID: a.ID, UserID: a.UserID, Status: "submitted", Stage: a.Attempt.Stage, StartedAt: a.Attempt.StartedAt,
		SubmittedAt: a.Attempt.SubmittedAt, Total: r.Total, Correct: r.Correct, PassMark: r.PassMark, Passed: r.Passed,
		Percent: TrainingPercent(r.Correct, r.Total), Questions: make([]TrainingQuestionResult, len(r.Questions))}
	for i, qr := range r.Questions {
		q := a.Attempt.Questions[i]
		v := TrainingQuestionResult{QuestionID: q.ID, Stage: q.Stage, Kind: q.Kind, Text: q.Text, TextEN: q.TextEN,
			Chosen: qr.Chosen, CorrectOptions: qr.CorrectOptions, Correct: qr.Correct, Explanation: qr.Explanation, ExplanationEN: qr.ExplanationEN}
		if v.CorrectOptions == nil {
			v.CorrectOptions = []string{}
		}
		for _, o := range q.Options {
			v.Options = append(v.Options, TrainingOptionResult{ID: o.ID, Text: o.Text, TextEN: o.TextEN,
				Chosen: slices.Contains(qr.Chosen, o.ID), Correct: slices.Contains(qr.CorrectOptions, o.ID)})
		}
		out.Questions[i] = v
	}
	return out, true
}

// TrainingProblem is a problem of the training routes, with their extra members.
type TrainingProblem struct {
	Problem
	// NextAttemptAt is when the next attempt may start (ProblemTrainingWait).
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// Problems lists what is wrong with a question bank (ProblemTrainingBank).
	Problems []TrainingBankProblem `json:"problems,omitempty"`
}

// TrainingBankProblem is one problem of a question bank, with its YAML line.
type TrainingBankProblem struct {
	Line     int    `json:"line,omitempty"`
	Stage    string `json:"stage,omitempty"`
	Question string `json:"question,omitempty"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
}

// TrainingProblemFor maps the training errors that have their own problem type; ok is false
// for every other error (the server's error handler answers those).
func TrainingProblemFor(err error) (p TrainingProblem, ok bool) {
	var (
		wait *storage.TrainingWaitError
		be   *training.BankError
	)
	switch {
	case errors.As(err, &wait):
		p.Problem = Problem{Type: ProblemTrainingWait, Title: "The next attempt may not start yet", Status: http.StatusConflict, Stage: wait.Stage}
		if wait.NextAt.IsZero() {
			p.Detail = "no attempts are left at this test"
		} else {
			next := wait.NextAt.UTC()
			p.NextAttemptAt = &next
			p.Detail = "the cool-down between attempts runs until " + next.Format(time.RFC3339)
		}
	case errors.Is(err, training.ErrAlreadySubmitted):
		p.Problem = Problem{Type: ProblemTrainingClosed, Title: "The attempt was already submitted", Status: http.StatusConflict,
			Detail: "this attempt has already been submitted; a second submission counts nothing"}
	case errors.Is(err, training.ErrLate):
		p.Problem = Problem{Type: ProblemTrainingLate, Title: "The time limit has passed", Status: http.StatusConflict,
			Detail: "the answers came after the attempt's time limit and were not accepted"}
	case errors.As(err, &be):
		p.Problem = Problem{Type: ProblemTrainingBank, Title: "Invalid question bank", Status: http.StatusUnprocessableEntity,
			Detail: "the question bank has problems; nothing was saved"}
		for _, pr := range be.Problems {
			p.Problems = append(p.Problems, TrainingBankProblem{Line: pr.Line, Stage: pr.Stage, Question: pr.Question, Field: pr.Field, Message: pr.Message})
			field := pr.Field
			if field == "" {
				field = "yaml"
			}
			p.Errors = append(p.Errors, FieldProblem{Field: field, Message: pr.String()})
		}
		if len(p.Errors) > 0 {
			p.Field = p.Errors[0].Field
		}
	default:
		return p, false
	}
	return p, true
}

// trainingError answers the training errors with their own problem types and passes every
// other error on to the server's error handler.
func (s *Server) trainingError(c echo.Context, err error) error {
	p, ok := TrainingProblemFor(err)
	if !ok {
		return err
	}
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	return json.NewEncoder(c.Response()).Encode(p)
}

func (s *Server) handleTrainingStart(c echo.Context) error {
	stage := storage.TrainingCourse
	if c.Path() != "" && strings.HasSuffix(c.Path(), "/stages/:key/test") {
		stage = c.Param("key")
		if stage == "" {
			return workflow.ErrNotFound
		}
	}
	u := currentUser(c)
	a, resumed, err := s.Store.StartTrainingAttempt(ctxOf(c), u.ID, stage)
	if err != nil {
		return s.trainingError(c, err)
	}
	// The questions are the rep's own and must not be cached anywhere on the way.
	c.Response().Header().Set("Cache-Control", "no-store")
	status := http.StatusCreated
	if resumed {
		status = http.StatusOK
	}
	return c.JSON(status, TrainingTestView(a, resumed))
}

// TrainingSubmission is the body of POST /api/v1/training/attempts.
type TrainingSubmission struct {
	AttemptID json.Number         `json:"attempt_id"`
	Answers   map[string][]string `json:"answers"`
}

func (s *Server) handleTrainingSubmit(c echo.Context) error {
	var req TrainingSubmission
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := parseID("attempt_id", req.AttemptID, true)
	if err != nil {
		return err
	}
	u := currentUser(c)
	a, _, err := s.Store.SubmitTrainingAttempt(ctxOf(c), id, u.ID, req.Answers)
	if err != nil {
		return s.trainingError(c, err)
	}
	view, ok := TrainingResultView(a)
	if !ok {
		return errors.New("training: a submitted attempt has no result")
	}
	return c.JSON(http.StatusOK, view)
}

// mayReadAllTraining reports whether the role sees every rep's attempts and results.
func mayReadAllTraining(r workflow.Role) bool {
	return r == workflow.RoleAdmin || r == workflow.RoleManager
}

// LoadTrainingAttempt returns the attempt if the user may see it: their own, or anyone's for
// managers and admins. Others get ENOTFOUND, as for an attempt that does not exist.
func (s *Server) LoadTrainingAttempt(c echo.Context, id int64) (storage.TrainingAttempt, error) {
	a, err := s.Store.FindTrainingAttempt(ctxOf(c), id)
	if err != nil {
		return a, err
	}
	u := currentUser(c)
	if a.UserID != u.ID && !mayReadAllTraining(u.Role) {
		return storage.TrainingAttempt{}, workflow.ErrNotFound
	}
	return a, nil
}

func (s *Server) handleTrainingAttempt(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, err := s.LoadTrainingAttempt(c, id)
	if err != nil {
		return err
	}
	if view, ok := TrainingResultView(a); ok {
		return c.JSON(http.StatusOK, view)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if a.UserID != currentUser(c).ID {
		// A manager looking at someone's open attempt sees its state, not its questions.
		return c.JSON(http.StatusOK, map[string]any{"attempt_id": a.ID, "user_id": a.UserID, "status": "open",
			"stage": a.Attempt.Stage, "started_at": a.Attempt.StartedAt})
	}
	return c.JSON(http.StatusOK, TrainingTestView(a, false))
}

// TrainingResultRow is one rep's last result at one test.
type TrainingResultRow struct {
	UserID      int64      `json:"user_id"`
	UserEmail   string     `json:"user_email"`
	UserName    string     `json:"user_name"`
	Stage       string     `json:"stage"`
	AttemptID   int64      `json:"attempt_id"`
	Correct     int        `json:"correct"`
	Total       int        `json:"total"`
	Percent     int        `json:"percent"`
	PassMark    int        `json:"pass_mark"`
	Passed      bool       `json:"passed"`
	SubmittedAt time.Time  `json:"submitted_at"`
	ValidUntil  *time.Time `json:"valid_until,omitempty"`
}

// TrainingResults returns the last result per rep and test that the user may see:
// managers and admins everyone's (or onlyUser's when set), others their own.
func (s *Server) TrainingResults(c echo.Context, onlyUser *int64) ([]TrainingResultRow, error) {
	ctx := ctxOf(c)
	u := currentUser(c)
	if !mayReadAllTraining(u.Role) {
		onlyUser = &u.ID
	}
	latest, err := s.Store.LatestTrainingResults(ctx, onlyUser)
	if err != nil {
		return nil, err
	}
	settings, err := s.Store.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.Store.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]storage.User, len(users))
	for _, x := range users {
		byID[x.ID] = x
	}
	now := s.Store.Now().UTC()
	out := make([]TrainingResultRow, 0, len(latest))
	for _, a := range latest {
		row := TrainingResultRow{UserID: a.UserID, UserEmail: byID[a.UserID].Email, UserName: byID[a.UserID].Name, Stage: a.Attempt.Stage,
			AttemptID: a.ID, Correct: a.Correct, Total: a.Total, Percent: TrainingPercent(a.Correct, a.Total),
			PassMark: a.Attempt.Policy.PassMark(a.Total), Passed: a.Passed, SubmittedAt: a.Attempt.SubmittedAt}
		if a.Passed {
			if until := a.Attempt.SubmittedAt.AddDate(0, settings.ValidMonths, 0); now.Before(until) {
				row.ValidUntil = &until
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) handleTrainingResults(c echo.Context) error {
	var only *int64
	if v := c.QueryParam("user_id"); v != "" {
		id, err := parseID("user_id", json.Number(v), false)
		if err != nil {
			return err
		}
		only = &id
	}
	rows, err := s.TrainingResults(c, only)
	if err != nil {
		return err
	}
	if st := c.QueryParam("stage"); st != "" {
		rows = slices.DeleteFunc(rows, func(r TrainingResultRow) bool { return r.Stage != st })
	}
	return c.JSON(http.StatusOK, map[string]any{"items": rows, "total": len(rows)})
}

// TrainingBankVersionJSON describes a stored (or the shipped) question bank.
type TrainingBankVersionJSON struct {
	Version   int       `json:"version"`
	Shipped   bool      `json:"shipped"`
	Digest    string    `json:"digest"`
	Questions int       `json:"questions"`
	Stages    []string  `json:"stages,omitempty"`
	Saved     bool      `json:"saved"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

func (s *Server) handleTrainingBankGet(c echo.Context) error {
	src, v, err := s.Store.TrainingBankSource(ctxOf(c))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("X-Training-Bank-Version", itoa(int64(v.Version)))
	h.Set("X-Training-Bank-Digest", v.Digest)
	h.Set(echo.HeaderContentDisposition, `inline; filename="training-bank.yaml"`)
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", src)
}

func (s *Server) handleTrainingBankPut(c echo.Context) error {
	var src []byte
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), "application/json") {
		var req struct {
			YAML string `json:"yaml"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		src = []byte(req.YAML)
	} else {
		b, err := io.ReadAll(io.LimitReader(c.Request().Body, training.MaxFileSize+1))
		if err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) {
				return he
			}
			return &badRequestError{msg: "cannot read the body"}
		}
		src = b
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return workflow.Invalid("yaml", "the question bank is empty")
	}
	u := currentUser(c)
	v, saved, err := s.Store.SaveTrainingBank(ctxOf(c), src, &u.ID)
	if err != nil {
		return s.trainingError(c, err)
	}
	bank, _, err := s.Store.TrainingBank(ctxOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TrainingBankVersionJSON{Version: v.Version, Shipped: v.Shipped(), Digest: v.Digest, Questions: v.Questions,
		Stages: bank.StageKeys(), Saved: saved, CreatedAt: v.CreatedAt})
}

// TrainingPolicyJSON is the test policy in the API. On PUT, fields left out keep their value.
type TrainingPolicyJSON struct {
	PassPercent      *int   `json:"pass_percent,omitempty"`
	QuestionsPerTest *int   `json:"questions_per_test,omitempty"`
	TimeLimitSeconds *int64 `json:"time_limit_seconds,omitempty"`
	CooldownSeconds  *int64 `json:"cooldown_seconds,omitempty"`
	MaxAttempts      *int   `json:"max_attempts,omitempty"`
	ValidMonths      *int   `json:"valid_months,omitempty"`
}

// TrainingPolicyToJSON converts the stored settings.
func TrainingPolicyToJSON(t storage.TrainingSettings) TrainingPolicyJSON {
	tl, cd := int64(t.TimeLimit/time.Second), int64(t.Cooldown/time.Second)
	return TrainingPolicyJSON{PassPercent: &t.PassPercent, QuestionsPerTest: &t.QuestionsPerTest, TimeLimitSeconds: &tl,
		CooldownSeconds: &cd, MaxAttempts: &t.MaxAttempts, ValidMonths: &t.ValidMonths}
}

// Apply returns t with the fields that are set in j.
func (j TrainingPolicyJSON) Apply(t storage.TrainingSettings) storage.TrainingSettings {
	if j.PassPercent != nil {
		t.PassPercent = *j.PassPercent
	}
	if j.QuestionsPerTest != nil {
		t.QuestionsPerTest = *j.QuestionsPerTest
	}
	if j.TimeLimitSeconds != nil {
		t.TimeLimit = time.Duration(*j.TimeLimitSeconds) * time.Second
	}
	if j.CooldownSeconds != nil {
		t.Cooldown = time.Duration(*j.CooldownSeconds) * time.Second
	}
	if j.MaxAttempts != nil {
		t.MaxAttempts = *j.MaxAttempts
	}
	if j.ValidMonths != nil {
		t.ValidMonths = *j.ValidMonths
	}
	return t
}

func (s *Server) handleTrainingPolicyGet(c echo.Context) error {
	t, err := s.Store.TrainingSettings(ctxOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TrainingPolicyToJSON(t))
}

func (s *Server) handleTrainingPolicyPut(c echo.Context) error {
	var req TrainingPolicyJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := ctxOf(c)
	cur, err := s.Store.TrainingSettings(ctx)
	if err != nil {
		return err
	}
	next := req.Apply(cur)
	u := currentUser(c)
	if err := s.Store.SaveTrainingSettings(ctx, next, &u.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TrainingPolicyToJSON(next))
}

func init() {
	question := obj([]string{"id", "kind", "text", "options"}, map[string]any{"id": str, "stage": str, "kind": map[string]any{"type": "string", "enum": []string{"single", "multiple"}},
		"text": str, "text_en": str, "options": map[string]any{"type": "array", "items": obj([]string{"id", "text"}, map[string]any{"id": str, "text": str, "text_en": str})}})
	test := obj([]string{"attempt_id", "status", "questions", "pass_mark"}, map[string]any{"attempt_id": integ, "status": map[string]any{"type": "string", "enum": []string{"open"}},
		"resumed": boo, "stage": map[string]any{"type": "string", "description": "stage key; empty for the full course"}, "started_at": tstmp, "deadline": tstmp,
		"pass_mark": integ, "questions": map[string]any{"type": "array", "items": question}})
	resultQuestion := obj([]string{"question_id", "correct", "explanation"}, map[string]any{"question_id": str, "stage": str, "kind": str, "text": str, "text_en": str,
		"options": map[string]any{"type": "array", "items": obj([]string{"id", "text", "chosen", "correct"}, map[string]any{"id": str, "text": str, "text_en": str, "chosen": boo, "correct": boo})},
		"chosen":  map[string]any{"type": "array", "items": str}, "correct_options": map[string]any{"type": "array", "items": str}, "correct": boo,
		"explanation": str, "explanation_en": str})
	result := obj([]string{"attempt_id", "status", "total", "correct", "pass_mark", "passed"}, map[string]any{"attempt_id": integ, "user_id": integ,
		"status": map[string]any{"type": "string", "enum": []string{"submitted"}}, "stage": str, "started_at": tstmp, "submitted_at": tstmp, "total": integ, "correct": integ,
		"pass_mark": integ, "passed": boo, "percent": integ, "questions": map[string]any{"type": "array", "items": resultQuestion}})
	ExtraSchemas["TrainingTest"] = test
	ExtraSchemas["TrainingResult"] = result
	ExtraSchemas["TrainingAttempt"] = map[string]any{"oneOf": []any{ref("TrainingTest"), ref("TrainingResult")}}
	ExtraSchemas["TrainingSubmission"] = obj([]string{"attempt_id", "answers"}, map[string]any{"attempt_id": integ,
		"answers": map[string]any{"type": "object", "description": "question id → the chosen option ids", "additionalProperties": map[string]any{"type": "array", "items": str}}})
	ExtraSchemas["TrainingResultList"] = obj([]string{"items"}, map[string]any{"total": integ, "items": map[string]any{"type": "array", "items": obj(
		[]string{"user_id", "stage", "attempt_id", "correct", "total", "passed", "submitted_at"}, map[string]any{"user_id": integ, "user_email": str, "user_name": str,
			"stage": str, "attempt_id": integ, "correct": integ, "total": integ, "percent": integ, "pass_mark": integ, "passed": boo, "submitted_at": tstmp, "valid_until": tstmp})}})
	ExtraSchemas["TrainingBankYAML"] = obj([]string{"yaml"}, map[string]any{"yaml": str})
	ExtraSchemas["TrainingBankVersion"] = obj([]string{"version", "digest", "questions", "saved"}, map[string]any{"version": integ, "shipped": boo, "digest": str,
		"questions": integ, "stages": map[string]any{"type": "array", "items": str}, "saved": boo, "created_at": tstmp})
	ExtraSchemas["TrainingPolicy"] = obj(nil, map[string]any{"pass_percent": map[string]any{"type": "integer", "minimum": 1, "maximum": 100},
		"questions_per_test": integ, "time_limit_seconds": map[string]any{"type": "integer", "description": "0: no limit"},
		"cooldown_seconds": integ, "max_attempts": map[string]any{"type": "integer", "description": "0: unlimited"}, "valid_months": integ})
}
