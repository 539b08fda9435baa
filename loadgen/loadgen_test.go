package loadgen_test

import (
	"context"
	"net/http/httptest"
	"strings"
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
