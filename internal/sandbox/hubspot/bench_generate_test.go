package hubspot

import (
	"testing"

	"github.com/datapull/datapull/internal/sandbox/sandboxtest"
)

// BenchmarkGenerateLarge generates one large portal (over a million
// records) and reports the records generated, the seconds it took and the
// peak heap (see sandboxtest.BenchGenerate for how it is sampled). Run it
// once:
//
//	go test -run '^$' -bench GenerateLarge -benchtime 1x ./internal/sandbox/hubspot
func BenchmarkGenerateLarge(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Size, cfg.Portals = "large", 1
	sandboxtest.BenchGenerate(b, func() (*World, error) { return Generate(cfg, testStart) },
		func(w *World) int { return w.Portals[0].RecordCount() })
}
