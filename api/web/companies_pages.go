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

// The client company pages: one form, company_new.html, for a new client and for changing a
// client's name and requisites later. Both check the requisites as they are typed (app.js) and
// again on the server with api.ValidateCompany, the API's own check; a refused form keeps
// every typed value and names each bad field next to it.
//
//	GET  /companies/new           the empty form; POST stores the client, then the new deal form
//	GET  /companies/{id}/edit     the client's form; POST stores the change, then ?next= or /deals
func (w *Web) companyRoutes(g *echo.Group) {
	g.GET("/companies/new", w.handleCompanyNew)
	g.POST("/companies/new", w.handleCompanyCreate)
	g.GET("/companies/:id/edit", w.handleCompanyEdit)
	g.POST("/companies/:id/edit", w.handleCompanyUpdate)
}

// companyForm keeps what the user typed and the field errors.
type companyForm struct {
	Values api.CompanyRequest
	Errors map[string]string
	// ID is the company being edited (0 for a new one).
	ID int64
	// Next is where an edit returns to (a local path; empty: the deals list).
	Next string
}

// Action is where the form posts.
func (f companyForm) Action() string {
	if f.ID > 0 {
		return "/companies/" + strconv.FormatInt(f.ID, 10) + "/edit"
	}
	return "/companies/new"
}

// Back is where the form's cancel link leads.
func (f companyForm) Back() string {
	if f.Next != "" {
		return f.Next
	}
	return "/deals"
}

// mayWriteCompanies reports whether the role creates and edits client companies: the auditor
// changes nothing, and the back office works on the deals' documents, not on the clients.
func mayWriteCompanies(r workflow.Role) bool {
	return r != workflow.RoleAuditor && r != workflow.RoleBackoffice
}

// companyRequestOf reads the company form as typed.
func companyRequestOf(c echo.Context) api.CompanyRequest {
	return api.CompanyRequest{Name: c.FormValue("name"), INN: c.FormValue("inn"), KPP: c.FormValue("kpp"), OGRN: c.FormValue("ogrn"),
		Address: c.FormValue("address"), BankName: c.FormValue("bank_name"), BIK: c.FormValue("bik"), CorrAccount: c.FormValue("corr_account"),
		Account: c.FormValue("account")}
}

// validateCompanyForm checks form.Values with api.ValidateCompany. On refused requisites it
// fills form.Errors (one message per field, in the page's language) and returns ok false with
// a nil error; other errors are returned.
func (w *Web) validateCompanyForm(c echo.Context, form *companyForm) (storage.Company, bool, error) {
	co, err := api.ValidateCompany(form.Values)
	if err == nil {
		return co, true, nil
	}
	var ve *api.ValidationError
	if !errors.As(err, &ve) {
		return co, false, err
	}
	form.Errors = map[string]string{}
	lang := w.uiLang(c)
	for _, p := range ve.Problems {
		msg := p.MessageRu
		if lang == "en" || msg == "" {
			msg = p.Message
		}
		if _, seen := form.Errors[p.Field]; !seen {
			form.Errors[p.Field] = msg
		}
	}
	return co, false, nil
}

func (w *Web) companyTitle(c echo.Context, form companyForm) string {
	if form.ID > 0 {
		return translate(w.uiLang(c), "company.edit_title")
	}
	return translate(w.uiLang(c), "company.new")
}

func (w *Web) handleCompanyNew(c echo.Context) error {
	form := companyForm{}
	return w.render(c, http.StatusOK, "company_new", w.companyTitle(c, form), form)
}

func (w *Web) handleCompanyCreate(c echo.Context) error {
	u, _ := api.CurrentUser(c)
	if !mayWriteCompanies(u.Role) {
		return workflow.ErrForbidden
	}
	form := companyForm{Values: companyRequestOf(c)}
	co, ok, err := w.validateCompanyForm(c, &form)
	if err != nil {
		return err
	}
	if !ok {
		return w.render(c, http.StatusUnprocessableEntity, "company_new", w.companyTitle(c, form), form)
	}
	co.OwnerID = u.ID
	co, err = w.store.CreateCompany(c.Request().Context(), co)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/deals/new?company_id="+strconv.FormatInt(co.ID, 10))
}

// pageCompany loads the company of the path for editing: the user must see it as the API's
// GET /api/v1/companies/{id} does (a rep only their own clients: 404 otherwise, the answer for
// a company that does not exist) and be a role that writes companies (403 otherwise).
func (w *Web) pageCompany(c echo.Context) (storage.Company, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.Company{}, workflow.ErrNotFound
	}
	co, err := w.srv.LoadCompany(c, id)
	if err != nil {
		return co, err
	}
	if u, _ := api.CurrentUser(c); !mayWriteCompanies(u.Role) {
		return storage.Company{}, workflow.ErrForbidden
	}
	return co, nil
}

func (w *Web) handleCompanyEdit(c echo.Context) error {
	co, err := w.pageCompany(c)
	if err != nil {
		return err
	}
	form := companyForm{ID: co.ID, Next: safeNext(c.QueryParam("next")), Values: api.CompanyRequest{Name: co.Name, INN: co.INN, KPP: co.KPP,
		OGRN: co.OGRN, Address: co.Address, BankName: co.BankName, BIK: co.BIK, CorrAccount: co.CorrAccount, Account: co.Account}}
	return w.render(c, http.StatusOK, "company_new", w.companyTitle(c, form), form)
}

func (w *Web) handleCompanyUpdate(c echo.Context) error {
	old, err := w.pageCompany(c)
	if err != nil {
		return err
	}
	form := companyForm{ID: old.ID, Next: safeNext(c.FormValue("next")), Values: companyRequestOf(c)}
	co, ok, err := w.validateCompanyForm(c, &form)
	if err != nil {
		return err
	}
	if !ok {
		return w.render(c, http.StatusUnprocessableEntity, "company_new", w.companyTitle(c, form), form)
	}
	co.ID = old.ID
	if _, err := w.store.UpdateCompany(c.Request().Context(), co); err != nil {
		return err
	}
	flash(c, "company.saved")
	return c.Redirect(http.StatusSeeOther, form.Back())
}
