package recommendation_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/recommendation"
)

// exampleRatings: users 1–3 rate movies 10, 20, 30, 40 with 5, 4, 2, 1
// stars; users 4–6 the other way round. Six cells are left out.
func exampleRatings() *ml.Frame {
	var users, items []int32
	var vals []float64
	for u := int32(1); u <= 6; u++ {
		for _, it := range []int32{10, 20, 30, 40} {
			if (u+it/10)%4 == 0 { // leave some cells out
				continue
			}
			r := map[int32]float64{10: 5, 20: 4, 30: 2, 40: 1}[it]
			if u > 3 {
				r = 6 - r
			}
			users, items, vals = append(users, u), append(items, it), append(vals, r)
		}
	}
	mem := memory.DefaultAllocator
	ub, ib, rb := array.NewInt32Builder(mem), array.NewInt32Builder(mem), array.NewFloat64Builder(mem)
	ub.AppendValues(users, nil)
	ib.AppendValues(items, nil)
	rb.AppendValues(vals, nil)
	u, i, r := ub.NewArray(), ib.NewArray(), rb.NewArray()
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{
		{Name: "userId", Type: arrow.PrimitiveTypes.Int32},
		{Name: "movieId", Type: arrow.PrimitiveTypes.Int32},
		{Name: "rating", Type: arrow.PrimitiveTypes.Float64},
	}, nil), []*arrow.Chunked{
		arrow.NewChunked(u.DataType(), []arrow.Array{u}),
		arrow.NewChunked(i.DataType(), []arrow.Array{i}),
		arrow.NewChunked(r.DataType(), []arrow.Array{r}),
	})
	return f
}

func ExampleALS() {
	ctx := context.Background()
	als := recommendation.NewALS()
	als.P.UserCol, als.P.ItemCol = "userId", "movieId"
	als.P.Rank, als.P.RegParam, als.P.MaxIter = 2, 0.05, 20
	als.P.ColdStartStrategy = "drop"
	model, err := als.Fit(ctx, exampleRatings())
	if err != nil {
		fmt.Println(err)
		return
	}
	m := model.(*recommendation.ALSModel)
	// Cells left out of training.
	for _, c := range [][2]int32{{3, 10}, {2, 20}, {1, 30}, {4, 40}} {
		p, _ := m.Predict(c[0], c[1])
		fmt.Printf("user %d, movie %d: %.0f stars\n", c[0], c[1], p)
	}
	top, err := m.Recommend(ctx, recommendation.RecommendOptions{IDs: []int32{1, 4}, K: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ml.ColumnNames(top.Schema()))
	users, _ := top.Column("userId")
	movies, _ := top.Column("movieId")
	for r := range int(top.NumRows()) {
		fmt.Printf("user %d: movie %d\n", users.Chunk(0).(*array.Int32).Value(r), movies.Chunk(0).(*array.Int32).Value(r))
	}
	// Output:
	// user 3, movie 10: 5 stars
	// user 2, movie 20: 4 stars
	// user 1, movie 30: 2 stars
	// user 4, movie 40: 5 stars
	// [userId rank movieId score]
	// user 1: movie 10
	// user 1: movie 20
	// user 4: movie 40
	// user 4: movie 30
}
