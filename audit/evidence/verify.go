package evidence

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Limits on what the offline verifier reads from a bundle.
const (
	maxEntrySize = 1 << 30 // one file
	maxTotalSize = 8 << 30 // all files
)

// BundleOptions tunes VerifyBundle.
type BundleOptions struct {
	// Key is the server's verifier key (note format "name+hash+base64"). Empty means the key
	// the bundle carries, which proves only that the bundle is self-consistent.
	Key string
}

// VerifyBundle checks an evidence bundle without any database: the manifest's events must
// form an unbroken chain, the checkpoint must be signed by the key, the deal's logged head
// must be included in it and still be in the chain, and every file in the bundle must hash
// to what an event recorded, with nothing added or left out. An error means the bundle could
// not be read at all; every mismatch is a Problem in the report.
func VerifyBundle(r io.ReaderAt, size int64, opts BundleOptions) (*Report, error) {
	start := time.Now()
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a zip archive: %w", err)
	}
	rep := &Report{CheckedAt: time.Now().UTC().Format(time.RFC3339), Rerender: "not possible offline"}
	defer func() { rep.DurationMS = float64(time.Since(start).Microseconds()) / 1000 }()
	entries := map[string]*zip.File{}
	var total uint64
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") && f.UncompressedSize64 == 0 {
			continue // a directory entry
		}
		if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name || strings.HasPrefix(name, "../") {
			rep.Problems = append(rep.Problems, Problem{Code: CodeBundleEntry, File: name, Message: fmt.Sprintf("entry %q has an unsafe name", name)})
			continue
		}
		if entries[name] != nil {
			rep.Problems = append(rep.Problems, Problem{Code: CodeBundleEntry, File: name, Message: fmt.Sprintf("entry %q appears more than once", name)})
			continue
		}
		total += f.UncompressedSize64
		if f.UncompressedSize64 > maxEntrySize || total > maxTotalSize {
			return nil, fmt.Errorf("entry %q makes the bundle larger than the verifier reads", name)
		}
		entries[name] = f
	}
	used := map[string]bool{}
	read := func(name string) ([]byte, error) {
		f := entries[name]
		if f == nil {
			return nil, ErrNoContent
		}
		used[name] = true
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxEntrySize+1))
		if errors.Is(err, zip.ErrChecksum) {
			// The bytes were changed without fixing the zip's CRC. Say so, and go on with
			// the bytes, so that the hash checks name what they belong to.
			rep.Problems = append(rep.Problems, Problem{Code: CodeBundleEntry, File: name, Message: fmt.Sprintf("entry %q fails its zip checksum: its bytes were changed", name)})
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", name, err)
		}
		return b, nil
	}

	raw, err := read(ManifestPath)
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleManifest, File: ManifestPath, Message: "the bundle has no readable manifest.json"})
		rep.Finish()
		return rep, nil
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleManifest, File: ManifestPath, Message: "manifest.json is not valid: " + err.Error()})
		rep.Finish()
		return rep, nil
	}
	if m.Format != BundleFormat {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleManifest, File: ManifestPath, Field: "format", Expected: BundleFormat, Found: m.Format,
			Message: "the bundle is not in a format this verifier knows"})
		rep.Finish()
		return rep, nil
	}
	rep.DealID = m.Deal.ID
	key, pinned := strings.TrimSpace(opts.Key), true
	if key == "" {
		key, pinned = m.PublicKey, false
		rep.Notes = append(rep.Notes, "no --key given: the bundle was checked with the key it carries itself, which proves it is intact but not who made it; pin the server's key (GET /api/v1/audit/public-key)")
	}
	checkSignature(rep, raw, key, read)
	if b, err := read(SummaryPath); err != nil || !bytes.Equal(b, Summary(&m)) {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleEntry, File: SummaryPath, Message: "SUMMARY.txt is missing or says something other than the manifest"})
	}

	mat := &Material{DealID: m.Deal.ID, Templates: map[int64]Template{}, Content: read}
	for _, me := range m.Events {
		e, err := me.Event(m.Deal.ID)
		if err != nil {
			rep.Problems = append(rep.Problems, Problem{Code: CodeEventField, EventSeq: me.Seq, Field: "at", Found: me.At, Message: err.Error()})
			continue
		}
		mat.Events = append(mat.Events, e)
	}
	rep.Events = len(mat.Events)
	if n := len(mat.Events); n > 0 {
		rep.Head = &Head{DealID: m.Deal.ID, Seq: mat.Events[n-1].Seq, Hash: mat.Events[n-1].Hash}
	}
	for _, d := range m.Documents {
		doc := Document{ID: d.ID, Kind: d.Kind, Number: d.Number, Version: d.Version, Status: d.Status, SupersedesID: d.SupersedesID, DataSHA256: d.DataSHA256}
		if len(d.Templates) > 0 && string(d.Templates) != "null" {
			if err := json.Unmarshal(d.Templates, &doc.Templates); err != nil {
				rep.Problems = append(rep.Problems, Problem{Code: CodeBundleManifest, DocumentID: d.ID, Field: "templates", Message: fmt.Sprintf("document %d: templates are unreadable", d.ID)})
			}
		}
		if b, err := read(d.DataPath); err == nil {
			doc.Data, doc.HasData = b, true
		} else {
			rep.Problems = append(rep.Problems, Problem{Code: CodeBundleEntry, DocumentID: d.ID, File: d.DataPath, Expected: d.DataSHA256,
				Message: fmt.Sprintf("document %d: its data file %q is not in the bundle", d.ID, d.DataPath)})
		}
		for _, f := range d.Files {
			doc.Files = append(doc.Files, File{Format: f.Format, SHA256: f.SHA256, Ref: f.Path})
		}
		mat.Documents = append(mat.Documents, doc)
	}
	rep.Documents = len(mat.Documents)
	for _, a := range m.Attachments {
		mat.Attachments = append(mat.Attachments, Attachment{ID: a.ID, DocumentID: a.DocumentID, Filename: a.Filename, ContentType: a.ContentType,
			SHA256: a.SHA256, Size: a.Size, Ref: a.Path})
	}
	for _, t := range m.Templates {
		mat.Templates[t.ID] = Template{ID: t.ID, Kind: t.Kind, Format: t.Format, Version: t.Version, SHA256: t.SHA256, Ref: t.Path}
	}

	// The anchor: a signed checkpoint that includes the deal's logged head.
	if cp := m.Checkpoint; cp == nil {
		rep.Problems = append(rep.Problems, Problem{Code: CodeCheckpointNone, Message: "the bundle carries no signed checkpoint, so nothing anchors its chain of events"})
	} else {
		if txt, err := read(CheckpointPath); err != nil || string(txt) != cp.Note {
			rep.Problems = append(rep.Problems, Problem{Code: CodeBundleEntry, File: CheckpointPath, Message: "checkpoint.txt is missing or differs from the manifest's checkpoint note"})
		}
		if head, ok := checkCheckpoint(rep, cp, key, m.Deal.ID); ok {
			mat.Logged = []Head{head}
			covered := 0
			for _, e := range mat.Events {
				if e.Seq <= head.Seq {
					covered++
				}
			}
			rep.Checkpoint = &CheckpointStatus{Size: cp.Size, Root: cp.Root, LeafIndex: cp.LeafIndex, Seq: head.Seq, Head: head.Hash,
				Covered: covered, Uncovered: len(mat.Events) - covered, KeyPinned: pinned}
			if rep.Checkpoint.Uncovered > 0 {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%d event(s) after event %d are chained but not yet in a signed checkpoint", rep.Checkpoint.Uncovered, head.Seq))
			}
		}
	}

	out := Check(mat)
	rep.Problems = append(rep.Problems, out.Problems...)
	rep.Files = out.Files

	// Every file a record names was read by Check; whatever is left was never accounted for.
	var extra []string
	for name := range entries {
		if !used[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleEntry, File: name, Message: fmt.Sprintf("entry %q is not accounted for by any event or record of the manifest", name)})
	}
	if m.ServerReport != nil && !m.ServerReport.OK {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the server's own verification, when it wrote the bundle, found %d problem(s)", len(m.ServerReport.Problems)))
	}
	rep.Finish()
	return rep, nil
}

// checkSignature checks manifest.sig: a note signed by the key whose text names the SHA-256
// of manifest.json.
func checkSignature(rep *Report, manifest []byte, key string, read func(string) ([]byte, error)) {
	fail := func(msg string) {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleSignature, File: SignaturePath, Message: msg})
	}
	sig, err := read(SignaturePath)
	if err != nil {
		fail("the bundle has no manifest.sig: nothing shows that the server wrote this manifest")
		return
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		fail("no usable key to check manifest.sig with: " + err.Error())
		return
	}
	n, err := note.Open(sig, note.VerifierList(v))
	if err != nil {
		fail("manifest.sig does not verify with the key: " + err.Error())
		return
	}
	if want := ManifestNoteText(manifest); n.Text != want {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleSignature, File: ManifestPath, Expected: strings.TrimSpace(n.Text), Found: strings.TrimSpace(want),
			Message: "manifest.json was changed after the server signed it"})
	}
}

// checkCheckpoint verifies the checkpoint's signature and the inclusion proof of the logged
// head, and returns the head.
func checkCheckpoint(rep *Report, cp *ManifestCheckpoint, key string, dealID int64) (Head, bool) {
	fail := func(code, msg string) (Head, bool) {
		rep.Problems = append(rep.Problems, Problem{Code: code, EventSeq: cp.Seq, Message: msg})
		return Head{}, false
	}
	if key == "" {
		return fail(CodeCheckpointSig, "no key to check the checkpoint's signature with")
	}
	c, err := OpenCheckpoint([]byte(cp.Note), key)
	if err != nil {
		return fail(CodeCheckpointSig, "the checkpoint's signature does not verify with the key: "+err.Error())
	}
	if c.Size != cp.Size || base64.StdEncoding.EncodeToString(c.Root) != cp.Root || c.Origin != cp.Origin {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleManifest, Field: "checkpoint",
			Expected: fmt.Sprintf("%s %d %s", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root)), Found: fmt.Sprintf("%s %d %s", cp.Origin, cp.Size, cp.Root),
			Message: "the manifest's checkpoint fields differ from the signed note (the signed note is what counts)"})
	}
	head, err := ParseLeaf([]byte(cp.Leaf))
	if err != nil {
		return fail(CodeCheckpointProof, "the logged leaf is unreadable: "+err.Error())
	}
	if head.DealID != dealID {
		return fail(CodeCheckpointProof, fmt.Sprintf("the checkpoint proof is for deal %d, not deal %d", head.DealID, dealID))
	}
	if head.Seq != cp.Seq || head.Hash != cp.Head {
		rep.Problems = append(rep.Problems, Problem{Code: CodeBundleManifest, Field: "checkpoint.head", Expected: fmt.Sprintf("%d %s", head.Seq, head.Hash),
			Found: fmt.Sprintf("%d %s", cp.Seq, cp.Head), Message: "the manifest's head differs from the logged leaf (the leaf is what counts)"})
	}
	path, err := DecodeHashes(cp.Proof)
	if err != nil {
		return fail(CodeCheckpointProof, "the inclusion proof is unreadable: "+err.Error())
	}
	leafHash := LeafHash([]byte(cp.Leaf))
	if err := VerifyInclusion(cp.LeafIndex, c.Size, leafHash, path, c.Root); err != nil {
		return fail(CodeCheckpointProof, fmt.Sprintf("the deal's head (event %d) is not proven to be in the signed checkpoint of size %d: %v", head.Seq, c.Size, err))
	}
	return head, true
}
