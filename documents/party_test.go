package documents

import (
	"testing"

	"github.com/dealgate/dealgate/documents/requisites"
	"github.com/dealgate/dealgate/workflow"
)

func demoSeller() Party {
	return Party{
		Company: requisites.Company{
			Name: "АО «УралКомпрессорМаш»", INN: "6658012341", KPP: "665801001", OGRN: "1026601234560",
			Address:  "620026, Свердловская обл., г. Екатеринбург, ул. Машиностроителей, д. 19",
			BankName: "Уральский банк ПАО Сбербанк", BIK: "046577674", CorrAccount: "30101810500000000674", Account: "40702810316020012345",
		},
		DirectorName: "Смирнов Андрей Викторович", DirectorTitle: "Генеральный директор", ChiefAccountant: "Кузьмина Ольга Николаевна",
	}
}

func demoBuyer() Party {
	return Party{
		Company: requisites.Company{
			Name: "АО «Первоуральский завод трубной арматуры»", INN: "6625003711", KPP: "662501001", OGRN: "1026601532143",
			Address:  "623100, Свердловская обл., г. Первоуральск, ул. Заводская, д. 12",
			BankName: "Банк ВТБ (ПАО)", BIK: "044525187", CorrAccount: "30101810700000000187", Account: "40702810800000004321",
		},
		DirectorName: "Белов Сергей Николаевич", DirectorTitle: "Генеральный директор",
	}
}

func partyErrs(t *testing.T, p Party, rule partyRule, sig bool) []string {
	t.Helper()
	var pr Problems
	p.check(&pr, "buyer", rule, sig)
	return fieldErrors(t, pr.Err(workflow.DocContract))
}

func TestPartyCheck(t *testing.T) {
	if errs := partyErrs(t, demoSeller(), partyBank, true); errs != nil {
		t.Fatalf("demo seller: %v", errs)
	}
	tests := []struct {
		name   string
		edit   func(*Party)
		rule   partyRule
		sig    bool
		want   []string
		wantOK bool
	}{
		{"INN checksum", func(p *Party) { p.INN = "6625003712" }, partyFull, false, []string{"buyer.inn"}, false},
		{"INN of a sole trader needs no KPP", func(p *Party) { p.INN = "500100732259"; p.OGRN = "" }, partyFull, false, []string{"buyer.kpp"}, false},
		{"KPP with a Latin letter reason code", func(p *Party) { p.KPP = "6625AB001" }, partyFull, false, nil, true},
		{"OGRN checksum", func(p *Party) { p.OGRN = "1026601532144" }, partyFull, false, []string{"buyer.ogrn"}, false},
		{"account key", func(p *Party) { p.Account = "40702810800000004322" }, partyFull, false, []string{"buyer.account"}, false},
		{"corr account as the account", func(p *Party) { p.Account = p.CorrAccount }, partyFull, false, []string{"buyer.account"}, false},
		{"BIK format", func(p *Party) { p.BIK = "44525187" }, partyFull, false, []string{"buyer.bik"}, false},
		{"address required for full", func(p *Party) { p.Address = "" }, partyFull, false, []string{"buyer.address"}, false},
		{"named party may lack INN and address", func(p *Party) { p.INN, p.KPP, p.OGRN, p.Address = "", "", "", "" }, partyNamed, false, nil, true},
		{"named party still checks what is given", func(p *Party) { p.INN = "1234567890" }, partyNamed, false, []string{"buyer.inn"}, false},
		{"named party needs the name", func(p *Party) { p.Name = "" }, partyNamed, false, []string{"buyer.name"}, false},
		{"bank required", func(p *Party) { p.BankName, p.BIK, p.CorrAccount, p.Account = "", "", "", "" }, partyBank, false,
			[]string{"buyer.bank_name", "buyer.bik", "buyer.account", "buyer.corr_account"}, false},
		{"bank optional for full", func(p *Party) { p.BankName, p.BIK, p.CorrAccount, p.Account = "", "", "", "" }, partyFull, false, nil, true},
		{"signatory", func(p *Party) { p.DirectorName, p.DirectorTitle = "", "" }, partyFull, true,
			[]string{"buyer.director_name", "buyer.director_title"}, false},
		{"e-mail", func(p *Party) { p.Email = "a@b" }, partyFull, false, []string{"buyer.email"}, false},
		{"phone", func(p *Party) { p.Phone = "call me" }, partyFull, false, []string{"buyer.phone"}, false},
		{"basis one line", func(p *Party) { p.Basis = "Устава\nи доверенности" }, partyFull, false, []string{"buyer.basis"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := demoBuyer()
			tt.edit(&p)
			got := partyErrs(t, p, tt.rule, tt.sig)
			if tt.wantOK {
				if got != nil {
					t.Fatalf("errors %v, want none", got)
				}
				return
			}
			var pr Problems
			p.check(&pr, "buyer", tt.rule, tt.sig)
			wantFields(t, pr.Err(workflow.DocContract), tt.want...)
		})
	}
}

func TestPartyView(t *testing.T) {
	p := demoSeller()
	v := p.view()
	checks := map[string]string{
		"inn_kpp":                   "6658012341 / 665801001",
		"requisites_line":           "ИНН 6658012341, КПП 665801001, ОГРН 1026601234560",
		"bank_line":                 "р/с 40702810316020012345 в Уральский банк ПАО Сбербанк, БИК 046577674, к/с 30101810500000000674",
		"basis":                     "Устава",
		"director_initials":         "А. В. Смирнов",
		"postal_address":            p.Address,
		"director_name_genitive":    "Смирнов Андрей Викторович",
		"chief_accountant_initials": "О. Н. Кузьмина",
	}
	for k, want := range checks {
		if v[k] != want {
			t.Errorf("%s = %q, want %q", k, v[k], want)
		}
	}
	ip := Party{Company: requisites.Company{Name: "ИП Сидоров И. И.", INN: "500100732259", OGRN: "304500116000157"}}
	if iv := ip.view(); iv["ogrn_label"] != "ОГРНИП" || iv["inn_kpp"] != "500100732259" {
		t.Errorf("sole trader: %v, %v", iv["ogrn_label"], iv["inn_kpp"])
	}
}

func TestMergeParty(t *testing.T) {
	full := demoBuyer()
	full.Basis = "доверенности № 12 от 09.01.2026"
	short := Party{Company: requisites.Company{Name: full.Name, INN: full.INN}}
	got := mergeParty(short, full)
	if got.Account != full.Account || got.DirectorName != full.DirectorName || got.Basis != full.Basis || got.Address != full.Address {
		t.Errorf("merge did not fill from the same company: %+v", got)
	}
	other := Party{Company: requisites.Company{Name: "ООО «Другое»", INN: "7707083893"}}
	if got := mergeParty(other, full); got != other {
		t.Errorf("merge borrowed from another company: %+v", got)
	}
	if got := mergeParty(Party{}, full); got != full {
		t.Error("an empty party takes the known one")
	}
}

func TestInitialsAndCity(t *testing.T) {
	for in, want := range map[string]string{
		"Смирнов Андрей Викторович": "А. В. Смирнов",
		"Иванов Иван":               "И. Иванов",
		"Петров":                    "Петров",
		"":                          "",
	} {
		if got := initials(in); got != want {
			t.Errorf("initials(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cityFromAddress("620026, Свердловская обл., г. Екатеринбург, ул. Машиностроителей, д. 19"); got != "Екатеринбург" {
		t.Errorf("city = %q", got)
	}
	if got := cityFromAddress("Московская обл., пос. Горки"); got != "" {
		t.Errorf("city = %q", got)
	}
}
