package vat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors returned by this package; test with errors.Is.
var (
	// ErrRate: the rate is the zero value or otherwise not one of the
	// defined rates, or a rate string could not be parsed.
	ErrRate = errors.New("vat: invalid or unset rate")
	// ErrQty: the quantity string is not a positive decimal with at most
	// three fractional digits.
	ErrQty = errors.New("vat: invalid quantity")
	// ErrNegative: a price or amount below zero.
	ErrNegative = errors.New("vat: negative amount")
	// ErrOverflow: a result does not fit in int64 minor units.
	ErrOverflow = errors.New("vat: amount out of range")
	// ErrCategory: an unknown product Category.
	ErrCategory = errors.New("vat: unknown category")
)

// Rate is a VAT rate as printed in the «Налоговая ставка» column. The zero
// value is deliberately invalid, so a line whose rate was never set is
// refused (ErrRate) instead of being taxed at 0 %.
type Rate uint8

// The rates a document may carry.
const (
	// Rate22 is the standard rate for shipments from 2026-01-01.
	Rate22 Rate = iota + 1
	// Rate20 is the standard rate for shipments from 2019-01-01 to 2025-12-31.
	Rate20
	// Rate18 is the standard rate for shipments before 2019-01-01.
	Rate18
	// Rate10 is the reduced rate for socially important goods.
	Rate10
	// Rate0 is the zero rate (export and similar): VAT is charged at 0 %.
	Rate0
	// Exempt means the sale is not subject to VAT (exempt goods or a seller
	// on the simplified regime): «Без НДС».
	Exempt
)

var percents = [...]int64{Rate22: 22, Rate20: 20, Rate18: 18, Rate10: 10, Rate0: 0, Exempt: 0}

// Valid reports whether r is one of the defined rates (not the zero value).
func (r Rate) Valid() bool { return r >= Rate22 && r <= Exempt }

// Percent returns the rate in percent: 22, 20, 18, 10, or 0 for Rate0 and
// Exempt. It returns 0 for an invalid rate; check Valid first.
func (r Rate) Percent() int64 {
	if !r.Valid() {
		return 0
	}
	return percents[r]
}

// String returns the Russian label for documents: "22 %", "0 %" or
// "Без НДС" (ordinary space before %). An invalid rate prints as "Rate(n)".
func (r Rate) String() string {
	switch {
	case r == Exempt:
		return "Без НДС"
	case r.Valid():
		return strconv.FormatInt(r.Percent(), 10) + " %"
	}
	return "Rate(" + strconv.Itoa(int(r)) + ")"
}

// StringEn returns the English label: "22%", "0%" or "VAT exempt".
func (r Rate) StringEn() string {
	switch {
	case r == Exempt:
		return "VAT exempt"
	case r.Valid():
		return strconv.FormatInt(r.Percent(), 10) + "%"
	}
	return r.String()
}

// ParseRate reads a rate as people and forms write it: "22", "22%", "22 %"
// (ordinary or non-breaking space), "0", "10 %", "без НДС", "НДС не
// облагается" or "exempt", ignoring case and surrounding spaces. Anything else,
// including other percentages and fractions such as "22/122", is ErrRate.
func ParseRate(s string) (Rate, error) {
	t := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " ")))
	switch t {
	case "без ндс", "ндс не облагается", "exempt", "vat exempt":
		return Exempt, nil
	}
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	for r := Rate22; r <= Rate0; r++ {
		if t == strconv.FormatInt(r.Percent(), 10) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrRate, s)
}

// MarshalText encodes r as "22", "20", "18", "10", "0" or "exempt", so it can
// travel in JSON and database columns.
func (r Rate) MarshalText() ([]byte, error) {
	switch {
	case r == Exempt:
		return []byte("exempt"), nil
	case r.Valid():
		return strconv.AppendInt(nil, r.Percent(), 10), nil
	}
	return nil, fmt.Errorf("%w: Rate(%d)", ErrRate, uint8(r))
}

// UnmarshalText accepts everything ParseRate accepts.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Category is the VAT treatment of a product. The zero value is
// CategoryStandard, which follows the date-effective standard rate.
type Category uint8

// Product categories.
const (
	// CategoryStandard follows StandardRate (industrial equipment, services).
	CategoryStandard Category = iota
	// CategoryReduced is taxed at 10 % (socially important goods).
	CategoryReduced
	// CategoryZero is taxed at 0 % (export).
	CategoryZero
	// CategoryExempt is not subject to VAT («Без НДС»).
	CategoryExempt
)

// day is a calendar date, comparable in order.
func day(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// standardRates lists when each standard rate took effect, newest first.
// The table starts at 18 %: dates before 2019 all get 18 %, including dates
// before 2004, when the real rate was 20 %; documents that old are out of
// scope.
var standardRates = []struct {
	from int // yyyymmdd
	rate Rate
}{
	{20260101, Rate22}, // Federal Law 28.11.2025 № 425-ФЗ
	{20190101, Rate20}, // Federal Law 03.08.2018 № 303-ФЗ
}

// StandardRate returns the standard VAT rate for goods shipped on shipDate:
// Rate18 before 2019-01-01, Rate20 up to 2025-12-31, Rate22 from 2026-01-01.
// Only the calendar date of shipDate in its own location counts; pass dates in
// Moscow time (or as midnight UTC of the calendar day).
func StandardRate(shipDate time.Time) Rate {
	d := day(shipDate)
	for _, p := range standardRates {
		if d >= p.from {
			return p.rate
		}
	}
	return Rate18
}

// RateFor returns the rate for a product of category c shipped on shipDate:
// the standard rate, Rate10, Rate0 or Exempt. An unknown category is
// ErrCategory.
func RateFor(c Category, shipDate time.Time) (Rate, error) {
	switch c {
	case CategoryStandard:
		return StandardRate(shipDate), nil
	case CategoryReduced:
		return Rate10, nil
	case CategoryZero:
		return Rate0, nil
	case CategoryExempt:
		return Exempt, nil
	}
	return 0, fmt.Errorf("%w: %d", ErrCategory, uint8(c))
}

// Fraction is an estimated rate («расчётная ставка») r/(100+r), used to take
// VAT out of an amount that already includes it: advances and tax-agent cases.
type Fraction struct {
	// Rate is the underlying rate: Rate22 gives 22/122.
	Rate Rate
}

// Num returns the numerator (22 for 22/122).
func (f Fraction) Num() int64 { return f.Rate.Percent() }

// Den returns the denominator (122 for 22/122).
func (f Fraction) Den() int64 { return 100 + f.Rate.Percent() }

// String returns the fraction as printed in an advance invoice: "22/122",
// "10/110"; for Exempt it returns "Без НДС".
func (f Fraction) String() string {
	if f.Rate == Exempt || !f.Rate.Valid() {
		return f.Rate.String()
	}
	return fmt.Sprintf("%d/%d", f.Num(), f.Den())
}

// Extract returns the VAT contained in gross at this fraction; see ExtractVAT.
func (f Fraction) Extract(gross int64) (int64, error) { return ExtractVAT(gross, f.Rate) }

// AdvanceRate returns the estimated rate for an advance received on the given
// date for standard-rated goods: 22/122 from 2026-01-01, 20/120 in 2019–2025
// (18/118 before). The rate of the receipt date applies even when the goods
// ship later at another rate. For reduced-rate goods use Fraction{Rate10}.
func AdvanceRate(received time.Time) Fraction { return Fraction{StandardRate(received)} }
