package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// TestStatementTimeout runs a store on PostgreSQL through a proxy that can stall like a frozen
// host, with a round-trip bound of 500 ms: a slow statement fails at the bound unless its
// context lifts or widens it; with the proxy stalled, a query, a transaction, a COMMIT on the
// wire and a ping all fail with EUNAVAILABLE / a deadline within a few bounds instead of
// hanging; after the proxy resumes, the store works again.
func TestStatementTimeout(t *testing.T) {
	dbURL := storagetest.NewPostgresDatabase(t)
	proxy, viaProxy := storagetest.NewStallProxy(t, dbURL)
	const bound = 500 * time.Millisecond
	ctx := context.Background()
	st, err := storage.Open(ctx, storage.Config{DatabaseURL: viaProxy, StatementTimeout: bound, Logger: storagetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	// Long legitimate work: bounded by default, allowed under WithStatementTimeout.
	start := time.Now()
	err = st.DB().WithContext(ctx).Exec("SELECT pg_sleep(1.2)").Error
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > bound+700*time.Millisecond {
		t.Fatalf("a 1.2 s statement under a 500 ms bound: %v after %v; want a deadline error at the bound", err, took)
	}
	for _, d := range []time.Duration{0, 3 * time.Second} {
		start = time.Now()
		if err := st.DB().WithContext(storage.WithStatementTimeout(ctx, d)).Exec("SELECT pg_sleep(1.2)").Error; err != nil {
			t.Fatalf("a 1.2 s statement with WithStatementTimeout(%v): %v", d, err)
		}
		t.Logf("1.2 s statement with WithStatementTimeout(%v): ok in %v", d, time.Since(start).Round(time.Millisecond))
	}
	// The raw database/sql pool (the audit package uses it) is bounded too.
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.ExecContext(ctx, "SELECT pg_sleep(1.2)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("database/sql: a 1.2 s statement: %v, want a deadline error", err)
	}

	// A COMMIT that the database never answers.
	start = time.Now()
	err = st.InTx(ctx, func(ctx context.Context) error {
		if _, err := st.CountUsers(ctx); err != nil {
			return err
		}
		proxy.Stall()
		return nil
	})
	took := time.Since(start)
	t.Logf("COMMIT to a stalled database: %v after %v", err, took.Round(time.Millisecond))
	if workflow.Code(err) != workflow.EUNAVAILABLE || took > 3*bound {
		t.Fatalf("COMMIT to a stalled database: %v after %v; want EUNAVAILABLE within %v", err, took, 3*bound)
	}

	// Everything else, once the pool holds idle connections again (which it pings before
	// reusing them after a second) and the database stalls again.
	proxy.Resume()
	waitForStore(t, st)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := st.DB().WithContext(ctx).Exec("SELECT pg_sleep(0.1)").Error; err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	time.Sleep(1100 * time.Millisecond)
	proxy.Stall()
	checks := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"query", func(ctx context.Context) error { _, err := st.CountUsers(ctx); return err }},
		{"transaction", func(ctx context.Context) error {
			return st.InTx(ctx, func(ctx context.Context) error { _, err := st.CountUsers(ctx); return err })
		}},
		{"ping", st.Ping},
	}
	for _, c := range checks {
		for i := range 2 {
			start := time.Now()
			err := c.fn(ctx)
			took := time.Since(start)
			t.Logf("stalled database, %s #%d: %v after %v", c.name, i+1, err, took.Round(time.Millisecond))
			if err == nil || (workflow.Code(err) != workflow.EUNAVAILABLE && !errors.Is(err, context.DeadlineExceeded)) {
				t.Fatalf("%s on a stalled database: %v, want unavailable", c.name, err)
			}
			// At worst the pool pings two idle connections (at most 1 s each) and then
			// connects a new one (one bound).
			if limit := 2*time.Second + 2*bound; took > limit {
				t.Fatalf("%s on a stalled database took %v, more than %v", c.name, took, limit)
			}
		}
	}

	proxy.Resume()
	waitForStore(t, st)
}

// waitForStore waits until the store answers again (at most 10 s).
func waitForStore(t *testing.T, st *storage.Store) {
	t.Helper()
	start := time.Now()
	for {
		_, err := st.CountUsers(context.Background())
		if err == nil {
			t.Logf("the store answers again %v after the database did", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the store does not recover once the database answers again: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
