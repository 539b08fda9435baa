package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

const ctxSession = "dealgate.session"

// sessionUser resolves the session cookie (api.Server calls it for requests without a bearer
// token).
func (w *Web) sessionUser(c echo.Context) (storage.User, bool) {
	ck, err := c.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return storage.User{}, false
	}
	s, u, err := w.store.FindSession(c.Request().Context(), ck.Value)
	if err != nil {
		return storage.User{}, false
	}
	c.Set(ctxSession, s)
	return u, true
}

// csrf refuses unsafe requests authenticated by the session cookie unless they carry the
// session's CSRF token (form field _csrf or header X-CSRF-Token), and refuses cross-site
// unsafe requests outright. Requests with a bearer token carry no ambient credentials and
// need no token.
func (w *Web) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if r.Header.Get(echo.HeaderAuthorization) != "" {
			return next(c)
		}
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			return &workflow.Error{Code: workflow.EFORBIDDEN, Message: "cross-site request refused"}
		}
		s, ok := c.Get(ctxSession).(storage.Session)
		if !ok {
			// No session: only the sign-in form may be posted; it has its own protections.
			if r.URL.Path == "/login" {
				return next(c)
			}
			return next(c) // requireUser answers 401 / redirects
		}
		token := r.Header.Get("X-CSRF-Token")
		if token == "" {
			token = c.FormValue("_csrf")
		}
		if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRFToken)) != 1 {
			return &workflow.Error{Code: workflow.EFORBIDDEN, Message: "the form is missing its security token (CSRF); reload the page and try again"}
		}
		return next(c)
	}
}

// Sign-in limits: after maxFailuresPerEmail failures for one e-mail (or maxFailuresPerIP from
// one address) within failureWindow, sign-in is refused until the window passes.
const (
	maxFailuresPerEmail = 5
	maxFailuresPerIP    = 30
	failureWindow       = 15 * time.Minute
)

func clientIP(c echo.Context) string {
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}

type loginForm struct {
	Email string
	Next  string
	Error string
}

func (w *Web) handleLoginPage(c echo.Context) error {
	if _, ok := api.CurrentUser(c); ok {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return w.render(c, http.StatusOK, "login", "Вход", loginForm{Next: safeNext(c.QueryParam("next"))})
}

func (w *Web) handleLogin(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	form := loginForm{Email: email, Next: next}
	byEmail, byIP, err := w.store.LoginFailures(ctx, email, clientIP(c), time.Now().Add(-failureWindow))
	if err != nil {
		return err
	}
	if byEmail >= maxFailuresPerEmail || byIP >= maxFailuresPerIP {
		form.Error = "login.locked"
		return w.render(c, http.StatusTooManyRequests, "login", "Вход", form)
	}
	u, err := w.store.FindUserByEmail(ctx, email)
	if err != nil && workflow.Code(err) != workflow.ENOTFOUND {
		return err
	}
	ok := err == nil && !u.Disabled && api.CheckPassword(password, u.PasswordHash)
	if !ok {
		if err != nil {
			// Spend the same time as a real check so the answer does not reveal which
			// e-mails exist.
			api.CheckPassword(password, dummyHash())
		}
		if rerr := w.store.RecordLoginFailure(ctx, email, clientIP(c)); rerr != nil {
			return rerr
		}
		form.Error = "login.failed"
		return w.render(c, http.StatusUnauthorized, "login", "Вход", form)
	}
	_ = w.store.ClearLoginFailures(ctx, email)
	// A fresh session id at every sign-in: an id planted earlier is never promoted.
	if old, err := c.Cookie(SessionCookie); err == nil {
		_ = w.store.DeleteSession(ctx, old.Value)
	}
	lang := "ru"
	if l, err := c.Cookie("dealgate_lang"); err == nil && l.Value == "en" {
		lang = "en"
	}
	id, _, err := w.store.CreateSession(ctx, u.ID, lang, w.SessionTTL)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: w.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(w.SessionTTL.Seconds())})
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (w *Web) handleLogout(c echo.Context) error {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		_ = w.store.DeleteSession(c.Request().Context(), ck.Value)
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: w.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (w *Web) handleLang(c echo.Context) error {
	lang := c.FormValue("lang")
	if lang != "en" {
		lang = "ru"
	}
	c.SetCookie(&http.Cookie{Name: "dealgate_lang", Value: lang, Path: "/", SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	if ck, err := c.Cookie(SessionCookie); err == nil {
		_ = w.store.SetSessionLang(c.Request().Context(), ck.Value, lang)
	}
	back := safeNext(c.FormValue("next"))
	if back == "" {
		back = "/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// safeNext keeps only local paths, so a sign-in link cannot redirect elsewhere.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// dummyHash is checked against when the e-mail is unknown.
var dummyHash = sync.OnceValue(func() string {
	h, _ := api.HashPassword("dealgate-timing-equaliser")
	return h
})

// requirePageUser redirects anonymous page requests to the sign-in page.
func requirePageUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := api.CurrentUser(c); !ok {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}
