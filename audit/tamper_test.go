package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// dba changes the database behind the application's back, the way someone with database
// access would: the append-only triggers on events are switched off first.
type dba struct {
	t  *testing.T
	st *storage.Store
}

func (d dba) exec(q string, args ...any) {
	d.t.Helper()
	if err := d.st.DB().Exec(q, args...).Error; err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
}

const sqliteEventTriggers = `
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;`

func (d dba) disableEventTriggers() {
	d.t.Helper()
	if d.st.Dialect() == storage.Postgres {
		d.exec("ALTER TABLE events DISABLE TRIGGER events_no_update")
		return
	}
	d.exec("DROP TRIGGER events_no_update")
	d.exec("DROP TRIGGER events_no_delete")
}

func (d dba) enableEventTriggers() {
	d.t.Helper()
	if d.st.Dialect() == storage.Postgres {
		d.exec("ALTER TABLE events ENABLE TRIGGER events_no_update")
		return
	}
	for _, stmt := range strings.Split(strings.TrimSpace(sqliteEventTriggers), "\n") {
		d.exec(stmt)
	}
}

// restoreEvent writes every hashed column of the event back.
func (d dba) restoreEvent(e workflow.Event) {
	d.t.Helper()
	d.exec(`UPDATE events SET deal_id = ?, seq = ?, kind = ?, action = ?, from_stage = ?, to_stage = ?, actor_id = ?, reason = ?, at = ?, payload = ?,
		prev_hash = ?, hash = ? WHERE id = ?`, e.DealID, e.Seq, string(e.Kind), string(e.Action), e.FromStage, e.ToStage, e.ActorID, e.Reason, e.At,
		string(e.Payload), e.PrevHash, e.Hash, e.ID)
}

func (d dba) insertEvent(e workflow.Event) {
	d.t.Helper()
	d.exec(`INSERT INTO events (deal_id, seq, kind, action, from_stage, to_stage, actor_id, reason, at, payload, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.DealID, e.Seq, string(e.Kind), string(e.Action), e.FromStage, e.ToStage, e.ActorID, e.Reason,
		e.At, string(e.Payload), e.PrevHash, e.Hash)
}

// tamper is one change: apply it, expect the first broken link the server names, and expect
// the offline verifier to fail on a bundle the server makes now (offline "" means the change
// touches no record a bundle holds, so the bundle must still verify).
type tamper struct {
	name    string
	apply   func()
	restore func()
	first   func(p evidence.Problem) bool
	want    string // the code of the server's first broken link
	offline string // a code the offline verifier must report
}

func TestEveryChangeIsDetectedAndNamed(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		// The renderer reproduces every file, except the docx of brokenDoc when it is set.
		var brokenDoc atomic.Int64
		e.svc.Rerender = func(ctx context.Context, doc storage.Document) ([]byte, []byte, error) {
			pdf, docx, err := fakeRerender(ctx, doc)
			if doc.ID == brokenDoc.Load() {
				docx = append(docx, ' ')
			}
			return pdf, docx, err
		}
		d := dba{t: t, st: st}
		r := buildRichDeal(t, e, "tamper")
		victim := buildRichDeal(t, e, "dropped")
		spare := storagetest.CreateDeal(t, st, e.f.Pipeline, e.f.Company.ID, e.f.Rep1, "spare")
		d.disableEventTriggers()
		d.exec("DELETE FROM events WHERE deal_id = ?", spare.ID) // a place to move events to
		if _, err := e.svc.Checkpoint(bg); err != nil {
			t.Fatal(err)
		}
		key := e.publicKey()
		events, err := st.FindEvents(bg, r.deal.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1].Seq
		kinds := map[workflow.EventKind]bool{}
		for _, ev := range events {
			kinds[ev.Kind] = true
		}
		for _, k := range []workflow.EventKind{workflow.EventCreated, workflow.EventTransition, workflow.EventActivity, workflow.EventFact,
			workflow.EventDocumentFinalised, workflow.EventDocumentSupersede, workflow.EventSignedCopy} {
			if !kinds[k] {
				t.Fatalf("the test deal has no %s event; it must have every kind", k)
			}
		}

		check := func(tc tamper) {
			t.Helper()
			rep := e.verifyAPI(r.deal.ID)
			if rep.OK || rep.FirstBroken == nil {
				t.Fatalf("%s: the server's verification did not notice", tc.name)
			}
			if rep.FirstBroken.Code != tc.want || (tc.first != nil && !tc.first(*rep.FirstBroken)) {
				t.Fatalf("%s: the server's first broken link is %s; want %s naming it%s", tc.name, rep.FirstBroken, tc.want, problemList(&rep))
			}
			off := verifyOffline(t, e.bundleAPI(r.deal.ID), key)
			switch {
			case tc.offline == "" && !off.OK:
				t.Fatalf("%s: the bundle holds no changed record, yet it does not verify offline:%s", tc.name, problemList(off))
			case tc.offline != "" && (off.OK || !hasProblem(off, tc.offline, tc.first)):
				t.Fatalf("%s: offline verification did not name it (want %s):%s", tc.name, tc.offline, problemList(off))
			}
		}
		clean := func(when string) {
			t.Helper()
			if rep := e.verifyAPI(r.deal.ID); !rep.OK {
				t.Fatalf("%s: verification fails on an untouched deal:%s", when, problemList(&rep))
			}
			if off := verifyOffline(t, e.bundleAPI(r.deal.ID), key); !off.OK {
				t.Fatalf("%s: an untouched deal's bundle does not verify offline:%s", when, problemList(off))
			}
		}
		run := func(tc tamper) {
			t.Helper()
			tc.apply()
			check(tc)
			tc.restore()
			clean("after restoring " + tc.name)
		}
		clean("before any change")
		counts := map[string]int{}

		// 1. One byte of every stored file: each document file of every version, the signed
		// copy and the uploaded template.
		type file struct {
			name  string
			sha   string
			match func(evidence.Problem) bool
		}
		var files []file
		for _, doc := range r.docs {
			for _, f := range []struct{ format, sha string }{{"pdf", doc.PDFSHA256}, {"docx", doc.DOCXSHA256}} {
				id, format := doc.ID, f.format
				files = append(files, file{fmt.Sprintf("document %d %s", id, format), f.sha, func(p evidence.Problem) bool { return p.DocumentID == id && p.File == format }})
			}
		}
		files = append(files, file{"signed copy", r.signed.SHA256, func(p evidence.Problem) bool { return p.AttachmentID == r.signed.ID && p.File == "signed_copy" }})
		files = append(files, file{"uploaded template", r.template.SHA256, func(p evidence.Problem) bool { return p.TemplateID == r.template.ID && p.File == "template" }})
		for _, f := range files {
			orig, err := st.Blobs().Get(bg, f.sha)
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range []int{0, len(orig) / 2, len(orig) - 1} {
				changed := append([]byte(nil), orig...)
				changed[at] ^= 0x01
				run(tamper{name: fmt.Sprintf("byte %d of the %s", at, f.name),
					apply:   func() { d.exec("UPDATE blobs SET content = ? WHERE sha256 = ?", changed, f.sha) },
					restore: func() { d.exec("UPDATE blobs SET content = ? WHERE sha256 = ?", orig, f.sha) },
					want:    evidence.CodeFileHash, offline: evidence.CodeFileHash, first: f.match})
				counts["file bytes"]++
			}
		}

		// 2. Every hashed field of every event.
		for _, ev := range events {
			ev := ev
			seq := ev.Seq
			at := func(p evidence.Problem) bool { return p.EventSeq == seq }
			missing := func(p evidence.Problem) bool { return p.Expected == fmt.Sprint(seq) } // chain_seq: "event seq is missing"
			gone := func(p evidence.Problem) bool {                                           // the event is missing from the chain
				if seq == last {
					return p.Code == evidence.CodeLogRolledBack && p.EventSeq == seq
				}
				return p.Code == evidence.CodeChainSeq && p.Expected == fmt.Sprint(seq)
			}
			goneCode := evidence.CodeChainSeq
			if seq == last {
				goneCode = evidence.CodeLogRolledBack
			}
			payload := `{}`
			if len(ev.Payload) > 0 {
				payload = string(ev.Payload[:len(ev.Payload)-1]) + `,"x":1}`
			}
			kind := "fact"
			if ev.Kind == workflow.EventFact {
				kind = "activity"
			}
			fields := []struct {
				col   string
				value any
				want  string
				match func(evidence.Problem) bool
			}{
				{"deal_id", spare.ID, goneCode, gone},
				{"seq", seq + 1000, evidence.CodeChainSeq, missing},
				{"kind", kind, evidence.CodeChainHash, at},
				{"action", string(ev.Action) + "x", evidence.CodeChainHash, at},
				{"from_stage", ev.FromStage + "x", evidence.CodeChainHash, at},
				{"to_stage", ev.ToStage + "x", evidence.CodeChainHash, at},
				{"actor_id", ev.ActorID + 1, evidence.CodeChainHash, at},
				{"reason", ev.Reason + "x", evidence.CodeChainHash, at},
				{"at", ev.At.Add(time.Microsecond), evidence.CodeChainHash, at},
				{"payload", payload, evidence.CodeChainHash, at},
				{"prev_hash", strings.Repeat("0", 64), evidence.CodeChainPrevHash, at},
				{"hash", strings.Repeat("f", 64), evidence.CodeChainHash, at},
			}
			for _, f := range fields {
				f := f
				run(tamper{name: fmt.Sprintf("event %d (%s) field %s", seq, ev.Kind, f.col),
					apply:   func() { d.exec("UPDATE events SET "+f.col+" = ? WHERE id = ?", f.value, ev.ID) },
					restore: func() { d.restoreEvent(ev) },
					want:    f.want, offline: f.want, first: f.match})
				counts["event fields"]++
			}
		}

		// 3. Each event deleted, one at a time.
		for _, ev := range events {
			ev := ev
			seq := ev.Seq
			want, match := evidence.CodeChainSeq, func(p evidence.Problem) bool { return p.Expected == fmt.Sprint(seq) }
			if seq == last {
				want, match = evidence.CodeLogRolledBack, func(p evidence.Problem) bool { return p.EventSeq == seq }
			}
			run(tamper{name: fmt.Sprintf("event %d deleted", seq),
				apply:   func() { d.exec("DELETE FROM events WHERE id = ?", ev.ID) },
				restore: func() { d.insertEvent(ev) },
				want:    want, offline: want, first: match})
			counts["deletions"]++
		}

		// 4. Two events swapped (their places in the chain exchanged).
		for _, pair := range [][2]int64{{1, 2}, {3, last - 3}, {last - 1, last}} {
			i, j := pair[0], pair[1]
			swap := func() {
				d.exec("UPDATE events SET seq = ? WHERE deal_id = ? AND seq = ?", -1, r.deal.ID, i)
				d.exec("UPDATE events SET seq = ? WHERE deal_id = ? AND seq = ?", i, r.deal.ID, j)
				d.exec("UPDATE events SET seq = ? WHERE deal_id = ? AND seq = ?", j, r.deal.ID, -1)
			}
			run(tamper{name: fmt.Sprintf("events %d and %d swapped", i, j), apply: swap, restore: swap,
				want: evidence.CodeChainPrevHash, offline: evidence.CodeChainPrevHash, first: func(p evidence.Problem) bool { return p.EventSeq == i }})
			counts["swaps"]++
		}

		// 5. Records that must agree with their events.
		p1, p2, c1 := r.docs[0], r.docs[1], r.docs[2]
		rows := []tamper{
			{name: "document number", want: evidence.CodeDocumentField, offline: evidence.CodeDocumentField,
				apply:   func() { d.exec("UPDATE documents SET number = ? WHERE id = ?", "ДОГ-1", c1.ID) },
				restore: func() { d.exec("UPDATE documents SET number = ? WHERE id = ?", c1.Number, c1.ID) },
				first:   func(p evidence.Problem) bool { return p.DocumentID == c1.ID && p.Field == "number" }},
			{name: "document data", want: evidence.CodeDocumentData, offline: evidence.CodeDocumentData,
				apply: func() {
					d.exec("UPDATE documents SET data = ? WHERE id = ?", strings.Replace(string(p2.Data), "v2", "v3", 1), p2.ID)
				},
				restore: func() { d.exec("UPDATE documents SET data = ? WHERE id = ?", string(p2.Data), p2.ID) },
				first:   func(p evidence.Problem) bool { return p.DocumentID == p2.ID }},
			{name: "document file pointed at another file", want: evidence.CodeDocumentField, offline: evidence.CodeFileHash,
				apply:   func() { d.exec("UPDATE documents SET pdf_sha256 = ? WHERE id = ?", p1.PDFSHA256, c1.ID) },
				restore: func() { d.exec("UPDATE documents SET pdf_sha256 = ? WHERE id = ?", c1.PDFSHA256, c1.ID) },
				first:   func(p evidence.Problem) bool { return p.DocumentID == c1.ID }},
			{name: "superseded version marked final again", want: evidence.CodeDocumentField, offline: evidence.CodeDocumentField,
				apply:   func() { d.exec("UPDATE documents SET status = 'final' WHERE id = ?", p1.ID) },
				restore: func() { d.exec("UPDATE documents SET status = 'superseded' WHERE id = ?", p1.ID) },
				first:   func(p evidence.Problem) bool { return p.DocumentID == p1.ID && p.Field == "status" }},
			{name: "signed copy file name", want: evidence.CodeAttachmentField, offline: evidence.CodeAttachmentField,
				apply: func() { d.exec("UPDATE document_attachments SET filename = 'other.pdf' WHERE id = ?", r.signed.ID) },
				restore: func() {
					d.exec("UPDATE document_attachments SET filename = ? WHERE id = ?", r.signed.Filename, r.signed.ID)
				},
				first: func(p evidence.Problem) bool { return p.AttachmentID == r.signed.ID && p.Field == "filename" }},
			{name: "template version", want: evidence.CodeTemplateField, offline: evidence.CodeTemplateField,
				apply:   func() { d.exec("UPDATE doc_templates SET version = 7 WHERE id = ?", r.template.ID) },
				restore: func() { d.exec("UPDATE doc_templates SET version = ? WHERE id = ?", r.template.Version, r.template.ID) },
				first:   func(p evidence.Problem) bool { return p.TemplateID == r.template.ID }},
			{name: "activity note", want: evidence.CodeActivityMismatch,
				apply: func() { d.exec("UPDATE activities SET note = 'другое' WHERE deal_id = ?", r.deal.ID) },
				restore: func() {
					d.exec("UPDATE activities SET note = ? WHERE deal_id = ?", "звонок: интерес к компрессорам", r.deal.ID)
				},
				first: func(p evidence.Problem) bool { return p.Field == "note" }},
			{name: "payment fact", want: evidence.CodeFactMismatch,
				apply: func() {
					d.exec("UPDATE facts SET data = ? WHERE deal_id = ? AND kind = 'payment'", `{"amount":"15000000.00","date":"2026-03-01"}`, r.deal.ID)
				},
				restore: func() {
					d.exec("UPDATE facts SET data = ? WHERE deal_id = ? AND kind = 'payment'", `{"amount":"1500000.00","date":"2026-03-01"}`, r.deal.ID)
				},
				first: func(p evidence.Problem) bool { return p.Field == "data" }},
			{name: "deal stage", want: evidence.CodeDealState,
				apply:   func() { d.exec("UPDATE deals SET stage = 'contract' WHERE id = ?", r.deal.ID) },
				restore: func() { d.exec("UPDATE deals SET stage = ? WHERE id = ?", r.deal.Stage, r.deal.ID) },
				first:   func(p evidence.Problem) bool { return p.Field == "stage" && p.Found == "contract" }},
		}
		for _, tc := range rows {
			run(tc)
			counts["records"]++
		}

		// 6. A re-render that does not reproduce the stored file.
		run(tamper{name: "renderer output differs", want: evidence.CodeRerenderMismatch,
			apply:   func() { brokenDoc.Store(c1.ID) },
			restore: func() { brokenDoc.Store(0) },
			first:   func(p evidence.Problem) bool { return p.DocumentID == c1.ID && p.File == "docx" }})

		// 7. A whole deal dropped.
		d.exec("DELETE FROM document_attachments WHERE document_id IN (SELECT id FROM documents WHERE deal_id = ?)", victim.deal.ID)
		d.exec("UPDATE documents SET supersedes_id = NULL WHERE deal_id = ?", victim.deal.ID)
		for _, table := range []string{"documents", "events", "activities", "facts", "stat_stage_visits"} {
			d.exec("DELETE FROM "+table+" WHERE deal_id = ?", victim.deal.ID)
		}
		d.exec("DELETE FROM deals WHERE id = ?", victim.deal.ID)
		rep := e.verifyAPI(victim.deal.ID)
		if rep.OK || rep.FirstBroken.Code != evidence.CodeDealMissing || !hasProblem(&rep, evidence.CodeLogRolledBack, nil) {
			t.Fatalf("dropped deal: %+v%s", rep.FirstBroken, problemList(&rep))
		}
		off := verifyOffline(t, e.bundleAPI(victim.deal.ID), key)
		if off.OK || !hasProblem(off, evidence.CodeLogRolledBack, nil) {
			t.Fatalf("dropped deal offline:%s", problemList(off))
		}
		logRep, err := e.svc.VerifyLog(bg)
		if err != nil {
			t.Fatal(err)
		}
		if logRep.OK || len(logRep.Problems) != 1 || logRep.Problems[0].Code != evidence.CodeDealMissing || logRep.Problems[0].DealID != victim.deal.ID {
			t.Fatalf("log audit after the drop: %+v", logRep.Problems)
		}
		clean("after dropping another deal")

		// The triggers refuse changes again once they are back.
		d.enableEventTriggers()
		if err := st.DB().Exec("UPDATE events SET reason = 'x' WHERE deal_id = ?", r.deal.ID).Error; err == nil {
			t.Fatal("an event was updated with the append-only trigger in place")
		}
		if err := st.DB().Exec("DELETE FROM events WHERE deal_id = ?", r.deal.ID).Error; err == nil {
			t.Fatal("an event was deleted with the append-only trigger in place")
		}
		t.Logf("%d events; changes detected and named by the server and offline: %v, plus a dropped deal", len(events), counts)
	})
}
