package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// EventKind says what an event records.
type EventKind string

// Event kinds. Events are append-only: never updated, never deleted.
const (
	EventCreated           EventKind = "deal_created"
	EventTransition        EventKind = "transition"
	EventActivity          EventKind = "activity"
	EventFact              EventKind = "fact"
	EventDocumentFinalised EventKind = "document_finalised"
	EventDocumentSupersede EventKind = "document_superseded"
	EventSignedCopy        EventKind = "signed_copy"
)

// Event is one entry of a deal's append-only, hash-chained history.
type Event struct {
	ID        int64
	DealID    int64
	Seq       int64 // 1, 2, … per deal
	Kind      EventKind
	Action    Action // for transitions
	FromStage string
	ToStage   string
	ActorID   int64
	Reason    string
	At        time.Time       // UTC, microsecond precision (what both databases keep)
	Payload   json.RawMessage // canonical JSON (compact, keys sorted), or empty
	PrevHash  string          // hex SHA-256 of the previous event of the deal; "" for the first
	Hash      string          // hex SHA-256 of CanonicalBytes()
}

// EventHashVersion names the canonical encoding below; it is part of every hashed record.
const EventHashVersion = "dealgate-event-v1"

// CanonicalBytes is the exact byte string an event's Hash covers: a JSON object with these
// keys in this order and no insignificant white space:
//
//	{"v":"dealgate-event-v1","deal_id":N,"seq":N,"kind":S,"action":S,"from":S,"to":S,
//	 "actor_id":N,"reason":S,"at":S,"payload":P,"prev_hash":S}
//
// Strings are JSON strings as encoding/json writes them (with HTML escaping off); "at" is
// RFC 3339 in UTC with exactly six fractional digits; P is the stored canonical payload
// (a JSON value, or null). Document events carry the SHA-256 of every file they refer to
// inside their payload, so the chain covers the files.
func (e *Event) CanonicalBytes() []byte {
	b := make([]byte, 0, 256+len(e.Payload))
	b = append(b, `{"v":"`+EventHashVersion+`","deal_id":`...)
	b = strconv.AppendInt(b, e.DealID, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = appendField(b, "kind", string(e.Kind))
	b = appendField(b, "action", string(e.Action))
	b = appendField(b, "from", e.FromStage)
	b = appendField(b, "to", e.ToStage)
	b = append(b, `,"actor_id":`...)
	b = strconv.AppendInt(b, e.ActorID, 10)
	b = appendField(b, "reason", e.Reason)
	b = appendField(b, "at", FormatEventTime(e.At))
	b = append(b, `,"payload":`...)
	if len(e.Payload) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Payload...)
	}
	b = appendField(b, "prev_hash", e.PrevHash)
	return append(b, '}')
}

// FormatEventTime formats t the way the canonical encoding does.
func FormatEventTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r < 0x20 || r == 0x2028 || r == 0x2029 || (r == utf8.RuneError && size == 1):
			// Like encoding/json: other control characters, the JavaScript line
			// separators and each byte of invalid UTF-8 (as U+FFFD) are \u escapes.
			b = append(b, '\\', 'u', hexd[(r>>12)&0xF], hexd[(r>>8)&0xF], hexd[(r>>4)&0xF], hexd[r&0xF])
		default:
			b = append(b, s[i-size:i]...)
		}
	}
	return append(b, '"')
}

// ComputeHash returns the hex SHA-256 of the event's canonical bytes.
func (e *Event) ComputeHash() string {
	sum := sha256.Sum256(e.CanonicalBytes())
	return hex.EncodeToString(sum[:])
}

// Seal links the event after prev (the previous event of the deal, nil for the first) and sets
// Seq, PrevHash and Hash.
func (e *Event) Seal(prev *Event) {
	if prev == nil {
		e.Seq, e.PrevHash = 1, ""
	} else {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.ComputeHash()
}

// ChainError names the first broken link of a chain.
type ChainError struct {
	Seq      int64  // the event where the chain breaks
	Field    string // "hash", "prev_hash" or "seq"
	Expected string
	Found    string
}

func (e *ChainError) Error() string {
	return "event " + strconv.FormatInt(e.Seq, 10) + ": " + e.Field + " expected " + e.Expected + ", found " + e.Found
}

// VerifyChain checks that events (in order) form an unbroken chain starting at seq 1 and
// returns the first broken link.
func VerifyChain(events []Event) error {
	var prev *Event
	for i := range events {
		e := &events[i]
		wantSeq := int64(1)
		wantPrev := ""
		if prev != nil {
			wantSeq, wantPrev = prev.Seq+1, prev.Hash
		}
		if e.Seq != wantSeq {
			return &ChainError{Seq: e.Seq, Field: "seq", Expected: strconv.FormatInt(wantSeq, 10), Found: strconv.FormatInt(e.Seq, 10)}
		}
		if e.PrevHash != wantPrev {
			return &ChainError{Seq: e.Seq, Field: "prev_hash", Expected: wantPrev, Found: e.PrevHash}
		}
		if h := e.ComputeHash(); h != e.Hash {
			return &ChainError{Seq: e.Seq, Field: "hash", Expected: h, Found: e.Hash}
		}
		prev = e
	}
	return nil
}

// CanonicalJSON re-encodes a JSON value compactly with object keys sorted, so that it can be
// hashed; v may be any value encoding/json accepts. The bytes are those of encoding v with
// encoding/json, decoding that into an interface{} (numbers as json.Number) and encoding it
// again with HTML escaping off; canonical.go says how it gets there without the round trip.
func CanonicalJSON(v any) (json.RawMessage, error) {
	out, ok, err := canonicalEncode(v)
	if err != nil {
		return nil, err
	}
	if !ok {
		return canonicalReference(v)
	}
	return out, nil
}
