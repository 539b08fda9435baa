package requisites

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSyntheticAreValid(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bikList := []string{"044525225", "044525187", "044525593", "046577674", "045004763"}
	for i := 0; i < 2000; i++ {
		region := []string{"66", "77", "01", "99", "50"}[i%5]
		inn10 := SyntheticINN10(r, region)
		inn12 := SyntheticINN12(r, region)
		ogrn := SyntheticOGRN(r, 2002+i%24, region)
		ogrnip := SyntheticOGRNIP(r, 2004+i%22, region)
		bik := bikList[i%len(bikList)]
		acc := SyntheticAccount(r, bik, []string{"40702", "40802", "40702978"}[i%3])
		corr := SyntheticCorrAccount(bik)
		c := Company{Name: "ДЕМО", INN: inn10, KPP: SyntheticKPP(inn10), OGRN: ogrn, Address: "ДЕМО",
			BankName: "ДЕМО", BIK: bik, CorrAccount: corr, Account: acc}
		if errs := c.Validate(); errs != nil {
			t.Fatalf("synthetic company %+v invalid: %v", c, pairs(errs))
		}
		ip := Company{Name: "ДЕМО", INN: inn12, OGRN: ogrnip, Address: "ДЕМО"}
		if errs := ip.Validate(); errs != nil {
			t.Fatalf("synthetic ИП %+v invalid: %v", ip, pairs(errs))
		}
		if !strings.HasPrefix(inn10, region) || !strings.HasPrefix(inn12, region) ||
			ogrn[3:5] != region || ogrnip[3:5] != region {
			t.Fatalf("region %s not kept: %s %s %s %s", region, inn10, inn12, ogrn, ogrnip)
		}
		if !refINN(inn10) || !refINN(inn12) || !refOGRN(ogrn) || !refOGRN(ogrnip) {
			t.Fatalf("reference refuses %s %s %s %s", inn10, inn12, ogrn, ogrnip)
		}
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	gen := func() []string {
		r := rand.New(rand.NewPCG(42, 42))
		return []string{SyntheticINN10(r, "66"), SyntheticOGRN(r, 2003, "66"),
			SyntheticAccount(r, "046577674", "40702"), SyntheticINN12(r, "66")}
	}
	a, b := gen(), gen()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different output: %v vs %v", a, b)
		}
	}
	if a[0] == a[3][:10] {
		t.Error("suspicious: INN10 equals INN12 prefix")
	}
}

func TestSyntheticShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	if got := SyntheticKPP("6658012341"); got != "665801001" {
		t.Errorf("SyntheticKPP = %s", got)
	}
	if got := SyntheticCorrAccount("044525225"); got != "30101810400000000225" {
		t.Errorf("SyntheticCorrAccount(Сбербанк) = %s, want the real к/с", got)
	}
	if got := SyntheticOGRN(r, 2026, "66"); !strings.HasPrefix(got, "12666") || len(got) != 13 {
		t.Errorf("SyntheticOGRN = %s", got)
	}
	if got := SyntheticOGRNIP(r, 2019, "77"); !strings.HasPrefix(got, "31977") || len(got) != 15 {
		t.Errorf("SyntheticOGRNIP = %s", got)
	}
	if got := SyntheticAccount(r, "044525225", "40702978"); !strings.HasPrefix(got, "40702978") {
		t.Errorf("SyntheticAccount prefix: %s", got)
	}
	if got := SyntheticAccount(r, "044525225", "40802"); !strings.HasPrefix(got, "40802810") {
		t.Errorf("SyntheticAccount currency: %s", got)
	}
}

func TestSyntheticPanicsOnBadArguments(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for name, f := range map[string]func(){
		"INN10 region 00":  func() { SyntheticINN10(r, "00") },
		"INN10 region 6":   func() { SyntheticINN10(r, "6") },
		"INN12 region x1":  func() { SyntheticINN12(r, "x1") },
		"KPP of INN12":     func() { SyntheticKPP("500100732259") },
		"OGRN year":        func() { SyntheticOGRN(r, 1900, "66") },
		"OGRNIP region":    func() { SyntheticOGRNIP(r, 2020, "") },
		"account bik":      func() { SyntheticAccount(r, "144525225", "40702") },
		"account prefix":   func() { SyntheticAccount(r, "044525225", "407") },
		"corr of division": func() { SyntheticCorrAccount("049805000") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
