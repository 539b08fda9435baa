package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/dealgate/dealgate/workflow"
)

// Company is a client company with its Russian requisites.
type Company struct {
	ID          int64
	OwnerID     int64
	Name        string
	INN         string
	KPP         string
	OGRN        string
	Address     string
	BankName    string
	BIK         string
	CorrAccount string
	Account     string
	// Valid is true when the requisites are complete and pass their checksums; the caller
	// (which owns the validators) sets it. The research stage's gate reads it.
	Valid bool
	// Version counts the company's changes from 1. An edit is made from a version and
	// UpdateCompany stores it only while the company is still at that version (optimistic
	// locking, as for deals), so two people editing one client never overwrite each other.
	Version   int64
	CreatedAt time.Time
}

type companyRow struct {
	ID          int64 `gorm:"primaryKey"`
	OwnerID     int64
	Name        string
	INN         string `gorm:"column:inn"`
	KPP         string `gorm:"column:kpp"`
	OGRN        string `gorm:"column:ogrn"`
	Address     string
	BankName    string
	BIK         string `gorm:"column:bik"`
	CorrAccount string
	Account     string
	Valid       bool
	Version     int64
	CreatedAt   time.Time
}

func (companyRow) TableName() string { return "companies" }

func (r companyRow) toCompany() Company { return Company(r) }

// CreateCompany stores a company at version 1.
func (s *Store) CreateCompany(ctx context.Context, c Company) (Company, error) {
	c.CreatedAt = s.now()
	row := companyRow(c)
	row.ID, row.Version = 0, 1
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return Company{}, translate(err)
	}
	return row.toCompany(), nil
}

// UpdateCompany replaces a company's name, requisites and Valid flag with those of c (found by
// c.ID; its owner and creation time stay), made from version c.Version, and returns the stored
// company with its version one higher. The change is stored only while the company is still at
// c.Version: when someone else changed it in between (or c.Version is not the stored version)
// nothing is written and the answer is ECONFLICT on the field "version", naming the current
// version, so the caller can show the current values and let the user apply the change again.
// An unknown id is ENOTFOUND; a version below 1 is EINVALID. The caller validates the
// requisites, as for CreateCompany.
func (s *Store) UpdateCompany(ctx context.Context, c Company) (Company, error) {
	if c.Version < 1 {
		return Company{}, workflow.Invalid("version", "the version the change was made from is required (a company's version starts at 1)")
	}
	var out Company
	err := s.InTx(ctx, func(ctx context.Context) error {
		// One conditional UPDATE: on PostgreSQL a concurrent twin waits for this row's lock
		// and then finds the version moved on; SQLite runs writers one at a time.
		q := s.conn(ctx).Model(&companyRow{}).Where("id = ? AND version = ?", c.ID, c.Version).Updates(map[string]any{
			"name": c.Name, "inn": c.INN, "kpp": c.KPP, "ogrn": c.OGRN, "address": c.Address, "bank_name": c.BankName,
			"bik": c.BIK, "corr_account": c.CorrAccount, "account": c.Account, "valid": c.Valid, "version": gorm.Expr("version + 1")})
		if q.Error != nil {
			return q.Error
		}
		cur, err := s.FindCompanyByID(ctx, c.ID)
		if err != nil {
			return err
		}
		if q.RowsAffected == 0 {
			return staleCompany(cur, c.Version)
		}
		out = cur
		return nil
	})
	return out, translate(err)
}

// staleCompany is the refusal of an edit made from version v of a company now at cur.Version.
func staleCompany(cur Company, v int64) error {
	return &workflow.Error{Code: workflow.ECONFLICT, Field: "version", Message: fmt.Sprintf(
		"company %d was changed by someone else: the edit was made from version %d, the company is now at version %d; reload it and apply the change again",
		cur.ID, v, cur.Version)}
}

// FindCompanyByID returns the company or ENOTFOUND.
func (s *Store) FindCompanyByID(ctx context.Context, id int64) (Company, error) {
	var row companyRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return Company{}, translate(err)
	}
	return row.toCompany(), nil
}

// CompanyFilter narrows FindCompanies; nil fields do not filter.
type CompanyFilter struct {
	OwnerID *int64
	Query   string // part of the name or the INN
	Offset  int
	Limit   int
}

// FindCompanies lists companies and the total matching the filter.
func (s *Store) FindCompanies(ctx context.Context, f CompanyFilter) ([]Company, int64, error) {
	q := s.conn(ctx).Model(&companyRow{})
	if f.OwnerID != nil {
		q = q.Where("owner_id = ?", *f.OwnerID)
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		q = q.Where("name LIKE ? ESCAPE '\\' OR inn LIKE ? ESCAPE '\\'", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	var rows []companyRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(limit(f.Limit)).Find(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	out := make([]Company, len(rows))
	for i, r := range rows {
		out[i] = r.toCompany()
	}
	return out, total, nil
}

func limit(n int) int {
	if n <= 0 || n > 500 {
		return 50
	}
	return n
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
