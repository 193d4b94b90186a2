package xero

import (
	"testing"

	"github.com/datapull/datapull/internal/sandbox/sandboxtest"
)

// BenchmarkGenerateLarge generates one large organisation (over a million
// records, journals included) and reports the records generated, the
// seconds it took and the peak heap (see sandboxtest.BenchGenerate for how
// it is sampled). Run it once:
//
//	go test -run '^$' -bench GenerateLarge -benchtime 1x ./internal/sandbox/xero
func BenchmarkGenerateLarge(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Size, cfg.Orgs = "large", 1
	sandboxtest.BenchGenerate(b, func() (*World, error) { return Generate(cfg, genStart) },
		func(w *World) int { return w.Orgs[0].RecordCount() })
}
