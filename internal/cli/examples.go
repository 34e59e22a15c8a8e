package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/datagen"
)

func (a *app) examplesCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "examples",
		Short: "Generate the synthetic data sets of the examples",
		Long: `The examples in examples/ run on public data where a package ships it
(churn; MovieLens latest-small via examples/movielens/get-data.sh; the
SpamAssassin corpus via examples/spam/get-data.sh). For scale runs and for
data no package ships, 'sluice examples generate' writes synthetic sets in
the same formats; the same flags always write the same files.`,
		Example: `  sluice examples generate movielens --ratings 1000000 --out examples/movielens/data
  sluice examples generate connections --records 20000 --out data/train.csv`,
	}
	c.AddCommand(a.examplesGenerateCmd())
	return c
}

func (a *app) examplesGenerateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "generate movielens|connections",
		Short: "Write a synthetic MovieLens-style ratings set or KDD-style network connections",
		Example: `  sluice examples generate movielens --ratings 20000000 --out /tmp/ml20m
  sluice examples generate connections --records 100000 --attack-fraction 0.02 --out conns.csv`,
	}
	var ratings int64
	var users, movies int
	var seed int64
	var out string
	ml := &cobra.Command{
		Use:   "movielens --ratings N --out DIR",
		Short: "Write MovieLens-style ratings.csv and movies.csv",
		Long: `Write DIR/ratings.csv (userId,movieId,rating,timestamp) and
DIR/movies.csv (movieId,title,genres) in MovieLens's format: power-law
user activity and movie popularity (every user rates at least 20 movies),
planted user and movie biases and low-rank tastes plus noise, half-star
ratings from 0.5 to 5. Users and movies scale with --ratings like
MovieLens's releases (20M ratings: about 138k users and 27k movies) unless
--users or --movies is given. Files are written atomically.`,
		Example: `  sluice examples generate movielens --ratings 1000000 --out examples/movielens/data
  sluice examples generate movielens --ratings 20000000 --out /tmp/ml20m
  sluice examples generate movielens --ratings 50000 --users 500 --movies 2000 --seed 7 --out /tmp/small`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usage(cmd, fmt.Errorf("give --out DIR (where ratings.csv and movies.csv go)"))
			}
			if ratings < 1 {
				return usage(cmd, fmt.Errorf("--ratings %d: give a positive number of ratings", ratings))
			}
			cfg := datagen.MovieLensConfigFor(ratings)
			if users > 0 {
				cfg.Users = users
			}
			if movies > 0 {
				cfg.Movies = movies
			}
			cfg.Seed = seed
			if err := cfg.Validate(); err != nil {
				return usage(cmd, err)
			}
			start := time.Now()
			if err := datagen.WriteMovieLensFiles(a.ctx, cfg, out); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %s/ratings.csv (%d ratings, %d users) and %s/movies.csv (%d movies) in %.1fs\n",
				out, cfg.Ratings, cfg.Users, out, cfg.Movies, time.Since(start).Seconds())
			return nil
		},
	}
	ml.Flags().Int64Var(&ratings, "ratings", datagen.DefaultMovieLensConfig().Ratings, "number of ratings")
	ml.Flags().IntVar(&users, "users", 0, "number of users (default: scaled from --ratings)")
	ml.Flags().IntVar(&movies, "movies", 0, "number of movies (default: scaled from --ratings)")
	ml.Flags().Int64Var(&seed, "seed", 1, "seed; the same seed gives the same files")
	ml.Flags().StringVar(&out, "out", "", "directory receiving ratings.csv and movies.csv")

	var records int
	var attacks float64
	var cseed int64
	var file string
	conn := &cobra.Command{
		Use:   "connections --records N --out FILE",
		Short: "Write KDD Cup 1999-style network connection records (CSV)",
		Long: `Write one CSV of network connection records in the style of KDD Cup
1999 (which no package ships): duration, protocol_type, service, flag,
src_bytes, dst_bytes, the 2-second window counts and rates, the per-host
counts and a label — "normal" (web, mail, DNS, file transfer, shells,
pings, time sync) or an attack: smurf (ICMP flood), neptune (SYN flood),
portsweep (probe), guess_passwd. --attack-fraction sets the expected
share of attacks. The file is written atomically. See
examples/anomaly/README.md.`,
		Example: `  sluice examples generate connections --records 20000 --attack-fraction 0.002 --out data/train.csv
  sluice examples generate connections --records 10000 --attack-fraction 0.05 --seed 2 --out data/test.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return usage(cmd, fmt.Errorf("give --out FILE (a .csv path, or - for stdout)"))
			}
			cfg := datagen.ConnectionsConfig{Records: records, AttackFraction: attacks, Seed: cseed}
			if err := cfg.Validate(); err != nil {
				return usage(cmd, err)
			}
			if file == "-" {
				return datagen.WriteConnectionsCSV(a.ctx, cfg, a.stdout)
			}
			if err := datagen.WriteConnectionsFile(a.ctx, cfg, file); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %s: %d connections, %.1f %% attacks expected\n", file, records, 100*attacks)
			return nil
		},
	}
	d := datagen.DefaultConnectionsConfig()
	conn.Flags().IntVar(&records, "records", d.Records, "number of connection records")
	conn.Flags().Float64Var(&attacks, "attack-fraction", d.AttackFraction, "expected share of attack records, 0..1")
	conn.Flags().Int64Var(&cseed, "seed", d.Seed, "seed; the same seed gives the same file")
	conn.Flags().StringVar(&file, "out", "", "the CSV file to write (- for stdout)")
	c.AddCommand(ml, conn)
	return c
}
