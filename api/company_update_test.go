package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dealgate/dealgate/api"
)

// getCompany reads a company through the API as token's user.
func getCompany(t *testing.T, e *env, token string, id int64) api.CompanyJSON {
	t.Helper()
	var c api.CompanyJSON
	e.do(t, "GET", fmt.Sprintf("/api/v1/companies/%d", id), token, nil).want(t, http.StatusOK).decode(t, &c)
	return c
}

// TestUpdateCompanyAPI: PUT /api/v1/companies/{id} stores the change made from the current
// version and answers the company one version on; an edit from an older version is 409 on
// expected_version and changes nothing; without expected_version or with bad requisites it
// is 422 naming the field; another rep gets 404, the auditor and the back office 403.
func TestUpdateCompanyAPI(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		f := e.f
		path := fmt.Sprintf("/api/v1/companies/%d", f.Company.ID)
		before := getCompany(t, e, f.Rep1.Token, f.Company.ID)
		if before.Version != 1 {
			t.Fatalf("a new company answers version %d, want 1", before.Version)
		}
		body := func(name string, version any) map[string]any {
			b := map[string]any{}
			for k, v := range companyBody() {
				b[k] = v
			}
			b["name"] = name
			if version != nil {
				b["expected_version"] = version
			}
			return b
		}

		// Refusals that change nothing.
		for _, c := range []struct {
			token  string
			body   map[string]any
			status int
			typ    string
			field  string
		}{
			{f.Rep1.Token, body("Без версии", nil), 422, api.ProblemInvalid, "expected_version"},
			{f.Rep1.Token, body("Версия ноль", 0), 422, api.ProblemInvalid, "expected_version"},
			{f.Rep1.Token, map[string]any{"name": "Плохой ИНН", "inn": "7707083894", "address": "г. Москва", "expected_version": 1}, 422, api.ProblemInvalid, "inn"},
			{f.Rep1.Token, body("Будущая версия", 5), 409, api.ProblemConflict, "expected_version"},
			{f.Rep2.Token, body("Чужой клиент", 1), 404, api.ProblemNotFound, ""},
			{f.Auditor.Token, body("Аудитор", 1), 403, api.ProblemForbidden, ""},
			{f.Backoffice.Token, body("Бэк-офис", 1), 403, api.ProblemForbidden, ""},
		} {
			p := e.do(t, "PUT", path, c.token, c.body).problem(t, c.status, c.typ)
			if c.field != "" && p.Field != c.field {
				t.Errorf("%v: the problem names %q, want %q: %+v", c.body, p.Field, c.field, p)
			}
		}
		if got := getCompany(t, e, f.Rep1.Token, f.Company.ID); got != before {
			t.Fatalf("refused edits changed the company: %+v, was %+v", got, before)
		}

		// A good edit: stored, one version on.
		var got api.CompanyJSON
		e.do(t, "PUT", path, f.Rep1.Token, body("ООО «Ромашка-Север»", 1)).want(t, http.StatusOK).decode(t, &got)
		if got.Version != 2 || got.Name != "ООО «Ромашка-Север»" || got.ID != before.ID || got.OwnerID != before.OwnerID || !got.Complete {
			t.Fatalf("the edited company: %+v", got)
		}
		// The manager, still holding version 1, is refused and told so; nothing changes.
		p := e.do(t, "PUT", path, f.Manager.Token, body("ООО «Правка менеджера»", 1)).problem(t, http.StatusConflict, api.ProblemConflict)
		if p.Field != "expected_version" || !strings.Contains(p.Detail, "version 2") {
			t.Errorf("a stale edit: %+v, want a conflict on expected_version naming version 2", p)
		}
		if now := getCompany(t, e, f.Manager.Token, f.Company.ID); now != got {
			t.Fatalf("the stale edit changed the company: %+v, was %+v", now, got)
		}
		// Reloaded, the manager's edit goes through.
		e.do(t, "PUT", path, f.Manager.Token, body("ООО «Правка менеджера»", 2)).want(t, http.StatusOK).decode(t, &got)
		if got.Version != 3 || got.Name != "ООО «Правка менеджера»" {
			t.Fatalf("the reloaded edit: %+v", got)
		}
	})
}

// TestUpdateCompanyRaceAPI: two people edit the same client from the same version at the same
// moment, through the HTTP handler on a real database: one is stored (200), the other gets
// 409, and the stored company is the winner's. Repeated, so the requests truly overlap.
func TestUpdateCompanyRaceAPI(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		f := e.f
		path := fmt.Sprintf("/api/v1/companies/%d", f.Company.ID)
		tokens := [2]string{f.Rep1.Token, f.Manager.Token}
		for round := range 5 {
			cur := getCompany(t, e, f.Rep1.Token, f.Company.ID)
			var (
				res  [2]response
				wg   sync.WaitGroup
				gate = make(chan struct{})
			)
			for i := range 2 {
				b := map[string]any{"expected_version": cur.Version}
				for k, v := range companyBody() {
					b[k] = v
				}
				b["name"] = fmt.Sprintf("ООО «Правка %d-%d»", round, i)
				req := request(t, "PUT", path, tokens[i], b)
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					res[i] = e.serve(req)
				}()
			}
			close(gate)
			wg.Wait()
			won := -1
			for i, r := range res {
				switch r.Status {
				case http.StatusOK:
					if won >= 0 {
						t.Fatalf("round %d: both edits from version %d were stored", round, cur.Version)
					}
					won = i
				case http.StatusConflict:
					p := r.problem(t, http.StatusConflict, api.ProblemConflict)
					if p.Field != "expected_version" {
						t.Errorf("round %d: the loser's problem %+v", round, p)
					}
				default:
					t.Fatalf("round %d, editor %d: %d %s", round, i, r.Status, r.Body)
				}
			}
			if won < 0 {
				t.Fatalf("round %d: neither edit was stored", round)
			}
			now := getCompany(t, e, f.Rep1.Token, f.Company.ID)
			if now.Version != cur.Version+1 || now.Name != fmt.Sprintf("ООО «Правка %d-%d»", round, won) {
				t.Fatalf("round %d: stored %q at version %d; the winner was %d from version %d", round, now.Name, now.Version, won, cur.Version)
			}
		}
	})
}
