package pdflayout

import (
	"bytes"
	"math"
	"strconv"

	"github.com/go-pdf/fpdf"
)

// contentWriter collects page-content operators for the fast path and hands
// them to fpdf in one RawWriteBuf call instead of one fpdf call per
// operator. fpdf formats every Text call with fmt.Sprintf and allocates the
// escaped string and the formatted line; here the numbers are appended with
// strconv into a buffer reused across renders.
//
// Each method writes exactly the bytes the fpdf method named in its comment
// writes (fpdf v0.9.0, the same %.2f / %.5f formatting, one operator line
// each), so the page streams are byte-identical to calling fpdf directly; a
// test compares the two. Anything that fpdf itself writes to the page (font
// and colour changes, stroked rectangles, images) must be preceded by flush, which
// emitter.direct does.
type contentWriter struct {
	buf  []byte
	rd   bytes.Reader
	k, h float64 // fpdf's scale factor (pt per user unit) and page height
}

// begin takes the scale and page height of the current page of pdf.
func (c *contentWriter) begin(pdf *fpdf.Fpdf) {
	c.k = pdf.GetConversionRatio()
	_, c.h = pdf.GetPageSize()
}

// flush writes what has been collected to the current page of pdf.
func (c *contentWriter) flush(pdf *fpdf.Fpdf) {
	if len(c.buf) == 0 {
		return
	}
	// fpdf ends the raw block with a newline, as it ends each operator.
	c.rd.Reset(c.buf[:len(c.buf)-1])
	pdf.RawWriteBuf(&c.rd)
	c.buf = c.buf[:0]
}

func (c *contentWriter) num(v float64, prec int) {
	if prec == 2 {
		c.buf = appendFixed2(c.buf, v)
		return
	}
	c.buf = strconv.AppendFloat(c.buf, v, 'f', prec, 64)
}

// appendFixed2 appends v as strconv.AppendFloat(dst, v, 'f', 2, 64) does
// (fpdf's %.2f), about five times faster for the coordinates of a page.
// v*100 is computed with an error below 1.2e-7 for |v| < 1e7, so unless
// its fractional part lies within 1e-6 of one half, rounding it to the
// nearest integer gives the correctly rounded result that strconv gives;
// near a tie, and for large or non-finite values, strconv decides.
func appendFixed2(dst []byte, v float64) []byte {
	a := math.Abs(v)
	if !(a < 1e7) {
		return strconv.AppendFloat(dst, v, 'f', 2, 64)
	}
	x := a * 100
	whole := math.Floor(x)
	frac := x - whole // exact
	if math.Abs(frac-0.5) < 1e-6 {
		return strconv.AppendFloat(dst, v, 'f', 2, 64)
	}
	n := uint64(whole)
	if frac > 0.5 {
		n++
	}
	if math.Signbit(v) { // strconv writes -0.00 for negative values that round to zero
		dst = append(dst, '-')
	}
	dst = strconv.AppendUint(dst, n/100, 10)
	return append(dst, '.', byte('0'+n/10%10), byte('0'+n%10))
}

// text is fpdf.Text for a single-byte font without underline, strike-out
// or a text colour that differs from the fill colour:
// "BT %.2f %.2f Td (%s) Tj ET". s is UTF-8; it is written in cp1251x and
// escaped as fpdf escapes strings. A character outside cp1251x is an
// internal error (the layout sends such text to the UTF-8 path).
func (c *contentWriter) text(x, y float64, s string) error {
	c.buf = append(c.buf, "BT "...)
	c.num(x*c.k, 2)
	c.buf = append(c.buf, ' ')
	c.num((c.h-y)*c.k, 2)
	c.buf = append(c.buf, " Td ("...)
	var err error
	c.buf, err = appendCP1251xLiteral(c.buf, s)
	c.buf = append(c.buf, ") Tj ET\n"...)
	return err
}

// line is fpdf.Line: "%.2f %.2f m %.2f %.2f l S".
func (c *contentWriter) line(x1, y1, x2, y2 float64) {
	c.num(x1*c.k, 2)
	c.buf = append(c.buf, ' ')
	c.num((c.h-y1)*c.k, 2)
	c.buf = append(c.buf, " m "...)
	c.num(x2*c.k, 2)
	c.buf = append(c.buf, ' ')
	c.num((c.h-y2)*c.k, 2)
	c.buf = append(c.buf, " l S\n"...)
}

// fill is fpdf.Rect with style "F": "%.2f %.2f %.2f %.2f re f".
func (c *contentWriter) fill(x, y, w, h float64) {
	c.num(x*c.k, 2)
	c.buf = append(c.buf, ' ')
	c.num((c.h-y)*c.k, 2)
	c.buf = append(c.buf, ' ')
	c.num(w*c.k, 2)
	c.buf = append(c.buf, ' ')
	c.num(-h*c.k, 2)
	c.buf = append(c.buf, " re f\n"...)
}

// wordSpacing is fpdf.SetWordSpacing: "%.5f Tw". (fpdf keeps no state for
// it.)
func (c *contentWriter) wordSpacing(ws float64) {
	c.num(ws*c.k, 5)
	c.buf = append(c.buf, " Tw\n"...)
}
