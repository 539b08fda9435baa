package vat

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

var msk = time.FixedZone("MSK", 3*3600)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, msk) }

func TestStandardRate(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want Rate
	}{
		{"zero time", time.Time{}, Rate18},
		{"2003", date(2003, 6, 1), Rate18},
		{"last day of 18 %", date(2018, 12, 31), Rate18},
		{"last second of 18 %", time.Date(2018, 12, 31, 23, 59, 59, 999999999, msk), Rate18},
		{"first day of 20 %", date(2019, 1, 1), Rate20},
		{"mid 2025", date(2025, 6, 30), Rate20},
		{"last day of 20 %", time.Date(2025, 12, 31, 23, 59, 59, 0, msk), Rate20},
		{"first day of 22 %", date(2026, 1, 1), Rate22},
		{"DOMAIN: shipped 10.01.2026", date(2026, 1, 10), Rate22},
		{"2030", date(2030, 1, 1), Rate22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StandardRate(tt.t); got != tt.want {
				t.Errorf("StandardRate(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

// The calendar date is read in the time's own location: 31.12.2025 22:30 UTC
// is already 01.01.2026 in Moscow.
func TestStandardRateUsesLocation(t *testing.T) {
	instant := time.Date(2025, 12, 31, 22, 30, 0, 0, time.UTC)
	if got := StandardRate(instant); got != Rate20 {
		t.Errorf("UTC: %v", got)
	}
	if got := StandardRate(instant.In(msk)); got != Rate22 {
		t.Errorf("MSK: %v", got)
	}
}

func TestRateFor(t *testing.T) {
	d25, d26 := date(2025, 3, 1), date(2026, 2, 28)
	tests := []struct {
		c    Category
		d    time.Time
		want Rate
	}{
		{CategoryStandard, d25, Rate20}, {CategoryStandard, d26, Rate22},
		{CategoryReduced, d25, Rate10}, {CategoryReduced, d26, Rate10},
		{CategoryZero, d26, Rate0}, {CategoryExempt, d26, Exempt},
	}
	for _, tt := range tests {
		got, err := RateFor(tt.c, tt.d)
		if err != nil || got != tt.want {
			t.Errorf("RateFor(%d, %v) = %v, %v; want %v", tt.c, tt.d, got, err, tt.want)
		}
	}
	if _, err := RateFor(Category(9), d26); !errors.Is(err, ErrCategory) {
		t.Errorf("unknown category: %v", err)
	}
	var zero Category
	if zero != CategoryStandard {
		t.Error("zero Category must be standard")
	}
}

func TestRateLabels(t *testing.T) {
	tests := []struct {
		r       Rate
		valid   bool
		percent int64
		ru, en  string
		text    string
	}{
		{Rate22, true, 22, "22 %", "22%", "22"},
		{Rate20, true, 20, "20 %", "20%", "20"},
		{Rate18, true, 18, "18 %", "18%", "18"},
		{Rate10, true, 10, "10 %", "10%", "10"},
		{Rate0, true, 0, "0 %", "0%", "0"},
		{Exempt, true, 0, "Без НДС", "VAT exempt", "exempt"},
		{0, false, 0, "Rate(0)", "Rate(0)", ""},
		{Rate(7), false, 0, "Rate(7)", "Rate(7)", ""},
	}
	for _, tt := range tests {
		if tt.r.Valid() != tt.valid || tt.r.Percent() != tt.percent ||
			tt.r.String() != tt.ru || tt.r.StringEn() != tt.en {
			t.Errorf("Rate(%d): valid %v percent %d %q %q", uint8(tt.r), tt.r.Valid(), tt.r.Percent(), tt.r, tt.r.StringEn())
		}
		b, err := tt.r.MarshalText()
		if tt.valid != (err == nil) || string(b) != tt.text {
			t.Errorf("Rate(%d).MarshalText = %q, %v", uint8(tt.r), b, err)
		}
		if !tt.valid && !errors.Is(err, ErrRate) {
			t.Errorf("invalid rate marshals with %v", err)
		}
	}
}

func TestParseRate(t *testing.T) {
	good := map[string]Rate{
		"22": Rate22, "22%": Rate22, "22 %": Rate22, "22\u00a0%": Rate22, " 20 % ": Rate20,
		"18": Rate18, "10 %": Rate10, "0": Rate0, "0%": Rate0,
		"Без НДС": Exempt, "без ндс": Exempt, "НДС не облагается": Exempt, "exempt": Exempt, "VAT exempt": Exempt,
	}
	for s, want := range good {
		if got, err := ParseRate(s); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "%", "5", "7 %", "12", "22/122", "220", "022", "-22", "22.0", "двадцать два"} {
		if _, err := ParseRate(s); !errors.Is(err, ErrRate) {
			t.Errorf("ParseRate(%q) err = %v, want ErrRate", s, err)
		}
	}
	// Every label the package prints reads back.
	for r := Rate22; r <= Exempt; r++ {
		for _, s := range []string{r.String(), r.StringEn()} {
			if got, err := ParseRate(s); err != nil || got != r {
				t.Errorf("ParseRate(%q) = %v, %v; want %v", s, got, err, r)
			}
		}
	}
}

func TestRateJSON(t *testing.T) {
	in := []Line{{Qty: "1.5", UnitPrice: 100, Rate: Rate22}, {Qty: "2", UnitPrice: 5, Rate: Exempt}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"qty":"1.5","unit_price":100,"rate":"22"},{"qty":"2","unit_price":5,"rate":"exempt"}]`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	var out []Line
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 2 || out[0] != in[0] || out[1] != in[1] {
		t.Errorf("round trip: %v, %+v", err, out)
	}
	if err := json.Unmarshal([]byte(`{"rate":"7"}`), &out[0]); !errors.Is(err, ErrRate) {
		t.Errorf("bad rate: %v", err)
	}
	if _, err := json.Marshal(Line{Qty: "1"}); !errors.Is(err, ErrRate) {
		t.Errorf("unset rate marshalled: %v", err)
	}
}

func TestFractionAndAdvanceRate(t *testing.T) {
	tests := []struct {
		f        Fraction
		s        string
		num, den int64
	}{
		{AdvanceRate(date(2026, 1, 1)), "22/122", 22, 122},
		{AdvanceRate(date(2025, 12, 15)), "20/120", 20, 120}, // DOMAIN: advance 15.12.2025
		{AdvanceRate(date(2018, 5, 1)), "18/118", 18, 118},
		{Fraction{Rate10}, "10/110", 10, 110},
		{Fraction{Rate0}, "0/100", 0, 100},
		{Fraction{Exempt}, "Без НДС", 0, 100},
		{Fraction{}, "Rate(0)", 0, 100},
	}
	for _, tt := range tests {
		if tt.f.String() != tt.s || tt.f.Num() != tt.num || tt.f.Den() != tt.den {
			t.Errorf("%+v: %q %d/%d", tt.f, tt.f, tt.f.Num(), tt.f.Den())
		}
	}
	// DOMAIN §4: advance received 15.12.2025, goods shipped 10.01.2026 —
	// the advance invoice uses 20/120, the shipment invoice 22 %.
	if AdvanceRate(date(2025, 12, 15)).Rate != Rate20 || StandardRate(date(2026, 1, 10)) != Rate22 {
		t.Error("advance/shipment split across the rate change is wrong")
	}
	v, err := AdvanceRate(date(2026, 3, 1)).Extract(184200000)
	if err != nil || v != 33216393 {
		t.Errorf("Extract = %d, %v", v, err)
	}
}
