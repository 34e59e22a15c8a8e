package table

import (
	"fmt"
	"strings"
)

// DefaultNamespace is the namespace of a table name given without one.
const DefaultNamespace = "default"

// Ident names a table: namespace and table name.
type Ident struct {
	Namespace string
	Name      string
}

// String renders the identifier as namespace.name.
func (id Ident) String() string { return id.Namespace + "." + id.Name }

func (id Ident) parts() []string { return []string{id.Namespace, id.Name} }

// ParseIdent parses "name" or "namespace.name". A missing namespace is
// DefaultNamespace. Names are case-sensitive; each part must be non-empty,
// at most 255 bytes, and made of letters, digits and underscores (the rules
// every engine reading the catalog accepts without quoting).
func ParseIdent(s string) (Ident, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	var id Ident
	switch len(parts) {
	case 1:
		id = Ident{Namespace: DefaultNamespace, Name: parts[0]}
	case 2:
		id = Ident{Namespace: parts[0], Name: parts[1]}
	default:
		return Ident{}, fmt.Errorf("table name %q: want name or namespace.name", s)
	}
	for _, p := range []string{id.Namespace, id.Name} {
		if err := checkNamePart(p); err != nil {
			return Ident{}, fmt.Errorf("table name %q: %w", s, err)
		}
	}
	return id, nil
}

func checkNamePart(p string) error {
	if p == "" {
		return fmt.Errorf("empty name part; write name or namespace.name")
	}
	if len(p) > 255 {
		return fmt.Errorf("name part longer than 255 bytes; shorten it")
	}
	for i, r := range p {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("invalid character %q in %q; use letters, digits and underscores, not starting with a digit", r, p)
		}
	}
	return nil
}
