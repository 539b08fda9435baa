package requisites

var (
	inn10Weights  = [9]int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12Weights1 = [10]int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12Weights2 = [11]int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// innCheckDigit returns (Σ digits[i]·weights[i] mod 11) mod 10 as an ASCII
// digit. digits must be ASCII digits and at least as long as weights.
func innCheckDigit(digits string, weights []int) byte {
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	return byte(sum%11%10) + '0'
}

// IsINN10 reports whether inn has the shape of an organisation's INN (ten
// ASCII digits). It does not check the checksum.
func IsINN10(inn string) bool { return len(inn) == 10 && allDigits(inn) }

// IsINN12 reports whether inn has the shape of an individual's or ИП's INN
// (twelve ASCII digits). It does not check the checksum.
func IsINN12(inn string) bool { return len(inn) == 12 && allDigits(inn) }

// ValidateINN checks an INN of an organisation (10 digits) or of an individual
// or ИП (12 digits): format, region code not "00", and the check digit(s).
// It returns nil or a *FieldError for FieldINN.
func ValidateINN(inn string) error { return asError(checkINN(inn)) }

func checkINN(inn string) *FieldError {
	switch {
	case inn == "":
		return fieldErr(FieldINN, CodeRequired, "ИНН: обязательное поле", "INN: required")
	case !IsINN10(inn) && !IsINN12(inn):
		return fieldErr(FieldINN, CodeFormat,
			"ИНН: должно быть 10 цифр (организация) или 12 цифр (ИП, физическое лицо)",
			"INN: must be 10 digits (organisation) or 12 digits (individual)")
	case inn[:2] == "00":
		return fieldErr(FieldINN, CodeRegion,
			"ИНН: код региона 00 не существует", "INN: region code 00 does not exist")
	}
	ok := false
	if len(inn) == 10 {
		ok = innCheckDigit(inn, inn10Weights[:]) == inn[9]
	} else {
		ok = innCheckDigit(inn, inn12Weights1[:]) == inn[10] &&
			innCheckDigit(inn, inn12Weights2[:]) == inn[11]
	}
	if !ok {
		return fieldErr(FieldINN, CodeChecksum,
			"ИНН: неверная контрольная цифра", "INN: invalid check digit")
	}
	return nil
}
