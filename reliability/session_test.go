package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// browser is a client with a cookie jar of its own that does not follow redirects, like a
// person's browser seen one request at a time.
type browser struct {
	base    string
	cookies map[string]string
	hc      *http.Client
}

func newBrowser(base string) *browser {
	return &browser{base: base, cookies: map[string]string{},
		hc: &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request with the jar's cookies (form values as application/x-www-form-urlencoded)
// and keeps the cookies the answer sets.
func (b *browser) do(t testing.TB, method, path string, form url.Values, hdr ...string) (answer, []*http.Cookie) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return answer{Status: res.StatusCode, Header: res.Header, Body: raw}, res.Cookies()
}

// json sends a JSON API request with the jar's cookies (no bearer token).
func (b *browser) json(t testing.TB, method, path, body string, hdr ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return answer{Status: res.StatusCode, Header: res.Header, Body: raw}
}

const sessionCookie = "dealgate_session"

// signIn posts the sign-in form and returns the answer and the session cookie it set.
func (b *browser) signIn(t testing.TB, email, password string, hdr ...string) (answer, *http.Cookie) {
	t.Helper()
	a, cookies := b.do(t, "POST", "/login", url.Values{"email": {email}, "password": {password}}, hdr...)
	for _, c := range cookies {
		if c.Name == sessionCookie && c.Value != "" {
			return a, c
		}
	}
	return a, nil
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the session's CSRF token from the home page (following its redirects).
func (b *browser) csrf(t testing.TB) string {
	t.Helper()
	path := "/"
	for range 5 {
		a, _ := b.do(t, "GET", path, nil)
		if loc := a.Header.Get("Location"); a.Status == http.StatusSeeOther && strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "/login") {
			path = loc
			continue
		}
		m := csrfRE.FindSubmatch(a.Body)
		if a.Status != 200 || m == nil {
			t.Fatalf("%s: %d, CSRF token found: %v", path, a.Status, m != nil)
		}
		return string(m[1])
	}
	t.Fatal("the home page redirects in circles")
	return ""
}

// me answers who the session cookie value (if any) authenticates through the API: the e-mail,
// or "" for 401.
func me(t testing.TB, base, session string) string {
	t.Helper()
	b := newBrowser(base)
	if session != "" {
		b.cookies[sessionCookie] = session
	}
	a := b.json(t, "GET", "/api/v1/me", "")
	if a.Status == http.StatusUnauthorized {
		return ""
	}
	var u struct {
		Email string `json:"email"`
	}
	if a.Status != 200 || json.Unmarshal(a.Body, &u) != nil {
		t.Fatalf("/api/v1/me: %d %s", a.Status, a.Body)
	}
	return u.Email
}

var adminPasswordRE = regexp.MustCompile(`password:\s+(\S+)`)

// TestSessionsCSRFAndSignIn: a session id planted before sign-in (unknown, or another
// user's valid one) is never promoted — sign-in issues a fresh id and the planted one stops
// working; the cookie is HttpOnly and SameSite=Lax; sign-out ends the session on the server.
// Requests authenticated by the session cookie that change something — API and forms — need
// the session's CSRF token and are refused cross-site even with it; bearer-token requests need
// none. Five wrong passwords lock an e-mail, thirty failures lock an address, and an unknown
// e-mail answers like a wrong password. No password, token, session id or CSRF token reaches
// the server's log, at debug level.
func TestSessionsCSRFAndSignIn(t *testing.T) {
	skipShort(t)
	s := newSite(t)
	base := s.srv.url()
	rep1, rep2 := "rep1@example.ru", "rep2@example.ru"
	secrets := []string{s.srv.adminToken()}
	if m := adminPasswordRE.FindStringSubmatch(s.srv.stdout0); m != nil {
		secrets = append(secrets, m[1])
	}
	for _, c := range s.c {
		secrets = append(secrets, c.token)
	}
	for _, pw := range s.passwords {
		secrets = append(secrets, pw)
	}

	t.Run("fixation", func(t *testing.T) {
		// An id the attacker made up.
		b := newBrowser(base)
		b.cookies[sessionCookie] = "planted-by-the-attacker-0123456789abcdef"
		a, c := b.signIn(t, rep1, s.passwords[owner])
		if a.Status != http.StatusSeeOther || c == nil {
			t.Fatalf("sign-in: %d, cookie %v", a.Status, c)
		}
		if c.Value == "planted-by-the-attacker-0123456789abcdef" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Fatalf("session cookie %+v: want a fresh id, HttpOnly, SameSite=Lax, Path=/", c)
		}
		if got := me(t, base, "planted-by-the-attacker-0123456789abcdef"); got != "" {
			t.Fatalf("the planted id authenticates as %s", got)
		}
		if got := me(t, base, c.Value); got != rep1 {
			t.Fatalf("the new session is %q", got)
		}
		secrets = append(secrets, c.Value)

		// The attacker's own valid session, planted in the victim's browser: the victim's
		// browser is signed in (as the attacker), so a sign-in post needs that session's CSRF
		// token; a sign-in with it replaces the planted session by a fresh one.
		attacker := newBrowser(base)
		_, ac := attacker.signIn(t, rep2, s.passwords[other])
		if ac == nil {
			t.Fatal("the attacker could not sign in")
		}
		victim := newBrowser(base)
		victim.cookies[sessionCookie] = ac.Value
		if a, vc := victim.signIn(t, rep1, s.passwords[owner]); a.Status != http.StatusForbidden || vc != nil {
			t.Fatalf("a sign-in post over a session without its CSRF token: %d, cookie %v; want 403", a.Status, vc)
		}
		planted := victim.csrf(t)
		a, cookies := victim.do(t, "POST", "/login", url.Values{"email": {rep1}, "password": {s.passwords[owner]}, "_csrf": {planted}})
		var vc *http.Cookie
		for _, c := range cookies {
			if c.Name == sessionCookie {
				vc = c
			}
		}
		if a.Status != http.StatusSeeOther || vc == nil || vc.Value == ac.Value {
			t.Fatalf("the victim's sign-in over the planted session: %d, cookie %v; want a fresh id", a.Status, vc)
		}
		if got := me(t, base, ac.Value); got != "" {
			t.Fatalf("the planted session still works (as %s) after the victim signed in over it", got)
		}
		if got := me(t, base, vc.Value); got != rep1 {
			t.Fatalf("the victim's new session is %q", got)
		}
		secrets = append(secrets, ac.Value, vc.Value, planted)

		// Sign-out ends the session on the server, not just in the browser.
		token := victim.csrf(t)
		secrets = append(secrets, token)
		if a, _ := victim.do(t, "POST", "/logout", url.Values{"_csrf": {token}}); a.Status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", a.Status)
		}
		if got := me(t, base, vc.Value); got != "" {
			t.Fatalf("the session still works after sign-out, as %s", got)
		}
	})

	t.Run("csrf", func(t *testing.T) {
		b := newBrowser(base)
		if _, c := b.signIn(t, rep1, s.passwords[owner]); c == nil {
			t.Fatal("no session")
		} else {
			secrets = append(secrets, c.Value)
		}
		token := b.csrf(t)
		secrets = append(secrets, token)
		deal := s.newDeal()
		path := fmt.Sprintf("/api/v1/deals/%d/activities", deal)
		body := `{"kind":"call","note":"CSRF"}`
		for _, c := range []struct {
			name string
			hdr  []string
		}{
			{"no token", nil},
			{"a wrong token", []string{"X-CSRF-Token", token + "x"}},
			{"another session's token", []string{"X-CSRF-Token", strings.Repeat("A", len(token))}},
			{"cross-site with the token", []string{"X-CSRF-Token", token, "Sec-Fetch-Site", "cross-site"}},
		} {
			a := b.json(t, "POST", path, body, c.hdr...)
			if p, ok := a.problem(); a.Status != http.StatusForbidden || !ok || p.Type != "/problems/forbidden" {
				t.Errorf("API write with the session cookie and %s: %d %s, want 403 forbidden", c.name, a.Status, a.Body)
			}
		}
		for _, c := range []struct {
			name string
			form url.Values
			hdr  []string
		}{
			{"no token", url.Values{"kind": {"call"}, "note": {"x"}}, nil},
			{"a wrong token", url.Values{"kind": {"call"}, "note": {"x"}, "_csrf": {"wrong"}}, nil},
			{"cross-site with the token", url.Values{"kind": {"call"}, "note": {"x"}, "_csrf": {token}}, []string{"Sec-Fetch-Site", "cross-site"}},
		} {
			if a, _ := b.do(t, "POST", fmt.Sprintf("/deals/%d/activities", deal), c.form, c.hdr...); a.Status != http.StatusForbidden {
				t.Errorf("form post with %s: %d, want 403", c.name, a.Status)
			}
		}
		var acts struct {
			Items []json.RawMessage `json:"items"`
		}
		s.c[admin].must(t, "GET", path, nil, 200, &acts)
		if len(acts.Items) != 0 {
			t.Fatalf("refused cross-site requests stored %d activities", len(acts.Items))
		}
		// With the token the same session may; a bearer token needs none.
		if a := b.json(t, "POST", path, body, "X-CSRF-Token", token); a.Status != http.StatusCreated {
			t.Fatalf("API write with the session and its token: %d %s", a.Status, a.Body)
		}
		if a, _ := b.do(t, "POST", fmt.Sprintf("/deals/%d/activities", deal), url.Values{"kind": {"call"}, "note": {"x"}, "_csrf": {token}}); a.Status >= 400 {
			t.Fatalf("form post with its token: %d", a.Status)
		}
		s.c[owner].must(t, "POST", path, map[string]string{"kind": "call", "note": "bearer"}, 201, nil)
		// Signing in from another site is refused too (login CSRF).
		if a, c := newBrowser(base).signIn(t, rep1, s.passwords[owner], "Sec-Fetch-Site", "cross-site"); a.Status != http.StatusForbidden || c != nil {
			t.Fatalf("cross-site sign-in: %d, cookie %v", a.Status, c)
		}
	})

	t.Run("throttling", func(t *testing.T) {
		b := newBrowser(base)
		wrong, _ := b.signIn(t, "backoffice@example.ru", "not the password at all")
		unknown, _ := b.signIn(t, "nobody@example.ru", "not the password at all")
		if wrong.Status != http.StatusUnauthorized || unknown.Status != http.StatusUnauthorized {
			t.Fatalf("a wrong password answers %d, an unknown e-mail %d: want 401 for both", wrong.Status, unknown.Status)
		}
		norm := func(a answer, email string) string {
			return regexp.MustCompile(`[0-9a-f]{32}`).ReplaceAllString(strings.ReplaceAll(string(a.Body), email, "E"), "ID")
		}
		if norm(wrong, "backoffice@example.ru") != norm(unknown, "nobody@example.ru") {
			t.Error("an unknown e-mail and a wrong password answer differently: the page reveals who has an account")
		}
		for i := range 4 {
			if a, _ := b.signIn(t, "backoffice@example.ru", fmt.Sprintf("wrong %d", i)); a.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+2, a.Status)
			}
		}
		if a, c := b.signIn(t, "backoffice@example.ru", s.passwords[backoff]); a.Status != http.StatusTooManyRequests || c != nil {
			t.Fatalf("the right password after five failures: %d, session %v; want 429 and none", a.Status, c)
		}
		// Other accounts are not locked by one account's failures…
		if a, c := b.signIn(t, "auditor@example.ru", s.passwords[auditor]); a.Status != http.StatusSeeOther || c == nil {
			t.Fatalf("another account after one was locked: %d", a.Status)
		} else {
			secrets = append(secrets, c.Value)
		}
		// …but thirty failures from one address lock the address.
		b = newBrowser(base)
		for i := range 30 {
			b.signIn(t, fmt.Sprintf("guess%d@example.ru", i), "password guess")
		}
		if a, c := b.signIn(t, "manager@example.ru", s.passwords[manager]); a.Status != http.StatusTooManyRequests || c != nil {
			t.Fatalf("a good sign-in after thirty failures from the address: %d; want 429", a.Status)
		}
		// API tokens: a wrong one is a 401 that names nothing about the right ones.
		a, _ := newClient(base, "dg_"+strings.Repeat("A", 43)).send(context.Background(), "GET", "/api/v1/me", nil)
		if p, ok := a.problem(); a.Status != http.StatusUnauthorized || !ok || p.Type != "/problems/unauthorized" {
			t.Fatalf("a wrong token: %d %s", a.Status, a.Body)
		}
	})

	t.Run("no secrets in the logs", func(t *testing.T) {
		checkNoSecrets(t, s.srv.logs("stderr"), secrets)
	})
}

// pageRE finds the page routes the web package registers.
var pageRE = regexp.MustCompile(`\b[ge]\.(GET|POST)\("(/[^"]*)"`)

// pageRoutes lists the page routes registered in api/web (the source is read, so a page added
// there without a row in pageMatrix fails the test).
func pageRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../api/web/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("api/web sources: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pageRE.FindAllStringSubmatch(string(src), -1) {
			if m[2] != "/static/*" {
				seen[m[1]+" "+m[2]] = true
			}
		}
	}
	var out []string
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	if len(out) < 40 {
		t.Fatalf("only %d page routes found: %v", len(out), out)
	}
	return out
}

// pageMatrix is the access policy of every web page route, one letter per caller in the order
// of apiMatrix (anonymous, admin, manager, owning rep, another rep, back office, auditor):
//
//	A  shown (200), or for a form a redirect that is not to the sign-in page
//	a  let through to the form's checks (anything but L and F: an empty form may be refused
//	   as invalid)
//	L  redirected to the sign-in page
//	F  403
//	N  404, as for a page of an object that does not exist
//
// Forms are posted with the session's CSRF token, so that only the access rules decide.
var pageMatrix = map[string]string{
	"GET /":                                    "LAAAAAA",
	"GET /deals":                               "LAAAAAA",
	"GET /deals/new":                           "LAAAAAA", // the form is shown; posting it is for those who may
	"POST /deals/new":                          "LaaaaFF",
	"GET /companies/new":                       "LAAAAAA",
	"POST /companies/new":                      "LaaaaFF",
	"GET /deals/:id":                           "LAAANAA",
	"POST /deals/:id/activities":               "LaaaNaF",
	"POST /deals/:id/facts":                    "LaaaNaF",
	"POST /deals/:id/transitions":              "LaaaNFF", // the first stage: reps, managers, admins
	"GET /deals/:id/documents/new":             "LAAANFF", // ?kind=proposal: the back office makes no proposal
	"POST /deals/:id/documents/new":            "LaaaNaF", // _kind=proposal, for the back office invoice
	"POST /deals/:id/documents/preview":        "LaaaNaF",
	"GET /documents/:id":                       "LAAANAA",
	"GET /documents/:id/view.pdf":              "LAAANAA",
	"GET /documents/:id/edit":                  "LAAANFF", // a proposal draft
	"POST /documents/:id/edit":                 "LaaaNFF",
	"POST /documents/:id/finalise":             "LAAANFF",
	"GET /documents/:id/correct":               "LAAANFF",
	"POST /documents/:id/correct":              "LaaaNFF",
	"GET /backoffice":                          "LAAFFAF",
	"POST /backoffice/deals/:id/facts":         "LaaFFaF",
	"GET /audit":                               "LAAFFFA",
	"GET /audit/deals/:id":                     "LAAFFFA",
	"GET /stats":                               "LAAAAFA", // reps see their own figures
	"GET /stats/norms":                         "LAAAAFA",
	"POST /stats/norms":                        "LAAFFFF",
	"POST /stats/norms/:id/adjustments":        "LaaFFFF",
	"GET /stats/reps/:id":                      "LAAAFFA", // the owner's page: not another rep's
	"GET /training":                            "LAAAAAA",
	"POST /training/stages/:key/start":         "LAAAAAF",
	"POST /training/course/start":              "LAAAAAF",
	"GET /training/attempts/:id":               "LAAANNN", // the owner's attempt: managers and admins read any
	"POST /training/attempts/:id":              "LNNANNF", // only its taker submits it
	"GET /admin":                               "LAFFFFF",
	"GET /admin/users":                         "LAFFFFF",
	"POST /admin/users":                        "LaFFFFF",
	"GET /admin/users/:id":                     "LAFFFFF",
	"POST /admin/users/:id":                    "LaFFFFF",
	"POST /admin/users/:id/password":           "LaFFFFF",
	"POST /admin/users/:id/tokens":             "LaFFFFF",
	"POST /admin/users/:id/tokens/:tid/revoke": "LaFFFFF",
	"GET /admin/pipeline":                      "LAFFFFF",
	"POST /admin/pipeline":                     "LaFFFFF",
	"GET /admin/templates":                     "LAFFFFF",
	"POST /admin/templates":                    "LaFFFFF",
	"POST /admin/templates/activate":           "LaFFFFF",
	"GET /admin/catalogue":                     "LAFFFFF",
	"POST /admin/catalogue":                    "LaFFFFF",
	"POST /admin/catalogue/import":             "LaFFFFF",
	"GET /admin/seller":                        "LAFFFFF",
	"POST /admin/seller":                       "LaFFFFF",
	"GET /admin/numbering":                     "LAFFFFF",
	"POST /admin/numbering":                    "LaFFFFF",
	"GET /admin/training":                      "LAFFFFF",
	"GET /admin/training/bank.yaml":            "LAFFFFF",
	"POST /admin/training/bank":                "LaFFFFF",
	"POST /admin/training/policy":              "LaFFFFF",
	// A client's requisites: whoever may see the client and create clients.
	"GET /companies/:id/edit":  "LAAANFF",
	"POST /companies/:id/edit": "LaaaNFF",
	// Deleting a draft (here the final proposal, which is refused with 409 by those who may
	// prepare proposals on the deal).
	"GET /documents/:id/delete":  "LaaaNFF",
	"POST /documents/:id/delete": "LaaaNFF",
}

// pageLetter classifies a page answer.
func pageLetter(a answer) string {
	loc := a.Header.Get("Location")
	switch {
	case a.Status == http.StatusSeeOther && strings.HasPrefix(loc, "/login"):
		return "L"
	case a.Status == http.StatusOK || (a.Status >= 300 && a.Status < 400):
		return "A"
	case a.Status == http.StatusForbidden:
		return "F"
	case a.Status == http.StatusNotFound:
		return "N"
	}
	return fmt.Sprint(a.Status)
}

// TestPageAccess requests every page route of the web package as every caller and compares
// the answers with pageMatrix; another rep's deal and document pages answer 404 like missing
// ones.
func TestPageAccess(t *testing.T) {
	skipShort(t)
	s := newSite(t)
	base := s.srv.url()
	browsers := [nRoles]*browser{}
	tokens := [nRoles]string{}
	emails := map[int]string{admin: "admin@dealgate.local", manager: "manager@example.ru", owner: "rep1@example.ru", other: "rep2@example.ru",
		backoff: "backoffice@example.ru", auditor: "auditor@example.ru"}
	passwords := s.passwords
	if m := adminPasswordRE.FindStringSubmatch(s.srv.stdout0); m != nil {
		passwords[admin] = m[1]
	}
	for role := range nRoles {
		browsers[role] = newBrowser(base)
		if role == anon {
			continue
		}
		if a, c := browsers[role].signIn(t, emails[role], passwords[role]); c == nil {
			t.Fatalf("sign in as %s: %d", roleNames[role], a.Status)
		}
		tokens[role] = browsers[role].csrf(t)
	}
	draft := s.newDocument(owner, false)
	// A token of the auditor's for the revoke form.
	spare := fmt.Sprint(s.ids[roleNames[auditor]])
	browsers[admin].do(t, "POST", "/admin/users/"+spare+"/tokens", url.Values{"_csrf": {tokens[admin]}, "name": {"spare"}})
	userPage, _ := browsers[admin].do(t, "GET", "/admin/users/"+spare, nil)
	tid := regexp.MustCompile(`/admin/users/` + spare + `/tokens/(\d+)/revoke`).FindSubmatch(userPage.Body)
	if tid == nil {
		t.Fatalf("the user page shows no token to revoke:\n%s", tail(userPage.Body, 2000))
	}
	var missing []string
	for _, route := range pageRoutes(t) {
		method, path, _ := strings.Cut(route, " ")
		if path == "/login" || path == "/logout" || path == "/lang" {
			continue
		}
		want, ok := pageMatrix[route]
		got := ""
		for role := range nRoles {
			deal, doc := s.deal, s.doc
			if method == http.MethodPost && strings.Contains(path, "/deals/:id") {
				deal = s.newDeal()
			}
			if strings.HasSuffix(path, "/edit") {
				doc = draft
			}
			if method == http.MethodPost && strings.HasPrefix(path, "/documents/:id") {
				doc = s.newDocument(owner, !strings.HasSuffix(path, "/edit") && !strings.HasSuffix(path, "/finalise"))
			}
			p := strings.NewReplacer(":tid", string(tid[1]), ":key", "research").Replace(path)
			switch {
			case strings.Contains(p, "/deals/:id"):
				p = strings.Replace(p, ":id", fmt.Sprint(deal), 1)
			case strings.HasPrefix(p, "/documents/:id"):
				p = strings.Replace(p, ":id", fmt.Sprint(doc), 1)
			case strings.HasPrefix(p, "/admin/users/:id"):
				p = strings.Replace(p, ":id", fmt.Sprint(s.ids[roleNames[auditor]]), 1)
			case strings.HasPrefix(p, "/stats/norms/:id"):
				p = strings.Replace(p, ":id", fmt.Sprint(s.snapshot), 1)
			case strings.HasPrefix(p, "/stats/reps/:id"):
				p = strings.Replace(p, ":id", fmt.Sprint(s.ids[roleNames[owner]]), 1)
			case strings.HasPrefix(p, "/training/attempts/:id"):
				p = strings.Replace(p, ":id", fmt.Sprint(s.attempt), 1)
			case strings.HasPrefix(p, "/companies/:id"):
				p = strings.Replace(p, ":id", fmt.Sprint(s.company), 1)
			}
			if strings.Contains(p, ":") {
				t.Fatalf("no value for the parameters of %s", route)
			}
			if strings.HasSuffix(p, "/documents/new") {
				p += "?kind=proposal"
			}
			var form url.Values
			if method == http.MethodPost {
				form = url.Values{"_csrf": {tokens[role]}}
				if strings.Contains(path, "/documents/") {
					// The kind comes first, so that the rule on who prepares it decides.
					kind, _ := s.docKindFor(role)
					form.Set("_kind", kind)
				}
			}
			a, _ := browsers[role].do(t, method, p, form)
			letter := pageLetter(a)
			if letter == "N" && (strings.Contains(p, fmt.Sprint(deal)) || strings.Contains(p, fmt.Sprint(doc))) {
				// Another rep's deal or document answers like one that does not exist.
				q := strings.Replace(strings.Replace(p, "/"+fmt.Sprint(deal), "/987654", 1), "/"+fmt.Sprint(doc), "/987654", 1)
				b, _ := browsers[role].do(t, method, q, form)
				clean := func(x answer) string {
					return regexp.MustCompile(`[0-9a-zA-Z]{32}|\d+`).ReplaceAllString(string(x.Body), "#")
				}
				if b.Status != a.Status || clean(a) != clean(b) {
					t.Errorf("%s as %s: another rep's object answers %d, a missing one %d (or the pages differ)", route, roleNames[role], a.Status, b.Status)
				}
			}
			if len(letter) > 1 {
				letter = "a" // a status of the form's own checks (422 …)
			}
			got += letter
			if ok && letter != string(want[role]) && !(want[role] == 'a' && letter != "L" && letter != "F" && letter != "N") {
				t.Errorf("%s as %s: %d %s — want %c", route, roleNames[role], a.Status, a.Header.Get("Location"), want[role])
			}
		}
		if !ok {
			missing = append(missing, fmt.Sprintf("%q: %q,", route, got))
		}
	}
	if len(missing) > 0 {
		t.Errorf("page routes without a row in pageMatrix (observed answers shown):\n%s", strings.Join(missing, "\n"))
	}
}
