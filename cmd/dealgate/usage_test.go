package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBadUsageExitsTwo runs every registered sub-command with a flag it does not define, and
// a list of other bad usages, through Main: each must exit with status 2 (and -h with 0).
func TestBadUsageExitsTwo(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("DEALGATE_DATA_DIR", filepath.Join(t.TempDir(), "data"))
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 8 {
		t.Fatalf("only %d commands registered: %v", len(names), names)
	}
	cases := [][]string{
		{"no-such-command"},
		{"user", "add", "--no-such-flag"},
		{"user", "add", "--email", "a@b.ru", "--role", "rep", "extra"},
		{"user", "add", "--email", "a@b.ru"},
		{"user", "remove"},
		{"pipeline"},
		{"pipeline", "validate"},
		{"pipeline", "validate", "--no-such-flag"},
		{"serve", "extra-argument"},
		{"serve", "--db-timeout", "soon"},
		{"serve", "--db-timeout", "-1s"},
		{"serve", "--secure-cookies=maybe"},
		{"serve", "--token-cache", "2m"},
		{"serve", "--token-cache", "-1s"},
		{"migrate", "extra-argument"},
		{"demo", "extra-argument"},
		{"demo", "--deals", "many"},
		{"load", "extra-argument"},
		{"load", "--clients", "many"},
		{"render", "--format"},
		{"verify"},
		{"verify", "--key"},
	}
	for _, n := range names {
		cases = append(cases, []string{n, "--no-such-flag"})
	}
	for _, args := range cases {
		code, _, stderr := run(t, args...)
		if code != 2 {
			t.Errorf("dealgate %s: exit status %d, want 2; stderr %q", strings.Join(args, " "), code, stderr)
		}
	}
	for _, n := range names {
		if code, _, stderr := run(t, n, "-h"); code != 0 || stderr == "" {
			t.Errorf("dealgate %s -h: exit status %d, want 0 with usage on stderr (%q)", n, code, stderr)
		}
	}
	// A malformed environment variable is bad usage too.
	t.Setenv("DEALGATE_SECURE_COOKIES", "maybe")
	for _, args := range [][]string{{"serve"}, {"migrate"}} {
		if code, _, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, "DEALGATE_SECURE_COOKIES") {
			t.Errorf("dealgate %s with DEALGATE_SECURE_COOKIES=maybe: exit status %d, stderr %q; want 2 naming the variable", args[0], code, stderr)
		}
	}
	t.Setenv("DEALGATE_SECURE_COOKIES", "")
	for _, v := range []string{"soon", "-1s", "2m"} {
		t.Setenv("DEALGATE_TOKEN_CACHE", v)
		if code, _, stderr := run(t, "serve"); code != 2 || !strings.Contains(stderr, "DEALGATE_TOKEN_CACHE") {
			t.Errorf("dealgate serve with DEALGATE_TOKEN_CACHE=%s: exit status %d, stderr %q; want 2 naming the variable", v, code, stderr)
		}
	}
	t.Logf("%d bad usages over %d commands, each exit status 2", len(cases)+5, len(names))
}

// syncBuffer is a bytes.Buffer that a running command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	listeningRE = regexp.MustCompile(`dealgate is listening on (http://\S+)`)
	passwordRE  = regexp.MustCompile(`password:\s+(\S+)`)
)

// serveAndSignIn runs `dealgate serve` with args and env on a fresh SQLite directory, signs in
// as the first admin and returns the session cookie that the sign-in set.
func serveAndSignIn(t *testing.T, env map[string]string, args ...string) *http.Cookie {
	t.Helper()
	t.Setenv("DATABASE_URL", "")
	t.Setenv("DEALGATE_SECURE_COOKIES", "")
	t.Setenv("DEALGATE_LOG_LEVEL", "error")
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(t.TempDir(), "data")}, args...)
	go func() { done <- Main(ctx, args, &stdout, &stderr) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d: %s", code, stderr.String())
		}
	}()
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == ""; {
		if m := listeningRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", stdout.String(), stderr.String())
		}
	}
	m := passwordRE.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no first admin password in %q", stdout.String())
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.PostForm(base+"/login", url.Values{"email": {"admin@dealgate.local"}, "password": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "dealgate_session" && c.Value != "" {
			t.Logf("%v: Set-Cookie %s", args[5:], c.String())
			return c
		}
	}
	t.Fatalf("sign-in set no session cookie: %v", resp.Header["Set-Cookie"])
	return nil
}

// TestServeSecureCookies starts `dealgate serve` with --secure-cookies, with
// DEALGATE_SECURE_COOKIES=1, and with neither, signs in, and checks the session cookie's
// Secure flag; and that `serve -h` documents both.
func TestServeSecureCookies(t *testing.T) {
	if c := serveAndSignIn(t, nil, "--secure-cookies"); !c.Secure || !c.HttpOnly {
		t.Errorf("serve --secure-cookies: session cookie %q is not Secure and HttpOnly", c.String())
	}
	if c := serveAndSignIn(t, map[string]string{"DEALGATE_SECURE_COOKIES": "1"}); !c.Secure {
		t.Errorf("DEALGATE_SECURE_COOKIES=1: session cookie %q is not Secure", c.String())
	}
	if c := serveAndSignIn(t, nil); c.Secure {
		t.Errorf("plain serve: session cookie %q is Secure", c.String())
	}
	if c := serveAndSignIn(t, map[string]string{"DEALGATE_SECURE_COOKIES": "1"}, "--secure-cookies=false"); c.Secure {
		t.Errorf("DEALGATE_SECURE_COOKIES=1 --secure-cookies=false: session cookie %q is Secure; the flag should win", c.String())
	}
	code, _, stderr := run(t, "serve", "-h")
	if code != 0 || !strings.Contains(stderr, "-secure-cookies") || !strings.Contains(stderr, "DEALGATE_SECURE_COOKIES=1") ||
		!strings.Contains(stderr, "-db-timeout") || !strings.Contains(stderr, "DEALGATE_DB_TIMEOUT") {
		t.Errorf("serve -h (status %d) does not document --secure-cookies / DEALGATE_SECURE_COOKIES and --db-timeout / DEALGATE_DB_TIMEOUT:\n%s", code, stderr)
	}
}
