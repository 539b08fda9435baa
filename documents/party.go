package documents

import (
	"strings"

	"github.com/dealgate/dealgate/documents/requisites"
)

// Party is one side of a document: the company's requisites (the JSON fields of
// requisites.Company — name, inn, kpp, ogrn, address, bank_name, bik, corr_account,
// account — flattened into the party), its contacts and the person who signs for it.
type Party struct {
	requisites.Company

	// PostalAddress is the address for letters when it differs from the legal address.
	PostalAddress string `json:"postal_address,omitempty"`
	Phone         string `json:"phone,omitempty"`
	Email         string `json:"email,omitempty"`

	// DirectorName is the signatory's full name, «Смирнов Андрей Викторович».
	DirectorName string `json:"director_name,omitempty"`
	// DirectorTitle is the signatory's position, «Генеральный директор».
	DirectorTitle string `json:"director_title,omitempty"`
	// DirectorNameGenitive and DirectorTitleGenitive are the same in the genitive case for a
	// contract preamble («в лице Генерального директора Смирнова Андрея Викторовича»);
	// the nominative is used when they are empty.
	DirectorNameGenitive  string `json:"director_name_genitive,omitempty"`
	DirectorTitleGenitive string `json:"director_title_genitive,omitempty"`
	// Basis is the signatory's authority in the genitive, after «действующего на основании»:
	// «Устава» (the default) or «доверенности № 12 от 09.01.2026».
	Basis string `json:"basis,omitempty"`
	// ChiefAccountant is the chief accountant's full name (invoices, УПД).
	ChiefAccountant string `json:"chief_accountant,omitempty"`
}

// IsZero reports whether no field of the party is set.
func (p Party) IsZero() bool { return p == Party{} }

// DefaultBasis is the signatory's authority when a party names none.
const DefaultBasis = "Устава"

// partyRule says how much of a party a document needs.
type partyRule int

const (
	// partyNamed: the name is required; every other field is checked when it is given.
	partyNamed partyRule = iota
	// partyFull: name, INN, KPP (organisations), address required; OGRN and bank checked
	// when given (requisites.Company.Validate).
	partyFull
	// partyBank: partyFull plus bank name, BIK, correspondent and settlement account.
	partyBank
)

// check validates the party at path with rule; signatory asks for the signatory's name and
// position too.
func (p *Party) check(pr *Problems, path string, rule partyRule, signatory bool) {
	for _, e := range p.Company.Validate() {
		if rule == partyNamed && e.Code == requisites.CodeRequired &&
			(e.Field == requisites.FieldINN || e.Field == requisites.FieldAddress) {
			continue // a named party may still lack its INN and address
		}
		pr.Add(path+"."+e.Field, e.MessageEn, e.Message)
	}
	if rule == partyBank {
		pr.Required(path+".bank_name", p.BankName)
		if p.BIK == "" && p.Account == "" && p.CorrAccount == "" {
			// Company.Validate skips the bank when all of it is missing.
			pr.Required(path+".bik", p.BIK)
			pr.Required(path+".account", p.Account)
		}
		pr.Required(path+".corr_account", p.CorrAccount)
	}
	pr.MaxLen(path+".name", p.Name, maxAddress)
	pr.para(path+".address", p.Address, maxAddress)
	pr.para(path+".postal_address", p.PostalAddress, maxAddress)
	pr.line(path+".bank_name", p.BankName, maxAddress)
	pr.phone(path+".phone", p.Phone)
	pr.email(path+".email", p.Email)
	if signatory {
		pr.Required(path+".director_name", p.DirectorName)
		pr.Required(path+".director_title", p.DirectorTitle)
	}
	for _, f := range []struct{ name, v string }{
		{"director_name", p.DirectorName}, {"director_title", p.DirectorTitle},
		{"director_name_genitive", p.DirectorNameGenitive}, {"director_title_genitive", p.DirectorTitleGenitive},
		{"basis", p.Basis}, {"chief_accountant", p.ChiefAccountant},
	} {
		pr.line(path+"."+f.name, f.v, maxName)
	}
}

// view returns the party block every template reads (VIEW.md, "Party block").
func (p Party) view() map[string]any {
	basis := p.Basis
	if basis == "" {
		basis = DefaultBasis
	}
	postal := p.PostalAddress
	if postal == "" {
		postal = p.Address
	}
	nameGen, titleGen := p.DirectorNameGenitive, p.DirectorTitleGenitive
	if nameGen == "" {
		nameGen = p.DirectorName
	}
	if titleGen == "" {
		titleGen = p.DirectorTitle
	}
	innKPP := p.INN
	if p.KPP != "" {
		innKPP += " / " + p.KPP
	}
	var req []string
	for _, f := range []struct{ label, v string }{{"ИНН", p.INN}, {"КПП", p.KPP}, {p.ogrnLabel(), p.OGRN}} {
		if f.v != "" {
			req = append(req, f.label+" "+f.v)
		}
	}
	bank := ""
	if p.Account != "" {
		bank = "р/с " + p.Account
		if p.BankName != "" {
			bank += " в " + p.BankName
		}
	} else {
		bank = p.BankName
	}
	for _, f := range []struct{ label, v string }{{"БИК", p.BIK}, {"к/с", p.CorrAccount}} {
		if f.v != "" {
			bank = joinNonEmpty(", ", bank, f.label+" "+f.v)
		}
	}
	return map[string]any{
		"name":                      p.Name,
		"inn":                       p.INN,
		"kpp":                       p.KPP,
		"ogrn":                      p.OGRN,
		"ogrn_label":                p.ogrnLabel(),
		"inn_kpp":                   innKPP,
		"address":                   p.Address,
		"postal_address":            postal,
		"phone":                     p.Phone,
		"email":                     p.Email,
		"bank_name":                 p.BankName,
		"bik":                       p.BIK,
		"corr_account":              p.CorrAccount,
		"account":                   p.Account,
		"requisites_line":           strings.Join(req, ", "),
		"bank_line":                 bank,
		"director_name":             p.DirectorName,
		"director_title":            p.DirectorTitle,
		"director_name_genitive":    nameGen,
		"director_title_genitive":   titleGen,
		"director_initials":         initials(p.DirectorName),
		"basis":                     basis,
		"chief_accountant":          p.ChiefAccountant,
		"chief_accountant_initials": initials(p.ChiefAccountant),
	}
}

// ogrnLabel is «ОГРНИП» for a sole trader's 15-digit number, «ОГРН» otherwise.
func (p Party) ogrnLabel() string {
	if len(p.OGRN) == 15 {
		return "ОГРНИП"
	}
	return "ОГРН"
}

// mergeParty fills the empty fields of p from q (the same company known from an earlier
// document) and returns the result.
func mergeParty(p, q Party) Party {
	if p.Name == "" {
		return q
	}
	if q.INN != "" && p.INN != "" && q.INN != p.INN {
		return p // a different company: borrow nothing
	}
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&p.INN, q.INN)
	fill(&p.KPP, q.KPP)
	fill(&p.OGRN, q.OGRN)
	fill(&p.Address, q.Address)
	if p.BIK == "" && p.Account == "" {
		p.BankName, p.BIK, p.CorrAccount, p.Account = q.BankName, q.BIK, q.CorrAccount, q.Account
	}
	fill(&p.PostalAddress, q.PostalAddress)
	fill(&p.Phone, q.Phone)
	fill(&p.Email, q.Email)
	if p.DirectorName == "" {
		p.DirectorName, p.DirectorTitle = q.DirectorName, q.DirectorTitle
		p.DirectorNameGenitive, p.DirectorTitleGenitive, p.Basis = q.DirectorNameGenitive, q.DirectorTitleGenitive, q.Basis
	}
	fill(&p.ChiefAccountant, q.ChiefAccountant)
	return p
}
