package audit_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

func auditDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "AUDIT.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAuditDocWorkedExample recomputes every value of the worked example in docs/AUDIT.md with
// the code that hashes real events, so the document cannot drift from the implementation.
func TestAuditDocWorkedExample(t *testing.T) {
	doc := auditDoc(t)
	e1 := workflow.Event{DealID: 7, Kind: workflow.EventCreated, Action: workflow.ActionCreate, ToStage: "research", ActorID: 3,
		At: time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC), Payload: json.RawMessage(`{"amount":"1500000.00","title":"Компрессоры для «Ромашки»"}`)}
	e1.Seal(nil)
	data, pdf := []byte(`{"number":"КП-2026-0001"}`), []byte("%PDF-1.7 example\n")
	p, err := workflow.CanonicalJSON(storage.DocumentEventPayload(storage.Document{ID: 12, Kind: workflow.DocProposal, Number: "КП-2026-0001", Version: 1,
		DataSHA256: evidence.SHA256Hex(data), PDFSHA256: evidence.SHA256Hex(pdf)}))
	if err != nil {
		t.Fatal(err)
	}
	e2 := workflow.Event{DealID: 7, Kind: workflow.EventDocumentFinalised, Action: "proposal", FromStage: "proposal", ActorID: 3,
		At: time.Date(2026, 3, 5, 14, 2, 7, 123456000, time.UTC), Payload: p}
	e2.Seal(&e1)
	leaf := evidence.LeafData(evidence.Head{DealID: 7, Seq: 2, Hash: e2.Hash})
	lh := evidence.LeafHash(leaf)
	other := evidence.LeafHash(evidence.LeafData(evidence.Head{DealID: 8, Seq: 1, Hash: e1.Hash}))
	root := evidence.HashChildren(lh, other)
	for _, want := range []string{
		string(e1.CanonicalBytes()), e1.Hash, string(e2.CanonicalBytes()), e2.Hash,
		evidence.SHA256Hex(data), evidence.SHA256Hex(pdf), fmt.Sprintf("the %d bytes `%s`", len(data), data), fmt.Sprintf("the %d\nbytes `%%PDF-1.7 example`", len(pdf)),
		string(leaf), hex.EncodeToString(lh), hex.EncodeToString(other), hex.EncodeToString(root), base64.StdEncoding.EncodeToString(root),
		hex.EncodeToString(evidence.EmptyRoot())[:8],
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/AUDIT.md does not contain %q", want)
		}
	}
}

// pythonBlocks returns the ```python blocks of the document.
func pythonBlocks(doc string) []string {
	var out []string
	for _, part := range strings.Split(doc, "```python\n")[1:] {
		out = append(out, part[:strings.Index(part, "\n```")+1])
	}
	return out
}

// TestAuditDocPythonRuns runs the document's Python against the worked example and against
// bundles the server makes: the third-party verifier must accept an untouched bundle and
// reject changed ones.
func TestAuditDocPythonRuns(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the Python example in docs/AUDIT.md is not run")
	}
	blocks := pythonBlocks(auditDoc(t))
	if len(blocks) != 2 {
		t.Fatalf("docs/AUDIT.md has %d python blocks, want the worked example and the verifier", len(blocks))
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, err := exec.Command(python, write("example.py", []byte(blocks[0]))).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "9dfe611c5ea5cb8fe76a48e4dcd5622945479fe7e719cffaa8601cd180e0810f" {
		t.Fatalf("worked example: %v\n%s", err, out)
	}
	script := write("verify_bundle.py", []byte(blocks[1]))
	run := func(bundle []byte, key string) (int, string) {
		t.Helper()
		cmd := exec.Command(python, script, write("bundle.zip", bundle), key)
		out, err := cmd.CombinedOutput()
		if err != nil && cmd.ProcessState == nil {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), string(out)
	}

	st := storagetest.NewStore(t, storage.SQLite)
	e := newEnv(t, st)
	r := buildRichDeal(t, e, "python")
	key := e.publicKey()
	bundle := e.bundleAPI(r.deal.ID)
	if code, out := run(bundle, key); code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "OK") {
		t.Fatalf("the Python verifier rejects a good bundle: exit %d\n%s", code, out)
	}
	// A document file changed (with a correct zip checksum).
	var pdfName string
	zr, _ := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "documents/") && strings.HasSuffix(f.Name, ".pdf") {
			pdfName = f.Name
			break
		}
	}
	if code, out := run(rezip(t, bundle, pdfName, 3), key); code != 1 || !strings.Contains(out, "pdf: expected SHA-256") {
		t.Fatalf("changed PDF: exit %d\n%s", code, out)
	}
	// The manifest's signature forged (one bit of the Ed25519 signature, key hash intact).
	sig := readEntry(t, bundle, "manifest.sig")
	line := sig[bytes.LastIndex(sig[:len(sig)-1], []byte("\n"))+1:]
	fields := strings.Fields(string(line))
	raw, _ := base64.StdEncoding.DecodeString(fields[len(fields)-1])
	raw[20] ^= 0x01
	forged := append(append([]byte(nil), sig[:len(sig)-len(line)]...), []byte(strings.Join(fields[:len(fields)-1], " ")+" "+base64.StdEncoding.EncodeToString(raw)+"\n")...)
	if code, out := run(replaceEntry(t, bundle, "manifest.sig", forged), key); code != 1 || !strings.Contains(out, "manifest.sig does not sign") {
		t.Fatalf("forged signature: exit %d\n%s", code, out)
	}
	// An event changed in the database: the next bundle the server makes fails in Python too.
	d := dba{t: t, st: st}
	d.disableEventTriggers()
	d.exec("UPDATE events SET reason = 'подделка' WHERE deal_id = ? AND seq = 3", r.deal.ID)
	if code, out := run(e.bundleAPI(r.deal.ID), key); code != 1 || !strings.Contains(out, "event 3: its content does not hash") {
		t.Fatalf("changed event: exit %d\n%s", code, out)
	}
	// Another server's key.
	other := newEnv(t, storagetest.NewStore(t, storage.SQLite)).publicKey()
	if code, out := run(bundle, other); code != 1 || !strings.Contains(out, "checkpoint's signature does not verify") {
		t.Fatalf("another key: exit %d\n%s", code, out)
	}
}

func readEntry(t *testing.T, bundle []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replaceEntry copies a bundle with one entry's content replaced.
func replaceEntry(t *testing.T, bundle []byte, name string, body []byte) []byte {
	t.Helper()
	zr, _ := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		if f.Name == name {
			w.Write(body)
			continue
		}
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	zw.Close()
	return out.Bytes()
}
