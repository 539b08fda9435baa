package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

// TestProblems checks that every refusal is a problem document with a stable type and the
// offending field, and that none of them is a 500.
func TestProblems(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		rep := e.f.Rep1.Token
		d := e.createDeal(t, rep, e.f.Company.ID)
		deal := fmt.Sprintf("/api/v1/deals/%d", d.ID)
		company := companyBody()
		badINN := companyBody()
		badINN["inn"] = "7707083894"
		bigBody := `{"name":"` + strings.Repeat("я", 1<<20) + `"}` // 2 MiB of Cyrillic, over the 2M limit

		for _, tc := range []struct {
			name          string
			method, path  string
			token         string
			body          any
			status        int
			typ           string
			field         string
			detailMention string
		}{
			{"bad INN", "POST", "/api/v1/companies", rep, badINN, 422, api.ProblemInvalid, "inn", ""},
			{"bad BIK and account", "POST", "/api/v1/companies", rep, merge(company, map[string]string{"bik": "04452522"}), 422, api.ProblemInvalid, "bik", ""},
			{"unknown JSON field", "POST", "/api/v1/companies", rep, merge(company, map[string]string{"colour": "red"}), 422, api.ProblemInvalid, "colour", "colour"},
			{"unknown field in a transition", "POST", deal + "/transitions", rep, `{"action":"advance","expected_vesion":1}`, 422, api.ProblemInvalid, "expected_vesion", ""},
			{"wrong JSON type (string field)", "POST", "/api/v1/deals", rep, fmt.Sprintf(`{"company_id":%d,"title":42}`, e.f.Company.ID), 422, api.ProblemInvalid, "title", "title"},
			{"wrong JSON type (number field)", "POST", "/api/v1/deals", rep, `{"company_id":true,"title":"x"}`, 422, api.ProblemInvalid, "company_id", "company_id"},
			{"wrong JSON type (number given as text)", "POST", deal + "/transitions", rep, `{"action":"advance","expected_version":"one"}`, 422, api.ProblemInvalid, "expected_version", ""},
			{"wrong JSON type (bool field)", "POST", deal + "/activities", rep, `{"kind":"call","decision_maker":"yes"}`, 422, api.ProblemInvalid, "decision_maker", ""},
			{"amount as a float", "POST", "/api/v1/deals", rep, fmt.Sprintf(`{"company_id":%d,"title":"x","amount":1500000.5}`, e.f.Company.ID), 422, api.ProblemInvalid, "amount", ""},
			{"amount with three decimals", "POST", "/api/v1/deals", rep, fmt.Sprintf(`{"company_id":%d,"title":"x","amount":"1.005"}`, e.f.Company.ID), 422, api.ProblemInvalid, "amount", ""},
			{"unknown company", "POST", "/api/v1/deals", rep, `{"company_id":999999,"title":"x"}`, 422, api.ProblemInvalid, "company_id", ""},
			{"unknown activity kind", "POST", deal + "/activities", rep, `{"kind":"fax"}`, 422, api.ProblemInvalid, "kind", ""},
			{"unknown fact kind", "POST", deal + "/facts", rep, `{"kind":"gossip"}`, 422, api.ProblemInvalid, "kind", ""},
			{"bad payment amount", "POST", deal + "/facts", rep, `{"kind":"payment","amount":"много"}`, 422, api.ProblemInvalid, "amount", ""},
			{"lose without reason", "POST", deal + "/transitions", rep, `{"action":"lose","expected_version":1}`, 422, api.ProblemInvalid, "reason", ""},
			{"bad status filter", "GET", "/api/v1/deals?status=maybe", rep, nil, 422, api.ProblemInvalid, "status", ""},
			{"bad limit", "GET", "/api/v1/deals?limit=-1", rep, nil, 422, api.ProblemInvalid, "limit", ""},
			{"malformed JSON", "POST", "/api/v1/companies", rep, `{"name": "ООО`, 400, api.ProblemMalformed, "", ""},
			{"not an object", "POST", deal + "/transitions", rep, `"advance"`, 422, api.ProblemInvalid, "", ""},
			{"trailing data", "POST", deal + "/transitions", rep, `{"action":"advance"} {"action":"win"}`, 400, api.ProblemMalformed, "", ""},
			{"empty body", "POST", deal + "/transitions", rep, "", 400, api.ProblemMalformed, "", ""},
			{"body too large", "POST", "/api/v1/companies", rep, bigBody, 413, api.ProblemTooLarge, "", ""},
			{"body too large with an Idempotency-Key", "POST", deal + "/activities", rep, bigBody, 413, api.ProblemTooLarge, "", ""},
			{"unknown route", "GET", "/api/v1/no-such-thing", rep, nil, 404, api.ProblemNotFound, "", ""},
			{"unknown route outside the API", "GET", "/no-such-page", rep, nil, 404, api.ProblemNotFound, "", ""},
			{"unknown deal", "GET", "/api/v1/deals/999999", rep, nil, 404, api.ProblemNotFound, "", ""},
			{"non-numeric deal id", "GET", "/api/v1/deals/abc", rep, nil, 404, api.ProblemNotFound, "", ""},
			{"no token", "GET", "/api/v1/deals", "", nil, 401, api.ProblemUnauthorized, "", ""},
			{"no token on an unknown route", "GET", "/api/v1/no-such-thing", "", nil, 401, api.ProblemUnauthorized, "", ""},
			{"bad token", "GET", "/api/v1/deals", "dg_not-a-real-token", nil, 401, api.ProblemUnauthorized, "", ""},
			{"token without the prefix", "GET", "/api/v1/deals", "abc", nil, 401, api.ProblemUnauthorized, "", ""},
			{"auditor creates a company", "POST", "/api/v1/companies", e.f.Auditor.Token, company, 403, api.ProblemForbidden, "", ""},
			{"auditor creates a deal", "POST", "/api/v1/deals", e.f.Auditor.Token, fmt.Sprintf(`{"company_id":%d,"title":"x"}`, e.f.Company.ID), 403, api.ProblemForbidden, "", ""},
			{"auditor moves a deal", "POST", deal + "/transitions", e.f.Auditor.Token, `{"action":"advance","expected_version":1}`, 403, api.ProblemForbidden, "", ""},
			{"auditor logs a call", "POST", deal + "/activities", e.f.Auditor.Token, `{"kind":"call"}`, 403, api.ProblemForbidden, "", ""},
			{"rep lists users", "GET", "/api/v1/users", rep, nil, 403, api.ProblemForbidden, "", ""},
			{"rep assigns a deal to another rep", "POST", "/api/v1/deals", rep, fmt.Sprintf(`{"company_id":%d,"title":"x","owner_id":%d}`, e.f.Company.ID, e.f.Rep2.ID), 403, api.ProblemForbidden, "owner_id", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req := request(t, tc.method, tc.path, tc.token, tc.body)
				if strings.Contains(tc.name, "Idempotency-Key") {
					req.Header.Set(api.HeaderIdempotencyKey, "big-1")
				}
				r := e.serve(req)
				if r.Status >= 500 {
					t.Fatalf("status %d for %s: %s", r.Status, tc.name, r.Body)
				}
				p := r.problem(t, tc.status, tc.typ)
				if p.Field != tc.field {
					t.Fatalf("problem field %q, want %q: %+v", p.Field, tc.field, p)
				}
				if tc.field != "" && tc.typ == api.ProblemInvalid && !slices.ContainsFunc(p.Errors, func(fp api.FieldProblem) bool { return fp.Field == tc.field }) {
					t.Fatalf("problem errors %+v do not name %q", p.Errors, tc.field)
				}
				if tc.detailMention != "" && !strings.Contains(p.Detail, tc.detailMention) {
					t.Fatalf("detail %q does not mention %q", p.Detail, tc.detailMention)
				}
				if tc.status == 401 && r.Header.Get("WWW-Authenticate") == "" {
					t.Fatal("401 without WWW-Authenticate")
				}
			})
		}
		t.Run("invalid document data", func(t *testing.T) {
			r := e.do(t, "POST", deal+"/documents", rep, `{"kind":"proposal","data":{"lines":[]},"final":true}`)
			p := r.problem(t, 422, api.ProblemInvalid)
			if len(p.Errors) == 0 || p.Field == "" || p.Field != p.Errors[0].Field {
				t.Fatalf("document validation problem %+v: want every bad field listed, the first as field", p)
			}
		})
		t.Run("wrong method", func(t *testing.T) {
			// echo answers a known path with an unregistered method as not found inside a
			// group with middleware; either answer is a problem, never a 500.
			r := e.do(t, "DELETE", deal, rep, nil)
			if r.Status != 404 && r.Status != 405 {
				t.Fatalf("DELETE %s: %d %s", deal, r.Status, r.Body)
			}
			r.problem(t, r.Status, map[int]string{404: api.ProblemNotFound, 405: api.ProblemMethod}[r.Status])
		})
		// None of the refusals changed the deal.
		if got := e.deal(t, d.ID); got.Version != 1 || got.Stage != "research" {
			t.Fatalf("refusals changed the deal: %+v", got)
		}
		if n := e.countEvents(t, d.ID); n != 1 {
			t.Fatalf("refusals left events: %d, want 1", n)
		}
	})
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestBodyTooLargeWithoutLength sends an oversized body of unknown length (chunked), which the
// limit can only catch while reading.
func TestBodyTooLargeWithoutLength(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	{
		body := `{"name":"` + strings.Repeat("x", 3<<20) + `"}`
		req := httptest.NewRequest("POST", "/api/v1/companies", io.MultiReader(strings.NewReader(body)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.f.Rep1.Token)
		e.serve(req).problem(t, http.StatusRequestEntityTooLarge, api.ProblemTooLarge)
	}
}

// TestMissingEvidenceAndStaleVersion: leaving cold_call without a call is a 422 listing the
// call; a stale expected_version is a 409; neither leaves a trace.
func TestMissingEvidenceAndStaleVersion(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		rep := e.f.Rep1.Token
		d := e.createDeal(t, rep, e.f.Company.ID)
		var moved api.DealJSON
		e.transition(t, rep, d.ID, map[string]any{"action": "advance", "expected_version": 1}).want(t, 200).decode(t, &moved)
		if moved.Stage != "cold_call" || moved.Version != 2 || len(moved.Missing) != 1 || moved.Missing[0].Type != "activity" {
			t.Fatalf("after advance: %+v; want cold_call v2 missing a call", moved)
		}

		p := e.transition(t, rep, d.ID, map[string]any{"action": "advance", "expected_version": 2}).problem(t, 422, api.ProblemMissingEvidence)
		if p.Stage != "cold_call" || len(p.Missing) != 1 || p.Missing[0].Type != "activity" || !slices.Equal(p.Missing[0].Kinds, []string{"call"}) ||
			p.Missing[0].Ru == "" || p.Missing[0].En == "" {
			t.Fatalf("missing-evidence problem %+v; want stage cold_call missing an activity of kind call, in ru and en", p)
		}

		p = e.transition(t, rep, d.ID, map[string]any{"action": "skip", "reason": "не нужен", "expected_version": 1}).problem(t, 409, api.ProblemConflict)
		if p.Field != "expected_version" {
			t.Fatalf("conflict problem %+v, want field expected_version", p)
		}
		if got := e.deal(t, d.ID); got.Version != 2 || got.Stage != "cold_call" {
			t.Fatalf("refusals changed the deal: %+v", got)
		}
		if n := e.countEvents(t, d.ID); n != 2 {
			t.Fatalf("refusals left events: %d, want 2", n)
		}

		// With the call logged, the same request passes.
		e.do(t, "POST", fmt.Sprintf("/api/v1/deals/%d/activities", d.ID), rep, map[string]any{"kind": "call", "note": "Звонок главному инженеру"}).want(t, 201)
		var got api.DealJSON
		e.do(t, "GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), rep, nil).want(t, 200).decode(t, &got)
		if len(got.Missing) != 0 || got.Version != 2 {
			t.Fatalf("after the call: %+v; want nothing missing, version 2", got)
		}
		e.transition(t, rep, d.ID, map[string]any{"action": "advance", "expected_version": 2}).want(t, 200).decode(t, &moved)
		if moved.Stage != "meeting" || moved.Version != 3 {
			t.Fatalf("after the call and advance: %+v", moved)
		}
	})
}

// TestServerLimitsAreSettable: BodyLimit and RequestTimeout set after NewServer, before
// Handler, are the ones enforced.
func TestServerLimitsAreSettable(t *testing.T) {
	t.Parallel()
	st := storagetest.NewStore(t, storage.SQLite)
	f := storagetest.Seed(t, st)
	srv := api.NewServer(st, storagetest.Logger(t))
	srv.BodyLimit = "1K"
	srv.RequestTimeout = time.Nanosecond
	e := &env{st: st, f: f, srv: srv, h: srv.Handler()}

	body := companyBody()
	body["address"] = strings.Repeat("д", 1000) // 2 KB: under the default 2M, over 1K
	e.do(t, "POST", "/api/v1/companies", f.Rep1.Token, body).problem(t, http.StatusRequestEntityTooLarge, api.ProblemTooLarge)
	// With a 1 ns budget the token lookup already runs out of time: 503, not a 500 or a 401.
	e.do(t, "GET", "/api/v1/deals", f.Rep1.Token, nil).problem(t, http.StatusServiceUnavailable, api.ProblemUnavailable)
}
