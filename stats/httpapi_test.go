package stats

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

type client struct {
	t   *testing.T
	srv *httptest.Server
}

func (c client) do(method, path, token, body string) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestStatsAPI(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		a, b, sim := buildScenario(t, st)
		f := sim.f
		srv := api.NewServer(st, storagetest.Logger(t))
		srv.Extra = append(srv.Extra, (&API{Svc: NewService(st)}).Routes)
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		c := client{t, hs}
		const period = "from=2025-03-01&to=2025-03-31"

		// A manager reads the team and every rep.
		code, _, body := c.do("GET", "/api/v1/stats/funnel?"+period, f.Manager.Token, "")
		if code != 200 {
			t.Fatalf("manager funnel: %d %s", code, body)
		}
		var fr struct {
			Team struct {
				Stages []struct {
					Stage      string
					Entered    int
					Conversion Ratio
					Days       struct{ Median, P90 float64 }
				}
			}
			Reps []struct {
				Rep struct{ ID int64 }
			}
			Norms   struct{ Source string }
			Weakest []Weakest
			Behind  []Behind
		}
		if err := json.Unmarshal(body, &fr); err != nil {
			t.Fatal(err)
		}
		if fr.Team.Stages[0].Entered != 8 || fr.Team.Stages[0].Conversion != (Ratio{7, 8}) || fr.Team.Stages[0].Days.P90 != 4.4 {
			t.Errorf("research via the API: %+v", fr.Team.Stages[0])
		}
		if len(fr.Reps) != 2 || fr.Norms.Source != "live" || len(fr.Behind) != 2 {
			t.Errorf("reps %d, norms %q, behind %d", len(fr.Reps), fr.Norms.Source, len(fr.Behind))
		}

		// A rep reads only their own funnel; another rep's page is forbidden; the back office
		// reads nothing.
		code, _, body = c.do("GET", "/api/v1/stats/funnel?"+period, b.Token, "")
		if code != 200 || strings.Contains(string(body), `"weakest"`) || strings.Contains(string(body), `"behind"`) {
			t.Fatalf("rep funnel: %d %s", code, body)
		}
		fr.Reps = nil
		_ = json.Unmarshal(body, &fr)
		if len(fr.Reps) != 1 || fr.Reps[0].Rep.ID != b.ID || fr.Team.Stages[0].Entered != 3 {
			t.Errorf("rep B sees %+v, team research %d", fr.Reps, fr.Team.Stages[0].Entered)
		}
		if code, _, _ := c.do("GET", fmt.Sprintf("/api/v1/stats/funnel?%s&rep_id=%d", period, a.ID), b.Token, ""); code != 403 {
			t.Errorf("rep asking for another rep's funnel: %d", code)
		}
		if code, _, _ := c.do("GET", fmt.Sprintf("/api/v1/stats/reps/%d?%s", a.ID, period), b.Token, ""); code != 403 {
			t.Errorf("rep reading another rep: %d", code)
		}
		if code, _, _ := c.do("GET", "/api/v1/stats/funnel?"+period, f.Backoffice.Token, ""); code != 403 {
			t.Errorf("back office: %d", code)
		}
		if code, _, _ := c.do("GET", "/api/v1/stats/funnel?"+period, "", ""); code != 401 {
			t.Errorf("anonymous: %d", code)
		}

		// A rep's own page: the gaps against live norms of the whole team (top 1 by profit is A).
		code, _, body = c.do("GET", fmt.Sprintf("/api/v1/stats/reps/%d?%s&group=top&top_n=1&min_n=1&min_tenure_days=0", b.ID, period), b.Token, "")
		if code != 200 {
			t.Fatalf("rep page: %d %s", code, body)
		}
		var rr struct {
			Gaps struct {
				Worst    int
				Stages   []StageGap
				Sentence struct{ Ru string }
			}
			Norms struct{ Source string }
		}
		if err := json.Unmarshal(body, &rr); err != nil {
			t.Fatal(err)
		}
		if rr.Norms.Source != "live" || rr.Gaps.Worst != 1 || !strings.Contains(rr.Gaps.Sentence.Ru, "«Холодный звонок»") {
			t.Errorf("rep B gaps: worst %d, %q", rr.Gaps.Worst, rr.Gaps.Sentence.Ru)
		}

		// Norms: a rep sees the norms but not the others' figures.
		code, _, body = c.do("GET", "/api/v1/stats/norms?"+period+"&group=top&top_n=1&min_n=1&min_tenure_days=0&plan=10000000", b.Token, "")
		if code != 200 {
			t.Fatalf("rep norms: %d %s", code, body)
		}
		var nr struct {
			Ranking   []RepRank
			Reference []int64
			Stages    []StageNorm
			Reverse   *ReversePlan
		}
		_ = json.Unmarshal(body, &nr)
		if len(nr.Ranking) != 1 || nr.Ranking[0].Rep.ID != b.ID || len(nr.Reference) != 0 || len(nr.Stages[0].Best) != 0 || nr.Reverse == nil {
			t.Errorf("rep norms leak: %+v", nr)
		}
		code, _, body = c.do("GET", "/api/v1/stats/norms?"+period+"&group=top&top_n=1&min_n=1&min_tenure_days=0", f.Auditor.Token, "")
		_ = json.Unmarshal(body, &nr)
		if code != 200 || len(nr.Ranking) != 2 || len(nr.Stages[0].Best) != 1 {
			t.Errorf("auditor norms: %d %+v", code, nr.Ranking)
		}

		// Exports: CSV of one table, XLSX of all; a wrong table name is refused.
		code, h, body := c.do("GET", "/api/v1/stats/funnel?"+period+"&format=csv&table=funnel", f.Manager.Token, "")
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "dealgate-funnel-2025-03-01_2025-03-31-funnel.csv") {
			t.Fatalf("csv: %d %v", code, h)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(recs) != 16 || recs[1][2] != "8" || recs[1][8] != "87.5" {
			t.Errorf("csv rows %d: %q (%v)", len(recs), recs[1], err)
		}
		code, _, body = c.do("GET", "/api/v1/stats/funnel?"+period+"&format=csv&table=nope", f.Manager.Token, "")
		if code != 422 || !strings.Contains(string(body), "heatmap") {
			t.Errorf("unknown table: %d %s", code, body)
		}
		code, h, body = c.do("GET", fmt.Sprintf("/api/v1/stats/reps/%d?%s&format=xlsx", b.ID, period), f.Manager.Token, "")
		if code != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx: %d %v", code, h)
		}
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if sheets := x.GetSheetList(); len(sheets) != 5 || sheets[0] != "gaps" {
			t.Errorf("rep workbook sheets %v", sheets)
		}

		// Bad input is a problem naming the field.
		code, _, body = c.do("GET", "/api/v1/stats/funnel?from=March", f.Manager.Token, "")
		if code != 422 || !strings.Contains(string(body), `"field":"from"`) {
			t.Errorf("bad from: %d %s", code, body)
		}
		if code, _, _ = c.do("GET", "/api/v1/stats/norms?measure=luck", f.Manager.Token, ""); code != 422 {
			t.Errorf("bad measure: %d", code)
		}

		// Snapshots: managers save and adjust; reps and auditors may not.
		snap := `{"from":"2025-03-01","to":"2025-03-31","group":"top","top_n":1,"min_n":1,"min_tenure_days":0,"note":"март"}`
		if code, _, _ := c.do("POST", "/api/v1/stats/norms/snapshots", b.Token, snap); code != 403 {
			t.Errorf("rep saving norms: %d", code)
		}
		if code, _, _ := c.do("POST", "/api/v1/stats/norms/snapshots", f.Auditor.Token, snap); code != 403 {
			t.Errorf("auditor saving norms: %d", code)
		}
		code, h, body = c.do("POST", "/api/v1/stats/norms/snapshots", f.Manager.Token, snap)
		if code != 201 {
			t.Fatalf("save norms: %d %s", code, body)
		}
		var saved NormsResponse
		_ = json.Unmarshal(body, &saved)
		if saved.ID == 0 || h.Get("Location") != fmt.Sprintf("/api/v1/stats/norms/snapshots/%d", saved.ID) || saved.Note != "март" {
			t.Fatalf("saved %+v %v", saved.NormSet, h)
		}
		code, _, body = c.do("POST", fmt.Sprintf("/api/v1/stats/norms/snapshots/%d/adjustments", saved.ID), f.Manager.Token,
			`{"stage":"meeting","metric":"conversion","value":0.7,"reason":"цель квартала"}`)
		if code != 201 || !strings.Contains(string(body), `"method":"manual"`) {
			t.Fatalf("adjust: %d %s", code, body)
		}
		code, _, body = c.do("POST", fmt.Sprintf("/api/v1/stats/norms/snapshots/%d/adjustments", saved.ID), f.Manager.Token,
			`{"stage":"meeting","metric":"conversion","value":"x","reason":"?"}`)
		if code != 422 {
			t.Errorf("adjust with text: %d %s", code, body)
		}
		code, _, body = c.do("POST", fmt.Sprintf("/api/v1/stats/norms/snapshots/%d/adjustments", saved.ID), f.Manager.Token,
			`{"stage":"meeting","metric":"conversion","value":0.5,"reason":"x","extra":1}`)
		if code != 422 || !strings.Contains(string(body), "extra") {
			t.Errorf("unknown field: %d %s", code, body)
		}
		// With a saved set, reports use it by default and say so.
		code, _, body = c.do("GET", "/api/v1/stats/funnel?"+period, f.Manager.Token, "")
		if code != 200 || !strings.Contains(string(body), fmt.Sprintf(`"source":"snapshot","id":%d`, saved.ID)) {
			t.Errorf("funnel after a snapshot: %d %.300s", code, body)
		}
		code, _, body = c.do("GET", "/api/v1/stats/norms/snapshots", b.Token, "")
		if code != 200 || !strings.Contains(string(body), `"adjustments":1`) {
			t.Errorf("snapshot list: %d %s", code, body)
		}

		// The OpenAPI document lists the routes.
		_, _, body = c.do("GET", "/api/v1/openapi.json", "", "")
		for _, p := range []string{"/api/v1/stats/funnel", "/api/v1/stats/norms", "/api/v1/stats/reps/{id}", "/api/v1/stats/norms/snapshots/{id}/adjustments"} {
			if !strings.Contains(string(body), `"`+p+`"`) {
				t.Errorf("openapi lacks %s", p)
			}
		}
	})
}
