package documents

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// PrefillInput is what a deal knows when a new document is started.
type PrefillInput struct {
	// Seller is our company; Buyer the deal's client company.
	Seller Party
	Buyer  Party
	// DealTitle, Amount (excl. VAT) and Currency are the deal's.
	DealTitle string
	Amount    workflow.Money
	Currency  string
	// Rep is the deal owner: the proposal's manager, the meeting report's author.
	Rep Contact
	// Previous holds the latest final document of each kind on the deal.
	Previous map[workflow.DocumentKind]Data
	// Today dates the new document.
	Today time.Time
}

// Standard terms a new proposal or contract starts with (DOMAIN.md §5: 50 % advance, 50 % on
// readiness; warranty 12 months from commissioning, at most 18 from shipment; penalty 0.1 %
// a day capped at 10 %; claims 30 days).
const (
	defaultPaymentTerms  = "50 % — аванс в течение 5 банковских дней с даты выставления счёта, 50 % — в течение 10 банковских дней с даты уведомления о готовности к отгрузке"
	defaultDeliveryTime  = "60 рабочих дней с даты поступления аванса"
	defaultWarranty      = "12 месяцев с даты ввода в эксплуатацию, но не более 18 месяцев с даты отгрузки"
	defaultDeliveryDays  = 60
	defaultValidityDays  = 30
	defaultAdvanceDays   = 5
	defaultBalanceDays   = 10
	defaultWarrantyMonth = 12
)

// standardMilestones are the milestones of made-to-order equipment (DOMAIN.md §1.6), with
// the share of the delivery period at which each is planned.
var standardMilestones = []struct {
	name  string
	share int // percent of the delivery period after the trigger
}{
	{"Согласование опросного листа и чертежей с Покупателем", 8},
	{"Заказ и получение комплектующих с длительным сроком поставки", 40},
	{"Изготовление и сборка", 75},
	{"Заводские приёмочные испытания (FAT)", 85},
	{"Покраска, консервация и упаковка", 92},
	{"Уведомление о готовности к отгрузке, окончательный расчёт", 95},
	{"Отгрузка", 100},
	{"Пусконаладочные работы на площадке Покупателя", 125},
}

// Prefill starts a new document of kind from what the deal knows: the parties, the deal,
// and the latest final document of each kind. Lines flow proposal → contract →
// specification → invoice → УПД; the contract's number and date flow into the
// specification, invoice, УПД, production schedule and recommendation letter. A new
// proposal, contract or client card starts as a copy of the previous one of its kind (a
// new version). Derived amounts and standard VAT rates are cleared, so the new document
// computes them for its own date. The result is a draft: it is not validated and may miss
// what only a person can supply. An unknown kind gives nil.
func Prefill(kind workflow.DocumentKind, in PrefillInput) Data {
	f := prefiller{in: in, today: dateOf(in.Today)}
	f.seller, f.buyer = in.Seller, in.Buyer
	if c := f.contract(); c != nil {
		f.seller, f.buyer = mergeParty(f.seller, c.Seller), mergeParty(f.buyer, c.Buyer)
	}
	if s := f.spec(); s != nil {
		f.seller, f.buyer = mergeParty(f.seller, s.Seller), mergeParty(f.buyer, s.Buyer)
	}
	f.currency = in.Currency
	if f.currency == "" {
		f.currency = DefaultCurrency
	}
	switch kind {
	case workflow.DocMeetingReport:
		return f.meetingReport()
	case workflow.DocProposal:
		return f.proposal()
	case workflow.DocClientCard:
		return f.clientCard()
	case workflow.DocContract:
		return f.contractDoc()
	case workflow.DocSpecification:
		return f.specification()
	case workflow.DocProductionSchedule:
		return f.productionSchedule()
	case workflow.DocInvoice:
		return f.invoice()
	case workflow.DocUPD:
		return f.upd()
	case workflow.DocRecommendationLetter:
		return f.recommendationLetter()
	}
	return nil
}

type prefiller struct {
	in            PrefillInput
	today         Date
	seller, buyer Party
	currency      string
}

func dateOf(t time.Time) Date {
	var d Date
	setDate(&d, t)
	return d
}

func (f *prefiller) addDays(n int) Date {
	if f.today.IsZero() {
		return Date{}
	}
	return Date{f.today.AddDate(0, 0, n)}
}

// addWorkingDays adds n working days (Monday–Friday; public holidays are not known here).
func addWorkingDays(d Date, n int) Date {
	if d.IsZero() {
		return d
	}
	t := d.Time
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return Date{t}
}

// prev helpers return the previous document of a kind, typed, or nil.
func prevOf[T Data](f *prefiller, k workflow.DocumentKind) T {
	var zero T
	if d, ok := f.in.Previous[k].(T); ok {
		return d
	}
	return zero
}

func (f *prefiller) meeting() *MeetingReport {
	return prevOf[*MeetingReport](f, workflow.DocMeetingReport)
}
func (f *prefiller) prop() *Proposal   { return prevOf[*Proposal](f, workflow.DocProposal) }
func (f *prefiller) card() *ClientCard { return prevOf[*ClientCard](f, workflow.DocClientCard) }
func (f *prefiller) contract() *Contract {
	return prevOf[*Contract](f, workflow.DocContract)
}
func (f *prefiller) spec() *Specification {
	return prevOf[*Specification](f, workflow.DocSpecification)
}
func (f *prefiller) inv() *Invoice { return prevOf[*Invoice](f, workflow.DocInvoice) }
func (f *prefiller) updDoc() *UPD  { return prevOf[*UPD](f, workflow.DocUPD) }

// copyOf deep-copies a document through JSON.
func copyOf[T any](src T) T {
	var dst T
	b, err := json.Marshal(src)
	if err == nil {
		err = json.Unmarshal(b, &dst)
	}
	if err != nil {
		panic("documents: copy of document data failed: " + err.Error())
	}
	return dst
}

// lines returns the lines of the latest document in the chain, walking back from the kind
// being made: УПД ← invoice ← specification ← contract ← proposal.
func (f *prefiller) lines(upto workflow.DocumentKind) []Line {
	chain := []workflow.DocumentKind{workflow.DocInvoice, workflow.DocSpecification, workflow.DocContract, workflow.DocProposal}
	start := 0
	for i, k := range chain {
		if k == upto {
			start = i + 1
		}
	}
	for _, k := range chain[start:] {
		var ls []Line
		switch d := f.in.Previous[k].(type) {
		case *Invoice:
			ls = d.Lines
		case *Specification:
			ls = d.Lines
		case *Contract:
			ls = d.Lines
		case *Proposal:
			ls = d.Lines
		}
		if len(ls) > 0 {
			return clearDerived(ls)
		}
	}
	return nil
}

// currencyOf returns the currency of the document the lines came from, or the deal's.
func (f *prefiller) currencyFor(upto workflow.DocumentKind) string {
	chain := []workflow.DocumentKind{workflow.DocInvoice, workflow.DocSpecification, workflow.DocContract, workflow.DocProposal}
	start := 0
	for i, k := range chain {
		if k == upto {
			start = i + 1
		}
	}
	for _, k := range chain[start:] {
		switch d := f.in.Previous[k].(type) {
		case *Invoice:
			return d.Currency
		case *Specification:
			return d.Currency
		case *Contract:
			if len(d.Lines) > 0 || d.PriceTotal != "" {
				return d.Currency
			}
		case *Proposal:
			return d.Currency
		}
	}
	return f.currency
}

func (f *prefiller) contractRef() DocRef {
	if c := f.contract(); c != nil {
		return DocRef{Number: c.Number, Date: c.Date}
	}
	return DocRef{}
}

func (f *prefiller) specRef() DocRef {
	if s := f.spec(); s != nil {
		return DocRef{Number: s.Number, Date: s.Date}
	}
	return DocRef{}
}

// decisionMaker finds the client's decision maker in the meeting report or client card.
func (f *prefiller) decisionMaker() Contact {
	if c := f.card(); c != nil {
		for _, m := range c.DMU {
			if m.Role == RoleDecisionMaker {
				return Contact{Name: m.Name, Position: m.Position, Phone: m.Phone, Email: m.Email}
			}
		}
	}
	if m := f.meeting(); m != nil {
		for _, p := range m.Participants {
			if p.Side == SideClient && p.Role == RoleDecisionMaker {
				return Contact{Name: p.Name, Position: p.Position, Phone: p.Phone, Email: p.Email}
			}
		}
	}
	return Contact{}
}

func (f *prefiller) rep() Contact {
	if !f.in.Rep.IsZero() {
		return f.in.Rep
	}
	if p := f.prop(); p != nil {
		return p.Manager
	}
	if m := f.meeting(); m != nil {
		return m.Author
	}
	return Contact{}
}

func (f *prefiller) potential() string {
	if f.in.Amount > 0 && f.currency == DefaultCurrency {
		return f.in.Amount.String()
	}
	return ""
}

func (f *prefiller) meetingReport() Data {
	d := &MeetingReport{Date: f.today, Format: "on_site", Client: f.buyer, Seller: f.seller, Author: f.rep()}
	if prev := f.meeting(); prev != nil {
		d.Participants = copyOf(prev.Participants)
		d.Place, d.Format = prev.Place, prev.Format
	} else if c := f.card(); c != nil {
		for _, m := range c.DMU {
			d.Participants = append(d.Participants, Participant{Name: m.Name, Side: SideClient, Position: m.Position, Role: m.Role, Phone: m.Phone, Email: m.Email})
		}
	}
	if f.in.DealTitle != "" {
		d.Goal = f.in.DealTitle
	}
	d.Assessment.Potential = f.potential()
	return d
}

func (f *prefiller) proposal() Data {
	if prev := f.prop(); prev != nil {
		d := copyOf(prev)
		d.Number, d.Date, d.ValidUntil = "", f.today, f.addDays(defaultValidityDays)
		d.Lines, d.OptionalLines = clearDerived(d.Lines), clearDerived(d.OptionalLines)
		d.Totals, d.OptionalTotals = nil, nil
		d.Seller, d.Buyer = mergeParty(f.seller, d.Seller), mergeParty(f.buyer, d.Buyer)
		return d
	}
	d := &Proposal{
		Date: f.today, Seller: f.seller, Buyer: f.buyer, Addressee: f.decisionMaker(),
		Subject: f.in.DealTitle, Currency: f.currency,
		DeliveryTime: defaultDeliveryTime, DeliveryBasis: "доставка до склада Покупателя",
		DeliveryAddress: f.buyer.Address, PaymentTerms: defaultPaymentTerms, Warranty: defaultWarranty,
		ValidUntil: f.addDays(defaultValidityDays), Manager: f.rep(),
	}
	if m := f.meeting(); m != nil && !m.Date.IsZero() {
		d.Intro = fmt.Sprintf("Благодарим за встречу %s. По её итогам направляем предложение на поставку оборудования.", m.Date.numeric())
	}
	if f.in.Amount > 0 {
		d.Lines = []Line{{Name: f.in.DealTitle, Unit: "компл", Qty: "1", Price: f.in.Amount.String()}}
	}
	return d
}

func (f *prefiller) clientCard() Data {
	if prev := f.card(); prev != nil {
		d := copyOf(prev)
		d.Number, d.Date = "", f.today
		d.Company = mergeParty(f.buyer, d.Company)
		f.addMeeting(d)
		return d
	}
	d := &ClientCard{Date: f.today, Company: f.buyer, Potential: f.potential(), Owner: f.rep()}
	if m := f.meeting(); m != nil {
		for _, p := range m.Participants {
			if p.Side == SideClient {
				d.DMU = append(d.DMU, DMUMember{Name: p.Name, Position: p.Position, Role: p.Role, Phone: p.Phone, Email: p.Email, LastContact: m.Date})
			}
		}
		for _, n := range m.Needs {
			d.Needs = append(d.Needs, Need{Description: n})
		}
		if m.Situation.CurrentEquipment != "" {
			d.InstalledBase = append(d.InstalledBase, Equipment{Equipment: m.Situation.CurrentEquipment})
		}
		if len(m.NextSteps) > 0 {
			d.NextStep = m.NextSteps[0]
		}
		f.addMeeting(d)
	}
	return d
}

// addMeeting records the latest meeting report in a card's contact history once.
func (f *prefiller) addMeeting(d *ClientCard) {
	m := f.meeting()
	if m == nil || m.Date.IsZero() {
		return
	}
	doc := "Отчёт о встрече"
	if m.Number != "" {
		doc += " № " + m.Number
	}
	for _, c := range d.ContactHistory {
		if c.Document == doc && c.Date == m.Date {
			return
		}
	}
	summary := m.Goal
	if summary == "" {
		summary = "встреча"
	}
	d.ContactHistory = append(d.ContactHistory, ContactEvent{Date: m.Date, Kind: "meeting", Summary: summary, Document: doc})
}

func (f *prefiller) contractDoc() Data {
	if prev := f.contract(); prev != nil {
		d := copyOf(prev)
		d.Number, d.Date = "", f.today
		d.Lines, d.Totals = clearDerived(d.Lines), nil
		if len(d.Lines) > 0 {
			d.PriceTotal = ""
		}
		d.Seller, d.Buyer = mergeParty(f.seller, d.Seller), mergeParty(f.buyer, d.Buyer)
		return d
	}
	yes := true
	d := &Contract{
		Date: f.today, City: cityFromAddress(f.seller.Address), Seller: f.seller, Buyer: f.buyer,
		Subject: f.in.DealTitle, Currency: f.currencyFor(workflow.DocContract), Lines: f.lines(workflow.DocContract),
		AdvancePercent: "50", AdvanceDays: defaultAdvanceDays, AdvanceFrom: "invoice",
		BalanceDays: defaultBalanceDays, BalanceFrom: "readiness", PaymentDayType: DaysBanking,
		DeliveryDays: defaultDeliveryDays, DeliveryDayType: DaysWorking, DeliveryFrom: "advance",
		DeliveryBasis: BasisDelivery, DeliveryAddress: f.buyer.Address,
		WarrantyMonths: defaultWarrantyMonth, WarrantyFrom: "commissioning", WarrantyMaxMonths: 18,
		PenaltyPercent: "0.1", PenaltyCapPercent: "10", ClaimsDays: 30, VATChangeClause: &yes, EDO: true,
	}
	if p := f.prop(); p != nil && p.DeliveryAddress != "" {
		d.DeliveryAddress = p.DeliveryAddress
	}
	return d
}

func (f *prefiller) specification() Data {
	d := &Specification{
		Date: f.today, Contract: f.contractRef(), Seller: f.seller, Buyer: f.buyer,
		Currency: f.currencyFor(workflow.DocSpecification), Lines: f.lines(workflow.DocSpecification),
		DeliveryDays: defaultDeliveryDays, DeliveryDayType: DaysWorking, DeliveryFrom: "advance",
		DeliveryBasis: BasisDelivery, DeliveryAddress: f.buyer.Address,
		WarrantyMonths: defaultWarrantyMonth, WarrantyFrom: "commissioning",
		Documents: []string{"паспорт изделия", "руководство по эксплуатации", "декларация о соответствии ЕАЭС"},
	}
	advance, advDays, balDays, dayType := "50", defaultAdvanceDays, defaultBalanceDays, DaysBanking
	if c := f.contract(); c != nil {
		d.Place = c.City
		d.DeliveryDays, d.DeliveryDayType, d.DeliveryFrom = c.DeliveryDays, c.DeliveryDayType, c.DeliveryFrom
		d.DeliveryBasis, d.DeliveryAddress = c.DeliveryBasis, c.DeliveryAddress
		d.WarrantyMonths, d.WarrantyFrom, d.WarrantyMaxMonths = c.WarrantyMonths, c.WarrantyFrom, c.WarrantyMaxMonths
		advance, advDays, balDays = c.AdvancePercent, c.AdvanceDays, c.BalanceDays
		if c.PaymentDayType != "" {
			dayType = c.PaymentDayType
		}
	} else {
		d.Place = cityFromAddress(f.seller.Address)
	}
	var bp int64
	var p Problems
	if v, ok := p.percent("", &advance, 10000, true); ok {
		bp = v
	}
	if bp > 0 {
		d.PaymentSchedule = append(d.PaymentSchedule, Payment{Percent: formatBP(bp), Days: advDays, DayType: dayType, From: "signing"})
	}
	if bp < 10000 {
		d.PaymentSchedule = append(d.PaymentSchedule, Payment{Percent: formatBP(10000 - bp), Days: balDays, DayType: dayType, From: "readiness"})
	}
	return d
}

// deliveryDays returns the delivery period known from the specification or contract.
func (f *prefiller) deliveryDays() (int, string) {
	if s := f.spec(); s != nil && s.DeliveryDays > 0 {
		return s.DeliveryDays, s.DeliveryDayType
	}
	if c := f.contract(); c != nil && c.DeliveryDays > 0 {
		return c.DeliveryDays, c.DeliveryDayType
	}
	return defaultDeliveryDays, DaysWorking
}

func (f *prefiller) productionSchedule() Data {
	d := &ProductionSchedule{
		Date: f.today, Contract: f.contractRef(), Specification: f.specRef(),
		Seller: f.seller, Buyer: f.buyer, TriggerDate: f.today,
	}
	if ls := f.lines(workflow.DocInvoice); len(ls) > 0 {
		d.Item = ls[0].Name
	} else {
		d.Item = f.in.DealTitle
	}
	days, kind := f.deliveryDays()
	for _, m := range standardMilestones {
		n := (days*m.share + 50) / 100
		planned := addWorkingDays(f.today, n)
		if kind == DaysCalendar {
			planned = f.addDays(n)
		}
		d.Milestones = append(d.Milestones, Milestone{Name: m.name, Planned: planned, Status: MilestonePlanned})
	}
	return d
}

func (f *prefiller) invoice() Data {
	d := &Invoice{
		Date: f.today, Seller: f.seller, Buyer: f.buyer, Contract: f.contractRef(), Specification: f.specRef(),
		Currency: f.currencyFor(workflow.DocInvoice), Lines: f.lines(workflow.DocInvoice),
		PaymentDue: addWorkingDays(f.today, defaultAdvanceDays),
	}
	if c := f.contract(); c != nil && c.AdvanceDays > 0 {
		d.PaymentDue = addWorkingDays(f.today, c.AdvanceDays)
	}
	// The planned shipment date decides the VAT rate: the delivery period from the advance,
	// counted from the payment due date.
	if f.spec() != nil || f.contract() != nil {
		days, kind := f.deliveryDays()
		if kind == DaysCalendar {
			d.ShipmentDate = Date{d.PaymentDue.AddDate(0, 0, days)}
		} else {
			d.ShipmentDate = addWorkingDays(d.PaymentDue, days)
		}
	}
	return d
}

func (f *prefiller) upd() Data {
	d := &UPD{
		Date: f.today, Status: 1, Profile: ProfileUPD, Seller: f.seller, Buyer: f.buyer,
		Contract: f.contractRef(), Specification: f.specRef(), ShipmentDate: f.today,
		Currency: f.currencyFor(workflow.DocUPD), Lines: f.lines(workflow.DocUPD),
	}
	if s := f.spec(); s != nil && !s.Consignee.IsZero() {
		d.Consignee = s.Consignee
	}
	for i := range d.Lines {
		if d.Lines[i].OKEI == "" {
			d.Lines[i].OKEI = okeiByUnit[d.Lines[i].Unit]
		}
	}
	return d
}

func (f *prefiller) recommendationLetter() Data {
	d := &RecommendationLetter{
		Date: f.today, Author: f.buyer, Supplier: f.seller, Status: LetterRequested, RequestedOn: f.today,
		Signatory: Contact{Name: f.buyer.DirectorName, Position: f.buyer.DirectorTitle},
	}
	d.Supplied.Contract = f.contractRef()
	d.Supplied.PeriodFrom = d.Supplied.Contract.Date
	var lines []Line
	var gross string
	cur := f.currency
	if u := f.updDoc(); u != nil {
		d.Supplied.PeriodTo = u.ShipmentDate
		lines, cur = u.Lines, u.Currency
		if u.Totals != nil {
			gross = u.Totals.Gross
		}
	} else if s := f.spec(); s != nil {
		lines, cur = s.Lines, s.Currency
		if s.Totals != nil {
			gross = s.Totals.Gross
		}
	} else {
		lines = f.lines(workflow.DocUPD)
	}
	for _, l := range lines {
		unit := l.Unit
		if unit == "" {
			unit = DefaultUnit
		}
		d.Supplied.Equipment = append(d.Supplied.Equipment, l.Name+" — "+l.Qty+" "+unit)
	}
	if gross != "" {
		d.Supplied.Amount, d.Supplied.Currency = gross, cur
	}
	if c := f.card(); c != nil && c.Industry != "" {
		d.ClientDescription = f.buyer.Name + " — предприятие отрасли «" + c.Industry + "»."
	}
	name := f.seller.Name
	if name == "" {
		name = "Поставщик"
	}
	d.Assessment = name + " выполнило поставку в сроки, установленные договором. Оборудование соответствует заявленным характеристикам, пусконаладочные работы проведены качественно, специалисты поставщика оперативно отвечали на наши вопросы."
	d.Recommendation = "Рекомендуем " + name + " как надёжного и ответственного поставщика."
	return d
}
