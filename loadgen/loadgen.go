// Package loadgen drives a running dealgate server over HTTP the way a sales department does:
// reps create companies and deals, log activities, record facts, finalise documents and move
// deals through the stages, and managers read the statistics. N concurrent clients run for a
// fixed duration or request count; the report gives throughput, p50/p95/p99 latency per
// operation and every error.
//
// It only targets the address it is given, and refuses anything but a loopback address unless
// told otherwise; it always stops by itself.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dealgate/dealgate/templates"
)

// Scenario names what the clients do.
type Scenario string

// Scenarios.
const (
	// ScenarioSales walks deals through the first stages with activities, facts and a final
	// proposal, and reads the deal list and statistics now and then.
	ScenarioSales Scenario = "sales"
	// ScenarioTransitions creates deals and moves them research → cold_call (a transition
	// without a document).
	ScenarioTransitions Scenario = "transitions"
	// ScenarioDocuments finalises a proposal (rendered, numbered, hashed, stored) per request.
	ScenarioDocuments Scenario = "documents"
	// ScenarioInvoices finalises invoices (the gap-free counter under contention).
	ScenarioInvoices Scenario = "invoices"
)

// Config says what to run.
type Config struct {
	Targets  []string // base URLs, e.g. http://127.0.0.1:8080; clients are spread over them
	Tokens   []string // API tokens of reps; client i uses Tokens[i % len]
	Clients  int
	Duration time.Duration // stop after this long (0: no limit)
	Requests int64         // stop after this many requests (0: no limit)
	Scenario Scenario
	Seed     uint64
	// AllowNonLoopback permits targets outside 127.0.0.0/8 and ::1.
	AllowNonLoopback bool
	// PrepareDeals (transitions scenario only) makes each client create this many deals before
	// the clock starts, so that the timed run is transitions alone; a client that runs out
	// creates deals inline again (reported as deal.create).
	PrepareDeals int
	// OnStart, when set, is called as the timed run starts (after PrepareDeals).
	OnStart func()
	// Progress receives a line per second while running (nil: none).
	Progress io.Writer
	// Timeout bounds one request (default 10 s).
	Timeout time.Duration
	// IdempotencyKeys sends an Idempotency-Key with every POST and retries failed ones with it.
	IdempotencyKeys bool
	// Observe, when set, receives the final outcome of every request (after loadgen's own
	// retries), from the client goroutines concurrently. Fault tests use it to know which
	// requests were acknowledged and to retry the others with their Idempotency-Key.
	Observe func(Outcome)
}

// Outcome is what a client knows about one request once it gives up or gets an answer.
type Outcome struct {
	Op       string
	Client   int    // index of the client; it used Tokens[Client % len(Tokens)]
	Target   string // base URL the request went to
	Method   string
	Path     string
	Key      string // the Idempotency-Key sent ("" for none)
	Body     []byte // the request body sent (JSON; nil for none)
	Status   int    // the last answer's status; 0 when no answer came
	Response []byte // the last answer's body
	Err      error  // why the request counts as failed (nil for a wanted status)
	Start    time.Time
	End      time.Time
	Attempts int
}

// Validate checks the configuration, including that every target is on loopback.
func (c *Config) Validate() error {
	if len(c.Targets) == 0 {
		return errors.New("loadgen: a target URL is required")
	}
	for _, t := range c.Targets {
		u, err := url.Parse(t)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("loadgen: target %q is not an http(s) URL", t)
		}
		if !c.AllowNonLoopback && !isLoopback(u.Hostname()) {
			return fmt.Errorf("loadgen: target %q is not a loopback address; pass --allow-non-loopback to load another host", t)
		}
	}
	if len(c.Tokens) == 0 {
		return errors.New("loadgen: at least one API token is required")
	}
	if c.Clients <= 0 || c.Clients > 1024 {
		return errors.New("loadgen: clients must be 1…1024")
	}
	if c.Duration <= 0 && c.Requests <= 0 {
		return errors.New("loadgen: give a duration or a request count, so the run stops by itself")
	}
	if c.Duration > 24*time.Hour {
		return errors.New("loadgen: a run lasts at most 24 h")
	}
	switch c.Scenario {
	case ScenarioSales, ScenarioTransitions, ScenarioDocuments, ScenarioInvoices:
	case "":
		c.Scenario = ScenarioSales
	default:
		return fmt.Errorf("loadgen: unknown scenario %q (sales, transitions, documents, invoices)", c.Scenario)
	}
	if c.PrepareDeals < 0 || c.PrepareDeals > 1_000_000 {
		return errors.New("loadgen: prepare-deals must be 0…1000000")
	}
	if c.PrepareDeals > 0 && c.Scenario != ScenarioTransitions {
		return errors.New("loadgen: prepare-deals applies to the transitions scenario only")
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// OpStats are the figures of one operation.
type OpStats struct {
	Op       string        `json:"op"`
	Count    int64         `json:"count"`
	Errors   int64         `json:"errors"`
	PerSec   float64       `json:"per_sec"`
	P50      time.Duration `json:"p50_ns"`
	P95      time.Duration `json:"p95_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
	Statuses map[int]int64 `json:"statuses"`
}

// Report is the result of a run.
type Report struct {
	Scenario  Scenario          `json:"scenario"`
	Clients   int               `json:"clients"`
	Targets   []string          `json:"targets"`
	Elapsed   time.Duration     `json:"elapsed_ns"`
	Requests  int64             `json:"requests"`
	Errors    int64             `json:"errors"`
	PerSec    float64           `json:"per_sec"`
	Ops       []OpStats         `json:"ops"`
	ErrorList []string          `json:"error_samples"`
	Documents map[string]string `json:"documents,omitempty"` // number → kind, for duplicate checks
	Duplicate []string          `json:"duplicate_numbers,omitempty"`
}

// String formats the report as a table.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s, %d clients, %s: %d requests, %.1f/s, %d errors\n", r.Scenario, r.Clients, r.Elapsed.Round(time.Millisecond), r.Requests, r.PerSec, r.Errors)
	fmt.Fprintf(&b, "%-22s %8s %8s %9s %9s %9s %9s %9s\n", "operation", "count", "errors", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, o := range r.Ops {
		fmt.Fprintf(&b, "%-22s %8d %8d %9.1f %9.2f %9.2f %9.2f %9.2f\n", o.Op, o.Count, o.Errors, o.PerSec, ms(o.P50), ms(o.P95), ms(o.P99), ms(o.Max))
	}
	if len(r.Duplicate) > 0 {
		fmt.Fprintf(&b, "DUPLICATE DOCUMENT NUMBERS: %s\n", strings.Join(r.Duplicate, ", "))
	}
	for _, e := range r.ErrorList {
		fmt.Fprintf(&b, "error: %s\n", e)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type sample struct {
	op     string
	d      time.Duration
	status int
	err    error
}

type recorder struct {
	mu      sync.Mutex
	samples map[string][]time.Duration
	status  map[string]map[int]int64
	errs    map[string]int64
	errList []string
	total   atomic.Int64
	started atomic.Int64
	nerr    atomic.Int64
	numbers map[string]string
	dups    []string
}

func (r *recorder) add(s sample) {
	r.total.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples[s.op] = append(r.samples[s.op], s.d)
	if r.status[s.op] == nil {
		r.status[s.op] = map[int]int64{}
	}
	r.status[s.op][s.status]++
	if s.err != nil {
		r.nerr.Add(1)
		r.errs[s.op]++
		if len(r.errList) < 50 {
			r.errList = append(r.errList, fmt.Sprintf("%s: %v", s.op, s.err))
		}
	}
}

func (r *recorder) document(number, kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := kind + " " + number
	if _, dup := r.numbers[key]; dup {
		r.dups = append(r.dups, key)
	}
	r.numbers[key] = kind
}

// Run executes the load and returns the report. It stops at the duration, the request count,
// or when ctx ends.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	rec := newRecorder()
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.Clients + 4, MaxConnsPerHost: cfg.Clients + 4, IdleConnTimeout: 30 * time.Second}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: cfg.Timeout}
	proposal, err := fs.ReadFile(templates.Examples(), "proposal.json")
	if err != nil {
		return Report{}, err
	}
	invoice, err := fs.ReadFile(templates.Examples(), "invoice.json")
	if err != nil {
		return Report{}, err
	}
	clients := make([]*client, cfg.Clients)
	for i := range clients {
		clients[i] = &client{cfg: &cfg, hc: hc, rec: rec, base: cfg.Targets[i%len(cfg.Targets)], token: cfg.Tokens[i%len(cfg.Tokens)],
			rnd: rand.New(rand.NewPCG(cfg.Seed, uint64(i))), id: i, proposal: proposal, invoice: invoice}
	}
	if cfg.PrepareDeals > 0 && cfg.Scenario == ScenarioTransitions {
		if err := prepareDeals(ctx, cfg, clients); err != nil {
			return Report{}, err
		}
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if cfg.OnStart != nil {
		cfg.OnStart()
	}
	start := time.Now()
	if cfg.Progress != nil {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			var last int64
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					n := rec.total.Load()
					fmt.Fprintf(cfg.Progress, "  %5.0fs  %8d requests  %7d/s  %d errors\n", time.Since(start).Seconds(), n, n-last, rec.nerr.Load())
					last = n
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		c.stop = stop
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.loop(ctx)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return rec.report(cfg, elapsed), nil
}

func newRecorder() *recorder {
	return &recorder{samples: map[string][]time.Duration{}, status: map[string]map[int]int64{}, errs: map[string]int64{}, numbers: map[string]string{}}
}

// prepareDeals has every client create cfg.PrepareDeals deals (its company first), all clients
// at once, before the timed run; these requests are not part of the report.
func prepareDeals(ctx context.Context, cfg Config, clients []*client) error {
	setup := cfg
	setup.Requests, setup.Observe, setup.IdempotencyKeys = 0, nil, false
	rec := newRecorder()
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "preparing %d deals (%d per client), not timed\n", cfg.PrepareDeals*len(clients), cfg.PrepareDeals)
	}
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, timed := *c, c
			run.cfg, run.rec, run.stop = &setup, rec, func() {}
			if errs[i] = run.ensureCompany(ctx); errs[i] != nil {
				return
			}
			for range cfg.PrepareDeals {
				d, err := run.newDeal(ctx)
				if err != nil {
					errs[i] = err
					return
				}
				run.prepared = append(run.prepared, d)
			}
			timed.company, timed.prepared, timed.n = run.company, run.prepared, run.n
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("loadgen: preparing deals: %w", err)
	}
	return nil
}

func (r *recorder) report(cfg Config, elapsed time.Duration) Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{Scenario: cfg.Scenario, Clients: cfg.Clients, Targets: cfg.Targets, Elapsed: elapsed, Requests: r.total.Load(), Errors: r.nerr.Load(),
		ErrorList: r.errList, Duplicate: r.dups}
	rep.PerSec = float64(rep.Requests) / elapsed.Seconds()
	ops := make([]string, 0, len(r.samples))
	for op := range r.samples {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		ds := r.samples[op]
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		q := func(p float64) time.Duration {
			if len(ds) == 0 {
				return 0
			}
			i := int(p*float64(len(ds))+0.5) - 1
			if i < 0 {
				i = 0
			}
			if i >= len(ds) {
				i = len(ds) - 1
			}
			return ds[i]
		}
		rep.Ops = append(rep.Ops, OpStats{Op: op, Count: int64(len(ds)), Errors: r.errs[op], PerSec: float64(len(ds)) / elapsed.Seconds(),
			P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: ds[len(ds)-1], Statuses: r.status[op]})
	}
	return rep
}

type client struct {
	cfg      *Config
	hc       *http.Client
	rec      *recorder
	base     string
	token    string
	rnd      *rand.Rand
	id       int
	n        int64
	company  int64
	prepared []dealResp // deals made before the timed run (transitions scenario)
	proposal []byte
	invoice  []byte
	stop     context.CancelFunc
}

var errStop = errors.New("stop")

// call sends one request and records it under op. want lists acceptable statuses.
func (c *client) call(ctx context.Context, op, method, path string, body any, out any, want ...int) (int, error) {
	if c.cfg.Requests > 0 && c.rec.started.Add(1) > c.cfg.Requests {
		c.stop()
		return 0, errStop
	}
	if ctx.Err() != nil {
		return 0, errStop
	}
	// A request that has started runs to its answer (bounded by the client timeout) even when
	// the run ends meanwhile: cancelling it would leave the client not knowing whether the
	// server acted.
	ctx = context.WithoutCancel(ctx)
	var rd []byte
	if body != nil {
		var err error
		if rd, err = json.Marshal(body); err != nil {
			return 0, err
		}
	}
	key := ""
	if c.cfg.IdempotencyKeys && method == http.MethodPost {
		key = fmt.Sprintf("load-%d-%d-%d", c.cfg.Seed, c.id, c.n)
	}
	c.n++
	var (
		status   int
		err      error
		d        time.Duration
		b        []byte
		attempts int
	)
	start := time.Now()
	for attempt := 0; attempt < 3; attempt++ {
		attempts++
		req, rerr := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(rd))
		if rerr != nil {
			return 0, rerr
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		t0 := time.Now()
		resp, herr := c.hc.Do(req)
		d = time.Since(t0)
		if herr != nil {
			if ctx.Err() != nil {
				return 0, errStop
			}
			status, err, b = 0, herr, nil
			if key != "" {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			break
		}
		var readErr error
		b, readErr = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if readErr != nil {
			// The answer was cut off (the server died while sending it): the client does not
			// know what it said, so it is no answer; with a key the retry gets the stored one.
			status, err, b = 0, fmt.Errorf("%s %s: reading the answer (status %d): %w", method, path, resp.StatusCode, readErr), nil
			if key != "" {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			break
		}
		status, err = resp.StatusCode, nil
		if status == http.StatusServiceUnavailable && key != "" {
			// Retried below; if every attempt gets 503, the request failed.
			err = fmt.Errorf("%s %s: status 503 after %d attempts", method, path, attempt+1)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		ok := false
		for _, w := range want {
			if status == w {
				ok = true
			}
		}
		if !ok {
			snippet := string(b)
			if len(snippet) > 200 {
				snippet = snippet[:200]
			}
			err = fmt.Errorf("%s %s: status %d: %s", method, path, status, snippet)
		} else if out != nil {
			err = json.Unmarshal(b, out)
		}
		break
	}
	if c.cfg.Observe != nil {
		c.cfg.Observe(Outcome{Op: op, Client: c.id, Target: c.base, Method: method, Path: path, Key: key, Body: rd, Status: status,
			Response: b, Err: err, Start: start, End: time.Now(), Attempts: attempts})
	}
	c.rec.add(sample{op: op, d: d, status: status, err: err})
	return status, err
}

type dealResp struct {
	ID      int64  `json:"id"`
	Stage   string `json:"stage"`
	Version int64  `json:"version"`
}

func (c *client) ensureCompany(ctx context.Context) error {
	if c.company != 0 {
		return nil
	}
	var out struct {
		ID int64 `json:"id"`
	}
	body := map[string]string{"name": fmt.Sprintf("АО «Нагрузка %d»", c.id), "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
		"address": "г. Москва, ул. Вавилова, д. 19", "bank_name": "ПАО Сбербанк", "bik": "044525225", "corr_account": "30101810400000000225", "account": "40702810938000012345"}
	if _, err := c.call(ctx, "company.create", "POST", "/api/v1/companies", body, &out, 201); err != nil {
		return err
	}
	c.company = out.ID
	return nil
}

func (c *client) newDeal(ctx context.Context) (dealResp, error) {
	var d dealResp
	amount := 500000 + c.rnd.IntN(9_000_000)
	body := map[string]any{"company_id": c.company, "title": "Поставка компрессорного оборудования", "amount": fmt.Sprintf("%d.00", amount),
		"cost": fmt.Sprintf("%d.00", amount*7/10), "currency": "RUB"}
	_, err := c.call(ctx, "deal.create", "POST", "/api/v1/deals", body, &d, 201)
	return d, err
}

func (c *client) move(ctx context.Context, d *dealResp, action, reason string) error {
	body := map[string]any{"action": action, "expected_version": d.Version}
	if reason != "" {
		body["reason"] = reason
	}
	return c.moveOp(ctx, "transition."+action, d, body)
}

func (c *client) moveOp(ctx context.Context, op string, d *dealResp, body map[string]any) error {
	_, err := c.call(ctx, op, "POST", fmt.Sprintf("/api/v1/deals/%d/transitions", d.ID), body, d, 200)
	return err
}

func (c *client) loop(ctx context.Context) {
	if err := c.ensureCompany(ctx); err != nil {
		return
	}
	for ctx.Err() == nil {
		var err error
		switch c.cfg.Scenario {
		case ScenarioTransitions:
			err = c.transitions(ctx)
		case ScenarioDocuments:
			err = c.documents(ctx)
		case ScenarioInvoices:
			err = c.invoices(ctx)
		default:
			err = c.sales(ctx)
		}
		if errors.Is(err, errStop) {
			return
		}
	}
}

func (c *client) transitions(ctx context.Context) error {
	var d dealResp
	if n := len(c.prepared); n > 0 {
		d, c.prepared = c.prepared[n-1], c.prepared[:n-1]
	} else {
		var err error
		if d, err = c.newDeal(ctx); err != nil {
			return err
		}
	}
	return c.moveOp(ctx, "transition", &d, map[string]any{"action": "advance", "expected_version": d.Version})
}

func (c *client) proposalData(ctx context.Context) map[string]any {
	var data map[string]any
	_ = json.Unmarshal(c.proposal, &data)
	delete(data, "number")
	if lines, ok := data["lines"].([]any); ok {
		for _, l := range lines {
			if m, ok := l.(map[string]any); ok {
				m["qty"] = fmt.Sprint(1 + c.rnd.IntN(5))
				delete(m, "amount")
				delete(m, "vat")
				delete(m, "total")
			}
		}
	}
	delete(data, "totals")
	delete(data, "optional_totals")
	return data
}

func (c *client) documents(ctx context.Context) error {
	d, err := c.newDeal(ctx)
	if err != nil {
		return err
	}
	for i := 0; i < 5 && ctx.Err() == nil; i++ {
		var doc struct {
			Number string `json:"number"`
		}
		if _, err := c.call(ctx, "document.proposal", "POST", fmt.Sprintf("/api/v1/deals/%d/documents", d.ID),
			map[string]any{"kind": "proposal", "final": true, "data": c.proposalData(ctx)}, &doc, 201); err != nil {
			return err
		}
		c.rec.document(doc.Number, "proposal")
	}
	return nil
}

func (c *client) invoices(ctx context.Context) error {
	d, err := c.newDeal(ctx)
	if err != nil {
		return err
	}
	var data map[string]any
	_ = json.Unmarshal(c.invoice, &data)
	delete(data, "number")
	for i := 0; i < 10 && ctx.Err() == nil; i++ {
		var doc struct {
			Number string `json:"number"`
		}
		if _, err := c.call(ctx, "document.invoice", "POST", fmt.Sprintf("/api/v1/deals/%d/documents", d.ID),
			map[string]any{"kind": "invoice", "final": true, "data": data}, &doc, 201); err != nil {
			return err
		}
		c.rec.document(doc.Number, "invoice")
	}
	return nil
}

// sales walks one deal: research → cold call (with a call) → meeting skipped → needs (fact) →
// proposal (final КП) → dmu, and reads the list and statistics now and then.
func (c *client) sales(ctx context.Context) error {
	d, err := c.newDeal(ctx)
	if err != nil {
		return err
	}
	if err := c.move(ctx, &d, "advance", ""); err != nil {
		return err
	}
	if _, err := c.call(ctx, "activity.call", "POST", fmt.Sprintf("/api/v1/deals/%d/activities", d.ID), map[string]any{"kind": "call", "note": "Звонок главному инженеру"}, nil, 201); err != nil {
		return err
	}
	if err := c.move(ctx, &d, "advance", ""); err != nil {
		return err
	}
	if err := c.move(ctx, &d, "skip", "встреча не нужна: техническое задание получено письмом"); err != nil {
		return err
	}
	if _, err := c.call(ctx, "fact.needs", "POST", fmt.Sprintf("/api/v1/deals/%d/facts", d.ID), map[string]any{"kind": "needs", "text": "18 м³/мин, точка росы +3 °C"}, nil, 201); err != nil {
		return err
	}
	if err := c.move(ctx, &d, "advance", ""); err != nil {
		return err
	}
	var doc struct {
		Number string `json:"number"`
	}
	if _, err := c.call(ctx, "document.proposal", "POST", fmt.Sprintf("/api/v1/deals/%d/documents", d.ID),
		map[string]any{"kind": "proposal", "final": true, "data": c.proposalData(ctx)}, &doc, 201); err != nil {
		return err
	}
	c.rec.document(doc.Number, "proposal")
	if err := c.move(ctx, &d, "advance", ""); err != nil {
		return err
	}
	if _, err := c.call(ctx, "deal.get", "GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil, nil, 200); err != nil {
		return err
	}
	if c.rnd.IntN(10) == 0 {
		if _, err := c.call(ctx, "deal.list", "GET", "/api/v1/deals?limit=50", nil, nil, 200); err != nil {
			return err
		}
	}
	if c.rnd.IntN(20) == 0 {
		if _, err := c.call(ctx, "stats.funnel", "GET", "/api/v1/stats/funnel", nil, nil, 200, 404); err != nil {
			return err
		}
	}
	return nil
}
