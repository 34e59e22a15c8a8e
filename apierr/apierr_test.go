package apierr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		code apierr.Code
		want int
	}{
		{apierr.InvalidParameterValue, http.StatusBadRequest},
		{apierr.BadRequest, http.StatusBadRequest},
		{apierr.ResourceAlreadyExists, http.StatusBadRequest},
		{apierr.ResourceDoesNotExist, http.StatusNotFound},
		{apierr.EndpointNotFound, http.StatusNotFound},
		{apierr.Unauthenticated, http.StatusUnauthorized},
		{apierr.PermissionDenied, http.StatusForbidden},
		{apierr.NotImplemented, http.StatusNotImplemented},
		{apierr.RequestLimitExceeded, http.StatusTooManyRequests},
		{apierr.UnsupportedMediaType, http.StatusUnsupportedMediaType},
		{apierr.InternalError, http.StatusInternalServerError},
		{apierr.InvalidState, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := apierr.HTTPStatus(tt.code); got != tt.want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestWrappedErrors(t *testing.T) {
	cause := errors.New("disk full")
	e := apierr.NotFound("run %s not found", "abc").WithHint("list runs with sluice runs list")
	e.Err = cause
	wrapped := fmt.Errorf("get run: %w", e)
	if got := apierr.CodeOf(wrapped); got != apierr.ResourceDoesNotExist {
		t.Errorf("CodeOf = %s, want RESOURCE_DOES_NOT_EXIST", got)
	}
	if !apierr.IsNotFound(wrapped) || !errors.Is(wrapped, cause) {
		t.Error("IsNotFound or errors.Is through the wrap failed")
	}
	if got, want := e.Error(), "run abc not found; list runs with sluice runs list"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := apierr.CodeOf(cause); got != apierr.InternalError {
		t.Errorf("CodeOf(plain error) = %s, want INTERNAL_ERROR", got)
	}
	if apierr.As(cause) != nil {
		t.Error("As(plain error) != nil")
	}
}
