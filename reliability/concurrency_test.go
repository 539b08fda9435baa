package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/loadgen"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
)

// exampleData returns the shipped example data of a document kind without its number.
func exampleData(t testing.TB, kind string) map[string]any {
	t.Helper()
	b, err := fs.ReadFile(templates.Examples(), kind+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "number")
	return m
}

// race sends n requests at once (released together), request i through clients[i%len], and
// returns the answers in order.
func race(t testing.TB, clients []*client, n int, method, path string, body func(i int) any, hdr ...string) []answer {
	t.Helper()
	out := make([]answer, n)
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			var b any
			if body != nil {
				b = body(i)
			}
			ready.Done()
			<-gate
			out[i], errs[i] = clients[i%len(clients)].send(context.Background(), method, path, b, hdr...)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s %s (client %d): %v", method, path, i, err)
		}
	}
	return out
}

// tally counts the answers by status.
func tally(as []answer) map[int]int {
	m := map[int]int{}
	for _, a := range as {
		m[a.Status]++
	}
	return m
}

// oneWinner checks that exactly one answer is win and every other one a 409 or 422 problem,
// and returns the winner.
func oneWinner(t testing.TB, what string, as []answer, win int) answer {
	t.Helper()
	var w answer
	wins := 0
	for _, a := range as {
		switch {
		case a.Status == win:
			wins++
			w = a
		case a.Status == http.StatusConflict || a.Status == http.StatusUnprocessableEntity:
			if _, ok := a.problem(); !ok {
				t.Errorf("%s: a loser's %d is not a problem document: %s", what, a.Status, a.Body)
			}
		default:
			t.Errorf("%s: unexpected %d %s", what, a.Status, tail(a.Body, 400))
		}
	}
	if wins != 1 {
		t.Fatalf("%s: %d winners, want exactly 1 (%v)", what, wins, tally(as))
	}
	return w
}

// concurrencyFigures are what the two-process test reports.
type concurrencyFigures struct {
	Processes         int            `json:"server_processes"`
	Clients           int            `json:"clients"`
	Races             map[string]any `json:"races"`
	LoadInvoices      int            `json:"invoices_under_load"`
	LoadSeconds       float64        `json:"load_seconds"`
	InvoiceNumbers    string         `json:"invoice_numbers"`
	ProposalNumbers   string         `json:"proposal_numbers"`
	DealsVerified     int            `json:"deals_verified"`
	DuplicateNumbers  int            `json:"duplicate_numbers"`
	CountersChecked   int            `json:"counters_checked"`
	EventsOnRaceDeal  int            `json:"events_on_the_raced_deal"`
	VersionOfRaceDeal int64          `json:"version_of_the_raced_deal"`
}

// TestTwoProcessesOneDeal runs two `dealgate serve` processes on one PostgreSQL database and
// sends 32 clients, spread over both, at the same objects at the same moment: one deal moved
// from the same version (one winner, 31 conflicts, per version), the same transition with one
// Idempotency-Key (one effect, 32 identical answers), 32 proposals finalised on one deal
// (numbers 1..32 without gap), one draft finalised by 32 (one winner), one final document
// corrected by 32 (one winner), 32 invoices at once; then the load generator's invoice
// scenario with 32 clients on both processes. The deal's chain, every deal and the checkpoint
// log verify; every counter is gapless (checkIntegrity).
func TestTwoProcessesOneDeal(t *testing.T) {
	skipShort(t)
	const n = 32
	dbURL := storagetest.NewPostgresDatabase(t)
	var srvs []*server
	for i := range 2 {
		s := newServer(t, fmt.Sprintf("dealgate-%c", 'A'+i), freeAddr(t), "DATABASE_URL="+dbURL, "DEALGATE_DATA_DIR="+t.TempDir())
		s.start()
		srvs = append(srvs, s)
	}
	admin := newClient(srvs[0].url(), srvs[0].adminToken())
	if strings.Contains(srvs[1].stdout0, "API token") {
		t.Fatalf("the second process printed credentials again: %q", srvs[1].stdout0)
	}
	_, repToken := createUser(t, admin, "rep@example.ru", "rep", "")
	_, managerToken := createUser(t, admin, "manager@example.ru", "manager", "")
	_, boToken := createUser(t, admin, "backoffice@example.ru", "backoffice", "")
	_, auditorToken := createUser(t, admin, "auditor@example.ru", "auditor", "")
	var loadManagers []string
	for i := range 4 {
		_, tok := createUser(t, admin, fmt.Sprintf("manager%d@example.ru", i+2), "manager", "")
		loadManagers = append(loadManagers, tok)
	}
	// clientsAs spreads n clients of the listed users over both processes.
	clientsAs := func(tokens ...string) []*client {
		var cs []*client
		for i := range n {
			cs = append(cs, newClient(srvs[i%2].url(), tokens[i%len(tokens)]))
		}
		return cs
	}
	movers := clientsAs(repToken, managerToken, srvs[0].adminToken())
	rep := movers[0]
	fig := concurrencyFigures{Processes: 2, Clients: n, Races: map[string]any{}}

	var co, deal struct {
		ID      int64  `json:"id"`
		Version int64  `json:"version"`
		Stage   string `json:"stage"`
	}
	rep.must(t, "POST", "/api/v1/companies", companyBody("ООО «Гонка»"), 201, &co)
	rep.must(t, "POST", "/api/v1/deals", map[string]any{"company_id": co.ID, "title": "Гонка", "amount": "1500000.00", "cost": "1100000.00", "currency": "RUB"}, 201, &deal)
	dealPath := fmt.Sprintf("/api/v1/deals/%d", deal.ID)

	// One winner per version, through four stages.
	steps := []struct {
		body     map[string]any
		evidence func()
		to       string
	}{
		{map[string]any{"action": "advance"}, nil, "cold_call"},
		{map[string]any{"action": "advance"}, func() {
			rep.must(t, "POST", dealPath+"/activities", map[string]any{"kind": "call", "note": "звонок"}, 201, nil)
		}, "meeting"},
		{map[string]any{"action": "skip", "reason": "встреча не нужна"}, nil, "needs"},
		{map[string]any{"action": "advance"}, func() {
			rep.must(t, "POST", dealPath+"/facts", map[string]any{"kind": "needs", "summary": "компрессоры"}, 201, nil)
		}, "proposal"},
	}
	for i, s := range steps {
		if s.evidence != nil {
			s.evidence()
		}
		v := int64(i + 1)
		as := race(t, movers, n, "POST", dealPath+"/transitions", func(int) any {
			b := map[string]any{"expected_version": v}
			for k, x := range s.body {
				b[k] = x
			}
			return b
		})
		w := oneWinner(t, fmt.Sprintf("transition from version %d", v), as, http.StatusOK)
		if err := json.Unmarshal(w.Body, &deal); err != nil || deal.Version != v+1 || deal.Stage != s.to {
			t.Fatalf("the winner of version %d answered %s", v, w.Body)
		}
		for _, a := range as {
			if p, ok := a.problem(); ok && (a.Status != http.StatusConflict || p.Type != "/problems/conflict" || p.Field != "expected_version") {
				t.Errorf("a loser of version %d: %d %+v", v, a.Status, p)
			}
		}
		fig.Races[fmt.Sprintf("transition_v%d", v)] = tally(as)
	}

	// 32 twins of one request (one user, one Idempotency-Key) on both processes: one effect,
	// one answer for all.
	twins := clientsAs(repToken)
	as := race(t, twins, n, "POST", dealPath+"/activities", func(int) any {
		return map[string]any{"kind": "email", "note": "одно письмо"}
	}, "Idempotency-Key", "twins-1")
	for _, a := range as {
		if a.Status != http.StatusCreated || string(a.Body) != string(as[0].Body) {
			t.Fatalf("twin answers differ: %d %s vs %d %s", a.Status, a.Body, as[0].Status, as[0].Body)
		}
	}
	fig.Races["idempotent_twins"] = tally(as)
	st, err := storage.Open(context.Background(), storage.Config{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if emails := count(t, st, "SELECT COUNT(*) FROM activities WHERE deal_id = ? AND kind = 'email'", deal.ID); emails != 1 {
		t.Fatalf("32 twins made %d activities, want 1", emails)
	}

	// 32 proposals finalised at once on the deal: all succeed, numbered 1..32.
	writers := clientsAs(repToken, managerToken)
	proposal := exampleData(t, "proposal")
	as = race(t, writers, n, "POST", dealPath+"/documents", func(int) any {
		return map[string]any{"kind": "proposal", "final": true, "data": proposal}
	})
	fig.ProposalNumbers = numbersOf(t, "proposal", as, n)
	fig.Races["proposals_finalised"] = tally(as)

	// One draft finalised by 32: one winner.
	var draft struct {
		ID int64 `json:"id"`
	}
	rep.must(t, "POST", dealPath+"/documents", map[string]any{"kind": "proposal", "final": false, "data": proposal}, 201, &draft)
	as = race(t, writers, n, "POST", fmt.Sprintf("/api/v1/documents/%d/finalise", draft.ID), func(int) any { return map[string]any{} })
	oneWinner(t, "finalising one draft", as, http.StatusOK)
	fig.Races["draft_finalised"] = tally(as)

	// One final document corrected by 32: one winner.
	var target struct {
		ID int64 `json:"id"`
	}
	rep.must(t, "POST", dealPath+"/documents", map[string]any{"kind": "proposal", "final": true, "data": proposal}, 201, &target)
	as = race(t, writers, n, "POST", fmt.Sprintf("/api/v1/documents/%d/corrections", target.ID), func(int) any {
		return map[string]any{"data": proposal}
	})
	oneWinner(t, "correcting one document", as, http.StatusCreated)
	fig.Races["document_corrected"] = tally(as)

	// 32 invoices at once on the deal, by the back office and a manager.
	invoicers := clientsAs(boToken, managerToken)
	invoice := exampleData(t, "invoice")
	as = race(t, invoicers, n, "POST", dealPath+"/documents", func(int) any {
		return map[string]any{"kind": "invoice", "final": true, "data": invoice}
	})
	fig.InvoiceNumbers = numbersOf(t, "invoice", as, n)
	fig.Races["invoices_finalised"] = tally(as)

	// The load generator's invoice clients, 32 over both processes, for a while.
	led := &ledger{}
	loadFor := 8 * time.Second
	if longRun() {
		loadFor = 60 * time.Second
	}
	t0 := time.Now()
	rep32, err := loadgen.Run(context.Background(), loadgen.Config{Targets: []string{srvs[0].url(), srvs[1].url()}, Tokens: loadManagers,
		Clients: n, Duration: loadFor, Scenario: loadgen.ScenarioInvoices, Seed: 31, IdempotencyKeys: true, Timeout: 60 * time.Second,
		Observe: led.observer(loadManagers)})
	if err != nil {
		t.Fatal(err)
	}
	fig.LoadSeconds = time.Since(t0).Seconds()
	fig.DuplicateNumbers = len(rep32.Duplicate)
	if len(rep32.Duplicate) > 0 || rep32.Errors > 0 {
		t.Errorf("invoice load: %d duplicate numbers, %d errors: %v", len(rep32.Duplicate), rep32.Errors, rep32.ErrorList)
	}
	for _, r := range led.all() {
		if r.Op == "document.invoice" && r.acked() {
			fig.LoadInvoices++
		}
	}

	// Everything verifies, from either process.
	var ids []int64
	if err := st.DB().Raw("SELECT id FROM deals ORDER BY id").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	half := len(ids) / 2
	fig.DealsVerified = verifyChains(t, newClient(srvs[0].url(), auditorToken), ids[:half])
	fig.DealsVerified += verifyChains(t, newClient(srvs[1].url(), auditorToken), ids[half:])
	for _, s := range srvs {
		s.stop()
	}
	f := checkIntegrity(t, st)
	fig.CountersChecked = f.Counters
	fig.EventsOnRaceDeal = int(count(t, st, "SELECT COUNT(*) FROM events WHERE deal_id = ?", deal.ID))
	fig.VersionOfRaceDeal = count(t, st, "SELECT version FROM deals WHERE id = ?", deal.ID)
	// created, 4 transitions, call, needs, the email, 32+1+1+1 proposals (+1 superseded), 32 invoices
	if want := 1 + 4 + 3 + n + 1 + 1 + 1 + 1 + n; fig.EventsOnRaceDeal != want || fig.VersionOfRaceDeal != 5 {
		t.Errorf("the raced deal has %d events and version %d, want %d and 5", fig.EventsOnRaceDeal, fig.VersionOfRaceDeal, want)
	}
	invoices := count(t, st, "SELECT COUNT(*) FROM documents WHERE kind = 'invoice'")
	if invoices != int64(n+fig.LoadInvoices) {
		t.Errorf("%d invoices stored, %d acknowledged", invoices, n+fig.LoadInvoices)
	}
	for _, s := range srvs {
		checkNoSecrets(t, s.logs("stderr"), []string{srvs[0].adminToken(), repToken, managerToken, boToken, auditorToken})
	}
	report(t, "two-processes", fig)
}

// numbersOf checks that n answers are 201 documents of the kind with n distinct numbers whose
// serials are consecutive, and returns "first … last".
func numbersOf(t testing.TB, kind string, as []answer, n int) string {
	t.Helper()
	seen := map[string]bool{}
	var nums []string
	for _, a := range as {
		var d struct {
			Kind   string `json:"kind"`
			Number string `json:"number"`
		}
		if a.Status != http.StatusCreated || json.Unmarshal(a.Body, &d) != nil || d.Kind != kind || d.Number == "" {
			t.Fatalf("%s: %d %s", kind, a.Status, tail(a.Body, 400))
		}
		if seen[d.Number] {
			t.Fatalf("%s number %s handed out twice", kind, d.Number)
		}
		seen[d.Number] = true
		nums = append(nums, d.Number)
	}
	sort.Strings(nums)
	// The serial is the number's last digits; they must be consecutive.
	serial := func(s string) int {
		v := 0
		for _, r := range s[strings.LastIndexAny(s, "-/")+1:] {
			if r >= '0' && r <= '9' {
				v = v*10 + int(r-'0')
			}
		}
		return v
	}
	for i := 1; i < len(nums); i++ {
		if serial(nums[i]) != serial(nums[i-1])+1 {
			t.Fatalf("%s numbers are not consecutive: %v", kind, nums)
		}
	}
	if len(nums) != n {
		t.Fatalf("%d %s numbers, want %d", len(nums), kind, n)
	}
	return nums[0] + " … " + nums[len(nums)-1]
}
