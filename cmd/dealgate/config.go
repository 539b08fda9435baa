package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/templates"
)

// Config is everything dealgate reads from the environment and flags.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	LogLevel    string
	LogFormat   string
	// SecureCookies marks the session cookie Secure, so that browsers send it
	// over HTTPS only (serve --secure-cookies, DEALGATE_SECURE_COOKIES=1). Set it whenever
	// users reach dealgate through HTTPS (a TLS proxy in front of it).
	SecureCookies bool
	// DBTimeout bounds each round trip to PostgreSQL (connecting, a statement, BEGIN, COMMIT),
	// so that a database that stops answering without closing its connections makes requests
	// fail with 503 after about this long instead of at the request timeout
	// (DEALGATE_DB_TIMEOUT, a Go duration; default 5s; 0 turns the bound off).
	DBTimeout time.Duration
	// TokenCache is how long a resolved API token is answered from memory (one database round
	// trip less per API request); a revoked token or a changed or disabled user takes effect at
	// once in the process that made the change and after at most this long in other replicas
	// (DEALGATE_TOKEN_CACHE, a Go duration; default 2s; 0 turns the cache off).
	TokenCache time.Duration

	envErrs []string // malformed environment variables, reported by Validate
}

// DefaultConfig is the zero-setup configuration: an SQLite file in ./dealgate-data.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "./dealgate-data", LogLevel: "info", LogFormat: "text",
		DBTimeout: storage.DefaultStatementTimeout, TokenCache: 2 * time.Second}
}

// FromEnv overlays the environment variables on c.
func (c Config) FromEnv() Config {
	if v := os.Getenv("DEALGATE_ADDR"); v != "" {
		c.Addr = v
	}
	if v := os.Getenv("DEALGATE_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	if v := os.Getenv("DATABASE_URL"); v != "" {
		c.DatabaseURL = v
	}
	if v := os.Getenv("DEALGATE_LOG_LEVEL"); v != "" {
		c.LogLevel = v
	}
	if v := os.Getenv("DEALGATE_LOG_FORMAT"); v != "" {
		c.LogFormat = v
	}
	if v := os.Getenv("DEALGATE_SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			c.envErrs = append(c.envErrs, fmt.Sprintf("DEALGATE_SECURE_COOKIES=%q: want 1 (on) or 0 (off)", v))
		}
		c.SecureCookies = b
	}
	if v := os.Getenv("DEALGATE_DB_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			c.envErrs = append(c.envErrs, fmt.Sprintf("DEALGATE_DB_TIMEOUT=%q: want a duration such as 5s (0 turns the bound off)", v))
		} else {
			c.DBTimeout = d
		}
	}
	if v := os.Getenv("DEALGATE_TOKEN_CACHE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			c.envErrs = append(c.envErrs, fmt.Sprintf("DEALGATE_TOKEN_CACHE=%q: want a duration from 0 (off) to 1m, such as 2s", v))
		} else {
			c.TokenCache = d
		}
	}
	return c
}

// bindDB adds the database flags to fs.
func (c *Config) bindDB(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the SQLite file and the server keys (env DEALGATE_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres://… switches to PostgreSQL (env DATABASE_URL)")
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if len(c.envErrs) > 0 {
		return fmt.Errorf("%w: %s", errUsage, strings.Join(c.envErrs, "; "))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("DATABASE_URL must be a postgres:// URL, or empty for the embedded SQLite file")
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		return fmt.Errorf("a data directory is required for the SQLite file")
	}
	return nil
}

func (c Config) logger(w *os.File) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	lvl := slog.LevelInfo
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens and migrates the configured database and makes sure the default pipeline
// is stored.
func openStore(ctx context.Context, c Config, log *slog.Logger) (*storage.Store, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	st, err := storage.Open(ctx, storage.Config{DatabaseURL: c.DatabaseURL, DataDir: c.DataDir, Logger: log, StatementTimeout: c.DBTimeout,
		TokenCacheTTL: c.TokenCache})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if _, err := st.CurrentPipeline(ctx, "corporate"); err != nil {
		if _, err := st.SavePipeline(ctx, templates.DefaultPipeline(), nil); err != nil {
			st.Close()
			return nil, fmt.Errorf("store the default pipeline: %w", err)
		}
	}
	return st, nil
}
