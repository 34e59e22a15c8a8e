package models_test

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/models"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		want models.URI
	}{
		{"models:/churn/3", models.URI{Kind: models.KindModel, Name: "churn", Version: "3"}},
		{"models:/churn@champion", models.URI{Kind: models.KindModel, Name: "churn", Alias: "champion"}},
		{"models:/churn/latest", models.URI{Kind: models.KindModel, Name: "churn", Latest: true}},
		{"models:/churn/production", models.URI{Kind: models.KindModel, Name: "churn", Latest: true, Stage: "Production"}},
		{"models:/my model/1", models.URI{Kind: models.KindModel, Name: "my model", Version: "1"}},
		{"runs:/0a1b2c/model", models.URI{Kind: models.KindRun, RunID: "0a1b2c", ArtifactPath: "model"}},
		{"runs:/0a1b2c/sub/model/", models.URI{Kind: models.KindRun, RunID: "0a1b2c", ArtifactPath: "sub/model"}},
		{"runs:/0a1b2c", models.URI{Kind: models.KindRun, RunID: "0a1b2c"}},
		{"mlflow-artifacts:/1/abc/artifacts/model", models.URI{Kind: models.KindArtifact}},
		{"s3://bucket/prefix/model", models.URI{Kind: models.KindArtifact}},
		{"file:///tmp/m", models.URI{Kind: models.KindLocal, Path: "/tmp/m"}},
		{"/tmp/m", models.URI{Kind: models.KindLocal, Path: "/tmp/m"}},
		{"models/churn", models.URI{Kind: models.KindLocal, Path: "models/churn"}},
		{"./x:y", models.URI{Kind: models.KindLocal, Path: "./x:y"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := models.ParseURI(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Raw = tt.in
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseURIErrors(t *testing.T) {
	tests := []struct{ in, substr string }{
		{"", "empty"},
		{"models:churn/1", "missing / after models:"},
		{"models://profile/churn/1", "no host or profile"},
		{"models:/churn", "no version"},
		{"models:/churn/0", "versions start at 1"},
		{"models:/churn/-1", "versions start at 1"},
		{"models:/churn/dev", `"dev" is neither a version number`},
		{"models:/churn/1/2", "version \"1/2\""},
		{"models:/@x", "no model name before @"},
		{"models:/a@b c", "alias \"b c\""},
		{"models:/churn/1?x=y", "query strings"},
		{"runs:/", "run ID \"\""},
		{"runs:/abc/../x", "must not contain empty, . or .. segments"},
		{"runs:/abc/a//b", "must not contain empty"},
		{"file://otherhost/x", "another host"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := models.ParseURI(tt.in)
			if err == nil {
				t.Fatal("got no error")
			}
			if apierr.CodeOf(err) != apierr.InvalidParameterValue {
				t.Errorf("got code %s", apierr.CodeOf(err))
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("got %q, want it to contain %q", err, tt.substr)
			}
		})
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"models:/churn/3", "models:/churn@champion", "models:/a/latest", "models:/a/Staging",
		"runs:/abc/model", "mlflow-artifacts:/1/x", "file:///tmp", "/x", "C:\\x", "models://", "runs:/a/../b", "models:/a@", "%zz:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 8192 {
			return
		}
		u, err := models.ParseURI(s)
		if err != nil {
			if apierr.As(err) == nil {
				t.Fatalf("%q: error %v is not an *apierr.Error", s, err)
			}
			return
		}
		if u.Kind == models.KindModel {
			// The canonical form parses to the same model reference.
			v, err := models.ParseURI(u.String())
			if err != nil {
				t.Fatalf("%q → %q: %v", s, u.String(), err)
			}
			if v.Name != u.Name || v.Version != u.Version || v.Alias != u.Alias || v.Stage != u.Stage || v.Latest != u.Latest {
				t.Fatalf("%q → %q: got %+v, want %+v", s, u.String(), v, u)
			}
		}
		if u.Kind == models.KindRun {
			for _, seg := range []string{"..", "."} {
				if u.ArtifactPath == seg {
					t.Fatalf("%q: artifact path %q", s, u.ArtifactPath)
				}
			}
		}
	})
}
