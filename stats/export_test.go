package stats

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "+1": "'+1", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Иванов": "Иванов", "": "", "a=b": "a=b",
	} {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

func sampleTable() Table {
	return Table{Name: "reps", Title: "t", Columns: []Column{{Key: "rep", Title: "Продавец", Kind: KText}, {Key: "n", Title: "Сделок", Kind: KInt},
		{Key: "c", Title: "Конверсия, %", Kind: KPercent}, {Key: "m", Title: "Оборот, ₽", Kind: KMoney}, {Key: "d", Title: "Дней", Kind: KFloat}},
		Rows: [][]any{
			{"=cmd|' /C calc'!A0", 12, Num(0.5833), workflow.Money(123456789), Num(4.44)},
			{"Петрова О.", 3, NaN, workflow.Money(-100), 2.0},
		}}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	tb := sampleTable()
	if err := WriteCSV(&buf, &tb); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatal("no byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Продавец", "Сделок", "Конверсия, %", "Оборот, ₽", "Дней"},
		{"'=cmd|' /C calc'!A0", "12", "58.3", "1234567.89", "4.4"},
		{"Петрова О.", "3", "", "-1.00", "2.0"},
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	a, b := sampleTable(), sampleTable()
	b.Name = "reps" // the same name twice gets a unique sheet
	if err := WriteXLSX(&buf, []Table{a, b}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 2 || sheets[0] != "reps" || sheets[1] != "reps_2" {
		t.Fatalf("sheets %v", sheets)
	}
	v, _ := f.GetCellValue("reps", "A2")
	if v != "'=cmd|' /C calc'!A0" {
		t.Errorf("A2 = %q: text starting with = must be prefixed", v)
	}
	if formula, _ := f.GetCellFormula("reps", "A2"); formula != "" {
		t.Errorf("A2 holds a formula %q", formula)
	}
	typ, _ := f.GetCellType("reps", "B2")
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("B2 type %v, want a number", typ)
	}
	raw, _ := f.GetCellValue("reps", "C2", excelize.Options{RawCellValue: true})
	if raw != "0.5833" {
		t.Errorf("C2 raw %q, want the share 0.5833 shown as a percent", raw)
	}
	shown, _ := f.GetCellValue("reps", "C2")
	if shown != "58%" {
		t.Errorf("C2 shown %q", shown)
	}
	raw, _ = f.GetCellValue("reps", "D2", excelize.Options{RawCellValue: true})
	if raw != "1234567.89" {
		t.Errorf("D2 raw %q", raw)
	}
	if v, _ := f.GetCellValue("reps", "C3"); v != "" {
		t.Errorf("C3 = %q, want an empty cell for NaN", v)
	}
	if v, _ := f.GetCellValue("reps", "A1"); v != "Продавец" {
		t.Errorf("header %q", v)
	}
}

// wellFormed parses an SVG document as XML and returns its text.
func wellFormed(t *testing.T, svg string) string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
			text.WriteByte(' ')
		}
	}
	return text.String()
}

func TestChartsOnScenario(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	a, b, _ := buildScenario(t, st)
	// A hostile name must come out escaped.
	if err := st.UpdateUser(context.Background(), a.ID, nil, ptr(`Иванов <script>alert(1)</script> & Co`), nil, nil); err != nil {
		t.Fatal(err)
	}
	r, err := NewService(st).Funnel(context.Background(), Filter{Period: march})
	if err != nil {
		t.Fatal(err)
	}
	ns := ComputeNorms(r, NormParams{Measure: MeasureProfit, Group: GroupTop, TopN: 1, MinN: 1, Prior: 10, Cap: 0.98})
	g := Gaps(r, r.Rep(b.ID), ns)
	for name, svg := range map[string]string{
		"funnel": FunnelSVG(&r.Team, ns, "ru"), "heatmap": HeatmapSVG(r, ns, "ru"), "profit": ProfitTurnoverSVG(ns, "en"),
		"trend": TrendSVG(r.Team.Months, "ru", ""), "lost": LostValueSVG(&g, "ru"),
	} {
		text := wellFormed(t, svg)
		if strings.Contains(svg, "<script") {
			t.Errorf("%s: unescaped markup from a name", name)
		}
		if !strings.Contains(svg, "<title>") || !strings.Contains(svg, `role="img"`) {
			t.Errorf("%s: no title or role", name)
		}
		switch name {
		case "funnel":
			// The research stage: 8 entered, 88 % (7 of 8) against the norm 85 %.
			for _, want := range []string{"1. Сбор информации о предприятии", "8", "88\u00a0%", "норма 85\u00a0%"} {
				if !strings.Contains(text, want) {
					t.Errorf("funnel lacks %q", want)
				}
			}
		case "heatmap":
			if !strings.Contains(text, "Иванов <script>") {
				t.Errorf("heatmap lacks the rep's (escaped) name: %s", text)
			}
		case "trend":
			if !strings.Contains(text, "мар 25") {
				t.Errorf("trend lacks the month: %s", text)
			}
		case "lost":
			if !strings.Contains(text, "2. Холодный звонок") || !strings.Contains(text, "262") {
				t.Errorf("lost-value chart: %s", text)
			}
		}
	}
	tables := []Table{StageTable("funnel", &r.Team, ns, "ru"), RepsTable(r, "ru"), HeatmapTable(r, ns, "en"), ReasonsTable(&r.Team, "ru"),
		MonthsTable(r.Team.Months, "ru"), GapTable(&g, "ru"), ActivityTable(&g, "ru"), NormTable(ns, "ru", true), RankingTable(ns, "ru"),
		ActivityNormTable(ns, "ru"), ReverseTable(ns.Reverse(1_000_000_00, ns.AvgProfit, 46), "ru")}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tables); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.GetSheetList()) != len(tables) {
		t.Errorf("sheets %v", f.GetSheetList())
	}
	rows, _ := f.GetRows("funnel")
	if len(rows) != 16 || rows[1][1] != "Сбор информации о предприятии-клиенте" || rows[1][2] != "8" {
		t.Errorf("funnel sheet: %d rows, %q", len(rows), rows[1])
	}
}

func ptr[T any](v T) *T { return &v }
