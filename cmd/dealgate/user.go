package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/workflow"
)

func init() {
	register(command{name: "user", summary: "user add --email E --role R [--password P]: create a user; prints an API token last", run: runUser})
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelpArg(args[0]) {
		fmt.Fprintln(stderr, "usage: dealgate user add --email E --role admin|manager|rep|backoffice|auditor [--name N] [--password P]")
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: dealgate user add --email E --role admin|manager|rep|backoffice|auditor [--name N] [--password P]", errUsage)
	}
	cfg := DefaultConfig().FromEnv()
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindDB(fs)
	email := fs.String("email", "", "e-mail (sign-in name)")
	role := fs.String("role", "", "admin, manager, rep, backoffice or auditor")
	name := fs.String("name", "", "full name")
	password := fs.String("password", "", "password for the web sign-in (optional; at least 10 characters)")
	if err := parseFlags(fs, args[1:], 0); err != nil {
		return err
	}
	if *email == "" || *role == "" {
		return fmt.Errorf("%w: --email and --role are required", errUsage)
	}
	if !workflow.Role(*role).Valid() {
		return fmt.Errorf("%w: unknown role %q (admin, manager, rep, backoffice, auditor)", errUsage, *role)
	}
	var hash string
	if *password != "" {
		if len(*password) < 10 {
			return fmt.Errorf("%w: the password must be at least 10 characters", errUsage)
		}
		var err error
		if hash, err = api.HashPassword(*password); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, cfg, cfg.logger(nil))
	if err != nil {
		return err
	}
	defer st.Close()
	var token string
	var u storage.User
	err = st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = st.CreateUser(ctx, storage.User{Email: *email, Name: *name, Role: workflow.Role(*role), PasswordHash: hash}); err != nil {
			return err
		}
		token, _, err = st.CreateToken(ctx, u.ID, "dealgate user add")
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %d <%s> with role %s; API token:\n%s\n", u.ID, u.Email, u.Role, token)
	return nil
}
