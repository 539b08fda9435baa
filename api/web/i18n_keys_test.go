package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

// othersPages are the page files other packages' engineers keep (training, statistics); their
// own tests check their texts.
func othersPages(name string) bool {
	base := filepath.Base(name)
	return strings.HasPrefix(base, "training") || strings.HasPrefix(base, "stats")
}

// TestEveryTextHasATranslation: every key the templates and handlers show exists in both
// languages — a missing one would show the key itself on the page.
func TestEveryTextHasATranslation(t *testing.T) {
	used := map[string]string{}
	tplKey := regexp.MustCompile(`\.T "([a-z_]+\.[a-z_.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || othersPages(p) {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		for _, m := range tplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`(?:flash\(c, |translate\([a-zA-Z.()"]+, )"([a-z_]+\.[a-z_.]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || othersPages(f) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	// Keys built with print "prefix." and a value.
	for _, s := range []string{"open", "won", "lost"} {
		used["status."+s] = "status"
	}
	for _, s := range []string{"draft", "final", "superseded"} {
		used["doc."+s] = "document status"
	}
	for _, r := range workflow.Roles {
		used["role."+string(r)] = "roles"
	}
	for _, k := range workflow.ActivityKinds {
		used["activity."+string(k)] = "activities"
	}
	for _, k := range []workflow.EventKind{workflow.EventCreated, workflow.EventTransition, workflow.EventActivity, workflow.EventFact,
		workflow.EventDocumentFinalised, workflow.EventDocumentSupersede, workflow.EventSignedCopy} {
		used["event."+string(k)] = "events"
	}
	for _, k := range backofficeNeeds {
		used["need."+k] = "queue"
	}
	for _, k := range []string{"won", "lost", "cancelled", "not_held"} {
		used["tender."+k] = "tender"
	}
	for _, k := range []string{"done", "skipped", "current", "ahead"} {
		used["stage."+k] = "stages"
	}
	if len(used) < 100 {
		t.Fatalf("only %d keys found: the scan is broken", len(used))
	}
	for k, where := range used {
		m, ok := messages[k]
		if !ok {
			t.Errorf("%s: no text for %q", where, k)
			continue
		}
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s: %q lacks a language: %q", where, k, m)
		}
	}
}
