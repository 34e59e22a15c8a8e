#!/usr/bin/python3
"""Generate lda_reference.json for the LDA Go tests.

Run with Debian's interpreter (python3-sklearn 1.2 is installed for it):

    /usr/bin/python3 ml/clustering/testdata/lda_gen_reference.py > ml/clustering/testdata/lda_reference.json

The corpus is planted: 3 topics over a 30-term vocabulary with disjoint
blocks (topic t uses terms 10t … 10t+9, Zipf-like weights 1/(j+1) within
the block), 200 documents with mixtures θ ~ Dirichlet(0.2) and
5 + Poisson(40) tokens, plus 2 empty documents. Documents are stored sparse
as [[term, count], …].

scikit-learn's LatentDirichletAllocation(learning_method="online") runs
with Spark's priors (doc_topic_prior = topic_word_prior = 1/k) and a
schedule close to the Go test's (learning_offset 10, learning_decay 0.7,
batch_size 40 of 202 documents, 30 epochs). Stored: its topics
(components_, k × vocabulary), its variational bound on the corpus
(score), perplexity = exp(−bound / tokens), and its normalised topic
mixtures (transform). The Go test (1) rebuilds a model from components_
and checks that Sluice's bound and mixtures match scikit-learn's — both
run the same per-document fixed point from different random starts — and
(2) compares its own fit's log perplexity with ln(perplexity).
"""
import json
import sys
import warnings

import numpy as np
from sklearn.decomposition import LatentDirichletAllocation

SEED = 20261208
warnings.filterwarnings("ignore")


def main():
    rng = np.random.default_rng(SEED)
    k, block, V = 3, 10, 30
    beta = np.zeros((k, V))
    for t in range(k):
        w = 1.0 / (np.arange(block) + 1)
        beta[t, t * block:(t + 1) * block] = w / w.sum()
    n_docs = 200
    X = np.zeros((n_docs + 2, V))
    for d in range(n_docs):
        theta = rng.dirichlet(np.full(k, 0.2))
        n_tok = 5 + rng.poisson(40)
        z = rng.choice(k, size=n_tok, p=theta)
        for t in z:
            X[d, rng.choice(V, p=beta[t])] += 1
    # Two empty documents (rows 100 and 201, 1-based 101 and 202).
    X = np.insert(X[:n_docs], 100, np.zeros(V), axis=0)
    X = np.vstack([X, np.zeros(V)])
    lda = LatentDirichletAllocation(n_components=k, doc_topic_prior=1 / k, topic_word_prior=1 / k,
                                    learning_method="online", learning_offset=10.0, learning_decay=0.7,
                                    batch_size=40, max_iter=30, total_samples=X.shape[0],
                                    evaluate_every=-1, mean_change_tol=1e-3, max_doc_update_iter=100,
                                    random_state=0).fit(X)
    docs = [[[int(j), float(X[d, j])] for j in np.flatnonzero(X[d])] for d in range(X.shape[0])]
    out = {
        "k": k, "vocabSize": V, "docs": docs,
        "components": lda.components_.tolist(),
        "score": float(lda.score(X)),
        "perplexity": float(lda.perplexity(X)),
        "tokens": float(X.sum()),
        "transform": lda.transform(X).tolist(),
        "topTerms": [np.argsort(-c, kind="stable")[:5].tolist() for c in lda.components_],
    }
    json.dump({"lda": out}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
