package storage_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

func TestDealCreateAndFind(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		fixed := time.Date(2026, 3, 1, 9, 30, 15, 123456789, time.UTC)
		st.Now = func() time.Time { return fixed }
		d, err := st.CreateDeal(bg, f.Pipeline, workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "  Поставка компрессоров ",
			Amount: 1_500_000_00, Cost: 1_100_000_00, Currency: "RUB"}, f.Rep1.Actor())
		if err != nil {
			t.Fatal(err)
		}
		want := workflow.Deal{ID: d.ID, CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "Поставка компрессоров", Amount: 1_500_000_00,
			Cost: 1_100_000_00, Currency: "RUB", PipelineID: f.Pipeline.ID, Stage: "research", Status: workflow.StatusOpen, Version: 1,
			StageEnteredAt: fixed.Truncate(time.Microsecond), CreatedAt: fixed.Truncate(time.Microsecond), UpdatedAt: fixed.Truncate(time.Microsecond)}
		if !dealEqual(d, want) {
			t.Fatalf("created deal = %+v\nwant %+v", d, want)
		}
		got, err := st.FindDealByID(bg, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !dealEqual(got, want) {
			t.Fatalf("deal read back = %+v\nwant %+v", got, want)
		}
		evs, err := st.FindEvents(bg, d.ID)
		if err != nil || len(evs) != 1 || evs[0].Kind != workflow.EventCreated || evs[0].ToStage != "research" || evs[0].Seq != 1 {
			t.Fatalf("events after create = %+v, %v; want one deal_created into research", evs, err)
		}
		var payload map[string]any
		if err := json.Unmarshal(evs[0].Payload, &payload); err != nil || payload["amount"] != "1500000.00" || payload["pipeline_sha256"] != f.Pipeline.SHA256 {
			t.Fatalf("deal_created payload = %s (%v); want the amount as a decimal string and the pipeline hash", evs[0].Payload, err)
		}

		if _, err := st.FindDealByID(bg, d.ID+1000); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("unknown deal: %v, want ENOTFOUND", err)
		}
		for _, tc := range []struct {
			name  string
			deal  workflow.Deal
			field string
		}{
			{"no title", workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Currency: "RUB"}, "title"},
			{"unknown company", workflow.Deal{CompanyID: f.Company.ID + 1000, OwnerID: f.Rep1.ID, Title: "x", Currency: "RUB"}, "company_id"},
			{"negative amount", workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "x", Amount: -1, Currency: "RUB"}, "amount"},
			{"unknown currency", workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "x", Currency: "XXX"}, "currency"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := st.CreateDeal(bg, f.Pipeline, tc.deal, f.Rep1.Actor())
				wantCode(t, err, workflow.EINVALID, tc.field)
			})
		}
		if _, total, _ := st.FindDeals(bg, storage.DealFilter{}); total != 1 {
			t.Fatalf("refused creations stored deals: total %d, want 1", total)
		}
	})
}

// dealEqual compares deals, times by instant.
func dealEqual(a, b workflow.Deal) bool {
	ta := []time.Time{a.StageEnteredAt, a.CreatedAt, a.UpdatedAt}
	tb := []time.Time{b.StageEnteredAt, b.CreatedAt, b.UpdatedAt}
	for i := range ta {
		if !ta[i].Equal(tb[i]) {
			return false
		}
	}
	if (a.ClosedAt == nil) != (b.ClosedAt == nil) || a.ClosedAt != nil && !a.ClosedAt.Equal(*b.ClosedAt) {
		return false
	}
	a.StageEnteredAt, a.CreatedAt, a.UpdatedAt, a.ClosedAt = time.Time{}, time.Time{}, time.Time{}, nil
	b.StageEnteredAt, b.CreatedAt, b.UpdatedAt, b.ClosedAt = time.Time{}, time.Time{}, time.Time{}, nil
	return a == b
}

func TestFindDealsFiltersAndPages(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		company2 := storagetest.CreateCompany(t, st, f.Rep2.ID)
		var rep1Deals, rep2Deals []int64
		for i := range 7 {
			d := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, fmt.Sprintf("rep1 #%d", i))
			rep1Deals = append(rep1Deals, d.ID)
		}
		for i := range 3 {
			d := storagetest.CreateDeal(t, st, f.Pipeline, company2.ID, f.Rep2, fmt.Sprintf("rep2 #%d", i))
			rep2Deals = append(rep2Deals, d.ID)
		}
		// rep1's first two deals move on to cold_call; the third is lost.
		for _, id := range rep1Deals[:2] {
			if _, err := st.Transition(bg, id, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: 1}, f.Rep1.Actor()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.Transition(bg, rep1Deals[2], workflow.Transition{Action: workflow.ActionLose, Reason: "нет бюджета", ExpectedVersion: 1}, f.Rep1.Actor()); err != nil {
			t.Fatal(err)
		}
		desc := func(ids ...int64) []int64 {
			out := slices.Clone(ids)
			slices.Sort(out)
			slices.Reverse(out)
			return out
		}
		all := desc(append(slices.Clone(rep1Deals), rep2Deals...)...)
		for _, tc := range []struct {
			name   string
			filter storage.DealFilter
			ids    []int64
			total  int64
		}{
			{"all, newest first", storage.DealFilter{}, all, 10},
			{"owner rep1", storage.DealFilter{OwnerID: &f.Rep1.ID}, desc(rep1Deals...), 7},
			{"owner rep2", storage.DealFilter{OwnerID: &f.Rep2.ID}, desc(rep2Deals...), 3},
			{"company 2", storage.DealFilter{CompanyID: &company2.ID}, desc(rep2Deals...), 3},
			{"stage cold_call", storage.DealFilter{Stage: "cold_call"}, desc(rep1Deals[:2]...), 2},
			{"status lost", storage.DealFilter{Status: "lost"}, []int64{rep1Deals[2]}, 1},
			{"rep1 open at research", storage.DealFilter{OwnerID: &f.Rep1.ID, Stage: "research", Status: "open"}, desc(rep1Deals[3:]...), 4},
			{"first page", storage.DealFilter{Limit: 4}, all[:4], 10},
			{"second page", storage.DealFilter{Limit: 4, Offset: 4}, all[4:8], 10},
			{"last page", storage.DealFilter{Limit: 4, Offset: 8}, all[8:], 10},
			{"beyond the end", storage.DealFilter{Limit: 4, Offset: 40}, nil, 10},
			{"no match", storage.DealFilter{Stage: "payment"}, nil, 0},
		} {
			items, total, err := st.FindDeals(bg, tc.filter)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var ids []int64
			for _, d := range items {
				ids = append(ids, d.ID)
			}
			if !slices.Equal(ids, tc.ids) || total != tc.total {
				t.Errorf("%s: ids %v total %d; want %v total %d", tc.name, ids, total, tc.ids, tc.total)
			}
		}
	})
}

// TestWholePipelineToWon walks a deal through every stage of the default pipeline with all
// the evidence, trying each stage first without it.
func TestWholePipelineToWon(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		d := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "Поставка компрессоров")
		events := int64(1)
		actor := f.Rep1.Actor()
		for i, stage := range f.Pipeline.Stages {
			if d.Stage != stage.Key {
				t.Fatalf("deal is at %q, want %q", d.Stage, stage.Key)
			}
			last := i == len(f.Pipeline.Stages)-1
			action := workflow.ActionAdvance
			if last {
				action = workflow.ActionWin
			}
			tr := workflow.Transition{Action: action, ExpectedVersion: d.Version}
			if stage.Key != "research" {
				_, err := st.Transition(bg, d.ID, tr, actor)
				var me *workflow.MissingEvidenceError
				if !errors.As(err, &me) || me.Stage != stage.Key || len(me.Missing) == 0 {
					t.Fatalf("%s without evidence: %v, want missing evidence", stage.Key, err)
				}
				assertUnchanged(t, st, d, events)
			}
			events += int64(storagetest.ProvideEvidence(t, st, d.ID, stage.Key, actor))
			cur, err := st.FindDealByID(bg, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cur.Version != d.Version {
				t.Fatalf("activities and facts changed the deal's version: %d → %d", d.Version, cur.Version)
			}
			nd, err := st.Transition(bg, d.ID, tr, actor)
			if err != nil {
				t.Fatalf("%s %s: %v", action, stage.Key, err)
			}
			events++
			if nd.Version != d.Version+1 {
				t.Fatalf("%s: version %d → %d, want +1", stage.Key, d.Version, nd.Version)
			}
			if last {
				if nd.Status != workflow.StatusWon || nd.ClosedAt == nil || nd.Stage != stage.Key {
					t.Fatalf("after win: %+v; want won at %s with closed_at", nd, stage.Key)
				}
			} else if want := f.Pipeline.Stages[i+1].Key; nd.Stage != want || nd.Status != workflow.StatusOpen {
				t.Fatalf("after %s: stage %q status %s; want %q open", stage.Key, nd.Stage, nd.Status, want)
			}
			d = nd
		}
		got, err := st.FindDealByID(bg, d.ID)
		if err != nil || !dealEqual(got, d) {
			t.Fatalf("won deal read back = %+v, %v\nwant %+v", got, err, d)
		}
		if d.Version != int64(1+len(f.Pipeline.Stages)) {
			t.Fatalf("final version %d, want %d", d.Version, 1+len(f.Pipeline.Stages))
		}

		evs, err := st.FindEvents(bg, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(evs)) != events {
			t.Fatalf("%d events, want %d", len(evs), events)
		}
		if err := workflow.VerifyChain(evs); err != nil {
			t.Fatalf("chain read back from the database does not verify: %v", err)
		}
		left := map[string]int{}
		for _, e := range evs {
			if e.Kind == workflow.EventTransition {
				left[e.FromStage]++
				if e.ActorID != f.Rep1.ID {
					t.Errorf("transition event %d by actor %d, want %d", e.Seq, e.ActorID, f.Rep1.ID)
				}
			}
		}
		for _, stage := range f.Pipeline.Stages {
			if left[stage.Key] != 1 {
				t.Errorf("stage %s was left by %d transition events, want exactly 1", stage.Key, left[stage.Key])
			}
		}
		if lastEv := evs[len(evs)-1]; lastEv.Action != workflow.ActionWin || lastEv.FromStage != "feedback" {
			t.Fatalf("last event = %+v, want the win from feedback", lastEv)
		}

		// A closed deal refuses everything and keeps its chain.
		_, err = st.Transition(bg, d.ID, workflow.Transition{Action: workflow.ActionLose, Reason: "поздно", ExpectedVersion: d.Version}, actor)
		wantCode(t, err, workflow.EINVALID, "action")
		_, err = st.AddActivity(bg, storage.Activity{DealID: d.ID, Kind: workflow.ActivityCall}, actor)
		wantCode(t, err, workflow.EINVALID, "deal")
		_, err = st.AddFact(bg, storage.Fact{DealID: d.ID, Kind: workflow.FactFeedback, Data: json.RawMessage(`{}`)}, actor)
		wantCode(t, err, workflow.EINVALID, "deal")
		assertUnchanged(t, st, d, events)
	})
}

// assertUnchanged checks that the deal is stored exactly as d with n events.
func assertUnchanged(t *testing.T, st *storage.Store, d workflow.Deal, n int64) {
	t.Helper()
	got, err := st.FindDealByID(bg, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !dealEqual(got, d) {
		t.Fatalf("a refused request changed the deal:\n got %+v\nwant %+v", got, d)
	}
	if c, err := st.CountEvents(bg, d.ID); err != nil || c != n {
		t.Fatalf("a refused request left events: %d, %v; want %d", c, err, n)
	}
}

func TestRefusalsLeaveNoTrace(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		d := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "отказы")
		d, err := st.Transition(bg, d.ID, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: 1}, f.Rep1.Actor())
		if err != nil {
			t.Fatal(err)
		}
		// The deal is at cold_call (optional, needs a call), version 2, with 2 events.
		v := d.Version
		for _, tc := range []struct {
			name  string
			tr    workflow.Transition
			actor workflow.Actor
			code  workflow.ErrorCode
			field string
		}{
			{"missing evidence", workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: v}, f.Rep1.Actor(), workflow.EMISSING, ""},
			{"missing evidence, no version", workflow.Transition{Action: workflow.ActionAdvance}, f.Rep1.Actor(), workflow.EMISSING, ""},
			{"stale version", workflow.Transition{Action: workflow.ActionSkip, Reason: "r", ExpectedVersion: v - 1}, f.Rep1.Actor(), workflow.ECONFLICT, "expected_version"},
			{"future version", workflow.Transition{Action: workflow.ActionSkip, Reason: "r", ExpectedVersion: v + 1}, f.Rep1.Actor(), workflow.ECONFLICT, "expected_version"},
			{"skip without reason", workflow.Transition{Action: workflow.ActionSkip, ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "reason"},
			{"lose without reason", workflow.Transition{Action: workflow.ActionLose, ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "reason"},
			{"win before the last stage", workflow.Transition{Action: workflow.ActionWin, ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "action"},
			{"unknown action", workflow.Transition{Action: "teleport", ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "action"},
			{"no action", workflow.Transition{ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "action"},
			{"unknown target", workflow.Transition{Action: workflow.ActionSkip, To: "nowhere", Reason: "r", ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "to"},
			{"backwards", workflow.Transition{Action: workflow.ActionSkip, To: "research", Reason: "r", ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "to"},
			{"jump over a mandatory stage", workflow.Transition{Action: workflow.ActionSkip, To: "proposal", Reason: "r", ExpectedVersion: v}, f.Rep1.Actor(), workflow.EINVALID, "to"},
			{"auditor", workflow.Transition{Action: workflow.ActionSkip, Reason: "r", ExpectedVersion: v}, f.Auditor.Actor(), workflow.EFORBIDDEN, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := st.Transition(bg, d.ID, tc.tr, tc.actor)
				wantCode(t, err, tc.code, tc.field)
				assertUnchanged(t, st, d, 2)
			})
		}
		t.Run("unknown deal", func(t *testing.T) {
			_, err := st.Transition(bg, d.ID+1000, workflow.Transition{Action: workflow.ActionLose, Reason: "r"}, f.Rep1.Actor())
			wantCode(t, err, workflow.ENOTFOUND, "")
		})
		t.Run("bad activity and fact", func(t *testing.T) {
			_, err := st.AddActivity(bg, storage.Activity{DealID: d.ID, Kind: "fax"}, f.Rep1.Actor())
			wantCode(t, err, workflow.EINVALID, "kind")
			_, err = st.AddFact(bg, storage.Fact{DealID: d.ID, Kind: workflow.FactNeeds, Data: json.RawMessage(`[1,2]`)}, f.Rep1.Actor())
			wantCode(t, err, workflow.EINVALID, "data")
			_, err = st.AddFact(bg, storage.Fact{DealID: d.ID, Kind: "gossip", Data: json.RawMessage(`{}`)}, f.Rep1.Actor())
			wantCode(t, err, workflow.EINVALID, "kind")
			_, err = st.AddActivity(bg, storage.Activity{DealID: d.ID + 1000, Kind: workflow.ActivityCall}, f.Rep1.Actor())
			wantCode(t, err, workflow.ENOTFOUND, "")
			assertUnchanged(t, st, d, 2)
			if acts, _ := st.FindActivities(bg, d.ID); len(acts) != 0 {
				t.Fatalf("refused activities were stored: %+v", acts)
			}
			if facts, _ := st.FindFacts(bg, d.ID); len(facts) != 0 {
				t.Fatalf("refused facts were stored: %+v", facts)
			}
		})
	})
}

func TestSkipAndLoseAreRecorded(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		d := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "пропуски")
		// advance from research straight to needs: cold_call and meeting are optional and are
		// recorded as skipped on the way.
		d, err := st.Transition(bg, d.ID, workflow.Transition{Action: workflow.ActionAdvance, To: "needs", ExpectedVersion: 1}, f.Rep1.Actor())
		if err != nil || d.Stage != "needs" || d.Version != 2 {
			t.Fatalf("advance to needs: %+v, %v", d, err)
		}
		d, err = st.Transition(bg, d.ID, workflow.Transition{Action: workflow.ActionLose, Reason: "выбрали конкурента", ExpectedVersion: 2}, f.Manager.Actor())
		if err != nil || d.Status != workflow.StatusLost || d.LostReason != "выбрали конкурента" || d.ClosedAt == nil {
			t.Fatalf("lose: %+v, %v", d, err)
		}
		evs, err := st.FindEvents(bg, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		type step struct {
			action   workflow.Action
			from, to string
		}
		var got []step
		for _, e := range evs[1:] {
			got = append(got, step{e.Action, e.FromStage, e.ToStage})
		}
		want := []step{{workflow.ActionAdvance, "research", "cold_call"}, {workflow.ActionSkip, "cold_call", "meeting"},
			{workflow.ActionSkip, "meeting", "needs"}, {workflow.ActionLose, "needs", ""}}
		if !slices.Equal(got, want) {
			t.Fatalf("events %+v, want %+v", got, want)
		}
		if evs[4].Reason != "выбрали конкурента" || evs[4].ActorID != f.Manager.ID {
			t.Fatalf("lose event = %+v, want the reason and the manager", evs[4])
		}
		if err := workflow.VerifyChain(evs); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		d := storagetest.CreateDeal(t, st, f.Pipeline, f.Company.ID, f.Rep1, "неизменяемая история")
		if _, err := st.AddActivity(bg, storage.Activity{DealID: d.ID, Kind: workflow.ActivityCall, Note: "звонок"}, f.Rep1.Actor()); err != nil {
			t.Fatal(err)
		}
		before, err := st.FindEvents(bg, d.ID)
		if err != nil || len(before) != 2 {
			t.Fatalf("events = %d, %v; want 2", len(before), err)
		}
		for _, stmt := range []string{
			"UPDATE events SET reason = 'подделка' WHERE deal_id = ?",
			"UPDATE events SET hash = prev_hash WHERE deal_id = ?",
			"DELETE FROM events WHERE deal_id = ?",
		} {
			res := st.DB().Exec(stmt, d.ID)
			if res.Error == nil {
				t.Errorf("%q succeeded (%d rows); events must be append-only", stmt, res.RowsAffected)
			}
		}
		// Inside a transaction too, and the failure rolls the transaction back.
		err = st.DB().Transaction(func(tx *gorm.DB) error {
			return tx.Exec("DELETE FROM events WHERE deal_id = ?", d.ID).Error
		})
		if err == nil {
			t.Error("DELETE inside a transaction succeeded")
		}
		after, err := st.FindEvents(bg, d.ID)
		if err != nil || !slices.EqualFunc(before, after, func(a, b workflow.Event) bool { return a.Hash == b.Hash && a.Reason == b.Reason }) {
			t.Fatalf("events changed: before %+v\nafter %+v (%v)", before, after, err)
		}
		if err := workflow.VerifyChain(after); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMoneyRoundTripsExactly(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		for _, tc := range []struct {
			amount, cost string
		}{
			{"0.01", "0"},
			{"0.10", "0.09"},
			{"1234.56", "1000.01"},
			{"1500000.00", "1099999.99"},
			{"9999999999999.99", "1234567890123.47"},   // 16 significant digits: beyond a float64's exact decimal range
			{"0.07", "0.03"},                           // 0.07 and 0.03 have no exact float64
			{"10000000000000.00", "10000000000000.00"}, // MaxMoney
		} {
			amount, err := workflow.ParseMoney(tc.amount)
			if err != nil {
				t.Fatal(err)
			}
			var cost workflow.Money
			if tc.cost != "" {
				if cost, err = workflow.ParseMoney(tc.cost); err != nil {
					t.Fatal(err)
				}
			}
			d, err := st.CreateDeal(bg, f.Pipeline, workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: tc.amount, Amount: amount, Cost: cost, Currency: "RUB"}, f.Rep1.Actor())
			if err != nil {
				t.Fatalf("%s: %v", tc.amount, err)
			}
			got, err := st.FindDealByID(bg, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Amount != amount || got.Cost != cost || got.Amount.String() != tc.amount {
				t.Errorf("%s / %s read back as %s (%d) / %s (%d)", tc.amount, tc.cost, got.Amount, int64(got.Amount), got.Cost, int64(got.Cost))
			}
			// The column holds the integer number of kopecks.
			var raw []int64
			if err := st.DB().Raw("SELECT amount FROM deals WHERE id = ?", d.ID).Scan(&raw).Error; err != nil || len(raw) != 1 || raw[0] != int64(amount) {
				t.Errorf("%s: amount column = %v (%v), want %d kopecks", tc.amount, raw, err, int64(amount))
			}
		}
		if int64(workflow.MaxMoney) != 1_000_000_000_000_000 {
			t.Fatalf("MaxMoney changed to %d; update the cases", int64(workflow.MaxMoney))
		}
		_, err := st.CreateDeal(bg, f.Pipeline, workflow.Deal{CompanyID: f.Company.ID, OwnerID: f.Rep1.ID, Title: "too much", Amount: workflow.MaxMoney + 1, Currency: "RUB"}, f.Rep1.Actor())
		wantCode(t, err, workflow.EINVALID, "amount")
	})
}
