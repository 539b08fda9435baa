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
	webHooks = append(webHooks, wireTraining)
}

// wireTraining turns on the training gate (a stage with training_gate: true needs a passed test,
// valid for the policy's months, by the person moving the deal), the /api/v1/training routes and
// the training pages. It is a web hook: the pages join the web application that web_wire.go
// registered, so «Обучение» is in the navigation of every page.
func wireTraining(w *web.Web, s *api.Server) error {
	if _, err := storage.ShippedTrainingBank(); err != nil {
		return fmt.Errorf("training: the shipped question bank: %w", err)
	}
	s.Store.TrainingPassedFunc = s.Store.TrainingPassed
	s.Extra = append(s.Extra, api.TrainingRoutes)
	web.AddTraining(w, &web.Training{GapFunc: trainingGap})
	return nil
}
