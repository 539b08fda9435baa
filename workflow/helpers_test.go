package workflow_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// testNow is the clock of every Decide test: not UTC and with nanoseconds, so that the
// normalisation to UTC microseconds is visible in every outcome.
var testNow = time.Date(2026, time.March, 2, 13, 4, 5, 123456789, time.FixedZone("MSK", 3*60*60))

// wantNow is testNow as Decide must record it.
var wantNow = time.Date(2026, time.March, 2, 10, 4, 5, 123456000, time.UTC)

// mustParse parses src and fails the test at once when it is refused.
func mustParse(t testing.TB, src []byte) *workflow.Pipeline {
	t.Helper()
	p, err := workflow.ParsePipeline(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("ParsePipeline: %v", err)
	}
	return p
}

// defaultPipeline parses the shipped default pipeline.
func defaultPipeline(t testing.TB) *workflow.Pipeline {
	t.Helper()
	return mustParse(t, templates.DefaultPipeline())
}

// readTestdata reads a file under testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gatesPipeline parses testdata/gates.yaml: one stage per kind of evidence.
func gatesPipeline(t testing.TB) *workflow.Pipeline {
	t.Helper()
	return mustParse(t, readTestdata(t, "gates.yaml"))
}

// openDeal returns an open deal at stage, at version 7.
func openDeal(stage string) workflow.Deal {
	created := time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC)
	return workflow.Deal{
		ID: 42, CompanyID: 3, OwnerID: 11, Title: "Поставка насосов", Amount: 1_250_000_00, Cost: 900_000_00,
		Currency: "RUB", PipelineID: 1, Stage: stage, Status: workflow.StatusOpen, Version: 7,
		StageEnteredAt: created, CreatedAt: created, UpdatedAt: created,
	}
}

var (
	rep        = workflow.Actor{ID: 11, Role: workflow.RoleRep}
	manager    = workflow.Actor{ID: 12, Role: workflow.RoleManager}
	backoffice = workflow.Actor{ID: 13, Role: workflow.RoleBackoffice}
	admin      = workflow.Actor{ID: 14, Role: workflow.RoleAdmin}
	auditor    = workflow.Actor{ID: 15, Role: workflow.RoleAuditor}
)

// fullEvidence meets every requirement of the default pipeline and of gates.yaml.
func fullEvidence() workflow.Evidence {
	docs := map[workflow.DocumentKind]int{}
	for _, k := range workflow.DocumentKinds {
		docs[k] = 1
	}
	facts := map[workflow.FactKind]int{}
	for _, k := range workflow.FactKinds {
		facts[k] = 1
	}
	var acts []workflow.ActivityEvidence
	for _, k := range workflow.ActivityKinds {
		acts = append(acts, workflow.ActivityEvidence{Kind: k, DecisionMaker: true})
	}
	trained := map[string]bool{}
	for _, k := range []string{"trained", "several"} {
		trained[k] = true
	}
	return workflow.Evidence{
		CompanyValid:   true,
		Documents:      docs,
		Activities:     acts,
		Facts:          facts,
		Fields:         map[string]bool{"amount": true, "cost": true},
		TrainingPassed: trained,
	}
}

// errorOf returns err as a *workflow.Error, failing the test when it is another kind.
func errorOf(t testing.TB, err error) *workflow.Error {
	t.Helper()
	var e *workflow.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want a *workflow.Error", err, err)
	}
	return e
}

// pipelineErrorOf returns err as a *workflow.PipelineError, failing the test otherwise.
func pipelineErrorOf(t testing.TB, err error) *workflow.PipelineError {
	t.Helper()
	var e *workflow.PipelineError
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want a *workflow.PipelineError", err, err)
	}
	return e
}
