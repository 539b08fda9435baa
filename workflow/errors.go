package workflow

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorCode classifies a domain error; the API maps each code to one HTTP status and one
// stable problem type.
type ErrorCode string

// Error codes. Each is answered by the API with the status in parentheses.
const (
	// ECONFLICT: a stale expected_version or a concurrent change (409).
	ECONFLICT ErrorCode = "conflict"
	// EINVALID: input that breaks a rule; Field names the offending field (422).
	EINVALID ErrorCode = "invalid"
	// ENOTFOUND: no such object, or one the caller may not see (404).
	ENOTFOUND ErrorCode = "not_found"
	// EFORBIDDEN: the caller's role may not do this (403).
	EFORBIDDEN ErrorCode = "forbidden"
	// EUNAUTHORIZED: no valid credentials (401).
	EUNAUTHORIZED ErrorCode = "unauthorized"
	// EMISSING: the stage's evidence is missing; see MissingEvidenceError (422).
	EMISSING ErrorCode = "missing_evidence"
	// EUNAVAILABLE: a dependency (the database) is down; retry later (503).
	EUNAVAILABLE ErrorCode = "unavailable"
)

// Error is a classifiable domain error. Message is safe to show to the user; internal
// details are wrapped in Err and only logged.
type Error struct {
	Code    ErrorCode
	Field   string // the offending input field, in the API's JSON spelling, if any
	Message string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Field != "" && !strings.Contains(e.Message, e.Field) {
		b.WriteString(" (field " + e.Field + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Sentinel values for errors.Is checks.
var (
	ErrNotFound     = &Error{Code: ENOTFOUND, Message: "not found"}
	ErrConflict     = &Error{Code: ECONFLICT, Message: "the deal was changed by someone else; reload it and try again"}
	ErrForbidden    = &Error{Code: EFORBIDDEN, Message: "forbidden"}
	ErrUnauthorized = &Error{Code: EUNAUTHORIZED, Message: "authentication required"}
)

// Is makes errors.Is(err, ErrNotFound) true for every *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == e.Message || t == ErrNotFound || t == ErrConflict || t == ErrForbidden || t == ErrUnauthorized)
}

// Code returns the code of err, or "" when err carries none.
func Code(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var m *MissingEvidenceError
	if errors.As(err, &m) {
		return EMISSING
	}
	return ""
}

// MissingEvidenceError refuses a transition and lists exactly what the stage still needs.
type MissingEvidenceError struct {
	Stage   string
	Missing []Missing
}

// Missing is one unmet requirement, described for the API (Type, Kinds) and for people (Ru, En).
type Missing struct {
	Type  string   `json:"type"` // company, document, activity, fact, field, training, any_of
	Kinds []string `json:"kinds,omitempty"`
	Ru    string   `json:"ru"`
	En    string   `json:"en"`
}

func (e *MissingEvidenceError) Error() string {
	parts := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		parts[i] = m.En
	}
	return fmt.Sprintf("stage %q cannot be left yet: missing %s", e.Stage, strings.Join(parts, "; "))
}
