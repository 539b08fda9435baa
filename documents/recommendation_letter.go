package documents

import (
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Recommendation letter statuses, counted by the feedback-stage statistics.
const (
	LetterRequested = "requested"
	LetterReceived  = "received"
)

// DefaultLetterAddressee is the addressee of a reference letter that names none.
const DefaultLetterAddressee = "Всем заинтересованным лицам"

// RecommendationLetter is the рекомендательное письмо (DOMAIN.md §1.8): the client's
// reference letter, drafted by the seller for the client's letterhead. Status tracks
// requested → received.
type RecommendationLetter struct {
	// Number is the client's outgoing number, Date the letter's date.
	Number string `json:"number,omitempty"`
	Date   Date   `json:"date"`
	// Author is the client company whose letter it is.
	Author Party `json:"author"`
	// Addressee: «Всем заинтересованным лицам» when empty, or an organisation.
	Addressee string `json:"addressee,omitempty"`
	// ClientDescription says who the client is (industry, site).
	ClientDescription string `json:"client_description,omitempty"`
	// Supplier is the seller being recommended.
	Supplier Party    `json:"supplier"`
	Supplied Supplied `json:"supplied"`
	// Assessment covers quality, delivery on schedule, commissioning, service and the team;
	// Recommendation is the explicit recommendation.
	Assessment     string `json:"assessment,omitempty"`
	Recommendation string `json:"recommendation"`
	// Signatory signs for the client (director or chief engineer).
	Signatory Contact `json:"signatory,omitzero"`
	// Status is requested (draft sent to the client, the default) or received.
	Status      string `json:"status,omitempty"`
	RequestedOn Date   `json:"requested_on,omitzero"`
	ReceivedOn  Date   `json:"received_on,omitzero"`
}

// Supplied is what the supplier delivered.
type Supplied struct {
	Contract DocRef `json:"contract,omitzero"`
	// Equipment lists the items supplied.
	Equipment  []string `json:"equipment"`
	PeriodFrom Date     `json:"period_from,omitzero"`
	PeriodTo   Date     `json:"period_to,omitzero"`
	// Volume describes the volume in words («4 единицы оборудования»); Amount is the value
	// incl. VAT in Currency (RUB by default), optional.
	Volume   string `json:"volume,omitempty"`
	Amount   string `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
}

func init() {
	RegisterKind(workflow.DocRecommendationLetter, func() Data { return &RecommendationLetter{} })
}

// Kind returns recommendation_letter.
func (d *RecommendationLetter) Kind() workflow.DocumentKind { return workflow.DocRecommendationLetter }

// Header returns the number and date.
func (d *RecommendationLetter) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *RecommendationLetter) SetNumber(n string, date time.Time) {
	d.Number = n
	setDate(&d.Date, date)
}

// Validate checks the letter. A received letter needs the assessment, the signatory and the
// date it was received.
func (d *RecommendationLetter) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	d.Author.check(&p, "author", partyNamed, false)
	p.line("addressee", d.Addressee, maxAddress)
	p.para("client_description", d.ClientDescription, maxText)
	d.Supplier.check(&p, "supplier", partyNamed, false)
	s := &d.Supplied
	s.Contract.check(&p, "supplied.contract", false)
	p.texts("supplied.equipment", s.Equipment, 1, MaxListItems, maxAddress)
	p.date("supplied.period_from", s.PeriodFrom)
	p.date("supplied.period_to", s.PeriodTo)
	p.notBefore("supplied.period_to", s.PeriodTo, s.PeriodFrom, "supplied.period_from")
	p.para("supplied.volume", s.Volume, maxName)
	p.money("supplied.amount", &s.Amount, false)
	if s.Amount != "" || s.Currency != "" {
		p.currency("supplied.currency", &s.Currency)
	}
	p.para("assessment", d.Assessment, maxText)
	p.Required("recommendation", d.Recommendation)
	p.para("recommendation", d.Recommendation, maxText)
	defaultStr(&d.Status, LetterRequested)
	p.enum("status", d.Status, true, LetterRequested, LetterReceived)
	received := d.Status == LetterReceived
	d.Signatory.check(&p, "signatory", received, received)
	if received {
		p.Required("assessment", d.Assessment)
		p.requiredDate("received_on", d.ReceivedOn)
	} else {
		p.date("received_on", d.ReceivedOn)
		if !d.ReceivedOn.IsZero() {
			p.Add("received_on", "only for a received letter (status received)", "только для полученного письма (status received)")
		}
	}
	p.date("requested_on", d.RequestedOn)
	p.notBefore("received_on", d.ReceivedOn, d.RequestedOn, "requested_on")
	return p.Err(d.Kind())
}

// View returns the values the recommendation letter templates read (VIEW.md,
// "recommendation_letter").
func (d *RecommendationLetter) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["outgoing"] = outgoing(d.Number, d.Date)
	v["author"] = d.Author.view()
	addr := d.Addressee
	if addr == "" {
		addr = DefaultLetterAddressee
	}
	v["addressee"] = addr
	v["client_description"] = d.ClientDescription
	v["supplier"] = d.Supplier.view()
	s := d.Supplied
	cur := s.Currency
	if cur == "" {
		cur = DefaultCurrency
	}
	sv := map[string]any{
		"contract":       s.Contract.view(),
		"equipment":      strs(s.Equipment),
		"equipment_text": joined(s.Equipment),
		"volume":         s.Volume,
		"currency":       currencyView(cur),
	}
	putDate(sv, "period_from", s.PeriodFrom)
	putDate(sv, "period_to", s.PeriodTo)
	period := ""
	switch {
	case !s.PeriodFrom.IsZero() && !s.PeriodTo.IsZero():
		period = "с " + s.PeriodFrom.numeric() + " по " + s.PeriodTo.numeric()
	case !s.PeriodFrom.IsZero():
		period = "с " + s.PeriodFrom.numeric()
	case !s.PeriodTo.IsZero():
		period = "по " + s.PeriodTo.numeric()
	}
	sv["period"] = period
	amt, ok := parseMoneyOK(s.Amount)
	putOptMoney(sv, "amount", amt, ok)
	sv["amount_words"] = ""
	if ok {
		sv["amount_words"], _ = words(amt, cur)
	}
	v["supplied"] = sv
	v["assessment"] = d.Assessment
	v["recommendation"] = d.Recommendation
	v["signatory"] = d.Signatory.view()
	v["status"] = d.Status
	v["status_ru"] = map[string]string{LetterRequested: "запрошено", LetterReceived: "получено"}[d.Status]
	v["received"] = d.Status == LetterReceived
	putDate(v, "requested_on", d.RequestedOn)
	putDate(v, "received_on", d.ReceivedOn)
	return v
}
