package documents

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/workflow"
)

// Line is one item line of a proposal, contract, specification, invoice or УПД.
//
// Inputs are decimal strings, never floats. Validate normalises them (qty "1,5" → "1.5",
// price "1250000" → "1250000.00", vat_rate "22 %" → "22") and fills the derived fields
// amount, vat and total; a derived value sent in must equal the computed one.
type Line struct {
	// SKU is the catalogue code, optional.
	SKU string `json:"sku,omitempty"`
	// Name is the item name with the model: «Компрессор винтовой ВК-55, 55 кВт».
	Name string `json:"name"`
	// Description holds key technical data, optional.
	Description string `json:"description,omitempty"`
	// Unit is the unit of measure, «шт» when empty.
	Unit string `json:"unit,omitempty"`
	// OKEI is the unit's code in the ОКЕИ classifier ("796" for «шт»); filled in from the
	// unit for the common units.
	OKEI string `json:"okei,omitempty"`
	// Qty is the quantity: a positive decimal with at most three fractional digits.
	Qty string `json:"qty"`
	// Price is the unit price excluding VAT, before the discount: "1250000.00".
	Price string `json:"price"`
	// DiscountPercent is an optional discount off Price, 0–100 with two decimals: "5".
	DiscountPercent string `json:"discount_percent,omitempty"`
	// VATRate is "22", "20", "10", "0" or "без НДС". When empty the standard rate of the
	// document's VAT date applies (the shipment date for invoices and УПД).
	VATRate string `json:"vat_rate,omitempty"`
	// CountryCode (ОКСМ, 3 digits), Country and CustomsDeclaration are filled for imported
	// goods (счёт-фактура columns 10–11).
	CountryCode        string `json:"country_code,omitempty"`
	Country            string `json:"country,omitempty"`
	CustomsDeclaration string `json:"customs_declaration,omitempty"`

	// Amount (excl. VAT, after the discount), VAT and Total (incl. VAT) are derived.
	Amount string `json:"amount,omitempty"`
	VAT    string `json:"vat,omitempty"`
	Total  string `json:"total,omitempty"`

	calc lineCalc
}

// lineCalc holds a validated line's exact values.
type lineCalc struct {
	qty      int64 // thousandths
	price    int64 // kopecks, before discount
	priceNet int64 // kopecks, after discount
	discount int64 // basis points
	hasDisc  bool
	rate     vat.Rate
	amounts  vat.Amounts
}

// Totals are the document totals of a list of lines, as decimal strings.
type Totals struct {
	Net    string      `json:"net"`
	VAT    string      `json:"vat"`
	Gross  string      `json:"gross"`
	ByRate []RateTotal `json:"by_rate"`
}

// RateTotal is the subtotal of the lines at one VAT rate.
type RateTotal struct {
	Rate  string `json:"rate"`
	Net   string `json:"net"`
	VAT   string `json:"vat"`
	Gross string `json:"gross"`
}

// lineSet is the computed state of validated lines.
type lineSet struct {
	sum   vat.Summary
	count int
	ok    bool // every line is valid and the totals are computed
}

// okeiByUnit gives the ОКЕИ code of common units.
var okeiByUnit = map[string]string{
	"шт": "796", "шт.": "796", "компл": "839", "компл.": "839", "комплект": "839",
	"усл. ед": "876", "усл. ед.": "876", "ед": "642", "ед.": "642", "кг": "166", "т": "168",
	"м": "006", "м2": "055", "м²": "055", "м3": "113", "м³": "113", "л": "112",
	"ч": "356", "чел.-ч": "539", "упак": "778", "упак.": "778", "пар": "715", "рейс": "643",
}

// DefaultUnit is the unit of a line that names none.
const DefaultUnit = "шт"

// rateRule says how lines without a rate are taxed and whether given rates are checked.
type rateRule struct {
	// std is the standard rate for lines with an empty vat_rate.
	std vat.Rate
	// strict refuses a standard rate (18/20/22) other than std: the rate follows the
	// shipment date, so a 2026 shipment cannot carry 20 %.
	strict bool
	// dateLabel names the date std comes from, for the error message.
	dateLabel string
	// needOKEI requires the ОКЕИ code (счёт-фактура, УПД).
	needOKEI bool
}

// isStandard reports whether r is one of the date-effective standard rates.
func isStandard(r vat.Rate) bool { return r == vat.Rate22 || r == vat.Rate20 || r == vat.Rate18 }

// rateKey is the canonical JSON spelling of a rate.
func rateKey(r vat.Rate) string {
	if r == vat.Exempt {
		return "без НДС"
	}
	return strconv.FormatInt(r.Percent(), 10)
}

// checkLines validates and computes lines at path, between min and MaxLines of them.
func checkLines(p *Problems, path string, lines []Line, min int, rr rateRule) lineSet {
	if !p.count(path, len(lines), min, MaxLines) {
		return lineSet{}
	}
	ok := true
	vl := make([]vat.Line, len(lines))
	for i := range lines {
		l := &lines[i]
		lp := fmt.Sprintf("%s[%d]", path, i)
		if !l.check(p, lp, rr) {
			ok = false
			continue
		}
		vl[i] = vat.Line{Qty: l.Qty, UnitPrice: l.calc.priceNet, Rate: l.calc.rate}
	}
	if !ok {
		return lineSet{}
	}
	sum, err := vat.Totals(vl)
	if err != nil || sum.Total.Total > int64(workflow.MaxMoney) {
		p.Add(path, "the total is too large", "итоговая сумма слишком велика")
		return lineSet{}
	}
	return lineSet{sum: sum, count: len(lines), ok: true}
}

// check validates one line and computes its amounts; it reports whether the line is usable.
func (l *Line) check(p *Problems, path string, rr rateRule) bool {
	before := len(p.list)
	p.Required(path+".name", l.Name)
	p.para(path+".name", l.Name, maxAddress)
	p.para(path+".description", l.Description, maxText)
	p.line(path+".sku", l.SKU, maxShort)
	if l.Unit == "" {
		l.Unit = DefaultUnit
	}
	p.line(path+".unit", l.Unit, 32)
	if l.OKEI == "" {
		l.OKEI = okeiByUnit[strings.ToLower(l.Unit)]
	}
	switch {
	case l.OKEI == "" && rr.needOKEI:
		p.Add(path+".okei", "required: the unit's ОКЕИ code, e.g. 796 for шт", "обязательное поле: код единицы по ОКЕИ, например 796 для шт")
	case l.OKEI != "" && !digits(l.OKEI, 3, 4):
		p.Add(path+".okei", "must be an ОКЕИ code of 3 or 4 digits", "код ОКЕИ — 3 или 4 цифры")
	}
	if l.CountryCode != "" && !digits(l.CountryCode, 3, 3) {
		p.Add(path+".country_code", "must be an ОКСМ code of 3 digits", "код страны по ОКСМ — 3 цифры")
	}
	p.line(path+".country", l.Country, 100)
	p.line(path+".customs_declaration", l.CustomsDeclaration, maxShort)

	var c lineCalc
	if q, err := vat.ParseQty(strings.TrimSpace(l.Qty)); err != nil {
		p.Add(path+".qty", "must be a positive number with at most three decimals, e.g. \"2\" or \"1.5\"",
			"должно быть положительным числом, не более трёх знаков после запятой, например \"2\" или \"1,5\"")
	} else {
		c.qty = q
		l.Qty = formatQty(q)
	}
	if price, ok := p.money(path+".price", &l.Price, true); ok {
		c.price, c.priceNet = price, price
	}
	if bp, ok := p.percent(path+".discount_percent", &l.DiscountPercent, 10000, false); ok {
		c.discount, c.hasDisc = bp, true
		c.priceNet, _ = mulDivRound(c.price, 10000-bp, 10000)
	}
	c.rate = rr.std
	if strings.TrimSpace(l.VATRate) != "" {
		r, err := vat.ParseRate(l.VATRate)
		switch {
		case err != nil:
			p.Add(path+".vat_rate", "must be 22, 20, 10, 0 or «без НДС»", "допустимые ставки: 22, 20, 10, 0 или «без НДС»")
		case rr.strict && isStandard(r) && r != rr.std:
			p.Add(path+".vat_rate",
				fmt.Sprintf("%s is not the standard rate on the %s (%s): the rate follows the shipment date", r, rr.dateLabel, rr.std),
				fmt.Sprintf("ставка %s не действует на %s (%s): ставка определяется датой отгрузки", r, rr.dateLabel, rr.std))
		default:
			c.rate = r
		}
	}
	if len(p.list) > before {
		return false
	}
	l.VATRate = rateKey(c.rate)
	a, err := vat.Line{Qty: l.Qty, UnitPrice: c.priceNet, Rate: c.rate}.Compute()
	if err != nil || a.Total > int64(workflow.MaxMoney) {
		if err == nil || errors.Is(err, vat.ErrOverflow) {
			p.Add(path+".qty", "quantity × price is too large", "количество × цена — слишком большая сумма")
		} else {
			p.Add(path, err.Error(), "ошибка расчёта строки")
		}
		return false
	}
	c.amounts = a
	l.calc = c
	derived(p, path+".amount", &l.Amount, a.Amount)
	derived(p, path+".vat", &l.VAT, a.VAT)
	derived(p, path+".total", &l.Total, a.Total)
	return len(p.list) == before
}

// derived sets a derived money field, refusing a different value sent in.
func derived(p *Problems, path string, field *string, want int64) {
	w := workflow.Money(want).String()
	if *field != "" {
		got, err := workflow.ParseMoney(*field)
		if err != nil || got.Minor() != want {
			p.Add(path, "is derived and must equal "+w+" (or be left out)", "вычисляется автоматически и должно быть равно "+w+" (или не указываться)")
		}
	}
	*field = w
}

// totals returns the Totals of a computed set, checking a value sent in.
func (s lineSet) totals(p *Problems, path string, sent *Totals) *Totals {
	if !s.ok {
		return sent
	}
	t := &Totals{
		Net:    workflow.Money(s.sum.Total.Amount).String(),
		VAT:    workflow.Money(s.sum.Total.VAT).String(),
		Gross:  workflow.Money(s.sum.Total.Total).String(),
		ByRate: make([]RateTotal, 0, len(s.sum.ByRate)),
	}
	for _, r := range s.sum.ByRate {
		t.ByRate = append(t.ByRate, RateTotal{Rate: rateKey(r.Rate), Net: workflow.Money(r.Amount).String(),
			VAT: workflow.Money(r.VAT).String(), Gross: workflow.Money(r.Total).String()})
	}
	if sent != nil {
		for _, f := range []struct{ name, got, want string }{{"net", sent.Net, t.Net}, {"vat", sent.VAT, t.VAT}, {"gross", sent.Gross, t.Gross}} {
			if f.got != "" && !sameMoney(f.got, f.want) {
				p.Add(path+"."+f.name, "is derived and must equal "+f.want+" (or be left out)", "вычисляется автоматически и должно быть равно "+f.want+" (или не указываться)")
			}
		}
		if sent.ByRate != nil && !sameByRate(sent.ByRate, t.ByRate) {
			p.Add(path+".by_rate", "is derived and must match the lines (or be left out)", "вычисляется автоматически и должно соответствовать строкам (или не указываться)")
		}
	}
	return t
}

func sameMoney(a, b string) bool {
	x, err1 := workflow.ParseMoney(a)
	y, err2 := workflow.ParseMoney(b)
	return err1 == nil && err2 == nil && x == y
}

func sameByRate(a, b []RateTotal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		r, err := vat.ParseRate(a[i].Rate)
		if err != nil || rateKey(r) != b[i].Rate || !sameMoney(a[i].Net, b[i].Net) ||
			!sameMoney(a[i].VAT, b[i].VAT) || !sameMoney(a[i].Gross, b[i].Gross) {
			return false
		}
	}
	return true
}

// net and gross of the set, as Money.
func (s lineSet) money() (net, gross workflow.Money) {
	return workflow.Money(s.sum.Total.Amount), workflow.Money(s.sum.Total.Total)
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatQty prints thousandths as the shortest decimal: 1500 → "1.5", 2000 → "2".
func formatQty(q int64) string {
	s := strconv.FormatInt(q/1000, 10)
	if f := q % 1000; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", f), "0")
	}
	return s
}

// formatQtyRu prints a quantity the Russian way: "1 000", "1,5" (NBSP between groups).
func formatQtyRu(q int64) string {
	whole := strconv.FormatInt(q/1000, 10)
	var b strings.Builder
	for i := 0; i < len(whole); i++ {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(amount.NBSP)
		}
		b.WriteByte(whole[i])
	}
	if f := q % 1000; f != 0 {
		b.WriteString(strings.Replace(strings.TrimRight(fmt.Sprintf(".%03d", f), "0"), ".", ",", 1))
	}
	return b.String()
}

// vatText prints a VAT amount, or «без НДС» for exempt lines.
func vatText(a int64, r vat.Rate) string {
	if r == vat.Exempt {
		return "без НДС"
	}
	return amount.Format(a)
}

// linesView returns the list of line maps of validated lines (VIEW.md, "Line item").
func linesView(lines []Line) []map[string]any {
	out := make([]map[string]any, 0, len(lines))
	for i, l := range lines {
		c := l.calc
		v := map[string]any{
			"no":                  strconv.Itoa(i + 1),
			"sku":                 l.SKU,
			"name":                l.Name,
			"description":         l.Description,
			"unit":                l.Unit,
			"okei":                l.OKEI,
			"qty":                 formatQtyRu(c.qty),
			"qty_raw":             l.Qty,
			"discount_percent":    "",
			"discount":            "",
			"vat_rate":            c.rate.String(),
			"vat_rate_raw":        l.VATRate,
			"vat":                 vatText(c.amounts.VAT, c.rate),
			"vat_raw":             workflow.Money(c.amounts.VAT).String(),
			"country_code":        l.CountryCode,
			"country":             l.Country,
			"customs_declaration": l.CustomsDeclaration,
		}
		if c.hasDisc {
			v["discount_percent"] = l.DiscountPercent
			v["discount"] = strings.Replace(l.DiscountPercent, ".", ",", 1) + " %"
		}
		putMoney(v, "price", c.price)
		putMoney(v, "price_net", c.priceNet)
		putMoney(v, "amount", c.amounts.Amount)
		putMoney(v, "total", c.amounts.Total)
		out = append(out, v)
	}
	return out
}

// totalsView returns the totals map of a computed set (VIEW.md, "Totals").
func (s lineSet) view(currency string) map[string]any {
	t := s.sum.Total
	v := map[string]any{"count": strconv.Itoa(s.count), "count_words": cardinal(s.count, true)}
	putMoney(v, "net", t.Amount)
	putMoney(v, "vat", t.VAT)
	putMoney(v, "gross", t.Total)
	v["words"], v["words_en"] = words(t.Total, currency)
	v["net_words"], _ = words(t.Amount, currency)
	v["vat_words"], _ = words(t.VAT, currency)
	byRate := make([]map[string]any, 0, len(s.sum.ByRate))
	labels := make([]string, 0, len(s.sum.ByRate))
	allExempt := len(s.sum.ByRate) > 0
	for _, r := range s.sum.ByRate {
		m := map[string]any{"rate": r.Rate.String(), "rate_raw": rateKey(r.Rate), "vat_label": vatLabel(r.Rate)}
		putMoney(m, "net", r.Amount)
		putMoney(m, "gross", r.Total)
		m["vat"], m["vat_raw"] = vatText(r.VAT, r.Rate), workflow.Money(r.VAT).String()
		byRate = append(byRate, m)
		labels = append(labels, r.Rate.String())
		allExempt = allExempt && r.Rate == vat.Exempt
	}
	v["by_rate"] = byRate
	v["vat_rate"] = strings.Join(labels, ", ")
	switch {
	case allExempt:
		v["vat"] = "без НДС"
		v["vat_label"] = "Без НДС"
	case len(labels) == 0:
		v["vat_label"] = "НДС"
	default:
		v["vat_label"] = "НДС " + strings.Join(labels, ", ")
	}
	return v
}

// vatLabel is «НДС 22 %» or «Без НДС».
func vatLabel(r vat.Rate) string {
	if r == vat.Exempt {
		return "Без НДС"
	}
	return "НДС " + r.String()
}

// clearDerived returns copies of lines for a new document: derived amounts are dropped and
// standard rates cleared, so the new document taxes them at the standard rate of its own
// date (a 2025 proposal's 20 % must not reach a 2026 УПД).
func clearDerived(lines []Line) []Line {
	out := make([]Line, len(lines))
	for i, l := range lines {
		l.Amount, l.VAT, l.Total = "", "", ""
		l.calc = lineCalc{}
		if r, err := vat.ParseRate(l.VATRate); err == nil && isStandard(r) {
			l.VATRate = ""
		}
		out[i] = l
	}
	return out
}
