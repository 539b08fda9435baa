package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

// e2eConfig is the configuration of one end-to-end run: SQLite in a temporary data directory,
// or a fresh PostgreSQL database.
func e2eConfig(t *testing.T, dialect storage.Dialect) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), "error"
	if dialect == storage.Postgres {
		cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
	}
	return cfg
}

// dbFlags are the flags that point a sub-command at cfg's database.
func dbFlags(cfg Config) []string {
	f := []string{"--data-dir", cfg.DataDir}
	if cfg.DatabaseURL != "" {
		f = append(f, "--database-url", cfg.DatabaseURL)
	}
	return f
}

// run runs the command line and returns its exit status and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// client talks to a running app with one token.
type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) do(method, path string, body string) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, b
}

// json sends a request and decodes a JSON answer of the wanted status into v.
func (c client) json(method, path, body string, want int, v any) {
	c.t.Helper()
	status, b := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

var tokenRE = regexp.MustCompile(`^` + storage.TokenPrefix + `[A-Za-z0-9_-]{43}$`)

// addUser runs `dealgate user add` and returns the token from its last line.
func addUser(t *testing.T, cfg Config, email, role string) string {
	t.Helper()
	code, out, errs := run(t, append([]string{"user", "add", "--email", email, "--role", role}, dbFlags(cfg)...)...)
	if code != 0 {
		t.Fatalf("user add %s: exit %d, stderr %q", email, code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	token := strings.TrimSpace(lines[len(lines)-1])
	if !tokenRE.MatchString(token) {
		t.Fatalf("user add: the last line %q is not a token; output %q", token, out)
	}
	return token
}

// TestServeEndToEnd drives the server as `dealgate serve` builds it: the first start prints the
// administrator's credentials once, `dealgate user add` makes working tokens while it runs, a
// deal moves through its first stages, another rep cannot reach it through any route, the
// OpenAPI document covers every route, and a second start prints nothing secret.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	for _, dialect := range storagetest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			cfg := e2eConfig(t, dialect)
			var out bytes.Buffer
			app, err := StartApp(t.Context(), cfg, &out)
			if err != nil {
				t.Fatal(err)
			}
			defer app.Close()
			first := out.String()
			m := regexp.MustCompile(`API token:\s*(\S+)`).FindStringSubmatch(first)
			if m == nil || !strings.Contains(first, "admin@dealgate.local") || !regexp.MustCompile(`password:\s+\S{12,}`).MatchString(first) {
				t.Fatalf("first start printed %q; want the admin's e-mail, password and API token", first)
			}
			admin := client{t, app.URL(), m[1]}
			var me api.UserJSON
			admin.json("GET", "/api/v1/me", "", 200, &me)
			if me.Role != "admin" || me.Email != "admin@dealgate.local" {
				t.Fatalf("/me with the printed token: %+v", me)
			}
			var health map[string]string
			(client{t, app.URL(), ""}).json("GET", "/healthz", "", 200, &health)
			if health["database"] != string(dialect) {
				t.Fatalf("/healthz = %v, want database %s", health, dialect)
			}

			// Users added from the command line while the server runs.
			rep1 := client{t, app.URL(), addUser(t, cfg, "rep1@example.ru", "rep")}
			rep2 := client{t, app.URL(), addUser(t, cfg, "rep2@example.ru", "rep")}
			rep1.json("GET", "/api/v1/me", "", 200, &me)
			if me.Role != "rep" || me.Email != "rep1@example.ru" {
				t.Fatalf("/me with the user-add token: %+v", me)
			}
			if code, _, errs := run(t, append([]string{"user", "add", "--email", "REP1@example.ru", "--role", "rep"}, dbFlags(cfg)...)...); code != 1 || !strings.Contains(errs, "e-mail") {
				t.Fatalf("duplicate user add: exit %d, stderr %q; want 1 naming the e-mail", code, errs)
			}
			if code, _, errs := run(t, append([]string{"user", "add", "--email", "x@example.ru", "--role", "boss"}, dbFlags(cfg)...)...); code != 2 || !strings.Contains(errs, "boss") {
				t.Fatalf("unknown role: exit %d, stderr %q; want 2 naming the role", code, errs)
			}

			// The contract walk: company, deal, advance, a refused advance, the call, advance.
			company := `{"name":"ООО «Ромашка»","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195","address":"г. Москва, ул. Вавилова, д. 19","bank_name":"ПАО Сбербанк","bik":"044525225","corr_account":"30101810400000000225","account":"40702810938000012345"}`
			var co api.CompanyJSON
			rep1.json("POST", "/api/v1/companies", company, 201, &co)
			var d api.DealJSON
			rep1.json("POST", "/api/v1/deals", fmt.Sprintf(`{"company_id":%d,"title":"Поставка компрессоров","amount":"1500000.00","cost":"1100000.00","currency":"RUB"}`, co.ID), 201, &d)
			deal := fmt.Sprintf("/api/v1/deals/%d", d.ID)
			rep1.json("POST", deal+"/transitions", `{"action":"advance","expected_version":1}`, 200, &d)
			var p api.Problem
			rep1.json("POST", deal+"/transitions", `{"action":"advance","expected_version":2}`, 422, &p)
			if p.Type != api.ProblemMissingEvidence || len(p.Missing) != 1 {
				t.Fatalf("advance without a call: %+v", p)
			}
			rep1.json("POST", deal+"/activities", `{"kind":"call","note":"Звонок главному инженеру"}`, 201, nil)
			rep1.json("POST", deal+"/transitions", `{"action":"advance","expected_version":2}`, 200, &d)
			if d.Stage != "meeting" || d.Version != 3 || d.Amount != "1500000.00" {
				t.Fatalf("after the walk: %+v", d)
			}

			// Another rep reaches rep1's deal through no route of the fully wired server.
			swept := 0
			for _, r := range app.Server.Echo().Routes() {
				if !strings.HasPrefix(r.Path, "/api/v1/deals/:id") || (r.Method != "GET" && r.Method != "POST") {
					continue
				}
				swept++
				path := strings.Replace(r.Path, ":id", fmt.Sprint(d.ID), 1)
				body := ""
				if r.Method == "POST" {
					body = sweepBodies[r.Path]
					if body == "" {
						t.Errorf("no sample body for %s %s: add one to sweepBodies", r.Method, r.Path)
						continue
					}
				}
				if status, b := rep2.do(r.Method, path, body); status != http.StatusNotFound || !strings.Contains(string(b), api.ProblemNotFound) {
					t.Errorf("rep2 %s %s on rep1's deal: %d %s, want 404 not-found", r.Method, r.Path, status, b)
				}
			}
			if swept < 12 {
				t.Fatalf("only %d deal routes swept", swept)
			}
			var after api.DealJSON
			rep1.json("GET", deal, "", 200, &after)
			if after.Version != d.Version || after.Stage != d.Stage {
				t.Fatalf("rep2's requests changed the deal: %+v", after)
			}
			var trail struct {
				Items []json.RawMessage `json:"items"`
			}
			rep1.json("GET", deal+"/events", "", 200, &trail)
			if len(trail.Items) != 4 {
				t.Fatalf("%d events, want 4 (created, advance, call, advance)", len(trail.Items))
			}

			// The OpenAPI document covers every route of the wired server, and no more.
			var doc struct {
				Paths map[string]map[string]json.RawMessage `json:"paths"`
			}
			(client{t, app.URL(), ""}).json("GET", "/api/v1/openapi.json", "", 200, &doc)
			documented := map[string]bool{}
			for path, ops := range doc.Paths {
				for method := range ops {
					documented[strings.ToUpper(method)+" "+path] = true
				}
			}
			served := map[string]bool{}
			for _, r := range app.Server.Echo().Routes() {
				if strings.HasPrefix(r.Path, "/api/v1/") && !strings.HasSuffix(r.Path, "/*") && r.Method != "echo_route_not_found" {
					served[r.Method+" "+api.OpenAPIPath(r.Path)] = true
				}
			}
			for op := range served {
				if !documented[op] {
					t.Errorf("route %s is missing from openapi.json", op)
				}
			}
			for op := range documented {
				if !served[op] {
					t.Errorf("openapi.json documents %s, which is not a route", op)
				}
			}

			// A second start on the same database prints no credentials; the tokens still work.
			if err := app.Close(); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			app2, err := StartApp(t.Context(), cfg, &out)
			if err != nil {
				t.Fatal(err)
			}
			defer app2.Close()
			if s := out.String(); strings.Contains(s, "token") || strings.Contains(s, "password") || strings.Contains(s, m[1]) {
				t.Fatalf("second start printed %q; credentials are shown once", s)
			}
			(client{t, app2.URL(), admin.token}).json("GET", "/api/v1/me", "", 200, &me)
			(client{t, app2.URL(), rep1.token}).json("GET", deal, "", 200, &after)
			if n, err := app2.Store.CountUsers(t.Context()); err != nil || n != 3 {
				t.Fatalf("%d users after the restart (%v), want 3", n, err)
			}
		})
	}
}

// sweepBodies are valid bodies for the POST routes of a deal, so that only the access check
// can refuse them.
var sweepBodies = map[string]string{
	"/api/v1/deals/:id/transitions":       `{"action":"lose","reason":"чужая сделка","expected_version":3}`,
	"/api/v1/deals/:id/activities":        `{"kind":"call","note":"чужой звонок"}`,
	"/api/v1/deals/:id/facts":             `{"kind":"needs","summary":"чужие потребности"}`,
	"/api/v1/deals/:id/documents":         `{"kind":"proposal"}`,
	"/api/v1/deals/:id/documents/preview": `{"kind":"proposal"}`,
}

// TestMigrateCommand: `dealgate migrate` applies the migrations and may run again.
func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	for _, dialect := range storagetest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			cfg := e2eConfig(t, dialect)
			for i := range 2 {
				code, out, errs := run(t, append([]string{"migrate"}, dbFlags(cfg)...)...)
				if code != 0 || !strings.Contains(out, "migrations applied ("+string(dialect)+")") {
					t.Fatalf("migrate #%d: exit %d, stdout %q, stderr %q", i+1, code, out, errs)
				}
			}
			if dialect == storage.SQLite {
				if _, err := os.Stat(filepath.Join(cfg.DataDir, "dealgate.db")); err != nil {
					t.Fatalf("no SQLite file in the data directory: %v", err)
				}
			}
		})
	}
}

// TestPipelineValidateCommand checks `dealgate pipeline validate` on the shipped pipeline and
// on broken files: exit status 1 and a message naming the line, the stage and the field.
func TestPipelineValidateCommand(t *testing.T) {
	t.Parallel()
	shipped := filepath.Join("..", "..", "templates", "pipeline", "default.yaml")
	code, out, errs := run(t, "pipeline", "validate", shipped)
	if code != 0 || !strings.Contains(out, `pipeline "corporate" is valid: 15 stages`) || !strings.Contains(out, "research") || !strings.Contains(out, "feedback") {
		t.Fatalf("validate the default pipeline: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	src, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	// lineOf returns the 1-based line of the first occurrence of s in the shipped file.
	lineOf := func(s string) int {
		i := strings.Index(string(src), s)
		if i < 0 {
			t.Fatalf("%q is not in the shipped pipeline", s)
		}
		return strings.Count(string(src[:i]), "\n") + 1
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name, from, to string
		want           []string // all must appear in stderr
	}{
		{"unknown document kind", "document: meeting_report", "document: meeting_notes",
			[]string{fmt.Sprintf("line %d", lineOf("document: meeting_report")), `stage "meeting"`, "stages[2].requires[0].document", "meeting_notes"}},
		{"unknown activity kind", "activity: call", "activity: telegram",
			[]string{fmt.Sprintf("line %d", lineOf("activity: call")), `stage "cold_call"`, "stages[1].requires[0].activity", "telegram"}},
		{"auditor as exit role", "exit_roles: [rep, backoffice, manager]", "exit_roles: [rep, auditor]",
			[]string{fmt.Sprintf("line %d", lineOf("exit_roles: [rep, backoffice, manager]")), `stage "specification"`, "exit_roles"}},
		{"duplicate stage key", "- key: dmu", "- key: needs",
			[]string{fmt.Sprintf("line %d", lineOf("- key: dmu")), `stage "needs"`, "stages[5].key", "duplicate"}},
		{"broken YAML", "  - key: tender\n", "  - key: tender\n   bad: [\n",
			[]string{"line ", "YAML"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := strings.Replace(string(src), tc.from, tc.to, 1)
			if broken == string(src) {
				t.Fatalf("%q is not in the shipped pipeline", tc.from)
			}
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errs := run(t, "pipeline", "validate", path)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stdout %q, stderr %q", code, out, errs)
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q does not name %q", errs, w)
				}
			}
		})
	}
	if code, _, errs := run(t, "pipeline", "validate", filepath.Join(dir, "missing.yaml")); code != 1 || !strings.Contains(errs, "missing.yaml") {
		t.Fatalf("missing file: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := run(t, "pipeline", "validate"); code != 2 {
		t.Fatalf("no file: exit %d, want 2 (usage)", code)
	}
	if code, _, _ := run(t, "no-such-command"); code != 2 {
		t.Fatalf("unknown command: exit %d, want 2", code)
	}
}
