package requisites

import "strings"

// Company holds the requisites block of one party (реквизиты стороны) as they
// appear in contracts, invoices and УПД. Digit fields are plain strings and are
// validated as given, without trimming.
type Company struct {
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

// Validate returns every problem found in c, in field order, or nil when c is
// valid. The rules:
//
//   - Name, Address and INN are required; INN is checked with ValidateINN.
//   - KPP follows ValidateKPP: required with a 10-digit INN, empty with a
//     12-digit one.
//   - OGRN is optional (a buyer's block often omits it); when given it is
//     checked with ValidateOGRN, including the kind matching the INN.
//   - The bank fields are optional as a group. If any of BankName, BIK,
//     CorrAccount and Account is given, BIK and Account are required; Account
//     is checked against BIK and must not be a correspondent account; a given
//     CorrAccount is checked with ValidateCorrAccount and must differ from
//     Account.
//
// Checks that depend on another field are skipped when that field is itself
// invalid, so one typo yields one error rather than a cascade.
func (c Company) Validate() []*FieldError {
	var errs []*FieldError
	add := func(e *FieldError) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if strings.TrimSpace(c.Name) == "" {
		add(fieldErr(FieldName, CodeRequired, "Наименование: обязательное поле", "Name: required"))
	}
	innErr := checkINN(c.INN)
	add(innErr)
	// Cross-checks use the INN only when it is fully valid.
	inn := c.INN
	if innErr != nil {
		inn = ""
	}
	if inn != "" || c.KPP != "" {
		add(checkKPP(c.KPP, inn))
	}
	if c.OGRN != "" {
		add(checkOGRN(c.OGRN, inn))
	}
	if strings.TrimSpace(c.Address) == "" {
		add(fieldErr(FieldAddress, CodeRequired, "Адрес: обязательное поле", "Address: required"))
	}
	errs = append(errs, c.validateBank()...)
	return errs
}

func (c Company) validateBank() []*FieldError {
	if c.BankName == "" && c.BIK == "" && c.CorrAccount == "" && c.Account == "" {
		return nil
	}
	var errs []*FieldError
	bikErr := checkBIK(c.BIK)
	if bikErr != nil {
		errs = append(errs, bikErr)
	}
	if c.CorrAccount != "" {
		if e := checkAccountFormat(FieldCorrAccount, c.CorrAccount); e != nil {
			errs = append(errs, e)
		} else if bikErr == nil {
			if e := checkCorrAccount(c.CorrAccount, c.BIK); e != nil {
				errs = append(errs, e)
			}
		}
	}
	if e := checkAccountFormat(FieldAccount, c.Account); e != nil {
		return append(errs, e)
	}
	switch {
	case strings.HasPrefix(c.Account, "30101"):
		errs = append(errs, fieldErr(FieldAccount, CodeKind,
			"Расчётный счёт: 30101… — это корреспондентский счёт банка, а не счёт клиента",
			"Account: 30101… is the bank's correspondent account, not a client account"))
	case c.Account == c.CorrAccount:
		errs = append(errs, fieldErr(FieldAccount, CodeMismatch,
			"Расчётный счёт: совпадает с корр. счётом", "Account: equals the correspondent account"))
	case bikErr == nil:
		if e := checkAccount(FieldAccount, c.Account, c.BIK); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}
