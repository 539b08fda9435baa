package pdflayout

import (
	"bytes"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// cpuTime returns the CPU time (user + system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkProposalPDF renders the shipped proposal template with different
// data in every iteration (number, contact, 6 items with new names,
// quantities and prices, hence every sum). Report docs/s with
//
//	GOMAXPROCS=1 go test -bench . -benchmem -run '^$' ./documents/pdflayout/
func BenchmarkProposalPDF(b *testing.B) {
	e := newTestEngine(b, EngineOptions{})
	tpl := mustParseFile(b, e, proposalTemplatePath)
	base := loadJSON(b, filepath.Join("testdata", "proposal.json"))
	benchRender(b, e, tpl, func(rng *rand.Rand, i int) map[string]any { return proposalVariant(base, rng, i, 6) })
}

// BenchmarkProposalPDFParallel renders proposals from all GOMAXPROCS
// goroutines at once with one shared Engine and Template: the throughput of
// a multi-core server.
func BenchmarkProposalPDFParallel(b *testing.B) {
	e := newTestEngine(b, EngineOptions{})
	tpl := mustParseFile(b, e, proposalTemplatePath)
	base := loadJSON(b, filepath.Join("testdata", "proposal.json"))
	if err := e.Warm(); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]map[string]any, 256)
	for i := range data {
		data[i] = proposalVariant(base, rng, i, 6)
	}
	var seq atomic.Int64
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			buf.Reset()
			i := seq.Add(1)
			if _, err := e.Render(&buf, tpl, data[i%int64(len(data))], RenderOptions{Date: testDate}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "docs/cpu-s")
}

// BenchmarkProposalPDFCompressed is the same with Flate-compressed pages.
func BenchmarkProposalPDFCompressed(b *testing.B) {
	e := newTestEngine(b, EngineOptions{CompressPages: true})
	tpl := mustParseFile(b, e, proposalTemplatePath)
	base := loadJSON(b, filepath.Join("testdata", "proposal.json"))
	benchRender(b, e, tpl, func(rng *rand.Rand, i int) map[string]any { return proposalVariant(base, rng, i, 6) })
}

// BenchmarkProposalPDFUTF8 forces the UTF-8 font path, for comparison.
func BenchmarkProposalPDFUTF8(b *testing.B) {
	e := newTestEngine(b, EngineOptions{DisableFastPath: true})
	tpl := mustParseFile(b, e, proposalTemplatePath)
	base := loadJSON(b, filepath.Join("testdata", "proposal.json"))
	benchRender(b, e, tpl, func(rng *rand.Rand, i int) map[string]any { return proposalVariant(base, rng, i, 6) })
}

// BenchmarkInvoice100Lines renders a 100-line invoice (3 pages, header row
// repeated) with different items every iteration.
func BenchmarkInvoice100Lines(b *testing.B) {
	e := newTestEngine(b, EngineOptions{})
	tpl := mustParseFile(b, e, filepath.Join("testdata", "invoice.xml"))
	const variants = 64
	data := make([]map[string]any, variants)
	for i := range data {
		data[i] = invoiceData(b, i, 100)
	}
	benchRender(b, e, tpl, func(_ *rand.Rand, i int) map[string]any { return data[i%variants] })
}

// benchRender prepares 256 distinct data sets (outside the timer), renders
// them round-robin and reports docs/s and the PDF size.
func benchRender(b *testing.B, e *Engine, tpl *Template, gen func(*rand.Rand, int) map[string]any) {
	b.Helper()
	if err := e.Warm(); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const variants = 256
	data := make([]map[string]any, variants)
	for i := range data {
		data[i] = gen(rng, i)
	}
	var buf bytes.Buffer
	o := RenderOptions{Date: testDate}
	var size, pages int
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		buf.Reset()
		res, err := e.Render(&buf, tpl, data[i%variants], o)
		if err != nil {
			b.Fatal(err)
		}
		size, pages = buf.Len(), res.Pages
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	// On a shared machine wall time includes waiting for a CPU; docs per
	// CPU-second (user+system time of the whole process, GC included)
	// measures the cost itself.
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "docs/cpu-s")
	b.ReportMetric(float64(size), "pdf-bytes")
	b.ReportMetric(float64(pages), "pages")
}

// BenchmarkProposalLayoutOnly measures the engine's own share: evaluating
// the template and laying the proposal out, without fpdf.
func BenchmarkProposalLayoutOnly(b *testing.B) {
	e := newTestEngine(b, EngineOptions{})
	tpl := mustParseFile(b, e, proposalTemplatePath)
	base := loadJSON(b, filepath.Join("testdata", "proposal.json"))
	fs, err := tpl.doc.family.load()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]map[string]any, 256)
	for i := range data {
		data[i] = proposalVariant(base, rng, i, 6)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		l := layoutPool.Get().(*layout)
		l.t, l.fonts, l.limits = tpl, fs, e.limits
		l.ev.root = data[i%len(data)]
		if err := l.run(); err != nil {
			b.Fatal(err)
		}
		l.release()
	}
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "docs/cpu-s")
}

// BenchmarkProposalEmitOnly measures fpdf's share: drawing an already laid
// out proposal (fonts, text, lines, output) on the fast path.
func BenchmarkProposalEmitOnly(b *testing.B) {
	e := newTestEngine(b, EngineOptions{})
	tpl := mustParseFile(b, e, proposalTemplatePath)
	fs, err := tpl.doc.family.load()
	if err != nil {
		b.Fatal(err)
	}
	l := &layout{t: tpl, fonts: fs, limits: e.limits}
	l.ev.root = loadJSON(b, filepath.Join("testdata", "proposal.json"))
	if err := l.run(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		buf.Reset()
		if err := l.emit(&buf, true, false, RenderOptions{Date: testDate}, "", [3]string{"Коммерческое предложение", "", ""}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "docs/cpu-s")
}

// newPlainDoc returns an A4 fpdf document without page compression, with a
// fixed date and the prepared cp1251x faces of fs registered as family "dv".
func newPlainDoc(fs *fontSet, styles ...fontStyle) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(testDate)
	pdf.SetModificationDate(testDate)
	for _, st := range styles {
		pdf.AddFontFromBytes("dv", fpdfStyle[st], fs.faces[st].defJSON, fs.faces[st].zFont)
	}
	return pdf
}

// BenchmarkFpdfBaseline calibrates the machine: fpdf used directly, the way
// LIBRARY-SPEED.md's fastest recipe does (two prepared cp1251x faces, no
// page compression, CellFormat for a requisites block and a 10-item table).
// It has no template, no layout and fewer drawing operations than the
// proposal, so it bounds what the engine could reach on the same machine;
// LIBRARY-SPEED.md measured about 1 900 docs/s for its version of it.
func BenchmarkFpdfBaseline(b *testing.B) {
	fs, err := families["sans"].load()
	if err != nil {
		b.Fatal(err)
	}
	enc := func(s string) string {
		out, err := appendCP1251x(nil, s)
		if err != nil {
			b.Fatal(err)
		}
		return string(out)
	}
	title, req := enc("КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ № "), enc("ИНН 6658012341, КПП 665801001, р/с 40702810938000012345")
	terms := enc("Условия оплаты: 50 % — аванс, 50 % — по готовности к отгрузке. Гарантия 24 месяца. Цены в ₽.")
	rub := enc(" ₽")
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		pdf := newPlainDoc(fs, styleRegular, styleBold)
		pdf.AddPage()
		pdf.SetFont("dv", "B", 14)
		pdf.CellFormat(0, 8, title+strconv.Itoa(i), "", 1, "C", false, 0, "")
		pdf.SetFont("dv", "", 9)
		for k := 0; k < 12; k++ {
			pdf.CellFormat(0, 5, req, "", 1, "L", false, 0, "")
		}
		for r := 0; r < 11; r++ {
			for c := 0; c < 6; c++ {
				pdf.CellFormat(28, 6, strconv.Itoa(r*c*1000+i)+",00"+rub, "1", 0, "R", r == 0, 0, "")
			}
			pdf.Ln(-1)
		}
		pdf.MultiCell(0, 5, terms, "", "L", false)
		if err := pdf.Output(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "docs/cpu-s")
}
