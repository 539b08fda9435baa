package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// env is a server on a seeded store.
type env struct {
	st  *storage.Store
	f   *storagetest.Fixture
	srv *api.Server
	h   http.Handler
}

func newEnv(t testing.TB, st *storage.Store) *env {
	t.Helper()
	f := storagetest.Seed(t, st)
	srv := api.NewServer(st, storagetest.Logger(t))
	return &env{st: st, f: f, srv: srv, h: srv.Handler()}
}

// forEachEnv runs fn on a fresh server on each database.
func forEachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) { fn(t, newEnv(t, st)) })
}

// sqliteEnv is a server on SQLite only, for cases that test the HTTP layer rather than the
// database.
func sqliteEnv(t testing.TB) *env {
	t.Helper()
	return newEnv(t, storagetest.NewStore(t, storage.SQLite))
}

// response is a recorded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// request builds an API request; body is sent as is when it is a string or []byte, else as
// JSON. An empty token sends no Authorization header.
func request(t testing.TB, method, path, token string, body any) *http.Request {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

func (e *env) serve(req *http.Request) response {
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// do sends one request through the handler.
func (e *env) do(t testing.TB, method, path, token string, body any) response {
	t.Helper()
	return e.serve(request(t, method, path, token, body))
}

// decode unmarshals the body into v, failing the test on error.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("status %d, body %q: %v", r.Status, r.Body, err)
	}
}

// want fails unless the status is code.
func (r response) want(t testing.TB, code int) response {
	t.Helper()
	if r.Status != code {
		t.Fatalf("status %d, want %d; body %s", r.Status, code, r.Body)
	}
	return r
}

// problem checks that the answer is a problem document with the status and type, and
// returns it.
func (r response) problem(t testing.TB, status int, typ string) api.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p api.Problem
	r.decode(t, &p)
	if p.Type != typ || p.Status != status || p.Title == "" {
		t.Fatalf("problem %+v, want type %q status %d and a title", p, typ, status)
	}
	if p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-Id") {
		t.Fatalf("problem request_id %q, header X-Request-Id %q: want the same, non-empty", p.RequestID, r.Header.Get("X-Request-Id"))
	}
	return p
}

// companyBody is the valid company of the contract smoke test.
func companyBody() map[string]string {
	rq := storagetest.CompanyRequisites()
	return map[string]string{"name": rq.Name, "inn": rq.INN, "kpp": rq.KPP, "ogrn": rq.OGRN, "address": rq.Address,
		"bank_name": rq.BankName, "bik": rq.BIK, "corr_account": rq.CorrAccount, "account": rq.Account}
}

// createDeal creates a deal on the company through the API as token's user.
func (e *env) createDeal(t testing.TB, token string, companyID int64) api.DealJSON {
	t.Helper()
	var d api.DealJSON
	e.do(t, "POST", "/api/v1/deals", token, map[string]any{"company_id": companyID, "title": "Поставка компрессоров",
		"amount": "1500000.00", "cost": "1100000.00", "currency": "RUB"}).want(t, http.StatusCreated).decode(t, &d)
	if d.ID == 0 || d.Stage != "research" || d.Version != 1 {
		t.Fatalf("created deal %+v", d)
	}
	return d
}

// transition posts a transition and returns the answer.
func (e *env) transition(t testing.TB, token string, dealID int64, body map[string]any) response {
	t.Helper()
	return e.do(t, "POST", fmt.Sprintf("/api/v1/deals/%d/transitions", dealID), token, body)
}

// countEvents returns the number of events of the deal.
func (e *env) countEvents(t testing.TB, dealID int64) int64 {
	t.Helper()
	n, err := e.st.CountEvents(t.Context(), dealID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deal reads the deal from the store.
func (e *env) deal(t testing.TB, id int64) workflow.Deal {
	t.Helper()
	d, err := e.st.FindDealByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
