package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// TestUpdateCompanyVersion: a company starts at version 1 and each stored edit adds one; an
// edit made from an older version is refused as a conflict naming the current version and
// writes nothing; an edit without a version is invalid.
func TestUpdateCompanyVersion(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		f := storagetest.Seed(t, st)
		if f.Company.Version != 1 {
			t.Fatalf("a new company is at version %d, want 1", f.Company.Version)
		}
		first := f.Company
		first.Name = "ООО «Первая правка»"
		got, err := st.UpdateCompany(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Name != first.Name {
			t.Fatalf("after one edit: version %d name %q, want 2 and %q", got.Version, got.Name, first.Name)
		}

		stale := f.Company // still at version 1
		stale.Name, stale.Address = "ООО «Устаревшая правка»", "г. Тверь"
		_, err = st.UpdateCompany(ctx, stale)
		var we *workflow.Error
		if workflow.Code(err) != workflow.ECONFLICT || !errors.As(err, &we) || we.Field != "version" || !strings.Contains(we.Message, "now at version 2") {
			t.Fatalf("an edit from version 1 of a company at version 2: %v, want a conflict on version naming version 2", err)
		}
		stored, err := st.FindCompanyByID(ctx, f.Company.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Name != first.Name || stored.Address != f.Company.Address || stored.Version != 2 {
			t.Fatalf("the refused edit changed the company: %+v", stored)
		}

		future := stored
		future.Version = 7
		if _, err := st.UpdateCompany(ctx, future); workflow.Code(err) != workflow.ECONFLICT {
			t.Errorf("an edit from a version the company never had: %v, want a conflict", err)
		}
		none := stored
		none.Version = 0
		if _, err := st.UpdateCompany(ctx, none); workflow.Code(err) != workflow.EINVALID {
			t.Errorf("an edit without a version: %v, want invalid", err)
		}
		missing := stored
		missing.ID += 1000
		if _, err := st.UpdateCompany(ctx, missing); workflow.Code(err) != workflow.ENOTFOUND {
			t.Errorf("an edit of an unknown company: %v, want not found", err)
		}
	})
}

// TestUpdateCompanyRace: two edits made from the same version. First interleaved on purpose —
// the second starts while the first one's transaction holds its change uncommitted, so on
// PostgreSQL it waits on the row and on SQLite for the writer — then as many racers released at
// once. Each time exactly one edit is stored and every other gets ECONFLICT; the stored values
// are the winner's.
func TestUpdateCompanyRace(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		f := storagetest.Seed(t, st)

		a, b := f.Company, f.Company
		a.Name, b.Name = "ООО «Правка А»", "ООО «Правка Б»"
		bDone := make(chan error, 1)
		outside := ctx // no transaction: the second edit has its own
		err := st.InTx(ctx, func(ctx context.Context) error {
			if _, err := st.UpdateCompany(ctx, a); err != nil {
				return err
			}
			go func() {
				_, err := st.UpdateCompany(outside, b)
				bDone <- err
			}()
			select {
			case err := <-bDone:
				return fmt.Errorf("the second edit finished (%v) while the first was not committed", err)
			case <-time.After(300 * time.Millisecond):
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-bDone; workflow.Code(err) != workflow.ECONFLICT {
			t.Fatalf("the second edit from version 1: %v, want a conflict", err)
		}
		got, err := st.FindCompanyByID(ctx, f.Company.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != a.Name || got.Version != 2 {
			t.Fatalf("after the interleaved edits: %q at version %d, want %q at 2", got.Name, got.Version, a.Name)
		}

		const n = 8
		results := make([]storage.Company, n)
		errs := race(n, func(i int) error {
			c := got
			c.Name = fmt.Sprintf("ООО «Гонка %d»", i)
			var err error
			results[i], err = st.UpdateCompany(ctx, c)
			return err
		})
		won := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if won >= 0 {
					t.Errorf("racers %d and %d both stored their edit", won, i)
				}
				won = i
			case workflow.Code(err) != workflow.ECONFLICT:
				t.Errorf("racer %d: %v, want success or a conflict", i, err)
			}
		}
		if won < 0 {
			t.Fatal("no racer stored its edit")
		}
		final, err := st.FindCompanyByID(ctx, f.Company.ID)
		if err != nil {
			t.Fatal(err)
		}
		if final.Version != 3 || final.Name != fmt.Sprintf("ООО «Гонка %d»", won) || results[won].Version != 3 || results[won].Name != final.Name {
			t.Fatalf("after the race: %+v, the winner %d answered %+v", final, won, results[won])
		}
	})
}
