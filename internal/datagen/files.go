package datagen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MovieLensConfigFor returns DefaultMovieLensConfig scaled to n ratings
// the way MovieLens's releases grow: about 145 ratings per user (at least
// 671 users) and 733 ratings per movie (at least 9,066 movies). For
// n = 20,000,263 it gives 137,932 users and 27,285 movies, about the
// shape of MovieLens 20M (138,493 and 27,278); for n ≤ 100,004 the latest-small shape (n must still be
// at least Users·MinUserRatings for every user to get 20 ratings, else
// the minimum is lowered).
func MovieLensConfigFor(n int64) MovieLensConfig {
	c := DefaultMovieLensConfig()
	c.Ratings = n
	c.Users = int(min(max(n/145, 671), maxMovieLensIDs))
	c.Movies = int(min(max(n/733, 9066), maxMovieLensIDs))
	if n < int64(c.Users) {
		c.Users = int(max(n, 1))
	}
	return c
}

// WriteMovieLensFiles writes dir/ratings.csv and dir/movies.csv
// (WriteMovieLensCSV), creating dir if needed. Each file is written to a
// temporary name in dir, synced and renamed, so a reader never sees half a
// file and a failed run leaves the previous files in place.
func WriteMovieLensFiles(ctx context.Context, c MovieLensConfig, dir string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("datagen: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "ratings.csv"), func(w io.Writer) error {
		return WriteMovieLensCSV(ctx, c, w, nil)
	}); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "movies.csv"), func(w io.Writer) error {
		return WriteMovieLensCSV(ctx, c, nil, w)
	})
}

// WriteConnectionsFile writes c's records to path (WriteConnectionsCSV)
// through a temporary file, synced and renamed; path "-" writes to
// stdout. Parent directories are created.
func WriteConnectionsFile(ctx context.Context, c ConnectionsConfig, path string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if path == "-" {
		return WriteConnectionsCSV(ctx, c, os.Stdout)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("datagen: %w", err)
	}
	return writeFileAtomic(path, func(w io.Writer) error { return WriteConnectionsCSV(ctx, c, w) })
}

// writeFileAtomic writes path via a temporary file in its directory:
// write, fsync, close, rename. The temporary file is removed on failure.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("datagen: %w", err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				err = errors.Join(err, f.Close())
			}
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("datagen: %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("datagen: %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("datagen: %s: %w", path, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("datagen: %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("datagen: %w", err)
	}
	return nil
}
