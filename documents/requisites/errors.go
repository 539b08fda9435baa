package requisites

// Field names used in FieldError.Field; they match the JSON names of Company.
const (
	FieldName        = "name"
	FieldINN         = "inn"
	FieldKPP         = "kpp"
	FieldOGRN        = "ogrn"
	FieldAddress     = "address"
	FieldBankName    = "bank_name"
	FieldBIK         = "bik"
	FieldCorrAccount = "corr_account"
	FieldAccount     = "account"
)

// Code classifies why a field is invalid. Callers branch on the code, never on
// the message text.
type Code string

// Codes reported in FieldError.Code.
const (
	// CodeRequired: the field is empty but must be given.
	CodeRequired Code = "required"
	// CodeFormat: wrong length or characters; no checksum was computed.
	CodeFormat Code = "format"
	// CodeRegion: an INN whose region code is "00".
	CodeRegion Code = "region"
	// CodeChecksum: the format is right but the check digit or key is wrong.
	CodeChecksum Code = "checksum"
	// CodeNotAllowed: the field must be empty in this context (КПП of an ИП).
	CodeNotAllowed Code = "not_allowed"
	// CodeKind: the number is of the wrong kind (ОГРНИП given for an
	// organisation, a first digit that names no register, a к/с given as р/с).
	CodeKind Code = "kind"
	// CodeMismatch: the field contradicts another field (к/с not belonging to
	// the BIK, р/с equal to к/с).
	CodeMismatch Code = "mismatch"
)

// FieldError reports one invalid requisite. Field is the JSON field name
// (FieldINN …), Message is Russian text for users, MessageEn the English
// equivalent. Both messages start with the requisite's short name, e.g.
// "ИНН: неверная контрольная цифра".
type FieldError struct {
	Field     string `json:"field"`
	Code      Code   `json:"code"`
	Message   string `json:"message"`
	MessageEn string `json:"message_en"`
}

// Error returns the English message, so logs read the same in every locale.
func (e *FieldError) Error() string { return e.MessageEn }

func fieldErr(field string, code Code, ru, en string) *FieldError {
	return &FieldError{Field: field, Code: code, Message: ru, MessageEn: en}
}

// asError converts a possibly nil *FieldError into an error without producing
// a non-nil interface holding a nil pointer.
func asError(e *FieldError) error {
	if e == nil {
		return nil
	}
	return e
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
