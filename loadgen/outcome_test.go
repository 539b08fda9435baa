package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dealgate/dealgate/loadgen"
)

// TestOutcomesOfFailingServer: a request that gets 503 on every attempt, or whose answer is
// cut off mid-body, is reported to Observe (and counted) as failed, never as answered; the
// client then does not act on an answer it never had (no request for deal 0).
func TestOutcomesOfFailingServer(t *testing.T) {
	for _, mode := range []string{"503", "cut"} {
		t.Run(mode, func(t *testing.T) {
			var zeroDeal atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/api/v1/companies":
					w.WriteHeader(http.StatusCreated)
					w.Write([]byte(`{"id":7}`))
				case strings.HasPrefix(r.URL.Path, "/api/v1/deals/0/"):
					zeroDeal.Add(1)
					w.WriteHeader(http.StatusNotFound)
				case mode == "503":
					w.Header().Set("Content-Type", "application/problem+json")
					w.WriteHeader(http.StatusServiceUnavailable)
					w.Write([]byte(`{"type":"/problems/unavailable","status":503}`))
				default:
					// Promise a long body, send a little of it and drop the connection.
					w.Header().Set("Content-Length", "1000")
					w.WriteHeader(http.StatusCreated)
					w.Write([]byte(`{"id":`))
					hj, _ := w.(http.Hijacker)
					conn, _, _ := hj.Hijack()
					conn.Close()
				}
			}))
			defer srv.Close()
			var mu sync.Mutex
			var outs []loadgen.Outcome
			rep, err := loadgen.Run(context.Background(), loadgen.Config{Targets: []string{srv.URL}, Tokens: []string{"dg_x"}, Clients: 2,
				Requests: 12, Scenario: loadgen.ScenarioTransitions, IdempotencyKeys: true,
				Observe: func(o loadgen.Outcome) { mu.Lock(); outs = append(outs, o); mu.Unlock() }})
			if err != nil {
				t.Fatal(err)
			}
			if n := zeroDeal.Load(); n > 0 {
				t.Fatalf("%d requests went to deal 0: a failed creation was taken for an answer", n)
			}
			deals := 0
			for _, o := range outs {
				if o.Op != "deal.create" {
					continue
				}
				deals++
				if o.Err == nil || o.Key == "" || o.Attempts != 3 || (mode == "cut" && o.Status != 0) || (mode == "503" && o.Status != 503) {
					t.Errorf("outcome %+v: want a failure after 3 attempts with the key", o)
				}
			}
			if deals == 0 || rep.Errors < int64(deals) || len(outs) != int(rep.Requests) {
				t.Fatalf("%d deal outcomes, %d observed, report %d requests %d errors", deals, len(outs), rep.Requests, rep.Errors)
			}
		})
	}
}
