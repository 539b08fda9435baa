package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/dealgate/dealgate/workflow"
)

// ErrNoContent is what Material.Content returns for a file that is not there.
var ErrNoContent = errors.New("no such file")

// TemplateRef is a template a document was rendered with, as its event records it (the
// same JSON as storage.TemplateRef).
type TemplateRef struct {
	Format  string `json:"format"`
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	Name    string `json:"name"`
}

// File is one stored file of a document.
type File struct {
	Format string // pdf or docx
	SHA256 string // as the document record says
	Ref    string // what Material.Content takes
}

// Document is a stored document version (drafts are not part of the trail).
type Document struct {
	ID           int64
	Kind         string
	Number       string
	Version      int
	Status       string // final or superseded
	SupersedesID int64  // 0 for a first version
	DataSHA256   string // as the document record says
	Data         []byte // the recorded data (canonical JSON)
	HasData      bool   // false when the data could not be read (already reported)
	Templates    []TemplateRef
	Files        []File
}

// Attachment is a stored signed copy of a document.
type Attachment struct {
	ID          int64
	DocumentID  int64
	Filename    string
	ContentType string
	SHA256      string
	Size        int64
	Ref         string
}

// Template is an uploaded template version (templates shipped in the binary have id 0 and
// are checked by re-rendering only).
type Template struct {
	ID      int64
	Kind    string
	Format  string
	Version int
	SHA256  string
	Ref     string
}

// Material is everything a deal's verification looks at, read from the database or from an
// evidence bundle. Check never trusts a record over an event: events are chained and
// anchored by the checkpoint log; records and files must agree with them.
type Material struct {
	DealID      int64
	Events      []workflow.Event // in seq order, as stored
	Documents   []Document
	Attachments []Attachment
	Templates   map[int64]Template // uploaded templates by id; nil skips template checks
	// Content returns a file by its reference, or ErrNoContent.
	Content func(ref string) ([]byte, error)
	// Logged lists the heads of this deal that the checkpoint log holds (already proven by
	// the caller); each must still be an event of the chain with the same hash.
	Logged []Head
}

// Outcome is what Check found.
type Outcome struct {
	Problems []Problem
	Files    int // files read and re-hashed
}

// SHA256Hex returns the lower-case hex SHA-256 of b.
func SHA256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// CheckChain walks events in order and reports every broken link: a missing or repeated
// sequence number, a prev_hash that is not the previous event's recorded hash, and content
// that does not hash to the event's recorded hash. The first problem is the first broken link.
func CheckChain(events []workflow.Event) []Problem {
	if len(events) == 0 {
		return []Problem{{Code: CodeChainEmpty, Message: "the deal has no events"}}
	}
	var out []Problem
	for i := range events {
		e := &events[i]
		wantSeq, wantPrev := int64(1), ""
		if i > 0 {
			wantSeq, wantPrev = events[i-1].Seq+1, events[i-1].Hash
		}
		if e.Seq != wantSeq {
			msg := fmt.Sprintf("event %d follows event %d: ", e.Seq, wantSeq-1)
			switch {
			case e.Seq > wantSeq && e.Seq == wantSeq+1:
				msg += fmt.Sprintf("event %d is missing", wantSeq)
			case e.Seq > wantSeq:
				msg += fmt.Sprintf("events %d to %d are missing", wantSeq, e.Seq-1)
			default:
				msg += "the events are out of order or repeated"
			}
			out = append(out, Problem{Code: CodeChainSeq, EventSeq: e.Seq, Field: "seq", Expected: itoa(wantSeq), Found: itoa(e.Seq), Message: msg})
		}
		if e.PrevHash != wantPrev {
			out = append(out, Problem{Code: CodeChainPrevHash, EventSeq: e.Seq, Field: "prev_hash", Expected: wantPrev, Found: e.PrevHash,
				Message: fmt.Sprintf("%s does not link to the event before it (the previous event's recorded hash is expected)", eventName(e.Seq))})
		}
		if h := e.ComputeHash(); h != e.Hash {
			out = append(out, Problem{Code: CodeChainHash, EventSeq: e.Seq, Field: "hash", Expected: h, Found: e.Hash,
				Message: fmt.Sprintf("%s (%s) was changed: its content hashes to the expected value, its recorded hash is the found one", eventName(e.Seq), e.Kind)})
		}
	}
	return out
}

// CheckLogged compares the heads the checkpoint log holds with the chain.
func CheckLogged(events []workflow.Event, logged []Head) []Problem {
	bySeq := make(map[int64]*workflow.Event, len(events))
	var last int64
	for i := range events {
		bySeq[events[i].Seq] = &events[i]
		last = max(last, events[i].Seq)
	}
	var out []Problem
	for _, h := range logged {
		e := bySeq[h.Seq]
		switch {
		case e == nil && len(events) == 0:
			out = append(out, Problem{Code: CodeLogRolledBack, EventSeq: h.Seq, Field: "head", Expected: h.Hash,
				Message: fmt.Sprintf("the checkpoint log holds event %d as a head of deal %d, but the deal has no events: it was dropped", h.Seq, h.DealID)})
		case e == nil:
			out = append(out, Problem{Code: CodeLogRolledBack, EventSeq: h.Seq, Field: "head", Expected: h.Hash,
				Message: fmt.Sprintf("the checkpoint log holds event %d as a head of the chain, but it is not there (the chain ends at event %d): events were removed or the chain rolled back", h.Seq, last)})
		case e.Hash != h.Hash:
			out = append(out, Problem{Code: CodeLogHeadMismatch, EventSeq: h.Seq, Field: "hash", Expected: h.Hash, Found: e.Hash,
				Message: fmt.Sprintf("%s is not the event the checkpoint log recorded: the chain was rewritten", eventName(h.Seq))})
		}
	}
	return out
}

type docPayload struct {
	DocumentID   int64             `json:"document_id"`
	Kind         string            `json:"kind"`
	Number       string            `json:"number"`
	Version      int               `json:"version"`
	DataSHA256   string            `json:"data_sha256"`
	Files        map[string]string `json:"files"`
	Templates    json.RawMessage   `json:"templates"`
	SupersedesID int64             `json:"supersedes_id"`
	SupersededBy int64             `json:"superseded_by"`
}

type copyPayload struct {
	DocumentID   int64  `json:"document_id"`
	AttachmentID int64  `json:"attachment_id"`
	Filename     string `json:"filename"`
	ContentType  string `json:"content_type"`
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
}

// Check runs every check on the material: the chain, the logged heads, and every document,
// file, signed copy and uploaded template the events name, and the records no event names.
func Check(m *Material) Outcome {
	c := checker{m: m, docs: map[int64]*Document{}, atts: map[int64]*Attachment{}, seenDoc: map[int64]bool{},
		seenAtt: map[int64]bool{}, supersededBy: map[int64]int64{}, tplDone: map[int64]bool{}}
	for i := range m.Documents {
		c.docs[m.Documents[i].ID] = &m.Documents[i]
	}
	for i := range m.Attachments {
		c.atts[m.Attachments[i].ID] = &m.Attachments[i]
	}
	c.out = append(c.out, CheckChain(m.Events)...)
	c.out = append(c.out, CheckLogged(m.Events, m.Logged)...)
	for i := range m.Events {
		e := &m.Events[i]
		switch e.Kind {
		case workflow.EventDocumentFinalised:
			c.finalised(e)
		case workflow.EventDocumentSupersede:
			c.superseded(e)
		case workflow.EventSignedCopy:
			c.signedCopy(e)
		}
	}
	ids := make([]int64, 0, len(c.docs))
	for id := range c.docs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		d := c.docs[id]
		name := docName(d.ID, d.Kind, d.Number, d.Version)
		if !c.seenDoc[id] {
			c.add(Problem{Code: CodeDocumentUnrecorded, DocumentID: id, Message: name + " is stored but no event records its finalisation"})
			continue
		}
		_, super := c.supersededBy[id]
		switch {
		case super && d.Status != "superseded":
			c.add(Problem{Code: CodeDocumentField, DocumentID: id, Field: "status", Expected: "superseded", Found: d.Status,
				Message: name + " was superseded by a correction, but its record says otherwise"})
		case !super && d.Status != "final":
			c.add(Problem{Code: CodeDocumentField, DocumentID: id, Field: "status", Expected: "final", Found: d.Status,
				Message: name + " is marked " + d.Status + ", but no event supersedes it"})
		}
	}
	aids := make([]int64, 0, len(c.atts))
	for id := range c.atts {
		aids = append(aids, id)
	}
	sort.Slice(aids, func(i, j int) bool { return aids[i] < aids[j] })
	for _, id := range aids {
		if !c.seenAtt[id] {
			a := c.atts[id]
			c.add(Problem{Code: CodeAttachmentUnrecorded, AttachmentID: id, DocumentID: a.DocumentID,
				Message: fmt.Sprintf("signed copy %d (%s) of document %d is stored but no event records it", id, a.Filename, a.DocumentID)})
		}
	}
	return Outcome{Problems: c.out, Files: c.files}
}

type checker struct {
	m            *Material
	docs         map[int64]*Document
	atts         map[int64]*Attachment
	seenDoc      map[int64]bool
	seenAtt      map[int64]bool
	supersededBy map[int64]int64
	tplDone      map[int64]bool
	out          []Problem
	files        int
}

func (c *checker) add(p Problem) { c.out = append(c.out, p) }

// content reads and hashes a file; ok is false when it is missing (reported).
func (c *checker) content(p Problem, ref string) (sum string, ok bool) {
	b, err := c.m.Content(ref)
	if err != nil {
		p.Code = CodeFileMissing
		p.Found = ""
		if !errors.Is(err, ErrNoContent) {
			p.Message += " (" + err.Error() + ")"
		}
		c.add(p)
		return "", false
	}
	c.files++
	return SHA256Hex(b), true
}

func (c *checker) finalised(e *workflow.Event) {
	var p docPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil || p.DocumentID == 0 {
		c.add(Problem{Code: CodeEventPayload, EventSeq: e.Seq, Message: fmt.Sprintf("%s (document finalised) has an unreadable payload", eventName(e.Seq))})
		return
	}
	name := docName(p.DocumentID, p.Kind, p.Number, p.Version)
	d := c.docs[p.DocumentID]
	if d == nil {
		c.add(Problem{Code: CodeDocumentMissing, EventSeq: e.Seq, DocumentID: p.DocumentID,
			Message: fmt.Sprintf("%s records the finalisation of %s, which is not stored", eventName(e.Seq), name)})
		return
	}
	if c.seenDoc[d.ID] {
		c.add(Problem{Code: CodeEventPayload, EventSeq: e.Seq, DocumentID: d.ID, Message: fmt.Sprintf("%s finalises %s a second time", eventName(e.Seq), name)})
	}
	c.seenDoc[d.ID] = true
	field := func(f, want, got string) {
		if want != got {
			c.add(Problem{Code: CodeDocumentField, EventSeq: e.Seq, DocumentID: d.ID, Field: f, Expected: want, Found: got,
				Message: fmt.Sprintf("%s: the stored %s differs from what %s recorded", name, f, eventName(e.Seq))})
		}
	}
	field("kind", p.Kind, d.Kind)
	field("number", p.Number, d.Number)
	field("version", itoa(int64(p.Version)), itoa(int64(d.Version)))
	field("supersedes_id", itoa(p.SupersedesID), itoa(d.SupersedesID))
	field("data_sha256", p.DataSHA256, d.DataSHA256)
	if want, got := canonical(p.Templates), canonicalOf(d.Templates); want != got {
		field("templates", want, got)
	}
	if d.HasData {
		if got := SHA256Hex(d.Data); got != p.DataSHA256 {
			c.add(Problem{Code: CodeDocumentData, EventSeq: e.Seq, DocumentID: d.ID, File: "data", Field: "data_sha256", Expected: p.DataSHA256, Found: got,
				Message: fmt.Sprintf("%s: the stored data is not the data %s recorded", name, eventName(e.Seq))})
		}
	}
	byFormat := map[string]*File{}
	for i := range d.Files {
		byFormat[d.Files[i].Format] = &d.Files[i]
	}
	formats := make([]string, 0, len(p.Files))
	for f := range p.Files {
		formats = append(formats, f)
	}
	for f := range byFormat {
		if _, ok := p.Files[f]; !ok {
			formats = append(formats, f)
		}
	}
	sort.Strings(formats)
	for _, f := range formats {
		want := p.Files[f]
		rf := byFormat[f]
		if rf == nil {
			c.add(Problem{Code: CodeFileMissing, EventSeq: e.Seq, DocumentID: d.ID, File: f, Expected: want,
				Message: fmt.Sprintf("%s: the %s file %s recorded is not stored", name, f, eventName(e.Seq))})
			continue
		}
		field(f+"_sha256", want, rf.SHA256)
		pr := Problem{EventSeq: e.Seq, DocumentID: d.ID, File: f, Expected: want,
			Message: fmt.Sprintf("%s: the %s file is not stored", name, f)}
		if got, ok := c.content(pr, rf.Ref); ok && got != want {
			c.add(Problem{Code: CodeFileHash, EventSeq: e.Seq, DocumentID: d.ID, File: f, Expected: want, Found: got,
				Message: fmt.Sprintf("%s: the stored %s file was changed (its SHA-256 is not the one %s recorded)", name, f, eventName(e.Seq))})
		}
	}
	if c.m.Templates == nil {
		return
	}
	var refs []TemplateRef
	_ = json.Unmarshal(p.Templates, &refs)
	for _, r := range refs {
		if r.ID == 0 || c.tplDone[r.ID] {
			continue
		}
		c.tplDone[r.ID] = true
		t, ok := c.m.Templates[r.ID]
		if !ok {
			c.add(Problem{Code: CodeTemplateMissing, EventSeq: e.Seq, DocumentID: d.ID, TemplateID: r.ID, Expected: r.SHA256,
				Message: fmt.Sprintf("%s was rendered with uploaded %s template %d (version %d), which is not stored", name, r.Format, r.ID, r.Version)})
			continue
		}
		if t.Version != r.Version || t.SHA256 != r.SHA256 || t.Format != r.Format {
			c.add(Problem{Code: CodeTemplateField, EventSeq: e.Seq, DocumentID: d.ID, TemplateID: r.ID,
				Expected: fmt.Sprintf("%s v%d %s", r.Format, r.Version, r.SHA256), Found: fmt.Sprintf("%s v%d %s", t.Format, t.Version, t.SHA256),
				Message: fmt.Sprintf("uploaded template %d differs from what %s recorded for %s", r.ID, eventName(e.Seq), name)})
		}
		pr := Problem{EventSeq: e.Seq, DocumentID: d.ID, TemplateID: r.ID, File: "template", Expected: r.SHA256,
			Message: fmt.Sprintf("the file of uploaded %s template %d (version %d) is not stored", r.Format, r.ID, r.Version)}
		if got, ok := c.content(pr, t.Ref); ok && got != r.SHA256 {
			c.add(Problem{Code: CodeFileHash, EventSeq: e.Seq, DocumentID: d.ID, TemplateID: r.ID, File: "template", Expected: r.SHA256, Found: got,
				Message: fmt.Sprintf("the file of uploaded %s template %d (version %d) was changed", r.Format, r.ID, r.Version)})
		}
	}
}

func (c *checker) superseded(e *workflow.Event) {
	var p docPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil || p.DocumentID == 0 {
		c.add(Problem{Code: CodeEventPayload, EventSeq: e.Seq, Message: fmt.Sprintf("%s (document superseded) has an unreadable payload", eventName(e.Seq))})
		return
	}
	name := docName(p.DocumentID, p.Kind, p.Number, p.Version)
	d := c.docs[p.DocumentID]
	if d == nil {
		c.add(Problem{Code: CodeDocumentMissing, EventSeq: e.Seq, DocumentID: p.DocumentID,
			Message: fmt.Sprintf("%s records that %s was superseded, but it is not stored", eventName(e.Seq), name)})
		return
	}
	c.supersededBy[d.ID] = p.SupersededBy
	if by := c.docs[p.SupersededBy]; by != nil && by.SupersedesID != d.ID {
		c.add(Problem{Code: CodeDocumentField, EventSeq: e.Seq, DocumentID: by.ID, Field: "supersedes_id", Expected: itoa(d.ID), Found: itoa(by.SupersedesID),
			Message: fmt.Sprintf("document %d is recorded as the correction of document %d, but its record says otherwise", by.ID, d.ID)})
	}
}

func (c *checker) signedCopy(e *workflow.Event) {
	var p copyPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil || p.AttachmentID == 0 {
		c.add(Problem{Code: CodeEventPayload, EventSeq: e.Seq, Message: fmt.Sprintf("%s (signed copy) has an unreadable payload", eventName(e.Seq))})
		return
	}
	name := fmt.Sprintf("signed copy %d (%s) of document %d", p.AttachmentID, p.Filename, p.DocumentID)
	a := c.atts[p.AttachmentID]
	if a == nil {
		c.add(Problem{Code: CodeAttachmentMissing, EventSeq: e.Seq, AttachmentID: p.AttachmentID, DocumentID: p.DocumentID, Expected: p.SHA256,
			Message: fmt.Sprintf("%s records %s, which is not stored", eventName(e.Seq), name)})
		return
	}
	c.seenAtt[a.ID] = true
	field := func(f, want, got string) {
		if want != got {
			c.add(Problem{Code: CodeAttachmentField, EventSeq: e.Seq, AttachmentID: a.ID, DocumentID: p.DocumentID, Field: f, Expected: want, Found: got,
				Message: fmt.Sprintf("%s: the stored %s differs from what %s recorded", name, f, eventName(e.Seq))})
		}
	}
	field("document_id", itoa(p.DocumentID), itoa(a.DocumentID))
	field("filename", p.Filename, a.Filename)
	field("content_type", p.ContentType, a.ContentType)
	field("sha256", p.SHA256, a.SHA256)
	field("size", itoa(p.Size), itoa(a.Size))
	pr := Problem{EventSeq: e.Seq, AttachmentID: a.ID, DocumentID: p.DocumentID, File: "signed_copy", Expected: p.SHA256,
		Message: name + ": the file is not stored"}
	if got, ok := c.content(pr, a.Ref); ok && got != p.SHA256 {
		c.add(Problem{Code: CodeFileHash, EventSeq: e.Seq, AttachmentID: a.ID, DocumentID: p.DocumentID, File: "signed_copy", Expected: p.SHA256, Found: got,
			Message: fmt.Sprintf("%s was changed (its SHA-256 is not the one %s recorded)", name, eventName(e.Seq))})
	}
}

// canonical re-encodes a JSON value canonically ("null" for nothing) for comparison.
func canonical(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "null"
	}
	c, err := workflow.CanonicalJSON(raw)
	if err != nil {
		return string(raw)
	}
	return string(c)
}

func canonicalOf(v any) string {
	c, err := workflow.CanonicalJSON(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(c)
}
