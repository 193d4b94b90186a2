package xero

import (
	"github.com/datapull/datapull/internal/provider"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
	"github.com/datapull/datapull/internal/sandbox/xero/apitruth"
)

// The ground truth lives in package apitruth, shared with the engine's
// and the commands' tests.
type truthRecord = apitruth.Record

func truth(o *xsandbox.Org, endpoint string) []truthRecord { return apitruth.Records(o, endpoint) }

func compare(got map[string]provider.Record, want []truthRecord) []string {
	return apitruth.Compare(got, want)
}

func canon(b []byte) (string, error) { return apitruth.Canon(b) }
