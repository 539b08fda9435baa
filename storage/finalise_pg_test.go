package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// TestFinalisePipelinedAndGeneralPathsAgree finalises a document outside any transaction (on
// PostgreSQL the pipelined path: the lock, the chain head, the templates and the settings in
// one round trip, the files, the document, its event and the commit in another) and a twin
// inside a caller's transaction (the general path). Prepare reads an uploaded template, a
// setting that exists and one that does not through the Store, with its context: both paths
// must answer it the same, and the two documents, their files and their chains must agree.
// Refusals on the pipelined path (unknown deal, closed deal, a failing Prepare after the
// number, a duplicate number) must write nothing, give the number back and leave no
// connection inside a transaction.
func TestFinalisePipelinedAndGeneralPathsAgree(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		actor := f.Rep1.Actor()
		newDeal := func() workflow.Deal {
			d, err := st.CreateDeal(bg, f.Pipeline, workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "финал", Amount: 100_00, Currency: "RUB"}, actor)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if err := st.PutSetting(bg, "finalise_test_format", map[string]string{"proposal": "КП-{n}"}, nil); err != nil {
			t.Fatal(err)
		}
		tpl, err := st.SaveTemplate(bg, workflow.DocProposal, "pdf", "kp.xml", []byte("<document/>"), nil)
		if err != nil {
			t.Fatal(err)
		}
		settings := []string{"finalise_test_format", "finalise_test_absent"}
		// prepare reads what the document service reads, takes the number and "renders".
		type seen struct {
			format      map[string]string
			found, none bool
			pdfTpl      int64
			docxErr     workflow.ErrorCode
		}
		prepare := func(got *seen, fail error) func(context.Context, *storage.Numbering, *storage.Document) (storage.Rendered, error) {
			return func(ctx context.Context, num *storage.Numbering, _ *storage.Document) (storage.Rendered, error) {
				var r storage.Rendered
				var err error
				if got.found, err = st.GetSetting(ctx, "finalise_test_format", &got.format); err != nil {
					return r, err
				}
				var absent map[string]string
				found, err := st.GetSetting(ctx, "finalise_test_absent", &absent)
				if err != nil {
					return r, err
				}
				got.none = !found
				p, err := st.ActiveTemplate(ctx, workflow.DocProposal, "pdf")
				if err != nil {
					return r, err
				}
				got.pdfTpl = p.ID
				_, err = st.ActiveTemplate(ctx, workflow.DocProposal, "docx")
				got.docxErr = workflow.Code(err)
				seq, err := num.Next("", 2026)
				if err != nil {
					return r, err
				}
				if fail != nil {
					return r, fail
				}
				r.Number, r.Seq, r.Year = fmt.Sprintf("КП-%d", seq), seq, 2026
				r.Data, _ = workflow.CanonicalJSON(map[string]any{"number": r.Number})
				r.PDF, r.DOCX = []byte("%PDF "+r.Number), []byte("PK "+r.Number)
				r.Templates = []storage.TemplateRef{{Format: "pdf", ID: p.ID, Version: p.Version, SHA256: p.SHA256, Name: "kp"}}
				return r, nil
			}
		}

		a, b := newDeal(), newDeal()
		var seenA, seenB seen
		before := storage.PipelinedCommits()
		docA, err := st.Finalise(bg, storage.FinaliseRequest{DealID: a.ID, Kind: workflow.DocProposal, Actor: actor, Settings: settings, Prepare: prepare(&seenA, nil)})
		if err != nil {
			t.Fatal(err)
		}
		pipelined := storage.PipelinedCommits() - before
		if st.Dialect() == storage.Postgres && pipelined < 1 {
			t.Fatalf("%d pipelined commits for a document finalised outside a transaction, want 1", pipelined)
		}
		var docB storage.Document
		if err := st.InTx(bg, func(ctx context.Context) error {
			var err error
			docB, err = st.Finalise(ctx, storage.FinaliseRequest{DealID: b.ID, Kind: workflow.DocProposal, Actor: actor, Settings: settings, Prepare: prepare(&seenB, nil)})
			return err
		}); err != nil {
			t.Fatal(err)
		}

		for _, s := range []seen{seenA, seenB} {
			if !s.found || s.format["proposal"] != "КП-{n}" || !s.none || s.pdfTpl != tpl.ID || s.docxErr != workflow.ENOTFOUND {
				t.Fatalf("Prepare read %+v, want the setting, no absent setting, template %d and no DOCX template", s, tpl.ID)
			}
		}
		if docA.Number != "КП-1" || docB.Number != "КП-2" || docA.Seq != 1 || docB.Seq != 2 {
			t.Fatalf("numbers %q (%d) and %q (%d), want КП-1 and КП-2", docA.Number, docA.Seq, docB.Number, docB.Seq)
		}
		for _, d := range []storage.Document{docA, docB} {
			got, err := st.FindDocumentByID(bg, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID == 0 || got.Status != storage.DocFinal || got.Number != d.Number || got.Version != 1 || got.DataSHA256 != d.DataSHA256 ||
				got.PDFSHA256 != d.PDFSHA256 || got.DOCXSHA256 != d.DOCXSHA256 || !got.CreatedAt.Equal(d.CreatedAt) || len(got.Templates) != 1 ||
				got.Templates[0].ID != tpl.ID || !bytes.Equal(got.Data, d.Data) {
				t.Fatalf("document %d read back as %+v, answered %+v", d.ID, got, d)
			}
			pdf, err := st.Blobs().Get(bg, got.PDFSHA256)
			if err != nil || string(pdf) != "%PDF "+d.Number {
				t.Fatalf("PDF of %s: %q, %v", d.Number, pdf, err)
			}
			docx, err := st.Blobs().Get(bg, got.DOCXSHA256)
			if err != nil || string(docx) != "PK "+d.Number {
				t.Fatalf("DOCX of %s: %q, %v", d.Number, docx, err)
			}
			evs, err := st.FindEvents(bg, d.DealID)
			if err != nil || len(evs) != 2 || evs[1].Kind != workflow.EventDocumentFinalised || workflow.VerifyChain(evs) != nil {
				t.Fatalf("events of deal %d: %+v, %v", d.DealID, evs, err)
			}
		}

		// Refusals.
		_, err = st.Finalise(bg, storage.FinaliseRequest{DealID: a.ID + 1000, Kind: workflow.DocProposal, Actor: actor, Prepare: prepare(&seen{}, nil)})
		wantCode(t, err, workflow.ENOTFOUND, "")
		_, err = st.Finalise(bg, storage.FinaliseRequest{DealID: a.ID, Kind: workflow.DocProposal, Actor: actor, Settings: settings,
			Prepare: prepare(&seen{}, errors.New("render failed"))})
		if err == nil || err.Error() != "render failed" {
			t.Fatalf("a failing Prepare: %v", err)
		}
		// A number someone else already holds (the counter set back by hand): the document's
		// insert fails, nothing is written.
		if err := st.DB().Exec(`UPDATE counters SET value = 1 WHERE kind = 'proposal'`).Error; err != nil {
			t.Fatal(err)
		}
		_, err = st.Finalise(bg, storage.FinaliseRequest{DealID: a.ID, Kind: workflow.DocProposal, Actor: actor, Settings: settings, Prepare: prepare(&seen{}, nil)})
		wantCode(t, err, workflow.ECONFLICT, "")
		if err := st.DB().Exec(`UPDATE counters SET value = 2 WHERE kind = 'proposal'`).Error; err != nil {
			t.Fatal(err)
		}
		closed := newDeal()
		if _, err := st.Transition(bg, closed.ID, workflow.Transition{Action: workflow.ActionLose, Reason: "дорого"}, actor); err != nil {
			t.Fatal(err)
		}
		_, err = st.Finalise(bg, storage.FinaliseRequest{DealID: closed.ID, Kind: workflow.DocProposal, Actor: actor, Prepare: prepare(&seen{}, nil)})
		wantCode(t, err, workflow.EINVALID, "deal")
		if n, err := st.CountEvents(bg, a.ID); err != nil || n != 2 {
			t.Fatalf("%d events after the refusals (%v), want 2", n, err)
		}
		// The refused finalisations gave their numbers back: the next one is КП-3.
		docC, err := st.Finalise(bg, storage.FinaliseRequest{DealID: a.ID, Kind: workflow.DocProposal, Actor: actor, Settings: settings, Prepare: prepare(&seen{}, nil)})
		if err != nil || docC.Number != "КП-3" {
			t.Fatalf("after the refusals: %q, %v; want КП-3", docC.Number, err)
		}
		noConnectionInTransaction(t, st)
	})
}

// noConnectionInTransaction fails t when a connection to st's PostgreSQL database is left idle
// inside a transaction.
func noConnectionInTransaction(t *testing.T, st *storage.Store) {
	t.Helper()
	if st.Dialect() != storage.Postgres {
		return
	}
	var idle int64
	if err := st.DB().Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&idle).Error; err != nil {
		t.Fatal(err)
	}
	if idle != 0 {
		t.Fatalf("%d connections left inside a transaction", idle)
	}
}
