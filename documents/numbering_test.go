package documents

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

func TestDefaultNumberFormats(t *testing.T) {
	tests := []struct {
		kind  workflow.DocumentKind
		seq   int64
		year  int
		scope string
		want  string
	}{
		{workflow.DocProposal, 123, 2026, "", "КП-2026-0123"},
		{workflow.DocProposal, 12345, 2026, "", "КП-2026-12345"},
		{workflow.DocContract, 45, 2026, "", "45/2026-П"},
		{workflow.DocSpecification, 3, 2026, "45/2026-П", "3"},
		{workflow.DocInvoice, 123, 2026, "", "СЧ-2026-000123"},
		{workflow.DocUPD, 214, 2026, "", "214"},
		{workflow.DocMeetingReport, 14, 2026, "", "ОВ-2026-0014"},
		{workflow.DocClientCard, 31, 2026, "", "КК-2026-0031"},
		{workflow.DocProductionSchedule, 9, 2026, "", "ГП-2026-0009"},
		{workflow.DocRecommendationLetter, 1, 2026, "", "РП-2026-0001"},
	}
	for _, tt := range tests {
		f, ok := DefaultNumberFormat(tt.kind)
		if !ok {
			t.Fatalf("no default format for %s", tt.kind)
		}
		if got := f.Format(tt.seq, tt.year, tt.scope); got != tt.want {
			t.Errorf("%s: Format(%d) = %q, want %q", tt.kind, tt.seq, got, tt.want)
		}
	}
	for _, k := range workflow.DocumentKinds {
		if _, ok := DefaultNumberFormat(k); !ok {
			t.Errorf("%s has no default number format", k)
		}
	}
	if _, ok := DefaultNumberFormat("memo"); ok {
		t.Error("unknown kind has a format")
	}
}

func TestParseNumberFormat(t *testing.T) {
	good := []struct {
		format, want string
		hasYear      bool
	}{
		{"{YY}/{NNN}", "26/007", true},
		{"{N}", "7", false},
		{"Сп-{SCOPE}-{NN}", "Сп-45/2026-П-07", false},
		{"{YYYY}/{NNNNNNNNNNNN}", "2026/000000000007", true},
		{"ТН {N} от {YYYY}", "ТН 7 от 2026", true},
		{"{NNNN}/1", "0007/1", false}, // a branch index after a slash (Decree 1137, rule 1а)
	}
	for _, tt := range good {
		f, err := ParseNumberFormat(tt.format)
		if err != nil {
			t.Errorf("%q: %v", tt.format, err)
			continue
		}
		if got := f.Format(7, 2026, "45/2026-П"); got != tt.want {
			t.Errorf("%q.Format = %q, want %q", tt.format, got, tt.want)
		}
		if f.HasYear() != tt.hasYear || f.String() != tt.format {
			t.Errorf("%q: HasYear %v, String %q", tt.format, f.HasYear(), f.String())
		}
	}
	bad := []string{
		"", "КП-{YYYY}", "{N}-{NN}", "{N", "N}", "{N}}", "{{N}", "{YYY}-{N}", "{n}", "{}-{N}", "{NNNNNNNNNNNNN}",
		" {N}", "{N}\n", "{N}\u0007", string(make([]byte, 65)) + "{N}", "{DATE}-{N}",
	}
	for _, s := range bad {
		if _, err := ParseNumberFormat(s); !errors.Is(err, ErrNumberFormat) {
			t.Errorf("ParseNumberFormat(%q) = %v, want ErrNumberFormat", s, err)
		}
	}
}

func TestNumberFormatJSON(t *testing.T) {
	var cfg struct {
		Invoice NumberFormat `json:"invoice"`
	}
	if err := json.Unmarshal([]byte(`{"invoice":"СЧ/{YY}/{NNNN}"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if got := cfg.Invoice.Format(5, 2027, ""); got != "СЧ/27/0005" {
		t.Errorf("Format = %q", got)
	}
	b, _ := json.Marshal(cfg)
	if string(b) != `{"invoice":"СЧ/{YY}/{NNNN}"}` {
		t.Errorf("Marshal = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"invoice":"СЧ"}`), &cfg); err == nil {
		t.Error("a format without a sequence was accepted")
	}
}

func TestGaplessAndScopes(t *testing.T) {
	for _, k := range workflow.DocumentKinds {
		want := k == workflow.DocInvoice || k == workflow.DocUPD
		if IsGapless(k) != want {
			t.Errorf("IsGapless(%s) = %v", k, !want)
		}
		scope := ScopeYear
		if k == workflow.DocSpecification {
			scope = ScopeContract
		}
		if CounterScope(k) != scope {
			t.Errorf("CounterScope(%s) = %s", k, CounterScope(k))
		}
	}
	spec := mustDecode(t, workflow.DocSpecification, exampleJSON(t, workflow.DocSpecification))
	if ScopeOf(spec) != "45/2026-П" {
		t.Errorf("ScopeOf(specification) = %q", ScopeOf(spec))
	}
	if ScopeOf(mustDecode(t, workflow.DocInvoice, exampleJSON(t, workflow.DocInvoice))) != "" {
		t.Error("an invoice has no scope")
	}
}
