package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// Deleting a draft, in two steps: the document page links to a confirmation page, whose form
// (with its CSRF token and confirm=yes) deletes the draft. Only someone who may edit the draft
// may delete it — the deal visible to them (404 otherwise), their role preparing the kind (403)
// and the deal open. A final or superseded document is evidence and is never deleted: the
// server refuses with 409 and says so, whatever the form. A draft is not in the deal's event
// chain (saving one appends no event), so deleting one appends none.
//
//	GET  /documents/{id}/delete   the confirmation page
//	POST /documents/{id}/delete   confirm=yes deletes the draft (without it: the confirmation page)
func (w *Web) draftRoutes(g *echo.Group) {
	g.GET("/documents/:id/delete", w.handleDraftDeletePage)
	g.POST("/documents/:id/delete", w.handleDraftDelete)
}

// draftDeletePage is the data of document_delete.html.
type draftDeletePage struct {
	Doc     storage.Document
	Deal    workflow.Deal
	Company storage.Company
}

// pageDraft loads the document of the path for deletion: the user may see its deal, prepares
// its kind, and it is a draft of an open deal. ok is false when the answer (the refusal of a
// final document) has been written already.
func (w *Web) pageDraft(c echo.Context) (doc storage.Document, deal workflow.Deal, ok bool, err error) {
	doc, deal, err = w.pageDocument(c)
	if err != nil {
		return doc, deal, false, err
	}
	u, _ := api.CurrentUser(c)
	if !w.mayPrepare(u, doc.Kind) {
		return doc, deal, false, forbiddenKind(u, doc.Kind)
	}
	if doc.Status != storage.DocDraft {
		return doc, deal, false, w.refuseFinalDelete(c, doc)
	}
	if deal.Status != workflow.StatusOpen {
		return doc, deal, false, w.refuse(c, http.StatusUnprocessableEntity, api.ProblemInvalid,
			translate(w.uiLang(c), "doc.delete_closed_deal"))
	}
	return doc, deal, true, nil
}

// refuseFinalDelete answers a request to delete a final (or superseded) document: 409 and why.
func (w *Web) refuseFinalDelete(c echo.Context, doc storage.Document) error {
	msg := translate(w.uiLang(c), "doc.delete_final")
	if doc.Number != "" {
		msg = docName(w.uiLang(c), doc.Kind) + " № " + doc.Number + ". " + msg
	}
	return w.refuse(c, http.StatusConflict, api.ProblemConflict, msg)
}

// refuse renders the error page with a message in the page's language.
func (w *Web) refuse(c echo.Context, status int, typ, msg string) error {
	p := api.Problem{Type: typ, Title: http.StatusText(status), Status: status, Detail: msg,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	return w.render(c, status, "error", p.Title, p)
}

func (w *Web) handleDraftDeletePage(c echo.Context) error {
	doc, deal, ok, err := w.pageDraft(c)
	if !ok {
		return err
	}
	page := draftDeletePage{Doc: doc, Deal: deal}
	if page.Company, err = w.store.FindCompanyByID(c.Request().Context(), deal.CompanyID); err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "document_delete", translate(w.uiLang(c), "doc.delete_title"), page)
}

func (w *Web) handleDraftDelete(c echo.Context) error {
	doc, deal, ok, err := w.pageDraft(c)
	if !ok {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return w.handleDraftDeletePage(c)
	}
	if _, err := w.store.DeleteDraft(c.Request().Context(), doc.ID); err != nil {
		// Finalised (or the deal closed) between the check above and the deletion.
		var we *workflow.Error
		if errors.As(err, &we) && we.Code == workflow.ECONFLICT {
			if cur, ferr := w.store.FindDocumentByID(c.Request().Context(), doc.ID); ferr == nil && cur.Status != storage.DocDraft {
				return w.refuseFinalDelete(c, cur)
			}
		}
		return err
	}
	u, _ := api.CurrentUser(c)
	w.log.Info("draft deleted", "document_id", doc.ID, "kind", doc.Kind, "deal_id", deal.ID, "user_id", u.ID)
	flash(c, "doc.deleted")
	return c.Redirect(http.StatusSeeOther, "/deals/"+strconv.FormatInt(deal.ID, 10)+"#documents")
}
