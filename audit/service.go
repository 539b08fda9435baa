package audit

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dealgate/dealgate/storage"
)

// RerenderFunc renders a stored document again from its recorded data and template versions
// and returns the files; verification compares their SHA-256 with the recorded ones. A
// document without one of the formats returns nil for it. The documents package provides it.
type RerenderFunc func(ctx context.Context, doc storage.Document) (pdf, docx []byte, err error)

// Service is the audit trail: the checkpoint log, verification, evidence bundles and the log
// of who read what. It is safe for concurrent use, and several replicas may run it on one
// PostgreSQL database.
type Service struct {
	Store *storage.Store
	// KeyDir is the directory of the signing key file; empty keeps the key in the settings
	// table instead (PostgreSQL, where replicas share it). See KeyDirFor.
	KeyDir string
	// Rerender, when set, re-renders every document during verification.
	Rerender RerenderFunc

	log   *slog.Logger
	keyMu sync.Mutex
	key   *signingKey
}

// New returns the audit service on st, keeping its key in keyDir (see Service.KeyDir).
func New(st *storage.Store, keyDir string, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{Store: st, KeyDir: keyDir, log: log}
}

// KeyDirFor returns where the signing key of st belongs: the directory of the SQLite file,
// or "" (the settings table) for PostgreSQL and for an SQLite database without a file.
func KeyDirFor(ctx context.Context, st *storage.Store) (string, error) {
	if st.Dialect() != storage.SQLite {
		return "", nil
	}
	db, err := sqlDB(st)
	if err != nil {
		return "", err
	}
	rows, err := db.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" && file != "" {
			return filepath.Dir(file), nil
		}
	}
	return "", rows.Err()
}

// signing returns the server's key, loading or creating it on first use; a failure is
// retried on the next call.
func (s *Service) signing(ctx context.Context) (*signingKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	var text string
	var err error
	if s.KeyDir != "" {
		text, err = loadKeyFile(s.KeyDir)
	} else {
		text, err = loadKeySetting(ctx, s.Store)
	}
	if err != nil {
		return nil, err
	}
	k, err := parseSigningKey(text)
	if err != nil {
		return nil, err
	}
	s.key = k
	return k, nil
}

// PublicKey is the server's published verifier key.
type PublicKey struct {
	Name        string `json:"name"`         // the key's name, also every checkpoint's origin line
	VerifierKey string `json:"verifier_key"` // note verifier key: name+hash+base64(0x01 || key)
	Algorithm   string `json:"algorithm"`    // "ed25519"
	PublicKey   string `json:"public_key"`   // the raw 32-byte Ed25519 key, base64
}

// PublicKey returns the server's verifier key (creating the key pair on first use).
func (s *Service) PublicKey(ctx context.Context) (PublicKey, error) {
	k, err := s.signing(ctx)
	if err != nil {
		return PublicKey{}, err
	}
	return PublicKey{Name: k.name, VerifierKey: k.vkey, Algorithm: "ed25519", PublicKey: b64(k.pub)}, nil
}

func (s *Service) now() time.Time { return s.Store.Now().UTC().Truncate(time.Microsecond) }

// Run makes a checkpoint now and then every interval, until ctx ends or the store is closed.
// Failures are logged and retried at the next tick. An interval of zero or less makes the
// one checkpoint at start only.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		res, err := s.Checkpoint(cctx)
		cancel()
		switch {
		case err != nil && (ctx.Err() != nil || strings.Contains(err.Error(), "database is closed")):
			return
		case err != nil:
			s.log.Warn("audit: checkpoint failed; retrying at the next interval", "err", err)
		case res.Appended > 0:
			s.log.Info("audit: checkpoint signed", "size", res.Checkpoint.Size, "appended", res.Appended, "refused", len(res.Refused))
		}
		if tick == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
