// Package training runs the stage tests of dealgate: the question bank, drawing an attempt,
// scoring it, the retake cool-down and item analytics. It is pure Go: no database, no HTTP, no
// clock of its own (every function takes the time it needs).
//
// # The bank
//
// A [Bank] holds stages keyed like the pipeline ("meeting", "proposal", …), each with its
// questions. It is read from YAML ([Load], [LoadFS]); the shipped bank lives in
// templates/training and is embedded there. The YAML shape is
//
//	stages:
//	  - key: meeting
//	    title: Встреча
//	    title_en: Meeting
//	    questions:
//	      - id: meeting-01
//	        kind: multiple            # single | multiple (all-or-nothing)
//	        text: Что обязательно фиксируется в отчёте о встрече?
//	        options:
//	          - {id: a, text: Следующие шаги с ответственными и сроками}
//	          - {id: b, text: Настроение продавца}
//	        correct: [a]
//	        explanation: …
//
// Question and option ids are stable: attempts, results and item statistics refer to them, so
// an edited question keeps its id and a question that should no longer be drawn is marked
// `retired: true` rather than deleted. Every problem found while loading is reported with the
// file, the YAML line, the question id and the field ([BankError]).
//
// # Attempts and scoring
//
// [NewAttempt] draws the questions and shuffles their options deterministically from a seed
// (PCG from math/rand/v2), and snapshots them, with their correct answers, into an [Attempt]:
// the attempt is the record that is stored and later scored, so editing the bank never changes
// an attempt already handed out. The seed should come from crypto/rand and must never be shown
// to the rep. What the rep's browser receives is [Attempt.ClientView], built from separate types
// that have no field for correct answers or explanations. [Score] checks the submission and
// returns a [Result] that reveals the explanations. The pass mark is computed in integers:
// correct ≥ ⌈num·n/den⌉ ([Policy.PassMark]).
package training
