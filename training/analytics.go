package training

import (
	"math"
	"sort"
)

// Thresholds for retiring a question (DOMAIN.md §4): one almost everybody answers correctly
// teaches nothing, one that strong and weak reps answer equally well measures nothing.
const (
	RetireAboveP              = 0.95
	RetireBelowDiscrimination = 0.1
)

// ItemStat is the classical item analysis of one question over a set of scored attempts.
type ItemStat struct {
	QuestionID string `json:"question_id"`
	Stage      string `json:"stage"`
	// N is the number of attempts that contained the question.
	N int `json:"n"`
	// P is the difficulty index: the share of those attempts that answered it correctly.
	P float64 `json:"p"`
	// Discrimination is the corrected point-biserial correlation: the Pearson correlation
	// between answering this question correctly (1/0) and the share of the attempt's other
	// questions answered correctly. Leaving the question itself out of the total matters on
	// 10-question tests, where it would otherwise inflate the figure. It is meaningful only when
	// DiscriminationValid is true: at least two attempts with two or more questions, and both
	// the question and the rest-score vary among them.
	Discrimination      float64 `json:"discrimination"`
	DiscriminationValid bool    `json:"discrimination_valid"`
}

// SuggestRetire reports whether the question should be reviewed for retirement: P above
// RetireAboveP, or a valid Discrimination below RetireBelowDiscrimination. Items seen in fewer
// than minN attempts are never flagged, since their figures are noise.
func (s ItemStat) SuggestRetire(minN int) bool {
	if s.N < minN || s.N == 0 {
		return false
	}
	return s.P > RetireAboveP || (s.DiscriminationValid && s.Discrimination < RetireBelowDiscrimination)
}

// ItemAnalysis computes difficulty and discrimination for every question that appears in the
// results, sorted by stage and question id.
func ItemAnalysis(results []Result) []ItemStat {
	type acc struct {
		stage  string
		n, hit int
		x, y   []float64 // item score and rest-score, for attempts with ≥ 2 questions
	}
	accs := make(map[string]*acc)
	for _, r := range results {
		total, correct := len(r.Questions), 0
		for _, q := range r.Questions {
			if q.Correct {
				correct++
			}
		}
		for _, q := range r.Questions {
			a := accs[q.QuestionID]
			if a == nil {
				a = &acc{stage: q.Stage}
				accs[q.QuestionID] = a
			}
			a.n++
			item := 0
			if q.Correct {
				a.hit++
				item = 1
			}
			if total >= 2 {
				a.x = append(a.x, float64(item))
				a.y = append(a.y, float64(correct-item)/float64(total-1))
			}
		}
	}
	out := make([]ItemStat, 0, len(accs))
	for id, a := range accs {
		s := ItemStat{QuestionID: id, Stage: a.stage, N: a.n, P: float64(a.hit) / float64(a.n)}
		s.Discrimination, s.DiscriminationValid = pearson(a.x, a.y)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Stage != out[j].Stage {
			return out[i].Stage < out[j].Stage
		}
		return out[i].QuestionID < out[j].QuestionID
	})
	return out
}

// pearson returns the correlation of x and y; ok is false when it is undefined (fewer than two
// pairs, or one of the two does not vary).
func pearson(x, y []float64) (r float64, ok bool) {
	n := float64(len(x))
	if len(x) < 2 {
		return 0, false
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	const eps = 1e-12
	if sxx < eps || syy < eps {
		return 0, false
	}
	return sxy / math.Sqrt(sxx*syy), true
}
