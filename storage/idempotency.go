package storage

import (
	"context"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// IdempotentResponse is the first answer given to a request with an Idempotency-Key.
type IdempotentResponse struct {
	RequestHash string
	Status      int
	ContentType string
	Body        []byte
}

type idemRow struct {
	UserID      int64  `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	RequestHash string
	Status      int
	ContentType string
	Response    []byte
	CreatedAt   time.Time
}

func (idemRow) TableName() string { return "idempotency_keys" }

// FindIdempotent returns the stored answer for (user, key), or ENOTFOUND.
func (s *Store) FindIdempotent(ctx context.Context, userID int64, key string) (IdempotentResponse, error) {
	var row idemRow
	q := s.conn(ctx).Where("user_id = ? AND key = ?", userID, key).Limit(1).Find(&row)
	if q.Error != nil {
		return IdempotentResponse{}, translate(q.Error)
	}
	if q.RowsAffected == 0 {
		return IdempotentResponse{}, workflow.ErrNotFound
	}
	return IdempotentResponse{RequestHash: row.RequestHash, Status: row.Status, ContentType: row.ContentType, Body: row.Response}, nil
}

// SaveIdempotent stores the answer for (user, key). Called inside the transaction that made
// the request's effect, so the effect and its recorded answer commit together; a concurrent
// twin then fails on the primary key (ECONFLICT) and reads the stored answer instead.
func (s *Store) SaveIdempotent(ctx context.Context, userID int64, key string, r IdempotentResponse) error {
	row := idemRow{UserID: userID, Key: key, RequestHash: r.RequestHash, Status: r.Status, ContentType: r.ContentType, Response: r.Body, CreatedAt: s.now()}
	return translate(s.conn(ctx).Create(&row).Error)
}

// ClaimIdempotent inserts a placeholder row for (user, key) inside the caller's transaction.
// On PostgreSQL a concurrent twin blocks on the primary key until the first transaction ends
// and then gets ECONFLICT; on SQLite writers are serialised anyway. The placeholder is
// completed by CompleteIdempotent before commit.
func (s *Store) ClaimIdempotent(ctx context.Context, userID int64, key, requestHash string) error {
	row := idemRow{UserID: userID, Key: key, RequestHash: requestHash, Status: 0, Response: []byte{}, CreatedAt: s.now()}
	return translate(s.conn(ctx).Create(&row).Error)
}

// CompleteIdempotent records the answer in the claimed row.
func (s *Store) CompleteIdempotent(ctx context.Context, userID int64, key string, r IdempotentResponse) error {
	return translate(s.conn(ctx).Model(&idemRow{}).Where("user_id = ? AND key = ?", userID, key).
		Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "response": r.Body}).Error)
}

// PurgeIdempotent deletes answers older than the cut-off; returns how many.
func (s *Store) PurgeIdempotent(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Where("created_at < ?", before).Delete(&idemRow{})
	return res.RowsAffected, translate(res.Error)
}
