package main

import (
	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/api/web"
)

func init() {
	serverHooks = append(serverHooks, func(s *api.Server) error {
		_, err := web.Register(s)
		return err
	})
}
