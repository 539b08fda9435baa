package web

import (
	"encoding/json"
	"errors"
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
	Refusal    *refusal
	DocKinds   []workflow.DocumentKind // kinds the user may prepare here
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
	for i, st := range p.Stages {
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
	return page, nil
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
	a := storage.Activity{DealID: page.Deal.ID, Kind: workflow.ActivityKind(c.FormValue("kind")), Note: strings.TrimSpace(c.FormValue("note")),
		DecisionMaker: c.FormValue("decision_maker") != ""}
	if _, err := w.store.AddActivity(c.Request().Context(), a, u.Actor()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, dealURL(page.Deal.ID)+"#activities")
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
	kind := workflow.FactKind(c.FormValue("kind"))
	data := map[string]any{}
	if t := strings.TrimSpace(c.FormValue("text")); t != "" {
		data["text"] = t
	}
	if a := strings.TrimSpace(c.FormValue("amount")); a != "" {
		m, err := workflow.ParseMoney(a)
		if err != nil || m <= 0 {
			return workflow.Invalid("amount", "amount must be a positive number such as 750000,00")
		}
		data["amount"] = m.String()
	}
	if d := strings.TrimSpace(c.FormValue("date")); d != "" {
		data["date"] = d
	}
	if kind == workflow.FactTender {
		if o := c.FormValue("outcome"); o != "" {
			data["outcome"] = o
		}
	}
	raw, _ := json.Marshal(data)
	if err := api.ValidateFactData(kind, raw); err != nil {
		return err
	}
	if _, err := w.store.AddFact(c.Request().Context(), storage.Fact{DealID: page.Deal.ID, Kind: kind, Data: raw}, u.Actor()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, dealURL(page.Deal.ID)+"#facts")
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
