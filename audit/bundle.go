package audit

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// BundleName is the file name a deal's evidence bundle is offered under.
func BundleName(dealID int64) string { return fmt.Sprintf("evidence-deal-%d.zip", dealID) }

// WriteBundle writes the deal's evidence bundle (docs/AUDIT.md, "Evidence bundle") to w: a
// checkpoint is made first so that the deal's head is anchored, then every document file
// (all versions), its data, every signed copy and uploaded template, the manifest and a
// summary are written exactly as stored — tampered records go in as they are, so the offline
// verifier finds what the server found. by is the user the bundle is made for.
func (s *Service) WriteBundle(ctx context.Context, w io.Writer, dealID int64, by *storage.User) (*evidence.Report, error) {
	if _, err := s.Checkpoint(ctx); err != nil {
		s.log.Warn("audit: checkpoint before an evidence bundle failed; the bundle carries the latest one there is", "deal_id", dealID, "err", err)
	}
	cache := map[string][]byte{}
	blobs := s.blobContent(ctx)
	content := func(sha string) ([]byte, error) {
		if b, ok := cache[sha]; ok {
			return b, nil
		}
		b, err := blobs(sha)
		if err == nil {
			cache[sha] = b
		}
		return b, err
	}
	rep, g, err := s.verify(ctx, dealID, content)
	if err != nil {
		return nil, err
	}
	now := s.now()
	m := &evidence.Manifest{Format: evidence.BundleFormat, GeneratedAt: now.Format(time.RFC3339Nano), Deal: dealInfo(g), ServerReport: rep,
		Events: []evidence.ManifestEvent{}, Documents: []evidence.ManifestDocument{}, Attachments: []evidence.ManifestAttachment{}, Templates: []evidence.ManifestTemplate{}}
	if by != nil {
		m.GeneratedBy = &evidence.Actor{ID: by.ID, Email: by.Email, Name: by.Name, Role: string(by.Role)}
	}
	pk, err := s.PublicKey(ctx)
	if err != nil {
		return nil, err
	}
	m.PublicKey = pk.VerifierKey
	for _, e := range g.events {
		m.Events = append(m.Events, evidence.EventToManifest(e))
	}
	type entry struct {
		path   string
		body   []byte
		stored bool // already compressed formats are stored, not deflated
	}
	var files []entry
	for _, d := range g.docs {
		base := fmt.Sprintf("documents/%d-%s-v%d", d.ID, evidence.SafeName(string(d.Kind)), d.Version)
		md := evidence.ManifestDocument{ID: d.ID, Kind: string(d.Kind), Number: d.Number, Version: d.Version, Status: string(d.Status),
			DataSHA256: d.DataSHA256, DataPath: base + ".data.json", Files: []evidence.ManifestFile{}, CreatedBy: d.CreatedBy,
			CreatedAt: d.CreatedAt.UTC().Format(time.RFC3339Nano)}
		if d.SupersedesID != nil {
			md.SupersedesID = *d.SupersedesID
		}
		if d.FinalisedAt != nil {
			md.FinalisedAt = d.FinalisedAt.UTC().Format(time.RFC3339Nano)
		}
		md.Templates, _ = workflow.CanonicalJSON(d.Templates)
		files = append(files, entry{path: md.DataPath, body: d.Data})
		for _, f := range []struct{ format, sha string }{{"pdf", d.PDFSHA256}, {"docx", d.DOCXSHA256}} {
			if f.sha == "" {
				continue
			}
			mf := evidence.ManifestFile{Format: f.format, Path: base + "." + f.format, SHA256: f.sha}
			if b, err := content(f.sha); err == nil {
				mf.Size = int64(len(b))
				files = append(files, entry{path: mf.Path, body: b, stored: true})
			}
			md.Files = append(md.Files, mf)
		}
		m.Documents = append(m.Documents, md)
	}
	for _, a := range g.atts {
		ma := evidence.ManifestAttachment{ID: a.ID, DocumentID: a.DocumentID, Filename: a.Filename, ContentType: a.ContentType,
			Path: fmt.Sprintf("signed/%d-%s", a.ID, evidence.SafeName(a.Filename)), SHA256: a.SHA256, Size: a.Size, CreatedBy: a.CreatedBy,
			CreatedAt: a.CreatedAt.UTC().Format(time.RFC3339Nano)}
		if b, err := content(a.SHA256); err == nil {
			files = append(files, entry{path: ma.Path, body: b, stored: true})
		}
		m.Attachments = append(m.Attachments, ma)
	}
	for _, t := range sortedTemplates(g.templates) {
		mt := evidence.ManifestTemplate{ID: t.ID, Kind: string(t.Kind), Format: t.Format, Version: t.Version, SHA256: t.SHA256, Filename: t.Filename,
			Path: fmt.Sprintf("templates/%d-%s-v%d.%s", t.ID, evidence.SafeName(string(t.Kind)), t.Version, evidence.SafeName(t.Format))}
		if b, err := content(t.SHA256); err == nil {
			files = append(files, entry{path: mt.Path, body: b, stored: true})
		}
		m.Templates = append(m.Templates, mt)
	}
	if cp, err := s.LatestCheckpoint(ctx); err == nil {
		if p, err := s.Inclusion(ctx, cp.Size, dealID); err == nil {
			m.Checkpoint = &evidence.ManifestCheckpoint{Note: cp.Note, Origin: cp.Origin, Size: cp.Size, Root: cp.Root, LeafIndex: p.LeafIndex,
				Leaf: p.Leaf, LeafHash: p.LeafHash, Seq: p.Seq, Head: p.Head, Proof: p.Proof}
		} else if workflow.Code(err) != workflow.ENOTFOUND {
			return nil, err
		}
	} else if workflow.Code(err) != workflow.ENOTFOUND {
		return nil, err
	}

	var manifest bytes.Buffer
	enc := json.NewEncoder(&manifest)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	zw := zip.NewWriter(w)
	add := func(name string, body []byte, stored bool) error {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now}
		if stored {
			h.Method = zip.Store
		}
		f, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		_, err = f.Write(body)
		return err
	}
	if err := add(evidence.ManifestPath, manifest.Bytes(), false); err != nil {
		return nil, err
	}
	key, err := s.signing(ctx)
	if err != nil {
		return nil, err
	}
	sig, err := note.Sign(&note.Note{Text: evidence.ManifestNoteText(manifest.Bytes())}, key.signer)
	if err != nil {
		return nil, err
	}
	if err := add(evidence.SignaturePath, sig, false); err != nil {
		return nil, err
	}
	if err := add(evidence.SummaryPath, evidence.Summary(m), false); err != nil {
		return nil, err
	}
	if m.Checkpoint != nil {
		if err := add(evidence.CheckpointPath, []byte(m.Checkpoint.Note), false); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		if err := add(f.path, f.body, f.stored); err != nil {
			return nil, err
		}
	}
	return rep, zw.Close()
}

func sortedTemplates(ts map[int64]storage.StoredTemplate) []storage.StoredTemplate {
	out := make([]storage.StoredTemplate, 0, len(ts))
	for _, t := range ts {
		out = append(out, t)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
