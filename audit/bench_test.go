package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dealgate/dealgate/audit"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// BenchmarkAppendEvent appends events to two deals in turn, one that already has 100 events
// and one that has 10,000, so that both see the same machine load; it reports the mean cost
// of an append to each. The cost per event must not grow with the chain: an append reads
// only the previous event (through the unique (deal_id, seq) index) and hashes one event.
func BenchmarkAppendEvent(b *testing.B) {
	for _, dialect := range storagetest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			st := storagetest.NewStore(b, dialect)
			f := storagetest.Seed(b, st)
			payload := json.RawMessage(`{"activity_id":1,"decision_maker":false,"kind":"call","note":"звонок"}`)
			sizes := []int{100, 10_000}
			evs := make([]workflow.Event, len(sizes))
			for i, n := range sizes {
				d := storagetest.CreateDeal(b, st, f.Pipeline, f.Company.ID, f.Rep1, fmt.Sprintf("append %d", n))
				evs[i] = workflow.Event{DealID: d.ID, Kind: workflow.EventActivity, Action: "call", FromStage: d.Stage, ActorID: f.Rep1.ID, Payload: payload}
				err := st.InTx(bg, func(ctx context.Context) error {
					for j := 1; j < n; j++ {
						if _, err := st.AppendEvent(ctx, evs[i]); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if got, _ := st.CountEvents(bg, d.ID); got != int64(n) {
					b.Fatalf("prefilled %d events, want %d", got, n)
				}
			}
			spent := make([]time.Duration, len(sizes))
			count := 0
			for b.Loop() {
				i := count % len(sizes)
				start := time.Now()
				if _, err := st.AppendEvent(bg, evs[i]); err != nil {
					b.Fatal(err)
				}
				spent[i] += time.Since(start)
				count++
			}
			for i, n := range sizes {
				if k := (count + len(sizes) - 1 - i) / len(sizes); k > 0 {
					b.ReportMetric(float64(spent[i].Nanoseconds())/float64(k), fmt.Sprintf("ns/append@%d", n))
				}
			}
		})
	}
}

// hundredDocs makes a deal with 100 final documents (PDF ~60 KB, DOCX ~25 KB each), ten of
// them corrected and ten with a signed copy, and checkpoints it.
func hundredDocs(tb testing.TB, st *storage.Store) (*audit.Service, int64) {
	tb.Helper()
	f := storagetest.Seed(tb, st)
	d := storagetest.CreateDeal(tb, st, f.Pipeline, f.Company.ID, f.Rep1, "сто документов")
	rnd := rand.New(rand.NewPCG(1, 2))
	blob := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		return b
	}
	kinds := workflow.DocumentKinds
	var docs []storage.Document
	for i := 0; i < 90; i++ {
		kind := kinds[i%len(kinds)]
		doc, err := st.Finalise(bg, storage.FinaliseRequest{DealID: d.ID, Kind: kind, Actor: f.Backoffice.Actor(),
			Prepare: func(ctx context.Context, alloc storage.Allocator, prev *storage.Document) (storage.Rendered, error) {
				n, err := alloc("main", 2026)
				if err != nil {
					return storage.Rendered{}, err
				}
				num := fmt.Sprintf("%d-%d", i, n)
				data, _ := workflow.CanonicalJSON(map[string]any{"number": num, "lines": []string{"компрессор", "ресивер", "монтаж"}})
				return storage.Rendered{Number: num, Seq: n, Scope: "main", Data: data, PDF: blob(60 << 10), DOCX: blob(25 << 10),
					Templates: []storage.TemplateRef{{Format: "pdf", Name: "shipped"}, {Format: "docx", Name: "shipped"}}}, nil
			}})
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, doc)
	}
	for i := 0; i < 10; i++ {
		prev := docs[i]
		_, err := st.Finalise(bg, storage.FinaliseRequest{DealID: d.ID, Kind: prev.Kind, Actor: f.Backoffice.Actor(), SupersedesID: prev.ID,
			Prepare: func(ctx context.Context, alloc storage.Allocator, p *storage.Document) (storage.Rendered, error) {
				data, _ := workflow.CanonicalJSON(map[string]any{"number": p.Number, "corrected": true})
				return storage.Rendered{Number: p.Number, Seq: p.Seq, Scope: p.NumberScope, Data: data, PDF: blob(60 << 10), DOCX: blob(25 << 10)}, nil
			}})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := st.AttachSignedCopy(bg, docs[10+i].ID, fmt.Sprintf("scan-%d.pdf", i), "application/pdf", blob(200<<10), f.Backoffice.Actor()); err != nil {
			tb.Fatal(err)
		}
	}
	dir, _ := audit.KeyDirFor(bg, st)
	svc := audit.New(st, dir, storagetest.Logger(tb))
	if _, err := svc.Checkpoint(bg); err != nil {
		tb.Fatal(err)
	}
	return svc, d.ID
}

// BenchmarkVerifyDeal100Docs verifies a deal of 100 documents: 121 events, 210 files (about
// 10 MB) re-hashed, every record compared with its event, the checkpoint and inclusion proof
// checked. Re-rendering is not included (the renderer is wired by the documents package).
func BenchmarkVerifyDeal100Docs(b *testing.B) {
	for _, dialect := range storagetest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			st := storagetest.NewStore(b, dialect)
			svc, dealID := hundredDocs(b, st)
			for b.Loop() {
				rep, err := svc.VerifyDeal(bg, dealID)
				if err != nil || !rep.OK || rep.Documents != 100 {
					b.Fatalf("%+v %v", rep, err)
				}
			}
		})
	}
}

// TestVerifyDeal100DocsUnderASecond holds verification of a 100-document deal to well under a
// second on each database (the figure is logged; the bound is generous for slow machines).
func TestVerifyDeal100DocsUnderASecond(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		svc, dealID := hundredDocs(t, st)
		best := time.Hour
		for i := 0; i < 3; i++ {
			start := time.Now()
			rep, err := svc.VerifyDeal(bg, dealID)
			took := time.Since(start)
			if err != nil || !rep.OK || rep.Documents != 100 || rep.Files != 210 {
				t.Fatalf("verify: %+v %v", rep, err)
			}
			best = min(best, took)
		}
		t.Logf("verifying a deal of 100 documents (210 files) took %v", best)
		if best > time.Second {
			t.Fatalf("verifying 100 documents took %v, want well under a second", best)
		}
	})
}
