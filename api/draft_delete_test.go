package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// TestDeleteDraftAPI: DELETE /api/v1/documents/{id} deletes a draft (204, no event, then
// 404); a final and a superseded document are refused with 409 saying they are evidence
// corrected by a new version, and stay; another rep gets 404 as for a document that does not
// exist; a role that does not prepare the kind gets 403, the auditor 403; a draft of a lost
// deal stays (422).
func TestDeleteDraftAPI(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		f := e.f
		d := e.createDeal(t, f.Rep1.Token, f.Company.ID)
		docs := fmt.Sprintf("/api/v1/deals/%d/documents", d.ID)
		create := func(final bool) api.DocumentJSON {
			t.Helper()
			var doc api.DocumentJSON
			e.do(t, "POST", docs, f.Rep1.Token, fmt.Sprintf(`{"kind":"proposal","final":%v,"data":%s}`, final, exampleData(t, "proposal"))).
				want(t, http.StatusCreated).decode(t, &doc)
			return doc
		}
		exists := func(id int64) bool {
			t.Helper()
			_, err := e.st.FindDocumentByID(t.Context(), id)
			if err != nil && workflow.Code(err) != workflow.ENOTFOUND {
				t.Fatal(err)
			}
			return err == nil
		}
		del := func(token string, id int64) response {
			return e.do(t, "DELETE", fmt.Sprintf("/api/v1/documents/%d", id), token, nil)
		}

		draft := create(false)
		events := e.countEvents(t, d.ID)
		// Refused: another rep (404, as for no document at all), the back office, which does
		// not prepare proposals, and the auditor (403).
		other := del(f.Rep2.Token, draft.ID).problem(t, http.StatusNotFound, api.ProblemNotFound)
		if none := del(f.Rep2.Token, 987654).problem(t, http.StatusNotFound, api.ProblemNotFound); none.Detail != other.Detail {
			t.Errorf("another rep's draft answers %q, a missing one %q", other.Detail, none.Detail)
		}
		del(f.Backoffice.Token, draft.ID).problem(t, http.StatusForbidden, api.ProblemForbidden)
		del(f.Auditor.Token, draft.ID).problem(t, http.StatusForbidden, api.ProblemForbidden)
		if !exists(draft.ID) {
			t.Fatal("a refused deletion deleted the draft")
		}
		// The owner deletes it: 204 with no body, no event; again: 404.
		r := del(f.Rep1.Token, draft.ID).want(t, http.StatusNoContent)
		if len(r.Body) != 0 {
			t.Errorf("204 with a body: %q", r.Body)
		}
		if exists(draft.ID) {
			t.Fatal("the deleted draft is still stored")
		}
		if n := e.countEvents(t, d.ID); n != events {
			t.Errorf("deleting a draft changed the events: %d, was %d", n, events)
		}
		del(f.Rep1.Token, draft.ID).problem(t, http.StatusNotFound, api.ProblemNotFound)
		// The manager deletes a rep's draft.
		draft2 := create(false)
		del(f.Manager.Token, draft2.ID).want(t, http.StatusNoContent)

		// A final document and the one its correction superseded are evidence: 409, kept.
		final := create(true)
		var corrected api.DocumentJSON
		e.do(t, "POST", fmt.Sprintf("/api/v1/documents/%d/corrections", final.ID), f.Rep1.Token, `{"data":`+exampleData(t, "proposal")+`}`).
			want(t, http.StatusCreated).decode(t, &corrected)
		for _, id := range []int64{final.ID, corrected.ID} {
			p := del(f.Rep1.Token, id).problem(t, http.StatusConflict, api.ProblemConflict)
			if p.Field != "status" || !strings.Contains(p.Detail, "evidence") || !strings.Contains(p.Detail, "new version") {
				t.Errorf("deleting final document %d: %+v, want a conflict on status saying it is evidence corrected by a new version", id, p)
			}
			if !exists(id) {
				t.Fatalf("document %d was deleted", id)
			}
		}
		if got, _ := e.st.FindDocumentByID(t.Context(), final.ID); got.Status != storage.DocSuperseded {
			t.Fatalf("the corrected document is %s, want superseded", got.Status)
		}

		// A lost deal's draft stays as it is.
		kept := create(false)
		e.transition(t, f.Rep1.Token, d.ID, map[string]any{"action": "lose", "reason": "выбрали другого поставщика"}).want(t, http.StatusOK)
		p := del(f.Rep1.Token, kept.ID).problem(t, http.StatusUnprocessableEntity, api.ProblemInvalid)
		if p.Field != "deal" || !exists(kept.ID) {
			t.Errorf("deleting a lost deal's draft: %+v", p)
		}
	})
}
