package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/provider"
)

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runConnect signs in to a source through the browser and connects the
// accounts the user picks.
func runConnect(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%w: name the source: datapull connect %s -workspace W", errUsage, strings.Join(app.Sources(), "|"))
	}
	source := args[0]
	fs := newFlagSet("connect "+source, env)
	dsn := addDBFlag(fs)
	wsArg := fs.String("workspace", "", "workspace name or id (required)")
	var orgs listFlag
	fs.Var(&orgs, "org", "an organisation (account) to connect, by name or id; repeat for several")
	all := fs.Bool("all", false, "connect every organisation the sign-in reaches")
	sandbox := fs.String("sandbox", "", "connect a sandbox provider at this base URL instead of the real one")
	approve := fs.Bool("sandbox-approve", false, "approve the sandbox's consent page automatically (with -sandbox only)")
	noBrowser := fs.Bool("no-browser", false, "do not open a browser; only print the sign-in address")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *wsArg == "" {
		return fmt.Errorf("%w: -workspace is required (see datapull workspace list)", errUsage)
	}
	if *approve && *sandbox == "" {
		return fmt.Errorf("%w: -sandbox-approve works only with -sandbox", errUsage)
	}
	if !contains(app.Sources(), source) {
		return fmt.Errorf("%w: unknown source %q (known: %s)", errUsage, source, strings.Join(app.Sources(), ", "))
	}
	a, st, err := openApp(ctx, *dsn, app.Config{})
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := findWorkspace(ctx, st, *wsArg)
	if err != nil {
		return err
	}
	login := oauth.LoginOptions{Out: env.Stdout}
	switch {
	case *approve:
		fmt.Fprintln(env.Stdout, "Approving the sandbox's consent page automatically (a real provider asks you in the browser).")
		login.Opener = app.ApproveSandboxConsent("*")
	case *noBrowser:
		login.Opener = func(context.Context, string) error { return errors.New("not opening a browser (-no-browser)") }
	}
	conns, err := a.Connect(ctx, app.ConnectRequest{WorkspaceID: ws.ID, Source: source, Sandbox: *sandbox, Login: login,
		Pick: picker(env, orgs, *all)})
	if err != nil {
		return err
	}
	for _, c := range conns {
		fmt.Fprintf(env.Stdout, "Connected %s %q (connection %d) to workspace %q.\n", c.Source, c.AccountName, c.ID, ws.Name)
	}
	if len(conns) > 0 {
		fmt.Fprintf(env.Stdout, "Pull it: datapull pull -workspace %s -connection %d\n", shellWord(ws.Name), conns[0].ID)
	}
	return nil
}

// picker chooses the accounts to connect: those named with -org, all with
// -all, the only one, or, on a terminal, the ones the user types.
func picker(env *Env, names []string, all bool) func([]provider.Account) ([]provider.Account, error) {
	return func(accounts []provider.Account) ([]provider.Account, error) {
		switch {
		case all:
			return accounts, nil
		case len(names) > 0:
			return pickNamed(accounts, names)
		case len(accounts) == 1:
			return accounts, nil
		}
		var list strings.Builder
		for i, a := range accounts {
			fmt.Fprintf(&list, "  %d. %s (%s)\n", i+1, a.Name, a.ID)
		}
		if !isTerminal(env.Stdout) || !isTerminal(os.Stdin) {
			return nil, fmt.Errorf("the sign-in reaches %d organisations; choose with -org NAME (repeatable) or -all:\n%s",
				len(accounts), strings.TrimRight(list.String(), "\n"))
		}
		fmt.Fprintf(env.Stdout, "The sign-in reaches %d organisations:\n%sConnect which? (numbers separated by commas, or \"all\"): ", len(accounts), list.String())
		return pickTyped(os.Stdin, accounts)
	}
}

func pickNamed(accounts []provider.Account, names []string) ([]provider.Account, error) {
	var out []provider.Account
	for _, n := range names {
		found := false
		for _, a := range accounts {
			if strings.EqualFold(a.Name, n) || a.ID == n {
				out, found = append(out, a), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("the sign-in does not reach an organisation named %q", n)
		}
	}
	return out, nil
}

func pickTyped(r io.Reader, accounts []provider.Account) ([]provider.Account, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return nil, fmt.Errorf("no choice made: %w", err)
	}
	line = strings.TrimSpace(line)
	if strings.EqualFold(line, "all") {
		return accounts, nil
	}
	var out []provider.Account
	for _, f := range strings.Split(line, ",") {
		i, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || i < 1 || i > len(accounts) {
			return nil, fmt.Errorf("%q is not a number from 1 to %d", strings.TrimSpace(f), len(accounts))
		}
		out = append(out, accounts[i-1])
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
