#!/usr/bin/python3
"""Reference values for ml/feature's text-stage tests (text_reference_test.go).

Run from the repository root with the system Python, which has
scikit-learn 1.2 and numpy:

    /usr/bin/python3 ml/feature/testdata/text_gen_reference.py

It writes ml/feature/testdata/text_reference.json:

  murmur3     MurmurHash3_x86_32 (seed 42) of each term's UTF-8 bytes, from
              scikit-learn's murmurhash3_32 (a C++ port of the reference
              code, independent of Sluice's Go), and the HashingTF index
              Spark derives from it: nonNegativeMod(hash, numFeatures).
              The Spark documentation's own example (["a","b","c"] with 10
              features gives indices 5, 7, 8) is checked below.
  tokenize    scikit-learn's analyzer with token_pattern (?a)\\b\\w\\w+\\b,
              lowercase, and Spark's English stop words: what
              RegexTokenizer(pattern \\w+, gaps false, minTokenLength 2)
              + StopWordsRemover give.
  count       scikit-learn's CountVectorizer on pre-tokenized documents
              with min_df / max_df (counts when >= 1, fractions below, as
              Spark) / max_features (Spark's vocabSize) / binary. The corpus
              has no ties in term frequency at the vocabSize cut-off, where
              Spark and scikit-learn both choose arbitrarily. With binary,
              scikit-learn ranks max_features by document frequency and
              Spark by term frequency, so binary cases are fitted without
              binary and binarized afterwards.
  idf         scikit-learn's TfidfTransformer(smooth_idf=True, norm=None):
              its idf is ln((1+n)/(1+df)) + 1, Spark's is ln((m+1)/(df+1)),
              so spark_idf = idf_ - 1 and Spark's TF-IDF is tf * spark_idf.
"""

import json
import math
import os

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.utils import murmurhash3_32

HERE = os.path.dirname(os.path.abspath(__file__))
STOP = open(os.path.join(HERE, "text_english_stopwords.txt")).read().split()
assert len(STOP) == 181, len(STOP)


def spark_index(term, n):
    h = murmurhash3_32(term.encode("utf-8"), seed=42)  # signed, like Java's int
    r = int(math.fmod(h, n))
    return h, r + n if r < 0 else r


# Spark's documented example (pyspark.ml.feature.HashingTF docstring).
assert sorted(spark_index(t, 10)[1] for t in "abc") == [5, 7, 8]
assert sorted(spark_index(t, 5)[1] for t in "abc") == [0, 2, 3]

terms = ["", "a", "b", "c", "ab", "abc", "abcd", "abcde", "spark", "hashing",
         "murmur3 x86_32", "free!!!", "naïve", "café", "日本語", "😀", "Ünïcödé text",
         "x" * 31, "the quick brown fox jumps over the lazy dog"]
murmur = [{"term": t, "hash": spark_index(t, 2**18)[0], "index262144": spark_index(t, 2**18)[1],
           "index1000": spark_index(t, 1000)[1]} for t in terms]

texts = [
    "Hello, World! This is SPAM: win $1,000,000 now!!!",
    "Re: the meeting at 10am -- I'll bring the slides (v2_final.pdf)",
    "naïve café résumé 日本語 ok",
    "a b cd e-mail x_y_z __init__ 3.14 2nd",
    "",
    "   ",
    "It's what you've got: don't   stop\tbelieving\nnow",
]
analyzer = CountVectorizer(token_pattern=r"(?a)\b\w\w+\b", lowercase=True).build_analyzer()
analyzer_stop = CountVectorizer(token_pattern=r"(?a)\b\w\w+\b", lowercase=True,
                                stop_words=STOP).build_analyzer()
tokenize = [{"text": t, "tokens": analyzer(t), "noStopWords": analyzer_stop(t)} for t in texts]

docs = [
    "spam spam spam eggs ham".split(),
    "spam eggs bacon".split(),
    "ham ham ham ham bacon toast".split(),
    "eggs toast toast jam".split(),
    "spam jam jam jam jam jam".split(),
    [],
    "spam beans".split(),
]
count_cases = [
    {"minDF": 1.0, "maxDF": 9.0e18, "vocabSize": 262144, "binary": False},
    {"minDF": 2.0, "maxDF": 9.0e18, "vocabSize": 262144, "binary": False},
    {"minDF": 0.3, "maxDF": 0.5, "vocabSize": 262144, "binary": False},
    {"minDF": 1.0, "maxDF": 3.0, "vocabSize": 2, "binary": False},
    {"minDF": 1.0, "maxDF": 9.0e18, "vocabSize": 3, "binary": True},
]
for c in count_cases:
    min_df = int(c["minDF"]) if c["minDF"] >= 1 else c["minDF"]
    max_df = int(min(c["maxDF"], 10**9)) if c["maxDF"] >= 1 else c["maxDF"]
    cv = CountVectorizer(analyzer=lambda d: d, min_df=min_df, max_df=max_df,
                         max_features=None if c["vocabSize"] >= 262144 else c["vocabSize"],
                         binary=False)
    X = cv.fit_transform(docs).toarray()
    if c["binary"]:
        X = (X > 0).astype(float)
    names = cv.get_feature_names_out()
    c["vocabulary"] = sorted(names.tolist())
    c["counts"] = [{names[j]: float(X[i, j]) for j in range(len(names)) if X[i, j] != 0}
                   for i in range(len(docs))]

cv = CountVectorizer(analyzer=lambda d: d)
counts = cv.fit_transform(docs)
tt = TfidfTransformer(smooth_idf=True, norm=None).fit(counts)
names = cv.get_feature_names_out()
spark_idf = tt.idf_ - 1.0
X = counts.toarray()
idf = {
    "terms": names.tolist(),
    "counts": X.tolist(),
    "docFreq": (X > 0).sum(axis=0).tolist(),
    "sparkIdf": spark_idf.tolist(),
    "sparkTfidf": (X * spark_idf).tolist(),
}
# The +1 relation, checked against the formula.
n = len(docs)
for j, d in enumerate(idf["docFreq"]):
    assert abs(spark_idf[j] - math.log((n + 1) / (d + 1))) < 1e-12

out = {
    "generator": "ml/feature/testdata/text_gen_reference.py",
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "murmur3": murmur,
    "tokenize": tokenize,
    "docs": docs,
    "count": count_cases,
    "idf": idf,
}
with open(os.path.join(HERE, "text_reference.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.join(HERE, "text_reference.json"))
