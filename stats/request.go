package stats

import (
	"context"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/dealgate/dealgate/workflow"
)

// Request is a statistics request as the API and the pages read it from a query string:
//
//	from, to            the period (YYYY-MM-DD, "to" included); default DefaultPeriod
//	rep_id              one or more reps (repeated or comma-separated)
//	min_amount, max_amount
//	                    a deal-size segment, decimal roubles
//	measure             profit (default) or turnover: what makes a rep one of the best
//	group, top_n        quartile (default) or top with top_n
//	min_n, min_tenure_days, prior, cap
//	                    the norm method's settings (NormParams)
//	norms               live, latest or a saved set's id; default: live when any of the
//	                    method's settings is given, else the latest saved set, else live
//	plan, plan_weeks    a gross-margin plan (decimal roubles) for the reverse funnel and the
//	                    working weeks it covers (default 46)
//	format, table       json (default), csv or xlsx; csv exports one table by name
//	lang                ru (default) or en, for exported titles and sentences
type Request struct {
	Filter    Filter
	Params    NormParams
	Norms     string
	Plan      workflow.Money
	PlanWeeks float64
	Format    string
	Table     string
	Lang      string
}

var methodKeys = []string{"measure", "group", "top_n", "min_n", "min_tenure_days", "prior", "cap"}

// ParseRequest reads q; def is the period used when from or to is missing.
func ParseRequest(q url.Values, def Period) (Request, error) {
	var r Request
	var err error
	if r.Filter.Period, err = ParsePeriod(q.Get("from"), q.Get("to"), def); err != nil {
		return r, err
	}
	for _, v := range q["rep_id"] {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id <= 0 {
				return r, workflow.Invalid("rep_id", "rep_id must be a user id")
			}
			r.Filter.RepIDs = append(r.Filter.RepIDs, id)
		}
	}
	if len(r.Filter.RepIDs) > 1000 {
		return r, workflow.Invalid("rep_id", "at most 1000 reps")
	}
	money := func(key string) (workflow.Money, error) {
		v := strings.TrimSpace(q.Get(key))
		if v == "" {
			return 0, nil
		}
		m, err := workflow.ParseMoney(v)
		if err != nil || m < 0 {
			return 0, workflow.Invalid(key, "%s must be a decimal amount in roubles, e.g. 1500000.00", key)
		}
		return m, nil
	}
	if r.Filter.MinAmount, err = money("min_amount"); err != nil {
		return r, err
	}
	if r.Filter.MaxAmount, err = money("max_amount"); err != nil {
		return r, err
	}
	if r.Filter.MaxAmount > 0 && r.Filter.MaxAmount <= r.Filter.MinAmount {
		return r, workflow.Invalid("max_amount", "max_amount must be above min_amount")
	}
	if r.Params, err = ParseNormParams(q); err != nil {
		return r, err
	}
	r.Norms = strings.TrimSpace(q.Get("norms"))
	if r.Norms == "" {
		r.Norms = "latest"
		for _, k := range methodKeys {
			if q.Get(k) != "" {
				r.Norms = "live"
			}
		}
	}
	if r.Norms != "live" && r.Norms != "latest" {
		if id, err := strconv.ParseInt(r.Norms, 10, 64); err != nil || id <= 0 {
			return r, workflow.Invalid("norms", "norms must be live, latest or the id of a saved norm set")
		}
	}
	if r.Plan, err = money("plan"); err != nil {
		return r, err
	}
	r.PlanWeeks = WorkingWeeksPerYear
	if v := q.Get("plan_weeks"); v != "" {
		w, err := strconv.ParseFloat(v, 64)
		if err != nil || w <= 0 || w > 520 || math.IsNaN(w) {
			return r, workflow.Invalid("plan_weeks", "plan_weeks must be a number of weeks from 1 to 520")
		}
		r.PlanWeeks = w
	}
	r.Format = strings.ToLower(q.Get("format"))
	switch r.Format {
	case "":
		r.Format = "json"
	case "json", "csv", "xlsx":
	default:
		return r, workflow.Invalid("format", "format must be json, csv or xlsx")
	}
	r.Table = q.Get("table")
	r.Lang = "ru"
	if q.Get("lang") == "en" {
		r.Lang = "en"
	}
	return r, nil
}

// ParseNormParams reads the norm method's settings; missing ones take DefaultNormParams.
func ParseNormParams(q url.Values) (NormParams, error) {
	p := DefaultNormParams()
	if v := q.Get("measure"); v != "" {
		p.Measure = Measure(v)
	}
	if v := q.Get("group"); v != "" {
		p.Group = v
	}
	ints := []struct {
		key string
		dst *int
	}{{"top_n", &p.TopN}, {"min_n", &p.MinN}, {"min_tenure_days", &p.MinTenureDays}}
	for _, x := range ints {
		if v := q.Get(x.key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return p, workflow.Invalid(x.key, "%s must be a whole number", x.key)
			}
			*x.dst = n
		}
	}
	floats := []struct {
		key string
		dst *float64
	}{{"prior", &p.Prior}, {"cap", &p.Cap}}
	for _, x := range floats {
		if v := q.Get(x.key); v != "" {
			f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
			if err != nil {
				return p, workflow.Invalid(x.key, "%s must be a number", x.key)
			}
			*x.dst = f
		}
	}
	if p.Group == GroupTop && p.TopN == 0 {
		p.TopN = 3
	}
	return p, p.Validate()
}

// Norms returns the norm set a request asks for and says where it came from ("live",
// "snapshot"). Live norms are computed from report, which must cover every rep.
func (s *Service) Norms(ctx context.Context, report *Report, req Request) (*NormSet, string, error) {
	switch req.Norms {
	case "live":
		return ComputeNorms(report, req.Params), "live", nil
	case "latest":
		ns, err := s.LatestNorms(ctx)
		if err != nil {
			return nil, "", err
		}
		if ns == nil {
			return ComputeNorms(report, req.Params), "live", nil
		}
		return ns, "snapshot", nil
	}
	id, _ := strconv.ParseInt(req.Norms, 10, 64)
	ns, err := s.LoadNorms(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return ns, "snapshot", nil
}

// TeamReport returns the report of the request's period and segment over every rep (what
// norms are derived from), reusing r when it already is one.
func (s *Service) TeamReport(ctx context.Context, r *Report, f Filter) (*Report, error) {
	if r != nil && len(f.RepIDs) == 0 {
		return r, nil
	}
	team := f
	team.RepIDs = nil
	return s.Funnel(ctx, team)
}
