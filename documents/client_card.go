package documents

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// FinalValidator is implemented by kinds that demand more of a final document than of a
// draft. The store calls ValidateFinal instead of Validate when it finalises such a document.
type FinalValidator interface {
	// ValidateFinal checks the data as Validate does and, in addition, that it is complete;
	// it returns a *ValidationError naming every problem and every missing field.
	ValidateFinal() error
}

// Procurement laws of a client (DOMAIN.md §1.3).
var procurementLaws = map[string]string{
	"223-fz":     "223-ФЗ",
	"44-fz":      "44-ФЗ",
	"commercial": "коммерческие закупки",
}

var attitudes = map[string]string{"supporter": "сторонник", "neutral": "нейтрален", "opponent": "противник"}
var influenceLevels = map[string]string{"high": "высокое", "medium": "среднее", "low": "низкое"}

var contactKinds = map[string]string{"call": "звонок", "meeting": "встреча", "email": "письмо", "other": "другое"}

var monthsNominative = [13]string{"", "январь", "февраль", "март", "апрель", "май", "июнь", "июль",
	"август", "сентябрь", "октябрь", "ноябрь", "декабрь"}

var okvedRE = regexp.MustCompile(`^\d{2}(\.\d{1,2}){0,2}$`)

// ClientCard is the карта клиента (DOMAIN.md §1.3), built up over stages 1, 4, 6 and 7.
//
// Validate is lenient, so that a card can be saved as a draft while it fills up: whatever is
// given must be valid. A card counts as filled (stage 7) only when Complete returns nothing;
// ValidateFinal (FinalValidator) is Validate plus completeness and is what finalisation uses.
type ClientCard struct {
	Number  string `json:"number,omitempty"`
	Date    Date   `json:"date"`
	Company Party  `json:"company"`
	// Industry is the client's industry in words, OKVED its main ОКВЭД code ("24.20").
	Industry string `json:"industry,omitempty"`
	OKVED    string `json:"okved,omitempty"`
	// Revenue is the annual revenue in RUB, a decimal string; Headcount the staff.
	Revenue   string `json:"revenue,omitempty"`
	Headcount int    `json:"headcount,omitempty"`
	// Group describes the group structure (holding, parent company).
	Group         string       `json:"group,omitempty"`
	Sites         []Site       `json:"sites,omitempty"`
	InstalledBase []Equipment  `json:"installed_base,omitempty"`
	Competitors   []Competitor `json:"competitors,omitempty"`
	Needs         []Need       `json:"needs,omitempty"`
	Budget        Budget       `json:"budget,omitzero"`
	Procurement   Procurement  `json:"procurement,omitzero"`
	// DMU is the decision-making unit (ЦПР).
	DMU            []DMUMember    `json:"dmu,omitempty"`
	ContactHistory []ContactEvent `json:"contact_history,omitempty"`
	// Stage is the deal's current stage; NextStep what happens next.
	Stage    string   `json:"stage,omitempty"`
	NextStep Step     `json:"next_step,omitzero"`
	Risks    []string `json:"risks,omitempty"`
	// Potential is the annual potential in RUB excl. VAT.
	Potential string `json:"potential,omitempty"`
	// Priority is the ABC category: A, B or C.
	Priority string `json:"priority,omitempty"`
	// Owner is the rep responsible for the client.
	Owner Contact `json:"owner,omitzero"`
}

// Site is one production site of the client.
type Site struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Equipment is a unit of the client's installed base.
type Equipment struct {
	Equipment    string `json:"equipment"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Qty          int    `json:"qty,omitempty"`
	Year         int    `json:"year,omitempty"`
	Note         string `json:"note,omitempty"`
}

// Competitor is a current supplier of the client.
type Competitor struct {
	Name       string `json:"name"`
	Products   string `json:"products,omitempty"`
	Strengths  string `json:"strengths,omitempty"`
	Weaknesses string `json:"weaknesses,omitempty"`
}

// Need is a need or project of the client.
type Need struct {
	Description string `json:"description"`
	Project     string `json:"project,omitempty"`
	Timeframe   string `json:"timeframe,omitempty"`
}

// Budget is the client's budgeting and purchasing cycle.
type Budget struct {
	// Amount is the budget known for the need, RUB.
	Amount string `json:"amount,omitempty"`
	// BudgetingMonth is the month (1–12) the client plans next year's budget.
	BudgetingMonth  int    `json:"budgeting_month,omitempty"`
	PurchasingCycle string `json:"purchasing_cycle,omitempty"`
}

// Procurement is how the client buys.
type Procurement struct {
	// Law is 223-fz, 44-fz or commercial.
	Law      string `json:"law,omitempty"`
	Platform string `json:"platform,omitempty"`
	// VendorList states the approved-vendor list status («в реестре поставщиков с 2024 г.»).
	VendorList string `json:"vendor_list,omitempty"`
}

// DMUMember is a person of the decision-making unit.
type DMUMember struct {
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	// Role: decision_maker, influencer, technical_expert, user, gatekeeper, blocker.
	Role string `json:"role,omitempty"`
	// Attitude: supporter, neutral, opponent. Influence: high, medium, low.
	Attitude    string `json:"attitude,omitempty"`
	Influence   string `json:"influence,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Email       string `json:"email,omitempty"`
	LastContact Date   `json:"last_contact,omitzero"`
}

// ContactEvent is one entry of the contact history.
type ContactEvent struct {
	Date Date `json:"date"`
	// Kind: call, meeting, email, other.
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
	// Document refers to a meeting report or proposal («КП-2026-0123 v2»).
	Document string `json:"document,omitempty"`
}

func init() {
	RegisterKind(workflow.DocClientCard, func() Data { return &ClientCard{} })
}

// Kind returns client_card.
func (d *ClientCard) Kind() workflow.DocumentKind { return workflow.DocClientCard }

// Header returns the number and date.
func (d *ClientCard) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *ClientCard) SetNumber(n string, date time.Time) { d.Number = n; setDate(&d.Date, date) }

// Validate checks what the card holds; see ValidateFinal for completeness.
func (d *ClientCard) Validate() error {
	var p Problems
	d.check(&p)
	return p.Err(d.Kind())
}

// ValidateFinal is Validate plus Complete: every field a filled card needs (stage 7).
func (d *ClientCard) ValidateFinal() error {
	var p Problems
	d.check(&p)
	for _, m := range d.missing() {
		p.Add(m.Field, m.Message, m.MessageRu)
	}
	return p.Err(d.Kind())
}

// Complete lists, by JSON path, what is still missing for the card to count as filled
// (stage 7 «Заполнение карты клиента»); nil means complete.
func (d *ClientCard) Complete() []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range d.missing() {
		if !seen[m.Field] {
			seen[m.Field] = true
			out = append(out, m.Field)
		}
	}
	return out
}

func (d *ClientCard) check(p *Problems) {
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	d.Company.check(p, "company", partyNamed, false)
	p.line("industry", d.Industry, maxName)
	if d.OKVED != "" && !okvedRE.MatchString(d.OKVED) {
		p.Add("okved", "must be an ОКВЭД code such as 28.13 or 24.20.1", "должно быть кодом ОКВЭД, например 28.13 или 24.20.1")
	}
	p.money("revenue", &d.Revenue, false)
	p.intRange("headcount", d.Headcount, 0, 10_000_000)
	p.para("group", d.Group, maxText)
	if p.count("sites", len(d.Sites), 0, MaxListItems) {
		for i, s := range d.Sites {
			path := fmt.Sprintf("sites[%d]", i)
			p.Required(path+".name", s.Name)
			p.line(path+".name", s.Name, maxName)
			p.para(path+".address", s.Address, maxAddress)
			p.para(path+".note", s.Note, maxText)
		}
	}
	if p.count("installed_base", len(d.InstalledBase), 0, MaxListItems) {
		for i, e := range d.InstalledBase {
			path := fmt.Sprintf("installed_base[%d]", i)
			p.Required(path+".equipment", e.Equipment)
			p.para(path+".equipment", e.Equipment, maxName)
			p.line(path+".manufacturer", e.Manufacturer, maxName)
			p.intRange(path+".qty", e.Qty, 0, 1_000_000)
			if e.Year != 0 {
				p.intRange(path+".year", e.Year, 1900, 2100)
			}
			p.para(path+".note", e.Note, maxText)
		}
	}
	if p.count("competitors", len(d.Competitors), 0, MaxListItems) {
		for i, c := range d.Competitors {
			path := fmt.Sprintf("competitors[%d]", i)
			p.Required(path+".name", c.Name)
			p.line(path+".name", c.Name, maxName)
			p.para(path+".products", c.Products, maxText)
			p.para(path+".strengths", c.Strengths, maxText)
			p.para(path+".weaknesses", c.Weaknesses, maxText)
		}
	}
	if p.count("needs", len(d.Needs), 0, MaxListItems) {
		for i, n := range d.Needs {
			path := fmt.Sprintf("needs[%d]", i)
			p.Required(path+".description", n.Description)
			p.para(path+".description", n.Description, maxText)
			p.para(path+".project", n.Project, maxName)
			p.line(path+".timeframe", n.Timeframe, maxName)
		}
	}
	p.money("budget.amount", &d.Budget.Amount, false)
	p.intRange("budget.budgeting_month", d.Budget.BudgetingMonth, 0, 12)
	p.para("budget.purchasing_cycle", d.Budget.PurchasingCycle, maxText)
	p.enum("procurement.law", d.Procurement.Law, false, "223-fz", "44-fz", "commercial")
	p.line("procurement.platform", d.Procurement.Platform, maxName)
	p.para("procurement.vendor_list", d.Procurement.VendorList, maxText)
	if p.count("dmu", len(d.DMU), 0, MaxListItems) {
		for i, m := range d.DMU {
			path := fmt.Sprintf("dmu[%d]", i)
			p.Required(path+".name", m.Name)
			p.line(path+".name", m.Name, maxName)
			p.line(path+".position", m.Position, maxName)
			p.enum(path+".role", m.Role, false, decisionRoles...)
			p.enum(path+".attitude", m.Attitude, false, "supporter", "neutral", "opponent")
			p.enum(path+".influence", m.Influence, false, "high", "medium", "low")
			p.phone(path+".phone", m.Phone)
			p.email(path+".email", m.Email)
			p.date(path+".last_contact", m.LastContact)
		}
	}
	if p.count("contact_history", len(d.ContactHistory), 0, MaxListItems) {
		for i, c := range d.ContactHistory {
			path := fmt.Sprintf("contact_history[%d]", i)
			p.requiredDate(path+".date", c.Date)
			p.enum(path+".kind", c.Kind, true, "call", "meeting", "email", "other")
			p.Required(path+".summary", c.Summary)
			p.para(path+".summary", c.Summary, maxText)
			p.line(path+".document", c.Document, maxName)
		}
	}
	p.line("stage", d.Stage, maxName)
	if d.NextStep != (Step{}) {
		d.NextStep.check(p, "next_step", Date{})
	}
	p.texts("risks", d.Risks, 0, MaxListItems, maxText)
	p.money("potential", &d.Potential, false)
	p.enum("priority", d.Priority, false, "A", "B", "C")
	d.Owner.check(p, "owner", false, false)
}

// missing returns what a complete card still lacks.
func (d *ClientCard) missing() []FieldError {
	var p Problems
	need := func(path string, ok bool) {
		if !ok {
			p.Add(path, "required for a complete client card (stage 7)", "обязательно для заполненной карты клиента (этап 7)")
		}
	}
	var req Problems
	d.Company.check(&req, "company", partyFull, false)
	for _, e := range req.list {
		p.Add(e.Field, e.Message, e.MessageRu)
	}
	need("industry", d.Industry != "")
	need("okved", d.OKVED != "")
	need("headcount", d.Headcount > 0 || d.Revenue != "")
	need("sites", len(d.Sites) > 0)
	need("installed_base", len(d.InstalledBase) > 0)
	need("needs", len(d.Needs) > 0)
	need("budget.purchasing_cycle", d.Budget.PurchasingCycle != "")
	need("procurement.law", d.Procurement.Law != "")
	need("dmu", len(d.DMU) > 0)
	hasDM := false
	for i, m := range d.DMU {
		path := fmt.Sprintf("dmu[%d]", i)
		need(path+".position", m.Position != "")
		need(path+".role", m.Role != "")
		need(path+".attitude", m.Attitude != "")
		need(path+".influence", m.Influence != "")
		need(path+".phone", m.Phone != "" || m.Email != "")
		hasDM = hasDM || m.Role == RoleDecisionMaker
	}
	if len(d.DMU) > 0 && !hasDM {
		p.Add("dmu", "a decision maker (role decision_maker, ЛПР) is required for a complete card", "для заполненной карты нужен ЛПР (role decision_maker)")
	}
	need("contact_history", len(d.ContactHistory) > 0)
	need("stage", d.Stage != "")
	need("next_step.action", d.NextStep.Action != "")
	need("next_step.owner", d.NextStep.Owner != "")
	need("next_step.due", !d.NextStep.Due.IsZero())
	need("potential", d.Potential != "")
	need("priority", d.Priority != "")
	need("owner.name", d.Owner.Name != "")
	return p.list
}

// View returns the values the client card templates read (VIEW.md, "client_card").
func (d *ClientCard) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["company"] = d.Company.view()
	v["industry"] = d.Industry
	v["okved"] = d.OKVED
	rev, ok := parseMoneyOK(d.Revenue)
	putOptMoney(v, "revenue", rev, ok)
	v["headcount"] = intText(d.Headcount)
	v["group"] = d.Group
	sites := make([]map[string]any, 0, len(d.Sites))
	for i, s := range d.Sites {
		sites = append(sites, map[string]any{"no": strconv.Itoa(i + 1), "name": s.Name, "address": s.Address, "note": s.Note})
	}
	v["sites"] = sites
	base := make([]map[string]any, 0, len(d.InstalledBase))
	for i, e := range d.InstalledBase {
		base = append(base, map[string]any{"no": strconv.Itoa(i + 1), "equipment": e.Equipment, "manufacturer": e.Manufacturer,
			"qty": intText(e.Qty), "year": intText(e.Year), "note": e.Note})
	}
	v["installed_base"] = base
	comp := make([]map[string]any, 0, len(d.Competitors))
	for i, c := range d.Competitors {
		comp = append(comp, map[string]any{"no": strconv.Itoa(i + 1), "name": c.Name, "products": c.Products,
			"strengths": c.Strengths, "weaknesses": c.Weaknesses})
	}
	v["competitors"] = comp
	needs := make([]map[string]any, 0, len(d.Needs))
	for i, n := range d.Needs {
		needs = append(needs, map[string]any{"no": strconv.Itoa(i + 1), "description": n.Description, "project": n.Project, "timeframe": n.Timeframe})
	}
	v["needs"] = needs
	b := map[string]any{"budgeting_month": intText(d.Budget.BudgetingMonth), "purchasing_cycle": d.Budget.PurchasingCycle,
		"budgeting_month_ru": monthsNominative[clampMonth(d.Budget.BudgetingMonth)]}
	amt, ok := parseMoneyOK(d.Budget.Amount)
	putOptMoney(b, "amount", amt, ok)
	v["budget"] = b
	v["procurement"] = map[string]any{"law": d.Procurement.Law, "law_ru": procurementLaws[d.Procurement.Law],
		"platform": d.Procurement.Platform, "vendor_list": d.Procurement.VendorList}
	dmu := make([]map[string]any, 0, len(d.DMU))
	for i, m := range d.DMU {
		mv := map[string]any{"no": strconv.Itoa(i + 1), "name": m.Name, "position": m.Position,
			"role": m.Role, "role_ru": decisionRoleNames[m.Role][0], "role_en": decisionRoleNames[m.Role][1],
			"attitude": m.Attitude, "attitude_ru": attitudes[m.Attitude],
			"influence": m.Influence, "influence_ru": influenceLevels[m.Influence],
			"phone": m.Phone, "email": m.Email}
		putDate(mv, "last_contact", m.LastContact)
		dmu = append(dmu, mv)
	}
	v["dmu"] = dmu
	hist := make([]map[string]any, 0, len(d.ContactHistory))
	for i, c := range d.ContactHistory {
		hv := map[string]any{"no": strconv.Itoa(i + 1), "kind": c.Kind, "kind_ru": contactKinds[c.Kind], "summary": c.Summary, "document": c.Document}
		putDate(hv, "date", c.Date)
		hist = append(hist, hv)
	}
	v["contact_history"] = hist
	v["stage"] = d.Stage
	ns := map[string]any{"action": d.NextStep.Action, "owner": d.NextStep.Owner}
	putDate(ns, "due", d.NextStep.Due)
	v["next_step"] = ns
	v["risks"] = strs(d.Risks)
	v["risks_text"] = joined(d.Risks)
	pot, ok := parseMoneyOK(d.Potential)
	putOptMoney(v, "potential", pot, ok)
	v["priority"] = d.Priority
	v["owner"] = d.Owner.view()
	missing := strs(d.Complete())
	v["complete"] = len(missing) == 0
	v["missing"] = missing
	v["missing_text"] = joined(missing)
	return v
}

// intText prints a positive int, "" for zero.
func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func clampMonth(m int) int {
	if m < 0 || m > 12 {
		return 0
	}
	return m
}
