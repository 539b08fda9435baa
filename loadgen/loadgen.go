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
	"strconv"
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
	// Every client keeps its connection: as many idle connections per host as clients, so none
	// is closed and dialled again between two requests. The buffers hold a whole proposal
	// request or answer, so each goes out in one write and comes in with one read.
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.Clients + 4, MaxConnsPerHost: cfg.Clients + 4, IdleConnTimeout: 30 * time.Second,
		WriteBufferSize: 16 << 10, ReadBufferSize: 16 << 10}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: cfg.Timeout}
	bodies, err := newDocBodies()
	if err != nil {
		return Report{}, err
	}
	clients := make([]*client, cfg.Clients)
	for i := range clients {
		token := cfg.Tokens[i%len(cfg.Tokens)]
		clients[i] = &client{cfg: &cfg, hc: hc, rec: rec, base: cfg.Targets[i%len(cfg.Targets)], token: token, auth: []string{"Bearer " + token},
			rnd: rand.New(rand.NewPCG(cfg.Seed, uint64(i))), id: i, bodies: bodies}
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
	auth     []string // the Authorization header value, built once
	rnd      *rand.Rand
	id       int
	n        int64
	company  int64
	prepared []dealResp // deals made before the timed run (transitions scenario)
	bodies   *docBodies
	answer   bytes.Buffer // the last answer's body, reused from request to request
	stop     context.CancelFunc
}

var errStop = errors.New("stop")

// call sends one request and records it under op. body is the JSON to send (nil for none);
// out, when set, reads what it needs from a wanted answer (an error from it counts the request
// as failed). want lists acceptable statuses.
func (c *client) call(ctx context.Context, op, method, path string, body []byte, out func([]byte) error, want ...int) (int, error) {
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
	var key []string
	if c.cfg.IdempotencyKeys && method == http.MethodPost {
		k := strconv.AppendUint([]byte("load-"), c.cfg.Seed, 10)
		k = strconv.AppendInt(append(k, '-'), int64(c.id), 10)
		k = strconv.AppendInt(append(k, '-'), c.n, 10)
		key = []string{string(k)}
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
		req, rerr := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if rerr != nil {
			return 0, rerr
		}
		// The keys are in canonical form already; the slices are only read by the transport.
		req.Header["Authorization"] = c.auth
		if body != nil {
			req.Header["Content-Type"] = jsonContentType
		}
		if key != nil {
			req.Header["Idempotency-Key"] = key
		}
		t0 := time.Now()
		resp, herr := c.hc.Do(req)
		d = time.Since(t0)
		if herr != nil {
			if ctx.Err() != nil {
				return 0, errStop
			}
			status, err, b = 0, herr, nil
			if key != nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			break
		}
		// Read to the end (and close), so that the connection goes back to the pool.
		c.answer.Reset()
		_, readErr := c.answer.ReadFrom(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if readErr != nil {
			// The answer was cut off (the server died while sending it): the client does not
			// know what it said, so it is no answer; with a key the retry gets the stored one.
			status, err, b = 0, fmt.Errorf("%s %s: reading the answer (status %d): %w", method, path, resp.StatusCode, readErr), nil
			if key != nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			break
		}
		if b = c.answer.Bytes(); b == nil {
			b = []byte{} // an empty answer is still an answer
		}
		status, err = resp.StatusCode, nil
		if status == http.StatusServiceUnavailable && key != nil {
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
			err = out(b)
		}
		break
	}
	if c.cfg.Observe != nil {
		o := Outcome{Op: op, Client: c.id, Target: c.base, Method: method, Path: path, Body: body, Status: status,
			Err: err, Start: start, End: time.Now(), Attempts: attempts}
		if key != nil {
			o.Key = key[0]
		}
		if b != nil {
			// The buffer is reused by the next request; the observer keeps its own copy.
			o.Response = bytes.Clone(b)
		}
		c.cfg.Observe(o)
	}
	c.rec.add(sample{op: op, d: d, status: status, err: err})
	return status, err
}

var jsonContentType = []string{"application/json"}

type dealResp struct {
	ID      int64
	Version int64
}

// decodeDeal reads the deal's id and version from an answer that holds a deal.
func (d *dealResp) decodeDeal(b []byte) error {
	return eachTopLevel(b, func(key, val []byte) (err error) {
		switch string(key) {
		case "id":
			err = setInt(&d.ID, val)
		case "version":
			err = setInt(&d.Version, val)
		}
		return err
	})
}

// decodeNumber reads the document number from an answer that holds a document.
func decodeNumber(number *string) func([]byte) error {
	return func(b []byte) error {
		return eachTopLevel(b, func(key, val []byte) error {
			if string(key) == "number" {
				return setString(number, val)
			}
			return nil
		})
	}
}

func (c *client) ensureCompany(ctx context.Context) error {
	if c.company != 0 {
		return nil
	}
	var out struct {
		ID int64 `json:"id"`
	}
	body, err := json.Marshal(map[string]string{"name": fmt.Sprintf("АО «Нагрузка %d»", c.id), "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
		"address": "г. Москва, ул. Вавилова, д. 19", "bank_name": "ПАО Сбербанк", "bik": "044525225", "corr_account": "30101810400000000225", "account": "40702810938000012345"})
	if err != nil {
		return err
	}
	if _, err := c.call(ctx, "company.create", "POST", "/api/v1/companies", body, func(b []byte) error { return json.Unmarshal(b, &out) }, 201); err != nil {
		return err
	}
	c.company = out.ID
	return nil
}

// dealBody is the JSON of a new deal, byte for byte what json.Marshal makes of
// {"company_id": company, "title": …, "amount": "<amount>.00", "cost": "<70 %>.00", "currency": "RUB"}.
func dealBody(company int64, amount int) []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"amount":"`...)
	b = strconv.AppendInt(b, int64(amount), 10)
	b = append(b, `.00","company_id":`...)
	b = strconv.AppendInt(b, company, 10)
	b = append(b, `,"cost":"`...)
	b = strconv.AppendInt(b, int64(amount*7/10), 10)
	b = append(b, `.00","currency":"RUB","title":"Поставка компрессорного оборудования"}`...)
	return b
}

func (c *client) newDeal(ctx context.Context) (dealResp, error) {
	var d dealResp
	amount := 500000 + c.rnd.IntN(9_000_000)
	_, err := c.call(ctx, "deal.create", "POST", "/api/v1/deals", dealBody(c.company, amount), d.decodeDeal, 201)
	return d, err
}

// transitionBody is the JSON of a transition, byte for byte what json.Marshal makes of
// {"action": action, "expected_version": version, "reason": reason} (reason left out when empty).
func transitionBody(action string, version int64, reason string) []byte {
	b := make([]byte, 0, 64+len(reason))
	b = append(b, `{"action":`...)
	b = appendJSONString(b, action)
	b = append(b, `,"expected_version":`...)
	b = strconv.AppendInt(b, version, 10)
	if reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, reason)
	}
	return append(b, '}')
}

// appendJSONString appends s as json.Marshal encodes a string.
func appendJSONString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return append(append(append(b, '"'), s...), '"')
	}
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

func dealPath(id int64, what string) string {
	return "/api/v1/deals/" + strconv.FormatInt(id, 10) + what
}

func (c *client) move(ctx context.Context, d *dealResp, action, reason string) error {
	return c.moveOp(ctx, "transition."+action, d, transitionBody(action, d.Version, reason))
}

func (c *client) moveOp(ctx context.Context, op string, d *dealResp, body []byte) error {
	_, err := c.call(ctx, op, "POST", dealPath(d.ID, "/transitions"), body, d.decodeDeal, 200)
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
	return c.moveOp(ctx, "transition", &d, transitionBody("advance", d.Version, ""))
}

// docBodies holds the document requests, encoded once: the invoice whole, the proposal cut
// where each line's quantity goes.
type docBodies struct {
	proposal [][]byte // len(lines)+1 pieces; a quantity goes between two
	invoice  []byte
}

// qtyMark stands for a line's quantity in the encoded proposal until it is cut there.
const qtyMark = "\x00qty\x00"

// newDocBodies encodes the final-document requests from the shipped examples: the proposal
// without its number and totals (the server computes them) and with a quantity per line that
// each request chooses; the invoice without its number.
func newDocBodies() (*docBodies, error) {
	var data map[string]any
	if err := readExample("proposal.json", &data); err != nil {
		return nil, err
	}
	delete(data, "number")
	delete(data, "totals")
	delete(data, "optional_totals")
	lines, _ := data["lines"].([]any)
	marks := 0
	for _, l := range lines {
		if m, ok := l.(map[string]any); ok {
			m["qty"] = qtyMark
			delete(m, "amount")
			delete(m, "vat")
			delete(m, "total")
			marks++
		}
	}
	enc, err := json.Marshal(map[string]any{"kind": "proposal", "final": true, "data": data})
	if err != nil {
		return nil, err
	}
	mark, _ := json.Marshal(qtyMark)
	mark = mark[1 : len(mark)-1] // as it stands inside the quotes
	bodies := &docBodies{proposal: bytes.Split(enc, mark)}
	if len(bodies.proposal) != marks+1 {
		return nil, fmt.Errorf("loadgen: the proposal example encodes %d quantity marks for %d lines", len(bodies.proposal)-1, marks)
	}
	var invoice map[string]any
	if err := readExample("invoice.json", &invoice); err != nil {
		return nil, err
	}
	delete(invoice, "number")
	if bodies.invoice, err = json.Marshal(map[string]any{"kind": "invoice", "final": true, "data": invoice}); err != nil {
		return nil, err
	}
	return bodies, nil
}

func readExample(name string, v any) error {
	b, err := fs.ReadFile(templates.Examples(), name)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// proposalBody is the request finalising a proposal with a random quantity of 1…5 per line
// (drawn in line order).
func (c *client) proposalBody() []byte {
	n := len(c.bodies.proposal) - 1
	for _, p := range c.bodies.proposal {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for i, p := range c.bodies.proposal {
		if i > 0 {
			b = append(b, byte('1'+c.rnd.IntN(5)))
		}
		b = append(b, p...)
	}
	return b
}

func (c *client) documents(ctx context.Context) error {
	d, err := c.newDeal(ctx)
	if err != nil {
		return err
	}
	path := dealPath(d.ID, "/documents")
	for i := 0; i < 5 && ctx.Err() == nil; i++ {
		var number string
		if _, err := c.call(ctx, "document.proposal", "POST", path, c.proposalBody(), decodeNumber(&number), 201); err != nil {
			return err
		}
		c.rec.document(number, "proposal")
	}
	return nil
}

func (c *client) invoices(ctx context.Context) error {
	d, err := c.newDeal(ctx)
	if err != nil {
		return err
	}
	path := dealPath(d.ID, "/documents")
	for i := 0; i < 10 && ctx.Err() == nil; i++ {
		var number string
		if _, err := c.call(ctx, "document.invoice", "POST", path, c.bodies.invoice, decodeNumber(&number), 201); err != nil {
			return err
		}
		c.rec.document(number, "invoice")
	}
	return nil
}

var (
	callBody  = mustJSON(map[string]any{"kind": "call", "note": "Звонок главному инженеру"})
	needsBody = mustJSON(map[string]any{"kind": "needs", "text": "18 м³/мин, точка росы +3 °C"})
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
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
	if _, err := c.call(ctx, "activity.call", "POST", dealPath(d.ID, "/activities"), callBody, nil, 201); err != nil {
		return err
	}
	if err := c.move(ctx, &d, "advance", ""); err != nil {
		return err
	}
	if err := c.move(ctx, &d, "skip", "встреча не нужна: техническое задание получено письмом"); err != nil {
		return err
	}
	if _, err := c.call(ctx, "fact.needs", "POST", dealPath(d.ID, "/facts"), needsBody, nil, 201); err != nil {
		return err
	}
	if err := c.move(ctx, &d, "advance", ""); err != nil {
		return err
	}
	var number string
	if _, err := c.call(ctx, "document.proposal", "POST", dealPath(d.ID, "/documents"), c.proposalBody(), decodeNumber(&number), 201); err != nil {
		return err
	}
	c.rec.document(number, "proposal")
	if err := c.move(ctx, &d, "advance", ""); err != nil {
		return err
	}
	if _, err := c.call(ctx, "deal.get", "GET", dealPath(d.ID, ""), nil, nil, 200); err != nil {
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

// Reading answers. The clients need one or two fields of the top level of an answer (a deal's
// id and version, a document's number), and answers run to several kilobytes (a final document
// carries its data back): rather than have encoding/json check and decode all of it, the answer
// is walked once, its top-level members handed over raw, and nested values only skipped, with
// their brackets and strings checked so that a cut or garbled answer is still an error.

var errAnswer = errors.New("loadgen: the answer is not a JSON object")

// eachTopLevel calls f with the key and raw value of every member of the JSON object b, in
// order; it stops at the first error f returns.
func eachTopLevel(b []byte, f func(key, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errAnswer
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errAnswer
		}
		end, err := endOfString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errAnswer
		}
		i = skipSpace(b, i+1)
		if end, err = endOfValue(b, i); err != nil {
			return err
		}
		if err := f(key, b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return errAnswer
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return trailing(b, i+1)
		default:
			return errAnswer
		}
	}
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errAnswer
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// endOfString returns the index after the string that starts at b[i] (a quote).
func endOfString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			j++
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return 0, errAnswer
		}
	}
	return 0, errAnswer
}

// endOfValue returns the index after the JSON value that starts at b[i]; of an object or array
// it checks that brackets pair up and strings end, of a scalar only that it is there.
func endOfValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errAnswer
	}
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		var stack [64]byte
		open := stack[:0]
		for j := i; j < len(b); j++ {
			switch c := b[j]; c {
			case '"':
				end, err := endOfString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				open = append(open, c+2) // '{'+2 is '}', '['+2 is ']'
			case '}', ']':
				if len(open) == 0 || open[len(open)-1] != c {
					return 0, errAnswer
				}
				if open = open[:len(open)-1]; len(open) == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errAnswer
	case ',', '}', ']', ':':
		return 0, errAnswer
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j, nil
}

// setInt sets *v from a raw JSON number (null leaves it, as encoding/json does).
func setInt(v *int64, raw []byte) error {
	if string(raw) == "null" {
		return nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return fmt.Errorf("loadgen: %q in the answer is not an integer", raw)
	}
	*v = n
	return nil
}

// setString sets *v from a raw JSON string (null leaves it, as encoding/json does).
func setString(v *string, raw []byte) error {
	if string(raw) == "null" {
		return nil
	}
	if len(raw) < 2 || raw[0] != '"' {
		return fmt.Errorf("loadgen: %.40q in the answer is not a string", raw)
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		*v = string(raw[1 : len(raw)-1])
		return nil
	}
	return json.Unmarshal(raw, v)
}
