package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Adjustment is a hand change of one norm of a saved set, kept as a record.
type Adjustment struct {
	ID        int64     `json:"id"`
	SetID     int64     `json:"set_id"`
	Stage     string    `json:"stage,omitempty"` // "" for an activity norm
	Metric    string    `json:"metric"`
	OldValue  Num       `json:"old_value"`
	NewValue  Num       `json:"new_value"`
	Reason    string    `json:"reason"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Norm metrics that can be adjusted by hand.
const (
	MetricConversion       = "conversion"         // a stage's conversion norm (0–1)
	MetricDays             = "days"               // a stage's median days
	MetricCallsPerWeek     = "calls_per_week"     // activity norms (stage "")
	MetricMeetingsPerWeek  = "meetings_per_week"  //
	MetricEmailsPerWeek    = "emails_per_week"    //
	MetricProposalsPerWeek = "proposals_per_week" //
)

// slot returns the norm an adjustment addresses, or nil.
func (n *NormSet) slot(stage, metric string) *Num {
	if stage == "" {
		switch metric {
		case MetricCallsPerWeek:
			return &n.Activity.CallsPerWeek
		case MetricMeetingsPerWeek:
			return &n.Activity.MeetingsPerWeek
		case MetricEmailsPerWeek:
			return &n.Activity.EmailsPerWeek
		case MetricProposalsPerWeek:
			return &n.Activity.ProposalsPerWeek
		}
		return nil
	}
	sn := n.Stage(stage)
	if sn == nil {
		return nil
	}
	switch metric {
	case MetricConversion:
		return &sn.Conversion
	case MetricDays:
		return &sn.Days
	}
	return nil
}

// apply sets the adjusted value (and the method "manual" of a conversion norm).
func (n *NormSet) apply(a Adjustment) {
	p := n.slot(a.Stage, a.Metric)
	if p == nil {
		return
	}
	*p = a.NewValue
	if a.Metric == MetricConversion {
		sn := n.Stage(a.Stage)
		sn.Method, sn.Capped = MethodManual, false
		sn.Through = through(sn.SkipShare, sn.Conversion)
	}
}

// SaveNorms stores a computed norm set as a dated snapshot made by userID and returns it
// with its id.
func (s *Service) SaveNorms(ctx context.Context, ns *NormSet, userID int64, note string) (*NormSet, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 1000 {
		return nil, workflow.Invalid("note", "note is longer than 1000 characters")
	}
	params, err := json.Marshal(ns.Params)
	if err != nil {
		return nil, err
	}
	clean := *ns
	clean.ID, clean.CreatedAt, clean.CreatedBy, clean.Note, clean.Adjustments = 0, nil, 0, "", nil
	body, err := json.Marshal(clean)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var id int64
	err = s.Store.DB().WithContext(ctx).Raw(`INSERT INTO stat_norm_sets (period_from, period_to, measure, params, norms, note, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ns.Period.From.UTC(), ns.Period.To.UTC(), string(ns.Params.Measure), string(params), string(body), note, userID, now).Scan(&id).Error
	if err != nil {
		return nil, fmt.Errorf("stats: save norms: %w", err)
	}
	out := clean
	out.ID, out.CreatedAt, out.CreatedBy, out.Note = id, &now, userID, note
	return &out, nil
}

// NormSetInfo summarises a saved set for lists.
type NormSetInfo struct {
	ID        int64     `json:"id"`
	Period    Period    `json:"period"`
	Measure   Measure   `json:"measure"`
	Note      string    `json:"note,omitempty"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Adjusted  int       `json:"adjustments"`
}

// ListNorms lists the saved norm sets, newest first.
func (s *Service) ListNorms(ctx context.Context, limit int) ([]NormSetInfo, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.Store.DB().WithContext(ctx).Raw(`SELECT n.id, n.period_from, n.period_to, n.measure, n.note, n.created_by, n.created_at,
	(SELECT COUNT(*) FROM stat_norm_adjustments a WHERE a.set_id = n.id)
FROM stat_norm_sets n ORDER BY n.id DESC LIMIT ?`, limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: list norms: %w", err)
	}
	defer rows.Close()
	var out []NormSetInfo
	for rows.Next() {
		var x NormSetInfo
		var from, to, at any
		if err := rows.Scan(&x.ID, &from, &to, &x.Measure, &x.Note, &x.CreatedBy, &at, &x.Adjusted); err != nil {
			return nil, err
		}
		if x.Period.From, err = scanTime(from); err != nil {
			return nil, err
		}
		if x.Period.To, err = scanTime(to); err != nil {
			return nil, err
		}
		if x.CreatedAt, err = scanTime(at); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// LoadNorms reads a saved set with its adjustments applied in the order they were made.
func (s *Service) LoadNorms(ctx context.Context, id int64) (*NormSet, error) {
	rows, err := s.Store.DB().WithContext(ctx).Raw("SELECT norms, note, created_by, created_at FROM stat_norm_sets WHERE id = ?", id).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: load norms: %w", err)
	}
	var body, note string
	var by int64
	var at any
	found := rows.Next()
	if found {
		err = rows.Scan(&body, &note, &by, &at)
	}
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("stats: load norms: %w", err)
	}
	if !found {
		return nil, workflow.ErrNotFound
	}
	var ns NormSet
	if err := json.Unmarshal([]byte(body), &ns); err != nil {
		return nil, fmt.Errorf("stats: norm set %d is unreadable: %w", id, err)
	}
	created, err := scanTime(at)
	if err != nil {
		return nil, err
	}
	ns.ID, ns.Note, ns.CreatedBy, ns.CreatedAt = id, note, by, &created
	adj, err := s.adjustments(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, a := range adj {
		ns.apply(a)
	}
	ns.Adjustments = adj
	return &ns, nil
}

// LatestNorms returns the newest saved set, or nil when none is saved.
func (s *Service) LatestNorms(ctx context.Context) (*NormSet, error) {
	var ids []int64
	if err := s.Store.DB().WithContext(ctx).Raw("SELECT id FROM stat_norm_sets ORDER BY id DESC LIMIT 1").Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("stats: latest norms: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.LoadNorms(ctx, ids[0])
}

func (s *Service) adjustments(ctx context.Context, setID int64) ([]Adjustment, error) {
	rows, err := s.Store.DB().WithContext(ctx).Raw(`SELECT id, set_id, stage, metric, old_value, new_value, reason, created_by, created_at
FROM stat_norm_adjustments WHERE set_id = ? ORDER BY id`, setID).Rows()
	if err != nil {
		return nil, fmt.Errorf("stats: adjustments: %w", err)
	}
	defer rows.Close()
	var out []Adjustment
	for rows.Next() {
		var a Adjustment
		var old *float64
		var nv float64
		var at any
		if err := rows.Scan(&a.ID, &a.SetID, &a.Stage, &a.Metric, &old, &nv, &a.Reason, &a.CreatedBy, &at); err != nil {
			return nil, err
		}
		a.OldValue, a.NewValue = NaN, Num(nv)
		if old != nil {
			a.OldValue = Num(*old)
		}
		if a.CreatedAt, err = scanTime(at); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AdjustNorm records a hand change of one norm of a saved set and returns the set as it now
// stands. A conversion must lie in [0, 1]; days and weekly activity must not be negative; a
// reason is required.
func (s *Service) AdjustNorm(ctx context.Context, setID int64, stage, metric string, value float64, reason string, userID int64) (*NormSet, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, workflow.Invalid("reason", "a reason is required to change a norm by hand")
	case len([]rune(reason)) > 1000:
		return nil, workflow.Invalid("reason", "reason is longer than 1000 characters")
	case math.IsNaN(value) || math.IsInf(value, 0) || value < 0:
		return nil, workflow.Invalid("value", "value must be a number not below 0")
	case metric == MetricConversion && value > 1:
		return nil, workflow.Invalid("value", "a conversion norm is a share from 0 to 1")
	case value > 1e6:
		return nil, workflow.Invalid("value", "value is too large")
	}
	// No transaction is needed: the row is one insert, and two managers adjusting at once
	// each record the value they saw.
	ns, err := s.LoadNorms(ctx, setID)
	if err != nil {
		return nil, err
	}
	slot := ns.slot(stage, metric)
	if slot == nil {
		if stage != "" && ns.Stage(stage) == nil {
			return nil, workflow.Invalid("stage", "the norm set has no stage %q", stage)
		}
		return nil, workflow.Invalid("metric", "metric must be conversion or days for a stage, or calls_per_week, meetings_per_week, emails_per_week, proposals_per_week without one")
	}
	var old any
	if slot.OK() {
		old = float64(*slot)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.Store.DB().WithContext(ctx).Exec(`INSERT INTO stat_norm_adjustments (set_id, stage, metric, old_value, new_value, reason, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, setID, stage, metric, old, value, reason, userID, now).Error; err != nil {
		return nil, fmt.Errorf("stats: adjust norm: %w", err)
	}
	out, err := s.LoadNorms(ctx, setID)
	if err != nil {
		return nil, err
	}
	return out, nil
}
