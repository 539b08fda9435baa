package web

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// renderForm renders the document form of kind from values and errors and returns the page.
func renderForm(t *testing.T, w *Web, k workflow.DocumentKind, values formValues, errs formErrors, products []storage.Product) *goquery.Document {
	t.Helper()
	form, err := buildDocForm(k, "ru", values, errs, products)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	page := Page{Lang: "ru", CSRF: "token", Data: docFormPage{Kind: k, Form: form, Mode: modeNew, Action: "/x", Preview: "/y"}}
	if err := w.writeTo(&buf, "document_form", page); err != nil {
		t.Fatalf("render the %s form: %v", k, err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// submitted returns what a browser posts for the form #doc-form as it is rendered.
func submitted(doc *goquery.Document) url.Values {
	v := url.Values{}
	doc.Find("#doc-form input, #doc-form textarea, #doc-form select").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" {
			return
		}
		switch {
		case goquery.NodeName(s) == "textarea":
			// A browser drops the one newline that follows <textarea>.
			v.Add(name, s.Text())
		case goquery.NodeName(s) == "select":
			sel := s.Find("option[selected]")
			if sel.Length() == 0 {
				sel = s.Find("option").First()
			}
			val, _ := sel.Attr("value")
			v.Add(name, val)
		default:
			typ, _ := s.Attr("type")
			if typ == "checkbox" {
				if _, on := s.Attr("checked"); !on {
					return
				}
			}
			val, _ := s.Attr("value")
			v.Add(name, val)
		}
	})
	return v
}

func canonical(t *testing.T, d documents.Data) string {
	t.Helper()
	b, err := workflow.CanonicalJSON(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFormRoundTripsEveryExample renders each kind's form filled with the shipped example,
// posts it back as a browser would, and checks that the decoded document is the example: the
// generated form reaches every field, and nothing is lost or changed on the way (the number
// is allocated at finalisation, so it is left out of both).
func TestFormRoundTripsEveryExample(t *testing.T) {
	w := &Web{}
	if err := w.parse(); err != nil {
		t.Fatal(err)
	}
	for _, k := range workflow.DocumentKinds {
		t.Run(string(k), func(t *testing.T) {
			raw, err := fs.ReadFile(templates.Examples(), string(k)+".json")
			if err != nil {
				t.Fatal(err)
			}
			want, err := documents.Decode(k, raw)
			if err != nil {
				t.Fatalf("the example does not decode: %v", err)
			}
			want.SetNumber("", time.Time{})
			doc := renderForm(t, w, k, valuesOf(want), nil, nil)
			form := submitted(doc)
			t.Logf("%d inputs posted", len(form))
			empty, _ := documents.New(k)
			obj, values, errs := parseDocForm(reflect.TypeOf(empty).Elem(), form)
			if len(errs) > 0 {
				t.Fatalf("the posted form has errors: %v", errs)
			}
			b, _ := json.Marshal(obj)
			got, err := documents.Decode(k, b)
			if err != nil {
				t.Fatalf("the posted form does not decode: %v\n%s", err, b)
			}
			if g, w := canonical(t, got), canonical(t, want); g != w {
				t.Errorf("the form changed the document:\n got %s\nwant %s", g, w)
			}
			// What was typed is what a rejected form shows again.
			again := submitted(renderForm(t, w, k, values, nil, nil))
			for name, v := range form {
				if strings.Join(again[name], "|") != strings.Join(v, "|") {
					t.Errorf("%s: rendered again as %q, posted %q", name, again[name], v)
				}
			}
		})
	}
}
