// Package evidence is the part of dealgate's audit trail that needs no database: the
// checkpoint log's leaf and checkpoint encodings, the checks that compare a deal's events
// with its documents, files and signed copies, the evidence bundle's manifest, and the
// offline verifier behind `dealgate verify BUNDLE.zip`.
//
// The server (package audit) and the offline verifier run the same Check on the same kind of
// Material, so both name a broken link with the same Problem code. docs/AUDIT.md describes
// the encodings for people who re-implement the check.
package evidence
