package documents

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// validated validates prefilled data, failing the test on errors.
func validated(t *testing.T, d Data) Data {
	t.Helper()
	if d == nil {
		t.Fatal("Prefill returned nil")
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("prefilled %s does not validate: %v", d.Kind(), err)
	}
	return d
}

// TestPrefillChain walks one deal from the meeting to the reference letter: each document
// starts from the previous ones and validates after the few things only a person knows.
func TestPrefillChain(t *testing.T) {
	rep := Contact{Name: "Иванов Алексей Дмитриевич", Position: "Менеджер по продажам", Phone: "+7 (912) 604-18-22"}
	buyer := demoBuyer()
	buyer.Account, buyer.BankName, buyer.BIK, buyer.CorrAccount = "", "", "", ""
	buyer.DirectorName, buyer.DirectorTitle = "", ""
	in := PrefillInput{
		Seller: demoSeller(), Buyer: buyer, DealTitle: "Компрессорная станция цеха № 3",
		Amount: 615000000, Currency: "RUB", Rep: rep,
		Previous: map[workflow.DocumentKind]Data{
			workflow.DocMeetingReport: mustDecode(t, workflow.DocMeetingReport, exampleJSON(t, workflow.DocMeetingReport)),
		},
	}

	// Proposal: addressed to the decision maker of the meeting, one line from the deal.
	in.Today = day(2026, 3, 12)
	p := validated(t, Prefill(workflow.DocProposal, in)).(*Proposal)
	if p.Addressee.Name != "Гаврилов Павел Игоревич" || !strings.Contains(p.Intro, "26.02.2026") {
		t.Errorf("addressee %q, intro %q", p.Addressee.Name, p.Intro)
	}
	if p.ValidUntil.String() != "2026-04-11" || p.Manager != rep || p.Subject != in.DealTitle {
		t.Errorf("valid_until %s, manager %+v, subject %q", p.ValidUntil, p.Manager, p.Subject)
	}
	if net, _ := p.Total(); net != in.Amount {
		t.Errorf("proposal net %v, want the deal amount %v", net, in.Amount)
	}
	// The client card takes the meeting's people and needs.
	cc := validated(t, Prefill(workflow.DocClientCard, in)).(*ClientCard)
	if len(cc.DMU) != 3 || cc.DMU[0].Role != RoleDecisionMaker || len(cc.Needs) != 4 || len(cc.ContactHistory) != 1 {
		t.Errorf("client card: dmu %d, needs %d, history %d", len(cc.DMU), len(cc.Needs), len(cc.ContactHistory))
	}
	// A revised proposal copies the sent one.
	in.Previous[workflow.DocProposal] = mustDecode(t, workflow.DocProposal, exampleJSON(t, workflow.DocProposal))
	in.Today = day(2026, 3, 20)
	p2 := validated(t, Prefill(workflow.DocProposal, in)).(*Proposal)
	if p2.Number != "" || len(p2.Lines) != 4 || len(p2.OptionalLines) != 2 || p2.Date.String() != "2026-03-20" {
		t.Errorf("revision: number %q, %d lines, %d options, date %s", p2.Number, len(p2.Lines), len(p2.OptionalLines), p2.Date)
	}

	// Contract: the proposal's lines (not its options), standard terms.
	in.Today = day(2026, 4, 10)
	c := Prefill(workflow.DocContract, in).(*Contract)
	if c.City != "Екатеринбург" || len(c.Lines) != 4 || c.AdvancePercent != "50" || c.Lines[0].VATRate != "" {
		t.Errorf("contract: city %q, %d lines, advance %q, rate %q", c.City, len(c.Lines), c.AdvancePercent, c.Lines[0].VATRate)
	}
	if err := c.Validate(); err == nil {
		t.Error("a contract needs the court and the buyer's signatory from a person")
	}
	c.ArbitrationCourt = "Арбитражный суд Свердловской области"
	c.Buyer.DirectorName, c.Buyer.DirectorTitle = "Белов Сергей Николаевич", "Генеральный директор"
	c.SetNumber("45/2026-П", in.Today)
	validated(t, c)
	in.Previous[workflow.DocContract] = c
	_, propGross := in.Previous[workflow.DocProposal].(*Proposal).Total()
	if _, g := c.Total(); g != propGross {
		t.Errorf("contract total %v, proposal %v", g, propGross)
	}

	// Specification: contract number and date, lines, signatories, schedule from the
	// contract's payment terms.
	s := validated(t, Prefill(workflow.DocSpecification, in)).(*Specification)
	if s.Contract.Number != "45/2026-П" || s.Contract.Date.String() != "2026-04-10" || s.Place != "Екатеринбург" {
		t.Errorf("spec contract %+v, place %q", s.Contract, s.Place)
	}
	if s.Buyer.DirectorName != "Белов Сергей Николаевич" || len(s.PaymentSchedule) != 2 || s.PaymentSchedule[1].From != "readiness" {
		t.Errorf("spec buyer signatory %q, schedule %+v", s.Buyer.DirectorName, s.PaymentSchedule)
	}
	s.SetNumber("1", in.Today)
	in.Previous[workflow.DocSpecification] = s

	// Invoice: lines of the specification; the planned shipment decides the VAT.
	in.Today = day(2026, 4, 13)
	inv := validated(t, Prefill(workflow.DocInvoice, in)).(*Invoice)
	if inv.Contract.Number != "45/2026-П" || inv.Specification.Number != "1" || inv.PaymentDue.String() != "2026-04-20" {
		t.Errorf("invoice refs %+v %+v, due %s", inv.Contract, inv.Specification, inv.PaymentDue)
	}
	if inv.ShipmentDate.String() != "2026-07-13" { // 60 working days after 20.04.2026
		t.Errorf("planned shipment %s", inv.ShipmentDate)
	}
	if _, g := inv.Total(); g != propGross {
		t.Errorf("invoice total %v, want %v", g, propGross)
	}
	inv.SetNumber("СЧ-2026-000123", in.Today)
	in.Previous[workflow.DocInvoice] = inv
	if !strings.Contains(inv.View()["basis"].(string), "Договор поставки № 45/2026-П от 10.04.2026, Спецификация № 1") {
		t.Errorf("invoice basis %q", inv.View()["basis"])
	}

	// Production schedule: the DOMAIN milestones from the trigger date.
	in.Today = day(2026, 4, 16)
	ps := validated(t, Prefill(workflow.DocProductionSchedule, in)).(*ProductionSchedule)
	if len(ps.Milestones) != 8 || ps.Item != "Компрессор винтовой ВК-55" || ps.Contract.Number != "45/2026-П" || ps.Specification.Number != "1" {
		t.Errorf("schedule: %d milestones, item %q, refs %+v %+v", len(ps.Milestones), ps.Item, ps.Contract, ps.Specification)
	}
	if got := ps.Milestones[6].Planned.String(); got != "2026-07-09" { // shipment: 60 working days after Thu 16.04
		t.Errorf("shipment milestone %s", got)
	}

	// УПД: the invoice's lines, shipped today.
	in.Today = day(2026, 7, 6)
	u := validated(t, Prefill(workflow.DocUPD, in)).(*UPD)
	if u.Contract.Number != "45/2026-П" || u.ShipmentDate.String() != "2026-07-06" || u.Status != 1 || len(u.Lines) != 4 {
		t.Errorf("upd: %+v, shipped %s, status %d, %d lines", u.Contract, u.ShipmentDate, u.Status, len(u.Lines))
	}
	if _, g := u.Total(); g != propGross {
		t.Errorf("upd total %v, want %v", g, propGross)
	}
	u.SetNumber("214", in.Today)
	in.Previous[workflow.DocUPD] = u

	// Recommendation letter: a draft for the client, from the contract and the shipment.
	in.Today = day(2026, 8, 3)
	rl := validated(t, Prefill(workflow.DocRecommendationLetter, in)).(*RecommendationLetter)
	if rl.Supplied.Contract.Number != "45/2026-П" || rl.Supplied.PeriodTo.String() != "2026-07-06" ||
		rl.Supplied.Amount != "7503000.00" || len(rl.Supplied.Equipment) != 4 || rl.Status != LetterRequested {
		t.Errorf("letter supplied %+v, status %s", rl.Supplied, rl.Status)
	}
	if rl.Author.INN != buyer.INN || rl.Supplier.INN != in.Seller.INN || !strings.HasPrefix(rl.Supplied.Equipment[0], "Компрессор винтовой ВК-55 — 2 шт") {
		t.Errorf("letter author %q, supplier %q, equipment %q", rl.Author.INN, rl.Supplier.INN, rl.Supplied.Equipment[0])
	}

	// The previous documents were not changed by prefilling from them.
	if c.Lines[0].VATRate != "22" || c.Number != "45/2026-П" {
		t.Errorf("contract changed: %+v", c.Lines[0])
	}
}

// TestPrefillVATAcrossNewYear: a 2025 proposal at 20 % becomes a 2026 УПД at 22 %.
func TestPrefillVATAcrossNewYear(t *testing.T) {
	m := exampleMap(t, workflow.DocProposal)
	setPath(t, m, "date", "2025-12-10")
	setPath(t, m, "valid_until", "2026-01-09")
	for i := range 4 {
		setPath(t, m, "lines."+string(rune('0'+i))+".vat_rate", "20")
	}
	setPath(t, m, "optional_lines", deleted{})
	prop := mustDecode(t, workflow.DocProposal, mustJSON(t, m)).(*Proposal)
	contract := mustDecode(t, workflow.DocContract, exampleJSON(t, workflow.DocContract))
	in := PrefillInput{Seller: demoSeller(), Buyer: demoBuyer(), Today: day(2026, 1, 15),
		Previous: map[workflow.DocumentKind]Data{workflow.DocProposal: prop, workflow.DocContract: contract}}
	u := validated(t, Prefill(workflow.DocUPD, in)).(*UPD)
	for i, l := range u.Lines {
		if l.VATRate != "22" {
			t.Errorf("lines[%d] rate %s, want 22", i, l.VATRate)
		}
	}
	in.Today = day(2025, 12, 30)
	u = validated(t, Prefill(workflow.DocUPD, in)).(*UPD)
	if u.Lines[0].VATRate != "20" {
		t.Errorf("2025 shipment rate %s, want 20", u.Lines[0].VATRate)
	}
	if _, g := u.Total(); g.String() != "7380000.00" { // 6 150 000 × 1.20
		t.Errorf("2025 gross %v", g)
	}
}

func TestPrefillFromNothing(t *testing.T) {
	in := PrefillInput{Seller: demoSeller(), Buyer: demoBuyer(), DealTitle: "Осушитель", Today: day(2026, 2, 2)}
	for _, k := range workflow.DocumentKinds {
		d := Prefill(k, in)
		if d == nil || d.Kind() != k {
			t.Fatalf("Prefill(%s) = %v", k, d)
		}
		if _, date := d.Header(); !date.Equal(day(2026, 2, 2)) {
			t.Errorf("%s dated %v", k, date)
		}
		_ = d.View() // a draft renders even when incomplete
	}
	if Prefill("memo", in) != nil {
		t.Error("unknown kind")
	}
	mr := Prefill(workflow.DocMeetingReport, in).(*MeetingReport)
	if mr.Goal != "Осушитель" || mr.Client.INN != in.Buyer.INN {
		t.Errorf("meeting report: %+v", mr)
	}
	if p := Prefill(workflow.DocProposal, in).(*Proposal); len(p.Lines) != 0 {
		t.Error("no amount: no line")
	}
	ps := Prefill(workflow.DocProductionSchedule, in).(*ProductionSchedule)
	if !slices.IsSortedFunc(ps.Milestones, func(a, b Milestone) int { return a.Planned.Compare(b.Planned.Time) }) {
		t.Error("milestones out of order")
	}
}

func TestAddWorkingDays(t *testing.T) {
	fri := Date{day(2026, 4, 17)}
	if got := addWorkingDays(fri, 1).String(); got != "2026-04-20" {
		t.Errorf("Friday + 1 = %s", got)
	}
	if got := addWorkingDays(fri, 5).String(); got != "2026-04-24" {
		t.Errorf("Friday + 5 = %s", got)
	}
	if !addWorkingDays(Date{}, 3).IsZero() {
		t.Error("zero date")
	}
}
