package documents

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/workflow"
)

// UPD profiles: the универсальный передаточный документ, or the classic pair of a
// товарная накладная ТОРГ-12 and a счёт-фактура printed from the same data.
const (
	ProfileUPD    = "upd"
	ProfileTORG12 = "torg12"
)

// UPD is the универсальный передаточный документ (DOMAIN.md §1.7): status 1 is a VAT invoice
// and a transfer document in one, status 2 only a transfer document. Its number is gap-free
// (GaplessKinds).
//
// VAT follows the shipment date: a line without a rate gets the standard rate of
// ShipmentDate (20 % for 2025, 22 % from 2026-01-01), and a standard rate written on a line
// must be the one in force on that date.
type UPD struct {
	Number string `json:"number,omitempty"`
	Date   Date   `json:"date"`
	// Status is 1 (счёт-фактура и передаточный документ, the default) or 2 (передаточный
	// документ only).
	Status int `json:"status,omitempty"`
	// Profile is upd (default) or torg12 (ТОРГ-12 + счёт-фактура).
	Profile string `json:"profile,omitempty"`
	Seller  Party  `json:"seller"`
	Buyer   Party  `json:"buyer"`
	// Consignor ships the goods; «он же» (the seller) when empty. Consignee receives them;
	// the buyer when empty.
	Consignor Party `json:"consignor,omitzero"`
	Consignee Party `json:"consignee,omitzero"`
	// Contract, Specification and Basis give «Основание передачи (сдачи) / получения».
	Contract      DocRef `json:"contract,omitzero"`
	Specification DocRef `json:"specification,omitzero"`
	Basis         string `json:"basis,omitempty"`
	ShipmentDate  Date   `json:"shipment_date"`
	// PaymentDocuments are the payment orders of advances («К платёжно-расчётному документу
	// № … от …»).
	PaymentDocuments []DocRef `json:"payment_documents,omitempty"`
	// GovernmentContractID is the identifier of a state contract, if any.
	GovernmentContractID string `json:"government_contract_id,omitempty"`
	Currency             string `json:"currency,omitempty"`
	Lines                []Line `json:"lines"`
	// Transport: «Автомобильный транспорт, транспортная накладная № 118 от 06.07.2026».
	Transport string `json:"transport,omitempty"`
	// ShippedBy handed the goods over (seller side); ReceivedBy received them (buyer side,
	// usually signed by hand); PowerOfAttorney is the receiver's доверенность.
	ShippedBy       Contact `json:"shipped_by,omitzero"`
	ReceivedBy      Contact `json:"received_by,omitzero"`
	PowerOfAttorney string  `json:"power_of_attorney,omitempty"`

	// Totals are derived.
	Totals *Totals `json:"totals,omitempty"`

	lines lineSet
}

func init() {
	RegisterKind(workflow.DocUPD, func() Data { return &UPD{} })
}

// Kind returns upd.
func (d *UPD) Kind() workflow.DocumentKind { return workflow.DocUPD }

// templateVariant names the shipped template variant the УПД is printed with: "torg12" for
// the ТОРГ-12 profile (upd-torg12.docx), "" for the УПД form.
func (d *UPD) templateVariant() string {
	if d.Profile == ProfileTORG12 {
		return ProfileTORG12
	}
	return ""
}

// Header returns the number and date.
func (d *UPD) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *UPD) SetNumber(n string, date time.Time) { d.Number = n; setDate(&d.Date, date) }

// Total returns the shipment's totals.
func (d *UPD) Total() (net, gross workflow.Money) { return d.lines.money() }

// Validate checks the УПД and computes line amounts and totals with the VAT of the shipment
// date.
func (d *UPD) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	if d.Status == 0 {
		d.Status = 1
	}
	if d.Status != 1 && d.Status != 2 {
		p.Add("status", "must be 1 (VAT invoice and transfer document) or 2 (transfer document)", "должно быть 1 (счёт-фактура и передаточный документ) или 2 (передаточный документ)")
	}
	defaultStr(&d.Profile, ProfileUPD)
	p.enum("profile", d.Profile, false, ProfileUPD, ProfileTORG12)
	d.Seller.check(&p, "seller", partyFull, true)
	d.Buyer.check(&p, "buyer", partyFull, false)
	if !d.Consignor.IsZero() {
		d.Consignor.check(&p, "consignor", partyNamed, false)
	}
	if !d.Consignee.IsZero() {
		d.Consignee.check(&p, "consignee", partyNamed, false)
		if d.Consignee.Address == "" {
			p.Required("consignee.address", d.Consignee.Address)
		}
	}
	d.Contract.check(&p, "contract", false)
	d.Specification.check(&p, "specification", false)
	p.para("basis", d.Basis, maxName)
	if d.Basis == "" && d.Contract.IsZero() {
		p.Add("contract", "the basis is required: a contract or a basis text", "нужно основание: договор или текст основания")
	}
	p.requiredDate("shipment_date", d.ShipmentDate)
	if p.count("payment_documents", len(d.PaymentDocuments), 0, MaxListItems) {
		for i := range d.PaymentDocuments {
			d.PaymentDocuments[i].check(&p, fmt.Sprintf("payment_documents[%d]", i), true)
		}
	}
	p.line("government_contract_id", d.GovernmentContractID, maxShort)
	p.currency("currency", &d.Currency)
	rr := rateRule{std: vat.StandardRate(d.ShipmentDate.Time), strict: true,
		dateLabel: "shipment date " + d.ShipmentDate.String(), needOKEI: true}
	if d.ShipmentDate.IsZero() {
		rr.std, rr.strict = vat.StandardRate(d.Date.Time), false
	}
	d.lines = checkLines(&p, "lines", d.Lines, 1, rr)
	d.Totals = d.lines.totals(&p, "totals", d.Totals)
	p.para("transport", d.Transport, maxAddress)
	d.ShippedBy.check(&p, "shipped_by", false, false)
	d.ReceivedBy.check(&p, "received_by", false, false)
	p.line("power_of_attorney", d.PowerOfAttorney, maxName)
	return p.Err(d.Kind())
}

// View returns the values the УПД (and ТОРГ-12 + счёт-фактура) templates read (VIEW.md,
// "upd").
func (d *UPD) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	if d.Profile == ProfileTORG12 {
		v["title"] = map[string]any{"ru": "Товарная накладная (ТОРГ-12) и счёт-фактура", "en": "Delivery note (TORG-12) and VAT invoice"}
	}
	v["status"] = strconv.Itoa(d.Status)
	v["status_text"] = map[int]string{1: "1 — счёт-фактура и передаточный документ (акт)", 2: "2 — передаточный документ (акт)"}[d.Status]
	v["is_invoice"] = d.Status == 1
	v["profile"] = d.Profile
	v["seller"] = d.Seller.view()
	v["buyer"] = d.Buyer.view()
	consignor := d.Consignor.view()
	consignor["same_as_seller"] = d.Consignor.IsZero()
	consignor["text"] = "он же"
	if !d.Consignor.IsZero() {
		consignor["text"] = joinNonEmpty(", ", d.Consignor.Name, d.Consignor.Address)
	}
	v["consignor"] = consignor
	cons := d.Consignee
	if cons.IsZero() {
		cons = d.Buyer
	}
	consignee := cons.view()
	consignee["text"] = joinNonEmpty(", ", cons.Name, cons.Address)
	v["consignee"] = consignee
	// The header of the ТОРГ-12: each party on one line with its requisites, address and bank
	// (the parts known), as the form asks; the consignor is the seller when none is given.
	shipper := d.Consignor
	if shipper.IsZero() {
		shipper = d.Seller
	}
	v["torg12"] = map[string]any{
		"consignor": shipper.fullLine(),
		"consignee": cons.fullLine(),
		"supplier":  d.Seller.fullLine(),
		"payer":     d.Buyer.fullLine(),
	}
	v["contract"] = d.Contract.view()
	v["specification"] = d.Specification.view()
	v["basis"] = basisText(d.Basis, d.Contract, d.Specification)
	putDate(v, "shipment_date", d.ShipmentDate)
	docs := make([]map[string]any, 0, len(d.PaymentDocuments))
	var texts []string
	for i, r := range d.PaymentDocuments {
		m := r.view()
		m["no"] = strconv.Itoa(i + 1)
		docs = append(docs, m)
		texts = append(texts, r.text())
	}
	v["payment_documents"] = docs
	v["payment_documents_text"] = joinNonEmpty(", ", texts...)
	v["government_contract_id"] = d.GovernmentContractID
	v["currency"] = currencyView(d.Currency)
	v["lines"] = linesView(d.Lines)
	v["totals"] = d.lines.view(d.Currency)
	v["excise"] = "без акциза"
	v["transport"] = d.Transport
	v["shipped_by"] = d.ShippedBy.view()
	v["received_by"] = d.ReceivedBy.view()
	v["power_of_attorney"] = d.PowerOfAttorney
	return v
}

// fullLine is the party on one line: name, requisites, address and bank, the parts known
// («АО «…», ИНН …, КПП …, ОГРН …, 620000, г. …, р/с … в …, БИК …, к/с …»).
func (p Party) fullLine() string {
	pv := p.view()
	return joinNonEmpty(", ", p.Name, pv["requisites_line"].(string), p.Address, pv["bank_line"].(string))
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, s := range parts {
		if s == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += s
	}
	return out
}
