package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// DocStatus is the life state of a document.
type DocStatus string

// Document statuses. A draft may change; a final document never does; a superseded one is a
// final document replaced by a correction (both stay in the trail).
const (
	DocDraft      DocStatus = "draft"
	DocFinal      DocStatus = "final"
	DocSuperseded DocStatus = "superseded"
)

// TemplateRef records a template a document was rendered with.
type TemplateRef struct {
	Format  string `json:"format"`  // pdf or docx
	ID      int64  `json:"id"`      // 0 for the template shipped in the binary
	Version int    `json:"version"` // 0 for the shipped template
	SHA256  string `json:"sha256"`
	Name    string `json:"name"`
}

// Document is a stored document version.
type Document struct {
	ID           int64
	DealID       int64
	Kind         workflow.DocumentKind
	Number       string
	Seq          int64
	NumberScope  string
	NumberYear   int
	Version      int
	Status       DocStatus
	Data         json.RawMessage // canonical JSON
	DataSHA256   string
	Templates    []TemplateRef
	SupersedesID *int64
	PDFSHA256    string
	DOCXSHA256   string
	CreatedBy    int64
	CreatedAt    time.Time
	FinalisedAt  *time.Time
}

type documentRow struct {
	ID           int64 `gorm:"primaryKey"`
	DealID       int64
	Kind         string
	Number       string
	Seq          int64
	NumberScope  string
	NumberYear   int
	Version      int
	Status       string
	Data         string
	DataSHA256   string `gorm:"column:data_sha256"`
	Templates    string
	SupersedesID *int64
	PDFSHA256    string `gorm:"column:pdf_sha256"`
	DOCXSHA256   string `gorm:"column:docx_sha256"`
	CreatedBy    int64
	CreatedAt    time.Time
	FinalisedAt  *time.Time
}

func (documentRow) TableName() string { return "documents" }

func (r documentRow) toDocument() Document {
	d := Document{ID: r.ID, DealID: r.DealID, Kind: workflow.DocumentKind(r.Kind), Number: r.Number, Seq: r.Seq, NumberScope: r.NumberScope,
		NumberYear: r.NumberYear, Version: r.Version, Status: DocStatus(r.Status), Data: json.RawMessage(r.Data), DataSHA256: r.DataSHA256, SupersedesID: r.SupersedesID,
		PDFSHA256: r.PDFSHA256, DOCXSHA256: r.DOCXSHA256, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), FinalisedAt: utcPtr(r.FinalisedAt)}
	if r.Templates != "" {
		_ = json.Unmarshal([]byte(r.Templates), &d.Templates)
	}
	return d
}

// FindDocumentByID returns a document or ENOTFOUND.
func (s *Store) FindDocumentByID(ctx context.Context, id int64) (Document, error) {
	var row documentRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return Document{}, translate(err)
	}
	return row.toDocument(), nil
}

// DocumentFilter narrows FindDocuments.
type DocumentFilter struct {
	DealID *int64
	Kind   workflow.DocumentKind
	Status DocStatus
}

// FindDocuments lists documents in creation order.
func (s *Store) FindDocuments(ctx context.Context, f DocumentFilter) ([]Document, error) {
	q := s.conn(ctx).Model(&documentRow{})
	if f.DealID != nil {
		q = q.Where("deal_id = ?", *f.DealID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var rows []documentRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]Document, len(rows))
	for i, r := range rows {
		out[i] = r.toDocument()
	}
	return out, nil
}

// LatestFinal returns the deal's latest final document of each kind (for prefill).
func (s *Store) LatestFinal(ctx context.Context, dealID int64) (map[workflow.DocumentKind]Document, error) {
	docs, err := s.FindDocuments(ctx, DocumentFilter{DealID: &dealID, Status: DocFinal})
	if err != nil {
		return nil, err
	}
	out := map[workflow.DocumentKind]Document{}
	for _, d := range docs {
		out[d.Kind] = d
	}
	return out, nil
}

// SaveDraft stores a new draft, or replaces the data of an existing draft (draftID > 0).
// data must already be validated canonical JSON.
func (s *Store) SaveDraft(ctx context.Context, dealID, draftID int64, kind workflow.DocumentKind, data json.RawMessage, actor workflow.Actor) (Document, error) {
	var out Document
	err := s.InTx(ctx, func(ctx context.Context) error {
		d, err := s.lockDeal(ctx, dealID)
		if err != nil {
			return err
		}
		if d.Status != workflow.StatusOpen {
			return workflow.Invalid("deal", "the deal is %s; documents are made on open deals", d.Status)
		}
		if draftID > 0 {
			var row documentRow
			if err := s.conn(ctx).Where("id = ? AND deal_id = ?", draftID, dealID).Take(&row).Error; err != nil {
				return err
			}
			if row.Status != string(DocDraft) {
				return workflow.Invalid("status", "document %d is %s and cannot change; make a correction instead", draftID, row.Status)
			}
			if row.Kind != string(kind) {
				return workflow.Invalid("kind", "document %d is a %s", draftID, row.Kind)
			}
			q := s.conn(ctx).Model(&documentRow{}).Where("id = ? AND status = 'draft'", draftID).Updates(map[string]any{"data": string(data), "data_sha256": SHA256Hex(data)})
			if q.Error != nil {
				return q.Error
			}
			row.Data, row.DataSHA256 = string(data), SHA256Hex(data)
			out = row.toDocument()
			return nil
		}
		row := documentRow{DealID: dealID, Kind: string(kind), Version: 1, Status: string(DocDraft), Data: string(data), DataSHA256: SHA256Hex(data),
			CreatedBy: actor.ID, CreatedAt: s.now()}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		out = row.toDocument()
		return nil
	})
	return out, translate(err)
}

// Rendered is what the caller's Prepare step produces inside the finalising transaction.
type Rendered struct {
	Number    string
	Seq       int64
	Scope     string
	Year      int             // the counter's year (0 for counters that never restart)
	Data      json.RawMessage // canonical JSON, with the number in it
	PDF       []byte
	DOCX      []byte
	Templates []TemplateRef
}

// FinaliseRequest asks to store a final document.
type FinaliseRequest struct {
	DealID       int64
	Kind         workflow.DocumentKind
	DraftID      int64 // finalise this draft (0: a new document)
	SupersedesID int64 // a correction of this final document (keeps its number, version+1)
	Actor        workflow.Actor
	// Prepare runs inside the transaction, after the deal is locked: it allocates the number
	// with num.Next (unless this is a correction, whose number it receives), fills it in and
	// renders the files — best before Next, with the number num.Guess offers, rendering again
	// only when Next returns another one. An error rolls everything back, the number included.
	Prepare func(ctx context.Context, num *Numbering, previous *Document) (Rendered, error)
	// Settings names settings Prepare reads (GetSetting with its context): on PostgreSQL they
	// are read with the deal's lock, in the same round trip.
	Settings []string
}

// Finalise stores a final document in one transaction: lock the deal, allocate the number,
// render, store the files as blobs, insert the document, mark a superseded version, and
// append the document's event to the deal's chain. Either all of it is stored or none.
func (s *Store) Finalise(ctx context.Context, req FinaliseRequest) (Document, error) {
	if s.dialect == Postgres && !InTransaction(ctx) && req.DraftID == 0 && req.SupersedesID == 0 {
		if out, done, err := s.finalisePipelined(ctx, req); done {
			return out, translate(err)
		}
	}
	var out Document
	var num *Numbering
	err := s.InTx(ctx, func(ctx context.Context) error {
		deal, err := s.lockDeal(ctx, req.DealID)
		if err != nil {
			return err
		}
		if deal.Status != workflow.StatusOpen {
			return workflow.Invalid("deal", "the deal is %s; documents are made on open deals", deal.Status)
		}
		db := s.conn(ctx)
		var previous *Document
		version := 1
		if req.SupersedesID > 0 {
			var row documentRow
			if err := db.Where("id = ? AND deal_id = ?", req.SupersedesID, req.DealID).Take(&row).Error; err != nil {
				return err
			}
			if row.Status != string(DocFinal) {
				return workflow.Invalid("supersedes_id", "only the current final version of a document can be corrected (document %d is %s)", row.ID, row.Status)
			}
			if row.Kind != string(req.Kind) {
				return workflow.Invalid("kind", "a correction keeps the kind %s", row.Kind)
			}
			d := row.toDocument()
			previous, version = &d, row.Version+1
		}
		var draft *documentRow
		if req.DraftID > 0 {
			var row documentRow
			if err := db.Where("id = ? AND deal_id = ?", req.DraftID, req.DealID).Take(&row).Error; err != nil {
				return err
			}
			if row.Status != string(DocDraft) || row.Kind != string(req.Kind) {
				return workflow.Invalid("status", "document %d is not a %s draft", row.ID, req.Kind)
			}
			draft = &row
		}
		// Read the chain's last event before the number is allocated: from the allocation to
		// the commit every other document of the sequence waits on the counter row, so that
		// stretch holds only what needs the number.
		last, err := s.lastEvent(ctx, req.DealID)
		if err != nil {
			return err
		}
		num = &Numbering{s: s, ctx: ctx, kind: string(req.Kind)}
		// A ticket Prepare took and did not use is given back even if Prepare panics, or the
		// later finalisations of the sequence would each wait maxTurnWait for it.
		defer num.release()
		r, err := req.Prepare(ctx, num, previous)
		num.release()
		if err != nil {
			return err
		}
		shas, err := s.putBlobs(ctx, r.PDF, r.DOCX)
		if err != nil {
			return err
		}
		pdfSHA, docxSHA := shas[0], shas[1]
		tpl, _ := json.Marshal(r.Templates)
		now := s.now()
		row := documentRow{DealID: req.DealID, Kind: string(req.Kind), Number: r.Number, Seq: r.Seq, NumberScope: r.Scope, NumberYear: r.Year, Version: version,
			Status: string(DocFinal), Data: string(r.Data), DataSHA256: SHA256Hex(r.Data), Templates: string(tpl), PDFSHA256: pdfSHA,
			DOCXSHA256: docxSHA, CreatedBy: req.Actor.ID, CreatedAt: now, FinalisedAt: &now}
		if previous != nil {
			row.SupersedesID = &previous.ID
			q := db.Model(&documentRow{}).Where("id = ? AND status = 'final'", previous.ID).Update("status", string(DocSuperseded))
			if q.Error != nil {
				return q.Error
			}
			if q.RowsAffected != 1 {
				return &workflow.Error{Code: workflow.ECONFLICT, Field: "supersedes_id", Message: "the document was corrected by someone else; reload it"}
			}
		}
		if draft != nil {
			row.ID, row.CreatedAt, row.CreatedBy = draft.ID, draft.CreatedAt, draft.CreatedBy
			q := db.Model(&documentRow{}).Where("id = ? AND status = 'draft'", draft.ID).Updates(map[string]any{
				"number": row.Number, "seq": row.Seq, "number_scope": row.NumberScope, "number_year": row.NumberYear, "status": row.Status, "data": row.Data,
				"data_sha256": row.DataSHA256, "templates": row.Templates, "pdf_sha256": row.PDFSHA256, "docx_sha256": row.DOCXSHA256,
				"finalised_at": row.FinalisedAt})
			if q.Error != nil {
				return q.Error
			}
			if q.RowsAffected != 1 {
				return &workflow.Error{Code: workflow.ECONFLICT, Message: "the draft was finalised by someone else; reload it"}
			}
		} else if err := db.Create(&row).Error; err != nil {
			return err
		}
		out = row.toDocument()
		events := []workflow.Event{}
		if previous != nil {
			p, _ := workflow.CanonicalJSON(map[string]any{"document_id": previous.ID, "kind": previous.Kind, "number": previous.Number,
				"version": previous.Version, "superseded_by": out.ID})
			events = append(events, workflow.Event{Kind: workflow.EventDocumentSupersede, FromStage: deal.Stage, ActorID: req.Actor.ID, At: now, Payload: p})
		}
		p, err := workflow.CanonicalJSON(DocumentEventPayload(out))
		if err != nil {
			return err
		}
		events = append(events, workflow.Event{Kind: workflow.EventDocumentFinalised, Action: workflow.Action(out.Kind), FromStage: deal.Stage,
			ActorID: req.Actor.ID, At: now, Payload: p})
		return s.insertEvents(ctx, req.DealID, last, events)
	})
	if err != nil && num != nil && !InTransaction(ctx) {
		num.rolledBack()
	}
	return out, translate(err)
}

// DocumentEventPayload is what a document_finalised event records: enough to find and check
// every file (their SHA-256 are covered by the event hash).
func DocumentEventPayload(d Document) map[string]any {
	files := map[string]string{}
	if d.PDFSHA256 != "" {
		files["pdf"] = d.PDFSHA256
	}
	if d.DOCXSHA256 != "" {
		files["docx"] = d.DOCXSHA256
	}
	m := map[string]any{"document_id": d.ID, "kind": d.Kind, "number": d.Number, "version": d.Version,
		"data_sha256": d.DataSHA256, "files": files, "templates": d.Templates}
	if d.SupersedesID != nil {
		m["supersedes_id"] = *d.SupersedesID
	}
	return m
}

// Attachment is a file attached to a final document (its signed scan).
type Attachment struct {
	ID          int64
	DocumentID  int64
	Role        string
	Filename    string
	ContentType string
	SHA256      string
	Size        int64
	CreatedBy   int64
	CreatedAt   time.Time
}

type attachmentRow Attachment

func (attachmentRow) TableName() string { return "document_attachments" }

// AttachSignedCopy stores a signed scan of a final document and appends its event.
func (s *Store) AttachSignedCopy(ctx context.Context, docID int64, filename, contentType string, content []byte, actor workflow.Actor) (Attachment, error) {
	var out Attachment
	err := s.InTx(ctx, func(ctx context.Context) error {
		doc, err := s.FindDocumentByID(ctx, docID)
		if err != nil {
			return err
		}
		deal, err := s.lockDeal(ctx, doc.DealID)
		if err != nil {
			return err
		}
		if doc.Status != DocFinal {
			return workflow.Invalid("document", "a signed copy is attached to a final document (this one is %s)", doc.Status)
		}
		sha, err := s.Blobs().Put(ctx, content)
		if err != nil {
			return err
		}
		row := attachmentRow{DocumentID: docID, Role: "signed_copy", Filename: filename, ContentType: contentType, SHA256: sha,
			Size: int64(len(content)), CreatedBy: actor.ID, CreatedAt: s.now()}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		out = Attachment(row)
		p, _ := workflow.CanonicalJSON(map[string]any{"document_id": docID, "attachment_id": out.ID, "kind": doc.Kind, "number": doc.Number,
			"filename": filename, "content_type": contentType, "sha256": sha, "size": out.Size})
		return s.appendEvents(ctx, doc.DealID, []workflow.Event{{Kind: workflow.EventSignedCopy, FromStage: deal.Stage, ActorID: actor.ID, At: out.CreatedAt, Payload: p}})
	})
	return out, translate(err)
}

// FindAttachments lists the attachments of a document.
func (s *Store) FindAttachments(ctx context.Context, docID int64) ([]Attachment, error) {
	var rows []attachmentRow
	if err := s.conn(ctx).Where("document_id = ?", docID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]Attachment, len(rows))
	for i, r := range rows {
		out[i] = Attachment(r)
	}
	return out, nil
}
