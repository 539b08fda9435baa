package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealgate/dealgate/workflow"
)

// BlobStore keeps immutable file contents addressed by their SHA-256. The database
// implementation is the default; another (a file system, an object store) can replace it.
type BlobStore interface {
	// Put stores content and returns its hex SHA-256. Storing the same content twice is not
	// an error and keeps one copy.
	Put(ctx context.Context, content []byte) (string, error)
	// Get returns the content, or ENOTFOUND.
	Get(ctx context.Context, sha string) ([]byte, error)
}

type blobRow struct {
	SHA256    string `gorm:"column:sha256;primaryKey"`
	Size      int64
	Content   []byte
	CreatedAt time.Time
}

func (blobRow) TableName() string { return "blobs" }

// dbBlobs stores blobs in the blobs table, inside the caller's transaction when there is one.
type dbBlobs struct{ s *Store }

// Blobs returns the store's blob store.
func (s *Store) Blobs() BlobStore { return dbBlobs{s} }

// SHA256Hex returns the hex SHA-256 of b.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (b dbBlobs) Put(ctx context.Context, content []byte) (string, error) {
	sha := SHA256Hex(content)
	row := blobRow{SHA256: sha, Size: int64(len(content)), Content: content, CreatedAt: b.s.now()}
	err := b.s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return sha, translate(err)
}

func (b dbBlobs) Get(ctx context.Context, sha string) ([]byte, error) {
	var row blobRow
	q := b.s.conn(ctx).Where("sha256 = ?", sha).Limit(1).Find(&row)
	if q.Error != nil {
		return nil, translate(q.Error)
	}
	if q.RowsAffected == 0 {
		return nil, workflow.ErrNotFound
	}
	return row.Content, nil
}

// putBlobs stores the non-empty contents in one statement (a round trip less than a Put each,
// inside transactions that hold a numbering lock) and returns their hex SHA-256 in order ("" for
// an empty content). Contents already stored are kept as they are.
func (s *Store) putBlobs(ctx context.Context, contents ...[]byte) ([]string, error) {
	shas := make([]string, len(contents))
	rows := make([]blobRow, 0, len(contents))
	now := s.now()
	for i, c := range contents {
		if len(c) == 0 {
			continue
		}
		shas[i] = SHA256Hex(c)
		dup := false
		for _, r := range rows {
			dup = dup || r.SHA256 == shas[i]
		}
		if !dup {
			rows = append(rows, blobRow{SHA256: shas[i], Size: int64(len(c)), Content: c, CreatedAt: now})
		}
	}
	if len(rows) == 0 {
		return shas, nil
	}
	err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	return shas, translate(err)
}
