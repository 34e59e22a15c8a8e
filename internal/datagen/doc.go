// Package datagen generates synthetic data sets for Sluice's examples,
// tests and benchmarks, shaped like well-known public data sets that are
// too large to ship or that no package distributes.
//
//   - MovieLens-style ratings (MovieLensRatings, WriteMovieLensCSV): users
//     rate movies with power-law activity and popularity, and the ratings
//     follow a planted model — a global mean, user and item biases, a
//     low-rank user×item interaction and Gaussian noise — rounded to half
//     stars. It scales from MovieLens "latest small" (100k ratings) to 20M
//     ratings in seconds with memory bounded by the number of users and
//     movies, never by the number of ratings.
//   - KDD Cup 1999-style network connections (Connections,
//     WriteConnectionsCSV): a mixture of normal traffic profiles (web,
//     mail, DNS, …) and a few attack patterns (smurf, neptune, portsweep,
//     guess_passwd), each record labelled "normal" or with its attack name.
//
// Every generator is deterministic for a configuration (including its
// Seed): the same Config yields identical output on every run (math/rand/v2's
// PCG source, no map iteration, no dependence on GOMAXPROCS). Generators
// check their ctx between batches of records and are safe to call
// concurrently (they share no state).
package datagen
