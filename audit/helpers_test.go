package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/audit"
	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

var bg = context.Background()

// env is a seeded database with the audit service and an API server that has its routes.
type env struct {
	t   testing.TB
	st  *storage.Store
	f   *storagetest.Fixture
	svc *audit.Service
	url string
}

func newEnv(t testing.TB, st *storage.Store) *env {
	t.Helper()
	f := storagetest.Seed(t, st)
	dir, err := audit.KeyDirFor(bg, st)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dialect() == storage.SQLite && dir == "" {
		t.Fatal("KeyDirFor found no directory for an SQLite file")
	}
	svc := audit.New(st, dir, storagetest.Logger(t))
	as := api.NewServer(st, storagetest.Logger(t))
	as.Extra = append(as.Extra, svc.Routes())
	srv := httptest.NewServer(as.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, st: st, f: f, svc: svc, url: srv.URL}
}

// do sends a request with the token and returns the status and body.
func (e *env) do(method, path, token string) (int, []byte, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// getJSON fetches path and decodes a 200 answer into v.
func (e *env) getJSON(path, token string, v any) {
	e.t.Helper()
	status, body, _ := e.do(http.MethodGet, path, token)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s: status %d: %s", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		e.t.Fatalf("GET %s: %v: %s", path, err, body)
	}
}

// verifyAPI asks the server to verify the deal.
func (e *env) verifyAPI(dealID int64) evidence.Report {
	e.t.Helper()
	var rep evidence.Report
	e.getJSON(fmt.Sprintf("/api/v1/deals/%d/verify", dealID), e.f.Auditor.Token, &rep)
	return rep
}

// bundleAPI downloads the deal's evidence bundle.
func (e *env) bundleAPI(dealID int64) []byte {
	e.t.Helper()
	status, body, h := e.do(http.MethodGet, fmt.Sprintf("/api/v1/deals/%d/evidence.zip", dealID), e.f.Auditor.Token)
	if status != http.StatusOK {
		e.t.Fatalf("evidence.zip of deal %d: status %d: %s", dealID, status, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/zip" {
		e.t.Fatalf("evidence.zip Content-Type = %q", ct)
	}
	return body
}

// publicKey fetches the published verifier key without credentials.
func (e *env) publicKey() string {
	e.t.Helper()
	var pk audit.PublicKey
	e.getJSON("/api/v1/audit/public-key", "", &pk)
	return pk.VerifierKey
}

// verifyOffline checks a bundle with the pinned key, as `dealgate verify` does.
func verifyOffline(t testing.TB, bundle []byte, key string) *evidence.Report {
	t.Helper()
	rep, err := evidence.VerifyBundle(bytes.NewReader(bundle), int64(len(bundle)), evidence.BundleOptions{Key: key})
	if err != nil {
		t.Fatalf("VerifyBundle: %v", err)
	}
	return rep
}

// fakeRender is what the test "renderer" makes of a document's data: deterministic bytes, so
// re-rendering reproduces them, and distinct per document, so no two files share a blob.
func fakeRender(format string, data []byte) []byte {
	var b bytes.Buffer
	if format == "pdf" {
		b.WriteString("%PDF-1.7\n")
	} else {
		b.WriteString("PK\x03\x04 docx\n")
	}
	b.Write(data)
	for b.Len() < 2048 {
		b.WriteString(" padding for a realistic size;")
	}
	return b.Bytes()
}

func fakeRerender(_ context.Context, d storage.Document) ([]byte, []byte, error) {
	return fakeRender("pdf", d.Data), fakeRender("docx", d.Data), nil
}

// finalise stores a final document through storage.Finalise (the documents API is not part of
// these tests), or a correction of supersedes when it is not nil.
func finalise(t testing.TB, st *storage.Store, dealID int64, kind workflow.DocumentKind, actor workflow.Actor, supersedes *storage.Document,
	tpls []storage.TemplateRef, extra string) storage.Document {
	t.Helper()
	req := storage.FinaliseRequest{DealID: dealID, Kind: kind, Actor: actor, Prepare: func(ctx context.Context, num *storage.Numbering, prev *storage.Document) (storage.Rendered, error) {
		var number string
		var seq int64
		if prev != nil {
			number, seq = prev.Number, prev.Seq
		} else {
			n, err := num.Next("main", 2026)
			if err != nil {
				return storage.Rendered{}, err
			}
			number, seq = fmt.Sprintf("%s-2026-%04d", strings.ToUpper(string(kind)[:2]), n), n
		}
		data, err := workflow.CanonicalJSON(map[string]any{"number": number, "kind": kind, "buyer": "ООО «Ромашка» & <партнёры>", "note": extra})
		if err != nil {
			return storage.Rendered{}, err
		}
		return storage.Rendered{Number: number, Seq: seq, Scope: "main", Data: data, PDF: fakeRender("pdf", data), DOCX: fakeRender("docx", data), Templates: tpls}, nil
	}}
	if supersedes != nil {
		req.SupersedesID = supersedes.ID
	}
	d, err := st.Finalise(bg, req)
	if err != nil {
		t.Fatalf("finalise %s: %v", kind, err)
	}
	return d
}

// richDeal is a deal with every kind of event: creation, transitions (advance and skip), an
// activity, facts (payment, shipment), a document finalised and corrected (supersession), a
// second document with a signed copy, and an uploaded template.
type richDeal struct {
	deal     workflow.Deal
	docs     []storage.Document // every version, in creation order
	signed   storage.Attachment
	template storage.StoredTemplate
}

func buildRichDeal(t testing.TB, e *env, title string) richDeal {
	t.Helper()
	st, f := e.st, e.f
	actor := f.Rep1.Actor()
	var r richDeal
	r.deal = storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, title)
	id := r.deal.ID
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.Transition(bg, id, workflow.Transition{Action: workflow.ActionAdvance}, actor)
	must(err)
	_, err = st.AddActivity(bg, storage.Activity{DealID: id, Kind: workflow.ActivityCall, Note: "звонок: интерес к компрессорам"}, actor)
	must(err)
	_, err = st.Transition(bg, id, workflow.Transition{Action: workflow.ActionAdvance}, actor)
	must(err)
	_, err = st.Transition(bg, id, workflow.Transition{Action: workflow.ActionSkip, Reason: "встреча не нужна: клиент знает продукт"}, actor)
	must(err)
	admin := f.Admin.ID
	r.template, err = st.SaveTemplate(bg, workflow.DocProposal, "docx", "kp-"+title+".docx", []byte("PK template for "+title), &admin)
	must(err)
	tpls := []storage.TemplateRef{{Format: "pdf", Name: "shipped"}, {Format: "docx", ID: r.template.ID, Version: r.template.Version, SHA256: r.template.SHA256, Name: r.template.Filename}}
	p1 := finalise(t, st, id, workflow.DocProposal, actor, nil, tpls, title+" v1")
	p2 := finalise(t, st, id, workflow.DocProposal, actor, &p1, tpls, title+" v2, цена исправлена")
	p1, err = st.FindDocumentByID(bg, p1.ID)
	must(err)
	c1 := finalise(t, st, id, workflow.DocContract, actor, nil, nil, title)
	r.docs = []storage.Document{p1, p2, c1}
	r.signed, err = st.AttachSignedCopy(bg, c1.ID, "договор (подписан).pdf", "application/pdf", []byte("%PDF signed scan of "+title), actor)
	must(err)
	_, err = st.AddFact(bg, storage.Fact{DealID: id, Kind: workflow.FactPayment, Data: json.RawMessage(`{"amount":"1500000.00","date":"2026-03-01"}`)}, actor)
	must(err)
	_, err = st.AddFact(bg, storage.Fact{DealID: id, Kind: workflow.FactShipment, Data: json.RawMessage(`{"date":"2026-04-01"}`)}, actor)
	must(err)
	r.deal, err = st.FindDealByID(bg, id)
	must(err)
	return r
}

// hasProblem reports whether the report has a problem with the code that satisfies match.
func hasProblem(rep *evidence.Report, code string, match func(evidence.Problem) bool) bool {
	for _, p := range rep.Problems {
		if p.Code == code && (match == nil || match(p)) {
			return true
		}
	}
	return false
}

func problemList(rep *evidence.Report) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString("\n    " + p.String())
	}
	return b.String()
}
