package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
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
	Version     int64     `json:"version"` // the company's changes counted from 1; an update sends it back as expected_version
	CreatedAt   time.Time `json:"created_at"`
}

func companyJSON(c storage.Company) CompanyJSON {
	return CompanyJSON{ID: c.ID, OwnerID: c.OwnerID, Name: c.Name, INN: c.INN, KPP: c.KPP, OGRN: c.OGRN, Address: c.Address,
		BankName: c.BankName, BIK: c.BIK, CorrAccount: c.CorrAccount, Account: c.Account, Complete: c.Valid, Version: c.Version, CreatedAt: c.CreatedAt}
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

// CompanyUpdateRequest is the body of PUT /api/v1/companies/{id}: the company's name and
// requisites in full, as for creating it, and the version they were edited from (the version
// of the company the client last read). The change is stored only while the company is still
// at that version; otherwise the answer is 409 and nothing changes, so that two people
// editing one client never silently overwrite each other.
type CompanyUpdateRequest struct {
	CompanyRequest
	ExpectedVersion json.Number `json:"expected_version"`
}

// handleCompanyUpdate replaces a company's name and requisites (PUT /api/v1/companies/{id}).
// Who may: those who may see the company (a rep only their own clients; 404 otherwise, as for
// a company that does not exist) and whose role writes companies (the route's middleware).
func (s *Server) handleCompanyUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.LoadCompany(c, id); err != nil {
		return err
	}
	var req CompanyUpdateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ExpectedVersion == "" {
		return workflow.Invalid("expected_version", "expected_version is required: the version of the company the change was made from (its \"version\")")
	}
	ev, err := strconv.ParseInt(string(req.ExpectedVersion), 10, 64)
	if err != nil || ev <= 0 {
		return workflow.Invalid("expected_version", "expected_version must be a positive whole number")
	}
	co, err := ValidateCompany(req.CompanyRequest)
	if err != nil {
		return err
	}
	co.ID, co.Version = id, ev
	co, err = s.Store.UpdateCompany(ctxOf(c), co)
	if err != nil {
		var we *workflow.Error
		if errors.As(err, &we) && we.Code == workflow.ECONFLICT && we.Field == "version" {
			// The field of the request that is stale.
			return &workflow.Error{Code: workflow.ECONFLICT, Field: "expected_version", Message: we.Message, Err: err}
		}
		return err
	}
	return c.JSON(http.StatusOK, companyJSON(co))
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
