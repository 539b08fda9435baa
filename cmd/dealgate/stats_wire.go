package main

import (
	"context"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
	"github.com/dealgate/dealgate/stats"
)

// statsService is the statistics of the server wired last; the training pages read each
// rep's gap to the norm from it (trainingGap in training_wire.go).
var statsService *stats.Service

func init() {
	serverHooks = append(serverHooks, wireStats)
	trainingGap = func(ctx context.Context, userID int64) (map[string]web.TrainingGap, error) {
		if statsService == nil {
			return nil, nil
		}
		return web.StatsTrainingGaps(ctx, statsService, userID)
	}
}

// wireStats adds /api/v1/stats and the statistics pages. Like the training pages, the pages
// are attached with a page set of their own (web_wire.go keeps its *web.Web); with that
// *web.Web at hand, web.AddStats(w, …) is the simpler wiring.
func wireStats(s *api.Server) error {
	svc := stats.NewService(s.Store)
	svc.PipelineKey = s.PipelineKey
	statsService = svc
	s.Extra = append(s.Extra, (&stats.API{Svc: svc}).Routes)
	return web.AttachStats(s, &web.Stats{Svc: svc})
}
