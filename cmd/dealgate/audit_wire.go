package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/audit"
)

// auditRerender, when set (by the documents wiring), lets GET /api/v1/deals/{id}/verify
// re-render every document from its recorded data and template versions. Until it is set,
// verification answers "re-render skipped".
var auditRerender audit.RerenderFunc

// defaultCheckpointInterval is how often the heads of changed deals are logged and signed.
const defaultCheckpointInterval = time.Minute

func init() {
	serverHooks = append(serverHooks, wireAudit)
}

// wireAudit adds the audit routes and starts the checkpointer. The signing key lives next to
// the SQLite file, or in the settings table on PostgreSQL so that every replica shares it; it
// is created by the first checkpoint, right at start. DEALGATE_CHECKPOINT_INTERVAL (a Go
// duration, e.g. 30s or 5m; "off" for start-up and on-demand checkpoints only) sets the pace.
func wireAudit(s *api.Server) error {
	log := s.Logger()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir, err := audit.KeyDirFor(ctx, s.Store)
	if err != nil {
		return fmt.Errorf("audit: find the data directory of the SQLite file: %w", err)
	}
	svc := audit.New(s.Store, dir, log)
	svc.Rerender = auditRerender
	if svc.Rerender == nil && s.Documents != nil {
		svc.Rerender = s.Documents.Rerender
	}
	if _, err := svc.PublicKey(ctx); err != nil { // creates the key pair on the first start
		return fmt.Errorf("audit: signing key: %w", err)
	}
	s.Extra = append(s.Extra, svc.Routes())
	interval := defaultCheckpointInterval
	switch v := strings.TrimSpace(os.Getenv("DEALGATE_CHECKPOINT_INTERVAL")); {
	case v == "off" || v == "0":
		interval = 0
	case v != "":
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			log.Error("audit: DEALGATE_CHECKPOINT_INTERVAL must be a duration of at least 1s, or off; using the default", "value", v, "default", interval)
		} else {
			interval = d
		}
	}
	// The loop ends when the store is closed (App.Close).
	go svc.Run(context.Background(), interval)
	return nil
}
