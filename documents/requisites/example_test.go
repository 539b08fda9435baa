package requisites_test

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/dealgate/dealgate/documents/requisites"
)

func ExampleValidateINN() {
	fmt.Println(requisites.ValidateINN("7707083893"))
	err := requisites.ValidateINN("7707083894")
	var fe *requisites.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, fe.Code, fe.Message)
	}
	// Output:
	// <nil>
	// inn checksum ИНН: неверная контрольная цифра
}

func ExampleValidateAccount() {
	// A settlement account is keyed with the last three BIK digits, a
	// correspondent account with "0" + BIK digits 5–6.
	fmt.Println(requisites.ValidateAccount("40702810938000012345", "044525225"))
	fmt.Println(requisites.ValidateCorrAccount("30101810400000000225", "044525225"))
	fmt.Println(requisites.ValidateAccount("40702810938000012346", "044525225"))
	// Output:
	// <nil>
	// <nil>
	// Account: control key does not match BIK 044525225
}

func ExampleCompany_Validate() {
	c := requisites.Company{
		Name:    "ООО «Ромашка»",
		INN:     "7707083893",
		KPP:     "",
		Address: "г. Москва",
		BIK:     "044525225",
		Account: "40702810938000012346",
	}
	for _, e := range c.Validate() {
		fmt.Printf("%s: %s\n", e.Field, e.Message)
	}
	// Output:
	// kpp: КПП: обязателен для организации (ИНН из 10 цифр)
	// account: Расчётный счёт: не сходится контрольный ключ с БИК 044525225
}

func ExampleSyntheticINN10() {
	r := rand.New(rand.NewPCG(2026, 1))
	inn := requisites.SyntheticINN10(r, "66")
	fmt.Println(len(inn), inn[:2], requisites.ValidateINN(inn))
	kpp := requisites.SyntheticKPP(inn)
	fmt.Println(kpp[4:], requisites.ValidateKPP(kpp, inn))
	acc := requisites.SyntheticAccount(r, "046577674", "40702")
	fmt.Println(acc[:8], requisites.ValidateAccount(acc, "046577674"))
	// Output:
	// 10 66 <nil>
	// 01001 <nil>
	// 40702810 <nil>
}
