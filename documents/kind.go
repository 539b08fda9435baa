package documents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Data is the data of one document kind. Each kind's struct implements it.
type Data interface {
	// Kind names the document kind.
	Kind() workflow.DocumentKind
	// Validate checks the data and completes what is derived from it (line amounts, VAT,
	// totals). It returns a *ValidationError naming every bad field by JSON path.
	Validate() error
	// Header returns the number and date printed on the document.
	Header() (number string, date time.Time)
	// SetNumber sets the number (allocated at finalisation) and, when the data has none, the date.
	SetNumber(number string, date time.Time)
	// View returns the values the templates read: plain maps, lists and strings, with money,
	// dates and amounts in words already formatted (see view.go for the conventions).
	View() map[string]any
}

// Summarizer is implemented by kinds with line items; the deal's turnover and the statistics
// read it.
type Summarizer interface {
	// Total returns the document total excluding VAT and including VAT.
	Total() (net, gross workflow.Money)
}

// kinds maps each document kind to a constructor of its empty data.
var kinds = map[workflow.DocumentKind]func() Data{}

// RegisterKind registers the constructor of a kind's data. Each kind's file calls it in init.
func RegisterKind(k workflow.DocumentKind, fn func() Data) {
	if _, dup := kinds[k]; dup {
		panic("documents: kind registered twice: " + string(k))
	}
	kinds[k] = fn
}

// New returns empty data of kind.
func New(k workflow.DocumentKind) (Data, error) {
	fn, ok := kinds[k]
	if !ok {
		return nil, &ValidationError{Kind: k, Errors: []FieldError{{Field: "kind", Message: fmt.Sprintf("unknown document kind %q", k), MessageRu: "неизвестный вид документа"}}}
	}
	return fn(), nil
}

// MaxDataBytes bounds a document's JSON data.
const MaxDataBytes = 1 << 20

// Decode reads JSON data of kind strictly (unknown fields are errors naming their path) and
// validates it. The returned data is complete: derived values are computed.
func Decode(k workflow.DocumentKind, raw []byte) (Data, error) {
	d, err := New(k)
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxDataBytes {
		return nil, &ValidationError{Kind: k, Errors: []FieldError{{Field: "data", Message: "larger than 1 MiB", MessageRu: "больше 1 МиБ"}}}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return nil, &ValidationError{Kind: k, Errors: []FieldError{jsonFieldError(err)}}
	}
	if dec.More() {
		return nil, &ValidationError{Kind: k, Errors: []FieldError{{Field: "data", Message: "unexpected data after the JSON object", MessageRu: "лишние данные после JSON-объекта"}}}
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

func jsonFieldError(err error) FieldError {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "data"
		}
		want := te.Type.String()
		if te.Type == reflect.TypeOf(Date{}) {
			return FieldError{Field: field, Message: "must be a date YYYY-MM-DD, not " + te.Value, MessageRu: "дата в формате ГГГГ-ММ-ДД"}
		}
		return FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", want, te.Value), MessageRu: "неверный тип значения"}
	case errors.As(err, &se):
		return FieldError{Field: "data", Message: fmt.Sprintf("malformed JSON at byte %d", se.Offset), MessageRu: "некорректный JSON"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return FieldError{Field: f, Message: "unknown field", MessageRu: "неизвестное поле"}
	}
	msg := err.Error()
	if i := strings.Index(msg, "json: cannot unmarshal"); i >= 0 {
		msg = msg[i:]
	}
	return FieldError{Field: "data", Message: msg, MessageRu: "некорректные данные"}
}

// Kinds lists the registered kinds in pipeline order.
func Kinds() []workflow.DocumentKind {
	var out []workflow.DocumentKind
	for _, k := range workflow.DocumentKinds {
		if _, ok := kinds[k]; ok {
			out = append(out, k)
		}
	}
	return out
}
