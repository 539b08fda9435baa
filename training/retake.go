package training

import "time"

// CanRetake reports whether a rep with these previous attempts (at the same test) may start a
// new attempt at now under policy p, and if not, when they may.
//
//   - MaxAttempts reached: ok is false and nextAt is zero (never, until an administrator resets
//     the attempts, e.g. when the stage is assigned again).
//   - Cool-down: the wait runs from the end of the latest attempt, which is its submission
//     time; for an attempt never submitted it is its deadline, or its start if it has no time
//     limit. An attempt that was opened and abandoned therefore counts: a rep cannot look at the
//     questions, walk away and draw a fresh set at once.
//   - Otherwise ok is true and nextAt is now.
func CanRetake(previous []Attempt, now time.Time, p Policy) (ok bool, nextAt time.Time) {
	p = p.withDefaults()
	if p.MaxAttempts > 0 && len(previous) >= p.MaxAttempts {
		return false, time.Time{}
	}
	if p.Cooldown <= 0 || len(previous) == 0 {
		return true, now
	}
	var last time.Time
	for _, a := range previous {
		end := a.SubmittedAt
		if end.IsZero() {
			end = a.Deadline
		}
		if end.IsZero() {
			end = a.StartedAt
		}
		if end.After(last) {
			last = end
		}
	}
	next := last.Add(p.Cooldown)
	if now.Before(next) {
		return false, next
	}
	return true, now
}
