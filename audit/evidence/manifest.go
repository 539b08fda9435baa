package evidence

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// BundleFormat names the evidence bundle layout below; manifest.json carries it.
const BundleFormat = "dealgate-evidence-v1"

// Fixed names inside a bundle. Document files, data, signed copies and templates live under
// documents/, signed/ and templates/ at the paths the manifest gives.
const (
	ManifestPath   = "manifest.json"
	SignaturePath  = "manifest.sig"
	SummaryPath    = "SUMMARY.txt"
	CheckpointPath = "checkpoint.txt"
)

// ManifestNoteText is the text of the signed note in manifest.sig: the server's signature over
// the SHA-256 of manifest.json, so that no byte of the manifest can change unseen. Its first
// line is the bundle format, never a log's origin, so it cannot pass for a checkpoint.
func ManifestNoteText(manifest []byte) string {
	return BundleFormat + "\n" + ManifestPath + " sha256 " + SHA256Hex(manifest) + "\n"
}

// Manifest is manifest.json: the deal's events exactly as stored, an index of every file in
// the bundle with its SHA-256, the template versions, and the checkpoint proof. The verifier
// trusts none of it except through the hashes: events must chain, the chain's head must be in
// the signed checkpoint, and every file must hash to what an event recorded.
type Manifest struct {
	Format      string               `json:"format"`
	GeneratedAt string               `json:"generated_at"`
	GeneratedBy *Actor               `json:"generated_by,omitempty"`
	Deal        DealInfo             `json:"deal"`
	Events      []ManifestEvent      `json:"events"`
	Documents   []ManifestDocument   `json:"documents"`
	Attachments []ManifestAttachment `json:"attachments"`
	Templates   []ManifestTemplate   `json:"templates"`
	Checkpoint  *ManifestCheckpoint  `json:"checkpoint,omitempty"`
	// PublicKey is the server's verifier key (note format). It is a convenience: a bundle
	// can carry any key, so an auditor pins the key with `dealgate verify --key`.
	PublicKey string `json:"public_key,omitempty"`
	// ServerReport is what the server's verification said when it wrote the bundle.
	ServerReport *Report `json:"server_report,omitempty"`
}

// Actor names a user.
type Actor struct {
	ID    int64  `json:"id"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	Role  string `json:"role,omitempty"`
}

// DealInfo describes the deal (informational: the deal_created event is what is hashed).
type DealInfo struct {
	ID         int64  `json:"id"`
	Stored     bool   `json:"stored"` // false when the database no longer has the deal
	Title      string `json:"title,omitempty"`
	CompanyID  int64  `json:"company_id,omitempty"`
	OwnerID    int64  `json:"owner_id,omitempty"`
	PipelineID int64  `json:"pipeline_id,omitempty"`
	Stage      string `json:"stage,omitempty"`
	Status     string `json:"status,omitempty"`
}

// ManifestEvent is an event with every hashed field. Payload is the stored canonical JSON as
// a string, byte for byte ("" for none), because re-encoding JSON could change it.
type ManifestEvent struct {
	Seq      int64  `json:"seq"`
	Kind     string `json:"kind"`
	Action   string `json:"action"`
	From     string `json:"from"`
	To       string `json:"to"`
	ActorID  int64  `json:"actor_id"`
	Reason   string `json:"reason"`
	At       string `json:"at"`
	Payload  string `json:"payload"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ManifestDocument is a document version and its files.
type ManifestDocument struct {
	ID           int64           `json:"id"`
	Kind         string          `json:"kind"`
	Number       string          `json:"number"`
	Version      int             `json:"version"`
	Status       string          `json:"status"`
	SupersedesID int64           `json:"supersedes_id,omitempty"`
	DataSHA256   string          `json:"data_sha256"`
	DataPath     string          `json:"data_path"`
	Templates    json.RawMessage `json:"templates"`
	Files        []ManifestFile  `json:"files"`
	CreatedBy    int64           `json:"created_by"`
	CreatedAt    string          `json:"created_at"`
	FinalisedAt  string          `json:"finalised_at,omitempty"`
}

// ManifestFile is one file of a document.
type ManifestFile struct {
	Format string `json:"format"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ManifestAttachment is a signed copy.
type ManifestAttachment struct {
	ID          int64  `json:"id"`
	DocumentID  int64  `json:"document_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Path        string `json:"path"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	CreatedBy   int64  `json:"created_by"`
	CreatedAt   string `json:"created_at"`
}

// ManifestTemplate is an uploaded template version a document was rendered with.
type ManifestTemplate struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Format   string `json:"format"`
	Version  int    `json:"version"`
	SHA256   string `json:"sha256"`
	Filename string `json:"filename,omitempty"`
	Path     string `json:"path"`
}

// ManifestCheckpoint is the signed checkpoint and the proof that the deal's latest logged
// head is one of its leaves. Merkle hashes are base64; Head is hex like event hashes.
type ManifestCheckpoint struct {
	Note      string   `json:"note"` // the signed note, verbatim (also in checkpoint.txt)
	Origin    string   `json:"origin"`
	Size      uint64   `json:"size"`
	Root      string   `json:"root"`
	LeafIndex uint64   `json:"leaf_index"`
	Leaf      string   `json:"leaf"` // LeafData of the head, verbatim
	LeafHash  string   `json:"leaf_hash"`
	Seq       int64    `json:"seq"`
	Head      string   `json:"head"`
	Proof     []string `json:"proof"`
}

// EventToManifest converts a stored event.
func EventToManifest(e workflow.Event) ManifestEvent {
	return ManifestEvent{Seq: e.Seq, Kind: string(e.Kind), Action: string(e.Action), From: e.FromStage, To: e.ToStage, ActorID: e.ActorID,
		Reason: e.Reason, At: workflow.FormatEventTime(e.At), Payload: string(e.Payload), PrevHash: e.PrevHash, Hash: e.Hash}
}

// Event converts a manifest event back; the time must be written exactly as the canonical
// encoding writes it, so that what is shown is what was hashed.
func (m ManifestEvent) Event(dealID int64) (workflow.Event, error) {
	at, err := time.Parse("2006-01-02T15:04:05.000000Z", m.At)
	if err != nil || workflow.FormatEventTime(at) != m.At {
		return workflow.Event{}, fmt.Errorf("event %d: time %q is not in the canonical form YYYY-MM-DDTHH:MM:SS.ffffffZ", m.Seq, m.At)
	}
	e := workflow.Event{DealID: dealID, Seq: m.Seq, Kind: workflow.EventKind(m.Kind), Action: workflow.Action(m.Action), FromStage: m.From,
		ToStage: m.To, ActorID: m.ActorID, Reason: m.Reason, At: at, PrevHash: m.PrevHash, Hash: m.Hash}
	if m.Payload != "" {
		e.Payload = json.RawMessage(m.Payload)
	}
	return e, nil
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._-]+`)

// SafeName turns a user-given file name into one safe inside a bundle.
func SafeName(s string) string {
	s = strings.Trim(unsafeName.ReplaceAllString(s, "_"), "._")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80])
	}
	if s == "" {
		s = "file"
	}
	return s
}
