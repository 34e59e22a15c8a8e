package main

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// A stand-in for internal/datagen's MovieLens generator (the contract API
// of issue 6), used until that package lands: same config fields and
// callback, same guarantees (deterministic per seed, user order, no
// duplicate pair, memory O(users + movies), not O(ratings)).

// MovieLensConfig mirrors datagen.MovieLensConfig.
type MovieLensConfig struct {
	Users, Movies      int
	Ratings            int64
	Rank               int
	Noise              float64
	UserSkew, ItemSkew float64
	Seed               int64
}

// Rating mirrors datagen.Rating.
type Rating struct {
	UserID, MovieID int32
	Rating          float32
	Timestamp       int64
}

func (c MovieLensConfig) validate() error {
	if c.Users < 1 || c.Movies < 2 || c.Ratings < int64(c.Users) || c.Rank < 1 {
		return errors.New("localgen: need Users >= 1, Movies >= 2, Ratings >= Users, Rank >= 1")
	}
	return nil
}

// movieLensRatings calls fn for every rating: user u rates n_u distinct
// movies (n_u power-law in u, at least 1), movies drawn by power-law
// popularity; the rating is a half-star rounding of
// 3.5 + b_u + b_i + <x_u, y_i> + noise, clamped to [0.5, 5].
func movieLensRatings(ctx context.Context, c MovieLensConfig, fn func(Rating) error) error {
	if err := c.validate(); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 7))
	// Movie popularity (cumulative) and latent factors.
	cum := make([]float64, c.Movies)
	s := 0.0
	for i := range cum {
		s += math.Pow(float64(i+1), -c.ItemSkew)
		cum[i] = s
	}
	perm := rng.Perm(c.Movies) // popularity rank -> movie index
	itemF := make([]float64, c.Movies*c.Rank)
	itemB := make([]float64, c.Movies)
	for i := range itemF {
		itemF[i] = rng.NormFloat64() / math.Sqrt(float64(c.Rank)) * 0.9
	}
	for i := range itemB {
		itemB[i] = 0.4 * rng.NormFloat64()
	}
	// User activity.
	w := make([]float64, c.Users)
	ws := 0.0
	for u := range w {
		w[u] = math.Pow(float64(u+1), -c.UserSkew)
		ws += w[u]
	}
	userPerm := rng.Perm(c.Users)
	counts := make([]int, c.Users)
	maxPer := max(1, c.Movies/3)
	total := int64(0)
	for u := range counts {
		n := int(math.Round(float64(c.Ratings) * w[userPerm[u]] / ws))
		counts[u] = min(max(n, 1), maxPer)
		total += int64(counts[u])
	}
	// Hand what the cap cut off (or rounding left over) to users with room.
	for u := 0; total < c.Ratings && u < 64*c.Users; u++ {
		if j := u % c.Users; counts[j] < maxPer {
			counts[j]++
			total++
		}
	}
	mark := make([]int32, c.Movies) // user+1 that last took the movie
	x := make([]float64, c.Rank)
	picked := make([]int, 0, maxPer)
	ts := int64(1_000_000_000)
	for u := 0; u < c.Users; u++ {
		if u%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for f := range x {
			x[f] = rng.NormFloat64()
		}
		bu := 0.3 * rng.NormFloat64()
		picked = picked[:0]
		for tries := 0; len(picked) < counts[u]; tries++ {
			m := perm[sort.SearchFloat64s(cum, rng.Float64()*s)%c.Movies]
			if tries > 20*counts[u] { // the popular head is used up: take the next free movie
				for mark[m] == int32(u+1) {
					m = (m + 1) % c.Movies
				}
			}
			if mark[m] == int32(u+1) {
				continue
			}
			mark[m] = int32(u + 1)
			picked = append(picked, m)
		}
		sort.Ints(picked)
		for _, m := range picked {
			v := 3.5 + bu + itemB[m] + c.Noise*rng.NormFloat64()
			for f := range x {
				v += x[f] * itemF[m*c.Rank+f]
			}
			v = math.Round(v*2) / 2
			v = min(max(v, 0.5), 5)
			ts += int64(rng.IntN(1000))
			if err := fn(Rating{UserID: int32(u + 1), MovieID: int32(m + 1), Rating: float32(v), Timestamp: ts}); err != nil {
				return err
			}
		}
	}
	return nil
}
