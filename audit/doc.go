// Package audit makes every deal's history tamper-evident and checkable, on the server and
// offline (docs/AUDIT.md is the full description):
//
//   - the checkpoint log: an append-only RFC 6962 Merkle tree whose leaves are the heads of
//     deal chains, with checkpoints signed as notes by the server's Ed25519 key (log.go,
//     keys.go); Service.Run appends changed heads at intervals, Checkpoint on demand;
//   - verification: VerifyDeal recomputes a deal's chain, compares it with the log, re-hashes
//     every stored file, compares every record with its event and re-renders documents through
//     RerenderFunc, and names the first broken link; VerifyLog audits the whole log (verify.go);
//   - the trail (trail.go) and the evidence bundle (bundle.go), whose offline verifier lives in
//     audit/evidence with the encodings and checks that need no database;
//   - the read log: who fetched which deal's trail, verification or bundle (reads.go);
//   - the HTTP routes, added to api.Server through Routes (routes.go).
//
// Its tables (migration 00004_audit) are read and written with database/sql on the store's
// pool; documents, events and files are read through storage.Store.
package audit
