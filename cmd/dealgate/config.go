package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

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
}

// DefaultConfig is the zero-setup configuration: an SQLite file in ./dealgate-data.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "./dealgate-data", LogLevel: "info", LogFormat: "text"}
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
	return c
}

// bindDB adds the database flags to fs.
func (c *Config) bindDB(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the SQLite file and the server keys (env DEALGATE_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres://… switches to PostgreSQL (env DATABASE_URL)")
}

// Validate checks the configuration.
func (c Config) Validate() error {
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
	st, err := storage.Open(ctx, storage.Config{DatabaseURL: c.DatabaseURL, DataDir: c.DataDir, Logger: log})
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
