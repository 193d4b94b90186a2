package oauth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// Opener shows a URL to the user, normally in a browser. It should return
// once the URL is on its way, and soon after ctx ends. Login prints the URL
// as well, so an Opener that fails is not fatal.
type Opener func(ctx context.Context, url string) error

// openerGrace is how long SystemOpener waits for the opening command to
// fail before taking silence as success.
const openerGrace = 2 * time.Second

// SystemOpener opens url in the default browser: open on macOS, rundll32
// on Windows, xdg-open elsewhere. It returns an error when it knows the
// browser did not open (no command, no display, a quick failure).
func SystemOpener(ctx context.Context, url string) error {
	name, args, err := openCommand(runtime.GOOS, url, os.Getenv)
	if err != nil {
		return err
	}
	// Not CommandContext: xdg-open may run the browser in the foreground,
	// and ending the sign-in must not kill the user's browser.
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("oauth: open browser: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("oauth: open browser: %s: %w", name, err)
		}
		return nil
	case <-time.After(openerGrace):
		return nil // still running: it is the browser, or it handed over to one
	case <-ctx.Done():
		return nil
	}
}

// openCommand returns the command that opens url on goos.
func openCommand(goos, url string, getenv func(string) string) (string, []string, error) {
	switch goos {
	case "darwin":
		return "open", []string{url}, nil
	case "windows":
		// Not "cmd /c start": cmd would treat & in the URL as a separator.
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}, nil
	}
	// Without a display xdg-open may start a text browser in this very
	// terminal, on top of the prompt showing the URL.
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return "", nil, errors.New("oauth: open browser: no graphical display")
	}
	return "xdg-open", []string{url}, nil
}
