package documents

import (
	"time"

	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/workflow"
)

// Proposal is the коммерческое предложение (DOMAIN.md §1.2): a priced answer to the needs
// found, addressed to the decision maker.
type Proposal struct {
	// Number is the outgoing number («КП-2026-0123»), allocated at finalisation.
	Number string `json:"number,omitempty"`
	Date   Date   `json:"date"`
	Seller Party  `json:"seller"`
	Buyer  Party  `json:"buyer"`
	// Addressee is the decision maker the letter is addressed to.
	Addressee Contact `json:"addressee"`
	// Greeting opens the letter; «Уважаемые коллеги!» when empty.
	Greeting string `json:"greeting,omitempty"`
	Subject  string `json:"subject"`
	// Intro refers to the meeting or request the proposal answers.
	Intro string `json:"intro,omitempty"`
	// Solution describes the proposed solution; Benefits lists its advantages.
	Solution string   `json:"solution,omitempty"`
	Benefits []string `json:"benefits,omitempty"`
	Currency string   `json:"currency,omitempty"`
	Lines    []Line   `json:"lines"`
	// OptionalLines are offered on top (commissioning, spare parts, service) and are not
	// part of the total.
	OptionalLines []Line `json:"optional_lines,omitempty"`
	// DeliveryTime: «60 рабочих дней с даты поступления аванса».
	DeliveryTime string `json:"delivery_time"`
	// DeliveryBasis: «доставка до склада Покупателя» or an Incoterms 2020 term.
	DeliveryBasis   string `json:"delivery_basis,omitempty"`
	DeliveryAddress string `json:"delivery_address,omitempty"`
	// PaymentTerms: «50 % аванс, 50 % по уведомлению о готовности к отгрузке».
	PaymentTerms string `json:"payment_terms"`
	Warranty     string `json:"warranty,omitempty"`
	ValidUntil   Date   `json:"valid_until"`
	// Binding makes the proposal a firm offer (Art. 435 ГК РФ); when false the document
	// states that it is not a public offer.
	Binding bool `json:"binding"`
	// Manager is the rep: contacts printed at the bottom.
	Manager Contact `json:"manager"`
	// Signer signs the letter; the seller's director when empty.
	Signer Contact `json:"signer,omitzero"`

	// Totals (of Lines) and OptionalTotals are derived.
	Totals         *Totals `json:"totals,omitempty"`
	OptionalTotals *Totals `json:"optional_totals,omitempty"`

	lines, optional lineSet
}

func init() {
	RegisterKind(workflow.DocProposal, func() Data { return &Proposal{} })
}

// Kind returns proposal.
func (d *Proposal) Kind() workflow.DocumentKind { return workflow.DocProposal }

// Header returns the number and date.
func (d *Proposal) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *Proposal) SetNumber(n string, date time.Time) { d.Number = n; setDate(&d.Date, date) }

// Total returns the total of the lines (optional lines excluded).
func (d *Proposal) Total() (net, gross workflow.Money) { return d.lines.money() }

// Validate checks the proposal and computes line amounts and totals.
func (d *Proposal) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	d.Seller.check(&p, "seller", partyFull, false)
	d.Buyer.check(&p, "buyer", partyNamed, false)
	d.Addressee.check(&p, "addressee", false, false)
	p.line("greeting", d.Greeting, maxName)
	p.Required("subject", d.Subject)
	p.para("subject", d.Subject, maxName)
	p.para("intro", d.Intro, maxText)
	p.para("solution", d.Solution, maxText)
	p.texts("benefits", d.Benefits, 0, MaxListItems, maxName)
	p.currency("currency", &d.Currency)
	rr := rateRule{std: vat.StandardRate(d.Date.Time)}
	d.lines = checkLines(&p, "lines", d.Lines, 1, rr)
	d.Totals = d.lines.totals(&p, "totals", d.Totals)
	d.optional = checkLines(&p, "optional_lines", d.OptionalLines, 0, rr)
	if len(d.OptionalLines) > 0 {
		d.OptionalTotals = d.optional.totals(&p, "optional_totals", d.OptionalTotals)
	} else if d.OptionalTotals != nil {
		p.Add("optional_totals", "is derived; there are no optional lines", "вычисляется автоматически; дополнительных строк нет")
	}
	p.Required("delivery_time", d.DeliveryTime)
	p.para("delivery_time", d.DeliveryTime, maxName)
	p.para("delivery_basis", d.DeliveryBasis, maxName)
	p.para("delivery_address", d.DeliveryAddress, maxAddress)
	p.Required("payment_terms", d.PaymentTerms)
	p.para("payment_terms", d.PaymentTerms, maxText)
	p.para("warranty", d.Warranty, maxName)
	p.requiredDate("valid_until", d.ValidUntil)
	p.notBefore("valid_until", d.ValidUntil, d.Date, "date")
	d.Manager.check(&p, "manager", true, false)
	if d.Manager.Phone == "" && d.Manager.Email == "" {
		p.Add("manager.phone", "a phone or an e-mail of the manager is required", "нужен телефон или e-mail менеджера")
	}
	d.Signer.check(&p, "signer", false, false)
	if d.Signer.IsZero() {
		p.Required("seller.director_name", d.Seller.DirectorName)
		p.Required("seller.director_title", d.Seller.DirectorTitle)
	}
	return p.Err(d.Kind())
}

// View returns the values the proposal templates read (VIEW.md, "proposal").
func (d *Proposal) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["outgoing"] = outgoing(d.Number, d.Date)
	v["seller"] = d.Seller.view()
	v["buyer"] = d.Buyer.view()
	v["addressee"] = d.Addressee.view()
	greeting := d.Greeting
	if greeting == "" {
		greeting = "Уважаемые коллеги!"
	}
	v["greeting"] = greeting
	v["subject"] = d.Subject
	v["intro"] = d.Intro
	v["solution"] = d.Solution
	v["benefits"] = strs(d.Benefits)
	v["benefits_text"] = joined(d.Benefits)
	v["currency"] = currencyView(d.Currency)
	v["lines"] = linesView(d.Lines)
	v["totals"] = d.lines.view(d.Currency)
	v["optional_lines"] = linesView(d.OptionalLines)
	v["optional_totals"] = d.optional.view(d.Currency)
	v["has_optional_lines"] = len(d.OptionalLines) > 0
	v["delivery_time"] = d.DeliveryTime
	v["delivery_basis"] = d.DeliveryBasis
	v["delivery_address"] = d.DeliveryAddress
	v["payment_terms"] = d.PaymentTerms
	v["warranty"] = d.Warranty
	putDate(v, "valid_until", d.ValidUntil)
	validity := ""
	if !d.ValidUntil.IsZero() {
		validity = "до " + d.ValidUntil.numeric()
		if days := daysBetween(d.Date, d.ValidUntil); days > 0 && !d.Date.IsZero() {
			validity += " (" + dayCount(days, DaysCalendar) + ")"
		}
	}
	v["validity"] = validity
	v["binding"] = d.Binding
	if d.Binding {
		v["offer_note"] = "Настоящее предложение является офертой и действует до " + d.ValidUntil.numeric() + "."
	} else {
		v["offer_note"] = "Настоящее коммерческое предложение не является публичной офертой. Цены действительны до " + d.ValidUntil.numeric() + "."
	}
	v["manager"] = d.Manager.view()
	signer := d.Signer
	if signer.IsZero() {
		signer = Contact{Name: d.Seller.DirectorName, Position: d.Seller.DirectorTitle}
	}
	v["signer"] = signer.view()
	return v
}

// outgoing prints «Исх. № КП-2026-0123 от 12.03.2026».
func outgoing(number string, date Date) string {
	s := "Исх. №"
	if number != "" {
		s += " " + number
	} else {
		s += " ____"
	}
	if !date.IsZero() {
		s += " от " + date.numeric()
	}
	return s
}

// setDate sets *d to t's calendar date when *d is unset.
func setDate(d *Date, t time.Time) {
	if d.IsZero() && !t.IsZero() {
		y, m, day := t.Date()
		*d = Date{time.Date(y, m, day, 0, 0, 0, 0, time.UTC)}
	}
}

// daysBetween returns the calendar days from a to b (negative when b is earlier).
func daysBetween(a, b Date) int {
	if a.IsZero() || b.IsZero() {
		return 0
	}
	return int(b.Sub(a.Time).Hours() / 24)
}
