package spec

import (
	"bytes"
	_ "embed" // job.schema.json
)

//go:embed job.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of job files, for
// editors (the YAML language server reads it through a
// "# yaml-language-server: $schema=…" comment or its settings). The
// returned slice is a copy the caller may keep or change.
func Schema() []byte { return bytes.Clone(schemaJSON) }
