package loadgen_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/loadgen"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

func TestValidateRefusesNonLoopback(t *testing.T) {
	for _, target := range []string{"http://10.0.0.1:8080", "http://example.com", "http://192.168.1.5", "ftp://127.0.0.1"} {
		cfg := loadgen.Config{Targets: []string{target}, Tokens: []string{"dg_x"}, Clients: 1, Duration: time.Second}
		if err := cfg.Validate(); err == nil {
			t.Errorf("target %s: accepted", target)
		}
	}
	for _, target := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"} {
		cfg := loadgen.Config{Targets: []string{target}, Tokens: []string{"dg_x"}, Clients: 1, Duration: time.Second}
		if err := cfg.Validate(); err != nil {
			t.Errorf("target %s: %v", target, err)
		}
	}
	cfg := loadgen.Config{Targets: []string{"http://127.0.0.1:1"}, Tokens: []string{"dg_x"}, Clients: 1}
	if err := cfg.Validate(); err == nil {
		t.Error("a run without a duration or a request count was accepted")
	}
}

// TestRunTransitions drives a real server on both databases and checks the report counts
// what the database holds.
func TestRunTransitions(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		srv := httptest.NewServer(api.NewServer(st, storagetest.Logger(t)).Handler())
		defer srv.Close()
		rep, err := loadgen.Run(context.Background(), loadgen.Config{Targets: []string{srv.URL}, Tokens: []string{f.Rep1.Token, f.Rep2.Token},
			Clients: 4, Requests: 120, Scenario: loadgen.ScenarioTransitions, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Errors != 0 {
			t.Fatalf("errors: %v", rep.ErrorList)
		}
		ops := map[string]loadgen.OpStats{}
		for _, o := range rep.Ops {
			ops[o.Op] = o
		}
		tr := ops["transition"]
		if tr.Count == 0 || tr.P50 <= 0 || tr.P99 < tr.P50 {
			t.Fatalf("transition stats: %+v", tr)
		}
		deals, total, err := st.FindDeals(context.Background(), storage.DealFilter{Stage: "cold_call"})
		if err != nil {
			t.Fatal(err)
		}
		if total != tr.Count {
			t.Fatalf("%d deals at cold_call, report says %d transitions (%d listed)", total, tr.Count, len(deals))
		}
		if !strings.Contains(rep.String(), "transition") {
			t.Fatalf("report table lacks the operation:\n%s", rep)
		}
	})
}

// TestRunTransitionsPrepared: with PrepareDeals every client makes its deals before the clock
// starts, so the report holds transitions only (60 of them for 60 requests; each client has
// enough for all of them, as the clients do not share the requests evenly), the prepared deals
// not moved stay at research, and a client that runs out creates deals inline.
func TestRunTransitionsPrepared(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		srv := httptest.NewServer(api.NewServer(st, storagetest.Logger(t)).Handler())
		defer srv.Close()
		ctx := context.Background()
		rep, err := loadgen.Run(ctx, loadgen.Config{Targets: []string{srv.URL}, Tokens: []string{f.Rep1.Token, f.Rep2.Token},
			Clients: 4, Requests: 60, Scenario: loadgen.ScenarioTransitions, Seed: 7, PrepareDeals: 60})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Errors != 0 || rep.Requests != 60 {
			t.Fatalf("%d requests, errors: %v", rep.Requests, rep.ErrorList)
		}
		ops := map[string]loadgen.OpStats{}
		for _, o := range rep.Ops {
			ops[o.Op] = o
		}
		if ops["transition"].Count != 60 || ops["deal.create"].Count != 0 || ops["company.create"].Count != 0 {
			t.Fatalf("the timed run is not transitions alone: %+v", rep.Ops)
		}
		_, moved, err := st.FindDeals(ctx, storage.DealFilter{Stage: "cold_call"})
		if err != nil {
			t.Fatal(err)
		}
		_, waiting, err := st.FindDeals(ctx, storage.DealFilter{Stage: "research"})
		if err != nil {
			t.Fatal(err)
		}
		if moved != 60 || waiting != 4*60-60 {
			t.Fatalf("%d deals moved, %d still at research; want 60 and %d", moved, waiting, 4*60-60)
		}

		// Too few prepared deals: the clients create the rest inline, and say so.
		rep, err = loadgen.Run(ctx, loadgen.Config{Targets: []string{srv.URL}, Tokens: []string{f.Rep1.Token},
			Clients: 2, Requests: 20, Scenario: loadgen.ScenarioTransitions, Seed: 8, PrepareDeals: 2})
		if err != nil {
			t.Fatal(err)
		}
		ops = map[string]loadgen.OpStats{}
		for _, o := range rep.Ops {
			ops[o.Op] = o
		}
		if rep.Errors != 0 || ops["transition"].Count < 4 || ops["deal.create"].Count == 0 {
			t.Fatalf("ran out of prepared deals: %+v, errors %v", rep.Ops, rep.ErrorList)
		}
		if err := (&loadgen.Config{Targets: []string{srv.URL}, Tokens: []string{"x"}, Clients: 1, Requests: 1,
			Scenario: loadgen.ScenarioDocuments, PrepareDeals: 5}).Validate(); err == nil {
			t.Error("prepare-deals accepted for the documents scenario")
		}
	})
}

// TestRunDocuments finalises proposals (documents scenario) and walks deals (sales scenario)
// on a real server: no request fails, every proposal the clients were told about is stored
// under the number they read from the answer, with the quantities they sent, and the
// quantities differ between proposals.
func TestRunDocuments(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		srv := httptest.NewServer(api.NewServer(st, storagetest.Logger(t)).Handler())
		defer srv.Close()
		ctx := context.Background()
		var mu sync.Mutex
		sent := map[string][]string{} // number → the quantities sent
		observe := func(o loadgen.Outcome) {
			if o.Op != "document.proposal" || o.Err != nil {
				return
			}
			var req struct {
				Data struct {
					Lines []struct {
						Qty string `json:"qty"`
					} `json:"lines"`
				} `json:"data"`
			}
			var resp struct {
				Number string `json:"number"`
			}
			if err := json.Unmarshal(o.Body, &req); err != nil {
				t.Errorf("request body: %v", err)
			}
			if err := json.Unmarshal(o.Response, &resp); err != nil || resp.Number == "" {
				t.Errorf("answer %s: %v", o.Response, err)
			}
			var qty []string
			for _, l := range req.Data.Lines {
				qty = append(qty, l.Qty)
			}
			mu.Lock()
			sent[resp.Number] = qty
			mu.Unlock()
		}
		var proposals int64
		for _, sc := range []loadgen.Scenario{loadgen.ScenarioDocuments, loadgen.ScenarioSales} {
			rep, err := loadgen.Run(ctx, loadgen.Config{Targets: []string{srv.URL}, Tokens: []string{f.Rep1.Token, f.Rep2.Token},
				Clients: 2, Requests: 24, Scenario: sc, Seed: 9, Observe: observe})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Errors != 0 || len(rep.Duplicate) != 0 {
				t.Fatalf("%s: errors %v, duplicates %v", sc, rep.ErrorList, rep.Duplicate)
			}
			for _, o := range rep.Ops {
				if o.Op == "document.proposal" {
					proposals += o.Count
				}
			}
		}
		docs, err := st.FindDocuments(ctx, storage.DocumentFilter{Kind: "proposal", Status: storage.DocFinal})
		if err != nil {
			t.Fatal(err)
		}
		if proposals < 5 || int64(len(docs)) != proposals || len(sent) != len(docs) {
			t.Fatalf("%d proposals reported, %d answered, %d stored", proposals, len(sent), len(docs))
		}
		kinds := map[string]bool{}
		for _, d := range docs {
			var data struct {
				Number string `json:"number"`
				Lines  []struct {
					Qty string `json:"qty"`
				} `json:"lines"`
			}
			if err := json.Unmarshal(d.Data, &data); err != nil {
				t.Fatal(err)
			}
			want, ok := sent[d.Number]
			if !ok || len(want) != len(data.Lines) || len(want) == 0 {
				t.Fatalf("stored proposal %s: %d lines, the client sent %v", d.Number, len(data.Lines), want)
			}
			for i, l := range data.Lines {
				if l.Qty != want[i] {
					t.Fatalf("stored proposal %s, line %d: qty %q, sent %q", d.Number, i, l.Qty, want[i])
				}
			}
			kinds[strings.Join(want, ",")] = true
		}
		if len(kinds) < 2 {
			t.Fatalf("every proposal had the quantities %v", kinds)
		}
	})
}
