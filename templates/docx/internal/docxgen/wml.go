// Package docxgen writes the shipped DOCX templates from WordprocessingML built in Go.
//
// No word processor is needed: each template is one function (see proposal.go) that
// assembles paragraphs, tables and requisites blocks with the helpers in this file, and
// Package turns the body into a minimal, valid .docx (content types, relationships,
// styles, settings, font table and a footer with page numbers). Output is deterministic:
// the same code gives byte-identical files, so the committed templates can be checked
// against the generator in a test.
//
// Placeholder conventions are those of documents/docxfill: {key} for a value, and a table
// row whose placeholders all read {list.field} is repeated once per item of the list.
package docxgen

import (
	"fmt"
	"strings"
)

// Page geometry in twentieths of a point (twips): A4 with the margins usual for Russian
// business letters (left 30 mm, right 15 mm, top and bottom 20 mm).
const (
	PageWidth    = 11906
	PageHeight   = 16838
	MarginLeft   = 1701
	MarginRight  = 850
	MarginTop    = 1134
	MarginBottom = 1134
	// TextWidth is the usable width between the margins.
	TextWidth = PageWidth - MarginLeft - MarginRight
)

// Font sizes in half-points, as WordprocessingML writes them.
const (
	SizeBody  = 24 // 12 pt
	SizeSmall = 20 // 10 pt
	SizeTiny  = 18 // 9 pt
	SizeTitle = 28 // 14 pt
)

// Run is a piece of text with one formatting. A run with Raw set writes Raw verbatim
// instead (for markup between runs, such as w:proofErr that Word puts around words).
type Run struct {
	Text      string
	Bold      bool
	Italic    bool
	Underline bool
	Size      int // half-points; 0 keeps the paragraph's size
	Raw       string
}

// T is a plain run.
func T(text string) Run { return Run{Text: text} }

// B is a bold run.
func B(text string) Run { return Run{Text: text, Bold: true} }

// I is an italic run.
func I(text string) Run { return Run{Text: text, Italic: true} }

// ProofErr is the marker Word inserts around a word it considers misspelt; it is what
// usually splits a typed placeholder into several runs.
func ProofErr(kind string) Run { return Run{Raw: `<w:proofErr w:type="` + kind + `"/>`} }

// Para describes a paragraph.
type Para struct {
	Align        string // "left" (default), "center", "right", "both"
	SpaceBefore  int    // twips
	SpaceAfter   int    // twips
	IndentFirst  int    // first-line indent, twips
	IndentLeft   int    // twips
	KeepNext     bool
	BorderBottom bool // a rule under the paragraph (letterhead)
	Size         int  // default run size for the paragraph, half-points
	Bold         bool // default bold for the paragraph's runs
	Runs         []Run
}

// P is a left-aligned paragraph of runs.
func P(runs ...Run) Para { return Para{Runs: runs} }

// Center is a centred paragraph of runs.
func Center(runs ...Run) Para { return Para{Align: "center", Runs: runs} }

// Right is a right-aligned paragraph of runs.
func Right(runs ...Run) Para { return Para{Align: "right", Runs: runs} }

// Justify is a justified paragraph with a first-line indent of 1.25 cm.
func Justify(runs ...Run) Para { return Para{Align: "both", IndentFirst: 709, Runs: runs} }

// Cell is one table cell.
type Cell struct {
	Span   int    // columns spanned (gridSpan); 0 or 1 for one
	Shade  string // background colour, hex without '#', e.g. "E7E6E6"
	VAlign string // "top", "center", "bottom"
	// VMerge merges the cell with the ones below it: "restart" on the top cell,
	// "continue" on each cell it covers (w:vMerge); "" for none.
	VMerge string
	Paras  []Para
}

// C is a cell with one paragraph.
func C(p Para) Cell { return Cell{Paras: []Para{p}} }

// Row is one table row.
type Row struct {
	// Header marks a heading row that Word and LibreOffice repeat on every page
	// (w:tblHeader); it is also shaded and kept from splitting.
	Header bool
	// CantSplit keeps the row on one page.
	CantSplit bool
	Cells     []Cell
}

// Table is a table with fixed column widths (twips) that add up to at most TextWidth.
type Table struct {
	Widths  []int
	Borders bool // single 0.5 pt lines around and between all cells
	Rows    []Row
}

// Doc accumulates the body of a document.
type Doc struct {
	b strings.Builder
}

// Add appends paragraphs to the body.
func (d *Doc) Add(ps ...Para) {
	for _, p := range ps {
		writePara(&d.b, p)
	}
}

// AddTable appends a table to the body. Word needs a paragraph between two tables and
// after the last one; the caller adds those.
func (d *Doc) AddTable(t Table) {
	writeTable(&d.b, t)
}

// Body returns the body XML written so far (without w:body and w:sectPr).
func (d *Doc) Body() string { return d.b.String() }

func writePara(b *strings.Builder, p Para) {
	b.WriteString("<w:p>")
	var ppr strings.Builder
	if p.KeepNext {
		ppr.WriteString(`<w:keepNext/>`)
	}
	if p.BorderBottom {
		ppr.WriteString(`<w:pBdr><w:bottom w:val="single" w:sz="8" w:space="1" w:color="000000"/></w:pBdr>`)
	}
	if p.SpaceBefore != 0 || p.SpaceAfter != 0 {
		fmt.Fprintf(&ppr, `<w:spacing w:before="%d" w:after="%d"/>`, p.SpaceBefore, p.SpaceAfter)
	}
	if p.IndentFirst != 0 || p.IndentLeft != 0 {
		fmt.Fprintf(&ppr, `<w:ind w:left="%d" w:firstLine="%d"/>`, p.IndentLeft, p.IndentFirst)
	}
	if p.Align != "" && p.Align != "left" {
		fmt.Fprintf(&ppr, `<w:jc w:val="%s"/>`, p.Align)
	}
	// Paragraph mark formatting follows the paragraph's default size, so empty
	// paragraphs and cells take the intended height.
	if p.Size != 0 || p.Bold {
		ppr.WriteString("<w:rPr>")
		writeRunProps(&ppr, p.Bold, false, false, p.Size)
		ppr.WriteString("</w:rPr>")
	}
	if ppr.Len() > 0 {
		b.WriteString("<w:pPr>")
		b.WriteString(ppr.String())
		b.WriteString("</w:pPr>")
	}
	for _, r := range p.Runs {
		if r.Raw != "" {
			b.WriteString(r.Raw)
			continue
		}
		size := r.Size
		if size == 0 {
			size = p.Size
		}
		writeRun(b, r.Text, r.Bold || p.Bold, r.Italic, r.Underline, size)
	}
	b.WriteString("</w:p>")
}

func writeRunProps(b *strings.Builder, bold, italic, underline bool, size int) {
	if bold {
		b.WriteString(`<w:b/><w:bCs/>`)
	}
	if italic {
		b.WriteString(`<w:i/><w:iCs/>`)
	}
	if size != 0 {
		fmt.Fprintf(b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, size, size)
	}
	if underline {
		b.WriteString(`<w:u w:val="single"/>`)
	}
}

// writeRun writes one w:r. A "\n" in text becomes a line break inside the run; every
// w:t keeps its spaces (xml:space="preserve").
func writeRun(b *strings.Builder, text string, bold, italic, underline bool, size int) {
	b.WriteString("<w:r>")
	if bold || italic || underline || size != 0 {
		b.WriteString("<w:rPr>")
		writeRunProps(b, bold, italic, underline, size)
		b.WriteString("</w:rPr>")
	}
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		b.WriteString(`<w:t xml:space="preserve">`)
		b.WriteString(escapeText(line))
		b.WriteString("</w:t>")
	}
	b.WriteString("</w:r>")
}

const borderLine = `w:val="single" w:sz="4" w:space="0" w:color="000000"`

func writeTable(b *strings.Builder, t Table) {
	total := 0
	for _, w := range t.Widths {
		total += w
	}
	b.WriteString("<w:tbl><w:tblPr>")
	fmt.Fprintf(b, `<w:tblW w:w="%d" w:type="dxa"/>`, total)
	if t.Borders {
		b.WriteString("<w:tblBorders>")
		for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
			fmt.Fprintf(b, `<w:%s %s/>`, side, borderLine)
		}
		b.WriteString("</w:tblBorders>")
	}
	b.WriteString(`<w:tblLayout w:type="fixed"/>`)
	b.WriteString(`<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>`)
	b.WriteString(`<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>`)
	b.WriteString("</w:tblPr><w:tblGrid>")
	for _, w := range t.Widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString("</w:tblGrid>")
	for _, r := range t.Rows {
		b.WriteString("<w:tr>")
		if r.Header || r.CantSplit {
			b.WriteString("<w:trPr><w:cantSplit/>")
			if r.Header {
				b.WriteString("<w:tblHeader/>")
			}
			b.WriteString("</w:trPr>")
		}
		col := 0
		for _, c := range r.Cells {
			span := max(c.Span, 1)
			width := 0
			for i := col; i < col+span && i < len(t.Widths); i++ {
				width += t.Widths[i]
			}
			col += span
			b.WriteString("<w:tc><w:tcPr>")
			fmt.Fprintf(b, `<w:tcW w:w="%d" w:type="dxa"/>`, width)
			if span > 1 {
				fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, span)
			}
			if c.VMerge != "" {
				fmt.Fprintf(b, `<w:vMerge w:val="%s"/>`, c.VMerge)
			}
			shade := c.Shade
			if shade == "" && r.Header {
				shade = "E7E6E6"
			}
			if shade != "" {
				fmt.Fprintf(b, `<w:shd w:val="clear" w:color="auto" w:fill="%s"/>`, shade)
			}
			valign := c.VAlign
			if valign == "" && r.Header {
				valign = "center"
			}
			if valign != "" {
				fmt.Fprintf(b, `<w:vAlign w:val="%s"/>`, valign)
			}
			b.WriteString("</w:tcPr>")
			paras := c.Paras
			if len(paras) == 0 {
				paras = []Para{{}} // a cell needs at least one paragraph
			}
			for _, p := range paras {
				writePara(b, p)
			}
			b.WriteString("</w:tc>")
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
}

func escapeText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func escapeAttr(s string) string {
	return strings.ReplaceAll(escapeText(s), `"`, "&quot;")
}
