package training

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// smallBank is a valid two-stage bank used by several tests.
const smallBank = `stages:
  - key: meeting
    title: Встреча
    title_en: Meeting
    questions:
      - id: meeting-01
        kind: multiple
        text: "Что обязательно фиксируется в отчёте о встрече?"
        text_en: What must a meeting report record?
        options:
          - id: a
            text: Следующие шаги со сроками
          - id: b
            text: Роли участников
          - id: c
            text: Настроение продавца
        correct: [a, b]
        explanation: Отчёт фиксирует факты и договорённости.
      - id: meeting-02
        kind: single
        text: "Когда отправить письмо-резюме клиенту?"
        options:
          - {id: a, text: Через неделю}
          - {id: b, text: В тот же день}
        correct: [b]
        explanation: В тот же день, пока договорённости свежи.
  - key: shipment
    title: Отгрузка
    questions:
      - id: shipment-01
        kind: single
        text: "Товар отгружен 10.01.2026, аванс получен 15.12.2025. Ставка НДС в отгрузочном счёте-фактуре?"
        options:
          - {id: a, text: "20 %"}
          - {id: b, text: "22 %"}
          - {id: c, text: "20/120"}
        correct: [b]
        explanation: Ставка определяется датой отгрузки.
        retired: false
`

func mustLoad(t *testing.T, src string) *Bank {
	t.Helper()
	b, err := Load(strings.NewReader(src))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b
}

func TestLoadSmallBank(t *testing.T) {
	b := mustLoad(t, smallBank)
	if got, want := b.StageKeys(), []string{"meeting", "shipment"}; !reflect.DeepEqual(got, want) {
		t.Errorf("StageKeys = %v, want %v", got, want)
	}
	if got := b.Len(); got != 3 {
		t.Errorf("Len = %d, want 3", got)
	}
	q, ok := b.Question("meeting-01")
	if !ok {
		t.Fatal("meeting-01 not found")
	}
	if q.Stage != "meeting" || q.Kind != KindMultiple || len(q.Options) != 3 || !reflect.DeepEqual(q.Correct, []string{"a", "b"}) {
		t.Errorf("meeting-01 = %+v", q)
	}
	if q.TextEN != "What must a meeting report record?" {
		t.Errorf("TextEN = %q", q.TextEN)
	}
	s, ok := b.Stage("shipment")
	if !ok || s.Title != "Отгрузка" || len(s.Questions) != 1 || s.Questions[0].Options[1].Text != "22 %" {
		t.Errorf("Stage(shipment) = %+v, %v", s, ok)
	}
	if _, ok := b.Stage("nope"); ok {
		t.Error("Stage(nope) found")
	}
	if !strings.HasPrefix(b.Digest(), "sha256:") || len(b.Digest()) != len("sha256:")+64 {
		t.Errorf("Digest = %q", b.Digest())
	}

	// The accessors return copies: changing them does not change the bank.
	q.Options[0].Text = "changed"
	s.Questions[0].Correct[0] = "a"
	if q2, _ := b.Question("meeting-01"); q2.Options[0].Text == "changed" {
		t.Error("Question returned shared options")
	}
	if s2, _ := b.Stage("shipment"); s2.Questions[0].Correct[0] != "b" {
		t.Error("Stage returned shared correct ids")
	}
}

// TestLoadProblems checks that each broken bank is refused with the question id, the field and
// the YAML line of the problem.
func TestLoadProblems(t *testing.T) {
	// question builds a one-question stage; body is indented under "- id: <id>".
	question := func(id, body string) string {
		return "stages:\n  - key: meeting\n    questions:\n      - id: " + id + "\n" + body
	}
	const okBody = `        kind: single
        text: Вопрос?
        options:
          - {id: a, text: Да}
          - {id: b, text: Нет}
        correct: [a]
        explanation: Потому что.
`
	tests := []struct {
		name string
		src  string
		want Problem // Message is matched as a substring
	}{
		{"one option", question("q-1", `        kind: single
        text: Вопрос?
        options:
          - {id: a, text: Да}
        correct: [a]
        explanation: Потому что.
`), Problem{Line: 7, Stage: "meeting", Question: "q-1", Field: "options", Message: "at least 2 options"}},
		{"correct id missing", question("q-1", `        kind: multiple
        text: Вопрос?
        options:
          - {id: a, text: Да}
          - {id: b, text: Нет}
        correct: [a, e]
        explanation: Потому что.
`), Problem{Line: 10, Stage: "meeting", Question: "q-1", Field: "correct", Message: `option "e" is not among`}},
		{"single with two correct", question("q-1", `        kind: single
        text: Вопрос?
        options:
          - {id: a, text: Да}
          - {id: b, text: Нет}
        correct: [a, b]
        explanation: Потому что.
`), Problem{Line: 10, Stage: "meeting", Question: "q-1", Field: "correct", Message: "exactly one correct option"}},
		{"no correct", question("q-1", strings.Replace(okBody, "correct: [a]", "correct: []", 1)),
			Problem{Line: 10, Question: "q-1", Field: "correct", Message: "no correct option"}},
		{"correct listed twice", question("q-1", strings.Replace(okBody, "correct: [a]", "correct: [a, a]", 1)),
			Problem{Line: 10, Question: "q-1", Field: "correct", Message: `"a" is listed twice`}},
		{"empty stage key", "stages:\n  - key: \"\"\n    questions:\n      - id: q-1\n" + okBody,
			Problem{Line: 2, Field: "key", Message: "stage key is empty"}},
		{"missing stage key", "stages:\n  - questions:\n      - id: q-1\n" + okBody,
			Problem{Line: 2, Field: "key", Message: "stage key is empty"}},
		{"unknown field", question("q-1", strings.Replace(okBody, "correct: [a]", "corect: [a]", 1)),
			Problem{Line: 10, Question: "q-1", Field: "corect", Message: "unknown field"}},
		{"unknown option field", question("q-1", strings.Replace(okBody, "{id: b, text: Нет}", "{id: b, txt: Нет}", 1)),
			Problem{Line: 9, Question: "q-1", Field: "options[1].txt", Message: "unknown field"}},
		{"field twice", question("q-1", okBody+"        text: Ещё раз?\n"),
			Problem{Line: 12, Question: "q-1", Field: "text", Message: "field given twice (first at line 6)"}},
		{"bad kind", question("q-1", strings.Replace(okBody, "kind: single", "kind: choice", 1)),
			Problem{Line: 5, Question: "q-1", Field: "kind", Message: `kind "choice"`}},
		{"empty text", question("q-1", strings.Replace(okBody, "text: Вопрос?", "text:", 1)),
			Problem{Line: 6, Question: "q-1", Field: "text", Message: "question text is empty"}},
		{"no explanation", question("q-1", strings.Replace(okBody, "        explanation: Потому что.\n", "", 1)),
			Problem{Line: 4, Question: "q-1", Field: "explanation", Message: "explanation is empty"}},
		{"duplicate option id", question("q-1", strings.Replace(okBody, "{id: b, text: Нет}", "{id: a, text: Нет}", 1)),
			Problem{Line: 9, Question: "q-1", Field: "options[1].id", Message: `duplicate option id "a"`}},
		{"duplicate option text", question("q-1", strings.Replace(okBody, "{id: b, text: Нет}", "{id: b, text: Да}", 1)),
			Problem{Line: 9, Question: "q-1", Field: "options[1].text", Message: "same text as options[0]"}},
		{"bad question id", question("q 1", okBody),
			Problem{Line: 4, Question: "q 1", Field: "id", Message: "must be 1–64 letters"}},
		{"empty question id", question(`""`, okBody),
			Problem{Line: 4, Field: "id", Message: "question id is empty"}},
		{"duplicate question id", question("q-1", okBody) + "      - id: q-1\n" + okBody,
			Problem{Line: 12, Question: "q-1", Field: "id", Message: `duplicate question id "q-1" (first at line 4)`}},
		{"duplicate stage", question("q-1", okBody) + "  - key: meeting\n    questions:\n      - id: q-2\n" + okBody,
			Problem{Line: 12, Stage: "meeting", Field: "key", Message: `stage "meeting" is defined twice (first at line 2)`}},
		{"stage without questions", "stages:\n  - key: meeting\n    questions: []\n",
			Problem{Line: 3, Stage: "meeting", Field: "questions", Message: "no questions"}},
		{"options not a list", question("q-1", strings.Replace(okBody, "options:\n          - {id: a, text: Да}\n          - {id: b, text: Нет}", "options: a, b", 1)),
			Problem{Line: 7, Question: "q-1", Field: "options", Message: "must be a list"}},
		{"retired not a bool", question("q-1", okBody+"        retired: maybe\n"),
			Problem{Line: 12, Question: "q-1", Field: "retired", Message: "true or false"}},
		{"unknown top-level field", "stage: meeting\n", Problem{Line: 1, Field: "stage", Message: "unknown field"}},
		{"not a mapping", "- a\n- b\n", Problem{Line: 1, Message: "the top level must be a mapping"}},
		{"empty file", "", Problem{Message: "the file is empty"}},
		{"two documents", smallBank + "---\nstages: []\n", Problem{Line: 40, Message: "more than one YAML document"}},
		{"syntax error", "stages:\n  - key: meeting\n    title: \"Встреча\n", Problem{Line: 3, Message: "yaml: line 3: found unexpected end of stream"}},
		{"no stages", "stages: []\n", Problem{Field: "stages", Message: "the bank has no stages"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.src))
			if !errors.Is(err, ErrInvalidBank) {
				t.Fatalf("Load error = %v, want ErrInvalidBank", err)
			}
			var be *BankError
			if !errors.As(err, &be) {
				t.Fatalf("error %T is not *BankError", err)
			}
			for _, p := range be.Problems {
				if p.Line == tc.want.Line && p.Field == tc.want.Field && p.Question == tc.want.Question &&
					(tc.want.Stage == "" || p.Stage == tc.want.Stage) && strings.Contains(p.Message, tc.want.Message) {
					return
				}
			}
			t.Errorf("no problem like %+v in:\n%v", tc.want, err)
		})
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{File: "03-meeting.ru.yaml", Line: 42, Stage: "meeting", Question: "meeting-03", Field: "correct", Message: `option "e" is not among the question's options`}
	want := `03-meeting.ru.yaml:42: stage meeting: question meeting-03: correct: option "e" is not among the question's options`
	if got := p.String(); got != want {
		t.Errorf("String() = %s\nwant       %s", got, want)
	}
}

func TestLoadFS(t *testing.T) {
	stage := func(key, id string) string {
		return "stages:\n  - key: " + key + "\n    questions:\n      - id: " + id + `
        kind: single
        text: Вопрос?
        options: [{id: a, text: Да}, {id: b, text: Нет}]
        correct: [b]
        explanation: Потому что.
`
	}
	t.Run("merges files in name order", func(t *testing.T) {
		fsys := fstest.MapFS{
			"02-b.ru.yaml": {Data: []byte(stage("needs", "needs-01"))},
			"01-a.ru.yaml": {Data: []byte(stage("meeting", "meeting-01"))},
			"README.md":    {Data: []byte("not a bank file")},
		}
		b, err := LoadFS(fsys)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := b.StageKeys(), []string{"meeting", "needs"}; !reflect.DeepEqual(got, want) {
			t.Errorf("StageKeys = %v, want %v", got, want)
		}
	})
	t.Run("question id twice across files", func(t *testing.T) {
		fsys := fstest.MapFS{
			"01-a.ru.yaml": {Data: []byte(stage("meeting", "x-01"))},
			"02-b.ru.yaml": {Data: []byte(stage("needs", "x-01"))},
		}
		_, err := LoadFS(fsys)
		var be *BankError
		if !errors.As(err, &be) || len(be.Problems) != 1 {
			t.Fatalf("LoadFS error = %v, want one problem", err)
		}
		want := Problem{File: "02-b.ru.yaml", Line: 4, Stage: "needs", Question: "x-01", Field: "id",
			Message: `duplicate question id "x-01" (first at 01-a.ru.yaml:4)`}
		if be.Problems[0] != want {
			t.Errorf("problem = %+v\nwant      %+v", be.Problems[0], want)
		}
	})
	t.Run("problems of every file are reported", func(t *testing.T) {
		fsys := fstest.MapFS{
			"01-a.ru.yaml": {Data: []byte(strings.Replace(stage("meeting", "m-01"), "kind: single", "kind: one", 1))},
			"02-b.ru.yaml": {Data: []byte(stage("needs", "n-01") + "        extra: 1\n")},
		}
		_, err := LoadFS(fsys)
		var be *BankError
		if !errors.As(err, &be) {
			t.Fatalf("LoadFS error = %v", err)
		}
		files := map[string]bool{}
		for _, p := range be.Problems {
			files[p.File] = true
		}
		if !files["01-a.ru.yaml"] || !files["02-b.ru.yaml"] {
			t.Errorf("problems name files %v, want both:\n%v", files, err)
		}
	})
	t.Run("no yaml files", func(t *testing.T) {
		if _, err := LoadFS(fstest.MapFS{"a.txt": {Data: []byte("x")}}); !errors.Is(err, ErrInvalidBank) {
			t.Errorf("LoadFS error = %v, want ErrInvalidBank", err)
		}
	})
}

// TestLoadRefusesAliases feeds nested aliases that would expand to 300³ options if the loader
// followed them; it must refuse the file at once (a regression here hangs the test).
func TestLoadRefusesAliases(t *testing.T) {
	list := func(alias string) string {
		return "[" + strings.TrimSuffix(strings.Repeat("*"+alias+", ", 300), ", ") + "]"
	}
	bomb := "x: &o {id: a, text: t}\n" +
		"y: &os " + list("o") + "\n" +
		"z: &q {id: q, kind: single, text: t, options: *os, correct: [a], explanation: e}\n" +
		"w: &qs " + list("q") + "\n" +
		"v: &s {key: s, questions: *qs}\n" +
		"stages: " + list("s") + "\n"
	_, err := Load(strings.NewReader(bomb))
	var be *BankError
	if !errors.As(err, &be) || len(be.Problems) != maxAliasReports || be.Problems[0].Line != 2 ||
		!strings.Contains(be.Problems[0].Message, "YAML aliases (*o) are not supported") {
		t.Fatalf("Load of nested aliases = %v", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	big := smallBank + "#" + strings.Repeat("x", MaxFileSize) + "\n"
	if _, err := Load(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load error = %v, want a size error", err)
	}
}

func TestNewBankValidatesAndCopies(t *testing.T) {
	stages := []Stage{{Key: "meeting", Questions: []Question{{
		ID: "m-1", Kind: KindSingle, Text: "Вопрос?", Explanation: "Потому что.",
		Options: []Option{{ID: "a", Text: "Да"}, {ID: "b", Text: "Нет"}}, Correct: []string{"a", "b"},
	}}}}
	_, err := NewBank(stages)
	var be *BankError
	if !errors.As(err, &be) || len(be.Problems) != 1 || be.Problems[0].Question != "m-1" ||
		be.Problems[0].Field != "correct" || be.Problems[0].Line != 0 {
		t.Fatalf("NewBank error = %v, want one problem with correct of m-1", err)
	}

	stages[0].Questions[0].Correct = []string{"a"}
	b, err := NewBank(stages)
	if err != nil {
		t.Fatal(err)
	}
	stages[0].Questions[0].Options[0].Text = "Изменено"
	if q, _ := b.Question("m-1"); q.Options[0].Text != "Да" || q.Stage != "meeting" {
		t.Errorf("bank question = %+v; NewBank must copy its input and set Stage", q)
	}

	stages[0].Questions[0].Stage = "needs"
	if _, err := NewBank(stages); err == nil || !strings.Contains(err.Error(), `question says stage "needs"`) {
		t.Errorf("NewBank with a mismatched Question.Stage: %v", err)
	}
}

// TestExportRoundTrip checks that an exported bank loads back equal, with the same digest,
// including text that YAML would misread unquoted.
func TestExportRoundTrip(t *testing.T) {
	tricky := []string{"yes", "No", "123", "12.5", "null", "~", " leading space", "a: b", "#hash",
		"- dash", "«кавычки» и \"quotes\"", "line one\nline two", "tab\there", "[x]", "{y}", "&anchor", "*alias", "22 %"}
	var qs []Question
	for i, s := range tricky {
		qs = append(qs, Question{
			ID: "t-" + string(rune('a'+i)), Kind: KindSingle, Text: s, TextEN: s, Explanation: s + " (пояснение)",
			Options: []Option{{ID: "yes", Text: s}, {ID: "1", Text: "другое " + s}}, Correct: []string{"1"},
		})
	}
	b, err := NewBank([]Stage{{Key: "tricky", Title: "on", Questions: qs}})
	if err != nil {
		t.Fatal(err)
	}
	for _, bank := range []*Bank{b, mustLoad(t, smallBank)} {
		var out bytes.Buffer
		if err := bank.Export(&out); err != nil {
			t.Fatal(err)
		}
		back, err := Load(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("loading the export: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(back.Stages(), bank.Stages()) {
			t.Errorf("round trip changed the bank:\n%s", out.String())
		}
		if back.Digest() != bank.Digest() {
			t.Errorf("digest %s after the round trip, want %s", back.Digest(), bank.Digest())
		}
	}
}

func TestExportStage(t *testing.T) {
	b := mustLoad(t, smallBank)
	var out bytes.Buffer
	if err := b.ExportStage(&out, "shipment"); err != nil {
		t.Fatal(err)
	}
	one := mustLoad(t, out.String())
	if got := one.StageKeys(); !reflect.DeepEqual(got, []string{"shipment"}) {
		t.Errorf("exported stage keys = %v", got)
	}
	want, _ := b.Stage("shipment")
	if got, _ := one.Stage("shipment"); !reflect.DeepEqual(got, want) {
		t.Errorf("exported stage = %+v, want %+v", got, want)
	}
	if err := b.ExportStage(&out, "nope"); !errors.Is(err, ErrUnknownStage) {
		t.Errorf("ExportStage(nope) = %v, want ErrUnknownStage", err)
	}
}
