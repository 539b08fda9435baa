package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

var bg = context.Background()

// wantCode fails unless err carries the domain error code (and, when field is not empty, names
// that field).
func wantCode(t *testing.T, err error, code workflow.ErrorCode, field string) {
	t.Helper()
	if got := workflow.Code(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field == "" {
		return
	}
	var we *workflow.Error
	if !errors.As(err, &we) || we.Field != field {
		t.Fatalf("error %v names field %q, want %q", err, fieldOf(err), field)
	}
}

func fieldOf(err error) string {
	var we *workflow.Error
	if errors.As(err, &we) {
		return we.Field
	}
	return ""
}

func TestMigrateTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		// NewStore has applied every migration once (and checked that some ran).
		for i := range 2 {
			n, err := st.Migrate(bg)
			if err != nil {
				t.Fatalf("migrate again (%d): %v", i+1, err)
			}
			if n != 0 {
				t.Fatalf("migrate again (%d) applied %d migrations, want 0", i+1, n)
			}
		}
		var versions []int64
		if err := st.DB().Raw("SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id").Scan(&versions).Error; err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for _, v := range versions {
			if seen[v] {
				t.Fatalf("migration %d recorded twice: %v", v, versions)
			}
			seen[v] = true
		}
		if len(versions) == 0 {
			t.Fatal("goose_db_version records no migration")
		}
		// The schema is usable after the repeated runs.
		if _, err := st.CreateUser(bg, storage.User{Email: "after@example.ru", Role: workflow.RoleRep}); err != nil {
			t.Fatalf("create user after migrating twice: %v", err)
		}
	})
}

func TestUsersAndTokens(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		u, err := st.CreateUser(bg, storage.User{Email: "  Rep@Example.RU ", Name: "Пётр", Role: workflow.RoleRep})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Email != "rep@example.ru" {
			t.Fatalf("created user = %+v, want an id and the e-mail lower-cased", u)
		}
		got, err := st.FindUserByEmail(bg, "REP@example.ru")
		if err != nil || got.ID != u.ID || got.Name != "Пётр" || got.Role != workflow.RoleRep {
			t.Fatalf("FindUserByEmail = %+v, %v; want user %d", got, err, u.ID)
		}

		t.Run("duplicate email is a conflict naming email", func(t *testing.T) {
			_, err := st.CreateUser(bg, storage.User{Email: "REP@example.ru", Role: workflow.RoleManager})
			wantCode(t, err, workflow.ECONFLICT, "email")
		})
		t.Run("invalid input", func(t *testing.T) {
			_, err := st.CreateUser(bg, storage.User{Email: "no-at-sign", Role: workflow.RoleRep})
			wantCode(t, err, workflow.EINVALID, "email")
			_, err = st.CreateUser(bg, storage.User{Email: "x@example.ru", Role: "boss"})
			wantCode(t, err, workflow.EINVALID, "role")
		})

		secret, tok, err := st.CreateToken(bg, u.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, storage.TokenPrefix) || len(secret) < 40 {
			t.Fatalf("token %q: want the %q prefix and 256 random bits", secret, storage.TokenPrefix)
		}
		t.Run("only the hash is stored", func(t *testing.T) {
			var rows []struct {
				TokenHash string
			}
			if err := st.DB().Raw("SELECT token_hash FROM api_tokens WHERE id = ?", tok.ID).Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].TokenHash != storage.HashToken(secret) {
				t.Fatalf("stored token_hash = %+v, want HashToken(secret) %s", rows, storage.HashToken(secret))
			}
			var n int64
			if err := st.DB().Raw("SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR name = ?", secret, secret).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatal("the token secret is stored in clear")
			}
		})

		who, err := st.UserByToken(bg, secret)
		if err != nil || who.ID != u.ID {
			t.Fatalf("UserByToken = %+v, %v; want user %d", who, err, u.ID)
		}
		for name, bad := range map[string]string{
			"unknown":         storage.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"no prefix":       strings.TrimPrefix(secret, storage.TokenPrefix),
			"empty":           "",
			"the hash itself": storage.HashToken(secret),
			"too long":        secret + strings.Repeat("A", 200),
		} {
			if _, err := st.UserByToken(bg, bad); workflow.Code(err) != workflow.EUNAUTHORIZED {
				t.Errorf("UserByToken(%s) error = %v, want EUNAUTHORIZED", name, err)
			}
		}

		t.Run("revoked token is refused", func(t *testing.T) {
			other, _, err := st.CreateToken(bg, u.ID, "second")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.RevokeToken(bg, tok.ID); err != nil {
				t.Fatal(err)
			}
			if err := st.RevokeToken(bg, tok.ID); err != nil {
				t.Fatalf("revoking twice: %v", err)
			}
			if _, err := st.UserByToken(bg, secret); workflow.Code(err) != workflow.EUNAUTHORIZED {
				t.Fatalf("revoked token: error = %v, want EUNAUTHORIZED", err)
			}
			if who, err := st.UserByToken(bg, other); err != nil || who.ID != u.ID {
				t.Fatalf("the user's other token stopped working: %+v, %v", who, err)
			}
			if err := st.RevokeToken(bg, 999999); workflow.Code(err) != workflow.ENOTFOUND {
				t.Fatalf("revoke unknown token: %v, want ENOTFOUND", err)
			}
			toks, err := st.FindTokens(bg, u.ID)
			if err != nil || len(toks) != 2 || toks[0].RevokedAt == nil || toks[1].RevokedAt != nil {
				t.Fatalf("FindTokens = %+v, %v; want the first revoked, the second active", toks, err)
			}
		})

		t.Run("disabled user's token is refused", func(t *testing.T) {
			d, err := st.CreateUser(bg, storage.User{Email: "gone@example.ru", Role: workflow.RoleRep})
			if err != nil {
				t.Fatal(err)
			}
			sec, _, err := st.CreateToken(bg, d.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			yes := true
			if err := st.UpdateUser(bg, d.ID, nil, nil, nil, &yes); err != nil {
				t.Fatal(err)
			}
			if _, err := st.UserByToken(bg, sec); workflow.Code(err) != workflow.EUNAUTHORIZED {
				t.Fatalf("disabled user's token: %v, want EUNAUTHORIZED", err)
			}
		})
	})
}

// editedPipeline returns the default pipeline with the cold_call stage no longer skippable.
func editedPipeline(t *testing.T) []byte {
	t.Helper()
	src := templates.DefaultPipeline()
	out := bytes.Replace(src, []byte("ru: Холодный звонок, en: Cold call}\n    skippable: true"), []byte("ru: Холодный звонок, en: Cold call}\n    skippable: false"), 1)
	if bytes.Equal(out, src) {
		t.Fatal("the default pipeline changed shape: cannot make the cold_call stage mandatory")
	}
	return out
}

func TestPipelineVersions(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		v1 := f.Pipeline
		if v1.Version != 1 || v1.ID == 0 || v1.Key != "corporate" {
			t.Fatalf("first save: key %q version %d id %d, want corporate v1", v1.Key, v1.Version, v1.ID)
		}
		same, err := st.SavePipeline(bg, templates.DefaultPipeline(), &f.Admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if same.ID != v1.ID || same.Version != 1 || same.SHA256 != v1.SHA256 {
			t.Fatalf("saving the same bytes gave id %d v%d, want id %d v1", same.ID, same.Version, v1.ID)
		}

		oldDeal := storagetest.CreateDeal(t, st, v1, f.Company.ID, f.Rep1, "на первой версии")

		v2, err := st.SavePipeline(bg, editedPipeline(t), &f.Admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.ID == v1.ID {
			t.Fatalf("edited pipeline: id %d v%d, want a new id and v2", v2.ID, v2.Version)
		}
		cur, err := st.CurrentPipeline(bg, "corporate")
		if err != nil || cur.ID != v2.ID {
			t.Fatalf("CurrentPipeline = %v, %v; want v2 (id %d)", cur, err, v2.ID)
		}
		vs, err := st.FindPipelineVersions(bg, "corporate")
		if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 {
			t.Fatalf("FindPipelineVersions = %+v, %v; want v2 then v1", vs, err)
		}
		if _, err := st.SavePipeline(bg, []byte("key: corporate\nstages: 7\n"), nil); err == nil {
			t.Fatal("a broken pipeline was stored")
		} else if pe := (*workflow.PipelineError)(nil); !errors.As(err, &pe) {
			t.Fatalf("broken pipeline: %T %v, want *workflow.PipelineError", err, err)
		}
		if vs, _ := st.FindPipelineVersions(bg, "corporate"); len(vs) != 2 {
			t.Fatalf("after a refused save there are %d versions, want 2", len(vs))
		}

		// The old deal keeps v1, where cold_call may be skipped; a new deal starts on v2,
		// where it may not.
		newDeal := storagetest.CreateDeal(t, st, v2, f.Company.ID, f.Rep1, "на второй версии")
		if got, _ := st.FindDealByID(bg, oldDeal.ID); got.PipelineID != v1.ID {
			t.Fatalf("old deal's pipeline = %d, want v1 (%d)", got.PipelineID, v1.ID)
		}
		if newDeal.PipelineID != v2.ID {
			t.Fatalf("new deal's pipeline = %d, want v2 (%d)", newDeal.PipelineID, v2.ID)
		}
		for _, d := range []workflow.Deal{oldDeal, newDeal} {
			if _, err := st.Transition(bg, d.ID, workflow.Transition{Action: workflow.ActionAdvance, ExpectedVersion: 1}, f.Rep1.Actor()); err != nil {
				t.Fatalf("advance deal %d from research: %v", d.ID, err)
			}
		}
		skip := workflow.Transition{Action: workflow.ActionSkip, Reason: "звонок не нужен", ExpectedVersion: 2}
		if d, err := st.Transition(bg, oldDeal.ID, skip, f.Rep1.Actor()); err != nil || d.Stage != "meeting" {
			t.Fatalf("skipping cold_call on v1: %+v, %v; want stage meeting", d, err)
		}
		if _, err := st.Transition(bg, newDeal.ID, skip, f.Rep1.Actor()); workflow.Code(err) != workflow.EINVALID {
			t.Fatalf("skipping cold_call on v2: %v, want EINVALID (not skippable)", err)
		}
	})
}

func TestCompanies(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		f := storagetest.Seed(t, st)
		got, err := st.FindCompanyByID(bg, f.Company.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := storagetest.ValidCompany(t, f.Rep1.ID)
		want.ID, want.CreatedAt, want.Version = got.ID, got.CreatedAt, 1 // a new company is at version 1
		if got != want {
			t.Fatalf("company read back = %+v\nwant %+v", got, want)
		}
		if _, err := st.FindCompanyByID(bg, f.Company.ID+1000); workflow.Code(err) != workflow.ENOTFOUND {
			t.Fatalf("unknown company: %v, want ENOTFOUND", err)
		}
		c2 := storagetest.ValidCompany(t, f.Rep2.ID)
		c2.Name = "АО 100%_Вектор"
		if _, err := st.CreateCompany(bg, c2); err != nil {
			t.Fatal(err)
		}
		c3 := storagetest.ValidCompany(t, f.Rep2.ID)
		c3.Name = "АО 100 Вектор"
		if _, err := st.CreateCompany(bg, c3); err != nil {
			t.Fatal(err)
		}
		count := func(f storage.CompanyFilter) (int, int64) {
			t.Helper()
			items, total, err := st.FindCompanies(bg, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(items), total
		}
		for _, tc := range []struct {
			name        string
			filter      storage.CompanyFilter
			items       int
			total       int64
			description string
		}{
			{"all", storage.CompanyFilter{}, 3, 3, ""},
			{"owner", storage.CompanyFilter{OwnerID: &f.Rep2.ID}, 2, 2, ""},
			{"owner and query", storage.CompanyFilter{OwnerID: &f.Rep1.ID, Query: "Вектор"}, 0, 0, "the OR of the query must not escape the owner filter"},
			{"query by name", storage.CompanyFilter{Query: "Ромашка"}, 1, 1, ""},
			{"query by inn", storage.CompanyFilter{Query: "770708389"}, 3, 3, ""},
			{"like wildcards are literal", storage.CompanyFilter{Query: "100%_"}, 1, 1, ""},
			{"page", storage.CompanyFilter{Limit: 2}, 2, 3, ""},
			{"last page", storage.CompanyFilter{Limit: 2, Offset: 2}, 1, 3, ""},
		} {
			if n, total := count(tc.filter); n != tc.items || total != tc.total {
				t.Errorf("%s: %d items, total %d; want %d, %d %s", tc.name, n, total, tc.items, tc.total, tc.description)
			}
		}
	})
}

func TestInTxRollsBack(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		boom := errors.New("boom")
		err := st.InTx(bg, func(ctx context.Context) error {
			if !storage.InTransaction(ctx) {
				t.Error("InTx's context carries no transaction")
			}
			if _, err := st.CreateUser(ctx, storage.User{Email: "tx@example.ru", Role: workflow.RoleRep}); err != nil {
				return err
			}
			// A nested call joins the same transaction.
			return st.InTx(ctx, func(ctx context.Context) error {
				if _, err := st.CreateUser(ctx, storage.User{Email: "tx2@example.ru", Role: workflow.RoleRep}); err != nil {
					return err
				}
				return boom
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx error = %v, want boom", err)
		}
		if n, err := st.CountUsers(bg); err != nil || n != 0 {
			t.Fatalf("after rollback: %d users, %v; want 0", n, err)
		}
	})
}
