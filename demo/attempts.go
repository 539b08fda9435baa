package demo

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dealgate/dealgate/storage"
)

// Attempt is a stage test a demo rep took (DOMAIN.md §5: every rep takes every stage's test
// one to three times, scores 55–100 %; Новиков and Морозов fail «Встреча» the first time,
// and each rep fails first the test of the stage they are weakest at).
type Attempt struct {
	Rep    storage.User
	Stage  string
	N      int     // 1, 2, 3
	Score  float64 // share of correct answers
	Passed bool    // Score ≥ 0.8
	At     time.Time
}

// AttemptFunc stores the planned attempts (the training store decides how).
type AttemptFunc func(ctx context.Context, attempts []Attempt) error

// PassMark is the share of correct answers that passes a test.
const PassMark = 0.8

// attempts plans the reps' test attempts: the first within a month of the history's start
// (of joining, for a newcomer); a failed attempt is retaken after the cool-down.
func (g *generator) attempts() []Attempt {
	var out []Attempt
	for _, rs := range g.reps {
		r := rand.New(rand.NewPCG(g.cfg.Seed, 0xA77E+uint64(rs.Copy*100+rs.Index)))
		start := g.histStart
		if !rs.Model.Joined.IsZero() {
			start = rs.Model.Joined
		}
		for i, st := range g.p.Stages {
			at := atWork(start.Add(time.Duration(2+i*2+r.IntN(5))*24*time.Hour), r)
			failFirst := slices.Contains(rs.Model.FailFirst, st.Key)
			for n := 1; n <= 3; n++ {
				// Tests are scored in tenths (ten questions).
				score := float64(8+r.IntN(3)) / 10
				if failFirst && n == 1 || !failFirst && n == 1 && r.Float64() < 0.12 {
					score = float64(5+r.IntN(3)) / 10
				}
				a := Attempt{Rep: rs.User, Stage: st.Key, N: n, Score: score, Passed: score >= PassMark, At: at}
				out = append(out, a)
				if a.Passed {
					break
				}
				at = atWork(at.Add(time.Duration(25+r.IntN(72))*time.Hour), r)
			}
		}
	}
	return out
}
