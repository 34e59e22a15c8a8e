// Command gen writes the synthetic network connections of the anomaly
// example (package internal/datagen, KDD Cup 1999-style records):
//
//	go run ./examples/anomaly/gen -out examples/anomaly/data
//
// writes data/train.csv (20,000 connections, 0.2 % attacks: the unlabelled
// traffic a detector learns from in practice is mostly, not only, normal)
// and data/test.csv (10,000 connections, 5 % attacks, another seed). The
// same flags always write the same files. With -file, it writes one file
// of -records connections instead, like `sluice examples generate
// connections`:
//
//	go run ./examples/anomaly/gen -file data/more.csv -records 100000 -attack-fraction 0.02 -seed 7
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/sluice-dev/sluice/internal/datagen"
)

func main() {
	train := flag.Int("train", 20_000, "connections in train.csv")
	test := flag.Int("test", 10_000, "connections in test.csv")
	trainAttacks := flag.Float64("train-attacks", 0.002, "share of attacks in train.csv")
	testAttacks := flag.Float64("test-attacks", 0.05, "share of attacks in test.csv")
	seed := flag.Int64("seed", 1, "seed of train.csv (test.csv uses seed+1), or of -file")
	out := flag.String("out", "data", "directory receiving train.csv and test.csv")
	file := flag.String("file", "", "write only this file (- for stdout) of -records connections")
	records := flag.Int("records", datagen.DefaultConnectionsConfig().Records, "with -file: number of connections")
	attacks := flag.Float64("attack-fraction", datagen.DefaultConnectionsConfig().AttackFraction, "with -file: share of attacks")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *file != "" {
		c := datagen.ConnectionsConfig{Records: *records, AttackFraction: *attacks, Seed: *seed}
		if err := datagen.WriteConnectionsFile(ctx, c, *file); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	for _, f := range []struct {
		name string
		c    datagen.ConnectionsConfig
	}{
		{"train.csv", datagen.ConnectionsConfig{Records: *train, AttackFraction: *trainAttacks, Seed: *seed}},
		{"test.csv", datagen.ConnectionsConfig{Records: *test, AttackFraction: *testAttacks, Seed: *seed + 1}},
	} {
		path := filepath.Join(*out, f.name)
		if err := datagen.WriteConnectionsFile(ctx, f.c, path); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s: %d connections, %.1f %% attacks\n", path, f.c.Records, 100*f.c.AttackFraction)
	}
}
