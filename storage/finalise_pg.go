package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/dealgate/dealgate/workflow"
)

// The statements of finalisePipelined.
const (
	lastEventSQLPG       = `SELECT seq, hash FROM events WHERE deal_id = $1 ORDER BY seq DESC LIMIT 1`
	nextDocumentIDSQLPG  = `SELECT nextval(pg_get_serial_sequence('documents', 'id'))`
	activeTemplatesSQLPG = `SELECT id, kind, format, version, sha256, filename, active, created_by, created_at FROM doc_templates
WHERE kind = $1 AND active ORDER BY format, id`
	settingsSQLPG       = `SELECT key, value FROM settings WHERE key = ANY($1)`
	insertDocumentSQLPG = `INSERT INTO documents (id, deal_id, kind, number, seq, number_scope, number_year, version, status, data, data_sha256,
templates, pdf_sha256, docx_sha256, created_by, created_at, finalised_at) OVERRIDING SYSTEM VALUE
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`
)

// prefetchKey carries, in the context Prepare runs with, what finalisePipelined read in its
// first round trip under the deal's lock: the active templates of the document's kind and the
// settings the request named. ActiveTemplate and GetSetting answer from it.
type prefetchKey struct{}

type prefetched struct {
	kind      workflow.DocumentKind
	templates []templateRow
	settings  map[string]*string // every key asked for; nil: no such setting
}

func prefetchOf(ctx context.Context) *prefetched {
	p, _ := ctx.Value(prefetchKey{}).(*prefetched)
	return p
}

// activeTemplate answers ActiveTemplate from the prefetch; ok is false when the prefetch does
// not cover kind.
func (p *prefetched) activeTemplate(kind workflow.DocumentKind, format string) (StoredTemplate, bool, error) {
	if p == nil || p.kind != kind {
		return StoredTemplate{}, false, nil
	}
	for _, r := range p.templates {
		if r.Format == format {
			return r.toTemplate(), true, nil
		}
	}
	return StoredTemplate{}, true, workflow.ErrNotFound
}

// setting answers GetSetting from the prefetch; asked is false when the key was not fetched.
func (p *prefetched) setting(key string) (value *string, asked bool) {
	if p == nil {
		return nil, false
	}
	v, asked := p.settings[key]
	return v, asked
}

// connPool is a *sql.Conn as gorm's connection pool, without BeginTx: gorm never starts (and
// so never commits) a transaction of its own on a connection whose transaction
// finalisePipelined runs.
type connPool struct{ c *sql.Conn }

func (p connPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.c.PrepareContext(ctx, query)
}

func (p connPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.c.ExecContext(ctx, query, args...)
}

func (p connPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.c.QueryContext(ctx, query, args...)
}

func (p connPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.c.QueryRowContext(ctx, query, args...)
}

// finalisePipelined is Finalise on PostgreSQL for a new final document (not a draft, not a
// correction) outside a caller's transaction, in three round trips of its own plus what
// Prepare asks for (the number): BEGIN, the deal's row lock, the chain's last event, the
// document's id, the kind's active templates and the settings req names are sent together;
// Prepare runs with a context whose Store calls use the same connection and transaction (and
// answer templates and settings from the first round trip); the files, the document, its
// event and COMMIT go together. done is false when nothing ran and the general path must
// (a driver other than pgx).
func (s *Store) finalisePipelined(ctx context.Context, req FinaliseRequest) (out Document, done bool, err error) {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return out, true, err
	}
	defer conn.Close()
	var limit time.Duration
	// raw runs fn with the connection's pgx.Conn (database/sql lends it for the call only).
	raw := func(fn func(pc *pgx.Conn) error) error {
		return conn.Raw(func(dc any) error {
			switch c := dc.(type) {
			case *boundedConn:
				return fn(c.Conn.Conn())
			case *stdlib.Conn:
				return fn(c.Conn())
			}
			return errNotPgx
		})
	}
	_ = conn.Raw(func(dc any) error {
		switch c := dc.(type) {
		case *boundedConn:
			limit, done = roundTripLimit(ctx, c.timeout), true
		case *stdlib.Conn:
			done = true
		}
		return nil
	})
	if !done {
		return out, false, nil
	}
	rt := func() (context.Context, context.CancelFunc) { return boundRoundTrip(ctx, limit) }
	// Whatever happens, the connection goes back to the pool outside a transaction.
	defer func() {
		_ = raw(func(pc *pgx.Conn) error { rollbackIfOpen(ctx, pc, limit); return nil })
	}()

	var (
		deal     dealRow
		found    bool
		last     *workflow.Event
		docID    int64
		pre      = &prefetched{kind: req.Kind, settings: map[string]*string{}}
		settings = append([]string(nil), req.Settings...)
	)
	err = raw(func(pc *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue(lockDealSQLPG, req.DealID)
		b.Queue(lastEventSQLPG, req.DealID)
		b.Queue(nextDocumentIDSQLPG)
		b.Queue(activeTemplatesSQLPG, string(req.Kind))
		if len(settings) > 0 {
			b.Queue(settingsSQLPG, settings)
		}
		bctx, cancel := rt()
		defer cancel()
		br := pc.SendBatch(bctx, b)
		err := readFinaliseBatch(br, &deal, &found, &last, &docID, pre, len(settings) > 0)
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		return pgError(err)
	})
	if err != nil {
		return out, true, translate(err)
	}
	if !found {
		return out, true, workflow.ErrNotFound
	}
	if deal.Status != string(workflow.StatusOpen) {
		return out, true, workflow.Invalid("deal", "the deal is %s; documents are made on open deals", deal.Status)
	}
	for _, k := range settings {
		if _, ok := pre.settings[k]; !ok {
			pre.settings[k] = nil
		}
	}

	// Prepare's Store calls run on this connection, inside this transaction.
	tx := s.db.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	tx.Statement.ConnPool = connPool{conn}
	pctx := context.WithValue(context.WithValue(ctx, txKey{}, tx), prefetchKey{}, pre)
	num := &Numbering{s: s, ctx: pctx, kind: string(req.Kind)}
	defer num.release()
	r, err := req.Prepare(pctx, num, nil)
	num.release()
	if err != nil {
		num.rolledBack()
		return out, true, translate(err)
	}

	now := s.now()
	pdfSHA, docxSHA := "", ""
	if len(r.PDF) > 0 {
		pdfSHA = SHA256Hex(r.PDF)
	}
	if len(r.DOCX) > 0 {
		docxSHA = SHA256Hex(r.DOCX)
	}
	tpl, _ := json.Marshal(r.Templates)
	row := documentRow{ID: docID, DealID: req.DealID, Kind: string(req.Kind), Number: r.Number, Seq: r.Seq, NumberScope: r.Scope, NumberYear: r.Year,
		Version: 1, Status: string(DocFinal), Data: string(r.Data), DataSHA256: SHA256Hex(r.Data), Templates: string(tpl), PDFSHA256: pdfSHA,
		DOCXSHA256: docxSHA, CreatedBy: req.Actor.ID, CreatedAt: now, FinalisedAt: &now}
	out = row.toDocument()
	p, err := workflow.CanonicalJSON(DocumentEventPayload(out))
	if err != nil {
		num.rolledBack()
		return Document{}, true, err
	}
	events := []workflow.Event{{Kind: workflow.EventDocumentFinalised, Action: workflow.Action(out.Kind), FromStage: deal.Stage,
		ActorID: req.Actor.ID, At: now, Payload: p}}
	sealEvents(req.DealID, last, events)
	e := &events[0]
	err = raw(func(pc *pgx.Conn) error {
		b := &pgx.Batch{}
		if q, args := insertBlobsSQLPG(now, r.PDF, r.DOCX); q != "" {
			b.Queue(q, args...)
		}
		b.Queue(insertDocumentSQLPG, row.ID, row.DealID, row.Kind, row.Number, row.Seq, row.NumberScope, row.NumberYear, row.Version, row.Status,
			row.Data, row.DataSHA256, row.Templates, row.PDFSHA256, row.DOCXSHA256, row.CreatedBy, row.CreatedAt, row.FinalisedAt)
		b.Queue(insertEventSQLPG, req.DealID, e.Seq, string(e.Kind), string(e.Action), e.FromStage, e.ToStage, e.ActorID, e.Reason, e.At,
			string(e.Payload), e.PrevHash, e.Hash)
		b.Queue("COMMIT")
		_, err := execBatch(pc, rt, b)
		return err
	})
	if err != nil {
		num.rolledBack()
		return Document{}, true, translate(err)
	}
	return out, true, nil
}

var errNotPgx = errors.New("storage: the connection is not a pgx connection")

// readFinaliseBatch reads the answers to finalisePipelined's first batch.
func readFinaliseBatch(br pgx.BatchResults, deal *dealRow, found *bool, last **workflow.Event, docID *int64, pre *prefetched, withSettings bool) error {
	if _, err := br.Exec(); err != nil {
		return err
	}
	r := deal
	err := br.QueryRow().Scan(&r.ID, &r.CompanyID, &r.OwnerID, &r.Title, &r.Amount, &r.Cost, &r.Currency, &r.PipelineID, &r.Stage, &r.Status,
		&r.LostReason, &r.Version, &r.StageEnteredAt, &r.CreatedAt, &r.UpdatedAt, &r.ClosedAt)
	switch {
	case err == nil:
		*found = true
	case errors.Is(err, pgx.ErrNoRows):
	default:
		return err
	}
	var e workflow.Event
	switch err := br.QueryRow().Scan(&e.Seq, &e.Hash); {
	case err == nil:
		*last = &e
	case errors.Is(err, pgx.ErrNoRows):
	default:
		return err
	}
	if err := br.QueryRow().Scan(docID); err != nil {
		return err
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	for rows.Next() {
		var t templateRow
		if err := rows.Scan(&t.ID, &t.Kind, &t.Format, &t.Version, &t.SHA256, &t.Filename, &t.Active, &t.CreatedBy, &t.CreatedAt); err != nil {
			rows.Close()
			return err
		}
		pre.templates = append(pre.templates, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if !withSettings {
		return nil
	}
	rows, err = br.Query()
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return err
		}
		pre.settings[k] = &v
	}
	rows.Close()
	return rows.Err()
}

// insertBlobsSQLPG is putBlobs' statement for pgx: the non-empty contents, each once.
func insertBlobsSQLPG(now time.Time, contents ...[]byte) (string, []any) {
	var (
		b    strings.Builder
		args []any
		seen []string
	)
	for _, c := range contents {
		if len(c) == 0 {
			continue
		}
		sha := SHA256Hex(c)
		dup := false
		for _, s := range seen {
			dup = dup || s == sha
		}
		if dup {
			continue
		}
		seen = append(seen, sha)
		if len(args) == 0 {
			b.WriteString("INSERT INTO blobs (sha256, size, content, created_at) VALUES ")
		} else {
			b.WriteString(", ")
		}
		n := len(args)
		b.WriteString("($" + strconv.Itoa(n+1) + ", $" + strconv.Itoa(n+2) + ", $" + strconv.Itoa(n+3) + ", $" + strconv.Itoa(n+4) + ")")
		args = append(args, sha, int64(len(c)), c, now)
	}
	if len(args) == 0 {
		return "", nil
	}
	b.WriteString(" ON CONFLICT DO NOTHING")
	return b.String(), args
}

// rollbackIfOpen rolls back pc's open transaction, if any, and closes the connection when it
// cannot (the pool then drops it), so that it goes back to the pool outside a transaction.
func rollbackIfOpen(ctx context.Context, pc *pgx.Conn, limit time.Duration) {
	if pc.PgConn().TxStatus() == 'I' {
		return
	}
	d := 5 * time.Second
	if limit > 0 && limit < d {
		d = limit
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
	defer cancel()
	if _, err := pc.Exec(rctx, "ROLLBACK"); err != nil || pc.PgConn().TxStatus() != 'I' {
		_ = pc.Close(rctx)
	}
}
