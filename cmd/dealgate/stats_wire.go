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
	webHooks = append(webHooks, wireStats)
	trainingGap = func(ctx context.Context, userID int64) (map[string]web.TrainingGap, error) {
		if statsService == nil {
			return nil, nil
		}
		return web.StatsTrainingGaps(ctx, statsService, userID)
	}
}

// wireStats adds /api/v1/stats and the statistics pages. It is a web hook: the pages join the
// web application that web_wire.go registered, so «Статистика» is in the navigation of every
// page for the roles that may read statistics.
func wireStats(w *web.Web, s *api.Server) error {
	svc := stats.NewService(s.Store)
	svc.PipelineKey = s.PipelineKey
	statsService = svc
	s.Extra = append(s.Extra, (&stats.API{Svc: svc}).Routes)
	web.AddStats(w, &web.Stats{Svc: svc})
	return nil
}
