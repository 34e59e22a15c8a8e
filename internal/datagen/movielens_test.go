package datagen_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/datagen"
)

func TestMovieLensConfigValidate(t *testing.T) {
	ok := datagen.DefaultMovieLensConfig()
	if err := ok.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*datagen.MovieLensConfig)
		want   string
	}{
		{"no users", func(c *datagen.MovieLensConfig) { c.Users = 0 }, "Users = 0"},
		{"no movies", func(c *datagen.MovieLensConfig) { c.Movies = -1 }, "Movies = -1"},
		{"too few ratings", func(c *datagen.MovieLensConfig) { c.Ratings = 10 }, "fewer than Users"},
		{"too many ratings", func(c *datagen.MovieLensConfig) { c.Users, c.Movies, c.Ratings = 2, 3, 7 }, "exceeds Users×Movies = 6"},
		{"negative rank", func(c *datagen.MovieLensConfig) { c.Rank = -1 }, "Rank = -1"},
		{"NaN noise", func(c *datagen.MovieLensConfig) { c.Noise = math.NaN() }, "Noise = NaN"},
		{"negative skew", func(c *datagen.MovieLensConfig) { c.UserSkew = -1 }, "UserSkew = -1"},
		{"huge item skew", func(c *datagen.MovieLensConfig) { c.ItemSkew = 11 }, "ItemSkew = 11"},
		{"negative minimum", func(c *datagen.MovieLensConfig) { c.MinUserRatings = -2 }, "MinUserRatings = -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
			if err := datagen.MovieLensRatings(context.Background(), c, func(datagen.Rating) error { return nil }); err == nil {
				t.Fatal("MovieLensRatings accepted an invalid config")
			}
		})
	}
}

// collect returns all ratings of c.
func collect(tb testing.TB, c datagen.MovieLensConfig) []datagen.Rating {
	tb.Helper()
	var out []datagen.Rating
	if err := datagen.MovieLensRatings(context.Background(), c, func(r datagen.Rating) error {
		out = append(out, r)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return out
}

func csvHash(tb testing.TB, c datagen.MovieLensConfig) string {
	tb.Helper()
	r, m := sha256.New(), sha256.New()
	if err := datagen.WriteMovieLensCSV(context.Background(), c, r, m); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("%x/%x", r.Sum(nil), m.Sum(nil))
}

func TestMovieLensDeterministic(t *testing.T) {
	c := datagen.DefaultMovieLensConfig()
	c.Ratings = 30000
	a, b := csvHash(t, c), csvHash(t, c)
	if a != b {
		t.Fatalf("two runs of the same config differ: %s vs %s", a, b)
	}
	c.Seed++
	if d := csvHash(t, c); d == a {
		t.Fatal("seeds 1 and 2 gave the same data")
	}
}

// checkRatings verifies the invariants every config must satisfy.
func checkRatings(t *testing.T, c datagen.MovieLensConfig, rs []datagen.Rating) {
	t.Helper()
	if int64(len(rs)) != c.Ratings {
		t.Fatalf("got %d ratings, want %d", len(rs), c.Ratings)
	}
	minPer := int64(max(c.MinUserRatings, 1))
	minPer = min(minPer, c.Ratings/int64(c.Users))
	perUser := make([]int64, c.Users+1)
	for i, r := range rs {
		if r.UserID < 1 || int(r.UserID) > c.Users || r.MovieID < 1 || int(r.MovieID) > c.Movies {
			t.Fatalf("rating %d: user %d movie %d out of range", i, r.UserID, r.MovieID)
		}
		if r.Rating < 0.5 || r.Rating > 5 || r.Rating*2 != float32(math.Round(float64(r.Rating)*2)) {
			t.Fatalf("rating %d: %v is not a half star in 0.5..5", i, r.Rating)
		}
		if r.Timestamp < 828_000_000 || r.Timestamp > 1_476_000_000 {
			t.Fatalf("rating %d: timestamp %d outside 1996..2016", i, r.Timestamp)
		}
		if i > 0 {
			p := rs[i-1]
			switch {
			case r.UserID < p.UserID:
				t.Fatalf("rating %d: user %d after user %d; want user order", i, r.UserID, p.UserID)
			case r.UserID == p.UserID && r.MovieID == p.MovieID:
				t.Fatalf("rating %d: duplicate (user %d, movie %d)", i, r.UserID, r.MovieID)
			case r.UserID == p.UserID && r.MovieID < p.MovieID:
				t.Fatalf("rating %d: movie %d after movie %d for user %d; want movie order", i, r.MovieID, p.MovieID, r.UserID)
			}
		}
		perUser[r.UserID]++
	}
	for u := 1; u <= c.Users; u++ {
		if perUser[u] < minPer {
			t.Fatalf("user %d has %d ratings, want at least %d", u, perUser[u], minPer)
		}
	}
}

func TestMovieLensInvariants(t *testing.T) {
	def := datagen.DefaultMovieLensConfig()
	tests := []struct {
		name string
		c    datagen.MovieLensConfig
	}{
		{"latest-small", def},
		{"one rating", datagen.MovieLensConfig{Users: 1, Movies: 1, Ratings: 1, Seed: 3}},
		{"every pair", datagen.MovieLensConfig{Users: 7, Movies: 13, Ratings: 91, Rank: 2, Noise: 0.5, UserSkew: 1, ItemSkew: 1, Seed: 4}},
		{"heavy users", datagen.MovieLensConfig{Users: 50, Movies: 200, Ratings: 6000, Rank: 4, Noise: 0.8, UserSkew: 2, ItemSkew: 2, MinUserRatings: 20, Seed: 5}},
		{"uniform, no structure", datagen.MovieLensConfig{Users: 100, Movies: 100, Ratings: 2000, Seed: 6}},
		{"minimum lowered", datagen.MovieLensConfig{Users: 100, Movies: 50, Ratings: 500, Rank: 3, Noise: 1, UserSkew: 0.6, ItemSkew: 1.2, MinUserRatings: 20, Seed: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRatings(t, tt.c, collect(t, tt.c))
		})
	}
}

func TestMovieLensShape(t *testing.T) {
	c := datagen.DefaultMovieLensConfig()
	rs := collect(t, c)
	perUser := make([]int, c.Users)
	perMovie := make([]int, c.Movies)
	var sum, sq float64
	half := 0
	for _, r := range rs {
		perUser[r.UserID-1]++
		perMovie[r.MovieID-1]++
		x := float64(r.Rating)
		sum += x
		sq += x * x
		if x != math.Round(x) {
			half++
		}
	}
	n := float64(len(rs))
	mean := sum / n
	sd := math.Sqrt(sq/n - mean*mean)
	if mean < 3.4 || mean > 3.7 {
		t.Errorf("mean rating %.3f, want MovieLens's ≈ 3.54", mean)
	}
	if sd < 0.95 || sd > 1.15 {
		t.Errorf("rating sd %.3f, want MovieLens's ≈ 1.06", sd)
	}
	if f := float64(half) / n; f < 0.15 || f > 0.4 {
		t.Errorf("half-star share %.3f, want ≈ 0.25", f)
	}
	slices.Sort(perUser)
	slices.Sort(perMovie)
	if perUser[0] != 20 {
		t.Errorf("least active user has %d ratings, want the minimum 20", perUser[0])
	}
	if med, top := perUser[len(perUser)/2], perUser[len(perUser)-1]; top < 10*med {
		t.Errorf("user activity not skewed: median %d, max %d", med, top)
	}
	top1 := 0
	for _, k := range perMovie[len(perMovie)-len(perMovie)/100:] {
		top1 += k
	}
	if share := float64(top1) / n; share < 0.12 {
		t.Errorf("top 1%% of movies hold %.3f of the ratings, want a power law (> 0.12)", share)
	}
	if med := perMovie[len(perMovie)/2]; med > 10 {
		t.Errorf("median movie has %d ratings, want a long tail (<= 10)", med)
	}
}

// TestMovieLensPlanted checks that the ratings carry the planted user and
// movie effects: a user's mean on one half of their movies predicts the
// other half better than the global mean.
func TestMovieLensPlanted(t *testing.T) {
	c := datagen.DefaultMovieLensConfig()
	rs := collect(t, c)
	type acc struct{ sum, n float64 }
	train := make([]acc, c.Users+1)
	var gsum, gn float64
	for i, r := range rs {
		if i%2 == 0 {
			train[r.UserID].sum += float64(r.Rating)
			train[r.UserID].n++
			gsum += float64(r.Rating)
			gn++
		}
	}
	g := gsum / gn
	var seGlobal, seUser float64
	for i, r := range rs {
		if i%2 == 1 {
			a := train[r.UserID]
			pu := (a.sum + 5*g) / (a.n + 5)
			seGlobal += (float64(r.Rating) - g) * (float64(r.Rating) - g)
			seUser += (float64(r.Rating) - pu) * (float64(r.Rating) - pu)
		}
	}
	if seUser > 0.9*seGlobal {
		t.Errorf("user means explain too little: squared error %.0f vs global mean's %.0f", seUser, seGlobal)
	}
}

func TestWriteMovieLensCSV(t *testing.T) {
	c := datagen.MovieLensConfig{Users: 30, Movies: 200, Ratings: 900, Rank: 4, Noise: 0.8, UserSkew: 0.6, ItemSkew: 1.2, MinUserRatings: 20, Seed: 9}
	var ratings, movies bytes.Buffer
	if err := datagen.WriteMovieLensCSV(context.Background(), c, &ratings, &movies); err != nil {
		t.Fatal(err)
	}
	rl := strings.Split(strings.TrimSuffix(ratings.String(), "\n"), "\n")
	if rl[0] != "userId,movieId,rating,timestamp" || len(rl) != 901 {
		t.Fatalf("ratings.csv: header %q and %d lines, want MovieLens's header and 901 lines", rl[0], len(rl))
	}
	var u, m int
	var r float64
	var ts int64
	if _, err := fmt.Sscanf(rl[1], "%d,%d,%g,%d", &u, &m, &r, &ts); err != nil || !strings.Contains(rl[1], ".") {
		t.Fatalf("ratings.csv line 2 %q: %v; want userId,movieId,rating with one decimal,timestamp", rl[1], err)
	}
	ml := strings.Split(strings.TrimSuffix(movies.String(), "\n"), "\n")
	if ml[0] != "movieId,title,genres" || len(ml) != c.Movies+1 {
		t.Fatalf("movies.csv: header %q and %d lines, want 201", ml[0], len(ml))
	}
	genres := map[string]bool{"(no genres listed)": true}
	for _, g := range strings.Split("Action Adventure Animation Children Comedy Crime Documentary Drama Fantasy Film-Noir Horror IMAX Musical Mystery Romance Sci-Fi Thriller War Western", " ") {
		genres[g] = true
	}
	for i, line := range ml[1:] {
		f := strings.Split(line, ",")
		if len(f) != 3 || f[0] != fmt.Sprint(i+1) || !strings.HasPrefix(f[1], "Movie "+f[0]+" (") {
			t.Fatalf("movies.csv line %d %q: want id,\"Movie id (year)\",genres", i+2, line)
		}
		for _, g := range strings.Split(f[2], "|") {
			if !genres[g] {
				t.Fatalf("movies.csv line %d: unknown genre %q", i+2, g)
			}
		}
	}
	// nil writers skip a file.
	var only bytes.Buffer
	if err := datagen.WriteMovieLensCSV(context.Background(), c, nil, &only); err != nil || only.String() != movies.String() {
		t.Fatalf("movies only: err %v, same output %v", err, only.String() == movies.String())
	}
}

func TestMovieLensErrors(t *testing.T) {
	c := datagen.DefaultMovieLensConfig()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := datagen.MovieLensRatings(ctx, c, func(datagen.Rating) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: got %v, want context.Canceled", err)
	}
	if err := datagen.WriteMovieLensCSV(ctx, c, nil, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx, movies: got %v, want context.Canceled", err)
	}
	boom := errors.New("boom")
	calls := 0
	err := datagen.MovieLensRatings(context.Background(), c, func(datagen.Rating) error {
		calls++
		if calls == 5 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls != 5 || !strings.Contains(err.Error(), "user 1") {
		t.Errorf("fn error: got %v after %d calls, want boom after 5 naming user 1", err, calls)
	}
	if err := datagen.WriteMovieLensCSV(context.Background(), c, failWriter{}, nil); !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), "ratings.csv") {
		t.Errorf("write error: got %v, want os.ErrClosed naming ratings.csv", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func ExampleWriteMovieLensCSV() {
	c := datagen.MovieLensConfig{Users: 2, Movies: 5, Ratings: 4, Rank: 2, Noise: 0.8, UserSkew: 0.6, ItemSkew: 1.2, Seed: 1}
	var ratings, movies strings.Builder
	if err := datagen.WriteMovieLensCSV(context.Background(), c, &ratings, &movies); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(ratings.String(), movies.String())
	// Output:
	// userId,movieId,rating,timestamp
	// 1,2,3.5,1049738371
	// 1,5,4.0,1049744056
	// 2,2,2.0,1262513051
	// 2,5,3.0,1262491492
	// movieId,title,genres
	// 1,Movie 1 (2014),Fantasy
	// 2,Movie 2 (1984),Comedy|Documentary|IMAX
	// 3,Movie 3 (1976),Adventure|Crime
	// 4,Movie 4 (2015),Comedy|Drama
	// 5,Movie 5 (2012),Action|Comedy|Sci-Fi
}

var sink int64

func BenchmarkMovieLensRatings(b *testing.B) {
	for _, size := range []struct {
		name string
		c    datagen.MovieLensConfig
	}{
		{"latest-small", datagen.DefaultMovieLensConfig()},
		{"1M", datagen.MovieLensConfig{Users: 6040, Movies: 3706, Ratings: 1_000_209, Rank: 8, Noise: 0.8, UserSkew: 0.6, ItemSkew: 1.2, MinUserRatings: 20, Seed: 1}},
		{"20M", datagen.MovieLensConfig{Users: 138_493, Movies: 27_278, Ratings: 20_000_263, Rank: 8, Noise: 0.8, UserSkew: 0.6, ItemSkew: 1.2, MinUserRatings: 20, Seed: 1}},
	} {
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := datagen.MovieLensRatings(context.Background(), size.c, func(r datagen.Rating) error {
					sink += int64(r.MovieID)
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size.c.Ratings)*float64(b.N)/b.Elapsed().Seconds(), "ratings/s")
		})
	}
}

func BenchmarkWriteMovieLensCSV(b *testing.B) {
	c := datagen.MovieLensConfig{Users: 6040, Movies: 3706, Ratings: 1_000_209, Rank: 8, Noise: 0.8, UserSkew: 0.6, ItemSkew: 1.2, MinUserRatings: 20, Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		if err := datagen.WriteMovieLensCSV(context.Background(), c, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Ratings)*float64(b.N)/b.Elapsed().Seconds(), "ratings/s")
}

func TestWriteMovieLensFiles(t *testing.T) {
	dir := t.TempDir() + "/data"
	c := datagen.MovieLensConfigFor(5000)
	if c.Users != 671 || c.Movies != 9066 {
		t.Fatalf("MovieLensConfigFor(5000) = %d users, %d movies; want latest-small's 671, 9066", c.Users, c.Movies)
	}
	if big := datagen.MovieLensConfigFor(20_000_263); big.Users < 130_000 || big.Movies < 27_000 || big.Validate() != nil {
		t.Fatalf("MovieLensConfigFor(20M) = %+v, want MovieLens 20M's shape", big)
	}
	if err := datagen.WriteMovieLensFiles(context.Background(), c, dir); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := datagen.WriteMovieLensCSV(context.Background(), c, &want, nil); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dir + "/ratings.csv")
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("ratings.csv differs from WriteMovieLensCSV's output (err %v)", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("dir holds %d entries, want ratings.csv and movies.csv only", len(entries))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := datagen.WriteMovieLensFiles(ctx, c, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
	if got2, _ := os.ReadFile(dir + "/ratings.csv"); !bytes.Equal(got2, got) {
		t.Fatal("a failed write replaced ratings.csv")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("a failed write left %d entries, want 2", len(entries))
	}
	path := t.TempDir() + "/x/connections.csv"
	if err := datagen.WriteConnectionsFile(context.Background(), datagen.ConnectionsConfig{Records: 10, Seed: 1}, path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); bytes.Count(b, []byte("\n")) != 11 {
		t.Fatalf("connections file has %d lines, want 11", bytes.Count(b, []byte("\n")))
	}
}
