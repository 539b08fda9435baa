package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// navPassword is the password of the users of TestNavigationOfEveryRole.
const navPassword = "навигация-пароль-2026"

// navWant is the navigation each role sees, in order: «Статистика» for the roles that read
// statistics (a rep their own), «Обучение» for everyone (the auditor reads it).
var navWant = map[workflow.Role][]string{
	workflow.RoleAdmin:      {"/deals", "/backoffice", "/stats", "/training", "/audit", "/admin"},
	workflow.RoleManager:    {"/deals", "/backoffice", "/stats", "/training", "/audit"},
	workflow.RoleRep:        {"/deals", "/stats", "/training"},
	workflow.RoleBackoffice: {"/deals", "/backoffice", "/training"},
	workflow.RoleAuditor:    {"/deals", "/stats", "/training", "/audit"},
}

// roleNames are the role names the header must show.
var roleNames = map[workflow.Role][2]string{
	workflow.RoleAdmin: {"администратор", "admin"}, workflow.RoleManager: {"руководитель", "manager"},
	workflow.RoleRep: {"менеджер по продажам", "sales rep"}, workflow.RoleBackoffice: {"бэк-офис", "back office"},
	workflow.RoleAuditor: {"аудитор", "auditor"},
}

// rawKey finds a translation key shown as it is ("role.manager", "nav.stats"): a lower-case
// word, a dot, a lower-case word, in the visible text (e-mail addresses taken out first).
var (
	rawKey = regexp.MustCompile(`(?:^|[^\p{L}\d@._/-])([a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?:$|[^\p{L}\d@_/-])`)
	email  = regexp.MustCompile(`[\w.+-]+@[\w.-]+`)
)

// TestNavigationOfEveryRole starts the server as `dealgate serve` does (every wiring, the
// statistics and training pages through the web hooks) and signs in as each role, in Russian
// and in English: every page the role opens shows the same navigation — «Статистика» and
// «Обучение» included where the role may open them, and each link opens — the header names
// the role in the page's language, and no page shows a translation key instead of a text.
func TestNavigationOfEveryRole(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := e2eConfig(t, dialect)
			app, err := StartApp(context.Background(), cfg, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { app.Close() })
			hash, err := api.HashPassword(navPassword)
			if err != nil {
				t.Fatal(err)
			}
			for _, role := range workflow.Roles {
				email := string(role) + "@nav.example.ru"
				if _, err := app.Store.CreateUser(context.Background(), storage.User{Email: email, Name: "Проверка " + string(role), Role: role, PasswordHash: hash}); err != nil {
					t.Fatal(err)
				}
				t.Run(string(role), func(t *testing.T) { checkNavigation(t, app.URL(), email, role) })
			}
		})
	}
}

func checkNavigation(t *testing.T, base, email string, role workflow.Role) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (int, string, *goquery.Document) {
		t.Helper()
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		d, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, res.Request.URL.Path, d
	}
	res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {navPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path == "/login" {
		t.Fatalf("sign in as %s: %d at %s", role, res.StatusCode, res.Request.URL.Path)
	}
	want := navWant[role]
	for li, lang := range []string{"ru", "en"} {
		// Every page of the navigation, the home page and the pages the role may not open.
		for _, path := range []string{"/", "/deals", "/stats", "/training", "/backoffice", "/audit", "/admin", "/companies/new"} {
			code, at, d := get(path)
			allowed := path == "/" || path == "/deals" || path == "/companies/new" || contains(want, path)
			if allowed && code != http.StatusOK {
				t.Errorf("%s (%s) GET %s: %d at %s, want 200", role, lang, path, code, at)
				continue
			}
			if !allowed {
				if code != http.StatusForbidden {
					t.Errorf("%s (%s) GET %s: %d, want 403 (the navigation does not offer it)", role, lang, path, code)
				}
			}
			var got []string
			d.Find("header nav a").Each(func(_ int, a *goquery.Selection) { got = append(got, a.AttrOr("href", "")) })
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s (%s) %s: navigation %v, want %v", role, lang, at, got, want)
			}
			if who := d.Find("#who").Text(); !strings.Contains(who, roleNames[role][li]) {
				t.Errorf("%s (%s) %s: the header says %q, want the role %q", role, lang, at, who, roleNames[role][li])
			}
			if l := d.Find("html").AttrOr("lang", ""); l != lang {
				t.Errorf("%s %s: the page is in %q, want %q", role, at, l, lang)
			}
			for _, k := range rawKeys(d) {
				t.Errorf("%s (%s) %s: an untranslated key is shown: %q", role, lang, at, k)
			}
		}
		if lang == "ru" {
			_, _, d := get("/deals")
			csrf := d.Find(`#lang-switch`).Closest("form").Find(`input[name=_csrf]`).AttrOr("value", "")
			res, err := c.PostForm(base+"/lang", url.Values{"_csrf": {csrf}, "lang": {"en"}, "next": {"/deals"}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: switching to English: %d", role, res.StatusCode)
			}
		}
	}
}

// rawKeys returns the translation keys shown as they are: in every piece of text, and in the
// titles, placeholders and labels people read.
func rawKeys(d *goquery.Document) []string {
	var texts []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			texts = append(texts, n.Data)
		case n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style"):
			return
		case n.Type == html.ElementNode:
			submit := n.Data == "input" && attr(n, "type") == "submit"
			for _, a := range n.Attr {
				if a.Key == "title" || a.Key == "placeholder" || a.Key == "aria-label" || (submit && a.Key == "value") {
					texts = append(texts, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range d.Find("html").Nodes {
		walk(n)
	}
	var out []string
	for _, t := range texts {
		t = email.ReplaceAllString(t, " ")
		for _, m := range rawKey.FindAllStringSubmatch(t, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
