// Package reliability holds dealgate's fault and hostile-input tests. They run the real
// `dealgate serve` binary, built by the test, as child processes on 127.0.0.1 and drive them
// with package loadgen and plain HTTP:
//
//   - crash: SIGKILL the server at random moments under load (SQLite and PostgreSQL), restart
//     it on the same data, retry every unacknowledged request with its Idempotency-Key, and
//     check in the database and through the audit verification that nothing acknowledged was
//     lost, nothing was done twice and nothing is half-written;
//   - database restart: stop and start a private PostgreSQL instance under load; requests get
//     a fast 503 problem while it is down and the server recovers by itself;
//   - concurrency: two server processes on one PostgreSQL database, 32 clients on one deal,
//     one draft, one document and one invoice counter;
//   - access: every API route for every role and for no session at all, session fixation,
//     CSRF, sign-in throttling, and no secret in the logs;
//   - hostile input: oversized and deeply nested bodies, zip bombs and path traversal in
//     uploaded templates, markup in names shown in pages and documents, formula injection in
//     exports.
//
// The reduced fault runs are part of `go test ./...`; DEALGATE_FAULT_TESTS=1 (scripts/faults.sh)
// runs the long ones. RELIABILITY.md and SECURITY.md at the repository root give the figures
// and the threat model.
package reliability
