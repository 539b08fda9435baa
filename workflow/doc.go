// Package workflow holds dealgate's nouns and rules, free of I/O: pipelines parsed from YAML,
// deals, the evidence a stage requires, the state machine that moves a deal, and the events
// that record every move in a per-deal hash chain.
//
// # The state machine
//
// A deal sits at one stage of the pipeline version it started on, with status open, won or
// lost. [Pipeline.Decide] is the only way it changes stage:
//
//	advance  current stage's evidence must exist; to the next stage, or further ahead when
//	         every stage in between is skippable (each is recorded as a skip event)
//	skip     the current stage must be skippable; a reason is required
//	lose     from any stage of an open deal; a reason is required; status → lost
//	win      from the last stage, with its evidence; status → won
//
// A refusal is an *Error (stale expected_version → ECONFLICT, rule broken → EINVALID, role
// not allowed → EFORBIDDEN) or a *MissingEvidenceError that lists every unmet requirement in
// Russian and English. Every accepted move yields one event per stage left, so statistics can
// count entries and exits per stage from events alone.
//
// # The default pipeline
//
// templates/pipeline/default.yaml ships the 15-stage corporate sale of DESIGN.md; the graph
// of its stages and gates is kept as a golden file in testdata/golden/default.dot.
//
// # Events
//
// Events are sealed into a chain per deal: each event's hash covers its canonical encoding
// ([Event.CanonicalBytes]) including the previous event's hash. [VerifyChain] names the first
// broken link.
package workflow
