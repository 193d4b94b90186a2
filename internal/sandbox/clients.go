package sandbox

// The OAuth clients every emulator registers at start. A real provider
// issues a client per app; these stand in for DataPull's, with the same
// ids at every emulator so one configuration signs in to any of them.
const (
	// PublicClientID is a native-app client with no secret, which must use
	// PKCE (S256).
	PublicClientID = "datapull-sandbox"
	// WebClientID is the confidential client, which authenticates with
	// WebClientSecret.
	WebClientID = "datapull-sandbox-web"
	// WebClientSecret is WebClientID's secret.
	WebClientSecret = "sandbox-secret"
)

// DefaultRedirectURIs returns the redirect URIs both default clients
// accept. Being loopback URIs they match on any port (RFC 8252 §7.3), so a
// client listening on a free port needs no registration.
func DefaultRedirectURIs() []string {
	return []string{"http://127.0.0.1/callback", "http://localhost/callback", "http://[::1]/callback"}
}

// DefaultClients returns PublicClientID and WebClientID as the emulators
// register them.
func DefaultClients() []Client {
	return []Client{
		{ID: PublicClientID, Name: "DataPull", RedirectURIs: DefaultRedirectURIs()},
		{ID: WebClientID, Name: "DataPull (web)", Secret: WebClientSecret, RedirectURIs: DefaultRedirectURIs()},
	}
}

// RegisterDefaultClients registers DefaultClients.
func (a *AuthServer) RegisterDefaultClients() {
	for _, c := range DefaultClients() {
		if err := a.RegisterClient(c); err != nil {
			panic(err) // constant input: only a programming error gets here
		}
	}
}
