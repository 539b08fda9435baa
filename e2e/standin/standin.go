// Package standin makes plain PDF-layout and DOCX templates for every document kind, for tests
// that finalise documents while the shipped template of a kind is missing or does not render
// yet. A stand-in prints the document's title, number and date, its item lines and totals
// where the kind has them, and a marker line ("dealgate stand-in template") so that nobody
// mistakes it for a real one. Tests upload a stand-in only for the kinds whose shipped template
// fails the check an administrator's upload gets (documents.Renderer.CheckTemplate); once a
// kind's real template works, the tests use it.
package standin

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/workflow"
)

// Marker is printed in every stand-in document.
const Marker = "dealgate stand-in template"

// hasLines reports whether the kind's view has item lines and totals.
func hasLines(k workflow.DocumentKind) bool {
	switch k {
	case workflow.DocProposal, workflow.DocSpecification, workflow.DocInvoice, workflow.DocUPD:
		return true
	}
	return false
}

// PDF returns the stand-in PDF layout of kind.
func PDF(k workflow.DocumentKind) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<document page="A4" font-size="10" title="{{.title.ru}} {{.number}}">
  <footer><p align="right" size="8">` + Marker + ` · {{$page}} / {{$pages}}</p></footer>
  <h1>{{.title.ru}} № {{.number}} от {{.date}}</h1>
`)
	if hasLines(k) {
		// The item lines are left out: the upload check does not yet accept the loop
		// placeholders of a PDF layout (it lists them as lines[].name, the view as lines.name).
		b.WriteString(`  <p>Всего с НДС: {{.totals.gross}} ({{.totals.words}}).</p>
`)
	}
	b.WriteString(`</document>
`)
	return []byte(b.String())
}

// DOCX returns the stand-in DOCX template of kind.
func DOCX(k workflow.DocumentKind) []byte {
	para := func(text string) string {
		return `<w:p><w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
	}
	cell := func(text string) string {
		return `<w:tc><w:p><w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p></w:tc>`
	}
	var body strings.Builder
	body.WriteString(para("{title.ru} № {number} от {date}"))
	if hasLines(k) {
		body.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
		body.WriteString(`<w:tr>` + cell("№") + cell("Наименование") + cell("Кол-во") + cell("Сумма без НДС") + `</w:tr>`)
		body.WriteString(`<w:tr>` + cell("{lines.no}") + cell("{lines.name}") + cell("{lines.qty}") + cell("{lines.amount}") + `</w:tr>`)
		body.WriteString(`</w:tbl>`)
		body.WriteString(para("Всего с НДС: {totals.gross} ({totals.words})"))
	}
	body.WriteString(para(Marker))
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			panic(err) // writing to memory cannot fail
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Broken lists the kind and format pairs whose shipped template is missing or fails the
// upload check (parse, placeholders, a trial render with the kind's example).
func Broken(r *documents.Renderer) []Pair {
	var out []Pair
	for _, k := range workflow.DocumentKinds {
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			tf, err := documents.Builtin(k, f)
			if err == nil {
				err = r.CheckTemplate(k, f, tf.Name, tf.Bytes)
			}
			if err != nil {
				out = append(out, Pair{Kind: k, Format: f, Reason: err.Error()})
			}
		}
	}
	return out
}

// Pair is a kind and format whose shipped template does not work, and why.
type Pair struct {
	Kind   workflow.DocumentKind
	Format documents.Format
	Reason string
}

// File returns the stand-in of the pair and a file name for it.
func (p Pair) File() (name string, content []byte) {
	if p.Format == documents.PDF {
		return string(p.Kind) + "-standin.xml", PDF(p.Kind)
	}
	return string(p.Kind) + "-standin.docx", DOCX(p.Kind)
}

// Uploader stores a template version and makes it active (the store's SaveTemplate does both
// for a new kind and format).
type Uploader func(ctx context.Context, k workflow.DocumentKind, format, filename string, content []byte) error

// Install checks and uploads a stand-in for every broken pair; it returns the pairs replaced.
func Install(ctx context.Context, r *documents.Renderer, upload Uploader) ([]Pair, error) {
	broken := Broken(r)
	for _, p := range broken {
		name, b := p.File()
		if err := r.CheckTemplate(p.Kind, p.Format, name, b); err != nil {
			return nil, fmt.Errorf("standin: the %s %s stand-in fails its own check: %w", p.Kind, p.Format, err)
		}
		if err := upload(ctx, p.Kind, string(p.Format), name, b); err != nil {
			return nil, err
		}
	}
	return broken, nil
}
