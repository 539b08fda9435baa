package documents

import (
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/workflow"
)

// Invoice is the счёт на оплату (pro-forma invoice, DOMAIN.md §1.0/§1.7): a request to pay,
// with the seller's bank details. Its number is gap-free (GaplessKinds).
//
// VAT: a line without a rate is taxed at the standard rate of the planned shipment date
// (ShipmentDate) or, when that is unknown, of the invoice date; a standard rate written on a
// line must be the one in force on the shipment date when ShipmentDate is set.
type Invoice struct {
	Number string `json:"number,omitempty"`
	Date   Date   `json:"date"`
	// Seller must carry its bank details: the buyer pays to them.
	Seller Party `json:"seller"`
	Buyer  Party `json:"buyer"`
	// Contract and Specification give the basis; Basis overrides the text
	// («Договор поставки № 45/2026-П от 10.04.2026, Спецификация № 1»).
	Contract      DocRef `json:"contract,omitzero"`
	Specification DocRef `json:"specification,omitzero"`
	Basis         string `json:"basis,omitempty"`
	Currency      string `json:"currency,omitempty"`
	Lines         []Line `json:"lines"`
	// ShipmentDate is the planned shipment date: it decides the standard VAT rate.
	ShipmentDate Date `json:"shipment_date,omitzero"`
	// PaymentDue is the date by which to pay.
	PaymentDue Date `json:"payment_due,omitzero"`
	// Purpose is the payment purpose (назначение платежа); derived when empty.
	Purpose string `json:"purpose,omitempty"`

	// Totals are derived.
	Totals *Totals `json:"totals,omitempty"`

	lines lineSet
}

func init() {
	RegisterKind(workflow.DocInvoice, func() Data { return &Invoice{} })
}

// Kind returns invoice.
func (d *Invoice) Kind() workflow.DocumentKind { return workflow.DocInvoice }

// Header returns the number and date.
func (d *Invoice) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *Invoice) SetNumber(n string, date time.Time) { d.Number = n; setDate(&d.Date, date) }

// Total returns the invoice totals.
func (d *Invoice) Total() (net, gross workflow.Money) { return d.lines.money() }

// vatDate is the date that decides the standard VAT rate.
func (d *Invoice) vatDate() Date {
	if !d.ShipmentDate.IsZero() {
		return d.ShipmentDate
	}
	return d.Date
}

// Validate checks the invoice and computes line amounts and totals.
func (d *Invoice) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	d.Seller.check(&p, "seller", partyBank, false)
	d.Buyer.check(&p, "buyer", partyFull, false)
	d.Contract.check(&p, "contract", false)
	d.Specification.check(&p, "specification", false)
	p.para("basis", d.Basis, maxName)
	p.currency("currency", &d.Currency)
	p.date("shipment_date", d.ShipmentDate)
	rr := rateRule{std: vat.StandardRate(d.vatDate().Time)}
	if !d.ShipmentDate.IsZero() {
		rr.strict, rr.dateLabel = true, "shipment date "+d.ShipmentDate.String()
	}
	d.lines = checkLines(&p, "lines", d.Lines, 1, rr)
	d.Totals = d.lines.totals(&p, "totals", d.Totals)
	p.date("payment_due", d.PaymentDue)
	p.notBefore("payment_due", d.PaymentDue, d.Date, "date")
	p.para("purpose", d.Purpose, 210) // the payment order's purpose field holds 210 characters
	return p.Err(d.Kind())
}

// basisText builds «Договор поставки № 45/2026-П от 10.04.2026, Спецификация № 1 от …».
func basisText(basis string, contract, spec DocRef) string {
	if basis != "" {
		return basis
	}
	var parts []string
	if !contract.IsZero() {
		parts = append(parts, "Договор поставки "+contract.text())
	}
	if !spec.IsZero() {
		parts = append(parts, "Спецификация "+spec.text())
	}
	return strings.Join(parts, ", ")
}

// View returns the values the invoice templates read (VIEW.md, "invoice").
func (d *Invoice) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["seller"] = d.Seller.view()
	v["buyer"] = d.Buyer.view()
	v["contract"] = d.Contract.view()
	v["specification"] = d.Specification.view()
	v["basis"] = basisText(d.Basis, d.Contract, d.Specification)
	v["currency"] = currencyView(d.Currency)
	v["lines"] = linesView(d.Lines)
	totals := d.lines.view(d.Currency)
	v["totals"] = totals
	putDate(v, "shipment_date", d.ShipmentDate)
	putDate(v, "vat_date", d.vatDate())
	putDate(v, "payment_due", d.PaymentDue)
	purpose := d.Purpose
	if purpose == "" {
		purpose = "Оплата по счёту № " + d.Number + " от " + d.Date.numeric()
		if !d.Contract.IsZero() {
			purpose += " по договору " + d.Contract.text()
		}
		if totals["vat"] == "без НДС" {
			purpose += ". НДС не облагается"
		} else {
			purpose += ". В т.ч. " + totals["vat_label"].(string) + " — " + amount.Format(d.lines.sum.Total.VAT) + " " + currencyInfo[d.Currency].short
		}
	}
	v["purpose"] = purpose
	return v
}
