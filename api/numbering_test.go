package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

const (
	// numberedInvoices are finalised concurrently by numberingClients clients.
	numberedInvoices = 200
	numberingClients = 16
	// numberingDeals spread the invoices over several deals, so that the deal lock does not
	// serialise them and the counter itself is contended.
	numberingDeals = 8
	invoicePrefix  = "СЧ-2026-"
)

// invoiceJob is one invoice to finalise: directly (final:true) or as a draft then finalised.
type invoiceJob struct {
	dealID   int64
	data     []byte
	viaDraft bool
	// unprintable marks an invoice whose buyer name has characters the PDF font lacks: it
	// passes validation, gets a number inside the transaction, fails to render (422 naming
	// buyer.name), and must give the number back.
	unprintable bool
}

// invoiceJobs builds n invoices on the deals, each with its own quantities and buyer name,
// half of them through a draft; every tenth of them, when withFailures, is one more that
// cannot be rendered.
func invoiceJobs(t testing.TB, deals []int64, n int, withFailures bool) []invoiceJob {
	t.Helper()
	var jobs []invoiceJob
	for i := range n {
		m := kindExample(t, workflow.DocInvoice)
		m["lines"].([]any)[0].(map[string]any)["qty"] = strconv.Itoa(i%5 + 1)
		m["buyer"].(map[string]any)["name"] = fmt.Sprintf("АО «Покупатель № %d»", i+1)
		b, _ := json.Marshal(m)
		jobs = append(jobs, invoiceJob{dealID: deals[i%len(deals)], data: b, viaDraft: i%2 == 1})
		if withFailures && i%10 == 5 {
			m["buyer"].(map[string]any)["name"] = "ООО «漢字»"
			b, _ := json.Marshal(m)
			jobs = append(jobs, invoiceJob{dealID: deals[(i+3)%len(deals)], data: b, unprintable: true, viaDraft: i%20 == 5})
		}
	}
	return jobs
}

// httpClient posts JSON to servers over real HTTP.
type httpClient struct {
	c     *http.Client
	token string
}

func newHTTPClient(token string) *httpClient {
	return &httpClient{token: token, c: &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{MaxConnsPerHost: numberingClients, MaxIdleConnsPerHost: numberingClients}}}
}

func (h *httpClient) post(ctx context.Context, url, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.token)
	res, err := h.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// finalise runs one job against base (a server URL) and returns the final document, or the
// refusal's status and body.
func (h *httpClient) finalise(ctx context.Context, base string, j invoiceJob) (api.DocumentJSON, int, []byte, error) {
	var d api.DocumentJSON
	body := fmt.Sprintf(`{"kind":"invoice","data":%s,"final":%t}`, j.data, !j.viaDraft)
	status, b, err := h.post(ctx, fmt.Sprintf("%s/api/v1/deals/%d/documents", base, j.dealID), body)
	if err != nil || status != http.StatusCreated {
		return d, status, b, err
	}
	if j.viaDraft {
		if err := json.Unmarshal(b, &d); err != nil {
			return d, status, b, err
		}
		status, b, err = h.post(ctx, fmt.Sprintf("%s/api/v1/documents/%d/finalise", base, d.ID), "")
		if err != nil || status != http.StatusOK {
			return d, status, b, err
		}
	}
	err = json.Unmarshal(b, &d)
	return d, status, b, err
}

// runInvoices finalises the jobs from numberingClients goroutines, job i going to
// bases[i % len(bases)], and returns the final documents of the jobs that must succeed. It
// fails the test when a printable invoice is refused or an unprintable one is accepted.
func runInvoices(t *testing.T, token string, bases []string, jobs []invoiceJob) []api.DocumentJSON {
	t.Helper()
	h := newHTTPClient(token)
	defer h.c.CloseIdleConnections()
	next := make(chan int)
	var (
		mu   sync.Mutex
		out  []api.DocumentJSON
		errs []string
		wg   sync.WaitGroup
	)
	for range numberingClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				d, status, body, err := h.finalise(t.Context(), bases[i%len(bases)], j)
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, fmt.Sprintf("job %d: %v", i, err))
				case j.unprintable && (status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"field":"buyer.name"`)):
					errs = append(errs, fmt.Sprintf("job %d: an invoice the font cannot print: %d %s, want 422 naming buyer.name", i, status, body))
				case !j.unprintable && d.Status != "final":
					errs = append(errs, fmt.Sprintf("job %d: %d %s", i, status, body))
				case !j.unprintable:
					out = append(out, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// checkGapless checks that the invoices are numbered 1…n without a gap or a duplicate, that
// the stored documents and the counter agree, and that the numbers follow the order of
// finalisation.
func checkGapless(t *testing.T, st *storage.Store, got []api.DocumentJSON, n int) {
	t.Helper()
	seen := map[int]int64{}
	for _, d := range got {
		seq, err := strconv.Atoi(strings.TrimPrefix(d.Number, invoicePrefix))
		if err != nil || !strings.HasPrefix(d.Number, invoicePrefix) || len(d.Number) != len(invoicePrefix)+6 {
			t.Fatalf("invoice %d has number %q, want %sNNNNNN", d.ID, d.Number, invoicePrefix)
		}
		if prev, dup := seen[seq]; dup {
			t.Fatalf("number %s given to documents %d and %d", d.Number, prev, d.ID)
		}
		seen[seq] = d.ID
	}
	for i := 1; i <= n; i++ {
		if _, ok := seen[i]; !ok {
			t.Errorf("number %d is missing", i)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct numbers, want %d", len(seen), n)
	}
	// The store agrees: n final invoices, sequence values 1…n, the counter at n.
	docs, err := st.FindDocuments(t.Context(), storage.DocumentFilter{Kind: workflow.DocInvoice})
	if err != nil {
		t.Fatal(err)
	}
	var finals []storage.Document
	for _, d := range docs {
		if d.Status == storage.DocFinal {
			finals = append(finals, d)
		} else if d.Number != "" {
			t.Errorf("a %s invoice %d holds number %s", d.Status, d.ID, d.Number)
		}
	}
	if len(finals) != n {
		t.Fatalf("%d final invoices stored, want %d", len(finals), n)
	}
	sort.Slice(finals, func(i, j int) bool { return finals[i].Seq < finals[j].Seq })
	for i, d := range finals {
		if d.Seq != int64(i+1) || d.Number != fmt.Sprintf("%s%06d", invoicePrefix, i+1) || d.NumberYear != 2026 {
			t.Fatalf("stored invoice %d: seq %d, number %s, year %d; want seq %d", d.ID, d.Seq, d.Number, d.NumberYear, i+1)
		}
		if i > 0 && d.FinalisedAt.Before(*finals[i-1].FinalisedAt) {
			t.Errorf("invoice № %d was finalised at %s, before № %d at %s", d.Seq, d.FinalisedAt, finals[i-1].Seq, finals[i-1].FinalisedAt)
		}
	}
	if v, err := st.CurrentNumber(t.Context(), "", string(workflow.DocInvoice), 2026); err != nil || v != int64(n) {
		t.Fatalf("the invoice counter is at %d (%v), want %d", v, err, n)
	}
	var rows []struct {
		Kind  string
		Year  int
		Value int64
	}
	if err := st.DB().Raw("SELECT kind, year, value FROM counters").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Kind != "invoice" || rows[0].Year != 2026 || rows[0].Value != int64(n) {
		t.Fatalf("counters %+v, want one invoice row for 2026 at %d", rows, n)
	}
}

// numberingSetup sets the seller and makes the deals through the handler.
func numberingSetup(t *testing.T, e *env) []int64 {
	t.Helper()
	e.putSeller(t)
	var deals []int64
	for range numberingDeals {
		deals = append(deals, e.createDeal(t, e.f.Rep1.Token, e.f.Company.ID).ID)
	}
	return deals
}

// TestConcurrentInvoiceNumbers: 16 clients finalise 200 invoices at once over real HTTP (half
// directly, half through a draft), with 20 more that get a number inside the transaction and
// then fail to render; the 200 are numbered 1…200 without a gap or a duplicate, in the order
// they were finalised, and the counter stands at 200.
func TestConcurrentInvoiceNumbers(t *testing.T) {
	t.Parallel()
	forEachDocEnv(t, func(t *testing.T, e *env) {
		deals := numberingSetup(t, e)
		ts := httptest.NewServer(e.h)
		defer ts.Close()
		jobs := invoiceJobs(t, deals, numberedInvoices, true)
		got := runInvoices(t, e.f.Backoffice.Token, []string{ts.URL}, jobs)
		checkGapless(t, e.st, got, numberedInvoices)
	})
}

// TestInvoiceNumbersAcrossServers: two servers, each with its own store (connection pool) on
// one PostgreSQL database, share the 200 invoices: the numbers are still 1…200 without a gap
// or a duplicate. PostgreSQL is how dealgate scales out, so this runs there only.
func TestInvoiceNumbersAcrossServers(t *testing.T) {
	t.Parallel()
	dbURL := storagetest.NewPostgresDatabase(t)
	open := func() *storage.Store {
		st, err := storage.Open(t.Context(), storage.Config{DatabaseURL: dbURL, Logger: storagetest.Logger(t)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	st1, st2 := open(), open()
	if _, err := st1.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	e1 := newDocEnv(t, st1)
	srv2 := api.NewServer(st2, storagetest.Logger(t))
	srv2.Documents.Now = e1.srv.Documents.Now
	deals := numberingSetup(t, e1)
	ts1, ts2 := httptest.NewServer(e1.h), httptest.NewServer(srv2.Handler())
	defer ts1.Close()
	defer ts2.Close()

	jobs := invoiceJobs(t, deals, numberedInvoices, true)
	got := runInvoices(t, e1.f.Backoffice.Token, []string{ts1.URL, ts2.URL}, jobs)
	checkGapless(t, st2, got, numberedInvoices)
}
