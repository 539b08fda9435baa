package stats

import (
	"fmt"
	"math"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Period is the half-open interval [From, To) in UTC.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Days is the period's length in days.
func (p Period) Days() float64 { return p.To.Sub(p.From).Hours() / 24 }

// Weeks is the period's length in weeks.
func (p Period) Weeks() float64 { return p.Days() / 7 }

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// LastDay is the last calendar day inside the period (To − 1 day), for display.
func (p Period) LastDay() time.Time { return p.To.AddDate(0, 0, -1) }

// YearTo returns the twelve calendar months that end with the month of t: for t in
// February 2026 that is [2025-03-01, 2026-03-01).
func YearTo(t time.Time) Period {
	t = t.UTC()
	to := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	return Period{From: to.AddDate(-1, 0, 0), To: to}
}

// ParsePeriod reads "from" and "to" as calendar dates (YYYY-MM-DD); "to" is the last day
// included. An empty value takes the default's bound.
func ParsePeriod(from, to string, def Period) (Period, error) {
	p := def
	if from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return p, workflow.Invalid("from", "from must be a date YYYY-MM-DD")
		}
		p.From = t
	}
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return p, workflow.Invalid("to", "to must be a date YYYY-MM-DD (the last day included)")
		}
		p.To = t.AddDate(0, 0, 1)
	}
	switch {
	case !p.From.Before(p.To):
		return p, workflow.Invalid("to", "the period must end after it starts")
	case p.To.Sub(p.From) > 5*366*24*time.Hour:
		return p, workflow.Invalid("from", "the period may span at most five years")
	}
	return p, nil
}

// Filter narrows the statistics to a period, some reps and a deal-size segment.
type Filter struct {
	Period Period
	// RepIDs keeps only deals owned by these users; empty means everyone.
	RepIDs []int64
	// MinAmount and MaxAmount keep deals with MinAmount ≤ amount < MaxAmount (0: no bound),
	// so that reps are compared on deals of a similar size (DOMAIN.md §3.3).
	MinAmount, MaxAmount workflow.Money
}

// Ratio is a rate kept as its counts, so that nothing is lost to rounding before it is shown
// and an empty denominator stays visible.
type Ratio struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Valid reports whether the ratio has a denominator.
func (r Ratio) Valid() bool { return r.Den > 0 }

// Value is Num/Den, or NaN without a denominator.
func (r Ratio) Value() float64 {
	if r.Den == 0 {
		return math.NaN()
	}
	return float64(r.Num) / float64(r.Den)
}

// Percent formats the ratio as "58 %" (Russian spacing), or "—".
func (r Ratio) Percent() string { return Pct(r.Value()) }

// Pct formats a share as a whole percentage with a non-breaking space, or "—" for NaN.
func Pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.0f\u00a0%%", v*100)
}

// Quantiles are the median and the 90th percentile of a set of durations, in days.
type Quantiles struct {
	N      int `json:"n"`
	Median Num `json:"median"`
	P90    Num `json:"p90"`
}

// interpolate turns the order statistics the database selected into an interpolated
// percentile: with n values sorted ascending, p's position is p·(n−1) (0-based); lo is the
// value at its floor and hi the next one.
func interpolate(n int, num, den int, lo, hi float64) Num {
	if n <= 0 {
		return NaN
	}
	rem := (num * (n - 1)) % den
	if rem == 0 {
		return Num(lo)
	}
	return Num(lo + float64(rem)/float64(den)*(hi-lo))
}
