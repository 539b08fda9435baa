package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EnvFaultTests turns on the long fault runs (scripts/faults.sh sets it). Without it the
// package runs reduced versions that fit the ordinary test run.
const EnvFaultTests = "DEALGATE_FAULT_TESTS"

// EnvFaultReport names a directory where each fault test writes its figures as JSON.
const EnvFaultReport = "DEALGATE_FAULT_REPORT"

func longRun() bool { return os.Getenv(EnvFaultTests) == "1" }

// skipShort skips fault tests under -short: they start processes and run for a while.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault tests start server processes; skipped with -short")
	}
}

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// dealgateBinary builds cmd/dealgate once per test process and returns its path.
func dealgateBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "dealgate-reliability-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "dealgate")
		cmd := exec.Command("go", "build", "-o", buildBin, "github.com/dealgate/dealgate/cmd/dealgate")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/dealgate: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// freeAddr returns a free loopback address with a port below Linux's ephemeral range, so that
// an outgoing connection cannot take the port while the server is down between restarts.
func freeAddr(t testing.TB) string {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	t.Fatal("no free port found")
	return ""
}

// server is a `dealgate serve` child process that can be killed and started again on the same
// data and address.
type server struct {
	t       testing.TB
	name    string
	bin     string
	addr    string
	env     []string
	logDir  string
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	runs    int
	stdout0 string // what the first run printed (the first administrator's credentials)
	killing bool
}

// newServer prepares a server with its own log directory. extraEnv are KEY=VALUE pairs
// (DEALGATE_DATA_DIR or DATABASE_URL, mostly).
func newServer(t testing.TB, name, addr string, extraEnv ...string) *server {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "DATABASE_URL" || strings.HasPrefix(k, "DEALGATE_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "DEALGATE_ADDR="+addr, "DEALGATE_LOG_FORMAT=json", "DEALGATE_LOG_LEVEL=debug", "DEALGATE_CHECKPOINT_INTERVAL=1s")
	env = append(env, extraEnv...)
	s := &server{t: t, name: name, bin: dealgateBinary(t), addr: addr, env: env, logDir: t.TempDir()}
	t.Cleanup(func() {
		if s.cmd != nil && s.alive() {
			s.killing = true
			_ = s.cmd.Process.Signal(syscall.SIGKILL)
			<-s.exited
		}
	})
	return s
}

func (s *server) url() string { return "http://" + s.addr }

func (s *server) alive() bool {
	if s.exited == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// start runs the server and waits until /healthz answers 200; it returns how long that took.
func (s *server) start() time.Duration {
	s.t.Helper()
	if s.alive() {
		s.t.Fatalf("%s: start while running", s.name)
	}
	t0 := time.Now()
	for attempt := 0; ; attempt++ {
		s.runs++
		out, err := os.Create(filepath.Join(s.logDir, fmt.Sprintf("run-%03d.stdout", s.runs)))
		if err != nil {
			s.t.Fatal(err)
		}
		errf, err := os.Create(filepath.Join(s.logDir, fmt.Sprintf("run-%03d.stderr", s.runs)))
		if err != nil {
			s.t.Fatal(err)
		}
		cmd := exec.Command(s.bin, "serve")
		cmd.Env = s.env
		cmd.Stdout, cmd.Stderr = out, errf
		// The child dies with the test process, whatever happens to the test.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			s.t.Fatalf("%s: start: %v", s.name, err)
		}
		s.cmd, s.exited, s.killing = cmd, make(chan struct{}), false
		go func(cmd *exec.Cmd, done chan struct{}, out, errf *os.File) {
			s.waitErr = cmd.Wait()
			out.Close()
			errf.Close()
			close(done)
		}(cmd, s.exited, out, errf)
		ready, why := s.waitReady(90 * time.Second)
		if ready {
			if s.runs == 1 || s.stdout0 == "" {
				b, _ := os.ReadFile(out.Name())
				s.stdout0 = string(b)
			}
			return time.Since(t0)
		}
		stderr, _ := os.ReadFile(errf.Name())
		if strings.Contains(string(stderr), "address already in use") && attempt < 20 {
			time.Sleep(250 * time.Millisecond)
			continue
		}
		if s.alive() {
			s.kill()
		}
		s.t.Fatalf("%s (run %d): not ready: %s\nstderr:\n%s", s.name, s.runs, why, tail(stderr, 4000))
	}
}

// waitReady polls /healthz until it answers 200, the process exits or the time is up.
func (s *server) waitReady(limit time.Duration) (bool, string) {
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		if !s.alive() {
			return false, fmt.Sprintf("the process exited: %v", s.waitErr)
		}
		res, err := hc.Get(s.url() + "/healthz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return true, ""
			}
			last = res.Status
		} else {
			last = err.Error()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false, "timed out; last answer: " + last
}

// kill sends SIGKILL and waits for the process to be gone. It fails the test if the server had
// already exited by itself.
func (s *server) kill() {
	s.t.Helper()
	if !s.alive() {
		s.t.Fatalf("%s (run %d) exited by itself before the kill: %v\nstderr:\n%s", s.name, s.runs, s.waitErr, tail([]byte(s.lastStderr()), 4000))
	}
	s.killing = true
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatalf("%s: kill: %v", s.name, err)
	}
	<-s.exited
}

// stop asks the server to shut down (SIGTERM) and waits; it fails the test if the shutdown
// does not end cleanly within 30 s.
func (s *server) stop() {
	s.t.Helper()
	if !s.alive() {
		s.t.Fatalf("%s (run %d) exited by itself before the stop: %v", s.name, s.runs, s.waitErr)
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.waitErr != nil {
			s.t.Errorf("%s: shutdown ended with %v\nstderr:\n%s", s.name, s.waitErr, tail([]byte(s.lastStderr()), 4000))
		}
	case <-time.After(30 * time.Second):
		s.kill()
		s.t.Errorf("%s: no clean shutdown within 30 s", s.name)
	}
}

func (s *server) lastStderr() string {
	b, _ := os.ReadFile(filepath.Join(s.logDir, fmt.Sprintf("run-%03d.stderr", s.runs)))
	return string(b)
}

// logs returns everything every run wrote to stdout (which="stdout") or stderr.
func (s *server) logs(which string) string {
	var b strings.Builder
	for i := 1; i <= s.runs; i++ {
		c, _ := os.ReadFile(filepath.Join(s.logDir, fmt.Sprintf("run-%03d.%s", i, which)))
		b.Write(c)
	}
	return b.String()
}

// errorLines returns the log lines at level ERROR (JSON logs), for the report.
func (s *server) errorLines() []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s.logs("stderr")))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"level":"ERROR"`) {
			out = append(out, sc.Text())
		}
	}
	return out
}

var adminTokenRE = regexp.MustCompile(`API token:\s*(\S+)`)

// adminToken returns the first administrator's token printed by the first run.
func (s *server) adminToken() string {
	s.t.Helper()
	m := adminTokenRE.FindStringSubmatch(s.stdout0)
	if m == nil {
		s.t.Fatalf("%s: the first start printed no API token: %q", s.name, s.stdout0)
	}
	return m[1]
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// client talks to a server as one user.
type client struct {
	base  string
	token string
	hc    *http.Client
}

func newClient(base, token string) *client {
	return &client{base: base, token: token, hc: &http.Client{Timeout: 60 * time.Second}}
}

// answer is an HTTP answer.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
	Took   time.Duration
}

// problem decodes the body as a problem document.
func (a answer) problem() (p struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Field     string `json:"field"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}, ok bool) {
	if !strings.HasPrefix(a.Header.Get("Content-Type"), "application/problem+json") {
		return p, false
	}
	return p, json.Unmarshal(a.Body, &p) == nil && p.Type != "" && p.Status == a.Status
}

// send performs one request; body is sent as is for string and []byte, else as JSON. hdr are
// header name/value pairs.
func (c *client) send(ctx context.Context, method, path string, body any, hdr ...string) (answer, error) {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return answer{}, err
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return answer{}, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	t0 := time.Now()
	res, err := c.hc.Do(req)
	if err != nil {
		return answer{Took: time.Since(t0)}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return answer{Status: res.StatusCode, Header: res.Header, Body: b, Took: time.Since(t0)}, err
}

// must performs a request that has to answer want; it decodes a JSON answer into out.
func (c *client) must(t testing.TB, method, path string, body any, want int, out any) answer {
	t.Helper()
	a, err := c.send(context.Background(), method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if a.Status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, a.Status, a.Body, want)
	}
	if out != nil {
		if err := json.Unmarshal(a.Body, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, a.Body)
		}
	}
	return a
}

// createUser creates a user through the API as the administrator and returns its token.
func createUser(t testing.TB, admin *client, email, role, password string) (id int64, token string) {
	t.Helper()
	body := map[string]string{"email": email, "name": role + " " + email, "role": role}
	if password != "" {
		body["password"] = password
	}
	var out struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
		Token string `json:"token"`
	}
	admin.must(t, "POST", "/api/v1/users", body, http.StatusCreated, &out)
	if out.Token == "" || out.User.ID == 0 {
		t.Fatalf("user %s created without a token", email)
	}
	return out.User.ID, out.Token
}

// companyBody is a client company with checksum-valid requisites.
func companyBody(name string) map[string]string {
	return map[string]string{"name": name, "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
		"address": "г. Москва, ул. Вавилова, д. 19", "bank_name": "ПАО Сбербанк", "bik": "044525225",
		"corr_account": "30101810400000000225", "account": "40702810938000012345"}
}

// report writes a test's figures as JSON to $DEALGATE_FAULT_REPORT/<name>.json when set, and
// logs them.
func report(t testing.TB, name string, figures any) {
	t.Helper()
	b, err := json.MarshalIndent(figures, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s figures:\n%s", name, b)
	if dir := os.Getenv(EnvFaultReport); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			_ = os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644)
		}
	}
}
