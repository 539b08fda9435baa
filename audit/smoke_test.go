package audit_test

import (
	"testing"

	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
)

func TestSmoke(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		r := buildRichDeal(t, e, "smoke")
		res, err := e.svc.Checkpoint(bg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("checkpoint: %+v", res)
		rep := e.verifyAPI(r.deal.ID)
		if !rep.OK {
			t.Fatalf("verify: %s", problemList(&rep))
		}
		t.Logf("report: %+v %+v", rep, rep.Checkpoint)
		b := e.bundleAPI(r.deal.ID)
		off := verifyOffline(t, b, e.publicKey())
		if !off.OK {
			t.Fatalf("offline: %s", problemList(off))
		}
		t.Logf("offline: %+v %+v notes %v", off, off.Checkpoint, off.Notes)
	})
}
