// Package web serves dealgate's pages: server-rendered html/template pages for reps, the back
// office, auditors, managers and admins, with sessions, CSRF protection and a Russian-first
// interface (English switchable). Everything — templates, CSS, the small scripts — is embedded
// in the binary; nothing is loaded from elsewhere.
package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// SessionCookie is the name of the session cookie.
const SessionCookie = "dealgate_session"

// Web holds the page handlers.
type Web struct {
	srv   *api.Server
	store *storage.Store
	log   *slog.Logger
	pages map[string]*template.Template
	// SessionTTL is how long a session lives without sign-in (default 12 h).
	SessionTTL time.Duration
	// SecureCookies marks cookies Secure (set when served over HTTPS).
	SecureCookies bool
	// Nav holds the navigation items of the pages added by AddStats, AddTraining and the like,
	// shown after or among the default ones by their Order.
	Nav []NavItem

	group *echo.Group

	// DocKindsFor lists the document kinds a role prepares from the deal page.
	DocKindsFor func(workflow.Role) []workflow.DocumentKind

	routesOnce sync.Once
	served     map[string]bool
}

// AddPages registers more signed-in pages (documents, statistics, training). Call before the
// server's Handler is first used.
func (w *Web) AddPages(r PageRegistrar) { r(w, w.group) }

// NavItem is a link in the top navigation, shown to the listed roles.
type NavItem struct {
	Href  string
	Key   string // i18n key of the label
	Roles []workflow.Role
	// Order places the item: smaller first, items of equal order in the order they were
	// added; 0 puts it after every item that has one.
	Order int
}

// Register adds the pages to srv. Call before srv.Handler().
func Register(srv *api.Server) (*Web, error) {
	w := &Web{srv: srv, store: srv.Store, log: srv.Logger(), SessionTTL: 12 * time.Hour, DocKindsFor: api.DocumentKindsFor}
	if err := w.parse(); err != nil {
		return nil, err
	}
	srv.SessionUser = w.sessionUser
	srv.HTMLErrorFunc = w.errorPage
	e := srv.Echo()
	e.Use(w.csrf)
	static, _ := fs.Sub(staticFS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", cacheStatic(http.FileServer(http.FS(static))))))
	w.routes(e)
	return w, nil
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(rw, r)
	})
}

// parse reads every page template at start and fails fast on a missing or broken one.
func (w *Web) parse() error {
	w.pages = map[string]*template.Template{}
	layout, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		return err
	}
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		return err
	}
	// Files named _*.html hold partials (the document form's fields) that every page may use.
	var partials []string
	for _, e := range entries {
		if name := e.Name(); strings.HasPrefix(name, "_") && strings.HasSuffix(name, ".html") {
			b, err := templateFS.ReadFile(path.Join("templates", name))
			if err != nil {
				return err
			}
			partials = append(partials, string(b))
		}
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || strings.HasPrefix(name, "_") || !strings.HasSuffix(name, ".html") {
			continue
		}
		body, err := templateFS.ReadFile(path.Join("templates", name))
		if err != nil {
			return err
		}
		t := template.New("layout").Funcs(funcs)
		if _, err := t.Parse(string(layout)); err != nil {
			return fmt.Errorf("web: layout: %w", err)
		}
		for _, src := range partials {
			if _, err := t.Parse(src); err != nil {
				return fmt.Errorf("web: partials: %w", err)
			}
		}
		if _, err := t.Parse(string(body)); err != nil {
			return fmt.Errorf("web: %s: %w", name, err)
		}
		w.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return nil
}

// Page is what every page template receives.
type Page struct {
	Title   string
	User    *storage.User
	Lang    string
	CSRF    string
	Nav     []NavItem
	Path    string
	Flash   string
	Error   string
	Data    any
	Now     time.Time
	Version string
}

// T translates a key into the page's language.
func (p Page) T(key string) string { return translate(p.Lang, key) }

// render writes a page with status.
func (w *Web) render(c echo.Context, status int, name, title string, data any) error {
	t, ok := w.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	p := w.page(c, title, data)
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("X-Frame-Options", "DENY")
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	c.Response().Header().Set("Referrer-Policy", "same-origin")
	c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'")
	c.Response().WriteHeader(status)
	return t.ExecuteTemplate(c.Response(), "layout", p)
}

func (w *Web) page(c echo.Context, title string, data any) Page {
	p := Page{Title: title, Lang: "ru", Path: c.Request().URL.Path, Data: data, Now: time.Now()}
	if u, ok := api.CurrentUser(c); ok {
		p.User = &u
		p.Nav = w.navFor(u.Role)
	}
	if s, ok := c.Get(ctxSession).(storage.Session); ok {
		p.CSRF, p.Lang = s.CSRFToken, s.Lang
	} else if l, err := c.Cookie("dealgate_lang"); err == nil && (l.Value == "en" || l.Value == "ru") {
		p.Lang = l.Value
	}
	if f, err := c.Cookie("dealgate_flash"); err == nil {
		p.Flash = f.Value
		c.SetCookie(&http.Cookie{Name: "dealgate_flash", Path: "/", MaxAge: -1})
	}
	return p
}

var (
	allRoles = []workflow.Role{workflow.RoleAdmin, workflow.RoleManager, workflow.RoleRep, workflow.RoleBackoffice, workflow.RoleAuditor}
	// auditReaders open the audit pages.
	auditReaders = []workflow.Role{workflow.RoleAuditor, workflow.RoleAdmin, workflow.RoleManager}
	defaultNav   = []NavItem{
		{Href: "/deals", Key: "nav.deals", Roles: allRoles, Order: 10},
		{Href: "/backoffice", Key: "nav.backoffice", Roles: []workflow.Role{workflow.RoleBackoffice, workflow.RoleAdmin, workflow.RoleManager}, Order: 20},
		// 30 and 40: statistics and training (StatsNav, TrainingNav), added with their pages.
		{Href: "/audit", Key: "nav.audit", Roles: auditReaders, Order: 50},
		{Href: "/admin", Key: "nav.admin", Roles: []workflow.Role{workflow.RoleAdmin}, Order: 60},
	}
)

// navFor lists the navigation items of a role: the default ones and those that added pages
// brought (w.Nav), each path once, in their Order, and only where a page is registered at the
// item's path — a link to a page that is not wired would only lead to a 404.
func (w *Web) navFor(role workflow.Role) []NavItem {
	served := w.servedPaths()
	var out []NavItem
	seen := map[string]bool{}
	for _, n := range append(append([]NavItem{}, defaultNav...), w.Nav...) {
		if seen[n.Href] || !served[n.Href] {
			continue
		}
		for _, r := range n.Roles {
			if r == role {
				seen[n.Href] = true
				out = append(out, n)
				break
			}
		}
	}
	rank := func(n NavItem) int {
		if n.Order == 0 {
			return math.MaxInt
		}
		return n.Order
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// servedPaths returns the GET paths registered on the server. Routes are all registered before
// the first request is served, so the set is built once, at the first page rendered.
func (w *Web) servedPaths() map[string]bool {
	w.routesOnce.Do(func() {
		w.served = map[string]bool{}
		for _, r := range w.srv.Echo().Routes() {
			if r.Method == http.MethodGet {
				w.served[r.Path] = true
			}
		}
	})
	return w.served
}

// errorPage renders problems of page requests as HTML.
func (w *Web) errorPage(c echo.Context, p api.Problem) error {
	if p.Status == http.StatusUnauthorized && c.Request().Method == http.MethodGet {
		return c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request().URL.RequestURI()))
	}
	return w.render(c, p.Status, "error", p.Title, p)
}

// flash sets a one-time message shown on the next page.
func flash(c echo.Context, msg string) {
	c.SetCookie(&http.Cookie{Name: "dealgate_flash", Value: cookieSafe(msg), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func cookieSafe(s string) string {
	// Cookie values cannot hold spaces, quotes or non-ASCII; the flash is a message key.
	var b strings.Builder
	for _, r := range s {
		if r > 0x20 && r < 0x7f && r != '"' && r != ';' && r != ',' && r != '\\' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var errNoPage = errors.New("no page")

// writeTo is used by tests to render a page into a writer.
func (w *Web) writeTo(out io.Writer, name string, p Page) error {
	t, ok := w.pages[name]
	if !ok {
		return errNoPage
	}
	return t.ExecuteTemplate(out, "layout", p)
}
