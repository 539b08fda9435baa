package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage/storagetest"
)

var firstTokenRE = regexp.MustCompile(`API token:\s*(\S+)`)

// TestHungDatabaseAnswers503Quickly serves dealgate on PostgreSQL through a proxy that then
// stops forwarding without closing anything (a frozen database host), with DEALGATE_DB_TIMEOUT
// set to 1 s: reads, writes and the health check answer 503 /problems/unavailable within a few
// seconds instead of at the 30 s request timeout, concurrent requests too, and once the
// database answers again so does dealgate.
func TestHungDatabaseAnswers503Quickly(t *testing.T) {
	dbURL := storagetest.NewPostgresDatabase(t)
	proxy, viaProxy := storagetest.NewStallProxy(t, dbURL)
	t.Setenv("DEALGATE_DB_TIMEOUT", "1s")
	cfg := DefaultConfig().FromEnv()
	if cfg.DBTimeout != time.Second {
		t.Fatalf("DEALGATE_DB_TIMEOUT=1s read as %v", cfg.DBTimeout)
	}
	cfg.Addr, cfg.DataDir, cfg.LogLevel, cfg.DatabaseURL = "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), "error", viaProxy
	var out bytes.Buffer
	app, err := StartApp(context.Background(), cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	m := firstTokenRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no token in %q", out.String())
	}
	token := m[1]
	send := func(method, path, body string) (int, http.Header, []byte, time.Duration) {
		req, _ := http.NewRequest(method, app.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, resp.Header, b.Bytes(), time.Since(start)
	}
	if code, _, body, _ := send("GET", "/api/v1/deals", ""); code != 200 {
		t.Fatalf("before the stall: %d %s", code, body)
	}
	// Let the pooled connections idle past a second, so that reusing one pings it first.
	time.Sleep(1100 * time.Millisecond)

	proxy.Stall()
	// A valid company, so that the write gets past validation to the database (the token is
	// answered from the token cache without it).
	company := `{"name":"ООО Ромашка","inn":"7707083893","kpp":"773601001","address":"г. Москва, ул. Вавилова, д. 19"}`
	type result struct {
		what string
		code int
		h    http.Header
		body []byte
		took time.Duration
	}
	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	for _, r := range [][3]string{{"GET", "/api/v1/deals", ""}, {"POST", "/api/v1/companies", company}, {"GET", "/healthz", ""},
		{"GET", "/api/v1/deals", ""}, {"GET", "/api/v1/deals/1", ""}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, h, body, took := send(r[0], r[1], r[2])
			mu.Lock()
			results = append(results, result{r[0] + " " + r[1], code, h, body, took})
			mu.Unlock()
		}()
	}
	wg.Wait()
	// Then one at a time, with the pool already knowing.
	for _, p := range []string{"/api/v1/deals", "/healthz"} {
		code, h, body, took := send("GET", p, "")
		results = append(results, result{"GET " + p + " (after)", code, h, body, took})
	}
	for _, r := range results {
		t.Logf("stalled database: %s → %d in %v", r.what, r.code, r.took.Round(time.Millisecond))
		var p api.Problem
		if r.code != http.StatusServiceUnavailable || r.h.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(r.body, &p) != nil || p.Type != api.ProblemUnavailable {
			t.Errorf("%s on a stalled database: %d %s %s; want 503 problem+json %s", r.what, r.code, r.h.Get("Content-Type"), r.body, api.ProblemUnavailable)
		}
		if r.took > 5*time.Second {
			t.Errorf("%s on a stalled database took %v; want a few seconds at most with a 1 s bound", r.what, r.took)
		}
	}

	proxy.Resume()
	start := time.Now()
	for {
		code, _, body, _ := send("GET", "/api/v1/deals", "")
		if code == 200 {
			t.Logf("dealgate answers again %v after the database did", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("no recovery after the stall: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Long legitimate work: statistics and the audit of the whole log run without the bound
	// (their request timeout still holds); other routes keep it.
	slow := withLongRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := app.Store.DB().WithContext(r.Context()).Exec("SELECT pg_sleep(1.3)").Error; err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			t.Error(err)
		}
	}))
	for path, want := range map[string]int{"/api/v1/stats/funnel": 200, "/stats/reps/3": 200, "/api/v1/audit/verify": 200, "/api/v1/deals": 503, "/statistics": 503} {
		rec := httptest.NewRecorder()
		slow.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("a 1.3 s statement under %s: %d, want %d", path, rec.Code, want)
		}
	}
}
