package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

const racers = 32

// race starts n goroutines that wait on one gate and then call fn(i) together, and returns
// their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			errs[i] = fn(i)
		}()
	}
	close(gate)
	wg.Wait()
	return errs
}

// TestConcurrentTransitionsOneWins: 32 goroutines move one deal with the same expected_version;
// exactly one succeeds, the others get ECONFLICT, and exactly one event is appended.
func TestConcurrentTransitionsOneWins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tr   func(i int) workflow.Transition
		want string // stage after
	}{
		{"advance", func(int) workflow.Transition {
			return workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: 1}
		}, "cold_call"},
		{"lose", func(i int) workflow.Transition {
			return workflow.Transition{Action: workflow.ActionLose, Reason: fmt.Sprintf("гонка %d", i), ExpectedVersion: 1}
		}, "research"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
				f := storagetest.Seed(t, st)
				d := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "гонка")
				ctx, cancel := context.WithTimeout(bg, time.Minute)
				defer cancel()
				results := make([]workflow.Deal, racers)
				errs := race(racers, func(i int) error {
					var err error
					results[i], err = st.Transition(ctx, d.ID, tc.tr(i), f.Rep1.Actor())
					return err
				})
				won := -1
				for i, err := range errs {
					switch workflow.Code(err) {
					case "":
						if err != nil {
							t.Errorf("racer %d: unclassified error %v", i, err)
							continue
						}
						if won >= 0 {
							t.Errorf("racers %d and %d both succeeded", won, i)
						}
						won = i
					case workflow.ECONFLICT:
					default:
						t.Errorf("racer %d: %v, want success or ECONFLICT", i, err)
					}
				}
				if won < 0 {
					t.Fatal("no racer succeeded")
				}
				evs, err := st.FindEvents(bg, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(evs) != 2 {
					t.Fatalf("%d events after the race, want 2 (created + one transition)", len(evs))
				}
				if err := workflow.VerifyChain(evs); err != nil {
					t.Fatal(err)
				}
				got, err := st.FindDealByID(bg, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Version != 2 || got.Stage != tc.want || got.Version != results[won].Version {
					t.Fatalf("deal after the race: version %d stage %q; want 2, %q", got.Version, got.Stage, tc.want)
				}
				if tc.name == "lose" && (got.LostReason != fmt.Sprintf("гонка %d", won) || evs[1].Reason != got.LostReason) {
					t.Fatalf("stored reason %q and event reason %q, want the winner's (гонка %d)", got.LostReason, evs[1].Reason, won)
				}
			})
		})
	}
}

// TestConcurrentActivitiesKeepTheChain: 32 goroutines log activities on one deal; every one is
// stored and the chain has seq 1..33 without gaps and verifies.
func TestConcurrentActivitiesKeepTheChain(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		d := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "много звонков")
		ctx, cancel := context.WithTimeout(bg, time.Minute)
		defer cancel()
		errs := race(racers, func(i int) error {
			kind := workflow.ActivityKinds[i%len(workflow.ActivityKinds)]
			_, err := st.AddActivity(ctx, storage.Activity{DealID: d.ID, Kind: kind, Note: fmt.Sprintf("действие %d", i)}, f.Rep1.Actor())
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
		}
		evs, err := st.FindEvents(bg, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != racers+1 {
			t.Fatalf("%d events, want %d", len(evs), racers+1)
		}
		notes := map[string]bool{}
		for i, e := range evs {
			if e.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d: the chain has a gap or a duplicate", i, e.Seq)
			}
			if i > 0 {
				notes[string(e.Payload)] = true
			}
		}
		if len(notes) != racers {
			t.Fatalf("%d distinct activity payloads, want %d", len(notes), racers)
		}
		if err := workflow.VerifyChain(evs); err != nil {
			t.Fatal(err)
		}
		acts, err := st.FindActivities(bg, d.ID)
		if err != nil || len(acts) != racers {
			t.Fatalf("%d activities stored (%v), want %d", len(acts), err, racers)
		}
		got, err := st.FindDealByID(bg, d.ID)
		if err != nil || got.Version != 1 {
			t.Fatalf("activities changed the deal version to %d (%v)", got.Version, err)
		}
	})
}

func TestIdempotencyClaimAndComplete(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		uid := f.Rep1.ID
		if _, err := st.FindIdempotent(bg, uid, "k1"); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("unused key: %v, want ENOTFOUND", err)
		}
		resp := storage.IdempotentResponse{RequestHash: "h1", Status: 200, ContentType: "application/json", Body: []byte(`{"id":1,"name":"Ромашка"}`)}

		// A claim whose transaction rolls back leaves nothing.
		err := st.InTx(bg, func(ctx context.Context) error {
			if err := st.ClaimIdempotent(ctx, uid, "k1", "h1"); err != nil {
				return err
			}
			return workflow.Invalid("x", "the request failed")
		})
		if workflow.Code(err) != workflow.EINVALID {
			t.Fatalf("InTx = %v, want the handler's error", err)
		}
		if _, err := st.FindIdempotent(bg, uid, "k1"); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("after rollback: %v, want ENOTFOUND", err)
		}

		// Claim and complete in one transaction.
		err = st.InTx(bg, func(ctx context.Context) error {
			if err := st.ClaimIdempotent(ctx, uid, "k1", "h1"); err != nil {
				return err
			}
			if got, err := st.FindIdempotent(ctx, uid, "k1"); err != nil || got.Status != 0 {
				return fmt.Errorf("inside the claim: %+v, %v; want the placeholder with status 0", got, err)
			}
			return st.CompleteIdempotent(ctx, uid, "k1", resp)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.FindIdempotent(bg, uid, "k1")
		if err != nil || got.RequestHash != resp.RequestHash || got.Status != resp.Status || got.ContentType != resp.ContentType || string(got.Body) != string(resp.Body) {
			t.Fatalf("stored answer = %+v, %v; want %+v", got, err, resp)
		}

		// A second claim of the same (user, key) is a conflict; another user's key is separate.
		err = st.InTx(bg, func(ctx context.Context) error { return st.ClaimIdempotent(ctx, uid, "k1", "h2") })
		wantCode(t, err, workflow.ECONFLICT, "")
		if err := st.InTx(bg, func(ctx context.Context) error { return st.ClaimIdempotent(ctx, f.Rep2.ID, "k1", "h2") }); err != nil {
			t.Fatalf("the same key for another user: %v", err)
		}
		if got, _ := st.FindIdempotent(bg, uid, "k1"); got.RequestHash != "h1" {
			t.Fatalf("a refused claim overwrote the answer: %+v", got)
		}

		// Concurrent claims of one key: exactly one wins.
		errs := race(8, func(int) error {
			return st.InTx(bg, func(ctx context.Context) error {
				if err := st.ClaimIdempotent(ctx, uid, "k2", "h"); err != nil {
					return err
				}
				return st.CompleteIdempotent(ctx, uid, "k2", resp)
			})
		})
		ok := 0
		for i, err := range errs {
			switch workflow.Code(err) {
			case "":
				if err != nil {
					t.Errorf("claimer %d: %v", i, err)
				} else {
					ok++
				}
			case workflow.ECONFLICT:
			default:
				t.Errorf("claimer %d: %v, want success or ECONFLICT", i, err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d concurrent claims succeeded, want 1", ok)
		}

		// Purge removes answers older than the cut-off only.
		n, err := st.PurgeIdempotent(bg, time.Now().Add(-time.Hour))
		if err != nil || n != 0 {
			t.Fatalf("purge of nothing old: %d, %v", n, err)
		}
		n, err = st.PurgeIdempotent(bg, time.Now().Add(time.Hour))
		if err != nil || n != 3 {
			t.Fatalf("purge of everything: %d, %v; want 3", n, err)
		}
		if _, err := st.FindIdempotent(bg, uid, "k1"); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("after purge: %v, want ENOTFOUND", err)
		}
	})
}
