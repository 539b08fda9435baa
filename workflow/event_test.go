package workflow_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/dealgate/dealgate/workflow"
)

// mustCanonical returns CanonicalJSON(v) and fails the test on error.
func mustCanonical(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := workflow.CanonicalJSON(v)
	if err != nil {
		t.Fatalf("CanonicalJSON(%v): %v", v, err)
	}
	return b
}

// sealedChain returns five sealed events of one deal, with every kind of field set somewhere.
func sealedChain(t testing.TB) []workflow.Event {
	t.Helper()
	at := time.Date(2026, time.February, 3, 9, 30, 0, 0, time.UTC)
	evs := []workflow.Event{
		{DealID: 42, Kind: workflow.EventCreated, Action: workflow.ActionCreate, ToStage: "research", ActorID: 11, At: at},
		{DealID: 42, Kind: workflow.EventTransition, Action: workflow.ActionAdvance, FromStage: "research", ToStage: "cold_call", ActorID: 11, At: at.Add(time.Hour)},
		{DealID: 42, Kind: workflow.EventActivity, ActorID: 11, At: at.Add(2*time.Hour + 123456789),
			Payload: mustCanonical(t, map[string]any{"kind": "call", "note": "Позвонил в «Ромашку»: <нужны насосы> & фильтры", "decision_maker": true})},
		{DealID: 42, Kind: workflow.EventDocumentFinalised, ActorID: 13, At: at.Add(26 * time.Hour),
			Payload: mustCanonical(t, map[string]any{"kind": "proposal", "number": "КП-2026-0007", "version": 1,
				"files": []map[string]string{{"format": "pdf", "sha256": strings.Repeat("ab", 32)}, {"format": "docx", "sha256": strings.Repeat("cd", 32)}}})},
		{DealID: 42, Kind: workflow.EventTransition, Action: workflow.ActionLose, FromStage: "cold_call", ActorID: 12, Reason: "выбрали \"Конкурента\"\n(дешевле)", At: at.Add(48 * time.Hour)},
	}
	for i := range evs {
		var prev *workflow.Event
		if i > 0 {
			prev = &evs[i-1]
		}
		evs[i].Seal(prev)
	}
	return evs
}

func TestSeal(t *testing.T) {
	t.Parallel()
	evs := sealedChain(t)
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Errorf("event %d: Seq = %d, want %d", i, e.Seq, i+1)
		}
		wantPrev := ""
		if i > 0 {
			wantPrev = evs[i-1].Hash
		}
		if e.PrevHash != wantPrev {
			t.Errorf("event %d: PrevHash = %q, want %q", i, e.PrevHash, wantPrev)
		}
		if b, err := hex.DecodeString(e.Hash); err != nil || len(b) != 32 {
			t.Errorf("event %d: Hash %q is not a hex SHA-256", i, e.Hash)
		}
		if got := e.ComputeHash(); got != e.Hash {
			t.Errorf("event %d: ComputeHash() = %s, Hash = %s", i, got, e.Hash)
		}
	}
	if err := workflow.VerifyChain(evs); err != nil {
		t.Fatalf("VerifyChain: %v", err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.Hash] {
			t.Errorf("hash %s repeats", e.Hash)
		}
		seen[e.Hash] = true
	}

	t.Run("first event forgets a stale link", func(t *testing.T) {
		e := workflow.Event{DealID: 1, Kind: workflow.EventCreated, Seq: 9, PrevHash: "stale", At: time.Unix(0, 0)}
		e.Seal(nil)
		if e.Seq != 1 || e.PrevHash != "" {
			t.Errorf("Seal(nil): Seq %d, PrevHash %q; want 1, \"\"", e.Seq, e.PrevHash)
		}
	})
	t.Run("time truncated to microseconds in UTC", func(t *testing.T) {
		msk := time.FixedZone("MSK", 3*60*60)
		e := workflow.Event{DealID: 1, Kind: workflow.EventCreated, At: time.Date(2026, 5, 1, 12, 0, 0, 999_999_999, msk)}
		e.Seal(nil)
		want := time.Date(2026, 5, 1, 9, 0, 0, 999_999_000, time.UTC)
		if !e.At.Equal(want) || e.At.Location() != time.UTC {
			t.Errorf("At = %v, want %v", e.At, want)
		}
		if got := workflow.FormatEventTime(e.At); got != "2026-05-01T09:00:00.999999Z" {
			t.Errorf("FormatEventTime = %q", got)
		}
	})
	t.Run("sub-microsecond time is not hashed", func(t *testing.T) {
		a := workflow.Event{DealID: 1, Kind: workflow.EventCreated, At: time.Date(2026, 5, 1, 9, 0, 0, 5_000, time.UTC)}
		b := a
		b.At = b.At.Add(999 * time.Nanosecond).In(time.FixedZone("X", -5*60*60))
		if a.ComputeHash() != b.ComputeHash() {
			t.Error("hashes differ for the same microsecond")
		}
		b.At = b.At.Add(time.Nanosecond)
		if a.ComputeHash() == b.ComputeHash() {
			t.Error("hashes equal for different microseconds")
		}
	})
}

func TestFormatEventTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000000Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 1_000, time.UTC), "2026-01-02T03:04:05.000001Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 999, time.UTC), "2026-01-02T03:04:05.000000Z"},
		{time.Date(2026, 1, 1, 2, 0, 0, 120_000_000, time.FixedZone("MSK", 3*60*60)), "2025-12-31T23:00:00.120000Z"},
	}
	for _, tt := range tests {
		if got := workflow.FormatEventTime(tt.in); got != tt.want {
			t.Errorf("FormatEventTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCanonicalBytes pins the exact encoding an offline verifier must reproduce.
func TestCanonicalBytes(t *testing.T) {
	t.Parallel()
	e := workflow.Event{ID: 777, DealID: 42, Seq: 3, Kind: workflow.EventTransition, Action: workflow.ActionAdvance,
		FromStage: "needs", ToStage: "proposal", ActorID: 11, Reason: "клиент «Ромашка» <ООО> & \"друзья\"\n\tи\\всё",
		At:      time.Date(2026, 3, 2, 13, 4, 5, 123456789, time.FixedZone("MSK", 3*60*60)),
		Payload: json.RawMessage(`{"a":1,"b":"<>"}`), PrevHash: "00ff", Hash: "ignored"}
	want := `{"v":"dealgate-event-v1","deal_id":42,"seq":3,"kind":"transition","action":"advance","from":"needs","to":"proposal",` +
		`"actor_id":11,"reason":"клиент «Ромашка» <ООО> & \"друзья\"\n\tи\\всё","at":"2026-03-02T10:04:05.123456Z",` +
		`"payload":{"a":1,"b":"<>"},"prev_hash":"00ff"}`
	if got := string(e.CanonicalBytes()); got != want {
		t.Errorf("CanonicalBytes =\n%s\nwant\n%s", got, want)
	}
	if !json.Valid(e.CanonicalBytes()) {
		t.Error("CanonicalBytes is not valid JSON")
	}

	e = workflow.Event{DealID: -1, ActorID: math.MaxInt64}
	want = `{"v":"dealgate-event-v1","deal_id":-1,"seq":0,"kind":"","action":"","from":"","to":"",` +
		`"actor_id":9223372036854775807,"reason":"","at":"0001-01-01T00:00:00.000000Z","payload":null,"prev_hash":""}`
	if got := string(e.CanonicalBytes()); got != want {
		t.Errorf("CanonicalBytes of a zero event =\n%s\nwant\n%s", got, want)
	}
	e.Payload = json.RawMessage("null")
	if got := string(e.CanonicalBytes()); got != want {
		t.Errorf("payload null encodes differently from no payload:\n%s", got)
	}
}

// TestCanonicalStrings checks the promise of CanonicalBytes' doc comment: strings are encoded
// exactly as encoding/json writes them with HTML escaping off, so that a verifier written
// with encoding/json alone reproduces the hash.
func TestCanonicalStrings(t *testing.T) {
	t.Parallel()
	inputs := []string{"", "plain", "«ёлка» <b>&amp;</b>", "\u2028\u2029", "\ufffd literal", "\xff", "a\xe2\x80", "\xed\xa0\x80",
		"emoji 🙂", "\x7f", "quote \" backslash \\ slash /"}
	for r := rune(0); r < 0x80; r++ {
		inputs = append(inputs, "x"+string(r)+"y")
	}
	for _, s := range inputs {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(buf.String(), "\n")
		e := workflow.Event{Reason: s}
		b := string(e.CanonicalBytes())
		start := strings.Index(b, `"reason":`) + len(`"reason":`)
		end := strings.Index(b, `,"at":`)
		if got := b[start:end]; got != want {
			t.Errorf("reason %q encodes as %s, encoding/json writes %s", s, got, want)
		}
	}
}

func TestVerifyChainTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper func(evs []workflow.Event) []workflow.Event
		want   *workflow.ChainError // nil: the chain still verifies
	}{
		{name: "untouched", tamper: func(evs []workflow.Event) []workflow.Event { return evs }},
		{name: "empty chain", tamper: func([]workflow.Event) []workflow.Event { return nil }},
		{name: "deal id", tamper: func(evs []workflow.Event) []workflow.Event { evs[2].DealID = 43; return evs },
			want: &workflow.ChainError{Seq: 3, Field: "hash"}},
		{name: "kind", tamper: func(evs []workflow.Event) []workflow.Event { evs[1].Kind = workflow.EventFact; return evs },
			want: &workflow.ChainError{Seq: 2, Field: "hash"}},
		{name: "action", tamper: func(evs []workflow.Event) []workflow.Event { evs[1].Action = workflow.ActionSkip; return evs },
			want: &workflow.ChainError{Seq: 2, Field: "hash"}},
		{name: "from stage", tamper: func(evs []workflow.Event) []workflow.Event { evs[1].FromStage = "meeting"; return evs },
			want: &workflow.ChainError{Seq: 2, Field: "hash"}},
		{name: "to stage", tamper: func(evs []workflow.Event) []workflow.Event { evs[0].ToStage = "needs"; return evs },
			want: &workflow.ChainError{Seq: 1, Field: "hash"}},
		{name: "actor", tamper: func(evs []workflow.Event) []workflow.Event { evs[4].ActorID = 14; return evs },
			want: &workflow.ChainError{Seq: 5, Field: "hash"}},
		{name: "reason, one character", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[4].Reason = strings.Replace(evs[4].Reason, "дешевле", "дешевлe", 1) // Latin e
			return evs
		}, want: &workflow.ChainError{Seq: 5, Field: "hash"}},
		{name: "time, one microsecond", tamper: func(evs []workflow.Event) []workflow.Event { evs[2].At = evs[2].At.Add(time.Microsecond); return evs },
			want: &workflow.ChainError{Seq: 3, Field: "hash"}},
		{name: "time, same instant in another zone", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[2].At = evs[2].At.In(time.FixedZone("MSK", 3*60*60))
			return evs
		}},
		{name: "payload value", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[3].Payload = bytes.Replace(evs[3].Payload, []byte(`"version":1`), []byte(`"version":2`), 1)
			return evs
		}, want: &workflow.ChainError{Seq: 4, Field: "hash"}},
		{name: "payload file hash", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[3].Payload = bytes.Replace(evs[3].Payload, []byte("abab"), []byte("abac"), 1)
			return evs
		}, want: &workflow.ChainError{Seq: 4, Field: "hash"}},
		{name: "payload white space", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[2].Payload = append(json.RawMessage(" "), evs[2].Payload...)
			return evs
		}, want: &workflow.ChainError{Seq: 3, Field: "hash"}},
		{name: "payload removed", tamper: func(evs []workflow.Event) []workflow.Event { evs[2].Payload = nil; return evs },
			want: &workflow.ChainError{Seq: 3, Field: "hash"}},
		{name: "payload added", tamper: func(evs []workflow.Event) []workflow.Event { evs[1].Payload = json.RawMessage(`{}`); return evs },
			want: &workflow.ChainError{Seq: 2, Field: "hash"}},
		{name: "hash", tamper: func(evs []workflow.Event) []workflow.Event { evs[3].Hash = evs[2].Hash; return evs },
			want: &workflow.ChainError{Seq: 4, Field: "hash"}},
		{name: "hash of the last event", tamper: func(evs []workflow.Event) []workflow.Event { evs[4].Hash = strings.ToUpper(evs[4].Hash); return evs },
			want: &workflow.ChainError{Seq: 5, Field: "hash"}},
		{name: "prev hash", tamper: func(evs []workflow.Event) []workflow.Event { evs[2].PrevHash = evs[0].Hash; return evs },
			want: &workflow.ChainError{Seq: 3, Field: "prev_hash"}},
		{name: "prev hash of the first event", tamper: func(evs []workflow.Event) []workflow.Event { evs[0].PrevHash = evs[4].Hash; return evs },
			want: &workflow.ChainError{Seq: 1, Field: "prev_hash"}},
		{name: "prev hash with the hash recomputed", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[2].PrevHash = strings.Repeat("0", 64)
			evs[2].Hash = evs[2].ComputeHash()
			return evs
		}, want: &workflow.ChainError{Seq: 3, Field: "prev_hash"}},
		{name: "one event resealed", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[3].ActorID = 11
			evs[3].Seal(&evs[2])
			return evs
		}, want: &workflow.ChainError{Seq: 5, Field: "prev_hash"}},
		{name: "seq", tamper: func(evs []workflow.Event) []workflow.Event { evs[2].Seq = 4; return evs },
			want: &workflow.ChainError{Seq: 4, Field: "seq", Expected: "3", Found: "4"}},
		{name: "first event deleted", tamper: func(evs []workflow.Event) []workflow.Event { return evs[1:] },
			want: &workflow.ChainError{Seq: 2, Field: "seq", Expected: "1", Found: "2"}},
		{name: "middle event deleted", tamper: func(evs []workflow.Event) []workflow.Event { return append(evs[:2:2], evs[3:]...) },
			want: &workflow.ChainError{Seq: 4, Field: "seq", Expected: "3", Found: "4"}},
		{name: "middle event deleted and later seqs renumbered", tamper: func(evs []workflow.Event) []workflow.Event {
			evs = append(evs[:2:2], evs[3:]...)
			evs[2].Seq, evs[3].Seq = 3, 4
			return evs
		}, want: &workflow.ChainError{Seq: 3, Field: "prev_hash"}},
		{name: "two events swapped", tamper: func(evs []workflow.Event) []workflow.Event { evs[1], evs[2] = evs[2], evs[1]; return evs },
			want: &workflow.ChainError{Seq: 3, Field: "seq", Expected: "2", Found: "3"}},
		{name: "two events swapped and renumbered", tamper: func(evs []workflow.Event) []workflow.Event {
			evs[1], evs[2] = evs[2], evs[1]
			evs[1].Seq, evs[2].Seq = 2, 3
			return evs
		}, want: &workflow.ChainError{Seq: 2, Field: "prev_hash"}},
		{name: "event duplicated", tamper: func(evs []workflow.Event) []workflow.Event { return append(evs[:3:3], evs[2:]...) },
			want: &workflow.ChainError{Seq: 3, Field: "seq", Expected: "4", Found: "3"}},
		// VerifyChain cannot see that events were cut off the end: the caller compares the
		// chain's head with the deal's stored head (or the count of events).
		{name: "last event deleted", tamper: func(evs []workflow.Event) []workflow.Event { return evs[:4] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := workflow.VerifyChain(tt.tamper(sealedChain(t)))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifyChain: %v, want nil", err)
				}
				return
			}
			var ce *workflow.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("VerifyChain = %v (%T), want a *ChainError", err, err)
			}
			if ce.Seq != tt.want.Seq || ce.Field != tt.want.Field {
				t.Errorf("broken link at {seq %d, %s}, want {seq %d, %s} (%v)", ce.Seq, ce.Field, tt.want.Seq, tt.want.Field, err)
			}
			if tt.want.Expected != "" && (ce.Expected != tt.want.Expected || ce.Found != tt.want.Found) {
				t.Errorf("expected %q, found %q; want %q, %q", ce.Expected, ce.Found, tt.want.Expected, tt.want.Found)
			}
			if ce.Expected == ce.Found {
				t.Errorf("Expected and Found are both %q", ce.Found)
			}
			if !strings.Contains(err.Error(), ce.Field) {
				t.Errorf("Error() = %q does not name the field", err)
			}
		})
	}
}

func TestCanonicalJSON(t *testing.T) {
	t.Parallel()
	type line struct {
		Zeta  string  `json:"zeta"`
		Alpha float64 `json:"alpha"`
		Mid   []int   `json:"mid,omitempty"`
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `null`},
		{"keys sorted", map[string]any{"b": 1, "a": map[string]any{"y": true, "x": nil}, "c": []any{map[string]int{"k2": 2, "k1": 1}}},
			`{"a":{"x":null,"y":true},"b":1,"c":[{"k1":1,"k2":2}]}`},
		{"struct fields sorted by JSON name", line{Zeta: "z", Alpha: 0.1}, `{"alpha":0.1,"zeta":"z"}`},
		{"no HTML escaping", map[string]string{"note": "«Ромашка» <ООО> & Co"}, `{"note":"«Ромашка» <ООО> & Co"}`},
		{"large integers kept exactly", map[string]int64{"max": math.MaxInt64, "min": math.MinInt64}, `{"max":9223372036854775807,"min":-9223372036854775808}`},
		{"money as strings", map[string]workflow.Money{"total": 123456}, `{"total":"1234.56"}`},
		{"raw message re-encoded", json.RawMessage(" { \"b\" : \"\\u003c\" , \"a\" : [ 1 , 2.50 ] } "), `{"a":[1,2.50],"b":"<"}`},
		{"invalid UTF-8 replaced", "a\xffb", `"a` + "\ufffd" + `b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustCanonical(t, tt.in)
			if string(got) != tt.want {
				t.Errorf("CanonicalJSON = %s, want %s", got, tt.want)
			}
			// Canonical means a fixed point: re-canonicalising, or decoding and encoding
			// again, yields the same bytes.
			if again := mustCanonical(t, got); !bytes.Equal(again, got) {
				t.Errorf("CanonicalJSON is not idempotent: %s → %s", got, again)
			}
			var generic any
			dec := json.NewDecoder(bytes.NewReader(got))
			dec.UseNumber()
			if err := dec.Decode(&generic); err != nil {
				t.Fatal(err)
			}
			if again := mustCanonical(t, generic); !bytes.Equal(again, got) {
				t.Errorf("decoded and re-encoded: %s, want %s", again, got)
			}
		})
	}
	for name, bad := range map[string]any{"channel": make(chan int), "function": func() {}, "NaN": math.NaN()} {
		if _, err := workflow.CanonicalJSON(bad); err == nil {
			t.Errorf("CanonicalJSON(%s) succeeded, want an error", name)
		}
	}
	if _, err := workflow.CanonicalJSON(json.RawMessage(`{"a":`)); err == nil {
		t.Error("CanonicalJSON of broken JSON succeeded")
	}
}

// TestEventJSONRoundTrip stores a sealed chain as JSON and reads it back, as an evidence
// bundle does, and verifies it again.
func TestEventJSONRoundTrip(t *testing.T) {
	t.Parallel()
	t.Run("encoder without HTML escaping", func(t *testing.T) {
		t.Parallel()
		evs := sealedChain(t)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(evs); err != nil {
			t.Fatal(err)
		}
		var back []workflow.Event
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		// A missing payload comes back as null, which encodes the same.
		canon := func(e workflow.Event) string { return string(e.CanonicalBytes()) }
		if diff := cmp.Diff(evs, back, cmp.Transformer("canonical", canon)); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
		if err := workflow.VerifyChain(back); err != nil {
			t.Errorf("VerifyChain after the round trip: %v", err)
		}
	})
	t.Run("json.Marshal, payloads re-canonicalised", func(t *testing.T) {
		t.Parallel()
		evs := sealedChain(t)
		b, err := json.Marshal(evs)
		if err != nil {
			t.Fatal(err)
		}
		var back []workflow.Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		// json.Marshal escapes < > & inside payloads as \u003c…; CanonicalJSON undoes it.
		if bytes.Equal(back[2].Payload, evs[2].Payload) {
			t.Fatalf("expected json.Marshal to HTML-escape the payload %s", evs[2].Payload)
		}
		for i := range back {
			if len(back[i].Payload) > 0 {
				back[i].Payload = mustCanonical(t, back[i].Payload)
			}
			if !bytes.Equal(back[i].CanonicalBytes(), evs[i].CanonicalBytes()) {
				t.Errorf("event %d: canonical bytes changed:\n%s\n%s", i+1, back[i].CanonicalBytes(), evs[i].CanonicalBytes())
			}
		}
		if err := workflow.VerifyChain(back); err != nil {
			t.Errorf("VerifyChain after the round trip: %v", err)
		}
	})
	t.Run("no payload", func(t *testing.T) {
		t.Parallel()
		e := sealedChain(t)[1]
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back workflow.Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if got := back.ComputeHash(); got != e.Hash {
			t.Errorf("hash after the round trip %s, want %s", got, e.Hash)
		}
	})
}

func TestChainErrorString(t *testing.T) {
	t.Parallel()
	err := &workflow.ChainError{Seq: 3, Field: "prev_hash", Expected: "aa", Found: "bb"}
	if got, want := err.Error(), "event 3: prev_hash expected aa, found bb"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !utf8.ValidString(err.Error()) {
		t.Error("invalid UTF-8")
	}
}
