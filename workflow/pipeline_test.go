package workflow_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

func TestParseDefaultPipeline(t *testing.T) {
	t.Parallel()
	src := templates.DefaultPipeline()
	p := mustParse(t, src)

	if p.Key != "corporate" {
		t.Errorf("Key = %q, want corporate", p.Key)
	}
	if want := (workflow.Names{Ru: "Корпоративная продажа", En: "Corporate sale"}); p.Name != want {
		t.Errorf("Name = %+v, want %+v", p.Name, want)
	}
	if !bytes.Equal(p.Source, src) {
		t.Error("Source is not the parsed document")
	}
	sum := sha256.Sum256(src)
	if p.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("SHA256 = %s, want %x", p.SHA256, sum)
	}
	if p.ID != 0 || p.Version != 0 {
		t.Errorf("ID, Version = %d, %d; want 0, 0 for a pipeline parsed offline", p.ID, p.Version)
	}

	// The table of DESIGN.md, "The standard pipeline".
	repMgr := []workflow.Role{workflow.RoleRep, workflow.RoleManager}
	withBO := []workflow.Role{workflow.RoleRep, workflow.RoleBackoffice, workflow.RoleManager}
	docs := func(k ...workflow.DocumentKind) workflow.Requirement { return workflow.Requirement{Documents: k} }
	fact := func(k workflow.FactKind) workflow.Requirement { return workflow.Requirement{Fact: k} }
	want := []struct {
		key, ru, en string
		stage       workflow.Stage
	}{
		{"research", "Сбор информации о предприятии-клиенте", "research", workflow.Stage{
			ExitRoles: repMgr, Requires: []workflow.Requirement{{Company: true}}}},
		{"cold_call", "Холодный звонок", "cold call", workflow.Stage{Skippable: true,
			ExitRoles: repMgr, Requires: []workflow.Requirement{{Activities: []workflow.ActivityKind{workflow.ActivityCall}}}}},
		{"meeting", "Встреча", "meeting", workflow.Stage{Skippable: true,
			ExitRoles: repMgr, Requires: []workflow.Requirement{docs(workflow.DocMeetingReport)}}},
		{"needs", "Выявление потребностей", "needs discovery", workflow.Stage{
			ExitRoles: repMgr, Requires: []workflow.Requirement{fact(workflow.FactNeeds)}}},
		{"proposal", "Отправка КП", "proposal sent", workflow.Stage{
			ExitRoles: repMgr, Requires: []workflow.Requirement{docs(workflow.DocProposal)}}},
		{"dmu", "Сбор информации о ЦПР", "decision-making unit", workflow.Stage{Skippable: true,
			ExitRoles: repMgr, Requires: []workflow.Requirement{fact(workflow.FactDecisionMakers)}}},
		{"client_card", "Заполнение карты клиента", "client card", workflow.Stage{
			ExitRoles: repMgr, Requires: []workflow.Requirement{docs(workflow.DocClientCard)}}},
		{"negotiation", "Переговоры с ЛПР", "negotiations", workflow.Stage{Skippable: true,
			ExitRoles: repMgr, Requires: []workflow.Requirement{{
				Activities: []workflow.ActivityKind{workflow.ActivityMeeting, workflow.ActivityCall}, DecisionMaker: true}}}},
		{"tender", "Участие в тендере", "tender", workflow.Stage{Skippable: true,
			ExitRoles: repMgr, Requires: []workflow.Requirement{fact(workflow.FactTender)}}},
		{"contract", "Заключение договора", "contract", workflow.Stage{
			ExitRoles: repMgr, Requires: []workflow.Requirement{docs(workflow.DocContract)}}},
		{"specification", "Подписание спецификации", "specification", workflow.Stage{
			ExitRoles: withBO, Requires: []workflow.Requirement{docs(workflow.DocSpecification)}}},
		{"payment", "Получение оплаты", "payment", workflow.Stage{
			ExitRoles: withBO, Requires: []workflow.Requirement{docs(workflow.DocInvoice), fact(workflow.FactPayment)}}},
		{"production", "Сопровождение производства", "production", workflow.Stage{Skippable: true,
			ExitRoles: withBO, Requires: []workflow.Requirement{docs(workflow.DocProductionSchedule)}}},
		// DESIGN.md: "Накладная / счёт-фактура or УПД"; the УПД is both in one document. The
		// default pipeline also requires the shipment fact.
		{"shipment", "Отгрузка", "shipment", workflow.Stage{
			ExitRoles: withBO, Requires: []workflow.Requirement{docs(workflow.DocUPD), fact(workflow.FactShipment)}}},
		{"feedback", "Получение обратной связи", "feedback", workflow.Stage{
			ExitRoles: repMgr, Requires: []workflow.Requirement{{AnyOf: []workflow.Requirement{
				docs(workflow.DocRecommendationLetter), fact(workflow.FactFeedback)}}}}},
	}
	if len(p.Stages) != 15 || len(want) != 15 {
		t.Fatalf("%d stages, want 15", len(p.Stages))
	}
	for i, w := range want {
		got := p.Stages[i]
		if got.Key != w.key {
			t.Errorf("stage %d: key %q, want %q", i+1, got.Key, w.key)
			continue
		}
		if got.Name.Ru != w.ru {
			t.Errorf("stage %s: Russian name %q, want %q", w.key, got.Name.Ru, w.ru)
		}
		if !strings.EqualFold(got.Name.En, w.en) {
			t.Errorf("stage %s: English name %q, want %q", w.key, got.Name.En, w.en)
		}
		if diff := cmp.Diff(w.stage, got, cmpopts.IgnoreFields(workflow.Stage{}, "Key", "Name")); diff != "" {
			t.Errorf("stage %s mismatch (-want +got):\n%s", w.key, diff)
		}
	}
	if got := p.Stages[len(p.Stages)-1].DocumentKindsRequired(); !cmp.Equal(got, []workflow.DocumentKind{workflow.DocRecommendationLetter}) {
		t.Errorf("feedback DocumentKindsRequired = %v, want [recommendation_letter]", got)
	}
	// Every document kind of the product is asked for by some stage.
	seen := map[workflow.DocumentKind]bool{}
	for _, st := range p.Stages {
		for _, k := range st.DocumentKindsRequired() {
			seen[k] = true
		}
	}
	for _, k := range workflow.DocumentKinds {
		if !seen[k] {
			t.Errorf("no stage of the default pipeline requires a %s", k)
		}
	}
}

func TestParsePipelineLookups(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	if got := p.StageIndex("needs"); got != 3 {
		t.Errorf("StageIndex(needs) = %d, want 3", got)
	}
	if got := p.StageIndex("nowhere"); got != -1 {
		t.Errorf("StageIndex(nowhere) = %d, want -1", got)
	}
	if st, ok := p.Stage("tender"); !ok || st.Name.Ru != "Участие в тендере" {
		t.Errorf("Stage(tender) = %+v, %v", st, ok)
	}
	if _, ok := p.Stage(""); ok {
		t.Error("Stage(\"\") found a stage")
	}
	if got := p.First().Key; got != "research" {
		t.Errorf("First() = %q, want research", got)
	}
	proposal, _ := p.Stage("proposal")
	payment, _ := p.Stage("payment")
	for _, tt := range []struct {
		stage workflow.Stage
		role  workflow.Role
		want  bool
	}{
		{proposal, workflow.RoleRep, true},
		{proposal, workflow.RoleManager, true},
		{proposal, workflow.RoleAdmin, true},
		{proposal, workflow.RoleBackoffice, false},
		{proposal, workflow.RoleAuditor, false},
		{payment, workflow.RoleBackoffice, true},
		{payment, workflow.RoleAuditor, false},
		{payment, workflow.RoleAdmin, true},
	} {
		if got := tt.stage.MayExit(tt.role); got != tt.want {
			t.Errorf("%s.MayExit(%s) = %v, want %v", tt.stage.Key, tt.role, got, tt.want)
		}
	}
}

// base is a small valid pipeline; the error cases below break it one way each. Its lines:
//
//	1 key  2 name  3 stages  4 research  5 its name  6 requires  7 company  8 needs  9 its name
const base = `key: corp
name: {ru: Продажа, en: Sale}
stages:
  - key: research
    name: {ru: Сбор информации, en: Research}
    requires:
      - company: valid
  - key: needs
    name: {ru: Потребности, en: Needs}
`

// withLine7 replaces line 7 of base (the research stage's only requirement).
func withLine7(req string) string {
	return strings.Replace(base, "      - company: valid\n", "      - "+req+"\n", 1)
}

func TestParsePipelineValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []workflow.Stage
	}{
		{name: "base", src: base, want: []workflow.Stage{
			{Key: "research", Name: workflow.Names{Ru: "Сбор информации", En: "Research"}, ExitRoles: []workflow.Role{"rep", "manager"},
				Requires: []workflow.Requirement{{Company: true}}},
			{Key: "needs", Name: workflow.Names{Ru: "Потребности", En: "Needs"}, ExitRoles: []workflow.Role{"rep", "manager"}},
		}},
		{name: "pipeline name is optional", src: strings.Replace(base, "name: {ru: Продажа, en: Sale}\n", "", 1)},
		{name: "every option", src: `key: x1
stages:
  - key: only_stage
    name: {ru: Этап, en: Stage}
    skippable: true
    training_gate: true
    exit_roles: backoffice
    requires:
      - document: [invoice, upd]
      - activity: email
      - activity: [meeting]
        decision_maker: false
      - field: cost
      - any_of:
          - fact: payment
          - any_of: [{field: amount}, {company: valid}]
    `, want: []workflow.Stage{{Key: "only_stage", Name: workflow.Names{Ru: "Этап", En: "Stage"}, Skippable: true, TrainingGate: true,
			ExitRoles: []workflow.Role{"backoffice"}, Requires: []workflow.Requirement{
				{Documents: []workflow.DocumentKind{"invoice", "upd"}},
				{Activities: []workflow.ActivityKind{"email"}},
				{Activities: []workflow.ActivityKind{"meeting"}},
				{Field: "cost"},
				{AnyOf: []workflow.Requirement{{Fact: "payment"}, {AnyOf: []workflow.Requirement{{Field: "amount"}, {Company: true}}}}},
			}}}},
		{name: "longest key", src: "key: " + "a" + strings.Repeat("b", 39) + "\nstages: [{key: s, name: {ru: Этап, en: Stage}}]\n"},
		{name: "document at the size limit", src: base + "#" + strings.Repeat("-", workflow.MaxPipelineBytes-len(base)-2) + "\n"},
		{name: "stage count at the limit", src: manyStages(workflow.MaxPipelineStages)},
		{name: "explicit document start and end", src: "---\n" + base + "...\n"},
		{name: "any_of nested four deep", src: withLine7(strings.Repeat("{any_of: [{fact: needs}, ", 4) + "{fact: needs}" + strings.Repeat("]}", 4))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := workflow.ParsePipeline(strings.NewReader(tt.src))
			if err != nil {
				t.Fatalf("ParsePipeline: %v", err)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, p.Stages); diff != "" {
					t.Errorf("stages mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// manyStages returns a pipeline with n stages.
func manyStages(n int) string {
	var b strings.Builder
	b.WriteString("key: many\nstages:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {key: s%d, name: {ru: Этап %d, en: Stage %d}}\n", i, i, i)
	}
	return b.String()
}

func TestParsePipelineErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		line  int
		stage string
		field string
		msg   string
	}{
		// The document as a whole.
		{name: "empty document", src: "", msg: "empty document"},
		{name: "only white space", src: " \n\n  \n", msg: "empty document"},
		{name: "only comments", src: "# a pipeline\n# to be written\n", msg: "empty document"},
		{name: "a scalar", src: "corporate sale\n", line: 1, msg: "must be a mapping"},
		{name: "oversize document", src: base + "#" + strings.Repeat("-", workflow.MaxPipelineBytes-len(base)-1) + "\n", msg: "larger than 262144 bytes"},
		{name: "unreadable YAML", src: "key: corp\nname: {ru: a, en: b}\nstages: x: y\n", line: 3, msg: "unreadable YAML: line 3: mapping values are not allowed"},
		{name: "unreadable YAML escape", src: base + "  - key: \"bad\\q\"\n", line: 10, msg: "unknown escape"},
		{name: "not a mapping", src: "- key: corp\n", line: 1, msg: "must be a mapping"},
		{name: "two documents", src: base + "---\nkey: other\n", line: 10, msg: "single YAML document"},
		{name: "an empty second document", src: base + "--- # nothing\n", line: 10, msg: "single YAML document"},
		{name: "unreadable second document", src: base + "---\nkey: [\n", line: 11, msg: "unreadable YAML"},
		{name: "unknown top-level field", src: base + "owner: ivanov\n", line: 10, field: "owner", msg: "unknown field"},
		{name: "top-level field twice", src: base + "key: other\n", line: 10, field: "key", msg: "given twice"},
		// key
		{name: "missing key", src: strings.Replace(base, "key: corp\n", "", 1), line: 1, field: "key", msg: "is required"},
		{name: "bad pipeline key", src: strings.Replace(base, "key: corp", "key: Corp", 1), line: 1, field: "key", msg: "lower-case"},
		{name: "pipeline key too long", src: strings.Replace(base, "key: corp", "key: a"+strings.Repeat("b", 40), 1), line: 1, field: "key", msg: "lower-case"},
		// stages
		{name: "no stages field", src: "key: corp\n", line: 1, field: "stages", msg: "at least one stage"},
		{name: "no stages", src: "key: corp\nstages: []\n", line: 2, field: "stages", msg: "at least one stage"},
		{name: "stages null", src: "key: corp\nstages:\n", line: 2, field: "stages", msg: "at least one stage"},
		{name: "stages a mapping", src: "key: corp\nstages: {key: research}\n", line: 2, field: "stages", msg: "at least one stage"},
		{name: "too many stages", src: manyStages(workflow.MaxPipelineStages + 1), line: 3, field: "stages", msg: "more than 100 stages"},
		{name: "stage not a mapping", src: base + "  - contract\n", line: 10, field: "stages[2]", msg: "a stage must be a mapping"},
		{name: "duplicate stage keys", src: strings.Replace(base, "key: needs", "key: research", 1), line: 8, stage: "research", field: "stages[1].key", msg: "duplicate stage key (first used by stages[0])"},
		{name: "stage without key", src: strings.Replace(base, "  - key: needs\n    name:", "  - name:", 1), line: 8, field: "stages[1].key", msg: "is required"},
		{name: "stage key upper case", src: strings.Replace(base, "key: research", "key: Research", 1), line: 4, stage: "Research", field: "stages[0].key", msg: "lower-case"},
		{name: "stage key with dash", src: strings.Replace(base, "key: research", "key: cold-call", 1), line: 4, stage: "cold-call", field: "stages[0].key", msg: "lower-case"},
		{name: "stage key starts with a digit", src: strings.Replace(base, "key: research", "key: 1st", 1), line: 4, stage: "1st", field: "stages[0].key", msg: "lower-case"},
		{name: "stage key in Cyrillic", src: strings.Replace(base, "key: research", "key: сбор", 1), line: 4, stage: "сбор", field: "stages[0].key", msg: "lower-case"},
		{name: "stage key a list", src: strings.Replace(base, "key: research", "key: [research]", 1), line: 4, field: "stages[0].key", msg: "lower-case"},
		{name: "unknown stage field", src: base + "    color: red\n", line: 10, stage: "needs", field: "stages[1].color", msg: "unknown field"},
		{name: "stage field twice", src: base + "    name: {ru: Ещё, en: Again}\n", line: 10, stage: "needs", field: "stages[1].name", msg: "given twice"},
		// names
		{name: "stage without name", src: strings.Replace(base, "    name: {ru: Потребности, en: Needs}\n", "", 1), line: 8, stage: "needs", field: "stages[1].name", msg: "is required"},
		{name: "name without en", src: strings.Replace(base, "{ru: Потребности, en: Needs}", "{ru: Потребности}", 1), line: 9, stage: "needs", field: "stages[1].name.en", msg: "is required"},
		{name: "name without ru", src: strings.Replace(base, "{ru: Потребности, en: Needs}", "{en: Needs}", 1), line: 9, stage: "needs", field: "stages[1].name.ru", msg: "is required"},
		{name: "blank name", src: strings.Replace(base, "{ru: Потребности, en: Needs}", "{ru: Потребности, en: '  '}", 1), line: 9, stage: "needs", field: "stages[1].name.en", msg: "is required"},
		{name: "name a string", src: strings.Replace(base, "{ru: Потребности, en: Needs}", "Потребности", 1), line: 9, stage: "needs", field: "stages[1].name", msg: "mapping with ru and en"},
		{name: "name in a third language", src: strings.Replace(base, "{ru: Потребности, en: Needs}", "{ru: Потребности, en: Needs, de: Bedarf}", 1), line: 9, stage: "needs", field: "stages[1].name.de", msg: "unknown field"},
		{name: "name too long", src: strings.Replace(base, "en: Needs", "en: "+strings.Repeat("N", 201), 1), line: 9, stage: "needs", field: "stages[1].name.en", msg: "longer than 200 bytes"},
		{name: "pipeline name without ru", src: strings.Replace(base, "{ru: Продажа, en: Sale}", "{en: Sale}", 1), line: 2, field: "name.ru", msg: "is required"},
		// flags and roles
		{name: "skippable not a bool", src: base + "    skippable: maybe\n", line: 10, stage: "needs", field: "stages[1].skippable", msg: "true or false"},
		{name: "skippable a list", src: base + "    skippable: [true]\n", line: 10, stage: "needs", field: "stages[1].skippable", msg: "true or false"},
		{name: "training gate not a bool", src: base + "    training_gate: 80\n", line: 10, stage: "needs", field: "stages[1].training_gate", msg: "true or false"},
		{name: "unknown role", src: base + "    exit_roles: [rep, sales]\n", line: 10, stage: "needs", field: "stages[1].exit_roles", msg: `unknown role "sales"`},
		{name: "auditor in exit_roles", src: base + "    exit_roles: [manager, auditor]\n", line: 10, stage: "needs", field: "stages[1].exit_roles", msg: "auditors are read-only"},
		{name: "auditor alone", src: base + "    exit_roles: auditor\n", line: 10, stage: "needs", field: "stages[1].exit_roles", msg: "auditors are read-only"},
		{name: "no exit roles", src: base + "    exit_roles: []\n", line: 10, stage: "needs", field: "stages[1].exit_roles", msg: "empty list"},
		{name: "exit roles of mappings", src: base + "    exit_roles: [{role: rep}]\n", line: 10, stage: "needs", field: "stages[1].exit_roles", msg: "list of names"},
		// requirements
		{name: "requires not a list", src: strings.Replace(base, "    requires:\n      - company: valid\n", "    requires: {company: valid}\n", 1), line: 6, stage: "research", field: "stages[0].requires", msg: "list of requirements"},
		{name: "requirement a string", src: withLine7("company"), line: 7, stage: "research", field: "stages[0].requires[0]", msg: "must be a mapping"},
		{name: "unknown requirement field", src: withLine7("{document: proposal, signed: true}"), line: 7, stage: "research", field: "stages[0].requires[0].signed", msg: "unknown field"},
		{name: "two kinds in one requirement", src: withLine7("{document: proposal, fact: needs}"), line: 7, stage: "research", field: "stages[0].requires[0]", msg: "exactly one of"},
		{name: "no kind in a requirement", src: withLine7("{}"), line: 7, stage: "research", field: "stages[0].requires[0]", msg: "exactly one of"},
		{name: "decision_maker alone", src: withLine7("{decision_maker: true}"), line: 7, stage: "research", field: "stages[0].requires[0]", msg: "exactly one of"},
		{name: "decision_maker without activity", src: withLine7("{fact: needs, decision_maker: true}"), line: 7, stage: "research", field: "stages[0].requires[0].decision_maker", msg: "only goes with activity"},
		{name: "decision_maker not a bool", src: withLine7("{activity: call, decision_maker: often}"), line: 7, stage: "research", field: "stages[0].requires[0].decision_maker", msg: "true or false"},
		{name: "company other than valid", src: withLine7("company: known"), line: 7, stage: "research", field: "stages[0].requires[0].company", msg: `"valid"`},
		{name: "unknown document kind", src: withLine7("document: offer"), line: 7, stage: "research", field: "stages[0].requires[0].document", msg: `unknown document kind "offer"`},
		{name: "unknown document kind in a list", src: withLine7("document: [proposal, Proposal]"), line: 7, stage: "research", field: "stages[0].requires[0].document", msg: `unknown document kind "Proposal"`},
		{name: "empty document", src: withLine7("document: ''"), line: 7, stage: "research", field: "stages[0].requires[0].document", msg: "is empty"},
		{name: "empty document list", src: withLine7("document: []"), line: 7, stage: "research", field: "stages[0].requires[0].document", msg: "empty list"},
		{name: "unknown activity", src: withLine7("activity: [call, visit]"), line: 7, stage: "research", field: "stages[0].requires[0].activity", msg: `unknown activity kind "visit"`},
		{name: "unknown fact", src: withLine7("fact: budget"), line: 7, stage: "research", field: "stages[0].requires[0].fact", msg: `unknown fact kind "budget"`},
		{name: "fact a list", src: withLine7("fact: [needs]"), line: 7, stage: "research", field: "stages[0].requires[0].fact", msg: "unknown fact kind"},
		{name: "unknown deal field", src: withLine7("field: discount"), line: 7, stage: "research", field: "stages[0].requires[0].field", msg: `unknown deal field "discount"`},
		{name: "any_of with one item", src: withLine7("any_of: [{fact: needs}]"), line: 7, stage: "research", field: "stages[0].requires[0].any_of", msg: "at least two"},
		{name: "any_of not a list", src: withLine7("any_of: {fact: needs}"), line: 7, stage: "research", field: "stages[0].requires[0].any_of", msg: "at least two"},
		{name: "bad item inside any_of", src: withLine7("any_of: [{fact: needs}, {fact: mood}]"), line: 7, stage: "research", field: "stages[0].requires[0].any_of[1].fact", msg: `unknown fact kind "mood"`},
		{name: "any_of nested too deeply", src: withLine7(strings.Repeat("{any_of: [{fact: needs}, ", 5) + "{fact: needs}" + strings.Repeat("]}", 5)), line: 7, stage: "research",
			field: "stages[0].requires[0]" + strings.Repeat(".any_of[1]", 4) + ".any_of[0]", msg: "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := workflow.ParsePipeline(strings.NewReader(tt.src))
			if err == nil {
				t.Fatalf("ParsePipeline accepted the document (%d stages)", len(p.Stages))
			}
			if p != nil {
				t.Errorf("ParsePipeline returned a pipeline with an error")
			}
			e := pipelineErrorOf(t, err)
			if e.Line != tt.line || e.Stage != tt.stage || e.Field != tt.field {
				t.Errorf("error at {line %d, stage %q, field %q}, want {line %d, stage %q, field %q}\n(%v)",
					e.Line, e.Stage, e.Field, tt.line, tt.stage, tt.field, err)
			}
			if !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("Msg = %q, want it to contain %q", e.Msg, tt.msg)
			}
			if tt.line > 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d: ", tt.line)) {
				t.Errorf("Error() = %q, want it to start with the line", err)
			}
		})
	}
}

// errReader fails on the first read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, fmt.Errorf("disk on fire") }

func TestParsePipelineReadError(t *testing.T) {
	t.Parallel()
	_, err := workflow.ParsePipeline(errReader{})
	e := pipelineErrorOf(t, err)
	if !strings.Contains(e.Msg, "disk on fire") {
		t.Errorf("Msg = %q, want the read error", e.Msg)
	}
}

func TestPipelineErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  workflow.PipelineError
		want string
	}{
		{workflow.PipelineError{Msg: "empty document"}, "empty document"},
		{workflow.PipelineError{Line: 3, Field: "stages", Msg: "x"}, "line 3: stages: x"},
		{workflow.PipelineError{Line: 9, Stage: "needs", Field: "stages[1].name.en", Msg: "is required"}, `line 9: stage "needs": stages[1].name.en: is required`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
