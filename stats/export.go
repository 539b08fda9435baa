package stats

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dealgate/dealgate/workflow"
)

// Kind says how a table column is written.
type Kind int

// Column kinds.
const (
	KText    Kind = iota // a string
	KInt                 // a whole number
	KPercent             // a share (0.58), written as 58.0 in CSV and 58 % in XLSX
	KMoney               // roubles (workflow.Money)
	KFloat               // a number with one decimal (days, per week)
)

// Column is a table column.
type Column struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Kind  Kind   `json:"-"`
}

// Table is a report table as it is exported: every table on the statistics pages is one.
type Table struct {
	Name    string   // file and sheet name: funnel, reps, heatmap, …
	Title   string   // shown above the table
	Columns []Column //
	Rows    [][]any  // string, int, float64/Num (NaN: empty), workflow.Money
}

// Find returns the table with name from tables, or nil.
func Find(tables []Table, name string) *Table {
	for i := range tables {
		if tables[i].Name == name {
			return &tables[i]
		}
	}
	return nil
}

// SafeText guards a text cell against formula injection: a spreadsheet treats a cell that
// starts with = + - @ (or a tab or carriage return) as a formula, so such text is prefixed
// with an apostrophe.
func SafeText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case Num:
		return float64(x), x.OK()
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case workflow.Money:
		return float64(x) / 100, true
	}
	return 0, false
}

// csvCell writes one value as CSV text.
func csvCell(v any, k Kind) string {
	if s, ok := v.(string); ok {
		return SafeText(s)
	}
	if m, ok := v.(workflow.Money); ok {
		return m.String()
	}
	f, ok := num(v)
	if !ok {
		return ""
	}
	switch k {
	case KInt:
		return strconv.FormatInt(int64(math.Round(f)), 10)
	case KPercent:
		return strconv.FormatFloat(math.Round(f*1000)/10, 'f', 1, 64)
	case KFloat:
		return strconv.FormatFloat(math.Round(f*10)/10, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// WriteCSV writes the table as UTF-8 CSV with a byte-order mark (so that spreadsheets read
// the Cyrillic correctly), a header row of column titles, amounts as plain decimals.
func WriteCSV(w io.Writer, t *Table) error {
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = SafeText(c.Title)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			if i < len(row) {
				rec[i] = csvCell(row[i], c.Kind)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the tables as a workbook, one sheet each: a bold, frozen header row,
// numbers as numbers with formats (percent, roubles, one decimal) and text guarded by
// SafeText.
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E8EDF7"}, Pattern: 1},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 9})   // 0%
	money, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	decimal := "0.0"
	one, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &decimal})
	first := true
	used := map[string]bool{}
	for _, t := range tables {
		sheet := sheetName(t.Name, used)
		if first {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
			first = false
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		for j, c := range t.Columns {
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := f.SetCellStr(sheet, cell, SafeText(c.Title)); err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(j + 1)
			width := 14.0
			if c.Kind == KText {
				width = 28
			}
			_ = f.SetColWidth(sheet, col, col, width)
		}
		last, _ := excelize.CoordinatesToCellName(max(1, len(t.Columns)), 1)
		_ = f.SetCellStyle(sheet, "A1", last, head)
		_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		for i, row := range t.Rows {
			for j, c := range t.Columns {
				if j >= len(row) {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
				v := row[j]
				if s, ok := v.(string); ok {
					if err := f.SetCellStr(sheet, cell, SafeText(s)); err != nil {
						return err
					}
					continue
				}
				x, ok := num(v)
				if !ok {
					continue
				}
				if err := f.SetCellFloat(sheet, cell, x, -1, 64); err != nil {
					return err
				}
				switch c.Kind {
				case KPercent:
					_ = f.SetCellStyle(sheet, cell, cell, pct)
				case KMoney:
					_ = f.SetCellStyle(sheet, cell, cell, money)
				case KFloat:
					_ = f.SetCellStyle(sheet, cell, cell, one)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// sheetName makes a valid, unique sheet name (at most 31 characters, no []:*?/\).
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		s = "table"
	}
	if r := []rune(s); len(r) > 28 {
		s = string(r[:28])
	}
	base, n := s, 2
	for used[strings.ToLower(s)] {
		s = fmt.Sprintf("%s_%d", base, n)
		n++
	}
	used[strings.ToLower(s)] = true
	return s
}
