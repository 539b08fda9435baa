package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// stageView is one stage on the deal's progress line.
type stageView struct {
	Stage workflow.Stage
	State string // done, skipped, current, ahead, lost
	No    int
}

type dealPage struct {
	Deal       workflow.Deal
	Company    storage.Company
	Owner      string
	Stages     []stageView
	Current    workflow.Stage
	IsLast     bool
	Missing    []workflow.Missing
	Activities []storage.Activity
	Facts      []storage.Fact
	Documents  []storage.Document
	Events     []workflow.Event
	CanWrite   bool
	// CanEditCompany shows the link to the client's form.
	CanEditCompany bool
	Refusal        *refusal
	DocKinds       []workflow.DocumentKind // kinds the user may prepare here
	// StageNames names the pipeline's stages by key (for the history).
	StageNames map[string]workflow.Names
	// Checklist is the current stage's evidence, each missing item with the links that
	// produce it.
	Checklist []checkItem
	// Activity and Fact keep what was typed into the forms when one was rejected.
	Activity activityForm
	Fact     factForm
}

// checkItem is one requirement of the current stage.
type checkItem struct {
	Text  workflow.Missing
	Done  bool
	Links []fixLink
}

// fixLink produces a missing item: a document form, a draft to continue, the activity or fact
// form preset to the right kind.
type fixLink struct {
	Href, Label, Kind string
}

// activityForm and factForm hold the small forms of the deal page.
type activityForm struct {
	Kind, Note string
	DM         bool
	Error      string
	Field      string
}

type factForm struct {
	Kind, Text, Amount, Date, Outcome string
	Error                             string
	Field                             string
}

type refusal struct {
	Message string
	Missing []workflow.Missing
}

func (w *Web) loadDealPage(c echo.Context) (*dealPage, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, workflow.ErrNotFound
	}
	d, err := w.srv.LoadDeal(c, id)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	p, err := w.store.PipelineByID(ctx, d.PipelineID)
	if err != nil {
		return nil, err
	}
	page := &dealPage{Deal: d, CanWrite: u.Role != workflow.RoleAuditor}
	if page.Company, err = w.store.FindCompanyByID(ctx, d.CompanyID); err != nil {
		return nil, err
	}
	// The client's form opens for those who may edit the client (pageCompany's rules).
	page.CanEditCompany = mayWriteCompanies(u.Role) && (u.Role != workflow.RoleRep || page.Company.OwnerID == u.ID)
	if owner, err := w.store.FindUserByID(ctx, d.OwnerID); err == nil {
		page.Owner = owner.Name
		if page.Owner == "" {
			page.Owner = owner.Email
		}
	}
	if page.Events, err = w.store.FindEvents(ctx, d.ID); err != nil {
		return nil, err
	}
	states := map[string]string{}
	for _, e := range page.Events {
		if e.Kind != workflow.EventTransition {
			continue
		}
		switch e.Action {
		case workflow.ActionAdvance, workflow.ActionWin:
			states[e.FromStage] = "done"
		case workflow.ActionSkip:
			states[e.FromStage] = "skipped"
		case workflow.ActionLose:
			states[e.FromStage] = "lost"
		}
	}
	cur := p.StageIndex(d.Stage)
	page.StageNames = map[string]workflow.Names{}
	for i, st := range p.Stages {
		page.StageNames[st.Key] = st.Name
		v := stageView{Stage: st, No: i + 1, State: states[st.Key]}
		if v.State == "" {
			switch {
			case i == cur:
				v.State = "current"
			case i < cur:
				v.State = "done"
			default:
				v.State = "ahead"
			}
		}
		page.Stages = append(page.Stages, v)
	}
	if cur >= 0 {
		page.Current = p.Stages[cur]
		page.IsLast = cur == len(p.Stages)-1
		if d.Status == workflow.StatusOpen {
			ev, err := w.store.Evidence(ctx, d, u.Actor())
			if err != nil {
				return nil, err
			}
			page.Missing = page.Current.Missing(ev)
		}
	}
	if page.Activities, err = w.store.FindActivities(ctx, d.ID); err != nil {
		return nil, err
	}
	if page.Facts, err = w.store.FindFacts(ctx, d.ID); err != nil {
		return nil, err
	}
	if page.Documents, err = w.store.FindDocuments(ctx, storage.DocumentFilter{DealID: &d.ID}); err != nil {
		return nil, err
	}
	if w.DocKindsFor != nil {
		page.DocKinds = w.DocKindsFor(u.Role)
	}
	page.Activity.Kind = c.QueryParam("activity")
	page.Fact.Kind = c.QueryParam("fact")
	page.Checklist = w.checklist(c, page)
	return page, nil
}

// checklist describes the current stage's requirements and, for each missing one, the links
// that produce it: the form of each document kind the user prepares (or the draft already
// started), the activity or fact form preset to the kind needed, the training page.
func (w *Web) checklist(c echo.Context, page *dealPage) []checkItem {
	if page.Deal.Status != workflow.StatusOpen {
		return nil
	}
	lang := w.uiLang(c)
	missing := map[string]bool{}
	for _, m := range page.Missing {
		missing[m.Ru] = true
	}
	drafts := map[workflow.DocumentKind]int64{}
	for _, d := range page.Documents {
		if d.Status == storage.DocDraft {
			drafts[d.Kind] = d.ID
		}
	}
	mayDoc := map[workflow.DocumentKind]bool{}
	for _, k := range page.DocKinds {
		mayDoc[k] = true
	}
	var out []checkItem
	add := func(m workflow.Missing, done bool) {
		it := checkItem{Text: m, Done: done}
		if !done && page.CanWrite {
			for _, k := range m.Kinds {
				switch {
				case workflow.DocumentKind(k).Valid():
					dk := workflow.DocumentKind(k)
					if !mayDoc[dk] {
						continue
					}
					if id, ok := drafts[dk]; ok {
						it.Links = append(it.Links, fixLink{Href: docURL(id) + "/edit", Kind: k, Label: pickLang(lang, "продолжить черновик", "continue the draft")})
					} else {
						it.Links = append(it.Links, fixLink{Href: fmt.Sprintf("/deals/%d/documents/new?kind=%s", page.Deal.ID, k), Kind: k,
							Label: pickLang(lang, "подготовить", "prepare") + ": " + docName(lang, dk)})
					}
				case workflow.ActivityKind(k).Valid():
					n := workflow.ActivityNames[workflow.ActivityKind(k)]
					it.Links = append(it.Links, fixLink{Href: fmt.Sprintf("/deals/%d?activity=%s#activities", page.Deal.ID, k), Kind: k,
						Label: pickLang(lang, "записать: ", "log: ") + pickLang(lang, n[0], n[1])})
				case workflow.FactKind(k).Valid():
					n := workflow.FactNames[workflow.FactKind(k)]
					it.Links = append(it.Links, fixLink{Href: fmt.Sprintf("/deals/%d?fact=%s#facts", page.Deal.ID, k), Kind: k,
						Label: pickLang(lang, "записать: ", "record: ") + pickLang(lang, n[0], n[1])})
				case m.Type == "training":
					it.Links = append(it.Links, fixLink{Href: "/training", Kind: k, Label: pickLang(lang, "пройти тест", "take the test")})
				}
			}
		}
		out = append(out, it)
	}
	for _, r := range page.Current.Requires {
		m := r.Describe()
		add(m, !missing[m.Ru])
	}
	for _, m := range page.Missing {
		if m.Type == "training" {
			add(m, false)
		}
	}
	return out
}

func (w *Web) handleDeal(c echo.Context) error {
	page, err := w.loadDealPage(c)
	if err != nil {
		return err
	}
	if raw, err := c.Cookie("dealgate_refusal"); err == nil && raw.Value != "" {
		// The refusal itself is re-computed: the cookie only says that one happened.
		page.Refusal = &refusal{Message: translate(w.page(c, "", nil).Lang, "deal.refused"), Missing: page.Missing}
		c.SetCookie(&http.Cookie{Name: "dealgate_refusal", Path: "/", MaxAge: -1})
	}
	return w.render(c, http.StatusOK, "deal", page.Deal.Title, page)
}

func (w *Web) handleActivity(c echo.Context) error {
	page, err := w.loadDealPage(c)
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	if !page.CanWrite {
		return workflow.ErrForbidden
	}
	page.Activity = activityForm{Kind: c.FormValue("kind"), Note: c.FormValue("note"), DM: c.FormValue("decision_maker") != ""}
	a := storage.Activity{DealID: page.Deal.ID, Kind: workflow.ActivityKind(page.Activity.Kind), Note: strings.TrimSpace(page.Activity.Note),
		DecisionMaker: page.Activity.DM}
	if _, err := w.store.AddActivity(c.Request().Context(), a, u.Actor()); err != nil {
		var we *workflow.Error
		if errors.As(err, &we) && we.Code == workflow.EINVALID {
			page.Activity.Error, page.Activity.Field = we.Message, we.Field
			return w.render(c, http.StatusUnprocessableEntity, "deal", page.Deal.Title, page)
		}
		return err
	}
	flash(c, "activity.logged")
	return c.Redirect(http.StatusSeeOther, backTo(c, dealURL(page.Deal.ID)+"#activities"))
}

// backTo returns the local page named by the form's next field, or def.
func backTo(c echo.Context, def string) string {
	if n := safeNext(c.FormValue("next")); n != "" {
		return n
	}
	return def
}

func (w *Web) handleFact(c echo.Context) error {
	page, err := w.loadDealPage(c)
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	if !page.CanWrite {
		return workflow.ErrForbidden
	}
	ff := factForm{Kind: c.FormValue("kind"), Text: c.FormValue("text"), Amount: c.FormValue("amount"), Date: c.FormValue("date"), Outcome: c.FormValue("outcome")}
	page.Fact = ff
	refuse := func(field, ru, en string) error {
		if next := safeNext(c.FormValue("next")); next != "" && !strings.HasPrefix(next, dealURL(page.Deal.ID)) {
			// Posted from another page (the back-office queue): say it there.
			return &workflow.Error{Code: workflow.EINVALID, Field: field, Message: pickLang(w.uiLang(c), ru, en)}
		}
		page.Fact.Error, page.Fact.Field = pickLang(w.uiLang(c), ru, en), field
		return w.render(c, http.StatusUnprocessableEntity, "deal", page.Deal.Title, page)
	}
	kind := workflow.FactKind(ff.Kind)
	if !kind.Valid() {
		return refuse("kind", "Выберите факт из списка", "Choose a fact from the list")
	}
	data := map[string]any{}
	if t := strings.TrimSpace(ff.Text); t != "" {
		data["text"] = t
	}
	if a := strings.TrimSpace(ff.Amount); a != "" {
		m, err := workflow.ParseMoney(a)
		if err != nil || m <= 0 {
			return refuse("amount", "Сумма — положительное число, например 750000,00", "The amount is a positive number such as 750000.00")
		}
		data["amount"] = m.String()
	}
	if d := strings.TrimSpace(ff.Date); d != "" {
		data["date"] = d
	}
	if kind == workflow.FactTender && ff.Outcome != "" {
		data["outcome"] = ff.Outcome
	}
	if kind == workflow.FactPayment && data["amount"] == nil {
		return refuse("amount", "Укажите сумму поступившей оплаты", "Enter the amount received")
	}
	raw, _ := json.Marshal(data)
	if err := api.ValidateFactData(kind, raw); err != nil {
		var we *workflow.Error
		if errors.As(err, &we) {
			return refuse(we.Field, we.Message, we.Message)
		}
		return err
	}
	if _, err := w.store.AddFact(c.Request().Context(), storage.Fact{DealID: page.Deal.ID, Kind: kind, Data: raw}, u.Actor()); err != nil {
		var we *workflow.Error
		if errors.As(err, &we) && we.Code == workflow.EINVALID {
			return refuse(we.Field, we.Message, we.Message)
		}
		return err
	}
	flash(c, "fact.recorded")
	return c.Redirect(http.StatusSeeOther, backTo(c, dealURL(page.Deal.ID)+"#facts"))
}

func (w *Web) handleTransition(c echo.Context) error {
	page, err := w.loadDealPage(c)
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	ev, _ := strconv.ParseInt(c.FormValue("expected_version"), 10, 64)
	t := workflow.Transition{Action: workflow.Action(c.FormValue("action")), To: c.FormValue("to"), Reason: c.FormValue("reason"), ExpectedVersion: ev}
	_, err = w.store.Transition(c.Request().Context(), page.Deal.ID, t, u.Actor())
	var me *workflow.MissingEvidenceError
	switch {
	case err == nil:
		flash(c, "deal.moved")
	case errors.As(err, &me):
		c.SetCookie(&http.Cookie{Name: "dealgate_refusal", Value: "1", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	case workflow.Code(err) == workflow.ECONFLICT:
		flash(c, "deal.conflict")
	default:
		return err
	}
	return c.Redirect(http.StatusSeeOther, dealURL(page.Deal.ID))
}

func dealURL(id int64) string { return "/deals/" + strconv.FormatInt(id, 10) }
