package docxfill

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Limits applied by NewTemplate to every uploaded template.
const (
	// MaxTemplateSize is the largest accepted .docx file (compressed).
	MaxTemplateSize = 10 << 20
	// MaxEntries is the largest number of zip entries.
	MaxEntries = 1000
	// MaxEntrySize is the largest uncompressed size of one entry.
	MaxEntrySize = 32 << 20
	// MaxTotalSize is the largest uncompressed size of all entries together.
	MaxTotalSize = 96 << 20
	// MaxPartSize is the largest uncompressed size of a part that is searched for
	// placeholders (document, headers, footers, notes).
	MaxPartSize = 8 << 20
	// MaxRunsPerPart is the largest number of runs (<w:r>) in a part that holds
	// placeholders; go-docx's parser takes time quadratic in this number.
	MaxRunsPerPart = 20000
)

const (
	documentPart     = "word/document.xml"
	contentTypesPart = "[Content_Types].xml"
)

// entry is one zip entry of a template, kept in archive order.
type entry struct {
	hdr  zip.FileHeader // copied for every render; CreateRaw modifies the header it gets
	raw  []byte         // compressed bytes, written as they are when part is nil
	part *part          // set when the entry holds placeholders and is filled per render
}

// readArchive checks b as a zip archive within the limits and returns its entries, with
// the uncompressed content of every entry that may hold placeholders.
func readArchive(name string, b []byte) ([]*entry, map[string][]byte, error) {
	if len(b) > MaxTemplateSize {
		return nil, nil, invalid(name, "file is %d bytes, more than the limit of %d", len(b), MaxTemplateSize)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, nil, invalid(name, "not a readable zip archive (truncated or not a .docx?): %v", err)
	}
	if len(zr.File) > MaxEntries {
		return nil, nil, invalid(name, "%d zip entries, more than the limit of %d", len(zr.File), MaxEntries)
	}

	var (
		entries []*entry
		texts   = map[string][]byte{}
		seen    = map[string]bool{}
		total   uint64
	)
	for _, f := range zr.File {
		if err := checkEntryName(f.Name); err != nil {
			return nil, nil, invalid(name, "zip entry %q: %v", f.Name, err)
		}
		key := strings.ToLower(f.Name) // part names in a package are case-insensitive
		if seen[key] {
			return nil, nil, invalid(name, "zip entry %q appears twice", f.Name)
		}
		seen[key] = true
		if f.UncompressedSize64 > MaxEntrySize {
			return nil, nil, invalid(name, "zip entry %q unpacks to %d bytes, more than the limit of %d", f.Name, f.UncompressedSize64, MaxEntrySize)
		}
		total += f.UncompressedSize64
		if total > MaxTotalSize {
			return nil, nil, invalid(name, "zip entries unpack to more than the limit of %d bytes", MaxTotalSize)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, nil, invalid(name, "zip entry %q uses compression method %d (only stored and deflated are allowed)", f.Name, f.Method)
		}
		if f.Flags&0x1 != 0 {
			return nil, nil, invalid(name, "zip entry %q is encrypted", f.Name)
		}

		// Unpack every entry once: this checks the CRC of entries that will be copied
		// unchanged, and the sizes against what the header claims.
		content, err := readEntry(f)
		if err != nil {
			return nil, nil, invalid(name, "zip entry %q: %v", f.Name, err)
		}
		if isTextPart(f.Name) && bytes.IndexByte(content, '{') >= 0 {
			if len(content) > MaxPartSize {
				return nil, nil, invalid(name, "part %q is %d bytes, more than the limit of %d", f.Name, len(content), MaxPartSize)
			}
			texts[f.Name] = content
		}

		rawReader, err := f.OpenRaw()
		if err != nil {
			return nil, nil, invalid(name, "zip entry %q: %v", f.Name, err)
		}
		raw, err := io.ReadAll(rawReader)
		if err != nil {
			return nil, nil, invalid(name, "zip entry %q: %v", f.Name, err)
		}
		entries = append(entries, &entry{hdr: f.FileHeader, raw: raw})
	}
	if !seen[strings.ToLower(documentPart)] || !seen[strings.ToLower(contentTypesPart)] {
		return nil, nil, invalid(name, "not a Word document: %s or %s is missing", documentPart, contentTypesPart)
	}
	for _, e := range entries {
		if e.hdr.Name != documentPart && strings.EqualFold(e.hdr.Name, documentPart) {
			return nil, nil, invalid(name, "main part is named %q, expected %q", e.hdr.Name, documentPart)
		}
	}
	return entries, texts, nil
}

// readEntry unpacks f, reading at most MaxEntrySize bytes whatever the header says.
// archive/zip checks the CRC and the declared size at the end of the data.
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	content, err := io.ReadAll(io.LimitReader(rc, MaxEntrySize+1))
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
		return nil, fmt.Errorf("content does not match its header (size or checksum): %w", err)
	}
	if err != nil {
		return nil, err
	}
	if len(content) > MaxEntrySize {
		return nil, fmt.Errorf("unpacks to more than the limit of %d bytes", MaxEntrySize)
	}
	return content, nil
}

// checkEntryName refuses names that could escape a directory when unpacked, or that
// no Office package uses: absolute, "..", backslashes, drive letters, control characters.
func checkEntryName(n string) error {
	if n == "" {
		return errors.New("empty name")
	}
	if strings.ContainsAny(n, `\:`) {
		return errors.New(`name contains '\' or ':'`)
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f {
			return errors.New("name contains a control character")
		}
	}
	if !fs.ValidPath(strings.TrimSuffix(n, "/")) {
		return errors.New("absolute name or name with '.', '..' or empty elements")
	}
	return nil
}

// isTextPart reports whether the part may carry placeholders: the main document,
// headers, footers, footnotes and endnotes.
func isTextPart(n string) bool {
	if n == documentPart || n == "word/footnotes.xml" || n == "word/endnotes.xml" {
		return true
	}
	for _, prefix := range []string{"word/header", "word/footer"} {
		if rest, ok := strings.CutPrefix(n, prefix); ok {
			digits, ok := strings.CutSuffix(rest, ".xml")
			if !ok {
				return false
			}
			for _, c := range digits {
				if c < '0' || c > '9' {
					return false
				}
			}
			return true
		}
	}
	return false
}
