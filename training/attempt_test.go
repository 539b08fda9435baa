package training

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)

// synthBank builds a bank of stages × perStage questions. Question i of a stage is
// single-choice with correct option "b" when i is even, and multiple-choice with correct
// options "a" and "c" when i is odd; every question has options a, b, c, d.
func synthBank(t *testing.T, stages, perStage int) *Bank {
	t.Helper()
	var ss []Stage
	for s := range stages {
		key := fmt.Sprintf("stage%02d", s+1)
		st := Stage{Key: key}
		for i := range perStage {
			q := Question{
				ID:          fmt.Sprintf("%s-%02d", key, i+1),
				Kind:        KindSingle,
				Text:        fmt.Sprintf("Вопрос %d этапа %s?", i+1, key),
				Explanation: fmt.Sprintf("Пояснение %s-%02d", key, i+1),
				Options: []Option{
					{ID: "a", Text: "Вариант А"}, {ID: "b", Text: "Вариант Б"},
					{ID: "c", Text: "Вариант В"}, {ID: "d", Text: "Вариант Г"},
				},
				Correct: []string{"b"},
			}
			if i%2 == 1 {
				q.Kind, q.Correct = KindMultiple, []string{"a", "c"}
			}
			st.Questions = append(st.Questions, q)
		}
		ss = append(ss, st)
	}
	b, err := NewBank(ss)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rightAnswers answers the first k questions of the attempt correctly and the rest wrongly.
func rightAnswers(a Attempt, k int) map[string][]string {
	ans := make(map[string][]string)
	for i, q := range a.Questions {
		if i < k {
			ans[q.ID] = slices.Clone(q.Correct)
		} else {
			ans[q.ID] = []string{"d"} // wrong for every synthBank question
		}
	}
	return ans
}

func ids(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// passMark80 is ⌈0.8·n⌉ for n = 1..20, worked out by hand:
// 0.8, 1.6, 2.4, 3.2, 4, 4.8, 5.6, 6.4, 7.2, 8, 8.8, 9.6, 10.4, 11.2, 12, 12.8, 13.6, 14.4, 15.2, 16.
var passMark80 = []int{1, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 12, 13, 14, 15, 16, 16}

func TestPassMark(t *testing.T) {
	for n := 1; n <= 20; n++ {
		want := passMark80[n-1]
		if got := DefaultPolicy().PassMark(n); got != want {
			t.Errorf("DefaultPolicy().PassMark(%d) = %d, want %d", n, got, want)
		}
		if got := (Policy{}).PassMark(n); got != want {
			t.Errorf("Policy{}.PassMark(%d) = %d, want %d (zero policy means 80 %%)", n, got, want)
		}
	}
	other := []struct {
		num, den, n, want int
	}{
		{2, 3, 10, 7}, // 6.67 → 7
		{2, 3, 9, 6},  // exactly 6
		{1, 2, 7, 4},  // 3.5 → 4
		{1, 1, 12, 12},
		{7, 10, 10, 7},
		{3, 4, 1, 1},
		{4, 5, 0, 0},
	}
	for _, tc := range other {
		p := Policy{PassNumerator: tc.num, PassDenominator: tc.den}
		if got := p.PassMark(tc.n); got != tc.want {
			t.Errorf("%d/%d PassMark(%d) = %d, want %d", tc.num, tc.den, tc.n, got, tc.want)
		}
	}
	if (Policy{}).Passed(0, 0) {
		t.Error("an empty test must not pass")
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Errorf("DefaultPolicy: %v", err)
	}
	if err := (Policy{}).Validate(); err != nil {
		t.Errorf("zero Policy: %v", err)
	}
	bad := map[string]Policy{
		"numerator above denominator": {PassNumerator: 6, PassDenominator: 5},
		"zero share":                  {PassNumerator: 0, PassDenominator: 5},
		"numerator without den":       {PassNumerator: 4},
		"negative questions":          {QuestionsPerTest: -1},
		"negative time limit":         {TimeLimit: -time.Second},
		"negative cool-down":          {Cooldown: -time.Hour},
		"negative attempts":           {MaxAttempts: -1},
		"huge denominator":            {PassNumerator: 1, PassDenominator: 1 << 40},
	}
	for name, p := range bad {
		if err := p.Validate(); !errors.Is(err, ErrInvalidPolicy) {
			t.Errorf("%s: Validate = %v, want ErrInvalidPolicy", name, err)
		}
	}
}

// TestScorePassMark draws tests of n = 1..20 questions and checks that one correct answer
// fewer than the hand-computed threshold fails and the threshold passes.
func TestScorePassMark(t *testing.T) {
	b := synthBank(t, 1, 20)
	for n := 1; n <= 20; n++ {
		p := DefaultPolicy()
		p.QuestionsPerTest = n
		a, err := NewAttempt(b, "stage01", int64(n), t0, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Questions) != n {
			t.Fatalf("n=%d: drew %d questions", n, len(a.Questions))
		}
		mark := passMark80[n-1]
		for _, k := range []int{mark - 1, mark, n} {
			if k < 0 {
				continue
			}
			r, err := Score(a, rightAnswers(a, k), t0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			wantPass := k >= mark
			if r.Correct != k || r.Total != n || r.PassMark != mark || r.Passed != wantPass {
				t.Errorf("n=%d, %d right: got correct=%d total=%d mark=%d passed=%v, want %d/%d mark %d passed=%v",
					n, k, r.Correct, r.Total, r.PassMark, r.Passed, k, n, mark, wantPass)
			}
		}
	}
}

func TestScoreMultipleChoiceAllOrNothing(t *testing.T) {
	b := synthBank(t, 1, 2) // stage01-02 is multiple choice, correct a and c
	a, err := NewAttempt(b, "stage01", 7, t0, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		chosen []string
		want   bool
	}{
		{[]string{"a", "c"}, true},
		{[]string{"c", "a"}, true},
		{[]string{"a"}, false},
		{[]string{"a", "c", "d"}, false},
		{[]string{"b", "d"}, false},
		{[]string{}, false},
		{nil, false},
	}
	for _, tc := range tests {
		r, err := Score(a, map[string][]string{"stage01-02": tc.chosen}, t0)
		if err != nil {
			t.Fatalf("%v: %v", tc.chosen, err)
		}
		for _, q := range r.Questions {
			if q.QuestionID == "stage01-02" && q.Correct != tc.want {
				t.Errorf("chosen %v: correct = %v, want %v", tc.chosen, q.Correct, tc.want)
			}
		}
	}
}

func TestScoreRevealsAfterScoring(t *testing.T) {
	b := synthBank(t, 1, 4)
	a, err := NewAttempt(b, "stage01", 3, t0, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	r, err := Score(a, map[string][]string{"stage01-01": {"b"}, "stage01-02": {"c"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Questions) != 4 {
		t.Fatalf("%d question results", len(r.Questions))
	}
	for i, qr := range r.Questions {
		q := a.Questions[i]
		if qr.QuestionID != q.ID || qr.Stage != "stage01" || qr.Explanation != "Пояснение "+q.ID {
			t.Errorf("result %d = %+v for question %s", i, qr, q.ID)
		}
		// Correct options are listed in the order the rep saw the options.
		var want []string
		for _, o := range q.Options {
			if slices.Contains(q.Correct, o.ID) {
				want = append(want, o.ID)
			}
		}
		if !reflect.DeepEqual(qr.CorrectOptions, want) {
			t.Errorf("%s: CorrectOptions = %v, want %v", q.ID, qr.CorrectOptions, want)
		}
		wantRight := q.ID == "stage01-01"
		if qr.Correct != wantRight {
			t.Errorf("%s: correct = %v, want %v (chosen %v)", q.ID, qr.Correct, wantRight, qr.Chosen)
		}
	}
	if r.Correct != 1 || r.Passed {
		t.Errorf("correct %d passed %v, want 1 and false", r.Correct, r.Passed)
	}
	if got := r.ByStage(); !reflect.DeepEqual(got, []StageScore{{Stage: "stage01", Total: 4, Correct: 1}}) {
		t.Errorf("ByStage = %+v", got)
	}
}

func TestScoreRejects(t *testing.T) {
	b := synthBank(t, 2, 4)
	p := DefaultPolicy()
	p.TimeLimit = 20 * time.Minute
	a, err := NewAttempt(b, "stage01", 11, t0, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(20 * time.Minute); !a.Deadline.Equal(want) {
		t.Fatalf("Deadline = %v, want %v", a.Deadline, want)
	}
	submitted := a
	submitted.SubmittedAt = t0.Add(5 * time.Minute)

	tests := []struct {
		name    string
		a       Attempt
		answers map[string][]string
		at      time.Time
		want    error
		answer  *AnswerError
	}{
		{"question not in the attempt", a, map[string][]string{"stage02-01": {"b"}}, t0, ErrInvalidAnswer,
			&AnswerError{QuestionID: "stage02-01", Reason: "the question is not part of this attempt"}},
		{"unknown question", a, map[string][]string{"nope": {"a"}}, t0, ErrInvalidAnswer,
			&AnswerError{QuestionID: "nope", Reason: "the question is not part of this attempt"}},
		{"unknown option", a, map[string][]string{"stage01-01": {"e"}}, t0, ErrInvalidAnswer,
			&AnswerError{QuestionID: "stage01-01", OptionID: "e", Reason: "the question has no such option"}},
		{"option twice", a, map[string][]string{"stage01-02": {"a", "a"}}, t0, ErrInvalidAnswer,
			&AnswerError{QuestionID: "stage01-02", OptionID: "a", Reason: "the option is given twice"}},
		{"two options for single choice", a, map[string][]string{"stage01-01": {"a", "b"}}, t0, ErrInvalidAnswer,
			&AnswerError{QuestionID: "stage01-01", Reason: "single-choice question answered with 2 options"}},
		{"late beyond the grace", a, nil, a.Deadline.Add(SubmissionGrace + time.Second), ErrLate, nil},
		{"already submitted", submitted, nil, t0.Add(6 * time.Minute), ErrAlreadySubmitted, nil},
		{"within the grace", a, map[string][]string{"stage01-01": {"b"}}, a.Deadline.Add(SubmissionGrace), nil, nil},
		{"at the deadline", a, nil, a.Deadline, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Score(tc.a, tc.answers, tc.at)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Score error = %v, want %v", err, tc.want)
			}
			if tc.answer != nil {
				var ae *AnswerError
				if !errors.As(err, &ae) || *ae != *tc.answer {
					t.Errorf("AnswerError = %+v, want %+v", ae, tc.answer)
				}
			}
		})
	}

	// Without a time limit a submission is never late.
	open, err := NewAttempt(b, "stage01", 11, t0, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if !open.Deadline.IsZero() {
		t.Errorf("Deadline = %v without a time limit", open.Deadline)
	}
	if _, err := Score(open, nil, t0.Add(30*24*time.Hour)); err != nil {
		t.Errorf("Score a month later without a limit: %v", err)
	}
}

func TestNewAttemptDeterministic(t *testing.T) {
	b := synthBank(t, 3, 12)
	a1, err := NewAttempt(b, "stage02", 42, t0, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	a2, err := NewAttempt(b, "stage02", 42, t0, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a1, a2) {
		t.Fatal("the same seed drew different attempts")
	}
	if a1.Seed != 42 || a1.BankDigest != b.Digest() || a1.Stage != "stage02" || !a1.StartedAt.Equal(t0) {
		t.Errorf("attempt header = %+v", a1)
	}

	// Pinned draw: if this changes, recorded seeds no longer redraw the same attempts
	// (e.g. math/rand/v2's PCG or Shuffle changed). The values were produced by this code.
	gotIDs := ids(a1.Questions)
	wantIDs := []string{"stage02-10", "stage02-11", "stage02-01", "stage02-12", "stage02-07",
		"stage02-05", "stage02-08", "stage02-04", "stage02-09", "stage02-06"}
	if !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Errorf("seed 42 drew %q, want %q", gotIDs, wantIDs)
	}

	// The stored attempt survives JSON and scores the same.
	data, err := json.Marshal(a1)
	if err != nil {
		t.Fatal(err)
	}
	var back Attempt
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	r1, err1 := Score(a1, rightAnswers(a1, 8), t0.Add(time.Hour))
	r2, err2 := Score(back, rightAnswers(a1, 8), t0.Add(time.Hour))
	if err1 != nil || err2 != nil || !reflect.DeepEqual(r1, r2) || !r1.Passed {
		t.Errorf("scores differ after a JSON round trip: %v %v\n%+v\n%+v", err1, err2, r1, r2)
	}

	// Other seeds draw other attempts.
	same := 0
	for seed := int64(1); seed <= 50; seed++ {
		a, err := NewAttempt(b, "stage02", seed, t0, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(ids(a.Questions), gotIDs) {
			same++
		}
	}
	if same > 1 {
		t.Errorf("%d of 50 seeds drew the same questions as seed 42", same)
	}
}

func TestNewAttemptShufflesOptions(t *testing.T) {
	b := synthBank(t, 1, 1)
	first := map[string]int{}
	for seed := int64(0); seed < 200; seed++ {
		a, err := NewAttempt(b, "stage01", seed, t0, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		q := a.Questions[0]
		got := make([]string, len(q.Options))
		for i, o := range q.Options {
			got[i] = o.ID
		}
		first[got[0]]++
		slices.Sort(got)
		if !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
			t.Fatalf("seed %d: options %v", seed, got)
		}
		if !reflect.DeepEqual(q.Correct, []string{"b"}) {
			t.Fatalf("seed %d: correct %v", seed, q.Correct)
		}
	}
	// Each of the four options comes first about 50 times in 200; 25 is far outside chance.
	for _, id := range []string{"a", "b", "c", "d"} {
		if first[id] < 25 {
			t.Errorf("option %s shown first %d times in 200 draws: %v", id, first[id], first)
		}
	}
}

func TestNewAttemptFullCourse(t *testing.T) {
	b := synthBank(t, 15, 3)
	perStage := func(a Attempt) map[string]int {
		m := map[string]int{}
		for _, q := range a.Questions {
			m[q.Stage]++
		}
		return m
	}
	p := DefaultPolicy()
	p.QuestionsPerTest = 15
	a, err := NewAttempt(b, "", 5, t0, p)
	if err != nil {
		t.Fatal(err)
	}
	if m := perStage(a); len(m) != 15 {
		t.Errorf("15 questions over 15 stages drew from %d stages: %v", len(m), m)
	}
	p.QuestionsPerTest = 20
	a, err = NewAttempt(b, "", 5, t0, p)
	if err != nil {
		t.Fatal(err)
	}
	for stage, n := range perStage(a) {
		if n < 1 || n > 2 {
			t.Errorf("20 questions over 15 stages: stage %s has %d", stage, n)
		}
	}
	if len(a.Questions) != 20 || a.Stage != "" {
		t.Errorf("full course: %d questions, stage %q", len(a.Questions), a.Stage)
	}
	// The questions are mixed, not left in round-robin order (where questions 16–20 would
	// repeat the stages of questions 1–5).
	var stages []string
	for _, q := range a.Questions {
		stages = append(stages, q.Stage)
	}
	if slices.Equal(stages[15:20], stages[0:5]) {
		t.Errorf("full course looks like plain round robin: %v", stages)
	}

	p.QuestionsPerTest = 100
	a, err = NewAttempt(b, "", 5, t0, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(a.Questions); len(got) != 45 || len(slices.Compact(slices.Sorted(slices.Values(got)))) != 45 {
		t.Errorf("a pool smaller than the test should be drawn whole, once each; got %d questions", len(got))
	}
}

func TestNewAttemptSkipsRetiredAndErrors(t *testing.T) {
	stages := synthBank(t, 2, 3).Stages()
	stages[0].Questions[1].Retired = true
	for i := range stages[1].Questions {
		stages[1].Questions[i].Retired = true
	}
	b, err := NewBank(stages)
	if err != nil {
		t.Fatal(err)
	}
	for seed := int64(0); seed < 20; seed++ {
		a, err := NewAttempt(b, "", seed, t0, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(a.Questions); len(got) != 2 || slices.Contains(got, "stage01-02") {
			t.Fatalf("seed %d drew %v; retired questions must not be drawn", seed, got)
		}
	}
	if _, err := NewAttempt(b, "stage02", 1, t0, DefaultPolicy()); !errors.Is(err, ErrNoQuestions) {
		t.Errorf("all retired: %v, want ErrNoQuestions", err)
	}
	if _, err := NewAttempt(b, "nope", 1, t0, DefaultPolicy()); !errors.Is(err, ErrUnknownStage) {
		t.Errorf("unknown stage: %v, want ErrUnknownStage", err)
	}
	if _, err := NewAttempt(b, "stage01", 1, t0, Policy{PassNumerator: 9, PassDenominator: 5}); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("bad policy: %v, want ErrInvalidPolicy", err)
	}
}

// TestClientViewHasNoAnswers marshals the client view the way the API will and checks that
// neither the correct options nor the explanations are in it, whatever the field names.
func TestClientViewHasNoAnswers(t *testing.T) {
	b := synthBank(t, 2, 6)
	p := DefaultPolicy()
	p.TimeLimit = 15 * time.Minute
	a, err := NewAttempt(b, "", 9, t0, p)
	if err != nil {
		t.Fatal(err)
	}
	v := a.ClientView()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	js := string(data)
	for _, q := range a.Questions {
		if strings.Contains(js, q.Explanation) {
			t.Errorf("client JSON contains the explanation of %s", q.ID)
		}
	}
	for _, banned := range []string{"correct", "explanation", "seed", "bank_digest", "policy"} {
		if strings.Contains(strings.ToLower(js), banned) {
			t.Errorf("client JSON mentions %q: %s", banned, js)
		}
	}

	// The exact set of keys, walked recursively, so that a field added later must be looked at.
	allowed := map[string]bool{"stage": true, "started_at": true, "deadline": true, "pass_mark": true,
		"questions": true, "id": true, "kind": true, "text": true, "text_en": true, "options": true}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				if !allowed[k] {
					t.Errorf("client JSON has key %q", k)
				}
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(generic)

	// The view still carries what the rep needs, in the attempt's order.
	if len(v.Questions) != len(a.Questions) || v.PassMark != 8 || !v.Deadline.Equal(a.Deadline) {
		t.Fatalf("view = %+v", v)
	}
	for i, q := range v.Questions {
		if q.ID != a.Questions[i].ID || len(q.Options) != 4 || q.Options[0].ID != a.Questions[i].Options[0].ID {
			t.Errorf("view question %d = %+v", i, q)
		}
	}
}

func TestCanRetake(t *testing.T) {
	day := 24 * time.Hour
	submittedAt := func(at time.Time) Attempt { return Attempt{StartedAt: at.Add(-10 * time.Minute), SubmittedAt: at} }
	now := t0
	tests := []struct {
		name     string
		previous []Attempt
		p        Policy
		wantOK   bool
		wantNext time.Time
	}{
		{"first attempt", nil, DefaultPolicy(), true, now},
		{"submitted an hour ago", []Attempt{submittedAt(now.Add(-time.Hour))}, DefaultPolicy(), false, now.Add(-time.Hour + day)},
		{"submitted 25 h ago", []Attempt{submittedAt(now.Add(-25 * time.Hour))}, DefaultPolicy(), true, now},
		{"exactly at the end of the cool-down", []Attempt{submittedAt(now.Add(-day))}, DefaultPolicy(), true, now},
		{"the latest attempt counts", []Attempt{submittedAt(now.Add(-3 * time.Hour)), submittedAt(now.Add(-50 * time.Hour))},
			DefaultPolicy(), false, now.Add(-3*time.Hour + day)},
		{"abandoned without a time limit", []Attempt{{StartedAt: now.Add(-2 * time.Hour)}}, DefaultPolicy(), false, now.Add(-2*time.Hour + day)},
		{"still running with a deadline", []Attempt{{StartedAt: now.Add(-5 * time.Minute), Deadline: now.Add(10 * time.Minute)}},
			DefaultPolicy(), false, now.Add(10*time.Minute + day)},
		{"no cool-down", []Attempt{submittedAt(now.Add(-time.Minute))}, Policy{}, true, now},
		{"attempts used up", []Attempt{submittedAt(now.Add(-90 * day)), submittedAt(now.Add(-60 * day)), submittedAt(now.Add(-30 * day))},
			Policy{MaxAttempts: 3, Cooldown: day}, false, time.Time{}},
		{"attempts left", []Attempt{submittedAt(now.Add(-60 * day)), submittedAt(now.Add(-30 * day))},
			Policy{MaxAttempts: 3, Cooldown: day}, true, now},
	}
	for _, tc := range tests {
		ok, next := CanRetake(tc.previous, now, tc.p)
		if ok != tc.wantOK || !next.Equal(tc.wantNext) {
			t.Errorf("%s: CanRetake = %v, %v; want %v, %v", tc.name, ok, next, tc.wantOK, tc.wantNext)
		}
	}
}

func TestItemAnalysis(t *testing.T) {
	// Five attempts at q1..q3 and one at q4, q5 (1 = answered correctly):
	//        q1 q2 q3  total
	//   R1    1  0  1    2
	//   R2    1  0  0    1
	//   R3    0  1  1    2
	//   R4    0  1  0    1
	//   R5    1  1  1    3
	//   R6   q4 = 1, q5 = 0
	// q1: x = 1 1 0 0 1, rest-score y = (total − x)/2 = .5 0 1 .5 1; means .6 and .6;
	//     Σdxdy = −.30, Σdx² = 1.2, Σdy² = .70, r = −.30/√.84 = −0.327327.
	// q2: x = 0 0 1 1 1, y = 1 .5 .5 0 1; Σdxdy = −.30, Σdx² = 1.2, Σdy² = .70, r = −0.327327.
	// q3: x = 1 0 1 0 1, y = .5 .5 .5 .5 1; Σdxdy = .20, Σdx² = 1.2, Σdy² = .20, r = .2/√.24 = 0.408248.
	// Cross-check of q1 with the textbook form (M1 − M0)/s·√(pq), M1 and M0 being the mean
	// rest-score where x = 1 and x = 0: M1 = (.5+0+1)/3 = .5, M0 = (1+.5)/2 = .75,
	// s = √(.70/5) = 0.374166, √(.6·.4) = 0.489898: (.5 − .75)/0.374166·0.489898 = −0.327327.
	row := func(stage string, correct map[string]bool, order ...string) Result {
		r := Result{Total: len(order)}
		for _, id := range order {
			r.Questions = append(r.Questions, QuestionResult{QuestionID: id, Stage: stage, Correct: correct[id]})
			if correct[id] {
				r.Correct++
			}
		}
		return r
	}
	results := []Result{
		row("meeting", map[string]bool{"q1": true, "q3": true}, "q1", "q2", "q3"),
		row("meeting", map[string]bool{"q1": true}, "q2", "q1", "q3"),
		row("meeting", map[string]bool{"q2": true, "q3": true}, "q3", "q2", "q1"),
		row("meeting", map[string]bool{"q2": true}, "q1", "q2", "q3"),
		row("meeting", map[string]bool{"q1": true, "q2": true, "q3": true}, "q1", "q2", "q3"),
		row("needs", map[string]bool{"q4": true}, "q4", "q5"),
	}
	got := ItemAnalysis(results)
	want := []ItemStat{
		{QuestionID: "q1", Stage: "meeting", N: 5, P: 0.6, Discrimination: -0.327327, DiscriminationValid: true},
		{QuestionID: "q2", Stage: "meeting", N: 5, P: 0.6, Discrimination: -0.327327, DiscriminationValid: true},
		{QuestionID: "q3", Stage: "meeting", N: 5, P: 0.6, Discrimination: 0.408248, DiscriminationValid: true},
		{QuestionID: "q4", Stage: "needs", N: 1, P: 1},
		{QuestionID: "q5", Stage: "needs", N: 1, P: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("ItemAnalysis = %+v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.QuestionID != w.QuestionID || g.Stage != w.Stage || g.N != w.N || math.Abs(g.P-w.P) > 1e-9 ||
			g.DiscriminationValid != w.DiscriminationValid || math.Abs(g.Discrimination-w.Discrimination) > 1e-6 {
			t.Errorf("item %d = %+v, want %+v", i, g, w)
		}
	}
	retire := map[string]bool{"q1": true, "q2": true, "q3": false, "q4": true, "q5": false}
	for _, s := range got {
		if s.SuggestRetire(1) != retire[s.QuestionID] {
			t.Errorf("%s: SuggestRetire(1) = %v, want %v", s.QuestionID, s.SuggestRetire(1), retire[s.QuestionID])
		}
		if s.SuggestRetire(30) {
			t.Errorf("%s: flagged on %d attempts with minN 30", s.QuestionID, s.N)
		}
	}
}

// TestNewAttemptPinnedOptionOrder pins the option order drawn for seed 42, for the same
// reason as the pinned draw in TestNewAttemptDeterministic.
func TestNewAttemptPinnedOptionOrder(t *testing.T) {
	b := synthBank(t, 3, 12)
	a, err := NewAttempt(b, "stage02", 42, t0, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range a.Questions[:3] {
		order := ""
		for _, o := range q.Options {
			order += o.ID
		}
		got = append(got, order)
	}
	if want := []string{"bacd", "bcad", "cdba"}; !reflect.DeepEqual(got, want) {
		t.Errorf("option orders %q, want %q", got, want)
	}
}
