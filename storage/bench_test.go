package storage_test

import (
	"context"
	"fmt"
	"io/fs"
	"sync/atomic"
	"testing"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// prepareDeals creates n open deals at research on the seeded company, 500 per transaction,
// before the caller starts its timer.
func prepareDeals(b *testing.B, st *storage.Store, f *storagetest.Fixture, n int) []workflow.Deal {
	b.Helper()
	deals := make([]workflow.Deal, 0, n)
	for left := n; left > 0; left -= 500 {
		deals = append(deals, storagetest.CreateDeals(b, st, f.Pipeline, f.Company.ID, f.Rep1, min(left, 500))...)
	}
	return deals
}

// BenchmarkTransition measures Store.Transition — lock the deal, compare its version, gather
// the evidence, decide, compare-and-set the new state, seal and append the event — on each
// database: one deal after another ("serial"), and 4 goroutines per CPU on distinct deals
// ("parallel"). Each operation advances a fresh deal out of research (the gate reads the
// company's validity). Afterwards every moved deal must be at cold_call with its two events.
func BenchmarkTransition(b *testing.B) {
	for _, dialect := range storagetest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			st := storagetest.NewStore(b, dialect)
			f := storagetest.Seed(b, st)
			advance := func(d workflow.Deal) error {
				nd, err := st.Transition(context.Background(), d.ID, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: d.Version}, f.Rep1.Actor())
				if err == nil && (nd.Stage != "cold_call" || nd.Version != d.Version+1) {
					err = fmt.Errorf("deal %d: at %s v%d after the transition", d.ID, nd.Stage, nd.Version)
				}
				return err
			}
			check := func(b *testing.B, deals []workflow.Deal) {
				b.Helper()
				for _, d := range []workflow.Deal{deals[0], deals[len(deals)-1]} {
					if n, err := st.CountEvents(context.Background(), d.ID); err != nil || n != 2 {
						b.Fatalf("deal %d has %d events (%v), want 2", d.ID, n, err)
					}
				}
			}
			b.Run("serial", func(b *testing.B) {
				deals := prepareDeals(b, st, f, b.N)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					if err := advance(deals[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
				check(b, deals)
			})
			b.Run("parallel", func(b *testing.B) {
				deals := prepareDeals(b, st, f, b.N)
				var next atomic.Int64
				b.ReportAllocs()
				b.SetParallelism(4)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := advance(deals[next.Add(1)-1]); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
				check(b, deals)
			})
		})
	}
}

// BenchmarkFinalise measures Store.Finalise for a proposal on each database: lock the deal,
// allocate the gap-free number, store the PDF and DOCX as blobs, insert the document, append
// its event. "stored" hands it files rendered beforehand (made distinct per document, so every
// blob is a new row), isolating the database work; "rendered" renders both files inside the
// transaction with the shipped templates, as the API does. Deals are used in turn, 64 of them;
// the "parallel" variants run 4 goroutines per CPU, which all queue on the one counter row of
// the proposal sequence. Afterwards the counter must equal the number of documents stored.
func BenchmarkFinalise(b *testing.B) {
	raw, err := fs.ReadFile(templates.Examples(), "proposal.json")
	if err != nil {
		b.Fatal(err)
	}
	r, err := documents.NewRenderer(nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Warm(); err != nil {
		b.Fatal(err)
	}
	example, err := documents.Decode(workflow.DocProposal, raw)
	if err != nil {
		b.Fatal(err)
	}
	pdf, _, err := r.Render(context.Background(), example, documents.PDF, documents.RenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	docx, _, err := r.Render(context.Background(), example, documents.DOCX, documents.RenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	nf, _ := documents.DefaultNumberFormat(workflow.DocProposal)
	var unique atomic.Int64

	prepareStored := func(ctx context.Context, num *storage.Numbering, _ *storage.Document) (storage.Rendered, error) {
		seq, err := num.Next("", 2026)
		if err != nil {
			return storage.Rendered{}, err
		}
		tag := fmt.Appendf(nil, "\n%% dealgate bench %d\n", unique.Add(1))
		return storage.Rendered{Number: nf.Format(seq, 2026, ""), Seq: seq, Year: 2026, Data: []byte(`{"number":"` + fmt.Sprint(seq) + `"}`),
			PDF: append(append([]byte(nil), pdf...), tag...), DOCX: append(append([]byte(nil), docx...), tag...),
			Templates: []storage.TemplateRef{{Format: "pdf", Name: "builtin:proposal.xml"}, {Format: "docx", Name: "builtin:proposal.docx"}}}, nil
	}
	prepareRendered := func(ctx context.Context, num *storage.Numbering, _ *storage.Document) (storage.Rendered, error) {
		d, err := documents.Decode(workflow.DocProposal, raw)
		if err != nil {
			return storage.Rendered{}, err
		}
		seq, err := num.Next("", 2026)
		if err != nil {
			return storage.Rendered{}, err
		}
		_, date := d.Header()
		d.SetNumber(nf.Format(seq, 2026, ""), date)
		out := storage.Rendered{Number: nf.Format(seq, 2026, ""), Seq: seq, Year: 2026}
		if out.Data, err = workflow.CanonicalJSON(d); err != nil {
			return out, err
		}
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			b, tf, err := r.Render(ctx, d, f, documents.RenderOptions{})
			if err != nil {
				return out, err
			}
			if f == documents.PDF {
				out.PDF = b
			} else {
				out.DOCX = b
			}
			out.Templates = append(out.Templates, storage.TemplateRef{Format: string(f), SHA256: tf.SHA256, Name: tf.Name})
		}
		return out, nil
	}

	for _, dialect := range storagetest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			st := storagetest.NewStore(b, dialect)
			f := storagetest.Seed(b, st)
			deals := prepareDeals(b, st, f, 64)
			var stored int64
			finalise := func(i int64, prepare func(context.Context, *storage.Numbering, *storage.Document) (storage.Rendered, error)) error {
				doc, err := st.Finalise(context.Background(), storage.FinaliseRequest{DealID: deals[i%int64(len(deals))].ID, Kind: workflow.DocProposal,
					Actor: f.Rep1.Actor(), Prepare: prepare})
				if err == nil && (doc.Number == "" || doc.PDFSHA256 == "" || doc.DOCXSHA256 == "") {
					err = fmt.Errorf("document %d stored without number or files", doc.ID)
				}
				return err
			}
			for _, v := range []struct {
				name    string
				prepare func(context.Context, *storage.Numbering, *storage.Document) (storage.Rendered, error)
			}{{"stored", prepareStored}, {"rendered", prepareRendered}} {
				b.Run(v.name+"/serial", func(b *testing.B) {
					b.ReportAllocs()
					for i := range b.N {
						if err := finalise(int64(i), v.prepare); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					stored += int64(b.N)
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "documents/s")
				})
				b.Run(v.name+"/parallel", func(b *testing.B) {
					var next atomic.Int64
					b.ReportAllocs()
					b.SetParallelism(4)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := finalise(next.Add(1), v.prepare); err != nil {
								b.Error(err)
								return
							}
						}
					})
					b.StopTimer()
					stored += int64(b.N)
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "documents/s")
				})
			}
			if n, err := st.CurrentNumber(context.Background(), "", string(workflow.DocProposal), 2026); err != nil || n != stored {
				b.Fatalf("the proposal counter is at %d (%v) after %d documents", n, err, stored)
			}
		})
	}
}
