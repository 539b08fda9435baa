package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

type eventRow struct {
	ID        int64 `gorm:"primaryKey"`
	DealID    int64
	Seq       int64
	Kind      string
	Action    string
	FromStage string
	ToStage   string
	ActorID   int64
	Reason    string
	At        time.Time
	Payload   string
	PrevHash  string
	Hash      string
}

func (eventRow) TableName() string { return "events" }

func (r eventRow) toEvent() workflow.Event {
	e := workflow.Event{ID: r.ID, DealID: r.DealID, Seq: r.Seq, Kind: workflow.EventKind(r.Kind), Action: workflow.Action(r.Action),
		FromStage: r.FromStage, ToStage: r.ToStage, ActorID: r.ActorID, Reason: r.Reason, At: r.At.UTC(), PrevHash: r.PrevHash, Hash: r.Hash}
	if r.Payload != "" {
		e.Payload = json.RawMessage(r.Payload)
	}
	return e
}

// appendEvents seals events after the deal's last event and inserts them. The caller holds
// the deal's row lock (lockDeal) inside the same transaction, so the chain cannot fork; the
// unique (deal_id, seq) index is the last line of defence.
func (s *Store) appendEvents(ctx context.Context, dealID int64, events []workflow.Event) error {
	if len(events) == 0 {
		return nil
	}
	prev, err := s.lastEvent(ctx, dealID)
	if err != nil {
		return err
	}
	return s.insertEvents(ctx, dealID, prev, events)
}

// lastEvent returns the seq and hash of the deal's last event (all that sealing the next one
// needs), or nil when the deal has none. Call it with the deal locked.
func (s *Store) lastEvent(ctx context.Context, dealID int64) (*workflow.Event, error) {
	var last []eventRow
	if err := s.conn(ctx).Model(&eventRow{}).Select("seq", "hash").Where("deal_id = ?", dealID).Order("seq DESC").Limit(1).Find(&last).Error; err != nil {
		return nil, err
	}
	if len(last) == 0 {
		return nil, nil
	}
	return &workflow.Event{Seq: last[0].Seq, Hash: last[0].Hash}, nil
}

// insertEvents seals events after prev (nil: they start the deal's chain) and inserts them.
func (s *Store) insertEvents(ctx context.Context, dealID int64, prev *workflow.Event, events []workflow.Event) error {
	sealEvents(dealID, prev, events)
	rows := make([]eventRow, len(events))
	for i := range events {
		e := &events[i]
		rows[i] = eventRow{DealID: dealID, Seq: e.Seq, Kind: string(e.Kind), Action: string(e.Action), FromStage: e.FromStage,
			ToStage: e.ToStage, ActorID: e.ActorID, Reason: e.Reason, At: e.At, Payload: string(e.Payload), PrevHash: e.PrevHash, Hash: e.Hash}
	}
	return s.conn(ctx).Create(&rows).Error
}

// sealEvents gives events to dealID and seals them one after the other after prev (nil: they
// start the deal's chain).
func sealEvents(dealID int64, prev *workflow.Event, events []workflow.Event) {
	for i := range events {
		e := &events[i]
		e.DealID = dealID
		e.Seal(prev)
		prev = e
	}
}

// AppendEvent appends one event to a deal's chain inside the caller's transaction (or its own),
// locking the deal first. Other packages (documents, audit) record their events with it.
func (s *Store) AppendEvent(ctx context.Context, e workflow.Event) (workflow.Event, error) {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.lockDeal(ctx, e.DealID); err != nil {
			return err
		}
		if e.At.IsZero() {
			e.At = s.now()
		}
		evs := []workflow.Event{e}
		if err := s.appendEvents(ctx, e.DealID, evs); err != nil {
			return err
		}
		e = evs[0]
		return nil
	})
	return e, translate(err)
}

// FindEvents returns a deal's events in chain order.
func (s *Store) FindEvents(ctx context.Context, dealID int64) ([]workflow.Event, error) {
	var rows []eventRow
	if err := s.conn(ctx).Where("deal_id = ?", dealID).Order("seq").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]workflow.Event, len(rows))
	for i, r := range rows {
		out[i] = r.toEvent()
	}
	return out, nil
}

// CountEvents returns how many events a deal has.
func (s *Store) CountEvents(ctx context.Context, dealID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&eventRow{}).Where("deal_id = ?", dealID).Count(&n).Error
	return n, translate(err)
}
