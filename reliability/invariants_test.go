package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealgate/dealgate/loadgen"
	"github.com/dealgate/dealgate/storage"
)

// request is one load-generator request and what finally became of it.
type request struct {
	loadgen.Outcome
	Token string
	// Retried is set when the test sent the request again with its Idempotency-Key after a
	// restart; RetryStatus, Replayed and RetryBody are that answer.
	Retried     bool
	RetryStatus int
	Replayed    bool
	RetryBody   []byte
}

// acked reports whether the client was finally told the request took effect.
func (r *request) acked() bool {
	if r.Retried {
		return r.RetryStatus >= 200 && r.RetryStatus < 300
	}
	return r.Err == nil && r.Status >= 200 && r.Status < 300
}

// answerBody is the body of the answer that acknowledged the request.
func (r *request) answerBody() []byte {
	if r.Retried {
		return r.RetryBody
	}
	return r.Response
}

// unanswered reports whether the client does not know whether the request took effect: no
// answer at all, or 503 (the server could not reach its database or was stopping).
func (r *request) unanswered() bool {
	return r.Status == 0 || r.Status == http.StatusServiceUnavailable
}

// ledger collects every load-generator request.
type ledger struct {
	mu   sync.Mutex
	reqs []*request
	acks atomic.Int64
}

// observer returns the Observe hook of a loadgen run whose client i used tokens[i%len].
func (l *ledger) observer(tokens []string) func(loadgen.Outcome) {
	return func(o loadgen.Outcome) {
		r := &request{Outcome: o, Token: tokens[o.Client%len(tokens)]}
		if r.acked() && o.Method == http.MethodPost {
			l.acks.Add(1)
		}
		l.mu.Lock()
		l.reqs = append(l.reqs, r)
		l.mu.Unlock()
	}
}

func (l *ledger) all() []*request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*request(nil), l.reqs...)
}

// retryUnanswered sends every POST that got no answer (or a 503) again, with its
// Idempotency-Key, until it gets a definite answer. It returns how many were retried and how
// many of those answers were replays of an effect made before the crash.
func (l *ledger) retryUnanswered(t testing.TB, base func(target string) string) (retried, replayed int) {
	t.Helper()
	todo := []*request{}
	for _, r := range l.all() {
		if r.Method == http.MethodPost && r.unanswered() {
			if r.Key == "" {
				t.Fatalf("%s %s went unanswered and has no Idempotency-Key to retry with", r.Method, r.Path)
			}
			todo = append(todo, r)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, r := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func(r *request) {
			defer wg.Done()
			defer func() { <-sem }()
			c := newClient(base(r.Target), r.Token)
			deadline := time.Now().Add(60 * time.Second)
			for {
				a, err := c.send(context.Background(), r.Method, r.Path, r.Body, "Idempotency-Key", r.Key)
				if err == nil && a.Status != http.StatusServiceUnavailable {
					mu.Lock()
					r.Retried, r.RetryStatus, r.RetryBody = true, a.Status, a.Body
					r.Replayed = a.Header.Get("Idempotent-Replayed") == "true"
					retried++
					if r.Replayed {
						replayed++
					}
					mu.Unlock()
					return
				}
				if time.Now().After(deadline) {
					t.Errorf("retry of %s %s (key %s): no definite answer within 60 s: %v %d", r.Method, r.Path, r.Key, err, a.Status)
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
		}(r)
	}
	wg.Wait()
	for _, r := range todo {
		if r.Retried && !r.acked() {
			t.Errorf("retry of %s %s (key %s) was refused: %d %s", r.Method, r.Path, r.Key, r.RetryStatus, r.RetryBody)
		}
	}
	return retried, replayed
}

// effectsOf maps load-generator operations to the table or event kind that counts their
// effect.
func effectOf(op string) string {
	switch {
	case op == "company.create":
		return "companies"
	case op == "deal.create":
		return "deals"
	case strings.HasPrefix(op, "transition"):
		return "transitions"
	case strings.HasPrefix(op, "activity."):
		return "activities"
	case strings.HasPrefix(op, "fact."):
		return "facts"
	case strings.HasPrefix(op, "document."):
		return "documents"
	}
	return ""
}

// dbFigures are what checkStore found.
type dbFigures struct {
	Companies   int64 `json:"companies"`
	Deals       int64 `json:"deals"`
	Transitions int64 `json:"transitions"`
	Activities  int64 `json:"activities"`
	Facts       int64 `json:"facts"`
	Documents   int64 `json:"documents"`
	Events      int64 `json:"events"`
	Counters    int   `json:"counters"`
	MaxNumber   int64 `json:"max_number"` // highest number of any counter
}

func count(t testing.TB, st *storage.Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkStore checks the database after a fault run (see checkIntegrity) and that it holds
// exactly the acknowledged effects of the ledger on top of base (what was there before the
// load): nothing acknowledged lost, nothing done twice.
func checkStore(t testing.TB, st *storage.Store, l *ledger, base dbFigures) dbFigures {
	t.Helper()
	got := checkIntegrity(t, st)
	want := base
	acked := map[string][]*request{}
	for _, r := range l.all() {
		if r.Method != http.MethodPost || !r.acked() {
			continue
		}
		e := effectOf(r.Op)
		acked[e] = append(acked[e], r)
		switch e {
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
		default:
			t.Errorf("acknowledged operation %s has no known effect", r.Op)
		}
	}
	for _, c := range []struct {
		what      string
		got, want int64
	}{{"companies", got.Companies, want.Companies}, {"deals", got.Deals, want.Deals}, {"transitions", got.Transitions, want.Transitions},
		{"activities", got.Activities, want.Activities}, {"facts", got.Facts, want.Facts}, {"final documents", got.Documents, want.Documents}} {
		if c.got != c.want {
			t.Errorf("%s: the database holds %d, the clients were acknowledged %d (before the load: see base %+v)", c.what, c.got, c.want, base)
		}
	}

	// Every acknowledged answer names something that is there, as answered.
	exists := func(table string, id int64) bool {
		return count(t, st, "SELECT COUNT(*) FROM "+table+" WHERE id = ?", id) == 1
	}
	for _, r := range acked["companies"] {
		if id := idOf(t, r); !exists("companies", id) {
			t.Errorf("acknowledged company %d is missing", id)
		}
	}
	for _, r := range acked["deals"] {
		if id := idOf(t, r); !exists("deals", id) {
			t.Errorf("acknowledged deal %d is missing", id)
		}
	}
	for _, r := range acked["activities"] {
		if id := idOf(t, r); !exists("activities", id) {
			t.Errorf("acknowledged activity %d is missing", id)
		}
	}
	for _, r := range acked["facts"] {
		if id := idOf(t, r); !exists("facts", id) {
			t.Errorf("acknowledged fact %d is missing", id)
		}
	}
	for _, r := range acked["transitions"] {
		var d struct {
			ID      int64  `json:"id"`
			Stage   string `json:"stage"`
			Version int64  `json:"version"`
		}
		if err := json.Unmarshal(r.answerBody(), &d); err != nil || d.ID == 0 {
			t.Errorf("acknowledged transition answer %q: %v", r.answerBody(), err)
			continue
		}
		// The answer's version v is the deal after its (v-1)th transition.
		var to []string
		if err := st.DB().Raw("SELECT to_stage FROM events WHERE deal_id = ? AND kind = 'transition' ORDER BY seq", d.ID).Scan(&to).Error; err != nil {
			t.Fatal(err)
		}
		if int64(len(to)) < d.Version-1 || d.Version < 2 || to[d.Version-2] != d.Stage {
			t.Errorf("acknowledged transition of deal %d to %s (version %d) is not in its chain: transitions %v", d.ID, d.Stage, d.Version, to)
		}
	}
	for _, r := range acked["documents"] {
		var d struct {
			ID     int64  `json:"id"`
			Number string `json:"number"`
			Status string `json:"status"`
			Files  map[string]struct {
				SHA256 string `json:"sha256"`
			} `json:"files"`
		}
		if err := json.Unmarshal(r.answerBody(), &d); err != nil || d.ID == 0 {
			t.Errorf("acknowledged document answer %q: %v", r.answerBody(), err)
			continue
		}
		var row struct {
			Number     string
			Status     string
			PDFSHA256  string `gorm:"column:pdf_sha256"`
			DOCXSHA256 string `gorm:"column:docx_sha256"`
		}
		q := st.DB().Raw("SELECT number, status, pdf_sha256, docx_sha256 FROM documents WHERE id = ?", d.ID).Scan(&row)
		switch {
		case q.Error != nil:
			t.Fatal(q.Error)
		case q.RowsAffected != 1:
			t.Errorf("acknowledged document %d (%s) is missing", d.ID, d.Number)
		case row.Number != d.Number || row.Status == "draft" || row.PDFSHA256 != d.Files["pdf"].SHA256 || row.DOCXSHA256 != d.Files["docx"].SHA256:
			t.Errorf("acknowledged document %d %s (pdf %s) is stored as %+v", d.ID, d.Number, d.Files["pdf"].SHA256, row)
		}
	}
	return got
}

func idOf(t testing.TB, r *request) int64 {
	t.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(r.answerBody(), &v); err != nil || v.ID == 0 {
		t.Errorf("%s: acknowledged answer without an id: %q", r.Op, r.answerBody())
	}
	return v.ID
}

// checkIntegrity checks what must hold in any dealgate database, whatever was done to it:
// every deal's events are numbered 1..n, start with its creation and account for its version;
// every activity and fact has its event; every final document has exactly one finalisation
// event and both its files, and every finalisation event has its document; every number
// counter has handed out exactly 1..value, each number to one document (no gap, no number
// allocated to nothing, no duplicate); no Idempotency-Key claim is left half-done.
func checkIntegrity(t testing.TB, st *storage.Store) dbFigures {
	t.Helper()
	var f dbFigures
	f.Companies = count(t, st, "SELECT COUNT(*) FROM companies")
	f.Deals = count(t, st, "SELECT COUNT(*) FROM deals")
	f.Transitions = count(t, st, "SELECT COUNT(*) FROM events WHERE kind = 'transition'")
	f.Activities = count(t, st, "SELECT COUNT(*) FROM activities")
	f.Facts = count(t, st, "SELECT COUNT(*) FROM facts")
	f.Documents = count(t, st, "SELECT COUNT(*) FROM documents WHERE status <> 'draft'")
	f.Events = count(t, st, "SELECT COUNT(*) FROM events")

	if n := count(t, st, "SELECT COUNT(*) FROM events WHERE kind = 'activity'"); n != f.Activities {
		t.Errorf("%d activity events for %d activities", n, f.Activities)
	}
	if n := count(t, st, "SELECT COUNT(*) FROM events WHERE kind = 'fact'"); n != f.Facts {
		t.Errorf("%d fact events for %d facts", n, f.Facts)
	}
	if n := count(t, st, "SELECT COUNT(*) FROM events WHERE kind = 'deal_created'"); n != f.Deals {
		t.Errorf("%d deal_created events for %d deals", n, f.Deals)
	}
	// Chains: seq 1..n, the first is the creation, and the version counts the transitions.
	type dealRow struct {
		ID      int64
		Version int64
		Events  int64
		MinSeq  int64
		MaxSeq  int64
		Moves   int64
	}
	var deals []dealRow
	err := st.DB().Raw(`SELECT d.id, d.version,
		(SELECT COUNT(*) FROM events e WHERE e.deal_id = d.id) AS events,
		(SELECT COALESCE(MIN(seq), 0) FROM events e WHERE e.deal_id = d.id) AS min_seq,
		(SELECT COALESCE(MAX(seq), 0) FROM events e WHERE e.deal_id = d.id) AS max_seq,
		(SELECT COUNT(*) FROM events e WHERE e.deal_id = d.id AND e.kind = 'transition') AS moves
		FROM deals d ORDER BY d.id`).Scan(&deals).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deals {
		if d.Events == 0 || d.MinSeq != 1 || d.MaxSeq != d.Events || d.Version != d.Moves+1 {
			t.Errorf("deal %d: %d events numbered %d..%d, version %d after %d transitions", d.ID, d.Events, d.MinSeq, d.MaxSeq, d.Version, d.Moves)
		}
	}
	if n := count(t, st, "SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM deals d WHERE d.id = e.deal_id)"); n != 0 {
		t.Errorf("%d events of deals that do not exist", n)
	}
	if n := count(t, st, "SELECT COUNT(*) FROM events WHERE seq = 1 AND kind <> 'deal_created'"); n != 0 {
		t.Errorf("%d chains do not start with the deal's creation", n)
	}

	// Documents and their events, both ways.
	type docRow struct {
		ID         int64
		DealID     int64
		Kind       string
		Number     string
		Status     string
		Seq        int64
		Scope      string `gorm:"column:number_scope"`
		Year       int    `gorm:"column:number_year"`
		Version    int
		PDFSHA256  string `gorm:"column:pdf_sha256"`
		DOCXSHA256 string `gorm:"column:docx_sha256"`
	}
	var docs []docRow
	if err := st.DB().Raw(`SELECT id, deal_id, kind, number, status, seq, number_scope, number_year, version, pdf_sha256, docx_sha256
		FROM documents WHERE status <> 'draft' ORDER BY id`).Scan(&docs).Error; err != nil {
		t.Fatal(err)
	}
	var evs []struct {
		DealID  int64
		Seq     int64
		Payload string
	}
	if err := st.DB().Raw("SELECT deal_id, seq, payload FROM events WHERE kind = 'document_finalised' ORDER BY id").Scan(&evs).Error; err != nil {
		t.Fatal(err)
	}
	eventsOf := map[int64][]string{} // document id → "deal/number" of each event naming it
	for _, e := range evs {
		var p struct {
			DocumentID int64             `json:"document_id"`
			Number     string            `json:"number"`
			Files      map[string]string `json:"files"`
		}
		if err := json.Unmarshal([]byte(e.Payload), &p); err != nil || p.DocumentID == 0 {
			t.Errorf("deal %d event %d: a document_finalised payload without a document: %q", e.DealID, e.Seq, e.Payload)
			continue
		}
		eventsOf[p.DocumentID] = append(eventsOf[p.DocumentID], fmt.Sprintf("%d/%s/%s/%s", e.DealID, p.Number, p.Files["pdf"], p.Files["docx"]))
	}
	byID := map[int64]bool{}
	for _, d := range docs {
		byID[d.ID] = true
		want := fmt.Sprintf("%d/%s/%s/%s", d.DealID, d.Number, d.PDFSHA256, d.DOCXSHA256)
		if ev := eventsOf[d.ID]; len(ev) != 1 || ev[0] != want {
			t.Errorf("document %d (%s %s): finalisation events %v, want exactly one %s", d.ID, d.Kind, d.Number, ev, want)
		}
		if d.Number == "" || d.PDFSHA256 == "" || d.DOCXSHA256 == "" {
			t.Errorf("document %d (%s) is final without a number or a file: %+v", d.ID, d.Kind, d)
		}
	}
	for id, ev := range eventsOf {
		if !byID[id] {
			t.Errorf("finalisation event(s) %v name document %d, which is not a final document", ev, id)
		}
	}
	if n := count(t, st, `SELECT COUNT(*) FROM documents d WHERE d.status <> 'draft' AND (
		NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = d.pdf_sha256) OR NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = d.docx_sha256))`); n != 0 {
		t.Errorf("%d final documents lack a stored file", n)
	}

	// Numbers: each counter handed out 1..value, each to exactly one document (a correction
	// keeps its document's number under a higher version).
	var counters []struct {
		Scope string
		Kind  string
		Year  int
		Value int64
	}
	if err := st.DB().Raw("SELECT scope, kind, year, value FROM counters").Scan(&counters).Error; err != nil {
		t.Fatal(err)
	}
	f.Counters = len(counters)
	seqs := map[string][]int64{}
	for _, d := range docs {
		if d.Version == 1 {
			k := fmt.Sprintf("%s|%s|%d", d.Kind, d.Scope, d.Year)
			seqs[k] = append(seqs[k], d.Seq)
		}
	}
	for _, c := range counters {
		k := fmt.Sprintf("%s|%s|%d", c.Kind, c.Scope, c.Year)
		got := seqs[k]
		delete(seqs, k)
		sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
		ok := int64(len(got)) == c.Value
		for i, s := range got {
			ok = ok && s == int64(i+1)
		}
		if !ok {
			t.Errorf("counter %s is at %d, its documents hold numbers %v: want exactly 1..%d", k, c.Value, short(got), c.Value)
		}
		f.MaxNumber = max(f.MaxNumber, c.Value)
	}
	for k, s := range seqs {
		t.Errorf("documents numbered %v in %s, which has no counter", short(s), k)
	}
	if n := count(t, st, "SELECT COUNT(*) FROM idempotency_keys WHERE status = 0"); n != 0 {
		t.Errorf("%d Idempotency-Key claims were left without their answer", n)
	}
	return f
}

func short(s []int64) string {
	if len(s) <= 20 {
		return fmt.Sprint(s)
	}
	return fmt.Sprintf("%v … %v (%d)", s[:10], s[len(s)-5:], len(s))
}

// verifyChains asks the audit verification about each deal of ids (and the whole checkpoint
// log) through the API and fails on any problem; it returns how many deals were verified.
func verifyChains(t testing.TB, auditor *client, ids []int64) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := make(chan int64)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				var rep struct {
					OK       bool              `json:"ok"`
					Events   int               `json:"events"`
					Problems []json.RawMessage `json:"problems"`
				}
				a, err := auditor.send(context.Background(), "GET", fmt.Sprintf("/api/v1/deals/%d/verify", id), nil)
				mu.Lock()
				switch {
				case err != nil:
					t.Errorf("verify deal %d: %v", id, err)
				case a.Status != 200 || json.Unmarshal(a.Body, &rep) != nil:
					t.Errorf("verify deal %d: %d %s", id, a.Status, tail(a.Body, 600))
				case !rep.OK || len(rep.Problems) > 0 || rep.Events == 0:
					t.Errorf("verify deal %d: not ok: %s", id, tail(a.Body, 1500))
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	var lr struct {
		OK       bool              `json:"ok"`
		Size     int               `json:"size"`
		Problems []json.RawMessage `json:"problems"`
	}
	a, err := auditor.send(context.Background(), "GET", "/api/v1/audit/verify", nil)
	if err != nil || a.Status != 200 || json.Unmarshal(a.Body, &lr) != nil || !lr.OK {
		t.Errorf("audit of the checkpoint log: %v %d %s", err, a.Status, tail(a.Body, 1500))
	}
	return len(ids)
}
