package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// Trail is a deal's audit trail: who did what when, every document version with its hashes
// and template versions, every signed copy, and where the chain stands in the checkpoint log.
type Trail struct {
	Deal        evidence.DealInfo `json:"deal"`
	Head        *evidence.Head    `json:"head,omitempty"`
	Logged      *TrailLogged      `json:"logged,omitempty"`
	Events      []TrailEvent      `json:"events"`
	Documents   []TrailDocument   `json:"documents"`
	Actors      []evidence.Actor  `json:"actors"`
	RetrievedAt time.Time         `json:"retrieved_at"`
}

// TrailLogged is the deal's newest head in the latest checkpoint.
type TrailLogged struct {
	CheckpointSize uint64 `json:"checkpoint_size"`
	LeafIndex      uint64 `json:"leaf_index"`
	Seq            int64  `json:"seq"`
	Head           string `json:"head"`
}

// TrailEvent is an event with its actor.
type TrailEvent struct {
	Seq        int64           `json:"seq"`
	Kind       string          `json:"kind"`
	Action     string          `json:"action,omitempty"`
	From       string          `json:"from,omitempty"`
	To         string          `json:"to,omitempty"`
	ActorID    int64           `json:"actor_id"`
	Actor      string          `json:"actor,omitempty"` // name or e-mail
	Reason     string          `json:"reason,omitempty"`
	At         string          `json:"at"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
	DocumentID int64           `json:"document_id,omitempty"`
}

// TrailDocument is a document version.
type TrailDocument struct {
	ID            int64                 `json:"id"`
	Kind          string                `json:"kind"`
	Number        string                `json:"number"`
	Version       int                   `json:"version"`
	Status        string                `json:"status"`
	SupersedesID  *int64                `json:"supersedes_id,omitempty"`
	SupersededBy  *int64                `json:"superseded_by,omitempty"`
	DataSHA256    string                `json:"data_sha256"`
	PDFSHA256     string                `json:"pdf_sha256,omitempty"`
	DOCXSHA256    string                `json:"docx_sha256,omitempty"`
	Templates     []storage.TemplateRef `json:"templates"`
	CreatedBy     int64                 `json:"created_by"`
	CreatedByName string                `json:"created_by_name,omitempty"`
	CreatedAt     time.Time             `json:"created_at"`
	FinalisedAt   *time.Time            `json:"finalised_at,omitempty"`
	EventSeq      int64                 `json:"event_seq,omitempty"` // the event that finalised it
	SignedCopies  []TrailAttachment     `json:"signed_copies"`
}

// TrailAttachment is a signed copy.
type TrailAttachment struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Trail returns the deal's trail (drafts are left out: they are not evidence).
func (s *Service) Trail(ctx context.Context, dealID int64) (*Trail, error) {
	g, err := s.gather(ctx, dealID)
	if err != nil {
		return nil, err
	}
	if g.deal == nil && len(g.events) == 0 {
		return nil, workflow.ErrNotFound
	}
	t := &Trail{Deal: dealInfo(g), Events: []TrailEvent{}, Documents: []TrailDocument{}, RetrievedAt: s.now()}
	actors := newActorCache(s.Store)
	docEvent := map[int64]int64{}
	for _, e := range g.events {
		te := TrailEvent{Seq: e.Seq, Kind: string(e.Kind), Action: string(e.Action), From: e.FromStage, To: e.ToStage, ActorID: e.ActorID,
			Actor: actors.name(ctx, e.ActorID), Reason: e.Reason, At: workflow.FormatEventTime(e.At), Payload: e.Payload, PrevHash: e.PrevHash, Hash: e.Hash}
		if e.Kind == workflow.EventDocumentFinalised || e.Kind == workflow.EventDocumentSupersede || e.Kind == workflow.EventSignedCopy {
			var p struct {
				DocumentID int64 `json:"document_id"`
			}
			if json.Unmarshal(e.Payload, &p) == nil {
				te.DocumentID = p.DocumentID
				if e.Kind == workflow.EventDocumentFinalised {
					docEvent[p.DocumentID] = e.Seq
				}
			}
		}
		t.Events = append(t.Events, te)
	}
	if n := len(g.events); n > 0 {
		t.Head = &evidence.Head{DealID: dealID, Seq: g.events[n-1].Seq, Hash: g.events[n-1].Hash}
	}
	supersededBy := map[int64]int64{}
	for _, d := range g.docs {
		if d.SupersedesID != nil {
			supersededBy[*d.SupersedesID] = d.ID
		}
	}
	atts := map[int64][]TrailAttachment{}
	for _, a := range g.atts {
		atts[a.DocumentID] = append(atts[a.DocumentID], TrailAttachment{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, SHA256: a.SHA256,
			Size: a.Size, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt.UTC()})
		actors.name(ctx, a.CreatedBy)
	}
	for _, d := range g.docs {
		td := TrailDocument{ID: d.ID, Kind: string(d.Kind), Number: d.Number, Version: d.Version, Status: string(d.Status), SupersedesID: d.SupersedesID,
			DataSHA256: d.DataSHA256, PDFSHA256: d.PDFSHA256, DOCXSHA256: d.DOCXSHA256, Templates: d.Templates, CreatedBy: d.CreatedBy,
			CreatedByName: actors.name(ctx, d.CreatedBy), CreatedAt: d.CreatedAt, FinalisedAt: d.FinalisedAt, EventSeq: docEvent[d.ID], SignedCopies: atts[d.ID]}
		if by, ok := supersededBy[d.ID]; ok {
			td.SupersededBy = &by
		}
		if td.Templates == nil {
			td.Templates = []storage.TemplateRef{}
		}
		if td.SignedCopies == nil {
			td.SignedCopies = []TrailAttachment{}
		}
		t.Documents = append(t.Documents, td)
	}
	t.Actors = actors.list()
	db, err := sqlDB(s.Store)
	if err != nil {
		return nil, err
	}
	if cp, err := s.LatestCheckpoint(ctx); err == nil {
		leaves, err := s.dealLeaves(ctx, db, dealID, cp.Size)
		if err != nil {
			return nil, err
		}
		if n := len(leaves); n > 0 {
			l := leaves[n-1]
			t.Logged = &TrailLogged{CheckpointSize: cp.Size, LeafIndex: l.Index, Seq: l.Seq, Head: l.Hash}
		}
	} else if workflow.Code(err) != workflow.ENOTFOUND {
		return nil, err
	}
	return t, nil
}

func dealInfo(g *gathered) evidence.DealInfo {
	if g.deal == nil {
		return evidence.DealInfo{ID: g.dealID}
	}
	d := g.deal
	return evidence.DealInfo{ID: d.ID, Stored: true, Title: d.Title, CompanyID: d.CompanyID, OwnerID: d.OwnerID, PipelineID: d.PipelineID,
		Stage: d.Stage, Status: string(d.Status)}
}

// actorCache looks users up once each.
type actorCache struct {
	st    *storage.Store
	users map[int64]evidence.Actor
	order []int64
}

func newActorCache(st *storage.Store) *actorCache {
	return &actorCache{st: st, users: map[int64]evidence.Actor{}}
}

func (c *actorCache) get(ctx context.Context, id int64) evidence.Actor {
	if a, ok := c.users[id]; ok {
		return a
	}
	a := evidence.Actor{ID: id}
	if u, err := c.st.FindUserByID(ctx, id); err == nil {
		a = evidence.Actor{ID: id, Email: u.Email, Name: u.Name, Role: string(u.Role)}
	}
	c.users[id] = a
	c.order = append(c.order, id)
	return a
}

func (c *actorCache) name(ctx context.Context, id int64) string {
	a := c.get(ctx, id)
	if a.Name != "" {
		return a.Name
	}
	return a.Email
}

func (c *actorCache) list() []evidence.Actor {
	out := make([]evidence.Actor, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.users[id])
	}
	return out
}
