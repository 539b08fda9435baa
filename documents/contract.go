package documents

import (
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/workflow"
)

// Delivery bases of a contract or specification.
const (
	// BasisDelivery: the supplier delivers to the buyer's (consignee's) address.
	BasisDelivery = "delivery"
	// BasisPickup: the buyer collects the goods from the supplier's warehouse.
	BasisPickup = "pickup"
)

var deliveryBases = map[string]string{
	BasisDelivery: "доставка Поставщиком до склада Покупателя (грузополучателя)",
	BasisPickup:   "самовывоз со склада Поставщика",
}

// Events periods are counted from.
var periodEvents = map[string]string{
	"advance":       "с даты поступления аванса на расчётный счёт Поставщика",
	"signing":       "с даты подписания Спецификации",
	"contract":      "с даты подписания Договора",
	"invoice":       "с даты выставления счёта",
	"readiness":     "с даты уведомления Покупателя о готовности Товара к отгрузке",
	"shipment":      "с даты отгрузки Товара",
	"delivery":      "с даты поставки Товара",
	"commissioning": "с даты ввода Товара в эксплуатацию",
}

func periodEventKeys() []string {
	return []string{"advance", "signing", "contract", "invoice", "readiness", "shipment", "delivery", "commissioning"}
}

var warrantyFrom = map[string]string{
	"commissioning": "с даты ввода Товара в эксплуатацию",
	"shipment":      "с даты отгрузки Товара",
	"delivery":      "с даты поставки Товара",
}

// Contract is the договор поставки (DOMAIN.md §1.4). The clauses' text lives in the
// templates; the data holds the variables the clauses print.
type Contract struct {
	// Number is «45/2026-П», allocated at finalisation.
	Number string `json:"number,omitempty"`
	Date   Date   `json:"date"`
	// City where the contract is signed, «Екатеринбург».
	City   string `json:"city"`
	Seller Party  `json:"seller"`
	Buyer  Party  `json:"buyer"`
	// Subject names the goods in general: «винтовые компрессоры и оборудование подготовки
	// сжатого воздуха». The goods themselves are in Lines or in the specifications.
	Subject  string `json:"subject"`
	Currency string `json:"currency,omitempty"`
	Lines    []Line `json:"lines,omitempty"`
	// PriceTotal ("total") is the contract price incl. VAT when the goods are only in specifications.
	// With Lines it is derived from them.
	PriceTotal string `json:"total,omitempty"`
	// TotalVATRate is the VAT rate of PriceTotal; the standard rate of Date when empty.
	TotalVATRate string `json:"total_vat_rate,omitempty"`
	// AdvancePercent of the price is paid within AdvanceDays of AdvanceFrom (default
	// "invoice"); the balance within BalanceDays of BalanceFrom (default "readiness").
	AdvancePercent string `json:"advance_percent"`
	AdvanceDays    int    `json:"advance_days,omitempty"`
	AdvanceFrom    string `json:"advance_from,omitempty"`
	BalanceDays    int    `json:"balance_days,omitempty"`
	BalanceFrom    string `json:"balance_from,omitempty"`
	// PaymentDayType is the kind of the payment days: banking (default), working, calendar.
	PaymentDayType string `json:"payment_day_type,omitempty"`
	// DeliveryDays of DeliveryDayType (working by default) counted from DeliveryFrom
	// (advance by default).
	DeliveryDays    int    `json:"delivery_days"`
	DeliveryDayType string `json:"delivery_day_type,omitempty"`
	DeliveryFrom    string `json:"delivery_from,omitempty"`
	// DeliveryBasis is delivery or pickup; DeliveryAddress is required for delivery.
	DeliveryBasis   string `json:"delivery_basis"`
	DeliveryAddress string `json:"delivery_address,omitempty"`
	// WarrantyMonths counted from WarrantyFrom (commissioning by default, or shipment,
	// delivery); WarrantyMaxMonths optionally caps it from shipment («но не более 18
	// месяцев с даты отгрузки»).
	WarrantyMonths    int    `json:"warranty_months"`
	WarrantyFrom      string `json:"warranty_from,omitempty"`
	WarrantyMaxMonths int    `json:"warranty_max_months,omitempty"`
	// PenaltyPercent per day of delay ("0.1"), capped at PenaltyCapPercent ("10") of the
	// price of the goods delayed.
	PenaltyPercent    string `json:"penalty_percent"`
	PenaltyCapPercent string `json:"penalty_cap_percent"`
	// ClaimsDays is the pre-trial claims period, 30 by default (АПК РФ Art. 4 p. 5).
	ClaimsDays       int    `json:"claims_days,omitempty"`
	ArbitrationCourt string `json:"arbitration_court"`
	// VATChangeClause re-prices the goods when the VAT rate changes; on unless false.
	VATChangeClause *bool `json:"vat_change_clause,omitempty"`
	// EDO: the parties agree to exchange documents electronically (ЭДО).
	EDO bool `json:"edo,omitempty"`
	// ValidUntil is the contract term («действует до 31.12.2026, а в части расчётов — до
	// полного исполнения»); optional.
	ValidUntil Date `json:"valid_until,omitzero"`

	// Totals are derived from Lines.
	Totals *Totals `json:"totals,omitempty"`

	lines                          lineSet
	total, totalVAT                int64
	hasTotal                       bool
	totalRate                      vat.Rate
	advanceBP, penaltyBP, penCapBP int64
}

func init() {
	RegisterKind(workflow.DocContract, func() Data { return &Contract{} })
}

// Kind returns contract.
func (d *Contract) Kind() workflow.DocumentKind { return workflow.DocContract }

// Header returns the number and date.
func (d *Contract) Header() (string, time.Time) { return d.Number, d.Date.Time }

// SetNumber sets the number and, when unset, the date.
func (d *Contract) SetNumber(n string, date time.Time) { d.Number = n; setDate(&d.Date, date) }

// Total returns the contract price: from the lines, or Total (VAT extracted) without lines.
func (d *Contract) Total() (net, gross workflow.Money) {
	return workflow.Money(d.total - d.totalVAT), workflow.Money(d.total)
}

// Validate checks the contract, fills the defaults named in the field comments and computes
// the totals.
func (d *Contract) Validate() error {
	var p Problems
	p.number("number", d.Number)
	p.requiredDate("date", d.Date)
	p.Required("city", d.City)
	p.line("city", d.City, maxName)
	d.Seller.check(&p, "seller", partyFull, true)
	d.Buyer.check(&p, "buyer", partyFull, true)
	p.Required("subject", d.Subject)
	p.para("subject", d.Subject, maxText)
	p.currency("currency", &d.Currency)
	std := vat.StandardRate(d.Date.Time)
	d.lines = checkLines(&p, "lines", d.Lines, 0, rateRule{std: std})
	d.hasTotal, d.total, d.totalVAT = false, 0, 0
	if len(d.Lines) > 0 {
		d.Totals = d.lines.totals(&p, "totals", d.Totals)
		if d.lines.ok {
			d.total, d.totalVAT, d.hasTotal = d.lines.sum.Total.Total, d.lines.sum.Total.VAT, true
			derived(&p, "total", &d.PriceTotal, d.total)
		}
		if d.TotalVATRate != "" {
			p.Add("total_vat_rate", "only for a contract without lines: the lines carry their rates", "только для договора без строк: ставки указаны в строках")
		}
	} else {
		if d.Totals != nil {
			p.Add("totals", "is derived; the contract has no lines", "вычисляется автоматически; в договоре нет строк")
		}
		d.totalRate = std
		if d.TotalVATRate != "" {
			if r, err := vat.ParseRate(d.TotalVATRate); err != nil {
				p.Add("total_vat_rate", "must be 22, 20, 10, 0 or «без НДС»", "допустимые ставки: 22, 20, 10, 0 или «без НДС»")
			} else {
				d.totalRate = r
				d.TotalVATRate = rateKey(r)
			}
		}
		if t, ok := p.money("total", &d.PriceTotal, false); ok {
			if t > int64(workflow.MaxMoney) {
				p.Add("total", "is too large", "слишком большая сумма")
			} else {
				d.total, d.hasTotal = t, true
				d.totalVAT, _ = vat.ExtractVAT(t, d.totalRate)
			}
		}
	}
	d.advanceBP, _ = p.percent("advance_percent", &d.AdvancePercent, 10000, true)
	defaultStr(&d.AdvanceFrom, "invoice")
	defaultStr(&d.BalanceFrom, "readiness")
	defaultStr(&d.PaymentDayType, DaysBanking)
	p.enum("advance_from", d.AdvanceFrom, false, periodEventKeys()...)
	p.enum("balance_from", d.BalanceFrom, false, periodEventKeys()...)
	p.enum("payment_day_type", d.PaymentDayType, false, dayKinds...)
	if d.advanceBP > 0 {
		p.intRange("advance_days", d.AdvanceDays, 1, 365)
	} else if d.AdvanceDays != 0 {
		p.intRange("advance_days", d.AdvanceDays, 0, 0)
	}
	if d.advanceBP < 10000 {
		p.intRange("balance_days", d.BalanceDays, 1, 365)
	} else if d.BalanceDays != 0 {
		p.intRange("balance_days", d.BalanceDays, 0, 0)
	}
	checkDelivery(&p, &d.DeliveryDays, &d.DeliveryDayType, &d.DeliveryFrom, d.DeliveryBasis, d.DeliveryAddress, true)
	checkWarranty(&p, d.WarrantyMonths, &d.WarrantyFrom, d.WarrantyMaxMonths, true)
	d.penaltyBP, _ = p.percent("penalty_percent", &d.PenaltyPercent, 10000, true)
	d.penCapBP, _ = p.percent("penalty_cap_percent", &d.PenaltyCapPercent, 10000, true)
	if d.ClaimsDays == 0 {
		d.ClaimsDays = 30
	}
	p.intRange("claims_days", d.ClaimsDays, 1, 365)
	p.Required("arbitration_court", d.ArbitrationCourt)
	p.line("arbitration_court", d.ArbitrationCourt, maxName)
	p.date("valid_until", d.ValidUntil)
	p.notBefore("valid_until", d.ValidUntil, d.Date, "date")
	return p.Err(d.Kind())
}

// checkDelivery validates and defaults the delivery variables shared by contract and
// specification.
func checkDelivery(p *Problems, days *int, dayType, from *string, basis, address string, required bool) {
	defaultStr(dayType, DaysWorking)
	defaultStr(from, "advance")
	if required || *days != 0 {
		p.intRange("delivery_days", *days, 1, 3650)
	}
	p.enum("delivery_day_type", *dayType, false, dayKinds...)
	p.enum("delivery_from", *from, false, periodEventKeys()...)
	p.enum("delivery_basis", basis, required, BasisDelivery, BasisPickup)
	if basis == BasisDelivery {
		p.Required("delivery_address", address)
	}
	p.para("delivery_address", address, maxAddress)
}

// checkWarranty validates and defaults the warranty variables.
func checkWarranty(p *Problems, months int, from *string, maxMonths int, required bool) {
	defaultStr(from, "commissioning")
	if required || months != 0 {
		p.intRange("warranty_months", months, 1, 240)
	}
	p.enum("warranty_from", *from, false, "commissioning", "shipment", "delivery")
	if maxMonths != 0 {
		p.intRange("warranty_max_months", maxMonths, months, 240)
	}
}

func defaultStr(s *string, def string) {
	if *s == "" {
		*s = def
	}
}

// deliveryView sets the delivery keys of a contract or specification view.
func deliveryView(v map[string]any, days int, dayType, from, basis, address string) {
	v["delivery_days"] = intText(days)
	v["delivery_day_type"] = dayType
	v["delivery_from"] = from
	period := ""
	if days > 0 {
		period = dayCount(days, dayType) + " " + periodEvents[from]
	}
	v["delivery_period"] = period
	v["delivery_basis"] = basis
	v["delivery_basis_ru"] = deliveryBases[basis]
	v["delivery_address"] = address
}

// warrantyView sets the warranty keys.
func warrantyView(v map[string]any, months int, from string, maxMonths int) {
	v["warranty_months"] = intText(months)
	v["warranty_from"] = from
	v["warranty_max_months"] = intText(maxMonths)
	text := ""
	if months > 0 {
		text = monthCount(months) + " " + warrantyFrom[from]
		if maxMonths > 0 {
			text += "; предельный гарантийный срок — " + monthCount(maxMonths) + " с даты отгрузки Товара"
		}
	}
	v["warranty"] = text
}

// percentText prints basis points as «0,1 %».
func percentText(bp int64) string { return strings.Replace(formatBP(bp), ".", ",", 1) + " %" }

// View returns the values the contract templates read (VIEW.md, "contract").
func (d *Contract) View() map[string]any {
	v := baseView(d.Kind(), d.Number, d.Date)
	v["city"] = d.City
	v["seller"] = d.Seller.view()
	v["buyer"] = d.Buyer.view()
	v["subject"] = d.Subject
	v["currency"] = currencyView(d.Currency)
	v["lines"] = linesView(d.Lines)
	v["has_lines"] = len(d.Lines) > 0
	v["totals"] = d.lines.view(d.Currency)
	v["has_total"] = d.hasTotal
	putOptMoney(v, "total", d.total, d.hasTotal)
	putOptMoney(v, "total_vat", d.totalVAT, d.hasTotal)
	putOptMoney(v, "total_net", d.total-d.totalVAT, d.hasTotal)
	if len(d.Lines) > 0 {
		v["total_vat_label"] = v["totals"].(map[string]any)["vat_label"]
	} else {
		v["total_vat_label"] = vatLabel(d.totalRate)
	}
	priceClause := "Общая стоимость Договора складывается из стоимости Товара по всем Спецификациям к Договору."
	v["total_words"], v["total_words_en"] = "", ""
	if d.hasTotal {
		ru, en := words(d.total, d.Currency)
		v["total_words"], v["total_words_en"] = ru, en
		short := currencyInfo[d.Currency].short
		priceClause = "Общая стоимость Договора составляет " + amount.Format(d.total) + " " + short + " (" + ru + "), "
		if label := v["total_vat_label"].(string); label == "Без НДС" {
			priceClause += "НДС не облагается."
		} else {
			priceClause += "в том числе " + label + " — " + amount.Format(d.totalVAT) + " " + short
			if !strings.HasSuffix(priceClause, ".") {
				priceClause += "."
			}
		}
	}
	v["price_clause"] = priceClause
	v["advance_percent"] = percentText(d.advanceBP)
	v["advance_percent_raw"] = d.AdvancePercent
	v["balance_percent"] = percentText(10000 - d.advanceBP)
	v["balance_percent_raw"] = formatBP(10000 - d.advanceBP)
	v["advance_days"] = intText(d.AdvanceDays)
	v["balance_days"] = intText(d.BalanceDays)
	v["advance_from"] = d.AdvanceFrom
	v["balance_from"] = d.BalanceFrom
	v["payment_day_type"] = d.PaymentDayType
	var pay []string
	if d.advanceBP > 0 {
		pay = append(pay, percentText(d.advanceBP)+" стоимости Товара — авансом в срок "+dayCount(d.AdvanceDays, d.PaymentDayType)+" "+periodEvents[d.AdvanceFrom])
	}
	if d.advanceBP < 10000 {
		pay = append(pay, percentText(10000-d.advanceBP)+" стоимости Товара — в срок "+dayCount(d.BalanceDays, d.PaymentDayType)+" "+periodEvents[d.BalanceFrom])
	}
	v["payment_terms"] = strings.Join(pay, "; ")
	deliveryView(v, d.DeliveryDays, d.DeliveryDayType, d.DeliveryFrom, d.DeliveryBasis, d.DeliveryAddress)
	warrantyView(v, d.WarrantyMonths, d.WarrantyFrom, d.WarrantyMaxMonths)
	v["penalty_percent"] = percentText(d.penaltyBP)
	v["penalty_percent_raw"] = d.PenaltyPercent
	v["penalty_cap_percent"] = percentText(d.penCapBP)
	v["penalty_cap_percent_raw"] = d.PenaltyCapPercent
	v["claims_days"] = intText(d.ClaimsDays)
	v["claims_period"] = dayCount(d.ClaimsDays, DaysCalendar)
	v["arbitration_court"] = d.ArbitrationCourt
	vatClause := d.VATChangeClause == nil || *d.VATChangeClause
	v["vat_change_clause"] = vatClause
	v["vat_change_text"] = ""
	if vatClause {
		v["vat_change_text"] = "При изменении ставки НДС, установленной законодательством Российской Федерации, цена Товара, не отгруженного на дату изменения, изменяется на величину изменения суммы налога; цена без НДС остаётся неизменной."
	}
	v["edo"] = d.EDO
	v["edo_text"] = ""
	if d.EDO {
		v["edo_text"] = "Стороны договорились об обмене юридически значимыми электронными документами через оператора электронного документооборота; такие документы, подписанные усиленной квалифицированной электронной подписью, равнозначны документам на бумажном носителе."
	}
	putDate(v, "valid_until", d.ValidUntil)
	return v
}
