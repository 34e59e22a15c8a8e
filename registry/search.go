package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/tracking/filter"
)

// Search limits, as MLflow's.
const (
	DefaultModelsMaxResults   = 100
	MaxModelsMaxResults       = 1000
	DefaultVersionsMaxResults = 10_000
	MaxVersionsMaxResults     = 200_000
)

// SearchRegisteredModels returns registered models matching filter, a
// conjunction (AND) of comparisons on name (=, !=, LIKE, ILIKE) and
// tags.KEY (=, !=, LIKE, ILIKE), ordered by order_by (name,
// last_updated_timestamp or timestamp, creation_timestamp; ASC or DESC;
// ties broken by name ASC), max_results (default 100, at most 1,000) per
// page; next_page_token is set when more remain. LIKE is case-sensitive,
// ILIKE not; % and _ are the wildcards. Errors: INVALID_PARAMETER_VALUE
// naming the bad filter, order_by, max_results or page_token.
func (s *Store) SearchRegisteredModels(ctx context.Context, req *SearchRegisteredModels) (*SearchRegisteredModelsResponse, error) {
	limit, err := maxResults(req.MaxResults, DefaultModelsMaxResults, MaxModelsMaxResults)
	if err != nil {
		return nil, err
	}
	offset, err := decodeToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	where, args, err := s.modelsWhere(req.Filter)
	if err != nil {
		return nil, err
	}
	order, err := orderClause(req.OrderBy, map[string]string{
		"name":                   "m.name",
		"timestamp":              "m.last_updated_timestamp",
		"last_updated_timestamp": "m.last_updated_timestamp",
		"creation_timestamp":     "m.creation_timestamp",
	}, []string{"m.name ASC"})
	if err != nil {
		return nil, err
	}
	q := "SELECT m.id FROM registry_models m" + where + order + " LIMIT ? OFFSET ?"
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(q), append(args, limit+1, offset)...)
	if err != nil {
		return nil, fmt.Errorf("registry: search models: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("registry: search models: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: search models: %w", err)
	}
	rows.Close()
	resp := &SearchRegisteredModelsResponse{}
	if int64(len(ids)) > limit {
		ids = ids[:limit]
		resp.NextPageToken = encodeToken(offset + limit)
	}
	if resp.RegisteredModels, err = s.loadModels(ctx, s.db, ids); err != nil {
		return nil, err
	}
	return resp, nil
}

// SearchModelVersions returns model versions matching filter, a
// conjunction (AND) of comparisons on name (=, !=, LIKE, ILIKE, IN, NOT
// IN), run_id (=, !=, IN, NOT IN), source_path (=, !=, LIKE, ILIKE),
// version_number (=, !=, <, <=, >, >=, IN, NOT IN), current_stage (=, !=,
// IN, NOT IN) and tags.KEY (=, !=, LIKE, ILIKE); ordered by order_by
// (name, version_number, creation_timestamp, last_updated_timestamp or
// timestamp, current_stage; ASC or DESC), then by last_updated_timestamp
// DESC, name ASC, version DESC; max_results (default 10,000, at most
// 200,000) per page. Errors: INVALID_PARAMETER_VALUE naming the bad
// filter, order_by, max_results or page_token.
func (s *Store) SearchModelVersions(ctx context.Context, req *SearchModelVersions) (*SearchModelVersionsResponse, error) {
	limit, err := maxResults(req.MaxResults, DefaultVersionsMaxResults, MaxVersionsMaxResults)
	if err != nil {
		return nil, err
	}
	offset, err := decodeToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	where, args, err := s.versionsWhere(req.Filter)
	if err != nil {
		return nil, err
	}
	order, err := orderClause(req.OrderBy, map[string]string{
		"name":                   "m.name",
		"version_number":         "v.version",
		"version":                "v.version",
		"creation_timestamp":     "v.creation_timestamp",
		"timestamp":              "v.last_updated_timestamp",
		"last_updated_timestamp": "v.last_updated_timestamp",
		"current_stage":          "v.current_stage",
	}, []string{"v.last_updated_timestamp DESC", "m.name ASC", "v.version DESC"})
	if err != nil {
		return nil, err
	}
	rows, err := s.queryVersions(ctx, s.db, where+order+" LIMIT ? OFFSET ?", append(args, limit+1, offset)...)
	if err != nil {
		return nil, err
	}
	resp := &SearchModelVersionsResponse{}
	if int64(len(rows)) > limit {
		rows = rows[:limit]
		resp.NextPageToken = encodeToken(offset + limit)
	}
	resp.ModelVersions = make([]ModelVersion, len(rows))
	for i, r := range rows {
		resp.ModelVersions[i] = r.mv
	}
	if len(rows) == 0 {
		resp.ModelVersions = nil
	}
	return resp, nil
}

// maxResults validates a max_results parameter.
func maxResults(n, def, most int64) (int64, error) {
	switch {
	case n == 0:
		return def, nil
	case n < 0:
		return 0, apierr.Invalid("Invalid value for request parameter max_results. It must be a positive integer, but got value %d", n)
	case n > most:
		return 0, apierr.Invalid("Invalid value for request parameter max_results. It must be at most %d, but got value %d", most, n)
	}
	return n, nil
}

// pageToken is the content of a page token: the offset of the next page.
type pageToken struct {
	Offset int64 `json:"offset"`
}

func encodeToken(offset int64) string {
	b, _ := json.Marshal(pageToken{Offset: offset})
	return base64.StdEncoding.EncodeToString(b)
}

func decodeToken(tok string) (int64, error) {
	if tok == "" {
		return 0, nil
	}
	bad := apierr.Invalid("Invalid page token '%s': use the next_page_token of the previous response.", tok)
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	var p pageToken
	if err := json.Unmarshal(b, &p); err != nil || p.Offset < 0 || p.Offset > math.MaxInt32 {
		return 0, bad
	}
	return p.Offset, nil
}

// orderClause builds " ORDER BY …" from order_by clauses over the
// attributes in cols, followed by the tiebreakers.
func orderClause(clauses []string, cols map[string]string, tiebreak []string) (string, error) {
	var terms []string
	used := map[string]bool{}
	for _, c := range clauses {
		o, err := filter.ParseOrderBy(c)
		if err != nil {
			return "", err
		}
		col, ok := cols[o.Key]
		if o.Entity != filter.Attribute || !ok {
			return "", apierr.Invalid("Invalid order_by clause '%s': can order by %s only.", c, strings.Join(keys(cols), ", "))
		}
		if used[col] {
			return "", apierr.Invalid("Invalid order_by clause '%s': %s is ordered by twice.", c, o.Key)
		}
		used[col] = true
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		terms = append(terms, col+dir)
	}
	for _, t := range tiebreak {
		col, _, _ := strings.Cut(t, " ")
		if !used[col] {
			terms = append(terms, t)
		}
	}
	return " ORDER BY " + strings.Join(terms, ", "), nil
}

// keys returns m's keys sorted.
func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// modelsWhere translates a registered model filter into a WHERE clause.
func (s *Store) modelsWhere(f string) (string, []any, error) {
	cmps, err := filter.Parse(f)
	if err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	for _, c := range cmps {
		switch {
		case c.Entity == filter.Tag:
			cond, a, err := s.stringCond("t.value", c, filter.Eq, filter.Ne, filter.Like, filter.ILike)
			if err != nil {
				return "", nil, err
			}
			conds = append(conds, "EXISTS (SELECT 1 FROM registry_model_tags t WHERE t.model_id = m.id AND t.key = ? AND "+cond+")")
			args = append(append(args, c.Key), a...)
		case c.Entity == filter.Attribute && c.Key == "name":
			cond, a, err := s.stringCond("m.name", c, filter.Eq, filter.Ne, filter.Like, filter.ILike)
			if err != nil {
				return "", nil, err
			}
			conds = append(conds, cond)
			args = append(args, a...)
		default:
			return "", nil, apierr.Invalid("Invalid filter '%s': unsupported key '%s'; registered models can be filtered by name and tags.KEY.", f, keyName(c))
		}
	}
	return whereClause(conds), args, nil
}

// versionsWhere translates a model version filter into a WHERE clause.
func (s *Store) versionsWhere(f string) (string, []any, error) {
	cmps, err := filter.Parse(f)
	if err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	for _, c := range cmps {
		var cond string
		var a []any
		var err error
		switch {
		case c.Entity == filter.Tag:
			cond, a, err = s.stringCond("t.value", c, filter.Eq, filter.Ne, filter.Like, filter.ILike)
			if err == nil {
				cond = "EXISTS (SELECT 1 FROM registry_version_tags t WHERE t.model_id = v.model_id AND t.version = v.version AND t.key = ? AND " + cond + ")"
				a = append([]any{c.Key}, a...)
			}
		case c.Entity != filter.Attribute:
			err = apierr.Invalid("Invalid filter '%s': unsupported key '%s'.", f, keyName(c))
		case c.Key == "name":
			cond, a, err = s.stringCond("m.name", c, filter.Eq, filter.Ne, filter.Like, filter.ILike, filter.In, filter.NotIn)
		case c.Key == "run_id":
			cond, a, err = s.stringCond("v.run_id", c, filter.Eq, filter.Ne, filter.In, filter.NotIn)
		case c.Key == "source_path" || c.Key == "source":
			cond, a, err = s.stringCond("v.source", c, filter.Eq, filter.Ne, filter.Like, filter.ILike)
		case c.Key == "current_stage":
			cond, a, err = s.stringCond("v.current_stage", c, filter.Eq, filter.Ne, filter.In, filter.NotIn)
		case c.Key == "version_number" || c.Key == "version":
			cond, a, err = versionCond(c)
		default:
			err = apierr.Invalid("Invalid filter '%s': unsupported key '%s'; model versions can be filtered by name, run_id, source_path, version_number, current_stage and tags.KEY.", f, keyName(c))
		}
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, cond)
		args = append(args, a...)
	}
	return whereClause(conds), args, nil
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func keyName(c filter.Comparison) string {
	if c.Entity == filter.Attribute {
		return c.Key
	}
	return string(c.Entity) + "." + c.Key
}

func opError(c filter.Comparison, ops []filter.Op) error {
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = string(o)
	}
	return apierr.Invalid("Invalid comparator '%s' for '%s': want one of %s.", c.Op, keyName(c), strings.Join(names, ", "))
}

// stringCond translates a comparison of a text column with a string.
func (s *Store) stringCond(col string, c filter.Comparison, ops ...filter.Op) (string, []any, error) {
	allowed := false
	for _, o := range ops {
		allowed = allowed || o == c.Op
	}
	if !allowed {
		return "", nil, opError(c, ops)
	}
	if c.Op == filter.In || c.Op == filter.NotIn {
		args := make([]any, len(c.Value.List))
		for i, v := range c.Value.List {
			if v.Kind != filter.String {
				return "", nil, apierr.Invalid("Invalid value %s in the list for '%s': want quoted strings.", v.String(), keyName(c))
			}
			args[i] = v.Str
		}
		return col + " " + string(c.Op) + " (" + placeholders(len(args)) + ")", args, nil
	}
	if c.Value.Kind != filter.String {
		return "", nil, apierr.Invalid("Invalid value %s for '%s': want a quoted string such as 'abc'.", c.Value.String(), keyName(c))
	}
	switch c.Op {
	case filter.Like:
		if s.db.Dialect == metastore.Postgres {
			return col + ` LIKE ? ESCAPE '\'`, []any{likeEscape(c.Value.Str)}, nil
		}
		return col + " GLOB ?", []any{likeToGlob(c.Value.Str)}, nil
	case filter.ILike:
		if s.db.Dialect == metastore.Postgres {
			return col + ` ILIKE ? ESCAPE '\'`, []any{likeEscape(c.Value.Str)}, nil
		}
		return "lower(" + col + `) LIKE lower(?) ESCAPE '\'`, []any{likeEscape(c.Value.Str)}, nil
	}
	return col + " " + string(c.Op) + " ?", []any{c.Value.Str}, nil
}

// likeEscape makes backslashes literal in a LIKE pattern (whose only
// wildcards are % and _), for LIKE … ESCAPE '\'.
func likeEscape(p string) string { return strings.ReplaceAll(p, `\`, `\\`) }

// likeToGlob turns a LIKE pattern into SQLite's case-sensitive GLOB.
func likeToGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// versionCond translates a comparison of the version number.
func versionCond(c filter.Comparison) (string, []any, error) {
	num := func(v filter.Value) (int64, error) {
		s := v.Str
		n, err := strconv.ParseInt(s, 10, 64)
		if (v.Kind != filter.Number && v.Kind != filter.String) || err != nil {
			return 0, apierr.Invalid("Invalid value %s for '%s': want an integer version number.", v.String(), keyName(c))
		}
		return n, nil
	}
	switch c.Op {
	case filter.Eq, filter.Ne, filter.Lt, filter.Le, filter.Gt, filter.Ge:
		n, err := num(c.Value)
		if err != nil {
			return "", nil, err
		}
		return "v.version " + string(c.Op) + " ?", []any{n}, nil
	case filter.In, filter.NotIn:
		args := make([]any, len(c.Value.List))
		for i, v := range c.Value.List {
			n, err := num(v)
			if err != nil {
				return "", nil, err
			}
			args[i] = n
		}
		return "v.version " + string(c.Op) + " (" + placeholders(len(args)) + ")", args, nil
	}
	return "", nil, opError(c, []filter.Op{filter.Eq, filter.Ne, filter.Lt, filter.Le, filter.Gt, filter.Ge, filter.In, filter.NotIn})
}
