package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// guessingPrepare is what the document service does: "render" (here: write the number into the
// data and the PDF bytes, after a short pause standing for the render) with the guessed number
// before Next, and again after it only when Next gave another number. fail makes some
// finalisations give up after guessing (a render error), before or after Next.
type guessStats struct{ guesses, hits, rerenders, failures atomic.Int64 }

func guessingPrepare(stats *guessStats, fail func() (before, after bool)) func(context.Context, *storage.Numbering, *storage.Document) (storage.Rendered, error) {
	return func(ctx context.Context, num *storage.Numbering, _ *storage.Document) (storage.Rendered, error) {
		var r storage.Rendered
		render := func(seq int64) {
			time.Sleep(time.Millisecond)
			r.Number, r.Seq, r.Scope, r.Year = fmt.Sprintf("С-%d", seq), seq, "", 2026
			r.Data, _ = workflow.CanonicalJSON(map[string]any{"number": r.Number})
			r.PDF = []byte("%PDF " + r.Number)
		}
		guess, guessed := num.Guess("", 2026)
		if guessed {
			stats.guesses.Add(1)
			render(guess)
		}
		before, after := false, false
		if fail != nil {
			before, after = fail()
		}
		if before {
			stats.failures.Add(1)
			return r, errors.New("render failed")
		}
		seq, err := num.Next("", 2026)
		if err != nil {
			return r, err
		}
		switch {
		case guessed && seq == guess:
			stats.hits.Add(1)
		default:
			stats.rerenders.Add(1)
			render(seq)
		}
		if after {
			stats.failures.Add(1)
			return r, errors.New("storing failed")
		}
		return r, nil
	}
}

// checkNumbered checks that the invoices of the store are numbered 1..n without a gap or a
// duplicate and that each one's data and file carry its own number.
func checkNumbered(t *testing.T, st *storage.Store, deals []workflow.Deal, want int) {
	t.Helper()
	seen := map[int64]bool{}
	for _, d := range deals {
		id := d.ID
		docs, err := st.FindDocuments(bg, storage.DocumentFilter{DealID: &id})
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			if seen[doc.Seq] {
				t.Errorf("number %d given twice", doc.Seq)
			}
			seen[doc.Seq] = true
			var data struct{ Number string }
			if err := json.Unmarshal(doc.Data, &data); err != nil || data.Number != doc.Number || doc.Number != fmt.Sprintf("С-%d", doc.Seq) {
				t.Errorf("document %d numbered %q (seq %d) carries %q in its data (%v)", doc.ID, doc.Number, doc.Seq, data.Number, err)
			}
			pdf, err := st.Blobs().Get(bg, doc.PDFSHA256)
			if err != nil || string(pdf) != "%PDF "+doc.Number {
				t.Errorf("document %s: its file says %q (%v)", doc.Number, pdf, err)
			}
		}
	}
	if len(seen) != want {
		t.Errorf("%d documents, want %d", len(seen), want)
	}
	for i := int64(1); i <= int64(want); i++ {
		if !seen[i] {
			t.Errorf("number %d is missing: the sequence has a gap", i)
		}
	}
}

// TestNumberingGuesses: 16 goroutines finalise 160 invoices of one sequence, each rendering
// with the guessed number before the counter row is locked. Every document carries its own,
// gap-free number. On PostgreSQL most guesses come true when nothing fails (the point of
// guessing); finalisations that fail after guessing (before or after Next) leave no gap and
// block no one. On SQLite no guess is offered and the numbers are as right.
func TestNumberingGuesses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		failures bool
	}{{"clean", false}, {"failures", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
				f := storagetest.Seed(t, st)
				deals := storagetest.CreateDeals(t, st, f.Pipeline, f.Company.ID, f.Rep1, 16)
				ctx, cancel := context.WithTimeout(bg, 2*time.Minute)
				defer cancel()
				var stats guessStats
				var fail func() (bool, bool)
				if tc.failures {
					var mu sync.Mutex
					calls := 0
					fail = func() (bool, bool) {
						mu.Lock()
						defer mu.Unlock()
						calls++
						return calls%37 == 0, calls%41 == 0
					}
				}
				const each = 10
				var stored atomic.Int64
				errs := race(len(deals), func(i int) error {
					for range each {
						_, err := st.Finalise(ctx, storage.FinaliseRequest{DealID: deals[i].ID, Kind: workflow.DocInvoice, Actor: f.Rep1.Actor(),
							Prepare: guessingPrepare(&stats, fail)})
						if err == nil {
							stored.Add(1)
						} else if err.Error() != "render failed" && err.Error() != "storing failed" {
							return err
						}
					}
					return nil
				})
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				checkNumbered(t, st, deals, int(stored.Load()))
				if n, _ := st.CurrentNumber(bg, "", string(workflow.DocInvoice), 2026); n != stored.Load() {
					t.Errorf("counter %d, %d documents stored", n, stored.Load())
				}
				t.Logf("%s: %d stored, %d guesses, %d came true, %d rendered after the number, %d failed on purpose",
					st.Dialect(), stored.Load(), stats.guesses.Load(), stats.hits.Load(), stats.rerenders.Load(), stats.failures.Load())
				if tc.failures != (stats.failures.Load() > 0) {
					t.Errorf("%d finalisations failed on purpose", stats.failures.Load())
				}
				switch {
				case st.Dialect() != storage.Postgres:
					if stats.guesses.Load() != 0 {
						t.Errorf("%d guesses on %s, which has one writer at a time", stats.guesses.Load(), st.Dialect())
					}
				case !tc.failures:
					if h := stats.hits.Load(); h*2 < stored.Load() {
						t.Errorf("only %d of %d guesses came true: rendering before the lock does not work", h, stored.Load())
					}
				}
			})
		})
	}
}

// TestNumberingGuessesTwoProcesses: two stores (two server processes) number one sequence on one
// PostgreSQL database at once. Their guesses often miss — each process sees only its own
// allocations — and every document must still carry its own gap-free number.
func TestNumberingGuessesTwoProcesses(t *testing.T) {
	t.Parallel()
	url := storagetest.NewPostgresDatabase(t)
	open := func() *storage.Store {
		st, err := storage.Open(bg, storage.Config{DatabaseURL: url, Logger: storagetest.Logger(t)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a, b := open(), open()
	if _, err := a.Migrate(bg); err != nil {
		t.Fatal(err)
	}
	f := storagetest.Seed(t, a)
	deals := storagetest.CreateDeals(t, a, f.Pipeline, f.Company.ID, f.Rep1, 16)
	ctx, cancel := context.WithTimeout(bg, 2*time.Minute)
	defer cancel()
	var stats guessStats
	const each = 8
	errs := race(len(deals), func(i int) error {
		st := a
		if i%2 == 1 {
			st = b
		}
		for range each {
			if _, err := st.Finalise(ctx, storage.FinaliseRequest{DealID: deals[i].ID, Kind: workflow.DocInvoice, Actor: f.Rep1.Actor(),
				Prepare: guessingPrepare(&stats, nil)}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkNumbered(t, a, deals, len(deals)*each)
	t.Logf("%d guesses, %d came true, %d rendered after the number", stats.guesses.Load(), stats.hits.Load(), stats.rerenders.Load())
}

// TestNumberingPanicGivesTheTicketBack: a Prepare that panics after guessing still gives its
// turn back, so the next finalisation of the sequence does not wait for it (the wait would
// be maxTurnWait, 2 s, for every later finalisation).
func TestNumberingPanicGivesTheTicketBack(t *testing.T) {
	t.Parallel()
	st := storagetest.NewStore(t, storage.Postgres)
	f := storagetest.Seed(t, st)
	deals := storagetest.CreateDeals(t, st, f.Pipeline, f.Company.ID, f.Rep1, 2)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the Prepare's panic did not reach the caller")
			}
		}()
		_, _ = st.Finalise(bg, storage.FinaliseRequest{DealID: deals[0].ID, Kind: workflow.DocInvoice, Actor: f.Rep1.Actor(),
			Prepare: func(ctx context.Context, num *storage.Numbering, _ *storage.Document) (storage.Rendered, error) {
				if _, ok := num.Guess("", 2026); !ok {
					t.Error("no guess offered on PostgreSQL")
				}
				panic("render crashed")
			}})
	}()
	var stats guessStats
	start := time.Now()
	if _, err := st.Finalise(bg, storage.FinaliseRequest{DealID: deals[1].ID, Kind: workflow.DocInvoice, Actor: f.Rep1.Actor(),
		Prepare: guessingPrepare(&stats, nil)}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the next finalisation took %v: it waited for the panicked one's turn", d)
	}
	checkNumbered(t, st, deals, 1)
}
