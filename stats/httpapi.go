package stats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// API serves /api/v1/stats. Managers, admins and auditors read everyone's figures; a rep
// reads their own (their funnel, their gaps, the norms without the other reps' figures);
// the back office has no statistics. Managers and admins save and adjust norm sets.
type API struct {
	Svc *Service
}

// Readers are the roles that read statistics (reps: their own).
var Readers = []workflow.Role{workflow.RoleAdmin, workflow.RoleManager, workflow.RoleAuditor, workflow.RoleRep}

// NormWriters are the roles that save and adjust norm sets.
var NormWriters = []workflow.Role{workflow.RoleAdmin, workflow.RoleManager}

// SeesEveryone reports whether a role reads every rep's statistics.
func SeesEveryone(r workflow.Role) bool {
	return r == workflow.RoleAdmin || r == workflow.RoleManager || r == workflow.RoleAuditor
}

// Routes registers the routes; pass it in api.Server.Extra.
func (a *API) Routes(s *api.Server, auth *echo.Group, prefix string) {
	read := api.RequireRole(Readers...)
	write := api.RequireRole(NormWriters...)
	const q = " Query: from, to (YYYY-MM-DD), rep_id, min_amount, max_amount, measure, group, top_n, min_n, min_tenure_days, prior, cap, norms (live|latest|id), format (json|csv|xlsx), table, lang."
	s.Register(auth, prefix, api.RouteDoc{Method: "GET", Path: "/stats/funnel", Tag: "stats", Response: "StatsFunnel",
		Summary: "Per-stage statistics for the team and every rep (reps: their own), the stage × rep matrix, lost reasons, months, who falls behind where." + q}, a.funnel, read)
	s.Register(auth, prefix, api.RouteDoc{Method: "GET", Path: "/stats/norms", Tag: "stats", Response: "StatsNorms",
		Summary: "Norms from the best reps (profit or turnover, top quartile or top N), the ranking, and the reverse funnel of a plan (plan, plan_weeks)." + q}, a.norms, read)
	s.Register(auth, prefix, api.RouteDoc{Method: "GET", Path: "/stats/reps/:id", Tag: "stats", Response: "StatsRep",
		Summary: "One rep's stages against the norms: gaps, Wilson significance, deals and margin lost, the costliest stage in a sentence." + q}, a.rep, read)
	s.Register(auth, prefix, api.RouteDoc{Method: "GET", Path: "/stats/norms/snapshots", Tag: "stats", Response: "StatsNormList",
		Summary: "Saved norm sets, newest first"}, a.listSnapshots, read)
	s.Register(auth, prefix, api.RouteDoc{Method: "GET", Path: "/stats/norms/snapshots/:id", Tag: "stats", Response: "StatsNorms",
		Summary: "A saved norm set with its hand adjustments applied"}, a.getSnapshot, read)
	s.Register(auth, prefix, api.RouteDoc{Method: "POST", Path: "/stats/norms/snapshots", Tag: "stats", Request: "StatsSnapshotRequest", Response: "StatsNorms", Success: 201,
		Summary: "Compute the norms of a period with a method and save them as a dated snapshot (managers, admins)"}, a.saveSnapshot, write, s.Idempotent())
	s.Register(auth, prefix, api.RouteDoc{Method: "POST", Path: "/stats/norms/snapshots/:id/adjustments", Tag: "stats", Request: "StatsAdjustment", Response: "StatsNorms", Success: 201,
		Summary: "Change one norm of a saved set by hand, with a reason; the change is recorded (managers, admins)"}, a.adjust, write, s.Idempotent())
}

func user(c echo.Context) storage.User {
	u, _ := api.CurrentUser(c)
	return u
}

// request parses the query with the default period, and restricts a rep to their own deals.
func (a *API) request(c echo.Context) (Request, error) {
	def, err := a.Svc.DefaultPeriod(c.Request().Context())
	if err != nil {
		return Request{}, err
	}
	req, err := ParseRequest(c.QueryParams(), def)
	if err != nil {
		return req, err
	}
	u := user(c)
	if !SeesEveryone(u.Role) {
		for _, id := range req.Filter.RepIDs {
			if id != u.ID {
				return req, &workflow.Error{Code: workflow.EFORBIDDEN, Field: "rep_id", Message: "reps read only their own statistics"}
			}
		}
		req.Filter.RepIDs = []int64{u.ID}
	}
	return req, nil
}

// NormsRef says which norms a report used.
type NormsRef struct {
	Source string     `json:"source"` // live or snapshot
	ID     int64      `json:"id,omitempty"`
	At     *time.Time `json:"created_at,omitempty"`
	Period Period     `json:"period"`
	Params NormParams `json:"params"`
	Stages []NormLine `json:"stages"`
}

// NormLine is one stage's norm in a report.
type NormLine struct {
	Stage      string `json:"stage"`
	Conversion Num    `json:"conversion"`
	Days       Num    `json:"days"`
	Method     string `json:"method"`
}

func refOf(ns *NormSet, source string) NormsRef {
	r := NormsRef{Source: source, ID: ns.ID, At: ns.CreatedAt, Period: ns.Period, Params: ns.Params}
	for _, s := range ns.Stages {
		r.Stages = append(r.Stages, NormLine{Stage: s.Stage, Conversion: s.Conversion, Days: s.Days, Method: s.Method})
	}
	return r
}

// FunnelResponse is GET /stats/funnel.
type FunnelResponse struct {
	*Report
	Norms   NormsRef  `json:"norms"`
	Weakest []Weakest `json:"weakest,omitempty"`
	Behind  []Behind  `json:"behind,omitempty"`
	TookMS  float64   `json:"took_ms"`
}

// Behind is a rep's costliest stage in the funnel response.
type Behind struct {
	Rep      Rep            `json:"rep"`
	Stage    string         `json:"stage,omitempty"`
	Value    workflow.Money `json:"value"`
	Sentence workflow.Names `json:"sentence"`
}

// FunnelView is everything the funnel pages and exports show.
type FunnelView struct {
	Req    Request
	Report *Report
	Norms  *NormSet
	Source string
	Gaps   []RepGaps
	Weak   []Weakest
}

// FunnelView computes the funnel view of a request: the report, the norms (from every rep of the
// same period and segment), each rep's gaps and the weakest rep per stage.
func (s *Service) FunnelView(c echo.Context, req Request) (*FunnelView, error) {
	ctx := c.Request().Context()
	r, err := s.Funnel(ctx, req.Filter)
	if err != nil {
		return nil, err
	}
	team, err := s.TeamReport(ctx, r, req.Filter)
	if err != nil {
		return nil, err
	}
	ns, src, err := s.Norms(ctx, team, req)
	if err != nil {
		return nil, err
	}
	v := &FunnelView{Req: req, Report: r, Norms: ns, Source: src}
	v.Gaps = AllGaps(r, ns)
	v.Weak = WeakestByStage(v.Gaps)
	return v, nil
}

// Tables are the funnel view's tables.
func (v *FunnelView) Tables(lang string, everyone bool) []Table {
	ts := []Table{StageTable("funnel", &v.Report.Team, v.Norms, lang), RepsTable(v.Report, lang), HeatmapTable(v.Report, v.Norms, lang),
		ReasonsTable(&v.Report.Team, lang), MonthsTable(v.Report.Team.Months, lang)}
	if everyone {
		ts = append(ts, WeakestTable(v.Weak, lang), GapSummaryTable(v.Gaps, lang))
	}
	return ts
}

func (a *API) funnel(c echo.Context) error {
	start := time.Now()
	req, err := a.request(c)
	if err != nil {
		return err
	}
	v, err := a.Svc.FunnelView(c, req)
	if err != nil {
		return err
	}
	everyone := SeesEveryone(user(c).Role)
	if req.Format != "json" {
		return Export(c, "funnel", req, v.Tables(req.Lang, everyone))
	}
	out := FunnelResponse{Report: v.Report, Norms: refOf(v.Norms, v.Source), TookMS: float64(time.Since(start).Microseconds()) / 1000}
	if everyone {
		out.Weakest = v.Weak
		for _, g := range v.Gaps {
			b := Behind{Rep: g.Rep, Value: g.TotalValue(), Sentence: g.Sentence}
			if w := g.WorstStage(); w != nil {
				b.Stage = w.Stage
			}
			out.Behind = append(out.Behind, b)
		}
	}
	return c.JSON(http.StatusOK, out)
}

// NormsResponse is GET /stats/norms.
type NormsResponse struct {
	*NormSet
	Source  string       `json:"source"`
	Reverse *ReversePlan `json:"reverse,omitempty"`
}

// ForRep hides what a rep may not read from a norm set: the other reps' figures.
func (ns *NormSet) ForRep(id int64) *NormSet {
	out := *ns
	out.Ranking = nil
	for _, rk := range ns.Ranking {
		if rk.Rep.ID == id {
			out.Ranking = append(out.Ranking, rk)
		}
	}
	out.Reference = nil
	out.Stages = make([]StageNorm, len(ns.Stages))
	for i, s := range ns.Stages {
		s.Best = nil
		out.Stages[i] = s
	}
	return &out
}

// NormsView computes the norms a request asks for, over every rep of its period and segment,
// with the reverse funnel when a plan is given.
func (s *Service) NormsView(c echo.Context, req Request) (*NormSet, string, *ReversePlan, error) {
	ctx := c.Request().Context()
	team, err := s.TeamReport(ctx, nil, req.Filter)
	if err != nil {
		return nil, "", nil, err
	}
	ns, src, err := s.Norms(ctx, team, req)
	if err != nil {
		return nil, "", nil, err
	}
	var rp *ReversePlan
	if req.Plan > 0 {
		x := ns.Reverse(req.Plan, ns.AvgProfit, req.PlanWeeks)
		rp = &x
	}
	return ns, src, rp, nil
}

func (a *API) norms(c echo.Context) error {
	req, err := a.request(c)
	if err != nil {
		return err
	}
	ns, src, rp, err := a.Svc.NormsView(c, req)
	if err != nil {
		return err
	}
	u := user(c)
	if !SeesEveryone(u.Role) {
		ns = ns.ForRep(u.ID)
	}
	if req.Format != "json" {
		ts := []Table{NormTable(ns, req.Lang, SeesEveryone(u.Role)), ActivityNormTable(ns, req.Lang)}
		if SeesEveryone(u.Role) {
			ts = append(ts, RankingTable(ns, req.Lang))
		}
		if rp != nil {
			ts = append(ts, ReverseTable(*rp, req.Lang))
		}
		if len(ns.Adjustments) > 0 {
			ts = append(ts, AdjustmentsTable(ns, a.names(c), req.Lang))
		}
		return Export(c, "norms", req, ts)
	}
	return c.JSON(http.StatusOK, NormsResponse{NormSet: ns, Source: src, Reverse: rp})
}

func (a *API) names(c echo.Context) map[int64]string {
	out := map[int64]string{}
	if us, err := a.Svc.Store.FindUsers(c.Request().Context()); err == nil {
		for _, u := range us {
			out[u.ID] = Rep{ID: u.ID, Name: u.Name, Email: u.Email}.Display()
		}
	}
	return out
}

// RepResponse is GET /stats/reps/{id}.
type RepResponse struct {
	Period Period    `json:"period"`
	Stats  RepStats  `json:"stats"`
	Gaps   RepGaps   `json:"gaps"`
	Norms  NormsRef  `json:"norms"`
	Team   DealStats `json:"team_deals"`
	TookMS float64   `json:"took_ms"`
}

// RepView is one rep's statistics against the norms.
type RepView struct {
	Req    Request
	Team   *Report
	Stats  *RepStats
	Gaps   RepGaps
	Norms  *NormSet
	Source string
}

// RepView computes a rep's view: the report of every rep of the period and segment (for
// the norms), the rep's figures and gaps. A user who is not among the reps is ENOTFOUND.
func (s *Service) RepView(c echo.Context, req Request, id int64) (*RepView, error) {
	ctx := c.Request().Context()
	f := req.Filter
	f.RepIDs = nil
	team, err := s.Funnel(ctx, f)
	if err != nil {
		return nil, err
	}
	rs := team.Rep(id)
	if rs == nil {
		// A rep with no deals (or not a rep) still has a page when the user exists.
		u, err := s.Store.FindUserByID(ctx, id)
		if err != nil {
			return nil, err
		}
		f.RepIDs = []int64{u.ID}
		one, err := s.Funnel(ctx, f)
		if err != nil {
			return nil, err
		}
		rs = one.Rep(id)
		if rs == nil {
			return nil, workflow.ErrNotFound
		}
	}
	ns, src, err := s.Norms(ctx, team, req)
	if err != nil {
		return nil, err
	}
	return &RepView{Req: req, Team: team, Stats: rs, Gaps: Gaps(team, rs, ns), Norms: ns, Source: src}, nil
}

// Tables are a rep view's tables.
func (v *RepView) Tables(lang string) []Table {
	return []Table{GapTable(&v.Gaps, lang), StageTable("stages", v.Stats, v.Norms, lang), ActivityTable(&v.Gaps, lang),
		ReasonsTable(v.Stats, lang), MonthsTable(v.Stats.Months, lang)}
}

func (a *API) rep(c echo.Context) error {
	start := time.Now()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return workflow.ErrNotFound
	}
	u := user(c)
	if !SeesEveryone(u.Role) && id != u.ID {
		return &workflow.Error{Code: workflow.EFORBIDDEN, Message: "reps read only their own statistics"}
	}
	req, err := a.request(c)
	if err != nil {
		return err
	}
	v, err := a.Svc.RepView(c, req, id)
	if err != nil {
		return err
	}
	if req.Format != "json" {
		return Export(c, "rep-"+strconv.FormatInt(id, 10), req, v.Tables(req.Lang))
	}
	return c.JSON(http.StatusOK, RepResponse{Period: v.Team.Period, Stats: *v.Stats, Gaps: v.Gaps, Norms: refOf(v.Norms, v.Source),
		Team: v.Team.Team.Deals, TookMS: float64(time.Since(start).Microseconds()) / 1000})
}

func (a *API) listSnapshots(c echo.Context) error {
	list, err := a.Svc.ListNorms(c.Request().Context(), 100)
	if err != nil {
		return err
	}
	if list == nil {
		list = []NormSetInfo{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": list})
}

func (a *API) getSnapshot(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return workflow.ErrNotFound
	}
	ns, err := a.Svc.LoadNorms(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if u := user(c); !SeesEveryone(u.Role) {
		ns = ns.ForRep(u.ID)
	}
	return c.JSON(http.StatusOK, NormsResponse{NormSet: ns, Source: "snapshot"})
}

// SnapshotRequest is the body of POST /stats/norms/snapshots.
type SnapshotRequest struct {
	From          string  `json:"from"`
	To            string  `json:"to"`
	Measure       string  `json:"measure"`
	Group         string  `json:"group"`
	TopN          *int    `json:"top_n"`
	MinN          *int    `json:"min_n"`
	MinTenureDays *int    `json:"min_tenure_days"`
	Prior         *string `json:"prior"`
	Cap           *string `json:"cap"`
	MinAmount     string  `json:"min_amount"`
	MaxAmount     string  `json:"max_amount"`
	Note          string  `json:"note"`
}

// Values turns the body into the query the norms are computed from.
func (b SnapshotRequest) Values() map[string][]string {
	q := map[string][]string{"norms": {"live"}}
	set := func(k, v string) {
		if v != "" {
			q[k] = []string{v}
		}
	}
	set("from", b.From)
	set("to", b.To)
	set("measure", b.Measure)
	set("group", b.Group)
	set("min_amount", b.MinAmount)
	set("max_amount", b.MaxAmount)
	for k, v := range map[string]*int{"top_n": b.TopN, "min_n": b.MinN, "min_tenure_days": b.MinTenureDays} {
		if v != nil {
			set(k, strconv.Itoa(*v))
		}
	}
	if b.Prior != nil {
		set("prior", *b.Prior)
	}
	if b.Cap != nil {
		set("cap", *b.Cap)
	}
	return q
}

// SaveSnapshot computes the norms of q over every rep and saves them for userID.
func (s *Service) SaveSnapshot(c echo.Context, q map[string][]string, note string, userID int64) (*NormSet, error) {
	ctx := c.Request().Context()
	def, err := s.DefaultPeriod(ctx)
	if err != nil {
		return nil, err
	}
	req, err := ParseRequest(q, def)
	if err != nil {
		return nil, err
	}
	req.Norms = "live"
	req.Filter.RepIDs = nil
	team, err := s.Funnel(ctx, req.Filter)
	if err != nil {
		return nil, err
	}
	return s.SaveNorms(ctx, ComputeNorms(team, req.Params), userID, note)
}

func (a *API) saveSnapshot(c echo.Context) error {
	var body SnapshotRequest
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	ns, err := a.Svc.SaveSnapshot(c, body.Values(), body.Note, user(c).ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/stats/norms/snapshots/"+strconv.FormatInt(ns.ID, 10))
	return c.JSON(http.StatusCreated, NormsResponse{NormSet: ns, Source: "snapshot"})
}

// AdjustmentRequest is the body of POST /stats/norms/snapshots/{id}/adjustments. Value is a
// number: a share (0.62) for a conversion, days, or a weekly count.
type AdjustmentRequest struct {
	Stage  string      `json:"stage"`
	Metric string      `json:"metric"`
	Value  json.Number `json:"value"`
	Reason string      `json:"reason"`
}

func (a *API) adjust(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return workflow.ErrNotFound
	}
	var body AdjustmentRequest
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	v, err := body.Value.Float64()
	if err != nil || math.IsNaN(v) {
		return workflow.Invalid("value", "value must be a number")
	}
	ns, err := a.Svc.AdjustNorm(c.Request().Context(), id, body.Stage, body.Metric, v, body.Reason, user(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, NormsResponse{NormSet: ns, Source: "snapshot"})
}

// decodeBody reads a JSON object strictly; an unknown field or a wrong type names the field.
func decodeBody(c echo.Context, v any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, 64<<10))
	if err != nil {
		return workflow.Invalid("body", "cannot read the request body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case asType(err, &te):
			return workflow.Invalid(te.Field, "%s has the wrong type", te.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return workflow.Invalid(f, "unknown field %q", f)
		}
		return workflow.Invalid("body", "the body must be a JSON object: %v", err)
	}
	return nil
}

func asType(err error, te **json.UnmarshalTypeError) bool {
	x, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = x
	}
	return ok
}

// Export answers tables as CSV (one table: the request's, or the first) or XLSX (all of
// them), named after what and the period.
func Export(c echo.Context, what string, req Request, tables []Table) error {
	p := req.Filter.Period
	base := fmt.Sprintf("dealgate-%s-%s_%s", what, p.From.Format("2006-01-02"), p.LastDay().Format("2006-01-02"))
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	switch req.Format {
	case "csv":
		t := &tables[0]
		if req.Table != "" {
			if t = Find(tables, req.Table); t == nil {
				names := make([]string, len(tables))
				for i, x := range tables {
					names[i] = x.Name
				}
				return workflow.Invalid("table", "table must be one of %s", strings.Join(names, ", "))
			}
		}
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%s.csv"`, base, t.Name))
		c.Response().WriteHeader(http.StatusOK)
		return WriteCSV(c.Response(), t)
	case "xlsx":
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, tables); err != nil {
			return err
		}
		h.Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.xlsx"`, base))
		return c.Blob(http.StatusOK, h.Get(echo.HeaderContentType), buf.Bytes())
	}
	return workflow.Invalid("format", "format must be json, csv or xlsx")
}

func init() {
	obj := func(props map[string]any) map[string]any {
		return map[string]any{"type": "object", "properties": props}
	}
	num := map[string]any{"type": []string{"number", "null"}}
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	arr := func(items any) map[string]any { return map[string]any{"type": "array", "items": items} }
	ratio := obj(map[string]any{"num": integer, "den": integer})
	stage := obj(map[string]any{"stage": str, "entered": integer, "advanced": integer, "skipped": integer, "lost": integer, "won": integer,
		"open": integer, "conversion": ratio, "through": ratio, "to_won": ratio, "days": obj(map[string]any{"n": integer, "median": num, "p90": num}),
		"lost_reasons": arr(obj(map[string]any{"reason": str, "n": integer}))})
	repStats := obj(map[string]any{"rep": obj(map[string]any{"id": integer, "name": str}), "stages": arr(stage), "deals": map[string]any{"type": "object"},
		"activity": map[string]any{"type": "object"}, "months": arr(map[string]any{"type": "object"})})
	api.ExtraSchemas["StatsFunnel"] = obj(map[string]any{"period": obj(map[string]any{"from": str, "to": str}), "team": repStats, "reps": arr(repStats),
		"norms": map[string]any{"type": "object"}, "weakest": arr(map[string]any{"type": "object"}), "behind": arr(map[string]any{"type": "object"}), "took_ms": num})
	api.ExtraSchemas["StatsNorms"] = obj(map[string]any{"id": integer, "period": map[string]any{"type": "object"}, "params": map[string]any{"type": "object"},
		"ranking": arr(map[string]any{"type": "object"}), "stages": arr(obj(map[string]any{"stage": str, "conversion": num, "method": str, "days": num})),
		"activity": map[string]any{"type": "object"}, "source": str, "reverse": map[string]any{"type": "object"}})
	api.ExtraSchemas["StatsRep"] = obj(map[string]any{"period": map[string]any{"type": "object"}, "stats": repStats, "gaps": map[string]any{"type": "object"},
		"norms": map[string]any{"type": "object"}, "took_ms": num})
	api.ExtraSchemas["StatsNormList"] = obj(map[string]any{"items": arr(map[string]any{"type": "object"})})
	api.ExtraSchemas["StatsSnapshotRequest"] = obj(map[string]any{"from": str, "to": str, "measure": map[string]any{"type": "string", "enum": []string{"profit", "turnover"}},
		"group": map[string]any{"type": "string", "enum": []string{"quartile", "top"}}, "top_n": integer, "min_n": integer, "min_tenure_days": integer,
		"prior": str, "cap": str, "min_amount": str, "max_amount": str, "note": str})
	api.ExtraSchemas["StatsAdjustment"] = map[string]any{"type": "object", "required": []string{"metric", "value", "reason"}, "properties": map[string]any{
		"stage": str, "metric": map[string]any{"type": "string", "enum": []string{MetricConversion, MetricDays, MetricCallsPerWeek, MetricMeetingsPerWeek, MetricEmailsPerWeek, MetricProposalsPerWeek}},
		"value": map[string]any{"type": "number"}, "reason": str}}
}
