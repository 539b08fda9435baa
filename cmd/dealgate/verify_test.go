package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/audit"
	"github.com/dealgate/dealgate/audit/evidence"
)

// TestEvidenceBundleVerifiesOffline runs `dealgate serve` as it starts, makes a deal with
// documents, downloads its evidence bundle and the public key over HTTP, stops the server, and
// then runs `dealgate verify` with no database reachable: the bundle verifies; the same
// bundle with one byte changed does not, and the exit status says so.
func TestEvidenceBundleVerifiesOffline(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), "error"
	app, err := StartApp(ctx, cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			app.Close()
		}
	})
	if info, err := os.Stat(filepath.Join(cfg.DataDir, audit.KeyFileName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the signing key was not created in the data directory on first start: %v %v", info, err)
	}
	m := regexp.MustCompile(`API token:\s*(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin token in %q", out.String())
	}
	token := m[1]
	call := func(method, path, body string) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, app.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		return b
	}
	var company, deal struct{ ID int64 }
	json.Unmarshal(call("POST", "/api/v1/companies", `{"name":"ООО «Ромашка»","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195",
		"address":"г. Москва, ул. Вавилова, д. 19","bank_name":"ПАО Сбербанк","bik":"044525225","corr_account":"30101810400000000225","account":"40702810938000012345"}`), &company)
	json.Unmarshal(call("POST", "/api/v1/deals", fmt.Sprintf(`{"company_id":%d,"title":"Компрессоры","amount":"1500000.00","cost":"1100000.00"}`, company.ID)), &deal)
	call("POST", fmt.Sprintf("/api/v1/deals/%d/transitions", deal.ID), `{"action":"advance"}`)
	call("POST", fmt.Sprintf("/api/v1/deals/%d/activities", deal.ID), `{"kind":"call","note":"первый звонок"}`)
	// Real documents through the documents API: a final proposal from the shipped example, a
	// correction of it (a second version that supersedes the first), and a signed scan.
	example, err := os.ReadFile(filepath.Join("..", "..", "templates", "examples", "proposal.json"))
	if err != nil {
		t.Fatal(err)
	}
	var first, second struct{ ID int64 }
	json.Unmarshal(call("POST", fmt.Sprintf("/api/v1/deals/%d/documents", deal.ID), `{"kind":"proposal","final":true,"data":`+string(example)+`}`), &first)
	corrected := strings.Replace(string(example), `"date": "2026-03-12"`, `"date": "2026-03-13"`, 1)
	if corrected == string(example) {
		t.Fatal("the example proposal has no date to correct")
	}
	json.Unmarshal(call("POST", fmt.Sprintf("/api/v1/documents/%d/corrections", first.ID), `{"data":`+corrected+`}`), &second)
	admin, err := app.Store.FindUserByEmail(ctx, "admin@dealgate.local")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.AttachSignedCopy(ctx, second.ID, "кп подписано.pdf", "application/pdf", []byte("%PDF scan"), admin.Actor()); err != nil {
		t.Fatal(err)
	}
	doc := struct{ ID int64 }{second.ID}
	var rep evidence.Report
	json.Unmarshal(call("GET", fmt.Sprintf("/api/v1/deals/%d/verify", deal.ID), ""), &rep)
	if !rep.OK || rep.Documents != 2 || rep.Files != 5 || rep.Rerender != "2 document(s) re-rendered, 4 file(s) compared" {
		t.Fatalf("server verification: %+v", rep)
	}
	bundle := call("GET", fmt.Sprintf("/api/v1/deals/%d/evidence.zip", deal.ID), "")
	keyJSON := call("GET", "/api/v1/audit/public-key", "")
	var pk audit.PublicKey
	json.Unmarshal(keyJSON, &pk)
	closed = true
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	// A machine without the database: nothing to connect to, no data directory.
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	nowhere := filepath.Join(t.TempDir(), "no-data-here")
	t.Setenv("DEALGATE_DATA_DIR", nowhere)
	dir := t.TempDir()
	good := filepath.Join(dir, "evidence.zip")
	keyFile := filepath.Join(dir, "public-key.json")
	os.WriteFile(good, bundle, 0o600)
	os.WriteFile(keyFile, keyJSON, 0o600)
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := Main(ctx, append([]string{"verify"}, args...), &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	for _, args := range [][]string{{good, "--key", pk.VerifierKey}, {"--key", keyFile, good}, {good}} {
		if code, text := run(args...); code != 0 || !strings.Contains(text, fmt.Sprintf("deal %d: OK", deal.ID)) {
			t.Fatalf("dealgate verify %v: exit %d\n%s", args, code, text)
		}
	}
	code, text := run(good, "--key", pk.VerifierKey, "--json")
	var offline evidence.Report
	if err := json.Unmarshal([]byte(text), &offline); code != 0 || err != nil || !offline.OK || !offline.Checkpoint.KeyPinned || offline.Files != 5 {
		t.Fatalf("--json: exit %d, %v\n%s", code, err, text)
	}

	// One byte of the PDF changed in the file: exit status 1, and the file is named.
	zr, _ := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	var at int64 = -1
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".pdf") && strings.HasPrefix(f.Name, "documents/") {
			at, _ = f.DataOffset()
		}
	}
	if at < 0 {
		t.Fatal("the bundle has no document PDF")
	}
	bad := append([]byte(nil), bundle...)
	bad[at+3] ^= 0x01
	badPath := filepath.Join(dir, "changed.zip")
	os.WriteFile(badPath, bad, 0o600)
	code, text = run(badPath, "--key", pk.VerifierKey)
	if code != 1 || !strings.Contains(text, "FAILED") || !strings.Contains(text, evidence.CodeFileHash) || !strings.Contains(text, fmt.Sprintf("document %d", doc.ID)) {
		t.Fatalf("a changed bundle: exit %d\n%s", code, text)
	}
	// Usage errors exit 2; an unreadable bundle exits 1.
	if code, _ := run(); code != 2 {
		t.Fatalf("no bundle: exit %d, want 2", code)
	}
	if code, _ := run(good, "--key", "not-a-key"); code != 2 {
		t.Fatalf("a bad key: exit %d, want 2", code)
	}
	os.WriteFile(filepath.Join(dir, "junk.zip"), []byte("not a zip"), 0o600)
	if code, _ := run(filepath.Join(dir, "junk.zip")); code != 1 {
		t.Fatalf("not a zip: exit %d, want 1", code)
	}
	if _, err := os.Stat(nowhere); !os.IsNotExist(err) {
		t.Fatalf("dealgate verify touched the data directory: %v", err)
	}
}
