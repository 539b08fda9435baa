package documents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"testing"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// The rendering benchmarks render through documents.Renderer, as the API does, with the
// shipped templates. Every iteration renders other data (number, quantities, a name), built
// before the timer starts: the renderer caches parsed templates, never output, and the data
// pool makes sure no two iterations could share one.
//
//	GOMAXPROCS=1 go test -bench . -benchmem -run '^$' ./documents/

// maxPool bounds the data pool; up to it, every iteration has data of its own.
const maxPool = 4096

// example returns templates/examples/K.json as generic JSON.
func example(tb testing.TB, k workflow.DocumentKind) map[string]any {
	tb.Helper()
	b, err := fs.ReadFile(templates.Examples(), string(k)+".json")
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// onePageProposal is the example proposal without its optional lines and benefits (one A4
// page), numbered i, with its own quantities and addressee.
func onePageProposal(tb testing.TB, base map[string]any, i int) map[string]any {
	tb.Helper()
	m := clone(tb, base)
	delete(m, "optional_lines")
	delete(m, "benefits")
	m["number"] = fmt.Sprintf("КП-2026-%04d", i%10000)
	for j, l := range m["lines"].([]any) {
		l.(map[string]any)["qty"] = fmt.Sprint((i+j)%7 + 1)
	}
	m["addressee"].(map[string]any)["name"] = fmt.Sprintf("Гаврилов Павел Игоревич (%d)", i)
	return m
}

// invoice100 is the example invoice with 100 lines, numbered i, each line with its own name,
// quantity and price.
func invoice100(tb testing.TB, base map[string]any, i int) map[string]any {
	tb.Helper()
	m := clone(tb, base)
	m["number"] = fmt.Sprintf("СЧ-2026-%06d", i%1000000)
	m["buyer"].(map[string]any)["name"] = fmt.Sprintf("АО «Первоуральский завод трубной арматуры № %d»", i)
	lines := make([]any, 100)
	for j := range lines {
		lines[j] = map[string]any{
			"sku":      fmt.Sprintf("SKU-%03d", j),
			"name":     fmt.Sprintf("Фитинг компрессорный ФК-%d, исполнение %d", j+1, i%97),
			"unit":     "шт",
			"okei":     "796",
			"qty":      fmt.Sprint((i+j)%9 + 1),
			"price":    fmt.Sprintf("%d.%02d", 1000+j*137+i%50, (i+j)%100),
			"vat_rate": "22",
		}
	}
	m["lines"] = lines
	return m
}

func clone(tb testing.TB, m map[string]any) map[string]any {
	tb.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// pool decodes n variants of kind k made by gen.
func pool(tb testing.TB, k workflow.DocumentKind, n int, gen func(testing.TB, map[string]any, int) map[string]any) []documents.Data {
	tb.Helper()
	base := example(tb, k)
	out := make([]documents.Data, n)
	for i := range out {
		raw, err := json.Marshal(gen(tb, base, i))
		if err != nil {
			tb.Fatal(err)
		}
		if out[i], err = documents.Decode(k, raw); err != nil {
			tb.Fatalf("variant %d of %s: %v", i, k, err)
		}
	}
	return out
}

func newRenderer(tb testing.TB) *documents.Renderer {
	tb.Helper()
	r, err := documents.NewRenderer(nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := r.Warm(); err != nil {
		tb.Fatal(err)
	}
	return r
}

// benchRender renders a fresh variant per iteration. The template is parsed before the timer
// starts (a warm server); reported: ns, bytes and allocations per document, and its size.
func benchRender(b *testing.B, k workflow.DocumentKind, f documents.Format, gen func(testing.TB, map[string]any, int) map[string]any) {
	r := newRenderer(b)
	ctx := context.Background()
	data := pool(b, k, min(b.N, maxPool), gen)
	if _, _, err := r.Render(ctx, data[0], f, documents.RenderOptions{}); err != nil {
		b.Fatal(err)
	}
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		out, _, err := r.Render(ctx, data[i%len(data)], f, documents.RenderOptions{})
		if err != nil {
			b.Fatal(err)
		}
		size += len(out)
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/float64(b.N), "file-B/doc")
}

// BenchmarkProposalPDF renders a one-page commercial proposal to PDF.
func BenchmarkProposalPDF(b *testing.B) {
	benchRender(b, workflow.DocProposal, documents.PDF, onePageProposal)
}

// BenchmarkProposalDOCX renders a one-page commercial proposal to DOCX.
func BenchmarkProposalDOCX(b *testing.B) {
	benchRender(b, workflow.DocProposal, documents.DOCX, onePageProposal)
}

// BenchmarkProposalBoth renders a one-page commercial proposal to PDF and DOCX, as a final
// document is: "each" with RenderEach (one view, both files at once), "one-by-one" with two
// RenderWith calls one after the other (a view each).
func BenchmarkProposalBoth(b *testing.B) {
	r := newRenderer(b)
	var tfs []documents.TemplateFile
	for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
		tf, err := documents.Builtin(workflow.DocProposal, f)
		if err != nil {
			b.Fatal(err)
		}
		tfs = append(tfs, tf)
	}
	for _, mode := range []string{"each", "one-by-one"} {
		b.Run(mode, func(b *testing.B) {
			data := pool(b, workflow.DocProposal, min(b.N, maxPool), onePageProposal)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				d := data[i%len(data)]
				if mode == "each" {
					if _, err := r.RenderEach(d, tfs, documents.RenderOptions{}); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for _, tf := range tfs {
					if _, err := r.RenderWith(d, tf, documents.RenderOptions{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkInvoice100PDF renders a 100-line invoice to PDF.
func BenchmarkInvoice100PDF(b *testing.B) {
	benchRender(b, workflow.DocInvoice, documents.PDF, invoice100)
}

// BenchmarkInvoice100DOCX renders a 100-line invoice to DOCX.
func BenchmarkInvoice100DOCX(b *testing.B) {
	benchRender(b, workflow.DocInvoice, documents.DOCX, invoice100)
}

var pageCount = regexp.MustCompile(`/Type /Pages\b[^>]*?/Count (\d+)|/Count (\d+)[^>]*?/Type /Pages\b`)

// TestBenchmarkData checks what the benchmarks measure: the proposal is one page, the invoice
// holds its 100 lines, consecutive variants give different files (nothing could be served
// from a cache), and the same variant gives the same bytes (so the difference is the data's).
func TestBenchmarkData(t *testing.T) {
	r := newRenderer(t)
	ctx := context.Background()
	for _, c := range []struct {
		kind workflow.DocumentKind
		gen  func(testing.TB, map[string]any, int) map[string]any
		// pages is the PDF page count; 0: more than one.
		pages string
	}{
		{workflow.DocProposal, onePageProposal, "1"},
		{workflow.DocInvoice, invoice100, ""},
	} {
		data := pool(t, c.kind, 3, c.gen)
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			var outs [][]byte
			for _, d := range data {
				out, _, err := r.Render(ctx, d, f, documents.RenderOptions{})
				if err != nil {
					t.Fatalf("%s %s: %v", c.kind, f, err)
				}
				outs = append(outs, out)
			}
			if bytes.Equal(outs[0], outs[1]) || bytes.Equal(outs[1], outs[2]) {
				t.Errorf("%s %s: two variants render to the same bytes", c.kind, f)
			}
			again, _, err := r.Render(ctx, data[1], f, documents.RenderOptions{})
			if err != nil || !bytes.Equal(again, outs[1]) {
				t.Errorf("%s %s: the same data renders differently (%v)", c.kind, f, err)
			}
			if f != documents.PDF {
				continue
			}
			m := pageCount.FindSubmatch(outs[0])
			if m == nil {
				t.Fatalf("%s: no page count in the PDF", c.kind)
			}
			pages := string(m[1]) + string(m[2])
			if c.pages != "" && pages != c.pages || c.pages == "" && pages == "1" {
				t.Errorf("%s PDF has %s pages, want %q (\"\": more than one)", c.kind, pages, c.pages)
			}
		}
		if c.kind == workflow.DocInvoice {
			lines := data[0].View()["lines"].([]map[string]any)
			if len(lines) != 100 {
				t.Errorf("the invoice view has %d lines", len(lines))
			}
		}
	}
}
