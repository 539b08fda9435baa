package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// gathered is everything stored about one deal that verification and bundles read.
type gathered struct {
	dealID     int64
	deal       *workflow.Deal // nil when the deal row is gone
	events     []workflow.Event
	docs       []storage.Document // final and superseded versions (drafts are not evidence)
	atts       []storage.Attachment
	templates  map[int64]storage.StoredTemplate
	activities []storage.Activity
	facts      []storage.Fact
}

// gather reads a deal's records. Events are read first; if the chain grew while the rest was
// read (a document finalised meanwhile), everything is read again, so records and events come
// from the same moment.
func (s *Service) gather(ctx context.Context, dealID int64) (*gathered, error) {
	for attempt := 0; ; attempt++ {
		g, err := s.gatherOnce(ctx, dealID)
		if err != nil {
			return nil, err
		}
		n, err := s.Store.CountEvents(ctx, dealID)
		if err != nil {
			return nil, err
		}
		if n == int64(len(g.events)) || attempt == 2 {
			return g, nil
		}
	}
}

func (s *Service) gatherOnce(ctx context.Context, dealID int64) (*gathered, error) {
	st := s.Store
	g := &gathered{dealID: dealID, templates: map[int64]storage.StoredTemplate{}}
	d, err := st.FindDealByID(ctx, dealID)
	switch {
	case err == nil:
		g.deal = &d
	case workflow.Code(err) != workflow.ENOTFOUND:
		return nil, err
	}
	if g.events, err = st.FindEvents(ctx, dealID); err != nil {
		return nil, err
	}
	docs, err := st.FindDocuments(ctx, storage.DocumentFilter{DealID: &dealID})
	if err != nil {
		return nil, err
	}
	tplIDs := map[int64]bool{}
	for _, doc := range docs {
		if doc.Status == storage.DocDraft {
			continue
		}
		g.docs = append(g.docs, doc)
		atts, err := st.FindAttachments(ctx, doc.ID)
		if err != nil {
			return nil, err
		}
		g.atts = append(g.atts, atts...)
		for _, t := range doc.Templates {
			if t.ID > 0 {
				tplIDs[t.ID] = true
			}
		}
	}
	for _, e := range g.events {
		if e.Kind != workflow.EventDocumentFinalised {
			continue
		}
		var p struct {
			Templates []storage.TemplateRef `json:"templates"`
		}
		_ = json.Unmarshal(e.Payload, &p)
		for _, t := range p.Templates {
			if t.ID > 0 {
				tplIDs[t.ID] = true
			}
		}
	}
	for id := range tplIDs {
		t, err := st.FindTemplateByID(ctx, id)
		if err == nil {
			g.templates[id] = t
		} else if workflow.Code(err) != workflow.ENOTFOUND {
			return nil, err
		}
	}
	if g.activities, err = st.FindActivities(ctx, dealID); err != nil {
		return nil, err
	}
	if g.facts, err = st.FindFacts(ctx, dealID); err != nil {
		return nil, err
	}
	return g, nil
}

// material turns gathered records into what evidence.Check reads; files are fetched from the
// blob store by SHA-256 through content.
func (g *gathered) material(content func(string) ([]byte, error)) *evidence.Material {
	m := &evidence.Material{DealID: g.dealID, Events: g.events, Templates: map[int64]evidence.Template{}, Content: content}
	for _, d := range g.docs {
		ed := evidence.Document{ID: d.ID, Kind: string(d.Kind), Number: d.Number, Version: d.Version, Status: string(d.Status),
			DataSHA256: d.DataSHA256, Data: d.Data, HasData: true}
		if d.SupersedesID != nil {
			ed.SupersedesID = *d.SupersedesID
		}
		for _, t := range d.Templates {
			ed.Templates = append(ed.Templates, evidence.TemplateRef(t))
		}
		if d.PDFSHA256 != "" {
			ed.Files = append(ed.Files, evidence.File{Format: "pdf", SHA256: d.PDFSHA256, Ref: d.PDFSHA256})
		}
		if d.DOCXSHA256 != "" {
			ed.Files = append(ed.Files, evidence.File{Format: "docx", SHA256: d.DOCXSHA256, Ref: d.DOCXSHA256})
		}
		m.Documents = append(m.Documents, ed)
	}
	for _, a := range g.atts {
		m.Attachments = append(m.Attachments, evidence.Attachment{ID: a.ID, DocumentID: a.DocumentID, Filename: a.Filename, ContentType: a.ContentType,
			SHA256: a.SHA256, Size: a.Size, Ref: a.SHA256})
	}
	for id, t := range g.templates {
		m.Templates[id] = evidence.Template{ID: t.ID, Kind: string(t.Kind), Format: t.Format, Version: t.Version, SHA256: t.SHA256, Ref: t.SHA256}
	}
	return m
}

// blobContent reads files from the blob store.
func (s *Service) blobContent(ctx context.Context) func(string) ([]byte, error) {
	return func(sha string) ([]byte, error) {
		b, err := s.Store.Blobs().Get(ctx, sha)
		if workflow.Code(err) == workflow.ENOTFOUND {
			return nil, evidence.ErrNoContent
		}
		return b, err
	}
}

// anchor is the checkpoint log's view of a deal.
type anchor struct {
	cp       StoredCheckpoint
	leaves   []Leaf
	status   *evidence.CheckpointStatus
	problems []evidence.Problem
}

// anchorOf checks the latest checkpoint (signature, and its root against the stored nodes)
// and the deal's leaves in it (each leaf's hash, and the inclusion of the newest).
func (s *Service) anchorOf(ctx context.Context, dealID int64) (*anchor, error) {
	a := &anchor{}
	cp, err := s.LatestCheckpoint(ctx)
	if errors.Is(err, workflow.ErrNotFound) || workflow.Code(err) == workflow.ENOTFOUND {
		return a, nil
	}
	if err != nil {
		return nil, err
	}
	a.cp = cp
	key, err := s.signing(ctx)
	if err != nil {
		return nil, err
	}
	c, err := evidence.OpenCheckpoint([]byte(cp.Note), key.vkey)
	if err != nil {
		a.problems = append(a.problems, evidence.Problem{Code: evidence.CodeCheckpointSig, DealID: dealID,
			Message: fmt.Sprintf("the latest checkpoint (size %d) does not verify with the server's key: %v", cp.Size, err)})
		return a, nil
	}
	db, err := sqlDB(s.Store)
	if err != nil {
		return nil, err
	}
	rng, err := loadRange(ctx, db, s.Store.Dialect(), c.Size)
	var root []byte
	if err == nil {
		root, err = rng.GetRootHash(nil)
		if root == nil && err == nil {
			root = evidence.EmptyRoot()
		}
	}
	if err != nil || !bytes.Equal(root, c.Root) {
		found := ""
		if root != nil {
			found = b64(root)
		}
		if err != nil {
			found = err.Error()
		}
		a.problems = append(a.problems, evidence.Problem{Code: evidence.CodeCheckpointRoot, Expected: b64(c.Root), Found: found,
			Message: fmt.Sprintf("the stored log does not give the root signed in checkpoint %d: the log was altered", c.Size)})
	}
	if a.leaves, err = s.dealLeaves(ctx, db, dealID, c.Size); err != nil {
		return nil, err
	}
	for _, l := range a.leaves {
		if want := evidence.LeafHash(evidence.LeafData(l.Head)); !bytes.Equal(want, l.LeafHash) {
			a.problems = append(a.problems, evidence.Problem{Code: evidence.CodeLogLeaf, EventSeq: l.Seq, Expected: hex.EncodeToString(want), Found: hex.EncodeToString(l.LeafHash),
				Message: fmt.Sprintf("log leaf %d (deal %d, event %d) does not hash to its stored leaf hash", l.Index, dealID, l.Seq)})
		}
	}
	if len(a.leaves) == 0 {
		return a, nil
	}
	last := a.leaves[len(a.leaves)-1]
	path, err := s.inclusionPath(ctx, db, last.Index, c.Size)
	if err == nil {
		err = evidence.VerifyInclusion(last.Index, c.Size, evidence.LeafHash(evidence.LeafData(last.Head)), path, c.Root)
	}
	if err != nil {
		a.problems = append(a.problems, evidence.Problem{Code: evidence.CodeCheckpointProof, EventSeq: last.Seq,
			Message: fmt.Sprintf("the deal's logged head (event %d, leaf %d) is not proven to be in checkpoint %d: %v", last.Seq, last.Index, c.Size, err)})
	}
	a.status = &evidence.CheckpointStatus{Size: c.Size, Root: b64(c.Root), LeafIndex: last.Index, Seq: last.Seq, Head: last.Hash, KeyPinned: true}
	return a, nil
}

// VerifyDeal recomputes the deal's chain, compares it with the checkpoint log, re-hashes
// every stored file, compares every record with its event and re-renders every document
// (when Rerender is set). ENOTFOUND only when neither the database nor the log knows the deal.
func (s *Service) VerifyDeal(ctx context.Context, dealID int64) (*evidence.Report, error) {
	rep, _, err := s.verify(ctx, dealID, s.blobContent(ctx))
	return rep, err
}

func (s *Service) verify(ctx context.Context, dealID int64, content func(string) ([]byte, error)) (*evidence.Report, *gathered, error) {
	start := time.Now()
	g, err := s.gather(ctx, dealID)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.anchorOf(ctx, dealID)
	if err != nil {
		return nil, nil, err
	}
	if g.deal == nil && len(g.events) == 0 && len(a.leaves) == 0 {
		return nil, nil, workflow.ErrNotFound
	}
	rep := &evidence.Report{DealID: dealID, CheckedAt: s.now().Format(time.RFC3339), Events: len(g.events), Documents: len(g.docs)}
	if n := len(g.events); n > 0 {
		rep.Head = &evidence.Head{DealID: dealID, Seq: g.events[n-1].Seq, Hash: g.events[n-1].Hash}
	}
	if g.deal == nil {
		rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeDealMissing, DealID: dealID,
			Message: fmt.Sprintf("deal %d is not in the database, but the checkpoint log or its events know it: it was dropped", dealID)})
	}
	m := g.material(content)
	for _, l := range a.leaves {
		m.Logged = append(m.Logged, l.Head)
	}
	out := evidence.Check(m)
	rep.Problems = append(rep.Problems, out.Problems...)
	rep.Problems = append(rep.Problems, a.problems...)
	rep.Files = out.Files
	if g.deal != nil {
		rep.Problems = append(rep.Problems, dealState(*g.deal, g.events)...)
	}
	rep.Problems = append(rep.Problems, activityProblems(g)...)
	rep.Problems = append(rep.Problems, factProblems(g)...)
	if a.status != nil {
		for _, e := range g.events {
			if e.Seq <= a.status.Seq {
				a.status.Covered++
			}
		}
		a.status.Uncovered = len(g.events) - a.status.Covered
		rep.Checkpoint = a.status
		if a.status.Uncovered > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%d event(s) after event %d are not in a signed checkpoint yet (the checkpointer logs them at its next run)", a.status.Uncovered, a.status.Seq))
		}
	} else if len(g.events) > 0 {
		rep.Notes = append(rep.Notes, "the deal's chain is not in a signed checkpoint yet")
	}
	rep.Rerender = s.rerender(ctx, g, rep)
	rep.Finish()
	rep.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	return rep, g, nil
}

// rerender renders every document again and compares the hashes; it says what it did. The
// documents are rendered on all CPUs at once (the renderer is safe for concurrent use, as the
// API's handlers use it so); problems come out in document order.
func (s *Service) rerender(ctx context.Context, g *gathered, rep *evidence.Report) string {
	if s.Rerender == nil {
		return "skipped: no renderer is configured on this server"
	}
	type result struct {
		problems []evidence.Problem
		files    int
	}
	results := make([]result, len(g.docs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(g.docs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i].problems, results[i].files = s.rerenderOne(ctx, g.docs[i])
			}
		}()
	}
	for i := range g.docs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	files := 0
	for _, r := range results {
		rep.Problems = append(rep.Problems, r.problems...)
		files += r.files
	}
	return fmt.Sprintf("%d document(s) re-rendered, %d file(s) compared", len(g.docs), files)
}

func (s *Service) rerenderOne(ctx context.Context, d storage.Document) ([]evidence.Problem, int) {
	pdf, docx, err := s.Rerender(ctx, d)
	name := fmt.Sprintf("document %d (%s № %s, version %d)", d.ID, d.Kind, d.Number, d.Version)
	if err != nil {
		return []evidence.Problem{{Code: evidence.CodeRerenderFailed, DocumentID: d.ID, Message: name + ": re-rendering failed: " + err.Error()}}, 0
	}
	var out []evidence.Problem
	files := 0
	for _, f := range []struct {
		format, want string
		got          []byte
	}{{"pdf", d.PDFSHA256, pdf}, {"docx", d.DOCXSHA256, docx}} {
		if f.want == "" && f.got == nil {
			continue
		}
		files++
		got := ""
		if f.got != nil {
			got = evidence.SHA256Hex(f.got)
		}
		if got != f.want {
			out = append(out, evidence.Problem{Code: evidence.CodeRerenderMismatch, DocumentID: d.ID, File: f.format, Expected: f.want, Found: got,
				Message: fmt.Sprintf("%s: rendering its recorded data with its recorded templates gives another %s file", name, f.format)})
		}
	}
	return out, files
}

// dealState replays the transitions and compares the deal's stage and status.
func dealState(d workflow.Deal, events []workflow.Event) []evidence.Problem {
	stage, status := "", workflow.StatusOpen
	for _, e := range events {
		switch {
		case e.Kind == workflow.EventCreated:
			stage = e.ToStage
		case e.Kind != workflow.EventTransition:
		case e.Action == workflow.ActionAdvance || e.Action == workflow.ActionSkip:
			stage = e.ToStage
		case e.Action == workflow.ActionLose:
			status = workflow.StatusLost
		case e.Action == workflow.ActionWin:
			status = workflow.StatusWon
		}
	}
	if len(events) == 0 {
		return nil
	}
	var out []evidence.Problem
	if d.Stage != stage {
		out = append(out, evidence.Problem{Code: evidence.CodeDealState, Field: "stage", Expected: stage, Found: d.Stage,
			Message: fmt.Sprintf("deal %d is at stage %q, but its transitions lead to %q", d.ID, d.Stage, stage)})
	}
	if d.Status != status {
		out = append(out, evidence.Problem{Code: evidence.CodeDealState, Field: "status", Expected: string(status), Found: string(d.Status),
			Message: fmt.Sprintf("deal %d is %s, but its transitions say %s", d.ID, d.Status, status)})
	}
	return out
}

func sameTime(a, b time.Time) bool {
	return a.UTC().Truncate(time.Microsecond).Equal(b.UTC().Truncate(time.Microsecond))
}

func activityProblems(g *gathered) []evidence.Problem {
	rows := map[int64]storage.Activity{}
	for _, a := range g.activities {
		rows[a.ID] = a
	}
	seen := map[int64]bool{}
	var out []evidence.Problem
	for _, e := range g.events {
		if e.Kind != workflow.EventActivity {
			continue
		}
		var p struct {
			ID            int64  `json:"activity_id"`
			Kind          string `json:"kind"`
			Note          string `json:"note"`
			DecisionMaker bool   `json:"decision_maker"`
		}
		if json.Unmarshal(e.Payload, &p) != nil || p.ID == 0 {
			continue // the chain check reports a changed payload
		}
		seen[p.ID] = true
		r, ok := rows[p.ID]
		if !ok {
			out = append(out, evidence.Problem{Code: evidence.CodeActivityMismatch, EventSeq: e.Seq, Field: "activity_id", Expected: itoa(p.ID),
				Message: fmt.Sprintf("event %d records activity %d, which is not stored", e.Seq, p.ID)})
			continue
		}
		for _, f := range [][3]string{{"kind", p.Kind, string(r.Kind)}, {"note", p.Note, r.Note}, {"decision_maker", fmt.Sprint(p.DecisionMaker), fmt.Sprint(r.DecisionMaker)},
			{"actor_id", itoa(e.ActorID), itoa(r.ActorID)}, {"stage", e.FromStage, r.Stage}, {"at", workflow.FormatEventTime(e.At), workflow.FormatEventTime(r.At)}} {
			if f[1] != f[2] {
				out = append(out, evidence.Problem{Code: evidence.CodeActivityMismatch, EventSeq: e.Seq, Field: f[0], Expected: f[1], Found: f[2],
					Message: fmt.Sprintf("activity %d: the stored %s differs from what event %d recorded", p.ID, f[0], e.Seq)})
			}
		}
	}
	for _, a := range g.activities {
		if !seen[a.ID] {
			out = append(out, evidence.Problem{Code: evidence.CodeActivityMismatch, Field: "activity_id", Found: itoa(a.ID),
				Message: fmt.Sprintf("activity %d is stored but no event records it", a.ID)})
		}
	}
	return out
}

func factProblems(g *gathered) []evidence.Problem {
	rows := map[int64]storage.Fact{}
	for _, f := range g.facts {
		rows[f.ID] = f
	}
	seen := map[int64]bool{}
	var out []evidence.Problem
	for _, e := range g.events {
		if e.Kind != workflow.EventFact {
			continue
		}
		var p struct {
			ID   int64           `json:"fact_id"`
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(e.Payload, &p) != nil || p.ID == 0 {
			continue
		}
		seen[p.ID] = true
		r, ok := rows[p.ID]
		if !ok {
			out = append(out, evidence.Problem{Code: evidence.CodeFactMismatch, EventSeq: e.Seq, Field: "fact_id", Expected: itoa(p.ID),
				Message: fmt.Sprintf("event %d records fact %d, which is not stored", e.Seq, p.ID)})
			continue
		}
		want, _ := workflow.CanonicalJSON(p.Data)
		got, err := workflow.CanonicalJSON(r.Data)
		if err != nil {
			got = r.Data
		}
		for _, f := range [][3]string{{"kind", p.Kind, string(r.Kind)}, {"data", string(want), string(got)}, {"actor_id", itoa(e.ActorID), itoa(r.ActorID)},
			{"stage", e.FromStage, r.Stage}, {"at", workflow.FormatEventTime(e.At), workflow.FormatEventTime(r.At)}} {
			if f[1] != f[2] {
				out = append(out, evidence.Problem{Code: evidence.CodeFactMismatch, EventSeq: e.Seq, Field: f[0], Expected: f[1], Found: f[2],
					Message: fmt.Sprintf("fact %d: the stored %s differs from what event %d recorded", p.ID, f[0], e.Seq)})
			}
		}
	}
	for _, f := range g.facts {
		if !seen[f.ID] {
			out = append(out, evidence.Problem{Code: evidence.CodeFactMismatch, Field: "fact_id", Found: itoa(f.ID),
				Message: fmt.Sprintf("fact %d is stored but no event records it", f.ID)})
		}
	}
	return out
}

// LogReport is the answer of VerifyLog.
type LogReport struct {
	OK          bool               `json:"ok"`
	CheckedAt   string             `json:"checked_at"`
	Size        uint64             `json:"size"`        // leaves in the log
	Checkpoints int                `json:"checkpoints"` // signed checkpoints checked
	Deals       int                `json:"deals"`       // deals with a logged head
	Problems    []evidence.Problem `json:"problems"`
	DurationMS  float64            `json:"duration_ms"`
}

// VerifyLog audits the whole checkpoint log: every checkpoint's signature, every leaf's hash,
// every checkpoint's root recomputed from the leaves, and, for every deal the log knows,
// that its newest logged head is still in the database — so a dropped or rolled-back deal is
// found without asking about it. The cost is linear in the log's size.
func (s *Service) VerifyLog(ctx context.Context) (*LogReport, error) {
	start := time.Now()
	rep := &LogReport{CheckedAt: s.now().Format(time.RFC3339)}
	key, err := s.signing(ctx)
	if err != nil {
		return nil, err
	}
	db, err := sqlDB(s.Store)
	if err != nil {
		return nil, err
	}
	// Checkpoints, smallest first.
	rows, err := db.QueryContext(ctx, "SELECT size, note FROM audit_checkpoints ORDER BY size")
	if err != nil {
		return nil, dbErr(err)
	}
	type cpRow struct {
		size uint64
		root []byte
	}
	var cps []cpRow
	for rows.Next() {
		var size uint64
		var text string
		if err := rows.Scan(&size, &text); err != nil {
			rows.Close()
			return nil, err
		}
		c, err := evidence.OpenCheckpoint([]byte(text), key.vkey)
		if err != nil || c.Size != size {
			rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeCheckpointSig,
				Message: fmt.Sprintf("checkpoint %d does not verify with the server's key: %v", size, err)})
			continue
		}
		cps = append(cps, cpRow{size: size, root: c.Root})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Checkpoints = len(cps)

	// Leaves, in order, rebuilding the tree and checking each checkpoint's root on the way.
	rows, err = db.QueryContext(ctx, "SELECT idx, deal_id, seq, head, leaf_hash FROM audit_log_leaves ORDER BY idx")
	if err != nil {
		return nil, dbErr(err)
	}
	rng := rangeFactory.NewEmptyRange(0)
	latest := map[int64]evidence.Head{}
	next := 0
	checkRoot := func() {
		for next < len(cps) && cps[next].size == rng.End() {
			root, _ := rng.GetRootHash(nil)
			if root == nil {
				root = evidence.EmptyRoot()
			}
			if !bytes.Equal(root, cps[next].root) {
				rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeCheckpointRoot, Expected: b64(cps[next].root), Found: b64(root),
					Message: fmt.Sprintf("the stored leaves do not give the root signed in checkpoint %d: the log was altered", cps[next].size)})
			}
			next++
		}
	}
	checkRoot()
	for rows.Next() {
		var idx uint64
		var h evidence.Head
		var lh string
		if err := rows.Scan(&idx, &h.DealID, &h.Seq, &h.Hash, &lh); err != nil {
			rows.Close()
			return nil, err
		}
		if idx != rng.End() {
			rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeLogLeaf, DealID: h.DealID, Expected: fmt.Sprint(rng.End()), Found: fmt.Sprint(idx),
				Message: fmt.Sprintf("log leaf %d is missing", rng.End())})
			break
		}
		want := evidence.LeafHash(evidence.LeafData(h))
		if hex.EncodeToString(want) != lh {
			rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeLogLeaf, DealID: h.DealID, EventSeq: h.Seq, Expected: hex.EncodeToString(want), Found: lh,
				Message: fmt.Sprintf("log leaf %d (deal %d, event %d) does not hash to its stored leaf hash", idx, h.DealID, h.Seq)})
		}
		_ = rng.Append(want, nil)
		latest[h.DealID] = h
		checkRoot()
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Size = rng.End()
	for ; next < len(cps); next++ {
		rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeCheckpointRoot, Expected: fmt.Sprint(cps[next].size), Found: fmt.Sprint(rng.End()),
			Message: fmt.Sprintf("checkpoint %d was signed, but the log holds only %d leaves: leaves were removed", cps[next].size, rng.End())})
	}

	// Every deal the log knows must still have its newest logged head.
	ids := make([]int64, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	rep.Deals = len(ids)
	q := rebind(s.Store.Dialect(), "SELECT (SELECT COUNT(*) FROM deals WHERE id = ?), (SELECT MAX(seq) FROM events WHERE deal_id = ?), COALESCE((SELECT hash FROM events WHERE deal_id = ? AND seq = ?), '')")
	for _, id := range ids {
		h := latest[id]
		var dealRows int
		var last *int64
		var hash string
		if err := db.QueryRowContext(ctx, q, id, id, id, h.Seq).Scan(&dealRows, &last, &hash); err != nil {
			return nil, dbErr(err)
		}
		switch {
		case dealRows == 0:
			rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeDealMissing, DealID: id, EventSeq: h.Seq, Expected: h.Hash,
				Message: fmt.Sprintf("deal %d is in the checkpoint log (head: event %d) but not in the database: it was dropped", id, h.Seq)})
		case hash == "":
			end := int64(0)
			if last != nil {
				end = *last
			}
			rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeLogRolledBack, DealID: id, EventSeq: h.Seq, Expected: h.Hash,
				Message: fmt.Sprintf("deal %d: the log holds event %d as its head, but the chain ends at event %d: it was rolled back", id, h.Seq, end)})
		case hash != h.Hash:
			rep.Problems = append(rep.Problems, evidence.Problem{Code: evidence.CodeLogHeadMismatch, DealID: id, EventSeq: h.Seq, Expected: h.Hash, Found: hash,
				Message: fmt.Sprintf("deal %d: event %d is not the event the log recorded: the chain was rewritten", id, h.Seq)})
		}
	}
	if rep.Problems == nil {
		rep.Problems = []evidence.Problem{}
	}
	rep.OK = len(rep.Problems) == 0
	rep.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	return rep, nil
}

func itoa(n int64) string { return fmt.Sprint(n) }
