package storage

import (
	"context"
)

type counterRow struct {
	Scope string `gorm:"primaryKey"`
	Kind  string `gorm:"primaryKey"`
	Year  int    `gorm:"primaryKey"`
	Value int64
}

func (counterRow) TableName() string { return "counters" }

// NextNumber allocates the next value of the (scope, kind, year) sequence inside the caller's
// transaction. The counter row stays locked until that transaction ends (PostgreSQL row lock;
// SQLite's single writer), so numbers are unique across server processes, and because the
// number commits or rolls back together with the document that uses it, the sequence has no
// gaps.
func (s *Store) NextNumber(ctx context.Context, scope, kind string, year int) (int64, error) {
	var out int64
	err := s.InTx(ctx, func(ctx context.Context) error {
		// One statement: the first number of a sequence inserts its row, every later one
		// bumps it under the row lock that the upsert takes.
		return s.conn(ctx).Raw(`INSERT INTO counters (scope, kind, year, value) VALUES (?, ?, ?, 1)
			ON CONFLICT (scope, kind, year) DO UPDATE SET value = counters.value + 1 RETURNING value`, scope, kind, year).Scan(&out).Error
	})
	return out, translate(err)
}

// CurrentNumber returns the last allocated value of a sequence (0 when none).
func (s *Store) CurrentNumber(ctx context.Context, scope, kind string, year int) (int64, error) {
	var rows []counterRow
	err := s.conn(ctx).Where("scope = ? AND kind = ? AND year = ?", scope, kind, year).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, translate(err)
	}
	return rows[0].Value, nil
}
