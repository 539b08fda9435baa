package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
)

// TestTrainingWiredIntoServe starts the server as `dealgate serve` does and checks that the
// training gate, routes and pages are there.
func TestTrainingWiredIntoServe(t *testing.T) {
	var out bytes.Buffer
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), "error"
	app, err := StartApp(context.Background(), cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	if app.Store.TrainingPassedFunc == nil {
		t.Fatal("the training gate is not wired: Store.TrainingPassedFunc is nil")
	}
	m := regexp.MustCompile(`API token:\s*(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin token in %q", out.String())
	}
	req, _ := http.NewRequest("GET", app.URL()+"/api/v1/training/stages/research/test", nil)
	req.Header.Set("Authorization", "Bearer "+m[1])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var test struct {
		AttemptID int64             `json:"attempt_id"`
		Questions []json.RawMessage `json:"questions"`
	}
	json.NewDecoder(res.Body).Decode(&test)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || test.AttemptID == 0 || len(test.Questions) != 10 {
		t.Fatalf("GET /api/v1/training/stages/research/test: %d, %+v", res.StatusCode, test)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noRedirect.Get(app.URL() + "/training")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Ftraining" {
		t.Fatalf("GET /training signed out: %d → %q, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}
}
