package documents

import (
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// updShipped returns the example УПД shipped on date, with the rates left to the engine or
// set to rate on every line.
func updShipped(t *testing.T, date, rate string) []byte {
	t.Helper()
	m := exampleMap(t, workflow.DocUPD)
	setPath(t, m, "date", date)
	setPath(t, m, "shipment_date", date)
	setPath(t, m, "payment_documents", deleted{})
	setPath(t, m, "power_of_attorney", deleted{})
	setPath(t, m, "lines", []any{map[string]any{"name": "Компрессор винтовой ВК-22", "qty": "2", "price": "1250000.00"}})
	if rate != "" {
		setPath(t, m, "lines.0.vat_rate", rate)
	}
	return mustJSON(t, m)
}

// TestUPDRateFollowsShipmentDate: DOMAIN.md §0 — goods shipped on 31.12.2025 carry 20 %,
// from 01.01.2026 22 %, whatever the rate written elsewhere on the deal.
func TestUPDRateFollowsShipmentDate(t *testing.T) {
	tests := []struct {
		date, rate, vat, gross, label string
	}{
		{"2025-12-31", "20", "500000.00", "3000000.00", "НДС 20 %"},
		{"2026-01-01", "22", "550000.00", "3050000.00", "НДС 22 %"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			d := mustDecode(t, workflow.DocUPD, updShipped(t, tt.date, "")).(*UPD)
			if d.Lines[0].VATRate != tt.rate || d.Totals.VAT != tt.vat || d.Totals.Gross != tt.gross {
				t.Errorf("rate %s, VAT %s, gross %s; want %s, %s, %s", d.Lines[0].VATRate, d.Totals.VAT, d.Totals.Gross, tt.rate, tt.vat, tt.gross)
			}
			if got := d.View()["totals"].(map[string]any)["vat_label"]; got != tt.label {
				t.Errorf("vat_label = %v", got)
			}
			// The right rate written explicitly is accepted.
			mustDecode(t, workflow.DocUPD, updShipped(t, tt.date, tt.rate))
		})
	}
	t.Run("2025 rate refused for a 2026 shipment", func(t *testing.T) {
		_, err := Decode(workflow.DocUPD, updShipped(t, "2026-01-01", "20"))
		wantFields(t, err, "lines[0].vat_rate")
	})
	t.Run("2026 rate refused for a 2025 shipment", func(t *testing.T) {
		_, err := Decode(workflow.DocUPD, updShipped(t, "2025-12-31", "22"))
		wantFields(t, err, "lines[0].vat_rate")
	})
	t.Run("the document date does not decide", func(t *testing.T) {
		m := exampleMap(t, workflow.DocUPD)
		setPath(t, m, "date", "2026-01-05") // drawn up after the New Year
		setPath(t, m, "shipment_date", "2025-12-30")
		setPath(t, m, "payment_documents", deleted{})
		setPath(t, m, "power_of_attorney", deleted{})
		for i := range 4 {
			setPath(t, m, "lines."+string(rune('0'+i))+".vat_rate", deleted{})
		}
		d := mustDecode(t, workflow.DocUPD, mustJSON(t, m)).(*UPD)
		for i, l := range d.Lines {
			if l.VATRate != "20" {
				t.Errorf("lines[%d] rate %s, want 20", i, l.VATRate)
			}
		}
	})
	t.Run("reduced and exempt rates are not date-bound", func(t *testing.T) {
		for _, r := range []string{"10", "0", "без НДС"} {
			mustDecode(t, workflow.DocUPD, updShipped(t, "2026-01-01", r))
			mustDecode(t, workflow.DocUPD, updShipped(t, "2025-12-31", r))
		}
	})
}

func TestUPDView(t *testing.T) {
	d := mustDecode(t, workflow.DocUPD, exampleJSON(t, workflow.DocUPD))
	v := d.View()
	c := v["consignor"].(map[string]any)
	if c["text"] != "он же" || c["same_as_seller"] != true {
		t.Errorf("consignor = %v / %v", c["text"], c["same_as_seller"])
	}
	if v["status"] != "1" || v["is_invoice"] != true || v["excise"] != "без акциза" {
		t.Errorf("status %v, is_invoice %v", v["status"], v["is_invoice"])
	}
	if v["currency"].(map[string]any)["numeric"] != "643" {
		t.Error("currency code 643 expected")
	}
	if l := v["lines"].([]map[string]any)[1]; l["country"] != "Китай" || l["country_code"] != "156" {
		t.Errorf("imported line: %v %v", l["country"], l["country_code"])
	}
	if v["totals"].(map[string]any)["count_words"] != "четыре" {
		t.Errorf("count_words = %v", v["totals"].(map[string]any)["count_words"])
	}

	m := exampleMap(t, workflow.DocUPD)
	setPath(t, m, "status", deleted{})
	setPath(t, m, "profile", "torg12")
	setPath(t, m, "consignee", deleted{})
	u := mustDecode(t, workflow.DocUPD, mustJSON(t, m)).(*UPD)
	v = u.View()
	if u.Status != 1 {
		t.Errorf("status defaults to 1, got %d", u.Status)
	}
	if v["title"].(map[string]any)["ru"] != "Товарная накладная (ТОРГ-12) и счёт-фактура" {
		t.Errorf("torg12 title = %v", v["title"])
	}
	if v["consignee"].(map[string]any)["inn"] != "6625003711" {
		t.Error("consignee defaults to the buyer")
	}
	setPath(t, m, "status", 2)
	if mustDecode(t, workflow.DocUPD, mustJSON(t, m)).View()["is_invoice"] != false {
		t.Error("status 2 is not a VAT invoice")
	}
}
