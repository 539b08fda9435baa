// Package storagetest runs dealgate's tests against real databases: every case on an SQLite
// file in a temporary directory, and on PostgreSQL when DEALGATE_TEST_POSTGRES names a server.
// Each PostgreSQL case gets a database of its own, created for it and dropped afterwards, so
// cases may run in parallel and leave nothing behind.
//
// It also seeds what most tests need: users with API tokens, a client company with valid
// requisites, the default pipeline, deals, and the evidence each stage of the default pipeline
// asks for.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to create and drop databases

	"github.com/dealgate/dealgate/storage"
)

// EnvPostgres names the environment variable holding the URL of a PostgreSQL server the tests
// may create databases on, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvPostgres = "DEALGATE_TEST_POSTGRES"

// Dialects lists the databases ForEachDB runs a case on, in order.
var Dialects = []storage.Dialect{storage.SQLite, storage.Postgres}

// ForEachDB runs fn as a subtest on each database: "sqlite" always, "postgres" when
// DEALGATE_TEST_POSTGRES is set (see PostgresURL for what happens when it is not). Each run
// gets a fresh, migrated store that is closed when the subtest ends.
func ForEachDB(t *testing.T, fn func(t *testing.T, st *storage.Store)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, NewStore(t, d))
		})
	}
}

// NewStore opens a fresh, migrated store of the dialect. SQLite lives in tb.TempDir();
// PostgreSQL in a database created for this test (see NewPostgresDatabase). The store is
// closed, and the database dropped, when the test ends.
func NewStore(tb testing.TB, dialect storage.Dialect) *storage.Store {
	tb.Helper()
	// The round-trip bound that `dealgate serve` applies (storage.DefaultStatementTimeout),
	// widened so that a loaded test machine does not trip it: the tests run through the same
	// bounded connections as production.
	cfg := storage.Config{Logger: Logger(tb), StatementTimeout: 6 * storage.DefaultStatementTimeout}
	switch dialect {
	case storage.SQLite:
		cfg.SQLitePath = filepath.Join(tb.TempDir(), "dealgate.db")
	case storage.Postgres:
		cfg.DatabaseURL = NewPostgresDatabase(tb)
	default:
		tb.Fatalf("storagetest: unknown dialect %q", dialect)
	}
	ctx := context.Background()
	st, err := storage.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("storagetest: open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { st.Close() })
	n, err := st.Migrate(ctx)
	if err != nil {
		tb.Fatalf("storagetest: migrate %s: %v", dialect, err)
	}
	if n == 0 {
		tb.Fatalf("storagetest: migrate %s applied no migration to a fresh database", dialect)
	}
	return st
}

// PostgresURL returns the server URL from DEALGATE_TEST_POSTGRES. When it is unset the test is
// skipped with a message, unless CI=true: CI must not silently skip PostgreSQL, so there the
// test fails instead.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		msg := EnvPostgres + " is not set: PostgreSQL tests need a server URL such as " +
			"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
		if os.Getenv("CI") == "true" {
			tb.Fatal("storagetest: CI=true but " + msg)
		}
		tb.Skip("storagetest: skipping PostgreSQL: " + msg)
	}
	return u
}

var dbCounter atomic.Int64

var unsafeNameRE = regexp.MustCompile(`[^a-z0-9_]+`)

// NewPostgresDatabase creates a database with a unique name on the server of
// DEALGATE_TEST_POSTGRES and returns its URL. It is dropped (WITH (FORCE), so leftover
// connections do not keep it alive) when the test ends.
func NewPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	server := PostgresURL(tb)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	base := strings.Trim(unsafeNameRE.ReplaceAllString(strings.ToLower(tb.Name()), "_"), "_")
	if len(base) > 30 {
		base = base[len(base)-30:]
	}
	name := fmt.Sprintf("dgt_%d_%d_%s_%s", os.Getpid(), dbCounter.Add(1), hex.EncodeToString(rnd[:]), base)
	if len(name) > 63 {
		name = name[:63]
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		tb.Fatalf("storagetest: open %s: %v", EnvPostgres, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		admin.Close()
		tb.Fatalf("storagetest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			tb.Errorf("storagetest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("storagetest: %s is not a URL: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Logger returns a logger that writes through tb.Log at warning level and above, so a failing
// test shows what the store or server logged.
func Logger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
