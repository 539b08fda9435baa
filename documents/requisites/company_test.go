package requisites

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func sber() Company {
	return Company{
		Name:        "ПАО Сбербанк",
		INN:         "7707083893",
		KPP:         "773601001",
		OGRN:        "1027700132195",
		Address:     "117312, г. Москва, ул. Вавилова, д. 19",
		BankName:    "ПАО Сбербанк",
		BIK:         "044525225",
		CorrAccount: "30101810400000000225",
		Account:     "40702810938000012345",
	}
}

// got returns "field/code" pairs in order.
func pairs(errs []*FieldError) []string {
	var out []string
	for _, e := range errs {
		if e == nil {
			out = append(out, "<nil>")
			continue
		}
		out = append(out, e.Field+"/"+string(e.Code))
	}
	return out
}

func TestCompanyValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Company)
		want   []string
	}{
		{"valid organisation", func(*Company) {}, nil},
		{"valid ИП without bank", func(c *Company) {
			*c = Company{Name: "ИП Иванов Иван Иванович", INN: "500100732259",
				OGRN: "304500116000157", Address: "г. Москва"}
		}, nil},
		{"no bank at all", func(c *Company) {
			c.BankName, c.BIK, c.CorrAccount, c.Account = "", "", "", ""
		}, nil},
		{"no OGRN is fine", func(c *Company) { c.OGRN = "" }, nil},
		{"bank without к/с", func(c *Company) { c.CorrAccount = "" }, nil},
		{"everything empty", func(c *Company) { *c = Company{} },
			[]string{"name/required", "inn/required", "address/required"}},
		{"blank name", func(c *Company) { c.Name = "  \t" }, []string{"name/required"}},
		{"bad INN skips KPP and OGRN cross-checks", func(c *Company) { c.INN = "7707083894"; c.KPP = "" },
			[]string{"inn/checksum"}},
		{"bad INN, malformed KPP still reported", func(c *Company) { c.INN = "77"; c.KPP = "77" },
			[]string{"inn/format", "kpp/format"}},
		{"missing KPP", func(c *Company) { c.KPP = "" }, []string{"kpp/required"}},
		{"ИП with KPP and ОГРН", func(c *Company) {
			c.INN, c.KPP = "500100732259", "500101001"
		}, []string{"kpp/not_allowed", "ogrn/kind"}},
		{"bad OGRN", func(c *Company) { c.OGRN = "1027700132194" }, []string{"ogrn/checksum"}},
		{"bank name only", func(c *Company) {
			c.BIK, c.CorrAccount, c.Account = "", "", ""
		}, []string{"bik/required", "account/required"}},
		{"к/с only", func(c *Company) {
			c.BankName, c.BIK, c.Account = "", "", ""
		}, []string{"bik/required", "account/required"}},
		{"account at another bank", func(c *Company) { c.BIK = "044525187"; c.CorrAccount = "30101810700000000187" },
			[]string{"account/checksum"}},
		{"к/с of another bank", func(c *Company) { c.CorrAccount = "30101810700000000187" },
			[]string{"corr_account/mismatch"}},
		{"bad BIK: no key checks", func(c *Company) { c.BIK = "44525225" },
			[]string{"bik/format"}},
		{"bad BIK and short account", func(c *Company) { c.BIK = "44525225"; c.Account = "123" },
			[]string{"bik/format", "account/format"}},
		{"account and к/с swapped", func(c *Company) {
			c.Account, c.CorrAccount = c.CorrAccount, c.Account
		}, []string{"corr_account/kind", "account/kind"}},
		{"account equals к/с", func(c *Company) { c.Account = c.CorrAccount },
			[]string{"account/kind"}},
		{"non-30101 account equal to a bad к/с", func(c *Company) { c.CorrAccount = c.Account },
			[]string{"corr_account/kind", "account/mismatch"}},
		{"many problems at once", func(c *Company) {
			c.Name, c.INN, c.KPP, c.Address, c.BIK, c.Account = "", "7707083893", "7736", "", "044525225", "40702810938000012346"
		}, []string{"name/required", "kpp/format", "address/required", "account/checksum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sber()
			tt.modify(&c)
			got := pairs(c.Validate())
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCompanyValidateMessages(t *testing.T) {
	c := sber()
	c.INN = "7707083894"
	errs := c.Validate()
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1", len(errs))
	}
	e := errs[0]
	if e.Message != "ИНН: неверная контрольная цифра" || e.MessageEn != "INN: invalid check digit" {
		t.Errorf("messages: %q / %q", e.Message, e.MessageEn)
	}
}

func TestCompanyJSONNames(t *testing.T) {
	b, err := json.Marshal(sber())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{FieldName, FieldINN, FieldKPP, FieldOGRN, FieldAddress,
		FieldBankName, FieldBIK, FieldCorrAccount, FieldAccount}
	if len(m) != len(want) {
		t.Fatalf("got %d keys %v", len(m), m)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	// Every field name that Validate can report is a JSON key of Company.
	c := Company{BankName: "x", KPP: "1", CorrAccount: "1", OGRN: "1"}
	for _, e := range c.Validate() {
		if _, ok := m[e.Field]; !ok {
			t.Errorf("error field %q is not a Company JSON name", e.Field)
		}
	}
}

func TestFieldErrorJSON(t *testing.T) {
	err := ValidateINN("7707083894")
	b, jerr := json.Marshal(err)
	if jerr != nil {
		t.Fatal(jerr)
	}
	want := `{"field":"inn","code":"checksum","message":"ИНН: неверная контрольная цифра","message_en":"INN: invalid check digit"}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}

func TestValidatorsReturnUntypedNil(t *testing.T) {
	// A nil *FieldError inside an error interface would compare non-nil.
	for _, err := range []error{
		ValidateINN("7707083893"), ValidateKPP("773601001", "7707083893"),
		ValidateOGRN("1027700132195", ""), ValidateBIK("044525225"),
		ValidateAccount("40702810938000012345", "044525225"),
		ValidateCorrAccount("30101810400000000225", "044525225"),
	} {
		if err != nil {
			t.Errorf("got %#v, want untyped nil", err)
		}
	}
}

func TestMessagesNameTheRequisite(t *testing.T) {
	c := Company{INN: "1", KPP: "1", OGRN: "1", BankName: "x", BIK: "1", CorrAccount: "1", Account: "1"}
	prefix := map[string][2]string{
		FieldINN: {"ИНН", "INN"}, FieldKPP: {"КПП", "KPP"}, FieldOGRN: {"ОГРН", "OGRN"},
		FieldBIK: {"БИК", "BIK"}, FieldCorrAccount: {"Корр. счёт", "Correspondent account"},
		FieldAccount: {"Расчётный счёт", "Account"}, FieldName: {"Наименование", "Name"},
		FieldAddress: {"Адрес", "Address"},
	}
	for _, e := range c.Validate() {
		p := prefix[e.Field]
		if !strings.HasPrefix(e.Message, p[0]) || !strings.HasPrefix(e.MessageEn, p[1]) {
			t.Errorf("%s: %q / %q", e.Field, e.Message, e.MessageEn)
		}
	}
}
