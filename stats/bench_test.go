package stats_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/demo"
	"github.com/dealgate/dealgate/stats"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

// BenchmarkStatsYearPostgres1M measures the statistics of a year for every rep — the
// report (stage visits, deals, cycle, activity, months), the norms and every rep's gaps —
// on PostgreSQL with about a million events: the demo year with its team of twelve repeated
// seventeen times (204 reps, ≈34 000 deals). It logs the plan of the stage-visit query.
//
//	DEALGATE_TEST_POSTGRES=postgres://… go test ./stats -run '^$' -bench StatsYearPostgres -benchtime 10x
//
// Generating the data takes minutes; DEALGATE_BENCH_DB may name a database that
// `dealgate demo --copies 17` filled before, which is then used as it is.
func BenchmarkStatsYearPostgres1M(b *testing.B) {
	ctx := context.Background()
	start := time.Now()
	var st *storage.Store
	var res demo.Result
	if u := os.Getenv("DEALGATE_BENCH_DB"); u != "" {
		var err error
		if st, err = storage.Open(ctx, storage.Config{DatabaseURL: u}); err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		res.Period = [2]time.Time{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
		if err := st.DB().Raw("SELECT COUNT(*) FROM deals").Scan(&res.Deals).Error; err != nil {
			b.Fatal(err)
		}
		if err := st.DB().Raw("SELECT COUNT(*) FROM activities").Scan(&res.Activities).Error; err != nil {
			b.Fatal(err)
		}
		res.Reps = make([]demo.Person, 204)
	} else {
		st = storagetest.NewStore(b, storage.Postgres)
		var err error
		if res, err = demo.Generate(ctx, st, demo.Config{Seed: 1, HistoryMonths: demo.DefaultHistoryMonths, Copies: 17}); err != nil {
			b.Fatal(err)
		}
	}
	var events int64
	if err := st.DB().Raw("SELECT COUNT(*) FROM events").Scan(&events).Error; err != nil {
		b.Fatal(err)
	}
	if events < 1_000_000 {
		b.Fatalf("only %d events", events)
	}
	if err := st.DB().Exec("VACUUM ANALYZE").Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("data: %d events, %d deals, %d reps, %d activities; generated in %s", events, res.Deals, len(res.Reps), res.Activities, time.Since(start).Round(time.Second))
	svc := stats.NewService(st)
	f := stats.Filter{Period: stats.Period{From: res.Period[0], To: res.Period[1]}}
	logPlan(b, st, f)

	// One warm-up run, as a server that has answered before.
	if _, err := svc.Funnel(ctx, f); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var took time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		r, err := svc.Funnel(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		ns := stats.ComputeNorms(r, stats.DefaultNormParams())
		gaps := stats.AllGaps(r, ns)
		stats.WeakestByStage(gaps)
		d := time.Since(t0)
		took = max(took, d)
		if len(r.Reps) != 204 || r.Team.Stages[0].Entered == 0 {
			b.Fatalf("report: %d reps", len(r.Reps))
		}
		var parts []string
		for _, t := range r.Timings {
			parts = append(parts, t.Query+" "+t.Took.Round(time.Millisecond).String())
		}
		b.Logf("run %d: %s (%s)", i+1, d.Round(time.Millisecond), strings.Join(parts, ", "))
	}
	b.StopTimer()
	b.ReportMetric(float64(took.Milliseconds()), "max-ms")
	if took > time.Second {
		b.Errorf("the year's statistics took %s, more than a second", took)
	}
}

// logPlan logs EXPLAIN ANALYZE of the stage-visit query.
func logPlan(b *testing.B, st *storage.Store, f stats.Filter) {
	q, args := stats.VisitsSQLForTest(st, f)
	rows, err := st.DB().Raw("EXPLAIN (ANALYZE, BUFFERS) "+q, args...).Rows()
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			b.Fatal(err)
		}
		lines = append(lines, l)
	}
	b.Log("plan of the stage-visit query:\n" + strings.Join(lines, "\n"))
}

// BenchmarkFunnelAPIPostgres1M measures the answer itself: GET /api/v1/stats/funnel for every
// rep over the demo year, as a manager, JSON and all, on the database of DEALGATE_BENCH_DB
// (filled by `dealgate demo --copies 17`).
func BenchmarkFunnelAPIPostgres1M(b *testing.B) {
	u := os.Getenv("DEALGATE_BENCH_DB")
	if u == "" {
		b.Skip("DEALGATE_BENCH_DB names the database of `dealgate demo --copies 17`")
	}
	ctx := context.Background()
	st, err := storage.Open(ctx, storage.Config{DatabaseURL: u})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	mgr, err := st.FindUserByEmail(ctx, "sokolov@ukm-demo.ru")
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := st.CreateToken(ctx, mgr.ID, "benchmark")
	if err != nil {
		b.Fatal(err)
	}
	srv := api.NewServer(st, nil)
	srv.Extra = append(srv.Extra, (&stats.API{Svc: stats.NewService(st)}).Routes)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	get := func() (int, int) {
		req, _ := http.NewRequest("GET", hs.URL+"/api/v1/stats/funnel?from=2025-03-01&to=2026-02-28", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, len(body)
	}
	if code, _ := get(); code != 200 {
		b.Fatalf("status %d", code)
	}
	b.ResetTimer()
	var took time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		code, n := get()
		d := time.Since(t0)
		took = max(took, d)
		if code != 200 {
			b.Fatalf("status %d", code)
		}
		b.Logf("answer %d: %s, %d bytes", i+1, d.Round(time.Millisecond), n)
	}
	b.StopTimer()
	b.ReportMetric(float64(took.Milliseconds()), "max-ms")
}
