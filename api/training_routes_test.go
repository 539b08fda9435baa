package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/training"
	"github.com/dealgate/dealgate/workflow"
)

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

// trainingEnv is a server with the training routes on a seeded store.
type trainingEnv struct {
	t     *testing.T
	st    *storage.Store
	f     *storagetest.Fixture
	url   string
	clock *trainingClock
}

func newTrainingEnv(t *testing.T, st *storage.Store) *trainingEnv {
	t.Helper()
	f := storagetest.Seed(t, st)
	clock := &trainingClock{t: time.Now().UTC().Truncate(time.Second)}
	st.Now = clock.Now
	st.TrainingPassedFunc = st.TrainingPassed
	srv := api.NewServer(st, storagetest.Logger(t))
	srv.Extra = append(srv.Extra, api.TrainingRoutes)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &trainingEnv{t: t, st: st, f: f, url: hs.URL + "/api/v1", clock: clock}
}

// call sends a request with the user's token and decodes a JSON answer into out (if given).
func (e *trainingEnv) call(u storagetest.User, method, path, contentType string, body any, out any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
		if contentType == "" {
			contentType = "application/json"
		}
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, raw, err)
		}
	}
	return res.StatusCode, raw
}

// answersFor answers the first `right` questions of the stored attempt correctly and the
// others wrongly. It reads the answers from the database, as only a test can.
func (e *trainingEnv) answersFor(attemptID int64, right int) map[string][]string {
	e.t.Helper()
	a, err := e.st.FindTrainingAttempt(context.Background(), attemptID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]string{}
	for i, q := range a.Attempt.Questions {
		if i < right {
			out[q.ID] = q.Correct
			continue
		}
		for _, o := range q.Options {
			if !slices.Contains(q.Correct, o.ID) {
				out[q.ID] = []string{o.ID}
				break
			}
		}
	}
	return out
}

type problemJSON struct {
	Type          string     `json:"type"`
	Status        int        `json:"status"`
	Field         string     `json:"field"`
	Stage         string     `json:"stage"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	Missing       []workflow.Missing
	Problems      []api.TrainingBankProblem `json:"problems"`
}

// keysIn collects every object key of a JSON document.
func keysIn(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			into[k] = true
			keysIn(y, into)
		}
	case []any:
		for _, y := range x {
			keysIn(y, into)
		}
	}
}

// assertNoAnswers fails when raw (what the rep's browser receives) reveals anything about the
// correct answers of the stored attempt: no answer or explanation field, no explanation text.
func (e *trainingEnv) assertNoAnswers(what string, raw []byte, attemptID int64) {
	e.t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
	keys := map[string]bool{}
	keysIn(doc, keys)
	for _, k := range []string{"correct", "correct_options", "explanation", "explanation_en", "seed", "chosen", "answers"} {
		if keys[k] {
			e.t.Fatalf("%s: the open attempt carries %q: %s", what, k, raw)
		}
	}
	a, err := e.st.FindTrainingAttempt(context.Background(), attemptID)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(a.Attempt.Questions) == 0 {
		e.t.Fatalf("%s: the stored attempt has no questions", what)
	}
	for _, q := range a.Attempt.Questions {
		if q.Explanation == "" {
			e.t.Fatalf("question %s has no explanation to look for", q.ID)
		}
		if bytes.Contains(raw, []byte(q.Explanation)) || bytes.Contains(raw, []byte(mustJSONString(q.Explanation))) {
			e.t.Fatalf("%s: the explanation of %s reached the client", what, q.ID)
		}
	}
}

func mustJSONString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

func TestTrainingAPITakeFailRetakePass(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newTrainingEnv(t, st)
		rep := e.f.Rep1

		var test api.TrainingTestJSON
		code, raw := e.call(rep, "GET", "/training/stages/meeting/test", "", nil, &test)
		if code != http.StatusCreated || test.AttemptID == 0 || len(test.Questions) != 10 || test.PassMark != 8 || test.Stage != "meeting" {
			t.Fatalf("start: %d %s", code, raw)
		}
		e.assertNoAnswers("GET test", raw, test.AttemptID)
		// Opening it again resumes the same attempt, still without answers.
		var again api.TrainingTestJSON
		code, raw = e.call(rep, "GET", "/training/stages/meeting/test", "", nil, &again)
		if code != http.StatusOK || again.AttemptID != test.AttemptID || !again.Resumed {
			t.Fatalf("second GET: %d %s", code, raw)
		}
		e.assertNoAnswers("GET test again", raw, test.AttemptID)
		code, raw = e.call(rep, "GET", fmt.Sprintf("/training/attempts/%d", test.AttemptID), "", nil, nil)
		if code != http.StatusOK {
			t.Fatalf("GET attempt: %d %s", code, raw)
		}
		e.assertNoAnswers("GET open attempt", raw, test.AttemptID)

		// 6 of 10: 60 %, failed; the result reveals the explanations.
		var res api.TrainingResultJSON
		code, raw = e.call(rep, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": e.answersFor(test.AttemptID, 6)}, &res)
		if code != http.StatusOK || res.Correct != 6 || res.Total != 10 || res.Percent != 60 || res.Passed || res.PassMark != 8 {
			t.Fatalf("submit 60 %%: %d %s", code, raw)
		}
		for _, q := range res.Questions {
			if q.Explanation == "" || len(q.CorrectOptions) == 0 {
				t.Fatalf("question %s of the result has no explanation or correct options", q.QuestionID)
			}
		}
		// A replay of the same submission is refused and changes nothing.
		var p problemJSON
		code, _ = e.call(rep, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": e.answersFor(test.AttemptID, 10)}, &p)
		if code != http.StatusConflict || p.Type != api.ProblemTrainingClosed {
			t.Fatalf("replay: %d %+v", code, p)
		}
		var back api.TrainingResultJSON
		e.call(rep, "GET", fmt.Sprintf("/training/attempts/%d", test.AttemptID), "", nil, &back)
		if back.Correct != 6 || back.Passed || back.Status != "submitted" {
			t.Fatalf("after the replay: %+v", back)
		}

		// The cool-down refuses a new attempt and says when.
		e.clock.Add(2 * time.Hour)
		p = problemJSON{}
		code, raw = e.call(rep, "GET", "/training/stages/meeting/test", "", nil, &p)
		if code != http.StatusConflict || p.Type != api.ProblemTrainingWait || p.NextAttemptAt == nil || !p.NextAttemptAt.Equal(res.SubmittedAt.Add(24*time.Hour)) {
			t.Fatalf("start in the cool-down: %d %s", code, raw)
		}

		e.clock.Add(22*time.Hour + time.Second)
		test = api.TrainingTestJSON{}
		code, raw = e.call(rep, "GET", "/training/stages/meeting/test", "", nil, &test)
		if code != http.StatusCreated || test.Resumed {
			t.Fatalf("start after the cool-down: %d %s", code, raw)
		}
		res = api.TrainingResultJSON{}
		e.call(rep, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": e.answersFor(test.AttemptID, 8)}, &res)
		if !res.Passed || res.Percent != 80 {
			t.Fatalf("8 of 10: %+v", res)
		}

		// Results: the rep sees their own; the manager sees everyone's; rep 2 not rep 1's attempt.
		var list struct {
			Items []api.TrainingResultRow `json:"items"`
		}
		e.call(e.f.Rep2, "GET", "/training/results", "", nil, &list)
		if len(list.Items) != 0 {
			t.Fatalf("rep 2 sees results: %+v", list.Items)
		}
		if code, _ := e.call(e.f.Rep2, "GET", fmt.Sprintf("/training/attempts/%d", test.AttemptID), "", nil, nil); code != http.StatusNotFound {
			t.Fatalf("rep 2 reads rep 1's attempt: %d", code)
		}
		// Rep 2 cannot submit rep 1's attempt either (it does not exist for them).
		if code, _ := e.call(e.f.Rep2, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": map[string][]string{}}, nil); code != http.StatusNotFound {
			t.Fatalf("rep 2 submits rep 1's attempt: %d", code)
		}
		r2 := api.TrainingTestJSON{}
		e.call(e.f.Rep2, "GET", "/training/stages/proposal/test", "", nil, &r2)
		e.call(e.f.Rep2, "POST", "/training/attempts", "", map[string]any{"attempt_id": r2.AttemptID, "answers": e.answersFor(r2.AttemptID, 3)}, nil)
		list.Items = nil
		e.call(e.f.Manager, "GET", "/training/results", "", nil, &list)
		if len(list.Items) != 2 {
			t.Fatalf("manager sees %d results, want 2: %+v", len(list.Items), list.Items)
		}
		for _, r := range list.Items {
			switch r.UserID {
			case rep.ID:
				if r.Stage != "meeting" || r.Correct != 8 || !r.Passed || r.ValidUntil == nil || r.UserEmail != rep.Email {
					t.Fatalf("rep 1's row: %+v", r)
				}
			case e.f.Rep2.ID:
				if r.Stage != "proposal" || r.Correct != 3 || r.Passed || r.ValidUntil != nil {
					t.Fatalf("rep 2's row: %+v", r)
				}
			default:
				t.Fatalf("unexpected row %+v", r)
			}
		}
		list.Items = nil
		e.call(rep, "GET", "/training/results", "", nil, &list)
		if len(list.Items) != 1 || list.Items[0].UserID != rep.ID {
			t.Fatalf("rep 1's own results: %+v", list.Items)
		}
		var mview api.TrainingResultJSON
		if code, _ := e.call(e.f.Manager, "GET", fmt.Sprintf("/training/attempts/%d", test.AttemptID), "", nil, &mview); code != http.StatusOK || !mview.Passed {
			t.Fatalf("manager reads rep 1's result: %d %+v", code, mview)
		}
	})
}

func TestTrainingAPIRejectsForeignAnswersAndLateSubmissions(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newTrainingEnv(t, st)
		rep := e.f.Rep1
		var pol api.TrainingPolicyJSON
		if code, raw := e.call(e.f.Admin, "PUT", "/training/policy", "", map[string]any{"time_limit_seconds": 600}, &pol); code != http.StatusOK || *pol.TimeLimitSeconds != 600 || *pol.PassPercent != 80 {
			t.Fatalf("set a time limit: %d %s", code, raw)
		}
		var test api.TrainingTestJSON
		e.call(rep, "GET", "/training/stages/contract/test", "", nil, &test)
		if test.Deadline.IsZero() || !test.Deadline.Equal(test.StartedAt.Add(10*time.Minute)) {
			t.Fatalf("deadline %v for a start at %v", test.Deadline, test.StartedAt)
		}

		// An answer to a question that is not in the attempt.
		answers := e.answersFor(test.AttemptID, 10)
		answers["research-01"] = []string{"a"}
		var p problemJSON
		code, raw := e.call(rep, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": answers}, &p)
		if code != http.StatusUnprocessableEntity || p.Type != api.ProblemInvalid || p.Field != "answers.research-01" {
			t.Fatalf("foreign question: %d %s", code, raw)
		}
		// Two options for a single-choice question.
		answers = e.answersFor(test.AttemptID, 10)
		for _, q := range test.Questions {
			if q.Kind == training.KindSingle {
				answers[q.ID] = []string{q.Options[0].ID, q.Options[1].ID}
				break
			}
		}
		if code, raw = e.call(rep, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": answers}, nil); code != http.StatusUnprocessableEntity {
			t.Fatalf("two options for a single-choice question: %d %s", code, raw)
		}
		// Unknown members of the body are refused, not ignored.
		if code, raw = e.call(rep, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": map[string][]string{}, "score": 10}, nil); code != http.StatusUnprocessableEntity {
			t.Fatalf("a body with a score: %d %s", code, raw)
		}

		// Late: after the deadline and the grace period.
		e.clock.Add(10*time.Minute + training.SubmissionGrace + time.Second)
		p = problemJSON{}
		code, raw = e.call(rep, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": e.answersFor(test.AttemptID, 10)}, &p)
		if code != http.StatusConflict || p.Type != api.ProblemTrainingLate {
			t.Fatalf("late submission: %d %s", code, raw)
		}
		var view map[string]any
		e.call(rep, "GET", fmt.Sprintf("/training/attempts/%d", test.AttemptID), "", nil, &view)
		if view["status"] != "open" {
			t.Fatalf("the late submission was stored: %v", view["status"])
		}
		if ok, _ := st.TrainingPassed(context.Background(), rep.ID, "contract"); ok {
			t.Fatal("a late submission opened the gate")
		}
		// An unknown stage.
		if code, _ := e.call(rep, "GET", "/training/stages/nope/test", "", nil, nil); code != http.StatusNotFound {
			t.Fatalf("unknown stage: %d", code)
		}
		// Auditors take no tests.
		if code, _ := e.call(e.f.Auditor, "GET", "/training/stages/contract/test", "", nil, nil); code != http.StatusForbidden {
			t.Fatalf("auditor starts a test: %d", code)
		}
	})
}

func TestTrainingAPIFullCourse(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newTrainingEnv(t, st)
		e.call(e.f.Admin, "PUT", "/training/policy", "", map[string]any{"questions_per_test": 15}, nil)
		var test api.TrainingTestJSON
		code, raw := e.call(e.f.Rep1, "GET", "/training/course/test", "", nil, &test)
		if code != http.StatusCreated || test.Stage != "" || len(test.Questions) != 15 || test.PassMark != 12 {
			t.Fatalf("course: %d %s", code, raw)
		}
		stages := map[string]bool{}
		for _, q := range test.Questions {
			stages[q.Stage] = true
		}
		if len(stages) != 15 {
			t.Fatalf("the full course drew from %d stages, want all 15", len(stages))
		}
		e.assertNoAnswers("course", raw, test.AttemptID)
		var res api.TrainingResultJSON
		e.call(e.f.Rep1, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": e.answersFor(test.AttemptID, 12)}, &res)
		if !res.Passed || res.Correct != 12 {
			t.Fatalf("12 of 15: %+v", res)
		}
		// The full course does not open a stage's gate.
		if ok, _ := st.TrainingPassed(context.Background(), e.f.Rep1.ID, "research"); ok {
			t.Fatal("the full course opened the research gate")
		}
	})
}

func TestTrainingAPIBankAndPolicyAreForAdmins(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newTrainingEnv(t, st)
		for _, u := range []storagetest.User{e.f.Rep1, e.f.Manager} {
			if code, _ := e.call(u, "GET", "/training/bank", "", nil, nil); code != http.StatusForbidden {
				t.Fatalf("%s reads the bank (with its answers): %d", u.Role, code)
			}
			if code, _ := e.call(u, "PUT", "/training/policy", "", map[string]any{"pass_percent": 10}, nil); code != http.StatusForbidden {
				t.Fatalf("%s changes the policy: %d", u.Role, code)
			}
		}
		code, src := e.call(e.f.Admin, "GET", "/training/bank", "", nil, nil)
		if code != http.StatusOK || !bytes.Contains(src, []byte("key: research")) {
			t.Fatalf("admin GET bank: %d", code)
		}
		// A broken bank: the problem names its line.
		broken := strings.Replace(string(src), "kind: single", "kind: singular", 1)
		line := strings.Count(broken[:strings.Index(broken, "kind: singular")], "\n") + 1
		var p problemJSON
		code, raw := e.call(e.f.Admin, "PUT", "/training/bank", "application/yaml", broken, &p)
		if code != http.StatusUnprocessableEntity || p.Type != api.ProblemTrainingBank || len(p.Problems) == 0 || p.Problems[0].Line != line || p.Problems[0].Field != "kind" {
			t.Fatalf("broken bank: %d %s (want line %d)", code, raw, line)
		}
		// A good edit, as YAML and as JSON.
		edited := strings.Replace(string(src), "title: Отправка КП", "title: Отправка коммерческого предложения", 1)
		var v api.TrainingBankVersionJSON
		code, raw = e.call(e.f.Admin, "PUT", "/training/bank", "application/yaml", edited, &v)
		if code != http.StatusOK || !v.Saved || v.Version != 1 || len(v.Stages) != 15 {
			t.Fatalf("save bank: %d %s", code, raw)
		}
		code, raw = e.call(e.f.Admin, "PUT", "/training/bank", "", map[string]string{"yaml": edited}, &v)
		if code != http.StatusOK || v.Saved || v.Version != 1 {
			t.Fatalf("save the same bank as JSON: %d %s", code, raw)
		}
		_, back := e.call(e.f.Admin, "GET", "/training/bank", "", nil, nil)
		if string(back) != edited {
			t.Fatal("GET bank does not return the saved YAML")
		}

		var pol api.TrainingPolicyJSON
		e.call(e.f.Admin, "GET", "/training/policy", "", nil, &pol)
		if *pol.PassPercent != 80 || *pol.QuestionsPerTest != 10 || *pol.CooldownSeconds != 86400 || *pol.ValidMonths != 12 || *pol.TimeLimitSeconds != 0 {
			t.Fatalf("default policy: %+v", pol)
		}
		p = problemJSON{}
		if code, _ := e.call(e.f.Admin, "PUT", "/training/policy", "", map[string]any{"pass_percent": 101}, &p); code != http.StatusUnprocessableEntity || p.Field != "pass_percent" {
			t.Fatalf("pass_percent 101: %d %+v", code, p)
		}
		e.call(e.f.Admin, "PUT", "/training/policy", "", map[string]any{"pass_percent": 70}, &pol)
		if *pol.PassPercent != 70 || *pol.QuestionsPerTest != 10 {
			t.Fatalf("after PUT pass_percent 70: %+v", pol)
		}
		// The new pass mark applies to new attempts: 7 of 10.
		var test api.TrainingTestJSON
		e.call(e.f.Rep1, "GET", "/training/stages/tender/test", "", nil, &test)
		if test.PassMark != 7 {
			t.Fatalf("pass mark under 70 %%: %d", test.PassMark)
		}

		// The OpenAPI document lists the routes.
		var doc struct {
			Paths map[string]map[string]any `json:"paths"`
		}
		e.call(e.f.Rep1, "GET", "/openapi.json", "", nil, &doc)
		for _, path := range []string{"/api/v1/training/stages/{key}/test", "/api/v1/training/attempts", "/api/v1/training/attempts/{id}", "/api/v1/training/results", "/api/v1/training/bank", "/api/v1/training/policy"} {
			if doc.Paths[path] == nil {
				t.Errorf("OpenAPI lacks %s", path)
			}
		}
	})
}

func TestTrainingAPIGateRefusesUntilPassed(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newTrainingEnv(t, st)
		src := string(templates.DefaultPipeline())
		const at = "    requires:\n      - company: valid\n"
		p := storagetest.SavePipeline(t, st, []byte(strings.Replace(src, at, "    training_gate: true\n"+at, 1)))
		d := storagetest.CreateDeal(t, st, p, e.f.Company.ID, e.f.Rep1, "Сделка с обучением")

		var prob problemJSON
		code, raw := e.call(e.f.Rep1, "POST", fmt.Sprintf("/deals/%d/transitions", d.ID), "", map[string]any{"action": "advance", "expected_version": d.Version}, &prob)
		if code != http.StatusUnprocessableEntity || prob.Type != api.ProblemMissingEvidence || len(prob.Missing) != 1 || prob.Missing[0].Type != "training" || !slices.Equal(prob.Missing[0].Kinds, []string{"research"}) {
			t.Fatalf("advance without the test: %d %s", code, raw)
		}
		var test api.TrainingTestJSON
		e.call(e.f.Rep1, "GET", "/training/stages/"+prob.Missing[0].Kinds[0]+"/test", "", nil, &test)
		e.call(e.f.Rep1, "POST", "/training/attempts", "", map[string]any{"attempt_id": test.AttemptID, "answers": e.answersFor(test.AttemptID, 10)}, nil)
		var moved api.DealJSON
		code, raw = e.call(e.f.Rep1, "POST", fmt.Sprintf("/deals/%d/transitions", d.ID), "", map[string]any{"action": "advance", "expected_version": d.Version}, &moved)
		if code != http.StatusOK || moved.Stage != "cold_call" {
			t.Fatalf("advance after passing: %d %s", code, raw)
		}
	})
}
