package storage_test

import (
	"context"
	"testing"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// TestPipelinedAndGeneralPathsAgree creates and moves one deal outside any transaction (on
// PostgreSQL the pipelined path: two round trips per transaction) and a twin inside a caller's
// transaction (the general path), with an activity before each transition so that the
// transition's event follows another writer's. Both deals must end in the same state with
// chains of the same shape that verify. On PostgreSQL the pipelined path must have been taken,
// and refusals on it (unknown deal, stale version, a failing check, an unknown or hidden
// company) must leave no connection inside a transaction.
func TestPipelinedAndGeneralPathsAgree(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		actor := f.Rep1.Actor()
		newDeal := workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "путь", Amount: 100_00, Currency: "RUB"}
		move := func(ctx context.Context, d workflow.Deal) workflow.Deal {
			t.Helper()
			if _, err := st.AddActivity(ctx, storage.Activity{DealID: d.ID, Kind: workflow.ActivityCall}, actor); err != nil {
				t.Fatal(err)
			}
			nd, err := st.Transition(ctx, d.ID, workflow.Transition{Action: workflow.ActionAdvance, To: "needs", ExpectedVersion: d.Version}, actor)
			if err != nil {
				t.Fatal(err)
			}
			return nd
		}

		before := storage.PipelinedCommits()
		a, err := st.CreateDeal(bg, f.Pipeline, newDeal, actor)
		if err != nil {
			t.Fatal(err)
		}
		a = move(bg, a)
		pipelined := storage.PipelinedCommits() - before

		var b workflow.Deal
		if err := st.InTx(bg, func(ctx context.Context) error {
			var err error
			if b, err = st.CreateDeal(ctx, f.Pipeline, newDeal, actor); err == nil {
				b = move(ctx, b)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}

		if st.Dialect() == storage.Postgres && pipelined < 2 {
			t.Fatalf("%d pipelined commits for a deal created and moved outside a transaction, want 2", pipelined)
		}
		for _, d := range []workflow.Deal{a, b} {
			if d.Stage != "needs" || d.Version != 2 || d.Status != workflow.StatusOpen {
				t.Fatalf("deal %d after the transition: %s v%d %s, want needs v2 open", d.ID, d.Stage, d.Version, d.Status)
			}
			got, err := st.FindDealByID(bg, d.ID)
			if err != nil || got.Stage != d.Stage || got.Version != d.Version || !got.UpdatedAt.Equal(d.UpdatedAt) {
				t.Fatalf("deal %d read back: %+v, %v; answered %+v", d.ID, got, err, d)
			}
		}
		ea, err := st.FindEvents(bg, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		eb, err := st.FindEvents(bg, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ea) != 5 || len(eb) != len(ea) {
			t.Fatalf("%d and %d events, want 5 each (created, activity, advance, two skips)", len(ea), len(eb))
		}
		for i := range ea {
			x, y := ea[i], eb[i]
			if x.Seq != int64(i+1) || y.Seq != x.Seq || x.Kind != y.Kind || x.Action != y.Action || x.FromStage != y.FromStage || x.ToStage != y.ToStage {
				t.Fatalf("event %d: %+v against %+v", i+1, x, y)
			}
		}
		if err := workflow.VerifyChain(ea); err != nil {
			t.Fatalf("pipelined deal: %v", err)
		}
		if err := workflow.VerifyChain(eb); err != nil {
			t.Fatalf("general deal: %v", err)
		}

		// Refusals on the pipelined path.
		_, err = st.Transition(bg, a.ID+1000, workflow.Transition{Action: workflow.ActionLose, Reason: "r"}, actor)
		wantCode(t, err, workflow.ENOTFOUND, "")
		_, err = st.Transition(bg, a.ID, workflow.Transition{Action: workflow.ActionLose, Reason: "r", ExpectedVersion: 1}, actor)
		wantCode(t, err, workflow.ECONFLICT, "expected_version")
		_, _, err = st.TransitionChecked(bg, a.ID, workflow.Transition{Action: workflow.ActionLose, Reason: "r"}, actor,
			func(workflow.Deal) error { return workflow.ErrNotFound })
		wantCode(t, err, workflow.ENOTFOUND, "")
		_, err = st.CreateDeal(bg, f.Pipeline, workflow.Deal{CompanyID: f.Company.ID + 1000, OwnerID: f.Rep1.ID, Title: "x", Currency: "RUB"}, actor)
		wantCode(t, err, workflow.EINVALID, "company_id")
		_, err = st.CreateDealChecked(bg, f.Pipeline, newDeal, actor, func(storage.Company) error { return workflow.ErrNotFound })
		wantCode(t, err, workflow.EINVALID, "company_id")
		if n, err := st.CountEvents(bg, a.ID); err != nil || n != 5 {
			t.Fatalf("%d events after the refusals (%v), want 5", n, err)
		}
		noConnectionInTransaction(t, st)
	})
}

// TestCreateDealOnCurrent creates deals on the current version of a pipeline key, read in the
// deal's transaction: the latest version at each call (a new version saved in between is
// used at once), ENOTFOUND for an unknown key, and the company rules of CreateDealChecked.
func TestCreateDealOnCurrent(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		actor := f.Rep1.Actor()
		newDeal := workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "текущий", Currency: "RUB"}
		d, err := st.CreateDealOnCurrent(bg, f.Pipeline.Key, newDeal, actor, nil)
		if err != nil || d.PipelineID != f.Pipeline.ID || d.Stage != "research" {
			t.Fatalf("on the seeded pipeline: %+v, %v; want pipeline %d at research", d, err, f.Pipeline.ID)
		}
		v2 := storagetest.SavePipeline(t, st, append(templates.DefaultPipeline(), "\n# version 2\n"...))
		if v2.ID == f.Pipeline.ID || v2.Version != f.Pipeline.Version+1 {
			t.Fatalf("second version %d (v%d), want a new one after %d", v2.ID, v2.Version, f.Pipeline.ID)
		}
		d, err = st.CreateDealOnCurrent(bg, f.Pipeline.Key, newDeal, actor, nil)
		if err != nil || d.PipelineID != v2.ID {
			t.Fatalf("after a new version: %+v, %v; want pipeline %d", d, err, v2.ID)
		}
		evs, err := st.FindEvents(bg, d.ID)
		if err != nil || len(evs) != 1 || workflow.VerifyChain(evs) != nil {
			t.Fatalf("events of the new deal: %+v, %v", evs, err)
		}
		_, err = st.CreateDealOnCurrent(bg, "no-such-pipeline", newDeal, actor, nil)
		wantCode(t, err, workflow.ENOTFOUND, "")
		_, err = st.CreateDealOnCurrent(bg, f.Pipeline.Key, newDeal, actor, func(storage.Company) error { return workflow.ErrNotFound })
		wantCode(t, err, workflow.EINVALID, "company_id")
		_, err = st.CreateDealOnCurrent(bg, f.Pipeline.Key, workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Currency: "RUB"}, actor, nil)
		wantCode(t, err, workflow.EINVALID, "title")
	})
}
