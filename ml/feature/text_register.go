package feature

import "github.com/sluice-dev/sluice/ml"

// registerText adds the text stages: Tokenizer, RegexTokenizer,
// StopWordsRemover, NGram, HashingTF, CountVectorizer (and its model) and
// IDF (and its model).
func registerText(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewTokenizer() })
	r.Register(func() ml.HasParams { return NewRegexTokenizer() })
	r.Register(func() ml.HasParams { return NewStopWordsRemover() })
	r.Register(func() ml.HasParams { return NewNGram() })
	r.Register(func() ml.HasParams { return NewHashingTF() })
	r.Register(func() ml.HasParams { return NewCountVectorizer() })
	r.Register(func() ml.HasParams { return &CountVectorizerModel{P: NewCountVectorizer().P} })
	r.Register(func() ml.HasParams { return NewIDF() })
	r.Register(func() ml.HasParams { return &IDFModel{P: NewIDF().P} })
}
