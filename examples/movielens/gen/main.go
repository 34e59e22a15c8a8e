// Command gen writes synthetic MovieLens-style ratings.csv and movies.csv
// (package internal/datagen) for tests and scale runs of the MovieLens
// example:
//
//	go run ./examples/movielens/gen -ratings 1000000 -out examples/movielens/data
//
// Users and movies scale with -ratings like MovieLens's releases (20M
// ratings: about 138k users and 27k movies) unless -users or -movies is
// given. The same flags always write the same files.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/sluice-dev/sluice/internal/datagen"
)

func main() {
	ratings := flag.Int64("ratings", 100_004, "number of ratings")
	users := flag.Int("users", 0, "number of users (0: scaled from -ratings)")
	movies := flag.Int("movies", 0, "number of movies (0: scaled from -ratings)")
	rank := flag.Int("rank", datagen.DefaultMovieLensConfig().Rank, "rank of the planted user and movie factors")
	noise := flag.Float64("noise", datagen.DefaultMovieLensConfig().Noise, "sd of the rating noise")
	seed := flag.Int64("seed", 1, "seed")
	out := flag.String("out", "data", "directory receiving ratings.csv and movies.csv")
	flag.Parse()

	c := datagen.MovieLensConfigFor(*ratings)
	if *users > 0 {
		c.Users = *users
	}
	if *movies > 0 {
		c.Movies = *movies
	}
	c.Rank, c.Noise, c.Seed = *rank, *noise, *seed
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	if err := datagen.WriteMovieLensFiles(ctx, c, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s/ratings.csv (%d ratings, %d users) and %s/movies.csv (%d movies) in %.1fs\n",
		*out, c.Ratings, c.Users, *out, c.Movies, time.Since(start).Seconds())
}
