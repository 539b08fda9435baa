package vat

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// mulDivRound returns a·b/c rounded half-up, exactly, using a 128-bit
// intermediate product. ok is false when the result exceeds math.MaxInt64.
// c must be positive.
func mulDivRound(a, b, c uint64) (q uint64, ok bool) {
	hi, lo := bits.Mul64(a, b)
	if hi >= c { // the quotient would not fit in 64 bits
		return 0, false
	}
	q, r := bits.Div64(hi, lo, c)
	if q > math.MaxInt64 {
		return 0, false
	}
	if r >= c-r { // 2r ≥ c, written so that 2r cannot overflow
		q++ // q ≤ MaxInt64 before, so this cannot wrap
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return q, true
}

// ChargeVAT returns the VAT on an amount excluding VAT, amount × rate / 100
// rounded half-up to a kopeck: ChargeVAT(125000000, Rate22) = 27500000. Rate0
// and Exempt give 0. Errors: ErrRate, ErrNegative.
func ChargeVAT(amount int64, rate Rate) (int64, error) {
	if !rate.Valid() {
		return 0, ErrRate
	}
	if amount < 0 {
		return 0, ErrNegative
	}
	v, ok := mulDivRound(uint64(amount), uint64(rate.Percent()), 100)
	if !ok {
		return 0, ErrOverflow
	}
	return int64(v), nil
}

// ExtractVAT returns the VAT contained in a gross amount (incl. VAT),
// gross × r/(100+r) rounded half-up: ExtractVAT(184200000, Rate22) =
// 33216393, i.e. 1 842 000,00 × 22/122 = 332 163,93. Rate0 and Exempt give 0.
// Errors: ErrRate, ErrNegative.
func ExtractVAT(gross int64, rate Rate) (int64, error) {
	if !rate.Valid() {
		return 0, ErrRate
	}
	if gross < 0 {
		return 0, ErrNegative
	}
	p := uint64(rate.Percent())
	v, ok := mulDivRound(uint64(gross), p, 100+p)
	if !ok {
		return 0, ErrOverflow
	}
	return int64(v), nil
}

// ParseQty parses a quantity such as "2", "1.5" or "0,250" into thousandths
// (1500 for "1.5"). The quantity must be positive, use a point or a comma as
// decimal separator, have at most three fractional digits and no sign,
// exponent or spaces. Anything else is ErrQty.
func ParseQty(s string) (int64, error) {
	var whole, frac int64
	fracDigits := -1 // -1: no separator seen
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrQty)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == ',':
			if fracDigits >= 0 || i == 0 || i == len(s)-1 {
				return 0, fmt.Errorf("%w: %q", ErrQty, s)
			}
			fracDigits = 0
		case c >= '0' && c <= '9':
			d := int64(c - '0')
			if fracDigits >= 0 {
				if fracDigits == 3 {
					return 0, fmt.Errorf("%w: %q has more than three fractional digits", ErrQty, s)
				}
				frac = frac*10 + d
				fracDigits++
				continue
			}
			if whole > (math.MaxInt64/1000-d)/10 {
				return 0, fmt.Errorf("%w: %q is too large", ErrQty, s)
			}
			whole = whole*10 + d
		default:
			return 0, fmt.Errorf("%w: %q", ErrQty, s)
		}
	}
	for fracDigits = max(fracDigits, 0); fracDigits < 3; fracDigits++ {
		frac *= 10
	}
	if whole*1000 > math.MaxInt64-frac {
		return 0, fmt.Errorf("%w: %q is too large", ErrQty, s)
	}
	q := whole*1000 + frac
	if q == 0 {
		return 0, fmt.Errorf("%w: quantity must be positive", ErrQty)
	}
	return q, nil
}

// Line is one row of an invoice or specification.
type Line struct {
	// Qty is the quantity as a decimal string, at most three fractional
	// digits: "2", "1.5", "0,250". See ParseQty.
	Qty string `json:"qty"`
	// UnitPrice is the price of one unit excluding VAT, in kopecks, ≥ 0.
	UnitPrice int64 `json:"unit_price"`
	// Rate is the line's VAT rate; the zero value is refused.
	Rate Rate `json:"rate"`
}

// Amounts are the money columns of one line or of a total, in kopecks.
type Amounts struct {
	// Amount excluding VAT («Стоимость без налога»).
	Amount int64 `json:"amount"`
	// VAT is the tax («Сумма налога»); 0 for Rate0 and Exempt.
	VAT int64 `json:"vat"`
	// Total including VAT («Стоимость с налогом»).
	Total int64 `json:"total"`
}

func (a Amounts) add(b Amounts) (Amounts, error) {
	var out Amounts
	var ok1, ok2, ok3 bool
	out.Amount, ok1 = addInt64(a.Amount, b.Amount)
	out.VAT, ok2 = addInt64(a.VAT, b.VAT)
	out.Total, ok3 = addInt64(a.Total, b.Total)
	if !ok1 || !ok2 || !ok3 {
		return Amounts{}, ErrOverflow
	}
	return out, nil
}

// addInt64 adds two non-negative values, reporting overflow.
func addInt64(a, b int64) (int64, bool) {
	if a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

// Compute returns the line's amounts: Amount = Qty × UnitPrice rounded
// half-up to a kopeck, VAT = Amount × rate rounded half-up, Total = Amount +
// VAT. Errors: ErrQty, ErrNegative, ErrRate, ErrOverflow.
func (l Line) Compute() (Amounts, error) {
	if !l.Rate.Valid() {
		return Amounts{}, ErrRate
	}
	if l.UnitPrice < 0 {
		return Amounts{}, ErrNegative
	}
	q, err := ParseQty(l.Qty)
	if err != nil {
		return Amounts{}, err
	}
	amount, ok := mulDivRound(uint64(q), uint64(l.UnitPrice), 1000)
	if !ok {
		return Amounts{}, ErrOverflow
	}
	a := Amounts{Amount: int64(amount)}
	if a.VAT, err = ChargeVAT(a.Amount, l.Rate); err != nil {
		return Amounts{}, err
	}
	if a.Total, ok = addInt64(a.Amount, a.VAT); !ok {
		return Amounts{}, ErrOverflow
	}
	return a, nil
}

// RateTotal is the subtotal of all lines at one rate.
type RateTotal struct {
	Rate Rate `json:"rate"`
	Amounts
}

// Summary holds the computed lines and the document totals.
type Summary struct {
	// Lines are the amounts of each input line, in input order.
	Lines []Amounts `json:"lines"`
	// Total is the sum of the rounded line values («Всего к оплате»).
	Total Amounts `json:"total"`
	// ByRate has one subtotal per rate present, highest rate first and
	// Exempt last, for «в т.ч. НДС 22 %» rows.
	ByRate []RateTotal `json:"by_rate"`
}

// Totals computes every line and sums the rounded line values, as Russian
// invoices do: the document VAT is the sum of the line VATs, not the VAT of
// the summed amount. An error names the failing line (1-based) and wraps the
// package error (ErrQty, ErrNegative, ErrRate, ErrOverflow). No lines give a
// zero Summary.
func Totals(lines []Line) (Summary, error) {
	s := Summary{Lines: make([]Amounts, 0, len(lines))}
	byRate := map[Rate]Amounts{}
	for i, l := range lines {
		a, err := l.Compute()
		if err != nil {
			return Summary{}, fmt.Errorf("vat: line %d: %w", i+1, err)
		}
		s.Lines = append(s.Lines, a)
		if s.Total, err = s.Total.add(a); err != nil {
			return Summary{}, fmt.Errorf("vat: total after line %d: %w", i+1, err)
		}
		// Each per-rate subtotal is bounded by the total, so it cannot
		// overflow once the total did not.
		byRate[l.Rate], _ = byRate[l.Rate].add(a)
	}
	for r, a := range byRate {
		s.ByRate = append(s.ByRate, RateTotal{Rate: r, Amounts: a})
	}
	// Rate constants are ordered 22, 20, 18, 10, 0, Exempt.
	sort.Slice(s.ByRate, func(i, j int) bool { return s.ByRate[i].Rate < s.ByRate[j].Rate })
	return s, nil
}
