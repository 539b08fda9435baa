package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// This file holds the bulk writers of `dealgate demo` (package demo). They insert rows the
// generator has built in memory — with their ids chosen in advance, because events carry the
// ids of the activities, facts and documents they record — many rows per statement, inside
// the caller's transaction. They bypass the state machine: the generator is responsible for
// sealing every deal's events into a valid chain (workflow.Event.Seal) and for rows that
// agree with them. Nothing else should use them.

// DemoIDs are the first free ids of the tables the generator fills.
type DemoIDs struct {
	Company, Deal, Activity, Fact, Document int64
}

// DemoNextIDs reads the next free id of each table (max + 1) inside the caller's transaction.
func (s *Store) DemoNextIDs(ctx context.Context) (DemoIDs, error) {
	var ids DemoIDs
	for _, x := range []struct {
		table string
		dst   *int64
	}{{"companies", &ids.Company}, {"deals", &ids.Deal}, {"activities", &ids.Activity}, {"facts", &ids.Fact}, {"documents", &ids.Document}} {
		var max *int64
		if err := s.conn(ctx).Raw("SELECT MAX(id) FROM " + x.table).Scan(&max).Error; err != nil {
			return ids, translate(err)
		}
		*x.dst = 1
		if max != nil {
			*x.dst = *max + 1
		}
	}
	return ids, nil
}

// DemoDocument is a final document as the generator stores it.
type DemoDocument struct {
	Document
	// TemplatesJSON is the JSON of Document.Templates ("[]" when there are none).
	TemplatesJSON string
}

// DemoBatch is a set of rows to insert in one go. Every row carries its id; events carry
// their seq, prev_hash and hash (their own ids are assigned by the database, in order).
type DemoBatch struct {
	Companies  []Company
	Deals      []workflow.Deal
	Activities []Activity
	Facts      []Fact
	Documents  []DemoDocument
	Events     []workflow.Event
}

// Len is the number of rows in the batch.
func (b *DemoBatch) Len() int {
	return len(b.Companies) + len(b.Deals) + len(b.Activities) + len(b.Facts) + len(b.Documents) + len(b.Events)
}

// Reset empties the batch, keeping its memory.
func (b *DemoBatch) Reset() {
	b.Companies, b.Deals, b.Activities, b.Facts, b.Documents, b.Events = b.Companies[:0], b.Deals[:0], b.Activities[:0], b.Facts[:0], b.Documents[:0], b.Events[:0]
}

// Parameters per statement: PostgreSQL takes up to 65 535 and gains from long statements;
// the SQLite driver binds parameters in time quadratic in their number, so short ones win.
const (
	maxDemoParamsPG     = 30000
	maxDemoParamsSQLite = 400
)

// DemoInsert writes the batch, parents first (companies, deals, then what refers to deals),
// inside the caller's transaction (or its own).
func (s *Store) DemoInsert(ctx context.Context, b *DemoBatch) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.demoCompanies(ctx, b.Companies); err != nil {
			return err
		}
		if err := s.demoDeals(ctx, b.Deals); err != nil {
			return err
		}
		if err := s.demoActivities(ctx, b.Activities); err != nil {
			return err
		}
		if err := s.demoFacts(ctx, b.Facts); err != nil {
			return err
		}
		if err := s.demoDocuments(ctx, b.Documents); err != nil {
			return err
		}
		return s.demoEvents(ctx, b.Events)
	})
}

// bulk inserts n rows of cols, many rows per statement; row(i) returns row i's values.
func (s *Store) bulk(ctx context.Context, table string, cols []string, explicitID bool, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	per := maxDemoParamsSQLite / len(cols)
	if s.dialect == Postgres {
		per = maxDemoParamsPG / len(cols)
	}
	ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	override := ""
	if explicitID && s.dialect == Postgres {
		override = " OVERRIDING SYSTEM VALUE"
	}
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ")" + override + " VALUES "
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(ph)
			args = append(args, row(i)...)
		}
		if err := s.conn(ctx).Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("demo: insert into %s: %w", table, translate(err))
		}
	}
	return nil
}

func (s *Store) demoCompanies(ctx context.Context, cs []Company) error {
	cols := []string{"id", "owner_id", "name", "inn", "kpp", "ogrn", "address", "bank_name", "bik", "corr_account", "account", "valid", "created_at"}
	return s.bulk(ctx, "companies", cols, true, len(cs), func(i int) []any {
		c := cs[i]
		return []any{c.ID, c.OwnerID, c.Name, c.INN, c.KPP, c.OGRN, c.Address, c.BankName, c.BIK, c.CorrAccount, c.Account, c.Valid, c.CreatedAt.UTC()}
	})
}

func (s *Store) demoDeals(ctx context.Context, ds []workflow.Deal) error {
	cols := []string{"id", "company_id", "owner_id", "title", "amount", "cost", "currency", "pipeline_id", "stage", "status", "lost_reason",
		"version", "stage_entered_at", "created_at", "updated_at", "closed_at"}
	return s.bulk(ctx, "deals", cols, true, len(ds), func(i int) []any {
		d := ds[i]
		var closed any
		if d.ClosedAt != nil {
			closed = d.ClosedAt.UTC()
		}
		return []any{d.ID, d.CompanyID, d.OwnerID, d.Title, int64(d.Amount), int64(d.Cost), d.Currency, d.PipelineID, d.Stage, string(d.Status),
			d.LostReason, d.Version, d.StageEnteredAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC(), closed}
	})
}

func (s *Store) demoActivities(ctx context.Context, as []Activity) error {
	cols := []string{"id", "deal_id", "kind", "stage", "note", "decision_maker", "actor_id", "at"}
	return s.bulk(ctx, "activities", cols, true, len(as), func(i int) []any {
		a := as[i]
		return []any{a.ID, a.DealID, string(a.Kind), a.Stage, a.Note, a.DecisionMaker, a.ActorID, a.At.UTC()}
	})
}

func (s *Store) demoFacts(ctx context.Context, fs []Fact) error {
	cols := []string{"id", "deal_id", "kind", "stage", "data", "actor_id", "at"}
	return s.bulk(ctx, "facts", cols, true, len(fs), func(i int) []any {
		f := fs[i]
		return []any{f.ID, f.DealID, string(f.Kind), f.Stage, string(f.Data), f.ActorID, f.At.UTC()}
	})
}

func (s *Store) demoDocuments(ctx context.Context, ds []DemoDocument) error {
	cols := []string{"id", "deal_id", "kind", "number", "seq", "number_scope", "number_year", "version", "status", "data", "data_sha256", "templates",
		"pdf_sha256", "docx_sha256", "created_by", "created_at", "finalised_at"}
	return s.bulk(ctx, "documents", cols, true, len(ds), func(i int) []any {
		d := ds[i]
		var fin any
		if d.FinalisedAt != nil {
			fin = d.FinalisedAt.UTC()
		}
		tpl := d.TemplatesJSON
		if tpl == "" {
			tpl = "[]"
		}
		return []any{d.ID, d.DealID, string(d.Kind), d.Number, d.Seq, d.NumberScope, d.NumberYear, d.Version, string(d.Status), string(d.Data), d.DataSHA256, tpl,
			d.PDFSHA256, d.DOCXSHA256, d.CreatedBy, d.CreatedAt.UTC(), fin}
	})
}

func (s *Store) demoEvents(ctx context.Context, es []workflow.Event) error {
	cols := []string{"deal_id", "seq", "kind", "action", "from_stage", "to_stage", "actor_id", "reason", "at", "payload", "prev_hash", "hash"}
	return s.bulk(ctx, "events", cols, false, len(es), func(i int) []any {
		e := es[i]
		return []any{e.DealID, e.Seq, string(e.Kind), string(e.Action), e.FromStage, e.ToStage, e.ActorID, e.Reason, e.At.UTC(), string(e.Payload), e.PrevHash, e.Hash}
	})
}

// DemoFinish makes the database's own id generators continue after the ids the generator
// chose (PostgreSQL identity sequences; SQLite's AUTOINCREMENT follows by itself).
func (s *Store) DemoFinish(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	for _, t := range []string{"companies", "deals", "activities", "facts", "documents"} {
		q := "SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), COALESCE((SELECT MAX(id) FROM " + t + "), 0) + 1, false)"
		if err := s.conn(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("demo: reset the %s id sequence: %w", t, translate(err))
		}
	}
	return nil
}

// DemoRaiseCounter makes the (scope, kind, year) numbering counter at least value, so that
// documents made after the demo continue its numbers.
func (s *Store) DemoRaiseCounter(ctx context.Context, scope, kind string, year int, value int64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.CurrentNumber(ctx, scope, kind, year)
		if err != nil {
			return err
		}
		if cur >= value {
			return nil
		}
		if cur == 0 {
			var n int64
			if err := s.conn(ctx).Raw("SELECT COUNT(*) FROM counters WHERE scope = ? AND kind = ? AND year = ?", scope, kind, year).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return s.conn(ctx).Exec("INSERT INTO counters (scope, kind, year, value) VALUES (?, ?, ?, ?)", scope, kind, year, value).Error
			}
		}
		return s.conn(ctx).Exec("UPDATE counters SET value = ? WHERE scope = ? AND kind = ? AND year = ?", value, scope, kind, year).Error
	})
}

// DemoUserAt sets a user's created_at (demo people joined the company before their first deal).
func (s *Store) DemoUserAt(ctx context.Context, id int64, at time.Time) error {
	return translate(s.conn(ctx).Exec("UPDATE users SET created_at = ? WHERE id = ?", at.UTC(), id).Error)
}
