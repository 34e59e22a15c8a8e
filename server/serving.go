package server

import (
	"context"
	"net/http"
)

// servingPart is the /serving/ subtree and its background task.
type servingPart struct {
	handler http.Handler
	run     func(ctx context.Context) error
}

// newServing builds the model servers under /serving/NAME/….
func newServing(ctx context.Context, st Stores, cfg Config) (*servingPart, error) {
	return nil, nil
}
