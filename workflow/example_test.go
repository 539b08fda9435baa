package workflow_test

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/dealgate/dealgate/templates"
	"github.com/dealgate/dealgate/workflow"
)

// A rep moves a new deal of the default pipeline from research straight to needs discovery,
// over the two optional stages, and is then refused at the proposal stage until the
// commercial proposal exists.
func ExamplePipeline_Decide() {
	p, err := workflow.ParsePipeline(bytes.NewReader(templates.DefaultPipeline()))
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC)
	deal := workflow.Deal{ID: 1, CompanyID: 7, Title: "Насосы для водоканала", Currency: "RUB",
		Stage: p.First().Key, Status: workflow.StatusOpen, Version: 1}
	rep := workflow.Actor{ID: 3, Role: workflow.RoleRep}

	// Research is left with a valid client company; cold call and meeting are skipped.
	out, err := p.Decide(deal, workflow.Evidence{CompanyValid: true},
		workflow.Transition{Action: workflow.ActionAdvance, To: "needs", ExpectedVersion: 1}, rep, now)
	if err != nil {
		panic(err)
	}
	for _, e := range out.Events {
		fmt.Printf("%s %s → %s\n", e.Action, e.FromStage, e.ToStage)
	}
	fmt.Println("now at", out.Deal.Stage, "version", out.Deal.Version)

	// Needs are recorded, so the deal reaches the proposal stage; leaving it needs the
	// proposal document.
	out, err = p.Decide(out.Deal, workflow.Evidence{Facts: map[workflow.FactKind]int{workflow.FactNeeds: 1}},
		workflow.Transition{Action: workflow.ActionAdvance}, rep, now)
	if err != nil {
		panic(err)
	}
	_, err = p.Decide(out.Deal, workflow.Evidence{}, workflow.Transition{Action: workflow.ActionAdvance}, rep, now)
	var missing *workflow.MissingEvidenceError
	if errors.As(err, &missing) {
		for _, m := range missing.Missing {
			fmt.Println(m.Type, m.Kinds)
			fmt.Println(m.Ru)
			fmt.Println(m.En)
		}
	}
	// Output:
	// advance research → cold_call
	// skip cold_call → meeting
	// skip meeting → needs
	// now at needs version 2
	// document [proposal]
	// окончательный документ «Коммерческое предложение»
	// a final Commercial proposal document (proposal)
}
