package documents

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/dealgate/dealgate/workflow"
)

// Numbering (DOMAIN.md §1.0 «Numbering»): every kind has its own counter per legal entity
// and per year («КП-2026-0001»), except specifications, which are numbered inside their
// contract («Спецификация № 3 к Договору № 45/2026-П»). The counter itself lives in the
// store; this file only formats its values and says how counters are partitioned.
//
// Invoices and УПД (GaplessKinds) must be numbered without gaps and in chronological order:
// the store allocates their number only when the document is finalised, inside the same
// database transaction that stores the final document, and voids by a correction instead of
// deleting. Other kinds may also take their number at finalisation; a gap there is harmless.
//
// A format without {YYYY} or {YY} still restarts every year (the default УПД format is a
// plain serial "{N}"), so "1" recurs each year: the store must keep numbers unique per
// (kind, year, scope), not per (kind, number) alone.

// GaplessKinds are the kinds whose numbers must have no gaps: allocated only at
// finalisation, inside the finalising transaction.
var GaplessKinds = []workflow.DocumentKind{workflow.DocInvoice, workflow.DocUPD}

// IsGapless reports whether k is one of GaplessKinds.
func IsGapless(k workflow.DocumentKind) bool {
	for _, g := range GaplessKinds {
		if g == k {
			return true
		}
	}
	return false
}

// DefaultNumberFormats are the shipped number formats of each kind.
var DefaultNumberFormats = map[workflow.DocumentKind]string{
	workflow.DocMeetingReport:        "ОВ-{YYYY}-{NNNN}",
	workflow.DocProposal:             "КП-{YYYY}-{NNNN}",
	workflow.DocClientCard:           "КК-{YYYY}-{NNNN}",
	workflow.DocContract:             "{N}/{YYYY}-П",
	workflow.DocSpecification:        "{N}",
	workflow.DocProductionSchedule:   "ГП-{YYYY}-{NNNN}",
	workflow.DocInvoice:              "СЧ-{YYYY}-{NNNNNN}",
	workflow.DocUPD:                  "{N}",
	workflow.DocRecommendationLetter: "РП-{YYYY}-{NNNN}",
}

// DefaultNumberFormat returns the parsed default format of k, and false for an unknown kind.
func DefaultNumberFormat(k workflow.DocumentKind) (NumberFormat, bool) {
	s, ok := DefaultNumberFormats[k]
	if !ok {
		return NumberFormat{}, false
	}
	f, err := ParseNumberFormat(s)
	if err != nil {
		panic("documents: bad default number format for " + string(k) + ": " + err.Error())
	}
	return f, true
}

// Counter scopes: how a kind's counter is partitioned.
const (
	// ScopeYear: one counter per kind and calendar year of the document date.
	ScopeYear = "year"
	// ScopeContract: one counter per contract (specifications), never restarted.
	ScopeContract = "contract"
)

// CounterScope returns ScopeContract for specifications and ScopeYear for the other kinds.
func CounterScope(k workflow.DocumentKind) string {
	if k == workflow.DocSpecification {
		return ScopeContract
	}
	return ScopeYear
}

// ScopeOf returns the scope value of a document's counter: the contract number for a
// specification (its counter is per contract) and "" for the other kinds. It is also the
// value of the {SCOPE} placeholder.
func ScopeOf(d Data) string {
	if s, ok := d.(*Specification); ok {
		return s.Contract.Number
	}
	return ""
}

// MaxNumberFormatLen bounds a number format, in characters.
const MaxNumberFormatLen = 64

// maxSeqWidth bounds the zero-padded width of {NN…}.
const maxSeqWidth = 12

type numPartKind uint8

const (
	numLit numPartKind = iota
	numYYYY
	numYY
	numSeq
	numScope
)

type numPart struct {
	kind  numPartKind
	lit   string
	width int // numSeq: minimum digits (1 for {N})
}

// NumberFormat is a parsed number pattern. Placeholders:
//
//	{YYYY}   the year, four digits: 2026
//	{YY}     the year's last two digits: 26
//	{N}      the sequence number as is: 7
//	{NN…}    the sequence number zero-padded to the count of N (2–12): {NNNN} → 0007;
//	         a longer number is printed in full, never cut
//	{SCOPE}  the counter's scope (ScopeOf): the contract number for a specification
//
// Exactly one sequence placeholder is required; any other text is printed as is. The zero
// NumberFormat formats nothing; use ParseNumberFormat or DefaultNumberFormat.
type NumberFormat struct {
	src   string
	parts []numPart
}

// ErrNumberFormat is wrapped by every error of ParseNumberFormat.
var ErrNumberFormat = errors.New("invalid number format")

// ParseNumberFormat checks and parses a number format such as "КП-{YYYY}-{NNNN}".
func ParseNumberFormat(s string) (NumberFormat, error) {
	fail := func(format string, args ...any) (NumberFormat, error) {
		return NumberFormat{}, fmt.Errorf("%w %q: %s", ErrNumberFormat, s, fmt.Sprintf(format, args...))
	}
	switch n := len([]rune(s)); {
	case n == 0:
		return fail("empty")
	case n > MaxNumberFormatLen:
		return fail("longer than %d characters", MaxNumberFormatLen)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\uFFFD' }) >= 0 {
		return fail("control characters or invalid UTF-8")
	}
	if strings.TrimSpace(s) != s {
		return fail("leading or trailing spaces")
	}
	var f NumberFormat
	f.src = s
	seqs := 0
	rest := s
	for rest != "" {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			f.parts = append(f.parts, numPart{kind: numLit, lit: rest})
			break
		}
		if rest[i] == '}' {
			return fail("'}' without '{'")
		}
		if i > 0 {
			f.parts = append(f.parts, numPart{kind: numLit, lit: rest[:i]})
		}
		j := strings.IndexAny(rest[i+1:], "{}")
		if j < 0 || rest[i+1+j] != '}' {
			return fail("'{' without '}'")
		}
		name := rest[i+1 : i+1+j]
		rest = rest[i+2+j:]
		switch {
		case name == "YYYY":
			f.parts = append(f.parts, numPart{kind: numYYYY})
		case name == "YY":
			f.parts = append(f.parts, numPart{kind: numYY})
		case name == "SCOPE":
			f.parts = append(f.parts, numPart{kind: numScope})
		case name != "" && strings.Trim(name, "N") == "":
			if len(name) > maxSeqWidth {
				return fail("{%s}: at most %d digits", name, maxSeqWidth)
			}
			seqs++
			f.parts = append(f.parts, numPart{kind: numSeq, width: len(name)})
		default:
			return fail("unknown placeholder {%s}; use {YYYY}, {YY}, {N}, {NN…} or {SCOPE}", name)
		}
	}
	if seqs != 1 {
		return fail("needs exactly one sequence placeholder {N} or {NN…}, found %d", seqs)
	}
	return f, nil
}

// MustNumberFormat is ParseNumberFormat that panics on error, for constants.
func MustNumberFormat(s string) NumberFormat {
	f, err := ParseNumberFormat(s)
	if err != nil {
		panic(err)
	}
	return f
}

// String returns the format as written.
func (f NumberFormat) String() string { return f.src }

// HasYear reports whether the format prints the year.
func (f NumberFormat) HasYear() bool {
	for _, p := range f.parts {
		if p.kind == numYYYY || p.kind == numYY {
			return true
		}
	}
	return false
}

// Format prints the number for sequence value seq (1, 2, …) in year with the given scope:
// MustNumberFormat("КП-{YYYY}-{NNNN}").Format(7, 2026, "") = "КП-2026-0007".
func (f NumberFormat) Format(seq int64, year int, scope string) string {
	var b strings.Builder
	for _, p := range f.parts {
		switch p.kind {
		case numLit:
			b.WriteString(p.lit)
		case numYYYY:
			fmt.Fprintf(&b, "%04d", year)
		case numYY:
			fmt.Fprintf(&b, "%02d", ((year%100)+100)%100)
		case numSeq:
			s := strconv.FormatInt(seq, 10)
			if seq >= 0 {
				for i := len(s); i < p.width; i++ {
					b.WriteByte('0')
				}
			}
			b.WriteString(s)
		case numScope:
			b.WriteString(scope)
		}
	}
	return b.String()
}

// MarshalText writes the format as written, so formats can live in JSON settings.
func (f NumberFormat) MarshalText() ([]byte, error) { return []byte(f.src), nil }

// UnmarshalText parses a format with ParseNumberFormat.
func (f *NumberFormat) UnmarshalText(b []byte) error {
	v, err := ParseNumberFormat(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}
