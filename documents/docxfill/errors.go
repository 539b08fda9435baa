package docxfill

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidTemplate is wrapped by every error NewTemplate returns for bad input: not a
// zip, truncated, too large, unsafe entry names, missing parts, malformed XML or
// placeholders that cannot be filled safely. Test with errors.Is.
var ErrInvalidTemplate = errors.New("invalid DOCX template")

// MissingError is returned by Render when placeholders of the template have no value.
// Nothing is written to the output in that case.
type MissingError struct {
	// Template is the name given to NewTemplate.
	Template string
	// Keys are the missing keys, sorted. Loop fields are named with their 0-based item
	// index ("items.2.qty"), or as "items.qty" when the row was filled from Values.
	Keys []string
}

// maxKeysInMessage bounds the message; Keys always holds all of them.
const maxKeysInMessage = 20

// Error lists the missing keys.
func (e *MissingError) Error() string {
	keys := e.Keys
	more := ""
	if len(keys) > maxKeysInMessage {
		more = fmt.Sprintf(" and %d more", len(keys)-maxKeysInMessage)
		keys = keys[:maxKeysInMessage]
	}
	return fmt.Sprintf("docxfill: template %q: no value for %s%s", e.Template, strings.Join(keys, ", "), more)
}

func invalid(name, format string, args ...any) error {
	return fmt.Errorf("docxfill: template %q: %w: %s", name, ErrInvalidTemplate, fmt.Sprintf(format, args...))
}
