package web

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/stats"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// Stats serves the statistics pages: /stats (the manager's dashboard: funnel, stage × rep
// heatmap against the norms, who falls behind where, profit against turnover, the monthly
// trend), /stats/norms (the norms, their method, the reverse funnel, snapshots and hand
// adjustments) and /stats/reps/{id} (a rep's stages against the norms; a rep sees their own).
// Every table links to its CSV and XLSX export (the /api/v1/stats routes).
type Stats struct {
	Svc *stats.Service
}

// StatsNav is the navigation item of the statistics pages, shown to the roles that may read
// statistics (stats.Readers: a rep reads their own).
var StatsNav = NavItem{Href: "/stats", Key: "nav.stats", Roles: stats.Readers, Order: 30}

// AddStats adds the statistics pages and their navigation item to w, the *Web that Register
// returned (cmd/dealgate does it through its webHooks), so that every page shows the item.
// Call it before the server's Handler is first used.
func AddStats(w *Web, s *Stats) {
	w.Nav = append(w.Nav, StatsNav)
	w.AddPages(func(w *Web, g *echo.Group) {
		readers := api.RequireRole(stats.Readers...)
		writers := api.RequireRole(stats.NormWriters...)
		g.GET("/stats", func(c echo.Context) error { return s.handleDashboard(w, c) }, readers)
		g.GET("/stats/norms", func(c echo.Context) error { return s.handleNorms(w, c) }, readers)
		g.POST("/stats/norms", func(c echo.Context) error { return s.handleSaveNorms(w, c) }, writers)
		g.POST("/stats/norms/:id/adjustments", func(c echo.Context) error { return s.handleAdjust(w, c) }, writers)
		g.GET("/stats/reps/:id", func(c echo.Context) error { return s.handleRep(w, c) }, readers)
	})
}

// StatsTrainingGaps gives the training pages a rep's gap to the norm at each stage, over the
// default period and norms (the latest snapshot, else live).
func StatsTrainingGaps(ctx context.Context, svc *stats.Service, userID int64) (map[string]TrainingGap, error) {
	def, err := svc.DefaultPeriod(ctx)
	if err != nil {
		return nil, err
	}
	req, err := stats.ParseRequest(url.Values{}, def)
	if err != nil {
		return nil, err
	}
	team, err := svc.Funnel(ctx, req.Filter)
	if err != nil {
		return nil, err
	}
	rs := team.Rep(userID)
	if rs == nil {
		return map[string]TrainingGap{}, nil
	}
	ns, _, err := svc.Norms(ctx, team, req)
	if err != nil {
		return nil, err
	}
	g := stats.Gaps(team, rs, ns)
	out := map[string]TrainingGap{}
	for _, s := range g.Stages {
		if s.GapPP.OK() {
			out[s.Stage] = TrainingGap{Text: fmt.Sprintf("%+.0f п. п.", float64(s.GapPP)), Behind: s.Below() && s.Significant}
		}
	}
	return out, nil
}

// statsForm is the period and method form, as typed.
type statsForm struct {
	From, To, Measure, Group, TopN, Norms, MinAmount, MaxAmount string
	MinN, Prior, Cap, Tenure, Plan, PlanWeeks                   string
	Snapshots                                                   []stats.NormSetInfo
}

func formOf(c echo.Context, req stats.Request, snaps []stats.NormSetInfo) statsForm {
	q := c.QueryParams()
	f := statsForm{From: req.Filter.Period.From.Format(time.DateOnly), To: req.Filter.Period.LastDay().Format(time.DateOnly),
		Measure: string(req.Params.Measure), Group: req.Params.Group, TopN: q.Get("top_n"), Norms: q.Get("norms"),
		MinAmount: q.Get("min_amount"), MaxAmount: q.Get("max_amount"), MinN: q.Get("min_n"), Prior: q.Get("prior"), Cap: q.Get("cap"),
		Tenure: q.Get("min_tenure_days"), Plan: q.Get("plan"), PlanWeeks: q.Get("plan_weeks"), Snapshots: snaps}
	if f.TopN == "" {
		f.TopN = "3"
	}
	return f
}

// kpi is a figure card.
type kpi struct {
	Label, Value, Note string
}

// htmlTable is a table ready for a page, with its export links.
type htmlTable struct {
	Name, Title string
	HTML        template.HTML
	CSV, XLSX   string
}

// behindRow is a rep's costliest stage on the dashboard.
type behindRow struct {
	Rep      string
	Href     string
	Sentence string
	Value    string
	Status   string
}

type dashboardPage struct {
	Form      statsForm
	Period    string
	NormsLine string
	KPIs      []kpi
	Weakest   []string
	Behind    []behindRow
	Funnel    template.HTML
	Heatmap   template.HTML
	Profit    template.HTML
	Trend     template.HTML
	Tables    map[string]htmlTable
	Took      string
}

func (s *Stats) request(w *Web, c echo.Context) (stats.Request, error) {
	def, err := s.Svc.DefaultPeriod(c.Request().Context())
	if err != nil {
		return stats.Request{}, err
	}
	return stats.ParseRequest(c.QueryParams(), def)
}

func (s *Stats) handleDashboard(w *Web, c echo.Context) error {
	start := time.Now()
	u, _ := api.CurrentUser(c)
	if !stats.SeesEveryone(u.Role) {
		return c.Redirect(http.StatusSeeOther, "/stats/reps/"+strconv.FormatInt(u.ID, 10))
	}
	lang := statsLang(c)
	req, err := s.request(w, c)
	if err != nil {
		return err
	}
	v, err := s.Svc.FunnelView(c, req)
	if err != nil {
		return err
	}
	snaps, err := s.Svc.ListNorms(c.Request().Context(), 50)
	if err != nil {
		return err
	}
	r, ns := v.Report, v.Norms
	d := r.Team.Deals
	p := dashboardPage{Form: formOf(c, req, snaps), Period: periodText(req.Filter.Period, lang), NormsLine: normsLine(ns, v.Source, r, lang),
		Funnel: template.HTML(stats.FunnelSVG(&r.Team, ns, lang)), Heatmap: template.HTML(stats.HeatmapSVG(r, ns, lang)),
		Profit: template.HTML(stats.ProfitTurnoverSVG(ns, lang)), Trend: template.HTML(stats.TrendSVG(r.Team.Months, lang, "")),
		Tables: map[string]htmlTable{}}
	p.KPIs = dealKPIs(d, lang)
	for _, wk := range v.Weak {
		p.Weakest = append(p.Weakest, stPick(lang, wk.Sentence.Ru, wk.Sentence.En))
	}
	for _, g := range v.Gaps {
		row := behindRow{Rep: g.Rep.Display(), Href: "/stats/reps/" + strconv.FormatInt(g.Rep.ID, 10) + keepQuery(c), Sentence: stPick(lang, g.Sentence.Ru, g.Sentence.En),
			Value: stats.RoublesShort(g.TotalValue(), lang), Status: "ok"}
		if ws := g.WorstStage(); ws != nil {
			row.Status = ws.Status()
		}
		p.Behind = append(p.Behind, row)
	}
	for _, t := range v.Tables(lang, true) {
		p.Tables[t.Name] = pageTable(t, "/api/v1/stats/funnel", c, lang)
	}
	rt := stats.RankingTable(ns, lang)
	p.Tables["ranking"] = pageTable(rt, "/api/v1/stats/norms", c, lang)
	// These tables sit under a heading that says the same.
	for _, n := range []string{"reps", "reasons", "weakest"} {
		t := p.Tables[n]
		t.Title = ""
		p.Tables[n] = t
	}
	p.Took = fmt.Sprintf("%.0f", float64(time.Since(start).Milliseconds()))
	return w.render(c, http.StatusOK, "stats", translate(lang, "stats.title"), p)
}

type normsPage struct {
	Form       statsForm
	Period     string
	NormsLine  string
	Source     string
	SetID      int64
	Stages     []stats.StageNorm
	Lang       string
	Tables     map[string]htmlTable
	CanWrite   bool
	Reverse    *stats.ReversePlan
	AvgProfit  string
	Profit     template.HTML
	Adjustable []adjustChoice
}

type adjustChoice struct {
	Value, Label string
}

func (s *Stats) handleNorms(w *Web, c echo.Context) error {
	u, _ := api.CurrentUser(c)
	if !stats.SeesEveryone(u.Role) {
		return c.Redirect(http.StatusSeeOther, "/stats/reps/"+strconv.FormatInt(u.ID, 10))
	}
	lang := statsLang(c)
	req, err := s.request(w, c)
	if err != nil {
		return err
	}
	ns, src, rp, err := s.Svc.NormsView(c, req)
	if err != nil {
		return err
	}
	snaps, err := s.Svc.ListNorms(c.Request().Context(), 50)
	if err != nil {
		return err
	}
	p := normsPage{Form: formOf(c, req, snaps), Period: periodText(ns.Period, lang), Source: src, SetID: ns.ID, Stages: ns.Stages, Lang: lang,
		Tables: map[string]htmlTable{}, CanWrite: u.Role == workflow.RoleManager || u.Role == workflow.RoleAdmin, Reverse: rp,
		AvgProfit: stats.RoublesShort(ns.AvgProfit, lang), Profit: template.HTML(stats.ProfitTurnoverSVG(ns, lang))}
	p.NormsLine = normsLine(ns, src, nil, lang)
	names := map[int64]string{}
	if us, err := w.store.FindUsers(c.Request().Context()); err == nil {
		for _, x := range us {
			names[x.ID] = stats.Rep{ID: x.ID, Name: x.Name, Email: x.Email}.Display()
		}
	}
	ts := []stats.Table{stats.NormTable(ns, lang, true), stats.ActivityNormTable(ns, lang), stats.RankingTable(ns, lang)}
	if rp != nil {
		ts = append(ts, stats.ReverseTable(*rp, lang))
	}
	if len(ns.Adjustments) > 0 {
		ts = append(ts, stats.AdjustmentsTable(ns, names, lang))
	}
	for _, t := range ts {
		p.Tables[t.Name] = pageTable(t, "/api/v1/stats/norms", c, lang)
	}
	for _, st := range ns.Stages {
		p.Adjustable = append(p.Adjustable, adjustChoice{st.Stage + "|conversion", fmt.Sprintf("%d. %s — %s", st.Index+1, stPick(lang, st.Name.Ru, st.Name.En), translate(lang, "stats.metric.conversion"))})
		p.Adjustable = append(p.Adjustable, adjustChoice{st.Stage + "|days", fmt.Sprintf("%d. %s — %s", st.Index+1, stPick(lang, st.Name.Ru, st.Name.En), translate(lang, "stats.metric.days"))})
	}
	for _, m := range []string{stats.MetricCallsPerWeek, stats.MetricMeetingsPerWeek, stats.MetricEmailsPerWeek, stats.MetricProposalsPerWeek} {
		p.Adjustable = append(p.Adjustable, adjustChoice{"|" + m, translate(lang, "stats.metric."+m)})
	}
	return w.render(c, http.StatusOK, "stats_norms", translate(lang, "stats.norms.title"), p)
}

func (s *Stats) handleSaveNorms(w *Web, c echo.Context) error {
	u, _ := api.CurrentUser(c)
	q := url.Values{}
	for _, k := range []string{"from", "to", "measure", "group", "top_n", "min_n", "min_tenure_days", "prior", "cap", "min_amount", "max_amount"} {
		if v := strings.TrimSpace(c.FormValue(k)); v != "" {
			q.Set(k, v)
		}
	}
	ns, err := s.Svc.SaveSnapshot(c, q, c.FormValue("note"), u.ID)
	if err != nil {
		return err
	}
	flash(c, "stats.saved")
	return c.Redirect(http.StatusSeeOther, "/stats/norms?norms="+strconv.FormatInt(ns.ID, 10))
}

func (s *Stats) handleAdjust(w *Web, c echo.Context) error {
	u, _ := api.CurrentUser(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return workflow.ErrNotFound
	}
	stage, metric, _ := strings.Cut(c.FormValue("what"), "|")
	raw := strings.Replace(strings.TrimSpace(c.FormValue("value")), ",", ".", 1)
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(raw), "%"), 64)
	if err != nil || math.IsNaN(v) {
		return workflow.Invalid("value", "value must be a number")
	}
	if metric == stats.MetricConversion {
		v /= 100 // typed as a percentage on the page
	}
	if _, err := s.Svc.AdjustNorm(c.Request().Context(), id, stage, metric, v, c.FormValue("reason"), u.ID); err != nil {
		return err
	}
	flash(c, "stats.adjusted")
	return c.Redirect(http.StatusSeeOther, "/stats/norms?norms="+strconv.FormatInt(id, 10))
}

type repPage struct {
	Form      statsForm
	Rep       stats.Rep
	Profile   string
	Period    string
	NormsLine string
	Sentence  string
	Status    string
	Training  string
	KPIs      []kpi
	Funnel    template.HTML
	Lost      template.HTML
	Trend     template.HTML
	Tables    map[string]htmlTable
	Everyone  bool
}

func (s *Stats) handleRep(w *Web, c echo.Context) error {
	u, _ := api.CurrentUser(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return workflow.ErrNotFound
	}
	if !stats.SeesEveryone(u.Role) && id != u.ID {
		return &workflow.Error{Code: workflow.EFORBIDDEN, Message: "reps see only their own statistics"}
	}
	lang := statsLang(c)
	req, err := s.request(w, c)
	if err != nil {
		return err
	}
	if !stats.SeesEveryone(u.Role) {
		req.Filter.RepIDs = nil
	}
	v, err := s.Svc.RepView(c, req, id)
	if err != nil {
		return err
	}
	g := &v.Gaps
	p := repPage{Form: formOf(c, req, nil), Rep: v.Stats.Rep, Period: periodText(req.Filter.Period, lang), NormsLine: normsLine(v.Norms, v.Source, nil, lang),
		Sentence: stPick(lang, g.Sentence.Ru, g.Sentence.En), Status: "ok", Funnel: template.HTML(stats.FunnelSVG(v.Stats, v.Norms, lang)),
		Lost: template.HTML(stats.LostValueSVG(g, lang)), Trend: template.HTML(stats.TrendSVG(v.Stats.Months, lang, v.Stats.Rep.Display())),
		Tables: map[string]htmlTable{}, Everyone: stats.SeesEveryone(u.Role)}
	if ws := g.WorstStage(); ws != nil {
		p.Status = ws.Status()
		p.Training = "/training"
	}
	p.KPIs = dealKPIs(v.Stats.Deals, lang)
	team := v.Team.Team.Deals
	if len(p.KPIs) >= 6 {
		p.KPIs[2].Note = translate(lang, "stats.team") + " " + stats.Pct(team.WinRate.Value())
		p.KPIs[5].Note = translate(lang, "stats.team") + " " + pctNum(team.Margin)
	}
	for _, t := range v.Tables(lang) {
		ht := pageTable(t, "/api/v1/stats/reps/"+strconv.FormatInt(id, 10), c, lang)
		if t.Name != "stages" && t.Name != "months" {
			ht.Title = "" // the section's heading says it
		}
		p.Tables[t.Name] = ht
	}
	return w.render(c, http.StatusOK, "stats_rep", v.Stats.Rep.Display(), p)
}

// statsLang is the page's language as the layout takes it: the session's, else the cookie's.
func statsLang(c echo.Context) string {
	if s, ok := c.Get(ctxSession).(storage.Session); ok {
		if s.Lang == "en" {
			return "en"
		}
		return "ru"
	}
	return pageLang(c)
}

func stPick(lang, ru, en string) string {
	if lang == "en" {
		return en
	}
	return ru
}

func dealKPIs(d stats.DealStats, lang string) []kpi {
	cycle := "—"
	if d.Cycle.N > 0 && d.Cycle.Median.OK() {
		cycle = fmt.Sprintf("%.0f %s", float64(d.Cycle.Median), translate(lang, "stats.days"))
	}
	return []kpi{
		{Label: translate(lang, "stats.kpi.created"), Value: intText(d.Created)},
		{Label: translate(lang, "stats.kpi.won"), Value: intText(d.Won), Note: fmt.Sprintf("%s %s", translate(lang, "stats.kpi.lost"), intText(d.Lost))},
		{Label: translate(lang, "stats.kpi.winrate"), Value: stats.Pct(d.WinRate.Value())},
		{Label: translate(lang, "stats.kpi.turnover"), Value: stats.RoublesShort(d.Turnover, lang)},
		{Label: translate(lang, "stats.kpi.profit"), Value: stats.RoublesShort(d.Profit, lang)},
		{Label: translate(lang, "stats.kpi.margin"), Value: pctNum(d.Margin)},
		{Label: translate(lang, "stats.kpi.avg"), Value: stats.RoublesShort(d.AvgDeal, lang)},
		{Label: translate(lang, "stats.kpi.cycle"), Value: cycle},
	}
}

func pctNum(n stats.Num) string {
	if !n.OK() {
		return "—"
	}
	return stats.Pct(float64(n))
}

func intText(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func periodText(p stats.Period, lang string) string {
	return p.From.Format("02.01.2006") + " — " + p.LastDay().Format("02.01.2006")
}

// normsLine says which norms a page uses.
func normsLine(ns *stats.NormSet, source string, r *stats.Report, lang string) string {
	measure := translate(lang, "stats.measure."+string(ns.Params.Measure))
	group := translate(lang, "stats.group.quartile")
	if ns.Params.Group == stats.GroupTop {
		group = fmt.Sprintf(translate(lang, "stats.group.topn"), ns.Params.TopN)
	}
	var best []string
	for _, rk := range ns.Ranking {
		if rk.Reference {
			best = append(best, stats.Rep{Name: rk.Rep.Name, Email: rk.Rep.Email}.Short())
		}
	}
	line := ""
	if source == "snapshot" && ns.CreatedAt != nil {
		line = fmt.Sprintf(translate(lang, "stats.norms.snapshot"), ns.ID, ns.CreatedAt.Format("02.01.2006"))
	} else {
		line = translate(lang, "stats.norms.live")
	}
	line += fmt.Sprintf(" · %s · %s · %s %s", measure, group, translate(lang, "stats.norms.period"), periodText(ns.Period, lang))
	if len(best) > 0 {
		line += " · " + translate(lang, "stats.norms.best") + " " + strings.Join(best, ", ")
	}
	if len(ns.Adjustments) > 0 {
		line += fmt.Sprintf(" · "+translate(lang, "stats.norms.adjusted"), len(ns.Adjustments))
	}
	return line
}

// keepQuery carries the page's query to a link.
func keepQuery(c echo.Context) string {
	if q := c.QueryString(); q != "" {
		return "?" + q
	}
	return ""
}

// pageTable renders a stats.Table as HTML (every value escaped) with its export links.
func pageTable(t stats.Table, endpoint string, c echo.Context, lang string) htmlTable {
	q := c.QueryParams()
	cp := url.Values{}
	for k, v := range q {
		cp[k] = v
	}
	cp.Set("lang", lang)
	cp.Set("format", "csv")
	cp.Set("table", t.Name)
	csvURL := endpoint + "?" + cp.Encode()
	cp.Set("format", "xlsx")
	cp.Del("table")
	xlsxURL := endpoint + "?" + cp.Encode()
	var b strings.Builder
	b.WriteString(`<table class="list compact stats" id="table-` + html.EscapeString(t.Name) + `"><thead><tr>`)
	for _, col := range t.Columns {
		cls := ""
		if col.Kind != stats.KText {
			cls = ` class="num"`
		}
		b.WriteString("<th" + cls + ">" + html.EscapeString(col.Title) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, row := range t.Rows {
		b.WriteString("<tr>")
		for j, col := range t.Columns {
			var v any
			if j < len(row) {
				v = row[j]
			}
			cls := ""
			if col.Kind != stats.KText {
				cls = ` class="num"`
			}
			b.WriteString("<td" + cls + ">" + html.EscapeString(cellText(v, col.Kind, lang)) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return htmlTable{Name: t.Name, Title: t.Title, HTML: template.HTML(b.String()), CSV: csvURL, XLSX: xlsxURL}
}

// cellText formats a value for a page: Russian number formatting, roubles without kopecks.
func cellText(v any, k stats.Kind, lang string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case workflow.Money:
		return groupDigits(fmt.Sprintf("%.0f", math.Round(float64(x)/100)), lang)
	}
	var f float64
	switch x := v.(type) {
	case stats.Num:
		if !x.OK() {
			return "—"
		}
		f = float64(x)
	case float64:
		if math.IsNaN(x) {
			return "—"
		}
		f = x
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	default:
		return fmt.Sprint(v)
	}
	switch k {
	case stats.KPercent:
		return stats.Pct(f)
	case stats.KInt:
		return groupDigits(fmt.Sprintf("%.0f", f), lang)
	case stats.KFloat:
		s := fmt.Sprintf("%.1f", f)
		if lang != "en" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return strings.Replace(s, "-", "−", 1)
	}
	return fmt.Sprint(f)
}

func groupDigits(s, lang string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			if lang == "en" {
				b.WriteRune(',')
			} else {
				b.WriteRune('\u00a0')
			}
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

func init() {
	funcs["stStatus"] = func(s string) string { return "st-" + s }
	AddMessages(statsMessages)
}

// statsMessages are the statistics pages' texts: Russian first, English second.
var statsMessages = map[string][2]string{
	"stats.title":                     {"Коммерческая статистика", "Commercial statistics"},
	"stats.norms.title":               {"Нормативы по этапам", "Stage norms"},
	"stats.norms.link":                {"Нормативы и обратная воронка →", "Norms and the reverse funnel →"},
	"stats.back":                      {"← К статистике команды", "← Team statistics"},
	"stats.team":                      {"команда:", "team:"},
	"stats.days":                      {"дн.", "days"},
	"stats.kpi.created":               {"Новых сделок", "New deals"},
	"stats.kpi.won":                   {"Выиграно", "Won"},
	"stats.kpi.lost":                  {"проиграно", "lost"},
	"stats.kpi.winrate":               {"Доля выигранных", "Win rate"},
	"stats.kpi.turnover":              {"Оборот (без НДС)", "Turnover (excl. VAT)"},
	"stats.kpi.profit":                {"Валовая прибыль", "Gross profit"},
	"stats.kpi.margin":                {"Маржа", "Margin"},
	"stats.kpi.avg":                   {"Средняя сделка", "Average deal"},
	"stats.kpi.cycle":                 {"Цикл сделки (медиана)", "Sales cycle (median)"},
	"stats.measure":                   {"Лучшие по", "Best by"},
	"stats.measure.profit":            {"прибыли", "profit"},
	"stats.measure.turnover":          {"обороту", "turnover"},
	"stats.group":                     {"Эталонная группа", "Reference group"},
	"stats.group.quartile":            {"верхняя четверть продавцов", "top quartile of the reps"},
	"stats.group.quartile.short":      {"верхняя четверть", "top quartile"},
	"stats.group.top":                 {"лучшие N", "top N"},
	"stats.group.topn":                {"лучшие %d", "top %d"},
	"stats.norms.source":              {"Нормы", "Norms"},
	"stats.norms.auto":                {"последний снимок", "latest snapshot"},
	"stats.norms.live.short":          {"рассчитать сейчас", "compute now"},
	"stats.norms.snapshot":            {"Нормы: снимок № %d от %s", "Norms: snapshot No. %d of %s"},
	"stats.norms.live":                {"Нормы рассчитаны сейчас", "Norms computed now"},
	"stats.norms.period":              {"за", "over"},
	"stats.norms.best":                {"эталон:", "reference:"},
	"stats.norms.adjusted":            {"изменено вручную: %d", "changed by hand: %d"},
	"stats.metric.conversion":         {"конверсия, %", "conversion, %"},
	"stats.metric.days":               {"дней на этапе", "days in stage"},
	"stats.metric.calls_per_week":     {"Звонков в неделю", "Calls a week"},
	"stats.metric.meetings_per_week":  {"Встреч в неделю", "Meetings a week"},
	"stats.metric.emails_per_week":    {"Писем в неделю", "E-mails a week"},
	"stats.metric.proposals_per_week": {"КП в неделю", "Proposals a week"},
	"stats.saved":                     {"Нормы сохранены как снимок.", "The norms were saved as a snapshot."},
	"stats.adjusted":                  {"Норма изменена; изменение записано.", "The norm was changed; the change is recorded."},
	"stats.from":                      {"С", "From"},
	"stats.to":                        {"По", "To"},
	"stats.min_amount":                {"Сделки от, ₽", "Deals from, RUB"},
	"stats.max_amount":                {"до, ₽", "below, RUB"},
	"stats.show":                      {"Показать", "Show"},
	"stats.behind":                    {"Где теряем сделки", "Where deals are lost"},
	"stats.noweak":                    {"Ни на одном этапе никто не отстаёт от нормы значимо.", "Nobody is significantly behind the norm at any stage."},
	"stats.behind.reps":               {"Самый дорогой этап каждого продавца", "Each rep's costliest stage"},
	"stats.rep":                       {"Продавец", "Rep"},
	"stats.finding":                   {"Вывод", "Finding"},
	"stats.lost.total":                {"Маржа всех отставаний", "Margin of all gaps"},
	"stats.funnel":                    {"Воронка по этапам", "Funnel by stage"},
	"stats.funnel.rep":                {"Воронка продавца против нормы", "The rep's funnel against the norm"},
	"stats.heatmap":                   {"Этапы × продавцы относительно нормы", "Stages × reps against the norm"},
	"stats.table":                     {"Таблица", "Table"},
	"stats.profit":                    {"Прибыль и оборот", "Profit and turnover"},
	"stats.profit.note":               {"Лучших можно выбирать по прибыли или по обороту — здесь видны оба места. Продавец, который даёт оборот скидкой, стоит выше по обороту, чем по прибыли.", "The best can be chosen by profit or by turnover; both ranks are shown. A rep who buys turnover with discounts ranks higher by turnover than by profit."},
	"stats.trend":                     {"Помесячная динамика", "Monthly trend"},
	"stats.reps":                      {"Продавцы: сделки, деньги, активность", "Reps: deals, money, activity"},
	"stats.reasons":                   {"Причины проигрыша", "Lost reasons"},
	"stats.weakest":                   {"Кто отстаёт на каждом этапе", "Who is behind at each stage"},
	"stats.foot":                      {"Статистика считается по событиям сделок в базе данных; конверсия этапа — когорта по дате входа на этап. Расчёт занял", "Statistics are computed from the deals' events in the database; a stage's conversion is a cohort by entry date. Computed in"},
	"stats.where":                     {"Где продавец теряет больше всего:", "Where the rep loses most:"},
	"stats.training":                  {"Обучение по этапу →", "Stage training →"},
	"stats.gaps":                      {"Этапы против нормы", "Stages against the norm"},
	"stats.gaps.note":                 {"Отставание значимо, когда 95-процентный интервал Вильсона конверсии продавца не доходит до нормы. Потерянная маржа — сделки, потерянные сверх нормы, умноженные на шанс продавца довести их до выигрыша и на его среднюю прибыль со сделки.", "A gap is significant when the Wilson 95 % interval of the rep's conversion lies below the norm. Margin lost: the deals lost beyond the norm, times the rep's chance of winning them from there, times their average profit per deal."},
	"stats.lost":                      {"Потерянная маржа по этапам", "Margin lost by stage"},
	"stats.activity":                  {"Активность против нормы", "Activity against the norm"},
	"stats.stages.all":                {"Все показатели по этапам", "Every stage figure"},
	"stats.norms.method":              {"Норма этапа — медиана конверсий лучших продавцов (по прибыли или обороту за период), каждая сглажена к командной: (x + m·p)/(n + m). Учитываются лучшие с не менее чем N решёнными сделками на этапе; если таких нет — их сделки вместе. Поздние этапы ограничены 98 %. Нормы времени и активности — медианы лучших.", "A stage's norm is the median of the best reps' conversions (by profit or turnover over the period), each shrunk towards the team's: (x + m·p)/(n + m). Best reps count with at least N decided deals at the stage; otherwise their deals are pooled. Late stages are capped at 98 %. Time and activity norms are the best reps' medians."},
	"stats.min_n":                     {"мин. N", "min N"},
	"stats.cap":                       {"потолок", "cap"},
	"stats.plan":                      {"План маржи, ₽", "Margin plan, RUB"},
	"stats.plan_weeks":                {"недель", "weeks"},
	"stats.norms.best.note":           {"Звёздочка — у лучшего продавца меньше N решённых сделок на этапе: в медиане он не участвует.", "An asterisk: the best rep decided fewer than N deals at the stage and is left out of the median."},
	"stats.reverse":                   {"Обратная воронка", "Reverse funnel"},
	"stats.reverse.deals":             {"Чтобы выполнить план, нужно довести до оплаты сделок:", "Deals to get paid to meet the plan:"},
	"stats.reverse.avg":               {"средняя прибыль со сделки", "average profit per deal"},
	"stats.reverse.meetings":          {"в неделю нужно провести встреч", "meetings needed a week"},
	"stats.reverse.proposals":         {"отправить КП", "proposals to send"},
	"stats.reverse.hint":              {"Введите план маржи — получите, сколько сделок нужно на каждом этапе и сколько встреч и КП в неделю.", "Enter a margin plan to see how many deals each stage needs, and the meetings and proposals a week."},
	"stats.save":                      {"Сохранить нормы", "Save the norms"},
	"stats.save.note":                 {"Снимок фиксирует нормы этого периода и метода; отчёты указывают, по какому снимку считали.", "A snapshot freezes the norms of this period and method; reports say which snapshot they used."},
	"stats.note":                      {"Примечание", "Note"},
	"stats.note.placeholder":          {"например: нормы на II квартал", "e.g. norms for Q2"},
	"stats.save.button":               {"Сохранить снимок", "Save a snapshot"},
	"stats.adjust":                    {"Изменить норму снимка", "Change a norm of snapshot"},
	"stats.adjust.what":               {"Норма", "Norm"},
	"stats.adjust.value":              {"Значение", "Value"},
	"stats.adjust.note":               {"Конверсия вводится в процентах (62), дни и активность — числом. Изменение и его причина записываются и видны в истории.", "Enter a conversion in percent (62), days and activity as numbers. The change and its reason are recorded and shown in the history."},
}
