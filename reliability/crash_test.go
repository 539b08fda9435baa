package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/loadgen"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

// crashFigures are what a crash run reports (RELIABILITY.md quotes them).
type crashFigures struct {
	Database         string        `json:"database"`
	Kills            int           `json:"kills"`
	UptimeMinMS      int64         `json:"uptime_between_kills_min_ms"`
	UptimeMaxMS      int64         `json:"uptime_between_kills_max_ms"`
	Requests         int           `json:"requests"`
	Posts            int           `json:"posts"`
	Acknowledged     int           `json:"acknowledged_posts"`
	InFlightAtKills  int           `json:"requests_in_flight_at_kills"`
	MaxInFlight      int           `json:"max_in_flight_at_one_kill"`
	Unanswered       int           `json:"unanswered_then_retried"`
	Replayed         int           `json:"retries_answered_by_replay"`
	Refused          int           `json:"refused_4xx"`
	RecoveryMedianMS int64         `json:"recovery_median_ms"`
	RecoveryMaxMS    int64         `json:"recovery_max_ms"`
	DealsVerified    int           `json:"deals_verified"`
	Store            dbFigures     `json:"database_after"`
	Lost             int64         `json:"lost"`
	Duplicated       int64         `json:"duplicated"`
	Elapsed          time.Duration `json:"elapsed_ns"`
}

// TestCrashUnderLoad kills `dealgate serve` with SIGKILL at random moments while the load
// generator runs sales, proposal and invoice clients with Idempotency-Keys, and restarts it
// on the same data each time. Afterwards every request that never got an answer is sent again
// with its key, and the database must hold exactly the acknowledged effects: every
// acknowledged deal, transition, activity, fact and document is there as answered, none is
// there twice, nothing is half-written (checkIntegrity), and every deal's chain and the
// checkpoint log verify through the audit API.
//
// The ordinary test run kills 10 times 0.5–1.5 s apart per database (20 kills in all) and
// verifies the deals that had a request in flight at a kill plus a sample of the others;
// DEALGATE_FAULT_TESTS=1 kills 60 times 0.2–2 s apart per database and verifies every deal.
func TestCrashUnderLoad(t *testing.T) {
	skipShort(t)
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) { crashRun(t, d) })
	}
}

var dealPathRE = regexp.MustCompile(`^/api/v1/deals/(\d+)/`)

func crashRun(t *testing.T, dialect storage.Dialect) {
	start := time.Now()
	kills, minUp, maxUp, sample := 10, 500*time.Millisecond, 1500*time.Millisecond, 40
	if longRun() {
		kills, minUp, maxUp, sample = 60, 200*time.Millisecond, 2000*time.Millisecond, 0
	}
	dataDir := t.TempDir()
	env := []string{"DEALGATE_DATA_DIR=" + dataDir}
	cfg := storage.Config{SQLitePath: filepath.Join(dataDir, "dealgate.db")}
	if dialect == storage.Postgres {
		u := storagetest.NewPostgresDatabase(t)
		env = append(env, "DATABASE_URL="+u)
		cfg = storage.Config{DatabaseURL: u}
	}
	srv := newServer(t, "dealgate-"+string(dialect), freeAddr(t), env...)
	srv.start()
	admin := newClient(srv.url(), srv.adminToken())
	var reps, managers []string
	for i := range 6 {
		_, tok := createUser(t, admin, fmt.Sprintf("rep%d@example.ru", i+1), "rep", "")
		reps = append(reps, tok)
	}
	for i := range 2 {
		_, tok := createUser(t, admin, fmt.Sprintf("manager%d@example.ru", i+1), "manager", "")
		managers = append(managers, tok)
	}
	_, auditorToken := createUser(t, admin, "auditor@example.ru", "auditor", "")

	led := &ledger{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runs := []loadgen.Config{
		{Scenario: loadgen.ScenarioSales, Clients: 4, Tokens: reps[:4], Seed: 11},
		{Scenario: loadgen.ScenarioDocuments, Clients: 2, Tokens: reps[4:], Seed: 12},
		{Scenario: loadgen.ScenarioInvoices, Clients: 2, Tokens: managers, Seed: 13},
	}
	var wg sync.WaitGroup
	reports := make([]loadgen.Report, len(runs))
	for i, c := range runs {
		c.Targets, c.Duration, c.IdempotencyKeys, c.Timeout = []string{srv.url()}, time.Hour, true, 30*time.Second
		c.Observe = led.observer(c.Tokens)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := loadgen.Run(ctx, c)
			if err != nil {
				t.Errorf("loadgen %s: %v", c.Scenario, err)
			}
			reports[i] = rep
		}()
	}
	// Let the clients get going before the first kill.
	for deadline := time.Now().Add(30 * time.Second); led.acks.Load() < 20 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}

	var killedAt []time.Time
	var recovery []time.Duration
	var uptimes []time.Duration
	for range kills {
		up := minUp + rand.N(maxUp-minUp)
		time.Sleep(up)
		uptimes = append(uptimes, up)
		at := time.Now()
		srv.kill()
		killedAt = append(killedAt, at)
		srv.start()
		recovery = append(recovery, time.Since(at))
	}
	time.Sleep(time.Second)
	cancel()
	wg.Wait()
	if t.Failed() {
		return
	}

	fig := crashFigures{Database: string(dialect), Kills: kills, UptimeMinMS: minUp.Milliseconds(), UptimeMaxMS: maxUp.Milliseconds()}
	all := led.all()
	fig.Requests = len(all)
	atRisk := map[int64]bool{}
	var bad []string
	for _, r := range all {
		if r.Method != http.MethodPost {
			continue
		}
		fig.Posts++
		switch {
		case r.acked():
			fig.Acknowledged++
		case r.unanswered():
		case r.Status >= 400 && r.Status < 500:
			fig.Refused++
			bad = append(bad, fmt.Sprintf("%s %s: %d %s", r.Method, r.Path, r.Status, tail(r.Response, 300)))
		default:
			bad = append(bad, fmt.Sprintf("%s %s: %d %v %s", r.Method, r.Path, r.Status, r.Err, tail(r.Response, 300)))
		}
	}
	for _, at := range killedAt {
		n := 0
		for _, r := range all {
			if r.Start.Before(at) && r.End.After(at) {
				n++
				if m := dealPathRE.FindStringSubmatch(r.Path); m != nil {
					id, _ := strconv.ParseInt(m[1], 10, 64)
					atRisk[id] = true
				}
			}
		}
		fig.InFlightAtKills += n
		fig.MaxInFlight = max(fig.MaxInFlight, n)
	}
	// A valid load is never refused and never meets a server error other than 503.
	if len(bad) > 0 {
		t.Errorf("%d requests were refused or failed with a server error, e.g.:\n%s", len(bad), strings.Join(bad[:min(len(bad), 10)], "\n"))
	}
	if fig.Acknowledged < 5*kills {
		t.Errorf("only %d requests were acknowledged over %d kills: the load did not run", fig.Acknowledged, kills)
	}
	if fig.InFlightAtKills == 0 {
		t.Errorf("no request was in flight at any of the %d kills", kills)
	}

	// Every request the clients do not know the fate of is retried with its key.
	t0 := time.Now()
	fig.Unanswered, fig.Replayed = led.retryUnanswered(t, func(string) string { return srv.url() })
	t.Logf("load and %d kills: %s; retries: %s", kills, t0.Sub(start).Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))

	auditor := newClient(srv.url(), auditorToken)
	st, err := storage.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := dealsToVerify(t, st, atRisk, sample)
	t0 = time.Now()
	fig.DealsVerified = verifyChains(t, auditor, ids)
	t.Logf("verified %d deals in %s", fig.DealsVerified, time.Since(t0).Round(time.Millisecond))
	srv.stop()

	fig.Store = checkStore(t, st, led, dbFigures{})
	fig.Lost, fig.Duplicated = lostOf(led, dbFigures{}, fig.Store)
	sort.Slice(recovery, func(i, j int) bool { return recovery[i] < recovery[j] })
	fig.RecoveryMedianMS, fig.RecoveryMaxMS = recovery[len(recovery)/2].Milliseconds(), recovery[len(recovery)-1].Milliseconds()
	fig.Elapsed = time.Since(start)

	// No secret reaches the logs, even at debug level, through all those restarts.
	checkNoSecrets(t, srv.logs("stderr"), append(append([]string{srv.adminToken(), auditorToken}, reps...), managers...))
	if lines := srv.errorLines(); len(lines) > 0 {
		t.Logf("%d ERROR log lines, e.g. %s", len(lines), lines[0])
	}
	report(t, "crash-"+string(dialect), fig)
	if fig.Lost != 0 || fig.Duplicated != 0 {
		t.Errorf("lost %d, duplicated %d", fig.Lost, fig.Duplicated)
	}
}

// dealsToVerify returns every deal with a request in flight at a kill, plus every deal when
// sample is 0, or about sample others spread over the id range.
func dealsToVerify(t testing.TB, st *storage.Store, atRisk map[int64]bool, sample int) []int64 {
	t.Helper()
	var ids []int64
	if err := st.DB().Raw("SELECT id FROM deals ORDER BY id").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if sample == 0 || len(ids) <= sample {
		return ids
	}
	step := len(ids) / sample
	var out []int64
	for i, id := range ids {
		if atRisk[id] || i%step == 0 {
			out = append(out, id)
		}
	}
	return out
}

// checkNoSecrets fails if any secret appears in the logs.
func checkNoSecrets(t testing.TB, logs string, secrets []string) {
	t.Helper()
	if len(logs) == 0 {
		t.Error("the server wrote no log at all; the secret check would prove nothing")
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if i := strings.Index(logs, s); i >= 0 {
			t.Errorf("a secret (%s…) appears in the logs: %q", s[:min(len(s), 6)], logs[max(0, i-200):min(len(logs), i+len(s)+50)])
		}
		// The token without its prefix, too (a log that strips "dg_" still leaks it).
		if raw := strings.TrimPrefix(s, storage.TokenPrefix); raw != s && strings.Contains(logs, raw) {
			t.Errorf("a secret's body (%s…) appears in the logs", raw[:min(len(raw), 4)])
		}
	}
}
