package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// The back office's work queue: every open deal whose current stage waits for something the
// back office makes — a specification, an invoice, a production schedule, a shipment document
// (УПД) — or records: a payment received, a shipment. Each need links to its form (or to the
// draft already started); payments and shipments are recorded right in the queue.
//
//	GET  /backoffice                      the queue (?need=K narrows it to one kind of need)
//	POST /backoffice/deals/{id}/facts     record a payment or a shipment from the queue
func (w *Web) backofficeRoutes(g *echo.Group) {
	staff := api.RequireRole(workflow.RoleBackoffice, workflow.RoleAdmin, workflow.RoleManager)
	g.GET("/backoffice", w.handleQueue, staff)
	g.POST("/backoffice/deals/:id/facts", w.handleQueueFact, staff)
}

// queueNeed is one thing a deal waits for.
type queueNeed struct {
	Kind  string // a document kind, or payment / shipment
	Label string
	Href  string // the document form or the draft; "" for facts
	Draft bool
	Fact  bool
}

// queueRow is a deal in the queue.
type queueRow struct {
	Deal    workflow.Deal
	Company string
	Owner   string
	Stage   workflow.Names
	Days    int
	Needs   []queueNeed
	// Form keeps what was typed into the row's payment or shipment form when it was refused.
	Form queueForm
}

// queueForm is the payment / shipment form of a row.
type queueForm struct {
	Kind, Amount, Date, Text string
	Error, Field             string
}

type queuePage struct {
	Rows   []queueRow
	Need   string
	Counts map[string]int
	Kinds  []string // the needs there are, in order, for the filter
}

// backofficeNeeds are the needs the queue shows, in pipeline order.
var backofficeNeeds = []string{string(workflow.DocSpecification), string(workflow.DocInvoice), string(workflow.FactPayment),
	string(workflow.DocProductionSchedule), string(workflow.DocUPD), string(workflow.FactShipment)}

func (w *Web) queue(c echo.Context, form *queueForm, formDeal int64) (*queuePage, error) {
	ctx := c.Request().Context()
	u, _ := api.CurrentUser(c)
	lang := w.uiLang(c)
	wanted := map[string]bool{}
	for _, k := range backofficeNeeds {
		wanted[k] = true
	}
	deals, _, err := w.store.FindDeals(ctx, storage.DealFilter{Status: string(workflow.StatusOpen), Limit: 1000})
	if err != nil {
		return nil, err
	}
	page := &queuePage{Need: c.QueryParam("need"), Counts: map[string]int{}}
	names := map[int64]string{}
	userName := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := ""
		if us, err := w.store.FindUserByID(ctx, id); err == nil {
			n = us.Name
			if n == "" {
				n = us.Email
			}
		}
		names[id] = n
		return n
	}
	companies := map[int64]string{}
	for _, d := range deals {
		p, err := w.store.PipelineByID(ctx, d.PipelineID)
		if err != nil {
			return nil, err
		}
		st, ok := p.Stage(d.Stage)
		if !ok {
			continue
		}
		ev, err := w.store.Evidence(ctx, d, u.Actor())
		if err != nil {
			return nil, err
		}
		var needs []queueNeed
		var drafts map[workflow.DocumentKind]int64
		for _, m := range st.Missing(ev) {
			for _, k := range m.Kinds {
				if !wanted[k] {
					continue
				}
				n := queueNeed{Kind: k}
				if workflow.FactKind(k).Valid() {
					n.Fact = true
					fn := workflow.FactNames[workflow.FactKind(k)]
					n.Label = pickLang(lang, fn[0], fn[1])
				} else {
					if drafts == nil {
						drafts = map[workflow.DocumentKind]int64{}
						docs, err := w.store.FindDocuments(ctx, storage.DocumentFilter{DealID: &d.ID})
						if err != nil {
							return nil, err
						}
						for _, doc := range docs {
							if doc.Status == storage.DocDraft {
								drafts[doc.Kind] = doc.ID
							}
						}
					}
					dk := workflow.DocumentKind(k)
					n.Label = docName(lang, dk)
					if id, ok := drafts[dk]; ok {
						n.Href, n.Draft = docURL(id)+"/edit", true
					} else {
						n.Href = fmt.Sprintf("/deals/%d/documents/new?kind=%s", d.ID, k)
					}
				}
				needs = append(needs, n)
			}
		}
		if len(needs) == 0 {
			continue
		}
		match := page.Need == ""
		for _, n := range needs {
			page.Counts[n.Kind]++
			match = match || n.Kind == page.Need
		}
		if !match {
			continue
		}
		if _, ok := companies[d.CompanyID]; !ok {
			if co, err := w.store.FindCompanyByID(ctx, d.CompanyID); err == nil {
				companies[d.CompanyID] = co.Name
			}
		}
		row := queueRow{Deal: d, Company: companies[d.CompanyID], Owner: userName(d.OwnerID), Stage: st.Name, Days: daysSince(d.StageEnteredAt), Needs: needs}
		if form != nil && formDeal == d.ID {
			row.Form = *form
		}
		page.Rows = append(page.Rows, row)
	}
	// The longest waiting first.
	sort.SliceStable(page.Rows, func(i, j int) bool { return page.Rows[i].Deal.StageEnteredAt.Before(page.Rows[j].Deal.StageEnteredAt) })
	for _, k := range backofficeNeeds {
		if page.Counts[k] > 0 {
			page.Kinds = append(page.Kinds, k)
		}
	}
	return page, nil
}

func (w *Web) handleQueue(c echo.Context) error {
	page, err := w.queue(c, nil, 0)
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "backoffice", translate(w.uiLang(c), "backoffice.title"), page)
}

// handleQueueFact records a payment or a shipment from the queue; a refused form is shown
// again in its row with what was typed.
func (w *Web) handleQueueFact(c echo.Context) error {
	deal, err := w.pageDeal(c, "id")
	if err != nil {
		return err
	}
	u, _ := api.CurrentUser(c)
	lang := w.uiLang(c)
	form := queueForm{Kind: c.FormValue("kind"), Amount: c.FormValue("amount"), Date: c.FormValue("date"), Text: c.FormValue("text")}
	refuse := func(field, ru, en string) error {
		form.Error, form.Field = pickLang(lang, ru, en), field
		page, err := w.queue(c, &form, deal.ID)
		if err != nil {
			return err
		}
		return w.render(c, http.StatusUnprocessableEntity, "backoffice", translate(lang, "backoffice.title"), page)
	}
	kind := workflow.FactKind(form.Kind)
	if kind != workflow.FactPayment && kind != workflow.FactShipment {
		return workflow.Invalid("kind", "the queue records payments and shipments")
	}
	data := map[string]any{}
	if a := strings.TrimSpace(form.Amount); a != "" || kind == workflow.FactPayment {
		m, err := workflow.ParseMoney(a)
		if err != nil || m <= 0 {
			return refuse("amount", "Сумма оплаты — положительное число, например 3751500,00", "The amount is a positive number such as 3751500.00")
		}
		data["amount"] = m.String()
	}
	if d := strings.TrimSpace(form.Date); d != "" {
		data["date"] = d
	} else {
		return refuse("date", "Укажите дату", "Enter the date")
	}
	if t := strings.TrimSpace(form.Text); t != "" {
		data["text"] = t
	}
	raw, _ := json.Marshal(data)
	if err := api.ValidateFactData(kind, raw); err != nil {
		var we *workflow.Error
		if errors.As(err, &we) {
			return refuse(we.Field, we.Message, we.Message)
		}
		return err
	}
	if _, err := w.store.AddFact(c.Request().Context(), storage.Fact{DealID: deal.ID, Kind: kind, Data: raw}, u.Actor()); err != nil {
		var we *workflow.Error
		if errors.As(err, &we) && we.Code == workflow.EINVALID {
			return refuse(we.Field, we.Message, we.Message)
		}
		return err
	}
	flash(c, "fact.recorded")
	back := "/backoffice"
	if n := c.FormValue("need"); n != "" {
		back += "?need=" + urlQueryEscape(n)
	}
	return c.Redirect(http.StatusSeeOther, back+"#deal-"+strconv.FormatInt(deal.ID, 10))
}

// daysSince is the number of whole days since t.
func daysSince(t time.Time) int { return int(time.Since(t).Hours() / 24) }
