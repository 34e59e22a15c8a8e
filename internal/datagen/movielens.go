package datagen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// MovieLensConfig describes a synthetic MovieLens-style ratings set.
//
// Ratings follow a planted model: rating = mean + user bias + movie bias +
// ⟨user factors, movie factors⟩ + Gaussian noise, rounded to half stars
// (or whole stars for the 40 % of users who never use half stars, as in
// MovieLens's early years) and clamped to 0.5..5, after a monotone map
// that gives MovieLens's negative skew (few 5s, a long tail of low
// ratings). The mean and spreads are
// set so that the ratings have MovieLens's mean (≈ 3.5) and standard
// deviation (≈ 1.05); how much of the spread the low-rank part explains is
// fixed, and Noise sets the rest.
//
// Which movies a user rates follows power laws: the user with activity rank
// k = 1..Users rates MinUserRatings + c·(k^(−UserSkew) − (Users+1)^(−UserSkew))
// movies (c makes the total Ratings; no user rates more than a third of
// the movies unless Ratings requires it), and each rating picks a movie of
// popularity rank j = 0..Movies−1 with weight (j + 1 + 0.003·Movies)^(−ItemSkew),
// without repeating a movie for a user. Popular movies get slightly higher
// biases, as in MovieLens.
//
// With the defaults (MovieLens latest-small's shape) the set has mean 3.55,
// sd 1.06, 27 % half-star ratings and 4.0 the most common rating; users
// have 20..3,022 ratings (median 71); the most rated movie has 394 ratings
// and the top 1 % of movies hold about a fifth of the ratings. At 20M
// ratings, 138,493 users and 27,278 movies: mean 3.48, sd 1.08, users
// 20..9,092 ratings (median 64).
//
// Zero values are taken literally (Rank 0: no latent structure; Noise 0:
// no noise; skews 0: uniform activity and popularity; MinUserRatings 0:
// at least one rating per user): start from DefaultMovieLensConfig.
type MovieLensConfig struct {
	// Users is the number of users, ids 1..Users; each rates at least one
	// movie. Default 671 (MovieLens latest-small).
	Users int
	// Movies is the number of movies, ids 1..Movies, all listed in
	// movies.csv; unpopular ones may have no rating. Default 9066.
	Movies int
	// Ratings is the exact number of ratings generated. Default 100004. It
	// must lie in [Users, Users·Movies].
	Ratings int64
	// Rank is the dimension of the planted user and movie factors
	// (default 8).
	Rank int
	// Noise is the standard deviation of the Gaussian noise added before
	// rounding (default 0.8: like MovieLens, most of a rating's variance is
	// not explained by the user, the movie or their interaction).
	Noise float64
	// UserSkew is the power-law exponent of user activity (default 0.6).
	UserSkew float64
	// ItemSkew is the power-law exponent of movie popularity (default 1.2).
	ItemSkew float64
	// MinUserRatings is the fewest ratings a user has (default 20, as in
	// every MovieLens release); lowered to Ratings/Users when the total
	// cannot give every user that many.
	MinUserRatings int
	// Seed selects the data set; the same config always yields the same
	// ratings and movies.
	Seed int64
}

// DefaultMovieLensConfig returns the shape of MovieLens "latest small":
// 671 users, 9,066 movies, 100,004 ratings, seed 1.
func DefaultMovieLensConfig() MovieLensConfig {
	return MovieLensConfig{
		Users: 671, Movies: 9066, Ratings: 100004,
		Rank: 8, Noise: 0.8, UserSkew: 0.6, ItemSkew: 1.2,
		MinUserRatings: 20, Seed: 1,
	}
}

// maxMovieLensIDs bounds Users and Movies: ids must fit int32 (Spark's rule
// for ALS ids).
const maxMovieLensIDs = math.MaxInt32

// Validate reports the first invalid field, naming it and the allowed range.
func (c MovieLensConfig) Validate() error {
	switch {
	case c.Users <= 0 || c.Users > maxMovieLensIDs:
		return fmt.Errorf("datagen: movielens Users = %d; want 1..%d", c.Users, maxMovieLensIDs)
	case c.Movies <= 0 || c.Movies > maxMovieLensIDs:
		return fmt.Errorf("datagen: movielens Movies = %d; want 1..%d", c.Movies, maxMovieLensIDs)
	case c.Ratings < int64(c.Users):
		return fmt.Errorf("datagen: movielens Ratings = %d is fewer than Users = %d; every user rates at least one movie", c.Ratings, c.Users)
	case c.Ratings > int64(c.Users)*int64(c.Movies):
		return fmt.Errorf("datagen: movielens Ratings = %d exceeds Users×Movies = %d; raise Users or Movies", c.Ratings, int64(c.Users)*int64(c.Movies))
	case c.Rank < 0 || c.Rank > 1024:
		return fmt.Errorf("datagen: movielens Rank = %d; want 0..1024", c.Rank)
	case !(c.Noise >= 0) || math.IsInf(c.Noise, 0):
		return fmt.Errorf("datagen: movielens Noise = %v; want a finite value >= 0", c.Noise)
	case !(c.UserSkew >= 0) || c.UserSkew > 10:
		return fmt.Errorf("datagen: movielens UserSkew = %v; want 0..10", c.UserSkew)
	case !(c.ItemSkew >= 0) || c.ItemSkew > 10:
		return fmt.Errorf("datagen: movielens ItemSkew = %v; want 0..10", c.ItemSkew)
	case c.MinUserRatings < 0:
		return fmt.Errorf("datagen: movielens MinUserRatings = %d; want >= 0", c.MinUserRatings)
	}
	return nil
}

// Rating is one row of ratings.csv.
type Rating struct {
	UserID, MovieID int32
	Rating          float32 // 0.5..5 in half stars
	Timestamp       int64   // Unix seconds, 1996..2016 like MovieLens latest-small
}

// Planted-model constants, chosen so the defaults give MovieLens-like
// marginals (mean ≈ 3.5, sd ≈ 1.05, 4.0 the most common rating).
const (
	mlMean       = 3.35
	mlUserBiasSD = 0.5
	mlItemBiasSD = 0.35
	mlPopBias    = 0.12 // movie bias per sd of log popularity
	mlLatentSD   = 0.35 // sd of ⟨p_u, q_i⟩
	popOffset    = 0.003
	mlHigh       = 4.0
	mlHighSlope  = 0.8
	mlLow        = 3.0
	mlLowSlope   = 1.35
)

const (
	mlWholeStars  = 0.4 // share of users who only give whole stars
	mlMaxFraction = 3   // a user rates at most Movies/3 (unless Ratings needs more)
	mlFirstTime   = 828_000_000
	mlLastTime    = 1_476_000_000
	mlDay         = 86_400
	mlRandomMix   = 0x9e3779b97f4a7c15
)

// movieModel is the per-movie state shared by the ratings and movies.csv:
// popularity, bias and factors. O(Movies·Rank) memory.
type movieModel struct {
	cfg     MovieLensConfig
	pop     *aliasTable
	logW    []float64 // log popularity weight
	popZ    []float64 // standardized log popularity
	bias    []float64
	factors []float64 // Movies×Rank, row-major
	scale   float64   // sd of each factor component
}

// stream returns a PCG generator for one purpose (stream) and index,
// independent of all others for the same seed.
func stream(seed int64, purpose, index uint64) *rand.Rand {
	p := rand.NewPCG(0, 0)
	seedStream(p, seed, purpose, index)
	return rand.New(p)
}

// seedStream reseeds p as stream(seed, purpose, index) without allocating.
func seedStream(p *rand.PCG, seed int64, purpose, index uint64) {
	mix := uint64(mlRandomMix)
	p.Seed(uint64(seed)^(purpose*mix), index*mix+purpose)
}

const (
	streamMovies = iota + 1
	streamUsers
	streamUserRatings
	streamGenres
	streamConnections
)

func newMovieModel(c MovieLensConfig) *movieModel {
	m := &movieModel{cfg: c, logW: make([]float64, c.Movies), popZ: make([]float64, c.Movies), bias: make([]float64, c.Movies)}
	r := stream(c.Seed, streamMovies, 0)
	// Popularity rank: a random permutation of movies.
	rank := r.Perm(c.Movies)
	offset := float64(c.Movies)*popOffset + 1
	weights := make([]float64, c.Movies)
	var mean, sq float64
	for i, k := range rank {
		lw := -c.ItemSkew * math.Log(float64(k)+offset)
		weights[i] = math.Exp(lw)
		m.logW[i] = lw
		m.popZ[i] = lw
		mean += lw
	}
	mean /= float64(c.Movies)
	for _, lw := range m.popZ {
		sq += (lw - mean) * (lw - mean)
	}
	sd := math.Sqrt(sq / float64(c.Movies))
	for i := range m.popZ {
		if sd > 0 {
			m.popZ[i] = (m.popZ[i] - mean) / sd
		} else {
			m.popZ[i] = 0
		}
	}
	m.pop = newAliasTable(weights)
	if c.Rank > 0 {
		// ⟨p, q⟩ of two independent N(0, s²)^Rank vectors has sd s²·√Rank.
		m.scale = math.Sqrt(mlLatentSD / math.Sqrt(float64(c.Rank)))
		m.factors = make([]float64, c.Movies*c.Rank)
	}
	for i := range c.Movies {
		m.bias[i] = mlItemBiasSD*r.NormFloat64() + mlPopBias*m.popZ[i]
		for d := range c.Rank {
			m.factors[i*c.Rank+d] = m.scale * r.NormFloat64()
		}
	}
	return m
}

// userCounts returns how many ratings each user (index = id−1) gives:
// a water-filled power law summing to exactly c.Ratings.
func userCounts(c MovieLensConfig) []int32 {
	u := c.Users
	minPer := int64(max(c.MinUserRatings, 1))
	minPer = min(minPer, c.Ratings/int64(u))
	capPer := max(int64(c.Movies/mlMaxFraction), (c.Ratings+int64(u)-1)/int64(u), minPer)
	capPer = min(capPer, int64(c.Movies))
	extra := float64(c.Ratings - minPer*int64(u))
	capExtra := float64(capPer - minPer)

	// Weights by activity rank k = 1..u, decreasing.
	w := make([]float64, u)
	var total float64
	floor := math.Pow(float64(u+1), -c.UserSkew)
	for k := range w {
		w[k] = math.Pow(float64(k+1), -c.UserSkew) - floor
		total += w[k]
	}
	if !(total > 0) { // UserSkew 0: uniform activity
		for k := range w {
			w[k] = 1
		}
		total = float64(u)
	}
	// The top t users are capped; the others share the rest in proportion.
	t, rest := 0, total
	lambda := extra / rest
	for t < u && lambda*w[t] > capExtra {
		rest -= w[t]
		t++
		if rest > 0 {
			lambda = (extra - float64(t)*capExtra) / rest
		}
	}
	byRank := make([]int64, u)
	var sum int64
	for k := range byRank {
		e := int64(capExtra)
		if k >= t {
			e = min(int64(lambda*w[k]), int64(capExtra))
		}
		byRank[k] = minPer + e
		sum += byRank[k]
	}
	// Hand out the rounding remainder to the most active uncapped users.
	for k := 0; sum < c.Ratings; k = (k + 1) % u {
		if byRank[k] < capPer {
			byRank[k]++
			sum++
		}
	}
	for k := u - 1; sum > c.Ratings; k = (k + u - 1) % u { // float rounding the other way
		if byRank[k] > 1 {
			byRank[k]--
			sum--
		}
	}
	perm := stream(c.Seed, streamUsers, 0).Perm(u)
	counts := make([]int32, u)
	for user, k := range perm {
		counts[user] = int32(byRank[k])
	}
	return counts
}

// MovieLensRatings calls fn for every rating of the set c describes, in
// user order and, within a user, in movie order (as ratings.csv is
// sorted), with no duplicate (user, movie) pair. The output depends only
// on c. Memory is O(Users + Movies·Rank), independent of Ratings.
//
// It returns c.Validate's error, ctx's error when ctx is canceled (checked
// every few users), or fn's first error, wrapped.
func MovieLensRatings(ctx context.Context, c MovieLensConfig, fn func(Rating) error) error {
	if err := c.Validate(); err != nil {
		return err
	}
	mm := newMovieModel(c)
	counts := userCounts(c)
	g := &ratingGen{
		c: c, mm: mm,
		stamp:  make([]int32, c.Movies),
		pcg:    rand.NewPCG(0, 0),
		userF:  make([]float64, c.Rank),
		movies: make([]int32, 0, 64),
	}
	g.r = rand.New(g.pcg)
	for u := range c.Users {
		if u%64 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("datagen: movielens ratings: %w", err)
			}
		}
		if err := g.user(int32(u), int(counts[u]), fn); err != nil {
			return fmt.Errorf("datagen: movielens rating of user %d: %w", u+1, err)
		}
	}
	return nil
}

// ratingGen holds the reusable buffers of MovieLensRatings.
type ratingGen struct {
	c      MovieLensConfig
	mm     *movieModel
	stamp  []int32 // stamp[m] == user+1: movie m already rated by user
	pcg    *rand.PCG
	r      *rand.Rand
	userF  []float64
	movies []int32
	keys   []float64 // heavy users: one key per movie
	order  []int32
}

func (g *ratingGen) user(u int32, n int, fn func(Rating) error) error {
	c, mm, r := g.c, g.mm, g.r
	seedStream(g.pcg, c.Seed, streamUserRatings, uint64(u))
	bias := mlUserBiasSD * r.NormFloat64()
	for d := range g.userF {
		g.userF[d] = mm.scale * r.NormFloat64()
	}
	whole := r.Float64() < mlWholeStars
	start := mlFirstTime + r.Int64N(mlLastTime-mlFirstTime)
	span := int64(mlDay)
	if r.Float64() < 0.5 { // half the users rate over months or years
		span = int64(r.ExpFloat64() * 300 * mlDay)
	}
	span = max(min(span, mlLastTime-start), 1)

	g.movies = g.movies[:0]
	if n <= c.Movies/8 {
		// Rejection sampling from the popularity table; the stamp array
		// dedupes in O(1) without clearing.
		for len(g.movies) < n {
			m := mm.pop.sample(r)
			if g.stamp[m] != u+1 {
				g.stamp[m] = u + 1
				g.movies = append(g.movies, m)
			}
		}
	} else {
		g.heavy(n)
	}
	slices.Sort(g.movies)

	for _, m := range g.movies {
		x := mlMean + bias + mm.bias[m]
		if c.Rank > 0 {
			q := mm.factors[int(m)*c.Rank : int(m)*c.Rank+c.Rank]
			for d, p := range g.userF {
				x += p * q[d]
			}
		}
		x += c.Noise * r.NormFloat64()
		x = skewRating(x)
		var rating float32
		if whole {
			rating = float32(min(max(math.Round(x), 1), 5))
		} else {
			rating = float32(min(max(math.Round(2*x)/2, 0.5), 5))
		}
		if err := fn(Rating{UserID: u + 1, MovieID: m + 1, Rating: rating, Timestamp: start + r.Int64N(span)}); err != nil {
			return err
		}
	}
	return nil
}

// skewRating maps the planted score to the rating scale with
// MovieLens's negative skew (a monotone piecewise-linear map, so the
// planted model still orders a user's ratings): scores above 4 are compressed (few 5s),
// scores below 3 stretched (a long tail of low ratings).
func skewRating(x float64) float64 {
	switch {
	case x > mlHigh:
		return mlHigh + mlHighSlope*(x-mlHigh)
	case x < mlLow:
		return mlLow + mlLowSlope*(x-mlLow)
	}
	return x
}

// heavy samples n distinct movies for a very active user by popularity
// without replacement (Efraimidis–Spirakis: the n smallest −ln(U)/w), in
// O(Movies log Movies), where rejection sampling would stall.
func (g *ratingGen) heavy(n int) {
	mm, r := g.mm, g.r
	if g.keys == nil {
		g.keys = make([]float64, g.c.Movies)
		g.order = make([]int32, g.c.Movies)
	}
	for m := range g.keys {
		g.keys[m] = math.Log(r.ExpFloat64()) - mm.logW[m]
		g.order[m] = int32(m)
	}
	slices.SortFunc(g.order, func(a, b int32) int {
		ka, kb := g.keys[a], g.keys[b]
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return int(a - b)
	})
	g.movies = append(g.movies, g.order[:n]...)
}

// mlGenres is MovieLens's genre list, in its (alphabetical) order, with
// rough frequencies in latest-small (share of movies carrying the genre).
var mlGenres = [...]struct {
	name string
	freq float64
}{
	{"Action", 0.15}, {"Adventure", 0.09}, {"Animation", 0.03}, {"Children", 0.05},
	{"Comedy", 0.35}, {"Crime", 0.12}, {"Documentary", 0.05}, {"Drama", 0.48},
	{"Fantasy", 0.05}, {"Film-Noir", 0.01}, {"Horror", 0.09}, {"IMAX", 0.02},
	{"Musical", 0.03}, {"Mystery", 0.06}, {"Romance", 0.17}, {"Sci-Fi", 0.07},
	{"Thriller", 0.19}, {"War", 0.04}, {"Western", 0.02},
}

// Movie is one row of movies.csv.
type Movie struct {
	MovieID int32
	Title   string   // "Movie 123 (1995)"
	Year    int      // 1902..2016, skewed to recent years
	Genres  []string // MovieLens genre names, in MovieLens's order; empty: "(no genres listed)"
}

// MovieLensMovies calls fn for every movie 1..c.Movies, in id order. Genres
// correlate with the planted movie factors, so movies of a genre tend to
// be liked by the same users. fn's Movie.Genres is reused between calls.
// Errors as for MovieLensRatings.
func MovieLensMovies(ctx context.Context, c MovieLensConfig, fn func(Movie) error) error {
	if err := c.Validate(); err != nil {
		return err
	}
	mm := newMovieModel(c)
	r := stream(c.Seed, streamGenres, 0)
	// One random direction per genre in factor space.
	dirs := make([]float64, len(mlGenres)*c.Rank)
	for i := range dirs {
		dirs[i] = r.NormFloat64() / math.Sqrt(float64(max(c.Rank, 1)))
	}
	var score [len(mlGenres)]float64
	var idx [len(mlGenres)]int
	genres := make([]string, 0, len(mlGenres))
	for m := range c.Movies {
		if m%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("datagen: movielens movies: %w", err)
			}
		}
		year := 2016 - int(r.ExpFloat64()*18)
		year = max(year, 1902)
		n := 1
		switch x := r.Float64(); {
		case x < 0.002:
			n = 0
		case x < 0.40:
			n = 1
		case x < 0.75:
			n = 2
		case x < 0.95:
			n = 3
		default:
			n = 4
		}
		for g := range mlGenres {
			s := math.Log(mlGenres[g].freq)
			if c.Rank > 0 {
				var dot float64
				for d := range c.Rank {
					dot += dirs[g*c.Rank+d] * mm.factors[m*c.Rank+d]
				}
				s += 2 * dot / mm.scale
			}
			// Gumbel top-n: sampling without replacement ∝ exp(s).
			score[g] = s - math.Log(r.ExpFloat64())
			idx[g] = g
		}
		slices.SortFunc(idx[:], func(a, b int) int {
			if score[a] > score[b] {
				return -1
			}
			if score[a] < score[b] {
				return 1
			}
			return a - b
		})
		top := slices.Clone(idx[:n])
		slices.Sort(top)
		genres = genres[:0]
		for _, g := range top {
			genres = append(genres, mlGenres[g].name)
		}
		mv := Movie{MovieID: int32(m + 1), Year: year, Genres: genres}
		mv.Title = "Movie " + strconv.Itoa(m+1) + " (" + strconv.Itoa(year) + ")"
		if err := fn(mv); err != nil {
			return fmt.Errorf("datagen: movielens movie %d: %w", m+1, err)
		}
	}
	return nil
}

// WriteMovieLensCSV writes ratings.csv (userId,movieId,rating,timestamp)
// and movies.csv (movieId,title,genres, genres joined by "|") in
// MovieLens's format, each with a header line. Either writer may be nil
// to skip that file. Writes are buffered; it returns the first write error
// or ctx's error, naming the file.
func WriteMovieLensCSV(ctx context.Context, c MovieLensConfig, ratings, movies io.Writer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if ratings != nil {
		bw := bufio.NewWriterSize(ratings, 1<<16)
		buf := make([]byte, 0, 64)
		if _, err := bw.WriteString("userId,movieId,rating,timestamp\n"); err != nil {
			return fmt.Errorf("datagen: write ratings.csv: %w", err)
		}
		err := MovieLensRatings(ctx, c, func(r Rating) error {
			buf = strconv.AppendInt(buf[:0], int64(r.UserID), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(r.MovieID), 10)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, float64(r.Rating), 'f', 1, 32)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, r.Timestamp, 10)
			buf = append(buf, '\n')
			_, err := bw.Write(buf)
			return err
		})
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			return fmt.Errorf("datagen: write ratings.csv: %w", err)
		}
	}
	if movies != nil {
		bw := bufio.NewWriterSize(movies, 1<<16)
		if _, err := bw.WriteString("movieId,title,genres\n"); err != nil {
			return fmt.Errorf("datagen: write movies.csv: %w", err)
		}
		buf := make([]byte, 0, 128)
		err := MovieLensMovies(ctx, c, func(m Movie) error {
			buf = strconv.AppendInt(buf[:0], int64(m.MovieID), 10)
			buf = append(buf, ',')
			buf = append(buf, m.Title...) // never holds a comma or quote
			buf = append(buf, ',')
			if len(m.Genres) == 0 {
				buf = append(buf, "(no genres listed)"...)
			}
			for i, g := range m.Genres {
				if i > 0 {
					buf = append(buf, '|')
				}
				buf = append(buf, g...)
			}
			buf = append(buf, '\n')
			_, err := bw.Write(buf)
			return err
		})
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			return fmt.Errorf("datagen: write movies.csv: %w", err)
		}
	}
	return nil
}
