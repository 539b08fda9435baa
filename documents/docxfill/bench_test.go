package docxfill_test

import (
	"bytes"
	"testing"

	"github.com/dealgate/dealgate/documents/docxfill"
)

// benchFill renders tpl with a different data set in each iteration and reports fills
// per wall-clock second and per CPU second of the process (GC included).
func benchFill(b *testing.B, tpl *docxfill.Template, data []docxfill.Data) {
	var buf bytes.Buffer
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		buf.Reset()
		if err := tpl.Render(&buf, data[i%len(data)]); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "fills/cpu-s")
	}
	b.ReportMetric(float64(buf.Len()), "docx-bytes")
}

// BenchmarkProposalDOCX fills the shipped proposal with 10 line items; number,
// quantities, every sum and the contact change from one iteration to the next.
func BenchmarkProposalDOCX(b *testing.B) {
	tpl := mustProposal(b)
	data := make([]docxfill.Data, 256)
	for i := range data {
		data[i] = proposalData(i, 10)
	}
	benchFill(b, tpl, data)
}

// BenchmarkInvoice100LinesDOCX fills the proposal's item table with 100 lines, the size
// of a long invoice or specification (no invoice template is shipped yet).
func BenchmarkInvoice100LinesDOCX(b *testing.B) {
	tpl := mustProposal(b)
	data := make([]docxfill.Data, 32)
	for i := range data {
		data[i] = proposalData(i, 100)
	}
	benchFill(b, tpl, data)
}

// BenchmarkNewTemplate measures the one-time parse of the proposal template.
func BenchmarkNewTemplate(b *testing.B) {
	src := proposalBytes(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := docxfill.NewTemplate("proposal.docx", src); err != nil {
			b.Fatal(err)
		}
	}
}
