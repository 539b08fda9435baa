package docxgen

import "strings"

// Blocks shared by the templates other than the proposal: titles, numbered clauses,
// label–value tables, two-party requisites and signatures, signature lines with
// captions and the footer. Like the blocks in blocks.go they take placeholder keys or
// prefixes, never values.

// Margins of a landscape page (Package.Landscape), in twips: left 20 mm, right 10 mm,
// top and bottom 15 mm, as on wide printed forms (ГОСТ Р 7.0.97 asks for at least 20 mm
// on the left and 10 mm on the right).
const (
	LandscapeMarginLeft   = 1134
	LandscapeMarginRight  = 567
	LandscapeMarginTop    = 850
	LandscapeMarginBottom = 850
)

// LandscapeTextWidth is the usable width of a landscape page.
const LandscapeTextWidth = PageHeight - LandscapeMarginLeft - LandscapeMarginRight

// SizeMicro is 7 pt, the size of the dense tax-form tables (УПД).
const SizeMicro = 14

// ShadeLabel is the background of label cells in label–value tables.
const ShadeLabel = "F2F2F2"

// DocTitle is the centred bold title of a document followed by centred subtitle lines
// (number and date, the subject).
func DocTitle(title string, sub ...string) []Para {
	out := []Para{{Align: "center", SpaceBefore: 240, Size: SizeTitle, Bold: true, KeepNext: true, Runs: []Run{T(title)}}}
	for i, s := range sub {
		p := Para{Align: "center", KeepNext: true, Runs: []Run{T(s)}}
		if i == len(sub)-1 {
			p.SpaceAfter = 200
		}
		out = append(out, p)
	}
	if len(sub) == 0 {
		out[0].SpaceAfter = 200
	}
	return out
}

// Heading is a section heading of a report ("1. Участники встречи"): bold, kept with
// what follows.
func Heading(text string) Para {
	return Para{SpaceBefore: 200, SpaceAfter: 80, KeepNext: true, Bold: true, Runs: []Run{T(text)}}
}

// SectionTitle is a contract section heading: centred, bold, upper case as written.
func SectionTitle(text string) Para {
	return Para{Align: "center", SpaceBefore: 200, SpaceAfter: 80, KeepNext: true, Bold: true, Runs: []Run{T(text)}}
}

// Clause is a numbered contract clause: "4.1. text", justified with a first-line indent.
func Clause(no, text string) Para {
	return Para{Align: "both", IndentFirst: 567, SpaceAfter: 40, Runs: []Run{T(no + " " + text)}}
}

// Text is a justified paragraph with a first-line indent and a little space after it.
func Text(runs ...Run) Para {
	return Para{Align: "both", IndentFirst: 709, SpaceAfter: 80, Runs: runs}
}

// Gap is an empty paragraph of the given height in half-points, used between tables
// (Word needs a paragraph there) and to space blocks.
func Gap(size int) Para { return Para{Size: size} }

// KV is one row of a label–value table.
type KV struct {
	Label string
	Value string
}

// KVTable is a bordered two-column table: shaded labels on the left, values on the
// right. width is the table width, labelWidth that of the label column. A "\n" in a
// value starts a new paragraph (docxfill wants each placeholder in a run of one text
// element, so values are not broken inside a run).
func KVTable(width, labelWidth int, rows ...KV) Table {
	t := Table{Borders: true, Widths: []int{labelWidth, width - labelWidth}}
	for _, r := range rows {
		var value []Para
		for _, line := range strings.Split(r.Value, "\n") {
			value = append(value, Para{Size: SizeSmall, Runs: []Run{T(line)}})
		}
		t.Rows = append(t.Rows, Row{CantSplit: true, Cells: []Cell{
			{Shade: ShadeLabel, Paras: []Para{{Size: SizeSmall, Runs: []Run{T(r.Label)}}}},
			{Paras: value},
		}})
	}
	return t
}

// PlaceDate is the borderless line under a contract title: the place on the left, the
// date on the right.
func PlaceDate(place, date string) Table {
	half := TextWidth / 2
	return Table{
		Widths: []int{half, TextWidth - half},
		Rows: []Row{{Cells: []Cell{
			C(Para{Runs: []Run{T(place)}}),
			C(Para{Align: "right", Runs: []Run{T(date)}}),
		}}},
	}
}

// PartyRequisites is the requisites section of a contract: the two parties side by side,
// each with its role ("Поставщик:"), its requisites under its prefix, and in a second row
// its director's position, signature line and «М.П.», so that the signatures align.
func PartyRequisites(leftRole, leftPrefix, rightRole, rightPrefix string) Table {
	requisites := func(role, prefix string) Cell {
		k := func(f string) string { return Ph(prefix + "." + f) }
		line := func(label, value string) Para {
			return Para{Size: SizeSmall, Runs: []Run{T(label + " " + value)}}
		}
		return Cell{VAlign: "top", Paras: []Para{
			{Size: SizeSmall, Bold: true, SpaceAfter: 60, KeepNext: true, Runs: []Run{T(role)}},
			{Size: SizeSmall, Bold: true, Runs: []Run{T(k("name"))}},
			line("Юридический адрес:", k("address")),
			line("Почтовый адрес:", k("postal_address")),
			line("ИНН/КПП:", k("inn_kpp")),
			line(k("ogrn_label")+":", k("ogrn")),
			line("Р/с:", k("account")),
			line("в", k("bank_name")),
			line("БИК:", k("bik")),
			line("К/с:", k("corr_account")),
			line("Тел.:", k("phone")),
			line("E-mail:", k("email")),
		}}
	}
	half := TextWidth / 2
	return Table{
		Widths: []int{half, TextWidth - half},
		Rows: []Row{
			{Cells: []Cell{requisites(leftRole, leftPrefix), requisites(rightRole, rightPrefix)}},
			{CantSplit: true, Cells: []Cell{directorSign(leftPrefix), directorSign(rightPrefix)}},
		},
	}
}

// directorSign is the signature of the director of the party under prefix: position,
// "________ / initials /" and «М.П.».
func directorSign(prefix string) Cell {
	k := func(f string) string { return Ph(prefix + "." + f) }
	return Cell{VAlign: "top", Paras: []Para{
		{Size: SizeSmall, SpaceBefore: 240, KeepNext: true, Runs: []Run{T(k("director_title"))}},
		{Size: SizeSmall, SpaceBefore: 360, KeepNext: true, Runs: []Run{T("_______________ / " + k("director_initials") + " /")}},
		{Size: SizeTiny, SpaceBefore: 60, IndentLeft: 284, Runs: []Run{T("М.П.")}},
	}}
}

// PartySignCell is one side of a two-party signature block without requisites
// (specification): the role, the party's name, its director's position and signature
// with «М.П.».
func PartySignCell(role, prefix string) Cell {
	k := func(f string) string { return Ph(prefix + "." + f) }
	return Cell{VAlign: "top", Paras: []Para{
		{Bold: true, SpaceAfter: 60, KeepNext: true, Runs: []Run{T(role)}},
		{Size: SizeSmall, KeepNext: true, Runs: []Run{T(k("name"))}},
		{Size: SizeSmall, KeepNext: true, Runs: []Run{T(k("director_title"))}},
		{Size: SizeSmall, SpaceBefore: 360, KeepNext: true, Runs: []Run{T("_______________ / " + k("director_initials") + " /")}},
		{Size: SizeTiny, SpaceBefore: 60, IndentLeft: 284, Runs: []Run{T("М.П.")}},
	}}
}

// TwoColumns is a borderless table of two equal cells kept on one page (the parties
// side by side).
func TwoColumns(width int, left, right Cell) Table {
	half := width / 2
	return Table{
		Widths: []int{half, width - half},
		Rows:   []Row{{CantSplit: true, Cells: []Cell{left, right}}},
	}
}

// Sign is one signature line: a label (the role or position), then a line for the
// signature and the name, with small captions under both.
type Sign struct {
	Label string
	Name  string
}

// SignTable lays out signature lines: label | ________ | name, each followed by a row of
// captions «(подпись)» and «(расшифровка подписи)». width is the table width.
func SignTable(width int, signs ...Sign) Table {
	lw := width * 38 / 100
	sw := width * 25 / 100
	t := Table{Widths: []int{lw, sw, width - lw - sw}}
	caption := func(s string) Cell {
		return C(Para{Align: "center", Size: 14, Runs: []Run{T(s)}})
	}
	for _, s := range signs {
		t.Rows = append(t.Rows,
			Row{CantSplit: true, Cells: []Cell{
				{VAlign: "bottom", Paras: []Para{{Size: SizeSmall, SpaceBefore: 200, KeepNext: true, Runs: []Run{T(s.Label)}}}},
				{VAlign: "bottom", Paras: []Para{{Align: "center", Size: SizeSmall, KeepNext: true, Runs: []Run{T("____________________")}}}},
				{VAlign: "bottom", Paras: []Para{{Align: "center", Size: SizeSmall, KeepNext: true, Runs: []Run{T(s.Name)}}}},
			}},
			Row{CantSplit: true, Cells: []Cell{C(Para{Size: 14}), caption("(подпись)"), caption("(расшифровка подписи)")}},
		)
	}
	return t
}

// Footer is the footer of a document: "label — стр. N из M", right-aligned, 9 pt.
func Footer(label string) []Para {
	return []Para{{Align: "right", Size: SizeTiny,
		Runs: append([]Run{{Text: label + " — ", Size: SizeTiny}}, PageNumbers()...)}}
}

// HeadCell is a shaded heading cell of a dense table (centred, bold, given size); span
// and vmerge as in Cell.
func HeadCell(text string, size, span int, vmerge string) Cell {
	return Cell{Span: span, VMerge: vmerge, VAlign: "center", Paras: []Para{{Align: "center", Size: size, Bold: true, Runs: []Run{T(text)}}}}
}

// HeadingSize sets the font size of the heading rows of t (ItemTable writes 9 pt), for
// tables with many narrow columns whose headings would break inside words.
func HeadingSize(t Table, size int) Table {
	for i := range t.Rows {
		if !t.Rows[i].Header {
			continue
		}
		for j := range t.Rows[i].Cells {
			for k := range t.Rows[i].Cells[j].Paras {
				t.Rows[i].Cells[j].Paras[k].Size = size
			}
		}
	}
	return t
}

// sumWidths adds up column widths.
func sumWidths(ws []int) int {
	n := 0
	for _, w := range ws {
		n += w
	}
	return n
}
