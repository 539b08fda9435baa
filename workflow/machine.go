package workflow

import (
	"fmt"
	"strings"
	"time"
)

// Action is what a transition does.
type Action string

// Transition actions; the keys are part of the API.
const (
	// ActionAdvance leaves the current stage with its evidence, to the next stage or further
	// ahead when every stage in between may be skipped (those are recorded as skipped).
	ActionAdvance Action = "advance"
	// ActionSkip passes over an optional stage without its evidence; a reason is required.
	ActionSkip Action = "skip"
	// ActionLose closes an open deal as lost at its current stage; a reason is required.
	ActionLose Action = "lose"
	// ActionWin closes the deal as won from the last stage, with that stage's evidence.
	ActionWin Action = "win"
	// ActionCreate is recorded when a deal enters its first stage; it is not a transition a
	// client can request.
	ActionCreate Action = "create"
)

// Transition is a request to move a deal.
type Transition struct {
	Action          Action
	To              string // target stage key; empty means the next stage
	Reason          string
	ExpectedVersion int64
}

// Evidence is what a deal has: the facts the stage requirements are checked against. Storage
// gathers it inside the transaction that moves the deal.
type Evidence struct {
	CompanyValid   bool
	Documents      map[DocumentKind]int // final documents by kind
	Activities     []ActivityEvidence
	Facts          map[FactKind]int
	Fields         map[string]bool // deal fields that are set (amount, cost)
	TrainingPassed map[string]bool // stage key → the actor has a valid passed test
}

// ActivityEvidence is one logged activity as the gate sees it.
type ActivityEvidence struct {
	Kind          ActivityKind
	DecisionMaker bool
}

// Outcome is the result of an accepted transition: the deal's new state and the events to
// append, in order, without their hashes (storage seals them into the deal's chain).
type Outcome struct {
	Deal   Deal
	Events []Event
}

// MaxReasonLen bounds a transition reason.
const MaxReasonLen = 1000

// Decide applies t to d under pipeline p. It never performs I/O: it either returns the new
// state and events, or refuses with an *Error (ECONFLICT, EINVALID, EFORBIDDEN) or a
// *MissingEvidenceError listing what the current stage still needs.
func (p *Pipeline) Decide(d Deal, ev Evidence, t Transition, actor Actor, now time.Time) (Outcome, error) {
	if t.ExpectedVersion != 0 && t.ExpectedVersion != d.Version {
		return Outcome{}, &Error{Code: ECONFLICT, Field: "expected_version",
			Message: fmt.Sprintf("the deal is at version %d, not %d; reload it and try again", d.Version, t.ExpectedVersion)}
	}
	if actor.Role == RoleAuditor {
		return Outcome{}, &Error{Code: EFORBIDDEN, Message: "auditors cannot move deals"}
	}
	if d.Status != StatusOpen {
		return Outcome{}, Invalid("action", "the deal is already %s", d.Status)
	}
	cur := p.StageIndex(d.Stage)
	if cur < 0 {
		return Outcome{}, Invalid("stage", "the deal is at stage %q, which its pipeline does not have", d.Stage)
	}
	stage := p.Stages[cur]
	t.Reason = strings.TrimSpace(t.Reason)
	if len([]rune(t.Reason)) > MaxReasonLen {
		return Outcome{}, Invalid("reason", "reason is longer than %d characters", MaxReasonLen)
	}
	if !stage.MayExit(actor.Role) {
		return Outcome{}, &Error{Code: EFORBIDDEN, Message: fmt.Sprintf("role %s may not move deals out of stage %q", actor.Role, stage.Key)}
	}
	now = now.UTC().Truncate(time.Microsecond)
	out := Outcome{Deal: d}
	out.Deal.Version = d.Version + 1
	out.Deal.UpdatedAt = now
	event := func(action Action, from, to, reason string) Event {
		return Event{DealID: d.ID, Kind: EventTransition, Action: action, FromStage: from, ToStage: to,
			ActorID: actor.ID, Reason: reason, At: now}
	}

	switch t.Action {
	case ActionLose:
		if t.Reason == "" {
			return Outcome{}, Invalid("reason", "a reason is required to lose a deal")
		}
		if t.To != "" && t.To != d.Stage {
			return Outcome{}, Invalid("to", "a deal is lost at its current stage %q", d.Stage)
		}
		out.Deal.Status = StatusLost
		out.Deal.LostReason = t.Reason
		out.Deal.ClosedAt = &now
		out.Events = append(out.Events, event(ActionLose, d.Stage, "", t.Reason))
		return out, nil

	case ActionWin:
		if cur != len(p.Stages)-1 {
			return Outcome{}, Invalid("action", "a deal is won from the last stage %q; it is at %q", p.Stages[len(p.Stages)-1].Key, d.Stage)
		}
		if t.To != "" {
			return Outcome{}, Invalid("to", "win takes no target stage")
		}
		if err := stage.check(ev); err != nil {
			return Outcome{}, err
		}
		out.Deal.Status = StatusWon
		out.Deal.ClosedAt = &now
		out.Events = append(out.Events, event(ActionWin, d.Stage, "", t.Reason))
		return out, nil

	case ActionAdvance, ActionSkip:
		if cur == len(p.Stages)-1 {
			return Outcome{}, Invalid("action", "%q is the last stage: use win or lose", d.Stage)
		}
		target := cur + 1
		if t.To != "" {
			target = p.StageIndex(t.To)
			if target < 0 {
				return Outcome{}, Invalid("to", "unknown stage %q", t.To)
			}
			if target <= cur {
				return Outcome{}, Invalid("to", "stage %q is not ahead of %q; deals only move forward", t.To, d.Stage)
			}
		}
		for i := cur + 1; i < target; i++ {
			if !p.Stages[i].Skippable {
				return Outcome{}, Invalid("to", "cannot jump to %q: stage %q in between may not be skipped", t.To, p.Stages[i].Key)
			}
		}
		if t.Action == ActionSkip {
			if !stage.Skippable {
				return Outcome{}, Invalid("action", "stage %q may not be skipped", stage.Key)
			}
			if t.Reason == "" {
				return Outcome{}, Invalid("reason", "a reason is required to skip a stage")
			}
			out.Events = append(out.Events, event(ActionSkip, stage.Key, p.Stages[cur+1].Key, t.Reason))
		} else {
			if err := stage.check(ev); err != nil {
				return Outcome{}, err
			}
			out.Events = append(out.Events, event(ActionAdvance, stage.Key, p.Stages[cur+1].Key, t.Reason))
		}
		for i := cur + 1; i < target; i++ {
			reason := fmt.Sprintf("пропущен при переходе к этапу «%s» / skipped on the way to %q", p.Stages[target].Name.Ru, p.Stages[target].Key)
			if t.Reason != "" {
				reason = t.Reason
			}
			out.Events = append(out.Events, event(ActionSkip, p.Stages[i].Key, p.Stages[i+1].Key, reason))
		}
		out.Deal.Stage = p.Stages[target].Key
		out.Deal.StageEnteredAt = now
		return out, nil
	case "":
		return Outcome{}, Invalid("action", "action is required: advance, skip, lose or win")
	default:
		return Outcome{}, Invalid("action", "unknown action %q: use advance, skip, lose or win", t.Action)
	}
}

// Missing lists the requirements of the stage that ev does not meet (empty when it may be
// left). The training gate is listed too.
func (s Stage) Missing(ev Evidence) []Missing {
	var out []Missing
	for _, r := range s.Requires {
		if !r.Satisfied(ev) {
			out = append(out, r.Describe())
		}
	}
	if s.TrainingGate && !ev.TrainingPassed[s.Key] {
		out = append(out, Missing{Type: "training", Kinds: []string{s.Key},
			Ru: fmt.Sprintf("сдать тест по этапу «%s» (нужно не менее 80 %% верных ответов)", s.Name.Ru),
			En: fmt.Sprintf("pass the test for stage %q (at least 80%% correct)", s.Name.En)})
	}
	return out
}

func (s Stage) check(ev Evidence) error {
	if m := s.Missing(ev); len(m) > 0 {
		return &MissingEvidenceError{Stage: s.Key, Missing: m}
	}
	return nil
}

// Satisfied reports whether ev meets the requirement.
func (r Requirement) Satisfied(ev Evidence) bool {
	switch {
	case r.Company:
		return ev.CompanyValid
	case len(r.Documents) > 0:
		for _, k := range r.Documents {
			if ev.Documents[k] > 0 {
				return true
			}
		}
		return false
	case len(r.Activities) > 0:
		for _, a := range ev.Activities {
			if r.DecisionMaker && !a.DecisionMaker {
				continue
			}
			for _, k := range r.Activities {
				if a.Kind == k {
					return true
				}
			}
		}
		return false
	case r.Fact != "":
		return ev.Facts[r.Fact] > 0
	case r.Field != "":
		return ev.Fields[r.Field]
	case len(r.AnyOf) > 0:
		for _, sub := range r.AnyOf {
			if sub.Satisfied(ev) {
				return true
			}
		}
		return false
	}
	return true
}

// Describe explains the requirement for the API and for people.
func (r Requirement) Describe() Missing {
	switch {
	case r.Company:
		return Missing{Type: "company", Ru: "карточка компании-клиента с верными реквизитами (ИНН, КПП, ОГРН, банк)",
			En: "a client company with valid requisites"}
	case len(r.Documents) > 0:
		var ru, en, kinds []string
		for _, k := range r.Documents {
			kinds = append(kinds, string(k))
			ru = append(ru, "«"+DocumentNames[k][0]+"»")
			en = append(en, DocumentNames[k][1])
		}
		return Missing{Type: "document", Kinds: kinds,
			Ru: "окончательный документ " + strings.Join(ru, " или "),
			En: "a final " + strings.Join(en, " or ") + " document (" + strings.Join(kinds, "|") + ")"}
	case len(r.Activities) > 0:
		var ru, en, kinds []string
		for _, k := range r.Activities {
			kinds = append(kinds, string(k))
			ru = append(ru, ActivityNames[k][0])
			en = append(en, ActivityNames[k][1])
		}
		m := Missing{Type: "activity", Kinds: kinds,
			Ru: "записанное действие: " + strings.Join(ru, " или "),
			En: "a logged " + strings.Join(en, " or ") + " activity (" + strings.Join(kinds, "|") + ")"}
		if r.DecisionMaker {
			m.Ru += " с ЛПР"
			m.En += " with a decision maker"
		}
		return m
	case r.Fact != "":
		return Missing{Type: "fact", Kinds: []string{string(r.Fact)},
			Ru: "записанный факт: " + FactNames[r.Fact][0],
			En: "a recorded fact: " + FactNames[r.Fact][1] + " (" + string(r.Fact) + ")"}
	case r.Field != "":
		return Missing{Type: "field", Kinds: []string{r.Field},
			Ru: "заполненное поле сделки " + r.Field, En: "the deal field " + r.Field}
	case len(r.AnyOf) > 0:
		var ru, en, kinds []string
		for _, sub := range r.AnyOf {
			d := sub.Describe()
			ru = append(ru, d.Ru)
			en = append(en, d.En)
			kinds = append(kinds, d.Kinds...)
		}
		return Missing{Type: "any_of", Kinds: kinds, Ru: "одно из: " + strings.Join(ru, "; "), En: "one of: " + strings.Join(en, "; ")}
	}
	return Missing{Type: "unknown"}
}
