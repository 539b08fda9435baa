package audit

import (
	"context"
	"strings"
	"time"
)

// What a logged read was.
const (
	ReadTrail    = "trail"
	ReadVerify   = "verify"
	ReadEvidence = "evidence"
	ReadProof    = "proof"
)

// Read is one logged look at a deal's audit material.
type Read struct {
	ID     int64     `json:"id"`
	UserID int64     `json:"user_id"`
	Email  string    `json:"email,omitempty"`
	Role   string    `json:"role,omitempty"`
	DealID int64     `json:"deal_id"`
	What   string    `json:"what"`
	At     time.Time `json:"at"`
}

// LogRead records that user read what of the deal. The read is refused when it cannot be
// recorded, so no read goes unlogged.
func (s *Service) LogRead(ctx context.Context, userID, dealID int64, what string) error {
	db, err := sqlDB(s.Store)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, rebind(s.Store.Dialect(), "INSERT INTO audit_reads (user_id, deal_id, what, at) VALUES (?, ?, ?, ?)"),
		userID, dealID, what, s.now())
	return dbErr(err)
}

// ReadFilter narrows FindReads; zero fields do not filter.
type ReadFilter struct {
	DealID int64
	UserID int64
	Offset int
	Limit  int // default 100, at most 1000
}

// FindReads lists logged reads, newest first, and how many match in all.
func (s *Service) FindReads(ctx context.Context, f ReadFilter) ([]Read, int64, error) {
	db, err := sqlDB(s.Store)
	if err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	if f.DealID > 0 {
		where, args = append(where, "r.deal_id = ?"), append(args, f.DealID)
	}
	if f.UserID > 0 {
		where, args = append(where, "r.user_id = ?"), append(args, f.UserID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int64
	if err := db.QueryRowContext(ctx, rebind(s.Store.Dialect(), "SELECT COUNT(*) FROM audit_reads r"+cond), args...).Scan(&total); err != nil {
		return nil, 0, dbErr(err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	rows, err := db.QueryContext(ctx, rebind(s.Store.Dialect(),
		"SELECT r.id, r.user_id, COALESCE(u.email, ''), COALESCE(u.role, ''), r.deal_id, r.what, r.at FROM audit_reads r LEFT JOIN users u ON u.id = r.user_id"+
			cond+" ORDER BY r.id DESC LIMIT ? OFFSET ?"), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, dbErr(err)
	}
	defer rows.Close()
	out := []Read{}
	for rows.Next() {
		var r Read
		if err := rows.Scan(&r.ID, &r.UserID, &r.Email, &r.Role, &r.DealID, &r.What, &r.At); err != nil {
			return nil, 0, err
		}
		r.At = utc(r.At)
		out = append(out, r)
	}
	return out, total, dbErr(rows.Err())
}
