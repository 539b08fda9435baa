package standin

import (
	"context"
	"testing"

	"github.com/dealgate/dealgate/documents"
	"github.com/dealgate/dealgate/workflow"
)

// TestStandinsPassTheUploadCheck: every kind's stand-ins parse, use only the kind's view keys
// and render its example, as an administrator's upload must.
func TestStandinsPassTheUploadCheck(t *testing.T) {
	r, err := documents.NewRenderer(documents.BuiltinSource{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range workflow.DocumentKinds {
		for _, f := range []documents.Format{documents.PDF, documents.DOCX} {
			name, b := Pair{Kind: k, Format: f}.File()
			if err := r.CheckTemplate(k, f, name, b); err != nil {
				t.Errorf("%s %s: %v", k, f, err)
			}
		}
	}
	n := 0
	if _, err := Install(context.Background(), r, func(context.Context, workflow.DocumentKind, string, string, []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d shipped templates are replaced by stand-ins", n)
}
