package audit

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// The audit tables (migration 00004_audit) are read and written with database/sql on the
// store's own pool, so that only package storage deals with gorm.

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlDB returns the store's connection pool.
func sqlDB(st *storage.Store) (*sql.DB, error) { return st.DB().DB() }

// rebind turns ? placeholders into PostgreSQL's $1, $2, … (SQLite takes ? as it is). None of
// the audit queries has a ? inside a string literal.
func rebind(d storage.Dialect, q string) string {
	if d != storage.Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// dbErr maps database errors the way storage does for its own: an unreachable database is
// EUNAVAILABLE, a missing row ENOTFOUND.
func dbErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*workflow.Error); ok {
		return err
	}
	if err == sql.ErrNoRows {
		return workflow.ErrNotFound
	}
	if err == context.DeadlineExceeded || err == context.Canceled {
		return &workflow.Error{Code: workflow.EUNAVAILABLE, Message: "the request took too long or was cancelled", Err: err}
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") || strings.Contains(msg, "database is locked") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "database is closed") || strings.Contains(msg, "broken pipe") || strings.Contains(msg, "connection reset") {
		return &workflow.Error{Code: workflow.EUNAVAILABLE, Message: "the database is unavailable; try again shortly", Err: err}
	}
	return err
}

// utc normalises a time read from either database.
func utc(t time.Time) time.Time { return t.UTC() }

// eventColumns are the events columns an event is read from, in scan order.
const eventColumns = "deal_id, seq, kind, action, from_stage, to_stage, actor_id, reason, at, payload, prev_hash, hash"

// scanEvents reads rows of eventColumns the way storage does (UTC times, empty payload as
// none), so hashes recompute identically.
func scanEvents(rows *sql.Rows) ([]workflow.Event, error) {
	defer rows.Close()
	var out []workflow.Event
	for rows.Next() {
		var e workflow.Event
		var kind, action, payload string
		if err := rows.Scan(&e.DealID, &e.Seq, &kind, &action, &e.FromStage, &e.ToStage, &e.ActorID, &e.Reason, &e.At, &payload, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.Kind, e.Action, e.At = workflow.EventKind(kind), workflow.Action(action), e.At.UTC()
		if payload != "" {
			e.Payload = []byte(payload)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
