package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
	"github.com/dealgate/dealgate/audit"
	"github.com/dealgate/dealgate/stats"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// adminEmail and adminPassword are the first administrator's, created as `dealgate serve`
// creates one on an empty database; everyone else is added through the admin pages.
const (
	adminEmail    = "admin@dealgate.local"
	adminPassword = "первый-администратор-2026"
)

// site is a running dealgate: the store, the API with the audit service, the web pages, on a
// listener of its own.
type site struct {
	st  *storage.Store
	srv *api.Server
	url string
}

// startSite builds the server as `dealgate serve` does — a migrated store, the default
// pipeline, the first administrator, api.NewServer with the audit routes (verification
// re-renders documents with the document service), the statistics and training routes, and
// web.Register with the statistics and training pages — and serves it on 127.0.0.1 on a free
// port until the test ends.
func startSite(t *testing.T, dialect storage.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	st := storagetest.NewStore(t, dialect)
	storagetest.SavePipeline(t, st, templates.DefaultPipeline())
	hash, err := api.HashPassword(adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, storage.User{Email: adminEmail, Name: "Администратор", Role: workflow.RoleAdmin, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	log := storagetest.Logger(t)
	srv := api.NewServer(st, log)
	dir, err := audit.KeyDirFor(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	svc := audit.New(st, dir, log)
	svc.Rerender = srv.Documents.Rerender
	if _, err := svc.PublicKey(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Extra = append(srv.Extra, svc.Routes())
	// The statistics and training pages, as the serve command wires them: the rep's and the
	// manager's homes in the navigation.
	stat := stats.NewService(st)
	stat.PipelineKey = srv.PipelineKey
	srv.Extra = append(srv.Extra, (&stats.API{Svc: stat}).Routes, api.TrainingRoutes)
	w, err := web.Register(srv)
	if err != nil {
		t.Fatal(err)
	}
	web.AddStats(w, &web.Stats{Svc: stat})
	web.AddTraining(w, &web.Training{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("the server stopped: %v", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	})
	return &site{st: st, srv: srv, url: "http://" + ln.Addr().String()}
}

// apiCall sends a JSON request to the API with a bearer token and decodes the answer into out
// (when not nil). It returns the status.
func (s *site) apiCall(t *testing.T, token, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	if res.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	return res.StatusCode
}

// completeClientCard fills what a final client card needs (DOMAIN.md §1.3) into prefilled
// data: the rep of the story does this through the API, the form itself being covered by the
// page tests.
func completeClientCard(data map[string]any, today string) {
	data["industry"] = "Производство трубопроводной арматуры"
	data["okved"] = "28.14"
	data["headcount"] = 1850
	data["sites"] = []any{map[string]any{"name": "Основная площадка", "address": "г. Москва, ул. Вавилова, д. 19"}}
	data["installed_base"] = []any{map[string]any{"equipment": "Поршневые компрессоры 2ВМ4", "manufacturer": "Уралкомпрессормаш", "qty": 3, "year": 1994}}
	data["needs"] = []any{map[string]any{"description": "Замена компрессорной станции цеха № 3", "timeframe": "2026"}}
	data["budget"] = map[string]any{"amount": "8000000.00", "purchasing_cycle": "квартальный"}
	data["procurement"] = map[string]any{"law": "223-fz", "platform": "B2B-Center"}
	data["dmu"] = []any{map[string]any{"name": "Гаврилов Павел Игоревич", "position": "Главный инженер", "role": "decision_maker", "attitude": "supporter",
		"influence": "high", "phone": "+7 (3439) 27-15-10", "last_contact": today}}
	data["contact_history"] = []any{map[string]any{"date": today, "kind": "meeting", "summary": "Встреча на площадке, обсуждение КП"}}
	data["stage"] = "client_card"
	data["next_step"] = map[string]any{"action": "Согласовать договор", "owner": "Соколова А.", "due": today}
	data["potential"] = "7637200.00"
	data["priority"] = "A"
}

func must(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}
