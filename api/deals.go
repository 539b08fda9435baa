package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// DealRequest is the body of POST /api/v1/deals. Amounts are decimal strings.
type DealRequest struct {
	CompanyID json.Number `json:"company_id"`
	Title     string      `json:"title"`
	Amount    string      `json:"amount"`
	Cost      string      `json:"cost"`
	Currency  string      `json:"currency"`
	OwnerID   json.Number `json:"owner_id"` // managers and admins may assign the deal to a rep
}

// DealJSON is a deal as the API answers it.
type DealJSON struct {
	ID             int64              `json:"id"`
	CompanyID      int64              `json:"company_id"`
	OwnerID        int64              `json:"owner_id"`
	Title          string             `json:"title"`
	Amount         string             `json:"amount"`
	Cost           string             `json:"cost"`
	Profit         string             `json:"profit"`
	Currency       string             `json:"currency"`
	PipelineID     int64              `json:"pipeline_id"`
	Stage          string             `json:"stage"`
	StageName      workflow.Names     `json:"stage_name"`
	Status         string             `json:"status"`
	LostReason     string             `json:"lost_reason,omitempty"`
	Version        int64              `json:"version"`
	StageEnteredAt time.Time          `json:"stage_entered_at"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
	ClosedAt       *time.Time         `json:"closed_at,omitempty"`
	Missing        []workflow.Missing `json:"missing,omitempty"`
}

func (s *Server) dealJSON(c echo.Context, d workflow.Deal, withMissing bool) (DealJSON, error) {
	return s.dealJSONWith(c, d, withMissing, nil)
}

// dealJSONWith is dealJSON with the deal's evidence already at hand (nil: read it when the
// missing list is wanted).
func (s *Server) dealJSONWith(c echo.Context, d workflow.Deal, withMissing bool, known *workflow.Evidence) (DealJSON, error) {
	out := DealJSON{ID: d.ID, CompanyID: d.CompanyID, OwnerID: d.OwnerID, Title: d.Title, Amount: d.Amount.String(), Cost: d.Cost.String(),
		Profit: (d.Amount - d.Cost).String(), Currency: d.Currency, PipelineID: d.PipelineID, Stage: d.Stage, Status: string(d.Status),
		LostReason: d.LostReason, Version: d.Version, StageEnteredAt: d.StageEnteredAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ClosedAt: d.ClosedAt}
	p, err := s.Store.PipelineByID(ctxOf(c), d.PipelineID)
	if err != nil {
		return out, err
	}
	if st, ok := p.Stage(d.Stage); ok {
		out.StageName = st.Name
		if withMissing && d.Status == workflow.StatusOpen {
			if known == nil {
				ev, err := s.Store.Evidence(ctxOf(c), d, currentUser(c).Actor())
				if err != nil {
					return out, err
				}
				known = &ev
			}
			out.Missing = st.Missing(*known)
		}
	}
	return out, nil
}

func parseID(field string, n json.Number, required bool) (int64, error) {
	if n == "" {
		if required {
			return 0, workflow.Invalid(field, "%s is required", field)
		}
		return 0, nil
	}
	id, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || id <= 0 {
		return 0, workflow.Invalid(field, "%s must be a positive whole number", field)
	}
	return id, nil
}

func parseMoneyField(field, v string, required bool) (workflow.Money, error) {
	if v == "" {
		if required {
			return 0, workflow.Invalid(field, "%s is required (a decimal string such as \"1234.56\")", field)
		}
		return 0, nil
	}
	m, err := workflow.ParseMoney(v)
	if err != nil {
		return 0, workflow.Invalid(field, "%s: %v", field, err)
	}
	if m < 0 {
		return 0, workflow.Invalid(field, "%s must not be negative", field)
	}
	return m, nil
}

func (s *Server) handleDealCreate(c echo.Context) error {
	var req DealRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u := currentUser(c)
	d := workflow.Deal{Title: req.Title, Currency: req.Currency, OwnerID: u.ID}
	var err error
	if d.CompanyID, err = parseID("company_id", req.CompanyID, true); err != nil {
		return err
	}
	if d.Amount, err = parseMoneyField("amount", req.Amount, false); err != nil {
		return err
	}
	if d.Cost, err = parseMoneyField("cost", req.Cost, false); err != nil {
		return err
	}
	if d.Currency == "" {
		d.Currency = "RUB"
	}
	owner, err := parseID("owner_id", req.OwnerID, false)
	if err != nil {
		return err
	}
	if owner != 0 && owner != u.ID {
		if u.Role != workflow.RoleAdmin && u.Role != workflow.RoleManager {
			return &workflow.Error{Code: workflow.EFORBIDDEN, Field: "owner_id", Message: "only managers and admins assign deals to other reps"}
		}
		ou, err := s.Store.FindUserByID(ctxOf(c), owner)
		if err != nil || ou.Role != workflow.RoleRep && ou.Role != workflow.RoleManager {
			return workflow.Invalid("owner_id", "owner_id must be an existing rep or manager")
		}
		d.OwnerID = owner
	}
	if err := d.Validate(); err != nil {
		return err
	}
	// LoadCompany's visibility rule, checked on the company row the transaction reads: a
	// company the user may not see is answered like one that does not exist. The current
	// pipeline version is read in the same transaction.
	d, err = s.Store.CreateDealOnCurrent(ctxOf(c), s.PipelineKey, d, u.Actor(), func(co storage.Company) error {
		if !seesAll(u.Role) && co.OwnerID != u.ID {
			return workflow.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return err
	}
	out, err := s.dealJSON(c, d, false)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/deals/"+itoa(d.ID))
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) handleDealGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.LoadDeal(c, id)
	if err != nil {
		return err
	}
	out, err := s.dealJSON(c, d, true)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) handleDealList(c echo.Context) error {
	offset, err := queryInt(c, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	lim, err := queryInt(c, "limit", 50, 500)
	if err != nil {
		return err
	}
	f := storage.DealFilter{Stage: c.QueryParam("stage"), Status: c.QueryParam("status"), Offset: offset, Limit: lim}
	switch f.Status {
	case "", "open", "won", "lost":
	default:
		return workflow.Invalid("status", "status must be open, won or lost")
	}
	u := currentUser(c)
	if v := c.QueryParam("owner_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return workflow.Invalid("owner_id", "owner_id must be a whole number")
		}
		f.OwnerID = &id
	}
	if v := c.QueryParam("company_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return workflow.Invalid("company_id", "company_id must be a whole number")
		}
		f.CompanyID = &id
	}
	if !seesAll(u.Role) {
		if f.OwnerID != nil && *f.OwnerID != u.ID {
			return c.JSON(http.StatusOK, ListJSON[DealJSON]{Items: []DealJSON{}, Offset: offset, Limit: lim})
		}
		f.OwnerID = &u.ID
	}
	items, total, err := s.Store.FindDeals(ctxOf(c), f)
	if err != nil {
		return err
	}
	out := make([]DealJSON, len(items))
	for i, d := range items {
		if out[i], err = s.dealJSON(c, d, false); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, ListJSON[DealJSON]{Items: out, Total: total, Offset: offset, Limit: lim})
}

// TransitionRequest is the body of POST /api/v1/deals/{id}/transitions.
type TransitionRequest struct {
	Action          string      `json:"action"`
	To              string      `json:"to"`
	Reason          string      `json:"reason"`
	ExpectedVersion json.Number `json:"expected_version"`
}

func (s *Server) handleTransition(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req TransitionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var ev int64
	if req.ExpectedVersion != "" {
		ev, err = strconv.ParseInt(string(req.ExpectedVersion), 10, 64)
		if err != nil || ev <= 0 {
			return workflow.Invalid("expected_version", "expected_version must be a positive whole number")
		}
	}
	// The visibility rule of LoadDeal is checked on the deal the transition locks, which saves
	// reading it twice; the evidence the pipeline decided on gives the answer's missing list.
	u := currentUser(c)
	visible := true
	check := func(d workflow.Deal) error {
		if !seesAll(u.Role) && d.OwnerID != u.ID {
			visible = false
			return workflow.ErrNotFound
		}
		return nil
	}
	t := workflow.Transition{Action: workflow.Action(req.Action), To: req.To, Reason: req.Reason, ExpectedVersion: ev}
	d, evidence, err := s.Store.TransitionChecked(ctxOf(c), id, t, u.Actor(), check)
	if err != nil && (!visible || workflow.Code(err) == workflow.ENOTFOUND) {
		return err // as LoadDeal answered before the transition: not counted as one
	}
	s.metrics.transitions.WithLabelValues(metricAction(req.Action), transitionResult(err)).Inc()
	if err != nil {
		return err
	}
	out, err := s.dealJSONWith(c, d, true, &evidence)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func metricAction(a string) string {
	switch workflow.Action(a) {
	case workflow.ActionAdvance, workflow.ActionSkip, workflow.ActionLose, workflow.ActionWin:
		return a
	}
	return "other"
}

func transitionResult(err error) string {
	switch workflow.Code(err) {
	case "":
		if err == nil {
			return "ok"
		}
		return "error"
	case workflow.ECONFLICT:
		return "conflict"
	case workflow.EMISSING, workflow.EINVALID, workflow.EFORBIDDEN:
		return "refused"
	}
	return "error"
}

// ActivityRequest is the body of POST /api/v1/deals/{id}/activities.
type ActivityRequest struct {
	Kind          string `json:"kind"`
	Note          string `json:"note"`
	DecisionMaker bool   `json:"decision_maker"`
}

// ActivityJSON is an activity as the API answers it.
type ActivityJSON struct {
	ID            int64     `json:"id"`
	DealID        int64     `json:"deal_id"`
	Kind          string    `json:"kind"`
	Stage         string    `json:"stage"`
	Note          string    `json:"note"`
	DecisionMaker bool      `json:"decision_maker"`
	ActorID       int64     `json:"actor_id"`
	At            time.Time `json:"at"`
}

func (s *Server) handleActivityCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ActivityRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := s.LoadDeal(c, id); err != nil {
		return err
	}
	a, err := s.Store.AddActivity(ctxOf(c), storage.Activity{DealID: id, Kind: workflow.ActivityKind(req.Kind), Note: req.Note, DecisionMaker: req.DecisionMaker}, currentUser(c).Actor())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, activityJSON(a))
}

func activityJSON(a storage.Activity) ActivityJSON {
	return ActivityJSON{ID: a.ID, DealID: a.DealID, Kind: string(a.Kind), Stage: a.Stage, Note: a.Note, DecisionMaker: a.DecisionMaker, ActorID: a.ActorID, At: a.At}
}

func (s *Server) handleActivityList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.LoadDeal(c, id); err != nil {
		return err
	}
	items, err := s.Store.FindActivities(ctxOf(c), id)
	if err != nil {
		return err
	}
	out := make([]ActivityJSON, len(items))
	for i, a := range items {
		out[i] = activityJSON(a)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

// FactJSON is a fact as the API answers it.
type FactJSON struct {
	ID      int64           `json:"id"`
	DealID  int64           `json:"deal_id"`
	Kind    string          `json:"kind"`
	Stage   string          `json:"stage"`
	Data    json.RawMessage `json:"data"`
	ActorID int64           `json:"actor_id"`
	At      time.Time       `json:"at"`
}

// handleFactCreate records a fact. The body is {"kind": "...", ...}: every other member is the
// fact's data (e.g. {"kind":"payment","amount":"750000.00","date":"2026-03-01"}); a "data"
// object may also carry it.
func (s *Server) handleFactCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body map[string]json.RawMessage
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	var kind string
	if raw, ok := body["kind"]; !ok || json.Unmarshal(raw, &kind) != nil || kind == "" {
		return workflow.Invalid("kind", "kind is required: needs, decision_makers, tender, payment, shipment or feedback")
	}
	delete(body, "kind")
	data := json.RawMessage("{}")
	if raw, ok := body["data"]; ok && len(body) == 1 {
		data = raw
	} else if len(body) > 0 {
		data, _ = json.Marshal(body)
	}
	if !workflow.FactKind(kind).Valid() {
		return workflow.Invalid("kind", "unknown fact kind %q (needs, decision_makers, tender, payment, shipment, feedback)", kind)
	}
	if err := ValidateFactData(workflow.FactKind(kind), data); err != nil {
		return err
	}
	if _, err := s.LoadDeal(c, id); err != nil {
		return err
	}
	f, err := s.Store.AddFact(ctxOf(c), storage.Fact{DealID: id, Kind: workflow.FactKind(kind), Data: data}, currentUser(c).Actor())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, FactJSON{ID: f.ID, DealID: f.DealID, Kind: string(f.Kind), Stage: f.Stage, Data: f.Data, ActorID: f.ActorID, At: f.At})
}

// ValidateFactData checks the members a fact kind relies on; others are kept as given.
func ValidateFactData(kind workflow.FactKind, data json.RawMessage) error {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return workflow.Invalid("data", "data must be a JSON object")
	}
	str := func(k string) (string, bool) { v, ok := m[k].(string); return v, ok }
	switch kind {
	case workflow.FactPayment:
		v, ok := str("amount")
		if !ok {
			return workflow.Invalid("amount", "a payment needs amount as a decimal string")
		}
		if a, err := workflow.ParseMoney(v); err != nil || a <= 0 {
			return workflow.Invalid("amount", "amount must be a positive decimal string such as \"750000.00\"")
		}
		if d, ok := str("date"); ok {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				return workflow.Invalid("date", "date must be YYYY-MM-DD")
			}
		}
	case workflow.FactShipment:
		if d, ok := str("date"); ok {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				return workflow.Invalid("date", "date must be YYYY-MM-DD")
			}
		}
	case workflow.FactTender:
		if v, ok := m["outcome"]; ok {
			if s, _ := v.(string); s != "won" && s != "lost" && s != "cancelled" && s != "not_held" {
				return workflow.Invalid("outcome", "outcome must be won, lost, cancelled or not_held")
			}
		}
	}
	return nil
}

func (s *Server) handleFactList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.LoadDeal(c, id); err != nil {
		return err
	}
	items, err := s.Store.FindFacts(ctxOf(c), id)
	if err != nil {
		return err
	}
	out := make([]FactJSON, len(items))
	for i, f := range items {
		out[i] = FactJSON{ID: f.ID, DealID: f.DealID, Kind: string(f.Kind), Stage: f.Stage, Data: f.Data, ActorID: f.ActorID, At: f.At}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

// EventJSON is an event of a deal's trail.
type EventJSON struct {
	Seq       int64           `json:"seq"`
	Kind      string          `json:"kind"`
	Action    string          `json:"action,omitempty"`
	FromStage string          `json:"from,omitempty"`
	ToStage   string          `json:"to,omitempty"`
	ActorID   int64           `json:"actor_id"`
	Reason    string          `json:"reason,omitempty"`
	At        string          `json:"at"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// EventToJSON converts an event for the API.
func EventToJSON(e workflow.Event) EventJSON {
	return EventJSON{Seq: e.Seq, Kind: string(e.Kind), Action: string(e.Action), FromStage: e.FromStage, ToStage: e.ToStage, ActorID: e.ActorID,
		Reason: e.Reason, At: workflow.FormatEventTime(e.At), Payload: e.Payload, PrevHash: e.PrevHash, Hash: e.Hash}
}

func (s *Server) handleEventList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.LoadDeal(c, id); err != nil {
		return err
	}
	evs, err := s.Store.FindEvents(ctxOf(c), id)
	if err != nil {
		return err
	}
	out := make([]EventJSON, len(evs))
	for i, e := range evs {
		out[i] = EventToJSON(e)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
