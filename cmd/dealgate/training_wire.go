package main

import (
	"context"
	"fmt"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
	"github.com/dealgate/dealgate/storage"
)

// trainingGap, when set (by the statistics wiring), gives the training results page each rep's
// funnel gap to the norm per stage. Until it is set, the page shows "—" for every gap.
var trainingGap func(ctx context.Context, userID int64) (map[string]web.TrainingGap, error)

func init() {
	serverHooks = append(serverHooks, wireTraining)
}

// wireTraining turns on the training gate (a stage with training_gate: true needs a passed test,
// valid for the policy's months, by the person moving the deal), the /api/v1/training routes and
// the training pages.
//
// web_wire.go does not hand its *web.Web to the other wirings, so the pages are attached with
// web.AttachTraining, which renders them with a page set of their own. The training pages show
// the navigation item; the other pages show it when package web's own navigation lists
// /training. Should web_wire.go pass its *web.Web on, web.AddTraining(w, …) with it is the
// simpler wiring.
func wireTraining(s *api.Server) error {
	if _, err := storage.ShippedTrainingBank(); err != nil {
		return fmt.Errorf("training: the shipped question bank: %w", err)
	}
	s.Store.TrainingPassedFunc = s.Store.TrainingPassed
	s.Extra = append(s.Extra, api.TrainingRoutes)
	return web.AttachTraining(s, &web.Training{GapFunc: trainingGap})
}
