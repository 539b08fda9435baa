// Package storage keeps dealgate's data in PostgreSQL (production) or an embedded SQLite file
// (the zero-setup default) through gorm: rows and repositories, versioned embedded migrations,
// transactions, and the blob store for document files.
//
// Every write that changes a deal runs in one database transaction that first locks the deal
// row (SELECT … FOR UPDATE on PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE, which
// serialises writers) and then checks the deal's version, so two requests can never both act
// on the same version.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dealgate/dealgate/workflow"
)

//go:embed migrations
var migrationsFS embed.FS

// Dialect names the database in use.
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Config says which database to open.
type Config struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or postgresql://.
	DatabaseURL string
	// DataDir holds the SQLite file (dealgate.db) when DatabaseURL is empty.
	DataDir string
	// SQLitePath overrides the SQLite file path (tests).
	SQLitePath string
	// MaxOpenConns bounds the PostgreSQL pool (default 32).
	MaxOpenConns int
	// StatementTimeout bounds each PostgreSQL round trip — connecting, each statement with
	// its rows, BEGIN, COMMIT — so that a database that stops answering without closing its
	// connections fails requests quickly (EUNAVAILABLE) instead of holding them until their
	// own deadline. Zero means no bound; WithStatementTimeout changes it for one context.
	StatementTimeout time.Duration
	// TokenCacheTTL lets UserByToken answer a token it resolved less than this long ago from
	// memory, saving a round trip per API request. A revoked token or a changed or disabled
	// user takes effect at once in this process and after at most this long in other server
	// processes. Zero (the default) caches nothing.
	TokenCacheTTL time.Duration
	// Logger receives slow-query and error logs; nil means slog.Default().
	Logger *slog.Logger
}

// Store is the data layer. It is safe for concurrent use.
type Store struct {
	db      *gorm.DB
	sqlDB   *sql.DB
	dialect Dialect
	log     *slog.Logger

	// Now is the clock; tests fix it.
	Now func() time.Time

	// TrainingPassedFunc answers whether a user has a valid passed test for a stage; the
	// training gate reads it. Nil means no one has passed anything.
	TrainingPassedFunc func(ctx context.Context, userID int64, stage string) (bool, error)

	sqliteWriter chan struct{} // a one-slot semaphore queuing SQLite write transactions
	seqs         sequencer     // what this process knows of the number sequences (Numbering.Guess)
	tokens       tokenCache    // API tokens resolved recently (Config.TokenCacheTTL)

	pipeMu    sync.RWMutex
	pipelines map[int64]*workflow.Pipeline
}

// Open connects to the configured database. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	gcfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	s := &Store{log: log, Now: func() time.Time { return time.Now().UTC() }, pipelines: map[int64]*workflow.Pipeline{}, sqliteWriter: make(chan struct{}, 1)}
	s.tokens.ttl = cfg.TokenCacheTTL
	var err error
	switch {
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://"), strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		s.dialect = Postgres
		var pool *sql.DB
		if pool, err = openPostgresPool(cfg.DatabaseURL, cfg.StatementTimeout); err == nil {
			s.db, err = gorm.Open(postgres.New(postgres.Config{Conn: pool}), gcfg)
		}
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", redactErr(err, cfg.DatabaseURL))
		}
		s.sqlDB, _ = s.db.DB()
		n := cfg.MaxOpenConns
		if n <= 0 {
			n = 32
		}
		s.sqlDB.SetMaxOpenConns(n)
		s.sqlDB.SetMaxIdleConns(n)
		s.sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	case cfg.DatabaseURL == "":
		s.dialect = SQLite
		path := cfg.SQLitePath
		if path == "" {
			dir := cfg.DataDir
			if dir == "" {
				dir = "dealgate-data"
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			path = filepath.Join(dir, "dealgate.db")
		}
		s.db, err = gorm.Open(sqlite.Open(SQLiteDSN(path)), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		s.sqlDB, _ = s.db.DB()
		// WAL allows readers beside the one writer; BEGIN IMMEDIATE queues writers.
		s.sqlDB.SetMaxOpenConns(8)
	default:
		return nil, fmt.Errorf("DATABASE_URL must start with postgres:// (or be empty for the embedded SQLite file)")
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.sqlDB.PingContext(pctx); err != nil {
		s.sqlDB.Close()
		return nil, fmt.Errorf("connect to %s: %w", s.dialect, redactErr(err, cfg.DatabaseURL))
	}
	return s, nil
}

// SQLiteDSN returns the DSN dealgate uses for an SQLite file: foreign keys on, WAL, a busy
// timeout, synchronous=FULL (an acknowledged write survives a power cut) and BEGIN IMMEDIATE
// transactions (writers wait for each other instead of failing).
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
}

func redactErr(err error, dsn string) error {
	if dsn == "" {
		return err
	}
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// Dialect reports the database in use.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the gorm handle for packages inside storage's sub-tree and tests.
func (s *Store) DB() *gorm.DB { return s.db }

// Close closes the connection pool.
func (s *Store) Close() error { return s.sqlDB.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB.PingContext(ctx) }

// Migrate applies every pending migration (embedded, per dialect) and returns how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	sub, err := fs.Sub(migrationsFS, "migrations/"+string(s.dialect))
	if err != nil {
		return 0, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return 0, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.sqlDB, sub, opts...)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	// A migration may rewrite a large table: only ctx bounds it, not StatementTimeout.
	res, err := p.Up(WithStatementTimeout(ctx, 0))
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// txKey carries the current transaction in a context.
type txKey struct{}

// conn returns the transaction in ctx, or the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return s.db.WithContext(ctx)
}

// InTx runs fn in one database transaction; a nested call joins the outer transaction. The
// context passed to fn carries the transaction, so every Store method called with it takes
// part. An error from fn (or a panic) rolls everything back.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	if s.dialect == SQLite {
		// SQLite has one writer at a time. Queuing writers here, in the order they arrive,
		// is much cheaper than letting each poll the file lock with busy_timeout back-off
		// (a second process still waits on busy_timeout).
		select {
		case s.sqliteWriter <- struct{}{}:
			defer func() { <-s.sqliteWriter }()
		case <-ctx.Done():
			return translate(ctx.Err())
		}
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	return translate(err)
}

// InTransaction reports whether ctx carries a transaction.
func InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// lockClause returns " FOR UPDATE" where the database supports row locks.
func (s *Store) lockClause() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }
