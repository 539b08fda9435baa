package documents

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// FieldError is one problem in a document's data, named by its JSON path.
type FieldError struct {
	Field     string `json:"field"`      // e.g. "buyer.inn", "lines[2].qty"
	Message   string `json:"message"`    // English
	MessageRu string `json:"message_ru"` // Russian
}

// ValidationError lists every problem found in a document's data.
type ValidationError struct {
	Kind   workflow.DocumentKind
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Field + ": " + f.Message
	}
	return fmt.Sprintf("%s data is invalid: %s", e.Kind, strings.Join(parts, "; "))
}

// Problems collects field errors while a kind validates its data.
type Problems struct {
	list []FieldError
}

// Add records a problem at path.
func (p *Problems) Add(path, en, ru string) {
	p.list = append(p.list, FieldError{Field: path, Message: en, MessageRu: ru})
}

// Required records a problem when v is blank.
func (p *Problems) Required(path, v string) {
	if strings.TrimSpace(v) == "" {
		p.Add(path, "required", "обязательное поле")
	}
}

// MaxLen records a problem when v is longer than n characters.
func (p *Problems) MaxLen(path, v string, n int) {
	if len([]rune(v)) > n {
		p.Add(path, fmt.Sprintf("longer than %d characters", n), fmt.Sprintf("длиннее %d символов", n))
	}
}

// Err returns nil or the *ValidationError for kind.
func (p *Problems) Err(kind workflow.DocumentKind) error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Kind: kind, Errors: p.list}
}

// Date is a calendar date exchanged as "YYYY-MM-DD".
type Date struct{ time.Time }

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.Format("2006-01-02"))
}

// UnmarshalJSON reads "YYYY-MM-DD" (or "" / null for no date).
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		// An *UnmarshalTypeError lets encoding/json fill in the field's path.
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeOf(Date{})}
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("%q (a date is YYYY-MM-DD)", s), Type: reflect.TypeOf(Date{})}
	}
	*d = v
	return nil
}

// String formats the date as YYYY-MM-DD ("" for zero).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format("2006-01-02")
}

// sortedKeys returns a map's keys in order (for deterministic output).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
