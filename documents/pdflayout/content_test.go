package pdflayout

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestContentWriterMatchesFpdf draws the same text, lines, filled
// rectangles and word spacing once through fpdf's methods (text encoded
// with appendCP1251x) and once through contentWriter, on documents set up
// alike, and requires byte-identical PDFs: the writer must produce
// exactly what fpdf would, including rounding at half-hundredths, negative
// and tiny coordinates, and the characters fpdf escapes.
func TestContentWriterMatchesFpdf(t *testing.T) {
	fs, err := families["sans"].load()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	type textOp struct {
		x, y, ws float64
		s        string
	}
	type lineOp struct{ x1, y1, x2, y2 float64 }
	var texts []textOp
	var lines []lineOp
	special := []float64{0, math.Copysign(0, -1), 1e-9, -1e-9, 0.005, -0.005, 0.0049999, 12.345, 297, 210, -3.5, 1.0 / 3}
	strs := []string{"a(b)c", `back\slash`, "cr\rlf", "((", "))", "plain", "", "Цена (₽) 58×40 м² «в т. ч.» № 5"}
	coord := func(i int) float64 {
		if i%3 == 0 {
			return special[rng.IntN(len(special))]
		}
		// Values near a rounding boundary of %.2f once scaled to points.
		return (float64(rng.IntN(30000))+0.5)/100/(72/25.4) + rng.Float64()*1e-12
	}
	for i := range 400 {
		ws := 0.0
		if i%4 == 1 {
			ws = coord(i + 1)
		}
		texts = append(texts, textOp{coord(i), coord(i + 2), ws, strs[i%len(strs)]})
		lines = append(lines, lineOp{coord(i), coord(i + 1), coord(i + 2), rng.Float64() * 300})
	}
	doc := func(raw bool) []byte {
		pdf := newPlainDoc(fs, styleRegular)
		pdf.AddPage()
		pdf.SetFont("dv", "", 9)
		var cw contentWriter
		cw.begin(pdf)
		for i, tx := range texts {
			ln := lines[i]
			if raw {
				if tx.ws != 0 {
					cw.wordSpacing(tx.ws)
				}
				if err := cw.text(tx.x, tx.y, tx.s); err != nil {
					t.Fatal(err)
				}
				cw.line(ln.x1, ln.y1, ln.x2, ln.y2)
				cw.fill(ln.x2, ln.y1, ln.x1, ln.y2)
				if i%50 == 49 { // flushes between direct fpdf calls
					cw.flush(pdf)
					pdf.SetFont("dv", "", float64(8+i%3))
				}
				continue
			}
			if tx.ws != 0 {
				pdf.SetWordSpacing(tx.ws)
			}
			enc, err := appendCP1251x(nil, tx.s)
			if err != nil {
				t.Fatal(err)
			}
			pdf.Text(tx.x, tx.y, string(enc))
			pdf.Line(ln.x1, ln.y1, ln.x2, ln.y2)
			pdf.Rect(ln.x2, ln.y1, ln.x1, ln.y2, "F")
			if i%50 == 49 {
				pdf.SetFont("dv", "", float64(8+i%3))
			}
		}
		cw.flush(pdf)
		var out bytes.Buffer
		if err := pdf.Output(&out); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	want, got := doc(false), doc(true)
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Fatalf("PDFs differ at byte %d:\n fpdf   %q\n writer %q", i, want[lo:min(len(want), i+80)], got[lo:min(len(got), i+80)])
	}
	if !bytes.Contains(got, []byte(`(a\(b\)c) Tj`)) || !bytes.Contains(got, []byte(`(cr\rlf) Tj`)) ||
		!bytes.Contains(got, []byte("(\xd6\xe5\xed\xe0 \\(\x98\\) 58\xa640 \xec\xa4 \xab\xe2 \xf2. \xf7.\xbb \xb9 5) Tj")) {
		t.Error("escaped strings missing from the page")
	}
	var cw contentWriter
	if err := cw.text(0, 0, "≤"); err == nil {
		t.Error("contentWriter.text accepted a character outside cp1251x")
	}
}

// TestAppendFixed2MatchesStrconv compares the fast %.2f with strconv on
// values of every magnitude a page uses and beyond, on exact and near
// ties, negative zero and small negatives, and non-finite values.
func TestAppendFixed2MatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vals := []float64{0, math.Copysign(0, -1), -0.001, -0.004999, -0.005, 0.005, 0.015, 0.125, 1.005, 2.675,
		0.995, 9.995, 99.995, 841.89, 595.28, 1e7 - 0.005, 1e7, -1e7, 1e300, math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 123456.785, 72.0 / 25.4}
	for range 200000 {
		mag := math.Pow(10, float64(rng.IntN(10))-3)
		v := (rng.Float64()*2 - 1) * mag
		vals = append(vals, v, math.Round(v*200)/200, math.Nextafter(math.Round(v*200)/200, math.Inf(1)),
			math.Nextafter(math.Round(v*200)/200, math.Inf(-1)))
	}
	for _, v := range vals {
		want := strconv.AppendFloat(nil, v, 'f', 2, 64)
		if got := appendFixed2(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("appendFixed2(%v) = %s, strconv %s", v, got, want)
		}
	}
}
