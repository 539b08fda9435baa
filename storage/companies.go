package storage

import (
	"context"
	"time"

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
	Valid     bool
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
	CreatedAt   time.Time
}

func (companyRow) TableName() string { return "companies" }

func (r companyRow) toCompany() Company { return Company(r) }

// CreateCompany stores a company.
func (s *Store) CreateCompany(ctx context.Context, c Company) (Company, error) {
	c.CreatedAt = s.now()
	row := companyRow(c)
	row.ID = 0
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return Company{}, translate(err)
	}
	return row.toCompany(), nil
}

// UpdateCompany replaces a company's name, requisites and Valid flag with those of c (found by
// c.ID; its owner and creation time stay) and returns the stored company, or ENOTFOUND. The
// caller validates the requisites, as for CreateCompany.
func (s *Store) UpdateCompany(ctx context.Context, c Company) (Company, error) {
	var out Company
	err := s.InTx(ctx, func(ctx context.Context) error {
		q := s.conn(ctx).Model(&companyRow{}).Where("id = ?", c.ID).Updates(map[string]any{
			"name": c.Name, "inn": c.INN, "kpp": c.KPP, "ogrn": c.OGRN, "address": c.Address, "bank_name": c.BankName,
			"bik": c.BIK, "corr_account": c.CorrAccount, "account": c.Account, "valid": c.Valid})
		if q.Error != nil {
			return q.Error
		}
		if q.RowsAffected == 0 {
			return workflow.ErrNotFound
		}
		var err error
		out, err = s.FindCompanyByID(ctx, c.ID)
		return err
	})
	return out, translate(err)
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
