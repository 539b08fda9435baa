package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/audit"
	"github.com/dealgate/dealgate/stats"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// fuzzEnv is a fully routed server (the API plus the audit, statistics and training routes)
// on a seeded SQLite store, with a deal, a final document, a draft and a norm snapshot for the
// routes' parameters.
type fuzzEnv struct {
	*env
	routes []route // every route that takes a body, parameters filled, sorted
	paths  []string
	tokens []string // admin, manager, rep (owner), back office, auditor, another rep, none
}

func newFuzzEnv(tb testing.TB) *fuzzEnv {
	tb.Helper()
	st := storagetest.NewStore(tb, storage.SQLite)
	f := storagetest.Seed(tb, st)
	srv := api.NewServer(st, storagetest.Logger(tb))
	srv.Extra = append(srv.Extra, audit.New(st, tb.TempDir(), srv.Logger()).Routes(), (&stats.API{Svc: stats.NewService(st)}).Routes, api.TrainingRoutes)
	e := &fuzzEnv{env: &env{st: st, f: f, srv: srv, h: srv.Handler()}}
	e.tokens = []string{f.Admin.Token, f.Manager.Token, f.Rep1.Token, f.Backoffice.Token, f.Auditor.Token, f.Rep2.Token, ""}

	d := e.createDeal(tb, f.Rep1.Token, f.Company.ID)
	var final, draft, snap struct {
		ID int64 `json:"id"`
	}
	docs := fmt.Sprintf("/api/v1/deals/%d/documents", d.ID)
	e.do(tb, "POST", docs, f.Rep1.Token, `{"kind":"proposal","final":true,"data":`+fuzzExample(tb, "proposal")+`}`).want(tb, 201).decode(tb, &final)
	e.do(tb, "POST", docs, f.Rep1.Token, `{"kind":"proposal","final":false,"data":`+fuzzExample(tb, "proposal")+`}`).want(tb, 201).decode(tb, &draft)
	e.do(tb, "POST", "/api/v1/stats/norms/snapshots", f.Manager.Token, `{}`).want(tb, 201).decode(tb, &snap)

	for _, r := range srv.Echo().Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		p := r.Path
		for _, rep := range [][2]string{
			{"/deals/:id", fmt.Sprintf("/deals/%d", d.ID)},
			{"/companies/:id", fmt.Sprintf("/companies/%d", e.f.Company.ID)},
			{"/documents/:id/finalise", fmt.Sprintf("/documents/%d/finalise", draft.ID)},
			{"/documents/:id", fmt.Sprintf("/documents/%d", final.ID)},
			{"/snapshots/:id", fmt.Sprintf("/snapshots/%d", snap.ID)},
			{":kind/:format", "proposal/docx"},
		} {
			p = strings.Replace(p, rep[0], rep[1], 1)
		}
		if strings.Contains(p, ":") {
			tb.Fatalf("fuzz: no value for the parameters of %s %s", r.Method, r.Path)
		}
		e.routes = append(e.routes, route{r.Method, r.Path})
		e.paths = append(e.paths, p)
	}
	idx := make([]int, len(e.routes))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return e.routes[idx[a]].String() < e.routes[idx[b]].String() })
	rs, ps := make([]route, len(idx)), make([]string, len(idx))
	for i, j := range idx {
		rs[i], ps[i] = e.routes[j], e.paths[j]
	}
	e.routes, e.paths = rs, ps
	if len(e.routes) < 20 {
		tb.Fatalf("fuzz: only %d routes take a body: %v", len(e.routes), e.routes)
	}
	return e
}

// fuzzExample returns the shipped example data of a document kind as JSON.
func fuzzExample(tb testing.TB, kind string) string {
	tb.Helper()
	b, err := fs.ReadFile(templates.Examples(), kind+".json")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// fuzzContentTypes are what the fuzzer chooses from: JSON, the route's own kind of body, none, a broken
// multipart form, YAML, CSV.
var fuzzContentTypes = []string{"application/json", "application/octet-stream", "", "multipart/form-data; boundary=xyz", "application/yaml", "text/csv", "application/pdf"}

// checkAnswer fails unless the answer is below 500 and, when it refuses, is a problem
// document that names the problem.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: %d %s", what, rec.Code, rec.Body.Bytes())
	}
	if rec.Code < 400 {
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s: %d with Content-Type %q: %s", what, rec.Code, ct, rec.Body.Bytes())
	}
	var p api.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Type == "" || p.Title == "" || p.Status != rec.Code {
		t.Fatalf("%s: %d, not a problem document: %s", what, rec.Code, rec.Body.Bytes())
	}
	if p.Detail == "" && p.Field == "" && len(p.Errors) == 0 {
		t.Fatalf("%s: %d problem names nothing: %s", what, rec.Code, rec.Body.Bytes())
	}
}

// FuzzAPIBodies posts fuzzed bodies to every route that takes one (POST, PUT, PATCH, DELETE
// under /api/v1, the audit, statistics and training routes included), as every role and as no
// one, with a fuzzed Content-Type and file name, through the real handler on a real database.
// Nothing may answer 5xx, and every refusal must be a problem document naming the problem.
func FuzzAPIBodies(f *testing.F) {
	e := newFuzzEnv(f)
	proposal := fuzzExample(f, "proposal")
	invoice := fuzzExample(f, "invoice")
	seeds := map[string][]string{
		"POST /api/v1/companies":                             {`{"name":"ООО «Ромашка»","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195","address":"г. Москва","bank_name":"ПАО Сбербанк","bik":"044525225","corr_account":"30101810400000000225","account":"40702810938000012345"}`, `{"name":"<script>alert(1)</script>","inn":"7707083894"}`},
		"PUT /api/v1/companies/:id":                          {`{"name":"ООО «Ромашка»","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195","address":"г. Москва","bank_name":"ПАО Сбербанк","bik":"044525225","corr_account":"30101810400000000225","account":"40702810938000012345","expected_version":1}`, `{"name":"x","inn":"7707083893","expected_version":-1}`},
		"POST /api/v1/deals":                                 {fmt.Sprintf(`{"company_id":%d,"title":"Сделка","amount":"1500000.00","cost":"1100000.00","currency":"RUB"}`, e.f.Company.ID), `{"company_id":1,"amount":"1e400"}`, `{"company_id":-1,"amount":"-0.001"}`},
		"POST /api/v1/deals/:id/transitions":                 {`{"action":"advance","expected_version":1}`, `{"action":"skip","reason":"","to":"feedback"}`, `{"action":"win","expected_version":9223372036854775807}`},
		"POST /api/v1/deals/:id/activities":                  {`{"kind":"call","note":"звонок"}`, `{"kind":"meeting","decision_maker":true,"at":"2026-13-45"}`},
		"POST /api/v1/deals/:id/facts":                       {`{"kind":"needs","summary":"компрессоры"}`, `{"kind":"payment","amount":"1500000.00","date":"2026-03-01"}`, `{"kind":"tender","outcome":"maybe"}`},
		"POST /api/v1/deals/:id/documents":                   {`{"kind":"proposal","final":true,"data":` + proposal + `}`, `{"kind":"invoice","final":true,"data":` + invoice + `}`, `{"kind":"specification","final":true,"data":{}}`, `{"kind":"proposal","data":null}`},
		"POST /api/v1/deals/:id/documents/preview":           {`{"kind":"proposal","data":` + proposal + `}`},
		"POST /api/v1/documents/:id/corrections":             {`{"data":` + proposal + `}`, `{"data":{"lines":[{"qty":"-1"}]}}`},
		"POST /api/v1/documents/:id/finalise":                {`{}`},
		"POST /api/v1/documents/:id/signed-copies":           {"%PDF-1.4\n%%EOF\n", "\x89PNG\r\n\x1a\n"},
		"POST /api/v1/users":                                 {`{"email":"new@example.ru","role":"rep","password":"long enough password"}`, `{"email":"x","role":"god"}`},
		"POST /api/v1/pipelines":                             {`{"yaml":"key: corporate\nstages: []\n"}`, "key: x\nstages:\n  - key: a\n    requires: [{document: nope}]\n"},
		"POST /api/v1/catalogue":                             {`{"items":[{"sku":"A-1","name":"Компрессор","unit":"шт","price":"100.00","vat_rate":"22"}]}`, `[{"sku":"=HYPERLINK(\"http://x\")","price":"1"}]`},
		"POST /api/v1/catalogue/import":                      {"sku,name,unit,okei,price,cost,vat_rate\nA-1,Компрессор,шт,796,100.00,50.00,22\n", "sku,name\n=cmd|' /C calc'!A0,x\n"},
		"PUT /api/v1/seller":                                 {`{"name":"ООО «Продавец»","inn":"7707083893"}`},
		"PUT /api/v1/settings/numbering":                     {`{"invoice":"СЧ-{YYYY}-{NNNNNN}"}`, `{"invoice":"{NNNNNNNNNNNNNNNNNNNNNNNN}"}`, `{"proposal":""}`},
		"POST /api/v1/templates/:kind/:format":               {"PK\x03\x04", "<layout/>"},
		"POST /api/v1/templates/:kind/:format/activate":      {`{"version":0}`, `{"version":99}`},
		"POST /api/v1/checkpoints":                           {``, `{}`},
		"POST /api/v1/stats/norms/snapshots":                 {`{}`, `{"from":"2026-01-01","to":"2025-01-01","measure":"profit","top_n":0}`},
		"POST /api/v1/stats/norms/snapshots/:id/adjustments": {`{"stage":"research","metric":"conversion","value":0.5,"reason":"рука"}`, `{"metric":"x","value":"NaN"}`},
		"POST /api/v1/training/attempts":                     {`{"attempt_id":1,"answers":{"q1":["a"]}}`, `{"attempt_id":-1}`},
		"PUT /api/v1/training/bank":                          {`{"yaml":"stages: {}"}`, "version: 1\n"},
		"PUT /api/v1/training/policy":                        {`{"pass_percent":80}`, `{"pass_percent":101}`},
	}
	generic := []string{``, `{`, `[]`, `null`, `"x"`, `{"a":1}{"b":2}`, strings.Repeat("[", 20000), `{"x":` + strings.Repeat(`{"x":`, 3000) + `1` + strings.Repeat(`}`, 3001),
		"\xff\xfe\x00", `{"kind":"proposal","final":true,"data":{"number":"1","lines":[{"qty":"1e308","price":"99999999999999999999.99"}]}}`}
	// Each route gets its own seeds and a broken body; the generic hostile bodies go to a
	// spread of routes (the fuzzer moves them to the others), which keeps the seed corpus, and
	// the replay of it that starts every fuzzing run, small.
	for i, r := range e.routes {
		bodies := append(append([]string(nil), seeds[r.String()]...), `{`, `null`)
		for j, b := range bodies {
			f.Add(uint8(i), uint8(j%len(e.tokens)), uint8(0), "", []byte(b))
		}
		f.Add(uint8(i), uint8(2), uint8(3), "../a.docx", []byte("--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../a.docx\"\r\n\r\nPK\r\n--xyz--\r\n"))
	}
	for j, b := range generic {
		f.Add(uint8(j*7), uint8(j), uint8(j), "../../etc/passwd", []byte(b))
	}
	f.Fuzz(func(t *testing.T, ri, who, cti uint8, filename string, body []byte) {
		i := int(ri) % len(e.routes)
		r, path := e.routes[i], e.paths[i]
		if filename != "" {
			path += "?filename=" + url.QueryEscape(filename)
		}
		req := httptest.NewRequest(r.Method, path, bytes.NewReader(body))
		if ct := fuzzContentTypes[int(cti)%len(fuzzContentTypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if tok := e.tokens[int(who)%len(e.tokens)]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		checkAnswer(t, fmt.Sprintf("%s as %d with %q", r, int(who)%len(e.tokens), req.Header.Get("Content-Type")), rec)
	})
}

// FuzzCatalogueCSV feeds arbitrary bytes to the catalogue CSV reader of the import (POST
// /api/v1/catalogue/import and the admin page): no panic; a refusal is a domain error naming
// what is wrong; an accepted file gives at most MaxCatalogueItems rows. (The rows' values are
// checked when they are stored; FuzzAPIBodies posts files through that path.)
func FuzzCatalogueCSV(f *testing.F) {
	f.Add([]byte("sku,name,unit,okei,price,cost,vat_rate\nA-1,Компрессор,шт,796,100.00,50.00,22\n"))
	f.Add([]byte("\xef\xbb\xbfsku;name;price\nA-1;\"Винт; М6\";1,50\n"))
	f.Add([]byte("sku,name,price\n=cmd|' /C calc'!A0,+x,-1\n"))
	f.Add([]byte("sku,name,price\n\"unterminated,x,1\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := api.ParseCatalogueCSV(body)
		if err != nil {
			if workflow.Code(err) != workflow.EINVALID || strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("refusal %#v is not an EINVALID naming the problem", err)
			}
			return
		}
		if len(items) > api.MaxCatalogueItems {
			t.Fatalf("%d rows accepted, the limit is %d", len(items), api.MaxCatalogueItems)
		}
	})
}
