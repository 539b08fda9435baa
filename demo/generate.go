// Package demo fills an empty dealgate database with a credible year of a B2B equipment
// supplier (DOMAIN.md §5): АО «УралКомпрессорМаш», twelve reps with different strengths and
// weaknesses, client companies with valid requisites, about two thousand deals a year moved
// through the fifteen stages by the real state machine (workflow.Pipeline.Decide), their
// calls, meetings and e-mails, facts and final documents, every deal's events sealed into a
// valid hash chain. The same seed always gives the same data.
//
// The simulation: each rep's new deals follow the seasonality; at every stage a deal skips
// (optional stages, at the model's rate), passes with the team's base conversion times the
// rep's multiplier, or is lost with a reason from the stage's mix; the time in the stage is
// log-normal around the model's median times the rep's pace. A year of history before the
// reported year would be unrealistic for a new system, so the generator starts
// HistoryMonths earlier: the year opens with a pipeline in flight, as a real one does.
// Deals still running at the end of the year stay open.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// Config says what to generate.
type Config struct {
	// Seed fixes everything the generator draws.
	Seed uint64
	// Deals is the number of deals created in the reported year (default 2000); the history
	// months before it get deals at the same pace.
	Deals int
	// From is the first day of the reported year (default 1 March 2025); Months its length
	// (default 12). Nothing happens after From + Months.
	From   time.Time
	Months int
	// HistoryMonths is how long before From the first deals start (default 6; 0 allowed).
	HistoryMonths int
	// Copies repeats the team of twelve that many times (load tests; default 1).
	Copies int
	// Password, when set, is every demo user's password, hashed with HashPassword.
	Password     string
	HashPassword func(string) (string, error)
	// Documents renders the documents' files (nil: data only).
	Documents DocumentFunc
	// Progress receives a line now and then while the generator runs (nil: quiet).
	Progress io.Writer
	// BatchDeals is how many deals are written per batch (default 200).
	BatchDeals int
	// Attempts stores the stage-test attempts the generator plans (nil: they are only
	// reported in the Result).
	Attempts AttemptFunc
}

func (c *Config) defaults() {
	if c.Deals <= 0 {
		c.Deals = 2000
	}
	if c.From.IsZero() {
		c.From = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Months <= 0 {
		c.Months = 12
	}
	if c.HistoryMonths < 0 {
		c.HistoryMonths = 0
	}
	if c.Copies <= 0 {
		c.Copies = 1
	}
	if c.BatchDeals <= 0 {
		c.BatchDeals = 200
	}
}

// DefaultHistoryMonths is the history before the reported year `dealgate demo` generates.
const DefaultHistoryMonths = 6

// Person is a demo user as the generator made them.
type Person struct {
	User    storage.User
	Profile workflow.Names
	WeakAt  string
}

// RepSummary is one rep's deals as generated (within the reported year).
type RepSummary struct {
	Rep      Person
	Created  int // deals created in the year
	Won      int // won in the year
	Turnover workflow.Money
	Profit   workflow.Money
}

// Result describes what was generated.
type Result struct {
	Period                 [2]time.Time // the reported year [From, To)
	Manager                Person
	Backoffice, Auditor    Person
	Reps                   []Person
	Companies              int
	Deals, Won, Lost, Open int // all deals, history included
	Events, Activities     int
	Facts, Documents       int
	YearCreated, YearWon   int
	YearTurnover           workflow.Money
	YearProfit             workflow.Money
	PerRep                 []RepSummary
	Attempts               []Attempt
	Took                   time.Duration
}

// generator holds the run's state.
type generator struct {
	cfg        Config
	st         *storage.Store
	p          *workflow.Pipeline
	seller     documents.Party
	from, end  time.Time
	histStart  time.Time
	reps       []*repState
	clients    []*client
	manager    storage.User
	backoffice storage.User
	auditor    storage.User
	ids        storage.DemoIDs
	plan       []plannedDeal
	numbers    map[docKey]assigned
	counters   map[counterKey]int64
	dryDocs    map[docKey]time.Time
	batch      storage.DemoBatch
	res        Result
	started    time.Time
	lastReport time.Time
}

type repState struct {
	Model RepModel
	User  storage.User
	Index int
	Copy  int
	Phone string
	// Portfolio are the rep's client companies.
	Portfolio []*client
}

type client struct {
	Co         storage.Company
	People     []person
	Director   person
	Accountant string
	Industry   string
	Headcount  int
	Site       string
	Installed  string
	Tender     bool
}

type plannedDeal struct {
	rep     *repState
	created time.Time
}

type docKey struct {
	deal int
	kind workflow.DocumentKind
}

type assigned struct {
	number string
	seq    int64
	scope  string
	year   int // the counter's year; 0 for a specification's
}

// Generate fills st, which must hold no deal, and reports what it made. Everything happens
// in one transaction: on an error nothing is left behind.
func Generate(ctx context.Context, st *storage.Store, cfg Config) (Result, error) {
	cfg.defaults()
	g := &generator{cfg: cfg, st: st, started: time.Now(), numbers: map[docKey]assigned{}, counters: map[counterKey]int64{}}
	g.from = cfg.From.UTC()
	g.end = g.from.AddDate(0, cfg.Months, 0)
	g.histStart = g.from.AddDate(0, -cfg.HistoryMonths, 0)
	g.res.Period = [2]time.Time{g.from, g.end}
	g.seller = Seller(cfg.Seed)

	_, n, err := st.FindDeals(ctx, storage.DealFilter{Limit: 1})
	if err != nil {
		return g.res, err
	}
	if n > 0 {
		return g.res, fmt.Errorf("the database already has %d deals: demo fills an empty database (use a new DEALGATE_DATA_DIR or database)", n)
	}
	g.p, err = st.CurrentPipeline(ctx, "corporate")
	if workflow.Code(err) == workflow.ENOTFOUND {
		g.p, err = st.SavePipeline(ctx, templates.DefaultPipeline(), nil)
	}
	if err != nil {
		return g.res, err
	}
	g.say("planning %d deals a year for %d reps, seed %d…", cfg.Deals, len(Reps)*cfg.Copies, cfg.Seed)
	err = st.InTx(ctx, func(ctx context.Context) error {
		if err := g.people(ctx); err != nil {
			return err
		}
		if err := g.catalogue(ctx); err != nil {
			return err
		}
		if g.ids, err = st.DemoNextIDs(ctx); err != nil {
			return err
		}
		g.makeClients()
		g.planDeals()
		// First pass: the documents' dates, so that every kind is numbered in date order.
		if err := g.numberDocuments(); err != nil {
			return err
		}
		g.batch.Companies = make([]storage.Company, 0, len(g.clients))
		for _, c := range g.clients {
			g.batch.Companies = append(g.batch.Companies, c.Co)
		}
		g.res.Companies = len(g.clients)
		for i := range g.plan {
			if err := g.simulate(ctx, i, false); err != nil {
				return err
			}
			if (i+1)%g.cfg.BatchDeals == 0 {
				if err := g.flush(ctx); err != nil {
					return err
				}
				g.progress(i + 1)
			}
		}
		if err := g.flush(ctx); err != nil {
			return err
		}
		g.progress(len(g.plan))
		if err := st.DemoFinish(ctx); err != nil {
			return err
		}
		keys := make([]counterKey, 0, len(g.counters))
		for k := range g.counters {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.Kind != b.Kind {
				return a.Kind < b.Kind
			}
			if a.Year != b.Year {
				return a.Year < b.Year
			}
			return a.Scope < b.Scope
		})
		for _, k := range keys {
			if err := st.DemoRaiseCounter(ctx, k.Scope, k.Kind, k.Year, g.counters[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return g.res, err
	}
	g.res.Attempts = g.attempts()
	if g.cfg.Attempts != nil {
		if err := g.cfg.Attempts(ctx, g.res.Attempts); err != nil {
			return g.res, fmt.Errorf("demo: store the test attempts: %w", err)
		}
	}
	g.res.Took = time.Since(g.started)
	return g.res, nil
}

func (g *generator) say(format string, args ...any) {
	if g.cfg.Progress != nil {
		fmt.Fprintf(g.cfg.Progress, format+"\n", args...)
	}
}

func (g *generator) progress(done int) {
	if g.cfg.Progress == nil {
		return
	}
	if done < len(g.plan) && time.Since(g.lastReport) < time.Second {
		return
	}
	g.lastReport = time.Now()
	g.say("  deals %d/%d (%d %%), events %d, documents %d, %.1f s", done, len(g.plan), done*100/max(1, len(g.plan)),
		g.res.Events, g.res.Documents, time.Since(g.started).Seconds())
}

func (g *generator) flush(ctx context.Context) error {
	if g.batch.Len() == 0 {
		return nil
	}
	if err := g.st.DemoInsert(ctx, &g.batch); err != nil {
		return err
	}
	g.batch.Reset()
	return nil
}

// people creates the users: the sales director, back office, an auditor and the reps.
func (g *generator) people(ctx context.Context) error {
	hash := ""
	if g.cfg.Password != "" && g.cfg.HashPassword != nil {
		var err error
		if hash, err = g.cfg.HashPassword(g.cfg.Password); err != nil {
			return err
		}
	}
	mk := func(email, name string, role workflow.Role, since time.Time) (storage.User, error) {
		u, err := g.st.CreateUser(ctx, storage.User{Email: email, Name: name, Role: role, PasswordHash: hash})
		if err != nil {
			return u, fmt.Errorf("create %s: %w", email, err)
		}
		if err := g.st.DemoUserAt(ctx, u.ID, since); err != nil {
			return u, err
		}
		u.CreatedAt = since
		return u, nil
	}
	var err error
	start := g.histStart.AddDate(0, -1, 0)
	if g.manager, err = mk("sokolov@ukm-demo.ru", "Соколов Виктор Андреевич", workflow.RoleManager, start); err != nil {
		return err
	}
	if g.backoffice, err = mk("belova@ukm-demo.ru", "Белова Татьяна Сергеевна", workflow.RoleBackoffice, start); err != nil {
		return err
	}
	if g.auditor, err = mk("krylov@ukm-demo.ru", "Крылов Павел Ильич", workflow.RoleAuditor, start); err != nil {
		return err
	}
	g.res.Manager = Person{User: g.manager, Profile: workflow.Names{Ru: "директор по продажам", En: "sales director"}}
	g.res.Backoffice = Person{User: g.backoffice, Profile: workflow.Names{Ru: "бэк-офис", En: "back office"}}
	g.res.Auditor = Person{User: g.auditor, Profile: workflow.Names{Ru: "аудитор", En: "auditor"}}
	for c := 0; c < g.cfg.Copies; c++ {
		for i, m := range Reps {
			email, name := m.Email+"@ukm-demo.ru", m.FullName()
			if c > 0 {
				email = fmt.Sprintf("%s%d@ukm-demo.ru", m.Email, c+1)
				name = fmt.Sprintf("%s %s %s-%d", m.Surname, m.Name, m.Patronymic, c+1)
			}
			since := start
			if !m.Joined.IsZero() {
				since = m.Joined.AddDate(0, 0, -3)
			}
			u, err := mk(email, name, workflow.RoleRep, since)
			if err != nil {
				return err
			}
			rs := &repState{Model: m, User: u, Index: i, Copy: c, Phone: fmt.Sprintf("+7 (343) 310-45-%02d", 10+i)}
			g.reps = append(g.reps, rs)
			g.res.Reps = append(g.res.Reps, Person{User: u, Profile: m.Profile, WeakAt: m.WeakAt})
		}
	}
	return nil
}

// catalogue stores the price list (cost as a share of price).
func (g *generator) catalogue(ctx context.Context) error {
	var ps []storage.Product
	for _, p := range Catalogue {
		ps = append(ps, storage.Product{SKU: p.SKU, Name: p.Name, Unit: p.Unit, OKEI: okei(p.Unit), Price: workflow.Money(p.Price * 100),
			Cost: workflow.Money(roundRub(float64(p.Price)*p.CostRatio) * 100), VATRate: "22", Active: true})
	}
	_, err := g.st.UpsertProducts(ctx, ps)
	return err
}

func okei(unit string) string {
	switch unit {
	case "компл":
		return "839"
	case "усл":
		return "362"
	}
	return "796"
}

// makeClients draws the client companies (about 0.3 per deal of the whole span), each with
// valid requisites, its people and whether it buys through tenders, and hands them to reps
// in proportion to their deals.
func (g *generator) makeClients() {
	r := rand.New(rand.NewPCG(g.cfg.Seed, 0xC11E47))
	perYear := float64(g.cfg.Deals * g.cfg.Copies)
	total := int(math.Round(perYear * float64(12+g.cfg.HistoryMonths) / 12 * 0.3))
	used := map[string]bool{}
	weights := make([]float64, len(g.reps))
	var sum float64
	for i, rs := range g.reps {
		weights[i] = rs.Model.Deals
		sum += weights[i]
	}
	for i := 0; i < total; i++ {
		reg := Regions[r.IntN(len(Regions))]
		ind := Industries[r.IntN(len(Industries))]
		plant := ind.Plants[r.IntN(len(ind.Plants))]
		// A name is unique: a second plant of the same name gets a number; when the random
		// numbers are taken too (large teams), the next free one.
		form := companyForms[r.IntN(len(companyForms))]
		word := companyWords[r.IntN(len(companyWords))]
		name := fmt.Sprintf("%s «%s %s»", form, word, plant)
		if used[name] {
			name = fmt.Sprintf("%s «%s %s № %d»", form, word, plant, 2+r.IntN(9))
		}
		for n := 11; used[name]; n++ {
			name = fmt.Sprintf("%s «%s %s № %d»", form, word, plant, n)
		}
		used[name] = true
		inn := requisites.SyntheticINN10(r, reg.Code)
		bank := Banks[r.IntN(len(Banks))]
		domain := fmt.Sprintf("client%d.ru", i+1)
		c := &client{
			Co: storage.Company{ID: g.ids.Company + int64(i), Name: name, INN: inn, KPP: requisites.SyntheticKPP(inn),
				OGRN:     requisites.SyntheticOGRN(r, 1995+r.IntN(25), reg.Code),
				Address:  fmt.Sprintf("%d, %s, г. %s, ул. %s, д. %d", 100000+r.IntN(899999), reg.Name, reg.City, streets[r.IntN(len(streets))], 1+r.IntN(120)),
				BankName: bank.Name, BIK: bank.BIK, CorrAccount: requisites.SyntheticCorrAccount(bank.BIK),
				Account: requisites.SyntheticAccount(r, bank.BIK, "40702"), Valid: true,
				CreatedAt: g.histStart.Add(-time.Duration(1+r.IntN(60)) * 24 * time.Hour)},
			People: dmu(r, domain), Industry: industryName[ind.Key], Headcount: 150 + r.IntN(3000),
			Installed: installed[r.IntN(len(installed))],
		}
		if strings.HasPrefix(reg.Name, "г. ") {
			c.Co.Address = fmt.Sprintf("%d, %s, ул. %s, д. %d", 100000+r.IntN(899999), reg.Name, streets[r.IntN(len(streets))], 1+r.IntN(120))
		}
		c.Site = "площадка клиента, " + reg.City
		m := maleNames[r.IntN(len(maleNames))]
		c.Director = person{Name: m.Surname + " " + m.Name + " " + m.Patr, NameGen: m.SurnameGen + " " + m.NameGen + " " + m.PatrGen}
		f := femaleNames[r.IntN(len(femaleNames))]
		c.Accountant = f.Surname + " " + f.Name + " " + f.Patr
		// Hand the company to a rep (weighted by their deals), then decide tenders.
		x := r.Float64() * sum
		owner := g.reps[len(g.reps)-1]
		for j, w := range weights {
			if x < w {
				owner = g.reps[j]
				break
			}
			x -= w
		}
		share := TenderShare
		if owner.Model.Tender > 0 {
			share = owner.Model.Tender
		}
		c.Tender = r.Float64() < share
		c.Co.OwnerID = owner.User.ID
		owner.Portfolio = append(owner.Portfolio, c)
		g.clients = append(g.clients, c)
	}
	// Every rep needs at least one company.
	for _, rs := range g.reps {
		if len(rs.Portfolio) == 0 {
			c := g.clients[r.IntN(len(g.clients))]
			rs.Portfolio = append(rs.Portfolio, c)
		}
	}
}

var (
	streets      = []string{"Ленина", "Заводская", "Промышленная", "Индустриальная", "Мира", "Кирова", "Советская", "Энергетиков", "Металлургов", "Новая", "Фрунзе", "Гагарина"}
	installed    = []string{"поршневые компрессоры ВП-20/8 (1985 г.)", "винтовые компрессоры импортного производства", "центробежный компрессор К-250", "поршневые компрессоры 4ВМ10", "винтовой компрессор без осушителя"}
	industryName = map[string]string{"metallurgy": "металлургия", "food": "пищевая промышленность", "chemicals": "химическая промышленность",
		"mining": "добыча полезных ископаемых", "woodworking": "деревообработка", "pharma": "фармацевтика", "machinery": "машиностроение"}
)

// planDeals draws when each rep creates each deal: the rep's share of the year's deals,
// spread over the months by the seasonality, the history months included, none before a
// newcomer joined. The deals are then ordered by creation and given their ids.
func (g *generator) planDeals() {
	var sum float64
	for _, m := range Reps {
		sum += m.Deals
	}
	for _, rs := range g.reps {
		r := rand.New(rand.NewPCG(g.cfg.Seed, 0xDEA1+uint64(rs.Copy*100+rs.Index)))
		yearDeals := float64(g.cfg.Deals) * rs.Model.Deals / sum
		joined := rs.Model.Joined
		// Month weights of the rep's active time.
		type span struct {
			from, to time.Time
			w        float64
			inYear   bool
		}
		var spans []span
		var yearW float64
		for m := g.histStart; m.Before(g.end); m = m.AddDate(0, 1, 0) {
			s := span{from: m, to: m.AddDate(0, 1, 0), w: monthWeight[m.Month()], inYear: !m.Before(g.from)}
			if !joined.IsZero() {
				if !joined.Before(s.to) {
					continue
				}
				if joined.After(s.from) {
					s.w *= s.to.Sub(joined).Hours() / s.to.Sub(s.from).Hours()
					s.from = joined
				}
			}
			spans = append(spans, s)
			if s.inYear {
				yearW += s.w
			}
		}
		carry := 0.0
		for k, s := range spans {
			want := yearDeals*s.w/yearW + carry
			n := int(math.Floor(want))
			if k == len(spans)-1 {
				n = int(math.Round(want))
			}
			carry = want - float64(n)
			for k := 0; k < n; k++ {
				t := atWork(between(r, s.from, s.to), r)
				if !t.Before(s.to) || !t.Before(g.end) {
					t = atWork(s.from, r)
				}
				g.plan = append(g.plan, plannedDeal{rep: rs, created: t})
			}
		}
	}
	sort.SliceStable(g.plan, func(i, j int) bool {
		if !g.plan[i].created.Equal(g.plan[j].created) {
			return g.plan[i].created.Before(g.plan[j].created)
		}
		return g.plan[i].rep.User.ID < g.plan[j].rep.User.ID
	})
}

// numberDocuments runs the simulation once without writing, to learn when every document is
// finalised, and numbers each kind in date order (invoices and УПД must be chronological
// and gapless); specifications are numbered within their contract.
func (g *generator) numberDocuments() error {
	type when struct {
		key docKey
		at  time.Time
	}
	var all []when
	dry := map[docKey]time.Time{}
	g.dryDocs = dry
	for i := range g.plan {
		if err := g.simulate(context.Background(), i, true); err != nil {
			return err
		}
	}
	g.dryDocs = nil
	for k, at := range dry {
		all = append(all, when{k, at})
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].at.Equal(all[j].at) {
			return all[i].at.Before(all[j].at)
		}
		if all[i].key.deal != all[j].key.deal {
			return all[i].key.deal < all[j].key.deal
		}
		return all[i].key.kind < all[j].key.kind
	})
	nums := &numbers{next: map[counterKey]int64{}}
	for _, w := range all {
		if w.key.kind == workflow.DocSpecification {
			continue
		}
		g.numbers[w.key] = nums.allocate(w.key.kind, "", w.at)
	}
	for _, w := range all {
		if w.key.kind != workflow.DocSpecification {
			continue
		}
		contract, ok := g.numbers[docKey{w.key.deal, workflow.DocContract}]
		if !ok {
			return fmt.Errorf("demo: deal %d has a specification without a contract", w.key.deal)
		}
		g.numbers[w.key] = nums.allocate(w.key.kind, contract.number, w.at)
	}
	g.counters = nums.next
	return nil
}

// canon is workflow.CanonicalJSON that cannot fail on the generator's own values.
func canon(v any) json.RawMessage {
	b, err := workflow.CanonicalJSON(v)
	if err != nil {
		panic("demo: canonical JSON: " + err.Error())
	}
	return b
}
