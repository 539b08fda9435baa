package storage

import (
	"context"
	"encoding/json"
	"strings"
	"time"

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
	var out workflow.Deal
	err := s.InTx(ctx, func(ctx context.Context) error {
		co, err := s.FindCompanyByID(ctx, d.CompanyID)
		if err == nil && check != nil {
			err = check(co)
		}
		if err != nil {
			if workflow.Code(err) == workflow.ENOTFOUND {
				return workflow.Invalid("company_id", "company %d does not exist", d.CompanyID)
			}
			return err
		}
		now := s.now()
		row := dealRow{CompanyID: d.CompanyID, OwnerID: d.OwnerID, Title: strings.TrimSpace(d.Title), Amount: int64(d.Amount),
			Cost: int64(d.Cost), Currency: d.Currency, PipelineID: p.ID, Stage: p.First().Key, Status: string(workflow.StatusOpen),
			Version: 1, StageEnteredAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		out = row.toDeal()
		payload, _ := workflow.CanonicalJSON(map[string]any{"title": out.Title, "company_id": out.CompanyID, "owner_id": out.OwnerID,
			"amount": out.Amount.String(), "cost": out.Cost.String(), "currency": out.Currency, "pipeline_id": p.ID, "pipeline_version": p.Version, "pipeline_sha256": p.SHA256})
		// The deal was inserted by this transaction, so its chain starts here.
		return s.insertEvents(ctx, out.ID, nil, []workflow.Event{{DealID: out.ID, Kind: workflow.EventCreated, Action: workflow.ActionCreate,
			ToStage: out.Stage, ActorID: actor.ID, At: now, Payload: payload}})
	})
	return out, translate(err)
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
		if t.ExpectedVersion != 0 && t.ExpectedVersion != d.Version {
			return &workflow.Error{Code: workflow.ECONFLICT, Field: "expected_version",
				Message: "the deal was changed by someone else (it is at a newer version); reload it and try again"}
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
		q := s.conn(ctx).Model(&dealRow{}).Where("id = ? AND version = ?", d.ID, d.Version).Updates(map[string]any{
			"stage": nd.Stage, "status": string(nd.Status), "lost_reason": nd.LostReason, "version": nd.Version,
			"stage_entered_at": nd.StageEnteredAt, "updated_at": nd.UpdatedAt, "closed_at": nd.ClosedAt})
		if q.Error != nil {
			return q.Error
		}
		if q.RowsAffected != 1 {
			return &workflow.Error{Code: workflow.ECONFLICT, Field: "expected_version", Message: "the deal was changed by someone else; reload it and try again"}
		}
		// The deal is locked, so the last event read with the evidence is still the last.
		if err := s.insertEvents(ctx, d.ID, last, res.Events); err != nil {
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
	ev := workflow.Evidence{Documents: map[workflow.DocumentKind]int{}, Facts: map[workflow.FactKind]int{},
		Fields: map[string]bool{"amount": d.Amount > 0, "cost": d.Cost > 0}, TrainingPassed: map[string]bool{}}
	var last *workflow.Event
	rows, err := s.conn(ctx).Raw(evidenceQuery, d.CompanyID, d.ID, d.ID, d.ID, d.ID).Rows()
	if err != nil {
		return ev, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			src, kind string
			n         int64
			dm        bool
		)
		if err := rows.Scan(&src, &kind, &n, &dm); err != nil {
			return ev, nil, err
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
	if err := rows.Err(); err != nil {
		return ev, nil, err
	}
	if err := rows.Close(); err != nil {
		return ev, nil, err
	}
	return ev, last, s.trainingEvidence(ctx, p, d, actor, &ev)
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
