package workflow_test

import (
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// BenchmarkDecide measures the state machine's decision alone (no I/O) on the shipped default
// pipeline: an advance whose gate is met, an advance refused for missing evidence (the error
// lists what is missing, in two languages), a skip with a reason, and a jump over three
// skippable stages (one event per stage). Every result is checked, so a benchmark of a
// decision that went wrong fails instead of reporting a meaningless speed.
func BenchmarkDecide(b *testing.B) {
	p := defaultPipeline(b)
	full := fullEvidence()
	none := workflow.Evidence{Documents: map[workflow.DocumentKind]int{}, Facts: map[workflow.FactKind]int{},
		Fields: map[string]bool{}, TrainingPassed: map[string]bool{}}
	cases := []struct {
		name   string
		stage  string
		ev     workflow.Evidence
		t      workflow.Transition
		events int    // events of an accepted decision (0: refused)
		to     string // the stage an accepted decision moves to
	}{
		{name: "advance", stage: "research", ev: full, t: workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: 7}, events: 1, to: "cold_call"},
		{name: "refused", stage: "proposal", ev: none, t: workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: 7}},
		{name: "skip", stage: "cold_call", ev: none, t: workflow.Transition{Action: workflow.ActionSkip, Reason: "встреча не нужна", ExpectedVersion: 7}, events: 1, to: "meeting"},
		{name: "jump", stage: "cold_call", ev: full, t: workflow.Transition{Action: workflow.ActionAdvance, To: "needs", ExpectedVersion: 7}, events: 2, to: "needs"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			d := openDeal(c.stage)
			// Check the decision once outside the timed loop.
			out, err := p.Decide(d, c.ev, c.t, rep, testNow)
			switch {
			case c.events == 0 && err == nil:
				b.Fatalf("%s: accepted, want refused", c.name)
			case c.events > 0 && err != nil:
				b.Fatalf("%s: %v", c.name, err)
			case c.events > 0 && (len(out.Events) != c.events || out.Deal.Stage != c.to):
				b.Fatalf("%s: %d events to %q, want %d to %q", c.name, len(out.Events), out.Deal.Stage, c.events, c.to)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				out, err = p.Decide(d, c.ev, c.t, rep, testNow)
			}
			b.StopTimer()
			if (err == nil) != (c.events > 0) {
				b.Fatalf("%s: the decision changed during the loop: %v", c.name, err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}
