package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// The seller works in Yekaterinburg (UTC+5), Monday to Friday, 09:00–18:00 local time, that is
// 04:00–13:00 UTC: every demo event happens then, on the same calendar date in UTC as locally.
const (
	workStartUTC = 4
	workEndUTC   = 13
)

// holidays are the non-working days of the Russian production calendar that fall in the
// demo's span (2024–2026): New Year holidays, 23 February, 8 March, May, 12 June, 4 November,
// with their transfers.
var holidays = map[string]bool{}

func init() {
	for _, d := range []string{
		"2024-11-04", "2024-12-30", "2024-12-31",
		"2025-01-01", "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07", "2025-01-08",
		"2025-05-01", "2025-05-02", "2025-05-08", "2025-05-09", "2025-06-12", "2025-06-13", "2025-11-03", "2025-11-04", "2025-12-31",
		"2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09",
		"2026-02-23", "2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04", "2026-12-31",
	} {
		holidays[d] = true
	}
}

// workday reports whether the UTC calendar date of t is a working day.
func workday(t time.Time) bool {
	switch t.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !holidays[t.Format(time.DateOnly)]
}

// atWork moves t forward to working time: unchanged when it is in working hours of a working
// day, otherwise the start of the next working period plus up to two hours.
func atWork(t time.Time, r *rand.Rand) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if workday(t) && t.Hour() >= workStartUTC && t.Hour() < workEndUTC {
		return t
	}
	if workday(t) && t.Hour() < workStartUTC {
		return day.Add(workStartUTC*time.Hour + jitter(r, 2*time.Hour))
	}
	for {
		day = day.AddDate(0, 0, 1)
		if workday(day) {
			return day.Add(workStartUTC*time.Hour + jitter(r, 2*time.Hour))
		}
	}
}

// jitter is a random duration in [0, max), to whole seconds.
func jitter(r *rand.Rand, max time.Duration) time.Duration {
	return time.Duration(r.Int64N(int64(max/time.Second))) * time.Second
}

// lognormalDays draws a duration whose median is median days and whose spread is sigma.
func lognormalDays(r *rand.Rand, median, sigma float64) time.Duration {
	d := median * math.Exp(sigma*r.NormFloat64())
	return time.Duration(d * float64(24*time.Hour)).Truncate(time.Second)
}

// between draws a time in [a, b) (a when the span is empty), to whole seconds.
func between(r *rand.Rand, a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(r.Int64N(int64(b.Sub(a)/time.Second)+1)) * time.Second)
}

// during draws the time of something done while a stage runs: in [a, b), in working hours
// when that still falls before b.
func during(r *rand.Rand, a, b time.Time) time.Time {
	t := between(r, a, b.Add(-time.Minute))
	if w := atWork(t, r); w.Before(b) {
		return w
	}
	return t
}
