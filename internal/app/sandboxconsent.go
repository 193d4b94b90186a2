package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/datapull/datapull/internal/oauth"
)

// ApproveSandboxConsent returns an oauth.Opener that approves a sandbox
// provider's consent page the way a person clicking "Allow access" would:
// it posts the page's form (the authorize parameters, action=allow and the
// chosen accounts; "*" means all) and follows the redirect back to
// DataPull's loopback listener. The sandboxes document this form; it is
// for the demo and tests, never for a real provider.
func ApproveSandboxConsent(accounts ...string) oauth.Opener {
	return sandboxConsent("allow", "tenant", accounts)
}

// ApproveSandboxPortal approves the sandbox HubSpot's consent page for
// one portal (its form names the account "portal", one per install).
func ApproveSandboxPortal(hubID string) oauth.Opener {
	return sandboxConsent("allow", "portal", []string{hubID})
}

// DenySandboxConsent is ApproveSandboxConsent's opposite: it presses
// Cancel on the consent page.
func DenySandboxConsent() oauth.Opener { return sandboxConsent("deny", "", nil) }

// sandboxConsent posts a sandbox consent form with action and the chosen
// accounts in field.
func sandboxConsent(action, field string, accounts []string) oauth.Opener {
	return func(ctx context.Context, authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return fmt.Errorf("sandbox consent: %w", err)
		}
		form := u.Query()
		form.Set("action", action)
		for _, a := range accounts {
			form.Add(field, a)
		}
		u.RawQuery = ""
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
		if err != nil {
			return fmt.Errorf("sandbox consent: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hc.Do(req)
		if err != nil {
			return fmt.Errorf("sandbox consent: %w", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		back := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || back == "" {
			return fmt.Errorf("sandbox consent: HTTP %d without a redirect: %.200s", resp.StatusCode, body)
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, back, nil)
		if err != nil {
			return fmt.Errorf("sandbox consent: %w", err)
		}
		resp, err = hc.Do(req)
		if err != nil {
			return fmt.Errorf("sandbox consent: back to DataPull: %w", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	}
}
