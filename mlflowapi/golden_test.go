package mlflowapi_test

import (
	"flag"
	"path/filepath"
	"strings"
)

// update (-update) rewrites the golden request/response files of every
// domain's golden test (tracking, registry, artifacts) from its scenarios;
// review the diff before committing.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenPath is the golden file of an endpoint such as "runs/log-batch":
// testdata/golden/runs-log-batch.json.
func goldenPath(endpoint string) string {
	return filepath.Join("testdata", "golden", strings.ReplaceAll(endpoint, "/", "-")+".json")
}
