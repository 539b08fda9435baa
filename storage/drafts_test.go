package storage_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// TestDeleteDraft: a draft is deleted and the deal's events stay as they were; a final
// document is refused as a conflict and stays; a draft of a closed deal stays; a document that
// does not exist is not found.
func TestDeleteDraft(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		deal := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "Сделка с черновиками")
		data := json.RawMessage(`{"goal":"черновик"}`)
		draft, err := st.SaveDraft(ctx, deal.ID, 0, workflow.DocMeetingReport, data, f.Rep1.Actor())
		if err != nil {
			t.Fatal(err)
		}
		keep, err := st.SaveDraft(ctx, deal.ID, 0, workflow.DocProposal, data, f.Rep1.Actor())
		if err != nil {
			t.Fatal(err)
		}
		finalID := storagetest.InsertFinalDocument(t, st, deal.ID, workflow.DocProposal, f.Rep1.ID)
		before, err := st.FindEvents(ctx, deal.ID)
		if err != nil {
			t.Fatal(err)
		}

		got, err := st.DeleteDraft(ctx, draft.ID)
		if err != nil || got.ID != draft.ID || got.Kind != workflow.DocMeetingReport {
			t.Fatalf("DeleteDraft: %+v, %v", got, err)
		}
		if _, err := st.FindDocumentByID(ctx, draft.ID); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("the deleted draft: %v, want not found", err)
		}
		after, err := st.FindEvents(ctx, deal.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("deleting a draft appended events: %d → %d", len(before), len(after))
		}
		if _, err := st.DeleteDraft(ctx, draft.ID); workflow.Code(err) != workflow.ENOTFOUND {
			t.Errorf("deleting it again: %v, want not found", err)
		}

		if _, err := st.DeleteDraft(ctx, finalID); workflow.Code(err) != workflow.ECONFLICT {
			t.Errorf("deleting a final document: %v, want a conflict", err)
		}
		if d, err := st.FindDocumentByID(ctx, finalID); err != nil || d.Status != storage.DocFinal {
			t.Errorf("the final document after the refusal: %+v, %v", d, err)
		}

		if _, err := st.Transition(ctx, deal.ID, workflow.Transition{Action: workflow.ActionLose, Reason: "выбрали другого поставщика"}, f.Rep1.Actor()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DeleteDraft(ctx, keep.ID); workflow.Code(err) != workflow.EINVALID {
			t.Errorf("deleting a draft of a lost deal: %v, want invalid", err)
		}
		if _, err := st.FindDocumentByID(ctx, keep.ID); err != nil {
			t.Errorf("the lost deal's draft: %v", err)
		}
	})
}

// TestUpdateCompany: the name and requisites change, the owner and creation time stay; an
// unknown id is not found.
func TestUpdateCompany(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		c := f.Company
		c.Name, c.Address, c.OGRN, c.Valid, c.OwnerID = "ООО «Ромашка-Юг»", "344000, г. Ростов-на-Дону, ул. Садовая, д. 1", "", false, f.Rep2.ID
		got, err := st.UpdateCompany(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != c.Name || got.Address != c.Address || got.OGRN != "" || got.Valid || got.INN != f.Company.INN ||
			got.OwnerID != f.Company.OwnerID || !got.CreatedAt.Equal(f.Company.CreatedAt) {
			t.Errorf("the updated company: %+v", got)
		}
		c.ID = got.ID + 1000
		if _, err := st.UpdateCompany(ctx, c); workflow.Code(err) != workflow.ENOTFOUND {
			t.Errorf("updating an unknown company: %v, want not found", err)
		}
	})
}
