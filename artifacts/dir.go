package artifacts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/apierr"
)

// UploadDir copies every file under the local directory localDir to the
// store's directory dst ("" is the root), keeping relative paths, up to
// the store's concurrency at once (see WithConcurrency). Symlinks inside
// localDir are followed when they resolve inside it and refused otherwise,
// as are names that are not valid artifact paths and special files; all
// checks happen before anything is written. A failure leaves the files
// already copied. ctx bounds the whole transfer.
func (s *Store) UploadDir(ctx context.Context, localDir, dst string) error {
	dst, err := s.checkPath(dst)
	if err != nil {
		return err
	}
	base, err := filepath.Abs(localDir)
	if err == nil {
		base, err = filepath.EvalSymlinks(base)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return apierr.NotFound("local directory %s does not exist", localDir)
		}
		return fmt.Errorf("upload %s: %w", localDir, err)
	}
	if fi, err := os.Stat(base); err != nil {
		return fmt.Errorf("upload %s: %w", localDir, err)
	} else if !fi.IsDir() {
		return apierr.Invalid("%s is not a directory; upload a file with Put", localDir)
	}
	root, err := os.OpenRoot(base)
	if err != nil {
		return fmt.Errorf("upload %s: %w", localDir, err)
	}
	defer root.Close()

	var files []string
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." || d.IsDir() {
			return nil
		}
		if c, err := CleanPath(p); err != nil || c != p {
			return apierr.Invalid("local file %s: %q is not a valid artifact path; rename it", filepath.Join(localDir, p), p)
		}
		mode := d.Type()
		if mode&fs.ModeSymlink != 0 {
			r, err := filepath.EvalSymlinks(filepath.Join(base, filepath.FromSlash(p)))
			if err != nil || !isWithin(base, r) {
				return apierr.Invalid("local file %s is a symlink that resolves outside %s", filepath.Join(localDir, p), localDir)
			}
			fi, err := os.Stat(r)
			if err != nil {
				return fmt.Errorf("upload %s: %w", filepath.Join(localDir, p), err)
			}
			mode = fi.Mode().Type()
			if fi.IsDir() {
				return apierr.Invalid("local file %s is a symlink to a directory; copy the directory instead", filepath.Join(localDir, p))
			}
		}
		if !mode.IsRegular() {
			return apierr.Invalid("local file %s is not a regular file", filepath.Join(localDir, p))
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		if apierr.As(err) != nil {
			return err
		}
		return fmt.Errorf("upload %s: %w", localDir, err)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.limit)
	for _, p := range files {
		g.Go(func() error {
			f, err := root.Open(p) // os.Root refuses anything leading out
			if err != nil {
				return fmt.Errorf("upload %s: %w", filepath.Join(localDir, p), err)
			}
			defer f.Close()
			return s.Put(gctx, joinKey(dst, p), f)
		})
	}
	return g.Wait()
}

// DownloadDir copies every file under the store's directory src ("" is
// the root) into the local directory localDir (created if missing),
// keeping relative paths, up to the store's concurrency at once. When src
// names a file rather than a directory, that file is written to
// localDir/<its base name>. Each file is written to a temporary file,
// synced and renamed; symlinks already in localDir that lead out of it are
// refused, as are stored names that are not valid artifact paths (checked
// before anything is written). A src with nothing under it is a
// RESOURCE_DOES_NOT_EXIST error, except the root. ctx bounds the whole
// transfer.
func (s *Store) DownloadDir(ctx context.Context, src, localDir string) error {
	src, err := s.checkPath(src)
	if err != nil {
		return err
	}
	rels, err := s.walk(ctx, src)
	if err != nil {
		return err
	}
	from := func(rel string) string { return joinKey(src, rel) }
	if len(rels) == 0 && src != "" {
		fi, err := s.Stat(ctx, src)
		if err != nil {
			return err
		}
		if !fi.IsDir {
			rels = []string{path.Base(src)}
			from = func(string) string { return src }
		}
	}
	if err := os.MkdirAll(localDir, 0o777); err != nil {
		return fmt.Errorf("download to %s: %w", localDir, err)
	}
	base, err := filepath.Abs(localDir)
	if err == nil {
		base, err = filepath.EvalSymlinks(base)
	}
	if err != nil {
		return fmt.Errorf("download to %s: %w", localDir, err)
	}
	for _, rel := range rels {
		if err := confineUnder(base, rel, base); err != nil {
			return apierr.Invalid("download to %s: %s", localDir, err)
		}
	}
	root, err := os.OpenRoot(base)
	if err != nil {
		return fmt.Errorf("download to %s: %w", localDir, err)
	}
	defer root.Close()

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.limit)
	for _, rel := range rels {
		g.Go(func() error {
			if err := s.download(gctx, from(rel), root, rel); err != nil {
				if apierr.As(err) != nil {
					return err
				}
				return fmt.Errorf("download %s to %s: %w", from(rel), filepath.Join(localDir, filepath.FromSlash(rel)), err)
			}
			return nil
		})
	}
	return g.Wait()
}

// download writes the store's file key to rel under root: a temporary
// file, synced, then renamed.
func (s *Store) download(ctx context.Context, key string, root *os.Root, rel string) (err error) {
	r, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o777); err != nil {
			return err
		}
	}
	var suffix [8]byte
	rand.Read(suffix[:])
	tmp := rel + ".tmp-" + hex.EncodeToString(suffix[:])
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if _, err = io.Copy(f, r); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return root.Rename(tmp, rel)
}
