package documents

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/dealgate/dealgate/workflow"
)

// Limits on the size of document data. They keep a document printable and bound the work
// Decode does on hostile input; MaxDataBytes bounds the JSON as a whole.
const (
	// MaxLines bounds the item lines of one document (and its optional lines).
	MaxLines = 1000
	// MaxListItems bounds every other list (participants, milestones, DMU, …).
	MaxListItems = 200
	// maxShort is the limit of short texts: numbers, codes, phones, units.
	maxShort = 64
	// maxName is the limit of names, positions, titles and one-line texts.
	maxName = 300
	// maxAddress is the limit of addresses and bank names.
	maxAddress = 500
	// maxText is the limit of paragraphs (intro, goal, assessment…).
	maxText = 4000
)

// Dates outside this range are refused: they are typing errors, not documents.
var (
	minDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Currencies accepted in documents (ISO 4217), with the ОКВ numeric code, the Russian name
// and the short label printed in column headings.
var currencyInfo = map[string]struct{ numeric, name, short, nameEn string }{
	"RUB": {"643", "Российский рубль", "руб.", "Russian rouble"},
	"USD": {"840", "Доллар США", "долл. США", "US dollar"},
	"EUR": {"978", "Евро", "евро", "Euro"},
	"CNY": {"156", "Китайский юань", "юань", "Chinese yuan"},
}

// DefaultCurrency is the currency of a document that names none.
const DefaultCurrency = "RUB"

// Contact is a person: a representative, an addressee or a signatory.
type Contact struct {
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
}

// IsZero reports whether no field is set.
func (c Contact) IsZero() bool { return c == Contact{} }

func (c *Contact) check(p *Problems, path string, needName, needPosition bool) {
	if needName {
		p.Required(path+".name", c.Name)
	}
	if needPosition {
		p.Required(path+".position", c.Position)
	}
	p.line(path+".name", c.Name, maxName)
	p.line(path+".position", c.Position, maxName)
	p.phone(path+".phone", c.Phone)
	p.email(path+".email", c.Email)
}

func (c Contact) view() map[string]any {
	return map[string]any{
		"name":     c.Name,
		"position": c.Position,
		"phone":    c.Phone,
		"email":    c.Email,
		"initials": initials(c.Name),
	}
}

// DocRef refers to another document by number and date: «Договор № 45/2026-П от 10.04.2026».
type DocRef struct {
	Number string `json:"number"`
	Date   Date   `json:"date"`
}

// IsZero reports whether neither number nor date is set.
func (r DocRef) IsZero() bool { return r.Number == "" && r.Date.IsZero() }

func (r *DocRef) check(p *Problems, path string, required bool) {
	if required || !r.IsZero() {
		p.Required(path+".number", r.Number)
		p.requiredDate(path+".date", r.Date)
	}
	p.number(path+".number", r.Number)
	p.date(path+".date", r.Date)
}

// text prints the reference as «№ 45/2026-П от 10.04.2026» ("" when unset).
func (r DocRef) text() string {
	switch {
	case r.IsZero():
		return ""
	case r.Date.IsZero():
		return "№ " + r.Number
	case r.Number == "":
		return "от " + r.Date.numeric()
	}
	return "№ " + r.Number + " от " + r.Date.numeric()
}

func (r DocRef) view() map[string]any {
	v := map[string]any{"number": r.Number, "text": r.text()}
	putDate(v, "date", r.Date)
	return v
}

// ---- validation helpers on Problems -------------------------------------------------------

// line checks a one-line text: length and no line breaks or control characters.
func (p *Problems) line(path, v string, n int) {
	if v == "" {
		return
	}
	p.MaxLen(path, v, n)
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		p.Add(path, "must be one line without control characters", "должно быть одной строкой без управляющих символов")
	}
}

// para checks a paragraph: length; line breaks and tabs are allowed, other control
// characters are not.
func (p *Problems) para(path, v string, n int) {
	if v == "" {
		return
	}
	p.MaxLen(path, v, n)
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }) >= 0 {
		p.Add(path, "contains control characters", "содержит управляющие символы")
	}
}

// number checks a document number.
func (p *Problems) number(path, v string) { p.line(path, v, maxShort) }

func (p *Problems) phone(path, v string) {
	if v == "" {
		return
	}
	p.line(path, v, maxShort)
	for _, r := range v {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+-() .,доб", r) {
			p.Add(path, "a phone number may contain digits, spaces, + - ( ) and «доб.»", "телефон может содержать цифры, пробелы, + - ( ) и «доб.»")
			return
		}
	}
}

func (p *Problems) email(path, v string) {
	if v == "" {
		return
	}
	p.line(path, v, 254)
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(v, " \u00a0,;<>") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "@") {
		p.Add(path, "not an e-mail address", "некорректный адрес электронной почты")
	}
}

func (p *Problems) date(path string, d Date) {
	if d.IsZero() {
		return
	}
	if d.Before(minDate) || d.After(maxDate) {
		p.Add(path, "date out of range 1990–2100", "дата вне диапазона 1990–2100")
	}
}

func (p *Problems) requiredDate(path string, d Date) {
	if d.IsZero() {
		p.Add(path, "required", "обязательное поле")
		return
	}
	p.date(path, d)
}

// notBefore records a problem when both dates are set and d < from.
func (p *Problems) notBefore(path string, d, from Date, fromPath string) {
	if !d.IsZero() && !from.IsZero() && d.Before(from.Time) {
		p.Add(path, "earlier than "+fromPath, "раньше, чем "+fromPath)
	}
}

// count records a problem when a list is longer than n (or shorter than min).
func (p *Problems) count(path string, got, min, n int) bool {
	switch {
	case got > n:
		p.Add(path, fmt.Sprintf("more than %d items", n), fmt.Sprintf("больше %d элементов", n))
		return false
	case got < min && min == 1:
		p.Add(path, "at least one item is required", "нужен хотя бы один элемент")
	case got < min:
		p.Add(path, fmt.Sprintf("at least %d items are required", min), fmt.Sprintf("нужно не меньше %d элементов", min))
	}
	return true
}

// enum records a problem when v is set and not one of allowed (or unset but required).
func (p *Problems) enum(path, v string, required bool, allowed ...string) {
	if v == "" {
		if required {
			p.Add(path, "required, one of "+strings.Join(allowed, ", "), "обязательное поле, одно из: "+strings.Join(allowed, ", "))
		}
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	p.Add(path, "must be one of "+strings.Join(allowed, ", "), "допустимые значения: "+strings.Join(allowed, ", "))
}

// texts checks a list of one-line or paragraph texts.
func (p *Problems) texts(path string, list []string, min, maxItems, maxLen int) {
	if !p.count(path, len(list), min, maxItems) {
		return
	}
	for i, s := range list {
		ip := fmt.Sprintf("%s[%d]", path, i)
		p.Required(ip, s)
		p.para(ip, s, maxLen)
	}
}

// intRange records a problem when v is outside [lo, hi].
func (p *Problems) intRange(path string, v, lo, hi int) {
	if v < lo || v > hi {
		p.Add(path, fmt.Sprintf("must be between %d and %d", lo, hi), fmt.Sprintf("должно быть от %d до %d", lo, hi))
	}
}

// money parses an optional amount (decimal string, ≥ 0); it returns the minor units and
// normalises *s to the canonical "1234.56".
func (p *Problems) money(path string, s *string, required bool) (int64, bool) {
	if strings.TrimSpace(*s) == "" {
		if required {
			p.Add(path, "required", "обязательное поле")
		}
		return 0, false
	}
	m, err := workflow.ParseMoney(*s)
	switch {
	case err != nil:
		p.Add(path, "must be a decimal amount such as \"1250000.00\"", "должно быть суммой вида \"1250000.00\"")
		return 0, false
	case m < 0:
		p.Add(path, "must not be negative", "не может быть отрицательным")
		return 0, false
	}
	*s = m.String()
	return m.Minor(), true
}

// percent parses an optional percentage with at most two decimals into hundredths of a
// percent (basis points), within [0, maxBP]; it normalises *s ("7,50" → "7.5").
func (p *Problems) percent(path string, s *string, maxBP int64, required bool) (int64, bool) {
	if strings.TrimSpace(*s) == "" {
		if required {
			p.Add(path, "required", "обязательное поле")
		}
		return 0, false
	}
	bp, err := workflow.ParseMoney(strings.TrimSuffix(strings.TrimSpace(*s), "%"))
	if err != nil || bp < 0 || int64(bp) > maxBP {
		hi := formatBP(maxBP)
		p.Add(path, "must be a percentage from 0 to "+hi+" with at most two decimals",
			"должно быть процентом от 0 до "+hi+", не более двух знаков после запятой")
		return 0, false
	}
	*s = formatBP(int64(bp))
	return int64(bp), true
}

// formatBP prints basis points as a short decimal: 750 → "7.5", 1000 → "10", 25 → "0.25".
func formatBP(bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if f := bp % 100; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", f), "0")
	}
	return s
}

// mulDivRound returns a·b/c rounded half-up for non-negative a, b and positive c; ok is
// false when the result does not fit in an int64.
func mulDivRound(a, b, c int64) (int64, bool) {
	if a < 0 || b < 0 || c <= 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	if r >= uint64(c)-r {
		q++
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// currency validates and defaults a document currency.
func (p *Problems) currency(path string, c *string) {
	if *c == "" {
		*c = DefaultCurrency
	}
	if _, ok := currencyInfo[*c]; !ok {
		p.Add(path, "must be one of RUB, USD, EUR, CNY", "допустимые валюты: RUB, USD, EUR, CNY")
	}
}

// initials turns «Смирнов Андрей Викторович» into «А. В. Смирнов», as signatures are
// deciphered in Russian documents. A name of one word is returned as it is.
func initials(full string) string {
	f := strings.Fields(full)
	if len(f) < 2 {
		return strings.TrimSpace(full)
	}
	var b strings.Builder
	for _, w := range f[1:] {
		r := []rune(w)
		b.WriteRune(unicode.ToUpper(r[0]))
		b.WriteString(". ")
	}
	b.WriteString(f[0])
	return b.String()
}

// cityFromAddress finds the city in a Russian address («…, г. Екатеринбург, ул. …»).
func cityFromAddress(addr string) string {
	for _, part := range strings.Split(addr, ",") {
		part = strings.TrimSpace(part)
		if c, ok := strings.CutPrefix(part, "г. "); ok {
			return strings.TrimSpace(c)
		}
		if c, ok := strings.CutPrefix(part, "г."); ok && c != "" {
			return strings.TrimSpace(c)
		}
	}
	return ""
}

// Kinds of days in which periods are counted.
const (
	DaysWorking  = "working"
	DaysCalendar = "calendar"
	DaysBanking  = "banking"
)

var dayKinds = []string{DaysWorking, DaysCalendar, DaysBanking}

// dayCount prints a period in days in the nominative/accusative, as after «срок —» or «в
// срок»: «60 (шестьдесят) рабочих дней», «1 (один) календарный день».
func dayCount(n int, kind string) string {
	if n <= 0 {
		return ""
	}
	var adj string
	switch kind {
	case DaysWorking:
		adj = amountPlural(n, "рабочий", "рабочих", "рабочих")
	case DaysBanking:
		adj = amountPlural(n, "банковский", "банковских", "банковских")
	default:
		adj = amountPlural(n, "календарный", "календарных", "календарных")
	}
	return fmt.Sprintf("%d (%s) %s %s", n, cardinal(n, false), adj, amountPlural(n, "день", "дня", "дней"))
}

// monthCount prints «12 (двенадцать) месяцев».
func monthCount(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("%d (%s) %s", n, cardinal(n, false), amountPlural(n, "месяц", "месяца", "месяцев"))
}
