package storage

import (
	"context"
	"fmt"

	"github.com/dealgate/dealgate/workflow"
)

// DeleteDraft deletes a draft document and returns it as it was. Only drafts go: a final or
// superseded document is evidence and is never deleted (ECONFLICT; a correction is a new
// version instead), and a deal that is no longer open keeps its documents as they are
// (EINVALID, as SaveDraft refuses to change them). A draft is not part of the deal's event
// chain — saving one appends no event — so deleting one appends none either.
//
// The deal's row is locked as for SaveDraft and Finalise, so a draft being finalised at the
// same moment is either finalised (and then refused here) or deleted (and then its
// finalisation finds no draft), never both.
func (s *Store) DeleteDraft(ctx context.Context, docID int64) (Document, error) {
	var out Document
	err := s.InTx(ctx, func(ctx context.Context) error {
		doc, err := s.FindDocumentByID(ctx, docID)
		if err != nil {
			return err
		}
		deal, err := s.lockDeal(ctx, doc.DealID)
		if err != nil {
			return err
		}
		// Read again under the deal's lock: it may have been finalised meanwhile.
		if doc, err = s.FindDocumentByID(ctx, docID); err != nil {
			return err
		}
		if doc.Status != DocDraft {
			return finalNotDeleted(doc)
		}
		if deal.Status != workflow.StatusOpen {
			return workflow.Invalid("deal", "the deal is %s; its documents no longer change", deal.Status)
		}
		q := s.conn(ctx).Where("id = ? AND status = ?", docID, string(DocDraft)).Delete(&documentRow{})
		if q.Error != nil {
			return q.Error
		}
		if q.RowsAffected != 1 {
			return &workflow.Error{Code: workflow.ECONFLICT, Message: fmt.Sprintf("document %d was changed by someone else; reload it", docID)}
		}
		out = doc
		return nil
	})
	return out, translate(err)
}

// finalNotDeleted is the refusal to delete a document that is not a draft.
func finalNotDeleted(d Document) error {
	what := fmt.Sprintf("document %d", d.ID)
	if d.Number != "" {
		what = fmt.Sprintf("document № %s (id %d)", d.Number, d.ID)
	}
	return &workflow.Error{Code: workflow.ECONFLICT, Field: "status", Message: fmt.Sprintf(
		"%s is %s: final documents are evidence and are never deleted; correct it with a new version instead", what, d.Status)}
}
