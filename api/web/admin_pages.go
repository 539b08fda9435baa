package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/documents/vat"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// The administrator's pages. Every form keeps what was typed when it is refused and shows the
// error next to the field (the pipeline editor: next to the line).
//
//	GET  /admin                               the hub
//	GET  /admin/users, POST /admin/users      users; add a user
//	GET  /admin/users/{id}                    a user: role, name, disabled; password; API tokens
//	POST /admin/users/{id}                    save role, name, disabled
//	POST /admin/users/{id}/password           set a new password (ends the user's sessions)
//	POST /admin/users/{id}/tokens             issue an API token (shown once)
//	POST /admin/users/{id}/tokens/{tid}/revoke
//	GET  /admin/pipeline, POST /admin/pipeline   the pipeline YAML editor (check or save)
//	GET  /admin/templates, POST /admin/templates upload a template; list versions; download
//	POST /admin/templates/activate            choose the active version (0: the shipped one)
//	GET  /admin/catalogue, POST /admin/catalogue  edit the products
//	POST /admin/catalogue/import              CSV import (file or pasted text)
//	GET  /admin/seller, POST /admin/seller    our company's profile, the seller of every document
//	GET  /admin/numbering, POST /admin/numbering  number formats per document kind
func (w *Web) adminRoutes(g *echo.Group) {
	admin := api.RequireRole(workflow.RoleAdmin)
	g.GET("/admin", w.handleAdmin, admin)
	g.GET("/admin/users", w.handleUsers, admin)
	g.POST("/admin/users", w.handleUserCreate, admin)
	g.GET("/admin/users/:id", w.handleUser, admin)
	g.POST("/admin/users/:id", w.handleUserSave, admin)
	g.POST("/admin/users/:id/password", w.handleUserPassword, admin)
	g.POST("/admin/users/:id/tokens", w.handleTokenIssue, admin)
	g.POST("/admin/users/:id/tokens/:tid/revoke", w.handleTokenRevoke, admin)
	g.GET("/admin/pipeline", w.handlePipeline, admin)
	g.POST("/admin/pipeline", w.handlePipelineSave, admin)
	g.GET("/admin/templates", w.handleTemplates, admin)
	g.POST("/admin/templates", w.handleTemplateUpload, admin)
	g.POST("/admin/templates/activate", w.handleTemplateActivate, admin)
	g.GET("/admin/catalogue", w.handleCatalogue, admin)
	g.POST("/admin/catalogue", w.handleCatalogueSave, admin)
	g.POST("/admin/catalogue/import", w.handleCatalogueImport, admin)
	g.GET("/admin/seller", w.handleSeller, admin)
	g.POST("/admin/seller", w.handleSellerSave, admin)
	g.GET("/admin/numbering", w.handleNumbering, admin)
	g.POST("/admin/numbering", w.handleNumberingSave, admin)
}

type adminHub struct {
	Users, Products, Templates int
	Pipeline                   *workflow.Pipeline
	SellerSet                  bool
	Training                   bool
}

func (w *Web) handleAdmin(c echo.Context) error {
	ctx := c.Request().Context()
	var hub adminHub
	users, err := w.store.FindUsers(ctx)
	if err != nil {
		return err
	}
	hub.Users = len(users)
	products, err := w.store.FindProducts(ctx, false)
	if err != nil {
		return err
	}
	hub.Products = len(products)
	tpls, err := w.store.FindTemplates(ctx, "")
	if err != nil {
		return err
	}
	hub.Templates = len(tpls)
	if p, err := w.store.CurrentPipeline(ctx, w.srv.PipelineKey); err == nil {
		hub.Pipeline = p
	}
	seller, err := w.srv.Documents.Seller(ctx)
	if err != nil {
		return err
	}
	hub.SellerSet = seller.Name != ""
	hub.Training = w.servedPaths()["/admin/training"]
	return w.render(c, http.StatusOK, "admin", translate(w.uiLang(c), "admin.title"), hub)
}

// ---- users ---------------------------------------------------------------------------------

type userForm struct {
	Email, Name, Role string
	Errors            map[string]string
}

type usersPage struct {
	Users []storage.User
	Form  userForm
	Roles []workflow.Role
}

func (w *Web) usersPage(c echo.Context, form userForm) (*usersPage, error) {
	users, err := w.store.FindUsers(c.Request().Context())
	if err != nil {
		return nil, err
	}
	if form.Role == "" {
		form.Role = string(workflow.RoleRep)
	}
	return &usersPage{Users: users, Form: form, Roles: workflow.Roles}, nil
}

func (w *Web) handleUsers(c echo.Context) error {
	page, err := w.usersPage(c, userForm{})
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "admin_users", translate(w.uiLang(c), "admin.users"), page)
}

// passwordProblem checks a new password as the API does: 10 to 200 characters.
func passwordProblem(lang, p string) string {
	if n := len([]rune(p)); n < 10 || n > 200 {
		return pickLang(lang, "Пароль — от 10 до 200 символов", "A password has 10 to 200 characters")
	}
	return ""
}

func (w *Web) handleUserCreate(c echo.Context) error {
	lang := w.uiLang(c)
	form := userForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")), Role: c.FormValue("role"), Errors: map[string]string{}}
	password := c.FormValue("password")
	if msg := passwordProblem(lang, password); msg != "" {
		form.Errors["password"] = msg
	}
	if !workflow.Role(form.Role).Valid() {
		form.Errors["role"] = pickLang(lang, "Выберите роль", "Choose a role")
	}
	var created storage.User
	if len(form.Errors) == 0 {
		hash, err := api.HashPassword(password)
		if err != nil {
			return err
		}
		created, err = w.store.CreateUser(c.Request().Context(), storage.User{Email: form.Email, Name: form.Name, Role: workflow.Role(form.Role), PasswordHash: hash})
		if err != nil {
			var we *workflow.Error
			if !errors.As(err, &we) || we.Field == "" {
				return err
			}
			msg := we.Message
			if we.Code == workflow.ECONFLICT {
				msg = pickLang(lang, "Пользователь с такой почтой уже есть", "A user with this e-mail exists")
			} else if we.Field == "email" {
				msg = pickLang(lang, "Нужен адрес электронной почты", "A valid e-mail address is required")
			}
			form.Errors[we.Field] = msg
		}
	}
	if len(form.Errors) > 0 {
		page, err := w.usersPage(c, form)
		if err != nil {
			return err
		}
		return w.render(c, http.StatusUnprocessableEntity, "admin_users", translate(lang, "admin.users"), page)
	}
	flash(c, "admin.user_created")
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(created.ID, 10))
}

type userPage struct {
	User     storage.User
	Tokens   []storage.Token
	Roles    []workflow.Role
	Self     bool
	Errors   map[string]string
	Secret   string // a token just issued, shown once
	Notice   string
	FormName string
}

func (w *Web) loadUser(c echo.Context) (storage.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.User{}, workflow.ErrNotFound
	}
	return w.store.FindUserByID(c.Request().Context(), id)
}

func (w *Web) renderUser(c echo.Context, status int, u storage.User, page userPage) error {
	tokens, err := w.store.FindTokens(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	me, _ := api.CurrentUser(c)
	page.User, page.Tokens, page.Roles, page.Self = u, tokens, workflow.Roles, me.ID == u.ID
	if page.Errors == nil {
		page.Errors = map[string]string{}
	}
	if page.Secret != "" {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return w.render(c, status, "admin_user", firstNonEmpty(u.Name, u.Email), page)
}

func (w *Web) handleUser(c echo.Context) error {
	u, err := w.loadUser(c)
	if err != nil {
		return err
	}
	return w.renderUser(c, http.StatusOK, u, userPage{})
}

func (w *Web) handleUserSave(c echo.Context) error {
	u, err := w.loadUser(c)
	if err != nil {
		return err
	}
	lang := w.uiLang(c)
	me, _ := api.CurrentUser(c)
	role := workflow.Role(c.FormValue("role"))
	name := strings.TrimSpace(c.FormValue("name"))
	disabled := c.FormValue("disabled") != ""
	errs := map[string]string{}
	if !role.Valid() {
		errs["role"] = pickLang(lang, "Выберите роль", "Choose a role")
	}
	if me.ID == u.ID && (role != workflow.RoleAdmin || disabled) {
		errs["role"] = pickLang(lang, "Нельзя снять с себя роль администратора или заблокировать себя", "You cannot remove your own admin role or disable yourself")
	}
	if len([]rune(name)) > 200 {
		errs["name"] = pickLang(lang, "Не длиннее 200 символов", "At most 200 characters")
	}
	if len(errs) > 0 {
		shown := u
		shown.Role, shown.Name, shown.Disabled = role, name, disabled
		return w.renderUser(c, http.StatusUnprocessableEntity, shown, userPage{Errors: errs})
	}
	ctx := c.Request().Context()
	if err := w.store.UpdateUser(ctx, u.ID, &role, &name, nil, &disabled); err != nil {
		return err
	}
	if disabled || role != u.Role {
		// A changed role or a blocked account takes effect now, not at the next sign-in.
		if err := w.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
	}
	flash(c, "admin.saved")
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(u.ID, 10))
}

func (w *Web) handleUserPassword(c echo.Context) error {
	u, err := w.loadUser(c)
	if err != nil {
		return err
	}
	lang := w.uiLang(c)
	password := c.FormValue("password")
	if msg := passwordProblem(lang, password); msg != "" {
		return w.renderUser(c, http.StatusUnprocessableEntity, u, userPage{Errors: map[string]string{"password": msg}})
	}
	hash, err := api.HashPassword(password)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := w.store.UpdateUser(ctx, u.ID, nil, nil, &hash, nil); err != nil {
		return err
	}
	// The old password's sessions end; a lock-out from failed attempts is lifted.
	me, _ := api.CurrentUser(c)
	if me.ID != u.ID {
		if err := w.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
	}
	if err := w.store.ClearLoginFailures(ctx, u.Email); err != nil {
		return err
	}
	flash(c, "admin.password_set")
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(u.ID, 10))
}

func (w *Web) handleTokenIssue(c echo.Context) error {
	u, err := w.loadUser(c)
	if err != nil {
		return err
	}
	lang := w.uiLang(c)
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" || len([]rune(name)) > 100 {
		return w.renderUser(c, http.StatusUnprocessableEntity, u, userPage{Errors: map[string]string{"token_name": pickLang(lang, "Назовите токен (до 100 символов): где он будет работать", "Name the token (up to 100 characters): where it will be used")}, FormName: name})
	}
	secret, _, err := w.store.CreateToken(c.Request().Context(), u.ID, name)
	if err != nil {
		return err
	}
	// The secret is shown in this answer only; it is stored hashed.
	return w.renderUser(c, http.StatusCreated, u, userPage{Secret: secret, Notice: name})
}

func (w *Web) handleTokenRevoke(c echo.Context) error {
	u, err := w.loadUser(c)
	if err != nil {
		return err
	}
	tid, err := strconv.ParseInt(c.Param("tid"), 10, 64)
	if err != nil {
		return workflow.ErrNotFound
	}
	tokens, err := w.store.FindTokens(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	found := false
	for _, t := range tokens {
		found = found || t.ID == tid
	}
	if !found {
		return workflow.ErrNotFound
	}
	if err := w.store.RevokeToken(c.Request().Context(), tid); err != nil {
		return err
	}
	flash(c, "admin.token_revoked")
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"#tokens")
}

// ---- pipeline ------------------------------------------------------------------------------

type pipelinePage struct {
	Current  *workflow.Pipeline
	Versions []storage.PipelineVersion
	Source   string
	Error    string
	Line     int
	Context  []sourceLine
	Checked  bool // the text was checked and is valid
	Stages   int
	OtherKey string
}

// sourceLine is a numbered line of the YAML around an error.
type sourceLine struct {
	No   int
	Text string
	Bad  bool
}

func (w *Web) pipelinePage(c echo.Context, src string) (*pipelinePage, error) {
	ctx := c.Request().Context()
	page := &pipelinePage{Source: src}
	if p, err := w.store.CurrentPipeline(ctx, w.srv.PipelineKey); err == nil {
		page.Current = p
		if page.Source == "" {
			page.Source = string(p.Source)
		}
	} else if workflow.Code(err) != workflow.ENOTFOUND {
		return nil, err
	}
	vs, err := w.store.FindPipelineVersions(ctx, w.srv.PipelineKey)
	if err != nil {
		return nil, err
	}
	page.Versions = vs
	return page, nil
}

func (w *Web) handlePipeline(c echo.Context) error {
	page, err := w.pipelinePage(c, "")
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "admin_pipeline", translate(w.uiLang(c), "admin.pipeline"), page)
}

// handlePipelineSave checks the YAML (action check) or stores it as a new version; a problem
// is shown with its line and the lines around it, and the text stays as typed.
func (w *Web) handlePipelineSave(c echo.Context) error {
	src := strings.ReplaceAll(c.FormValue("yaml"), "\r\n", "\n")
	page, err := w.pipelinePage(c, src)
	if err != nil {
		return err
	}
	page.Source = src
	lang := w.uiLang(c)
	if len(src) > workflow.MaxPipelineBytes {
		page.Error = pickLang(lang, "Файл больше 256 КиБ", "The file is larger than 256 KiB")
		return w.render(c, http.StatusUnprocessableEntity, "admin_pipeline", translate(lang, "admin.pipeline"), page)
	}
	var p *workflow.Pipeline
	if c.FormValue("_action") == "check" {
		p, err = workflow.ParsePipeline(strings.NewReader(src))
	} else {
		u, _ := api.CurrentUser(c)
		p, err = w.store.SavePipeline(c.Request().Context(), []byte(src), &u.ID)
	}
	var pe *workflow.PipelineError
	switch {
	case errors.As(err, &pe):
		page.Error, page.Line = pe.Error(), pe.Line
		page.Context = linesAround(src, pe.Line, 3)
		return w.render(c, http.StatusUnprocessableEntity, "admin_pipeline", translate(lang, "admin.pipeline"), page)
	case err != nil:
		return err
	}
	if p.Key != w.srv.PipelineKey {
		page.OtherKey = p.Key
	}
	if c.FormValue("_action") == "check" {
		page.Checked, page.Stages = true, len(p.Stages)
		return w.render(c, http.StatusOK, "admin_pipeline", translate(lang, "admin.pipeline"), page)
	}
	flash(c, "admin.pipeline_saved")
	return c.Redirect(http.StatusSeeOther, "/admin/pipeline")
}

// linesAround returns the lines of src within n of line (1-based), the line itself marked.
func linesAround(src string, line, n int) []sourceLine {
	if line <= 0 {
		return nil
	}
	var out []sourceLine
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), workflow.MaxPipelineBytes+1)
	for i := 1; sc.Scan(); i++ {
		if i >= line-n && i <= line+n {
			out = append(out, sourceLine{No: i, Text: sc.Text(), Bad: i == line})
		}
	}
	return out
}

// ---- templates -----------------------------------------------------------------------------

type templateRow struct {
	Kind     workflow.DocumentKind
	Format   string
	Active   string // "v3" or the shipped one
	Versions []storage.StoredTemplate
	Builtin  bool
	// Variants are the shipped variants of the kind in this format (upd-torg12.docx).
	Variants []shippedVariant
}

// shippedVariant is a variant template shipped in the binary: Name for the download URL,
// File its file name.
type shippedVariant struct{ Name, File string }

type templatesPage struct {
	Rows   []templateRow
	Kinds  []workflow.DocumentKind
	Kind   string
	Format string
	Errors []string
	Done   string
}

func (w *Web) templatesPage(c echo.Context) (*templatesPage, error) {
	all, err := w.store.FindTemplates(c.Request().Context(), "")
	if err != nil {
		return nil, err
	}
	page := &templatesPage{Kinds: workflow.DocumentKinds}
	for _, k := range workflow.DocumentKinds {
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			row := templateRow{Kind: k, Format: string(f)}
			_, err := documents.Builtin(k, f)
			row.Builtin = err == nil
			for _, v := range documents.BuiltinVariants(k) {
				if tf, err := documents.BuiltinVariant(k, v, f); err == nil {
					row.Variants = append(row.Variants, shippedVariant{Name: v, File: strings.TrimPrefix(tf.Name, "builtin:")})
				}
			}
			for _, t := range all {
				if t.Kind == k && t.Format == string(f) {
					row.Versions = append(row.Versions, t)
					if t.Active {
						row.Active = "v" + strconv.Itoa(t.Version)
					}
				}
			}
			page.Rows = append(page.Rows, row)
		}
	}
	return page, nil
}

func (w *Web) handleTemplates(c echo.Context) error {
	page, err := w.templatesPage(c)
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "admin_templates", translate(w.uiLang(c), "admin.templates"), page)
}

// handleTemplateUpload checks an uploaded template as the API does (it parses, uses only the
// kind's view keys, and renders the kind's example) and stores it as the next active version.
func (w *Web) handleTemplateUpload(c echo.Context) error {
	lang := w.uiLang(c)
	page, err := w.templatesPage(c)
	if err != nil {
		return err
	}
	page.Kind, page.Format = c.FormValue("kind"), c.FormValue("format")
	refuse := func(msgs ...string) error {
		page.Errors = msgs
		return w.render(c, http.StatusUnprocessableEntity, "admin_templates", translate(lang, "admin.templates"), page)
	}
	k := workflow.DocumentKind(page.Kind)
	f := documents.Format(page.Format)
	if !k.Valid() {
		return refuse(pickLang(lang, "Выберите вид документа", "Choose a document kind"))
	}
	if f != documents.PDF && f != documents.DOCX {
		return refuse(pickLang(lang, "Выберите формат: PDF (XML-макет) или DOCX", "Choose the format: PDF (an XML layout) or DOCX"))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse(pickLang(lang, "Выберите файл шаблона", "Choose the template file"))
	}
	if fh.Size > api.MaxTemplateUpload {
		return refuse(pickLang(lang, "Файл больше 10 МиБ", "The file is larger than 10 MiB"))
	}
	fl, err := fh.Open()
	if err != nil {
		return err
	}
	defer fl.Close()
	content, err := io.ReadAll(io.LimitReader(fl, api.MaxTemplateUpload+1))
	if err != nil {
		return err
	}
	name := strings.TrimSpace(strings.NewReplacer("/", "_", "\\", "_", "\x00", "", "..", "_").Replace(fh.Filename))
	if name == "" {
		name = string(k) + "." + map[documents.Format]string{documents.PDF: "xml", documents.DOCX: "docx"}[f]
	}
	if err := w.srv.Documents.Renderer.CheckTemplate(k, f, name, content); err != nil {
		var te *documents.TemplateError
		if errors.As(err, &te) {
			return refuse(te.Problems...)
		}
		return err
	}
	u, _ := api.CurrentUser(c)
	t, err := w.store.SaveTemplate(c.Request().Context(), k, string(f), name, content, &u.ID)
	if err != nil {
		return err
	}
	flash(c, "admin.template_saved")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/templates#tpl-%s-%s-v%d", t.Kind, t.Format, t.Version))
}

func (w *Web) handleTemplateActivate(c echo.Context) error {
	k := workflow.DocumentKind(c.FormValue("kind"))
	f := c.FormValue("format")
	v, err := strconv.Atoi(c.FormValue("version"))
	if !k.Valid() || (f != "pdf" && f != "docx") || err != nil || v < 0 {
		return workflow.Invalid("version", "choose a kind, a format and a version")
	}
	if err := w.store.ActivateTemplate(c.Request().Context(), k, f, v); err != nil {
		return err
	}
	flash(c, "admin.template_activated")
	return c.Redirect(http.StatusSeeOther, "/admin/templates#tpl-"+string(k)+"-"+f)
}

// ---- catalogue -----------------------------------------------------------------------------

// productRow is a catalogue row as typed.
type productRow struct {
	SKU, Name, Unit, OKEI, Price, Cost, VATRate string
	Active                                      bool
	Existing                                    bool
	Errors                                      map[string]string
}

type cataloguePage struct {
	Rows      []productRow
	CSV       string
	CSVErrors []string
	Imported  int
}

func productRowOf(p storage.Product) productRow {
	return productRow{SKU: p.SKU, Name: p.Name, Unit: p.Unit, OKEI: p.OKEI, Price: p.Price.String(), Cost: p.Cost.String(), VATRate: p.VATRate, Active: p.Active, Existing: true}
}

func (w *Web) cataloguePage(c echo.Context) (*cataloguePage, error) {
	products, err := w.store.FindProducts(c.Request().Context(), false)
	if err != nil {
		return nil, err
	}
	page := &cataloguePage{}
	for _, p := range products {
		page.Rows = append(page.Rows, productRowOf(p))
	}
	return page, nil
}

func (w *Web) handleCatalogue(c echo.Context) error {
	page, err := w.cataloguePage(c)
	if err != nil {
		return err
	}
	page.Rows = append(page.Rows, productRow{Active: true, VATRate: "22", Unit: "шт"})
	return w.render(c, http.StatusOK, "admin_catalogue", translate(w.uiLang(c), "admin.catalogue"), page)
}

// checkProductRow validates a row the way the catalogue API does and returns the product.
func checkProductRow(lang string, r *productRow) storage.Product {
	r.Errors = map[string]string{}
	p := storage.Product{SKU: strings.TrimSpace(r.SKU), Name: strings.TrimSpace(r.Name), Unit: strings.TrimSpace(r.Unit), OKEI: strings.TrimSpace(r.OKEI),
		VATRate: strings.TrimSpace(r.VATRate), Active: r.Active}
	if p.SKU == "" || len(p.SKU) > 64 || strings.ContainsAny(p.SKU, "\x00\r\n") {
		r.Errors["sku"] = pickLang(lang, "артикул обязателен (до 64 символов)", "the SKU is required (at most 64 characters)")
	}
	if p.Name == "" || len([]rune(p.Name)) > 300 || strings.ContainsAny(p.Name, "\x00\r\n") {
		r.Errors["name"] = pickLang(lang, "наименование обязательно (одна строка, до 300 символов)", "the name is required (one line, at most 300 characters)")
	}
	if p.Unit == "" {
		p.Unit = "шт"
	}
	if p.OKEI == "" {
		p.OKEI = "796"
	}
	if p.VATRate == "" {
		p.VATRate = "22"
	}
	if _, err := vat.ParseRate(p.VATRate); err != nil {
		r.Errors["vat_rate"] = pickLang(lang, "ставка НДС: 22, 20, 10, 0 или «без НДС»", "VAT rate: 22, 20, 10, 0 or «без НДС»")
	}
	var err error
	if p.Price, err = workflow.ParseMoney(strings.TrimSpace(r.Price)); err != nil || p.Price < 0 {
		r.Errors["price"] = pickLang(lang, "цена — число, например 1150000,00", "the price is a number such as 1150000.00")
	}
	if strings.TrimSpace(r.Cost) != "" {
		if p.Cost, err = workflow.ParseMoney(strings.TrimSpace(r.Cost)); err != nil || p.Cost < 0 {
			r.Errors["cost"] = pickLang(lang, "себестоимость — число", "the cost is a number")
		}
	}
	return p
}

func (w *Web) handleCatalogueSave(c echo.Context) error {
	lang := w.uiLang(c)
	params, err := c.FormParams()
	if err != nil {
		return err
	}
	page := &cataloguePage{}
	var products []storage.Product
	bad := false
	seen := map[string]bool{}
	for _, i := range rowIndices(params, "p") {
		get := func(f string) string { return params.Get(fmt.Sprintf("p[%d].%s", i, f)) }
		r := productRow{SKU: get("sku"), Name: get("name"), Unit: get("unit"), OKEI: get("okei"), Price: get("price"), Cost: get("cost"), VATRate: get("vat_rate"),
			Active: get("active") != "", Existing: get("existing") != ""}
		if !r.Existing && strings.TrimSpace(r.SKU+r.Name+r.Price+r.Cost) == "" {
			continue // the blank row
		}
		p := checkProductRow(lang, &r)
		if seen[p.SKU] {
			r.Errors["sku"] = pickLang(lang, "артикул повторяется", "duplicate SKU")
		}
		seen[p.SKU] = true
		bad = bad || len(r.Errors) > 0
		page.Rows = append(page.Rows, r)
		products = append(products, p)
	}
	if bad || len(products) == 0 {
		page.Rows = append(page.Rows, productRow{Active: true, VATRate: "22", Unit: "шт"})
		return w.render(c, http.StatusUnprocessableEntity, "admin_catalogue", translate(lang, "admin.catalogue"), page)
	}
	if _, err := w.store.UpsertProducts(c.Request().Context(), products); err != nil {
		return err
	}
	flash(c, "admin.saved")
	return c.Redirect(http.StatusSeeOther, "/admin/catalogue")
}

// handleCatalogueImport imports a CSV (sku,name,unit,okei,price,cost,vat_rate; comma or
// semicolon), uploaded or pasted. Nothing is stored unless every line is valid; the problems
// name their lines and the pasted text stays.
func (w *Web) handleCatalogueImport(c echo.Context) error {
	lang := w.uiLang(c)
	body := []byte(c.FormValue("csv"))
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		if body, err = io.ReadAll(io.LimitReader(f, 5<<20+1)); err != nil {
			return err
		}
	}
	page, err := w.cataloguePage(c)
	if err != nil {
		return err
	}
	page.Rows = append(page.Rows, productRow{Active: true, VATRate: "22", Unit: "шт"})
	page.CSV = string(body)
	refuse := func(msgs ...string) error {
		page.CSVErrors = msgs
		return w.render(c, http.StatusUnprocessableEntity, "admin_catalogue", translate(lang, "admin.catalogue"), page)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return refuse(pickLang(lang, "Выберите файл CSV или вставьте его текст", "Choose a CSV file or paste its text"))
	}
	if len(body) > 5<<20 {
		return refuse(pickLang(lang, "Файл больше 5 МиБ", "The file is larger than 5 MiB"))
	}
	items, err := api.ParseCatalogueCSV(body)
	if err != nil {
		var we *workflow.Error
		if errors.As(err, &we) {
			return refuse(we.Message)
		}
		return err
	}
	var products []storage.Product
	var msgs []string
	seen := map[string]int{}
	for i, it := range items {
		r := productRow{SKU: it.SKU, Name: it.Name, Unit: it.Unit, OKEI: it.OKEI, Price: it.Price, Cost: it.Cost, VATRate: it.VATRate, Active: true}
		p := checkProductRow(lang, &r)
		line := i + 2 // the header is line 1
		if prev, dup := seen[p.SKU]; dup && p.SKU != "" {
			r.Errors["sku"] = pickLang(lang, fmt.Sprintf("артикул уже был в строке %d", prev), fmt.Sprintf("the SKU was on line %d already", prev))
		}
		seen[p.SKU] = line
		fields := make([]string, 0, len(r.Errors))
		for f := range r.Errors {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			msgs = append(msgs, fmt.Sprintf("%s %d, %s: %s", pickLang(lang, "строка", "line"), line, f, r.Errors[f]))
		}
		products = append(products, p)
	}
	if len(msgs) > 0 {
		if len(msgs) > 50 {
			msgs = append(msgs[:50], "…")
		}
		return refuse(msgs...)
	}
	if len(products) > api.MaxCatalogueItems {
		return refuse(fmt.Sprintf("at most %d items per import", api.MaxCatalogueItems))
	}
	n, err := w.store.UpsertProducts(c.Request().Context(), products)
	if err != nil {
		return err
	}
	flash(c, "admin.imported")
	return c.Redirect(http.StatusSeeOther, "/admin/catalogue?imported="+strconv.Itoa(n))
}

// ---- seller --------------------------------------------------------------------------------

type sellerPage struct {
	Fields   []*formNode
	Problems []formProblem
}

var partyFormType = reflect.TypeFor[documents.Party]()

func (w *Web) handleSeller(c echo.Context) error {
	p, err := w.srv.Documents.Seller(c.Request().Context())
	if err != nil {
		return err
	}
	fields, _ := buildFields(partyFormType, w.uiLang(c), valuesOf(p), nil)
	return w.render(c, http.StatusOK, "admin_seller", translate(w.uiLang(c), "admin.seller"), sellerPage{Fields: fields})
}

// handleSellerSave checks the requisites by checksum, as the API does, and requires the bank
// account that invoices print.
func (w *Web) handleSellerSave(c echo.Context) error {
	lang := w.uiLang(c)
	params, err := c.FormParams()
	if err != nil {
		return err
	}
	obj, values, errs := parseDocForm(partyFormType, params)
	for p, m := range errs {
		errs[p] = localise(m, lang)
	}
	var p documents.Party
	raw, _ := json.Marshal(obj)
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	for _, fe := range p.Company.Validate() {
		errs[fe.Field] = pickLang(lang, fe.Message, fe.MessageEn)
	}
	if strings.TrimSpace(p.Account) == "" {
		errs["account"] = pickLang(lang, "Расчётный счёт обязателен: его печатает счёт на оплату", "The settlement account is required: invoices print it")
	}
	if strings.TrimSpace(p.BIK) == "" {
		errs["bik"] = pickLang(lang, "БИК обязателен", "The BIK is required")
	}
	if strings.TrimSpace(p.DirectorName) == "" {
		errs["director_name"] = pickLang(lang, "Подписант обязателен: его печатают договоры и счета", "The signatory is required: contracts and invoices print it")
	}
	if len(errs) > 0 {
		fields, probs := buildFields(partyFormType, lang, values, errs)
		return w.render(c, http.StatusUnprocessableEntity, "admin_seller", translate(lang, "admin.seller"), sellerPage{Fields: fields, Problems: probs})
	}
	u, _ := api.CurrentUser(c)
	if err := w.store.PutSetting(c.Request().Context(), api.SettingSeller, p, &u.ID); err != nil {
		return err
	}
	flash(c, "admin.saved")
	return c.Redirect(http.StatusSeeOther, "/admin/seller")
}

// ---- numbering -----------------------------------------------------------------------------

type numberingRow struct {
	Kind    workflow.DocumentKind
	Format  string
	Default string
	Error   string
}

func (w *Web) numberingRows(ctx context.Context) ([]numberingRow, error) {
	var rows []numberingRow
	for _, k := range workflow.DocumentKinds {
		f, err := w.srv.Documents.NumberFormat(ctx, k)
		if err != nil {
			return nil, err
		}
		row := numberingRow{Kind: k, Format: f.String()}
		if d, ok := documents.DefaultNumberFormat(k); ok {
			row.Default = d.String()
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (w *Web) handleNumbering(c echo.Context) error {
	rows, err := w.numberingRows(c.Request().Context())
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "admin_numbering", translate(w.uiLang(c), "admin.numbering"), rows)
}

func (w *Web) handleNumberingSave(c echo.Context) error {
	ctx := c.Request().Context()
	rows, err := w.numberingRows(ctx)
	if err != nil {
		return err
	}
	custom := map[string]string{}
	bad := false
	for i := range rows {
		v := strings.TrimSpace(c.FormValue(string(rows[i].Kind)))
		rows[i].Format = v
		if v == "" || v == rows[i].Default {
			continue
		}
		if _, err := documents.ParseNumberFormat(v); err != nil {
			rows[i].Error, bad = err.Error(), true
			continue
		}
		custom[string(rows[i].Kind)] = v
	}
	if bad {
		return w.render(c, http.StatusUnprocessableEntity, "admin_numbering", translate(w.uiLang(c), "admin.numbering"), rows)
	}
	u, _ := api.CurrentUser(c)
	if err := w.store.PutSetting(ctx, api.SettingNumbering, custom, &u.ID); err != nil {
		return err
	}
	flash(c, "admin.saved")
	return c.Redirect(http.StatusSeeOther, "/admin/numbering")
}
