package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/dealgate/dealgate/storage"
)

// KeyFileName is the file in the data directory that holds the SQLite server's signing key.
const KeyFileName = "audit-signing.key"

// KeySetting is the settings key that holds the signing key when it lives in the database
// (PostgreSQL: every replica signs with the same key).
const KeySetting = "audit.signing_key"

// KeyNamePrefix starts the name of every dealgate log key; the name is also the checkpoint's
// origin line.
const KeyNamePrefix = "dealgate-audit-"

// signingKey is the server's Ed25519 key in note form.
type signingKey struct {
	signer note.Signer
	vkey   string // name+hash+base64(0x01 || public key)
	name   string
	pub    ed25519.PublicKey
}

func parseSigningKey(skey string) (*signingKey, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	// PRIVATE+KEY+name+hash+base64(alg || seed); the base64 may itself contain '+'.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, errors.New("audit signing key: malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return nil, errors.New("audit signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, err
	}
	return &signingKey{signer: s, vkey: vkey, name: s.Name(), pub: pub}, nil
}

func newKeyText() (string, error) {
	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", err
	}
	skey, _, err := note.GenerateKey(rand.Reader, KeyNamePrefix+hex.EncodeToString(id[:]))
	return skey, err
}

// loadKeyFile reads the key in dir, creating it on first use. Two processes starting at once
// agree on one key: the new key is written to a temporary file and linked into place, which
// fails if the other got there first.
func loadKeyFile(dir string) (string, error) {
	path := filepath.Join(dir, KeyFileName)
	if b, err := os.ReadFile(path); err == nil {
		return string(b), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read the audit signing key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	skey, err := newKeyText()
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, KeyFileName+".tmp*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", err
	}
	if _, err := tmp.WriteString(skey + "\n"); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("store the audit signing key: %w", err)
	}
	b, err := os.ReadFile(path)
	return string(b), err
}

// loadKeySetting reads the key from the settings table, creating it on first use; the insert
// does nothing when another replica stored one first, and everyone then reads that one.
func loadKeySetting(ctx context.Context, st *storage.Store) (string, error) {
	db, err := sqlDB(st)
	if err != nil {
		return "", err
	}
	read := func() (string, bool, error) {
		var v string
		err := db.QueryRowContext(ctx, rebind(st.Dialect(), "SELECT value FROM settings WHERE key = ?"), KeySetting).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		if err != nil {
			return "", false, dbErr(err)
		}
		var skey string
		if err := json.Unmarshal([]byte(v), &skey); err != nil {
			return "", false, fmt.Errorf("settings %s is not a JSON string", KeySetting)
		}
		return skey, true, nil
	}
	if skey, ok, err := read(); err != nil || ok {
		return skey, err
	}
	skey, err := newKeyText()
	if err != nil {
		return "", err
	}
	val, _ := json.Marshal(skey)
	_, err = db.ExecContext(ctx, rebind(st.Dialect(), "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING"),
		KeySetting, string(val), st.Now().UTC())
	if err != nil {
		return "", dbErr(err)
	}
	skey, ok, err := read()
	if err == nil && !ok {
		err = errors.New("the audit signing key vanished after it was stored")
	}
	return skey, err
}
