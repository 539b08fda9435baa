package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/templates"
)

// The callers of the access sweep, in the order of a matrix row.
const (
	anon = iota
	admin
	manager
	owner   // rep1, who owns the deal, its company and its documents
	other   // rep2, another rep
	backoff // the back office
	auditor
	nRoles
)

var roleNames = [nRoles]string{"anonymous", "admin", "manager", "owner rep", "another rep", "back office", "auditor"}

// apiMatrix is the access policy of every API route, one letter per caller in the order
// anonymous, admin, manager, the owning rep, another rep, the back office, the auditor:
//
//	A  allowed: the request succeeds (2xx)
//	U  401 /problems/unauthorized (no credentials)
//	F  403 /problems/forbidden (the role may not)
//	N  404 /problems/not-found, exactly as for an object that does not exist (another rep's
//	   object: its existence is not revealed)
//	V  422 naming the field that points at another rep's object, exactly as for one that does
//	   not exist
//
// The objects in the paths belong to the owning rep (deal, company, documents, signed copy,
// statistics), or to whoever the route is about. A route missing here fails the test, so a new
// route cannot ship without its row.
var apiMatrix = map[string]string{
	"GET /api/v1/openapi.json":                            "AAAAAAA",
	"GET /api/v1/checkpoints/latest":                      "AAAAAAA",
	"GET /api/v1/audit/public-key":                        "AAAAAAA",
	"GET /api/v1/me":                                      "UAAAAAA",
	"GET /api/v1/users":                                   "UAFFFFF",
	"POST /api/v1/users":                                  "UAFFFFF",
	"GET /api/v1/pipelines/current":                       "UAAAAAA",
	"GET /api/v1/pipelines/{id}":                          "UAAAAAA",
	"POST /api/v1/pipelines":                              "UAFFFFF",
	"POST /api/v1/companies":                              "UAAAAFF",
	"GET /api/v1/companies":                               "UAAAAAA",
	"GET /api/v1/companies/{id}":                          "UAAANAA",
	"POST /api/v1/deals":                                  "UAAAVFF",
	"GET /api/v1/deals":                                   "UAAAAAA",
	"GET /api/v1/deals/{id}":                              "UAAANAA",
	"POST /api/v1/deals/{id}/transitions":                 "UAAANFF", // the first stage lets reps, managers and admins move a deal on
	"POST /api/v1/deals/{id}/activities":                  "UAAANAF",
	"GET /api/v1/deals/{id}/activities":                   "UAAANAA",
	"POST /api/v1/deals/{id}/facts":                       "UAAANAF",
	"GET /api/v1/deals/{id}/facts":                        "UAAANAA",
	"GET /api/v1/deals/{id}/events":                       "UAAANAA",
	"POST /api/v1/deals/{id}/documents":                   "UAAANAF", // the back office makes an invoice, the others a proposal
	"GET /api/v1/deals/{id}/documents":                    "UAAANAA",
	"GET /api/v1/deals/{id}/documents/prefill":            "UAAANAA",
	"POST /api/v1/deals/{id}/documents/preview":           "UAAANAA", // stores nothing: a read, the auditor may
	"GET /api/v1/documents/{id}":                          "UAAANAA",
	"GET /api/v1/documents/{id}/pdf":                      "UAAANAA",
	"GET /api/v1/documents/{id}/docx":                     "UAAANAA",
	"POST /api/v1/documents/{id}/finalise":                "UAAANAF",
	"DELETE /api/v1/documents/{id}":                       "UAAANAF",
	"PUT /api/v1/companies/{id}":                          "UAAANFF",
	"POST /api/v1/documents/{id}/corrections":             "UAAANAF",
	"POST /api/v1/documents/{id}/signed-copies":           "UAAANAF",
	"GET /api/v1/documents/{id}/signed-copies/{aid}":      "UAAANAA",
	"GET /api/v1/deals/{id}/trail":                        "UAAANAA",
	"GET /api/v1/deals/{id}/verify":                       "UAAANAA",
	"GET /api/v1/deals/{id}/evidence.zip":                 "UAAANAA",
	"GET /api/v1/checkpoints/{size}/proof":                "UAAANAA", // ?deal= the owner's deal
	"GET /api/v1/checkpoints/{size}/consistency":          "UAAAAAA",
	"POST /api/v1/checkpoints":                            "UAFFFFA",
	"GET /api/v1/audit/verify":                            "UAFFFFA",
	"GET /api/v1/audit/reads":                             "UAFFFFA",
	"GET /api/v1/catalogue":                               "UAAAAAA",
	"POST /api/v1/catalogue":                              "UAFFFFF",
	"POST /api/v1/catalogue/import":                       "UAFFFFF",
	"GET /api/v1/seller":                                  "UAAAAAA",
	"PUT /api/v1/seller":                                  "UAFFFFF",
	"GET /api/v1/settings/numbering":                      "UAAAAAA",
	"PUT /api/v1/settings/numbering":                      "UAFFFFF",
	"GET /api/v1/templates":                               "UAAAAAA",
	"GET /api/v1/templates/builtin/{kind}/{format}":       "UAAAAAA",
	"GET /api/v1/templates/{id}/file":                     "UAAAAAA",
	"POST /api/v1/templates/{kind}/{format}":              "UAFFFFF",
	"POST /api/v1/templates/{kind}/{format}/activate":     "UAFFFFF",
	"GET /api/v1/stats/funnel":                            "UAAAAFA", // reps: their own figures; the back office has no statistics
	"GET /api/v1/stats/norms":                             "UAAAAFA",
	"GET /api/v1/stats/reps/{id}":                         "UAAAFFA", // the owner's statistics: another rep may not
	"GET /api/v1/stats/norms/snapshots":                   "UAAAAFA",
	"GET /api/v1/stats/norms/snapshots/{id}":              "UAAAAFA",
	"POST /api/v1/stats/norms/snapshots":                  "UAAFFFF",
	"POST /api/v1/stats/norms/snapshots/{id}/adjustments": "UAAFFFF",
	"GET /api/v1/training/stages/{key}/test":              "UAAAAAF",
	"GET /api/v1/training/course/test":                    "UAAAAAF",
	"POST /api/v1/training/attempts":                      "UAAANAF", // each submits their own attempt; another rep the owner's
	"GET /api/v1/training/attempts/{id}":                  "UAAANNN", // the owner's attempt: managers and admins read any
	"GET /api/v1/training/results":                        "UAAAAAA",
	"GET /api/v1/training/bank":                           "UAFFFFF",
	"PUT /api/v1/training/bank":                           "UAFFFFF",
	"GET /api/v1/training/policy":                         "UAFFFFF",
	"PUT /api/v1/training/policy":                         "UAFFFFF",
}

// site is a running server with one client per caller and the owning rep's objects.
type site struct {
	t                 *testing.T
	srv               *server
	c                 [nRoles]*client
	ids               map[string]int64 // user ids by role name
	company           int64
	deal              int64
	doc               int64  // a final proposal
	copyID            int64  // its signed copy
	snapshot          int64  // a saved norm set
	template          int64  // an uploaded template version
	pipeline          int64  // the current pipeline version
	attempt           int64  // the owning rep's training attempt
	checkpoint        uint64 // the size of the latest checkpoint
	firstCheckpoint   uint64 // an earlier one
	seq               atomic.Int64
	proposal, invoice map[string]any
	passwords         map[int]string
}

// newSite starts a server on SQLite and makes the callers and the owning rep's objects.
func newSite(t *testing.T) *site {
	t.Helper()
	srv := newServer(t, "dealgate-access", freeAddr(t), "DEALGATE_DATA_DIR="+t.TempDir())
	srv.start()
	s := &site{t: t, srv: srv, ids: map[string]int64{}, passwords: map[int]string{},
		proposal: exampleData(t, "proposal"), invoice: exampleData(t, "invoice")}
	s.c[anon] = newClient(srv.url(), "")
	s.c[admin] = newClient(srv.url(), srv.adminToken())
	for _, r := range []struct {
		role  int
		email string
		kind  string
	}{{manager, "manager@example.ru", "manager"}, {owner, "rep1@example.ru", "rep"}, {other, "rep2@example.ru", "rep"},
		{backoff, "backoffice@example.ru", "backoffice"}, {auditor, "auditor@example.ru", "auditor"}} {
		pw := "пароль-" + r.email + "-Zq9"
		s.passwords[r.role] = pw
		id, tok := createUser(t, s.c[admin], r.email, r.kind, pw)
		s.ids[roleNames[r.role]] = id
		s.c[r.role] = newClient(srv.url(), tok)
	}
	var co struct {
		ID int64 `json:"id"`
	}
	s.c[owner].must(t, "POST", "/api/v1/companies", companyBody("ООО «Ромашка»"), 201, &co)
	s.company = co.ID
	s.deal = s.newDeal()
	s.doc = s.newDocument(owner, true)
	s.copyID = s.signedCopy(s.doc)
	var obj struct {
		ID int64 `json:"id"`
	}
	s.c[manager].must(t, "POST", "/api/v1/stats/norms/snapshots", map[string]any{}, 201, &obj)
	s.snapshot = obj.ID
	s.c[admin].must(t, "GET", "/api/v1/pipelines/current", nil, 200, &obj)
	s.pipeline = obj.ID
	s.template = s.uploadTemplate()
	s.attempt = s.startAttempt(owner)
	var cp struct {
		Checkpoint struct {
			Size uint64 `json:"size"`
		} `json:"checkpoint"`
	}
	s.c[admin].must(t, "POST", "/api/v1/checkpoints", nil, 200, &cp)
	s.firstCheckpoint = cp.Checkpoint.Size
	s.newDeal()
	s.c[admin].must(t, "POST", "/api/v1/checkpoints", nil, 200, &cp)
	s.checkpoint = cp.Checkpoint.Size
	if s.firstCheckpoint == 0 || s.checkpoint <= s.firstCheckpoint {
		t.Fatalf("checkpoints of sizes %d and %d", s.firstCheckpoint, s.checkpoint)
	}
	return s
}

// uploadTemplate uploads the shipped DOCX template of the proposal as a new version.
func (s *site) uploadTemplate() int64 {
	s.t.Helper()
	tf, err := documents.Builtin("proposal", documents.DOCX)
	if err != nil {
		s.t.Fatal(err)
	}
	a, err := s.c[admin].send(context.Background(), "POST", "/api/v1/templates/proposal/docx?filename=proposal.docx", tf.Bytes,
		"Content-Type", "application/octet-stream")
	var out struct {
		ID int64 `json:"id"`
	}
	if err != nil || a.Status != 201 || json.Unmarshal(a.Body, &out) != nil || out.ID == 0 {
		s.t.Fatalf("template upload: %v %d %s", err, a.Status, tail(a.Body, 500))
	}
	return out.ID
}

// startAttempt starts role's attempt at the first stage's test.
func (s *site) startAttempt(role int) int64 {
	s.t.Helper()
	var out struct {
		AttemptID int64 `json:"attempt_id"`
	}
	a, err := s.c[role].send(context.Background(), "GET", "/api/v1/training/stages/research/test", nil)
	if err != nil || a.Status >= 300 || json.Unmarshal(a.Body, &out) != nil || out.AttemptID == 0 {
		s.t.Fatalf("start an attempt as %s: %v %d %s", roleNames[role], err, a.Status, tail(a.Body, 300))
	}
	return out.AttemptID
}

// newDeal makes a fresh deal of the owning rep at the first stage.
func (s *site) newDeal() int64 {
	s.t.Helper()
	var d struct {
		ID int64 `json:"id"`
	}
	s.c[owner].must(s.t, "POST", "/api/v1/deals", map[string]any{"company_id": s.company, "title": "Сделка", "amount": "1500000.00",
		"cost": "1100000.00", "currency": "RUB"}, 201, &d)
	return d.ID
}

// newCompany makes a client company of the owning rep (for writes that change a company).
func (s *site) newCompany() int64 {
	s.t.Helper()
	var c struct {
		ID int64 `json:"id"`
	}
	s.c[owner].must(s.t, "POST", "/api/v1/companies", companyBody(fmt.Sprintf("ООО «Клиент %d»", s.seq.Add(1))), 201, &c)
	return c.ID
}

// docKindFor is the kind a caller prepares: the back office an invoice, everyone else a
// proposal.
func (s *site) docKindFor(role int) (string, map[string]any) {
	if role == backoff {
		return "invoice", s.invoice
	}
	return "proposal", s.proposal
}

// newDocument makes a document on a fresh deal of the owning rep, of the kind role prepares
// (made by the manager for the back office's invoices), final or a draft.
func (s *site) newDocument(role int, final bool) int64 {
	s.t.Helper()
	kind, data := s.docKindFor(role)
	maker := owner
	if kind == "invoice" {
		maker = manager
	}
	var d struct {
		ID int64 `json:"id"`
	}
	s.c[maker].must(s.t, "POST", fmt.Sprintf("/api/v1/deals/%d/documents", s.newDeal()), map[string]any{"kind": kind, "final": final, "data": data}, 201, &d)
	return d.ID
}

func (s *site) signedCopy(doc int64) int64 {
	s.t.Helper()
	a, err := s.c[owner].send(context.Background(), "POST", fmt.Sprintf("/api/v1/documents/%d/signed-copies?filename=scan.pdf", doc), []byte("%PDF-1.4\n% signed\n"),
		"Content-Type", "application/pdf")
	if err != nil || a.Status != 201 {
		s.t.Fatalf("signed copy: %v %d %s", err, a.Status, a.Body)
	}
	var out struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(a.Body, &out)
	return out.ID
}

// sweepRequest is one request of the sweep.
type sweepRequest struct {
	method, path string
	body         any
	hdr          []string
	missing      string // the same request on an object that does not exist ("" if none)
	freshDeal    int64  // the fresh deal a write went to (0: none)
	freshDoc     int64  // the fresh document a write went to (0: none)
}

var paramRE = regexp.MustCompile(`\{[a-z_]+\}`)

// requestFor builds the request of route for role: valid for a caller who may, so that only
// the access rules decide. Writes on deals and documents go to fresh objects of the owning
// rep, so that one cell's success cannot change another's answer.
func (s *site) requestFor(route string, role int) sweepRequest {
	s.t.Helper()
	method, path, _ := strings.Cut(route, " ")
	write := method != http.MethodGet
	deal, doc := s.deal, s.doc
	r := sweepRequest{method: method}
	if write && strings.Contains(path, "/deals/{id}") {
		deal = s.newDeal()
		r.freshDeal = deal
	}
	if write && strings.HasPrefix(path, "/api/v1/documents/{id}") {
		// Finalising and deleting take a draft; the other writes a final document.
		doc = s.newDocument(role, !strings.HasSuffix(path, "/finalise") && method != http.MethodDelete)
		r.freshDoc = doc
	}
	company := s.company
	if write && strings.HasPrefix(path, "/api/v1/companies/{id}") {
		company = s.newCompany()
	}
	n := s.seq.Add(1)
	kind, data := s.docKindFor(role)
	fill := func(p string, deal, doc, company int64) string {
		return paramRE.ReplaceAllStringFunc(p, func(m string) string {
			switch {
			case m == "{aid}":
				return fmt.Sprint(s.copyID)
			case m == "{kind}":
				return "proposal"
			case m == "{format}":
				return "docx"
			case m == "{key}":
				return "research"
			case strings.Contains(p, "/deals/"+m):
				return fmt.Sprint(deal)
			case strings.Contains(p, "/documents/"+m):
				return fmt.Sprint(doc)
			case strings.Contains(p, "/companies/"+m):
				return fmt.Sprint(company)
			case strings.Contains(p, "/stats/reps/"+m):
				return fmt.Sprint(s.ids[roleNames[owner]])
			}
			return s.objectFor(p, m)
		})
	}
	r.path = fill(path, deal, doc, company)
	if strings.Contains(path, "/deals/{id}") || strings.Contains(path, "/documents/{id}") || strings.Contains(path, "/companies/{id}") {
		r.missing = fill(path, 987654, 987654, 987654)
	}
	switch route {
	case "POST /api/v1/users":
		r.body = map[string]any{"email": fmt.Sprintf("new%d@example.ru", n), "role": "rep"}
	case "POST /api/v1/pipelines":
		r.body = map[string]any{"yaml": string(templates.DefaultPipeline())}
	case "POST /api/v1/companies":
		r.body = companyBody(fmt.Sprintf("ООО «Компания %d»", n))
	case "POST /api/v1/deals":
		r.body = map[string]any{"company_id": s.company, "title": "Сделка", "amount": "100.00", "cost": "50.00", "currency": "RUB"}
	case "POST /api/v1/deals/{id}/transitions":
		r.body = map[string]any{"action": "advance", "expected_version": 1}
	case "POST /api/v1/deals/{id}/activities":
		r.body = map[string]any{"kind": "call", "note": "звонок"}
	case "POST /api/v1/deals/{id}/facts":
		r.body = map[string]any{"kind": "needs", "summary": "компрессоры"}
	case "POST /api/v1/deals/{id}/documents", "POST /api/v1/deals/{id}/documents/preview":
		r.body = map[string]any{"kind": kind, "final": true, "data": data}
	case "POST /api/v1/documents/{id}/corrections":
		r.body = map[string]any{"data": data}
	case "POST /api/v1/documents/{id}/finalise":
		r.body = map[string]any{}
	case "DELETE /api/v1/documents/{id}":
		r.body = nil
	case "PUT /api/v1/companies/{id}":
		body := map[string]any{"expected_version": 1}
		for k, v := range companyBody(fmt.Sprintf("ООО «Клиент %d, правка»", n)) {
			body[k] = v
		}
		r.body = body
	case "POST /api/v1/documents/{id}/signed-copies":
		r.path += "?filename=scan.pdf"
		r.body, r.hdr = []byte("%PDF-1.4\n% signed\n"), []string{"Content-Type", "application/pdf"}
		if r.missing != "" {
			r.missing += "?filename=scan.pdf"
		}
	case "POST /api/v1/catalogue/import":
		r.body, r.hdr = []byte(fmt.Sprintf("sku,name,unit,okei,price,cost,vat_rate\nCSV-%d,Винт,шт,796,1.50,1.00,22\n", n)), []string{"Content-Type", "text/csv"}
	case "POST /api/v1/templates/{kind}/{format}":
		tf, err := documents.Builtin("proposal", documents.DOCX)
		if err != nil {
			s.t.Fatal(err)
		}
		r.path += "?filename=proposal.docx"
		r.body, r.hdr = tf.Bytes, []string{"Content-Type", "application/octet-stream"}
	case "PUT /api/v1/training/bank":
		a, err := s.c[admin].send(context.Background(), "GET", "/api/v1/training/bank", nil)
		if err != nil || a.Status != 200 {
			s.t.Fatalf("the question bank: %v %d", err, a.Status)
		}
		r.body, r.hdr = a.Body, []string{"Content-Type", "application/yaml"}
	case "POST /api/v1/training/attempts":
		id := s.attempt
		if role != anon && role != other && role != auditor {
			id = s.startAttempt(role)
		}
		r.body = map[string]any{"attempt_id": id, "answers": map[string][]string{}}
	case "GET /api/v1/checkpoints/{size}/proof":
		r.path += fmt.Sprintf("?deal=%d", s.deal)
	case "GET /api/v1/checkpoints/{size}/consistency":
		r.path += fmt.Sprintf("?from=%d", s.firstCheckpoint)
	case "GET /api/v1/deals/{id}/documents/prefill":
		r.path += "?kind=proposal"
		r.missing += "?kind=proposal"
	default:
		if write {
			r.body = s.adminBody(route, n)
		}
	}
	return r
}

// objectFor names an existing object for the other path parameters.
func (s *site) objectFor(path, param string) string {
	s.t.Helper()
	switch {
	case strings.HasPrefix(path, "/api/v1/pipelines/"):
		return fmt.Sprint(s.pipeline)
	case strings.HasPrefix(path, "/api/v1/templates/"):
		return fmt.Sprint(s.template)
	case strings.HasPrefix(path, "/api/v1/stats/norms/snapshots/"):
		return fmt.Sprint(s.snapshot)
	case strings.HasPrefix(path, "/api/v1/training/attempts/"):
		return fmt.Sprint(s.attempt)
	case strings.HasPrefix(path, "/api/v1/checkpoints/"):
		return fmt.Sprint(s.checkpoint)
	}
	s.t.Fatalf("no object for %s in %s", param, path)
	return ""
}

// adminBody is a valid body for the settings routes.
func (s *site) adminBody(route string, n int64) any {
	s.t.Helper()
	switch route {
	case "POST /api/v1/catalogue":
		return map[string]any{"items": []map[string]string{{"sku": fmt.Sprintf("SKU-%d", n), "name": "Компрессор", "unit": "шт", "price": "100.00", "cost": "60.00", "vat_rate": "22"}}}
	case "PUT /api/v1/seller":
		return s.proposal["seller"]
	case "PUT /api/v1/settings/numbering":
		return map[string]string{"invoice": "СЧ-{YYYY}-{NNNNNN}"}
	case "POST /api/v1/templates/{kind}/{format}/activate":
		return map[string]any{"version": 0}
	case "PUT /api/v1/training/policy":
		return map[string]any{}
	case "POST /api/v1/checkpoints", "POST /api/v1/stats/norms/snapshots":
		return map[string]any{}
	case "POST /api/v1/stats/norms/snapshots/{id}/adjustments":
		return map[string]any{"metric": "calls_per_week", "value": 12, "reason": "норма по звонкам на квартал"}
	}
	s.t.Fatalf("no body for %s", route)
	return nil
}

// unchanged checks that a refused write left its fresh deal or document as it was made.
func (s *site) unchanged(route string, role int, req sweepRequest) {
	s.t.Helper()
	if req.freshDeal != 0 {
		var d struct {
			Version int64 `json:"version"`
		}
		var evs struct {
			Items []json.RawMessage `json:"items"`
		}
		s.c[admin].must(s.t, "GET", fmt.Sprintf("/api/v1/deals/%d", req.freshDeal), nil, 200, &d)
		s.c[admin].must(s.t, "GET", fmt.Sprintf("/api/v1/deals/%d/events", req.freshDeal), nil, 200, &evs)
		var docs struct {
			Items []json.RawMessage `json:"items"`
		}
		s.c[admin].must(s.t, "GET", fmt.Sprintf("/api/v1/deals/%d/documents", req.freshDeal), nil, 200, &docs)
		if d.Version != 1 || len(evs.Items) != 1 || len(docs.Items) != 0 {
			s.t.Errorf("%s refused to %s changed the deal: version %d, %d events, %d documents", route, roleNames[role], d.Version, len(evs.Items), len(docs.Items))
		}
	}
	if req.freshDoc != 0 {
		var detail struct {
			Document struct {
				DealID int64  `json:"deal_id"`
				Status string `json:"status"`
			} `json:"document"`
			SignedCopies []json.RawMessage `json:"signed_copies"`
		}
		s.c[admin].must(s.t, "GET", fmt.Sprintf("/api/v1/documents/%d", req.freshDoc), nil, 200, &detail)
		d := detail.Document
		var docs struct {
			Items []json.RawMessage `json:"items"`
		}
		s.c[admin].must(s.t, "GET", fmt.Sprintf("/api/v1/deals/%d/documents", d.DealID), nil, 200, &docs)
		wantStatus := "final"
		if strings.HasSuffix(route, "/finalise") || strings.HasPrefix(route, "DELETE ") {
			wantStatus = "draft"
		}
		if d.Status != wantStatus || len(docs.Items) != 1 || len(detail.SignedCopies) != 0 {
			s.t.Errorf("%s refused to %s changed the document: %s, %d documents on its deal, %d signed copies", route, roleNames[role], d.Status, len(docs.Items), len(detail.SignedCopies))
		}
	}
}

// outcome classifies an answer into a matrix letter ("?" for anything else).
func outcome(a answer) string {
	p, ok := a.problem()
	switch {
	case a.Status >= 200 && a.Status < 300:
		return "A"
	case !ok:
		return "?"
	case a.Status == 401 && p.Type == "/problems/unauthorized":
		return "U"
	case a.Status == 403 && p.Type == "/problems/forbidden":
		return "F"
	case a.Status == 404 && p.Type == "/problems/not-found":
		return "N"
	case a.Status == 422 && p.Type == "/problems/invalid" && p.Field != "":
		return "V"
	}
	return "?"
}

// apiRoutesOf reads the routes from the server's OpenAPI document.
func apiRoutesOf(t *testing.T, c *client) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	c.must(t, "GET", "/api/v1/openapi.json", nil, 200, &doc)
	var out []string
	for p, ops := range doc.Paths {
		for m := range ops {
			out = append(out, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(out)
	if len(out) < 40 {
		t.Fatalf("the OpenAPI document lists only %d routes", len(out))
	}
	return out
}

// TestAccessMatrix sends every API route of the fully wired server (from its OpenAPI
// document) as every role and as no one, with the owning rep's objects in the path, and
// compares each answer with apiMatrix.
func TestAccessMatrix(t *testing.T) {
	skipShort(t)
	s := newSite(t)
	routes := apiRoutesOf(t, s.c[anon])
	var missing []string
	for _, route := range routes {
		want, ok := apiMatrix[route]
		got := ""
		for role := range nRoles {
			req := s.requestFor(route, role)
			a, err := s.c[role].send(context.Background(), req.method, req.path, req.body, req.hdr...)
			if err != nil {
				t.Fatalf("%s as %s: %v", route, roleNames[role], err)
			}
			letter := outcome(a)
			got += letter
			if ok && letter != string(want[role]) {
				t.Errorf("%s as %s: %d %s — want %c", route, roleNames[role], a.Status, tail(a.Body, 300), want[role])
			}
			if letter == "N" && req.missing != "" {
				// Another rep's object answers exactly like one that does not exist.
				b, err := s.c[role].send(context.Background(), req.method, req.missing, req.body, req.hdr...)
				p1, _ := a.problem()
				p2, _ := b.problem()
				if err != nil || b.Status != a.Status || p1.Type != p2.Type || p1.Title != p2.Title || p1.Detail != p2.Detail {
					t.Errorf("%s as %s: another rep's object answers %d %s, a missing one %d %s", route, roleNames[role], a.Status, a.Body, b.Status, b.Body)
				}
			}
			if letter != "A" {
				s.unchanged(route, role, req)
			}
		}
		if !ok {
			missing = append(missing, fmt.Sprintf("%q: %q,", route, got))
		}
	}
	if len(missing) > 0 {
		t.Errorf("routes without a row in apiMatrix (observed answers shown):\n%s", strings.Join(missing, "\n"))
	}

	// Lists never show another rep's objects, whatever the filter asks for.
	ownerID := s.ids[roleNames[owner]]
	for _, path := range []string{"/api/v1/deals", fmt.Sprintf("/api/v1/deals?owner_id=%d", ownerID), fmt.Sprintf("/api/v1/deals?company_id=%d", s.company),
		"/api/v1/deals?stage=research&status=open&limit=200", "/api/v1/companies", "/api/v1/companies?q=7707083893",
		fmt.Sprintf("/api/v1/training/results?user_id=%d", ownerID)} {
		var l struct {
			Items []json.RawMessage `json:"items"`
		}
		a, err := s.c[other].send(context.Background(), "GET", path, nil)
		if err != nil || a.Status != 200 || json.Unmarshal(a.Body, &l) != nil {
			t.Errorf("another rep's %s: %v %d %s", path, err, a.Status, tail(a.Body, 300))
			continue
		}
		for _, it := range l.Items {
			var o struct {
				ID      int64 `json:"id"`
				OwnerID int64 `json:"owner_id"`
				UserID  int64 `json:"user_id"`
			}
			json.Unmarshal(it, &o)
			if o.OwnerID == ownerID || o.UserID == ownerID || (strings.Contains(path, "companies") && o.ID == s.company) {
				t.Errorf("another rep's %s lists the owner's %s", path, it)
			}
		}
	}
	for _, path := range []string{fmt.Sprintf("/api/v1/stats/funnel?rep_id=%d", ownerID), fmt.Sprintf("/api/v1/stats/norms?rep_id=%d", ownerID),
		fmt.Sprintf("/api/v1/stats/funnel?rep_id=%d&format=csv", ownerID)} {
		a, err := s.c[other].send(context.Background(), "GET", path, nil)
		if p, ok := a.problem(); err != nil || a.Status != 403 || !ok || p.Type != "/problems/forbidden" {
			t.Errorf("another rep's %s: %v %d %s", path, err, a.Status, tail(a.Body, 300))
		}
	}
}
