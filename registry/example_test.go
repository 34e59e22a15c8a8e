package registry_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/registry"
)

func ExampleStore() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "registry-example")
	defer os.RemoveAll(dir)
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "meta.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	s, err := registry.Open(ctx, db, registry.DefaultConfig())
	if err != nil {
		panic(err)
	}
	s.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "churn"})
	for range 2 {
		s.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "churn", Source: "mlflow-artifacts:/1/run/artifacts/model"})
	}
	s.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "churn", Alias: "champion", Version: "2"})
	v, err := s.AliasVersion(ctx, "churn", "champion")
	fmt.Println(v, err)
	// Output: 2 <nil>
}
