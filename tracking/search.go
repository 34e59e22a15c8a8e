package tracking

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/tracking/filter"
)

// query accumulates the parts of a search query.
type query struct {
	dialect   string
	joins     []join
	driver    string // SQLite: alias of the metric join that drives the query (see SearchRuns)
	where     []string
	whereArgs []any
	order     []string
	n         int
	metricJ   map[string]string // metric key → alias of its inner join
}

// join is one JOIN clause: "<kind> <table> <alias> ON <on>".
type join struct {
	kind, table, alias, on string
	args                   []any
}

func (q *query) addJoin(kind, table, alias, on string, args ...any) {
	q.joins = append(q.joins, join{kind, table, alias, on, args})
}

func (q *query) alias(prefix string) string {
	q.n++
	return prefix + strconv.Itoa(q.n)
}

// stringCond returns "col op ?" for a string comparison, with LIKE
// case-sensitive and ILIKE case-insensitive on both dialects.
func (q *query) stringCond(col string, op filter.Op, v filter.Value) (string, []any) {
	switch op {
	case filter.Like:
		if q.dialect == metastore.SQLite {
			return col + " GLOB ?", []any{likeToGlob(v.Str)}
		}
		return col + " LIKE ?", []any{v.Str}
	case filter.ILike:
		if q.dialect == metastore.SQLite {
			return "lower(" + col + ") LIKE lower(?) ESCAPE '\\'", []any{v.Str}
		}
		return col + " ILIKE ?", []any{v.Str}
	case filter.In, filter.NotIn:
		args := make([]any, len(v.List))
		for i, e := range v.List {
			args[i] = e.Str
		}
		return col + " " + string(op) + " (" + placeholders(len(args)) + ")", args
	}
	return col + " " + string(op) + " ?", []any{v.Str}
}

// likeToGlob turns a LIKE pattern into an equivalent (case-sensitive)
// SQLite GLOB pattern; a backslash escapes the next character.
func likeToGlob(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteByte(c)
			b.WriteByte(']')
		case '\\':
			if i+1 < len(p) {
				i++
				switch n := p[i]; n {
				case '*', '?', '[':
					b.WriteByte('[')
					b.WriteByte(n)
					b.WriteByte(']')
				default:
					b.WriteByte(n)
				}
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func badFilter(c filter.Comparison, format string, args ...any) error {
	return apierr.Invalid("invalid filter term at position %d (%s): %s", c.Pos, c.String(), fmt.Sprintf(format, args...))
}

var (
	numericOps = map[filter.Op]bool{filter.Eq: true, filter.Ne: true, filter.Lt: true, filter.Le: true, filter.Gt: true, filter.Ge: true}
	stringOps  = map[filter.Op]bool{filter.Eq: true, filter.Ne: true, filter.Like: true, filter.ILike: true, filter.In: true, filter.NotIn: true}
)

func checkNumeric(c filter.Comparison, what string) error {
	if !numericOps[c.Op] {
		return badFilter(c, "%s supports =, !=, <, <=, >, >=, not %s", what, c.Op)
	}
	if c.Value.Kind != filter.Number {
		return badFilter(c, "%s compares to a number, got %s", what, c.Value.Kind)
	}
	return nil
}

func checkString(c filter.Comparison, what string, nullable bool) error {
	if (c.Op == filter.IsNull || c.Op == filter.IsNotNull) && nullable {
		return nil
	}
	if !stringOps[c.Op] {
		return badFilter(c, "%s supports =, !=, LIKE, ILIKE, IN, NOT IN, not %s", what, c.Op)
	}
	if c.Op == filter.In || c.Op == filter.NotIn {
		for _, e := range c.Value.List {
			if e.Kind != filter.String {
				return badFilter(c, "%s %s takes a list of quoted strings", what, c.Op)
			}
		}
		return nil
	}
	if c.Value.Kind != filter.String {
		return badFilter(c, "%s compares to a quoted string such as '%s', got %s", what, c.Value.Str, c.Value.Kind)
	}
	return nil
}

type attrColumn struct {
	col     string
	numeric bool
}

var runAttributes = map[string]attrColumn{
	"run_id":       {"r.run_uuid", false},
	"run_uuid":     {"r.run_uuid", false},
	"run_name":     {"r.name", false},
	"status":       {"r.status", false},
	"user_id":      {"r.user_id", false},
	"artifact_uri": {"r.artifact_uri", false},
	"start_time":   {"r.start_time", true},
	"end_time":     {"r.end_time", true},
	"created":      {"r.start_time", true},
}

// kvCond is the EXISTS (or NOT EXISTS) test of a param or tag comparison.
func (q *query) kvCond(table, owner, ownerCol string, c filter.Comparison) (string, []any) {
	a := q.alias("k")
	base := "SELECT 1 FROM " + table + " " + a + " WHERE " + a + "." + ownerCol + " = " + owner + " AND " + a + ".key = ?"
	switch c.Op {
	case filter.IsNull:
		return "NOT EXISTS (" + base + ")", []any{c.Key}
	case filter.IsNotNull:
		return "EXISTS (" + base + ")", []any{c.Key}
	}
	cond, args := q.stringCond(a+".value", c.Op, c.Value)
	return "EXISTS (" + base + " AND " + cond + ")", append([]any{c.Key}, args...)
}

// runFilter adds the comparisons of a runs filter to q.
func (q *query) runFilter(cs []filter.Comparison) error {
	for _, c := range cs {
		switch c.Entity {
		case filter.Metric:
			if err := checkNumeric(c, "a metric"); err != nil {
				return err
			}
			a, ok := q.metricJ[c.Key]
			if !ok {
				a = q.alias("m")
				q.metricJ[c.Key] = a
				q.addJoin("JOIN", "latest_metrics", a, a+".run_uuid = r.run_uuid AND "+a+".key = ?", c.Key)
			}
			if c.Op == filter.Ne {
				q.where = append(q.where, "("+a+".value != ? OR "+a+".is_nan = 1)")
			} else {
				q.where = append(q.where, a+".value "+string(c.Op)+" ? AND "+a+".is_nan = 0")
			}
			q.whereArgs = append(q.whereArgs, c.Value.Num)
		case filter.Param, filter.Tag:
			what, table := "a param", "params"
			if c.Entity == filter.Tag {
				what, table = "a tag", "tags"
			}
			if err := checkString(c, what, true); err != nil {
				return err
			}
			cond, args := q.kvCond(table, "r.run_uuid", "run_uuid", c)
			q.where = append(q.where, cond)
			q.whereArgs = append(q.whereArgs, args...)
		case filter.Attribute:
			ac, ok := runAttributes[strings.ToLower(c.Key)]
			if !ok {
				return badFilter(c, "unknown attribute '%s'; runs have run_id, run_name, status, user_id, artifact_uri, start_time, end_time", c.Key)
			}
			if ac.numeric {
				if err := checkNumeric(c, "attribute "+c.Key); err != nil {
					return err
				}
				q.where = append(q.where, ac.col+" "+string(c.Op)+" ?")
				q.whereArgs = append(q.whereArgs, int64(c.Value.Num))
				continue
			}
			if err := checkString(c, "attribute "+c.Key, false); err != nil {
				return err
			}
			cond, args := q.stringCond(ac.col, c.Op, c.Value)
			q.where = append(q.where, cond)
			q.whereArgs = append(q.whereArgs, args...)
		case filter.Dataset:
			if err := checkString(c, "a dataset "+c.Key, false); err != nil {
				return err
			}
			a := q.alias("d")
			var cond string
			var args []any
			switch strings.ToLower(c.Key) {
			case "name", "digest":
				cond, args = q.stringCond(a+"."+strings.ToLower(c.Key), c.Op, c.Value)
				cond = "EXISTS (SELECT 1 FROM inputs " + a + "i JOIN datasets " + a + " ON " + a + ".dataset_uuid = " + a + "i.dataset_uuid WHERE " + a + "i.run_uuid = r.run_uuid AND " + cond + ")"
			case "context":
				cond, args = q.stringCond(a+".value", c.Op, c.Value)
				cond = "EXISTS (SELECT 1 FROM inputs " + a + "i JOIN input_tags " + a + " ON " + a + ".input_uuid = " + a + "i.input_uuid WHERE " + a + "i.run_uuid = r.run_uuid AND " + a + ".key = 'mlflow.data.context' AND " + cond + ")"
			default:
				return badFilter(c, "unknown dataset attribute '%s'; datasets have name, digest, context", c.Key)
			}
			q.where = append(q.where, cond)
			q.whereArgs = append(q.whereArgs, args...)
		}
	}
	return nil
}

// runOrder adds one order_by clause of a runs search.
func (q *query) runOrder(clause string) error {
	o, err := filter.ParseOrderBy(clause)
	if err != nil {
		return err
	}
	dir := " ASC"
	if o.Desc {
		dir = " DESC"
	}
	switch o.Entity {
	case filter.Metric:
		if a, ok := q.metricJ[o.Key]; ok {
			if len(q.order) == 0 {
				// Filtered and ordered by one metric: walking that metric's
				// index in order and stopping at the limit beats sorting
				// every run of the experiments.
				q.driver = a
			}
			q.order = append(q.order, a+".is_nan", a+".value"+dir)
			return nil
		}
		a := q.alias("o")
		q.addJoin("LEFT JOIN", "latest_metrics", a, a+".run_uuid = r.run_uuid AND "+a+".key = ?", o.Key)
		q.order = append(q.order, "CASE WHEN "+a+".value IS NULL THEN 1 ELSE 0 END", a+".is_nan", a+".value"+dir)
	case filter.Param, filter.Tag:
		table := "params"
		if o.Entity == filter.Tag {
			table = "tags"
		}
		a := q.alias("o")
		q.addJoin("LEFT JOIN", table, a, a+".run_uuid = r.run_uuid AND "+a+".key = ?", o.Key)
		q.order = append(q.order, "CASE WHEN "+a+".value IS NULL THEN 1 ELSE 0 END", a+".value"+dir)
	case filter.Attribute:
		key := strings.ToLower(o.Key)
		if key == "experiment_id" {
			q.order = append(q.order, "r.experiment_id"+dir)
			return nil
		}
		ac, ok := runAttributes[key]
		if !ok {
			return apierr.Invalid("invalid order_by clause %q: unknown attribute '%s'; runs have run_id, run_name, status, user_id, artifact_uri, start_time, end_time, experiment_id", clause, o.Key)
		}
		if key == "end_time" {
			q.order = append(q.order, "CASE WHEN r.end_time IS NULL THEN 1 ELSE 0 END")
		}
		q.order = append(q.order, ac.col+dir)
	default:
		return apierr.Invalid("invalid order_by clause %q: runs are ordered by metrics, params, tags or attributes", clause)
	}
	return nil
}

func checkMaxResults(n int64) (int64, error) {
	switch {
	case n == 0:
		return DefaultMaxResults, nil
	case n < 0 || n > MaxSearchResults:
		return 0, apierr.Invalid("Invalid value %d for parameter 'max_results' supplied. It must be a positive integer, at most %d.", n, MaxSearchResults)
	}
	return n, nil
}

// SearchRuns returns the runs of the given experiments that match the
// filter (MLflow's grammar; see package filter), ordered by order_by (then
// start_time DESC, run_id) and paged by max_results and page_token. Each
// run carries its latest metrics, params, tags and inputs.
func (s *Store) SearchRuns(ctx context.Context, req *SearchRuns) (*SearchRunsResponse, error) {
	limit, err := checkMaxResults(int64(req.MaxResults))
	if err != nil {
		return nil, err
	}
	offset, err := decodePageToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	stages, err := viewStages("run_view_type", req.RunViewType)
	if err != nil {
		return nil, err
	}
	cs, err := filter.Parse(req.Filter)
	if err != nil {
		return nil, err
	}
	if len(req.ExperimentIDs) == 0 {
		return &SearchRunsResponse{}, nil
	}
	exps := make([]any, len(req.ExperimentIDs))
	for i, id := range req.ExperimentIDs {
		n, err := parseExperimentID(fmt.Sprintf("experiment_ids[%d]", i), id)
		if err != nil {
			return nil, err
		}
		exps[i] = n
	}
	q := &query{dialect: s.db.Dialect, metricJ: map[string]string{}}
	if err := q.runFilter(cs); err != nil {
		return nil, err
	}
	for _, clause := range req.OrderBy {
		if err := q.runOrder(clause); err != nil {
			return nil, err
		}
	}
	q.order = append(q.order, "r.start_time DESC", "r.run_uuid")

	var b strings.Builder
	var args, driverArgs []any
	b.WriteString("SELECT r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri FROM ")
	driverOn := ""
	if q.driver != "" && s.db.Dialect == metastore.SQLite {
		// SQLite keeps the order of a CROSS JOIN: scan the metric first.
		for _, j := range q.joins {
			if j.alias == q.driver {
				b.WriteString(j.table + " " + j.alias + " CROSS JOIN ")
				driverOn, driverArgs = j.on, j.args
			}
		}
	}
	b.WriteString("runs r")
	for _, j := range q.joins {
		if driverOn != "" && j.alias == q.driver {
			continue
		}
		b.WriteString(" " + j.kind + " " + j.table + " " + j.alias + " ON " + j.on)
		args = append(args, j.args...)
	}
	b.WriteString(" WHERE ")
	if driverOn != "" {
		b.WriteString(driverOn + " AND ")
		args = append(args, driverArgs...)
	}
	b.WriteString("r.experiment_id IN (" + placeholders(len(exps)) + ") AND r.lifecycle_stage IN (" + placeholders(len(stages)) + ")")
	args = append(args, exps...)
	for _, st := range stages {
		args = append(args, st)
	}
	for _, w := range q.where {
		b.WriteString(" AND ")
		b.WriteString(w)
	}
	args = append(args, q.whereArgs...)
	b.WriteString(" ORDER BY ")
	b.WriteString(strings.Join(q.order, ", "))
	b.WriteString(" LIMIT ? OFFSET ?")
	args = append(args, limit+1, offset)

	rows, err := s.db.QueryContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return nil, fmt.Errorf("search runs: %w", err)
	}
	runs := make([]Run, 0, min(limit+1, 1024))
	for rows.Next() {
		runs = append(runs, Run{})
		if err := scanRunInfo(rows, &runs[len(runs)-1].Info); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search runs: %w", err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search runs: %w", err)
	}
	resp := &SearchRunsResponse{}
	if int64(len(runs)) > limit {
		runs = runs[:limit]
		resp.NextPageToken = encodePageToken(offset + limit)
	}
	if err := s.loadRunData(ctx, runs); err != nil {
		return nil, fmt.Errorf("search runs: %w", err)
	}
	resp.Runs = runs
	return resp, nil
}

var experimentAttributes = map[string]attrColumn{
	"name":             {"e.name", false},
	"creation_time":    {"e.creation_time", true},
	"last_update_time": {"e.last_update_time", true},
}

// SearchExperiments returns the experiments matching the filter
// (attributes name, creation_time, last_update_time, and tags), ordered by
// order_by (name, experiment_id, creation_time, last_update_time; default
// creation_time DESC) with experiment_id DESC breaking ties, paged by
// max_results and page_token.
func (s *Store) SearchExperiments(ctx context.Context, req *SearchExperiments) (*SearchExperimentsResponse, error) {
	limit, err := checkMaxResults(req.MaxResults)
	if err != nil {
		return nil, err
	}
	offset, err := decodePageToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	stages, err := viewStages("view_type", req.ViewType)
	if err != nil {
		return nil, err
	}
	cs, err := filter.Parse(req.Filter)
	if err != nil {
		return nil, err
	}
	q := &query{dialect: s.db.Dialect}
	for _, c := range cs {
		switch c.Entity {
		case filter.Tag:
			if err := checkString(c, "a tag", true); err != nil {
				return nil, err
			}
			cond, args := q.kvCond("experiment_tags", "e.experiment_id", "experiment_id", c)
			q.where = append(q.where, cond)
			q.whereArgs = append(q.whereArgs, args...)
		case filter.Attribute:
			ac, ok := experimentAttributes[strings.ToLower(c.Key)]
			if !ok {
				return nil, badFilter(c, "unknown attribute '%s'; experiments have name, creation_time, last_update_time", c.Key)
			}
			if ac.numeric {
				if err := checkNumeric(c, "attribute "+c.Key); err != nil {
					return nil, err
				}
				q.where = append(q.where, ac.col+" "+string(c.Op)+" ?")
				q.whereArgs = append(q.whereArgs, int64(c.Value.Num))
				continue
			}
			if err := checkString(c, "attribute "+c.Key, false); err != nil {
				return nil, err
			}
			cond, args := q.stringCond(ac.col, c.Op, c.Value)
			q.where = append(q.where, cond)
			q.whereArgs = append(q.whereArgs, args...)
		default:
			return nil, badFilter(c, "experiments are filtered by attributes and tags, not %s", c.Entity)
		}
	}
	for _, clause := range req.OrderBy {
		o, err := filter.ParseOrderBy(clause)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(o.Key)
		if o.Entity != filter.Attribute || (key != "name" && key != "experiment_id" && key != "creation_time" && key != "last_update_time") {
			return nil, apierr.Invalid("invalid order_by clause %q: experiments are ordered by name, experiment_id, creation_time or last_update_time", clause)
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		q.order = append(q.order, "e."+key+dir)
	}
	if len(req.OrderBy) == 0 {
		q.order = append(q.order, "e.creation_time DESC")
	}
	q.order = append(q.order, "e.experiment_id DESC")
	text := "SELECT " + prefixed("e.", experimentColumns) + " FROM experiments e WHERE e.lifecycle_stage IN (" + placeholders(len(stages)) + ")"
	for _, w := range q.where {
		text += " AND " + w
	}
	text += " ORDER BY " + strings.Join(q.order, ", ") + " LIMIT ? OFFSET ?"
	args := make([]any, 0, len(stages)+len(q.whereArgs)+2)
	for _, st := range stages {
		args = append(args, st)
	}
	args = append(args, q.whereArgs...)
	args = append(args, limit+1, offset)
	rows, err := s.db.QueryContext(ctx, s.q(text), args...)
	if err != nil {
		return nil, fmt.Errorf("search experiments: %w", err)
	}
	var exps []*Experiment
	for rows.Next() {
		e, err := scanExperiment(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("search experiments: %w", err)
		}
		exps = append(exps, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search experiments: %w", err)
	}
	resp := &SearchExperimentsResponse{}
	if int64(len(exps)) > limit {
		exps = exps[:limit]
		resp.NextPageToken = encodePageToken(offset + limit)
	}
	if err := s.loadExperimentTags(ctx, exps); err != nil {
		return nil, fmt.Errorf("search experiments: %w", err)
	}
	resp.Experiments = make([]Experiment, len(exps))
	for i, e := range exps {
		resp.Experiments[i] = *e
	}
	return resp, nil
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
