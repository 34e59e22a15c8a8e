package datagen_test

import (
	"context"
	"fmt"

	"github.com/sluice-dev/sluice/internal/datagen"
)

func ExampleMovieLensRatings() {
	c := datagen.DefaultMovieLensConfig() // MovieLens latest-small's shape
	var n int
	var sum float64
	err := datagen.MovieLensRatings(context.Background(), c, func(r datagen.Rating) error {
		n++
		sum += float64(r.Rating)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d ratings by %d users of %d movies, mean %.2f\n", n, c.Users, c.Movies, sum/float64(n))
	// Output:
	// 100004 ratings by 671 users of 9066 movies, mean 3.55
}

func ExampleMovieLensConfigFor() {
	c := datagen.MovieLensConfigFor(20_000_263) // MovieLens 20M's size
	fmt.Println(c.Users, c.Movies, c.Ratings)
	// Output:
	// 137932 27285 20000263
}

func ExampleConnections() {
	c := datagen.ConnectionsConfig{Records: 10_000, AttackFraction: 0.05, Seed: 1}
	labels := map[string]int{}
	err := datagen.Connections(context.Background(), c, func(r datagen.Connection) error {
		labels[r.Label]++
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("normal", labels["normal"])
	for _, a := range datagen.ConnectionAttacks {
		fmt.Println(a, labels[a])
	}
	// Output:
	// normal 9479
	// smurf 215
	// neptune 151
	// portsweep 95
	// guess_passwd 60
}
