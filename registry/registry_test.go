package registry_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
	"github.com/sluice-dev/sluice/registry"
)

// tickClock returns a clock that advances 1 ms per reading.
func tickClock() func() time.Time {
	var ms atomic.Int64
	ms.Store(1_700_000_000_000)
	return func() time.Time { return time.UnixMilli(ms.Add(1)) }
}

// MustOpen opens a registry on db with a ticking clock.
func MustOpen(tb testing.TB, db *metastore.DB, runs registry.RunArtifacts) *registry.Store {
	tb.Helper()
	s, err := registry.Open(context.Background(), db, registry.Config{Now: tickClock(), Runs: runs})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// wantErr checks that err is an *apierr.Error with code whose message
// contains sub.
func wantErr(t *testing.T, err error, code apierr.Code, sub string) {
	t.Helper()
	e := apierr.As(err)
	if e == nil {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if e.Code != code || !strings.Contains(e.Message, sub) {
		t.Fatalf("got %s %q, want %s containing %q", e.Code, e.Message, code, sub)
	}
}

// must returns v, panicking (which fails the test with a stack) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func createModel(t *testing.T, s *registry.Store, name string, tags ...registry.RegisteredModelTag) *registry.RegisteredModel {
	t.Helper()
	return must(s.CreateRegisteredModel(context.Background(), &registry.CreateRegisteredModel{Name: name, Tags: tags})).RegisteredModel
}

func createVersion(t *testing.T, s *registry.Store, name, source, runID string, tags ...registry.ModelVersionTag) *registry.ModelVersion {
	t.Helper()
	return must(s.CreateModelVersion(context.Background(), &registry.CreateModelVersion{Name: name, Source: source, RunID: runID, Tags: tags})).ModelVersion
}

func versions(mvs []registry.ModelVersion) string {
	var parts []string
	for _, mv := range mvs {
		parts = append(parts, mv.Name+"/"+mv.Version)
	}
	return strings.Join(parts, " ")
}

func TestRegisteredModels(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db, nil)
		m := must(s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{
			Name: "churn", Description: "churn model",
			Tags: []registry.RegisteredModelTag{{Key: "team", Value: "growth"}, {Key: "a", Value: "1"}},
		})).RegisteredModel
		if m.Name != "churn" || m.Description != "churn model" || m.CreationTimestamp == 0 || m.CreationTimestamp != m.LastUpdatedTimestamp {
			t.Errorf("created %+v", m)
		}
		if got := fmt.Sprint(m.Tags); got != "[{a 1} {team growth}]" {
			t.Errorf("tags = %s, want [{a 1} {team growth}]", got)
		}
		_, err := s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "churn"})
		wantErr(t, err, apierr.ResourceAlreadyExists, "Registered Model (name=churn) already exists.")

		desc := "better"
		u := must(s.UpdateRegisteredModel(ctx, &registry.UpdateRegisteredModel{Name: "churn", Description: &desc})).RegisteredModel
		if u.Description != "better" || u.LastUpdatedTimestamp <= m.LastUpdatedTimestamp {
			t.Errorf("updated %+v", u)
		}
		must(s.SetRegisteredModelTag(ctx, &registry.SetRegisteredModelTag{Name: "churn", Key: "team", Value: "risk"}))
		must(s.DeleteRegisteredModelTag(ctx, &registry.DeleteRegisteredModelTag{Name: "churn", Key: "a"}))
		must(s.DeleteRegisteredModelTag(ctx, &registry.DeleteRegisteredModelTag{Name: "churn", Key: "never-set"}))
		g := must(s.GetRegisteredModel(ctx, &registry.GetRegisteredModel{Name: "churn"})).RegisteredModel
		if got := fmt.Sprint(g.Tags); got != "[{team risk}]" {
			t.Errorf("tags = %s, want [{team risk}]", got)
		}

		createVersion(t, s, "churn", "runs:/r1/model", "r1")
		createVersion(t, s, "churn", "runs:/r2/model", "r2")
		must(s.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "churn", Alias: "champion", Version: "2"}))
		createModel(t, s, "other")
		_, err = s.RenameRegisteredModel(ctx, &registry.RenameRegisteredModel{Name: "churn", NewName: "other"})
		wantErr(t, err, apierr.ResourceAlreadyExists, "Registered Model (name=other) already exists.")
		r := must(s.RenameRegisteredModel(ctx, &registry.RenameRegisteredModel{Name: "churn", NewName: "churn2"})).RegisteredModel
		if r.Name != "churn2" || versions(r.LatestVersions) != "churn2/2" || fmt.Sprint(r.Aliases) != "[{champion 2}]" || fmt.Sprint(r.Tags) != "[{team risk}]" {
			t.Errorf("renamed %+v", r)
		}
		mv := must(s.GetModelVersion(ctx, &registry.GetModelVersion{Name: "churn2", Version: "1"})).ModelVersion
		if mv.Name != "churn2" || mv.Source != "runs:/r1/model" {
			t.Errorf("version after rename %+v", mv)
		}
		_, err = s.GetRegisteredModel(ctx, &registry.GetRegisteredModel{Name: "churn"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Registered Model with name=churn not found")

		must(s.DeleteRegisteredModel(ctx, &registry.DeleteRegisteredModel{Name: "churn2"}))
		_, err = s.GetModelVersion(ctx, &registry.GetModelVersion{Name: "churn2", Version: "1"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "churn2")
		_, err = s.DeleteRegisteredModel(ctx, &registry.DeleteRegisteredModel{Name: "churn2"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Registered Model with name=churn2 not found")
		for _, table := range []string{"registry_versions", "registry_version_tags", "registry_aliases", "registry_model_tags"} {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE model_id NOT IN (SELECT id FROM registry_models)").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s: %d orphan rows after delete, want 0", table, n)
			}
		}
		// A new model of the same name starts at version 1.
		createModel(t, s, "churn2")
		if v := createVersion(t, s, "churn2", "s3://b/m", "").Version; v != "1" {
			t.Errorf("first version of re-created model = %s, want 1", v)
		}
	})
}

func TestVersionNumbering(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db, nil)
		createModel(t, s, "m")
		mv := must(s.CreateModelVersion(ctx, &registry.CreateModelVersion{
			Name: "m", Source: "mlflow-artifacts:/1/r/artifacts/model", RunID: "r", RunLink: "http://x/r", Description: "first",
			Tags: []registry.ModelVersionTag{{Key: "k", Value: "v"}},
		})).ModelVersion
		want := registry.ModelVersion{Name: "m", Version: "1", CreationTimestamp: mv.CreationTimestamp, LastUpdatedTimestamp: mv.CreationTimestamp,
			CurrentStage: "None", Description: "first", Source: "mlflow-artifacts:/1/r/artifacts/model", RunID: "r",
			Status: registry.StatusReady, Tags: []registry.ModelVersionTag{{Key: "k", Value: "v"}}, RunLink: "http://x/r"}
		if fmt.Sprintf("%+v", *mv) != fmt.Sprintf("%+v", want) {
			t.Errorf("created\n%+v\nwant\n%+v", *mv, want)
		}
		for _, w := range []string{"2", "3"} {
			if v := createVersion(t, s, "m", "src", "").Version; v != w {
				t.Errorf("version = %s, want %s", v, w)
			}
		}
		must(s.DeleteModelVersion(ctx, &registry.DeleteModelVersion{Name: "m", Version: "3"}))
		must(s.DeleteModelVersion(ctx, &registry.DeleteModelVersion{Name: "m", Version: "2"}))
		if v := createVersion(t, s, "m", "src", "").Version; v != "4" {
			t.Errorf("version after deletes = %s, want 4 (numbers are never reused)", v)
		}
		if v := must(s.LatestVersion(ctx, "m")); v != "4" {
			t.Errorf("LatestVersion = %s, want 4", v)
		}
		createModel(t, s, "empty")
		_, err := s.LatestVersion(ctx, "empty")
		wantErr(t, err, apierr.ResourceDoesNotExist, "has no versions")
		_, err = s.LatestVersion(ctx, "nope")
		wantErr(t, err, apierr.ResourceDoesNotExist, "Registered Model with name=nope not found")
		_, err = s.DeleteModelVersion(ctx, &registry.DeleteModelVersion{Name: "m", Version: "2"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Model Version (name=m, version=2) not found")
		_, err = s.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "nope", Source: "s"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Registered Model with name=nope not found")

		desc := "changed"
		u := must(s.UpdateModelVersion(ctx, &registry.UpdateModelVersion{Name: "m", Version: "1", Description: &desc})).ModelVersion
		if u.Description != "changed" || u.LastUpdatedTimestamp <= mv.LastUpdatedTimestamp {
			t.Errorf("updated %+v", u)
		}
		must(s.SetModelVersionTag(ctx, &registry.SetModelVersionTag{Name: "m", Version: "1", Key: "k", Value: "v2"}))
		must(s.SetModelVersionTag(ctx, &registry.SetModelVersionTag{Name: "m", Version: "1", Key: "z", Value: ""}))
		must(s.DeleteModelVersionTag(ctx, &registry.DeleteModelVersionTag{Name: "m", Version: "1", Key: "k"}))
		g := must(s.GetModelVersion(ctx, &registry.GetModelVersion{Name: "m", Version: "1"})).ModelVersion
		if fmt.Sprint(g.Tags) != "[{z }]" {
			t.Errorf("tags = %v, want [{z }]", g.Tags)
		}

		// Concurrent creates get distinct consecutive numbers.
		var wg sync.WaitGroup
		got := make(chan string, 8)
		for range 8 {
			wg.Go(func() {
				r, err := s.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "m", Source: "c"})
				if err != nil {
					t.Error(err)
					return
				}
				got <- r.ModelVersion.Version
			})
		}
		wg.Wait()
		close(got)
		seen := map[string]bool{}
		for v := range got {
			seen[v] = true
		}
		for v := 5; v <= 12; v++ {
			if !seen[fmt.Sprint(v)] {
				t.Errorf("concurrent creates: version %d missing from %v", v, seen)
			}
		}
	})
}

func TestStages(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db, nil)
		createModel(t, s, "m")
		for range 4 {
			createVersion(t, s, "m", "src", "")
		}
		transition := func(v, stage string, archive bool) *registry.ModelVersion {
			t.Helper()
			return must(s.TransitionModelVersionStage(ctx, &registry.TransitionModelVersionStage{Name: "m", Version: v, Stage: stage, ArchiveExistingVersions: archive})).ModelVersion
		}
		if mv := transition("1", "production", false); mv.CurrentStage != "Production" {
			t.Errorf("stage = %s, want Production", mv.CurrentStage)
		}
		transition("2", "Production", false)
		transition("3", "Staging", false)
		latest := func(stages ...string) string {
			t.Helper()
			r := must(s.GetLatestVersions(ctx, &registry.GetLatestVersions{Name: "m", Stages: stages}))
			var parts []string
			for _, mv := range r.ModelVersions {
				parts = append(parts, mv.Version+":"+mv.CurrentStage)
			}
			return strings.Join(parts, " ")
		}
		if got := latest(); got != "4:None 3:Staging 2:Production" {
			t.Errorf("latest = %q, want 4:None 3:Staging 2:Production", got)
		}
		if got := latest("PRODUCTION", "none"); got != "2:Production 4:None" {
			t.Errorf("latest(Production, None) = %q", got)
		}
		if got := latest("Archived"); got != "" {
			t.Errorf("latest(Archived) = %q, want none", got)
		}
		transition("4", "Production", true)
		if got := latest(); got != "3:Staging 4:Production 2:Archived" {
			t.Errorf("after archiving: latest = %q, want 3:Staging 4:Production 2:Archived", got)
		}
		for v, want := range map[string]string{"1": "Archived", "2": "Archived", "3": "Staging", "4": "Production"} {
			if got := must(s.GetModelVersion(ctx, &registry.GetModelVersion{Name: "m", Version: v})).ModelVersion.CurrentStage; got != want {
				t.Errorf("version %s stage = %s, want %s", v, got, want)
			}
		}
		m := must(s.GetRegisteredModel(ctx, &registry.GetRegisteredModel{Name: "m"})).RegisteredModel
		if got := versions(m.LatestVersions); got != "m/3 m/4 m/2" {
			t.Errorf("latest_versions = %s, want m/3 m/4 m/2", got)
		}
		_, err := s.TransitionModelVersionStage(ctx, &registry.TransitionModelVersionStage{Name: "m", Version: "1", Stage: "Archived", ArchiveExistingVersions: true})
		wantErr(t, err, apierr.InvalidParameterValue, "'Archived' is not an Active stage")
		_, err = s.TransitionModelVersionStage(ctx, &registry.TransitionModelVersionStage{Name: "m", Version: "1", Stage: "Prod"})
		wantErr(t, err, apierr.InvalidParameterValue, "Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived.")
		_, err = s.GetLatestVersions(ctx, &registry.GetLatestVersions{Name: "m", Stages: []string{"x"}})
		wantErr(t, err, apierr.InvalidParameterValue, "Invalid Model Version stage: x")
		_, err = s.TransitionModelVersionStage(ctx, &registry.TransitionModelVersionStage{Name: "m", Version: "9", Stage: "Staging"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Model Version (name=m, version=9) not found")
	})
}

func TestAliases(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db, nil)
		createModel(t, s, "m")
		createVersion(t, s, "m", "s1", "")
		createVersion(t, s, "m", "s2", "")
		set := func(alias, v string) {
			t.Helper()
			must(s.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "m", Alias: alias, Version: v}))
		}
		set("champion", "1")
		set("challenger", "2")
		if v := must(s.AliasVersion(ctx, "m", "champion")); v != "1" {
			t.Errorf("champion = %s, want 1", v)
		}
		set("champion", "2") // moves
		if v := must(s.AliasVersion(ctx, "m", "champion")); v != "2" {
			t.Errorf("champion after move = %s, want 2", v)
		}
		mv := must(s.GetModelVersionByAlias(ctx, &registry.GetModelVersionByAlias{Name: "m", Alias: "champion"})).ModelVersion
		if mv.Version != "2" || mv.Source != "s2" || fmt.Sprint(mv.Aliases) != "[challenger champion]" {
			t.Errorf("by alias %+v", mv)
		}
		m := must(s.GetRegisteredModel(ctx, &registry.GetRegisteredModel{Name: "m"})).RegisteredModel
		if fmt.Sprint(m.Aliases) != "[{challenger 2} {champion 2}]" {
			t.Errorf("model aliases = %v", m.Aliases)
		}
		if v1 := must(s.GetModelVersion(ctx, &registry.GetModelVersion{Name: "m", Version: "1"})).ModelVersion; v1.Aliases != nil {
			t.Errorf("version 1 aliases = %v, want none", v1.Aliases)
		}
		must(s.DeleteRegisteredModelAlias(ctx, &registry.DeleteRegisteredModelAlias{Name: "m", Alias: "challenger"}))
		_, err := s.AliasVersion(ctx, "m", "challenger")
		wantErr(t, err, apierr.ResourceDoesNotExist, "Registered model alias challenger not found.")
		_, err = s.AliasVersion(ctx, "nope", "champion")
		wantErr(t, err, apierr.ResourceDoesNotExist, "Registered Model with name=nope not found")
		// Deleting the version drops its aliases.
		must(s.DeleteModelVersion(ctx, &registry.DeleteModelVersion{Name: "m", Version: "2"}))
		_, err = s.GetModelVersionByAlias(ctx, &registry.GetModelVersionByAlias{Name: "m", Alias: "champion"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "alias champion not found")

		for _, tc := range []struct{ alias, version, msg string }{
			{"latest", "1", "'latest' alias name (case insensitive) is reserved."},
			{"LATEST", "1", "is reserved"},
			{"v3", "1", "Version alias name 'v3' is reserved."},
			{"a b", "1", "Invalid alias name: 'a b'"},
			{"", "1", "'alias'"},
			{"ok", "x", "Parameter 'version' must be a positive integer, got 'x'."},
		} {
			_, err := s.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "m", Alias: tc.alias, Version: tc.version})
			wantErr(t, err, apierr.InvalidParameterValue, tc.msg)
		}
		_, err = s.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "m", Alias: "x", Version: "7"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Model Version (name=m, version=7) not found")
	})
}

func TestSearchRegisteredModels(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db, nil)
		for _, n := range []string{"beta", "Alpha", "alpha_2", "gamma", "alpha%x"} {
			createModel(t, s, n, registry.RegisteredModelTag{Key: "len", Value: fmt.Sprint(len(n))})
		}
		must(s.SetRegisteredModelTag(ctx, &registry.SetRegisteredModelTag{Name: "gamma", Key: "prod", Value: "yes"}))
		search := func(req registry.SearchRegisteredModels) string {
			t.Helper()
			r := must(s.SearchRegisteredModels(ctx, &req))
			var names []string
			for _, m := range r.RegisteredModels {
				names = append(names, m.Name)
			}
			return strings.Join(names, " ")
		}
		for _, tc := range []struct {
			filter string
			order  []string
			want   string
		}{
			{"", nil, "Alpha alpha%x alpha_2 beta gamma"},
			{"name = 'beta'", nil, "beta"},
			{"name != 'beta'", nil, "Alpha alpha%x alpha_2 gamma"},
			{"name LIKE 'alpha%'", nil, "alpha%x alpha_2"},
			{"name ILIKE 'alpha%'", nil, "Alpha alpha%x alpha_2"},
			{"name LIKE '%a_2'", nil, "alpha_2"},
			{"name LIKE 'alpha*'", nil, ""},
			{"tags.len = '5'", nil, "Alpha gamma"},
			{"tags.len = '4' AND name LIKE '%a'", nil, "beta"},
			{"tags.prod = 'yes'", nil, "gamma"},
			{"tags.`prod` != 'no'", nil, "gamma"},
			{"", []string{"name DESC"}, "gamma beta alpha_2 alpha%x Alpha"},
			{"", []string{"last_updated_timestamp DESC"}, "alpha%x gamma alpha_2 Alpha beta"},
			{"", []string{"timestamp ASC"}, "beta Alpha alpha_2 gamma alpha%x"},
		} {
			if got := search(registry.SearchRegisteredModels{Filter: tc.filter, OrderBy: tc.order}); got != tc.want {
				t.Errorf("filter %q order %v: got %q, want %q", tc.filter, tc.order, got, tc.want)
			}
		}
		// Paging.
		var all []string
		tok := ""
		for pages := 0; ; pages++ {
			r := must(s.SearchRegisteredModels(ctx, &registry.SearchRegisteredModels{MaxResults: 2, PageToken: tok}))
			for _, m := range r.RegisteredModels {
				all = append(all, m.Name)
			}
			if r.NextPageToken == "" {
				if pages != 2 {
					t.Errorf("pages = %d, want 3", pages+1)
				}
				break
			}
			tok = r.NextPageToken
		}
		if got := strings.Join(all, " "); got != "Alpha alpha%x alpha_2 beta gamma" {
			t.Errorf("paged = %q", got)
		}
		for _, tc := range []struct {
			req registry.SearchRegisteredModels
			msg string
		}{
			{registry.SearchRegisteredModels{MaxResults: 1001}, "It must be at most 1000, but got value 1001"},
			{registry.SearchRegisteredModels{MaxResults: -1}, "max_results"},
			{registry.SearchRegisteredModels{PageToken: "garbage!"}, "Invalid page token"},
			{registry.SearchRegisteredModels{Filter: "run_id = 'x'"}, "unsupported key 'run_id'"},
			{registry.SearchRegisteredModels{Filter: "name < 'x'"}, "Invalid comparator '<' for 'name'"},
			{registry.SearchRegisteredModels{Filter: "name = 3"}, "want a quoted string"},
			{registry.SearchRegisteredModels{Filter: "name = 'x' OR name = 'y'"}, "OR is not supported"},
			{registry.SearchRegisteredModels{OrderBy: []string{"version_number"}}, "can order by"},
		} {
			_, err := s.SearchRegisteredModels(ctx, &tc.req)
			wantErr(t, err, apierr.InvalidParameterValue, tc.msg)
		}
	})
}

func TestSearchModelVersions(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db, nil)
		createModel(t, s, "a")
		createModel(t, s, "b")
		createVersion(t, s, "a", "s3://bkt/a/1", "r1", registry.ModelVersionTag{Key: "env", Value: "dev"})
		createVersion(t, s, "a", "s3://bkt/a/2", "r2")
		createVersion(t, s, "b", "file:///m/b/1", "r1", registry.ModelVersionTag{Key: "env", Value: "prod"})
		createVersion(t, s, "b", "file:///m/b/2", "r3")
		search := func(req registry.SearchModelVersions) string {
			t.Helper()
			return versions(must(s.SearchModelVersions(ctx, &req)).ModelVersions)
		}
		for _, tc := range []struct {
			filter string
			order  []string
			want   string
		}{
			{"", nil, "b/2 b/1 a/2 a/1"},
			{"name = 'a'", nil, "a/2 a/1"},
			{"name='b'", []string{"version_number"}, "b/1 b/2"},
			{"run_id = 'r1'", nil, "b/1 a/1"},
			{"run_id IN ('r2', 'r3')", nil, "b/2 a/2"},
			{"run_id NOT IN ('r1')", nil, "b/2 a/2"},
			{"source_path LIKE 's3://%'", nil, "a/2 a/1"},
			{"source_path = 'file:///m/b/1'", nil, "b/1"},
			{"tags.env = 'prod'", nil, "b/1"},
			{"tags.env ILIKE 'D%'", nil, "a/1"},
			{"version_number > 1", []string{"name"}, "a/2 b/2"},
			{"name = 'a' AND version_number = 1", nil, "a/1"},
			{"", []string{"name ASC", "version_number ASC"}, "a/1 a/2 b/1 b/2"},
			{"", []string{"creation_timestamp"}, "a/1 a/2 b/1 b/2"},
		} {
			if got := search(registry.SearchModelVersions{Filter: tc.filter, OrderBy: tc.order}); got != tc.want {
				t.Errorf("filter %q order %v: got %q, want %q", tc.filter, tc.order, got, tc.want)
			}
		}
		r := must(s.SearchModelVersions(ctx, &registry.SearchModelVersions{MaxResults: 3, OrderBy: []string{"name", "version_number"}}))
		if versions(r.ModelVersions) != "a/1 a/2 b/1" || r.NextPageToken == "" {
			t.Fatalf("page 1 = %s token %q", versions(r.ModelVersions), r.NextPageToken)
		}
		r = must(s.SearchModelVersions(ctx, &registry.SearchModelVersions{MaxResults: 3, OrderBy: []string{"name", "version_number"}, PageToken: r.NextPageToken}))
		if versions(r.ModelVersions) != "b/2" || r.NextPageToken != "" {
			t.Errorf("page 2 = %s token %q", versions(r.ModelVersions), r.NextPageToken)
		}
		r = must(s.SearchModelVersions(ctx, &registry.SearchModelVersions{Filter: "name = 'none'"}))
		if r.ModelVersions != nil || r.NextPageToken != "" {
			t.Errorf("no match: %+v", r)
		}
		for _, tc := range []struct {
			filter, msg string
		}{
			{"version_number = 'x'", "want an integer version number"},
			{"run_id LIKE 'r%'", "Invalid comparator 'LIKE' for 'run_id'"},
			{"metrics.x > 1", "unsupported key 'metrics.x'"},
			{"foo = 'x'", "unsupported key 'foo'"},
			{"name = ", "invalid filter"},
		} {
			_, err := s.SearchModelVersions(ctx, &registry.SearchModelVersions{Filter: tc.filter})
			wantErr(t, err, apierr.InvalidParameterValue, tc.msg)
		}
		_, err := s.SearchModelVersions(ctx, &registry.SearchModelVersions{MaxResults: 200_001})
		wantErr(t, err, apierr.InvalidParameterValue, "It must be at most 200000")
	})
}

func TestDownloadURI(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		runs := registry.RunArtifactURIFunc(func(ctx context.Context, runID string) (string, error) {
			if runID != "r1" {
				return "", apierr.NotFound("Run with id=%s not found", runID)
			}
			return "mlflow-artifacts:/0/r1/artifacts", nil
		})
		s := MustOpen(t, db, runs)
		plain, err := registry.Open(ctx, db, registry.Config{}) // second Open: migrations already applied
		if err != nil {
			t.Fatal(err)
		}
		createModel(t, s, "m")
		createVersion(t, s, "m", "runs:/r1/model", "r1")
		createVersion(t, s, "m", "s3://b/x", "")
		createVersion(t, s, "m", "runs:/r9/model", "r9")
		createVersion(t, s, "m", "runs:/r1", "r1")
		for _, tc := range []struct {
			s       *registry.Store
			version string
			want    string
		}{
			{s, "1", "mlflow-artifacts:/0/r1/artifacts/model"},
			{s, "2", "s3://b/x"},
			{s, "4", "mlflow-artifacts:/0/r1/artifacts"},
			{plain, "1", "runs:/r1/model"},
		} {
			r := must(tc.s.GetModelVersionDownloadURI(ctx, &registry.GetModelVersionDownloadURI{Name: "m", Version: tc.version}))
			if r.ArtifactURI != tc.want {
				t.Errorf("version %s: got %q, want %q", tc.version, r.ArtifactURI, tc.want)
			}
		}
		_, err = s.GetModelVersionDownloadURI(ctx, &registry.GetModelVersionDownloadURI{Name: "m", Version: "3"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Run with id=r9 not found")
		_, err = s.GetModelVersionDownloadURI(ctx, &registry.GetModelVersionDownloadURI{Name: "m", Version: "5"})
		wantErr(t, err, apierr.ResourceDoesNotExist, "Model Version (name=m, version=5) not found")
	})
}

func TestValidation(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		ctx := context.Background()
		s := MustOpen(t, db, nil)
		createModel(t, s, "m")
		createVersion(t, s, "m", "src", "")
		for _, tc := range []struct {
			name string
			call func() error
			msg  string
		}{
			{"create no name", func() error {
				_, err := s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{})
				return err
			}, "Missing value for required parameter 'name'."},
			{"create slash", func() error {
				_, err := s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "a/b"})
				return err
			}, "may not contain '/'"},
			{"create long", func() error {
				_, err := s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: strings.Repeat("x", 257)})
				return err
			}, "longer than the limit of 256"},
			{"create bad tag", func() error {
				_, err := s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "x", Tags: []registry.RegisteredModelTag{{Key: "a*b"}}})
				return err
			}, "Invalid tag name: 'a*b'"},
			{"tag dotdot", func() error {
				_, err := s.SetRegisteredModelTag(ctx, &registry.SetRegisteredModelTag{Name: "m", Key: "a/../b"})
				return err
			}, "path segments"},
			{"tag no key", func() error {
				_, err := s.SetModelVersionTag(ctx, &registry.SetModelVersionTag{Name: "m", Version: "1"})
				return err
			}, "'key'"},
			{"tag long value", func() error {
				_, err := s.SetModelVersionTag(ctx, &registry.SetModelVersionTag{Name: "m", Version: "1", Key: "k", Value: strings.Repeat("v", registry.MaxTagValueLength+1)})
				return err
			}, "longer than the limit"},
			{"rename no new name", func() error {
				_, err := s.RenameRegisteredModel(ctx, &registry.RenameRegisteredModel{Name: "m"})
				return err
			}, "'new_name'"},
			{"version no source", func() error {
				_, err := s.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "m"})
				return err
			}, "'source'"},
			{"get no version", func() error {
				_, err := s.GetModelVersion(ctx, &registry.GetModelVersion{Name: "m"})
				return err
			}, "'version'"},
			{"get bad version", func() error {
				_, err := s.GetModelVersion(ctx, &registry.GetModelVersion{Name: "m", Version: "0"})
				return err
			}, "must be a positive integer, got '0'"},
			{"transition no stage", func() error {
				_, err := s.TransitionModelVersionStage(ctx, &registry.TransitionModelVersionStage{Name: "m", Version: "1"})
				return err
			}, "'stage'"},
		} {
			t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), apierr.InvalidParameterValue, tc.msg) })
		}
	})
}

// FuzzSearchFilter feeds arbitrary filters and order_by clauses to both
// searches: they answer or fail with an *apierr.Error, never panic or fail
// in SQL.
func FuzzSearchFilter(f *testing.F) {
	for _, s := range []string{
		"name = 'a'", "name LIKE '%[a*]?'", "tags.`x y` ILIKE '\\%'", "run_id IN ('a', 'b')",
		"version_number >= 2 AND name != 'x'", "source_path = \"q\"", "name IN (1, 2)", "x", "",
		"version_number IN ('1', 2)", "tags.k = 'it''s'",
	} {
		f.Add(s, "name DESC")
	}
	db := metastoretest.Open(f, metastore.SQLite)
	s, err := registry.Open(context.Background(), db, registry.Config{})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "a", Tags: []registry.RegisteredModelTag{{Key: "k", Value: "v"}}})
	s.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "a", Source: "s", Tags: []registry.ModelVersionTag{{Key: "k", Value: "v"}}})
	f.Fuzz(func(t *testing.T, flt, order string) {
		if len(flt) > 1000 || len(order) > 200 {
			return
		}
		check := func(err error) {
			if err != nil && apierr.As(err) == nil {
				t.Fatalf("filter %q order %q: non-API error %v", flt, order, err)
			}
		}
		_, err := s.SearchRegisteredModels(ctx, &registry.SearchRegisteredModels{Filter: flt, OrderBy: []string{order}})
		check(err)
		_, err = s.SearchModelVersions(ctx, &registry.SearchModelVersions{Filter: flt, OrderBy: []string{order}})
		check(err)
	})
}
