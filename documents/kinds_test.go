package documents

import (
	"strings"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// change is one edit of an example: set path to value (deleted{} removes it).
type change struct {
	path  string
	value any
}

type errCase struct {
	name    string
	changes []change
	want    []string
}

// runErrCases applies each case's changes to the kind's example and checks that Decode
// names every wanted field.
func runErrCases(t *testing.T, k workflow.DocumentKind, cases []errCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := exampleMap(t, k)
			for _, c := range tc.changes {
				setPath(t, m, c.path, c.value)
			}
			_, err := Decode(k, mustJSON(t, m))
			wantFields(t, err, tc.want...)
		})
	}
}

func one(path string, v any) []change { return []change{{path, v}} }

var long = strings.Repeat("ж", maxText+1)

func TestMeetingReportErrors(t *testing.T) {
	runErrCases(t, workflow.DocMeetingReport, []errCase{
		{"date required", one("date", deleted{}), []string{"date"}},
		{"date out of range", one("date", "1899-01-01"), []string{"date"}},
		{"time not HH:MM", one("time", "25:00"), []string{"time"}},
		{"format unknown", one("format", "zoom"), []string{"format"}},
		{"client name", one("client.name", ""), []string{"client.name"}},
		{"client INN checksum", one("client.inn", "6625003712"), []string{"client.inn"}},
		{"no participants", one("participants", []any{}), []string{"participants"}},
		{"no client participant", one("participants", []any{map[string]any{"name": "Иванов", "side": "seller"}}), []string{"participants"}},
		{"participant role", one("participants.0.role", "boss"), []string{"participants[0].role"}},
		{"client participant needs a role", one("participants.1.role", deleted{}), []string{"participants[1].role"}},
		{"participant side", one("participants.2.side", ""), []string{"participants[2].side"}},
		{"participant e-mail", one("participants.0.email", "gavrilov.pzta"), []string{"participants[0].email"}},
		{"goal required", one("goal", " "), []string{"goal"}},
		{"goal too long", one("goal", long), []string{"goal"}},
		{"topic empty", one("topics.1", ""), []string{"topics[1]"}},
		{"objection empty", one("objections.0.objection", ""), []string{"objections[0].objection"}},
		{"next steps required", one("next_steps", []any{}), []string{"next_steps"}},
		{"next step owner", one("next_steps.0.owner", ""), []string{"next_steps[0].owner"}},
		{"next step before the meeting", one("next_steps.2.due", "2026-02-01"), []string{"next_steps[2].due"}},
		{"promised document due", one("documents_promised.1.due", deleted{}), []string{"documents_promised[1].due"}},
		{"probability over 100", one("assessment.probability", 120), []string{"assessment.probability"}},
		{"potential not money", one("assessment.potential", "6 млн"), []string{"assessment.potential"}},
		{"author required", one("author.name", ""), []string{"author.name"}},
		{"several at once", []change{{"goal", ""}, {"time", "9"}, {"next_steps.0.action", ""}},
			[]string{"goal", "time", "next_steps[0].action"}},
		{"unknown field", one("colour", "red"), []string{"colour"}},
		{"wrong type", one("assessment.probability", "сорок"), []string{"assessment.probability"}},
	})
}

func TestProposalErrors(t *testing.T) {
	runErrCases(t, workflow.DocProposal, []errCase{
		{"seller INN", one("seller.inn", "6658012342"), []string{"seller.inn"}},
		{"seller KPP", one("seller.kpp", "66580100"), []string{"seller.kpp"}},
		{"seller account key", one("seller.account", "40702810316020012346"), []string{"seller.account"}},
		{"seller address", one("seller.address", ""), []string{"seller.address"}},
		{"buyer name", one("buyer.name", ""), []string{"buyer.name"}},
		{"buyer OGRN", one("buyer.ogrn", "1026601532144"), []string{"buyer.ogrn"}},
		{"subject", one("subject", ""), []string{"subject"}},
		{"no lines", one("lines", []any{}), []string{"lines"}},
		{"line qty", one("lines.2.qty", "1.2345"), []string{"lines[2].qty"}},
		{"line price", one("lines.0.price", "2,600,000.00"), []string{"lines[0].price"}},
		{"optional line rate", one("optional_lines.1.vat_rate", "18%%"), []string{"optional_lines[1].vat_rate"}},
		{"totals sent wrong", one("totals", map[string]any{"gross": "1.00"}), []string{"totals.gross"}},
		{"optional totals without optional lines", []change{{"optional_lines", deleted{}}, {"optional_totals", map[string]any{"net": "0"}}}, []string{"optional_totals"}},
		{"currency", one("currency", "GBP"), []string{"currency"}},
		{"delivery time", one("delivery_time", ""), []string{"delivery_time"}},
		{"payment terms", one("payment_terms", ""), []string{"payment_terms"}},
		{"valid until required", one("valid_until", deleted{}), []string{"valid_until"}},
		{"valid until before date", one("valid_until", "2026-03-01"), []string{"valid_until"}},
		{"manager name", one("manager.name", ""), []string{"manager.name"}},
		{"manager contact", []change{{"manager.phone", ""}, {"manager.email", ""}}, []string{"manager.phone"}},
		{"no signer at all", []change{{"seller.director_name", ""}}, []string{"seller.director_name"}},
		{"benefit too long", one("benefits.0", strings.Repeat("я", maxName+1)), []string{"benefits[0]"}},
	})
}

func TestClientCardErrors(t *testing.T) {
	runErrCases(t, workflow.DocClientCard, []errCase{
		{"company name", one("company.name", ""), []string{"company.name"}},
		{"company INN", one("company.inn", "123"), []string{"company.inn"}},
		{"okved", one("okved", "28-14"), []string{"okved"}},
		{"revenue", one("revenue", "-1"), []string{"revenue"}},
		{"headcount", one("headcount", -5), []string{"headcount"}},
		{"site name", one("sites.1.name", ""), []string{"sites[1].name"}},
		{"installed base year", one("installed_base.0.year", 1800), []string{"installed_base[0].year"}},
		{"competitor name", one("competitors.0.name", ""), []string{"competitors[0].name"}},
		{"need", one("needs.1.description", ""), []string{"needs[1].description"}},
		{"budget month", one("budget.budgeting_month", 13), []string{"budget.budgeting_month"}},
		{"procurement law", one("procurement.law", "94-fz"), []string{"procurement.law"}},
		{"dmu role", one("dmu.0.role", "boss"), []string{"dmu[0].role"}},
		{"dmu attitude", one("dmu.1.attitude", "friendly"), []string{"dmu[1].attitude"}},
		{"dmu influence", one("dmu.2.influence", "huge"), []string{"dmu[2].influence"}},
		{"dmu last contact", one("dmu.3.last_contact", "2201-01-01"), []string{"dmu[3].last_contact"}},
		{"contact kind", one("contact_history.0.kind", "visit"), []string{"contact_history[0].kind"}},
		{"contact date", one("contact_history.2.date", deleted{}), []string{"contact_history[2].date"}},
		{"next step owner", one("next_step.owner", ""), []string{"next_step.owner"}},
		{"priority", one("priority", "D"), []string{"priority"}},
		{"risk empty", one("risks.0", ""), []string{"risks[0]"}},
	})
}

func TestContractErrors(t *testing.T) {
	runErrCases(t, workflow.DocContract, []errCase{
		{"city", one("city", ""), []string{"city"}},
		{"seller signatory", one("seller.director_name", ""), []string{"seller.director_name"}},
		{"buyer signatory title", one("buyer.director_title", ""), []string{"buyer.director_title"}},
		{"buyer INN required", one("buyer.inn", ""), []string{"buyer.inn"}},
		{"buyer KPP for an organisation", one("buyer.kpp", ""), []string{"buyer.kpp"}},
		{"subject", one("subject", ""), []string{"subject"}},
		{"total not money", one("total", "7.5 млн"), []string{"total"}},
		{"total rate", one("total_vat_rate", "21"), []string{"total_vat_rate"}},
		{"total must match lines", []change{{"lines", exampleMap(t, workflow.DocSpecification)["lines"]}, {"total", "1.00"}}, []string{"total", "total_vat_rate"}},
		{"advance percent", one("advance_percent", "150"), []string{"advance_percent"}},
		{"advance percent required", one("advance_percent", deleted{}), []string{"advance_percent"}},
		{"advance days", one("advance_days", 0), []string{"advance_days"}},
		{"balance days", one("balance_days", 0), []string{"balance_days"}},
		{"advance from", one("advance_from", "tomorrow"), []string{"advance_from"}},
		{"payment day type", one("payment_day_type", "lunar"), []string{"payment_day_type"}},
		{"delivery days", one("delivery_days", 0), []string{"delivery_days"}},
		{"delivery basis", one("delivery_basis", "FCA"), []string{"delivery_basis"}},
		{"delivery address for delivery", one("delivery_address", ""), []string{"delivery_address"}},
		{"warranty months", one("warranty_months", 0), []string{"warranty_months"}},
		{"warranty cap below warranty", one("warranty_max_months", 6), []string{"warranty_max_months"}},
		{"penalty", one("penalty_percent", "0,1%%"), []string{"penalty_percent"}},
		{"penalty cap", one("penalty_cap_percent", ""), []string{"penalty_cap_percent"}},
		{"claims days", one("claims_days", 400), []string{"claims_days"}},
		{"arbitration court", one("arbitration_court", ""), []string{"arbitration_court"}},
		{"term before the date", one("valid_until", "2026-01-01"), []string{"valid_until"}},
	})
	t.Run("defaults", func(t *testing.T) {
		m := exampleMap(t, workflow.DocContract)
		for _, k := range []string{"claims_days", "advance_from", "balance_from", "payment_day_type", "delivery_day_type", "delivery_from", "warranty_from", "vat_change_clause"} {
			setPath(t, m, k, deleted{})
		}
		d := mustDecode(t, workflow.DocContract, mustJSON(t, m)).(*Contract)
		if d.ClaimsDays != 30 || d.AdvanceFrom != "invoice" || d.BalanceFrom != "readiness" || d.PaymentDayType != DaysBanking ||
			d.DeliveryDayType != DaysWorking || d.DeliveryFrom != "advance" || d.WarrantyFrom != "commissioning" {
			t.Errorf("defaults not filled: %+v", d)
		}
		v := d.View()
		if v["vat_change_clause"] != true || v["vat_change_text"] == "" {
			t.Error("the VAT-change clause is on by default")
		}
	})
	t.Run("100 % advance has no balance", func(t *testing.T) {
		m := exampleMap(t, workflow.DocContract)
		setPath(t, m, "advance_percent", "100")
		setPath(t, m, "balance_days", deleted{})
		d := mustDecode(t, workflow.DocContract, mustJSON(t, m))
		if pt := d.View()["payment_terms"].(string); strings.Count(pt, "%") != 1 || !strings.HasPrefix(pt, "100 %") {
			t.Errorf("payment_terms = %q", pt)
		}
	})
	t.Run("price without lines extracts VAT", func(t *testing.T) {
		d := mustDecode(t, workflow.DocContract, exampleJSON(t, workflow.DocContract)).(*Contract)
		net, gross := d.Total()
		if gross.String() != "7503000.00" || net.String() != "6150000.00" {
			t.Errorf("Total() = %v, %v", net, gross)
		}
	})
}

func TestSpecificationErrors(t *testing.T) {
	runErrCases(t, workflow.DocSpecification, []errCase{
		{"place", one("place", ""), []string{"place"}},
		{"contract number", one("contract.number", ""), []string{"contract.number"}},
		{"contract date", one("contract.date", deleted{}), []string{"contract.date"}},
		{"contract missing", one("contract", deleted{}), []string{"contract.number", "contract.date"}},
		{"before the contract", one("date", "2026-04-01"), []string{"date"}},
		{"lines required", one("lines", []any{}), []string{"lines"}},
		{"line price", one("lines.3.price", ""), []string{"lines[3].price"}},
		{"seller signatory", one("seller.director_title", ""), []string{"seller.director_title"}},
		{"schedule sum", one("payment_schedule.1.percent", "40"), []string{"payment_schedule"}},
		{"schedule empty", one("payment_schedule", []any{}), []string{"payment_schedule"}},
		{"schedule percent zero", []change{{"payment_schedule.0.percent", "0"}, {"payment_schedule.1.percent", "100"}}, []string{"payment_schedule[0].percent"}},
		{"schedule event", one("payment_schedule.0.from", "someday"), []string{"payment_schedule[0].from"}},
		{"schedule days", one("payment_schedule.1.days", -1), []string{"payment_schedule[1].days"}},
		{"consignee INN", one("consignee.inn", "6625003710"), []string{"consignee.inn"}},
		{"delivery basis", one("delivery_basis", ""), []string{"delivery_basis"}},
		{"warranty", one("warranty_months", 300), []string{"warranty_months"}},
		{"document empty", one("documents.0", ""), []string{"documents[0]"}},
	})
	t.Run("instalments add up to the total", func(t *testing.T) {
		m := exampleMap(t, workflow.DocSpecification)
		setPath(t, m, "payment_schedule", []any{
			map[string]any{"percent": "33.33", "days": 5, "from": "signing"},
			map[string]any{"percent": "33.33", "days": 0, "from": "readiness"},
			map[string]any{"percent": "33.34", "days": 10, "from": "commissioning"},
		})
		setPath(t, m, "lines", []any{map[string]any{"name": "X", "qty": "1", "price": "100.01"}})
		d := mustDecode(t, workflow.DocSpecification, mustJSON(t, m))
		sched := d.View()["payment_schedule"].([]map[string]any)
		sum := int64(0)
		for _, s := range sched {
			v, _ := parseMoneyOK(s["amount_raw"].(string))
			sum += v
		}
		if sum != 12201 { // 100.01 + 22 % = 122.01
			t.Errorf("instalments sum to %d kopecks, want 12201", sum)
		}
		if !strings.HasPrefix(sched[1]["term"].(string), "в день уведомления") {
			t.Errorf("term for 0 days = %q", sched[1]["term"])
		}
	})
}

func TestProductionScheduleErrors(t *testing.T) {
	runErrCases(t, workflow.DocProductionSchedule, []errCase{
		{"contract", one("contract.number", ""), []string{"contract.number"}},
		{"item", one("item", ""), []string{"item"}},
		{"trigger date", one("trigger_date", deleted{}), []string{"trigger_date"}},
		{"no milestones", one("milestones", []any{}), []string{"milestones"}},
		{"milestone name", one("milestones.2.name", ""), []string{"milestones[2].name"}},
		{"planned before trigger", one("milestones.0.planned", "2026-04-01"), []string{"milestones[0].planned"}},
		{"status", one("milestones.3.status", "stuck"), []string{"milestones[3].status"}},
		{"done without actual", one("milestones.0.actual", deleted{}), []string{"milestones[0].actual"}},
		{"actual without done", one("milestones.2.actual", "2026-05-20"), []string{"milestones[2].status"}},
		{"actual after the schedule date", one("milestones.1.actual", "2026-05-30"), []string{"milestones[1].actual"}},
		{"deviation sent wrong", one("milestones.1.deviation_days", 5), []string{"milestones[1].deviation_days"}},
	})
	t.Run("deviations", func(t *testing.T) {
		d := mustDecode(t, workflow.DocProductionSchedule, exampleJSON(t, workflow.DocProductionSchedule)).(*ProductionSchedule)
		// done early by 1, done late by 2, open and not due, …
		want := []int{-1, 2, 0, 0, 0, 0, 0, 0}
		for i, m := range d.Milestones {
			if *m.DeviationDays != want[i] {
				t.Errorf("milestones[%d] deviation %d, want %d", i, *m.DeviationDays, want[i])
			}
		}
		m := exampleMap(t, workflow.DocProductionSchedule)
		setPath(t, m, "date", "2026-06-18") // assembly planned 15.06, still in progress
		v := mustDecode(t, workflow.DocProductionSchedule, mustJSON(t, m)).View()
		ms := v["milestones"].([]map[string]any)
		if ms[2]["deviation_days"] != "3" || ms[2]["overdue"] != true || ms[2]["deviation"] != "+3 дн." {
			t.Errorf("open milestone past due: %v", ms[2])
		}
		if v["on_schedule"] != false || v["max_deviation_days"] != "3" || v["milestones_late"] != "2" {
			t.Errorf("summary: on_schedule %v, max %v, late %v", v["on_schedule"], v["max_deviation_days"], v["milestones_late"])
		}
	})
}

func TestInvoiceErrors(t *testing.T) {
	runErrCases(t, workflow.DocInvoice, []errCase{
		{"seller bank required", []change{{"seller.bank_name", ""}, {"seller.bik", ""}, {"seller.account", ""}, {"seller.corr_account", ""}},
			[]string{"seller.bank_name", "seller.bik", "seller.account", "seller.corr_account"}},
		{"seller BIK", one("seller.bik", "146577674"), []string{"seller.bik"}},
		{"seller corr account", one("seller.corr_account", "30101810500000000675"), []string{"seller.corr_account"}},
		{"buyer address", one("buyer.address", ""), []string{"buyer.address"}},
		{"contract ref half", one("contract.number", ""), []string{"contract.number"}},
		{"lines", one("lines", deleted{}), []string{"lines"}},
		{"payment due before date", one("payment_due", "2026-04-01"), []string{"payment_due"}},
		{"purpose too long", one("purpose", strings.Repeat("x", 211)), []string{"purpose"}},
		{"2025 rate for a 2026 shipment", one("lines.0.vat_rate", "20"), []string{"lines[0].vat_rate"}},
	})
	t.Run("rate follows the planned shipment date", func(t *testing.T) {
		m := exampleMap(t, workflow.DocInvoice)
		setPath(t, m, "date", "2025-12-15")
		setPath(t, m, "payment_due", "2025-12-22")
		for i := range 4 {
			setPath(t, m, "lines."+string(rune('0'+i))+".vat_rate", deleted{})
		}
		d := mustDecode(t, workflow.DocInvoice, mustJSON(t, m)).(*Invoice)
		if d.Lines[0].VATRate != "22" {
			t.Errorf("invoice of 2025 for a 2026 shipment: rate %s, want 22", d.Lines[0].VATRate)
		}
		setPath(t, m, "shipment_date", deleted{})
		d = mustDecode(t, workflow.DocInvoice, mustJSON(t, m)).(*Invoice)
		if d.Lines[0].VATRate != "20" || d.View()["vat_date"] != "15.12.2025" {
			t.Errorf("no shipment date: rate %s (vat_date %v), want 20 from the invoice date", d.Lines[0].VATRate, d.View()["vat_date"])
		}
	})
	t.Run("derived purpose", func(t *testing.T) {
		v := mustDecode(t, workflow.DocInvoice, exampleJSON(t, workflow.DocInvoice)).View()
		want := "Оплата по счёту № СЧ-2026-000123 от 13.04.2026 по договору № 45/2026-П от 10.04.2026. В т.ч. НДС 22 % — 1" + nbsp + "353" + nbsp + "000,00 руб."
		if v["purpose"] != want {
			t.Errorf("purpose = %q", v["purpose"])
		}
		if v["basis"] != "Договор поставки № 45/2026-П от 10.04.2026, Спецификация № 1 от 10.04.2026" {
			t.Errorf("basis = %q", v["basis"])
		}
	})
}

func TestUPDErrors(t *testing.T) {
	runErrCases(t, workflow.DocUPD, []errCase{
		{"status", one("status", 3), []string{"status"}},
		{"profile", one("profile", "torg13"), []string{"profile"}},
		{"seller signatory", one("seller.director_name", ""), []string{"seller.director_name"}},
		{"buyer INN", one("buyer.inn", "662500371"), []string{"buyer.inn"}},
		{"shipment date", one("shipment_date", deleted{}), []string{"shipment_date"}},
		{"basis", []change{{"contract", deleted{}}, {"basis", deleted{}}}, []string{"contract"}},
		{"payment document date", one("payment_documents.1.date", deleted{}), []string{"payment_documents[1].date"}},
		{"okei required", []change{{"lines.3.okei", deleted{}}, {"lines.3.unit", "выезд"}}, []string{"lines[3].okei"}},
		{"customs declaration", one("lines.1.customs_declaration", strings.Repeat("1", 65)), []string{"lines[1].customs_declaration"}},
		{"consignee address", one("consignee.address", ""), []string{"consignee.address"}},
		{"20 % on a 2026 shipment", one("lines.2.vat_rate", "20"), []string{"lines[2].vat_rate"}},
		{"receiver e-mail", one("received_by.email", "no"), []string{"received_by.email"}},
	})
}

func TestRecommendationLetterErrors(t *testing.T) {
	runErrCases(t, workflow.DocRecommendationLetter, []errCase{
		{"author", one("author.name", ""), []string{"author.name"}},
		{"supplier", one("supplier.name", ""), []string{"supplier.name"}},
		{"equipment", one("supplied.equipment", []any{}), []string{"supplied.equipment"}},
		{"period reversed", one("supplied.period_to", "2026-01-01"), []string{"supplied.period_to"}},
		{"amount", one("supplied.amount", "много"), []string{"supplied.amount"}},
		{"recommendation", one("recommendation", ""), []string{"recommendation"}},
		{"status", one("status", "lost"), []string{"status"}},
		{"received needs the date", one("received_on", deleted{}), []string{"received_on"}},
		{"received needs the signatory", one("signatory", deleted{}), []string{"signatory.name", "signatory.position"}},
		{"received needs the assessment", one("assessment", ""), []string{"assessment"}},
		{"requested has no received date", one("status", "requested"), []string{"received_on"}},
		{"received before requested", one("requested_on", "2026-08-20"), []string{"received_on"}},
	})
	t.Run("requested draft", func(t *testing.T) {
		m := exampleMap(t, workflow.DocRecommendationLetter)
		for _, k := range []string{"status", "received_on", "signatory", "assessment", "addressee"} {
			setPath(t, m, k, deleted{})
		}
		v := mustDecode(t, workflow.DocRecommendationLetter, mustJSON(t, m)).View()
		if v["status"] != LetterRequested || v["received"] != false || v["addressee"] != DefaultLetterAddressee {
			t.Errorf("status %v, received %v, addressee %v", v["status"], v["received"], v["addressee"])
		}
	})
}
