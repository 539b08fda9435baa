package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/loadgen"
	"github.com/dealgate/dealgate/storage"
)

// probe is one answer seen by a prober during the database restart test.
type probe struct {
	What   string // health, read or write
	Start  time.Time
	Took   time.Duration
	Status int
	CType  string
	PType  string // the problem type of a problem answer
	Err    error
}

// outage is one stop/start of the database.
type outage struct {
	Mode       string
	StopBegin  time.Time // pg_ctl stop called
	Down       time.Time // pg_ctl stop returned: the database is gone
	StartBegin time.Time // pg_ctl start called
	Up         time.Time // pg_ctl start returned: the database accepts connections
}

// restartFigures are what the database restart test reports.
type restartFigures struct {
	Restarts            int       `json:"restarts"`
	Modes               []string  `json:"stop_modes"`
	DownSeconds         []float64 `json:"seconds_down"`
	ProbesDuringOutage  int       `json:"probes_while_down"`
	Probe503            int       `json:"probes_answered_503_problem_json"`
	MaxOutageAnswerMS   int64     `json:"slowest_answer_while_down_ms"`
	RecoveryMS          []int64   `json:"recovery_after_database_up_ms"`
	ServerRestarts      int       `json:"server_process_restarts"`
	Posts               int       `json:"posts"`
	Acknowledged        int       `json:"acknowledged_posts"`
	Unanswered          int       `json:"unanswered_then_retried"`
	Replayed            int       `json:"retries_answered_by_replay"`
	Store               dbFigures `json:"database_after"`
	DealsVerified       int       `json:"deals_verified"`
	Lost                int64     `json:"lost"`
	Duplicated          int64     `json:"duplicated"`
	ErrorsAfterRecovery int       `json:"non_200_probes_after_recovery"`
}

// TestPostgresRestartUnderLoad stops and starts PostgreSQL (a private instance; see
// pgInstance) while the load generator and three probers (health, a read, a write with an
// Idempotency-Key) run against one `dealgate serve` process. While the database is down
// every request must be answered quickly with 503 and an application/problem+json body of type
// /problems/unavailable — no hang, no 500, no dropped connection; when it is back the same
// process serves again by itself; afterwards nothing acknowledged is lost, nothing is done
// twice, and the chains verify. One restart is a clean (fast) stop, the other an immediate
// one (PostgreSQL's crash, recovered from its WAL). DEALGATE_FAULT_TESTS=1 restarts 6 times.
func TestPostgresRestartUnderLoad(t *testing.T) {
	skipShort(t)
	restarts, down := 2, 3*time.Second
	if longRun() {
		restarts, down = 6, 5*time.Second
	}
	const fastLimit = 5 * time.Second
	pg := newPGInstance(t)
	dbURL := pg.createDatabase("dealgate")
	srv := newServer(t, "dealgate-pg-restart", freeAddr(t), "DATABASE_URL="+dbURL, "DEALGATE_DATA_DIR="+t.TempDir())
	srv.start()
	admin := newClient(srv.url(), srv.adminToken())
	var reps []string
	for i := range 4 {
		_, tok := createUser(t, admin, fmt.Sprintf("rep%d@example.ru", i+1), "rep", "")
		reps = append(reps, tok)
	}
	_, managerToken := createUser(t, admin, "manager@example.ru", "manager", "")
	_, auditorToken := createUser(t, admin, "auditor@example.ru", "auditor", "")

	// The probers' deal belongs to rep 4, who runs no load.
	led := &ledger{}
	prober := newClient(srv.url(), reps[3])
	var co, deal struct {
		ID int64 `json:"id"`
	}
	prober.must(t, "POST", "/api/v1/companies", companyBody("ООО «Зонд»"), 201, &co)
	prober.must(t, "POST", "/api/v1/deals", map[string]any{"company_id": co.ID, "title": "Зонд", "amount": "100.00", "cost": "50.00", "currency": "RUB"}, 201, &deal)
	base := dbFigures{Companies: 1, Deals: 1}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range []loadgen.Config{
		{Scenario: loadgen.ScenarioSales, Clients: 3, Tokens: reps[:3], Seed: 21},
		{Scenario: loadgen.ScenarioInvoices, Clients: 1, Tokens: []string{managerToken}, Seed: 22},
	} {
		c.Targets, c.Duration, c.IdempotencyKeys, c.Timeout = []string{srv.url()}, time.Hour, true, 60*time.Second
		c.Observe = led.observer(c.Tokens)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := loadgen.Run(ctx, c); err != nil {
				t.Errorf("loadgen %s: %v", c.Scenario, err)
			}
		}()
	}
	var pmu sync.Mutex
	var probes []probe
	anon := newClient(srv.url(), "")
	for _, what := range []string{"health", "read", "write"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				p := probe{What: what, Start: time.Now()}
				var a answer
				var err error
				switch what {
				case "health":
					a, err = anon.send(context.Background(), "GET", "/healthz", nil)
				case "read":
					a, err = prober.send(context.Background(), "GET", fmt.Sprintf("/api/v1/deals/%d", deal.ID), nil)
				case "write":
					key := fmt.Sprintf("probe-%d", n)
					path := fmt.Sprintf("/api/v1/deals/%d/activities", deal.ID)
					body := []byte(`{"kind":"call","note":"зонд"}`)
					a, err = prober.send(context.Background(), "POST", path, body, "Idempotency-Key", key)
					r := &request{Outcome: loadgen.Outcome{Op: "activity.probe", Target: srv.url(), Method: "POST", Path: path, Key: key, Body: body,
						Status: a.Status, Response: a.Body, Err: err, Start: p.Start, End: time.Now()}, Token: reps[3]}
					if err == nil && a.Status != http.StatusCreated {
						r.Err = fmt.Errorf("status %d", a.Status)
					}
					led.mu.Lock()
					led.reqs = append(led.reqs, r)
					led.mu.Unlock()
				}
				p.Took, p.Status, p.Err, p.CType = a.Took, a.Status, err, a.Header.Get("Content-Type")
				if pr, ok := a.problem(); ok {
					p.PType = pr.Type
				}
				pmu.Lock()
				probes = append(probes, p)
				pmu.Unlock()
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}

	var outages []outage
	for i := range restarts {
		time.Sleep(3 * time.Second)
		o := outage{Mode: "fast", StopBegin: time.Now()}
		if i%2 == 1 {
			o.Mode = "immediate"
		}
		pg.stop(o.Mode)
		o.Down = time.Now()
		time.Sleep(down)
		o.StartBegin = time.Now()
		pg.start()
		o.Up = time.Now()
		outages = append(outages, o)
	}
	time.Sleep(5 * time.Second)
	cancel()
	wg.Wait()
	if !srv.alive() {
		t.Fatalf("the server process died: %v\n%s", srv.waitErr, tail([]byte(srv.lastStderr()), 4000))
	}

	fig := restartFigures{Restarts: restarts, ServerRestarts: srv.runs - 1}
	sort.Slice(probes, func(i, j int) bool { return probes[i].Start.Before(probes[j].Start) })
	var bad []string
	for _, o := range outages {
		fig.Modes = append(fig.Modes, o.Mode)
		fig.DownSeconds = append(fig.DownSeconds, o.StartBegin.Sub(o.Down).Seconds())
		recovered := time.Time{}
		for _, p := range probes {
			switch {
			case p.Err != nil:
				// Checked below for every probe.
			case !p.Start.Before(o.Down) && p.Start.Before(o.StartBegin):
				// Asked while the database was certainly down.
				fig.ProbesDuringOutage++
				took := p.Took
				fig.MaxOutageAnswerMS = max(fig.MaxOutageAnswerMS, took.Milliseconds())
				if p.Status == http.StatusServiceUnavailable && p.CType == "application/problem+json" && p.PType == "/problems/unavailable" {
					fig.Probe503++
				} else {
					bad = append(bad, fmt.Sprintf("%s while down: %d %s %q", p.What, p.Status, p.CType, p.PType))
				}
				if took > fastLimit {
					bad = append(bad, fmt.Sprintf("%s while down took %s (limit %s)", p.What, took, fastLimit))
				}
			case p.Start.After(o.Up) && recovered.IsZero() && p.What == "write" && p.Status == http.StatusCreated:
				recovered = p.Start.Add(p.Took)
			}
		}
		if recovered.IsZero() {
			t.Errorf("the server did not serve a write after the database came back (%s restart)", o.Mode)
		} else {
			fig.RecoveryMS = append(fig.RecoveryMS, recovered.Sub(o.Up).Milliseconds())
		}
	}
	for _, p := range probes {
		if p.Err != nil {
			bad = append(bad, fmt.Sprintf("%s at %s: no answer: %v", p.What, p.Start.Format("15:04:05.000"), p.Err))
		}
		if p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
			bad = append(bad, fmt.Sprintf("%s: %d", p.What, p.Status))
		}
	}
	// Once recovered, everything answers 200/201 again: a probe answered otherwise more than
	// 10 s after the last restart means the server did not recover.
	last := outages[len(outages)-1].Up
	for _, p := range probes {
		if p.Start.After(last.Add(10*time.Second)) && p.Status != http.StatusOK && p.Status != http.StatusCreated {
			fig.ErrorsAfterRecovery++
			bad = append(bad, fmt.Sprintf("%s after recovery: %d", p.What, p.Status))
		}
	}
	if fig.ProbesDuringOutage < 3*restarts {
		t.Errorf("only %d probes while the database was down", fig.ProbesDuringOutage)
	}
	if len(bad) > 0 {
		t.Errorf("%d bad probe answers, e.g.:\n%s", len(bad), strings.Join(bad[:min(len(bad), 15)], "\n"))
	}
	for _, r := range led.all() {
		if r.Method != http.MethodPost {
			continue
		}
		fig.Posts++
		if r.acked() {
			fig.Acknowledged++
		} else if !r.unanswered() {
			t.Errorf("%s %s: %d %v %s", r.Method, r.Path, r.Status, r.Err, tail(r.Response, 300))
		}
	}

	fig.Unanswered, fig.Replayed = led.retryUnanswered(t, func(string) string { return srv.url() })
	st, err := storage.Open(context.Background(), storage.Config{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := dealsToVerify(t, st, nil, 0)
	if !longRun() && len(ids) > 40 {
		ids = dealsToVerify(t, st, map[int64]bool{deal.ID: true}, 40)
	}
	fig.DealsVerified = verifyChains(t, newClient(srv.url(), auditorToken), ids)
	srv.stop()
	fig.Store = checkStore(t, st, led, base)
	fig.Lost, fig.Duplicated = lostOf(led, base, fig.Store)
	checkNoSecrets(t, srv.logs("stderr"), append([]string{srv.adminToken(), managerToken, auditorToken}, reps...))
	report(t, "postgres-restart", fig)
	if b, _ := json.Marshal(fig); t.Failed() {
		t.Logf("figures: %s", b)
	}
}

// lostOf counts acknowledged effects missing from the database, and effects there beyond
// the acknowledged ones.
func lostOf(l *ledger, base, got dbFigures) (lost, duplicated int64) {
	want := base
	for _, r := range l.all() {
		if r.Method != http.MethodPost || !r.acked() {
			continue
		}
		switch effectOf(r.Op) {
		case "companies":
			want.Companies++
		case "deals":
			want.Deals++
		case "transitions":
			want.Transitions++
		case "activities":
			want.Activities++
		case "facts":
			want.Facts++
		case "documents":
			want.Documents++
		}
	}
	for _, p := range [][2]int64{{want.Companies, got.Companies}, {want.Deals, got.Deals}, {want.Transitions, got.Transitions},
		{want.Activities, got.Activities}, {want.Facts, got.Facts}, {want.Documents, got.Documents}} {
		lost += max(0, p[0]-p[1])
		duplicated += max(0, p[1]-p[0])
	}
	return lost, duplicated
}
