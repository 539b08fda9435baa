package pdflayout

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Func is a function that templates may call, such as {{money .total}}.
//
// Arguments arrive as the plain values of decoded JSON data (string,
// json.Number, float64, bool, nil, map[string]any, []any), as int for $n, $i,
// $page and $pages, or as whatever another Func returned. A piped value
// ({{.x | f "a"}}) comes last. Fn must not keep args after returning, must
// be safe for concurrent use, and should return an error (not panic) on bad
// input; the error is reported with the template position.
type Func struct {
	// MinArgs and MaxArgs bound the number of arguments, checked when a
	// template is parsed. MaxArgs < 0 means no upper bound.
	MinArgs, MaxArgs int
	// Fn computes the result.
	Fn func(args []any) (any, error)
}

func (f Func) arity() string {
	switch {
	case f.MaxArgs < 0:
		return fmt.Sprintf("at least %d argument(s)", f.MinArgs)
	case f.MinArgs == f.MaxArgs:
		return fmt.Sprintf("%d argument(s)", f.MinArgs)
	}
	return fmt.Sprintf("%d to %d arguments", f.MinArgs, f.MaxArgs)
}

// Funcs is a function table: the names templates may call. The engine starts
// from DefaultFuncs and adds or replaces the entries of EngineOptions.Funcs.
type Funcs map[string]Func

func (fs Funcs) names() []string {
	out := make([]string, 0, len(fs))
	for n := range fs {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// StringFunc adapts a function of n text arguments into a Func. Each
// argument is converted as it would be printed: strings and JSON numbers as
// written, nil as "", ints in decimal. Use it to plug in formatters from
// other packages, for example
//
//	"words": pdflayout.StringFunc(2, func(a ...string) (string, error) {
//		return amount.Words(a[0], a[1])
//	}),
func StringFunc(n int, f func(args ...string) (string, error)) Func {
	return Func{MinArgs: n, MaxArgs: n, Fn: func(args []any) (any, error) {
		ss := make([]string, len(args))
		for i, a := range args {
			b, err := appendText(nil, a)
			if err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
			ss[i] = string(b)
		}
		return f(ss...)
	}}
}

// DefaultFuncs returns the built-in function table:
//
//	upper s, lower s, trim s         letter case, surrounding spaces
//	default fallback v               v if it is true-ish, else fallback ({{.x | default "—"}})
//	join sep list                    list items printed and joined
//	index coll key...                list element (0-based) or object field
//	len v                            length of a list, object or string (in characters)
//	add a b..., sub a b, mul a b...  exact decimal arithmetic on numbers and numeric strings
//	eq a b, ne, lt, le, gt, ge       comparisons (numeric when both sides are numbers)
//	not v, and a b..., or a b...     logic on truth values
//	nonzero v                        true if v is a number other than zero ("0.00" is zero)
//	cond test a b                    a if test is true-ish, else b
//	prefix p s                       p+s if s is not empty, else "" ({{prefix "\n" .description}})
//	money v                          "3050000" → "3 050 000,00" (non-breaking spaces, comma, two decimals)
//	number v                         "1250.5" → "1 250,5" (grouping, comma, decimals kept)
//	date v                           "2026-03-12" or RFC 3339 → "12.03.2026"
//
// Amounts in words and other locale-specific formatters are not built in;
// inject them through EngineOptions.Funcs.
func DefaultFuncs() Funcs {
	return Funcs{
		"upper": {1, 1, strFn(strings.ToUpper)},
		"lower": {1, 1, strFn(strings.ToLower)},
		"trim":  {1, 1, strFn(strings.TrimSpace)},
		"default": {2, 2, func(a []any) (any, error) {
			if truth(a[1]) {
				return a[1], nil
			}
			return a[0], nil
		}},
		"join":    {2, 2, fnJoin},
		"index":   {2, -1, fnIndex},
		"len":     {1, 1, fnLen},
		"add":     {2, -1, arith(func(z, x, y *big.Rat) *big.Rat { return z.Add(x, y) })},
		"sub":     {2, 2, arith(func(z, x, y *big.Rat) *big.Rat { return z.Sub(x, y) })},
		"mul":     {2, -1, arith(func(z, x, y *big.Rat) *big.Rat { return z.Mul(x, y) })},
		"eq":      {2, 2, compare(func(c int) bool { return c == 0 })},
		"ne":      {2, 2, compare(func(c int) bool { return c != 0 })},
		"lt":      {2, 2, compare(func(c int) bool { return c < 0 })},
		"le":      {2, 2, compare(func(c int) bool { return c <= 0 })},
		"gt":      {2, 2, compare(func(c int) bool { return c > 0 })},
		"ge":      {2, 2, compare(func(c int) bool { return c >= 0 })},
		"not":     {1, 1, func(a []any) (any, error) { return !truth(a[0]), nil }},
		"and":     {2, -1, logic(true)},
		"or":      {2, -1, logic(false)},
		"nonzero": {1, 1, fnNonzero},
		"cond": {3, 3, func(a []any) (any, error) {
			if truth(a[0]) {
				return a[1], nil
			}
			return a[2], nil
		}},
		"prefix": {2, 2, func(a []any) (any, error) {
			s, err := appendText(nil, a[1])
			if err != nil || len(s) == 0 {
				return "", err
			}
			p, err := appendText(nil, a[0])
			return string(p) + string(s), err
		}},
		"money":  {1, 1, fnMoney},
		"number": {1, 1, fnNumber},
		"date":   {1, 1, fnDate},
	}
}

func strFn(f func(string) string) func([]any) (any, error) {
	return func(a []any) (any, error) {
		if s, ok := a[0].(string); ok {
			return f(s), nil
		}
		b, err := appendText(nil, a[0])
		if err != nil {
			return nil, err
		}
		return f(string(b)), nil
	}
}

func fnJoin(a []any) (any, error) {
	sep, err := appendText(nil, a[0])
	if err != nil {
		return nil, err
	}
	list, ok := a[1].([]any)
	if !ok {
		if a[1] == nil {
			return "", nil
		}
		return nil, fmt.Errorf("second argument is %s, not a list", kindOf(a[1]))
	}
	var out []byte
	for i, v := range list {
		if i > 0 {
			out = append(out, sep...)
		}
		if out, err = appendText(out, v); err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
	}
	return string(out), nil
}

func fnIndex(a []any) (any, error) {
	v := a[0]
	for _, k := range a[1:] {
		switch c := v.(type) {
		case []any:
			i, err := toInt(k)
			if err != nil {
				return nil, err
			}
			if i < 0 || i >= len(c) {
				return nil, nil // like a missing field: prints nothing
			}
			v = c[i]
		case map[string]any:
			key, err := appendText(nil, k)
			if err != nil {
				return nil, err
			}
			v = c[string(key)]
		case nil:
			return nil, nil
		default:
			return nil, fmt.Errorf("cannot index %s", kindOf(v))
		}
	}
	return v, nil
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case json.Number:
		i, err := strconv.Atoi(string(x))
		if err != nil {
			return 0, fmt.Errorf("index %q is not a whole number", string(x))
		}
		return i, nil
	case string:
		i, err := strconv.Atoi(x)
		if err != nil {
			return 0, fmt.Errorf("index %q is not a whole number", x)
		}
		return i, nil
	case float64:
		if x == float64(int(x)) {
			return int(x), nil
		}
	}
	return 0, fmt.Errorf("index must be a whole number, not %s", kindOf(v))
}

func fnLen(a []any) (any, error) {
	switch x := a[0].(type) {
	case []any:
		return len(x), nil
	case map[string]any:
		return len(x), nil
	case string:
		return len([]rune(x)), nil
	case nil:
		return 0, nil
	}
	return nil, fmt.Errorf("len of %s", kindOf(a[0]))
}

// toRat reads a number: int, float64, or a decimal json.Number/string.
func toRat(v any) (*big.Rat, error) {
	var s string
	switch x := v.(type) {
	case int:
		return new(big.Rat).SetInt64(int64(x)), nil
	case int64:
		return new(big.Rat).SetInt64(x), nil
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return nil, fmt.Errorf("%s is not a number", kindOf(v))
	}
	if !isDecimal(s) || len(s) > 40 {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	return r, nil
}

// ratString prints r as a minimal exact decimal, or with 10 places if it
// has no finite decimal expansion.
func ratString(r *big.Rat) json.Number {
	if r.IsInt() {
		return json.Number(r.Num().String())
	}
	if n, exact := r.FloatPrec(); exact {
		return json.Number(r.FloatString(n))
	}
	return json.Number(strings.TrimRight(r.FloatString(10), "0"))
}

func arith(op func(z, x, y *big.Rat) *big.Rat) func([]any) (any, error) {
	return func(a []any) (any, error) {
		acc, err := toRat(a[0])
		if err != nil {
			return nil, err
		}
		for _, v := range a[1:] {
			y, err := toRat(v)
			if err != nil {
				return nil, err
			}
			op(acc, acc, y)
			if acc.Num().BitLen() > 256 || acc.Denom().BitLen() > 256 {
				return nil, errors.New("number too large")
			}
		}
		return ratString(acc), nil
	}
}

// smallInt reads ints and whole-number strings without allocating.
func smallInt(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case json.Number:
		s = string(x)
	case string:
		s = x
	default:
		return 0, false
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func compare(ok func(int) bool) func([]any) (any, error) {
	return func(a []any) (any, error) {
		if x, okX := smallInt(a[0]); okX {
			if y, okY := smallInt(a[1]); okY {
				switch {
				case x < y:
					return ok(-1), nil
				case x > y:
					return ok(1), nil
				}
				return ok(0), nil
			}
		}
		x, errX := toRat(a[0])
		y, errY := toRat(a[1])
		if errX == nil && errY == nil {
			return ok(x.Cmp(y)), nil
		}
		sx, err := appendText(nil, a[0])
		if err != nil {
			return nil, err
		}
		sy, err := appendText(nil, a[1])
		if err != nil {
			return nil, err
		}
		return ok(strings.Compare(string(sx), string(sy))), nil
	}
}

func logic(isAnd bool) func([]any) (any, error) {
	return func(a []any) (any, error) {
		for _, v := range a {
			if truth(v) != isAnd {
				return !isAnd, nil
			}
		}
		return isAnd, nil
	}
}

func fnNonzero(a []any) (any, error) {
	if a[0] == nil || a[0] == "" {
		return false, nil
	}
	r, err := toRat(a[0])
	if err != nil {
		return nil, err
	}
	return r.Sign() != 0, nil
}

const nbsp = "\u00a0"

// groupThousands writes the digits of a whole number in groups of three
// separated by non-breaking spaces: "3050000" → "3 050 000".
func groupThousands(dst []byte, digits string) []byte {
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			dst = append(dst, nbsp...)
		}
		dst = append(dst, digits[i])
	}
	return dst
}

func fnMoney(a []any) (any, error) {
	var s string
	switch x := a[0].(type) {
	case nil:
		return "", nil
	case string:
		s = x
	case json.Number:
		s = string(x)
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, fmt.Errorf("%s is not an amount", kindOf(a[0]))
	}
	v, ok := parseMinor(s)
	if !ok {
		// Spaces, commas and the error messages: the workflow parser.
		m, err := workflow.ParseMoney(s)
		if err != nil {
			return nil, err
		}
		v = m.Minor()
	}
	out := make([]byte, 0, 24)
	if v < 0 {
		out = append(out, '-')
		v = -v
	}
	out = groupThousands(out, strconv.FormatInt(v/100, 10))
	out = append(out, ',', byte('0'+v%100/10), byte('0'+v%10))
	return string(out), nil
}

// parseMinor reads the common plain forms "1234", "1234.5", "-1234.56"
// without allocating; anything else is left to workflow.ParseMoney.
func parseMinor(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 13 || len(frac) > 2 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(whole); i++ {
		if whole[i] < '0' || whole[i] > '9' {
			return 0, false
		}
		v = v*10 + int64(whole[i]-'0')
	}
	for i := 0; i < 2; i++ {
		v *= 10
		if i < len(frac) {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, false
			}
			v += int64(frac[i] - '0')
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

func fnNumber(a []any) (any, error) {
	var s string
	switch x := a[0].(type) {
	case nil:
		return "", nil
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = string(x)
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, fmt.Errorf("%s is not a number", kindOf(a[0]))
	}
	if !isDecimal(s) {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	out := make([]byte, 0, len(s)+8)
	if s[0] == '-' || s[0] == '+' {
		if s[0] == '-' {
			out = append(out, '-')
		}
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	out = groupThousands(out, whole)
	if hasFrac {
		out = append(out, ',')
		out = append(out, frac...)
	}
	return string(out), nil
}

func fnDate(a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		if a[0] == nil {
			return "", nil
		}
		return nil, fmt.Errorf("%s is not a date", kindOf(a[0]))
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339, "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("02.01.2006"), nil
		}
	}
	return nil, fmt.Errorf("%q is not a date (want 2026-03-12)", s)
}
