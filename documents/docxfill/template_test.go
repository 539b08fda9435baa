package docxfill_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"testing"

	"github.com/dealgate/dealgate/documents/docxfill"
)

// zeroStream is a deflate stream of n MiB of zeros and its CRC-32, built without
// compressing n MiB: one MiB is compressed once and the sync-flushed, byte-aligned
// block sequence is repeated (it refers to nothing before itself), then a final empty
// block ends the stream.
func zeroStream(t testing.TB, mib int) (stream []byte, crc uint32) {
	t.Helper()
	zeros := make([]byte, 1<<20)
	var chunk bytes.Buffer
	fw, err := flate.NewWriter(&chunk, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(zeros)
	fw.Flush()
	var end bytes.Buffer
	fe, _ := flate.NewWriter(&end, flate.BestCompression)
	fe.Close()
	stream = append(bytes.Repeat(chunk.Bytes(), mib), end.Bytes()...)
	for range mib {
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	return stream, crc
}

var (
	bombOnce   sync.Once
	bombStream []byte
	bombCRC    uint32
)

// bombZip is a .docx whose word/document.xml unpacks to 1 GiB of zeros (about 1 MB
// compressed). declared is the uncompressed size written in the headers.
func bombZip(t testing.TB, declared uint64) []byte {
	t.Helper()
	bombOnce.Do(func() { bombStream, bombCRC = zeroStream(t, 1024) })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(contentTypes))
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "word/document.xml", Method: zip.Deflate, CRC32: bombCRC,
		CompressedSize64: uint64(len(bombStream)), UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bombStream)
	zw.Close()
	return buf.Bytes()
}

func TestZeroStreamIsValid(t *testing.T) {
	stream, crc := zeroStream(t, 3)
	r := flate.NewReader(bytes.NewReader(stream))
	h := crc32.NewIEEE()
	n, err := bytes.NewBuffer(nil).ReadFrom(teeHash{r, h})
	if err != nil || n != 3<<20 || h.Sum32() != crc {
		t.Fatalf("n=%d err=%v crc ok=%v", n, err, h.Sum32() == crc)
	}
}

type teeHash struct {
	r interface{ Read([]byte) (int, error) }
	h interface{ Write([]byte) (int, error) }
}

func (t teeHash) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.h.Write(p[:n])
	return n, err
}

func TestNewTemplateRejects(t *testing.T) {
	good := proposalBytes(t)
	ct := file{"[Content_Types].xml", contentTypes}
	doc := func(body string) file {
		return file{"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`}
	}
	manyEntries := []file{ct, doc(para("x"))}
	for i := range docxfill.MaxEntries {
		manyEntries = append(manyEntries, file{fmt.Sprintf("customXml/item%d.xml", i), "<a/>"})
	}
	manyRuns := strings.Repeat(`<w:r><w:t>x</w:t></w:r>`, docxfill.MaxRunsPerPart)
	unsupported := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("[Content_Types].xml")
		w.Write([]byte(contentTypes))
		w, _ = zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: 12, CompressedSize64: 3, UncompressedSize64: 3})
		w.Write([]byte("abc"))
		zw.Close()
		return buf.Bytes()
	}

	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty input", nil, "not a readable zip"},
		{"not a zip", []byte("%PDF-1.7 this is not a docx"), "not a readable zip"},
		{"truncated in the middle", good[:len(good)/2], "not a readable zip"},
		{"truncated central directory", good[:len(good)-30], "not a readable zip"},
		{"too large", bytes.Repeat([]byte{'x'}, docxfill.MaxTemplateSize+1), "more than the limit"},
		{"zip bomb, honest header", bombZip(t, 1<<30), "unpacks to 1073741824 bytes"},
		{"zip bomb, lying header", bombZip(t, 1000), "does not match its header"},
		{"path traversal", makeZip(t, ct, doc(para("x")), file{"../../etc/evil.xml", "<a/>"}), `"../../etc/evil.xml"`},
		{"absolute name", makeZip(t, ct, doc(para("x")), file{"/word/abs.xml", "<a/>"}), "absolute name"},
		{"backslash name", makeZip(t, ct, doc(para("x")), file{`word\..\..\evil.xml`, "<a/>"}), `'\'`},
		{"drive letter", makeZip(t, ct, doc(para("x")), file{"C:/evil.xml", "<a/>"}), `':'`},
		{"dot element", makeZip(t, ct, doc(para("x")), file{"word/./x.xml", "<a/>"}), "'.'"},
		{"duplicate entry", makeZip(t, ct, doc(para("x")), doc(para("y"))), "appears twice"},
		{"duplicate entry, other case", makeZip(t, ct, doc(para("x")), file{"WORD/document.xml", "<a/>"}), "appears twice"},
		{"too many entries", makeZip(t, manyEntries...), "zip entries, more than the limit"},
		{"unsupported compression", unsupported(), "compression method 12"},
		{"no document.xml", makeZip(t, ct, file{"word/styles.xml", "<a/>"}), "word/document.xml or [Content_Types].xml is missing"},
		{"no content types", makeZip(t, doc(para("x"))), "is missing"},
		{"malformed XML", makeZip(t, ct, file{"word/document.xml", `<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>{a}</w:t></w:r></w:body>`}), "word/document.xml"},
		{"nested placeholder", docWithBody(t, para("{a{b}}")), "placeholders were recognised"},
		{"unclosed placeholder", docWithBody(t, para("{abc", "def")), `check "{abcdef"`},
		{"stray closing brace", docWithBody(t, para("{a} abc}")), "placeholders were recognised"},
		{"space in key", docWithBody(t, para("{a b}")), `character ' ' not allowed`},
		{"empty key", docWithBody(t, para("{}")), "empty key"},
		{"empty segment", docWithBody(t, para("{a..b}")), "empty segment"},
		{"entity in key", docWithBody(t, para("{a&amp;b}")), "not allowed"},
		{"placeholder hidden in a run with two texts", docWithBody(t, `<w:p><w:r><w:t>{a}</w:t><w:br/><w:t>x</w:t></w:r></w:p>`), "several text elements"},
		{"too many runs", docWithBody(t, "<w:p>"+manyRuns+`<w:r><w:t>{a}</w:t></w:r></w:p>`), "runs, more than the limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := docxfill.NewTemplate("upload.docx", c.in)
			if err == nil {
				t.Fatalf("accepted; placeholders %v", tpl.Placeholders())
			}
			if !errors.Is(err, docxfill.ErrInvalidTemplate) {
				t.Errorf("error %v does not wrap ErrInvalidTemplate", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "upload.docx") {
				t.Errorf("error %q does not mention %q and the template name", err, c.want)
			}
		})
	}
}

func TestNewTemplateAccepts(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		keys []string
	}{
		{"no placeholders", docWithBody(t, para("Просто текст")), nil},
		{"self-closing w:t", docWithBody(t, `<w:p><w:r><w:t/></w:r><w:r><w:t xml:space="preserve"/></w:r><w:r><w:t>{a}</w:t></w:r></w:p>`), []string{"a"}},
		{"braces outside text", docWithBody(t, `<w:p><w:r><w:instrText>{ PAGE }</w:instrText></w:r><w:r><w:t>{b}</w:t></w:r></w:p>`), []string{"b"}},
		{"Cyrillic and symbols in keys", docWithBody(t, para("{клиент.ИНН}", "{a_b-c.#}")), []string{"a_b-c.#", "клиент.ИНН"}},
		{"split over three runs with proofErr", docWithBody(t, `<w:p><w:r><w:t>{</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:b/></w:rPr><w:t>seller</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:t>.inn}</w:t></w:r></w:p>`), []string{"seller.inn"}},
		{"header and footer", docWithBody(t, para("{a}"),
			file{"word/header1.xml", `<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` + para("{h}") + `</w:hdr>`},
			file{"word/footer2.xml", `<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` + para("{f}") + `</w:ftr>`},
			file{"word/other.xml", `<x>{not.a.part}</x>`}), []string{"a", "f", "h"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := docxfill.NewTemplate(c.name, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.Placeholders(); strings.Join(got, ",") != strings.Join(c.keys, ",") {
				t.Fatalf("Placeholders() = %v, want %v", got, c.keys)
			}
			vals := map[string]string{}
			for _, k := range c.keys {
				vals[k] = "<" + k + ">"
			}
			out := render(t, tpl, docxfill.Data{Values: vals})
			zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, f := range zr.File {
				if strings.HasPrefix(f.Name, "word/") {
					all.WriteString(wordText(t, readPart(t, out, f.Name)))
				}
			}
			for _, k := range c.keys {
				if !strings.Contains(all.String(), "<"+k+">") {
					t.Errorf("value of %s not in output text %q", k, all.String())
				}
			}
			if c.keys == nil && !bytes.Equal(readPart(t, out, "word/document.xml"), readPart(t, c.in, "word/document.xml")) {
				t.Error("a template without placeholders changed")
			}
		})
	}
}
