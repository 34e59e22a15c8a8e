package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LoadPath parses a job file, or every *.yaml and *.yml file of a
// directory (not its subdirectories), in name order. The errors of all
// files are returned together as one ErrorList; two files declaring the
// same job name is an error naming both. Other errors (a path that does
// not exist, a directory without job files) are returned as they are.
func LoadPath(path string) ([]*Job, error) {
	return LoadPathWithOptions(path, ParseOptions{})
}

// LoadPathWithOptions is LoadPath with parse options.
func LoadPathWithOptions(path string, opts ParseOptions) ([]*Job, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load jobs: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("load jobs: %w", err)
		}
		files = files[:0]
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("load jobs: %s has no .yaml or .yml files", path)
		}
		sort.Strings(files)
	}
	var jobs []*Job
	var errs ErrorList
	first := map[string]*Job{}
	for _, f := range files {
		j, err := parseFileWithOptions(f, opts)
		if err != nil {
			var el ErrorList
			if errors.As(err, &el) {
				errs = append(errs, el...)
				continue
			}
			return nil, err
		}
		if prev, dup := first[j.Name]; dup {
			errs = append(errs, &Error{File: j.File, Pos: j.namePos(), Msg: fmt.Sprintf("job %q is also declared in %s:%d", j.Name, prev.File, prev.namePos().Line), Hint: "job names are unique; rename one of them"})
			continue
		}
		first[j.Name] = j
		jobs = append(jobs, j)
	}
	if len(errs) > 0 {
		return nil, sortErrors(errs)
	}
	return jobs, nil
}

// namePos is the position of the job's name: the file's first key when
// the name's own position is not kept.
func (j *Job) namePos() Pos {
	if j.NamePos.Line > 0 {
		return j.NamePos
	}
	return j.Pos
}

func parseFileWithOptions(path string, opts ParseOptions) (*Job, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("job file: %w", err)
	}
	if st.Size() > MaxJobBytes {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("the file has %d bytes; a job file is at most %d", st.Size(), MaxJobBytes)}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("job file: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("job file %s: %w", path, err)
	}
	return ParseWithOptions(path, data, filepath.Dir(abs), opts)
}
