package stats

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dealgate/dealgate/workflow"
)

// Z95 is the normal quantile of a two-sided 95 % interval.
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval of x successes in n trials at normal quantile z
// (the interval a rate's true value lies in, which stays inside [0, 1] and behaves on small
// samples). n = 0 gives [0, 1].
func Wilson(x, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(x) / nf
	z2 := z * z
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return math.Max(0, center-half), math.Min(1, center+half)
}

// StageGap is a rep's figure at one stage against its norm (DOMAIN.md §3.3).
type StageGap struct {
	Stage string         `json:"stage"`
	Name  workflow.Names `json:"name"`
	Index int            `json:"index"`
	Rate  Ratio          `json:"rate"` // the rep's conversion, as counts
	Norm  Num            `json:"norm"`
	// GapPP is (rate − norm) in percentage points.
	GapPP Num `json:"gap_pp"`
	// Lo and Hi bound the Wilson 95 % interval of the rate; the gap is significant when the
	// interval excludes the norm.
	Lo          Num  `json:"lo"`
	Hi          Num  `json:"hi"`
	Significant bool `json:"significant"`
	// Shrunk is the rate shrunk towards the team's (for ranking reps at a stage).
	Shrunk Num `json:"shrunk"`
	// LostBeyond = decided × max(0, norm − rate): the deals lost at the stage beyond the norm.
	LostBeyond Num `json:"lost_beyond"`
	// Downstream is the rep's own chance of winning a deal that got past this stage: the
	// product of their through rates at the later stages.
	Downstream Num `json:"downstream"`
	// Value = LostBeyond × Downstream × the rep's average profit per won deal: the gross
	// margin the gap costs.
	Value    workflow.Money `json:"value"`
	Days     Num            `json:"days"`      // the rep's median days in the stage
	DaysNorm Num            `json:"days_norm"` // the norm
	Reasons  []ReasonCount  `json:"reasons"`
}

// Below reports whether the rate is under the norm.
func (g StageGap) Below() bool { return g.GapPP.OK() && g.GapPP < 0 }

// Status is "bad" (significantly below the norm), "warn" (below, not significant), "ok" (at
// or above) or "none" (no decided visits).
func (g StageGap) Status() string {
	switch {
	case !g.GapPP.OK():
		return "none"
	case g.GapPP < 0 && g.Significant:
		return "bad"
	case g.GapPP < 0:
		return "warn"
	}
	return "ok"
}

// MinLostBeyond is the least number of deals lost beyond the norm for a stage to be named
// as the one that costs a rep most.
const MinLostBeyond = 0.5

// RepGaps is where one rep falls behind.
type RepGaps struct {
	Rep       Rep            `json:"rep"`
	AvgProfit workflow.Money `json:"avg_profit"` // per won deal (the team's when the rep won none)
	Stages    []StageGap     `json:"stages"`
	// Worst is the index in Stages of the stage that costs the rep most, or −1 when no stage
	// below the norm loses at least MinLostBeyond deals.
	Worst int `json:"worst"`
	// Sentence states it for a manager, in Russian and English.
	Sentence workflow.Names `json:"sentence"`
	// Activity per week against the activity norms.
	Activity ActivityStats `json:"activity"`
	Norms    ActivityNorms `json:"activity_norms"`
}

// WorstStage returns the costliest stage, or nil.
func (g *RepGaps) WorstStage() *StageGap {
	if g.Worst < 0 || g.Worst >= len(g.Stages) {
		return nil
	}
	return &g.Stages[g.Worst]
}

// TotalValue is the margin all the rep's gaps cost.
func (g *RepGaps) TotalValue() workflow.Money {
	var v workflow.Money
	for _, s := range g.Stages {
		v += s.Value
	}
	return v
}

// Gaps compares one rep's stage figures with the norms. The stage that costs the rep most
// is the one whose lost-beyond-norm deals, carried through the rep's own later stages, are
// worth the most gross margin; only stages below the norm compete.
func Gaps(r *Report, rs *RepStats, n *NormSet) RepGaps {
	g := RepGaps{Rep: rs.Rep, Worst: -1, Activity: rs.Activity, Norms: n.Activity}
	g.AvgProfit = rs.Deals.AvgProfit
	if rs.Deals.Won == 0 {
		g.AvgProfit = r.Team.Deals.AvgProfit
	}
	prior := n.Params.Prior
	for i := range rs.Stages {
		st := rs.Stages[i]
		team := r.Team.Stages[i]
		sg := StageGap{Stage: st.Key, Name: st.Name, Index: i, Rate: st.Conversion, Norm: NaN, GapPP: NaN, Lo: NaN, Hi: NaN,
			Shrunk: NaN, LostBeyond: NaN, Downstream: NaN, Days: st.Days.Median, DaysNorm: NaN, Reasons: st.LostReasons}
		if sn := n.Stage(st.Key); sn != nil {
			sg.Norm, sg.DaysNorm = sn.Conversion, sn.Days
		}
		if d := st.Decided(); d > 0 {
			lo, hi := Wilson(st.Passed(), d, Z95)
			sg.Lo, sg.Hi = Num(lo), Num(hi)
			sg.Shrunk = Num(shrink(st.Passed(), d, prior, team.Conversion.Value()))
			if sg.Norm.OK() {
				rate := st.Conversion.Value()
				sg.GapPP = Num((rate - float64(sg.Norm)) * 100)
				sg.Significant = float64(sg.Norm) < lo || float64(sg.Norm) > hi
				sg.LostBeyond = Num(float64(d) * math.Max(0, float64(sg.Norm)-rate))
				down := 1.0
				for k := i + 1; k < len(rs.Stages); k++ {
					t := rs.Stages[k].Through
					if !t.Valid() {
						t = r.Team.Stages[k].Through
					}
					if t.Valid() {
						down *= t.Value()
					}
				}
				sg.Downstream = Num(down)
				sg.Value = workflow.Money(math.Round(float64(sg.LostBeyond) * down * float64(g.AvgProfit)))
			}
		}
		g.Stages = append(g.Stages, sg)
	}
	for i, s := range g.Stages {
		// Half a deal lost beyond the norm is the least worth a sentence.
		if !s.Below() || s.Value <= 0 || float64(s.LostBeyond) < MinLostBeyond {
			continue
		}
		if g.Worst < 0 || s.Value > g.Stages[g.Worst].Value {
			g.Worst = i
		}
	}
	g.Sentence = sentence(&g)
	return g
}

// sentence states where the rep loses most, in a form a manager can act on.
func sentence(g *RepGaps) workflow.Names {
	who := g.Rep.Short()
	w := g.WorstStage()
	if w == nil {
		return workflow.Names{
			Ru: fmt.Sprintf("%s не отстаёт от норм ни на одном этапе.", who),
			En: fmt.Sprintf("%s is not behind the norm at any stage.", who),
		}
	}
	gap := math.Abs(float64(w.GapPP))
	var sigRu, sigEn string
	if w.Significant {
		sigRu, sigEn = "отставание значимо", "the gap is significant"
	} else {
		sigRu, sigEn = "на такой выборке отставание может быть случайным", "on this sample the gap may be chance"
	}
	ru := fmt.Sprintf("%s теряет больше всего на этапе «%s»: конверсия %s при норме %s (−%.0f п. п., %s; %d из %d). "+
		"Сверх нормы потеряно ≈ %s — это ≈ %s маржи.",
		who, w.Name.Ru, Pct(w.Rate.Value()), Pct(float64(w.Norm)), gap, sigRu, w.Rate.Num, w.Rate.Den,
		dealsRu(float64(w.LostBeyond)), RoublesShort(w.Value, "ru"))
	en := fmt.Sprintf("%s loses most at stage “%s”: conversion %s against a norm of %s (−%.0f pp, %s; %d of %d). "+
		"≈ %s deals were lost beyond the norm, ≈ %s of margin.",
		who, w.Name.En, Pct(w.Rate.Value()), Pct(float64(w.Norm)), gap, sigEn, w.Rate.Num, w.Rate.Den,
		fmtCount(float64(w.LostBeyond)), RoublesShort(w.Value, "en"))
	if len(w.Reasons) > 0 {
		lost := 0
		for _, r := range w.Reasons {
			lost += r.N
		}
		top := w.Reasons[0]
		ru += fmt.Sprintf(" Главная причина проигрышей — «%s»: %d из %d.", top.Reason, top.N, lost)
		en += fmt.Sprintf(" The main reason for losing: “%s”, %d of %d.", top.Reason, top.N, lost)
	}
	ru += fmt.Sprintf(" Разберите проигранные сделки этапа и назначьте модуль обучения «%s».", w.Name.Ru)
	en += fmt.Sprintf(" Review the deals lost at this stage and assign the “%s” training module.", w.Name.En)
	return workflow.Names{Ru: ru, En: en}
}

// dealsRu says "≈ N сделок" with the Russian plural: whole numbers from 1 up, one decimal
// (genitive singular, «0,6 сделки») below that.
func dealsRu(v float64) string {
	if v < 0.95 {
		return fmtCount(v) + "\u00a0сделки"
	}
	n := int(math.Round(v))
	word := "сделок"
	switch {
	case n%100 >= 11 && n%100 <= 14:
	case n%10 == 1:
		word = "сделка"
	case n%10 >= 2 && n%10 <= 4:
		word = "сделки"
	}
	return fmt.Sprintf("%d\u00a0%s", n, word)
}

func fmtCount(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.Replace(fmt.Sprintf("%.1f", v), ".", ",", 1)
}

// RoublesShort formats an amount for a sentence: "12,4 млн ₽", "840 тыс. ₽" ("RUB 12.4 M").
func RoublesShort(m workflow.Money, lang string) string {
	rub := float64(m) / 100
	abs := math.Abs(rub)
	var num, unitRu, unitEn string
	switch {
	case abs >= 1e9:
		num, unitRu, unitEn = fmt.Sprintf("%.1f", rub/1e9), "млрд ₽", "bn"
	case abs >= 1e6:
		num, unitRu, unitEn = fmt.Sprintf("%.1f", rub/1e6), "млн ₽", "M"
	case abs >= 1e3:
		num, unitRu, unitEn = fmt.Sprintf("%.0f", rub/1e3), "тыс. ₽", "k"
	default:
		num, unitRu, unitEn = fmt.Sprintf("%.0f", rub), "₽", ""
	}
	if lang == "en" {
		return strings.TrimSpace("RUB " + num + " " + unitEn)
	}
	return strings.Replace(num, ".", ",", 1) + "\u00a0" + unitRu
}

// Weakest names, for one stage, the rep who falls furthest behind there.
type Weakest struct {
	Stage    string         `json:"stage"`
	Name     workflow.Names `json:"name"`
	Rep      Rep            `json:"rep"`
	Rate     Ratio          `json:"rate"`
	Shrunk   Num            `json:"shrunk"`
	Norm     Num            `json:"norm"`
	Sentence workflow.Names `json:"sentence"`
}

// MinWeakestN is the least number of decided visits for a rep to be named at a stage.
const MinWeakestN = 10

// WeakestByStage names, for every stage, the rep with the lowest shrunk conversion among
// those with at least MinWeakestN decided visits who are significantly below the norm (their
// Wilson interval lies under it). Shrinking towards the team's rate keeps a rep with a
// handful of unlucky deals from being named ahead of one who is reliably weak; a stage where
// nobody is significantly behind names no one.
func WeakestByStage(gaps []RepGaps) []Weakest {
	if len(gaps) == 0 {
		return nil
	}
	var out []Weakest
	for i := range gaps[0].Stages {
		var pick *StageGap
		var who Rep
		for _, g := range gaps {
			s := &g.Stages[i]
			if s.Rate.Den < MinWeakestN || !s.Shrunk.OK() || !s.Norm.OK() || !s.Below() || !s.Significant {
				continue
			}
			if pick == nil || s.Shrunk < pick.Shrunk {
				pick, who = s, g.Rep
			}
		}
		if pick == nil {
			continue
		}
		out = append(out, Weakest{Stage: pick.Stage, Name: pick.Name, Rep: who, Rate: pick.Rate, Shrunk: pick.Shrunk, Norm: pick.Norm,
			Sentence: workflow.Names{
				Ru: fmt.Sprintf("На этапе «%s» больше всего отстаёт %s: %s при норме %s (%d из %d).", pick.Name.Ru, who.Short(), Pct(pick.Rate.Value()), Pct(float64(pick.Norm)), pick.Rate.Num, pick.Rate.Den),
				En: fmt.Sprintf("At stage “%s” %s falls furthest behind: %s against a norm of %s (%d of %d).", pick.Name.En, who.Short(), Pct(pick.Rate.Value()), Pct(float64(pick.Norm)), pick.Rate.Num, pick.Rate.Den),
			}})
	}
	return out
}

// AllGaps computes Gaps for every rep of the report, costliest first.
func AllGaps(r *Report, n *NormSet) []RepGaps {
	out := make([]RepGaps, 0, len(r.Reps))
	for i := range r.Reps {
		out = append(out, Gaps(r, &r.Reps[i], n))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TotalValue() > out[j].TotalValue() })
	return out
}
