package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

func parseHTML(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestAdminPagesAreForAdmins: every admin page answers an admin and refuses the other roles.
func TestAdminPagesAreForAdmins(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	s := newPagesSite(t, st)
	pages := []string{"/admin", "/admin/users", "/admin/users/" + strconv.FormatInt(s.f.Rep1.ID, 10), "/admin/pipeline", "/admin/templates", "/admin/catalogue", "/admin/seller", "/admin/numbering"}
	admin := s.signIn(t, s.f.Admin.Email)
	for _, p := range pages {
		if code, body := admin.do("GET", p, nil); code != http.StatusOK {
			t.Errorf("admin GET %s: %d\n%.300s", p, code, body)
		}
	}
	for _, email := range []string{s.f.Rep1.Email, s.f.Manager.Email, s.f.Auditor.Email, s.f.Backoffice.Email} {
		c := s.signIn(t, email)
		for _, p := range pages {
			if code, _ := c.do("GET", p, nil); code != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", email, p, code)
			}
		}
	}
}

// TestAdminFormsKeepWhatWasTyped: refused admin forms show the problem where it is and keep the
// input — the pipeline editor names the line, the CSV import the line and field, the seller
// profile the field; the valid versions are stored.
func TestAdminFormsKeepWhatWasTyped(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	s := newPagesSite(t, st)
	ctx := context.Background()
	admin := s.signIn(t, s.f.Admin.Email)

	// Pipeline: a stage without a key on line 21 of the default document.
	src := string(templates.DefaultPipeline())
	broken := strings.Replace(src, "  - key: research", "  - kee: research", 1)
	code, body := admin.do("POST", "/admin/pipeline", admin.form("yaml", broken, "_action", "save"))
	doc := parseHTML(t, body)
	if code != http.StatusUnprocessableEntity || doc.Find("#pipeline-error").Length() == 0 {
		t.Fatalf("a broken pipeline: status %d, error shown %v", code, doc.Find("#pipeline-error").Length() > 0)
	}
	bad := doc.Find("#bad-line").Text()
	if !strings.Contains(bad, "kee: research") {
		t.Errorf("the marked line is %q, want the line with the typo", bad)
	}
	if got := doc.Find("#pipeline-yaml").Text(); got != broken {
		t.Errorf("the editor lost the typed text (%d bytes, typed %d)", len(got), len(broken))
	}
	if code, _ := admin.do("POST", "/admin/pipeline", admin.form("yaml", strings.Replace(src, "Сбор информации", "Сбор сведений", 1), "_action", "save")); code != http.StatusSeeOther {
		t.Fatalf("a valid pipeline: status %d", code)
	}
	if p, err := st.CurrentPipeline(ctx, "corporate"); err != nil || p.Version != 2 {
		t.Errorf("after the save the current pipeline is %v (err %v), want version 2", p, err)
	}

	// Catalogue CSV: line 3 has a bad price; nothing is stored, the text stays.
	csv := "sku;name;unit;price;vat_rate\nOR-10;Осушитель ОР-10;шт;320000,00;22\nPNR-1;Пусконаладка;усл. ед.;сто тысяч;22\n"
	code, body = admin.do("POST", "/admin/catalogue/import", admin.form("csv", csv))
	doc = parseHTML(t, body)
	if code != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#csv-errors").Text(), "строка 3, price") {
		t.Errorf("a bad CSV: status %d, errors %q", code, doc.Find("#csv-errors").Text())
	}
	if got := doc.Find("#csv-text").Text(); got != csv {
		t.Errorf("the pasted CSV was not kept: %q", got)
	}
	if _, err := st.FindProductBySKU(ctx, "OR-10"); workflow.Code(err) != workflow.ENOTFOUND {
		t.Errorf("a refused import stored a line: %v", err)
	}
	if code, _ := admin.do("POST", "/admin/catalogue/import", admin.form("csv", strings.Replace(csv, "сто тысяч", "150000", 1))); code != http.StatusSeeOther {
		t.Fatalf("a good CSV: status %d", code)
	}
	if p, err := st.FindProductBySKU(ctx, "PNR-1"); err != nil || p.Price != 150_000_00 || p.Unit != "усл. ед." {
		t.Errorf("the imported PNR-1 is %+v (err %v)", p, err)
	}

	// Seller: a wrong INN checksum is named next to the INN; the other fields stay.
	form := admin.form("name", "АО «Тест»", "inn", "6658012342", "kpp", "665801001", "address", "г. Екатеринбург", "bank_name", "Банк",
		"bik", "046577674", "corr_account", "30101810500000000674", "account", "40702810316020012345", "director_name", "Смирнов А. В.", "director_title", "Директор")
	code, body = admin.do("POST", "/admin/seller", form)
	doc = parseHTML(t, body)
	if code != http.StatusUnprocessableEntity || strings.TrimSpace(doc.Find("#err-f-inn").Text()) == "" {
		t.Errorf("a seller with a bad INN: status %d, error next to the INN %q", code, doc.Find("#err-f-inn").Text())
	}
	if v, _ := doc.Find("#f-director_name").Attr("value"); v != "Смирнов А. В." {
		t.Errorf("the typed director was lost: %q", v)
	}
	form.Set("inn", "6658012341")
	if code, body := admin.do("POST", "/admin/seller", form); code != http.StatusSeeOther {
		t.Fatalf("a good seller: status %d\n%.500s", code, body)
	}
	if p, err := s.srv.Documents.Seller(ctx); err != nil || p.INN != "6658012341" || p.DirectorName != "Смирнов А. В." {
		t.Errorf("the stored seller is %+v (err %v)", p, err)
	}

	// Users: a short password is refused next to the field, the e-mail kept; then a user with a
	// password signs in, gets a token (shown once) that works, and a revoked one does not.
	code, body = admin.do("POST", "/admin/users", admin.form("email", "new.rep@example.ru", "name", "Новый Менеджер", "role", "rep", "password", "short"))
	doc = parseHTML(t, body)
	if v, _ := doc.Find("#user-email").Attr("value"); code != http.StatusUnprocessableEntity || v != "new.rep@example.ru" {
		t.Errorf("a short password: status %d, e-mail kept %q", code, v)
	}
	if code, _ := admin.do("POST", "/admin/users", admin.form("email", "new.rep@example.ru", "name", "Новый Менеджер", "role", "rep", "password", pagesPassword)); code != http.StatusSeeOther {
		t.Fatalf("a new user: status %d", code)
	}
	u, err := st.FindUserByEmail(ctx, "new.rep@example.ru")
	if err != nil || u.Role != workflow.RoleRep {
		t.Fatalf("the new user is %+v (err %v)", u, err)
	}
	s.signIn(t, u.Email)
	uid := strconv.FormatInt(u.ID, 10)
	code, body = admin.do("POST", "/admin/users/"+uid+"/tokens", admin.form("name", "выгрузка"))
	secret := strings.TrimSpace(parseHTML(t, body).Find("#token-secret").Text())
	if code != http.StatusCreated || !strings.HasPrefix(secret, "dg_") {
		t.Fatalf("issue a token: status %d, secret %q", code, secret)
	}
	if got := apiStatus(t, s.url+"/api/v1/me", secret); got != http.StatusOK {
		t.Errorf("the issued token: /api/v1/me answers %d", got)
	}
	tokens, _ := st.FindTokens(ctx, u.ID)
	if code, _ := admin.do("POST", "/admin/users/"+uid+"/tokens/"+strconv.FormatInt(tokens[len(tokens)-1].ID, 10)+"/revoke", admin.form()); code != http.StatusSeeOther {
		t.Errorf("revoke: status %d", code)
	}
	if got := apiStatus(t, s.url+"/api/v1/me", secret); got != http.StatusUnauthorized {
		t.Errorf("the revoked token: /api/v1/me answers %d, want 401", got)
	}
	// An admin cannot lock themselves out.
	code, _ = admin.do("POST", "/admin/users/"+strconv.FormatInt(s.f.Admin.ID, 10), admin.form("role", "rep", "name", "x"))
	if code != http.StatusUnprocessableEntity {
		t.Errorf("an admin demoting themselves: status %d, want 422", code)
	}
}

func apiStatus(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestTemplateUploadIsChecked: a template using a key the kind does not have is refused with
// the key named; a good one becomes the active version and can be downloaded.
func TestTemplateUploadIsChecked(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	s := newPagesSite(t, st)
	admin := s.signIn(t, s.f.Admin.Email)
	upload := func(kind, format, name, content string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", admin.csrf)
		_ = mw.WriteField("kind", kind)
		_ = mw.WriteField("format", format)
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = io.WriteString(fw, content)
		_ = mw.Close()
		req, _ := http.NewRequest("POST", s.url+"/admin/templates", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := admin.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	bad := `<?xml version="1.0" encoding="UTF-8"?><document page="A4"><p>{{.no_such_key}}</p></document>`
	code, body := upload("invoice", "pdf", "invoice.xml", bad)
	if errs := parseHTML(t, body).Find("#template-errors").Text(); code != http.StatusUnprocessableEntity || !strings.Contains(errs, "no_such_key") {
		t.Errorf("a bad template: status %d, errors %q", code, errs)
	}
	good := `<?xml version="1.0" encoding="UTF-8"?><document page="A4"><h1>Счёт № {{.number}} от {{.date}}</h1><p>{{.totals.gross}}</p></document>`
	if code, body := upload("invoice", "pdf", "invoice.xml", good); code != http.StatusSeeOther {
		t.Fatalf("a good template: status %d\n%.500s", code, body)
	}
	active, err := st.ActiveTemplate(context.Background(), workflow.DocInvoice, "pdf")
	if err != nil || active.Filename != "invoice.xml" {
		t.Fatalf("the active invoice template is %+v (err %v)", active, err)
	}
	_, body = admin.do("GET", "/admin/templates", nil)
	row := parseHTML(t, body).Find("#tpl-invoice-pdf-v" + strconv.Itoa(active.Version))
	if row.Length() == 0 || !strings.Contains(row.Text(), "invoice.xml") {
		t.Errorf("the templates page does not list the new version")
	}
	if code, _ := admin.do("GET", "/api/v1/templates/"+strconv.FormatInt(active.ID, 10)+"/file", nil); code != http.StatusOK {
		t.Errorf("download the uploaded template: %d", code)
	}
}

// TestSignInLocksOutAndSetsSafeCookies: the session cookie is HttpOnly and SameSite; after five
// wrong passwords even the right one is refused for a while.
func TestSignInLocksOutAndSetsSafeCookies(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	s := newPagesSite(t, st)
	post := func(password string) *http.Response {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.PostForm(s.url+"/login", url.Values{"email": {s.f.Rep1.Email}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	res := post(pagesPassword)
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "dealgate_session" {
			session = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("sign-in: status %d, session cookie %+v", res.StatusCode, session)
	}
	for i := 0; i < 5; i++ {
		if res := post("wrong password " + strconv.Itoa(i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d", i, res.StatusCode)
		}
	}
	if res := post(pagesPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password after five failures: status %d, want 429", res.StatusCode)
	}
}

// TestBackofficeQueueAndAuditTrail: a deal waiting for a specification is in the back office's
// queue with a link to the form; a payment recorded in the queue is stored; the auditor's trail
// page lists the final proposal with its PDF hash (from the store, this server having no audit
// service).
func TestBackofficeQueueAndAuditTrail(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		s := newPagesSite(t, st)
		ctx := context.Background()
		// Move the deal to the specification stage with the evidence each stage asks for.
		d := s.deal
		for _, stage := range []string{"research", "cold_call", "meeting", "needs", "proposal", "dmu", "client_card", "negotiation", "tender", "contract"} {
			storagetest.ProvideEvidence(t, st, d.ID, stage, s.f.Rep1.Actor())
			moved, err := st.Transition(ctx, d.ID, workflow.Transition{Action: workflow.ActionAdvance}, s.f.Rep1.Actor())
			if err != nil {
				t.Fatalf("advance from %s: %v", stage, err)
			}
			d = moved
		}
		if d.Stage != "specification" {
			t.Fatalf("the deal is at %s", d.Stage)
		}
		bo := s.signIn(t, s.f.Backoffice.Email)
		code, body := bo.do("GET", "/backoffice", nil)
		row := parseHTML(t, body).Find("#deal-" + strconv.FormatInt(d.ID, 10))
		if code != http.StatusOK || row.Length() == 0 {
			t.Fatalf("the queue: status %d, deal listed %v", code, row.Length() > 0)
		}
		href, _ := row.Find(`a[data-make="specification"]`).Attr("href")
		if want := "/deals/" + strconv.FormatInt(d.ID, 10) + "/documents/new?kind=specification"; href != want {
			t.Errorf("the specification link is %q, want %q", href, want)
		}
		if code, _ := bo.do("GET", href, nil); code != http.StatusOK {
			t.Errorf("the specification form: %d", code)
		}
		// At the payment stage the queue asks for the invoice and the payment. A payment with a
		// bad amount is refused in its row, the date kept; a good one is stored.
		storagetest.ProvideEvidence(t, st, d.ID, "specification", s.f.Rep1.Actor())
		if _, err := st.Transition(ctx, d.ID, workflow.Transition{Action: workflow.ActionAdvance}, s.f.Backoffice.Actor()); err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(d.ID, 10)
		_, body = bo.do("GET", "/backoffice?need=payment", nil)
		row = parseHTML(t, body).Find("#deal-" + id)
		if row.Find(`a[data-make="invoice"]`).Length() == 0 || row.Find(`form[data-record="payment"]`).Length() == 0 {
			t.Errorf("at the payment stage the row has no invoice link or payment form:\n%s", body)
		}
		code, body = bo.do("POST", "/backoffice/deals/"+id+"/facts", bo.form("kind", "payment", "amount", "много", "date", "2026-04-20"))
		if doc := parseHTML(t, body); code != http.StatusUnprocessableEntity || doc.Find(`#deal-`+id+` input[name=date][value="2026-04-20"]`).Length() == 0 {
			t.Errorf("a bad payment: status %d, the date kept %v", code, doc.Find(`#deal-`+id+` input[name=date][value="2026-04-20"]`).Length() > 0)
		}
		if code, _ := bo.do("POST", "/backoffice/deals/"+id+"/facts", bo.form("kind", "payment", "amount", "3751500,00", "date", "2026-04-20")); code != http.StatusSeeOther {
			t.Errorf("a payment: status %d", code)
		}
		facts, _ := st.FindFacts(ctx, d.ID)
		if len(facts) == 0 || facts[len(facts)-1].Kind != workflow.FactPayment || !strings.Contains(string(facts[len(facts)-1].Data), "3751500.00") {
			t.Errorf("the payment was not stored: %v", facts)
		}

		aud := s.signIn(t, s.f.Auditor.Email)
		code, body = aud.do("GET", "/audit?q="+url.QueryEscape("Ромашка"), nil)
		if code != http.StatusOK || parseHTML(t, body).Find(`a[data-trail="`+id+`"]`).Length() == 0 {
			t.Fatalf("the audit search: status %d", code)
		}
		code, body = aud.do("GET", "/audit/deals/"+id, nil)
		doc := parseHTML(t, body)
		if code != http.StatusOK {
			t.Fatalf("the trail: status %d", code)
		}
		got := strings.TrimSpace(doc.Find(`#trail-docs tr[data-doc="` + strconv.FormatInt(s.proposal.ID, 10) + `"] .sha.pdf`).Text())
		if got != s.proposal.PDFSHA256 {
			t.Errorf("the trail shows the proposal's PDF hash %q, want %q", got, s.proposal.PDFSHA256)
		}
		events, _ := st.FindEvents(ctx, d.ID)
		if n := doc.Find("#trail-events li").Length(); n != len(events) {
			t.Errorf("the timeline has %d events, the store %d", n, len(events))
		}
		if doc.Find("#verify-none").Length() == 0 {
			t.Errorf("without the audit service the page must say that verification is not available")
		}
		// Read-only: no form on the trail page but the language switch and sign-out.
		if n := doc.Find("main form").Length(); n != 0 {
			t.Errorf("the trail page has %d forms", n)
		}
	})
}
