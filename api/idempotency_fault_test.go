package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
)

// TestIdempotentCommitFailureIsNotAnEmpty200: when the handler has answered but the
// transaction that records the answer cannot commit (the database went away), the client must
// get a 503 problem to retry with its key — not the empty 200 that net/http sends for a
// response the error handler wrongly took for sent. Found by reliability's PostgreSQL restart
// test, where such an empty 200 acknowledged a deal the client never learned the id of.
func TestIdempotentCommitFailureIsNotAnEmpty200(t *testing.T) {
	e := sqliteEnv(t)
	// The handler answers, then the request's context ends: recording the answer fails.
	cancelAfter := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := context.WithCancel(c.Request().Context())
			c.Set("cancel", cancel)
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
	e.srv.Echo().POST("/api/v1/test/commit-fails", func(c echo.Context) error {
		err := c.JSON(http.StatusCreated, map[string]int{"id": 1})
		c.Get("cancel").(context.CancelFunc)()
		return err
	}, cancelAfter, e.srv.Idempotent())
	req := request(t, "POST", "/api/v1/test/commit-fails", e.f.Rep1.Token, `{}`)
	req.Header.Set(api.HeaderIdempotencyKey, "k1")
	got := e.serve(req)
	got.problem(t, http.StatusServiceUnavailable, api.ProblemUnavailable)
	if _, err := e.st.FindIdempotent(t.Context(), 0, "k1"); err == nil {
		t.Fatal("the failed request's answer was recorded")
	}
}

// TestHealthzIsProblemJSONWhenTheDatabaseIsDown: /healthz is read by load balancers and
// scripts; with the web pages wired (which answer errors of other paths as HTML pages), a
// database outage still answers 503 application/problem+json.
func TestHealthzIsProblemJSONWhenTheDatabaseIsDown(t *testing.T) {
	e := sqliteEnv(t)
	e.srv.HTMLErrorFunc = func(c echo.Context, p api.Problem) error { return c.HTML(p.Status, "<p>a page</p>") }
	e.do(t, "GET", "/healthz", "", nil).want(t, http.StatusOK)
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	got := e.do(t, "GET", "/healthz", "", nil)
	got.problem(t, http.StatusServiceUnavailable, api.ProblemUnavailable)
	if got.Header.Get("Retry-After") == "" {
		t.Error("a 503 without Retry-After")
	}
}
