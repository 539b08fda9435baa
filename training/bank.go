package training

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Kind says how a question is answered and scored.
type Kind string

const (
	// KindSingle is a question with exactly one correct option; the rep picks one option.
	KindSingle Kind = "single"
	// KindMultiple is a question with one or more correct options; it counts as correct only
	// when the rep picks exactly the set of correct options (all-or-nothing).
	KindMultiple Kind = "multiple"
)

// Option is one answer option of a question. Its ID is stable and unique within the question.
type Option struct {
	ID     string `yaml:"id" json:"id"`
	Text   string `yaml:"text" json:"text"`
	TextEN string `yaml:"text_en,omitempty" json:"text_en,omitempty"`
}

// Question is one item of the bank. Correct lists the ids of the correct options and,
// with Explanation, must never reach a rep before the attempt is scored.
type Question struct {
	// ID is stable and unique across the whole bank, e.g. "meeting-03".
	ID string `yaml:"id" json:"id"`
	// Stage is the key of the stage the question belongs to; it is implied by the enclosing
	// stage in YAML and filled in when the bank is built.
	Stage         string   `yaml:"-" json:"stage"`
	Kind          Kind     `yaml:"kind" json:"kind"`
	Text          string   `yaml:"text" json:"text"`
	TextEN        string   `yaml:"text_en,omitempty" json:"text_en,omitempty"`
	Options       []Option `yaml:"options" json:"options"`
	Correct       []string `yaml:"correct,flow" json:"correct"`
	Explanation   string   `yaml:"explanation" json:"explanation"`
	ExplanationEN string   `yaml:"explanation_en,omitempty" json:"explanation_en,omitempty"`
	// Retired questions stay in the bank, so that old attempts and statistics can still name
	// them, but are never drawn into a new attempt.
	Retired bool `yaml:"retired,omitempty" json:"retired,omitempty"`
}

// isCorrect reports whether optionID is one of the question's correct options.
func (q *Question) isCorrect(optionID string) bool {
	return slices.Contains(q.Correct, optionID)
}

// hasOption reports whether the question offers an option with this id.
func (q *Question) hasOption(optionID string) bool {
	return slices.ContainsFunc(q.Options, func(o Option) bool { return o.ID == optionID })
}

// Stage is the part of the bank for one pipeline stage.
type Stage struct {
	// Key is the pipeline stage key, e.g. "meeting".
	Key       string     `yaml:"key"`
	Title     string     `yaml:"title,omitempty"`
	TitleEN   string     `yaml:"title_en,omitempty"`
	Questions []Question `yaml:"questions"`
}

// document is the top level of a bank YAML file.
type document struct {
	Stages []Stage `yaml:"stages"`
}

// Bank is a validated, immutable question bank. Build it with [NewBank], [Load] or [LoadFS].
type Bank struct {
	stages  []Stage
	stageAt map[string]int    // stage key → index into stages
	byID    map[string][2]int // question id → stage index, question index
	digest  string
}

// NewBank validates the stages and builds a bank from a deep copy of them. Question.Stage may
// be left empty; it is set from the enclosing stage. Problems are returned as a *[BankError]
// (without file or line, since there is no YAML).
func NewBank(stages []Stage) (*Bank, error) {
	return newBank(cloneStages(stages), nil)
}

// newBank validates stages (owned by the bank from now on) with optional YAML positions.
func newBank(stages []Stage, pos []stagePos) (*Bank, error) {
	for si := range stages {
		for qi := range stages[si].Questions {
			if stages[si].Questions[qi].Stage == "" {
				stages[si].Questions[qi].Stage = stages[si].Key
			}
		}
	}
	if problems := validate(stages, pos); len(problems) > 0 {
		return nil, &BankError{Problems: problems}
	}
	b := &Bank{
		stages:  stages,
		stageAt: make(map[string]int, len(stages)),
		byID:    make(map[string][2]int),
	}
	for si, s := range stages {
		b.stageAt[s.Key] = si
		for qi, q := range s.Questions {
			b.byID[q.ID] = [2]int{si, qi}
		}
	}
	var buf bytes.Buffer
	if err := b.export(&buf, stages); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	b.digest = "sha256:" + hex.EncodeToString(sum[:])
	return b, nil
}

// Digest identifies the bank's content: the SHA-256 of its canonical YAML export
// ([Bank.Export]). Attempts record it, so an auditor can tell which bank an attempt was drawn
// from and redraw it from its seed.
func (b *Bank) Digest() string { return b.digest }

// StageKeys returns the stage keys in bank order.
func (b *Bank) StageKeys() []string {
	keys := make([]string, len(b.stages))
	for i, s := range b.stages {
		keys[i] = s.Key
	}
	return keys
}

// Stages returns a copy of all stages with their questions, in bank order.
func (b *Bank) Stages() []Stage { return cloneStages(b.stages) }

// Stage returns a copy of the stage with this key.
func (b *Bank) Stage(key string) (Stage, bool) {
	i, ok := b.stageAt[key]
	if !ok {
		return Stage{}, false
	}
	return cloneStage(b.stages[i]), true
}

// Question returns a copy of the question with this id.
func (b *Bank) Question(id string) (Question, bool) {
	at, ok := b.byID[id]
	if !ok {
		return Question{}, false
	}
	return cloneQuestion(b.stages[at[0]].Questions[at[1]]), true
}

// Len returns the number of questions in the bank, retired ones included.
func (b *Bank) Len() int { return len(b.byID) }

func cloneStages(in []Stage) []Stage {
	if in == nil {
		return nil
	}
	out := make([]Stage, len(in))
	for i, s := range in {
		out[i] = cloneStage(s)
	}
	return out
}

func cloneStage(s Stage) Stage {
	if s.Questions != nil {
		qs := make([]Question, len(s.Questions))
		for i, q := range s.Questions {
			qs[i] = cloneQuestion(q)
		}
		s.Questions = qs
	}
	return s
}

func cloneQuestion(q Question) Question {
	q.Options = slices.Clone(q.Options)
	q.Correct = slices.Clone(q.Correct)
	return q
}
