// Command datapull pulls a business's own data from Xero and HubSpot onto
// its own machine. All behaviour lives in internal/cli; main only wires the
// process to it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/datapull/datapull/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
