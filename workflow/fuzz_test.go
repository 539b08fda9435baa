package workflow_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

var stageKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// FuzzParsePipeline feeds arbitrary documents to ParsePipeline. It must never panic; a refusal
// is a *PipelineError; an accepted pipeline parses again from its Source to the same value,
// keeps every invariant the parser promises, and Decide works on each of its stages. The seed
// corpus is in testdata/fuzz/FuzzParsePipeline.
func FuzzParsePipeline(f *testing.F) {
	f.Add(templates.DefaultPipeline())
	f.Add([]byte(base))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := workflow.ParsePipeline(bytes.NewReader(src))
		if err != nil {
			var pe *workflow.PipelineError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, want a *PipelineError", err, err)
			}
			if p != nil {
				t.Fatal("a pipeline returned with an error")
			}
			// YAML also breaks lines at CR, NEL, LS and PS.
			lines := 1
			for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
				lines += bytes.Count(src, []byte(br))
			}
			if pe.Line < 0 || pe.Line > lines+1 || pe.Msg == "" {
				t.Fatalf("implausible error %+v for a document of at most %d lines", pe, lines)
			}
			return
		}
		checkPipelineInvariants(t, p)
		if !bytes.Equal(p.Source, src) {
			t.Fatal("Source is not the input")
		}
		again, err := workflow.ParsePipeline(bytes.NewReader(p.Source))
		if err != nil {
			t.Fatalf("the pipeline's own Source is refused: %v", err)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("parsing Source again gives another pipeline (-first +second):\n%s", diff)
		}
		all := fullEvidence()
		for _, st := range p.Stages {
			all.TrainingPassed[st.Key] = true
		}
		for i, st := range p.Stages {
			d := openDeal(st.Key)
			for _, tr := range []workflow.Transition{{Action: workflow.ActionAdvance}, {Action: workflow.ActionSkip, Reason: "r"}, {Action: workflow.ActionWin}} {
				for _, ev := range []workflow.Evidence{{}, all} {
					out, err := p.Decide(d, ev, tr, admin, testNow)
					if err != nil {
						if workflow.Code(err) == "" {
							t.Fatalf("stage %s, %s: untyped error %v", st.Key, tr.Action, err)
						}
						continue
					}
					if out.Deal.Version != d.Version+1 || len(out.Events) == 0 {
						t.Fatalf("stage %s, %s: version %d, %d events", st.Key, tr.Action, out.Deal.Version, len(out.Events))
					}
					if tr.Action == workflow.ActionAdvance && ev.CompanyValid && out.Deal.Stage != p.Stages[i+1].Key {
						t.Fatalf("stage %s: advanced to %s, want %s", st.Key, out.Deal.Stage, p.Stages[i+1].Key)
					}
				}
			}
			if _, err := p.Decide(d, all, workflow.Transition{Action: workflow.ActionAdvance}, admin, testNow); err != nil && i < len(p.Stages)-1 {
				t.Fatalf("stage %s: cannot advance with every piece of evidence: %v", st.Key, err)
			}
		}
	})
}

// checkPipelineInvariants asserts what ParsePipeline guarantees of an accepted pipeline.
func checkPipelineInvariants(t *testing.T, p *workflow.Pipeline) {
	t.Helper()
	if !stageKeyRE.MatchString(p.Key) {
		t.Fatalf("pipeline key %q", p.Key)
	}
	if n := len(p.Stages); n < 1 || n > workflow.MaxPipelineStages {
		t.Fatalf("%d stages", n)
	}
	if len(p.Source) > workflow.MaxPipelineBytes {
		t.Fatalf("accepted %d bytes", len(p.Source))
	}
	seen := map[string]bool{}
	for _, st := range p.Stages {
		if !stageKeyRE.MatchString(st.Key) || seen[st.Key] {
			t.Fatalf("stage key %q bad or repeated", st.Key)
		}
		seen[st.Key] = true
		for _, n := range []string{st.Name.Ru, st.Name.En} {
			if strings.TrimSpace(n) == "" || len(n) > 200 {
				t.Fatalf("stage %s: name %q", st.Key, n)
			}
		}
		if len(st.ExitRoles) == 0 {
			t.Fatalf("stage %s: no exit roles", st.Key)
		}
		for _, r := range st.ExitRoles {
			if !r.Valid() || r == workflow.RoleAuditor {
				t.Fatalf("stage %s: exit role %q", st.Key, r)
			}
		}
		for _, r := range st.Requires {
			checkRequirement(t, st.Key, r, 0)
		}
	}
}

func checkRequirement(t *testing.T, stage string, r workflow.Requirement, depth int) {
	t.Helper()
	set := 0
	for _, b := range []bool{r.Company, len(r.Documents) > 0, len(r.Activities) > 0, r.Fact != "", r.Field != "", len(r.AnyOf) > 0} {
		if b {
			set++
		}
	}
	if set != 1 {
		t.Fatalf("stage %s: requirement %+v sets %d kinds", stage, r, set)
	}
	if r.DecisionMaker && len(r.Activities) == 0 {
		t.Fatalf("stage %s: decision_maker without activity", stage)
	}
	for _, k := range r.Documents {
		if !k.Valid() {
			t.Fatalf("stage %s: document kind %q", stage, k)
		}
	}
	for _, k := range r.Activities {
		if !k.Valid() {
			t.Fatalf("stage %s: activity kind %q", stage, k)
		}
	}
	if r.Fact != "" && !r.Fact.Valid() {
		t.Fatalf("stage %s: fact kind %q", stage, r.Fact)
	}
	if r.Field != "" && r.Field != "amount" && r.Field != "cost" {
		t.Fatalf("stage %s: field %q", stage, r.Field)
	}
	if len(r.AnyOf) == 1 || depth > 4 {
		t.Fatalf("stage %s: any_of of %d at depth %d", stage, len(r.AnyOf), depth)
	}
	if m := r.Describe(); m.Type == "unknown" || m.Ru == "" || m.En == "" {
		t.Fatalf("stage %s: description %+v", stage, m)
	}
	for _, sub := range r.AnyOf {
		checkRequirement(t, stage, sub, depth+1)
	}
}

var moneyRE = regexp.MustCompile(`^-?[0-9]+\.[0-9]{2}$`)

// FuzzParseMoney: ParseMoney never panics, stays within ±MaxMoney, and a parsed value's
// String() parses back to the same value, as does its JSON.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1234.56", "-7.01", "+7", "1 234,5", "1\u00a0234", ".5", "5.", "0.001",
		"10000000000000.00", "10000000000000.01", "9223372036854775807", "1e5", "--1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := workflow.ParseMoney(s)
		if err != nil {
			return
		}
		if m > workflow.MaxMoney || m < -workflow.MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d, beyond MaxMoney", s, m)
		}
		str := m.String()
		if !moneyRE.MatchString(str) {
			t.Fatalf("ParseMoney(%q).String() = %q", s, str)
		}
		back, err := workflow.ParseMoney(str)
		if err != nil || back != m {
			t.Fatalf("ParseMoney(%q) = %d, String %q parses to %d, %v", s, m, str, back, err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var j workflow.Money
		if err := json.Unmarshal(b, &j); err != nil || j != m {
			t.Fatalf("JSON %s of %d reads back as %d, %v", b, m, j, err)
		}
	})
}

// FuzzCanonicalString: a string inside CanonicalBytes is what encoding/json writes with HTML
// escaping off, as the doc comment of CanonicalBytes promises offline verifiers.
func FuzzCanonicalString(f *testing.F) {
	for _, s := range []string{"", "«Ромашка» <b>&</b>", "a\bb\fc\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "\ufffd", "🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := `"from":` + strings.TrimSuffix(buf.String(), "\n") + `,"to":`
		e := workflow.Event{FromStage: s}
		if got := string(e.CanonicalBytes()); !strings.Contains(got, want) {
			t.Fatalf("canonical bytes %s, want them to contain %s", got, want)
		}
	})
}
