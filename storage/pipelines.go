package storage

import (
	"bytes"
	"context"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

type pipelineRow struct {
	ID        int64 `gorm:"primaryKey"`
	Key       string
	Version   int
	Source    string
	SHA256    string `gorm:"column:sha256"`
	CreatedBy *int64
	CreatedAt time.Time
}

func (pipelineRow) TableName() string { return "pipelines" }

// SavePipeline stores src as a new version of its pipeline key, unless it is byte-identical to
// the latest version, which is then returned. The document is validated first; a bad one is
// returned as the *workflow.PipelineError.
func (s *Store) SavePipeline(ctx context.Context, src []byte, by *int64) (*workflow.Pipeline, error) {
	p, err := workflow.ParsePipeline(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	var out *workflow.Pipeline
	err = s.InTx(ctx, func(ctx context.Context) error {
		var latest pipelineRow
		q := s.conn(ctx).Where("key = ?", p.Key).Order("version DESC").Limit(1).Find(&latest)
		if q.Error != nil {
			return q.Error
		}
		if latest.ID != 0 && latest.SHA256 == p.SHA256 {
			out, err = s.pipelineFromRow(latest)
			return err
		}
		row := pipelineRow{Key: p.Key, Version: latest.Version + 1, Source: string(src), SHA256: p.SHA256, CreatedBy: by, CreatedAt: s.now()}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		p.ID, p.Version = row.ID, row.Version
		out = p
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	s.pipeMu.Lock()
	s.pipelines[out.ID] = out
	s.pipeMu.Unlock()
	return out, nil
}

func (s *Store) pipelineFromRow(row pipelineRow) (*workflow.Pipeline, error) {
	p, err := workflow.ParsePipeline(bytes.NewReader([]byte(row.Source)))
	if err != nil {
		return nil, err
	}
	p.ID, p.Version = row.ID, row.Version
	return p, nil
}

// PipelineByID returns a stored pipeline version (cached: versions never change).
func (s *Store) PipelineByID(ctx context.Context, id int64) (*workflow.Pipeline, error) {
	s.pipeMu.RLock()
	p := s.pipelines[id]
	s.pipeMu.RUnlock()
	if p != nil {
		return p, nil
	}
	var row pipelineRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err)
	}
	p, err := s.pipelineFromRow(row)
	if err != nil {
		return nil, err
	}
	s.pipeMu.Lock()
	s.pipelines[id] = p
	s.pipeMu.Unlock()
	return p, nil
}

// CurrentPipeline returns the latest version of the pipeline with key.
func (s *Store) CurrentPipeline(ctx context.Context, key string) (*workflow.Pipeline, error) {
	// Only the id: versions are cached by id, and the source (several kB of YAML) would be
	// read and thrown away on every deal created.
	var row pipelineRow
	q := s.conn(ctx).Select("id").Where("key = ?", key).Order("version DESC").Limit(1).Find(&row)
	if q.Error != nil {
		return nil, translate(q.Error)
	}
	if row.ID == 0 {
		return nil, workflow.ErrNotFound
	}
	return s.PipelineByID(ctx, row.ID)
}

// PipelineVersion summarises one stored version.
type PipelineVersion struct {
	ID        int64
	Key       string
	Version   int
	SHA256    string
	CreatedAt time.Time
}

// FindPipelineVersions lists every stored version of a pipeline key, newest first.
func (s *Store) FindPipelineVersions(ctx context.Context, key string) ([]PipelineVersion, error) {
	var rows []pipelineRow
	if err := s.conn(ctx).Select("id, key, version, sha256, created_at").Where("key = ?", key).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]PipelineVersion, len(rows))
	for i, r := range rows {
		out[i] = PipelineVersion{ID: r.ID, Key: r.Key, Version: r.Version, SHA256: r.SHA256, CreatedAt: r.CreatedAt}
	}
	return out, nil
}
