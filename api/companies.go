package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/storage"
)

// CompanyRequest is the body of POST /api/v1/companies.
type CompanyRequest struct {
	Name        string `json:"name"`
	INN         string `json:"inn"`
	KPP         string `json:"kpp"`
	OGRN        string `json:"ogrn"`
	Address     string `json:"address"`
	BankName    string `json:"bank_name"`
	BIK         string `json:"bik"`
	CorrAccount string `json:"corr_account"`
	Account     string `json:"account"`
}

// CompanyJSON is a company as the API answers it.
type CompanyJSON struct {
	ID          int64     `json:"id"`
	OwnerID     int64     `json:"owner_id"`
	Name        string    `json:"name"`
	INN         string    `json:"inn"`
	KPP         string    `json:"kpp"`
	OGRN        string    `json:"ogrn"`
	Address     string    `json:"address"`
	BankName    string    `json:"bank_name"`
	BIK         string    `json:"bik"`
	CorrAccount string    `json:"corr_account"`
	Account     string    `json:"account"`
	Complete    bool      `json:"requisites_complete"`
	CreatedAt   time.Time `json:"created_at"`
}

func companyJSON(c storage.Company) CompanyJSON {
	return CompanyJSON{ID: c.ID, OwnerID: c.OwnerID, Name: c.Name, INN: c.INN, KPP: c.KPP, OGRN: c.OGRN, Address: c.Address,
		BankName: c.BankName, BIK: c.BIK, CorrAccount: c.CorrAccount, Account: c.Account, Complete: c.Valid, CreatedAt: c.CreatedAt}
}

// ValidateCompany checks a company's requisites. It returns the company ready to store, with
// Valid set when the requisites are complete (ОГРН and bank account given) for the research
// gate, or a *ValidationError naming every bad field.
func ValidateCompany(r CompanyRequest) (storage.Company, error) {
	clean := func(s string) string { return strings.TrimSpace(s) }
	digits := func(s string) string {
		return strings.NewReplacer(" ", "", "\u00a0", "", "-", "").Replace(strings.TrimSpace(s))
	}
	rq := requisites.Company{Name: clean(r.Name), INN: digits(r.INN), KPP: strings.ToUpper(digits(r.KPP)), OGRN: digits(r.OGRN),
		Address: clean(r.Address), BankName: clean(r.BankName), BIK: digits(r.BIK), CorrAccount: digits(r.CorrAccount), Account: digits(r.Account)}
	var probs []FieldProblem
	for field, v := range map[string]string{"name": rq.Name, "address": rq.Address, "bank_name": rq.BankName} {
		if len([]rune(v)) > 500 {
			probs = append(probs, FieldProblem{Field: field, Code: "too_long", Message: field + " is longer than 500 characters", MessageRu: "слишком длинное значение"})
		}
	}
	if len(probs) > 0 {
		return storage.Company{}, &ValidationError{Problems: probs}
	}
	if err := fromRequisites(rq.Validate()); err != nil {
		return storage.Company{}, err
	}
	return storage.Company{Name: rq.Name, INN: rq.INN, KPP: rq.KPP, OGRN: rq.OGRN, Address: rq.Address, BankName: rq.BankName,
		BIK: rq.BIK, CorrAccount: rq.CorrAccount, Account: rq.Account, Valid: rq.OGRN != "" && rq.Account != ""}, nil
}

func (s *Server) handleCompanyCreate(c echo.Context) error {
	var req CompanyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	co, err := ValidateCompany(req)
	if err != nil {
		return err
	}
	co.OwnerID = currentUser(c).ID
	co, err = s.Store.CreateCompany(ctxOf(c), co)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/companies/"+itoa(co.ID))
	return c.JSON(http.StatusCreated, companyJSON(co))
}

func (s *Server) handleCompanyGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	co, err := s.LoadCompany(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyJSON(co))
}

func (s *Server) handleCompanyList(c echo.Context) error {
	offset, err := queryInt(c, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	lim, err := queryInt(c, "limit", 50, 500)
	if err != nil {
		return err
	}
	f := storage.CompanyFilter{Query: c.QueryParam("q"), Offset: offset, Limit: lim}
	if u := currentUser(c); !seesAll(u.Role) {
		f.OwnerID = &u.ID
	}
	items, total, err := s.Store.FindCompanies(ctxOf(c), f)
	if err != nil {
		return err
	}
	out := make([]CompanyJSON, len(items))
	for i, co := range items {
		out[i] = companyJSON(co)
	}
	return c.JSON(http.StatusOK, ListJSON[CompanyJSON]{Items: out, Total: total, Offset: offset, Limit: lim})
}

// ListJSON is a page of a list.
type ListJSON[T any] struct {
	Items  []T   `json:"items"`
	Total  int64 `json:"total"`
	Offset int   `json:"offset"`
	Limit  int   `json:"limit"`
}
