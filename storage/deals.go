package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/dealgate/dealgate/workflow"
)

type dealRow struct {
	ID             int64 `gorm:"primaryKey"`
	CompanyID      int64
	OwnerID        int64
	Title          string
	Amount         int64
	Cost           int64
	Currency       string
	PipelineID     int64
	Stage          string
	Status         string
	LostReason     string
	Version        int64
	StageEnteredAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       *time.Time
}

func (dealRow) TableName() string { return "deals" }

func (r dealRow) toDeal() workflow.Deal {
	return workflow.Deal{ID: r.ID, CompanyID: r.CompanyID, OwnerID: r.OwnerID, Title: r.Title,
		Amount: workflow.Money(r.Amount), Cost: workflow.Money(r.Cost), Currency: r.Currency,
		PipelineID: r.PipelineID, Stage: r.Stage, Status: workflow.Status(r.Status), LostReason: r.LostReason,
		Version: r.Version, StageEnteredAt: r.StageEnteredAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ClosedAt: utcPtr(r.ClosedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateDeal stores a new deal at the first stage of pipeline p, owned by actor, and records
// its deal_created event, in one transaction.
func (s *Store) CreateDeal(ctx context.Context, p *workflow.Pipeline, d workflow.Deal, actor workflow.Actor) (workflow.Deal, error) {
	return s.CreateDealChecked(ctx, p, d, actor, nil)
}

// CreateDealChecked is CreateDeal with the caller's check of the company (when not nil), made
// on the row the transaction reads anyway, so the API need not read the company beforehand
// for its visibility rule. A check that answers ENOTFOUND is reported like a company that does
// not exist.
func (s *Store) CreateDealChecked(ctx context.Context, p *workflow.Pipeline, d workflow.Deal, actor workflow.Actor, check func(Company) error) (workflow.Deal, error) {
	if err := d.Validate(); err != nil {
		return workflow.Deal{}, err
	}
	if s.dialect == Postgres && !InTransaction(ctx) {
		if out, done, err := s.createDealPipelined(ctx, p, "", d, actor, check); done {
			return out, translate(err)
		}
	}
	var out workflow.Deal
	err := s.InTx(ctx, func(ctx context.Context) error {
		co, err := s.FindCompanyByID(ctx, d.CompanyID)
		if err == nil && check != nil {
			err = check(co)
		}
		if err != nil {
			return companyCheckError(err, d.CompanyID)
		}
		row, ev := newDealRows(p, d, actor, s.now())
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		out = row.toDeal()
		ev[0].Payload = dealCreatedPayload(p, out)
		// The deal was inserted by this transaction, so its chain starts here.
		return s.insertEvents(ctx, out.ID, nil, ev)
	})
	return out, translate(err)
}

// CreateDealOnCurrent is CreateDealChecked on the latest version of the pipeline with key,
// read in the deal's transaction (on PostgreSQL in the same round trip as the company), so
// that the caller need not ask for it first. ENOTFOUND when there is no such pipeline.
func (s *Store) CreateDealOnCurrent(ctx context.Context, key string, d workflow.Deal, actor workflow.Actor, check func(Company) error) (workflow.Deal, error) {
	if err := d.Validate(); err != nil {
		return workflow.Deal{}, err
	}
	if s.dialect == Postgres && !InTransaction(ctx) {
		if out, done, err := s.createDealPipelined(ctx, nil, key, d, actor, check); done {
			return out, translate(err)
		}
	}
	p, err := s.CurrentPipeline(ctx, key)
	if err != nil {
		return workflow.Deal{}, err
	}
	return s.CreateDealChecked(ctx, p, d, actor, check)
}

// companyCheckError is the answer when the deal's company cannot be read or its check fails.
func companyCheckError(err error, companyID int64) error {
	if workflow.Code(err) == workflow.ENOTFOUND {
		return workflow.Invalid("company_id", "company %d does not exist", companyID)
	}
	return err
}

// newDealRows returns a new deal's row at the first stage of p and its deal_created event
// (without its payload, which names the deal's stored values).
func newDealRows(p *workflow.Pipeline, d workflow.Deal, actor workflow.Actor, now time.Time) (dealRow, []workflow.Event) {
	row := dealRow{CompanyID: d.CompanyID, OwnerID: d.OwnerID, Title: strings.TrimSpace(d.Title), Amount: int64(d.Amount),
		Cost: int64(d.Cost), Currency: d.Currency, PipelineID: p.ID, Stage: p.First().Key, Status: string(workflow.StatusOpen),
		Version: 1, StageEnteredAt: now, CreatedAt: now, UpdatedAt: now}
	return row, []workflow.Event{{Kind: workflow.EventCreated, Action: workflow.ActionCreate, ToStage: row.Stage, ActorID: actor.ID, At: now}}
}

func dealCreatedPayload(p *workflow.Pipeline, d workflow.Deal) []byte {
	payload, _ := workflow.CanonicalJSON(map[string]any{"title": d.Title, "company_id": d.CompanyID, "owner_id": d.OwnerID,
		"amount": d.Amount.String(), "cost": d.Cost.String(), "currency": d.Currency, "pipeline_id": p.ID, "pipeline_version": p.Version, "pipeline_sha256": p.SHA256})
	return payload
}

// Statements of createDealPipelined. The deal's id is drawn from its identity sequence first,
// because the deal_created event's hash covers it.
const (
	companySQLPG = `SELECT id, owner_id, name, inn, kpp, ogrn, address, bank_name, bik, corr_account, account, valid, created_at
FROM companies WHERE id = $1`
	nextDealIDSQLPG = `SELECT nextval(pg_get_serial_sequence('deals', 'id'))`
	// currentPipelineSQLPG is CurrentPipeline's query.
	currentPipelineSQLPG = `SELECT id FROM pipelines WHERE key = $1 ORDER BY version DESC LIMIT 1`
	insertDealSQLPG      = `INSERT INTO deals (id, company_id, owner_id, title, amount, cost, currency, pipeline_id, stage, status, lost_reason, version,
stage_entered_at, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', $11, $12, $13, $14)`
)

// createDealPipelined is CreateDealChecked on PostgreSQL outside a caller's transaction, in two
// round trips on one pgx connection (pgxTx): BEGIN, the current version of pipeline key (when
// p is nil), the company and the deal's new id; then the deal, its event and COMMIT. done is
// false when nothing was written and the general path must run instead (a pipeline version
// not cached yet, a driver other than pgx).
func (s *Store) createDealPipelined(ctx context.Context, p *workflow.Pipeline, key string, d workflow.Deal, actor workflow.Actor, check func(Company) error) (out workflow.Deal, done bool, err error) {
	fallback := false
	done, err = s.pgxTx(ctx, func(pc *pgx.Conn, rt func() (context.Context, context.CancelFunc)) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		if p == nil {
			b.Queue(currentPipelineSQLPG, key)
		}
		b.Queue(companySQLPG, d.CompanyID)
		b.Queue(nextDealIDSQLPG)
		bctx, cancel := rt()
		br := pc.SendBatch(bctx, b)
		var (
			co         companyRow
			found      bool
			id, pipeID int64
		)
		_, err := br.Exec()
		if err == nil && p == nil {
			if err = br.QueryRow().Scan(&pipeID); errors.Is(err, pgx.ErrNoRows) {
				err = nil
			}
		}
		if err == nil {
			err = br.QueryRow().Scan(&co.ID, &co.OwnerID, &co.Name, &co.INN, &co.KPP, &co.OGRN, &co.Address, &co.BankName, &co.BIK,
				&co.CorrAccount, &co.Account, &co.Valid, &co.CreatedAt)
			found = err == nil
			if errors.Is(err, pgx.ErrNoRows) {
				err = nil
			}
		}
		if err == nil {
			err = br.QueryRow().Scan(&id)
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		cancel()
		if err != nil {
			return pgError(err)
		}
		if p == nil {
			if pipeID == 0 {
				return workflow.ErrNotFound
			}
			s.pipeMu.RLock()
			p = s.pipelines[pipeID]
			s.pipeMu.RUnlock()
			if p == nil {
				fallback = true
				return nil
			}
		}
		if !found {
			err = workflow.ErrNotFound
		} else if check != nil {
			co.CreatedAt = co.CreatedAt.UTC()
			err = check(co.toCompany())
		}
		if err != nil {
			return companyCheckError(err, d.CompanyID)
		}
		row, ev := newDealRows(p, d, actor, s.now())
		row.ID = id
		nd := row.toDeal()
		ev[0].Payload = dealCreatedPayload(p, nd)
		sealEvents(id, nil, ev)
		e := &ev[0]
		b = &pgx.Batch{}
		b.Queue(insertDealSQLPG, row.ID, row.CompanyID, row.OwnerID, row.Title, row.Amount, row.Cost, row.Currency, row.PipelineID,
			row.Stage, row.Status, row.Version, row.StageEnteredAt, row.CreatedAt, row.UpdatedAt)
		b.Queue(insertEventSQLPG, id, e.Seq, string(e.Kind), string(e.Action), e.FromStage, e.ToStage, e.ActorID, e.Reason, e.At,
			string(e.Payload), e.PrevHash, e.Hash)
		b.Queue("COMMIT")
		if _, err := execBatch(pc, rt, b); err != nil {
			return err
		}
		out = nd
		return nil
	})
	return out, done && !fallback, err
}

const insertEventSQLPG = `INSERT INTO events (deal_id, seq, kind, action, from_stage, to_stage, actor_id, reason, at, payload, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

// execBatch sends b, whose last statement is COMMIT, in one round trip and returns the
// answers to its statements.
func execBatch(pc *pgx.Conn, rt func() (context.Context, context.CancelFunc), b *pgx.Batch) ([]pgconn.CommandTag, error) {
	ctx, cancel := rt()
	defer cancel()
	br := pc.SendBatch(ctx, b)
	tags := make([]pgconn.CommandTag, 0, b.Len())
	var err error
	for range b.Len() {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err != nil {
			break
		}
		tags = append(tags, tag)
	}
	if err == nil && tags[len(tags)-1].String() != "COMMIT" {
		err = fmt.Errorf("the commit answered %q", tags[len(tags)-1].String())
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		pipelinedCommits.Add(1)
	}
	return tags, pgError(err)
}

// pipelinedCommits counts the transactions pgxTx's callers committed (tests check that the
// two-round-trip paths are the ones taken).
var pipelinedCommits atomic.Int64

// pgxTx runs fn on a pgx connection of the pool, for a transaction whose statements fn sends
// in batches (BEGIN first, COMMIT last): several statements cost one round trip, and
// PostgreSQL still runs them one after the other, each with its own snapshot. fn bounds each
// round trip with a context from rt, as the pool bounds every other one (StatementTimeout).
// Whatever fn returns, the connection goes back to the pool outside a transaction: one still
// open is rolled back, and one that cannot roll back is closed (the pool then drops it). done
// is false when the pool's driver is not pgx and fn did not run.
func (s *Store) pgxTx(ctx context.Context, fn func(pc *pgx.Conn, rt func() (context.Context, context.CancelFunc)) error) (done bool, err error) {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return true, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		var (
			pc    *pgx.Conn
			limit time.Duration
		)
		switch c := dc.(type) {
		case *boundedConn:
			pc, limit = c.Conn.Conn(), roundTripLimit(ctx, c.timeout)
		case *stdlib.Conn:
			pc = c.Conn()
		default:
			return nil
		}
		done = true
		defer rollbackIfOpen(ctx, pc, limit)
		return fn(pc, func() (context.Context, context.CancelFunc) { return boundRoundTrip(ctx, limit) })
	})
	return done, err
}

// FindDealByID returns the deal or ENOTFOUND.
func (s *Store) FindDealByID(ctx context.Context, id int64) (workflow.Deal, error) {
	var row dealRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Deal{}, translate(err)
	}
	return row.toDeal(), nil
}

// lockDeal reads the deal inside a transaction and locks its row until the transaction ends.
func (s *Store) lockDeal(ctx context.Context, id int64) (workflow.Deal, error) {
	var row dealRow
	err := s.conn(ctx).Raw("SELECT * FROM deals WHERE id = ?"+s.lockClause(), id).Scan(&row).Error
	if err != nil {
		return workflow.Deal{}, translate(err)
	}
	if row.ID == 0 {
		return workflow.Deal{}, workflow.ErrNotFound
	}
	return row.toDeal(), nil
}

// DealFilter narrows FindDeals; nil and empty fields do not filter.
type DealFilter struct {
	OwnerID   *int64
	CompanyID *int64
	Stage     string
	Status    string
	Offset    int
	Limit     int
}

// FindDeals lists deals (newest first) and the total matching the filter.
func (s *Store) FindDeals(ctx context.Context, f DealFilter) ([]workflow.Deal, int64, error) {
	q := s.conn(ctx).Model(&dealRow{})
	if f.OwnerID != nil {
		q = q.Where("owner_id = ?", *f.OwnerID)
	}
	if f.CompanyID != nil {
		q = q.Where("company_id = ?", *f.CompanyID)
	}
	if f.Stage != "" {
		q = q.Where("stage = ?", f.Stage)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	var rows []dealRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(limit(f.Limit)).Find(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	out := make([]workflow.Deal, len(rows))
	for i, r := range rows {
		out[i] = r.toDeal()
	}
	return out, total, nil
}

// Transition moves a deal: in one transaction it locks the deal, checks the expected version,
// gathers the evidence, lets the pipeline decide, stores the new state with a compare-and-set
// on the version and appends the events to the deal's chain.
func (s *Store) Transition(ctx context.Context, dealID int64, t workflow.Transition, actor workflow.Actor) (workflow.Deal, error) {
	d, _, err := s.TransitionChecked(ctx, dealID, t, actor, nil)
	return d, err
}

// TransitionChecked is Transition with two additions for the API, which would otherwise read
// the deal and its evidence again around the transaction: check (when not nil) sees the locked
// deal first and may refuse with its error (the API's visibility rule), and the evidence the
// pipeline decided on is returned as the new stage sees it (its training result is that of the
// new stage), ready for the stage's Missing list. A transition adds no documents, activities or
// facts, so that evidence is what a fresh Evidence call would gather.
func (s *Store) TransitionChecked(ctx context.Context, dealID int64, t workflow.Transition, actor workflow.Actor, check func(workflow.Deal) error) (workflow.Deal, workflow.Evidence, error) {
	if s.dialect == Postgres && !InTransaction(ctx) {
		if out, ev, done, err := s.transitionPipelined(ctx, dealID, t, actor, check); done {
			return out, ev, translate(err)
		}
	}
	var (
		out workflow.Deal
		ev  workflow.Evidence
	)
	err := s.InTx(ctx, func(ctx context.Context) error {
		d, err := s.lockDeal(ctx, dealID)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(d); err != nil {
				return err
			}
		}
		if err := checkExpectedVersion(t, d); err != nil {
			return err
		}
		p, err := s.PipelineByID(ctx, d.PipelineID)
		if err != nil {
			return err
		}
		var last *workflow.Event
		ev, last, err = s.evidence(ctx, p, d, actor)
		if err != nil {
			return err
		}
		res, err := p.Decide(d, ev, t, actor, s.now())
		if err != nil {
			return err
		}
		nd := res.Deal
		// The deal is locked, so the last event read with the evidence is still the last.
		if err := s.storeTransition(ctx, d, nd, last, res.Events); err != nil {
			return err
		}
		if nd.Stage != d.Stage {
			ev.TrainingPassed = map[string]bool{}
			if err := s.trainingEvidence(ctx, p, nd, actor, &ev); err != nil {
				return err
			}
		}
		out = nd
		return nil
	})
	return out, ev, translate(err)
}

func checkExpectedVersion(t workflow.Transition, d workflow.Deal) error {
	if t.ExpectedVersion != 0 && t.ExpectedVersion != d.Version {
		return &workflow.Error{Code: workflow.ECONFLICT, Field: "expected_version",
			Message: "the deal was changed by someone else (it is at a newer version); reload it and try again"}
	}
	return nil
}

// errChanged is the answer when the compare-and-set of the deal's version finds another
// version (which the row lock makes impossible; it is the last line of defence).
func errChanged() error {
	return &workflow.Error{Code: workflow.ECONFLICT, Field: "expected_version", Message: "the deal was changed by someone else; reload it and try again"}
}

// storeTransition writes a decided transition inside the caller's transaction, which holds
// old's row lock: the deal's new state with a compare-and-set on old's version, and the
// events sealed after last. On PostgreSQL both are one statement (transitionWriteSQL).
func (s *Store) storeTransition(ctx context.Context, old, nd workflow.Deal, last *workflow.Event, events []workflow.Event) error {
	if s.dialect == Postgres && len(events) > 0 {
		sealEvents(old.ID, last, events)
		res, err := s.conn(ctx).Statement.ConnPool.ExecContext(ctx, transitionWriteSQL(len(events)), transitionWriteArgs(old, nd, events)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(events)) {
			return errChanged()
		}
		return nil
	}
	q := s.conn(ctx).Model(&dealRow{}).Where("id = ? AND version = ?", old.ID, old.Version).Updates(map[string]any{
		"stage": nd.Stage, "status": string(nd.Status), "lost_reason": nd.LostReason, "version": nd.Version,
		"stage_entered_at": nd.StageEnteredAt, "updated_at": nd.UpdatedAt, "closed_at": nd.ClosedAt})
	if q.Error != nil {
		return q.Error
	}
	if q.RowsAffected != 1 {
		return errChanged()
	}
	return s.insertEvents(ctx, old.ID, last, events)
}

// transitionWriteSQL returns PostgreSQL's statement for a transition with n events ($1 the
// deal, $2–$8 its new state, $9 the version it must still have, then 11 values per event): it
// updates the deal only at the expected version and inserts the events only if the update
// matched, so it reports n rows or none.
func transitionWriteSQL(n int) string {
	if n < len(transitionWriteSQLs) {
		if q := transitionWriteSQLs[n].Load(); q != nil {
			return *q
		}
	}
	var b strings.Builder
	b.WriteString(`WITH u AS (UPDATE deals SET stage = $2, status = $3, lost_reason = $4, version = $5, stage_entered_at = $6, updated_at = $7, closed_at = $8
WHERE id = $1 AND version = $9 RETURNING id)
INSERT INTO events (deal_id, seq, kind, action, from_stage, to_stage, actor_id, reason, at, payload, prev_hash, hash)
SELECT u.id, v.* FROM u, (VALUES `)
	arg := 10
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for j, typ := range eventValueTypes {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(arg) + "::" + typ)
			arg++
		}
		b.WriteString(")")
	}
	b.WriteString(") AS v (seq, kind, action, from_stage, to_stage, actor_id, reason, at, payload, prev_hash, hash)")
	q := b.String()
	if n < len(transitionWriteSQLs) {
		transitionWriteSQLs[n].Store(&q)
	}
	return q
}

var (
	transitionWriteSQLs [8]atomic.Pointer[string]
	eventValueTypes     = [...]string{"bigint", "text", "text", "text", "text", "bigint", "text", "timestamptz", "text", "text", "text"}
)

// transitionWriteArgs returns the values of transitionWriteSQL for sealed events.
func transitionWriteArgs(old, nd workflow.Deal, events []workflow.Event) []any {
	args := make([]any, 0, 9+11*len(events))
	args = append(args, old.ID, nd.Stage, string(nd.Status), nd.LostReason, nd.Version, nd.StageEnteredAt, nd.UpdatedAt, nd.ClosedAt, old.Version)
	for i := range events {
		e := &events[i]
		args = append(args, e.Seq, string(e.Kind), string(e.Action), e.FromStage, e.ToStage, e.ActorID, e.Reason, e.At, string(e.Payload), e.PrevHash, e.Hash)
	}
	return args
}

// lockDealSQLPG and evidenceSQLPG are lockDeal's and evidenceQuery's statements for pgx,
// which transitionPipelined sends together (the company is found through the deal).
const (
	lockDealSQLPG = `SELECT id, company_id, owner_id, title, amount, cost, currency, pipeline_id, stage, status, lost_reason, version,
stage_entered_at, created_at, updated_at, closed_at FROM deals WHERE id = $1 FOR UPDATE`
	evidenceSQLPG = `SELECT 'c' AS src, '' AS kind, CASE WHEN valid THEN 1 ELSE 0 END AS n, FALSE AS dm FROM companies WHERE id = (SELECT company_id FROM deals WHERE id = $1)
UNION ALL SELECT 'd', kind, COUNT(*), FALSE FROM documents WHERE deal_id = $1 AND status = 'final' GROUP BY kind
UNION ALL SELECT 'f', kind, COUNT(*), FALSE FROM facts WHERE deal_id = $1 GROUP BY kind
UNION ALL SELECT DISTINCT 'a', kind, 0, decision_maker FROM activities WHERE deal_id = $1
UNION ALL SELECT * FROM (SELECT 'e', hash, seq, FALSE FROM events WHERE deal_id = $1 ORDER BY seq DESC LIMIT 1) AS last_event`
)

// transitionPipelined is TransitionChecked on PostgreSQL outside a caller's transaction, in
// two round trips on one pgx connection: BEGIN, the deal's row lock and the evidence are sent
// together, and so are the write (transitionWriteSQL) and COMMIT. PostgreSQL runs them in
// order, each statement with its own snapshot, so the evidence is read under the lock exactly
// as by the general path. done is false when nothing was written and the general path must
// run instead: a stage with a training gate (whose test result TrainingPassedFunc reads on the
// transaction's connection), a pipeline version not cached yet, or a driver other than pgx.
func (s *Store) transitionPipelined(ctx context.Context, dealID int64, t workflow.Transition, actor workflow.Actor, check func(workflow.Deal) error) (out workflow.Deal, ev workflow.Evidence, done bool, err error) {
	fallback := false
	done, err = s.pgxTx(ctx, func(pc *pgx.Conn, rt func() (context.Context, context.CancelFunc)) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue(lockDealSQLPG, dealID)
		b.Queue(evidenceSQLPG, dealID)
		bctx, cancel := rt()
		br := pc.SendBatch(bctx, b)
		d, found, last, err := s.readLockAndEvidence(br, &ev)
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		cancel()
		if err != nil {
			return pgError(err)
		}
		if !found {
			return workflow.ErrNotFound
		}
		if check != nil {
			if err := check(d); err != nil {
				return err
			}
		}
		if err := checkExpectedVersion(t, d); err != nil {
			return err
		}
		s.pipeMu.RLock()
		p := s.pipelines[d.PipelineID]
		s.pipeMu.RUnlock()
		if p == nil || s.TrainingPassedFunc != nil && hasTrainingGate(p, d.Stage) {
			fallback = true
			return nil
		}
		ev.Fields = map[string]bool{"amount": d.Amount > 0, "cost": d.Cost > 0}
		res, err := p.Decide(d, ev, t, actor, s.now())
		if err != nil {
			return err
		}
		nd := res.Deal
		if s.TrainingPassedFunc != nil && nd.Stage != d.Stage && hasTrainingGate(p, nd.Stage) || len(res.Events) == 0 {
			fallback = true
			return nil
		}
		sealEvents(d.ID, last, res.Events)
		b = &pgx.Batch{}
		b.Queue(transitionWriteSQL(len(res.Events)), transitionWriteArgs(d, nd, res.Events)...)
		b.Queue("COMMIT")
		tags, err := execBatch(pc, rt, b)
		if err != nil {
			return err
		}
		if tags[0].RowsAffected() != int64(len(res.Events)) {
			return errChanged() // nothing was written
		}
		if nd.Stage != d.Stage {
			ev.TrainingPassed = map[string]bool{}
		}
		out = nd
		return nil
	})
	return out, ev, done && !fallback, err
}

// readLockAndEvidence reads the answers to transitionPipelined's first batch: BEGIN, the
// locked deal (found is false when there is none) and the evidence into ev.
func (s *Store) readLockAndEvidence(br pgx.BatchResults, ev *workflow.Evidence) (d workflow.Deal, found bool, last *workflow.Event, err error) {
	if _, err = br.Exec(); err != nil {
		return d, false, nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return d, false, nil, err
	}
	var r dealRow
	for rows.Next() {
		if err = rows.Scan(&r.ID, &r.CompanyID, &r.OwnerID, &r.Title, &r.Amount, &r.Cost, &r.Currency, &r.PipelineID, &r.Stage, &r.Status,
			&r.LostReason, &r.Version, &r.StageEnteredAt, &r.CreatedAt, &r.UpdatedAt, &r.ClosedAt); err != nil {
			rows.Close()
			return d, false, nil, err
		}
		found = true
	}
	rows.Close()
	if err = rows.Err(); err != nil {
		return d, false, nil, err
	}
	rows, err = br.Query()
	if err != nil {
		return d, false, nil, err
	}
	*ev = newEvidence()
	last, err = scanEvidence(rows, ev)
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	return r.toDeal(), found, last, err
}

// pgError gives a PostgreSQL error met through pgx directly the meaning gorm's TranslateError
// gives it on the general path.
func pgError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %w", gorm.ErrDuplicatedKey, err)
		case "23503":
			return fmt.Errorf("%w: %w", gorm.ErrForeignKeyViolated, err)
		}
	}
	return err
}

func hasTrainingGate(p *workflow.Pipeline, stage string) bool {
	st, ok := p.Stage(stage)
	return ok && st.TrainingGate
}

// Evidence gathers what the deal has for its gates: the company's validity, final documents,
// activities, facts and set fields. Training results come from TrainingPassedFunc, asked only
// when the deal's stage has a training gate (the only place they are read).
func (s *Store) Evidence(ctx context.Context, d workflow.Deal, actor workflow.Actor) (workflow.Evidence, error) {
	p, err := s.PipelineByID(ctx, d.PipelineID)
	if err != nil {
		return workflow.Evidence{}, err
	}
	ev, _, err := s.evidence(ctx, p, d, actor)
	return ev, translate(err)
}

// evidenceQuery gathers the evidence in one round trip: the company's validity (src c), final
// documents (d) and facts (f) counted by kind, the distinct activities (a), and the seq and hash
// of the deal's last event (e), which the transition's event is sealed after.
const evidenceQuery = `SELECT 'c' AS src, '' AS kind, CASE WHEN valid THEN 1 ELSE 0 END AS n, FALSE AS dm FROM companies WHERE id = ?
UNION ALL SELECT 'd', kind, COUNT(*), FALSE FROM documents WHERE deal_id = ? AND status = 'final' GROUP BY kind
UNION ALL SELECT 'f', kind, COUNT(*), FALSE FROM facts WHERE deal_id = ? GROUP BY kind
UNION ALL SELECT DISTINCT 'a', kind, 0, decision_maker FROM activities WHERE deal_id = ?
UNION ALL SELECT * FROM (SELECT 'e', hash, seq, FALSE FROM events WHERE deal_id = ? ORDER BY seq DESC LIMIT 1) AS last_event`

// evidence gathers d's evidence under pipeline p, and returns the deal's last event (only its
// Seq and Hash; nil when it has none).
func (s *Store) evidence(ctx context.Context, p *workflow.Pipeline, d workflow.Deal, actor workflow.Actor) (workflow.Evidence, *workflow.Event, error) {
	ev := newEvidence()
	ev.Fields = map[string]bool{"amount": d.Amount > 0, "cost": d.Cost > 0}
	rows, err := s.conn(ctx).Raw(evidenceQuery, d.CompanyID, d.ID, d.ID, d.ID, d.ID).Rows()
	if err != nil {
		return ev, nil, err
	}
	defer rows.Close()
	last, err := scanEvidence(rows, &ev)
	if err != nil {
		return ev, nil, err
	}
	if err := rows.Err(); err != nil {
		return ev, nil, err
	}
	if err := rows.Close(); err != nil {
		return ev, nil, err
	}
	return ev, last, s.trainingEvidence(ctx, p, d, actor, &ev)
}

func newEvidence() workflow.Evidence {
	return workflow.Evidence{Documents: map[workflow.DocumentKind]int{}, Facts: map[workflow.FactKind]int{}, TrainingPassed: map[string]bool{}}
}

// scanEvidence reads the rows of evidenceQuery (or evidenceSQLPG) into ev and returns the
// deal's last event (only its Seq and Hash; nil when it has none).
func scanEvidence(rows interface {
	Next() bool
	Scan(...any) error
}, ev *workflow.Evidence) (*workflow.Event, error) {
	var last *workflow.Event
	for rows.Next() {
		var (
			src, kind string
			n         int64
			dm        bool
		)
		if err := rows.Scan(&src, &kind, &n, &dm); err != nil {
			return nil, err
		}
		switch src {
		case "c":
			ev.CompanyValid = n == 1
		case "d":
			ev.Documents[workflow.DocumentKind(kind)] = int(n)
		case "f":
			ev.Facts[workflow.FactKind(kind)] = int(n)
		case "a":
			ev.Activities = append(ev.Activities, workflow.ActivityEvidence{Kind: workflow.ActivityKind(kind), DecisionMaker: dm})
		case "e":
			last = &workflow.Event{Seq: n, Hash: kind}
		}
	}
	return last, nil
}

// trainingEvidence records in ev whether actor has passed the test of d's stage, when that
// stage has a training gate and a TrainingPassedFunc is set.
func (s *Store) trainingEvidence(ctx context.Context, p *workflow.Pipeline, d workflow.Deal, actor workflow.Actor, ev *workflow.Evidence) error {
	if s.TrainingPassedFunc == nil {
		return nil
	}
	if st, ok := p.Stage(d.Stage); !ok || !st.TrainingGate {
		return nil
	}
	passed, err := s.TrainingPassedFunc(ctx, actor.ID, d.Stage)
	if err != nil {
		return err
	}
	ev.TrainingPassed[d.Stage] = passed
	return nil
}

// Activity is a counted action on a deal.
type Activity struct {
	ID            int64
	DealID        int64
	Kind          workflow.ActivityKind
	Stage         string
	Note          string
	DecisionMaker bool
	ActorID       int64
	At            time.Time
}

type activityRow struct {
	ID            int64 `gorm:"primaryKey"`
	DealID        int64
	Kind          string
	Stage         string
	Note          string
	DecisionMaker bool
	ActorID       int64
	At            time.Time
}

func (activityRow) TableName() string { return "activities" }

// AddActivity logs an activity on an open deal at its current stage and appends its event.
func (s *Store) AddActivity(ctx context.Context, a Activity, actor workflow.Actor) (Activity, error) {
	if !a.Kind.Valid() {
		return Activity{}, workflow.Invalid("kind", "unknown activity kind %q (call, meeting, email, other)", a.Kind)
	}
	if len([]rune(a.Note)) > 5000 {
		return Activity{}, workflow.Invalid("note", "note is longer than 5000 characters")
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		d, err := s.lockDeal(ctx, a.DealID)
		if err != nil {
			return err
		}
		if d.Status != workflow.StatusOpen {
			return workflow.Invalid("deal", "the deal is %s; activities are logged on open deals", d.Status)
		}
		if a.At.IsZero() {
			a.At = s.now()
		}
		a.At = a.At.UTC().Truncate(time.Microsecond)
		a.Stage, a.ActorID = d.Stage, actor.ID
		row := activityRow{DealID: a.DealID, Kind: string(a.Kind), Stage: a.Stage, Note: a.Note, DecisionMaker: a.DecisionMaker, ActorID: a.ActorID, At: a.At}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		a.ID = row.ID
		payload, _ := workflow.CanonicalJSON(map[string]any{"activity_id": a.ID, "kind": a.Kind, "note": a.Note, "decision_maker": a.DecisionMaker})
		return s.appendEvents(ctx, d.ID, []workflow.Event{{DealID: d.ID, Kind: workflow.EventActivity, Action: workflow.Action(a.Kind),
			FromStage: d.Stage, ActorID: actor.ID, At: a.At, Payload: payload}})
	})
	return a, translate(err)
}

// FindActivities lists a deal's activities, oldest first.
func (s *Store) FindActivities(ctx context.Context, dealID int64) ([]Activity, error) {
	var rows []activityRow
	if err := s.conn(ctx).Where("deal_id = ?", dealID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]Activity, len(rows))
	for i, r := range rows {
		out[i] = Activity{ID: r.ID, DealID: r.DealID, Kind: workflow.ActivityKind(r.Kind), Stage: r.Stage, Note: r.Note, DecisionMaker: r.DecisionMaker, ActorID: r.ActorID, At: r.At.UTC()}
	}
	return out, nil
}

// Fact is something the deal has learned, with its structured data.
type Fact struct {
	ID      int64
	DealID  int64
	Kind    workflow.FactKind
	Stage   string
	Data    json.RawMessage
	ActorID int64
	At      time.Time
}

type factRow struct {
	ID      int64 `gorm:"primaryKey"`
	DealID  int64
	Kind    string
	Stage   string
	Data    string
	ActorID int64
	At      time.Time
}

func (factRow) TableName() string { return "facts" }

// AddFact records a fact on an open deal and appends its event. Data must be a JSON object.
func (s *Store) AddFact(ctx context.Context, f Fact, actor workflow.Actor) (Fact, error) {
	if !f.Kind.Valid() {
		return Fact{}, workflow.Invalid("kind", "unknown fact kind %q (needs, decision_makers, tender, payment, shipment, feedback)", f.Kind)
	}
	canon, err := workflow.CanonicalJSON(f.Data)
	if err != nil || len(canon) == 0 || canon[0] != '{' {
		return Fact{}, workflow.Invalid("data", "data must be a JSON object")
	}
	if len(canon) > 64<<10 {
		return Fact{}, workflow.Invalid("data", "data is larger than 64 KiB")
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		d, err := s.lockDeal(ctx, f.DealID)
		if err != nil {
			return err
		}
		if d.Status != workflow.StatusOpen {
			return workflow.Invalid("deal", "the deal is %s; facts are recorded on open deals", d.Status)
		}
		f.At, f.Stage, f.ActorID, f.Data = s.now(), d.Stage, actor.ID, canon
		row := factRow{DealID: f.DealID, Kind: string(f.Kind), Stage: f.Stage, Data: string(canon), ActorID: f.ActorID, At: f.At}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		f.ID = row.ID
		payload, _ := workflow.CanonicalJSON(map[string]any{"fact_id": f.ID, "kind": f.Kind, "data": json.RawMessage(canon)})
		return s.appendEvents(ctx, d.ID, []workflow.Event{{DealID: d.ID, Kind: workflow.EventFact, Action: workflow.Action(f.Kind),
			FromStage: d.Stage, ActorID: actor.ID, At: f.At, Payload: payload}})
	})
	return f, translate(err)
}

// FindFacts lists a deal's facts, oldest first.
func (s *Store) FindFacts(ctx context.Context, dealID int64) ([]Fact, error) {
	var rows []factRow
	if err := s.conn(ctx).Where("deal_id = ?", dealID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]Fact, len(rows))
	for i, r := range rows {
		out[i] = Fact{ID: r.ID, DealID: r.DealID, Kind: workflow.FactKind(r.Kind), Stage: r.Stage, Data: json.RawMessage(r.Data), ActorID: r.ActorID, At: r.At.UTC()}
	}
	return out, nil
}
