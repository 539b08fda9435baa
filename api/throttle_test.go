package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
)

// TestFailedBearerTokensAreThrottled sends unknown bearer tokens from one address until it is
// refused with 429, and checks the answer (problem+json naming the reason, Retry-After until
// the oldest failures leave the window), that a valid token from the same address and unknown
// tokens from another address are unaffected, that sign-in's count per address is untouched,
// and that the lock ends when the window has passed.
func TestFailedBearerTokensAreThrottled(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		e.st.Now = func() time.Time { return now }
		from := func(addr, token string) response {
			req := request(t, http.MethodGet, "/api/v1/deals", token, nil)
			req.RemoteAddr = addr + ":40000"
			return e.serve(req)
		}
		const attacker, neighbour = "192.0.2.7", "198.51.100.9"
		for i := range api.MaxTokenFailures {
			from(attacker, "dg_wrong-token-"+strings.Repeat("x", i)).problem(t, http.StatusUnauthorized, api.ProblemUnauthorized)
		}
		r := from(attacker, "dg_one-more-wrong-token")
		p := r.problem(t, http.StatusTooManyRequests, api.ProblemRateLimited)
		if !strings.Contains(p.Detail, "bearer token") || !strings.Contains(p.Detail, "30 within 15 minutes") {
			t.Fatalf("the 429 does not name its reason: %q", p.Detail)
		}
		if got := r.Header.Get("Retry-After"); got != "900" {
			t.Fatalf("Retry-After %q right after the 30th failure, want 900", got)
		}
		t.Logf("31st unknown token: %d %s, Retry-After %s", r.Status, p.Detail, r.Header.Get("Retry-After"))

		// A valid token from the locked address still works; so do other addresses.
		from(attacker, e.f.Rep1.Token).want(t, http.StatusOK)
		from(neighbour, "dg_wrong-token").problem(t, http.StatusUnauthorized, api.ProblemUnauthorized)
		// Sign-in counts its own failures per address.
		if _, byIP, err := e.st.LoginFailures(context.Background(), "rep1@example.ru", attacker, now.Add(-time.Hour)); err != nil || byIP != 0 {
			t.Fatalf("sign-in failures from the address: %d, %v; want 0", byIP, err)
		}

		now = now.Add(10 * time.Minute)
		r = from(attacker, "dg_still-wrong")
		r.problem(t, http.StatusTooManyRequests, api.ProblemRateLimited)
		if got := r.Header.Get("Retry-After"); got != "300" {
			t.Fatalf("Retry-After %q ten minutes later, want 300", got)
		}
		// Refusals while locked are not recorded: the lock ends with the window.
		if at, err := e.st.TokenFailures(context.Background(), attacker, now.Add(-api.TokenFailureWindow), 1000); err != nil || len(at) != api.MaxTokenFailures {
			t.Fatalf("%d failures on record (%v), want %d", len(at), err, api.MaxTokenFailures)
		}
		now = now.Add(5*time.Minute + time.Second)
		from(attacker, "dg_wrong-again").problem(t, http.StatusUnauthorized, api.ProblemUnauthorized)
	})
}
