package requisites

import "strconv"

// ogrnCheckDigit returns the check digit for the first n-1 digits of an ОГРН
// (n = 13, modulus 11) or ОГРНИП (n = 15, modulus 13) as an ASCII digit.
// 14 digits are below 10^14 and fit comfortably in a uint64.
func ogrnCheckDigit(body string) byte {
	v, err := strconv.ParseUint(body, 10, 64)
	if err != nil {
		panic("requisites: ogrnCheckDigit on non-digits " + strconv.Quote(body))
	}
	mod := uint64(11)
	if len(body) == 14 {
		mod = 13
	}
	return byte(v%mod%10) + '0'
}

// ValidateOGRN checks an ОГРН (13 digits, first digit 1 or 5, organisations)
// or ОГРНИП (15 digits, first digit 3, sole traders): format, first digit and
// check digit. When inn has a valid length the kind must match it: a 10-digit
// INN needs an ОГРН, a 12-digit INN an ОГРНИП (CodeKind); pass inn = "" to
// skip that cross-check. It returns nil or a *FieldError for FieldOGRN.
func ValidateOGRN(ogrn, inn string) error { return asError(checkOGRN(ogrn, inn)) }

func checkOGRN(ogrn, inn string) *FieldError {
	if ogrn == "" {
		return fieldErr(FieldOGRN, CodeRequired, "ОГРН: обязательное поле", "OGRN: required")
	}
	if !allDigits(ogrn) || (len(ogrn) != 13 && len(ogrn) != 15) {
		return fieldErr(FieldOGRN, CodeFormat,
			"ОГРН: должно быть 13 цифр (ОГРН организации) или 15 цифр (ОГРНИП)",
			"OGRN: must be 13 digits (OGRN of an organisation) or 15 digits (OGRNIP)")
	}
	if len(ogrn) == 13 {
		if ogrn[0] != '1' && ogrn[0] != '5' {
			return fieldErr(FieldOGRN, CodeKind,
				"ОГРН: первая цифра ОГРН организации должна быть 1 или 5",
				"OGRN: an organisation's OGRN starts with 1 or 5")
		}
		if ogrnCheckDigit(ogrn[:12]) != ogrn[12] {
			return fieldErr(FieldOGRN, CodeChecksum,
				"ОГРН: неверная контрольная цифра", "OGRN: invalid check digit")
		}
		if IsINN12(inn) {
			return fieldErr(FieldOGRN, CodeKind,
				"ОГРН: для ИНН из 12 цифр (ИП) нужен ОГРНИП из 15 цифр",
				"OGRN: a 12-digit INN (sole trader) needs a 15-digit OGRNIP")
		}
		return nil
	}
	if ogrn[0] != '3' {
		return fieldErr(FieldOGRN, CodeKind,
			"ОГРНИП: первая цифра должна быть 3", "OGRNIP: must start with 3")
	}
	if ogrnCheckDigit(ogrn[:14]) != ogrn[14] {
		return fieldErr(FieldOGRN, CodeChecksum,
			"ОГРНИП: неверная контрольная цифра", "OGRNIP: invalid check digit")
	}
	if IsINN10(inn) {
		return fieldErr(FieldOGRN, CodeKind,
			"ОГРН: для ИНН из 10 цифр (организация) нужен ОГРН из 13 цифр",
			"OGRN: a 10-digit INN (organisation) needs a 13-digit OGRN")
	}
	return nil
}
