package workflow

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The canonical encoding is defined by what the first implementation did: encode v with
// encoding/json, decode the result into an interface{} (numbers as json.Number) and encode
// that again with HTML escaping off. canonicalFromJSON keeps that implementation; it is the
// reference the fast path below is tested against and the path taken for anything the fast
// path does not handle.
//
// The fast path reads the JSON encoding/json wrote once and writes the same bytes the
// reference would, without building a tree:
//
//   - a string is decoded the way encoding/json's decoder does (escapes, surrogate pairs, lone
//     surrogates and invalid UTF-8 become U+FFFD) and written the way its encoder does with
//     HTML escaping off (", \ and control characters escaped, \b \f \n \r \t short, U+2028 and
//     U+2029 as \u escapes, everything else as it is);
//   - numbers, true, false and null are copied (json.Number keeps the literal as it is);
//   - an object's members are sorted by their decoded keys, byte by byte, as encoding/json
//     sorts the keys of a map; of members with the same key the last one is kept, as it is
//     when the decoder fills a map.
//
// Anything unexpected — white space, a malformed token, nesting deeper than
// canonicalMaxDepth — makes the fast path give up, and the reference decides.

// canonicalMaxDepth bounds the nesting the fast path follows. Deeper values go the reference
// way, whose decoder has its own limit (10000) and reports the error the callers always saw.
const canonicalMaxDepth = 1000

// canonicalFromJSON is the reference canonicalisation of raw, a JSON value as encoding/json
// writes it.
func canonicalFromJSON(raw []byte) (json.RawMessage, error) {
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	// encoding/json writes map keys sorted; SetEscapeHTML(false) keeps «» and < > readable.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	return json.RawMessage(out[:len(out)-1]), nil
}

// canonicalReference is CanonicalJSON as it was first written: the tests compare with it, and
// CanonicalJSON falls back on it where the fast path gives up.
func canonicalReference(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return canonicalFromJSON(raw)
}

// canonicalizer is the state of one run of the fast path; the memory behind its slices
// comes from a pooled canonicalScratch.
type canonicalizer struct {
	in      []byte            // the JSON encoding/json wrote
	keys    []byte            // decoded keys of the open objects' members
	members []canonicalMember // members of the open objects, innermost last
	tmp     []byte            // an object's members while they are reordered
	order   []int32           // the members of the object being reordered, sorted
	depth   int
}

// canonicalScratch is the reusable memory of the fast path.
type canonicalScratch struct {
	buf     bytes.Buffer  // what enc writes
	enc     *json.Encoder // encoding/json with HTML escaping off, into buf
	keys    []byte
	members []canonicalMember
	tmp     []byte
	order   []int32
}

var canonicalScratches = sync.Pool{New: func() any {
	s := new(canonicalScratch)
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	return s
}}

// put returns s to the pool unless it has grown for an unusually large value.
func (s *canonicalScratch) put() {
	if s.buf.Cap() <= 1<<16 && cap(s.tmp) <= 1<<16 && cap(s.keys) <= 1<<16 && cap(s.members) <= 1<<12 && cap(s.order) <= 1<<12 {
		s.buf.Reset()
		canonicalScratches.Put(s)
	}
}

// canonicalEncode encodes v with encoding/json and returns its canonical form, or false where
// the reference must decide; the error is encoding/json's.
//
// It encodes with HTML escaping off, unlike json.Marshal in the reference: that changes only
// how <, >, & (and, inside a json.RawMessage or a MarshalJSON result, U+2028 and U+2029) are
// written in strings, and every string is decoded and written again below, so the result is
// the same. The writer is a pooled buffer, which spares json.Marshal's copy.
func canonicalEncode(v any) (json.RawMessage, bool, error) {
	s := canonicalScratches.Get().(*canonicalScratch)
	defer s.put()
	if err := s.enc.Encode(v); err != nil {
		return nil, false, err
	}
	raw := s.buf.Bytes()
	out, ok := s.run(raw[:len(raw)-1]) // Encode ends the value with a newline
	return out, ok, nil
}

// run writes the canonical form of raw into a new slice.
func (s *canonicalScratch) run(raw []byte) (json.RawMessage, bool) {
	c := canonicalizer{in: raw, keys: s.keys[:0], members: s.members[:0], tmp: s.tmp[:0], order: s.order[:0]}
	out, i, ok := c.value(make([]byte, 0, len(raw)), 0)
	s.keys, s.members, s.tmp, s.order = c.keys[:0], c.members[:0], c.tmp[:0], c.order[:0]
	return out, ok && i == len(raw)
}

// The methods below take the output so far and return it longer, with the index in c.in
// after what they read and false where they give up. The output travels as a value, not in
// c, because updating a slice through a pointer costs a write barrier while the collector
// runs.

func (c *canonicalizer) value(out []byte, i int) ([]byte, int, bool) {
	if i >= len(c.in) {
		return out, i, false
	}
	switch b := c.in[i]; {
	case b == '"':
		out, _, i, ok := c.str(out, nil, i, false)
		return out, i, ok
	case b == '{':
		return c.object(out, i)
	case b == '[':
		return c.array(out, i)
	case b == '-' || '0' <= b && b <= '9':
		j := i + 1
		for j < len(c.in) && isNumberByte(c.in[j]) {
			j++
		}
		return append(out, c.in[i:j]...), j, true
	case b == 't':
		return c.literal(out, i, "true")
	case b == 'f':
		return c.literal(out, i, "false")
	case b == 'n':
		return c.literal(out, i, "null")
	}
	return out, i, false
}

func isNumberByte(b byte) bool {
	return '0' <= b && b <= '9' || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-'
}

func (c *canonicalizer) literal(out []byte, i int, lit string) ([]byte, int, bool) {
	if !bytes.HasPrefix(c.in[i:], []byte(lit)) {
		return out, i, false
	}
	return append(out, lit...), i + len(lit), true
}

func (c *canonicalizer) array(out []byte, i int) ([]byte, int, bool) {
	if c.depth++; c.depth > canonicalMaxDepth {
		return out, i, false
	}
	out = append(out, '[')
	i++
	if i < len(c.in) && c.in[i] == ']' {
		c.depth--
		return append(out, ']'), i + 1, true
	}
	for {
		var ok bool
		if out, i, ok = c.value(out, i); !ok || i >= len(c.in) {
			return out, i, false
		}
		switch c.in[i] {
		case ',':
			out = append(out, ',')
			i++
		case ']':
			c.depth--
			return append(out, ']'), i + 1, true
		default:
			return out, i, false
		}
	}
}

// canonicalMember is one member of an object being read: its decoded key in c.keys, the
// key's first eight bytes as a number (zero-padded, big-endian: what orders most keys at
// once) and its `"key":value` in the output.
type canonicalMember struct {
	keyStart, keyEnd int
	prefix           uint64
	start, end       int
}

func (c *canonicalizer) object(out []byte, i int) ([]byte, int, bool) {
	if c.depth++; c.depth > canonicalMaxDepth {
		return out, i, false
	}
	out = append(out, '{')
	i++
	if i < len(c.in) && c.in[i] == '}' {
		c.depth--
		return append(out, '}'), i + 1, true
	}
	base, keysBase, start := len(c.members), len(c.keys), len(out)
	sorted := true
	for {
		if i >= len(c.in) || c.in[i] != '"' {
			return out, i, false
		}
		m := canonicalMember{keyStart: len(c.keys), start: len(out)}
		var ok bool
		if out, c.keys, i, ok = c.str(out, c.keys, i, true); !ok || i >= len(c.in) || c.in[i] != ':' {
			return out, i, false
		}
		m.keyEnd = len(c.keys)
		var p [8]byte
		copy(p[:], c.keys[m.keyStart:m.keyEnd])
		m.prefix = binary.BigEndian.Uint64(p[:])
		out = append(out, ':')
		if out, i, ok = c.value(out, i+1); !ok || i >= len(c.in) {
			return out, i, false
		}
		m.end = len(out)
		// A key not above the one before (smaller or equal) means sorting.
		if sorted && len(c.members) > base && c.compare(c.members[len(c.members)-1], m) >= 0 {
			sorted = false
		}
		c.members = append(c.members, m)
		switch c.in[i] {
		case ',':
			out = append(out, ',')
			i++
			continue
		case '}':
		default:
			return out, i, false
		}
		break
	}
	if !sorted {
		out = c.reorder(out, base, start)
	}
	c.members = c.members[:base]
	c.keys = c.keys[:keysBase]
	c.depth--
	return append(out, '}'), i + 1, true
}

// compare orders members by their decoded keys, byte by byte.
func (c *canonicalizer) compare(a, b canonicalMember) int {
	if a.prefix != b.prefix {
		if a.prefix < b.prefix {
			return -1
		}
		return 1
	}
	return bytes.Compare(c.keys[a.keyStart:a.keyEnd], c.keys[b.keyStart:b.keyEnd])
}

// less orders members by key and, for equal keys, by their place in the object, which
// makes any sort stable.
func (c *canonicalizer) less(a, b int) bool {
	ma, mb := &c.members[a], &c.members[b]
	if ma.prefix != mb.prefix {
		return ma.prefix < mb.prefix
	}
	if k := bytes.Compare(c.keys[ma.keyStart:ma.keyEnd], c.keys[mb.keyStart:mb.keyEnd]); k != 0 {
		return k < 0
	}
	return a < b
}

// reorder rewrites the members c.members[base:], written from out[start:], sorted by key,
// keeping the last of members with equal keys.
func (c *canonicalizer) reorder(out []byte, base, start int) []byte {
	c.tmp = append(c.tmp[:0], out[start:]...)
	order := c.order[:0] // indexes into c.members, sorted below
	for j := base; j < len(c.members); j++ {
		order = append(order, int32(j))
	}
	if len(order) <= 32 {
		for j := 1; j < len(order); j++ {
			for k := j; k > 0 && c.less(int(order[k]), int(order[k-1])); k-- {
				order[k], order[k-1] = order[k-1], order[k]
			}
		}
	} else {
		slices.SortFunc(order, func(a, b int32) int {
			if c.less(int(a), int(b)) {
				return -1
			}
			return 1 // never equal: the index decides between equal keys
		})
	}
	c.order = order
	out = out[:start]
	for j, o := range order {
		m := c.members[o]
		if j+1 < len(order) && c.compare(m, c.members[order[j+1]]) == 0 {
			continue // a later member has the same key and wins
		}
		if len(out) > start {
			out = append(out, ',')
		}
		out = append(out, c.tmp[m.start-start:m.end-start]...)
	}
	return out
}

// str reads the string at c.in[i] (its opening quote) and writes its canonical form to out
// and, for a key, its decoded value to keys.
func (c *canonicalizer) str(out, keys []byte, i int, key bool) ([]byte, []byte, int, bool) {
	in := c.in
	out = append(out, '"')
	i++
	run := i // start of the bytes not yet copied, which stay as they are
	for i < len(in) {
		b := in[i]
		if canonicalPlain[b] {
			i++
			continue
		}
		if 0xC2 <= b && b <= 0xDF && i+1 < len(in) && in[i+1]&0xC0 == 0x80 {
			i += 2 // a valid two-byte sequence (Cyrillic, «»): as it is
			continue
		}
		var r rune // a rune written otherwise than it stands in the input
		n := 0     // the input bytes it takes
		switch {
		case b == '"':
			out = append(out, in[run:i]...)
			if key {
				keys = append(keys, in[run:i]...)
			}
			return append(out, '"'), keys, i + 1, true
		case b == '\\':
			if r, n = unescape(in[i:]); n == 0 {
				return out, keys, i, false
			}
		case b < 0x20:
			return out, keys, i, false // a raw control character is not JSON
		default:
			r, n = utf8.DecodeRune(in[i:])
			// The decoder turns each invalid byte into U+FFFD, written as it is; the
			// encoder escapes the two separators. Any other rune stays as it is.
			if !(r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029') {
				i += n
				continue
			}
		}
		out = append(out, in[run:i]...)
		out = appendCanonicalRune(out, r)
		if key {
			keys = append(keys, in[run:i]...)
			keys = utf8.AppendRune(keys, r)
		}
		i += n
		run = i
	}
	return out, keys, i, false
}

// canonicalPlain marks the bytes a string keeps as they are without a second look: ASCII
// but for control characters, the quote and the backslash.
var canonicalPlain = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// unescape decodes the escape sequence at the start of s as encoding/json's decoder does and
// returns the rune and the bytes it took, 0 for a malformed one.
func unescape(s []byte) (rune, int) {
	if len(s) < 2 {
		return 0, 0
	}
	switch s[1] {
	case '"', '\\', '/':
		return rune(s[1]), 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r := hex4(s)
		if r < 0 {
			return 0, 0
		}
		if !utf16.IsSurrogate(r) {
			return r, 6
		}
		// A surrogate pair makes one rune; anything else is U+FFFD and the next escape
		// is read on its own.
		if len(s) >= 12 {
			if r2 := hex4(s[6:]); r2 >= 0 {
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return dec, 12
				}
			}
		}
		return utf8.RuneError, 6
	}
	return 0, 0
}

// hex4 reads `\uXXXX` at the start of s and returns XXXX, or -1.
func hex4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// appendCanonicalRune writes the (valid) rune r inside a string as encoding/json's encoder
// does with HTML escaping off.
func appendCanonicalRune(b []byte, r rune) []byte {
	const hexd = "0123456789abcdef"
	switch {
	case r == '"' || r == '\\':
		return append(b, '\\', byte(r))
	case r >= 0x20 && r < utf8.RuneSelf:
		return append(b, byte(r))
	case r == '\b':
		return append(b, '\\', 'b')
	case r == '\f':
		return append(b, '\\', 'f')
	case r == '\n':
		return append(b, '\\', 'n')
	case r == '\r':
		return append(b, '\\', 'r')
	case r == '\t':
		return append(b, '\\', 't')
	case r < 0x20 || r == '\u2028' || r == '\u2029':
		return append(b, '\\', 'u', hexd[r>>12&0xF], hexd[r>>8&0xF], hexd[r>>4&0xF], hexd[r&0xF])
	}
	return utf8.AppendRune(b, r)
}
