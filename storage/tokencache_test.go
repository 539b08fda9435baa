package storage_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// twoStores opens two stores (two server processes) on one fresh database: a with the token
// cache, b without.
func twoStores(t *testing.T, d storage.Dialect, ttl time.Duration) (a, b *storage.Store) {
	t.Helper()
	cfg := storage.Config{Logger: storagetest.Logger(t)}
	if d == storage.Postgres {
		cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
	} else {
		cfg.SQLitePath = filepath.Join(t.TempDir(), "dealgate.db")
	}
	open := func(ttl time.Duration) *storage.Store {
		c := cfg
		c.TokenCacheTTL = ttl
		st, err := storage.Open(bg, c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a = open(ttl)
	if _, err := a.Migrate(bg); err != nil {
		t.Fatal(err)
	}
	return a, open(0)
}

// TestTokenCache: with a token cache, a revocation or a user change made through the same
// store takes effect at once; one made by another process is seen after at most the cache's
// lifetime (and not before, which shows the answers came from memory); lookups inside a
// transaction always read the database; without a cache every change is seen at once.
func TestTokenCache(t *testing.T) {
	t.Parallel()
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			const ttl = 400 * time.Millisecond
			a, b := twoStores(t, d, ttl)
			rep := storagetest.CreateUser(t, a, "rep@example.ru", workflow.RoleRep)
			lookup := func(st *storage.Store) (storage.User, error) { return st.UserByToken(bg, rep.Token) }
			if u, err := lookup(a); err != nil || u.ID != rep.ID {
				t.Fatalf("lookup: %+v %v", u, err)
			}

			// A role change through a: at once on a.
			role := workflow.RoleManager
			if err := a.UpdateUser(bg, rep.ID, &role, nil, nil, nil); err != nil {
				t.Fatal(err)
			}
			if u, err := lookup(a); err != nil || u.Role != workflow.RoleManager {
				t.Fatalf("after the role change through the same store: %+v %v", u, err)
			}

			// Disabled through b (another process): a answers from memory until the entry
			// expires, then refuses; b, without a cache, refuses at once.
			if _, err := lookup(a); err != nil {
				t.Fatal(err)
			}
			changed := time.Now()
			disabled := true
			if err := b.UpdateUser(bg, rep.ID, nil, nil, nil, &disabled); err != nil {
				t.Fatal(err)
			}
			if _, err := lookup(b); workflow.Code(err) != workflow.EUNAUTHORIZED {
				t.Fatalf("b after disabling: %v", err)
			}
			if _, err := lookup(a); err != nil && time.Since(changed) < ttl/2 {
				t.Fatalf("a refused at once (%v): the answer did not come from the cache", err)
			}
			deadline := changed.Add(ttl + 200*time.Millisecond)
			for {
				_, err := lookup(a)
				if workflow.Code(err) == workflow.EUNAUTHORIZED {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("a still accepts the disabled user %v after the change (cache lifetime %v)", time.Since(changed), ttl)
				}
				time.Sleep(20 * time.Millisecond)
			}
			// A refusal is never cached: enabled again, the token works at once.
			enabled := false
			if err := b.UpdateUser(bg, rep.ID, nil, nil, nil, &enabled); err != nil {
				t.Fatal(err)
			}
			if _, err := lookup(a); err != nil {
				t.Fatalf("enabled again: %v", err)
			}

			// Revoked through a: at once on a, even though the token is cached.
			tokens, err := a.FindTokens(bg, rep.ID)
			if err != nil || len(tokens) != 1 {
				t.Fatalf("tokens: %v %v", tokens, err)
			}
			if err := a.RevokeToken(bg, tokens[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := lookup(a); workflow.Code(err) != workflow.EUNAUTHORIZED {
				t.Fatalf("a accepts a token it revoked: %v", err)
			}

			// Inside a transaction the database answers, not the cache.
			other := storagetest.CreateUser(t, a, "other@example.ru", workflow.RoleRep)
			if _, err := a.UserByToken(bg, other.Token); err != nil {
				t.Fatal(err)
			}
			if err := b.UpdateUser(bg, other.ID, nil, nil, nil, &disabled); err != nil {
				t.Fatal(err)
			}
			err = a.InTx(bg, func(ctx context.Context) error {
				_, err := a.UserByToken(ctx, other.Token)
				return err
			})
			if workflow.Code(err) != workflow.EUNAUTHORIZED {
				t.Fatalf("a lookup in a transaction came from the cache: %v", err)
			}
		})
	}
}
