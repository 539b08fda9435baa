package documents

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzCheckTemplate feeds arbitrary bytes to the check every uploaded template goes through
// (POST /api/v1/templates/{kind}/{format} and the admin page): a PDF layout (XML) or a DOCX
// (a zip), under an arbitrary file name. The check must never panic; it either refuses with a
// *TemplateError that says what is wrong, or accepts a template that then renders the kind's
// example (which CheckTemplate itself tries, so an accepted template never fails later at
// finalisation). Seeds: every shipped template of both formats, and broken, traversing and
// oversized zips.
func FuzzCheckTemplate(f *testing.F) {
	r, err := NewRenderer(nil)
	if err != nil {
		f.Fatal(err)
	}
	kinds := Kinds()
	for i, k := range kinds {
		for j, fm := range []Format{PDF, DOCX} {
			tf, err := Builtin(k, fm)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), uint8(j), string(k)+"."+map[Format]string{PDF: "xml", DOCX: "docx"}[fm], tf.Bytes)
		}
	}
	f.Add(uint8(0), uint8(1), "../../evil.docx", zipOf(f, map[string]string{"../../evil": "x", "word/document.xml": "<w:document/>"}))
	f.Add(uint8(0), uint8(1), "bomb.docx", zipOf(f, map[string]string{"word/document.xml": strings.Repeat("A", 8<<20)}))
	f.Add(uint8(0), uint8(1), "empty.docx", zipOf(f, map[string]string{}))
	f.Add(uint8(0), uint8(0), "x.xml", []byte(`<layout><page><text>{{.x}}</text></page></layout>`))
	f.Add(uint8(0), uint8(0), "x.xml", []byte(`<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><layout>&b;</layout>`))
	f.Fuzz(func(t *testing.T, ki, fi uint8, name string, b []byte) {
		k := kinds[int(ki)%len(kinds)]
		fm := []Format{PDF, DOCX}[int(fi)%2]
		err := r.CheckTemplate(k, fm, name, b)
		if err == nil {
			return
		}
		var te *TemplateError
		if !errors.As(err, &te) || len(te.Problems) == 0 {
			t.Fatalf("%s %s: the refusal is not a TemplateError naming the problem: %#v", k, fm, err)
		}
		for _, p := range te.Problems {
			if strings.TrimSpace(p) == "" {
				t.Fatalf("%s %s: an empty problem in %#v", k, fm, te)
			}
		}
	})
}

// FuzzNumberFormat: an administrator's number format (PUT /api/v1/settings/numbering) is
// parsed without panic; an accepted one formats every sequence number to a non-empty number
// that holds the sequence's digits and differs for different sequence numbers.
func FuzzNumberFormat(f *testing.F) {
	for _, s := range DefaultNumberFormats {
		f.Add(s, int64(1), 2026, "")
	}
	f.Add("{SCOPE}/{N}", int64(12), 2026, "7/2026-П")
	f.Add("{NNNNNNNNNNNN}-{YY}", int64(-5), -1, "")
	f.Add("{{N}}", int64(9223372036854775807), 99999, "x")
	f.Fuzz(func(t *testing.T, format string, seq int64, year int, scope string) {
		nf, err := ParseNumberFormat(format)
		if err != nil {
			if !errors.Is(err, ErrNumberFormat) {
				t.Fatalf("ParseNumberFormat(%q): %v is not ErrNumberFormat", format, err)
			}
			return
		}
		if seq <= 0 {
			seq = 1
		}
		a, b := nf.Format(seq, year, scope), nf.Format(seq+1, year, scope)
		if a == "" || a == b {
			t.Fatalf("format %q: %d → %q, %d → %q", format, seq, a, seq+1, b)
		}
	})
}

func zipOf(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
