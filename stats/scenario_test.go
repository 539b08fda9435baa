package stats

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// t0 is Monday 3 March 2025, 09:00 UTC; scenario days count from it.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// march is the period of the scenario: [2025-03-01, 2025-04-01).
var march = Period{From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}

// sim moves real deals through the real store with a hand-set clock.
type sim struct {
	t   *testing.T
	st  *storage.Store
	f   *storagetest.Fixture
	now time.Time
}

func newSim(t *testing.T, st *storage.Store) *sim {
	s := &sim{t: t, st: st, now: t0}
	st.Now = func() time.Time { return s.now }
	s.f = storagetest.Seed(t, st)
	return s
}

func (s *sim) at(day float64) { s.now = t0.Add(time.Duration(day * float64(24*time.Hour))) }

func (s *sim) create(owner storagetest.User, rub, costRub int64, day float64) int64 {
	s.t.Helper()
	s.at(day)
	d, err := s.st.CreateDeal(context.Background(), s.f.Pipeline, workflow.Deal{CompanyID: s.f.Company.ID, OwnerID: owner.ID, Title: "сделка",
		Amount: workflow.Money(rub * 100), Cost: workflow.Money(costRub * 100), Currency: "RUB"}, owner.Actor())
	if err != nil {
		s.t.Fatal(err)
	}
	return d.ID
}

func (s *sim) move(id int64, owner storagetest.User, day float64, action workflow.Action, reason string) {
	s.t.Helper()
	s.at(day)
	ctx := context.Background()
	d, err := s.st.FindDealByID(ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	if action == workflow.ActionAdvance || action == workflow.ActionWin {
		storagetest.ProvideEvidence(s.t, s.st, id, d.Stage, owner.Actor())
	}
	if _, err := s.st.Transition(ctx, id, workflow.Transition{Action: action, Reason: reason}, owner.Actor()); err != nil {
		s.t.Fatalf("deal %d at %s: %s: %v", id, d.Stage, action, err)
	}
}

func (s *sim) adv(id int64, o storagetest.User, day float64) {
	s.move(id, o, day, workflow.ActionAdvance, "")
}

// buildScenario stores the deals of the worked example below and returns the two reps.
//
//	A1 1 000 000 / 700 000   created d0, research →d2, cold call →d5, lost at meeting d15 «перенос/отмена»
//	A2 2 000 000 / 1 500 000 created d1, research →d2, cold call skipped d2, meeting →d12, open at needs
//	A3   500 000 / 400 000   created d3, lost at research d4 «нет потребности»
//	A4   800 000 / 600 000   created d10, research →d14, open at cold call
//	A5 3 000 000 / 2 100 000 created d0, one stage a day, tender skipped, won d14
//	B1 1 000 000 / 800 000   created d0, research →d1, lost at cold call d6 «есть поставщик»
//	B2 1 500 000 / 1 000 000 created d2, research →d4, cold call →d5, meeting →d9, open at needs
//	B3 1 000 000 / 700 000   created 2025-02-20, research →02-25, cold call →d2, lost at meeting d20 «перенос/отмена»
//	B4 1 000 000 / 700 000   created d25, research →d30 (2 April: after the period)
//	B5 1 000 000 / 700 000   created 2025-04-05 (after the period)
func buildScenario(t *testing.T, st *storage.Store) (a, b storagetest.User, s *sim) {
	s = newSim(t, st)
	a, b = s.f.Rep1, s.f.Rep2
	feb20 := -11.0 // 2025-02-20 09:00
	feb25 := -6.0

	a1 := s.create(a, 1_000_000, 700_000, 0)
	a5 := s.create(a, 3_000_000, 2_100_000, 0)
	b1 := s.create(b, 1_000_000, 800_000, 0)
	s.adv(b1, b, 1)
	s.adv(a5, a, 1) // research → cold call
	a2 := s.create(a, 2_000_000, 1_500_000, 1)
	s.adv(a1, a, 2)
	s.adv(a2, a, 2)
	s.move(a2, a, 2, workflow.ActionSkip, "входящая заявка")
	s.adv(a5, a, 2) // cold call → meeting
	b2 := s.create(b, 1_500_000, 1_000_000, 2)
	a3 := s.create(a, 500_000, 400_000, 3)
	s.adv(a5, a, 3) // meeting → needs
	s.move(a3, a, 4, workflow.ActionLose, "нет потребности")
	s.adv(a5, a, 4) // needs → proposal
	s.adv(b2, b, 4)
	s.adv(a1, a, 5)
	s.adv(b2, b, 5)
	s.adv(a5, a, 5) // proposal → dmu
	s.adv(a5, a, 6) // dmu → client card
	b1lose := 6.0
	s.move(b1, b, b1lose, workflow.ActionLose, "есть поставщик")
	s.adv(a5, a, 7) // client card → negotiation
	s.adv(a5, a, 8) // negotiation → tender
	s.move(a5, a, 8, workflow.ActionSkip, "закупка без тендера")
	s.adv(b2, b, 9)
	s.adv(a5, a, 9) // contract → specification
	a4 := s.create(a, 800_000, 600_000, 10)
	s.adv(a5, a, 10) // specification → payment
	s.adv(a5, a, 11) // payment → production
	s.adv(a2, a, 12)
	s.adv(a5, a, 12) // production → shipment
	s.adv(a5, a, 13) // shipment → feedback
	s.adv(a4, a, 14)
	s.move(a5, a, 14, workflow.ActionWin, "")
	s.move(a1, a, 15, workflow.ActionLose, "перенос/отмена")

	b3 := s.create(b, 1_000_000, 700_000, feb20)
	s.adv(b3, b, feb25)
	s.adv(b3, b, 2)
	s.move(b3, b, 20, workflow.ActionLose, "перенос/отмена")
	b4 := s.create(b, 1_000_000, 700_000, 25)
	s.adv(b4, b, 30)
	s.create(b, 1_000_000, 700_000, 33)
	return a, b, s
}

func near(t *testing.T, what string, got Num, want float64) {
	t.Helper()
	if !got.OK() || math.Abs(float64(got)-want) > 1e-6 {
		t.Errorf("%s = %v, want %v", what, float64(got), want)
	}
}

func checkStage(t *testing.T, who string, st *StageStat, entered, advanced, skipped, lost, won, open int) {
	t.Helper()
	if st.Entered != entered || st.Advanced != advanced || st.Skipped != skipped || st.Lost != lost || st.Won != won || st.Open != open {
		t.Errorf("%s %s: entered %d advanced %d skipped %d lost %d won %d open %d; want %d %d %d %d %d %d", who, st.Key,
			st.Entered, st.Advanced, st.Skipped, st.Lost, st.Won, st.Open, entered, advanced, skipped, lost, won, open)
	}
}

func TestFunnelScenario(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		a, b, _ := buildScenario(t, st)
		svc := NewService(st)
		r, err := svc.Funnel(context.Background(), Filter{Period: march})
		if err != nil {
			t.Fatal(err)
		}
		ra, rb := r.Rep(a.ID), r.Rep(b.ID)
		if ra == nil || rb == nil {
			t.Fatalf("reps missing from the report: %+v", r.Reps)
		}

		// Research: entries in March are A1–A5, B1, B2, B4 (B3 entered in February, B5 in
		// April). A3 was lost; the rest advanced, B4 after the period (a cohort by entry).
		team := r.Team.Stage("research")
		checkStage(t, "team", team, 8, 7, 0, 1, 0, 0)
		if team.Conversion != (Ratio{7, 8}) || team.Through != (Ratio{7, 8}) {
			t.Errorf("team research conversion %+v through %+v, want 7/8", team.Conversion, team.Through)
		}
		// Days of the forward exits: A1 2, A2 1, A4 4, A5 1, B1 1, B2 2, B4 5 → 1 1 1 2 2 4 5.
		// Median: the 4th value, 2. P90: position 0.9·6 = 5.4 → 4 + 0.4·(5 − 4) = 4.4.
		if team.Days.N != 7 {
			t.Errorf("team research days n = %d, want 7", team.Days.N)
		}
		near(t, "team research median", team.Days.Median, 2)
		near(t, "team research p90", team.Days.P90, 4.4)
		// To won: of the 8 deals, A5 is won; A1, A3, B1 are lost; the rest are open → 1/4.
		if team.ToWon != (Ratio{1, 4}) {
			t.Errorf("team research to won %+v, want 1/4", team.ToWon)
		}
		if team.EnteredAmount != workflow.Money((1_000_000+2_000_000+500_000+800_000+3_000_000+1_000_000+1_500_000+1_000_000)*100) {
			t.Errorf("team research entered amount %s", team.EnteredAmount)
		}
		if len(team.LostReasons) != 1 || team.LostReasons[0] != (ReasonCount{"нет потребности", 1}) {
			t.Errorf("team research reasons %+v", team.LostReasons)
		}
		// Rep A: 1 1 2 4 → median 1.5; P90 position 2.7 → 2 + 0.7·2 = 3.4.
		sa := ra.Stage("research")
		checkStage(t, "A", sa, 5, 4, 0, 1, 0, 0)
		near(t, "A research median", sa.Days.Median, 1.5)
		near(t, "A research p90", sa.Days.P90, 3.4)
		// Rep B: 1 2 5 → median 2; P90 position 1.8 → 2 + 0.8·3 = 4.4.
		sb := rb.Stage("research")
		checkStage(t, "B", sb, 3, 3, 0, 0, 0, 0)
		near(t, "B research median", sb.Days.Median, 2)
		near(t, "B research p90", sb.Days.P90, 4.4)

		// Cold call: A1 (→d5), A2 (skipped), A4 (open), A5 (→d2), B1 (lost), B2 (→d5); B3 entered
		// in February. Conversion 3/4, through 4/5; days 3 1 1 → median 1, P90 1 + 0.8·2 = 2.6.
		cc := r.Team.Stage("cold_call")
		checkStage(t, "team", cc, 6, 3, 1, 1, 0, 1)
		if cc.Conversion != (Ratio{3, 4}) || cc.Through != (Ratio{4, 5}) {
			t.Errorf("team cold call conversion %+v through %+v", cc.Conversion, cc.Through)
		}
		near(t, "team cold call median", cc.Days.Median, 1)
		near(t, "team cold call p90", cc.Days.P90, 2.6)
		if len(cc.LostReasons) != 1 || cc.LostReasons[0].Reason != "есть поставщик" {
			t.Errorf("cold call reasons %+v", cc.LostReasons)
		}

		// Meeting: A1 lost, A2 →10 d, A5 →1 d, B2 →4 d, B3 (entered 5 March) lost → 3/5;
		// days 1 4 10 → median 4, P90 4 + 0.8·6 = 8.8; two «перенос/отмена».
		mt := r.Team.Stage("meeting")
		checkStage(t, "team", mt, 5, 3, 0, 2, 0, 0)
		near(t, "team meeting median", mt.Days.Median, 4)
		near(t, "team meeting p90", mt.Days.P90, 8.8)
		if len(mt.LostReasons) != 1 || mt.LostReasons[0] != (ReasonCount{"перенос/отмена", 2}) {
			t.Errorf("meeting reasons %+v", mt.LostReasons)
		}
		checkStage(t, "A", ra.Stage("meeting"), 3, 2, 0, 1, 0, 0)
		checkStage(t, "B", rb.Stage("meeting"), 2, 1, 0, 1, 0, 0)

		// Tender: only A5 entered, and skipped it. Feedback: A5 won after 1 day.
		checkStage(t, "team", r.Team.Stage("tender"), 1, 0, 1, 0, 0, 0)
		fb := r.Team.Stage("feedback")
		checkStage(t, "team", fb, 1, 0, 0, 0, 1, 0)
		if fb.Conversion != (Ratio{1, 1}) {
			t.Errorf("feedback conversion %+v", fb.Conversion)
		}

		// Deals closed in March: A5 won; A1, A3, B1, B3 lost. Turnover 3 M, profit 0.9 M.
		d := r.Team.Deals
		if d.Won != 1 || d.Lost != 4 || d.WinRate != (Ratio{1, 5}) {
			t.Errorf("team deals %+v", d)
		}
		if d.Turnover != 300_000_000 || d.Profit != 90_000_000 || d.AvgProfit != 90_000_000 {
			t.Errorf("team turnover %s profit %s avg %s", d.Turnover, d.Profit, d.AvgProfit)
		}
		near(t, "team margin", d.Margin, 0.3)
		near(t, "team cycle", d.Cycle.Median, 14)
		if ra.Deals.Won != 1 || ra.Deals.Lost != 2 || rb.Deals.Won != 0 || rb.Deals.Lost != 2 {
			t.Errorf("rep deals A %+v B %+v", ra.Deals, rb.Deals)
		}
		if r.Team.Deals.Created != 8 || ra.Deals.Created != 5 || rb.Deals.Created != 3 {
			t.Errorf("created team %d A %d B %d, want 8 5 3", r.Team.Deals.Created, ra.Deals.Created, rb.Deals.Created)
		}

		// Activity: the cold-call calls of A1, A5, B2 and B3 (2 March… all in March) and A5's
		// meeting with the decision maker; A5's proposal.
		if ra.Activity.Calls != 2 || ra.Activity.Meetings != 1 || ra.Activity.Proposals != 1 || rb.Activity.Calls != 2 {
			t.Errorf("activity A %+v B %+v", ra.Activity, rb.Activity)
		}
		// B's first deal is older than the period: all 31 days count → 2 / (31/7) calls a week.
		near(t, "B calls per week", rb.Activity.CallsPerWeek, 2/(31.0/7))
		// A started on 3 March 09:00: 28 days 15 hours.
		weeksA := march.To.Sub(t0).Hours() / 24 / 7
		near(t, "A calls per week", ra.Activity.CallsPerWeek, 2/weeksA)

		// March: 8 deals created (B3 in February, B5 in April), 1 won, 4 lost.
		if len(r.Team.Months) != 1 || r.Team.Months[0] != (Month{Month: "2025-03", Created: 8, Won: 1, Lost: 4, Turnover: 300_000_000, Profit: 90_000_000}) {
			t.Errorf("months %+v", r.Team.Months)
		}

		// The visits the database keeps are the events' visits, one for one.
		if n, err := svc.CheckVisits(context.Background()); err != nil || n != 0 {
			t.Errorf("stat_stage_visits differs from the events in %d visits (%v)", n, err)
		}
		if n, err := svc.CheckActivity(context.Background()); err != nil || n != 0 {
			t.Errorf("stat_activity_days differs from the activities in %d counts (%v)", n, err)
		}
		var visits int
		st.DB().Raw("SELECT COUNT(*) FROM stat_stage_visits").Scan(&visits)
		if visits == 0 {
			t.Error("no stage visits kept")
		}

		// Restricting to rep B gives B's figures and a team of B alone.
		rbOnly, err := svc.Funnel(context.Background(), Filter{Period: march, RepIDs: []int64{b.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rbOnly.Reps) != 1 || rbOnly.Team.Stage("research").Entered != 3 || rbOnly.Team.Stage("meeting").Lost != 1 {
			t.Errorf("rep filter: %d reps, research %+v", len(rbOnly.Reps), rbOnly.Team.Stage("research"))
		}
		// A deal-size segment: deals of at least 1.5 M are A2, A5 and B2.
		seg, err := svc.Funnel(context.Background(), Filter{Period: march, MinAmount: 1_500_000_00})
		if err != nil {
			t.Fatal(err)
		}
		if got := seg.Team.Stage("research").Entered; got != 3 {
			t.Errorf("segment ≥ 1.5 M: research entered %d, want 3", got)
		}
		// Activity of that segment counts only calls on those deals: A5's cold call (A) and
		// B2's (B); A1 and B3 are smaller deals.
		if ra, rb := seg.Rep(a.ID), seg.Rep(b.ID); ra.Activity.Calls != 1 || rb.Activity.Calls != 1 || ra.Activity.Proposals != 1 {
			t.Errorf("segment activity: A %+v, B %+v", ra.Activity, rb.Activity)
		}

		// A deal handed to another rep, or re-priced, carries its visits along.
		if err := st.DB().Exec("UPDATE deals SET owner_id = ?, amount = amount + 100 WHERE id = (SELECT MIN(id) FROM deals)", b.ID).Error; err != nil {
			t.Fatal(err)
		}
		if n, err := svc.CheckVisits(context.Background()); err != nil || n != 0 {
			t.Errorf("after a change of owner: %d visits differ (%v)", n, err)
		}
	})
}

func TestNormsAndGapsScenario(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		a, b, _ := buildScenario(t, st)
		svc := NewService(st)
		ctx := context.Background()
		r, err := svc.Funnel(ctx, Filter{Period: march})
		if err != nil {
			t.Fatal(err)
		}
		// Top 1 by profit, no tenure or size threshold: only A won a deal, so A alone is the
		// reference group and B is not eligible.
		p := NormParams{Measure: MeasureProfit, Group: GroupTop, TopN: 1, MinN: 1, MinTenureDays: 0, Prior: 10, Cap: 0.98}
		ns := ComputeNorms(r, p)
		if len(ns.Reference) != 1 || ns.Reference[0] != a.ID {
			t.Fatalf("reference %v, want [%d]", ns.Reference, a.ID)
		}
		if ns.Ranking[0].Rep.ID != a.ID || ns.Ranking[0].RankProfit != 1 || ns.Ranking[1].Eligible {
			t.Errorf("ranking %+v", ns.Ranking)
		}
		// Research: A 4 of 5, team 7/8 → (4 + 10·0.875)/(5 + 10) = 0.85.
		near(t, "research norm", ns.Stage("research").Conversion, 0.85)
		if ns.Stage("research").Method != MethodMedianBest {
			t.Errorf("research method %s", ns.Stage("research").Method)
		}
		// Cold call: A 2 of 2, team 3/4 → (2 + 7.5)/12; through = 1/5 skipped + 4/5·norm.
		cc := 9.5 / 12
		near(t, "cold call norm", ns.Stage("cold_call").Conversion, cc)
		near(t, "cold call through", ns.Stage("cold_call").Through, 0.2+0.8*cc)
		// Meeting: A 2 of 3, team 3/5 → (2 + 6)/13.
		mt := 8.0 / 13
		near(t, "meeting norm", ns.Stage("meeting").Conversion, mt)
		// Feedback: A 1 of 1, team 1/1 → 1, capped at 0.98.
		if fb := ns.Stage("feedback"); !fb.Capped || float64(fb.Conversion) != 0.98 {
			t.Errorf("feedback norm %v capped %v", fb.Conversion, fb.Capped)
		}
		// Time: A's median days in research 1.5; activity: A's own weekly figures.
		near(t, "research days norm", ns.Stage("research").Days, 1.5)
		near(t, "calls norm", ns.Activity.CallsPerWeek, float64(r.Rep(a.ID).Activity.CallsPerWeek))
		if ns.AvgProfit != 90_000_000 {
			t.Errorf("avg profit %s", ns.AvgProfit)
		}

		// B's gaps. B won nothing, so a lost deal is worth the team's average profit, 900 000.
		g := Gaps(r, r.Rep(b.ID), ns)
		gcc := g.Stages[1]
		// Cold call: 1 of 2 = 0.5 against cc: gap (0.5 − cc)·100 pp; Wilson(1, 2) ≈ [0.0945, 0.9055]
		// contains the norm, so not significant; lost beyond = 2·(cc − 0.5).
		near(t, "B cold call gap", gcc.GapPP, (0.5-cc)*100)
		near(t, "B cold call lo", gcc.Lo, 0.09453120573)
		if gcc.Significant {
			t.Error("B cold call: 1 of 2 cannot be significant")
		}
		near(t, "B cold call lost beyond", gcc.LostBeyond, 2*(cc-0.5))
		// Downstream of the cold call: B's meeting through 1/2; later stages B never decided,
		// so the team's, all 1 (A5 went through, B2 and A2 are open at needs) → 0.5.
		near(t, "B cold call downstream", gcc.Downstream, 0.5)
		wantCC := math.Round(2 * (cc - 0.5) * 0.5 * 90_000_000)
		if float64(gcc.Value) != wantCC {
			t.Errorf("B cold call value %d, want %.0f", gcc.Value, wantCC)
		}
		// Meeting: 1 of 2 against 8/13 → lost beyond 2·(8/13 − 0.5) = 0.2308, downstream 1
		// → 207 692.31 ₽, less than the cold call's 262 500 ₽.
		gm := g.Stages[2]
		near(t, "B meeting lost beyond", gm.LostBeyond, 2*(mt-0.5))
		wantM := math.Round(2 * (mt - 0.5) * 1 * 90_000_000)
		if float64(gm.Value) != wantM {
			t.Errorf("B meeting value %d, want %.0f", gm.Value, wantM)
		}
		// Research: B 3/3 is above the norm: no loss.
		if g.Stages[0].Below() || g.Stages[0].Value != 0 {
			t.Errorf("B research gap %+v", g.Stages[0])
		}
		if w := g.WorstStage(); w == nil || w.Stage != "cold_call" {
			t.Fatalf("B's costliest stage %+v, want cold_call", w)
		}
		want := "теряет больше всего на этапе «Холодный звонок»: конверсия 50\u00a0% при норме 79\u00a0% (−29 п. п., на такой выборке отставание может быть случайным; 1 из 2). Сверх нормы потеряно ≈ 0,6\u00a0сделки — это ≈ 262\u00a0тыс. ₽ маржи. Главная причина проигрышей — «есть поставщик»: 1 из 1."
		if !containsStr(g.Sentence.Ru, want) {
			t.Errorf("sentence:\n%s\nwant it to contain:\n%s", g.Sentence.Ru, want)
		}

		// A snapshot keeps the norms; an adjustment is recorded and applied.
		saved, err := svc.SaveNorms(ctx, ns, s0(t, st), "март")
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := svc.LoadNorms(ctx, saved.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A saved norm is kept to four decimals (0.01 %).
		near(t, "saved meeting norm", loaded.Stage("meeting").Conversion, math.Round(mt*1e4)/1e4)
		adj, err := svc.AdjustNorm(ctx, saved.ID, "meeting", MetricConversion, 0.7, "цель на квартал", s0(t, st))
		if err != nil {
			t.Fatal(err)
		}
		if m := adj.Stage("meeting"); float64(m.Conversion) != 0.7 || m.Method != MethodManual || len(adj.Adjustments) != 1 {
			t.Errorf("adjusted %+v, %d adjustments", m, len(adj.Adjustments))
		}
		near(t, "adjustment old value", adj.Adjustments[0].OldValue, math.Round(mt*1e4)/1e4)
		if _, err := svc.AdjustNorm(ctx, saved.ID, "meeting", MetricConversion, 1.5, "x", s0(t, st)); workflow.Code(err) != workflow.EINVALID {
			t.Errorf("a conversion of 1.5: %v", err)
		}
		if _, err := svc.AdjustNorm(ctx, saved.ID, "meeting", MetricConversion, 0.5, " ", s0(t, st)); workflow.Code(err) != workflow.EINVALID {
			t.Errorf("no reason: %v", err)
		}
		if _, err := svc.AdjustNorm(ctx, saved.ID+100, "meeting", MetricConversion, 0.5, "x", s0(t, st)); workflow.Code(err) != workflow.ENOTFOUND {
			t.Errorf("unknown set: %v", err)
		}
		// The record cannot be rewritten.
		if err := st.DB().Exec("UPDATE stat_norm_adjustments SET new_value = 0.1").Error; err == nil {
			t.Error("an adjustment was updated")
		}
		list, err := svc.ListNorms(ctx, 10)
		if err != nil || len(list) != 1 || list[0].Adjusted != 1 || list[0].Note != "март" || !list[0].Period.From.Equal(march.From) {
			t.Errorf("list %+v, %v", list, err)
		}
		latest, err := svc.LatestNorms(ctx)
		if err != nil || latest == nil || latest.ID != saved.ID || float64(latest.Stage("meeting").Conversion) != 0.7 {
			t.Errorf("latest %+v, %v", latest, err)
		}
	})
}

// s0 returns the manager's id of the seeded fixture.
func s0(t *testing.T, st *storage.Store) int64 {
	t.Helper()
	u, err := st.FindUserByEmail(context.Background(), "manager@example.ru")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func containsStr(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestWilsonKnownValues(t *testing.T) {
	// Reference values of the Wilson score interval at 95 %: 1 of 10 → [0.0179, 0.4042];
	// 0 of 10 → [0, 0.2775]; 10 of 10 → [0.7225, 1]; 50 of 100 → [0.4038, 0.5962].
	cases := []struct {
		x, n   int
		lo, hi float64
	}{{1, 10, 0.0179, 0.4042}, {0, 10, 0, 0.2775}, {10, 10, 0.7225, 1}, {50, 100, 0.4038, 0.5962}}
	for _, c := range cases {
		lo, hi := Wilson(c.x, c.n, Z95)
		if math.Abs(lo-c.lo) > 5e-5 || math.Abs(hi-c.hi) > 5e-5 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", c.x, c.n, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := Wilson(0, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("Wilson(0, 0) = [%v, %v]", lo, hi)
	}
}
