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

func (w *Web) routes(e *echo.Echo) {
	e.GET("/login", w.handleLoginPage)
	e.POST("/login", w.handleLogin)
	e.POST("/logout", w.handleLogout)
	e.POST("/lang", w.handleLang)

	g := e.Group("", requirePageUser)
	w.group = g
	g.GET("/", w.handleHome)
	g.GET("/deals", w.handleDeals)
	g.GET("/deals/new", w.handleDealNew)
	g.POST("/deals/new", w.handleDealCreate)
	g.GET("/deals/:id", w.handleDeal)
	g.POST("/deals/:id/activities", w.handleActivity)
	g.POST("/deals/:id/facts", w.handleFact)
	g.POST("/deals/:id/transitions", w.handleTransition)
	w.companyRoutes(g)
	w.documentRoutes(g)
	w.draftRoutes(g)
	w.backofficeRoutes(g)
	w.auditRoutes(g)
	w.adminRoutes(g)
}

// PageRegistrar adds pages to the signed-in group.
type PageRegistrar func(w *Web, g *echo.Group)

func (w *Web) handleHome(c echo.Context) error {
	u, _ := api.CurrentUser(c)
	switch u.Role {
	case workflow.RoleBackoffice:
		return c.Redirect(http.StatusSeeOther, "/backoffice")
	case workflow.RoleAuditor:
		return c.Redirect(http.StatusSeeOther, "/audit")
	}
	return c.Redirect(http.StatusSeeOther, "/deals")
}

type dealRow struct {
	Deal    workflow.Deal
	Company string
	Stage   workflow.Names
	Missing []workflow.Missing
}

type dealsPage struct {
	Rows   []dealRow
	Total  int64
	Status string
	Mine   bool
}

func (w *Web) handleDeals(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	f := storage.DealFilter{Status: c.QueryParam("status"), Limit: 200}
	if f.Status == "" {
		f.Status = "open"
	}
	if f.Status == "all" {
		f.Status = ""
	}
	mine := u.Role == workflow.RoleRep || c.QueryParam("mine") == "1"
	if mine {
		f.OwnerID = &u.ID
	}
	deals, total, err := w.store.FindDeals(ctx, f)
	if err != nil {
		return err
	}
	page := dealsPage{Total: total, Status: c.QueryParam("status"), Mine: mine}
	companies := map[int64]string{}
	for _, d := range deals {
		row := dealRow{Deal: d}
		if _, ok := companies[d.CompanyID]; !ok {
			co, err := w.store.FindCompanyByID(ctx, d.CompanyID)
			if err == nil {
				companies[d.CompanyID] = co.Name
			}
		}
		row.Company = companies[d.CompanyID]
		p, err := w.store.PipelineByID(ctx, d.PipelineID)
		if err != nil {
			return err
		}
		if st, ok := p.Stage(d.Stage); ok {
			row.Stage = st.Name
			if d.Status == workflow.StatusOpen {
				ev, err := w.store.Evidence(ctx, d, u.Actor())
				if err != nil {
					return err
				}
				row.Missing = st.Missing(ev)
			}
		}
		page.Rows = append(page.Rows, row)
	}
	return w.render(c, http.StatusOK, "deals", translate(w.page(c, "", nil).Lang, "deals.title"), page)
}

// dealForm keeps what the user typed, so a rejected form loses nothing.
type dealForm struct {
	CompanyID string
	Title     string
	Amount    string
	Cost      string
	Currency  string
	Companies []storage.Company
	Errors    map[string]string
}

func (w *Web) companiesFor(c echo.Context) ([]storage.Company, error) {
	u, _ := api.CurrentUser(c)
	f := storage.CompanyFilter{Limit: 500}
	if u.Role == workflow.RoleRep {
		f.OwnerID = &u.ID
	}
	items, _, err := w.store.FindCompanies(c.Request().Context(), f)
	return items, err
}

func (w *Web) handleDealNew(c echo.Context) error {
	cos, err := w.companiesFor(c)
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "deal_new", "Новая сделка", dealForm{Companies: cos, Currency: "RUB", CompanyID: c.QueryParam("company_id")})
}

func (w *Web) handleDealCreate(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	if u.Role == workflow.RoleAuditor || u.Role == workflow.RoleBackoffice {
		return workflow.ErrForbidden
	}
	form := dealForm{CompanyID: c.FormValue("company_id"), Title: c.FormValue("title"), Amount: c.FormValue("amount"), Cost: c.FormValue("cost"),
		Currency: c.FormValue("currency"), Errors: map[string]string{}}
	cos, err := w.companiesFor(c)
	if err != nil {
		return err
	}
	form.Companies = cos
	d := workflow.Deal{Title: strings.TrimSpace(form.Title), Currency: form.Currency, OwnerID: u.ID}
	d.CompanyID, _ = strconv.ParseInt(form.CompanyID, 10, 64)
	found := false
	for _, co := range cos {
		if co.ID == d.CompanyID {
			found = true
		}
	}
	if !found {
		form.Errors["company_id"] = pick(c, w, "Выберите клиента из списка", "Choose a client from the list")
	}
	if form.Amount != "" {
		if d.Amount, err = workflow.ParseMoney(form.Amount); err != nil || d.Amount < 0 {
			form.Errors["amount"] = pick(c, w, "Сумма — число с копейками через точку или запятую, например 1500000,00", "An amount such as 1500000.00")
		}
	}
	if form.Cost != "" {
		if d.Cost, err = workflow.ParseMoney(form.Cost); err != nil || d.Cost < 0 {
			form.Errors["cost"] = pick(c, w, "Себестоимость — число с копейками, например 1100000,00", "A cost such as 1100000.00")
		}
	}
	if len(form.Errors) == 0 {
		if err := d.Validate(); err != nil {
			var we *workflow.Error
			if errors.As(err, &we) {
				form.Errors[we.Field] = we.Message
			}
		}
	}
	if len(form.Errors) > 0 {
		return w.render(c, http.StatusUnprocessableEntity, "deal_new", "Новая сделка", form)
	}
	p, err := w.store.CurrentPipeline(ctx, w.srv.PipelineKey)
	if err != nil {
		return err
	}
	d, err = w.store.CreateDeal(ctx, p, d, u.Actor())
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/deals/"+strconv.FormatInt(d.ID, 10))
}

func pick(c echo.Context, w *Web, ru, en string) string {
	if w.page(c, "", nil).Lang == "en" {
		return en
	}
	return ru
}
