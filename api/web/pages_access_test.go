package web_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// pagesPassword is the password of every user of a pagesSite.
const pagesPassword = "пароль-для-тестов-2026"

// pagesSite is the real server (API and pages) on a seeded store: Rep1 owns a deal with a final
// proposal and a draft client card; the seller profile and a small catalogue are set.
type pagesSite struct {
	st       *storage.Store
	f        *storagetest.Fixture
	srv      *api.Server
	url      string
	deal     workflow.Deal
	proposal storage.Document
	draft    storage.Document
}

func newPagesSite(t *testing.T, st *storage.Store) *pagesSite {
	t.Helper()
	ctx := context.Background()
	f := storagetest.Seed(t, st)
	hash, err := api.HashPassword(pagesPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []storagetest.User{f.Admin, f.Manager, f.Rep1, f.Rep2, f.Backoffice, f.Auditor} {
		if err := st.UpdateUser(ctx, u.ID, nil, nil, &hash, nil); err != nil {
			t.Fatal(err)
		}
	}
	srv := api.NewServer(st, storagetest.Logger(t))
	if _, err := web.Register(srv); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	s := &pagesSite{st: st, f: f, srv: srv, url: hs.URL}

	// The seller and two products, from the shipped proposal example.
	raw, err := fs.ReadFile(templates.Examples(), "proposal.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex documents.Proposal
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, api.SettingSeller, ex.Seller, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertProducts(ctx, []storage.Product{
		{SKU: "VK-55", Name: "Компрессор винтовой ВК-55", Unit: "шт", OKEI: "796", Price: 2_600_000_00, Cost: 1_900_000_00, VATRate: "22", Active: true},
		{SKU: "RV-5000", Name: "Ресивер воздушный РВ-5000", Unit: "шт", OKEI: "796", Price: 420_000_00, Cost: 300_000_00, VATRate: "22", Active: true},
	}); err != nil {
		t.Fatal(err)
	}

	s.deal = storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "Компрессорная станция — ООО «Ромашка»")
	d, err := srv.Documents.Prefill(ctx, s.deal, workflow.DocProposal)
	if err != nil {
		t.Fatal(err)
	}
	p := d.(*documents.Proposal)
	p.Subject = "Замена компрессорной станции"
	p.DeliveryTime, p.PaymentTerms = "60 рабочих дней", "50 % аванс"
	p.Addressee = documents.Contact{Name: "Гаврилов Павел Игоревич", Position: "Главный инженер"}
	p.Lines = []documents.Line{{SKU: "VK-55", Name: "Компрессор винтовой ВК-55", Qty: "2", Price: "2600000.00"}}
	if err := p.Validate(); err != nil {
		t.Fatalf("the proposal of the fixture is invalid: %v", err)
	}
	if s.proposal, err = srv.Documents.Finalise(ctx, s.deal.ID, p, 0, 0, f.Rep1.Actor()); err != nil {
		t.Fatal(err)
	}
	card, err := srv.Documents.Prefill(ctx, s.deal, workflow.DocClientCard)
	if err != nil {
		t.Fatal(err)
	}
	canon, err := workflow.CanonicalJSON(card)
	if err != nil {
		t.Fatal(err)
	}
	if s.draft, err = st.SaveDraft(ctx, s.deal.ID, 0, workflow.DocClientCard, canon, f.Rep1.Actor()); err != nil {
		t.Fatal(err)
	}
	return s
}

// pagesClient is a signed-in browser without a browser: a cookie jar, no redirects followed.
type pagesClient struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

var pagesCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (s *pagesSite) signIn(t *testing.T, email string) *pagesClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	pc := &pagesClient{t: t, base: s.url, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	code, _ := pc.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {pagesPassword}})
	if code != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", email, code)
	}
	code, body := pc.do(http.MethodGet, "/deals", nil)
	m := pagesCSRF.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		t.Fatalf("the deals page of %s: status %d, CSRF token found %v", email, code, m != nil)
	}
	pc.csrf = m[1]
	return pc
}

// do sends a request; a form is posted as application/x-www-form-urlencoded.
func (pc *pagesClient) do(method, path string, form url.Values) (int, string) {
	pc.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, pc.base+path, body)
	if err != nil {
		pc.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := pc.c.Do(req)
	if err != nil {
		pc.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

// form returns values with the client's CSRF token added.
func (pc *pagesClient) form(kv ...string) url.Values {
	v := url.Values{"_csrf": {pc.csrf}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// TestAnotherRepGetsNotFound: a rep asking for another rep's deal page, its document pages,
// files and forms gets 404 — the answer for something that does not exist — and nothing
// changes; the owner gets the same requests answered, so the 404 is the access rule at work.
func TestAnotherRepGetsNotFound(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		s := newPagesSite(t, st)
		deal := strconv.FormatInt(s.deal.ID, 10)
		doc := strconv.FormatInt(s.proposal.ID, 10)
		draft := strconv.FormatInt(s.draft.ID, 10)
		type req struct {
			method, path string
			form         []string
			ownerStatus  int
		}
		reads := []req{
			{"GET", "/deals/" + deal, nil, 200},
			{"GET", "/deals/" + deal + "/documents/new?kind=proposal", nil, 200},
			{"GET", "/documents/" + doc, nil, 200},
			{"GET", "/documents/" + doc + "/view.pdf", nil, 200},
			{"GET", "/documents/" + doc + "/correct", nil, 200},
			{"GET", "/documents/" + draft, nil, 200},
			{"GET", "/documents/" + draft + "/edit", nil, 200},
			{"GET", "/api/v1/documents/" + doc + "/pdf", nil, 200},
			{"GET", "/api/v1/documents/" + doc + "/docx", nil, 200},
			{"GET", "/api/v1/deals/" + deal, nil, 200},
			{"POST", "/deals/" + deal + "/documents/preview", []string{"_kind", "meeting_report", "format", "phone", "goal", "Цель", "date", "2026-03-01"}, 422},
		}
		writes := []req{
			{"POST", "/deals/" + deal + "/activities", []string{"kind", "call", "note", "чужой звонок"}, 303},
			{"POST", "/deals/" + deal + "/facts", []string{"kind", "needs", "text", "чужие потребности"}, 303},
			{"POST", "/deals/" + deal + "/transitions", []string{"action", "lose", "reason", "чужая причина"}, 303},
			{"POST", "/deals/" + deal + "/documents/new", []string{"_kind", "proposal", "_action", "save", "subject", "чужое КП"}, 422},
			{"POST", "/documents/" + draft + "/edit", []string{"_kind", "client_card", "_action", "save", "date", "2026-03-01", "company.name", "ООО «Ромашка»"}, 303},
			{"POST", "/documents/" + draft + "/finalise", nil, 422},
			{"POST", "/documents/" + doc + "/correct", []string{"subject", "чужое исправление"}, 422},
		}
		before, err := st.CountEvents(context.Background(), s.deal.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep2 := s.signIn(t, s.f.Rep2.Email)
		for _, r := range append(append([]req{}, reads...), writes...) {
			var form url.Values
			if r.method == "POST" {
				form = rep2.form(r.form...)
			}
			if code, body := rep2.do(r.method, r.path, form); code != http.StatusNotFound {
				t.Errorf("rep2 %s %s: status %d, want 404\n%.300s", r.method, r.path, code, body)
			}
		}
		if after, _ := st.CountEvents(context.Background(), s.deal.ID); after != before {
			t.Errorf("rep2's requests changed the deal: %d events, was %d", after, before)
		}
		// The owner: the same reads succeed, and the writes are answered (not 404).
		rep1 := s.signIn(t, s.f.Rep1.Email)
		for _, r := range reads {
			var form url.Values
			if r.method == "POST" {
				form = rep1.form(r.form...)
			}
			if code, body := rep1.do(r.method, r.path, form); code != r.ownerStatus {
				t.Errorf("rep1 %s %s: status %d, want %d\n%.300s", r.method, r.path, code, r.ownerStatus, body)
			}
		}
		for _, r := range writes[:2] {
			if code, body := rep1.do(r.method, r.path, rep1.form(r.form...)); code != r.ownerStatus {
				t.Errorf("rep1 %s %s: status %d, want %d\n%.300s", r.method, r.path, code, r.ownerStatus, body)
			}
		}
	})
}

// TestFormsWithoutTheCSRFTokenAreRefused: a signed-in form post without the session's token,
// or with another one, is refused with 403 and stores nothing; with the token it goes through.
func TestFormsWithoutTheCSRFTokenAreRefused(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		s := newPagesSite(t, st)
		rep1 := s.signIn(t, s.f.Rep1.Email)
		deal := strconv.FormatInt(s.deal.ID, 10)
		activities := func() int {
			list, err := st.FindActivities(context.Background(), s.deal.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		n := activities()
		posts := []struct {
			path string
			form url.Values
		}{
			{"/deals/" + deal + "/activities", url.Values{"kind": {"call"}, "note": {"без токена"}}},
			{"/deals/" + deal + "/activities", url.Values{"kind": {"call"}, "note": {"чужой токен"}, "_csrf": {"not-the-token"}}},
			{"/deals/" + deal + "/transitions", url.Values{"action": {"lose"}, "reason": {"без токена"}}},
			{"/deals/" + deal + "/documents/new", url.Values{"_kind": {"meeting_report"}, "_action": {"save"}}},
			{"/companies/new", url.Values{"name": {"ООО «Без токена»"}}},
			{"/logout", url.Values{}},
		}
		for _, p := range posts {
			code, body := rep1.do(http.MethodPost, p.path, p.form)
			if code != http.StatusForbidden {
				t.Errorf("POST %s without the token: status %d, want 403\n%.300s", p.path, code, body)
			}
			if !strings.Contains(body, "CSRF") {
				t.Errorf("POST %s: the refusal page does not name the missing token", p.path)
			}
		}
		if got := activities(); got != n {
			t.Errorf("a refused post stored an activity: %d, was %d", got, n)
		}
		if code, _ := rep1.do(http.MethodPost, "/deals/"+deal+"/activities", rep1.form("kind", "call", "note", "с токеном")); code != http.StatusSeeOther {
			t.Fatalf("the same post with the token: status %d, want 303", code)
		}
		if got := activities(); got != n+1 {
			t.Errorf("the post with the token stored %d activities, want %d", got-n, 1)
		}
		// Still signed in: the refused logout did not end the session.
		if code, _ := rep1.do(http.MethodGet, "/deals", nil); code != http.StatusOK {
			t.Errorf("after the refused sign-out the deals page answers %d", code)
		}
	})
}

// TestAuditorsAndOtherRolesCannotPrepare: an auditor reads a deal's documents but gets 403 on
// every form; a rep gets 403 on the back office's kinds.
func TestAuditorsAndOtherRolesCannotPrepare(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	s := newPagesSite(t, st)
	deal := strconv.FormatInt(s.deal.ID, 10)
	aud := s.signIn(t, s.f.Auditor.Email)
	for _, path := range []string{"/deals/" + deal, "/documents/" + strconv.FormatInt(s.proposal.ID, 10)} {
		if code, _ := aud.do("GET", path, nil); code != http.StatusOK {
			t.Errorf("auditor GET %s: %d, want 200", path, code)
		}
	}
	if code, _ := aud.do("GET", "/deals/"+deal+"/documents/new?kind=proposal", nil); code != http.StatusForbidden {
		t.Errorf("auditor opens the proposal form: %d, want 403", code)
	}
	if code, _ := aud.do("POST", "/deals/"+deal+"/activities", aud.form("kind", "call")); code != http.StatusForbidden {
		t.Errorf("auditor logs a call: %d, want 403", code)
	}
	rep := s.signIn(t, s.f.Rep1.Email)
	if code, _ := rep.do("GET", "/deals/"+deal+"/documents/new?kind=invoice", nil); code != http.StatusForbidden {
		t.Errorf("rep opens the invoice form: %d, want 403", code)
	}
}
