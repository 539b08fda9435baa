package vat

import (
	"errors"
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// The reference computes with math/big rationals: exact, unbounded, and
// independent of the 128-bit arithmetic in the package.

var (
	maxInt64 = big.NewInt(math.MaxInt64)
	half     = big.NewRat(1, 2)
	qtyRe    = regexp.MustCompile(`^\d+([.,]\d{1,3})?$`)
)

// roundHalfUp returns floor(x + 1/2) for x ≥ 0.
func roundHalfUp(x *big.Rat) *big.Int {
	y := new(big.Rat).Add(x, half)
	return new(big.Int).Quo(y.Num(), y.Denom())
}

func refQty(s string) (*big.Rat, bool) {
	if !qtyRe.MatchString(s) {
		return nil, false
	}
	q, ok := new(big.Rat).SetString(strings.Replace(s, ",", ".", 1))
	return q, ok && q.Sign() > 0
}

// refLine returns the exact amounts, or ok=false when any exceeds int64.
func refLine(q *big.Rat, price int64, p int64) (a, v, t *big.Int, ok bool) {
	a = roundHalfUp(new(big.Rat).Mul(q, new(big.Rat).SetInt64(price)))
	v = roundHalfUp(new(big.Rat).Mul(new(big.Rat).SetInt(a), big.NewRat(p, 100)))
	t = new(big.Int).Add(a, v)
	return a, v, t, t.Cmp(maxInt64) <= 0
}

var allRates = []Rate{0, Rate22, Rate20, Rate18, Rate10, Rate0, Exempt, Rate(7)}

func FuzzLine(f *testing.F) {
	f.Add("2", int64(125000000), uint8(1))
	f.Add("0.5", int64(1), uint8(1))
	f.Add("1,5", int64(333), uint8(4))
	f.Add("1", int64(math.MaxInt64), uint8(1))
	f.Add("0.001", int64(500), uint8(6))
	f.Add("1e3", int64(1), uint8(1))
	f.Fuzz(func(t *testing.T, qty string, price int64, ri uint8) {
		rate := allRates[int(ri)%len(allRates)]
		got, err := Line{Qty: qty, UnitPrice: price, Rate: rate}.Compute()
		q, qok := refQty(qty)
		switch {
		case !rate.Valid():
			if !errors.Is(err, ErrRate) {
				t.Fatalf("rate %d: %v", rate, err)
			}
			return
		case price < 0:
			if !errors.Is(err, ErrNegative) {
				t.Fatalf("price %d: %v", price, err)
			}
			return
		case !qok || q.Cmp(new(big.Rat).SetFrac(maxInt64, big.NewInt(1000))) > 0:
			if !errors.Is(err, ErrQty) {
				t.Fatalf("qty %q: %v", qty, err)
			}
			return
		}
		a, v, tot, ok := refLine(q, price, rate.Percent())
		if !ok {
			if !errors.Is(err, ErrOverflow) {
				t.Fatalf("%q × %d @ %v: want ErrOverflow, got %+v, %v", qty, price, rate, got, err)
			}
			return
		}
		if err != nil || got.Amount != a.Int64() || got.VAT != v.Int64() || got.Total != tot.Int64() {
			t.Fatalf("%q × %d @ %v = %+v, %v; reference %v/%v/%v", qty, price, rate, got, err, a, v, tot)
		}
	})
}

func FuzzExtractVAT(f *testing.F) {
	f.Add(int64(184200000), uint8(1))
	f.Add(int64(3), uint8(2))
	f.Add(int64(math.MaxInt64), uint8(1))
	f.Add(int64(-1), uint8(1))
	f.Fuzz(func(t *testing.T, gross int64, ri uint8) {
		rate := allRates[int(ri)%len(allRates)]
		got, err := ExtractVAT(gross, rate)
		charged, cerr := ChargeVAT(gross, rate)
		switch {
		case !rate.Valid():
			if !errors.Is(err, ErrRate) || !errors.Is(cerr, ErrRate) {
				t.Fatalf("rate %d: %v %v", rate, err, cerr)
			}
			return
		case gross < 0:
			if !errors.Is(err, ErrNegative) || !errors.Is(cerr, ErrNegative) {
				t.Fatalf("gross %d: %v %v", gross, err, cerr)
			}
			return
		}
		p := rate.Percent()
		want := roundHalfUp(new(big.Rat).Mul(new(big.Rat).SetInt64(gross), big.NewRat(p, 100+p)))
		if err != nil || got != want.Int64() {
			t.Fatalf("ExtractVAT(%d, %v) = %d, %v; want %v", gross, rate, got, err, want)
		}
		wantC := roundHalfUp(new(big.Rat).Mul(new(big.Rat).SetInt64(gross), big.NewRat(p, 100)))
		if cerr != nil || charged != wantC.Int64() {
			t.Fatalf("ChargeVAT(%d, %v) = %d, %v; want %v", gross, rate, charged, cerr, wantC)
		}
		if got > gross || charged > gross {
			t.Fatalf("VAT above the amount")
		}
	})
}
