#!/bin/sh
# Fetch the MovieLens data of this example into data/ (next to this script):
#
#   ./get-data.sh                 MovieLens "latest small" (100,004 ratings, 671 users,
#                                 9,066 movies) from Debian's r-cran-dslabs package,
#                                 exported with Rscript (installs the package if missing;
#                                 needs root or sudo for apt-get)
#   ./get-data.sh --synthetic [N] N synthetic ratings (default 1,000,000) with MovieLens's
#                                 skew, from Sluice's generator: `sluice examples generate
#                                 movielens`, or `go run ./examples/movielens/gen` in a
#                                 source checkout
#
# Both write data/ratings.csv (userId,movieId,rating,timestamp) and
# data/movies.csv (movieId,title,genres), MovieLens's format. data/ is
# git-ignored: never commit the ratings (MovieLens's licence forbids
# redistribution).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data="$here/data"
mkdir -p "$data"

if [ "${1:-}" = "--synthetic" ]; then
	n=${2:-1000000}
	case $n in *[!0-9]*|'') echo "get-data.sh: --synthetic takes a number of ratings, not '$n'" >&2; exit 2;; esac
	sluice=${SLUICE_BIN:-sluice}
	if command -v "$sluice" >/dev/null 2>&1 && "$sluice" examples generate movielens --help >/dev/null 2>&1; then
		"$sluice" examples generate movielens --ratings "$n" --out "$data"
	elif command -v go >/dev/null 2>&1 && [ -f "$here/gen/main.go" ]; then
		(cd "$here/../.." && go run ./examples/movielens/gen -ratings "$n" -out "$data")
	else
		echo "get-data.sh: --synthetic needs sluice (examples generate movielens) on PATH, or Go in a source checkout" >&2
		exit 1
	fi
	exit 0
fi
if [ $# -gt 0 ]; then
	echo "usage: get-data.sh [--synthetic [RATINGS]]" >&2
	exit 2
fi

if ! Rscript -e 'quietly <- requireNamespace("dslabs", quietly = TRUE); quit(status = !quietly)' >/dev/null 2>&1; then
	echo "installing Debian's r-cran-dslabs (MovieLens latest-small ships in it)…" >&2
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || { echo "get-data.sh: run as root, or install r-cran-dslabs (apt-get install r-cran-dslabs)" >&2; exit 1; }
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y --no-install-recommends r-cran-dslabs >/dev/null 2>&1 || {
		$sudo apt-get update >/dev/null
		$sudo apt-get install -y --no-install-recommends r-cran-dslabs
	}
fi

# dslabs's movielens data frame has movieId, title, year, genres, userId,
# rating, timestamp; MovieLens writes the year into the title.
DATA="$data" Rscript --vanilla - <<'R'
suppressPackageStartupMessages(library(dslabs))
data("movielens", package = "dslabs")
out <- Sys.getenv("DATA")
csvq <- function(s) ifelse(grepl('[",]', s), paste0('"', gsub('"', '""', s), '"'), s)

r <- movielens[order(movielens$userId, movielens$movieId), c("userId", "movieId", "rating", "timestamp")]
r$rating <- sprintf("%.1f", r$rating)
write.csv(r, file.path(out, "ratings.csv.tmp"), row.names = FALSE, quote = FALSE)

m <- unique(movielens[, c("movieId", "title", "year", "genres")])
m <- m[order(m$movieId), ]
title <- ifelse(is.na(m$year), m$title, paste0(m$title, " (", m$year, ")"))
lines <- paste(m$movieId, csvq(title), csvq(as.character(m$genres)), sep = ",")
writeLines(c("movieId,title,genres", lines), file.path(out, "movies.csv.tmp"))
cat(sprintf("MovieLens latest-small: %d ratings, %d users, %d movies\n",
            nrow(r), length(unique(r$userId)), nrow(m)))
R
mv "$data/ratings.csv.tmp" "$data/ratings.csv"
mv "$data/movies.csv.tmp" "$data/movies.csv"
echo "wrote $data/ratings.csv and $data/movies.csv"
