package documents

import (
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/workflow"
)

var nbsp = amount.NBSP

func rule2026() rateRule {
	return rateRule{std: vat.StandardRate(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))}
}

// TestLinesWorkedExample: DOMAIN.md §1.0 — 2 × 1 250 000,00 = 2 500 000,00; НДС 22 % =
// 550 000,00; всего 3 050 000,00, «Три миллиона пятьдесят тысяч рублей 00 копеек».
func TestLinesWorkedExample(t *testing.T) {
	var p Problems
	lines := []Line{{Name: "Компрессор винтовой ВК-22", Qty: "2", Price: "1250000"}}
	s := checkLines(&p, "lines", lines, 1, rule2026())
	if err := p.Err(workflow.DocInvoice); err != nil {
		t.Fatal(err)
	}
	tot := s.totals(&p, "totals", nil)
	if tot.Net != "2500000.00" || tot.VAT != "550000.00" || tot.Gross != "3050000.00" {
		t.Fatalf("totals = %+v", tot)
	}
	if len(tot.ByRate) != 1 || tot.ByRate[0] != (RateTotal{Rate: "22", Net: "2500000.00", VAT: "550000.00", Gross: "3050000.00"}) {
		t.Fatalf("by_rate = %+v", tot.ByRate)
	}
	l := lines[0]
	if l.Unit != "шт" || l.OKEI != "796" || l.Price != "1250000.00" || l.VATRate != "22" ||
		l.Amount != "2500000.00" || l.VAT != "550000.00" || l.Total != "3050000.00" {
		t.Fatalf("line after validation = %+v", l)
	}
	v := s.view("RUB")
	if v["gross"] != "3"+nbsp+"050"+nbsp+"000,00" || v["gross_raw"] != "3050000.00" {
		t.Errorf("gross = %q / %q", v["gross"], v["gross_raw"])
	}
	if v["words"] != "Три миллиона пятьдесят тысяч рублей 00 копеек" {
		t.Errorf("words = %q", v["words"])
	}
	if v["vat_words"] != "Пятьсот пятьдесят тысяч рублей 00 копеек" || v["vat_label"] != "НДС 22 %" || v["count_words"] != "одна" {
		t.Errorf("vat_words %q, vat_label %q, count_words %q", v["vat_words"], v["vat_label"], v["count_words"])
	}
	lv := linesView(lines)[0]
	if lv["no"] != "1" || lv["price"] != "1"+nbsp+"250"+nbsp+"000,00" || lv["vat_rate"] != "22 %" || lv["discount"] != "" {
		t.Errorf("line view = %v", lv)
	}
}

func TestLinesArithmetic(t *testing.T) {
	tests := []struct {
		name                   string
		lines                  []Line
		net, vatSum, gross     string
		rates, vatLabel, vatTx string
	}{
		{"discount 5 % off the unit price",
			[]Line{{Name: "ВК-55", Qty: "2", Price: "2600000.00", DiscountPercent: "5"}},
			"4940000.00", "1086800.00", "6026800.00", "22 %", "НДС 22 %", "1" + nbsp + "086" + nbsp + "800,00"},
		{"fractional quantity rounds half up per line",
			[]Line{{Name: "Масло компрессорное", Unit: "л", Qty: "0,333", Price: "1.50"}},
			"0.50", "0.11", "0.61", "22 %", "НДС 22 %", "0,11"},
		{"mixed rates sum rounded line values",
			[]Line{{Name: "A", Qty: "1", Price: "100.00"}, {Name: "B", Qty: "3", Price: "10.01", VATRate: "10"}, {Name: "C", Qty: "1", Price: "50", VATRate: "без НДС"}},
			"180.03", "25.00", "205.03", "22 %, 10 %, Без НДС", "НДС 22 %, 10 %, Без НДС", "25,00"},
		{"all exempt prints без НДС",
			[]Line{{Name: "Обучение", Unit: "усл. ед.", Qty: "1", Price: "30000", VATRate: "Без НДС"}},
			"30000.00", "0.00", "30000.00", "Без НДС", "Без НДС", "без НДС"},
		{"100 % discount is free",
			[]Line{{Name: "Подарок", Qty: "1", Price: "999.99", DiscountPercent: "100"}},
			"0.00", "0.00", "0.00", "22 %", "НДС 22 %", "0,00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Problems
			s := checkLines(&p, "lines", tt.lines, 1, rule2026())
			if err := p.Err(workflow.DocProposal); err != nil {
				t.Fatal(err)
			}
			tot := s.totals(&p, "totals", nil)
			if tot.Net != tt.net || tot.VAT != tt.vatSum || tot.Gross != tt.gross {
				t.Errorf("totals = %s / %s / %s, want %s / %s / %s", tot.Net, tot.VAT, tot.Gross, tt.net, tt.vatSum, tt.gross)
			}
			v := s.view("RUB")
			if v["vat_rate"] != tt.rates || v["vat_label"] != tt.vatLabel || v["vat"] != tt.vatTx {
				t.Errorf("vat_rate %q, vat_label %q, vat %q", v["vat_rate"], v["vat_label"], v["vat"])
			}
		})
	}
}

func TestLineNormalisation(t *testing.T) {
	var p Problems
	lines := []Line{{Name: "X", Unit: "компл", Qty: "1,500", Price: "1 234,5", DiscountPercent: "7,50", VATRate: "10 %"}}
	checkLines(&p, "lines", lines, 1, rule2026())
	if err := p.Err(workflow.DocProposal); err != nil {
		t.Fatal(err)
	}
	l := lines[0]
	if l.Qty != "1.5" || l.Price != "1234.50" || l.DiscountPercent != "7.5" || l.VATRate != "10" || l.OKEI != "839" {
		t.Fatalf("normalised line = %+v", l)
	}
	lv := linesView(lines)[0]
	if lv["qty"] != "1,5" || lv["discount"] != "7,5 %" || lv["price_net_raw"] != "1141.91" {
		t.Errorf("view qty %q discount %q price_net %q", lv["qty"], lv["discount"], lv["price_net_raw"])
	}
	if got := formatQtyRu(1234567500); got != "1"+nbsp+"234"+nbsp+"567,5" {
		t.Errorf("formatQtyRu = %q", got)
	}
}

// TestLineErrors names every bad field by its path.
func TestLineErrors(t *testing.T) {
	tests := []struct {
		name string
		line Line
		rr   rateRule
		want string
	}{
		{"name required", Line{Qty: "1", Price: "1"}, rule2026(), "lines[0].name"},
		{"qty not a number", Line{Name: "A", Qty: "два", Price: "1"}, rule2026(), "lines[0].qty"},
		{"qty zero", Line{Name: "A", Qty: "0", Price: "1"}, rule2026(), "lines[0].qty"},
		{"qty negative", Line{Name: "A", Qty: "-1", Price: "1"}, rule2026(), "lines[0].qty"},
		{"qty four decimals", Line{Name: "A", Qty: "1.0001", Price: "1"}, rule2026(), "lines[0].qty"},
		{"price required", Line{Name: "A", Qty: "1"}, rule2026(), "lines[0].price"},
		{"price negative", Line{Name: "A", Qty: "1", Price: "-5"}, rule2026(), "lines[0].price"},
		{"price three decimals", Line{Name: "A", Qty: "1", Price: "1.005"}, rule2026(), "lines[0].price"},
		{"price float exponent", Line{Name: "A", Qty: "1", Price: "1e6"}, rule2026(), "lines[0].price"},
		{"discount over 100", Line{Name: "A", Qty: "1", Price: "1", DiscountPercent: "101"}, rule2026(), "lines[0].discount_percent"},
		{"unknown rate", Line{Name: "A", Qty: "1", Price: "1", VATRate: "21"}, rule2026(), "lines[0].vat_rate"},
		{"okei letters", Line{Name: "A", Qty: "1", Price: "1", OKEI: "шт"}, rule2026(), "lines[0].okei"},
		{"okei required for an unknown unit", Line{Name: "A", Unit: "бухта", Qty: "1", Price: "1"}, rateRule{std: vat.Rate22, needOKEI: true}, "lines[0].okei"},
		{"country code", Line{Name: "A", Qty: "1", Price: "1", CountryCode: "CN"}, rule2026(), "lines[0].country_code"},
		{"derived amount differs", Line{Name: "A", Qty: "2", Price: "10", Amount: "25.00"}, rule2026(), "lines[0].amount"},
		{"derived total differs", Line{Name: "A", Qty: "2", Price: "10", Total: "20.00"}, rule2026(), "lines[0].total"},
		{"amount overflows", Line{Name: "A", Qty: "9000000000", Price: "9000000000"}, rule2026(), "lines[0].qty"},
		{"name too long", Line{Name: strings.Repeat("я", maxAddress+1), Qty: "1", Price: "1"}, rule2026(), "lines[0].name"},
		{"strict rate on the shipment date", Line{Name: "A", Qty: "1", Price: "1", VATRate: "20"},
			rateRule{std: vat.Rate22, strict: true, dateLabel: "shipment date 2026-01-01"}, "lines[0].vat_rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Problems
			lines := []Line{tt.line}
			checkLines(&p, "lines", lines, 1, tt.rr)
			wantFields(t, p.Err(workflow.DocInvoice), tt.want)
		})
	}
	t.Run("derived values that match are accepted", func(t *testing.T) {
		var p Problems
		checkLines(&p, "lines", []Line{{Name: "A", Qty: "2", Price: "10", Amount: "20", VAT: "4.40", Total: "24.4"}}, 1, rule2026())
		if err := p.Err(workflow.DocInvoice); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("too many lines", func(t *testing.T) {
		var p Problems
		lines := make([]Line, MaxLines+1)
		checkLines(&p, "lines", lines, 1, rule2026())
		wantFields(t, p.Err(workflow.DocInvoice), "lines")
	})
	t.Run("empty lines where required", func(t *testing.T) {
		var p Problems
		checkLines(&p, "lines", nil, 1, rule2026())
		wantFields(t, p.Err(workflow.DocInvoice), "lines")
	})
	t.Run("total too large", func(t *testing.T) {
		var p Problems
		l := Line{Name: "A", Qty: "1", Price: "5000000000000.00"}
		checkLines(&p, "lines", []Line{l, l}, 1, rule2026())
		wantFields(t, p.Err(workflow.DocInvoice), "lines")
	})
}

func TestClearDerivedKeepsSpecialRates(t *testing.T) {
	in := []Line{
		{Name: "A", VATRate: "20", Amount: "1.00", VAT: "0.20", Total: "1.20"},
		{Name: "B", VATRate: "22"},
		{Name: "C", VATRate: "10"},
		{Name: "D", VATRate: "без НДС"},
		{Name: "E", VATRate: "0"},
	}
	out := clearDerived(in)
	want := []string{"", "", "10", "без НДС", "0"}
	for i, l := range out {
		if l.VATRate != want[i] || l.Amount != "" || l.VAT != "" || l.Total != "" {
			t.Errorf("line %d = %+v", i, l)
		}
	}
	if in[0].VATRate != "20" {
		t.Error("clearDerived changed its input")
	}
}
