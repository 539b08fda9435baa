package evidence

import (
	"fmt"
	"io"
	"strings"
)

// Report is the answer of a verification, by the server (GET /api/v1/deals/{id}/verify) or
// offline (`dealgate verify`). OK is true only when there is no problem; FirstBroken is the
// first broken link (Problems[0]).
type Report struct {
	DealID      int64             `json:"deal_id"`
	OK          bool              `json:"ok"`
	CheckedAt   string            `json:"checked_at"`
	Events      int               `json:"events"`
	Head        *Head             `json:"head,omitempty"`
	Documents   int               `json:"documents"`
	Files       int               `json:"files_checked"`
	Checkpoint  *CheckpointStatus `json:"checkpoint,omitempty"`
	Rerender    string            `json:"rerender"`
	FirstBroken *Problem          `json:"first_broken,omitempty"`
	Problems    []Problem         `json:"problems"`
	Notes       []string          `json:"notes,omitempty"`
	DurationMS  float64           `json:"duration_ms"`
}

// CheckpointStatus says which signed checkpoint anchors the deal's chain.
type CheckpointStatus struct {
	Size      uint64 `json:"size"`
	Root      string `json:"root"` // base64
	LeafIndex uint64 `json:"leaf_index"`
	Seq       int64  `json:"seq"`  // the logged head's event
	Head      string `json:"head"` // the logged head's hash
	Covered   int    `json:"covered_events"`
	Uncovered int    `json:"uncovered_events"` // events after the logged head (not yet anchored)
	KeyPinned bool   `json:"key_pinned"`       // verified with a key the caller gave (not one the bundle carries)
}

// Finish sets OK and FirstBroken from Problems.
func (r *Report) Finish() {
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	r.OK = len(r.Problems) == 0
	r.FirstBroken = nil
	if !r.OK {
		p := r.Problems[0]
		r.FirstBroken = &p
	}
}

// WriteText writes the report for people: a verdict line, the problems, then the notes.
func (r *Report) WriteText(w io.Writer) {
	verdict := "OK"
	if !r.OK {
		verdict = fmt.Sprintf("FAILED (%d problem%s)", len(r.Problems), plural(len(r.Problems)))
	}
	fmt.Fprintf(w, "deal %d: %s\n", r.DealID, verdict)
	head := "none"
	if r.Head != nil {
		head = fmt.Sprintf("event %d %s", r.Head.Seq, r.Head.Hash)
	}
	fmt.Fprintf(w, "  events: %d, head: %s\n", r.Events, head)
	fmt.Fprintf(w, "  documents: %d, files re-hashed: %d\n", r.Documents, r.Files)
	if c := r.Checkpoint; c != nil {
		fmt.Fprintf(w, "  checkpoint: size %d, root %s; deal head logged at leaf %d (event %d); %d event%s covered, %d after it\n",
			c.Size, c.Root, c.LeafIndex, c.Seq, c.Covered, plural(c.Covered), c.Uncovered)
	}
	if r.Rerender != "" {
		fmt.Fprintf(w, "  re-render: %s\n", r.Rerender)
	}
	for i, p := range r.Problems {
		prefix := "  problem: "
		if i == 0 {
			prefix = "  first broken link: "
		}
		fmt.Fprintln(w, prefix+p.String())
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "  note: "+strings.TrimSpace(n))
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
