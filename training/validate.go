package training

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrInvalidBank is matched (errors.Is) by every *[BankError].
var ErrInvalidBank = errors.New("training: invalid question bank")

// Problem is one thing wrong with a question bank, located as precisely as the source allows.
type Problem struct {
	// File is the file name inside the fs.FS given to LoadFS; empty for Load and NewBank.
	File string
	// Line is the 1-based YAML line; 0 when unknown (a bank built in code).
	Line int
	// Stage is the stage key, when the problem is inside a stage.
	Stage string
	// Question is the question id, when the problem is inside a question.
	Question string
	// Field is the YAML field, e.g. "correct" or "options[2].id"; empty for whole-file problems.
	Field string
	// Message says what is wrong.
	Message string
}

// String formats the problem as "file:line: stage S: question Q: field: message", leaving out
// the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		b.WriteString("line " + strconv.Itoa(p.Line) + ": ")
	}
	if p.Stage != "" {
		b.WriteString("stage " + p.Stage + ": ")
	}
	if p.Question != "" {
		b.WriteString("question " + p.Question + ": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// BankError lists every problem found in a question bank. It matches [ErrInvalidBank].
type BankError struct {
	Problems []Problem
}

// Error lists the problems one per line.
func (e *BankError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "training: invalid question bank:\n\t" + strings.Join(lines, "\n\t")
}

// Unwrap returns [ErrInvalidBank].
func (e *BankError) Unwrap() error { return ErrInvalidBank }

// idPattern is the shape of stage keys, question ids and option ids: safe in URLs, JSON keys
// and file names, and free of the look-alike confusion that spaces or punctuation would bring.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// lines maps a YAML field name to the line of its value; the key "" holds the element's line.
type lines map[string]int

// stagePos records where a stage and its parts were in the YAML source.
type stagePos struct {
	file      string
	lines     lines
	questions []questionPos
}

// questionPos records where a question and its options were.
type questionPos struct {
	lines   lines
	options []lines
}

// where is a file and a line.
type where struct {
	file string
	line int
}

func (w where) String() string {
	switch {
	case w.file != "" && w.line > 0:
		return w.file + ":" + strconv.Itoa(w.line)
	case w.line > 0:
		return "line " + strconv.Itoa(w.line)
	case w.file != "":
		return w.file
	}
	return "an earlier entry"
}

// fieldLine picks the line of field from l, falling back to the element's own line.
func fieldLine(l lines, field string) int {
	if n, ok := l[field]; ok {
		return n
	}
	return l[""]
}

// validator collects problems; pos may be nil or shorter than the stages it describes.
type validator struct {
	pos      []stagePos
	problems []Problem
}

func (v *validator) stageAt(si int, field string) where {
	if si >= len(v.pos) {
		return where{}
	}
	return where{v.pos[si].file, fieldLine(v.pos[si].lines, field)}
}

func (v *validator) questionAt(si, qi int, field string) where {
	if si >= len(v.pos) {
		return where{}
	}
	sp := v.pos[si]
	if qi >= len(sp.questions) {
		return where{sp.file, fieldLine(sp.lines, "questions")}
	}
	return where{sp.file, fieldLine(sp.questions[qi].lines, field)}
}

func (v *validator) optionAt(si, qi, oi int, field string) where {
	if si >= len(v.pos) || qi >= len(v.pos[si].questions) || oi >= len(v.pos[si].questions[qi].options) {
		return v.questionAt(si, qi, "options")
	}
	return where{v.pos[si].file, fieldLine(v.pos[si].questions[qi].options[oi], field)}
}

func (v *validator) add(at where, stage, question, field, format string, args ...any) {
	v.problems = append(v.problems, Problem{
		File: at.file, Line: at.line, Stage: stage, Question: question, Field: field,
		Message: fmt.Sprintf(format, args...),
	})
}

// validate checks the rules every bank must satisfy and returns the problems in source order.
func validate(stages []Stage, pos []stagePos) []Problem {
	v := &validator{pos: pos}
	if len(stages) == 0 {
		v.add(v.stageAt(0, ""), "", "", "stages", "the bank has no stages")
	}
	stageSeen := make(map[string]where)
	questionSeen := make(map[string]where)
	for si := range stages {
		s := &stages[si]
		switch {
		case s.Key == "":
			v.add(v.stageAt(si, "key"), "", "", "key", "stage key is empty")
		case !idPattern.MatchString(s.Key):
			v.add(v.stageAt(si, "key"), s.Key, "", "key", "stage key %q must be 1–64 letters, digits, '.', '_' or '-'", s.Key)
		}
		if s.Key != "" {
			if first, dup := stageSeen[s.Key]; dup {
				v.add(v.stageAt(si, "key"), s.Key, "", "key", "stage %q is defined twice (first at %s)", s.Key, first)
			} else {
				stageSeen[s.Key] = v.stageAt(si, "key")
			}
		}
		if len(s.Questions) == 0 {
			v.add(v.stageAt(si, "questions"), s.Key, "", "questions", "the stage has no questions")
		}
		for qi := range s.Questions {
			v.question(si, qi, s, questionSeen)
		}
	}
	return v.problems
}

// question checks one question; seen records the location of every question id so far.
func (v *validator) question(si, qi int, s *Stage, seen map[string]where) {
	q := &s.Questions[qi]
	at := func(field string) where { return v.questionAt(si, qi, field) }
	add := func(field, format string, args ...any) {
		v.add(at(field), s.Key, q.ID, field, format, args...)
	}
	switch {
	case q.ID == "":
		add("id", "question id is empty (question #%d of the stage)", qi+1)
	case !idPattern.MatchString(q.ID):
		add("id", "question id %q must be 1–64 letters, digits, '.', '_' or '-'", q.ID)
	default:
		if first, dup := seen[q.ID]; dup {
			add("id", "duplicate question id %q (first at %s)", q.ID, first)
		} else {
			seen[q.ID] = at("id")
		}
	}
	if q.Stage != s.Key {
		add("stage", "question says stage %q but sits in stage %q", q.Stage, s.Key)
	}
	if q.Kind != KindSingle && q.Kind != KindMultiple {
		add("kind", "kind %q is neither %q nor %q", q.Kind, KindSingle, KindMultiple)
	}
	if strings.TrimSpace(q.Text) == "" {
		add("text", "question text is empty")
	}
	if strings.TrimSpace(q.Explanation) == "" {
		add("explanation", "explanation is empty; it is shown to the rep after the test")
	}
	if len(q.Options) < 2 {
		add("options", "a question needs at least 2 options, it has %d", len(q.Options))
	}
	optionIDs := make(map[string]int, len(q.Options))
	optionTexts := make(map[string]int, len(q.Options))
	for oi, o := range q.Options {
		field := "options[" + strconv.Itoa(oi) + "]"
		switch {
		case o.ID == "":
			v.add(v.optionAt(si, qi, oi, "id"), s.Key, q.ID, field+".id", "option id is empty")
		case !idPattern.MatchString(o.ID):
			v.add(v.optionAt(si, qi, oi, "id"), s.Key, q.ID, field+".id", "option id %q must be 1–64 letters, digits, '.', '_' or '-'", o.ID)
		default:
			if first, dup := optionIDs[o.ID]; dup {
				v.add(v.optionAt(si, qi, oi, "id"), s.Key, q.ID, field+".id", "duplicate option id %q (also options[%d])", o.ID, first)
			} else {
				optionIDs[o.ID] = oi
			}
		}
		text := strings.TrimSpace(o.Text)
		if text == "" {
			v.add(v.optionAt(si, qi, oi, "text"), s.Key, q.ID, field+".text", "option text is empty")
		} else if first, dup := optionTexts[text]; dup {
			v.add(v.optionAt(si, qi, oi, "text"), s.Key, q.ID, field+".text", "same text as options[%d]", first)
		} else {
			optionTexts[text] = oi
		}
	}
	if len(q.Correct) == 0 {
		add("correct", "no correct option is given")
	}
	correctSeen := make(map[string]bool, len(q.Correct))
	for _, id := range q.Correct {
		if correctSeen[id] {
			add("correct", "option %q is listed twice", id)
			continue
		}
		correctSeen[id] = true
		if _, ok := optionIDs[id]; !ok {
			add("correct", "option %q is not among the question's options", id)
		}
	}
	if q.Kind == KindSingle && len(correctSeen) > 1 {
		add("correct", "a single-choice question has exactly one correct option, this one lists %d", len(correctSeen))
	}
}
