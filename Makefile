# Sluice — build, test and benchmark targets. DuckDB's Arrow interface needs
# the duckdb_arrow build tag, so every go command here passes $(TAGS).
GO        ?= go
TAGS      := -tags duckdb_arrow
BIN       := bin/sluice
STATICCHECK_VERSION := v0.8.2

.PHONY: build quickstart test test-race lint fuzz bench bench-ml bench-jobs bench-algos integration clean

build:
	$(GO) build $(TAGS) -o $(BIN) ./cmd/sluice

# Build, then create a workspace and run the churn pipeline job
# (examples/churn/job.yaml): ingest, SQL features, fit, register, score.
quickstart: build
	./$(BIN) quickstart

# Every test: formatting, vet, unit and integration tests (race detector on),
# which also runs every fuzz target on its seed corpus.
test:
	./scripts/test.sh

test-race:
	$(GO) test $(TAGS) -race ./...

lint:
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: files above need formatting" && exit 1)
	$(GO) vet $(TAGS) ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(TAGS) ./...

# Longer fuzzing of every parser (FUZZTIME each).
FUZZTIME ?= 60s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

# Side-by-side benchmarks against DuckDB (see bench/README.md).
bench: build
	./bench/run.sh

# Side-by-side ML benchmarks against scikit-learn and xgboost (bench/ml/README.md):
# installs the Debian packages, generates the synthetic set, prints ratios.
bench-ml:
	./bench/ml/run.sh

# The job engine: 1,000 no-op exec tasks beside GNU make (bench/jobs/run.sh).
bench-jobs:
	./bench/jobs/run.sh

# Recommendations, clustering and text (issue 6): ALS on MovieLens and at
# 20M-rating scale, KMeans and GaussianMixture and the spam pipeline beside
# scikit-learn (bench/algos.sh).
bench-algos:
	./bench/algos.sh

clean:
	rm -rf bin
