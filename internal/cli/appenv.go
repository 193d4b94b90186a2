package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/secrets"
	"github.com/datapull/datapull/internal/store"
)

// keyPath is where the key that seals sign-ins lives: $DATAPULL_KEY, or
// the user's config directory (apart from the database, so a copied
// database file does not carry the means to open its tokens).
func keyPath() (string, error) {
	if p := strings.TrimSpace(os.Getenv("DATAPULL_KEY")); p != "" {
		return p, nil
	}
	return secrets.DefaultKeyPath()
}

// openApp opens the store and the sealer and builds the App over them.
// The caller closes the store.
func openApp(ctx context.Context, dsn string, cfg app.Config) (*app.App, *store.Store, error) {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	path, err := keyPath()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	sealer, err := secrets.NewSealer(secrets.NoKeyring{}, path)
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("open the key that protects sign-ins (%s): %w", path, err)
	}
	cfg.Store, cfg.Sealer = st, sealer
	a, err := app.New(cfg)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return a, st, nil
}
