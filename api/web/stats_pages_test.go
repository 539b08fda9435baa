package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/demo"
	"github.com/dealgate/dealgate/stats"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

// statsSite is a server with the statistics pages over a small demo year.
type statsSite struct {
	srv *httptest.Server
	res demo.Result
}

const statsPassword = "demo-pass-1"

func newStatsSite(t *testing.T, st *storage.Store) *statsSite {
	t.Helper()
	res, err := demo.Generate(context.Background(), st, demo.Config{Seed: 5, Deals: 360, HistoryMonths: 4, Password: statsPassword, HashPassword: api.HashPassword})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(st, storagetest.Logger(t))
	svc := stats.NewService(st)
	srv.Extra = append(srv.Extra, (&stats.API{Svc: svc}).Routes)
	w, err := Register(srv)
	if err != nil {
		t.Fatal(err)
	}
	AddStats(w, &Stats{Svc: svc})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &statsSite{srv: hs, res: res}
}

type statsClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (s *statsSite) signIn(t *testing.T, email string) *statsClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(s.srv.URL+"/login", url.Values{"email": {email}, "password": {statsPassword}, "next": {"/stats"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %d", email, resp.StatusCode)
	}
	return &statsClient{t: t, base: s.srv.URL, c: c}
}

func (sc *statsClient) get(path string) (int, http.Header, string) {
	sc.t.Helper()
	resp, err := sc.c.Get(sc.base + path)
	if err != nil {
		sc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (sc *statsClient) post(path string, form url.Values) (int, http.Header) {
	sc.t.Helper()
	resp, err := sc.c.PostForm(sc.base+path, form)
	if err != nil {
		sc.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStatsPages(t *testing.T) {
	st := storagetest.NewStore(t, storage.SQLite)
	site := newStatsSite(t, st)
	mgr := site.signIn(t, site.res.Manager.User.Email)

	// The dashboard: figures, findings, four charts, tables with their exports.
	code, _, body := mgr.get("/stats?from=2025-03-01&to=2026-02-28")
	if code != 200 {
		t.Fatalf("dashboard: %d %.500s", code, body)
	}
	d := doc(t, body)
	if d.Find("#stats-title").Text() != "Коммерческая статистика" || d.Find("#kpis .st-kpi").Length() != 8 {
		t.Errorf("title %q, %d figures", d.Find("#stats-title").Text(), d.Find("#kpis .st-kpi").Length())
	}
	if n := d.Find("figure.st-chart svg").Length(); n != 4 {
		t.Errorf("%d charts on the dashboard, want 4", n)
	}
	if d.Find("#behind-reps tbody tr").Length() != 12 {
		t.Errorf("behind rows %d", d.Find("#behind-reps tbody tr").Length())
	}
	if !strings.Contains(d.Find("#norms-line").Text(), "Нормы рассчитаны сейчас") {
		t.Errorf("norms line %q", d.Find("#norms-line").Text())
	}
	if d.Find("a[href='/stats/norms']").Length() == 0 || d.Find("header nav a[href='/stats']").Length() != 1 {
		t.Error("no link to the norms, or no navigation item")
	}
	// Every export link answers with its format.
	links := 0
	d.Find(".st-export a").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		code, h, body := mgr.get(href)
		ct := h.Get("Content-Type")
		switch {
		case code != 200:
			t.Errorf("%s: %d %.200s", href, code, body)
		case a.Text() == "CSV" && (!strings.HasPrefix(ct, "text/csv") || !strings.HasPrefix(body, "\ufeff")):
			t.Errorf("%s: %s", href, ct)
		case a.Text() == "XLSX" && !strings.Contains(ct, "spreadsheetml"):
			t.Errorf("%s: %s", href, ct)
		}
		links++
	})
	if links < 16 {
		t.Errorf("%d export links", links)
	}

	// A rep page: the sentence, the gap table, three charts.
	var rep demo.Person
	for _, p := range site.res.Reps {
		if p.WeakAt == "meeting" {
			rep = p
		}
	}
	path := "/stats/reps/" + strconv.FormatInt(rep.User.ID, 10)
	code, _, body = mgr.get(path + "?from=2025-03-01&to=2026-02-28")
	if code != 200 {
		t.Fatalf("rep page: %d", code)
	}
	d = doc(t, body)
	if !strings.Contains(d.Find("#sentence").Text(), "Морозов С.") || d.Find("#gaps tbody tr").Length() != 15 || d.Find("figure.st-chart svg").Length() != 3 {
		t.Errorf("rep page: %q, %d gap rows, %d charts", d.Find("#sentence").Text(), d.Find("#gaps tbody tr").Length(), d.Find("figure.st-chart svg").Length())
	}

	// The rep sees their own page only; /stats and /stats/norms lead there.
	rc := site.signIn(t, rep.User.Email)
	code, h, _ := rc.get("/stats")
	if code != 303 || h.Get("Location") != path {
		t.Errorf("rep /stats: %d %s", code, h.Get("Location"))
	}
	if code, _, _ := rc.get(path); code != 200 {
		t.Errorf("rep's own page: %d", code)
	}
	other := site.res.Reps[0].User.ID
	if code, _, _ := rc.get("/stats/reps/" + strconv.FormatInt(other, 10)); code != 403 {
		t.Errorf("rep reading another rep: %d", code)
	}
	if code, _ := rc.post("/stats/norms", url.Values{}); code != 403 {
		t.Errorf("rep saving norms: %d", code)
	}
	bo := site.signIn(t, site.res.Backoffice.User.Email)
	if code, _, _ := bo.get("/stats"); code != 403 {
		t.Errorf("back office /stats: %d", code)
	}
	aud := site.signIn(t, site.res.Auditor.User.Email)
	code, _, body = aud.get("/stats/norms")
	if code != 200 || strings.Contains(body, `id="save-form"`) {
		t.Errorf("auditor norms page: %d, save form shown: %v", code, strings.Contains(body, `id="save-form"`))
	}

	// Norms: save a snapshot (CSRF required), adjust a norm, see the record.
	code, _, body = mgr.get("/stats/norms?from=2025-03-01&to=2026-02-28&plan=24000000")
	d = doc(t, body)
	token, _ := d.Find("#save-form input[name=_csrf]").Attr("value")
	if code != 200 || token == "" || d.Find("#reverse tbody tr").Length() == 0 {
		t.Fatalf("norms page: %d, token %q, reverse rows %d", code, token, d.Find("#reverse tbody tr").Length())
	}
	form := url.Values{"from": {"2025-03-01"}, "to": {"2026-02-28"}, "measure": {"profit"}, "group": {"quartile"}, "note": {"нормы на год"}}
	if code, _ := mgr.post("/stats/norms", form); code != 403 {
		t.Errorf("saving without the CSRF token: %d", code)
	}
	form.Set("_csrf", token)
	code, h = mgr.post("/stats/norms", form)
	if code != 303 || !strings.HasPrefix(h.Get("Location"), "/stats/norms?norms=") {
		t.Fatalf("save: %d %s", code, h.Get("Location"))
	}
	loc := h.Get("Location")
	id := strings.TrimPrefix(loc, "/stats/norms?norms=")
	code, h = mgr.post("/stats/norms/"+id+"/adjustments", url.Values{"_csrf": {token}, "what": {"meeting|conversion"}, "value": {"82,5"}, "reason": {"цель квартала"}})
	if code != 303 {
		t.Fatalf("adjust: %d", code)
	}
	_, _, body = mgr.get(loc)
	d = doc(t, body)
	if !strings.Contains(d.Find("#norms-line").Text(), "снимок № "+id) || !strings.Contains(d.Find("#adjustments").Text(), "цель квартала") ||
		!strings.Contains(d.Find("#table-norms").Text(), "82\u00a0%") || !strings.Contains(d.Find("#table-norms").Text(), "задана вручную") {
		t.Errorf("after the adjustment: %q / %q", d.Find("#norms-line").Text(), d.Find("#adjustments").Text())
	}
	// A bad value is refused with a page that says why.
	code, h = mgr.post("/stats/norms/"+id+"/adjustments", url.Values{"_csrf": {token}, "what": {"meeting|conversion"}, "value": {"сто"}, "reason": {"x"}})
	if code != 422 {
		t.Errorf("bad value: %d", code)
	}
	// The dashboard now uses the saved set by default.
	_, _, body = mgr.get("/stats")
	if !strings.Contains(doc(t, body).Find("#norms-line").Text(), "снимок № "+id) {
		t.Error("the dashboard does not use the saved norms")
	}

	// In English, switched the way the page header does it.
	if code, _ := mgr.post("/lang", url.Values{"_csrf": {token}, "lang": {"en"}, "next": {"/stats"}}); code != 303 {
		t.Fatalf("switch language: %d", code)
	}
	_, _, body = mgr.get("/stats?from=2025-03-01&to=2026-02-28")
	d = doc(t, body)
	if d.Find("#stats-title").Text() != "Commercial statistics" || !strings.Contains(d.Find("#funnel").Text(), "Funnel by stage") {
		t.Errorf("English page: %q", d.Find("#stats-title").Text())
	}
}
