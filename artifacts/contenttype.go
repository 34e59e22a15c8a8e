package artifacts

import (
	"mime"
	"path"
	"strings"
)

// contentTypes fixes the types of the files models and runs usually hold,
// so that answers do not depend on the machine's mime.types.
var contentTypes = map[string]string{
	".txt":     "text/plain",
	".log":     "text/plain",
	".md":      "text/markdown",
	".csv":     "text/csv",
	".tsv":     "text/tab-separated-values",
	".json":    "application/json",
	".yaml":    "application/x-yaml",
	".yml":     "application/x-yaml",
	".html":    "text/html",
	".htm":     "text/html",
	".xml":     "application/xml",
	".png":     "image/png",
	".jpg":     "image/jpeg",
	".jpeg":    "image/jpeg",
	".gif":     "image/gif",
	".svg":     "image/svg+xml",
	".pdf":     "application/pdf",
	".parquet": "application/vnd.apache.parquet",
	".gz":      "application/gzip",
	".zip":     "application/zip",
	".tar":     "application/x-tar",
}

// ContentType is the media type of an artifact, by its extension:
// "model/input_example.json" is application/json; unknown extensions and
// files without one (MLmodel) are application/octet-stream.
func ContentType(p string) string {
	ext := strings.ToLower(path.Ext(p))
	if ext == "" {
		return "application/octet-stream"
	}
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
