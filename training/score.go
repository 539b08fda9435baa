package training

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// SubmissionGrace is how long after the deadline a submission is still accepted: it covers
// the time the last click takes to reach the server.
const SubmissionGrace = 30 * time.Second

// Errors returned by [Score]. Answer problems come as *[AnswerError], which matches
// ErrInvalidAnswer.
var (
	ErrInvalidAnswer    = errors.New("training: invalid answer")
	ErrLate             = errors.New("training: submitted after the time limit")
	ErrAlreadySubmitted = errors.New("training: attempt already submitted")
)

// AnswerError says which answer of a submission is not acceptable.
type AnswerError struct {
	QuestionID string
	// OptionID is the offending option, if the problem is with one option.
	OptionID string
	Reason   string
}

// Error describes the answer and the reason.
func (e *AnswerError) Error() string {
	if e.OptionID != "" {
		return fmt.Sprintf("training: answer to question %q, option %q: %s", e.QuestionID, e.OptionID, e.Reason)
	}
	return fmt.Sprintf("training: answer to question %q: %s", e.QuestionID, e.Reason)
}

// Unwrap returns [ErrInvalidAnswer].
func (e *AnswerError) Unwrap() error { return ErrInvalidAnswer }

// Result is a scored attempt. Unlike the client view, it reveals the correct options and the
// explanations: it is meant to be shown to the rep after the test.
type Result struct {
	// Stage is the attempt's stage key, "" for the full course.
	Stage       string    `json:"stage"`
	SubmittedAt time.Time `json:"submitted_at"`
	// Total is the number of questions, Correct the number answered correctly.
	Total    int  `json:"total"`
	Correct  int  `json:"correct"`
	PassMark int  `json:"pass_mark"`
	Passed   bool `json:"passed"`
	// Questions are in the attempt's order; unanswered questions count as wrong.
	Questions []QuestionResult `json:"questions"`
}

// QuestionResult is the outcome of one question.
type QuestionResult struct {
	QuestionID string `json:"question_id"`
	Stage      string `json:"stage"`
	// Chosen are the options the rep picked, in the order the options were shown.
	Chosen []string `json:"chosen"`
	// CorrectOptions are the correct options, in the order the options were shown.
	CorrectOptions []string `json:"correct_options"`
	Correct        bool     `json:"correct"`
	Explanation    string   `json:"explanation"`
	ExplanationEN  string   `json:"explanation_en,omitempty"`
}

// StageScore is the tally of one stage within a result.
type StageScore struct {
	Stage   string `json:"stage"`
	Total   int    `json:"total"`
	Correct int    `json:"correct"`
}

// Score scores a submission of answers (question id → chosen option ids) made at submittedAt
// against a stored attempt. It refuses, without scoring:
//   - an attempt already submitted ([ErrAlreadySubmitted], see [Attempt.CheckOpen]);
//   - a submission later than the deadline plus [SubmissionGrace] ([ErrLate]);
//   - an answer to a question that is not in the attempt, an option the question does not
//     have, an option given twice, or more than one option for a single-choice question
//     (*[AnswerError], matching [ErrInvalidAnswer]).
//
// A question left out of answers, or answered with no option, is counted as wrong. A
// multiple-choice question is correct only when exactly its correct options are chosen.
// The attempt passes when Correct ≥ [Policy.PassMark](Total), with the attempt's own policy.
func Score(a Attempt, answers map[string][]string, submittedAt time.Time) (Result, error) {
	if err := a.CheckOpen(); err != nil {
		return Result{}, err
	}
	if !a.Deadline.IsZero() && submittedAt.After(a.Deadline.Add(SubmissionGrace)) {
		return Result{}, fmt.Errorf("%w: deadline %s, submitted %s late",
			ErrLate, a.Deadline.Format(time.RFC3339), submittedAt.Sub(a.Deadline).Round(time.Second))
	}
	// Check the answers in a fixed order so that the same bad submission always gets the
	// same error.
	ids := make([]string, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := checkAnswer(a.question(id), id, answers[id]); err != nil {
			return Result{}, err
		}
	}

	r := Result{
		Stage:       a.Stage,
		SubmittedAt: submittedAt,
		Total:       len(a.Questions),
		PassMark:    a.PassMark(),
		Questions:   make([]QuestionResult, len(a.Questions)),
	}
	for i := range a.Questions {
		q := &a.Questions[i]
		chosen := answers[q.ID]
		qr := QuestionResult{
			QuestionID:    q.ID,
			Stage:         q.Stage,
			Chosen:        []string{},
			Explanation:   q.Explanation,
			ExplanationEN: q.ExplanationEN,
		}
		hits := 0
		for _, o := range q.Options {
			picked := slices.Contains(chosen, o.ID)
			if picked {
				qr.Chosen = append(qr.Chosen, o.ID)
			}
			if q.isCorrect(o.ID) {
				qr.CorrectOptions = append(qr.CorrectOptions, o.ID)
				if picked {
					hits++
				}
			}
		}
		qr.Correct = hits == len(qr.CorrectOptions) && len(qr.Chosen) == hits && hits > 0
		if qr.Correct {
			r.Correct++
		}
		r.Questions[i] = qr
	}
	r.Passed = a.Policy.Passed(r.Correct, r.Total)
	return r, nil
}

// checkAnswer validates one answer; q is nil when the attempt has no such question.
func checkAnswer(q *Question, id string, chosen []string) error {
	if q == nil {
		return &AnswerError{QuestionID: id, Reason: "the question is not part of this attempt"}
	}
	for i, o := range chosen {
		if !q.hasOption(o) {
			return &AnswerError{QuestionID: id, OptionID: o, Reason: "the question has no such option"}
		}
		if slices.Contains(chosen[:i], o) {
			return &AnswerError{QuestionID: id, OptionID: o, Reason: "the option is given twice"}
		}
	}
	if q.Kind == KindSingle && len(chosen) > 1 {
		return &AnswerError{QuestionID: id, Reason: fmt.Sprintf("single-choice question answered with %d options", len(chosen))}
	}
	return nil
}

// ByStage tallies the result per stage, in order of first appearance; for the full course it
// shows which stages the rep is weak at.
func (r Result) ByStage() []StageScore {
	var out []StageScore
	at := make(map[string]int)
	for _, q := range r.Questions {
		i, ok := at[q.Stage]
		if !ok {
			i = len(out)
			at[q.Stage] = i
			out = append(out, StageScore{Stage: q.Stage})
		}
		out[i].Total++
		if q.Correct {
			out[i].Correct++
		}
	}
	return out
}
