package requisites

// ValidateKPP checks a КПП against the pattern ^\d{4}[\dA-Z]{2}\d{3}$ (since
// 2013 the reason code may contain Latin capitals) and against the INN it
// belongs to:
//
//   - 12-digit INN (ИП or individual): the КПП must be empty (CodeNotAllowed);
//   - 10-digit INN (organisation): the КПП is required;
//   - any other inn (empty or malformed): an empty КПП passes, a non-empty one
//     is checked for format only.
//
// It returns nil or a *FieldError for FieldKPP.
func ValidateKPP(kpp, inn string) error { return asError(checkKPP(kpp, inn)) }

func checkKPP(kpp, inn string) *FieldError {
	switch {
	case IsINN12(inn) && kpp != "":
		return fieldErr(FieldKPP, CodeNotAllowed,
			"КПП: у ИП и физических лиц (ИНН из 12 цифр) КПП не указывается",
			"KPP: must be empty for an individual or sole trader (12-digit INN)")
	case kpp == "" && IsINN10(inn):
		return fieldErr(FieldKPP, CodeRequired,
			"КПП: обязателен для организации (ИНН из 10 цифр)",
			"KPP: required for an organisation (10-digit INN)")
	case kpp == "":
		return nil
	case !kppFormat(kpp):
		return fieldErr(FieldKPP, CodeFormat,
			"КПП: 9 символов — 4 цифры, 2 цифры или латинские заглавные буквы, 3 цифры",
			"KPP: 9 characters — 4 digits, 2 digits or Latin capitals, 3 digits")
	}
	return nil
}

func kppFormat(kpp string) bool {
	if len(kpp) != 9 || !allDigits(kpp[:4]) || !allDigits(kpp[6:]) {
		return false
	}
	for i := 4; i < 6; i++ {
		c := kpp[i]
		if !(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
