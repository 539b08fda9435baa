package audit

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"

	"github.com/dealgate/dealgate/audit/evidence"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

// The checkpoint log is an append-only RFC 6962 Merkle tree. Its leaves are heads of deal
// chains (evidence.LeafData); a head is appended when a deal's chain has grown since its last
// leaf, and only when the new events extend that leaf intact. Every completed subtree hash is
// stored once in audit_log_nodes, so proofs are read rather than recomputed; each checkpoint
// (size, root) is signed as a note with the server's Ed25519 key.

var rangeFactory = &compact.RangeFactory{Hash: evidence.HashChildren}

// pgLogLock is the advisory lock PostgreSQL replicas take to append to the log one at a time
// (SQLite's BEGIN IMMEDIATE serialises writers by itself).
const pgLogLock = 0x6465616c67617465 // "dealgate"

// StoredCheckpoint is a signed checkpoint of the log.
type StoredCheckpoint struct {
	Origin    string    `json:"origin"`
	Size      uint64    `json:"size"`
	Root      string    `json:"root"` // base64
	Note      string    `json:"note"` // the signed note, verbatim
	CreatedAt time.Time `json:"created_at"`
}

// Refusal is a deal head the checkpointer would not log because its chain does not extend
// the head logged before: the chain was rolled back, rewritten or broken.
type Refusal struct {
	DealID int64  `json:"deal_id"`
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// CheckpointResult is what one checkpoint run did.
type CheckpointResult struct {
	Checkpoint StoredCheckpoint `json:"checkpoint"`
	Appended   int              `json:"appended"` // new leaves
	Refused    []Refusal        `json:"refused,omitempty"`
}

type candidate struct {
	head     evidence.Head
	prevIdx  sql.NullInt64
	prevSeq  int64
	prevHead string
}

// Checkpoint appends the heads of every deal whose chain grew since it was last logged and
// signs a checkpoint of the new tree. With nothing new it returns the latest checkpoint
// (creating the first one, of the empty log, on a fresh database).
func (s *Service) Checkpoint(ctx context.Context) (CheckpointResult, error) {
	key, err := s.signing(ctx)
	if err != nil {
		return CheckpointResult{}, err
	}
	db, err := sqlDB(s.Store)
	if err != nil {
		return CheckpointResult{}, err
	}
	cands, err := s.scanHeads(ctx, db)
	if err != nil {
		return CheckpointResult{}, err
	}
	var res CheckpointResult
	var ok []candidate
	for _, c := range cands {
		if reason, err := s.extends(ctx, db, c); err != nil {
			return CheckpointResult{}, err
		} else if reason != "" {
			res.Refused = append(res.Refused, Refusal{DealID: c.head.DealID, Seq: c.head.Seq, Reason: reason})
			s.log.Warn("audit: deal head not logged", "deal_id", c.head.DealID, "seq", c.head.Seq, "reason", reason)
			continue
		}
		ok = append(ok, c)
	}
	err = s.inLogTx(ctx, db, func(tx *sql.Tx) error {
		q := func(x string) string { return rebind(s.Store.Dialect(), x) }
		var size uint64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_log_leaves").Scan(&size); err != nil {
			return err
		}
		latest, err := latestCheckpoint(ctx, tx)
		if err != nil && !errors.Is(err, workflow.ErrNotFound) {
			return err
		}
		rng, err := loadRange(ctx, tx, s.Store.Dialect(), size)
		if err != nil {
			return err
		}
		var nodes []compact.NodeID
		var hashes [][]byte
		visit := func(id compact.NodeID, h []byte) {
			nodes = append(nodes, id)
			hashes = append(hashes, h)
		}
		now := s.now()
		for _, c := range ok {
			// Another replica may have logged this deal since the scan: then skip it.
			var idx sql.NullInt64
			if err := tx.QueryRowContext(ctx, q("SELECT MAX(idx) FROM audit_log_leaves WHERE deal_id = ?"), c.head.DealID).Scan(&idx); err != nil {
				return err
			}
			if idx != c.prevIdx {
				continue
			}
			data := evidence.LeafData(c.head)
			lh := evidence.LeafHash(data)
			if err := rng.Append(lh, visit); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, q("INSERT INTO audit_log_leaves (idx, deal_id, seq, head, leaf_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
				int64(rng.End()-1), c.head.DealID, c.head.Seq, c.head.Hash, hex.EncodeToString(lh), now); err != nil {
				return err
			}
			res.Appended++
		}
		for i := 0; i < len(nodes); i += 200 {
			j := min(i+200, len(nodes))
			var b strings.Builder
			args := make([]any, 0, 3*(j-i))
			b.WriteString("INSERT INTO audit_log_nodes (level, idx, hash) VALUES ")
			for k := i; k < j; k++ {
				if k > i {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?)")
				args = append(args, int64(nodes[k].Level), int64(nodes[k].Index), hex.EncodeToString(hashes[k]))
			}
			if _, err := tx.ExecContext(ctx, q(b.String()), args...); err != nil {
				return err
			}
		}
		if res.Appended == 0 && latest.Note != "" && latest.Size == rng.End() {
			res.Checkpoint = latest
			return nil
		}
		root, err := rng.GetRootHash(nil)
		if err != nil {
			return err
		}
		if root == nil {
			root = evidence.EmptyRoot()
		}
		cp := evidence.Checkpoint{Origin: key.name, Size: rng.End(), Root: root}
		signed, err := note.Sign(&note.Note{Text: cp.Text()}, key.signer)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q("INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)"),
			int64(cp.Size), hex.EncodeToString(root), string(signed), now); err != nil {
			return err
		}
		res.Checkpoint = StoredCheckpoint{Origin: cp.Origin, Size: cp.Size, Root: b64(root), Note: string(signed), CreatedAt: now}
		return nil
	})
	return res, dbErr(err)
}

// inLogTx runs fn in a transaction that holds the log's append lock.
func (s *Service) inLogTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.Store.Dialect() == storage.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(pgLogLock)); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// scanHeads finds every deal whose current head differs from its last logged leaf. It costs
// two index probes per deal (the newest event and the newest leaf).
func (s *Service) scanHeads(ctx context.Context, db querier) ([]candidate, error) {
	rows, err := db.QueryContext(ctx, `
SELECT x.id, x.head_seq, e.hash, x.leaf_idx, COALESCE(l.seq, 0), COALESCE(l.head, '')
FROM (SELECT d.id AS id,
             (SELECT MAX(seq) FROM events WHERE deal_id = d.id) AS head_seq,
             (SELECT MAX(idx) FROM audit_log_leaves WHERE deal_id = d.id) AS leaf_idx
      FROM deals d) x
JOIN events e ON e.deal_id = x.id AND e.seq = x.head_seq
LEFT JOIN audit_log_leaves l ON l.idx = x.leaf_idx
WHERE l.idx IS NULL OR l.seq <> x.head_seq OR l.head <> e.hash
ORDER BY x.id`)
	if err != nil {
		return nil, dbErr(err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.head.DealID, &c.head.Seq, &c.head.Hash, &c.prevIdx, &c.prevSeq, &c.prevHead); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// extends checks that the deal's chain runs intact from its last logged head (or from its
// first event) to the candidate head; it returns why not, or "". The cost is the number of
// events added since the last checkpoint.
func (s *Service) extends(ctx context.Context, db querier, c candidate) (string, error) {
	if c.prevIdx.Valid {
		switch {
		case c.head.Seq < c.prevSeq:
			return fmt.Sprintf("the chain ends at event %d, but event %d was logged: the chain was rolled back", c.head.Seq, c.prevSeq), nil
		case c.head.Seq == c.prevSeq:
			return fmt.Sprintf("event %d is not the event that was logged: the chain was rewritten", c.head.Seq), nil
		}
	}
	from := int64(1)
	if c.prevIdx.Valid {
		from = c.prevSeq
	}
	rows, err := db.QueryContext(ctx, rebind(s.Store.Dialect(), "SELECT "+eventColumns+" FROM events WHERE deal_id = ? AND seq >= ? AND seq <= ? ORDER BY seq"),
		c.head.DealID, from, c.head.Seq)
	if err != nil {
		return "", dbErr(err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return "", dbErr(err)
	}
	start := 0
	if c.prevIdx.Valid {
		if len(evs) == 0 || evs[0].Seq != c.prevSeq || evs[0].Hash != c.prevHead {
			return fmt.Sprintf("event %d is not the event that was logged: the chain was rewritten", c.prevSeq), nil
		}
		if evs[0].ComputeHash() != evs[0].Hash {
			return fmt.Sprintf("event %d was changed after it was logged", c.prevSeq), nil
		}
		start = 1
	}
	for i := start; i < len(evs); i++ {
		e := &evs[i]
		wantSeq, wantPrev := int64(1), ""
		if i > 0 {
			wantSeq, wantPrev = evs[i-1].Seq+1, evs[i-1].Hash
		}
		switch {
		case e.Seq != wantSeq:
			return fmt.Sprintf("event %d is missing", wantSeq), nil
		case e.PrevHash != wantPrev:
			return fmt.Sprintf("event %d does not link to event %d", e.Seq, wantSeq-1), nil
		case e.ComputeHash() != e.Hash:
			return fmt.Sprintf("event %d does not hash to its recorded hash", e.Seq), nil
		}
	}
	if len(evs) == 0 || evs[len(evs)-1].Seq != c.head.Seq || evs[len(evs)-1].Hash != c.head.Hash {
		return "the head changed while it was being checked", nil
	}
	return "", nil
}

// loadRange reads the compact range of the first size leaves: the roots of the perfect
// subtrees that cover them.
func loadRange(ctx context.Context, db querier, d storage.Dialect, size uint64) (*compact.Range, error) {
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := fetchNodes(ctx, db, d, ids)
	if err != nil {
		return nil, err
	}
	return rangeFactory.NewRange(0, size, hashes)
}

// fetchNodes reads stored node hashes in the order of ids.
func fetchNodes(ctx context.Context, db querier, d storage.Dialect, ids []compact.NodeID) ([][]byte, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(ids))
	b.WriteString("SELECT level, idx, hash FROM audit_log_nodes WHERE ")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(level = ? AND idx = ?)")
		args = append(args, int64(id.Level), int64(id.Index))
	}
	rows, err := db.QueryContext(ctx, rebind(d, b.String()), args...)
	if err != nil {
		return nil, dbErr(err)
	}
	defer rows.Close()
	got := map[compact.NodeID][]byte{}
	for rows.Next() {
		var level int64
		var idx uint64
		var h string
		if err := rows.Scan(&level, &idx, &h); err != nil {
			return nil, err
		}
		raw, err := hex.DecodeString(h)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("audit log node (%d, %d) is not a hash", level, idx)
		}
		got[compact.NewNodeID(uint(level), idx)] = raw
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, ok := got[id]
		if !ok {
			return nil, fmt.Errorf("audit log node (level %d, index %d) is missing", id.Level, id.Index)
		}
		out[i] = h
	}
	return out, nil
}

func latestCheckpoint(ctx context.Context, db querier) (StoredCheckpoint, error) {
	return scanCheckpoint(db.QueryRowContext(ctx, "SELECT size, root, note, created_at FROM audit_checkpoints ORDER BY size DESC LIMIT 1"))
}

func scanCheckpoint(row *sql.Row) (StoredCheckpoint, error) {
	var c StoredCheckpoint
	var root string
	if err := row.Scan(&c.Size, &root, &c.Note, &c.CreatedAt); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return StoredCheckpoint{}, workflow.ErrNotFound
		}
		return StoredCheckpoint{}, dbErr(err)
	}
	raw, _ := hex.DecodeString(root)
	c.Root, c.CreatedAt = b64(raw), utc(c.CreatedAt)
	if i := strings.IndexByte(c.Note, '\n'); i > 0 {
		c.Origin = c.Note[:i]
	}
	return c, nil
}

// LatestCheckpoint returns the newest signed checkpoint, or ENOTFOUND before the first.
func (s *Service) LatestCheckpoint(ctx context.Context) (StoredCheckpoint, error) {
	db, err := sqlDB(s.Store)
	if err != nil {
		return StoredCheckpoint{}, err
	}
	return latestCheckpoint(ctx, db)
}

// CheckpointAt returns the signed checkpoint of the given size, or ENOTFOUND.
func (s *Service) CheckpointAt(ctx context.Context, size uint64) (StoredCheckpoint, error) {
	db, err := sqlDB(s.Store)
	if err != nil {
		return StoredCheckpoint{}, err
	}
	return scanCheckpoint(db.QueryRowContext(ctx, rebind(s.Store.Dialect(), "SELECT size, root, note, created_at FROM audit_checkpoints WHERE size = ?"), int64(size)))
}

// Leaf is a stored leaf of the log.
type Leaf struct {
	Index uint64
	evidence.Head
	LeafHash []byte
}

// dealLeaves returns the deal's leaves below size, oldest first.
func (s *Service) dealLeaves(ctx context.Context, db querier, dealID int64, size uint64) ([]Leaf, error) {
	rows, err := db.QueryContext(ctx, rebind(s.Store.Dialect(), "SELECT idx, seq, head, leaf_hash FROM audit_log_leaves WHERE deal_id = ? AND idx < ? ORDER BY idx"), dealID, int64(size))
	if err != nil {
		return nil, dbErr(err)
	}
	defer rows.Close()
	var out []Leaf
	for rows.Next() {
		l := Leaf{Head: evidence.Head{DealID: dealID}}
		var lh string
		if err := rows.Scan(&l.Index, &l.Seq, &l.Hash, &lh); err != nil {
			return nil, err
		}
		l.LeafHash, _ = hex.DecodeString(lh)
		out = append(out, l)
	}
	return out, rows.Err()
}

// InclusionProof proves that a deal's latest head logged before the checkpoint of the given
// size is a leaf of it.
type InclusionProof struct {
	Checkpoint StoredCheckpoint `json:"checkpoint"`
	DealID     int64            `json:"deal_id"`
	LeafIndex  uint64           `json:"leaf_index"`
	Leaf       string           `json:"leaf"`      // evidence.LeafData, verbatim
	LeafHash   string           `json:"leaf_hash"` // base64
	Seq        int64            `json:"seq"`
	Head       string           `json:"head"`
	Proof      []string         `json:"proof"` // base64 hashes, leaf to root (RFC 6962 audit path)
}

// Inclusion returns the proof that the deal's latest head in the checkpoint of the given size
// is included in it. ENOTFOUND when there is no such checkpoint or the deal has no head in it.
func (s *Service) Inclusion(ctx context.Context, size uint64, dealID int64) (InclusionProof, error) {
	db, err := sqlDB(s.Store)
	if err != nil {
		return InclusionProof{}, err
	}
	cp, err := s.CheckpointAt(ctx, size)
	if err != nil {
		if errors.Is(err, workflow.ErrNotFound) || workflow.Code(err) == workflow.ENOTFOUND {
			return InclusionProof{}, &workflow.Error{Code: workflow.ENOTFOUND, Field: "size", Message: fmt.Sprintf("there is no checkpoint of size %d", size)}
		}
		return InclusionProof{}, err
	}
	leaves, err := s.dealLeaves(ctx, db, dealID, size)
	if err != nil {
		return InclusionProof{}, err
	}
	if len(leaves) == 0 {
		return InclusionProof{}, &workflow.Error{Code: workflow.ENOTFOUND, Field: "deal", Message: fmt.Sprintf("deal %d has no head in the checkpoint of size %d", dealID, size)}
	}
	l := leaves[len(leaves)-1]
	path, err := s.inclusionPath(ctx, db, l.Index, size)
	if err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{Checkpoint: cp, DealID: dealID, LeafIndex: l.Index, Leaf: string(evidence.LeafData(l.Head)), LeafHash: b64(l.LeafHash),
		Seq: l.Seq, Head: l.Hash, Proof: evidence.EncodeHashes(path)}, nil
}

func (s *Service) inclusionPath(ctx context.Context, db querier, index, size uint64) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	hashes, err := fetchNodes(ctx, db, s.Store.Dialect(), nodes.IDs)
	if err != nil {
		return nil, err
	}
	return nodes.Rehash(hashes, evidence.HashChildren)
}

// ConsistencyProof proves that the log of size From is a prefix of the log of size To, so an
// auditor who kept an older checkpoint sees that nothing was removed or rewritten since.
type ConsistencyProof struct {
	From  StoredCheckpoint `json:"from"`
	To    StoredCheckpoint `json:"to"`
	Proof []string         `json:"proof"` // base64 hashes (RFC 6962 consistency proof)
}

// Consistency returns the consistency proof between two checkpoints.
func (s *Service) Consistency(ctx context.Context, from, to uint64) (ConsistencyProof, error) {
	if from > to {
		return ConsistencyProof{}, workflow.Invalid("from", "from (%d) must not be larger than the checkpoint's size (%d)", from, to)
	}
	a, err := s.CheckpointAt(ctx, from)
	if err != nil {
		return ConsistencyProof{}, &workflow.Error{Code: workflow.ENOTFOUND, Field: "from", Message: fmt.Sprintf("there is no checkpoint of size %d", from)}
	}
	b, err := s.CheckpointAt(ctx, to)
	if err != nil {
		return ConsistencyProof{}, &workflow.Error{Code: workflow.ENOTFOUND, Field: "size", Message: fmt.Sprintf("there is no checkpoint of size %d", to)}
	}
	db, err := sqlDB(s.Store)
	if err != nil {
		return ConsistencyProof{}, err
	}
	nodes, err := proof.Consistency(from, to)
	if err != nil {
		return ConsistencyProof{}, err
	}
	hashes, err := fetchNodes(ctx, db, s.Store.Dialect(), nodes.IDs)
	if err != nil {
		return ConsistencyProof{}, err
	}
	path, err := nodes.Rehash(hashes, evidence.HashChildren)
	if err != nil {
		return ConsistencyProof{}, err
	}
	return ConsistencyProof{From: a, To: b, Proof: evidence.EncodeHashes(path)}, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
