package main

import (
	"sync"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
)

// webApps holds the web application each server registered (*api.Server → *web.Web), so that
// StartApp can apply the settings that concern pages, such as Secure cookies, once the server
// is configured.
var webApps sync.Map

func init() {
	webHooks = append(webHooks, func(w *web.Web, s *api.Server) error {
		webApps.Store(s, w)
		return nil
	})
}
