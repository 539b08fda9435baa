package stats

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// Service computes statistics and norms on a store.
type Service struct {
	Store *storage.Store
	// PipelineKey names the pipeline whose stage order and names the reports use (default
	// "corporate").
	PipelineKey string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewService returns a service on store for the default pipeline.
func NewService(store *storage.Store) *Service {
	return &Service{Store: store, PipelineKey: "corporate", Now: time.Now}
}

// Num is a float that encodes as JSON null when it is not a number (an empty ratio) and
// otherwise to four decimals.
type Num float64

// NaN is the Num of a figure that cannot be computed.
var NaN = Num(math.NaN())

// OK reports whether n is a number.
func (n Num) OK() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

// MarshalJSON writes null or the number rounded to four decimals.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.OK() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, math.Round(float64(n)*1e4)/1e4, 'f', -1, 64), nil
}

// UnmarshalJSON reads null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = NaN
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Rep is a person whose deals are counted.
type Rep struct {
	ID    int64         `json:"id"`
	Name  string        `json:"name"`
	Email string        `json:"email,omitempty"`
	Role  workflow.Role `json:"role,omitempty"`
}

// Display is the name shown in reports: the name, or the e-mail when there is none.
func (r Rep) Display() string {
	if strings.TrimSpace(r.Name) != "" {
		return r.Name
	}
	if r.Email != "" {
		return r.Email
	}
	return "#" + strconv.FormatInt(r.ID, 10)
}

// Short is the name for sentences: "Иванов А." for "Иванов Алексей", else Display.
func (r Rep) Short() string {
	f := strings.Fields(r.Name)
	if len(f) >= 2 && isCyrillicWord(f[0]) && isCyrillicWord(f[1]) {
		return f[0] + " " + string([]rune(f[1])[:1]) + "."
	}
	return r.Display()
}

func isCyrillicWord(s string) bool {
	for _, r := range s {
		if !(r >= 'А' && r <= 'я' || r == 'ё' || r == 'Ё' || r == '-') {
			return false
		}
	}
	return s != ""
}

// ReasonCount is how many visits of a stage were lost with one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	N      int    `json:"n"`
}

// StageStat is one stage's figures for a rep or the team.
type StageStat struct {
	Key       string         `json:"stage"`
	Name      workflow.Names `json:"name"`
	Index     int            `json:"index"` // 0-based position in the pipeline
	Skippable bool           `json:"skippable"`

	Entered       int            `json:"entered"`
	EnteredAmount workflow.Money `json:"entered_amount"`
	Advanced      int            `json:"advanced"`
	Skipped       int            `json:"skipped"`
	Lost          int            `json:"lost"`
	Won           int            `json:"won"`
	Open          int            `json:"open"`
	LostReasons   []ReasonCount  `json:"lost_reasons"`

	// Conversion = (advanced + won) / (advanced + won + lost).
	Conversion Ratio `json:"conversion"`
	// Through = (advanced + won + skipped) / (advanced + won + skipped + lost).
	Through Ratio `json:"through"`
	// ToWon = deals now won / deals now won or lost, among the stage's entries.
	ToWon Ratio `json:"to_won"`
	// Days in the stage of the visits that left it forward.
	Days Quantiles `json:"days"`

	wonDeals, lostDeals int
}

// Passed is advanced + won: the visits that left the stage forward with its evidence.
func (s StageStat) Passed() int { return s.Advanced + s.Won }

// Decided is passed + lost: the denominator of the conversion.
func (s StageStat) Decided() int { return s.Passed() + s.Lost }

// DealStats are the deals a rep (or the team) closed in the period.
type DealStats struct {
	Created  int            `json:"created"` // deals created in the period
	Won      int            `json:"won"`
	Lost     int            `json:"lost"`
	WinRate  Ratio          `json:"win_rate"` // won / (won + lost)
	Turnover workflow.Money `json:"turnover"` // Σ amount of won deals, excl. VAT
	Cost     workflow.Money `json:"cost"`
	Profit   workflow.Money `json:"profit"` // turnover − cost
	Margin   Num            `json:"margin"` // profit / turnover
	AvgDeal  workflow.Money `json:"avg_deal"`
	// AvgProfit is the average profit of a won deal.
	AvgProfit workflow.Money `json:"avg_profit"`
	Cycle     Quantiles      `json:"cycle_days"` // created → won
}

// ActivityStats is what a rep logged in the period, and per week of their time in it.
type ActivityStats struct {
	Weeks            Num `json:"weeks"`
	Calls            int `json:"calls"`
	Meetings         int `json:"meetings"`
	Emails           int `json:"emails"`
	Other            int `json:"other"`
	Proposals        int `json:"proposals"`
	CallsPerWeek     Num `json:"calls_per_week"`
	MeetingsPerWeek  Num `json:"meetings_per_week"`
	EmailsPerWeek    Num `json:"emails_per_week"`
	ProposalsPerWeek Num `json:"proposals_per_week"`
}

// Month is one calendar month of deals created and closed.
type Month struct {
	Month    string         `json:"month"` // YYYY-MM
	Created  int            `json:"created"`
	Won      int            `json:"won"`
	Lost     int            `json:"lost"`
	Turnover workflow.Money `json:"turnover"`
	Profit   workflow.Money `json:"profit"`
}

// RepStats is one rep's statistics (Rep.ID 0: the whole team).
type RepStats struct {
	Rep      Rep           `json:"rep"`
	Since    *time.Time    `json:"since,omitempty"` // their first deal ever
	Stages   []StageStat   `json:"stages"`
	Deals    DealStats     `json:"deals"`
	Activity ActivityStats `json:"activity"`
	Months   []Month       `json:"months"`
}

// Stage returns the rep's figures for a stage key.
func (r *RepStats) Stage(key string) *StageStat {
	for i := range r.Stages {
		if r.Stages[i].Key == key {
			return &r.Stages[i]
		}
	}
	return nil
}

// Report is the statistics of a period: the team and every rep.
type Report struct {
	Period   Period        `json:"period"`
	Filter   FilterJSON    `json:"filter"`
	Pipeline PipelineRef   `json:"pipeline"`
	Stages   []StageInfo   `json:"stages"`
	Team     RepStats      `json:"team"`
	Reps     []RepStats    `json:"reps"`
	Computed time.Time     `json:"computed_at"`
	Took     time.Duration `json:"-"`
	// Timings are each query's time, for benchmarks and slow-request logs.
	Timings  []Timing        `json:"-"`
	byID     map[int64]int   // rep id → index in Reps
	stageIdx map[string]int  // stage key → index
	monthSet map[string]bool // months present
}

// FilterJSON is the filter as reports show it.
type FilterJSON struct {
	RepIDs    []int64        `json:"rep_ids,omitempty"`
	MinAmount workflow.Money `json:"min_amount,omitempty"`
	MaxAmount workflow.Money `json:"max_amount,omitempty"`
}

// PipelineRef names the pipeline version whose stages a report lists.
type PipelineRef struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
}

// StageInfo is a stage of the report's pipeline.
type StageInfo struct {
	Key       string         `json:"key"`
	Name      workflow.Names `json:"name"`
	Skippable bool           `json:"skippable"`
}

// Timing is how long one of the report's queries took.
type Timing struct {
	Query string
	Took  time.Duration
}

// Rep returns a rep's statistics, or nil.
func (r *Report) Rep(id int64) *RepStats {
	if i, ok := r.byID[id]; ok {
		return &r.Reps[i]
	}
	return nil
}

// Funnel computes the statistics of the filter's period for the team and every rep.
func (s *Service) Funnel(ctx context.Context, f Filter) (*Report, error) {
	start := time.Now()
	p, err := s.Store.CurrentPipeline(ctx, s.pipelineKey())
	if err != nil {
		return nil, err
	}
	rep := &Report{Period: f.Period, Filter: FilterJSON{RepIDs: f.RepIDs, MinAmount: f.MinAmount, MaxAmount: f.MaxAmount},
		Pipeline: PipelineRef{Key: p.Key, Version: p.Version}, byID: map[int64]int{}, stageIdx: map[string]int{}, monthSet: map[string]bool{}}
	for _, st := range p.Stages {
		rep.stageIdx[st.Key] = len(rep.Stages)
		rep.Stages = append(rep.Stages, StageInfo{Key: st.Key, Name: st.Name, Skippable: st.Skippable})
	}

	var (
		visits []visitRow
		cycles []cycleRow
		owners []ownerRow
		acts   []activityRow
		months []monthRow
	)
	var mu sync.Mutex
	timed := func(name string, q func() error) error {
		t := time.Now()
		err := q()
		mu.Lock()
		rep.Timings = append(rep.Timings, Timing{name, time.Since(t)})
		mu.Unlock()
		return err
	}
	err = s.read(ctx,
		// The stage visits are most of the work; on PostgreSQL they run beside the rest.
		func(db *gorm.DB) error {
			return timed("visits", func() (err error) { visits, err = s.queryVisits(db, f); return })
		},
		func(db *gorm.DB) error {
			var err error
			if err = timed("cycle", func() (err error) { cycles, err = s.queryCycle(db, f); return }); err != nil {
				return err
			}
			if err = timed("owners", func() (err error) { owners, err = s.queryOwners(db, f); return }); err != nil {
				return err
			}
			if err = timed("activity", func() (err error) { acts, err = s.queryActivity(db, f); return }); err != nil {
				return err
			}
			return timed("months", func() (err error) { months, err = s.queryMonths(db, f); return })
		})
	if err != nil {
		return nil, err
	}
	users, err := s.Store.FindUsers(ctx)
	if err != nil {
		return nil, err
	}

	// Stages the current pipeline does not list (deals on an older version) go last.
	for _, v := range visits {
		if _, ok := rep.stageIdx[v.Stage]; !ok {
			rep.stageIdx[v.Stage] = len(rep.Stages)
			rep.Stages = append(rep.Stages, StageInfo{Key: v.Stage, Name: workflow.Names{Ru: v.Stage, En: v.Stage}})
		}
	}

	// Who is reported: the filter's reps, else every rep and every other owner of a deal.
	want := map[int64]bool{}
	if len(f.RepIDs) > 0 {
		for _, id := range f.RepIDs {
			want[id] = true
		}
	} else {
		for _, u := range users {
			if u.Role == workflow.RoleRep && !u.Disabled {
				want[u.ID] = true
			}
		}
		for _, o := range owners {
			want[o.OwnerID] = true
		}
	}
	userByID := map[int64]storage.User{}
	for _, u := range users {
		userByID[u.ID] = u
	}
	var ids []int64
	for id := range want {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := userByID[ids[i]], userByID[ids[j]]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return ids[i] < ids[j]
	})
	rep.Team = rep.newRepStats(Rep{ID: 0, Name: "Команда"})
	for _, id := range ids {
		u, ok := userByID[id]
		r := Rep{ID: id, Name: u.Name, Email: u.Email, Role: u.Role}
		if !ok {
			r.Name = "#" + strconv.FormatInt(id, 10)
		}
		rep.byID[id] = len(rep.Reps)
		rep.Reps = append(rep.Reps, rep.newRepStats(r))
	}

	reasons := map[int64]map[string]map[string]int{} // owner → stage → reason → n
	addVisit := func(rs *RepStats, v visitRow) {
		st := &rs.Stages[rep.stageIdx[v.Stage]]
		n := int(v.N)
		st.Entered += n
		st.EnteredAmount += workflow.Money(v.Amount)
		switch v.Outcome {
		case string(workflow.ActionAdvance):
			st.Advanced += n
		case string(workflow.ActionSkip):
			st.Skipped += n
		case string(workflow.ActionLose):
			st.Lost += n
			m := reasons[rs.Rep.ID]
			if m == nil {
				m = map[string]map[string]int{}
				reasons[rs.Rep.ID] = m
			}
			if m[v.Stage] == nil {
				m[v.Stage] = map[string]int{}
			}
			m[v.Stage][v.Reason] += n
		case string(workflow.ActionWin):
			st.Won += n
		default:
			st.Open += n
		}
		switch workflow.Status(v.Status) {
		case workflow.StatusWon:
			st.wonDeals += n
		case workflow.StatusLost:
			st.lostDeals += n
		}
	}
	for _, v := range visits {
		switch v.Part {
		case "c":
			addVisit(&rep.Team, v)
			if r := rep.Rep(v.OwnerID); r != nil {
				addVisit(r, v)
			}
		case "p", "t", "P", "T":
			var q Quantiles
			if v.Part == "p" || v.Part == "t" { // order statistics to interpolate between
				q = Quantiles{N: int(v.N),
					Median: interpolate(int(v.N), 1, 2, v.V[0].Float64, v.V[1].Float64),
					P90:    interpolate(int(v.N), 9, 10, v.V[2].Float64, v.V[3].Float64)}
			} else { // the percentiles themselves
				if v.N == 0 {
					continue
				}
				q = Quantiles{N: int(v.N), Median: Num(v.V[0].Float64), P90: Num(v.V[2].Float64)}
			}
			if v.Part == "t" || v.Part == "T" {
				rep.Team.Stages[rep.stageIdx[v.Stage]].Days = q
			} else if r := rep.Rep(v.OwnerID); r != nil {
				r.Stages[rep.stageIdx[v.Stage]].Days = q
			}
		}
	}
	all := append([]*RepStats{&rep.Team}, rep.repPtrs()...)
	for _, rs := range all {
		for i := range rs.Stages {
			st := &rs.Stages[i]
			st.Conversion = Ratio{st.Passed(), st.Decided()}
			st.Through = Ratio{st.Passed() + st.Skipped, st.Decided() + st.Skipped}
			st.ToWon = Ratio{st.wonDeals, st.wonDeals + st.lostDeals}
			st.LostReasons = sortedReasons(reasons[rs.Rep.ID][st.Key])
		}
	}

	// Deals closed in the period: the sum of their months.
	for _, m := range months {
		for _, rs := range []*RepStats{&rep.Team, rep.Rep(m.OwnerID)} {
			if rs == nil {
				continue
			}
			switch m.What {
			case string(workflow.StatusWon):
				rs.Deals.Won += int(m.N)
				rs.Deals.Turnover += workflow.Money(m.Amount)
				rs.Deals.Cost += workflow.Money(m.Cost)
			case string(workflow.StatusLost):
				rs.Deals.Lost += int(m.N)
			}
		}
	}
	for _, c := range cycles {
		q := Quantiles{N: int(c.N), Median: interpolate(int(c.N), 1, 2, c.V[0].Float64, c.V[1].Float64),
			P90: interpolate(int(c.N), 9, 10, c.V[2].Float64, c.V[3].Float64)}
		if c.OwnerID == 0 {
			rep.Team.Deals.Cycle = q
		} else if rs := rep.Rep(c.OwnerID); rs != nil {
			rs.Deals.Cycle = q
		}
	}
	var teamFirst time.Time
	for _, o := range owners {
		if teamFirst.IsZero() || o.First.Before(teamFirst) {
			teamFirst = o.First
		}
		rep.Team.Deals.Created += int(o.Created)
		if rs := rep.Rep(o.OwnerID); rs != nil {
			rs.Deals.Created = int(o.Created)
			first := o.First
			rs.Since = &first
		}
	}
	if !teamFirst.IsZero() {
		rep.Team.Since = &teamFirst
	}
	for _, a := range acts {
		for _, rs := range []*RepStats{&rep.Team, rep.Rep(a.OwnerID)} {
			if rs == nil {
				continue
			}
			switch a.Kind {
			case string(workflow.ActivityCall):
				rs.Activity.Calls += int(a.N)
			case string(workflow.ActivityMeeting):
				rs.Activity.Meetings += int(a.N)
			case string(workflow.ActivityEmail):
				rs.Activity.Emails += int(a.N)
			case "proposal":
				rs.Activity.Proposals += int(a.N)
			default:
				rs.Activity.Other += int(a.N)
			}
		}
	}
	monthly := map[int64]map[string]*Month{}
	addMonth := func(owner int64, m monthRow) {
		mm := monthly[owner]
		if mm == nil {
			mm = map[string]*Month{}
			monthly[owner] = mm
		}
		x := mm[m.Month]
		if x == nil {
			x = &Month{Month: m.Month}
			mm[m.Month] = x
		}
		switch m.What {
		case "created":
			x.Created += int(m.N)
		case string(workflow.StatusWon):
			x.Won += int(m.N)
			x.Turnover += workflow.Money(m.Amount)
			x.Profit += workflow.Money(m.Amount - m.Cost)
		case string(workflow.StatusLost):
			x.Lost += int(m.N)
		}
	}
	for _, m := range months {
		addMonth(0, m)
		if rep.Rep(m.OwnerID) != nil {
			addMonth(m.OwnerID, m)
		}
	}
	monthKeys := periodMonths(f.Period)
	for _, rs := range all {
		d := &rs.Deals
		d.WinRate = Ratio{d.Won, d.Won + d.Lost}
		d.Profit = d.Turnover - d.Cost
		d.Margin = NaN
		if d.Turnover > 0 {
			d.Margin = Num(float64(d.Profit) / float64(d.Turnover))
		}
		if d.Won > 0 {
			d.AvgDeal = d.Turnover / workflow.Money(d.Won)
			d.AvgProfit = d.Profit / workflow.Money(d.Won)
		}
		if d.Cycle.N == 0 {
			d.Cycle = Quantiles{Median: NaN, P90: NaN}
		}
		weeks := f.Period.Weeks()
		if rs.Rep.ID != 0 && rs.Since != nil && rs.Since.After(f.Period.From) {
			weeks = f.Period.To.Sub(*rs.Since).Hours() / 24 / 7
		}
		a := &rs.Activity
		if weeks <= 0 {
			a.Weeks, a.CallsPerWeek, a.MeetingsPerWeek, a.EmailsPerWeek, a.ProposalsPerWeek = 0, NaN, NaN, NaN, NaN
		} else {
			a.Weeks = Num(weeks)
			a.CallsPerWeek = Num(float64(a.Calls) / weeks)
			a.MeetingsPerWeek = Num(float64(a.Meetings) / weeks)
			a.EmailsPerWeek = Num(float64(a.Emails) / weeks)
			a.ProposalsPerWeek = Num(float64(a.Proposals) / weeks)
		}
		for _, k := range monthKeys {
			m := Month{Month: k}
			if x := monthly[rs.Rep.ID][k]; x != nil {
				m = *x
			}
			rs.Months = append(rs.Months, m)
		}
	}
	rep.Computed = time.Now().UTC()
	rep.Took = time.Since(start)
	return rep, nil
}

// WorkMem is the PostgreSQL work_mem the statistics run with, so that their sorts and hashes
// stay in memory (the server's default is 4 MB).
const WorkMem = "64MB"

// read runs groups of the report's queries. On PostgreSQL each group runs in a read-only
// transaction of its own with WorkMem, the groups side by side; on SQLite one after the other
// on the pool, because an SQLite transaction would take the write lock and hold up the users.
func (s *Service) read(ctx context.Context, groups ...func(db *gorm.DB) error) error {
	db := s.Store.DB().WithContext(ctx)
	if s.Store.Dialect() != storage.Postgres {
		for _, g := range groups {
			if err := g(db); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("SET TRANSACTION READ ONLY").Error; err != nil {
					return err
				}
				if err := tx.Exec("SET LOCAL work_mem = '" + WorkMem + "'").Error; err != nil {
					return err
				}
				return g(tx)
			})
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (r *Report) newRepStats(who Rep) RepStats {
	rs := RepStats{Rep: who, Stages: make([]StageStat, len(r.Stages))}
	for i, st := range r.Stages {
		rs.Stages[i] = StageStat{Key: st.Key, Name: st.Name, Index: i, Skippable: st.Skippable,
			Days: Quantiles{Median: NaN, P90: NaN}}
	}
	return rs
}

func (r *Report) repPtrs() []*RepStats {
	out := make([]*RepStats, len(r.Reps))
	for i := range r.Reps {
		out[i] = &r.Reps[i]
	}
	return out
}

func sortedReasons(m map[string]int) []ReasonCount {
	out := make([]ReasonCount, 0, len(m))
	for k, v := range m {
		out = append(out, ReasonCount{Reason: k, N: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// periodMonths lists the calendar months the period touches, as YYYY-MM.
func periodMonths(p Period) []string {
	var out []string
	m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m.Before(p.To) && len(out) < 120 {
		out = append(out, m.Format("2006-01"))
		m = m.AddDate(0, 1, 0)
	}
	return out
}

func (s *Service) pipelineKey() string {
	if s.PipelineKey == "" {
		return "corporate"
	}
	return s.PipelineKey
}

// DefaultPeriod is the twelve calendar months up to the newest event (so a database filled
// by `dealgate demo` opens on its year), or up to now when there are no events.
func (s *Service) DefaultPeriod(ctx context.Context) (Period, error) {
	t, err := s.latestEvent(ctx)
	if err != nil {
		return Period{}, err
	}
	if t.IsZero() {
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		t = now()
	}
	return YearTo(t), nil
}
