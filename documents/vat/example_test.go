package vat_test

import (
	"fmt"
	"time"

	"github.com/dealgate/dealgate/documents/vat"
)

func ExampleTotals() {
	ship := time.Date(2026, time.March, 12, 0, 0, 0, 0, time.UTC)
	rate := vat.StandardRate(ship)
	s, err := vat.Totals([]vat.Line{{Qty: "2", UnitPrice: 125000000, Rate: rate}})
	if err != nil {
		panic(err)
	}
	fmt.Println("Итого без НДС:", s.Total.Amount)
	fmt.Printf("НДС %s: %d\n", rate, s.Total.VAT)
	fmt.Println("Всего с НДС:", s.Total.Total)
	// Output:
	// Итого без НДС: 250000000
	// НДС 22 %: 55000000
	// Всего с НДС: 305000000
}

func ExampleStandardRate() {
	for _, d := range []string{"2018-12-31", "2025-12-31", "2026-01-01"} {
		t, _ := time.Parse(time.DateOnly, d)
		fmt.Println(d, vat.StandardRate(t))
	}
	// Output:
	// 2018-12-31 18 %
	// 2025-12-31 20 %
	// 2026-01-01 22 %
}

func ExampleExtractVAT() {
	v, _ := vat.ExtractVAT(184200000, vat.Rate22) // 1 842 000,00 incl. VAT
	fmt.Println(v)
	// Output:
	// 33216393
}

func ExampleAdvanceRate() {
	// Advance received in December 2025 for goods shipped in January 2026:
	// the advance invoice uses 20/120, the shipment invoice 22 %.
	received := time.Date(2025, time.December, 15, 0, 0, 0, 0, time.UTC)
	shipped := time.Date(2026, time.January, 10, 0, 0, 0, 0, time.UTC)
	adv := vat.AdvanceRate(received)
	v, _ := adv.Extract(152500000)
	fmt.Println(adv, v, vat.StandardRate(shipped))
	// Output:
	// 20/120 25416667 22 %
}

func ExampleRateFor() {
	ship := time.Date(2026, time.February, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []vat.Category{vat.CategoryStandard, vat.CategoryReduced, vat.CategoryZero, vat.CategoryExempt} {
		r, _ := vat.RateFor(c, ship)
		fmt.Printf("%s | %s\n", r, r.StringEn())
	}
	// Output:
	// 22 % | 22%
	// 10 % | 10%
	// 0 % | 0%
	// Без НДС | VAT exempt
}
