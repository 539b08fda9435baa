package workflow_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/dealgate/dealgate/workflow"
)

// move is the part of a transition event the tests compare.
type move struct {
	Action workflow.Action
	From   string
	To     string
	Reason string
}

// checkOutcome asserts everything an accepted transition must produce from deal in: the new
// stage and status, a version exactly one higher, the times normalised to UTC microseconds,
// and the events (unsealed, one per stage left, in order).
func checkOutcome(t *testing.T, in workflow.Deal, actor workflow.Actor, out workflow.Outcome, wantStage string, wantStatus workflow.Status, wantMoves []move) {
	t.Helper()
	want := in
	want.Version = in.Version + 1
	want.UpdatedAt = wantNow
	want.Stage = wantStage
	want.Status = wantStatus
	if wantStage != in.Stage {
		want.StageEnteredAt = wantNow
	}
	if wantStatus != workflow.StatusOpen {
		closed := wantNow
		want.ClosedAt = &closed
	}
	if wantStatus == workflow.StatusLost {
		want.LostReason = out.Deal.LostReason // checked by the caller
	}
	if diff := cmp.Diff(want, out.Deal); diff != "" {
		t.Errorf("deal mismatch (-want +got):\n%s", diff)
	}
	for name, tm := range map[string]time.Time{"UpdatedAt": out.Deal.UpdatedAt, "StageEnteredAt": out.Deal.StageEnteredAt} {
		if tm.Equal(wantNow) && tm.Location() != time.UTC {
			t.Errorf("%s location = %v, want UTC", name, tm.Location())
		}
	}
	var got []move
	for i, e := range out.Events {
		got = append(got, move{e.Action, e.FromStage, e.ToStage, e.Reason})
		if e.DealID != in.ID || e.ActorID != actor.ID || e.Kind != workflow.EventTransition {
			t.Errorf("event %d: deal %d, actor %d, kind %q; want deal %d, actor %d, kind %q",
				i, e.DealID, e.ActorID, e.Kind, in.ID, actor.ID, workflow.EventTransition)
		}
		if !e.At.Equal(wantNow) || e.At.Location() != time.UTC {
			t.Errorf("event %d: At = %v, want %v", i, e.At, wantNow)
		}
		if e.Seq != 0 || e.Hash != "" || e.PrevHash != "" {
			t.Errorf("event %d is sealed already (seq %d, hash %q); storage seals events", i, e.Seq, e.Hash)
		}
	}
	if diff := cmp.Diff(wantMoves, got); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
}

// checkRefusal asserts that err is a *workflow.Error with code and field whose message
// contains msg.
func checkRefusal(t *testing.T, err error, code workflow.ErrorCode, field, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Decide accepted the transition, want a %s refusal on %q", code, field)
	}
	e := errorOf(t, err)
	if e.Code != code || e.Field != field {
		t.Errorf("refusal = {code %q, field %q} %q; want {code %q, field %q}", e.Code, e.Field, e.Message, code, field)
	}
	if got := workflow.Code(err); got != code {
		t.Errorf("Code(err) = %q, want %q", got, code)
	}
	if !strings.Contains(e.Error(), msg) {
		t.Errorf("message %q does not contain %q", e.Error(), msg)
	}
}

// missing is what a test expects of one listed requirement: its type and kinds exactly, and
// pieces of its Russian and English text.
type missing struct {
	Type  string
	Kinds []string
	Ru    []string
	En    []string
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// checkMissing asserts that err is a *MissingEvidenceError for stage listing exactly want.
func checkMissing(t *testing.T, err error, stage string, want []missing) {
	t.Helper()
	var me *workflow.MissingEvidenceError
	if !errors.As(err, &me) {
		t.Fatalf("error = %v (%T), want a *workflow.MissingEvidenceError", err, err)
	}
	if me.Stage != stage {
		t.Errorf("MissingEvidenceError.Stage = %q, want %q", me.Stage, stage)
	}
	if got := workflow.Code(err); got != workflow.EMISSING {
		t.Errorf("Code(err) = %q, want %q", got, workflow.EMISSING)
	}
	type typeKinds struct {
		Type  string
		Kinds []string
	}
	var got, wantTK []typeKinds
	for _, m := range me.Missing {
		got = append(got, typeKinds{m.Type, m.Kinds})
	}
	for _, m := range want {
		wantTK = append(wantTK, typeKinds{m.Type, m.Kinds})
	}
	if diff := cmp.Diff(wantTK, got); diff != "" {
		t.Fatalf("missing items mismatch (-want +got):\n%s", diff)
	}
	for i, m := range me.Missing {
		if !hasCyrillic(m.Ru) {
			t.Errorf("missing[%d].Ru = %q, want Russian text", i, m.Ru)
		}
		if m.En == "" || hasCyrillic(m.En) {
			t.Errorf("missing[%d].En = %q, want English text", i, m.En)
		}
		for _, s := range want[i].Ru {
			if !strings.Contains(m.Ru, s) {
				t.Errorf("missing[%d].Ru = %q, want it to contain %q", i, m.Ru, s)
			}
		}
		for _, s := range want[i].En {
			if !strings.Contains(m.En, s) {
				t.Errorf("missing[%d].En = %q, want it to contain %q", i, m.En, s)
			}
			if !strings.Contains(err.Error(), s) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), s)
			}
		}
	}
}

var (
	missCompany = missing{Type: "company", Ru: []string{"реквизит"}, En: []string{"valid requisites"}}
	missTender  = missing{Type: "fact", Kinds: []string{"tender"}, Ru: []string{"итог тендера"}, En: []string{"tender outcome"}}
	missAmount  = missing{Type: "field", Kinds: []string{"amount"}, Ru: []string{"поле сделки amount"}, En: []string{"deal field amount"}}
)

func TestDecideAdvanceEvidence(t *testing.T) {
	t.Parallel()
	p := gatesPipeline(t)
	docs := func(kinds ...workflow.DocumentKind) map[workflow.DocumentKind]int {
		m := map[workflow.DocumentKind]int{}
		for _, k := range kinds {
			m[k] = 1
		}
		return m
	}
	act := func(k workflow.ActivityKind, dm bool) []workflow.ActivityEvidence {
		return []workflow.ActivityEvidence{{Kind: k, DecisionMaker: dm}}
	}
	missDocs := missing{Type: "document", Kinds: []string{"invoice", "upd"},
		Ru: []string{"«Счёт на оплату» или «УПД"}, En: []string{"Invoice or UPD", "(invoice|upd)"}}
	missAct := missing{Type: "activity", Kinds: []string{"call", "email"},
		Ru: []string{"звонок или письмо"}, En: []string{"call or email", "(call|email)"}}
	missDM := missing{Type: "activity", Kinds: []string{"meeting"}, Ru: []string{"встреча", "с ЛПР"}, En: []string{"meeting", "with a decision maker"}}
	missAny := missing{Type: "any_of", Kinds: []string{"recommendation_letter", "feedback", "call"},
		Ru: []string{"одно из: ", "«Рекомендательное письмо»", "обратная связь клиента", "с ЛПР"},
		En: []string{"one of: ", "Recommendation letter", "client feedback", "call activity (call) with a decision maker"}}
	missTraining := func(ru, en string) missing {
		return missing{Type: "training", Kinds: []string{ru}, Ru: []string{"сдать тест"}, En: []string{"pass the test", en}}
	}

	tests := []struct {
		name    string
		stage   string
		ev      workflow.Evidence
		actor   workflow.Actor
		wantTo  string
		missing []missing // nil: accepted
	}{
		{name: "company valid", stage: "company", ev: workflow.Evidence{CompanyValid: true}, wantTo: "document"},
		{name: "company invalid", stage: "company", missing: []missing{missCompany}},
		{name: "document first kind", stage: "document", ev: workflow.Evidence{Documents: docs(workflow.DocInvoice)}, wantTo: "activity"},
		{name: "document second kind", stage: "document", ev: workflow.Evidence{Documents: docs(workflow.DocUPD)}, wantTo: "activity"},
		{name: "document of another kind", stage: "document", ev: workflow.Evidence{Documents: docs(workflow.DocContract)}, missing: []missing{missDocs}},
		{name: "document count zero", stage: "document", ev: workflow.Evidence{Documents: map[workflow.DocumentKind]int{workflow.DocInvoice: 0}}, missing: []missing{missDocs}},
		{name: "document none", stage: "document", missing: []missing{missDocs}},
		{name: "activity call", stage: "activity", ev: workflow.Evidence{Activities: act(workflow.ActivityCall, false)}, wantTo: "dm"},
		{name: "activity email", stage: "activity", ev: workflow.Evidence{Activities: act(workflow.ActivityEmail, false)}, wantTo: "dm"},
		{name: "activity of another kind", stage: "activity", ev: workflow.Evidence{Activities: act(workflow.ActivityMeeting, true)}, missing: []missing{missAct}},
		{name: "activity none", stage: "activity", missing: []missing{missAct}},
		{name: "decision maker meeting", stage: "dm", ev: workflow.Evidence{Activities: act(workflow.ActivityMeeting, true)}, wantTo: "fact"},
		{name: "decision maker among several activities", stage: "dm", ev: workflow.Evidence{Activities: []workflow.ActivityEvidence{
			{Kind: workflow.ActivityMeeting}, {Kind: workflow.ActivityCall, DecisionMaker: true}, {Kind: workflow.ActivityMeeting, DecisionMaker: true}}}, wantTo: "fact"},
		{name: "meeting without decision maker", stage: "dm", ev: workflow.Evidence{Activities: act(workflow.ActivityMeeting, false)}, missing: []missing{missDM}},
		{name: "decision maker on another activity kind", stage: "dm", ev: workflow.Evidence{Activities: act(workflow.ActivityCall, true)}, missing: []missing{missDM}},
		{name: "fact recorded", stage: "fact", ev: workflow.Evidence{Facts: map[workflow.FactKind]int{workflow.FactTender: 2}}, wantTo: "field"},
		{name: "fact of another kind", stage: "fact", ev: workflow.Evidence{Facts: map[workflow.FactKind]int{workflow.FactPayment: 1}}, missing: []missing{missTender}},
		{name: "fact none", stage: "fact", missing: []missing{missTender}},
		{name: "field set", stage: "field", ev: workflow.Evidence{Fields: map[string]bool{"amount": true}}, wantTo: "any"},
		{name: "field unset", stage: "field", ev: workflow.Evidence{Fields: map[string]bool{"amount": false, "cost": true}}, missing: []missing{missAmount}},
		{name: "any_of first", stage: "any", ev: workflow.Evidence{Documents: docs(workflow.DocRecommendationLetter)}, wantTo: "trained"},
		{name: "any_of second", stage: "any", ev: workflow.Evidence{Facts: map[workflow.FactKind]int{workflow.FactFeedback: 1}}, wantTo: "trained"},
		{name: "any_of third", stage: "any", ev: workflow.Evidence{Activities: act(workflow.ActivityCall, true)}, wantTo: "trained"},
		{name: "any_of near miss", stage: "any", ev: workflow.Evidence{Activities: act(workflow.ActivityCall, false)}, missing: []missing{missAny}},
		{name: "any_of none", stage: "any", missing: []missing{missAny}},
		{name: "training passed", stage: "trained", ev: workflow.Evidence{TrainingPassed: map[string]bool{"trained": true}}, wantTo: "several"},
		{name: "training not passed", stage: "trained", ev: workflow.Evidence{TrainingPassed: map[string]bool{"trained": false}}, missing: []missing{missTraining("trained", `"Training"`)}},
		{name: "training passed for another stage", stage: "trained", ev: workflow.Evidence{TrainingPassed: map[string]bool{"several": true}}, missing: []missing{missTraining("trained", `"Training"`)}},
		{name: "several all met", stage: "several", actor: backoffice, ev: fullEvidence(), wantTo: "done"},
		{name: "several none met", stage: "several", actor: backoffice, missing: []missing{
			missCompany,
			{Type: "document", Kinds: []string{"contract"}, Ru: []string{"«Договор поставки»"}, En: []string{"Supply contract"}},
			{Type: "fact", Kinds: []string{"payment"}, Ru: []string{"поступление оплаты"}, En: []string{"payment received"}},
			{Type: "field", Kinds: []string{"cost"}, Ru: []string{"cost"}, En: []string{"deal field cost"}},
			missTraining("several", `"Several gates"`),
		}},
		{name: "several some met", stage: "several", actor: backoffice, ev: workflow.Evidence{
			CompanyValid: true, Fields: map[string]bool{"cost": true}, TrainingPassed: map[string]bool{"several": true}},
			missing: []missing{
				{Type: "document", Kinds: []string{"contract"}, Ru: []string{"Договор"}, En: []string{"contract"}},
				{Type: "fact", Kinds: []string{"payment"}, Ru: []string{"оплаты"}, En: []string{"payment"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			actor := tt.actor
			if actor.Role == "" {
				actor = rep
			}
			d := openDeal(tt.stage)
			out, err := p.Decide(d, tt.ev, workflow.Transition{Action: workflow.ActionAdvance}, actor, testNow)
			if tt.missing != nil {
				checkMissing(t, err, tt.stage, tt.missing)
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			checkOutcome(t, d, actor, out, tt.wantTo, workflow.StatusOpen, []move{{workflow.ActionAdvance, tt.stage, tt.wantTo, ""}})
		})
	}
}

// TestDecideDefaultGates refuses to leave each stage of the default pipeline without evidence
// and lists exactly that stage's gates, as DESIGN.md's table gives them.
func TestDecideDefaultGates(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	doc := func(k string) missing { return missing{Type: "document", Kinds: []string{k}} }
	fact := func(k string) missing { return missing{Type: "fact", Kinds: []string{k}} }
	tests := []struct {
		stage string
		want  []missing
	}{
		{"research", []missing{missCompany}},
		{"cold_call", []missing{{Type: "activity", Kinds: []string{"call"}, Ru: []string{"звонок"}, En: []string{"call"}}}},
		{"meeting", []missing{{Type: "document", Kinds: []string{"meeting_report"}, Ru: []string{"«Отчёт о встрече»"}, En: []string{"Meeting report"}}}},
		{"needs", []missing{{Type: "fact", Kinds: []string{"needs"}, Ru: []string{"потребности клиента"}, En: []string{"client needs"}}}},
		{"proposal", []missing{{Type: "document", Kinds: []string{"proposal"}, Ru: []string{"«Коммерческое предложение»"}, En: []string{"Commercial proposal"}}}},
		{"dmu", []missing{{Type: "fact", Kinds: []string{"decision_makers"}, Ru: []string{"ЦПР"}, En: []string{"decision makers"}}}},
		{"client_card", []missing{doc("client_card")}},
		{"negotiation", []missing{{Type: "activity", Kinds: []string{"meeting", "call"}, Ru: []string{"встреча или звонок с ЛПР"}, En: []string{"with a decision maker"}}}},
		{"tender", []missing{fact("tender")}},
		{"contract", []missing{doc("contract")}},
		{"specification", []missing{doc("specification")}},
		{"payment", []missing{doc("invoice"), fact("payment")}},
		{"production", []missing{doc("production_schedule")}},
		// DESIGN.md names only the document (УПД) for shipment; the default pipeline also
		// asks for the shipment fact.
		{"shipment", []missing{doc("upd"), fact("shipment")}},
		{"feedback", []missing{{Type: "any_of", Kinds: []string{"recommendation_letter", "feedback"},
			Ru: []string{"«Рекомендательное письмо»", "обратная связь"}, En: []string{"Recommendation letter", "client feedback"}}}},
	}
	if len(tests) != len(p.Stages) {
		t.Fatalf("the default pipeline has %d stages, the test knows %d", len(p.Stages), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			t.Parallel()
			action := workflow.ActionAdvance
			if tt.stage == "feedback" {
				action = workflow.ActionWin
			}
			_, err := p.Decide(openDeal(tt.stage), workflow.Evidence{}, workflow.Transition{Action: action}, admin, testNow)
			checkMissing(t, err, tt.stage, tt.want)
		})
	}
	t.Run("payment with invoice only", func(t *testing.T) {
		t.Parallel()
		ev := workflow.Evidence{Documents: map[workflow.DocumentKind]int{workflow.DocInvoice: 1}}
		_, err := p.Decide(openDeal("payment"), ev, workflow.Transition{Action: workflow.ActionAdvance}, backoffice, testNow)
		checkMissing(t, err, "payment", []missing{fact("payment")})
	})
	t.Run("shipment with the fact only", func(t *testing.T) {
		t.Parallel()
		ev := workflow.Evidence{Facts: map[workflow.FactKind]int{workflow.FactShipment: 1}}
		_, err := p.Decide(openDeal("shipment"), ev, workflow.Transition{Action: workflow.ActionAdvance}, backoffice, testNow)
		checkMissing(t, err, "shipment", []missing{doc("upd")})
	})
}

// TestDecideWholePipeline walks a deal from research to won with every piece of evidence, and
// seals the events into one verifiable chain.
func TestDecideWholePipeline(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	d := openDeal("research")
	first := d.Version
	var chain []workflow.Event
	for i := 1; i < len(p.Stages); i++ {
		out, err := p.Decide(d, fullEvidence(), workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: d.Version}, rep, testNow)
		if err != nil {
			t.Fatalf("advance from %s: %v", d.Stage, err)
		}
		checkOutcome(t, d, rep, out, p.Stages[i].Key, workflow.StatusOpen, []move{{workflow.ActionAdvance, p.Stages[i-1].Key, p.Stages[i].Key, ""}})
		chain = append(chain, out.Events...)
		d = out.Deal
	}
	out, err := p.Decide(d, fullEvidence(), workflow.Transition{Action: workflow.ActionWin, Reason: "оплачено и отгружено", ExpectedVersion: d.Version}, rep, testNow)
	if err != nil {
		t.Fatalf("win: %v", err)
	}
	checkOutcome(t, d, rep, out, "feedback", workflow.StatusWon, []move{{workflow.ActionWin, "feedback", "", "оплачено и отгружено"}})
	chain = append(chain, out.Events...)
	if got, want := out.Deal.Version, first+int64(len(p.Stages)); got != want {
		t.Errorf("final version = %d, want %d", got, want)
	}
	for i := range chain {
		var prev *workflow.Event
		if i > 0 {
			prev = &chain[i-1]
		}
		chain[i].Seal(prev)
	}
	if err := workflow.VerifyChain(chain); err != nil {
		t.Errorf("VerifyChain: %v", err)
	}
	if got, want := len(chain), len(p.Stages); got != want {
		t.Errorf("%d events, want %d", got, want)
	}
}

func TestDecideAdvanceAhead(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	skipped := func(to string) string {
		st, _ := p.Stage(to)
		return fmt.Sprintf("пропущен при переходе к этапу «%s» / skipped on the way to %q", st.Name.Ru, to)
	}
	tests := []struct {
		name   string
		from   string
		to     string
		reason string
		actor  workflow.Actor
		want   []move
	}{
		{name: "next stage named explicitly", from: "research", to: "cold_call", want: []move{
			{workflow.ActionAdvance, "research", "cold_call", ""}}},
		{name: "over two skippable stages", from: "research", to: "needs", want: []move{
			{workflow.ActionAdvance, "research", "cold_call", ""},
			{workflow.ActionSkip, "cold_call", "meeting", skipped("needs")},
			{workflow.ActionSkip, "meeting", "needs", skipped("needs")},
		}},
		{name: "over one of two skippable stages, with a reason", from: "research", to: "meeting", reason: " клиент сам позвал на встречу ", want: []move{
			{workflow.ActionAdvance, "research", "cold_call", "клиент сам позвал на встречу"},
			{workflow.ActionSkip, "cold_call", "meeting", "клиент сам позвал на встречу"},
		}},
		{name: "over the decision-making unit", from: "proposal", to: "client_card", want: []move{
			{workflow.ActionAdvance, "proposal", "dmu", ""},
			{workflow.ActionSkip, "dmu", "client_card", skipped("client_card")},
		}},
		{name: "over negotiation and tender", from: "client_card", to: "contract", want: []move{
			{workflow.ActionAdvance, "client_card", "negotiation", ""},
			{workflow.ActionSkip, "negotiation", "tender", skipped("contract")},
			{workflow.ActionSkip, "tender", "contract", skipped("contract")},
		}},
		{name: "from a skippable stage", from: "negotiation", to: "contract", want: []move{
			{workflow.ActionAdvance, "negotiation", "tender", ""},
			{workflow.ActionSkip, "tender", "contract", skipped("contract")},
		}},
		{name: "back office over production", from: "payment", to: "shipment", actor: backoffice, want: []move{
			{workflow.ActionAdvance, "payment", "production", ""},
			{workflow.ActionSkip, "production", "shipment", skipped("shipment")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			actor := tt.actor
			if actor.Role == "" {
				actor = rep
			}
			d := openDeal(tt.from)
			out, err := p.Decide(d, fullEvidence(), workflow.Transition{Action: workflow.ActionAdvance, To: tt.to, Reason: tt.reason}, actor, testNow)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			checkOutcome(t, d, actor, out, tt.to, workflow.StatusOpen, tt.want)
		})
	}

	refusals := []struct {
		name string
		from string
		to   string
		msg  string
	}{
		{name: "needs in between", from: "research", to: "proposal", msg: `"needs"`},
		{name: "needs and proposal in between", from: "meeting", to: "client_card", msg: `"needs"`},
		{name: "contract in between", from: "negotiation", to: "specification", msg: `"contract"`},
		{name: "far ahead", from: "research", to: "feedback", msg: `"needs"`},
	}
	for _, tt := range refusals {
		t.Run("refused/"+tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Decide(openDeal(tt.from), fullEvidence(), workflow.Transition{Action: workflow.ActionAdvance, To: tt.to}, admin, testNow)
			checkRefusal(t, err, workflow.EINVALID, "to", tt.msg)
		})
	}
	t.Run("refused/current stage's evidence missing", func(t *testing.T) {
		t.Parallel()
		_, err := p.Decide(openDeal("research"), workflow.Evidence{}, workflow.Transition{Action: workflow.ActionAdvance, To: "needs"}, rep, testNow)
		checkMissing(t, err, "research", []missing{missCompany})
	})
}

func TestDecideSkip(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	const reason = "клиент не берёт трубку, пишем письмо"
	tests := []struct {
		name  string
		from  string
		to    string
		actor workflow.Actor
		want  []move
	}{
		{name: "cold call", from: "cold_call", want: []move{{workflow.ActionSkip, "cold_call", "meeting", reason}}},
		{name: "cold call and meeting", from: "cold_call", to: "needs", want: []move{
			{workflow.ActionSkip, "cold_call", "meeting", reason},
			{workflow.ActionSkip, "meeting", "needs", reason},
		}},
		{name: "decision-making unit", from: "dmu", want: []move{{workflow.ActionSkip, "dmu", "client_card", reason}}},
		{name: "negotiation and tender", from: "negotiation", to: "contract", want: []move{
			{workflow.ActionSkip, "negotiation", "tender", reason},
			{workflow.ActionSkip, "tender", "contract", reason},
		}},
		{name: "production by back office", from: "production", actor: backoffice, want: []move{{workflow.ActionSkip, "production", "shipment", reason}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			actor := tt.actor
			if actor.Role == "" {
				actor = rep
			}
			d := openDeal(tt.from)
			// A skip needs no evidence at all.
			out, err := p.Decide(d, workflow.Evidence{}, workflow.Transition{Action: workflow.ActionSkip, To: tt.to, Reason: "\t" + reason + "\n"}, actor, testNow)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			checkOutcome(t, d, actor, out, tt.want[len(tt.want)-1].To, workflow.StatusOpen, tt.want)
		})
	}

	refusals := []struct {
		name   string
		from   string
		to     string
		reason string
		field  string
		msg    string
	}{
		{name: "research is not skippable", from: "research", reason: reason, field: "action", msg: `"research" may not be skipped`},
		{name: "needs is not skippable", from: "needs", reason: reason, field: "action", msg: "may not be skipped"},
		{name: "payment is not skippable", from: "payment", reason: reason, field: "action", msg: "may not be skipped"},
		{name: "no reason", from: "cold_call", field: "reason", msg: "reason is required"},
		{name: "blank reason", from: "cold_call", reason: " \t\n ", field: "reason", msg: "reason is required"},
		{name: "non-skippable stage in between", from: "cold_call", to: "proposal", reason: reason, field: "to", msg: `"needs"`},
		{name: "last stage", from: "feedback", reason: reason, field: "action", msg: "last stage"},
	}
	for _, tt := range refusals {
		t.Run("refused/"+tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Decide(openDeal(tt.from), fullEvidence(), workflow.Transition{Action: workflow.ActionSkip, To: tt.to, Reason: tt.reason}, admin, testNow)
			checkRefusal(t, err, workflow.EINVALID, tt.field, tt.msg)
		})
	}
}

func TestDecideLose(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	const reason = "клиент выбрал другого поставщика"
	for _, st := range p.Stages {
		t.Run(st.Key, func(t *testing.T) {
			t.Parallel()
			d := openDeal(st.Key)
			out, err := p.Decide(d, workflow.Evidence{}, workflow.Transition{Action: workflow.ActionLose, Reason: reason}, rep, testNow)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			checkOutcome(t, d, rep, out, st.Key, workflow.StatusLost, []move{{workflow.ActionLose, st.Key, "", reason}})
			if out.Deal.LostReason != reason {
				t.Errorf("LostReason = %q, want %q", out.Deal.LostReason, reason)
			}
		})
	}
	t.Run("to the current stage", func(t *testing.T) {
		t.Parallel()
		d := openDeal("contract")
		out, err := p.Decide(d, workflow.Evidence{}, workflow.Transition{Action: workflow.ActionLose, To: "contract", Reason: reason}, manager, testNow)
		if err != nil {
			t.Fatalf("Decide: %v", err)
		}
		checkOutcome(t, d, manager, out, "contract", workflow.StatusLost, []move{{workflow.ActionLose, "contract", "", reason}})
	})

	refusals := []struct {
		name   string
		to     string
		reason string
		field  string
	}{
		{name: "no reason", field: "reason"},
		{name: "blank reason", reason: "   ", field: "reason"},
		{name: "another stage", to: "tender", reason: reason, field: "to"},
	}
	for _, tt := range refusals {
		t.Run("refused/"+tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Decide(openDeal("contract"), workflow.Evidence{}, workflow.Transition{Action: workflow.ActionLose, To: tt.to, Reason: tt.reason}, rep, testNow)
			checkRefusal(t, err, workflow.EINVALID, tt.field, "")
		})
	}
}

func TestDecideWin(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	wins := []struct {
		name string
		ev   workflow.Evidence
	}{
		{"recommendation letter", workflow.Evidence{Documents: map[workflow.DocumentKind]int{workflow.DocRecommendationLetter: 1}}},
		{"feedback recorded", workflow.Evidence{Facts: map[workflow.FactKind]int{workflow.FactFeedback: 1}}},
	}
	for _, tt := range wins {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := openDeal("feedback")
			out, err := p.Decide(d, tt.ev, workflow.Transition{Action: workflow.ActionWin}, rep, testNow)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			checkOutcome(t, d, rep, out, "feedback", workflow.StatusWon, []move{{workflow.ActionWin, "feedback", "", ""}})
		})
	}
	t.Run("refused/without evidence", func(t *testing.T) {
		t.Parallel()
		_, err := p.Decide(openDeal("feedback"), workflow.Evidence{Facts: map[workflow.FactKind]int{workflow.FactShipment: 1}},
			workflow.Transition{Action: workflow.ActionWin}, rep, testNow)
		checkMissing(t, err, "feedback", []missing{{Type: "any_of", Kinds: []string{"recommendation_letter", "feedback"}}})
	})
	refusals := []struct {
		name   string
		stage  string
		action workflow.Action
		to     string
		field  string
		msg    string
	}{
		{name: "win before the last stage", stage: "shipment", action: workflow.ActionWin, field: "action", msg: `last stage "feedback"`},
		{name: "win from the first stage", stage: "research", action: workflow.ActionWin, field: "action", msg: "last stage"},
		{name: "win with a target", stage: "feedback", action: workflow.ActionWin, to: "feedback", field: "to", msg: "no target"},
		{name: "advance from the last stage", stage: "feedback", action: workflow.ActionAdvance, field: "action", msg: "use win or lose"},
	}
	for _, tt := range refusals {
		t.Run("refused/"+tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Decide(openDeal(tt.stage), fullEvidence(), workflow.Transition{Action: tt.action, To: tt.to}, admin, testNow)
			checkRefusal(t, err, workflow.EINVALID, tt.field, tt.msg)
		})
	}
}

func TestDecideClosedDeal(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	for _, status := range []workflow.Status{workflow.StatusWon, workflow.StatusLost} {
		for _, tr := range []workflow.Transition{
			{Action: workflow.ActionAdvance},
			{Action: workflow.ActionAdvance, To: "feedback"},
			{Action: workflow.ActionSkip, Reason: "x"},
			{Action: workflow.ActionLose, Reason: "x"},
			{Action: workflow.ActionWin},
		} {
			for _, stage := range []string{"tender", "feedback"} {
				name := fmt.Sprintf("%s/%s/%s", status, stage, tr.Action)
				if tr.To != "" {
					name += "_to"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					d := openDeal(stage)
					d.Status = status
					closed := wantNow.Add(-time.Hour)
					d.ClosedAt = &closed
					_, err := p.Decide(d, fullEvidence(), tr, admin, testNow)
					checkRefusal(t, err, workflow.EINVALID, "action", "already "+string(status))
				})
			}
		}
	}
}

func TestDecideExpectedVersion(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	tests := []struct {
		name     string
		expected int64
		conflict bool
	}{
		{"current version", 7, false},
		{"zero means do not check", 0, false},
		{"stale", 6, true},
		{"much older", 1, true},
		{"from the future", 8, true},
		{"negative", -7, true},
	}
	for _, tt := range tests {
		for _, tr := range []workflow.Transition{
			{Action: workflow.ActionAdvance},
			{Action: workflow.ActionSkip, Reason: "нет времени"},
			{Action: workflow.ActionLose, Reason: "дорого"},
		} {
			t.Run(tt.name+"/"+string(tr.Action), func(t *testing.T) {
				t.Parallel()
				d := openDeal("cold_call")
				tr.ExpectedVersion = tt.expected
				out, err := p.Decide(d, fullEvidence(), tr, rep, testNow)
				if !tt.conflict {
					if err != nil {
						t.Fatalf("Decide: %v", err)
					}
					if out.Deal.Version != d.Version+1 {
						t.Errorf("version = %d, want %d", out.Deal.Version, d.Version+1)
					}
					return
				}
				checkRefusal(t, err, workflow.ECONFLICT, "expected_version", "version 7")
				if !errors.Is(err, workflow.ErrConflict) {
					t.Errorf("errors.Is(%v, ErrConflict) = false", err)
				}
			})
		}
	}
}

func TestDecideRoles(t *testing.T) {
	t.Parallel()
	def := defaultPipeline(t)
	gates := gatesPipeline(t)
	tests := []struct {
		name      string
		p         *workflow.Pipeline
		stage     string
		tr        workflow.Transition
		actor     workflow.Actor
		forbidden bool
	}{
		{name: "auditor advances", p: def, stage: "research", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: auditor, forbidden: true},
		{name: "auditor loses", p: def, stage: "payment", tr: workflow.Transition{Action: workflow.ActionLose, Reason: "x"}, actor: auditor, forbidden: true},
		{name: "auditor wins", p: def, stage: "feedback", tr: workflow.Transition{Action: workflow.ActionWin}, actor: auditor, forbidden: true},
		{name: "back office at research", p: def, stage: "research", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: backoffice, forbidden: true},
		{name: "back office at proposal", p: def, stage: "proposal", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: backoffice, forbidden: true},
		{name: "back office loses at proposal", p: def, stage: "proposal", tr: workflow.Transition{Action: workflow.ActionLose, Reason: "x"}, actor: backoffice, forbidden: true},
		{name: "back office wins", p: def, stage: "feedback", tr: workflow.Transition{Action: workflow.ActionWin}, actor: backoffice, forbidden: true},
		{name: "rep at proposal", p: def, stage: "proposal", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: rep},
		{name: "manager at proposal", p: def, stage: "proposal", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: manager},
		{name: "admin at proposal", p: def, stage: "proposal", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: admin},
		{name: "back office at specification", p: def, stage: "specification", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: backoffice},
		{name: "back office at payment", p: def, stage: "payment", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: backoffice},
		{name: "back office skips production", p: def, stage: "production", tr: workflow.Transition{Action: workflow.ActionSkip, Reason: "со склада"}, actor: backoffice},
		{name: "back office at shipment", p: def, stage: "shipment", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: backoffice},
		{name: "back office loses at payment", p: def, stage: "payment", tr: workflow.Transition{Action: workflow.ActionLose, Reason: "не оплатили"}, actor: backoffice},
		{name: "rep where only back office may", p: gates, stage: "several", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: rep, forbidden: true},
		{name: "manager where only back office may", p: gates, stage: "several", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: manager, forbidden: true},
		{name: "admin where only back office may", p: gates, stage: "several", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: admin},
		{name: "unknown role", p: def, stage: "research", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: workflow.Actor{ID: 9, Role: "intern"}, forbidden: true},
		{name: "no role", p: def, stage: "research", tr: workflow.Transition{Action: workflow.ActionAdvance}, actor: workflow.Actor{ID: 9}, forbidden: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := tt.p.Decide(openDeal(tt.stage), fullEvidence(), tt.tr, tt.actor, testNow)
			if !tt.forbidden {
				if err != nil {
					t.Fatalf("Decide: %v", err)
				}
				if out.Deal.Version != 8 {
					t.Errorf("version = %d, want 8", out.Deal.Version)
				}
				return
			}
			checkRefusal(t, err, workflow.EFORBIDDEN, "", "")
			if !errors.Is(err, workflow.ErrForbidden) {
				t.Errorf("errors.Is(%v, ErrForbidden) = false", err)
			}
			if tt.actor.Role != workflow.RoleAuditor && !strings.Contains(err.Error(), `"`+tt.stage+`"`) {
				t.Errorf("message %q does not name the stage %q", err, tt.stage)
			}
		})
	}
}

func TestDecideRefusals(t *testing.T) {
	t.Parallel()
	p := defaultPipeline(t)
	tests := []struct {
		name  string
		stage string
		tr    workflow.Transition
		field string
		msg   string
	}{
		{name: "unknown action", stage: "needs", tr: workflow.Transition{Action: "jump"}, field: "action", msg: `unknown action "jump"`},
		{name: "no action", stage: "needs", tr: workflow.Transition{}, field: "action", msg: "action is required"},
		{name: "create is not a transition", stage: "needs", tr: workflow.Transition{Action: workflow.ActionCreate}, field: "action", msg: "unknown action"},
		{name: "action in upper case", stage: "needs", tr: workflow.Transition{Action: "ADVANCE"}, field: "action", msg: "unknown action"},
		{name: "advance behind", stage: "needs", tr: workflow.Transition{Action: workflow.ActionAdvance, To: "research"}, field: "to", msg: "not ahead"},
		{name: "advance to the current stage", stage: "needs", tr: workflow.Transition{Action: workflow.ActionAdvance, To: "needs"}, field: "to", msg: "not ahead"},
		{name: "skip behind", stage: "meeting", tr: workflow.Transition{Action: workflow.ActionSkip, To: "cold_call", Reason: "x"}, field: "to", msg: "not ahead"},
		{name: "skip to the current stage", stage: "meeting", tr: workflow.Transition{Action: workflow.ActionSkip, To: "meeting", Reason: "x"}, field: "to", msg: "not ahead"},
		{name: "unknown target", stage: "needs", tr: workflow.Transition{Action: workflow.ActionAdvance, To: "nowhere"}, field: "to", msg: `unknown stage "nowhere"`},
		{name: "reason too long", stage: "needs", tr: workflow.Transition{Action: workflow.ActionAdvance, Reason: strings.Repeat("я", workflow.MaxReasonLen+1)}, field: "reason", msg: "longer than 1000"},
		{name: "lose reason too long", stage: "needs", tr: workflow.Transition{Action: workflow.ActionLose, Reason: strings.Repeat("x", 5000)}, field: "reason", msg: "longer than 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Decide(openDeal(tt.stage), fullEvidence(), tt.tr, admin, testNow)
			checkRefusal(t, err, workflow.EINVALID, tt.field, tt.msg)
		})
	}
	t.Run("deal at a stage the pipeline lacks", func(t *testing.T) {
		t.Parallel()
		_, err := p.Decide(openDeal("retired_stage"), fullEvidence(), workflow.Transition{Action: workflow.ActionAdvance}, admin, testNow)
		checkRefusal(t, err, workflow.EINVALID, "stage", `"retired_stage"`)
	})
	t.Run("reason of exactly the limit", func(t *testing.T) {
		t.Parallel()
		// Counted in characters, not bytes, after trimming white space.
		reason := strings.Repeat("я", workflow.MaxReasonLen)
		d := openDeal("needs")
		out, err := p.Decide(d, fullEvidence(), workflow.Transition{Action: workflow.ActionAdvance, Reason: "  " + reason + "  "}, rep, testNow)
		if err != nil {
			t.Fatalf("Decide: %v", err)
		}
		checkOutcome(t, d, rep, out, "proposal", workflow.StatusOpen, []move{{workflow.ActionAdvance, "needs", "proposal", reason}})
	})
}
