package storage

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dealgate/dealgate/workflow"
)

// Product is a catalogue item: the source of line items and of cost for profit figures.
type Product struct {
	ID        int64
	SKU       string
	Name      string
	Unit      string
	OKEI      string
	Price     workflow.Money // excl. VAT
	Cost      workflow.Money
	VATRate   string // "22", "10", "0", "без НДС"
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

type productRow struct {
	ID        int64 `gorm:"primaryKey"`
	SKU       string
	Name      string
	Unit      string
	OKEI      string `gorm:"column:okei"`
	Price     int64
	Cost      int64
	VATRate   string `gorm:"column:vat_rate"`
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (productRow) TableName() string { return "products" }

func (r productRow) toProduct() Product {
	return Product{ID: r.ID, SKU: r.SKU, Name: r.Name, Unit: r.Unit, OKEI: r.OKEI, Price: workflow.Money(r.Price), Cost: workflow.Money(r.Cost),
		VATRate: r.VATRate, Active: r.Active, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// UpsertProducts inserts products or updates them by SKU, in one transaction.
func (s *Store) UpsertProducts(ctx context.Context, ps []Product) (int, error) {
	err := s.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		for _, p := range ps {
			row := productRow{SKU: strings.TrimSpace(p.SKU), Name: p.Name, Unit: p.Unit, OKEI: p.OKEI, Price: int64(p.Price), Cost: int64(p.Cost),
				VATRate: p.VATRate, Active: p.Active, CreatedAt: now, UpdatedAt: now}
			err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "sku"}},
				DoUpdates: clause.AssignmentColumns([]string{"name", "unit", "okei", "price", "cost", "vat_rate", "active", "updated_at"})}).Create(&row).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	return len(ps), translate(err)
}

// FindProducts lists products by SKU; activeOnly hides retired ones.
func (s *Store) FindProducts(ctx context.Context, activeOnly bool) ([]Product, error) {
	q := s.conn(ctx).Model(&productRow{})
	if activeOnly {
		q = q.Where("active")
	}
	var rows []productRow
	if err := q.Order("sku").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]Product, len(rows))
	for i, r := range rows {
		out[i] = r.toProduct()
	}
	return out, nil
}

// FindProductBySKU returns a product or ENOTFOUND.
func (s *Store) FindProductBySKU(ctx context.Context, sku string) (Product, error) {
	var row productRow
	if err := s.conn(ctx).Where("sku = ?", sku).Take(&row).Error; err != nil {
		return Product{}, translate(err)
	}
	return row.toProduct(), nil
}

type settingRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedBy *int64
	UpdatedAt time.Time
}

func (settingRow) TableName() string { return "settings" }

// GetSetting decodes the JSON setting key into v; it reports false when the key is unset.
func (s *Store) GetSetting(ctx context.Context, key string, v any) (bool, error) {
	if value, asked := prefetchOf(ctx).setting(key); asked {
		if value == nil {
			return false, nil
		}
		return true, json.Unmarshal([]byte(*value), v)
	}
	var rows []settingRow
	if err := s.conn(ctx).Where("key = ?", key).Find(&rows).Error; err != nil {
		return false, translate(err)
	}
	if len(rows) == 0 {
		return false, nil
	}
	return true, json.Unmarshal([]byte(rows[0].Value), v)
}

// PutSetting stores v as JSON under key.
func (s *Store) PutSetting(ctx context.Context, key string, v any, by *int64) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	row := settingRow{Key: key, Value: string(b), UpdatedBy: by, UpdatedAt: s.now()}
	return translate(s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_by", "updated_at"})}).Create(&row).Error)
}

// StoredTemplate is an uploaded document template version.
type StoredTemplate struct {
	ID        int64
	Kind      workflow.DocumentKind
	Format    string
	Version   int
	SHA256    string
	Filename  string
	Active    bool
	CreatedBy *int64
	CreatedAt time.Time
}

type templateRow struct {
	ID        int64 `gorm:"primaryKey"`
	Kind      string
	Format    string
	Version   int
	SHA256    string `gorm:"column:sha256"`
	Filename  string
	Active    bool
	CreatedBy *int64
	CreatedAt time.Time
}

func (templateRow) TableName() string { return "doc_templates" }

func (r templateRow) toTemplate() StoredTemplate {
	return StoredTemplate{ID: r.ID, Kind: workflow.DocumentKind(r.Kind), Format: r.Format, Version: r.Version, SHA256: r.SHA256,
		Filename: r.Filename, Active: r.Active, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// SaveTemplate stores an uploaded (already validated) template as the next version of its
// kind and format and makes it the active one.
func (s *Store) SaveTemplate(ctx context.Context, kind workflow.DocumentKind, format, filename string, content []byte, by *int64) (StoredTemplate, error) {
	var out StoredTemplate
	err := s.InTx(ctx, func(ctx context.Context) error {
		sha, err := s.Blobs().Put(ctx, content)
		if err != nil {
			return err
		}
		var last templateRow
		if err := s.conn(ctx).Where("kind = ? AND format = ?", string(kind), format).Order("version DESC").Limit(1).Find(&last).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&templateRow{}).Where("kind = ? AND format = ?", string(kind), format).Update("active", false).Error; err != nil {
			return err
		}
		row := templateRow{Kind: string(kind), Format: format, Version: last.Version + 1, SHA256: sha, Filename: filename, Active: true, CreatedBy: by, CreatedAt: s.now()}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		out = row.toTemplate()
		return nil
	})
	return out, translate(err)
}

// ActivateTemplate makes version the active template of (kind, format); version 0 returns to
// the shipped default.
func (s *Store) ActivateTemplate(ctx context.Context, kind workflow.DocumentKind, format string, version int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Model(&templateRow{}).Where("kind = ? AND format = ?", string(kind), format).Update("active", false).Error; err != nil {
			return err
		}
		if version == 0 {
			return nil
		}
		q := s.conn(ctx).Model(&templateRow{}).Where("kind = ? AND format = ? AND version = ?", string(kind), format, version).Update("active", true)
		if q.Error != nil {
			return q.Error
		}
		if q.RowsAffected == 0 {
			return workflow.ErrNotFound
		}
		return nil
	})
}

// ActiveTemplate returns the active uploaded template of (kind, format), or ENOTFOUND when the
// shipped default is in use.
func (s *Store) ActiveTemplate(ctx context.Context, kind workflow.DocumentKind, format string) (StoredTemplate, error) {
	if t, ok, err := prefetchOf(ctx).activeTemplate(kind, format); ok {
		return t, err
	}
	var row templateRow
	q := s.conn(ctx).Where("kind = ? AND format = ? AND active", string(kind), format).Limit(1).Find(&row)
	if q.Error != nil {
		return StoredTemplate{}, translate(q.Error)
	}
	if q.RowsAffected == 0 {
		return StoredTemplate{}, workflow.ErrNotFound
	}
	return row.toTemplate(), nil
}

// FindTemplateByID returns an uploaded template version.
func (s *Store) FindTemplateByID(ctx context.Context, id int64) (StoredTemplate, error) {
	var row templateRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return StoredTemplate{}, translate(err)
	}
	return row.toTemplate(), nil
}

// FindTemplates lists uploaded template versions, newest first.
func (s *Store) FindTemplates(ctx context.Context, kind workflow.DocumentKind) ([]StoredTemplate, error) {
	q := s.conn(ctx).Model(&templateRow{})
	if kind != "" {
		q = q.Where("kind = ?", string(kind))
	}
	var rows []templateRow
	if err := q.Order("kind, format, version DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]StoredTemplate, len(rows))
	for i, r := range rows {
		out[i] = r.toTemplate()
	}
	return out, nil
}
