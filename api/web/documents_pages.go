package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// The document pages: one form for every kind, generated from the kind's data struct
// (docform.go), prefilled from what the deal already knows; a draft is saved and previewed as
// a PDF in the page, then finalised (numbered, rendered to PDF and DOCX, hashed). A final
// document is corrected by a new version that supersedes it.
//
//	GET  /deals/{id}/documents/new?kind=K   the form, prefilled
//	POST /deals/{id}/documents/new          _action: save (a draft), finalise, preview
//	POST /deals/{id}/documents/preview      the typed data as a draft PDF, inline
//	GET  /documents/{id}                    a document: its data, files, hashes, preview
//	GET  /documents/{id}/view.pdf           its PDF inline (drafts marked ЧЕРНОВИК)
//	GET  /documents/{id}/edit               a draft's form; POST saves or finalises it
//	POST /documents/{id}/finalise           finalise a draft as it is stored
//	GET  /documents/{id}/correct            a correction of a final document; POST finalises it
func (w *Web) documentRoutes(g *echo.Group) {
	g.GET("/deals/:id/documents/new", w.handleDocNew)
	g.POST("/deals/:id/documents/new", w.handleDocCreate)
	g.POST("/deals/:id/documents/preview", w.handleDocPreview)
	g.GET("/documents/:id", w.handleDocPage)
	g.GET("/documents/:id/view.pdf", w.handleDocInline)
	g.GET("/documents/:id/edit", w.handleDocEdit)
	g.POST("/documents/:id/edit", w.handleDocUpdate)
	g.POST("/documents/:id/finalise", w.handleDocFinalise)
	g.GET("/documents/:id/correct", w.handleDocCorrect)
	g.POST("/documents/:id/correct", w.handleDocCorrectPost)
}

// Form modes.
const (
	modeNew     = "new"
	modeEdit    = "edit"
	modeCorrect = "correct"
)

// docFormPage is the data of document_form.html.
type docFormPage struct {
	Deal    workflow.Deal
	Company storage.Company
	Kind    workflow.DocumentKind
	Form    *docForm
	Mode    string
	Action  string // where the form posts
	Preview string // where the preview posts
	Doc     *storage.Document
	Drafts  []storage.Document // drafts of the kind already on the deal (new mode)
}

// uiLang is the interface language of the request.
func (w *Web) uiLang(c echo.Context) string {
	if s, ok := c.Get(ctxSession).(storage.Session); ok && s.Lang == "en" {
		return "en"
	}
	if l, err := c.Cookie("dealgate_lang"); err == nil && l.Value == "en" {
		return "en"
	}
	return "ru"
}

// mayPrepare reports whether the user's role prepares documents of kind k.
func (w *Web) mayPrepare(u storage.User, k workflow.DocumentKind) bool {
	if w.DocKindsFor == nil {
		return false
	}
	for _, x := range w.DocKindsFor(u.Role) {
		if x == k {
			return true
		}
	}
	return false
}

func forbiddenKind(u storage.User, k workflow.DocumentKind) error {
	return &workflow.Error{Code: workflow.EFORBIDDEN, Message: fmt.Sprintf("role %s does not prepare %s documents", u.Role, k)}
}

// pageDeal loads the deal of the path parameter name if the user may see it (404 otherwise).
func (w *Web) pageDeal(c echo.Context, name string) (workflow.Deal, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return workflow.Deal{}, workflow.ErrNotFound
	}
	return w.srv.LoadDeal(c, id)
}

// pageDocument loads the document of the path if the user may see its deal (404 otherwise).
func (w *Web) pageDocument(c echo.Context) (storage.Document, workflow.Deal, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.Document{}, workflow.Deal{}, workflow.ErrNotFound
	}
	doc, err := w.srv.LoadDocument(c, id)
	if err != nil {
		return doc, workflow.Deal{}, err
	}
	deal, err := w.srv.LoadDeal(c, doc.DealID)
	return doc, deal, err
}

func docURL(id int64) string { return "/documents/" + strconv.FormatInt(id, 10) }

// renderDocForm renders the form of kind k on deal with values and errors.
func (w *Web) renderDocForm(c echo.Context, status int, deal workflow.Deal, k workflow.DocumentKind, mode string, doc *storage.Document, values formValues, errs formErrors) error {
	ctx := c.Request().Context()
	products, err := w.store.FindProducts(ctx, true)
	if err != nil {
		return err
	}
	form, err := buildDocForm(k, w.uiLang(c), values, errs, products)
	if err != nil {
		return err
	}
	page := docFormPage{Deal: deal, Kind: k, Form: form, Mode: mode, Doc: doc,
		Preview: fmt.Sprintf("/deals/%d/documents/preview", deal.ID)}
	if page.Company, err = w.store.FindCompanyByID(ctx, deal.CompanyID); err != nil {
		return err
	}
	switch mode {
	case modeNew:
		page.Action = fmt.Sprintf("/deals/%d/documents/new", deal.ID)
		docs, err := w.store.FindDocuments(ctx, storage.DocumentFilter{DealID: &deal.ID, Kind: k})
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.Status == storage.DocDraft {
				page.Drafts = append(page.Drafts, d)
			}
		}
	case modeEdit:
		page.Action = docURL(doc.ID) + "/edit"
	case modeCorrect:
		page.Action = docURL(doc.ID) + "/correct"
	}
	title := docName(w.uiLang(c), k)
	return w.render(c, status, "document_form", title, page)
}

func docName(lang string, k workflow.DocumentKind) string {
	n := workflow.DocumentNames[k]
	return pickLang(lang, n[0], n[1])
}

func (w *Web) handleDocNew(c echo.Context) error {
	deal, err := w.pageDeal(c, "id")
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	k := workflow.DocumentKind(c.QueryParam("kind"))
	if !k.Valid() {
		return workflow.Invalid("kind", "unknown document kind %q", k)
	}
	if !w.mayPrepare(u, k) {
		return forbiddenKind(u, k)
	}
	data, err := w.srv.Documents.Prefill(c.Request().Context(), deal, k)
	if err != nil {
		return err
	}
	return w.renderDocForm(c, http.StatusOK, deal, k, modeNew, nil, valuesOf(data), nil)
}

func (w *Web) handleDocCreate(c echo.Context) error {
	deal, err := w.pageDeal(c, "id")
	if err != nil {
		return err
	}
	k := workflow.DocumentKind(c.FormValue("_kind"))
	if !k.Valid() {
		return workflow.Invalid("kind", "unknown document kind %q", k)
	}
	return w.submitDocForm(c, deal, k, modeNew, nil)
}

func (w *Web) handleDocPreview(c echo.Context) error {
	deal, err := w.pageDeal(c, "id")
	if err != nil {
		return err
	}
	k := workflow.DocumentKind(c.FormValue("_kind"))
	if !k.Valid() {
		return workflow.Invalid("kind", "unknown document kind %q", k)
	}
	u, _ := api.CurrentUser(c)
	if !w.mayPrepare(u, k) {
		return forbiddenKind(u, k)
	}
	d, values, errs, err := w.readDocForm(c, k, false)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return w.renderDocForm(c, http.StatusUnprocessableEntity, deal, k, modeNew, nil, values, errs)
	}
	out, _, err := w.srv.Documents.Renderer.Render(c.Request().Context(), d, documents.PDF, documents.RenderOptions{Draft: true})
	if err != nil {
		return err
	}
	return inlinePDF(c, out, docName("ru", k)+" (предпросмотр)", false)
}

// submitDocForm handles a posted document form: the action save stores a draft, finalise
// makes the final document (a correction when mode is correct), preview answers the PDF.
// A rejected form is shown again with every value kept and each error next to its field.
func (w *Web) submitDocForm(c echo.Context, deal workflow.Deal, k workflow.DocumentKind, mode string, doc *storage.Document) error {
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	if !w.mayPrepare(u, k) {
		return forbiddenKind(u, k)
	}
	action := c.FormValue("_action")
	if mode == modeCorrect {
		action = "finalise"
	}
	d, values, errs, err := w.readDocForm(c, k, action == "finalise")
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return w.renderDocForm(c, http.StatusUnprocessableEntity, deal, k, mode, doc, values, errs)
	}
	var draftID, supersedes int64
	if doc != nil {
		if mode == modeCorrect {
			supersedes = doc.ID
		} else {
			draftID = doc.ID
		}
	}
	var out storage.Document
	switch action {
	case "preview":
		pdf, _, err := w.srv.Documents.Renderer.Render(ctx, d, documents.PDF, documents.RenderOptions{Draft: true})
		if err != nil {
			return err
		}
		return inlinePDF(c, pdf, docName("ru", k)+" (предпросмотр)", false)
	case "finalise":
		out, err = w.srv.Documents.Finalise(ctx, deal.ID, d, draftID, supersedes, u.Actor())
		if err == nil {
			flash(c, "doc.finalised")
		}
	default:
		canon, cerr := workflow.CanonicalJSON(d)
		if cerr != nil {
			return cerr
		}
		out, err = w.store.SaveDraft(ctx, deal.ID, draftID, k, canon, u.Actor())
		if err == nil {
			flash(c, "doc.saved")
		}
	}
	if err != nil {
		if fe := formErrorsOf(err, w.uiLang(c)); fe != nil {
			return w.renderDocForm(c, http.StatusUnprocessableEntity, deal, k, mode, doc, values, fe)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, docURL(out.ID))
}

// formErrorsOf returns the field errors of a validation error (nil for other errors).
func formErrorsOf(err error, lang string) formErrors {
	var de *documents.ValidationError
	var we *workflow.Error
	switch {
	case errors.As(err, &de):
		return errorsOf(de, lang)
	case errors.As(err, &we) && we.Code == workflow.EINVALID && we.Field != "":
		return formErrors{we.Field: we.Message}
	}
	return nil
}

// readDocForm reads the posted form of kind k into document data. It returns the values as
// typed and the field errors; d is nil when there are errors. final applies the stricter rules
// of a final document (a complete client card).
func (w *Web) readDocForm(c echo.Context, k workflow.DocumentKind, final bool) (documents.Data, formValues, formErrors, error) {
	empty, err := documents.New(k)
	if err != nil {
		return nil, nil, nil, err
	}
	params, err := c.FormParams()
	if err != nil {
		return nil, nil, nil, err
	}
	obj, values, errs := parseDocForm(reflect.TypeOf(empty).Elem(), params)
	if err := w.fillFromCatalogue(c, obj, values); err != nil {
		return nil, nil, nil, err
	}
	lang := w.uiLang(c)
	for p, m := range errs {
		errs[p] = localise(m, lang)
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := documents.Decode(k, raw)
	if err == nil && final {
		if fv, ok := d.(documents.FinalValidator); ok {
			err = fv.ValidateFinal()
		}
	}
	if err != nil {
		fe := formErrorsOf(err, lang)
		if fe == nil {
			return nil, nil, nil, err
		}
		for p, m := range fe {
			if _, ok := errs[p]; !ok {
				errs[p] = m
			}
		}
	}
	if len(errs) > 0 {
		return nil, values, errs, nil
	}
	return d, values, nil, nil
}

// fillFromCatalogue completes item lines that name a catalogue SKU but leave its name, unit,
// price or rate empty — what the page's script does as the SKU is chosen, done again on the
// server so that the form works without JavaScript.
func (w *Web) fillFromCatalogue(c echo.Context, obj map[string]any, values formValues) error {
	var products map[string]storage.Product
	for _, key := range []string{"lines", "optional_lines"} {
		list, _ := obj[key].([]any)
		for i, item := range list {
			line, _ := item.(map[string]any)
			sku, _ := line["sku"].(string)
			if line == nil || sku == "" {
				continue
			}
			if products == nil {
				all, err := w.store.FindProducts(c.Request().Context(), false)
				if err != nil {
					return err
				}
				products = map[string]storage.Product{}
				for _, p := range all {
					products[p.SKU] = p
				}
			}
			p, ok := products[sku]
			if !ok {
				continue
			}
			for field, v := range map[string]string{"name": p.Name, "unit": p.Unit, "okei": p.OKEI, "price": p.Price.String(), "vat_rate": p.VATRate} {
				if _, set := line[field]; !set && v != "" {
					line[field] = v
					values[fmt.Sprintf("%s[%d].%s", key, i, field)] = v
				}
			}
		}
	}
	return nil
}

// inlinePDF answers a PDF shown in the page (an iframe of the same origin, or a tab).
func inlinePDF(c echo.Context, b []byte, name string, cache bool) error {
	h := c.Response().Header()
	file := strings.NewReplacer("/", "-", "\\", "-", "\"", "'").Replace(name) + ".pdf"
	h.Set("Content-Disposition", api.ContentDisposition("inline", file))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	if cache {
		h.Set("Cache-Control", "private, max-age=300")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	return c.Blob(http.StatusOK, "application/pdf", b)
}

// documentPage is the data of document.html.
type documentPage struct {
	Doc          storage.Document
	Deal         workflow.Deal
	Company      storage.Company
	Versions     []storage.Document // every version of this document (same kind and number chain)
	Attachments  []storage.Attachment
	Number       string
	HasTotal     bool
	Net, Gross   workflow.Money
	Currency     string
	CanPrepare   bool
	SupersededBy *storage.Document
	Creator      string
}

func (w *Web) handleDocPage(c echo.Context) error {
	doc, deal, err := w.pageDocument(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	page := documentPage{Doc: doc, Deal: deal, CanPrepare: w.mayPrepare(u, doc.Kind), Number: doc.Number}
	if page.Company, err = w.store.FindCompanyByID(ctx, deal.CompanyID); err != nil {
		return err
	}
	if d, err := documents.Decode(doc.Kind, doc.Data); err == nil {
		if s, ok := d.(documents.Summarizer); ok {
			page.Net, page.Gross = s.Total()
			page.HasTotal = true
		}
	}
	var cur struct {
		Currency string `json:"currency"`
	}
	_ = json.Unmarshal(doc.Data, &cur)
	page.Currency = cur.Currency
	if page.Currency == "" {
		page.Currency = "RUB"
	}
	if creator, err := w.store.FindUserByID(ctx, doc.CreatedBy); err == nil {
		page.Creator = creator.Name
		if page.Creator == "" {
			page.Creator = creator.Email
		}
	}
	docs, err := w.store.FindDocuments(ctx, storage.DocumentFilter{DealID: &deal.ID, Kind: doc.Kind})
	if err != nil {
		return err
	}
	// The versions of this document: the chain of corrections through SupersedesID.
	chain := map[int64]bool{doc.ID: true}
	for changed := true; changed; {
		changed = false
		for _, d := range docs {
			if chain[d.ID] {
				if d.SupersedesID != nil && !chain[*d.SupersedesID] {
					chain[*d.SupersedesID], changed = true, true
				}
				continue
			}
			if d.SupersedesID != nil && chain[*d.SupersedesID] {
				chain[d.ID], changed = true, true
			}
		}
	}
	for _, d := range docs {
		if chain[d.ID] {
			page.Versions = append(page.Versions, d)
			if d.SupersedesID != nil && *d.SupersedesID == doc.ID {
				dd := d
				page.SupersededBy = &dd
			}
		}
	}
	if page.Attachments, err = w.store.FindAttachments(ctx, doc.ID); err != nil {
		return err
	}
	title := docName(w.uiLang(c), doc.Kind)
	if doc.Number != "" {
		title += " № " + doc.Number
	}
	return w.render(c, http.StatusOK, "document", title, page)
}

func (w *Web) handleDocInline(c echo.Context) error {
	doc, _, err := w.pageDocument(c)
	if err != nil {
		return err
	}
	name := docName("ru", doc.Kind)
	if doc.Number != "" {
		name += " № " + doc.Number
	}
	if doc.Status == storage.DocDraft {
		d, err := documents.Decode(doc.Kind, doc.Data)
		if err != nil {
			return err
		}
		out, _, err := w.srv.Documents.Renderer.Render(c.Request().Context(), d, documents.PDF, documents.RenderOptions{Draft: true})
		if err != nil {
			return err
		}
		return inlinePDF(c, out, name+" (черновик)", false)
	}
	if doc.PDFSHA256 == "" {
		return workflow.ErrNotFound
	}
	b, err := w.store.Blobs().Get(c.Request().Context(), doc.PDFSHA256)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", `"`+doc.PDFSHA256+`"`)
	return inlinePDF(c, b, name, true)
}

func (w *Web) handleDocEdit(c echo.Context) error {
	doc, deal, err := w.pageDocument(c)
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	if !w.mayPrepare(u, doc.Kind) {
		return forbiddenKind(u, doc.Kind)
	}
	if doc.Status != storage.DocDraft {
		return c.Redirect(http.StatusSeeOther, docURL(doc.ID)+"/correct")
	}
	return w.renderDocForm(c, http.StatusOK, deal, doc.Kind, modeEdit, &doc, valuesOf(doc.Data), nil)
}

func (w *Web) handleDocUpdate(c echo.Context) error {
	doc, deal, err := w.pageDocument(c)
	if err != nil {
		return err
	}
	if doc.Status != storage.DocDraft {
		return workflow.Invalid("status", "document %d is %s and cannot be edited; make a correction", doc.ID, doc.Status)
	}
	return w.submitDocForm(c, deal, doc.Kind, modeEdit, &doc)
}

func (w *Web) handleDocFinalise(c echo.Context) error {
	doc, deal, err := w.pageDocument(c)
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	if !w.mayPrepare(u, doc.Kind) {
		return forbiddenKind(u, doc.Kind)
	}
	if doc.Status != storage.DocDraft {
		return workflow.Invalid("status", "document %d is already %s", doc.ID, doc.Status)
	}
	d, err := documents.Decode(doc.Kind, doc.Data)
	if err == nil {
		if fv, ok := d.(documents.FinalValidator); ok {
			err = fv.ValidateFinal()
		}
	}
	var out storage.Document
	if err == nil {
		out, err = w.srv.Documents.Finalise(c.Request().Context(), deal.ID, d, doc.ID, 0, u.Actor())
	}
	if err != nil {
		// What the final document still lacks is shown on the draft's form.
		if fe := formErrorsOf(err, w.uiLang(c)); fe != nil {
			return w.renderDocForm(c, http.StatusUnprocessableEntity, deal, doc.Kind, modeEdit, &doc, valuesOf(doc.Data), fe)
		}
		return err
	}
	flash(c, "doc.finalised")
	return c.Redirect(http.StatusSeeOther, docURL(out.ID))
}

func (w *Web) handleDocCorrect(c echo.Context) error {
	doc, deal, err := w.pageDocument(c)
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	if !w.mayPrepare(u, doc.Kind) {
		return forbiddenKind(u, doc.Kind)
	}
	if doc.Status != storage.DocFinal {
		return workflow.Invalid("status", "only the current final version of a document can be corrected")
	}
	return w.renderDocForm(c, http.StatusOK, deal, doc.Kind, modeCorrect, &doc, valuesOf(doc.Data), nil)
}

func (w *Web) handleDocCorrectPost(c echo.Context) error {
	doc, deal, err := w.pageDocument(c)
	if err != nil {
		return err
	}
	if doc.Status != storage.DocFinal {
		return workflow.Invalid("status", "only the current final version of a document can be corrected")
	}
	return w.submitDocForm(c, deal, doc.Kind, modeCorrect, &doc)
}
