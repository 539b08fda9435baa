package workflow

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an exact amount in minor units (kopecks for RUB, cents for USD/EUR).
// It is exchanged as a decimal string with two fractional digits ("1234.56"),
// never as a float.
type Money int64

// MaxMoney bounds amounts accepted from outside: 10^15 minor units
// (ten trillion roubles) is far above any deal and keeps every product of an
// amount and a small quantity inside int64.
const MaxMoney Money = 1_000_000_000_000_000

// ParseMoney parses a decimal string such as "1234.56", "1234.5", "1234" or
// "-7.01". A comma is accepted as the decimal separator ("1234,56"); spaces and
// non-breaking spaces used as thousands separators are ignored. More than two
// fractional digits, exponents, signs in the middle and values beyond MaxMoney
// are errors: money is never rounded silently.
func ParseMoney(s string) (Money, error) {
	orig := s
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	s = strings.Replace(s, ",", ".", 1)
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("amount %q is not a decimal number", orig)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("amount %q has more than two fractional digits", orig)
	}
	for _, part := range []string{intPart, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("amount %q is not a decimal number", orig)
			}
		}
	}
	if len(intPart) > 16 {
		return 0, fmt.Errorf("amount %q is too large", orig)
	}
	whole, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q is not a decimal number", orig)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	minor, _ := strconv.ParseInt(frac, 10, 64)
	if whole > (math.MaxInt64-minor)/100 {
		return 0, fmt.Errorf("amount %q is too large", orig)
	}
	m := Money(whole*100 + minor)
	if m > MaxMoney {
		return 0, fmt.Errorf("amount %q is too large", orig)
	}
	if neg {
		m = -m
	}
	return m, nil
}

// String formats m as a plain decimal string with two fractional digits.
func (m Money) String() string {
	// In uint64, so that the most negative Money has an absolute value too.
	v := uint64(m)
	sign := ""
	if m < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Minor returns the amount in minor units.
func (m Money) Minor() int64 { return int64(m) }

// MarshalJSON encodes m as a JSON string ("1234.56").
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON accepts a JSON string with a decimal amount. JSON numbers are
// refused on purpose: a float cannot carry kopecks exactly.
func (m *Money) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		if string(b) == "null" {
			return nil
		}
		return fmt.Errorf("amount must be a decimal string such as \"1234.56\", not a JSON number")
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
