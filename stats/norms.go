package stats

import (
	"math"
	"sort"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Measure says what makes a rep one of the best.
type Measure string

// Measures: gross profit (amount − cost) of won deals, or their turnover (DOMAIN.md §3.4
// recommends profit; the article leaves the choice to the company).
const (
	MeasureProfit   Measure = "profit"
	MeasureTurnover Measure = "turnover"
)

// Reference groups.
const (
	GroupQuartile = "quartile" // the top quarter of the eligible reps (rounded up)
	GroupTop      = "top"      // the top N eligible reps
)

// NormParams are the method's settings; every norm set records the ones it was made with.
type NormParams struct {
	Measure Measure `json:"measure"`
	Group   string  `json:"group"`
	TopN    int     `json:"top_n,omitempty"`
	// MinN is the least number of decided visits of a stage for a best rep's own rate to
	// count towards the norm (DOMAIN.md: ≥ 20 deals entering the stage).
	MinN int `json:"min_n"`
	// MinTenureDays is the least time since a rep's first deal, at the period's end, to be
	// eligible for the reference group (DOMAIN.md: more than three months).
	MinTenureDays int `json:"min_tenure_days"`
	// Prior is m of the beta prior that shrinks a rep's rate towards the team's:
	// (x + m·p_team) / (n + m).
	Prior float64 `json:"prior"`
	// Cap bounds a conversion norm (late stages sit near 100 % on small samples).
	Cap float64 `json:"cap"`
}

// DefaultNormParams is the recipe of DOMAIN.md §3.2: profit, top quartile, n ≥ 20, tenure
// over 90 days, m = 10, cap 0.98.
func DefaultNormParams() NormParams {
	return NormParams{Measure: MeasureProfit, Group: GroupQuartile, MinN: 20, MinTenureDays: 90, Prior: 10, Cap: 0.98}
}

// Validate checks the parameters.
func (p NormParams) Validate() error {
	switch {
	case p.Measure != MeasureProfit && p.Measure != MeasureTurnover:
		return workflow.Invalid("measure", "measure must be profit or turnover")
	case p.Group != GroupQuartile && p.Group != GroupTop:
		return workflow.Invalid("group", "group must be quartile or top")
	case p.Group == GroupTop && (p.TopN < 1 || p.TopN > 1000):
		return workflow.Invalid("top_n", "top_n must be from 1 to 1000")
	case p.MinN < 0 || p.MinN > 100000:
		return workflow.Invalid("min_n", "min_n must be from 0 to 100000")
	case p.MinTenureDays < 0 || p.MinTenureDays > 3660:
		return workflow.Invalid("min_tenure_days", "min_tenure_days must be from 0 to 3660")
	case p.Prior < 0 || p.Prior > 1000 || math.IsNaN(p.Prior):
		return workflow.Invalid("prior", "prior must be from 0 to 1000")
	case p.Cap <= 0 || p.Cap > 1 || math.IsNaN(p.Cap):
		return workflow.Invalid("cap", "cap must be above 0 and at most 1")
	}
	return nil
}

// RepRank is a rep's place by profit and by turnover, shown side by side.
type RepRank struct {
	Rep          Rep            `json:"rep"`
	Won          int            `json:"won"`
	Turnover     workflow.Money `json:"turnover"`
	Profit       workflow.Money `json:"profit"`
	Margin       Num            `json:"margin"`
	RankProfit   int            `json:"rank_profit"`   // 1 = most profit; 0 = not ranked
	RankTurnover int            `json:"rank_turnover"` // 1 = most turnover
	Eligible     bool           `json:"eligible"`
	Why          string         `json:"why,omitempty"` // why not eligible: no_deals, tenure, no_won
	Reference    bool           `json:"reference"`     // in the reference group
}

// Why a rep is not eligible for the reference group.
const (
	WhyNoDeals = "no_deals" // no deal at all
	WhyTenure  = "tenure"   // first deal less than MinTenureDays before the period's end
	WhyNoWon   = "no_won"   // no deal won in the period
)

// BestRate is one best rep's rate at a stage and how it entered the norm.
type BestRate struct {
	RepID  int64  `json:"rep_id"`
	Name   string `json:"name"`
	Num    int    `json:"num"`
	Den    int    `json:"den"`
	Shrunk Num    `json:"shrunk"`
	Used   bool   `json:"used"` // n ≥ MinN
}

// Norm methods, as each stage norm records them.
const (
	MethodMedianBest = "median_best" // median of the eligible best reps' shrunk rates
	MethodPooledBest = "pooled_best" // no best rep had n ≥ MinN: the best reps pooled, shrunk
	MethodTeam       = "team"        // the best reps never decided the stage: the team rate
	MethodNone       = "none"        // nobody decided the stage
	MethodManual     = "manual"      // set by hand (see Adjustments)
)

// StageNorm is one stage's norms.
type StageNorm struct {
	Stage string         `json:"stage"`
	Name  workflow.Names `json:"name"`
	Index int            `json:"index"`
	// Conversion is the norm conversion to the next stage.
	Conversion Num    `json:"conversion"`
	Method     string `json:"method"`
	Capped     bool   `json:"capped"`
	TeamRate   Num    `json:"team_rate"`
	// SkipShare is the team's share of the stage's ended visits that skipped it.
	SkipShare Num `json:"skip_share"`
	// Through = SkipShare + (1 − SkipShare)·Conversion: the norm share getting past the stage.
	Through Num `json:"through"`
	// Days is the norm median time in the stage (median of the best reps' medians).
	Days Num        `json:"days"`
	Best []BestRate `json:"best"`
}

// ActivityNorms are the weekly activity norms: the reference group's median.
type ActivityNorms struct {
	CallsPerWeek     Num `json:"calls_per_week"`
	MeetingsPerWeek  Num `json:"meetings_per_week"`
	EmailsPerWeek    Num `json:"emails_per_week"`
	ProposalsPerWeek Num `json:"proposals_per_week"`
}

// NormSet is a set of norms: computed live, or a saved snapshot (ID > 0) with its hand
// adjustments applied.
type NormSet struct {
	ID          int64          `json:"id,omitempty"`
	CreatedAt   *time.Time     `json:"created_at,omitempty"`
	CreatedBy   int64          `json:"created_by,omitempty"`
	Note        string         `json:"note,omitempty"`
	Period      Period         `json:"period"`
	Params      NormParams     `json:"params"`
	Ranking     []RepRank      `json:"ranking"`
	Reference   []int64        `json:"reference"`
	Stages      []StageNorm    `json:"stages"`
	Activity    ActivityNorms  `json:"activity"`
	AvgProfit   workflow.Money `json:"avg_profit"` // per won deal, reference group (team if none)
	Adjustments []Adjustment   `json:"adjustments,omitempty"`
}

// Stage returns the norm of a stage key, or nil.
func (n *NormSet) Stage(key string) *StageNorm {
	for i := range n.Stages {
		if n.Stages[i].Stage == key {
			return &n.Stages[i]
		}
	}
	return nil
}

// IsReference reports whether the rep is in the reference group.
func (n *NormSet) IsReference(id int64) bool {
	for _, r := range n.Reference {
		if r == id {
			return true
		}
	}
	return false
}

// ComputeNorms derives the norms from a report (DOMAIN.md §3.2):
//
//  1. Eligible reps: at least MinTenureDays since their first deal at the period's end, and
//     at least one deal won in the period.
//  2. Rank them by the measure (profit or turnover; both ranks are kept) and take the
//     reference group: the top quarter (rounded up) or the top N.
//  3. For each stage, with p_team the team's conversion: each best rep's rate is shrunk,
//     (x + m·p_team)/(n + m). The norm is the median of the shrunk rates of the best reps
//     with n ≥ MinN; when none has that many, the best reps' pooled counts shrunk the same
//     way; when they never decided the stage, the team rate. The result is capped at Cap.
//  4. Time in stage: the median of the best reps' median days. Weekly activity: the median
//     of the best reps' calls, meetings, e-mails and proposals per week.
func ComputeNorms(r *Report, p NormParams) *NormSet {
	ns := &NormSet{Period: r.Period, Params: p}
	type cand struct {
		rs *RepStats
		rk RepRank
	}
	var cands []cand
	for i := range r.Reps {
		rs := &r.Reps[i]
		rk := RepRank{Rep: rs.Rep, Won: rs.Deals.Won, Turnover: rs.Deals.Turnover, Profit: rs.Deals.Profit, Margin: rs.Deals.Margin}
		switch {
		case rs.Since == nil:
			rk.Why = WhyNoDeals
		case r.Period.To.Sub(*rs.Since) < time.Duration(p.MinTenureDays)*24*time.Hour:
			rk.Why = WhyTenure
		case rs.Deals.Won == 0:
			rk.Why = WhyNoWon
		default:
			rk.Eligible = true
		}
		cands = append(cands, cand{rs, rk})
	}
	rank := func(key func(RepRank) workflow.Money, set func(*RepRank, int)) {
		idx := make([]int, 0, len(cands))
		for i, c := range cands {
			if c.rk.Eligible {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool {
			ka, kb := key(cands[idx[a]].rk), key(cands[idx[b]].rk)
			if ka != kb {
				return ka > kb
			}
			return cands[idx[a]].rk.Rep.ID < cands[idx[b]].rk.Rep.ID
		})
		for place, i := range idx {
			set(&cands[i].rk, place+1)
		}
	}
	rank(func(x RepRank) workflow.Money { return x.Profit }, func(x *RepRank, n int) { x.RankProfit = n })
	rank(func(x RepRank) workflow.Money { return x.Turnover }, func(x *RepRank, n int) { x.RankTurnover = n })
	eligible := 0
	for _, c := range cands {
		if c.rk.Eligible {
			eligible++
		}
	}
	size := p.TopN
	if p.Group == GroupQuartile {
		size = (eligible + 3) / 4
	}
	if size > eligible {
		size = eligible
	}
	var best []*RepStats
	for i := range cands {
		place := cands[i].rk.RankProfit
		if p.Measure == MeasureTurnover {
			place = cands[i].rk.RankTurnover
		}
		if cands[i].rk.Eligible && place <= size {
			cands[i].rk.Reference = true
			best = append(best, cands[i].rs)
			ns.Reference = append(ns.Reference, cands[i].rk.Rep.ID)
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		ra, rb := cands[a].rk.RankProfit, cands[b].rk.RankProfit
		if p.Measure == MeasureTurnover {
			ra, rb = cands[a].rk.RankTurnover, cands[b].rk.RankTurnover
		}
		if (ra == 0) != (rb == 0) {
			return ra != 0
		}
		return ra < rb
	})
	for _, c := range cands {
		ns.Ranking = append(ns.Ranking, c.rk)
	}

	for i, info := range r.Stages {
		team := r.Team.Stages[i]
		sn := StageNorm{Stage: info.Key, Name: info.Name, Index: i, TeamRate: Num(team.Conversion.Value()),
			SkipShare: Num(Ratio{team.Skipped, team.Decided() + team.Skipped}.Value()), Conversion: NaN, Through: NaN, Days: NaN}
		pTeam := team.Conversion.Value()
		var used []float64
		var poolX, poolN int
		var days []float64
		for _, b := range best {
			st := b.Stages[i]
			x, n := st.Passed(), st.Decided()
			if st.Days.N > 0 && st.Days.Median.OK() {
				days = append(days, float64(st.Days.Median))
			}
			if n == 0 {
				continue
			}
			br := BestRate{RepID: b.Rep.ID, Name: b.Rep.Short(), Num: x, Den: n, Shrunk: Num(shrink(x, n, p.Prior, pTeam)), Used: n >= p.MinN}
			sn.Best = append(sn.Best, br)
			poolX += x
			poolN += n
			if br.Used {
				used = append(used, float64(br.Shrunk))
			}
		}
		switch {
		case len(used) > 0:
			sn.Conversion, sn.Method = Num(median(used)), MethodMedianBest
		case poolN > 0:
			sn.Conversion, sn.Method = Num(shrink(poolX, poolN, p.Prior, pTeam)), MethodPooledBest
		case team.Decided() > 0:
			sn.Conversion, sn.Method = Num(pTeam), MethodTeam
		default:
			sn.Method = MethodNone
		}
		if sn.Conversion.OK() && float64(sn.Conversion) > p.Cap {
			sn.Conversion, sn.Capped = Num(p.Cap), true
		}
		if len(days) > 0 {
			sn.Days = Num(median(days))
		} else if team.Days.N > 0 {
			sn.Days = team.Days.Median
		}
		sn.Through = through(sn.SkipShare, sn.Conversion)
		ns.Stages = append(ns.Stages, sn)
	}

	var calls, meetings, emails, proposals []float64
	var wonProfit workflow.Money
	var won int
	for _, b := range best {
		a := b.Activity
		if a.Weeks > 0 {
			calls = append(calls, float64(a.CallsPerWeek))
			meetings = append(meetings, float64(a.MeetingsPerWeek))
			emails = append(emails, float64(a.EmailsPerWeek))
			proposals = append(proposals, float64(a.ProposalsPerWeek))
		}
		wonProfit += b.Deals.Profit
		won += b.Deals.Won
	}
	ns.Activity = ActivityNorms{CallsPerWeek: medianNum(calls), MeetingsPerWeek: medianNum(meetings), EmailsPerWeek: medianNum(emails), ProposalsPerWeek: medianNum(proposals)}
	switch {
	case won > 0:
		ns.AvgProfit = wonProfit / workflow.Money(won)
	case r.Team.Deals.Won > 0:
		ns.AvgProfit = r.Team.Deals.AvgProfit
	}
	return ns
}

// shrink is the beta-prior estimate (x + m·p)/(n + m); with no prior mean it is x/n.
func shrink(x, n int, m, p float64) float64 {
	if math.IsNaN(p) || m == 0 {
		return float64(x) / float64(n)
	}
	return (float64(x) + m*p) / (float64(n) + m)
}

func through(skip, conv Num) Num {
	if !conv.OK() {
		return NaN
	}
	s := float64(skip)
	if !skip.OK() {
		s = 0
	}
	return Num(s + (1-s)*float64(conv))
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func medianNum(v []float64) Num { return Num(median(v)) }

// PlanRow is one stage of the reverse funnel.
type PlanRow struct {
	Stage   string         `json:"stage"`
	Name    workflow.Names `json:"name"`
	Through Num            `json:"through"`
	// Entries is how many deals must enter the stage in the plan's period; Worked is how many
	// of them are worked rather than skipped.
	Entries       Num `json:"entries"`
	EntriesPerWk  Num `json:"entries_per_week"`
	Worked        Num `json:"worked"`
	WorkedPerWeek Num `json:"worked_per_week"`
}

// ReversePlan is the reverse funnel («обратная воронка», DOMAIN.md §3.2.5): from a plan of
// gross margin back to the entries every stage needs.
type ReversePlan struct {
	Margin    workflow.Money `json:"margin"`     // the plan: gross margin for the period
	AvgProfit workflow.Money `json:"avg_profit"` // per deal paid
	Deals     Num            `json:"deals"`      // deals to get paid
	Weeks     float64        `json:"weeks"`      // working weeks of the plan's period
	Until     string         `json:"until"`      // the stage whose completion counts as paid
	Rows      []PlanRow      `json:"rows"`
	// Activity the plan needs per working week: calls reaching the stage after the cold
	// call, meetings held, proposals sent.
	MeetingsPerWeek  Num `json:"meetings_per_week"`
	ProposalsPerWeek Num `json:"proposals_per_week"`
}

// WorkingWeeksPerYear is the working weeks of a year the reverse funnel divides by.
const WorkingWeeksPerYear = 46.0

// Reverse works the norms backwards from a gross-margin plan over the given working weeks:
// deals = margin ÷ average profit per deal; the entries needed at stage s are deals ÷ the
// product of the norm through rates from s to the payment stage (the last stage when the
// pipeline has none called "payment").
func (n *NormSet) Reverse(margin, avgProfit workflow.Money, weeks float64) ReversePlan {
	rp := ReversePlan{Margin: margin, AvgProfit: avgProfit, Weeks: weeks, Deals: NaN, MeetingsPerWeek: NaN, ProposalsPerWeek: NaN}
	if avgProfit <= 0 || weeks <= 0 || len(n.Stages) == 0 {
		return rp
	}
	until := len(n.Stages) - 1
	for i, s := range n.Stages {
		if s.Stage == "payment" {
			until = i
		}
	}
	rp.Until = n.Stages[until].Stage
	deals := float64(margin) / float64(avgProfit)
	rp.Deals = Num(deals)
	rows := make([]PlanRow, until+1)
	need := deals
	for i := until; i >= 0; i-- {
		s := n.Stages[i]
		t := float64(s.Through)
		if !s.Through.OK() || t <= 0 {
			t = 1 // a stage without a norm passes everything
		}
		need /= t
		skip := float64(s.SkipShare)
		if !s.SkipShare.OK() {
			skip = 0
		}
		rows[i] = PlanRow{Stage: s.Stage, Name: s.Name, Through: s.Through, Entries: Num(need), EntriesPerWk: Num(need / weeks),
			Worked: Num(need * (1 - skip)), WorkedPerWeek: Num(need * (1 - skip) / weeks)}
		switch s.Stage {
		case "meeting":
			rp.MeetingsPerWeek = rows[i].WorkedPerWeek
		case "proposal":
			rp.ProposalsPerWeek = rows[i].WorkedPerWeek
		}
	}
	rp.Rows = rows
	return rp
}
