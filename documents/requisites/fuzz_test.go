package requisites

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/; `go test` runs them as
// ordinary cases, `go test -fuzz=FuzzINN` explores further.

func fieldErrOf(t *testing.T, err error) *FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Message == "" || fe.MessageEn == "" || fe.Code == "" {
		t.Fatalf("malformed error %#v", err)
	}
	return fe
}

func FuzzINN(f *testing.F) {
	for _, c := range publicCompanies {
		f.Add(c.inn)
	}
	f.Add("500100732259")
	f.Add("0000000000")
	f.Fuzz(func(t *testing.T, s string) {
		fe := fieldErrOf(t, ValidateINN(s))
		if (fe == nil) != refINN(s) {
			t.Fatalf("ValidateINN(%q) = %v, reference says valid=%v", s, fe, refINN(s))
		}
		if fe != nil && fe.Field != FieldINN {
			t.Fatalf("field %q", fe.Field)
		}
	})
}

var kppRe = regexp.MustCompile(`^\d{4}[\dA-Z]{2}\d{3}$`)

func FuzzKPP(f *testing.F) {
	f.Add("773601001", "7707083893")
	f.Add("7736AB001", "")
	f.Add("500101001", "500100732259")
	f.Fuzz(func(t *testing.T, kpp, inn string) {
		fe := fieldErrOf(t, ValidateKPP(kpp, inn))
		var want bool
		switch {
		case IsINN12(inn):
			want = kpp == ""
		case IsINN10(inn):
			want = kppRe.MatchString(kpp)
		default:
			want = kpp == "" || kppRe.MatchString(kpp)
		}
		if (fe == nil) != want {
			t.Fatalf("ValidateKPP(%q, %q) = %v, want valid=%v", kpp, inn, fe, want)
		}
	})
}

func FuzzOGRN(f *testing.F) {
	for _, c := range publicCompanies {
		f.Add(c.ogrn, c.inn)
	}
	f.Add("304500116000157", "500100732259")
	f.Add("304500116000157", "7707083893")
	f.Fuzz(func(t *testing.T, ogrn, inn string) {
		fe := fieldErrOf(t, ValidateOGRN(ogrn, inn))
		want := refOGRN(ogrn) &&
			!(len(ogrn) == 13 && IsINN12(inn)) && !(len(ogrn) == 15 && IsINN10(inn))
		if (fe == nil) != want {
			t.Fatalf("ValidateOGRN(%q, %q) = %v, want valid=%v", ogrn, inn, fe, want)
		}
	})
}

var (
	accountRe = regexp.MustCompile(`^\d{20}$`)
	bikRe     = regexp.MustCompile(`^04\d{7}$`)
)

// FuzzAccount checks ValidateAccount and ValidateCorrAccount against the
// literal CBR procedure (refAccountKey) for any account and BIK.
func FuzzAccount(f *testing.F) {
	for _, a := range settlementAccounts {
		f.Add(a.account, a.bik)
	}
	for _, b := range banks {
		f.Add(b.corr, b.bik)
	}
	f.Add("40102810945250000079", "044525000")
	f.Fuzz(func(t *testing.T, account, bik string) {
		fe := fieldErrOf(t, ValidateAccount(account, bik))
		wellFormed := accountRe.MatchString(account) && bikRe.MatchString(bik)
		if !wellFormed {
			if fe == nil {
				t.Fatalf("malformed %q @ %q accepted", account, bik)
			}
			if fe.Code == CodeChecksum {
				t.Fatalf("malformed input reached the checksum: %v", fe)
			}
			return
		}
		part := bik[6:]
		if strings.HasPrefix(account, "30101") || part == "000" || part == "001" || part == "002" {
			part = "0" + bik[4:6]
		}
		want := refAccountKey(part, account) == int(account[8]-'0')
		if (fe == nil) != want {
			t.Fatalf("ValidateAccount(%q, %q) = %v, reference valid=%v", account, bik, fe, want)
		}
		key, err := AccountKey(account, bik)
		if err != nil || key != refAccountKey(part, account) {
			t.Fatalf("AccountKey = %d, %v", key, err)
		}
		ce := fieldErrOf(t, ValidateCorrAccount(account, bik))
		wantCorr := want && strings.HasPrefix(account, "30101") && account[17:] == bik[6:]
		if (ce == nil) != wantCorr {
			t.Fatalf("ValidateCorrAccount(%q, %q) = %v, want valid=%v", account, bik, ce, wantCorr)
		}
	})
}

// FuzzCompany only checks robustness: no panic, no nil entries, and every
// reported field is a Company JSON name.
func FuzzCompany(f *testing.F) {
	c := sber()
	f.Add(c.Name, c.INN, c.KPP, c.OGRN, c.Address, c.BankName, c.BIK, c.CorrAccount, c.Account)
	f.Add("", "500100732259", "1", "304500116000157", "", "", "", "30101", "")
	f.Fuzz(func(t *testing.T, name, inn, kpp, ogrn, addr, bank, bik, corr, acc string) {
		c := Company{name, inn, kpp, ogrn, addr, bank, bik, corr, acc}
		seen := map[string]bool{}
		for _, e := range c.Validate() {
			if e == nil || e.Message == "" || e.MessageEn == "" {
				t.Fatalf("bad entry %#v", e)
			}
			switch e.Field {
			case FieldName, FieldINN, FieldKPP, FieldOGRN, FieldAddress, FieldBIK, FieldCorrAccount, FieldAccount:
			default:
				t.Fatalf("unknown field %q", e.Field)
			}
			if seen[e.Field] {
				t.Fatalf("field %q reported twice", e.Field)
			}
			seen[e.Field] = true
		}
	})
}
