// Package apierr is Sluice's one user-facing error type: a code (MLflow's
// error_code names, which the HTTP API returns verbatim), a message that
// names what failed and where, and an optional hint saying how to fix it.
// The code maps to an HTTP status (as MLflow maps it) and to a CLI exit
// code. Domain packages (tracking, registry, artifacts, models, serving)
// return *Error for anything caused by the caller's input; anything else
// is an internal error whose details go to logs only.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is an MLflow error code name.
type Code string

// The error codes Sluice returns, with MLflow's names.
const (
	InternalError         Code = "INTERNAL_ERROR"
	InvalidParameterValue Code = "INVALID_PARAMETER_VALUE"
	BadRequest            Code = "BAD_REQUEST"
	ResourceDoesNotExist  Code = "RESOURCE_DOES_NOT_EXIST"
	ResourceAlreadyExists Code = "RESOURCE_ALREADY_EXISTS"
	InvalidState          Code = "INVALID_STATE"
	EndpointNotFound      Code = "ENDPOINT_NOT_FOUND"
	Unauthenticated       Code = "UNAUTHENTICATED"
	PermissionDenied      Code = "PERMISSION_DENIED"
	NotImplemented        Code = "NOT_IMPLEMENTED"
	RequestLimitExceeded  Code = "REQUEST_LIMIT_EXCEEDED"
	UnsupportedMediaType  Code = "UNSUPPORTED_MEDIA_TYPE" // serving: 415
)

// Error is a user-facing error.
type Error struct {
	Code    Code
	Message string // what failed and where: "run 12ab: param lr already logged with value 0.1"
	Hint    string // how to fix it; may be empty
	Err     error  // the cause, if any (not shown to API clients)
}

// New returns an *Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an INVALID_PARAMETER_VALUE error.
func Invalid(format string, args ...any) *Error {
	return New(InvalidParameterValue, format, args...)
}

// NotFound returns a RESOURCE_DOES_NOT_EXIST error.
func NotFound(format string, args ...any) *Error {
	return New(ResourceDoesNotExist, format, args...)
}

// Exists returns a RESOURCE_ALREADY_EXISTS error.
func Exists(format string, args ...any) *Error {
	return New(ResourceAlreadyExists, format, args...)
}

// WithHint returns e with hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

func (e *Error) Error() string {
	if e.Hint != "" {
		return e.Message + "; " + e.Hint
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the status MLflow's server answers for e's code.
func (e *Error) HTTPStatus() int { return HTTPStatus(e.Code) }

// HTTPStatus maps an error code to MLflow's HTTP status.
func HTTPStatus(c Code) int {
	switch c {
	case InvalidParameterValue, BadRequest, ResourceAlreadyExists:
		return http.StatusBadRequest
	case ResourceDoesNotExist, EndpointNotFound:
		return http.StatusNotFound
	case Unauthenticated:
		return http.StatusUnauthorized
	case PermissionDenied:
		return http.StatusForbidden
	case NotImplemented:
		return http.StatusNotImplemented
	case RequestLimitExceeded:
		return http.StatusTooManyRequests
	case UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	default: // InternalError, InvalidState
		return http.StatusInternalServerError
	}
}

// As returns err's *Error, or nil when err is not (or does not wrap) one.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns err's code: InternalError unless err wraps an *Error.
func CodeOf(err error) Code {
	if e := As(err); e != nil {
		return e.Code
	}
	return InternalError
}

// IsNotFound reports whether err is a RESOURCE_DOES_NOT_EXIST error.
func IsNotFound(err error) bool { return CodeOf(err) == ResourceDoesNotExist }
