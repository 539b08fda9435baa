package api

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/workflow"
)

// Failed bearer tokens are throttled per client address like failed sign-ins (and counted in
// the same table, apart from them): after MaxTokenFailures unknown or revoked tokens from one
// address within TokenFailureWindow, further unknown tokens from it are answered 429
// /problems/rate-limited with Retry-After instead of 401, and are no longer recorded, until
// the oldest failures leave the window. A valid token is never refused: tokens carry 256 bits
// and cannot be guessed, so the limit is there to keep the noise and the database work of a
// broken or hostile client down, not to lock out the address's other clients.
const (
	MaxTokenFailures   = 30
	TokenFailureWindow = 15 * time.Minute
)

// ClientIP is the address a request came from (the connection's peer: headers such as
// X-Forwarded-For are not trusted, since anyone can send them).
func ClientIP(c echo.Context) string {
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}

// tokenFailed answers an unknown or revoked bearer token: 401, and the failure recorded; or
// 429 with Retry-After once the address has failed MaxTokenFailures times in the window.
func (s *Server) tokenFailed(c echo.Context) error {
	ctx := ctxOf(c)
	ip := ClientIP(c)
	now := s.Store.Now()
	// More than the limit can be on record when several replicas counted at once.
	at, err := s.Store.TokenFailures(ctx, ip, now.Add(-TokenFailureWindow), 10*MaxTokenFailures)
	if err != nil {
		return err
	}
	if n := len(at); n >= MaxTokenFailures {
		// Unlocked when enough of the failures have left the window to bring the count under
		// the limit.
		wait := at[n-MaxTokenFailures].Add(TokenFailureWindow).Sub(now)
		secs := int((wait + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return echo.NewHTTPError(http.StatusTooManyRequests, fmt.Sprintf(
			"too many unknown or revoked bearer tokens from your address (%d within %d minutes); try again in %d s",
			n, int(TokenFailureWindow/time.Minute), secs))
	}
	if err := s.Store.RecordTokenFailure(ctx, ip); err != nil {
		return err
	}
	return &workflow.Error{Code: workflow.EUNAUTHORIZED, Message: "the token is unknown or revoked"}
}
