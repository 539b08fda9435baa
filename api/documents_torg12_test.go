package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// TestUPDProfileDOCX: the DOCX of a УПД follows its profile everywhere — finalisation
// records and stores the ТОРГ-12 + счёт-фактура DOCX (builtin:upd-torg12.docx) for profile
// torg12 and the УПД form for profile upd, a draft's DOCX and the preview agree, and
// re-rendering from the record gives the stored bytes. With an uploaded УПД DOCX active,
// the upd profile takes the upload and torg12 keeps the shipped ТОРГ-12 (VIEW.md, "upd").
func TestUPDProfileDOCX(t *testing.T) {
	t.Parallel()
	forEachDocEnv(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		bo, admin := e.f.Backoffice.Token, e.f.Admin.Token
		deal := e.createDeal(t, e.f.Rep1.Token, e.f.Company.ID)
		data := func(profile string) map[string]any {
			m := kindExample(t, workflow.DocUPD)
			m["profile"] = profile
			delete(m, "number")
			return m
		}
		const torgTitle, updTitle = "ТОВАРНАЯ НАКЛАДНАЯ № ", "Универсальный передаточный документ"
		isTORG12 := func(t *testing.T, what, doc string) {
			t.Helper()
			if !strings.Contains(doc, torgTitle) || !strings.Contains(doc, "Унифицированная форма № ТОРГ-12") ||
				!strings.Contains(doc, "Счёт-фактура № ") || strings.Contains(doc, updTitle) {
				t.Errorf("%s is not the ТОРГ-12 + счёт-фактура", what)
			}
		}
		isUPD := func(t *testing.T, what, doc string) {
			t.Helper()
			if !strings.Contains(doc, updTitle) || strings.Contains(doc, torgTitle) {
				t.Errorf("%s is not the УПД form", what)
			}
		}
		shippedTORG12, err := documents.BuiltinFor(mustUPD(t, data(documents.ProfileTORG12)), documents.DOCX)
		if err != nil || shippedTORG12.Name != "builtin:upd-torg12.docx" {
			t.Fatalf("BuiltinFor(torg12) = %q, %v", shippedTORG12.Name, err)
		}
		shippedUPD, _ := documents.Builtin(workflow.DocUPD, documents.DOCX)
		shippedLayout, _ := documents.Builtin(workflow.DocUPD, documents.PDF)

		// Preview and a draft's DOCX.
		preview := fmt.Sprintf("/api/v1/deals/%d/documents/preview?format=docx", deal.ID)
		isTORG12(t, "the torg12 preview", docxDocument(t, e.do(t, "POST", preview, bo, map[string]any{"kind": "upd", "data": data("torg12")}).want(t, 200).Body))
		isUPD(t, "the upd preview", docxDocument(t, e.do(t, "POST", preview, bo, map[string]any{"kind": "upd", "data": data("upd")}).want(t, 200).Body))
		draft := e.makeDocument(t, bo, deal.ID, workflow.DocUPD, data("torg12"), false)
		isTORG12(t, "the torg12 draft's DOCX", docxDocument(t, e.do(t, "GET", fmt.Sprintf("/api/v1/documents/%d/docx", draft.ID), bo, nil).want(t, 200).Body))

		// Final documents of both profiles with the shipped templates.
		torg := e.makeDocument(t, bo, deal.ID, workflow.DocUPD, data("torg12"), true)
		upd := e.makeDocument(t, bo, deal.ID, workflow.DocUPD, data("upd"), true)
		if r := refTo(t, torg, documents.DOCX); r.ID != 0 || r.Version != 0 || r.Name != shippedTORG12.Name || r.SHA256 != shippedTORG12.SHA256 {
			t.Errorf("torg12 DOCX reference %+v, want the shipped ТОРГ-12", r)
		}
		if r := refTo(t, upd, documents.DOCX); r.ID != 0 || r.Name != shippedUPD.Name || r.SHA256 != shippedUPD.SHA256 {
			t.Errorf("upd DOCX reference %+v, want the shipped УПД", r)
		}
		for _, d := range []api.DocumentJSON{torg, upd} {
			if r := refTo(t, d, documents.PDF); r.ID != 0 || r.Name != shippedLayout.Name {
				t.Errorf("%s PDF reference %+v, want the shipped layout", d.Number, r)
			}
		}
		torgDoc := docxDocument(t, e.download(t, bo, torg, documents.DOCX))
		isTORG12(t, "the final torg12 DOCX", torgDoc)
		if !strings.Contains(torgDoc, torgTitle+torg.Number+" от ") || !strings.Contains(torgDoc, "Счёт-фактура № "+torg.Number+" от ") {
			t.Errorf("the torg12 DOCX lacks its number %q", torg.Number)
		}
		isUPD(t, "the final upd DOCX", docxDocument(t, e.download(t, bo, upd, documents.DOCX)))

		// An uploaded УПД DOCX: the upd profile takes it, torg12 does not.
		const docxCT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		ours := rezip(t, shippedUPD.Bytes, func(name string, c []byte) []byte {
			if name == "word/document.xml" {
				return replaceOnce(t, c, updTitle, updTitle+" (НАШ-УПД)")
			}
			return c
		})
		var up api.TemplateJSON
		e.uploadRaw(t, "/api/v1/templates/upd/docx?filename="+url.QueryEscape("наш УПД.docx"), admin, docxCT, ours).want(t, 201).decode(t, &up)
		if !up.Active {
			t.Fatalf("the upload is not active: %+v", up)
		}
		torg2 := e.makeDocument(t, bo, deal.ID, workflow.DocUPD, data("torg12"), true)
		upd2 := e.makeDocument(t, bo, deal.ID, workflow.DocUPD, data("upd"), true)
		if r := refTo(t, torg2, documents.DOCX); r.ID != 0 || r.Name != shippedTORG12.Name {
			t.Errorf("torg12 with an uploaded УПД: DOCX reference %+v, want the shipped ТОРГ-12", r)
		}
		if r := refTo(t, upd2, documents.DOCX); r.ID != up.ID || r.SHA256 != up.SHA256 {
			t.Errorf("upd with an uploaded УПД: DOCX reference %+v, want the upload %d", r, up.ID)
		}
		isTORG12(t, "the torg12 DOCX with an uploaded УПД", docxDocument(t, e.download(t, bo, torg2, documents.DOCX)))
		if doc := docxDocument(t, e.download(t, bo, upd2, documents.DOCX)); !strings.Contains(doc, "НАШ-УПД") {
			t.Error("the upd DOCX was not made with the upload")
		}
		isTORG12(t, "the torg12 preview with an uploaded УПД", docxDocument(t, e.do(t, "POST", preview, bo, map[string]any{"kind": "upd", "data": data("torg12")}).want(t, 200).Body))

		// Re-rendering gives the stored bytes, whatever is active now.
		for _, d := range []api.DocumentJSON{torg, upd, torg2, upd2} {
			stored, err := e.st.FindDocumentByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			pdf, docx, err := e.srv.Documents.Rerender(ctx, stored)
			if err != nil {
				t.Fatalf("rerender %s: %v", d.Number, err)
			}
			if storage.SHA256Hex(pdf) != stored.PDFSHA256 || storage.SHA256Hex(docx) != stored.DOCXSHA256 {
				t.Errorf("document %s does not re-render to its stored files", d.Number)
			}
		}
		// The recorded name decides: a torg12 record naming upd.docx re-renders to other bytes.
		stored, err := e.st.FindDocumentByID(ctx, torg.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range stored.Templates {
			if stored.Templates[i].Format == string(documents.DOCX) {
				stored.Templates[i].Name = shippedUPD.Name
			}
		}
		if _, docx, err := e.srv.Documents.Rerender(ctx, stored); err != nil || storage.SHA256Hex(docx) == stored.DOCXSHA256 {
			t.Errorf("a torg12 record naming upd.docx re-renders to the stored ТОРГ-12 (%v)", err)
		}
		stored.Templates[0].Name, stored.Templates[1].Name = "builtin:nope.docx", "builtin:nope.docx"
		if _, _, err := e.srv.Documents.Rerender(ctx, stored); err == nil {
			t.Error("a record naming a file the binary does not ship re-renders")
		}
	})
}

// mustUPD decodes УПД data.
func mustUPD(t *testing.T, m map[string]any) documents.Data {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	d, err := documents.Decode(workflow.DocUPD, b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
