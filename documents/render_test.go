package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// TestRenderExamples renders the shipped example of every kind that has templates, to PDF and
// DOCX, twice, and checks the bytes are identical and the PDF text holds the number.
func TestRenderExamples(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		for _, f := range []Format{PDF, DOCX} {
			if _, err := Builtin(k, f); err != nil {
				t.Logf("%s %s: no shipped template yet", k, f)
				continue
			}
			t.Run(string(k)+"/"+string(f), func(t *testing.T) {
				d, err := Example(k)
				if err != nil {
					t.Fatal(err)
				}
				a, tf, err := r.Render(context.Background(), d, f, RenderOptions{})
				if err != nil {
					t.Fatal(err)
				}
				b, _, err := r.Render(context.Background(), d, f, RenderOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a, b) {
					t.Fatalf("two renders differ")
				}
				if tf.SHA256 == "" || tf.Name == "" {
					t.Fatalf("template ref incomplete: %+v", tf)
				}
				sum := sha256.Sum256(a)
				t.Logf("%s %s: %d bytes, sha256 %s", k, f, len(a), hex.EncodeToString(sum[:8]))
				if f == PDF {
					number, _ := d.Header()
					text := pdfText(t, a)
					if number != "" && !strings.Contains(text, number) {
						t.Errorf("PDF text lacks the number %q", number)
					}
				}
			})
		}
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is required in CI")
		}
		t.Skip("pdftotext not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

var _ = workflow.DocProposal

// TestCheckTemplateAcceptsShipped: every shipped template passes the upload check, and a
// template with an unknown placeholder is refused with the placeholder named.
func TestCheckTemplateAcceptsShipped(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		for _, f := range []Format{PDF, DOCX} {
			tf, err := Builtin(k, f)
			if err != nil {
				t.Fatalf("%s %s: %v", k, f, err)
			}
			if err := r.CheckTemplate(k, f, tf.Name, tf.Bytes); err != nil {
				t.Errorf("%s %s: shipped template refused: %v", k, f, err)
			}
		}
	}
	tf, _ := Builtin(workflow.DocProposal, PDF)
	bad := bytes.Replace(tf.Bytes, []byte("{{.number}}"), []byte("{{.numbr}}"), 1)
	err = r.CheckTemplate(workflow.DocProposal, PDF, "bad.xml", bad)
	if err == nil || !strings.Contains(err.Error(), "numbr") {
		t.Fatalf("unknown placeholder: got %v", err)
	}
}

// TestExamplesUseFastFontPath: every shipped example renders on the single-byte font path
// (about ten times faster than the UTF-8 fallback); a character outside it, in a template or
// in a view's fixed text, would silently slow every document of the kind.
func TestExamplesUseFastFontPath(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		d, err := Example(k)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := r.Render(context.Background(), d, PDF, RenderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("/BaseFont /utf8")) || bytes.Contains(b, []byte("Identity-H")) {
			t.Errorf("%s: rendered on the UTF-8 fallback path", k)
		}
	}
}

// TestRenderEachMatchesRenderWith renders every kind's example to all its shipped formats at
// once with one shared view (RenderEach) and one by one (RenderWith): the bytes must be equal
// (run with -race, the shared view is read by both renders at the same time). A template that
// fails is reported with its format.
func TestRenderEachMatchesRenderWith(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		d, err := Example(k)
		if err != nil {
			t.Fatal(err)
		}
		var tfs []TemplateFile
		for _, f := range []Format{PDF, DOCX} {
			if tf, err := Builtin(k, f); err == nil {
				tfs = append(tfs, tf)
			}
		}
		if len(tfs) == 0 {
			continue
		}
		each, err := r.RenderEach(d, tfs, RenderOptions{})
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		for i, tf := range tfs {
			one, err := r.RenderWith(d, tf, RenderOptions{})
			if err != nil {
				t.Fatalf("%s %s: %v", k, tf.Format, err)
			}
			if len(one) == 0 || !bytes.Equal(each[i], one) {
				t.Fatalf("%s %s: RenderEach gave %d bytes, RenderWith %d, not the same", k, tf.Format, len(each[i]), len(one))
			}
		}
	}
	d, err := Example(workflow.DocProposal)
	if err != nil {
		t.Fatal(err)
	}
	broken := TemplateFile{Kind: workflow.DocProposal, Format: DOCX, Name: "broken", SHA256: "00", Bytes: []byte("not a zip")}
	pdf, err := Builtin(workflow.DocProposal, PDF)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.RenderEach(d, []TemplateFile{pdf, broken}, RenderOptions{}); err == nil || !strings.Contains(err.Error(), "render docx") {
		t.Fatalf("a broken DOCX template: %v, want an error naming docx", err)
	}
}
