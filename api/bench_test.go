package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// BenchmarkTransitionHTTP measures POST /api/v1/deals/{id}/transitions through the server's
// handler on real storage: each operation advances a fresh deal out of research (the gate
// checks the company's requisites and gathers the deal's evidence), authenticating the bearer
// token, locking the deal, comparing its version, appending the event and answering the deal
// JSON. The deals are created in batches before the timer starts. "parallel" runs 4 clients
// per CPU at once (b.SetParallelism(4)).
func BenchmarkTransitionHTTP(b *testing.B) {
	for _, dialect := range storagetest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			e := newEnv(b, storagetest.NewStore(b, dialect))
			// prepare creates b.N open deals at research, 500 per transaction; the caller
			// resets the timer after it.
			prepare := func(b *testing.B) []workflow.Deal {
				b.Helper()
				var deals []workflow.Deal
				for left := b.N; left > 0; left -= 500 {
					deals = append(deals, storagetest.CreateDeals(b, e.st, e.f.Pipeline, e.f.Company.ID, e.f.Rep1, min(left, 500))...)
				}
				return deals
			}
			advance := func(d workflow.Deal) error {
				req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/deals/%d/transitions", d.ID), strings.NewReader(`{"action":"advance","expected_version":1}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+e.f.Rep1.Token)
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					return fmt.Errorf("deal %d: %d %s", d.ID, rec.Code, rec.Body)
				}
				return nil
			}
			b.Run("serial", func(b *testing.B) {
				deals := prepare(b)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					if err := advance(deals[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
			b.Run("parallel", func(b *testing.B) {
				deals := prepare(b)
				var next atomic.Int64
				b.ReportAllocs()
				b.SetParallelism(4)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := advance(deals[next.Add(1)-1]); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		})
	}
}
