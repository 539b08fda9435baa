package training

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// ErrUnknownStage is returned for a stage key the bank does not have.
var ErrUnknownStage = errors.New("training: unknown stage")

// ErrNoQuestions is returned when the stage (or the whole bank) has no question left to draw,
// e.g. because all of them are retired.
var ErrNoQuestions = errors.New("training: no questions to draw")

// seedStream is the second PCG seed word ("dealgate" in ASCII). It is fixed so that an
// attempt can be drawn again from its recorded seed.
const seedStream = 0x6465616c67617465

// Attempt is the server-side record of one test attempt: the questions drawn, in the order and
// with the option order the rep sees, together with their correct answers and explanations.
// Store it as it is (it marshals to JSON) and score it with [Score]. Never send it to the rep:
// send [Attempt.ClientView].
type Attempt struct {
	// Stage is the stage key, or "" for the full course drawn from all stages.
	Stage string `json:"stage"`
	// Seed drew the questions and shuffled the options. NewAttempt(bank, Stage, Seed,
	// StartedAt, Policy) on a bank with BankDigest draws the same attempt again.
	Seed       int64  `json:"seed"`
	BankDigest string `json:"bank_digest"`
	// Policy is the policy in force when the attempt started (with defaults filled in); the
	// pass mark and the time limit come from it.
	Policy    Policy    `json:"policy"`
	StartedAt time.Time `json:"started_at"`
	// Deadline is StartedAt + Policy.TimeLimit, zero when there is no limit.
	Deadline time.Time `json:"deadline,omitzero"`
	// SubmittedAt is zero until the attempt is scored; the caller sets it from
	// Result.SubmittedAt when it stores the result. [Attempt.CheckOpen] reads it.
	SubmittedAt time.Time  `json:"submitted_at,omitzero"`
	Questions   []Question `json:"questions"`
}

// NewAttempt draws an attempt from the bank for stageKey ("" = the full course) at now under
// policy p. Everything random comes from seed: the same bank, stage, seed and policy always
// give the same questions in the same order with the same option order. The seed should come
// from crypto/rand; it is kept in the attempt, never shown to the rep.
//
// A stage test draws QuestionsPerTest questions at random from the stage's questions that are
// not retired. The full course spreads the questions over the stages: it takes one question
// from each stage in a random stage order, then a second from each, and so on, and finally
// shuffles the questions. If the pool is smaller than QuestionsPerTest, every question in it is
// drawn.
func NewAttempt(bank *Bank, stageKey string, seed int64, now time.Time, p Policy) (Attempt, error) {
	if err := p.Validate(); err != nil {
		return Attempt{}, err
	}
	p = p.withDefaults()
	var stages []*Stage
	if stageKey == "" {
		for i := range bank.stages {
			stages = append(stages, &bank.stages[i])
		}
	} else {
		i, ok := bank.stageAt[stageKey]
		if !ok {
			return Attempt{}, fmt.Errorf("%w: %q", ErrUnknownStage, stageKey)
		}
		stages = []*Stage{&bank.stages[i]}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), seedStream))

	// One pool per stage, each in random order.
	var pools [][]*Question
	for _, s := range stages {
		var pool []*Question
		for i := range s.Questions {
			if !s.Questions[i].Retired {
				pool = append(pool, &s.Questions[i])
			}
		}
		if len(pool) > 0 {
			rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
			pools = append(pools, pool)
		}
	}
	if len(pools) == 0 {
		if stageKey == "" {
			return Attempt{}, fmt.Errorf("%w in the bank", ErrNoQuestions)
		}
		return Attempt{}, fmt.Errorf("%w for stage %q", ErrNoQuestions, stageKey)
	}
	rng.Shuffle(len(pools), func(i, j int) { pools[i], pools[j] = pools[j], pools[i] })

	// Round robin over the stages until enough questions are drawn or all pools are empty.
	var drawn []*Question
	for round := 0; len(drawn) < p.QuestionsPerTest; round++ {
		took := false
		for _, pool := range pools {
			if round < len(pool) && len(drawn) < p.QuestionsPerTest {
				drawn = append(drawn, pool[round])
				took = true
			}
		}
		if !took {
			break
		}
	}
	if len(pools) > 1 {
		rng.Shuffle(len(drawn), func(i, j int) { drawn[i], drawn[j] = drawn[j], drawn[i] })
	}

	a := Attempt{
		Stage:      stageKey,
		Seed:       seed,
		BankDigest: bank.digest,
		Policy:     p,
		StartedAt:  now,
		Questions:  make([]Question, len(drawn)),
	}
	if p.TimeLimit > 0 {
		a.Deadline = now.Add(p.TimeLimit)
	}
	for i, q := range drawn {
		c := cloneQuestion(*q)
		rng.Shuffle(len(c.Options), func(i, j int) { c.Options[i], c.Options[j] = c.Options[j], c.Options[i] })
		a.Questions[i] = c
	}
	return a, nil
}

// CheckOpen returns [ErrAlreadySubmitted] when the stored attempt has already been scored
// (SubmittedAt is set). [Score] calls it first; storage should also make the submission a
// compare-and-set on the same state, so that two concurrent submissions cannot both count.
func (a Attempt) CheckOpen() error {
	if !a.SubmittedAt.IsZero() {
		return fmt.Errorf("%w at %s", ErrAlreadySubmitted, a.SubmittedAt.Format(time.RFC3339))
	}
	return nil
}

// PassMark returns the number of correct answers this attempt needs to pass.
func (a Attempt) PassMark() int { return a.Policy.PassMark(len(a.Questions)) }

// question returns the attempt's question with this id.
func (a Attempt) question(id string) *Question {
	i := slices.IndexFunc(a.Questions, func(q Question) bool { return q.ID == id })
	if i < 0 {
		return nil
	}
	return &a.Questions[i]
}

// ClientAttempt is what the rep's browser receives for an attempt. Its types have no field for
// correct answers or explanations, so they cannot leak through it.
type ClientAttempt struct {
	Stage     string    `json:"stage"`
	StartedAt time.Time `json:"started_at"`
	Deadline  time.Time `json:"deadline,omitzero"`
	// PassMark is the number of correct answers needed to pass.
	PassMark  int              `json:"pass_mark"`
	Questions []ClientQuestion `json:"questions"`
}

// ClientQuestion is a question as the rep sees it, options in the attempt's shuffled order.
type ClientQuestion struct {
	ID      string         `json:"id"`
	Stage   string         `json:"stage"`
	Kind    Kind           `json:"kind"`
	Text    string         `json:"text"`
	TextEN  string         `json:"text_en,omitempty"`
	Options []ClientOption `json:"options"`
}

// ClientOption is an answer option as the rep sees it.
type ClientOption struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	TextEN string `json:"text_en,omitempty"`
}

// ClientView returns the attempt without correct answers and explanations.
func (a Attempt) ClientView() ClientAttempt {
	v := ClientAttempt{
		Stage:     a.Stage,
		StartedAt: a.StartedAt,
		Deadline:  a.Deadline,
		PassMark:  a.PassMark(),
		Questions: make([]ClientQuestion, len(a.Questions)),
	}
	for i, q := range a.Questions {
		cq := ClientQuestion{
			ID: q.ID, Stage: q.Stage, Kind: q.Kind, Text: q.Text, TextEN: q.TextEN,
			Options: make([]ClientOption, len(q.Options)),
		}
		for j, o := range q.Options {
			cq.Options[j] = ClientOption{ID: o.ID, Text: o.Text, TextEN: o.TextEN}
		}
		v.Questions[i] = cq
	}
	return v
}
