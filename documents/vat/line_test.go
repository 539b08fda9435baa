package vat

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDomainWorkedExample(t *testing.T) {
	// DOMAIN.md §1.0: 2 × 1 250 000,00 = 2 500 000,00; НДС 22 % = 550 000,00;
	// всего 3 050 000,00.
	s, err := Totals([]Line{{Qty: "2", UnitPrice: 125000000, Rate: Rate22}})
	if err != nil {
		t.Fatal(err)
	}
	want := Amounts{Amount: 250000000, VAT: 55000000, Total: 305000000}
	if s.Total != want || s.Lines[0] != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
	if len(s.ByRate) != 1 || s.ByRate[0].Rate != Rate22 || s.ByRate[0].Amounts != want {
		t.Errorf("ByRate = %+v", s.ByRate)
	}
}

func TestExtractVAT(t *testing.T) {
	tests := []struct {
		name  string
		gross int64
		rate  Rate
		want  int64
	}{
		// 184 200 000 × 22 / 122 = 33 216 393,44… → 33 216 393.
		{"DOMAIN 1 842 000,00 × 22/122", 184200000, Rate22, 33216393},
		// 10 000 000 × 22 / 122 = 1 803 278,68… → 1 803 279 (DOMAIN §4: 18 032,79).
		{"DOMAIN 100 000,00 × 22/122", 10000000, Rate22, 1803279},
		{"305 000 000 × 22/122 = 55 000 000 exactly", 305000000, Rate22, 55000000},
		{"120 000 × 20/120", 12000000, Rate20, 2000000},
		{"118 × 18/118", 11800, Rate18, 1800},
		{"110 × 10/110", 11000, Rate10, 1000},
		// 3 × 22/122 = 0,54 → 1; 1 × 22/122 = 0,18 → 0.
		{"0,03 rounds up", 3, Rate22, 1},
		{"0,01 rounds down", 1, Rate22, 0},
		// 22/122 never yields an exact half (22g is even, 61 odd); 20/120 does:
		// 3/6 = 0,5 → 1 and 9/6 = 1,5 → 2.
		{"exact half 3 × 20/120", 3, Rate20, 1},
		{"exact half 9 × 20/120", 9, Rate20, 2},
		{"just under half 2 × 20/120", 2, Rate20, 0},
		{"zero", 0, Rate22, 0},
		{"Rate0", 12345, Rate0, 0},
		{"Exempt", 12345, Exempt, 0},
		// MaxInt64 × 22 / 122 = 1 663 231 023 039 385 800,9… → …801.
		{"MaxInt64", math.MaxInt64, Rate22, 1663231023039385801},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExtractVAT(tt.gross, tt.rate)
			if err != nil || got != tt.want {
				t.Errorf("ExtractVAT(%d, %v) = %d, %v; want %d", tt.gross, tt.rate, got, err, tt.want)
			}
		})
	}
	if _, err := ExtractVAT(-1, Rate22); !errors.Is(err, ErrNegative) {
		t.Errorf("negative: %v", err)
	}
	if _, err := ExtractVAT(100, 0); !errors.Is(err, ErrRate) {
		t.Errorf("unset rate: %v", err)
	}
}

func TestChargeVAT(t *testing.T) {
	tests := []struct {
		amount int64
		rate   Rate
		want   int64
	}{
		{125000000, Rate22, 27500000}, // DOMAIN §4: 22 % of 1 250 000 = 275 000
		{25, Rate22, 6},               // 5,5 → 6
		{2, Rate22, 0},                // 0,44 → 0
		{24, Rate22, 5},               // 5,28 → 5
		{75, Rate22, 17},              // 16,5 → 17
		{5, Rate10, 1},                // 0,5 → 1
		{4, Rate10, 0},                // 0,4 → 0
		{25, Rate18, 5},               // 4,5 → 5
		{25, Rate20, 5},               // 5 exactly
		{100, Rate0, 0},
		{100, Exempt, 0},
		{math.MaxInt64, Rate22, 2029141848108050678}, // 2 029 141 848 108 050 677,54 → …678
	}
	for _, tt := range tests {
		got, err := ChargeVAT(tt.amount, tt.rate)
		if err != nil || got != tt.want {
			t.Errorf("ChargeVAT(%d, %v) = %d, %v; want %d", tt.amount, tt.rate, got, err, tt.want)
		}
	}
	if _, err := ChargeVAT(-5, Rate22); !errors.Is(err, ErrNegative) {
		t.Errorf("negative: %v", err)
	}
	if _, err := ChargeVAT(5, Rate(200)); !errors.Is(err, ErrRate) {
		t.Errorf("bad rate: %v", err)
	}
}

func TestParseQty(t *testing.T) {
	good := map[string]int64{
		"1": 1000, "2": 2000, "1.5": 1500, "1,5": 1500, "0.001": 1, "0,250": 250, "007": 7000,
		"12.34": 12340, "1000000": 1000000000, "9223372036854775.807": math.MaxInt64,
		"9223372036854774.999": 9223372036854774999, "9223372036854775": 9223372036854775000,
	}
	for s, want := range good {
		if got, err := ParseQty(s); err != nil || got != want {
			t.Errorf("ParseQty(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "0.000", "-1", "+1", "1e3", "1.2345", ".5", "5.", "1 000",
		"1\u00a0000", "1,5.0", "1..5", "１", "one", "9223372036854775.808", "9223372036854776", "99999999999999999999", "NaN", "0x10"} {
		if _, err := ParseQty(s); !errors.Is(err, ErrQty) {
			t.Errorf("ParseQty(%q) err = %v, want ErrQty", s, err)
		}
	}
}

func TestLineCompute(t *testing.T) {
	tests := []struct {
		name string
		line Line
		want Amounts
	}{
		{"DOMAIN line", Line{"2", 125000000, Rate22}, Amounts{250000000, 55000000, 305000000}},
		{"2025 line at 20 %", Line{"2", 125000000, Rate20}, Amounts{250000000, 50000000, 300000000}},
		{"half kopeck rounds up", Line{"0.5", 1, Rate22}, Amounts{1, 0, 1}},
		{"0.499 rounds down", Line{"0.001", 499, Rate22}, Amounts{0, 0, 0}},
		{"0.5 from thousandths", Line{"0.001", 500, Rate22}, Amounts{1, 0, 1}},
		{"1.5 × 3,33 = 4,995 → 5,00", Line{"1.5", 333, Rate22}, Amounts{500, 110, 610}},
		{"2.333 × 1,00 = 2,333 → 2,33", Line{"2.333", 100, Rate22}, Amounts{233, 51, 284}},
		{"0,125 × 0,04 = 0,005 → 0,01", Line{"0,125", 4, Rate10}, Amounts{1, 0, 1}},
		{"VAT half-up 0,25 × 22 %", Line{"1", 25, Rate22}, Amounts{25, 6, 31}},
		{"VAT half-up 0,05 × 10 %", Line{"1", 5, Rate10}, Amounts{5, 1, 6}},
		{"fractional kg", Line{"12.750", 15990, Rate22}, Amounts{203873, 44852, 248725}},
		{"zero price", Line{"3", 0, Rate22}, Amounts{0, 0, 0}},
		{"export 0 %", Line{"1", 4900000000, Rate0}, Amounts{4900000000, 0, 4900000000}},
		{"exempt", Line{"4", 1500000, Exempt}, Amounts{6000000, 0, 6000000}},
		// A + round(0,22·A) = MaxInt64 exactly for A = 7 560 141 013 815 390 006.
		{"largest total that fits", Line{"1", 7560141013815390006, Rate22}, Amounts{7560141013815390006, 1663231023039385801, math.MaxInt64}},
		{"half of MaxInt64 at 0 %", Line{"0.5", math.MaxInt64, Rate0}, Amounts{4611686018427387904, 0, 4611686018427387904}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.line.Compute()
			if err != nil || got != tt.want {
				t.Errorf("Compute(%+v) = %+v, %v; want %+v", tt.line, got, err, tt.want)
			}
		})
	}
}

func TestLineComputeErrors(t *testing.T) {
	tests := []struct {
		name string
		line Line
		want error
	}{
		{"unset rate", Line{"1", 100, 0}, ErrRate},
		{"negative price", Line{"1", -1, Rate22}, ErrNegative},
		{"zero qty", Line{"0", 100, Rate22}, ErrQty},
		{"bad qty", Line{"1.0001", 100, Rate22}, ErrQty},
		{"amount overflows", Line{"2", math.MaxInt64, Rate22}, ErrOverflow},
		{"amount overflows by rounding", Line{"1.001", math.MaxInt64 - 10, Rate0}, ErrOverflow},
		{"total overflows", Line{"1", math.MaxInt64, Rate22}, ErrOverflow},
		{"total overflows by one kopeck", Line{"1", 7560141013815390007, Rate22}, ErrOverflow},
		{"huge qty × price", Line{"9223372036854774", 1001, Exempt}, ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.line.Compute()
			if !errors.Is(err, tt.want) || got != (Amounts{}) {
				t.Errorf("Compute(%+v) = %+v, %v; want %v", tt.line, got, err, tt.want)
			}
		})
	}
}

func TestTotals(t *testing.T) {
	lines := []Line{
		{"1", 115000000, Rate22}, // 22 kW compressor
		{"1", 45000000, Rate22},  // dryer
		{"0.5", 6000000, Rate10}, // reduced-rate item
		{"1", 12000000, Exempt},  // exempt service
		{"3", 2500, Rate0},
		{"2", 3000000, Rate10},
	}
	s, err := Totals(lines)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []Amounts{
		{115000000, 25300000, 140300000},
		{45000000, 9900000, 54900000},
		{3000000, 300000, 3300000},
		{12000000, 0, 12000000},
		{7500, 0, 7500},
		{6000000, 600000, 6600000},
	}
	if !reflect.DeepEqual(s.Lines, wantLines) {
		t.Errorf("lines %+v", s.Lines)
	}
	if want := (Amounts{181007500, 36100000, 217107500}); s.Total != want {
		t.Errorf("total %+v, want %+v", s.Total, want)
	}
	wantBy := []RateTotal{
		{Rate22, Amounts{160000000, 35200000, 195200000}},
		{Rate10, Amounts{9000000, 900000, 9900000}},
		{Rate0, Amounts{7500, 0, 7500}},
		{Exempt, Amounts{12000000, 0, 12000000}},
	}
	if !reflect.DeepEqual(s.ByRate, wantBy) {
		t.Errorf("ByRate %+v", s.ByRate)
	}
}

// Document totals are sums of rounded line values: three lines of 0,25 at
// 22 % carry 0,06 VAT each, 0,18 in total, although 22 % of 0,75 is 0,17.
func TestTotalsSumRoundedLines(t *testing.T) {
	l := Line{"1", 25, Rate22}
	s, err := Totals([]Line{l, l, l})
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != (Amounts{75, 18, 93}) {
		t.Errorf("total %+v", s.Total)
	}
	if v, _ := ChargeVAT(75, Rate22); v != 17 {
		t.Errorf("VAT of the sum = %d, want 17 (the case must differ)", v)
	}
}

func TestTotalsErrors(t *testing.T) {
	_, err := Totals([]Line{{"1", 100, Rate22}, {"1,5,", 100, Rate22}})
	if !errors.Is(err, ErrQty) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
	half := Line{"1", math.MaxInt64 / 2, Rate0}
	_, err = Totals([]Line{half, half, {"1", 2, Rate0}})
	if !errors.Is(err, ErrOverflow) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("overflow: %v", err)
	}
	s, err := Totals(nil)
	if err != nil || s.Total != (Amounts{}) || len(s.Lines) != 0 || s.ByRate != nil {
		t.Errorf("empty: %+v, %v", s, err)
	}
}

func TestMulDivRound(t *testing.T) {
	tests := []struct {
		a, b, c uint64
		want    uint64
		ok      bool
	}{
		{1, 1, 2, 1, true}, // 0,5 → 1
		{1, 1, 3, 0, true}, // 0,33 → 0
		{2, 1, 3, 1, true}, // 0,67 → 1
		{5, 1, 2, 3, true}, // 2,5 → 3
		{math.MaxInt64, 1, 1, math.MaxInt64, true},
		{math.MaxInt64 + 1, 1, 1, 0, false},
		{math.MaxUint64, math.MaxUint64, 1, 0, false},   // hi ≥ c
		{math.MaxUint64, 1, 2, 0, false},                // quotient 2^63 (rounded), just out of range
		{math.MaxUint64 - 2, 1, 2, math.MaxInt64, true}, // (2^64−3)/2 = 2^63−1,5 → 2^63−1
		{math.MaxUint64, 3, 2, 0, false},                // quotient ≥ 2^64 with hi < c
	}
	for _, tt := range tests {
		got, ok := mulDivRound(tt.a, tt.b, tt.c)
		if got != tt.want || ok != tt.ok {
			t.Errorf("mulDivRound(%d, %d, %d) = %d, %v; want %d, %v", tt.a, tt.b, tt.c, got, ok, tt.want, tt.ok)
		}
	}
}
