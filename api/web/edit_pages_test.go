package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// TestDeleteDraftFromThePages: the owner deletes a draft through the confirmation page, with
// the CSRF token; nobody who may not edit the deal's documents can (another rep: 404, the
// auditor and the back office for a rep's kind: 403); a final document is refused with 409
// and says why; no event is appended (a draft was never in the chain); a closed deal keeps its
// drafts.
func TestDeleteDraftFromThePages(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		s := newPagesSite(t, st)
		deal := fmt.Sprint(s.deal.ID)
		draft, final := fmt.Sprint(s.draft.ID), fmt.Sprint(s.proposal.ID)
		stillThere := func(id int64, status storage.DocStatus) {
			t.Helper()
			d, err := st.FindDocumentByID(ctx, id)
			if err != nil || d.Status != status {
				t.Fatalf("document %d: %v, status %q, want it %s", id, err, d.Status, status)
			}
		}
		eventsBefore, err := st.FindEvents(ctx, s.deal.ID)
		if err != nil {
			t.Fatal(err)
		}

		rep := s.signIn(t, s.f.Rep1.Email)
		// The links: on the draft's page and in the deal's table, never for a final document.
		_, body := rep.do("GET", "/documents/"+draft, nil)
		if !strings.Contains(body, `href="/documents/`+draft+`/delete"`) {
			t.Error("the draft's page has no link to delete it")
		}
		_, body = rep.do("GET", "/documents/"+final, nil)
		if strings.Contains(body, `id="doc-delete"`) {
			t.Error("the final proposal's page offers to delete it")
		}
		_, body = rep.do("GET", "/deals/"+deal, nil)
		if !strings.Contains(body, `id="doc-delete-`+draft+`"`) || strings.Contains(body, `id="doc-delete-`+final+`"`) {
			t.Error("the deal's documents table does not offer the draft's deletion, or offers the final document's")
		}

		// Others: refused, and the draft stays.
		other := s.signIn(t, s.f.Rep2.Email)
		for _, c := range []struct {
			who  *pagesClient
			name string
			want int
		}{{other, "another rep", 404}, {s.signIn(t, s.f.Auditor.Email), "the auditor", 403}, {s.signIn(t, s.f.Backoffice.Email), "the back office", 403}} {
			if code, _ := c.who.do("GET", "/documents/"+draft+"/delete", nil); code != c.want {
				t.Errorf("%s GET the confirmation: %d, want %d", c.name, code, c.want)
			}
			if code, _ := c.who.do("POST", "/documents/"+draft+"/delete", c.who.form("confirm", "yes")); code != c.want {
				t.Errorf("%s POST the deletion: %d, want %d", c.name, code, c.want)
			}
		}
		stillThere(s.draft.ID, storage.DocDraft)

		// The owner: without the CSRF token refused; without confirm=yes the confirmation page.
		if code, _ := rep.do("POST", "/documents/"+draft+"/delete", url.Values{"confirm": {"yes"}}); code != 403 {
			t.Errorf("POST without the CSRF token: %d, want 403", code)
		}
		code, body := rep.do("GET", "/documents/"+draft+"/delete", nil)
		if code != 200 || !strings.Contains(body, `id="delete-form"`) || !strings.Contains(body, `name="confirm" value="yes"`) || !strings.Contains(body, "Удалить черновик?") {
			t.Errorf("the confirmation page: %d, form shown %v", code, strings.Contains(body, `id="delete-form"`))
		}
		if code, body := rep.do("POST", "/documents/"+draft+"/delete", rep.form()); code != 200 || !strings.Contains(body, `id="delete-form"`) {
			t.Errorf("POST without confirm=yes: %d, want the confirmation page", code)
		}
		stillThere(s.draft.ID, storage.DocDraft)

		// A final document: 409, a message that says why, in the page's language.
		code, body = rep.do("POST", "/documents/"+final+"/delete", rep.form("confirm", "yes"))
		if code != 409 || !strings.Contains(body, "Окончательный документ нельзя удалить") || !strings.Contains(body, "№ "+s.proposal.Number) {
			t.Errorf("deleting the final proposal: %d, want 409 and the reason: %s", code, errorText(body))
		}
		if code, _ := rep.do("GET", "/documents/"+final+"/delete", nil); code != 409 {
			t.Errorf("the confirmation page of the final proposal: %d, want 409", code)
		}
		stillThere(s.proposal.ID, storage.DocFinal)
		if _, err := st.DeleteDraft(ctx, s.proposal.ID); workflow.Code(err) != workflow.ECONFLICT {
			t.Errorf("storage DeleteDraft of the final proposal: %v, want a conflict", err)
		}
		stillThere(s.proposal.ID, storage.DocFinal)

		// The deletion.
		code, _ = rep.do("POST", "/documents/"+draft+"/delete", rep.form("confirm", "yes"))
		if code != 303 {
			t.Fatalf("deleting the draft: %d, want 303", code)
		}
		if _, err := st.FindDocumentByID(ctx, s.draft.ID); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("the deleted draft: %v, want not found", err)
		}
		_, body = rep.do("GET", "/deals/"+deal, nil)
		if !strings.Contains(body, "Черновик удалён.") || strings.Contains(body, `data-doc="`+draft+`"`) {
			t.Error("the deal page does not say the draft was deleted, or still lists it")
		}
		eventsAfter, err := st.FindEvents(ctx, s.deal.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(eventsAfter) != len(eventsBefore) || eventsAfter[len(eventsAfter)-1].Hash != eventsBefore[len(eventsBefore)-1].Hash {
			t.Errorf("deleting a draft changed the event chain: %d events → %d", len(eventsBefore), len(eventsAfter))
		}
		if code, _ := rep.do("POST", "/documents/"+draft+"/delete", rep.form("confirm", "yes")); code != 404 {
			t.Errorf("deleting it again: %d, want 404", code)
		}

		// A closed deal keeps its drafts.
		d2, err := st.SaveDraft(ctx, s.deal.ID, 0, workflow.DocClientCard, s.draft.Data, s.f.Rep1.Actor())
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := rep.do("POST", "/deals/"+deal+"/transitions", rep.form("action", "lose", "reason", "Клиент выбрал другого поставщика")); code != 303 {
			t.Fatalf("losing the deal: %d", code)
		}
		code, body = rep.do("POST", fmt.Sprintf("/documents/%d/delete", d2.ID), rep.form("confirm", "yes"))
		if code != 422 || !strings.Contains(body, "Сделка закрыта") {
			t.Errorf("deleting a draft of a lost deal: %d, want 422 and the reason: %s", code, errorText(body))
		}
		stillThere(d2.ID, storage.DocDraft)
	})
}

// TestEditCompanyFromThePages: the client's form opens from the deal page with the stored
// requisites; a form with bad requisites is refused with every typed value kept and each bad
// field named; a good one is stored (the completeness flag recomputed) and returns to the
// deal; only those who may see the client and write companies may edit it; a post without its
// CSRF token is refused.
func TestEditCompanyFromThePages(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		s := newPagesSite(t, st)
		co := s.f.Company
		edit := fmt.Sprintf("/companies/%d/edit", co.ID)
		back := fmt.Sprintf("/deals/%d", s.deal.ID)
		unchanged := func() {
			t.Helper()
			got, err := st.FindCompanyByID(ctx, co.ID)
			if err != nil {
				t.Fatal(err)
			}
			stored := got
			stored.CreatedAt = co.CreatedAt
			if stored != co || !got.CreatedAt.Equal(co.CreatedAt) {
				t.Fatalf("the company changed: %+v, was %+v", got, co)
			}
		}
		rep := s.signIn(t, s.f.Rep1.Email)
		_, body := rep.do("GET", back, nil)
		if !strings.Contains(body, `href="`+edit+`?next=`+back+`"`) {
			t.Fatal("the deal page has no link to the client's form")
		}
		code, body := rep.do("GET", edit+"?next="+back, nil)
		if code != 200 || !strings.Contains(body, `action="`+edit+`"`) || !strings.Contains(body, `value="`+co.INN+`"`) ||
			!strings.Contains(body, `value="`+co.Account+`"`) || !strings.Contains(body, `name="next" value="`+back+`"`) {
			t.Fatalf("the client's form: %d, not filled with the stored requisites", code)
		}

		values := func(kv ...string) url.Values {
			v := rep.form("name", "ООО «Ромашка-Север»", "inn", co.INN, "kpp", co.KPP, "ogrn", co.OGRN, "address", "620014, г. Екатеринбург, ул. Ленина, д. 1",
				"bank_name", co.BankName, "bik", co.BIK, "corr_account", co.CorrAccount, "account", co.Account, "next", back)
			// Made from the company as it is stored now (the form's hidden version).
			cur, err := st.FindCompanyByID(ctx, co.ID)
			if err != nil {
				t.Fatal(err)
			}
			v.Set("version", strconv.FormatInt(cur.Version, 10))
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		// Bad requisites: a wrong INN check digit, a KPP too short and an account whose key
		// does not match the BIK.
		code, body = rep.do("POST", edit, values("inn", "7707083894", "kpp", "77360100", "account", "40702810938000012346"))
		if code != 422 {
			t.Fatalf("bad requisites: %d, want 422", code)
		}
		for _, typed := range []string{"ООО «Ромашка-Север»", "7707083894", "77360100", "40702810938000012346", "620014, г. Екатеринбург, ул. Ленина, д. 1"} {
			if !strings.Contains(body, `value="`+typed+`"`) {
				t.Errorf("the refused form lost %q", typed)
			}
		}
		for _, field := range []string{"inn", "kpp", "account"} {
			if msg := fieldError(body, field); msg == "" {
				t.Errorf("the refused form does not name the field %s", field)
			}
		}
		if msg := fieldError(body, "name"); msg != "" {
			t.Errorf("the good name is flagged: %q", msg)
		}
		if !strings.Contains(body, `action="`+edit+`"`) {
			t.Error("the refused form no longer posts to the client's form")
		}
		unchanged()

		// Refused: no CSRF token; another rep (404); the auditor and the back office (403).
		if code, _ := rep.do("POST", edit, url.Values{"name": {"Без токена"}, "inn": {co.INN}}); code != 403 {
			t.Errorf("a post without the CSRF token: %d, want 403", code)
		}
		for _, c := range []struct {
			email string
			want  int
		}{{s.f.Rep2.Email, 404}, {s.f.Auditor.Email, 403}, {s.f.Backoffice.Email, 403}} {
			pc := s.signIn(t, c.email)
			if code, _ := pc.do("GET", edit, nil); code != c.want {
				t.Errorf("%s GET the client's form: %d, want %d", c.email, code, c.want)
			}
			v := values()
			v.Set("_csrf", pc.csrf)
			if code, _ := pc.do("POST", edit, v); code != c.want {
				t.Errorf("%s POST the client's form: %d, want %d", c.email, code, c.want)
			}
		}
		unchanged()

		// A good change: stored, back to the deal, with a message.
		code, _ = rep.do("POST", edit, values("inn", "7707 083 893"))
		if code != 303 {
			t.Fatalf("a good change: %d, want 303", code)
		}
		got, err := st.FindCompanyByID(ctx, co.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "ООО «Ромашка-Север»" || got.Address != "620014, г. Екатеринбург, ул. Ленина, д. 1" || got.INN != co.INN || !got.Valid ||
			got.OwnerID != co.OwnerID || !got.CreatedAt.Equal(co.CreatedAt) {
			t.Fatalf("the stored company: %+v", got)
		}
		_, body = rep.do("GET", back, nil)
		if !strings.Contains(body, "ООО «Ромашка-Север»") || !strings.Contains(body, "Реквизиты клиента сохранены.") {
			t.Error("the deal page does not show the new name and the message")
		}
		// Without the ОГРН the requisites are incomplete: stored, no longer complete.
		// A next that leaves the site returns to the deals list.
		res, _ := rep.c.PostForm(s.url+edit, values("ogrn", "", "next", "//evil.example/x"))
		if res != nil {
			res.Body.Close()
			if loc := res.Header.Get("Location"); res.StatusCode != 303 || loc != "/deals" {
				t.Errorf("a change with an outside next: %d → %q, want 303 → /deals", res.StatusCode, loc)
			}
		}
		if got, _ := st.FindCompanyByID(ctx, co.ID); got.Valid || got.OGRN != "" {
			t.Errorf("a company without its ОГРН is still complete: %+v", got)
		}
		// The manager edits any client.
		mgr := s.signIn(t, s.f.Manager.Email)
		v := values("name", "ООО «Ромашка»", "ogrn", co.OGRN)
		v.Set("_csrf", mgr.csrf)
		if code, _ := mgr.do("POST", edit, v); code != 303 {
			t.Errorf("the manager's change: %d, want 303", code)
		}
		if got, _ := st.FindCompanyByID(ctx, co.ID); got.Name != "ООО «Ромашка»" || !got.Valid {
			t.Errorf("the manager's change was not stored: %+v", got)
		}
	})
}

// fieldError returns the message next to a field of a form page.
func fieldError(body, field string) string {
	i := strings.Index(body, `id="err-`+field+`">`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`id="err-`+field+`">`):]
	return rest[:strings.Index(rest, "<")]
}

// errorText is the message of an error page (for failure messages).
func errorText(body string) string {
	i := strings.Index(body, `class="error"`)
	if i < 0 {
		return "(no error message)"
	}
	rest := body[i:]
	if j := strings.Index(rest, "</p>"); j > 0 {
		rest = rest[:j]
	}
	return rest
}
