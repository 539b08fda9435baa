package documents

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/workflow"
)

// Specification is the спецификация, an appendix to the contract (DOMAIN.md §1.5): the
// goods, prices and terms of one batch. It is numbered inside its contract.
type Specification struct {
	// Number is the specification's number within the contract: "3".
	Number string `json:"number,omitempty"`
	Date   Date   `json:"date"`
	// Place is the city of signing.
	Place string `json:"place"`
	// Contract is the contract this specification belongs to.
	Contract DocRef `json:"contract"`
	// AppendixNumber is the appendix number of the contract («Приложение № 1»); the
	// specification's number when empty.
	AppendixNumber string `json:"appendix_number,omitempty"`
	Seller         Party  `json:"seller"`
	Buyer          Party  `json:"buyer"`
	Currency       string `json:"currency,omitempty"`
	Lines          []Line `json:"lines"`
	// DeliveryDays of DeliveryDayType (working by default) from DeliveryFrom (advance).
	DeliveryDays    int    `json:"delivery_days"`
	DeliveryDayType string `json:"delivery_day_type,omitempty"`
	DeliveryFrom    string `json:"delivery_from,omitempty"`
	// PaymentSchedule splits the total; the percentages add up to 100.
	PaymentSchedule []Payment `json:"payment_schedule"`
	// DeliveryBasis is delivery or pickup; DeliveryAddress is required for delivery.
	DeliveryBasis   string `json:"delivery_basis"`
	DeliveryAddress string `json:"delivery_address,omitempty"`
	// Consignee receives the goods; the buyer when empty.
	Consignee         Party  `json:"consignee,omitzero"`
	WarrantyMonths    int    `json:"warranty_months"`
	WarrantyFrom      string `json:"warranty_from,omitempty"`
	WarrantyMaxMonths int    `json:"warranty_max_months,omitempty"`
	// Documents supplied with the goods: passport, manual, declaration of conformity.
	Documents []string `json:"documents,omitempty"`

	// Totals are derived.
	Totals *Totals `json:"totals,omitempty"`

	lines lineSet
	pays  []int64 // basis points per payment
}

// Payment is one instalment of a payment schedule: Percent of the total within Days of
// DayType (banking by default) counted from From (advance, signing, invoice, readiness,
// shipment, delivery, commissioning).
type Payment struct {
	Percent string `json:"percent"`
	Days    int    `json:"days"`
	DayType string `json:"day_type,omitempty"`
	From    string `json:"from"`
}

func init() {
	RegisterKind(workflow.DocSpecification, func() Data { return &Specification{} })
}

// Kind returns specification.
func (d *Specification) Kind() workflow.DocumentKind { return workflow.DocSpecification }

// Header returns the number and date.
func (d *Specification) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *Specification) SetNumber(n string, date time.Time) { d.Number = n; setDate(&d.Date, date) }

// Total returns the specification's totals.
func (d *Specification) Total() (net, gross workflow.Money) { return d.lines.money() }

// Validate checks the specification and computes the line amounts, totals and instalments.
func (d *Specification) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	p.Required("place", d.Place)
	p.line("place", d.Place, maxName)
	d.Contract.check(&p, "contract", true)
	p.notBefore("date", d.Date, d.Contract.Date, "contract.date")
	p.number("appendix_number", d.AppendixNumber)
	d.Seller.check(&p, "seller", partyFull, true)
	d.Buyer.check(&p, "buyer", partyFull, true)
	p.currency("currency", &d.Currency)
	d.lines = checkLines(&p, "lines", d.Lines, 1, rateRule{std: vat.StandardRate(d.Date.Time)})
	d.Totals = d.lines.totals(&p, "totals", d.Totals)
	checkDelivery(&p, &d.DeliveryDays, &d.DeliveryDayType, &d.DeliveryFrom, d.DeliveryBasis, d.DeliveryAddress, true)
	d.pays = checkSchedule(&p, "payment_schedule", d.PaymentSchedule)
	if !d.Consignee.IsZero() {
		d.Consignee.check(&p, "consignee", partyNamed, false)
	}
	checkWarranty(&p, d.WarrantyMonths, &d.WarrantyFrom, d.WarrantyMaxMonths, true)
	p.texts("documents", d.Documents, 0, MaxListItems, maxName)
	return p.Err(d.Kind())
}

// checkSchedule validates a payment schedule whose percentages add up to 100.
func checkSchedule(p *Problems, path string, sched []Payment) []int64 {
	if !p.count(path, len(sched), 1, 20) {
		return nil
	}
	bps := make([]int64, len(sched))
	var sum int64
	ok := true
	for i := range sched {
		s := &sched[i]
		sp := fmt.Sprintf("%s[%d]", path, i)
		bp, good := p.percent(sp+".percent", &s.Percent, 10000, true)
		if good && bp == 0 {
			p.Add(sp+".percent", "must be above 0", "должно быть больше 0")
		}
		ok = ok && good
		bps[i] = bp
		sum += bp
		p.intRange(sp+".days", s.Days, 0, 3650)
		defaultStr(&s.DayType, DaysBanking)
		p.enum(sp+".day_type", s.DayType, false, dayKinds...)
		p.enum(sp+".from", s.From, true, periodEventKeys()...)
	}
	if ok && sum != 10000 {
		p.Add(path, "the percentages must add up to 100, not "+formatBP(sum), "сумма процентов должна быть 100, а не "+formatBP(sum))
	}
	return bps
}

// scheduleView lists the instalments with their amounts; the last one takes the rounding
// remainder, so the amounts add up to the total exactly.
func scheduleView(sched []Payment, bps []int64, total int64, currency string) []map[string]any {
	out := make([]map[string]any, 0, len(sched))
	var rest = total
	short := currencyInfo[currency].short
	for i, s := range sched {
		var a int64
		if i < len(bps) {
			a, _ = mulDivRound(total, bps[i], 10000)
		}
		if i == len(sched)-1 {
			a = rest
		}
		rest -= a
		bp := int64(0)
		if i < len(bps) {
			bp = bps[i]
		}
		term := "в срок " + dayCount(s.Days, s.DayType) + " " + periodEvents[s.From]
		if s.Days == 0 {
			term = "в день " + strings.TrimPrefix(periodEvents[s.From], "с даты ")
		}
		m := map[string]any{
			"no": strconv.Itoa(i + 1), "percent": percentText(bp), "percent_raw": s.Percent,
			"days": strconv.Itoa(s.Days), "day_type": s.DayType, "from": s.From, "term": term,
		}
		putMoney(m, "amount", a)
		m["text"] = percentText(bp) + " — " + amount.Format(a) + " " + short + " " + term
		out = append(out, m)
	}
	return out
}

// View returns the values the specification templates read (VIEW.md, "specification").
func (d *Specification) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["place"] = d.Place
	v["contract"] = d.Contract.view()
	app := d.AppendixNumber
	if app == "" {
		app = d.Number
	}
	v["appendix_number"] = app
	v["heading"] = "Приложение № " + app + " к Договору поставки " + d.Contract.text()
	v["seller"] = d.Seller.view()
	v["buyer"] = d.Buyer.view()
	v["currency"] = currencyView(d.Currency)
	v["lines"] = linesView(d.Lines)
	v["totals"] = d.lines.view(d.Currency)
	deliveryView(v, d.DeliveryDays, d.DeliveryDayType, d.DeliveryFrom, d.DeliveryBasis, d.DeliveryAddress)
	v["payment_schedule"] = scheduleView(d.PaymentSchedule, d.pays, d.lines.sum.Total.Total, d.Currency)
	cons := d.Consignee
	if cons.IsZero() {
		cons = d.Buyer
	}
	v["consignee"] = cons.view()
	warrantyView(v, d.WarrantyMonths, d.WarrantyFrom, d.WarrantyMaxMonths)
	v["documents"] = strs(d.Documents)
	v["documents_text"] = joined(d.Documents)
	return v
}
