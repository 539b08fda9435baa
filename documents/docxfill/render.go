package docxfill

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// bufPool holds output buffers for rendered parts.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// flatePool holds deflate writers at BestSpeed for the filled parts. Compression is most
// of a render's cost; BestSpeed is several times faster than archive/zip's default level
// and costs a few percent of size on WordprocessingML.
var flatePool sync.Pool

// pooledFlate returns its writer to flatePool on Close.
type pooledFlate struct{ fw *flate.Writer }

func (p *pooledFlate) Write(b []byte) (int, error) { return p.fw.Write(b) }

func (p *pooledFlate) Close() error {
	err := p.fw.Close()
	flatePool.Put(p.fw)
	p.fw = nil
	return err
}

func newFlate(w io.Writer) (io.WriteCloser, error) {
	if fw, ok := flatePool.Get().(*flate.Writer); ok {
		fw.Reset(w)
		return &pooledFlate{fw}, nil
	}
	fw, err := flate.NewWriter(w, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	return &pooledFlate{fw}, nil
}

// maxPooledBuf keeps a few huge documents from pinning memory in the pool.
const maxPooledBuf = 4 << 20

// Render fills the template with d and writes the .docx to w.
//
// If placeholders have no value, Render writes nothing and returns a *MissingError
// listing them all. Otherwise the only errors are w's.
func (t *Template) Render(w io.Writer, d Data) error {
	var (
		bufs    = make([]*[]byte, len(t.entries))
		missing []string
	)
	defer func() {
		for _, b := range bufs {
			if b != nil && cap(*b) <= maxPooledBuf {
				*b = (*b)[:0]
				bufPool.Put(b)
			}
		}
	}()
	for i, e := range t.entries {
		if e.part == nil {
			continue
		}
		b := bufPool.Get().(*[]byte)
		if cap(*b) < e.part.size+e.part.size/2 {
			*b = make([]byte, 0, e.part.size+e.part.size/2)
		}
		*b = renderOps((*b)[:0], e.part.ops, &d, nil, 0, &missing)
		bufs[i] = b
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return &MissingError{Template: t.name, Keys: slices.Compact(missing)}
	}

	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, newFlate)
	hdrs := make([]zip.FileHeader, len(t.entries))
	for i, e := range t.entries {
		h := &hdrs[i]
		var (
			fw  io.Writer
			err error
		)
		if e.part == nil {
			// Untouched entries keep their compressed bytes, as zip.Writer.Copy does.
			*h = e.hdr
			fw, err = zw.CreateRaw(h)
		} else {
			*h = zip.FileHeader{Name: e.hdr.Name, Method: zip.Deflate}
			// Keep the template's timestamp, so output never depends on the clock.
			h.ModifiedTime, h.ModifiedDate = e.hdr.ModifiedTime, e.hdr.ModifiedDate
			fw, err = zw.CreateHeader(h)
		}
		if err != nil {
			return fmt.Errorf("docxfill: writing %s: %w", e.hdr.Name, err)
		}
		data := e.raw
		if e.part != nil {
			data = *bufs[i]
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("docxfill: writing %s: %w", e.hdr.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("docxfill: writing zip: %w", err)
	}
	return nil
}

// renderOps appends the output of ops to buf. item is the current list item inside a
// loop row (nil at top level and for a loop row filled from Values); index is its
// position. Keys without a value are appended to missing.
func renderOps(buf []byte, ops []op, d *Data, item map[string]string, index int, missing *[]string) []byte {
	inLoop := item != nil
	for i := range ops {
		o := &ops[i]
		switch o.kind {
		case opLit:
			buf = append(buf, o.lit...)
		case opValue:
			switch {
			case inLoop:
				v, ok := item[o.key]
				switch {
				case ok:
					buf = appendText(buf, v)
				case o.key == "#":
					buf = strconv.AppendInt(buf, int64(index+1), 10)
				default:
					*missing = append(*missing, o.full[:len(o.full)-len(o.key)]+strconv.Itoa(index)+"."+o.key)
				}
			default:
				key := o.key
				if o.full != "" {
					key = o.full
				}
				if v, ok := d.Values[key]; ok {
					buf = appendText(buf, v)
				} else {
					*missing = append(*missing, key)
				}
			}
		case opLoop:
			items, ok := d.Lists[o.loop.list]
			if !ok {
				buf = renderOps(buf, o.loop.ops, d, nil, 0, missing)
				continue
			}
			for n, it := range items {
				if it == nil {
					it = map[string]string{}
				}
				buf = renderOps(buf, o.loop.ops, d, it, n, missing)
			}
		}
	}
	return buf
}

// Replacement markup for control characters inside a w:t. The reopened w:t preserves
// spaces, so text after a line break keeps its indentation.
const (
	lineBreak = `</w:t><w:br/><w:t xml:space="preserve">`
	tab       = `</w:t><w:tab/><w:t xml:space="preserve">`
)

// appendText appends s as the content of a w:t: XML-escaped the way go-docx escapes
// (html.EscapeString), "\n", "\r\n" and "\r" as line breaks, "\t" as a tab, other
// characters that XML 1.0 forbids dropped, invalid UTF-8 as U+FFFD.
func appendText(buf []byte, s string) []byte {
	valid := utf8.ValidString(s)
	start := 0 // s[start:i] is pending plain text
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'' {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			// In valid UTF-8 only U+FFFE and U+FFFF (EF BF BE, EF BF BF) need work.
			if valid && (c != 0xEF || i+2 >= len(s) || s[i+1] != 0xBF || s[i+2] < 0xBE) {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				buf = append(buf, s[start:i]...)
				buf = append(buf, "\uFFFD"...)
			case r == 0xFFFE || r == 0xFFFF:
				buf = append(buf, s[start:i]...)
			default:
				i += size
				continue
			}
			i += size
			start = i
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '&':
			buf = append(buf, "&amp;"...)
		case '<':
			buf = append(buf, "&lt;"...)
		case '>':
			buf = append(buf, "&gt;"...)
		case '"':
			buf = append(buf, "&#34;"...)
		case '\'':
			buf = append(buf, "&#39;"...)
		case '\n':
			buf = append(buf, lineBreak...)
		case '\r':
			buf = append(buf, lineBreak...)
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case '\t':
			buf = append(buf, tab...)
		}
		i++
		start = i
	}
	return append(buf, s[start:]...)
}
