package requisites

import "strings"

// ValidateBIK checks that bik matches ^04\d{7}$ (a Russian bank's БИК). There
// is no checksum; treasury BICs outside the 04 range are refused. It returns
// nil or a *FieldError for FieldBIK.
func ValidateBIK(bik string) error { return asError(checkBIK(bik)) }

func checkBIK(bik string) *FieldError {
	switch {
	case bik == "":
		return fieldErr(FieldBIK, CodeRequired, "БИК: обязательное поле", "BIK: required")
	case len(bik) != 9 || !allDigits(bik) || bik[:2] != "04":
		return fieldErr(FieldBIK, CodeFormat,
			"БИК: должно быть 9 цифр, начиная с 04",
			"BIK: must be 9 digits starting with 04")
	}
	return nil
}

// IsCBRDivision reports whether a BIK belongs to a division of the Bank of
// Russia rather than a commercial bank: its last three digits are 000 (RKC),
// 001 (head or main division) or 002 (other divisions). bik must be a
// well-formed BIK; anything else reports false.
func IsCBRDivision(bik string) bool {
	if checkBIK(bik) != nil {
		return false
	}
	switch bik[6:] {
	case "000", "001", "002":
		return true
	}
	return false
}

// usesDivisionRule reports whether the key of account is computed with the
// conditional number of a CBR division ("0" + BIK digits 5–6) instead of the
// bank's number (last three BIK digits). CBR № 515 picks the rule by where the
// account is opened: a correspondent account 30101… is always opened in a CBR
// division, and so is any account at a BIK of a CBR division. Other 301xx
// accounts (ЛОРО 30109, 30111 …) are opened in commercial banks and use the
// bank rule.
func usesDivisionRule(account, bik string) bool {
	return strings.HasPrefix(account, "30101") || IsCBRDivision(bik)
}

var accountWeights = [3]int{7, 1, 3}

// accountSum returns Σ d_i·w_i over the 23 digits bankPart(3) + account(20)
// with weights 7,1,3 repeated, treating the key position as zero when zeroKey.
func accountSum(bankPart, account string, zeroKey bool) int {
	s := bankPart + account
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[i] - '0')
		if zeroKey && i == 3+8 {
			d = 0
		}
		sum += d * accountWeights[i%3]
	}
	return sum
}

func bankPart(account, bik string) string {
	if usesDivisionRule(account, bik) {
		return "0" + bik[4:6]
	}
	return bik[6:9]
}

// AccountKey returns the control key (the 9th digit, 0–9) that account must
// carry at bik, ignoring the key digit account currently has. The rule is
// chosen as in ValidateAccount. It returns a *FieldError for FieldBIK if bik is
// malformed, or for FieldAccount if account is not 20 digits.
func AccountKey(account, bik string) (int, error) {
	if e := checkBIK(bik); e != nil {
		return 0, e
	}
	if e := checkAccountFormat(FieldAccount, account); e != nil {
		return 0, e
	}
	sum := accountSum(bankPart(account, bik), account, true)
	// With the key digit k (weight 3 at position 12 of 23) the total becomes
	// sum + 3k, which must be ≡ 0 mod 10; 3·7 ≡ 1, so k ≡ 7·(−sum) mod 10.
	return (7 * (10 - sum%10)) % 10, nil
}

func checkAccountFormat(field, account string) *FieldError {
	label, labelEn := accountLabels(field)
	switch {
	case account == "":
		return fieldErr(field, CodeRequired, label+": обязательное поле", labelEn+": required")
	case len(account) != 20 || !allDigits(account):
		return fieldErr(field, CodeFormat, label+": должно быть 20 цифр", labelEn+": must be 20 digits")
	}
	return nil
}

func accountLabels(field string) (ru, en string) {
	if field == FieldCorrAccount {
		return "Корр. счёт", "Correspondent account"
	}
	return "Расчётный счёт", "Account"
}

// ValidateAccount checks a 20-digit account number (р/с, л/с or к/с) against
// the BIK of the bank where it is held, using the CBR № 515 key: the 23-digit
// string bank part + account, weighted 7,1,3 repeated, must sum to a multiple
// of 10. The bank part is "0" + BIK digits 5–6 for correspondent accounts
// (30101…) and for any account at a CBR division (see IsCBRDivision), and the
// last three BIK digits otherwise.
//
// It returns nil, a *FieldError for FieldBIK when bik is malformed (the key
// cannot be checked without it), or a *FieldError for FieldAccount.
func ValidateAccount(account, bik string) error {
	return asError(checkAccount(FieldAccount, account, bik))
}

func checkAccount(field, account, bik string) *FieldError {
	if e := checkAccountFormat(field, account); e != nil {
		return e
	}
	if e := checkBIK(bik); e != nil {
		return e
	}
	if accountSum(bankPart(account, bik), account, false)%10 != 0 {
		label, labelEn := accountLabels(field)
		return fieldErr(field, CodeChecksum,
			label+": не сходится контрольный ключ с БИК "+bik,
			labelEn+": control key does not match BIK "+bik)
	}
	return nil
}

// ValidateCorrAccount checks a bank's correspondent account (к/с) against its
// BIK: 20 digits, starting with 30101, last three digits equal to the BIK's
// last three (CodeMismatch otherwise), and a valid CBR key. It returns nil, a
// *FieldError for FieldBIK when bik is malformed, or a *FieldError for
// FieldCorrAccount.
func ValidateCorrAccount(corr, bik string) error {
	return asError(checkCorrAccount(corr, bik))
}

func checkCorrAccount(corr, bik string) *FieldError {
	if e := checkAccountFormat(FieldCorrAccount, corr); e != nil {
		return e
	}
	if e := checkBIK(bik); e != nil {
		return e
	}
	if !strings.HasPrefix(corr, "30101") {
		return fieldErr(FieldCorrAccount, CodeKind,
			"Корр. счёт: должен начинаться с 30101",
			"Correspondent account: must start with 30101")
	}
	if corr[17:] != bik[6:] {
		return fieldErr(FieldCorrAccount, CodeMismatch,
			"Корр. счёт: последние три цифры должны совпадать с последними тремя цифрами БИК "+bik,
			"Correspondent account: last three digits must equal the last three digits of BIK "+bik)
	}
	return checkAccount(FieldCorrAccount, corr, bik)
}
