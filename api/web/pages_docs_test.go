package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// formOf returns what a browser would post for the form sel of a page, with the pressed
// button's name and value.
func formOf(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	doc.Find(sel + " input, " + sel + " textarea, " + sel + " select").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" || name == "_action" {
			return
		}
		switch goquery.NodeName(s) {
		case "textarea":
			v.Add(name, s.Text())
		case "select":
			opt := s.Find("option[selected]")
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			val, _ := opt.Attr("value")
			v.Add(name, val)
		default:
			if typ, _ := s.Attr("type"); typ == "checkbox" {
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

// TestDocumentFormsWithoutABrowser: the proposal form as served, posted back as a browser
// posts it: a preview answers the PDF inline, save stores a draft, finalise numbers it, a
// correction makes version 2 with the same number that supersedes version 1, and a final
// document's edit link leads to the correction.
func TestDocumentFormsWithoutABrowser(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		s := newPagesSite(t, st)
		ctx := context.Background()
		rep := s.signIn(t, s.f.Rep1.Email)
		deal := strconv.FormatInt(s.deal.ID, 10)
		code, body := rep.do("GET", "/deals/"+deal+"/documents/new?kind=proposal", nil)
		if code != http.StatusOK {
			t.Fatalf("the proposal form: %d", code)
		}
		form := formOf(parseHTML(t, body), "#doc-form")
		// The deal's earlier proposal prefilled its lines; add a catalogue line by SKU only, as
		// a browser without JavaScript would post it: the server fills it from the catalogue.
		form.Set("lines[1].sku", "RV-5000")
		form.Set("lines[1].qty", "1")

		form.Set("_action", "preview")
		req, _ := http.NewRequest("POST", s.url+"/deals/"+deal+"/documents/preview", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := rep.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") {
			t.Fatalf("preview: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}

		form.Set("_action", "save")
		code, _ = rep.do("POST", "/deals/"+deal+"/documents/new", form)
		if code != http.StatusSeeOther {
			t.Fatalf("save: %d", code)
		}
		docs, _ := st.FindDocuments(ctx, storage.DocumentFilter{DealID: &s.deal.ID, Kind: workflow.DocProposal})
		var draft storage.Document
		for _, d := range docs {
			if d.Status == storage.DocDraft {
				draft = d
			}
		}
		if draft.ID == 0 || !strings.Contains(string(draft.Data), "Ресивер воздушный РВ-5000") || !strings.Contains(string(draft.Data), `"price":"420000.00"`) {
			t.Fatalf("the draft does not hold the line filled from the catalogue: %s", draft.Data)
		}
		id := strconv.FormatInt(draft.ID, 10)
		if code, head := rep.do("GET", "/documents/"+id+"/view.pdf", nil); code != 200 || !strings.HasPrefix(head, "%PDF") {
			t.Errorf("the draft's preview: %d", code)
		}
		if code, _ := rep.do("POST", "/documents/"+id+"/finalise", rep.form()); code != http.StatusSeeOther {
			t.Fatalf("finalise: %d", code)
		}
		final, err := st.FindDocumentByID(ctx, draft.ID)
		if err != nil || final.Status != storage.DocFinal || final.Number == "" || final.PDFSHA256 == "" {
			t.Fatalf("after finalising: %+v %v", final, err)
		}
		// A final document's edit link leads to a correction.
		code, _ = rep.do("GET", "/documents/"+id+"/edit", nil)
		if code != http.StatusSeeOther {
			t.Errorf("edit a final document: %d, want a redirect to the correction", code)
		}
		code, body = rep.do("GET", "/documents/"+id+"/correct", nil)
		if code != 200 {
			t.Fatalf("the correction form: %d", code)
		}
		corr := formOf(parseHTML(t, body), "#doc-form")
		corr.Set("subject", "Замена компрессорной станции (исправлено)")
		code, _ = rep.do("POST", "/documents/"+id+"/correct", corr)
		if code != http.StatusSeeOther {
			t.Fatalf("correction: %d", code)
		}
		docs, _ = st.FindDocuments(ctx, storage.DocumentFilter{DealID: &s.deal.ID, Kind: workflow.DocProposal})
		var v2 storage.Document
		for _, d := range docs {
			if d.SupersedesID != nil && *d.SupersedesID == draft.ID {
				v2 = d
			}
		}
		old, _ := st.FindDocumentByID(ctx, draft.ID)
		if v2.ID == 0 || v2.Version != 2 || v2.Number != final.Number || old.Status != storage.DocSuperseded {
			t.Fatalf("the correction: v2 %+v, the old one %s", v2, old.Status)
		}
		_, body = rep.do("GET", "/documents/"+id, nil)
		if doc := parseHTML(t, body); doc.Find("#doc-versions tr").Length() != 3 || !regexp.MustCompile(`заменён|superseded`).MatchString(doc.Find("#doc-status").Text()) {
			t.Errorf("the old version's page does not list both versions or say it was superseded")
		}
	})
}
