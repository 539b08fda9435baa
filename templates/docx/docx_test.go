package docx_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/templates/docx"
	"github.com/dealgate/dealgate/templates/docx/internal/docxgen"
)

// TestCommittedTemplatesMatchGenerator fails when a .docx was edited by hand or the
// generator changed without `go generate ./templates/docx`.
func TestCommittedTemplatesMatchGenerator(t *testing.T) {
	for _, tpl := range docxgen.Templates {
		t.Run(tpl.File, func(t *testing.T) {
			want, err := tpl.Build()
			if err != nil {
				t.Fatal(err)
			}
			got, err := docx.FS.ReadFile(tpl.File)
			if err != nil {
				t.Fatalf("%s is not embedded: %v", tpl.File, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs from the generator output; run go generate ./templates/docx", tpl.File)
			}
			again, err := tpl.Build()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, want) {
				t.Fatal("generator output is not deterministic")
			}
		})
	}
}

// TestTemplatesAreWellFormed opens every template as a zip and decodes every XML part.
func TestTemplatesAreWellFormed(t *testing.T) {
	for _, tpl := range docxgen.Templates {
		t.Run(tpl.File, func(t *testing.T) {
			b, err := docx.FS.ReadFile(tpl.File)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, f := range zr.File {
				names[f.Name] = true
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				dec := xml.NewDecoder(rc)
				for {
					_, err := dec.Token()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatalf("%s: %v", f.Name, err)
					}
				}
				rc.Close()
			}
			for _, must := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml"} {
				if !names[must] {
					t.Errorf("missing %s", must)
				}
			}
		})
	}
}

// TestProposalHasSplitPlaceholder keeps the deliberate run split that docxfill's tests rely on.
func TestProposalHasSplitPlaceholder(t *testing.T) {
	b, err := docx.FS.ReadFile("proposal.docx")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	if strings.Contains(s, "{number}") || strings.Contains(s, "{date}") {
		t.Error("{number} and {date} should be split across runs in the body")
	}
	for _, frag := range []string{">{da</w:t>", ">te}</w:t>", `<w:proofErr w:type="spellStart"/>`, "{lines.name}", "<w:tblHeader/>"} {
		if !strings.Contains(s, frag) {
			t.Errorf("document.xml lacks %q", frag)
		}
	}
}
