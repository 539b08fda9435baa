package main

import (
	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
)

// webHooks add pages to the web application once it is registered (statistics, training…):
// each receives the *web.Web that every page shares, so the pages it adds (web.AddStats,
// web.AddTraining) get their navigation items on every page.
var webHooks []func(w *web.Web, s *api.Server) error

func init() {
	serverHooks = append(serverHooks, func(s *api.Server) error {
		w, err := web.Register(s)
		if err != nil {
			return err
		}
		for _, h := range webHooks {
			if err := h(w, s); err != nil {
				return err
			}
		}
		return nil
	})
}
