package api_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// route is one registered API route.
type route struct{ Method, Path string }

func (r route) String() string { return r.Method + " " + r.Path }

// apiRoutes lists the routes under /api/v1 from the server's own route table (echo's catch-all
// not-found entries left out).
func apiRoutes(t *testing.T, srv *api.Server) []route {
	t.Helper()
	var out []route
	for _, r := range srv.Echo().Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			out = append(out, route{r.Method, r.Path})
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d API routes found: %v", len(out), out)
	}
	return out
}

// owned are the objects the sweep points a route's parameters at.
type owned struct {
	deal, document, company int64
}

// fill substitutes the route's parameters: :id of /deals, /documents and /companies with the
// objects in o. ok is false for routes whose parameters are not owned by a rep (pipelines,
// templates), which the ownership sweep leaves alone.
func fill(r route, o owned) (path string, ok bool) {
	segs := strings.Split(r.Path, "/")
	ok = false
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		switch {
		case s == ":id" && segs[i-1] == "deals":
			segs[i], ok = fmt.Sprint(o.deal), true
		case s == ":id" && segs[i-1] == "documents":
			segs[i], ok = fmt.Sprint(o.document), true
		case s == ":id" && segs[i-1] == "companies":
			segs[i], ok = fmt.Sprint(o.company), true
		case s == ":aid":
			segs[i] = "1"
		default:
			return r.Path, false
		}
	}
	return strings.Join(segs, "/"), ok
}

// sampleRequest builds a request to the route that would be valid for the deal's owner, so a
// refusal can only come from the access check.
func sampleRequest(t *testing.T, r route, path, token string) *http.Request {
	t.Helper()
	bodies := map[string]string{
		"POST /api/v1/deals/:id/transitions":       `{"action":"advance","expected_version":1}`,
		"POST /api/v1/deals/:id/activities":        `{"kind":"call","note":"чужой звонок"}`,
		"POST /api/v1/deals/:id/facts":             `{"kind":"needs","summary":"чужие потребности"}`,
		"POST /api/v1/deals/:id/documents":         `{"kind":"proposal","data":` + exampleData(t, "proposal") + `}`,
		"POST /api/v1/deals/:id/documents/preview": `{"kind":"proposal","data":` + exampleData(t, "proposal") + `}`,
		"POST /api/v1/documents/:id/corrections":   `{"data":{}}`,
		"POST /api/v1/documents/:id/finalise":      `{}`,
	}
	queries := map[string]string{
		"GET /api/v1/deals/:id/documents/prefill": "?kind=proposal",
	}
	switch r.String() {
	case "POST /api/v1/documents/:id/signed-copies":
		req := request(t, r.Method, path+"?filename=scan.pdf", token, "%PDF-1.4\n% signed scan\n")
		req.Header.Set("Content-Type", "application/pdf")
		return req
	}
	var body any
	if r.Method != http.MethodGet && r.Method != http.MethodDelete {
		body = "{}"
		if b, ok := bodies[r.String()]; ok {
			body = b
		}
	}
	return request(t, r.Method, path+queries[r.String()], token, body)
}

// granted fails unless the answer shows the caller was let through: 200, or for a signed
// copy that does not exist 404 (the sweep asks for copy 1, and there is none).
func granted(t *testing.T, who string, r route, got response) {
	t.Helper()
	switch {
	case got.Status == http.StatusOK:
	case got.Status == http.StatusNotFound && r.Path == "/api/v1/documents/:id/signed-copies/:aid":
	default:
		t.Errorf("%s %s: %d %s", who, r, got.Status, got.Body)
	}
}

// readsByPost are POST routes that store nothing (a preview renders the posted data).
var readsByPost = map[string]bool{"POST /api/v1/deals/:id/documents/preview": true}

// exampleData returns the shipped example data of a document kind as JSON.
func exampleData(t *testing.T, kind string) string {
	t.Helper()
	b, err := fs.ReadFile(templates.Examples(), kind+".json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot is everything a request could change about a deal.
type snapshot struct {
	deal                       workflow.Deal
	events, acts, facts, docsN int
	lastEvent                  string
}

func (e *env) snapshot(t *testing.T, dealID int64) snapshot {
	t.Helper()
	ctx := t.Context()
	s := snapshot{deal: e.deal(t, dealID)}
	evs, err := e.st.FindEvents(ctx, dealID)
	if err != nil {
		t.Fatal(err)
	}
	s.events, s.lastEvent = len(evs), evs[len(evs)-1].Hash
	acts, err := e.st.FindActivities(ctx, dealID)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := e.st.FindFacts(ctx, dealID)
	if err != nil {
		t.Fatal(err)
	}
	s.acts, s.facts = len(acts), len(facts)
	var n int64
	if err := e.st.DB().Raw("SELECT COUNT(*) FROM documents WHERE deal_id = ?", dealID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	s.docsN = int(n)
	return s
}

// TestAccessControl sweeps every API route: another rep gets 404 for rep1's deal, its
// documents and its company through every route, exactly as for objects that do not exist,
// and changes nothing; lists never show rep1's objects to rep2; the auditor reads and never
// writes; the manager reads everything.
func TestAccessControl(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		f := e.f
		d1 := e.createDeal(t, f.Rep1.Token, f.Company.ID)
		var doc struct {
			ID int64 `json:"id"`
		}
		docRoute := route{"POST", "/api/v1/deals/:id/documents"}
		e.serve(sampleRequest(t, docRoute, fmt.Sprintf("/api/v1/deals/%d/documents", d1.ID), f.Rep1.Token)).want(t, http.StatusCreated).decode(t, &doc)
		mine := owned{deal: d1.ID, document: doc.ID, company: f.Company.ID}
		missing := owned{deal: 987654, document: 987654, company: 987654}

		var c2 struct {
			ID int64 `json:"id"`
		}
		e.do(t, "POST", "/api/v1/companies", f.Rep2.Token, companyBody()).want(t, http.StatusCreated).decode(t, &c2)
		d2 := e.createDeal(t, f.Rep2.Token, c2.ID)

		before := e.snapshot(t, d1.ID)
		routes := apiRoutes(t, e.srv)
		swept := 0
		for _, r := range routes {
			path, ok := fill(r, mine)
			if !ok {
				continue
			}
			swept++
			t.Run("rep2 "+r.String(), func(t *testing.T) {
				got := e.serve(sampleRequest(t, r, path, f.Rep2.Token))
				p := got.problem(t, http.StatusNotFound, api.ProblemNotFound)
				nopath, _ := fill(r, missing)
				want := e.serve(sampleRequest(t, r, nopath, f.Rep2.Token)).problem(t, http.StatusNotFound, api.ProblemNotFound)
				if p.Detail != want.Detail || p.Title != want.Title {
					t.Fatalf("rep1's object answers %+v, a missing one %+v: the difference leaks existence", p, want)
				}
			})
		}
		if swept < 10 {
			t.Fatalf("only %d routes reach a deal, document or company; the sweep is not looking", swept)
		}
		if after := e.snapshot(t, d1.ID); after != before {
			t.Fatalf("rep2's requests changed rep1's deal:\nbefore %+v\nafter  %+v", before, after)
		}

		t.Run("lists", func(t *testing.T) {
			ids := func(token, path string) []int64 {
				var l struct {
					Items []struct {
						ID int64 `json:"id"`
					} `json:"items"`
					Total int64 `json:"total"`
				}
				e.do(t, "GET", path, token, nil).want(t, 200).decode(t, &l)
				var out []int64
				for _, it := range l.Items {
					out = append(out, it.ID)
				}
				if int64(len(out)) != l.Total {
					t.Fatalf("%s: %d items, total %d", path, len(out), l.Total)
				}
				return out
			}
			for _, tc := range []struct {
				token, path string
				want        []int64
			}{
				{f.Rep2.Token, "/api/v1/deals", []int64{d2.ID}},
				{f.Rep2.Token, fmt.Sprintf("/api/v1/deals?owner_id=%d", f.Rep1.ID), nil},
				{f.Rep2.Token, fmt.Sprintf("/api/v1/deals?company_id=%d", f.Company.ID), nil},
				{f.Rep2.Token, "/api/v1/deals?stage=research&status=open", []int64{d2.ID}},
				{f.Rep2.Token, "/api/v1/companies", []int64{c2.ID}},
				{f.Rep2.Token, "/api/v1/companies?q=" + storagetest.INN, []int64{c2.ID}},
				{f.Rep1.Token, "/api/v1/deals", []int64{d1.ID}},
				{f.Manager.Token, "/api/v1/deals", []int64{d2.ID, d1.ID}},
				{f.Manager.Token, "/api/v1/companies", []int64{c2.ID, f.Company.ID}},
				{f.Auditor.Token, "/api/v1/deals", []int64{d2.ID, d1.ID}},
				{f.Auditor.Token, fmt.Sprintf("/api/v1/deals?owner_id=%d", f.Rep1.ID), []int64{d1.ID}},
			} {
				if got := ids(tc.token, tc.path); !slices.Equal(got, tc.want) {
					t.Errorf("%s: ids %v, want %v", tc.path, got, tc.want)
				}
			}
			// rep2 cannot start a deal on rep1's company either.
			p := e.do(t, "POST", "/api/v1/deals", f.Rep2.Token, fmt.Sprintf(`{"company_id":%d,"title":"чужая"}`, f.Company.ID)).problem(t, 422, api.ProblemInvalid)
			if p.Field != "company_id" {
				t.Fatalf("deal on another rep's company: %+v", p)
			}
		})

		t.Run("readers", func(t *testing.T) {
			for _, r := range routes {
				if r.Method != http.MethodGet {
					continue
				}
				path, ok := fill(r, mine)
				if !ok {
					continue
				}
				for _, u := range []struct {
					name, token string
				}{{"manager", f.Manager.Token}, {"auditor", f.Auditor.Token}, {"owner", f.Rep1.Token}} {
					got := e.serve(sampleRequest(t, r, path, u.token))
					granted(t, u.name, r, got)
				}
			}
		})

		t.Run("auditor writes nothing", func(t *testing.T) {
			for _, r := range routes {
				if r.Method == http.MethodGet {
					continue
				}
				path, _ := fill(r, mine)
				got := e.serve(sampleRequest(t, r, path, f.Auditor.Token))
				if readsByPost[r.String()] {
					// A POST that stores nothing is a read: the auditor may use it.
					granted(t, "auditor", r, got)
					continue
				}
				if got.Status != http.StatusForbidden {
					t.Errorf("auditor %s: %d %s, want 403", r, got.Status, got.Body)
					continue
				}
				got.problem(t, http.StatusForbidden, api.ProblemForbidden)
			}
			if after := e.snapshot(t, d1.ID); after != before {
				t.Fatalf("the auditor changed the deal:\nbefore %+v\nafter  %+v", before, after)
			}
		})

		t.Run("owner control", func(t *testing.T) {
			// The same requests that rep2 was refused do reach the handler for the owner.
			var moved api.DealJSON
			e.serve(sampleRequest(t, route{"POST", "/api/v1/deals/:id/transitions"}, fmt.Sprintf("/api/v1/deals/%d/transitions", d1.ID), f.Rep1.Token)).want(t, 200).decode(t, &moved)
			if moved.Stage != "cold_call" {
				t.Fatalf("owner's advance: %+v", moved)
			}
			e.serve(sampleRequest(t, route{"POST", "/api/v1/deals/:id/activities"}, fmt.Sprintf("/api/v1/deals/%d/activities", d1.ID), f.Rep1.Token)).want(t, 201)
			e.serve(sampleRequest(t, route{"POST", "/api/v1/deals/:id/facts"}, fmt.Sprintf("/api/v1/deals/%d/facts", d1.ID), f.Rep1.Token)).want(t, 201)
		})
	})
}
