package evidence

import (
	"fmt"
	"strconv"
)

// Problem codes. They are part of the API and of `dealgate verify`'s output; docs/AUDIT.md
// lists them. Each names one kind of broken link.
const (
	// The event chain.
	CodeChainEmpty    = "chain_empty"     // the deal has no events at all
	CodeChainSeq      = "chain_seq"       // an event is missing or out of order (seq gap)
	CodeChainPrevHash = "chain_prev_hash" // an event does not point at the previous event's hash
	CodeChainHash     = "chain_hash"      // an event's content does not give its recorded hash
	CodeEventField    = "event_field"     // an event field cannot be what was hashed (bundle)
	CodeEventPayload  = "event_payload"   // a document or file event's payload cannot be read

	// The checkpoint log.
	CodeLogRolledBack   = "log_head_missing"     // a logged head's event is gone: chain rolled back or deal dropped
	CodeLogHeadMismatch = "log_head_mismatch"    // the event at a logged head's seq has another hash
	CodeLogLeaf         = "log_leaf"             // a stored leaf does not hash to what it says
	CodeCheckpointSig   = "checkpoint_signature" // the checkpoint's signature does not verify
	CodeCheckpointRoot  = "checkpoint_root"      // the log's nodes do not give the signed root
	CodeCheckpointProof = "checkpoint_inclusion" // the deal's head is not included in the checkpoint
	CodeCheckpointNone  = "checkpoint_missing"   // a bundle carries no checkpoint to anchor its chain
	CodeDealMissing     = "deal_missing"         // the log knows a deal the database does not have
	CodeDealState       = "deal_state"           // the deal's stage or status is not what its events say

	// Documents and files.
	CodeDocumentMissing      = "document_missing"      // an event names a document that is not stored
	CodeDocumentUnrecorded   = "document_unrecorded"   // a stored document has no event
	CodeDocumentField        = "document_field"        // a stored document differs from its event
	CodeDocumentData         = "document_data"         // the document's data does not hash to its event's data_sha256
	CodeFileMissing          = "file_missing"          // a file an event names is not stored
	CodeFileHash             = "file_hash"             // a stored file does not hash to what its event records
	CodeAttachmentMissing    = "attachment_missing"    // an event names a signed copy that is not stored
	CodeAttachmentUnrecorded = "attachment_unrecorded" // a stored signed copy has no event
	CodeAttachmentField      = "attachment_field"      // a stored signed copy differs from its event
	CodeTemplateMissing      = "template_missing"      // an uploaded template a document was made with is gone
	CodeTemplateField        = "template_field"        // an uploaded template's record differs from the document's
	CodeRerenderMismatch     = "rerender_mismatch"     // re-rendering the recorded data gives other bytes
	CodeRerenderFailed       = "rerender_failed"       // re-rendering the recorded data failed

	// Rows derived from events.
	CodeActivityMismatch = "activity_mismatch" // an activity row and its event disagree, or one is missing
	CodeFactMismatch     = "fact_mismatch"     // a fact row and its event disagree, or one is missing

	// The bundle itself.
	CodeBundleManifest  = "bundle_manifest"  // manifest.json is missing or unreadable
	CodeBundleSignature = "bundle_signature" // manifest.sig is missing or does not sign this manifest.json
	CodeBundleEntry     = "bundle_entry"     // an entry is duplicated, unsafe, missing or unaccounted for
)

// Problem is one broken link, named well enough to be found: which event, document, file or
// record, which field, and the expected and found values (hashes in hex unless stated).
type Problem struct {
	Code         string `json:"code"`
	DealID       int64  `json:"deal_id,omitempty"` // set where several deals are checked at once
	EventSeq     int64  `json:"event_seq,omitempty"`
	DocumentID   int64  `json:"document_id,omitempty"`
	AttachmentID int64  `json:"attachment_id,omitempty"`
	TemplateID   int64  `json:"template_id,omitempty"`
	File         string `json:"file,omitempty"` // pdf, docx, data, signed_copy, template, or a bundle path
	Field        string `json:"field,omitempty"`
	Expected     string `json:"expected,omitempty"`
	Found        string `json:"found,omitempty"`
	Message      string `json:"message"`
}

// String is the problem as one line of text.
func (p Problem) String() string {
	s := p.Code + ": " + p.Message
	if p.Expected != "" || p.Found != "" {
		s += " (expected " + orNone(p.Expected) + ", found " + orNone(p.Found) + ")"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func eventName(seq int64) string { return "event " + itoa(seq) }

func docName(id int64, kind, number string, version int) string {
	s := "document " + itoa(id)
	if kind != "" {
		s += " (" + kind
		if number != "" {
			s += " № " + number
		}
		s += fmt.Sprintf(", version %d)", version)
	}
	return s
}
