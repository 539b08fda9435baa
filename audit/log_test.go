package audit_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dealgate/dealgate/audit"
	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

// checkProof verifies an inclusion proof answered by the API the way an auditor would: the
// checkpoint's signature with the published key, the leaf's encoding, and the audit path.
func checkProof(t *testing.T, p audit.InclusionProof, key string, want evidence.Head) {
	t.Helper()
	cp, err := evidence.OpenCheckpoint([]byte(p.Checkpoint.Note), key)
	if err != nil {
		t.Fatalf("checkpoint %d: %v", p.Checkpoint.Size, err)
	}
	head, err := evidence.ParseLeaf([]byte(p.Leaf))
	if err != nil || head != want {
		t.Fatalf("leaf = %+v, %v; want %+v", head, err, want)
	}
	path, err := evidence.DecodeHashes(p.Proof)
	if err != nil {
		t.Fatal(err)
	}
	if err := evidence.VerifyInclusion(p.LeafIndex, cp.Size, evidence.LeafHash([]byte(p.Leaf)), path, cp.Root); err != nil {
		t.Fatalf("inclusion of deal %d (leaf %d) in checkpoint %d: %v", want.DealID, p.LeafIndex, cp.Size, err)
	}
}

func headOf(t *testing.T, st *storage.Store, dealID int64) evidence.Head {
	t.Helper()
	evs, err := st.FindEvents(bg, dealID)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events of deal %d: %d, %v", dealID, len(evs), err)
	}
	last := evs[len(evs)-1]
	return evidence.Head{DealID: dealID, Seq: last.Seq, Hash: last.Hash}
}

func TestCheckpointsProofsAndRefusals(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		f := e.f
		if status, _, _ := e.do(http.MethodGet, "/api/v1/checkpoints/latest", ""); status != http.StatusNotFound {
			t.Fatalf("latest checkpoint before the first: status %d", status)
		}
		if status, _, _ := e.do(http.MethodPost, "/api/v1/checkpoints", f.Rep1.Token); status != http.StatusForbidden {
			t.Fatalf("a rep made a checkpoint: status %d", status)
		}
		var run audit.CheckpointResult
		post := func() audit.CheckpointResult {
			t.Helper()
			status, body, _ := e.do(http.MethodPost, "/api/v1/checkpoints", f.Auditor.Token)
			if status != http.StatusOK {
				t.Fatalf("POST /checkpoints: %d %s", status, body)
			}
			var r audit.CheckpointResult
			mustJSON(t, body, &r)
			return r
		}
		if run = post(); run.Checkpoint.Size != 0 || run.Appended != 0 {
			t.Fatalf("first checkpoint of an empty log: %+v", run)
		}
		key := e.publicKey()
		if cp, err := evidence.OpenCheckpoint([]byte(run.Checkpoint.Note), key); err != nil || cp.Size != 0 || string(cp.Root) != string(evidence.EmptyRoot()) {
			t.Fatalf("empty checkpoint: %+v %v", cp, err)
		}
		deals := storagetest.CreateDeals(t, st, f.Pipeline, f.Company.ID, f.Rep1, 3)
		if run = post(); run.Checkpoint.Size != 3 || run.Appended != 3 {
			t.Fatalf("checkpoint after 3 deals: %+v", run)
		}
		for _, d := range deals {
			var p audit.InclusionProof
			e.getJSON(fmt.Sprintf("/api/v1/checkpoints/3/proof?deal=%d", d.ID), f.Auditor.Token, &p)
			checkProof(t, p, key, headOf(t, st, d.ID))
		}
		// Deal 2 grows: one new leaf; its old head stays provable in the old checkpoint.
		oldHead := headOf(t, st, deals[1].ID)
		if _, err := st.AddActivity(bg, storage.Activity{DealID: deals[1].ID, Kind: workflow.ActivityCall}, f.Rep1.Actor()); err != nil {
			t.Fatal(err)
		}
		if run = post(); run.Checkpoint.Size != 4 || run.Appended != 1 {
			t.Fatalf("checkpoint after one deal grew: %+v", run)
		}
		if again := post(); again.Appended != 0 || again.Checkpoint.Size != 4 || again.Checkpoint.Note != run.Checkpoint.Note {
			t.Fatalf("a checkpoint with nothing new: %+v", again)
		}
		var p audit.InclusionProof
		e.getJSON(fmt.Sprintf("/api/v1/checkpoints/4/proof?deal=%d", deals[1].ID), f.Auditor.Token, &p)
		checkProof(t, p, key, headOf(t, st, deals[1].ID))
		if p.LeafIndex != 3 {
			t.Fatalf("the grown deal's head is leaf %d, want 3", p.LeafIndex)
		}
		e.getJSON(fmt.Sprintf("/api/v1/checkpoints/3/proof?deal=%d", deals[1].ID), f.Auditor.Token, &p)
		checkProof(t, p, key, oldHead)

		var cons audit.ConsistencyProof
		e.getJSON("/api/v1/checkpoints/4/consistency?from=3", f.Auditor.Token, &cons)
		c3, _ := evidence.OpenCheckpoint([]byte(cons.From.Note), key)
		c4, _ := evidence.OpenCheckpoint([]byte(cons.To.Note), key)
		path, _ := evidence.DecodeHashes(cons.Proof)
		if err := evidence.VerifyConsistency(3, 4, path, c3.Root, c4.Root); err != nil {
			t.Fatalf("consistency 3 → 4: %v", err)
		}
		for path, want := range map[string]int{
			"/api/v1/checkpoints/5/proof?deal=1":                            http.StatusNotFound, // no such checkpoint
			"/api/v1/checkpoints/0/proof?deal=1":                            http.StatusNotFound, // the deal is not in it
			"/api/v1/checkpoints/x/proof?deal=1":                            http.StatusNotFound,
			"/api/v1/checkpoints/4/proof":                                   http.StatusUnprocessableEntity,
			"/api/v1/checkpoints/4/consistency?from=9":                      http.StatusUnprocessableEntity,
			"/api/v1/checkpoints/4/consistency?from=2":                      http.StatusNotFound,
			"/api/v1/checkpoints/latest?format=note":                        http.StatusOK,
			fmt.Sprintf("/api/v1/checkpoints/4/proof?deal=%d", deals[0].ID): http.StatusOK,
		} {
			if status, body, _ := e.do(http.MethodGet, path, f.Auditor.Token); status != want {
				t.Errorf("GET %s: status %d, want %d: %s", path, status, want, body)
			}
		}
		status, body, h := e.do(http.MethodGet, "/api/v1/checkpoints/latest", "")
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Fatalf("public latest checkpoint: %d %s", status, body)
		}
		req, _ := http.NewRequest(http.MethodGet, e.url+"/api/v1/checkpoints/latest", nil)
		req.Header.Set("Accept", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		note := readAll(t, resp)
		if c, err := evidence.OpenCheckpoint(note, key); err != nil || c.Size != 4 {
			t.Fatalf("the signed note of the latest checkpoint: %+v %v\n%s", c, err, note)
		}

		// Rolled back and rewritten chains are refused by the checkpointer and found by the
		// log audit.
		d := dba{t: t, st: st}
		d.disableEventTriggers()
		d.exec("DELETE FROM events WHERE deal_id = ? AND seq = ?", deals[1].ID, headOf(t, st, deals[1].ID).Seq)
		d.exec("UPDATE events SET hash = ? WHERE deal_id = ? AND seq = 1", strings.Repeat("a", 64), deals[2].ID)
		run = post()
		if run.Appended != 0 || len(run.Refused) != 2 || run.Refused[0].DealID != deals[1].ID || !strings.Contains(run.Refused[0].Reason, "rolled back") ||
			run.Refused[1].DealID != deals[2].ID || !strings.Contains(run.Refused[1].Reason, "rewritten") {
			t.Fatalf("the checkpointer logged a broken chain: %+v", run)
		}
		var lr audit.LogReport
		e.getJSON("/api/v1/audit/verify", f.Auditor.Token, &lr)
		if lr.OK || len(lr.Problems) != 2 || lr.Problems[0].Code != evidence.CodeLogRolledBack || lr.Problems[0].DealID != deals[1].ID ||
			lr.Problems[1].Code != evidence.CodeLogHeadMismatch || lr.Problems[1].DealID != deals[2].ID {
			t.Fatalf("log audit: %+v", lr.Problems)
		}
		if status, _, _ := e.do(http.MethodGet, "/api/v1/audit/verify", f.Rep1.Token); status != http.StatusForbidden {
			t.Fatalf("a rep audited the log: %d", status)
		}
	})
}

// TestLogTamperingIsFound alters the log itself: a leaf removed, a node changed.
func TestLogTamperingIsFound(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		deals := storagetest.CreateDeals(t, st, e.f.Pipeline, e.f.Company.ID, e.f.Rep1, 5)
		if _, err := e.svc.Checkpoint(bg); err != nil {
			t.Fatal(err)
		}
		if rep, err := e.svc.VerifyLog(bg); err != nil || !rep.OK || rep.Size != 5 || rep.Deals != 5 || rep.Checkpoints != 1 {
			t.Fatalf("untouched log: %+v %v", rep, err)
		}
		d := dba{t: t, st: st}
		for _, table := range []string{"audit_log_leaves", "audit_log_nodes"} {
			if err := st.DB().Exec("DELETE FROM " + table).Error; err == nil {
				t.Fatalf("%s accepted a DELETE", table)
			}
		}
		if st.Dialect() == storage.Postgres {
			d.exec("ALTER TABLE audit_log_leaves DISABLE TRIGGER audit_log_leaves_no_update")
			d.exec("ALTER TABLE audit_log_nodes DISABLE TRIGGER audit_log_nodes_no_update")
		} else {
			d.exec("DROP TRIGGER audit_log_leaves_no_delete")
			d.exec("DROP TRIGGER audit_log_nodes_no_update")
		}
		// A changed node breaks the inclusion proofs that use it and the root recomputed from
		// the stored nodes; the per-deal verification says so.
		d.exec("UPDATE audit_log_nodes SET hash = ? WHERE level = 0 AND idx = 4", strings.Repeat("0", 64))
		rep, err := e.svc.VerifyDeal(bg, deals[0].ID) // its audit path runs through leaf 4
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || !hasProblem(rep, evidence.CodeCheckpointRoot, nil) || !hasProblem(rep, evidence.CodeCheckpointProof, nil) {
			t.Fatalf("changed log node: %s", problemList(rep))
		}
		// A removed leaf: the log audit rebuilds the tree from the leaves and compares roots.
		d.exec("DELETE FROM audit_log_leaves WHERE idx = 2")
		lr, err := e.svc.VerifyLog(bg)
		if err != nil {
			t.Fatal(err)
		}
		if lr.OK || !hasLogProblem(lr, evidence.CodeLogLeaf) || !hasLogProblem(lr, evidence.CodeCheckpointRoot) {
			t.Fatalf("removed leaf: %+v", lr.Problems)
		}
	})
}

func hasLogProblem(r *audit.LogReport, code string) bool {
	for _, p := range r.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// TestConcurrentCheckpoints runs checkpoints from several goroutines (as several replicas
// would) while deals grow; the log stays one consistent tree.
func TestConcurrentCheckpoints(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		e := newEnv(t, st)
		deals := storagetest.CreateDeals(t, st, e.f.Pipeline, e.f.Company.ID, e.f.Rep1, 6)
		// A second service on the same database, as another replica would run it.
		other := audit.New(st, e.svc.KeyDir, storagetest.Logger(t))
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				svc := e.svc
				if w%2 == 1 {
					svc = other
				}
				for i := 0; i < 4; i++ {
					if _, err := st.AddActivity(bg, storage.Activity{DealID: deals[w].ID, Kind: workflow.ActivityEmail}, e.f.Rep1.Actor()); err != nil {
						errs <- err
						return
					}
					if _, err := svc.Checkpoint(bg); err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if _, err := e.svc.Checkpoint(bg); err != nil {
			t.Fatal(err)
		}
		lr, err := e.svc.VerifyLog(bg)
		if err != nil || !lr.OK || lr.Deals != 6 {
			t.Fatalf("log after concurrent checkpoints: %+v %v", lr, err)
		}
		for _, d := range deals {
			if rep, err := e.svc.VerifyDeal(bg, d.ID); err != nil || !rep.OK || rep.Checkpoint == nil || rep.Checkpoint.Uncovered != 0 {
				t.Fatalf("deal %d: %+v %v", d.ID, rep, err)
			}
		}
	})
}

// TestSigningKeyIsCreatedOnceAndShared: the SQLite server keeps its key in a file of the data
// directory; replicas on one database (the settings table) all sign with the same key.
func TestSigningKeyIsCreatedOnceAndShared(t *testing.T) {
	t.Parallel()
	storagetest.ForEachDB(t, func(t *testing.T, st *storage.Store) {
		dir, err := audit.KeyDirFor(bg, st)
		if err != nil {
			t.Fatal(err)
		}
		if st.Dialect() == storage.SQLite {
			a, err := audit.New(st, dir, nil).PublicKey(bg)
			if err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(filepath.Join(dir, audit.KeyFileName))
			if err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v %v", info, err)
			}
			b, err := audit.New(st, dir, nil).PublicKey(bg)
			if err != nil || b != a || !strings.HasPrefix(a.Name, audit.KeyNamePrefix) {
				t.Fatalf("the key changed across restarts: %+v then %+v (%v)", a, b, err)
			}
			raw, _ := base64.StdEncoding.DecodeString(a.PublicKey)
			if name, pub, err := evidence.PublicKeyOf(a.VerifierKey); err != nil || name != a.Name || string(pub) != string(raw) {
				t.Fatalf("public key %q does not match its verifier key: %v", a.PublicKey, err)
			}
		} else if dir != "" {
			t.Fatalf("KeyDirFor(postgres) = %q, want the settings table", dir)
		}
		// Replicas starting together on one database agree on one key.
		keys := make([]audit.PublicKey, 8)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				k, err := audit.New(st, "", nil).PublicKey(bg)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			}(i)
		}
		wg.Wait()
		for _, k := range keys[1:] {
			if k != keys[0] || k.VerifierKey == "" {
				t.Fatalf("replicas disagree on the key: %+v vs %+v", k, keys[0])
			}
		}
		var stored string
		if ok, err := st.GetSetting(bg, audit.KeySetting, &stored); err != nil || !ok || !strings.HasPrefix(stored, "PRIVATE+KEY+"+keys[0].Name+"+") {
			t.Fatalf("settings %s: %v %v", audit.KeySetting, ok, err)
		}
		// A checkpoint signed by one replica verifies with the key another publishes.
		res, err := audit.New(st, "", nil).Checkpoint(bg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := evidence.OpenCheckpoint([]byte(res.Checkpoint.Note), keys[3].VerifierKey); err != nil {
			t.Fatal(err)
		}
	})
}
