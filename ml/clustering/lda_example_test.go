package clustering_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/clustering"
)

func ExampleLDA() {
	// Term counts over a 6-word vocabulary, as CountVectorizer writes
	// them: match reports and recipes.
	vocab := []string{"goal", "match", "team", "oven", "flour", "sugar"}
	docs := [][]float64{
		{3, 2, 2, 0, 0, 0}, {2, 3, 1, 0, 0, 0}, {4, 1, 3, 0, 0, 1}, {1, 2, 2, 0, 0, 0},
		{0, 0, 0, 2, 3, 2}, {0, 0, 0, 3, 2, 3}, {0, 1, 0, 2, 2, 2}, {0, 0, 0, 1, 3, 2},
	}
	vs := make([]ml.Vector, len(docs))
	for i, d := range docs {
		vs[i] = ml.Dense(d...)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType}}, nil)
	corpus, err := ml.NewFrame(schema, []*arrow.Chunked{ml.VectorsColumn(vs)})
	if err != nil {
		fmt.Println(err)
		return
	}

	lda := clustering.NewLDA()
	lda.P.K, lda.P.MaxIter = 2, 200
	lda.P.SubsamplingRate, lda.P.LearningOffset, lda.P.LearningDecay = 0.5, 5, 0.7
	model, err := lda.Fit(context.Background(), corpus)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := model.(*clustering.LDAModel)
	topics, err := m.DescribeTopics(3)
	if err != nil {
		fmt.Println(err)
		return
	}
	col, _ := topics.Column("termIndices")
	terms := col.Chunk(0).(*array.List)
	idx := terms.ListValues().(*array.Int32)
	for t := 0; t < terms.Len(); t++ {
		s, e := terms.ValueOffsets(t)
		var words []string
		for i := s; i < e; i++ {
			words = append(words, vocab[idx.Value(int(i))])
		}
		fmt.Printf("topic %d: %s\n", t, strings.Join(words, ", "))
	}

	out, err := m.Transform(context.Background(), corpus)
	if err != nil {
		fmt.Println(err)
		return
	}
	dcol, _ := out.Column("topicDistribution")
	dist, _ := ml.NewVectorColumn(dcol.Chunk(0))
	for _, d := range []int{0, 4} {
		p := dist.At(d).Values
		fmt.Printf("document %d: topic shares %.1f, %.1f\n", d, p[0], p[1])
	}
	// Output:
	// topic 0: flour, sugar, oven
	// topic 1: goal, match, team
	// document 0: topic shares 0.0, 1.0
	// document 4: topic shares 1.0, 0.0
}
