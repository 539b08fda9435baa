package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/audit"
	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

func mustJSON(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadsAreLoggedAndListed(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		f := e.f
		r := buildRichDeal(t, e, "reads")
		id := r.deal.ID
		for _, c := range []struct {
			token, path string
			status      int
		}{
			{f.Auditor.Token, fmt.Sprintf("/api/v1/deals/%d/trail", id), 200},
			{f.Auditor.Token, fmt.Sprintf("/api/v1/deals/%d/verify", id), 200},
			{f.Auditor.Token, fmt.Sprintf("/api/v1/deals/%d/evidence.zip", id), 200},
			{f.Auditor.Token, fmt.Sprintf("/api/v1/checkpoints/1/proof?deal=%d", id), 200},
			{f.Rep1.Token, fmt.Sprintf("/api/v1/deals/%d/trail", id), 200},
			{f.Rep2.Token, fmt.Sprintf("/api/v1/deals/%d/trail", id), 404}, // another rep's deal: not logged
			{f.Rep2.Token, fmt.Sprintf("/api/v1/deals/%d/evidence.zip", id), 404},
			{f.Auditor.Token, "/api/v1/deals/999999/verify", 404}, // unknown everywhere: not logged
			{"", fmt.Sprintf("/api/v1/deals/%d/verify", id), 401},
		} {
			if status, body, _ := e.do(http.MethodGet, c.path, c.token); status != c.status {
				t.Fatalf("GET %s: %d, want %d: %s", c.path, status, c.status, body)
			}
		}
		var list struct {
			Items []audit.Read `json:"items"`
			Total int64        `json:"total"`
		}
		e.getJSON("/api/v1/audit/reads", f.Admin.Token, &list)
		var got []string
		for _, rd := range list.Items {
			got = append(got, fmt.Sprintf("%s:%s:%d", rd.Email, rd.What, rd.DealID))
			if rd.At.IsZero() {
				t.Fatalf("read without a time: %+v", rd)
			}
		}
		want := []string{ // newest first
			fmt.Sprintf("rep1@example.ru:trail:%d", id),
			fmt.Sprintf("auditor@example.ru:proof:%d", id),
			fmt.Sprintf("auditor@example.ru:evidence:%d", id),
			fmt.Sprintf("auditor@example.ru:verify:%d", id),
			fmt.Sprintf("auditor@example.ru:trail:%d", id),
		}
		if strings.Join(got, " ") != strings.Join(want, " ") || list.Total != 5 {
			t.Fatalf("reads = %v (total %d)\nwant    %v", got, list.Total, want)
		}
		e.getJSON(fmt.Sprintf("/api/v1/audit/reads?user_id=%d&limit=2", f.Auditor.ID), f.Auditor.Token, &list)
		if len(list.Items) != 2 || list.Total != 4 || list.Items[0].What != audit.ReadProof {
			t.Fatalf("filtered reads: %+v", list)
		}
		for path, status := range map[string]int{
			"/api/v1/audit/reads?deal_id=x": 422, "/api/v1/audit/reads?limit=5000": 422,
		} {
			if got, body, _ := e.do(http.MethodGet, path, f.Auditor.Token); got != status {
				t.Fatalf("GET %s: %d, want %d: %s", path, got, status, body)
			}
		}
		for _, tok := range []string{f.Rep1.Token, f.Manager.Token, f.Backoffice.Token} {
			if status, _, _ := e.do(http.MethodGet, "/api/v1/audit/reads", tok); status != http.StatusForbidden {
				t.Fatalf("a non-auditor listed the reads: %d", status)
			}
		}
		if err := st.DB().Exec("DELETE FROM audit_reads").Error; err == nil {
			t.Fatal("the read log accepted a DELETE")
		}
		if err := st.DB().Exec("UPDATE audit_reads SET user_id = ?", f.Admin.ID).Error; err == nil {
			t.Fatal("the read log accepted an UPDATE")
		}
	})
}

func TestTrail(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		r := buildRichDeal(t, e, "trail")
		if _, err := e.svc.Checkpoint(bg); err != nil {
			t.Fatal(err)
		}
		var tr audit.Trail
		e.getJSON(fmt.Sprintf("/api/v1/deals/%d/trail", r.deal.ID), e.f.Rep1.Token, &tr)
		events, _ := st.FindEvents(bg, r.deal.ID)
		if len(tr.Events) != len(events) || tr.Head == nil || tr.Head.Hash != events[len(events)-1].Hash || tr.Logged == nil || tr.Logged.Seq != tr.Head.Seq {
			t.Fatalf("trail events/head/logged: %d events, head %+v, logged %+v", len(tr.Events), tr.Head, tr.Logged)
		}
		for i, ev := range tr.Events {
			if ev.Hash != events[i].Hash || ev.Actor != e.f.Rep1.Name {
				t.Fatalf("trail event %d = %+v", i, ev)
			}
		}
		if len(tr.Documents) != 3 {
			t.Fatalf("trail documents: %+v", tr.Documents)
		}
		p1, p2, c1 := tr.Documents[0], tr.Documents[1], tr.Documents[2]
		if p1.Status != "superseded" || p1.SupersededBy == nil || *p1.SupersededBy != p2.ID || p2.SupersedesID == nil || *p2.SupersedesID != p1.ID ||
			p2.Version != 2 || p2.Number != p1.Number || p1.EventSeq == 0 {
			t.Fatalf("versions: %+v / %+v", p1, p2)
		}
		if len(p1.Templates) != 2 || p1.Templates[1].ID != r.template.ID || p1.Templates[1].Version != r.template.Version || p1.Templates[1].SHA256 != r.template.SHA256 {
			t.Fatalf("template versions: %+v", p1.Templates)
		}
		if p1.PDFSHA256 != r.docs[0].PDFSHA256 || p1.DOCXSHA256 != r.docs[0].DOCXSHA256 || p1.DataSHA256 != evidence.SHA256Hex(r.docs[0].Data) {
			t.Fatalf("hashes: %+v", p1)
		}
		if len(c1.SignedCopies) != 1 || c1.SignedCopies[0].SHA256 != r.signed.SHA256 || c1.CreatedByName != e.f.Rep1.Name {
			t.Fatalf("signed copy / who: %+v", c1)
		}
	})
}

func TestRerenderSkippedWithoutRenderer(t *testing.T) {
	t.Parallel()
	st := storagetest.NewStore(t, storage.SQLite)
	e := newEnv(t, st)
	r := buildRichDeal(t, e, "rerender")
	rep, err := e.svc.VerifyDeal(bg, r.deal.ID)
	if err != nil || !rep.OK || !strings.HasPrefix(rep.Rerender, "skipped") {
		t.Fatalf("without a renderer: %+v %v", rep, err)
	}
	e.svc.Rerender = fakeRerender
	rep, err = e.svc.VerifyDeal(bg, r.deal.ID)
	if err != nil || !rep.OK || rep.Rerender != "3 document(s) re-rendered, 6 file(s) compared" {
		t.Fatalf("with a renderer: %+v %v", rep, err)
	}
	e.svc.Rerender = func(ctx context.Context, d storage.Document) ([]byte, []byte, error) {
		return nil, nil, fmt.Errorf("template gone")
	}
	rep, _ = e.svc.VerifyDeal(bg, r.deal.ID)
	if rep.OK || rep.FirstBroken.Code != evidence.CodeRerenderFailed || !strings.Contains(rep.FirstBroken.Message, "template gone") {
		t.Fatalf("a failing renderer: %+v", rep.FirstBroken)
	}
}

func TestOpenAPIListsAuditRoutes(t *testing.T) {
	t.Parallel()
	st := storagetest.NewStore(t, storage.SQLite)
	e := newEnv(t, st)
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	e.getJSON("/api/v1/openapi.json", "", &doc)
	for _, p := range []string{"/api/v1/deals/{id}/trail", "/api/v1/deals/{id}/verify", "/api/v1/deals/{id}/evidence.zip", "/api/v1/checkpoints/latest",
		"/api/v1/checkpoints", "/api/v1/checkpoints/{size}/proof", "/api/v1/checkpoints/{size}/consistency", "/api/v1/audit/public-key",
		"/api/v1/audit/verify", "/api/v1/audit/reads"} {
		if doc.Paths[p] == nil {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
	raw, _ := json.Marshal(doc.Paths)
	for _, ref := range strings.Split(string(raw), `"$ref":"#/components/schemas/`)[1:] {
		name := ref[:strings.IndexByte(ref, '"')]
		if doc.Components.Schemas[name] == nil {
			t.Errorf("OpenAPI refers to a missing schema %s", name)
		}
	}
}
