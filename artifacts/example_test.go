package artifacts_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/sluice-dev/sluice/artifacts"
)

func ExampleKeyForURI() {
	for _, uri := range []string{
		"mlflow-artifacts:/1/abc/artifacts/model",
		"mlflow-artifacts://localhost:5000/1/abc/artifacts/model",
		"s3://bucket/1/abc",
	} {
		key, err := artifacts.KeyForURI(uri)
		fmt.Printf("%q %v\n", key, err)
	}
	// Output:
	// "1/abc/artifacts/model" <nil>
	// "1/abc/artifacts/model" <nil>
	// "" artifact URI "s3://bucket/1/abc": scheme s3:, want mlflow-artifacts:; this server stores artifacts under mlflow-artifacts:/<experiment_id>/<run_id>/artifacts
}

func ExampleCleanPath() {
	for _, p := range []string{"model//data/./w.bin", "model/", "../other-run", "/etc/passwd"} {
		c, err := artifacts.CleanPath(p)
		fmt.Printf("%q %v\n", c, err)
	}
	// Output:
	// "model/data/w.bin" <nil>
	// "model" <nil>
	// "" artifact path "../other-run" contains '..'; artifact paths cannot leave their root
	// "" artifact path "/etc/passwd" is absolute; give a path relative to the artifact root
}

func ExampleStore_RunRoot() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "artifacts")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	s, err := artifacts.Open(ctx, dir) // or s3://bucket/prefix?endpoint=…
	if err != nil {
		panic(err)
	}
	defer s.Close()

	// A run's view: its paths are relative to the run's artifact root.
	run, err := s.RunRoot("mlflow-artifacts:/1/abc/artifacts")
	if err != nil {
		panic(err)
	}
	if err := run.Put(ctx, "model/MLmodel", strings.NewReader("flavors: {}\n")); err != nil {
		panic(err)
	}
	files, err := s.List(ctx, "1/abc/artifacts/model")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		fmt.Println(f.Path, f.IsDir, f.FileSize)
	}
	_, err = run.Get(ctx, "../../def/artifacts/model/MLmodel")
	fmt.Println(err)
	// Output:
	// 1/abc/artifacts/model/MLmodel false 12
	// artifact path "../../def/artifacts/model/MLmodel" contains '..'; artifact paths cannot leave their root
}
