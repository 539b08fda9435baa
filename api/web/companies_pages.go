package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

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
	// Version is the company's version the edit is made from; the form sends it back, and
	// the change is stored only while the company is still at it.
	Version int64
	// Was holds the values the edit started from (the company at Version); the form sends
	// them back as hidden was_* fields, so that a refused stale edit can tell what the user
	// changed from what someone else changed.
	Was api.CompanyRequest
	// Stale is set when the edit was refused because someone else changed the client since
	// the form was opened: the form then holds the current values and Yours lists what the
	// user had changed, to apply again.
	Stale bool
	Yours []typedValue
}

// WasFields lists the hidden was_* fields of an edit form.
func (f companyForm) WasFields() []typedValue {
	out := make([]typedValue, len(companyFields))
	for i, cf := range companyFields {
		out[i] = typedValue{Field: "was_" + cf.name, Label: cf.label, Value: cf.value(f.Was)}
	}
	return out
}

// typedValue is a value the user typed into a refused stale edit, with its field's label.
type typedValue struct {
	Field, Label, Value string
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
	form := companyForm{ID: co.ID, Next: safeNext(c.QueryParam("next")), Version: co.Version, Values: storedValues(co), Was: storedValues(co)}
	return w.render(c, http.StatusOK, "company_new", w.companyTitle(c, form), form)
}

// storedValues is the company as its form shows it.
func storedValues(co storage.Company) api.CompanyRequest {
	return api.CompanyRequest{Name: co.Name, INN: co.INN, KPP: co.KPP, OGRN: co.OGRN, Address: co.Address, BankName: co.BankName,
		BIK: co.BIK, CorrAccount: co.CorrAccount, Account: co.Account}
}

// companyFields lists the form's fields with their labels, in the form's order.
var companyFields = []struct {
	name, label string
	value       func(api.CompanyRequest) string
}{
	{"name", "company.name", func(r api.CompanyRequest) string { return r.Name }},
	{"inn", "company.inn", func(r api.CompanyRequest) string { return r.INN }},
	{"kpp", "company.kpp", func(r api.CompanyRequest) string { return r.KPP }},
	{"ogrn", "company.ogrn", func(r api.CompanyRequest) string { return r.OGRN }},
	{"address", "company.address", func(r api.CompanyRequest) string { return r.Address }},
	{"bank_name", "company.bank_name", func(r api.CompanyRequest) string { return r.BankName }},
	{"bik", "company.bik", func(r api.CompanyRequest) string { return r.BIK }},
	{"corr_account", "company.corr", func(r api.CompanyRequest) string { return r.CorrAccount }},
	{"account", "company.account", func(r api.CompanyRequest) string { return r.Account }},
}

// wasRequestOf reads the hidden was_* fields of an edit form; ok is false when the form has
// none (a form opened before they were sent).
func wasRequestOf(c echo.Context) (r api.CompanyRequest, ok bool) {
	params, err := c.FormParams()
	if _, ok = params["was_name"]; err != nil || !ok {
		return r, false
	}
	return api.CompanyRequest{Name: c.FormValue("was_name"), INN: c.FormValue("was_inn"), KPP: c.FormValue("was_kpp"), OGRN: c.FormValue("was_ogrn"),
		Address: c.FormValue("was_address"), BankName: c.FormValue("was_bank_name"), BIK: c.FormValue("was_bik"),
		CorrAccount: c.FormValue("was_corr_account"), Account: c.FormValue("was_account")}, true
}

// staleCompanyForm answers an edit made from a version the company is no longer at: 409 and
// the form again, filled with the company as it is now (and its current version, so that
// saving it again is a deliberate edit of what the other person stored), a message saying so,
// and what the user had changed — the typed values that differ from those the edit started
// from, or, without those, from the current ones — to apply again. Nothing was stored.
func (w *Web) staleCompanyForm(c echo.Context, form companyForm) error {
	cur, err := w.store.FindCompanyByID(c.Request().Context(), form.ID)
	if err != nil {
		return err
	}
	typed := form.Values
	base, ok := wasRequestOf(c)
	if !ok {
		base = storedValues(cur)
	}
	form.Values, form.Was, form.Version, form.Stale, form.Errors, form.Yours = storedValues(cur), storedValues(cur), cur.Version, true, nil, nil
	for _, f := range companyFields {
		v := strings.TrimSpace(f.value(typed))
		if v != strings.TrimSpace(f.value(base)) && v != strings.TrimSpace(f.value(form.Values)) {
			form.Yours = append(form.Yours, typedValue{Field: f.name, Label: f.label, Value: v})
		}
	}
	return w.render(c, http.StatusConflict, "company_new", w.companyTitle(c, form), form)
}

func (w *Web) handleCompanyUpdate(c echo.Context) error {
	old, err := w.pageCompany(c)
	if err != nil {
		return err
	}
	form := companyForm{ID: old.ID, Next: safeNext(c.FormValue("next")), Values: companyRequestOf(c)}
	if was, ok := wasRequestOf(c); ok {
		form.Was = was
	} else {
		form.Was = storedValues(old)
	}
	// The version the form was opened at. A form without one (opened before versions were
	// kept, or tampered with) cannot say what it was made from: it is treated as stale.
	form.Version, err = strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil || form.Version <= 0 {
		return w.staleCompanyForm(c, form)
	}
	co, ok, err := w.validateCompanyForm(c, &form)
	if err != nil {
		return err
	}
	if !ok {
		return w.render(c, http.StatusUnprocessableEntity, "company_new", w.companyTitle(c, form), form)
	}
	co.ID, co.Version = old.ID, form.Version
	if _, err := w.store.UpdateCompany(c.Request().Context(), co); err != nil {
		if workflow.Code(err) == workflow.ECONFLICT {
			return w.staleCompanyForm(c, form)
		}
		return err
	}
	flash(c, "company.saved")
	return c.Redirect(http.StatusSeeOther, form.Back())
}
