package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/apierr"
)

// FileInfo describes one entry of a listing.
type FileInfo struct {
	Path     string // relative to the store's root, "/"-separated
	IsDir    bool   // a directory (a key prefix)
	FileSize int64  // bytes; 0 for directories
}

// Store is an artifact store: a local directory or an S3 bucket (and
// prefix) holding files addressed by relative paths (see CleanPath). All
// methods are safe for concurrent use; Close must not overlap them.
type Store struct {
	b      *blob.Bucket
	desc   string // the URL or directory it was opened from
	local  string // a local store's root directory, symlinks resolved; "" for S3
	prefix string // a Sub store's key prefix: "" or a clean path plus "/"
	limit  int    // fan-out of UploadDir, DownloadDir and Delete
	owner  bool   // Close closes b (the Store Open returned)

	closeOnce sync.Once
	closeErr  error
}

// Option configures Open.
type Option func(*Store)

// WithConcurrency bounds how many files UploadDir, DownloadDir and a
// recursive Delete transfer at once. The default (and n < 1) is
// runtime.GOMAXPROCS(0), at least 4.
func WithConcurrency(n int) Option {
	return func(s *Store) {
		if n >= 1 {
			s.limit = n
		}
	}
}

// Open opens the artifact store at rawURL:
//
//   - a plain directory path or file:///dir: a local directory, created if
//     missing. Files are written to a temporary file next to their final
//     name ("<name>.<hex>.tmp"), synced and renamed, so readers never see a
//     partial file; a crash midway can leave such a temporary file behind.
//   - s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&use_path_style=true:
//     an S3 (or S3-compatible) bucket through gocloud.dev/blob/s3blob and
//     aws-sdk-go-v2; the optional prefix is prepended to every key.
//     Credentials come from the usual AWS sources (AWS_ACCESS_KEY_ID and
//     AWS_SECRET_ACCESS_KEY, AWS_PROFILE, …); the query takes the
//     parameters gocloud.dev documents for S3 URLs (region, endpoint,
//     profile, anonymous, use_path_style, disable_https, …).
//
// Open checks that the store is reachable; ctx bounds that check. The
// returned Store must be closed.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Store, error) {
	s := &Store{desc: rawURL, owner: true, limit: max(runtime.GOMAXPROCS(0), 4)}
	for _, o := range opts {
		o(s)
	}
	var err error
	switch {
	case rawURL == "":
		return nil, errors.New("open artifact store: no URL or directory given")
	case strings.HasPrefix(rawURL, "s3://"):
		err = s.openS3(ctx, rawURL)
	case strings.HasPrefix(rawURL, "file:"):
		u, perr := url.Parse(rawURL)
		if perr != nil {
			return nil, fmt.Errorf("open artifact store %s: %w", rawURL, unwrapURLError(perr))
		}
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("open artifact store %s: file URLs name a local directory (file:///dir), not host %q", rawURL, u.Host)
		}
		dir := u.Path
		if u.Opaque != "" {
			dir = u.Opaque
		}
		err = s.openLocal(dir)
	case strings.Contains(rawURL, "://"):
		scheme, _, _ := strings.Cut(rawURL, "://")
		return nil, fmt.Errorf("open artifact store %s: unsupported scheme %q; use a directory, file:///dir or s3://bucket/prefix", rawURL, scheme)
	default:
		err = s.openLocal(rawURL)
	}
	if err != nil {
		return nil, fmt.Errorf("open artifact store %s: %w", rawURL, err)
	}
	return s, nil
}

func (s *Store) openLocal(dir string) error {
	if dir == "" {
		return errors.New("empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o777); err != nil {
		return err
	}
	// Resolve the root once so that every containment check compares
	// resolved paths with a resolved root.
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return err
	}
	b, err := fileblob.OpenBucket(abs, &fileblob.Options{
		// Temporary files next to their final name: os.TempDir may be on
		// another file system, where rename fails.
		NoTempDir: true,
		// No .attrs sidecar files: the directory holds exactly the
		// artifacts, as MLflow's local artifact repository does.
		Metadata: fileblob.MetadataDontWrite,
	})
	if err != nil {
		return err
	}
	s.b, s.local = b, abs
	return nil
}

func (s *Store) openS3(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return unwrapURLError(err)
	}
	if u.Host == "" {
		return errors.New("no bucket: want s3://bucket/prefix")
	}
	prefix, err := CleanPath(strings.Trim(u.Path, "/"))
	if err != nil {
		return fmt.Errorf("prefix: %w", err)
	}
	bu := *u
	bu.Path, bu.RawPath = "", ""
	b, err := (&s3blob.URLOpener{}).OpenBucketURL(ctx, &bu)
	if err != nil {
		return err
	}
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix+"/")
	}
	ok, err := b.IsAccessible(ctx)
	if err == nil && !ok {
		err = fmt.Errorf("bucket %s does not exist", u.Host)
	}
	if err != nil {
		b.Close()
		return err
	}
	s.b = b
	return nil
}

// String describes the store: the URL it was opened from, and for a Sub
// store the mlflow-artifacts URI of its root.
func (s *Store) String() string {
	if s.prefix == "" {
		return s.desc
	}
	return s.desc + " " + URIForKey(strings.TrimSuffix(s.prefix, "/"))
}

// Close releases the store. It is idempotent; on a Store returned by Sub
// or RunRoot it does nothing (close the Store from Open instead).
func (s *Store) Close() error {
	if !s.owner {
		return nil
	}
	s.closeOnce.Do(func() { s.closeErr = s.b.Close() })
	return s.closeErr
}

// Sub returns a view of s confined to directory dir: its paths are relative
// to dir and can never leave it. The view shares s's connection; closing it
// is a no-op. dir is checked like any path (see CleanPath).
func (s *Store) Sub(dir string) (*Store, error) {
	d, err := s.checkPath(dir)
	if err != nil {
		return nil, err
	}
	if d == "" {
		d = strings.TrimSuffix(s.prefix, "/")
	} else {
		d = joinKey(strings.TrimSuffix(s.prefix, "/"), d)
	}
	sub := &Store{b: s.b, desc: s.desc, local: s.local, limit: s.limit}
	if d != "" {
		sub.prefix = d + "/"
	}
	return sub, nil
}

// RunRoot returns the view of s (a Store from Open) confined to the
// directory that artifactURI (a run's artifact_uri,
// "mlflow-artifacts:/<experiment_id>/<run_id>/artifacts") names, so that a
// request about one run can never reach another's files. An URI KeyForURI
// refuses, or one naming the store's root, is an INVALID_PARAMETER_VALUE
// error.
func (s *Store) RunRoot(artifactURI string) (*Store, error) {
	key, err := KeyForURI(artifactURI)
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, apierr.Invalid("artifact URI %q names the artifact store's root, not a run's directory", artifactURI)
	}
	return s.Sub(key)
}

// Put writes r's content to the file at p, replacing any file there. A
// failed or canceled Put leaves no partial file (local stores write a
// temporary file, sync it and rename it; S3 completes the upload only on
// success). ctx bounds the whole transfer.
func (s *Store) Put(ctx context.Context, p string, r io.Reader) error {
	p, err := s.filePath(p)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var f *os.File
	w, err := s.b.NewWriter(wctx, s.prefix+p, &blob.WriterOptions{
		ContentType: ContentType(p),
		BeforeWrite: func(as func(any) bool) error {
			as(&f) // fileblob: the temporary file, synced before the rename
			return nil
		},
	})
	if err != nil {
		return s.fail(opWrite, p, err)
	}
	_, err = io.Copy(w, r)
	if err == nil && f != nil {
		err = f.Sync()
	}
	if err != nil {
		cancel() // makes Close discard the write
		w.Close()
		return s.fail(opWrite, p, err)
	}
	return s.fail(opWrite, p, w.Close())
}

// Get opens the file at p for reading; the caller closes it. The reader
// also has Size() int64 (the file's size). A missing file (or a directory)
// is a RESOURCE_DOES_NOT_EXIST error naming p. ctx bounds the reads.
func (s *Store) Get(ctx context.Context, p string) (io.ReadCloser, error) {
	p, err := s.filePath(p)
	if err != nil {
		return nil, err
	}
	r, err := s.b.NewReader(ctx, s.prefix+p, nil)
	if err != nil {
		return nil, s.fail(opRead, p, err)
	}
	return r, nil
}

// Stat describes the file or directory at p ("" is the root, always a
// directory). Neither is a RESOURCE_DOES_NOT_EXIST error naming p.
func (s *Store) Stat(ctx context.Context, p string) (FileInfo, error) {
	p, err := s.checkPath(p)
	if err != nil {
		return FileInfo{}, err
	}
	if p == "" {
		return FileInfo{IsDir: true}, nil
	}
	a, err := s.b.Attributes(ctx, s.prefix+p)
	if err == nil {
		return FileInfo{Path: p, FileSize: a.Size}, nil
	}
	if err := s.fail(opRead, p, err); !apierr.IsNotFound(err) {
		return FileInfo{}, err
	}
	page, _, err := s.b.ListPage(ctx, blob.FirstPageToken, 1, &blob.ListOptions{Prefix: s.dirKey(p)})
	if err != nil {
		return FileInfo{}, s.fail(opList, p, err)
	}
	if len(page) == 0 {
		return FileInfo{}, s.notFound(p, nil)
	}
	return FileInfo{Path: p, IsDir: true}, nil
}

// List lists directory dir one level deep, as MLflow lists artifacts:
// files with their sizes and subdirectories (key prefixes), sorted by
// path, each path relative to the store's root (listing "model" gives
// "model/MLmodel", …). Listing a file or a missing directory gives an
// empty list, as in MLflow. ctx bounds the listing.
func (s *Store) List(ctx context.Context, dir string) ([]FileInfo, error) {
	dir, err := s.checkPath(dir)
	if err != nil {
		return nil, err
	}
	pfx := s.dirKey(dir)
	it := s.b.List(&blob.ListOptions{Prefix: pfx, Delimiter: "/"})
	var out []FileInfo
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, s.fail(opList, dir, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(obj.Key, pfx), "/")
		if name == "" || strings.Contains(name, "/") {
			continue // S3 "directory marker" objects ("dir/") and keys with "//"
		}
		rel := joinKey(dir, name)
		if c, err := CleanPath(rel); err != nil || c != rel {
			return nil, apierr.Invalid("artifact directory %q holds %q, which is not a valid artifact path; rename it in the store", dir, name)
		}
		if s.local != "" {
			var fi os.FileInfo
			if obj.As(&fi) && fi.Mode()&os.ModeSymlink != 0 {
				if err := s.confine(rel); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, FileInfo{Path: rel, IsDir: obj.IsDir, FileSize: obj.Size})
	}
	slices.SortFunc(out, func(a, b FileInfo) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// Delete deletes the file at p, or the directory p with everything under
// it ("" deletes everything in the store). Deleting nothing is not an
// error. A recursive Delete that fails partway leaves the files it did not
// reach. ctx bounds the whole operation.
func (s *Store) Delete(ctx context.Context, p string) error {
	p, err := s.checkPath(p)
	if err != nil {
		return err
	}
	if p != "" {
		// Exists is false for a local directory, so this never removes one.
		ok, err := s.b.Exists(ctx, s.prefix+p)
		if err != nil {
			if err := s.fail(opRead, p, err); !apierr.IsNotFound(err) {
				return err
			}
		}
		if ok {
			if err := s.b.Delete(ctx, s.prefix+p); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				return s.fail(opDelete, p, err)
			}
		}
	}
	keys, err := s.walk(ctx, p)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.limit)
	for _, rel := range keys {
		key := joinKey(p, rel)
		g.Go(func() error {
			if err := s.b.Delete(gctx, s.prefix+key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				return s.fail(opDelete, key, err)
			}
			return nil
		})
	}
	err = g.Wait()
	if s.local != "" && err == nil {
		s.removeEmptyDirs(p)
	}
	return err
}

// walk returns the paths, relative to dir, of every file under directory
// dir, checking each (see CleanPath and, for local stores, symlinks).
func (s *Store) walk(ctx context.Context, dir string) ([]string, error) {
	pfx := s.dirKey(dir)
	it := s.b.List(&blob.ListOptions{Prefix: pfx})
	var out []string
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, s.fail(opList, dir, err)
		}
		rel := strings.TrimPrefix(obj.Key, pfx)
		if rel == "" || strings.HasSuffix(rel, "/") {
			continue // S3 directory markers
		}
		if c, err := CleanPath(rel); err != nil || c != rel {
			return nil, apierr.Invalid("artifact directory %q holds %q, which is not a valid artifact path; rename it in the store", dir, rel)
		}
		if s.local != "" {
			var fi os.FileInfo
			if obj.As(&fi) && fi.Mode()&os.ModeSymlink != 0 {
				if err := s.confine(joinKey(dir, rel)); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, rel)
	}
}

// removeEmptyDirs removes the directories left empty under (and including)
// dir after a recursive Delete of a local store, but never the root.
func (s *Store) removeEmptyDirs(dir string) {
	top := filepath.Join(s.local, filepath.FromSlash(s.prefix+dir))
	var dirs []string
	filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	root := filepath.Join(s.local, filepath.FromSlash(s.prefix))
	for _, d := range slices.Backward(dirs) {
		if d != root && d != s.local {
			os.Remove(d) // fails, harmlessly, when not empty
		}
	}
}

// dirKey is the key prefix of directory dir (clean).
func (s *Store) dirKey(dir string) string {
	if dir == "" {
		return s.prefix
	}
	return s.prefix + dir + "/"
}

// checkPath cleans p and, for local stores, refuses symlinks along it that
// resolve outside the store's root.
func (s *Store) checkPath(p string) (string, error) {
	p, err := CleanPath(p)
	if err != nil {
		return "", err
	}
	if err := s.confine(p); err != nil {
		return "", err
	}
	return p, nil
}

// filePath is checkPath for a path that must name a file.
func (s *Store) filePath(p string) (string, error) {
	c, err := s.checkPath(p)
	if err != nil {
		return "", err
	}
	if c == "" {
		return "", apierr.Invalid("artifact path %q names the artifact root; name a file", p)
	}
	return c, nil
}

// confine checks a local store's path p: no existing component of it may
// be a symlink resolving outside the store's root (a Sub store's root).
func (s *Store) confine(p string) error {
	if s.local == "" {
		return nil
	}
	base := filepath.Join(s.local, filepath.FromSlash(s.prefix))
	if s.prefix != "" {
		// The Sub root's own components count too.
		if err := confineUnder(s.local, strings.TrimSuffix(s.prefix, "/"), base); err != nil {
			return apierr.Invalid("artifact path %q: %s", p, err)
		}
	}
	if err := confineUnder(base, p, base); err != nil {
		return apierr.Invalid("artifact path %q: %s", p, err)
	}
	return nil
}

// escapeError says which component of a path is a symlink leading out.
type escapeError struct{ component string }

func (e *escapeError) Error() string {
	return fmt.Sprintf("%s is a symlink that resolves outside the artifact root", e.component)
}

// confineUnder walks rel's components under dir (all resolved except rel)
// and returns an *escapeError when an existing one is a symlink that does
// not resolve (dangling) or resolves outside within.
func confineUnder(dir, rel, within string) error {
	if rel == "" {
		return nil
	}
	cur, done := dir, ""
	for seg := range strings.SplitSeq(rel, "/") {
		cur = filepath.Join(cur, seg)
		done = joinKey(done, seg)
		fi, err := os.Lstat(cur)
		if err != nil {
			// Missing (or under a file): nothing further can be a symlink;
			// the operation itself reports the error.
			return nil
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			continue
		}
		r, err := filepath.EvalSymlinks(cur)
		if err != nil || !isWithin(within, r) {
			return &escapeError{component: done}
		}
	}
	return nil
}

// isWithin reports whether p is dir or under it (both clean, absolute).
func isWithin(dir, p string) bool {
	if p == dir {
		return true
	}
	if dir == string(filepath.Separator) {
		return strings.HasPrefix(p, dir)
	}
	return strings.HasPrefix(p, dir+string(filepath.Separator))
}

type op string

const (
	opRead   op = "read"
	opWrite  op = "write"
	opList   op = "list"
	opDelete op = "delete"
)

// fail turns a storage error into a user-facing one where the caller
// caused it (a missing file, a file where a directory is needed) and wraps
// anything else for the logs.
func (s *Store) fail(o op, p string, err error) error {
	if err == nil || apierr.As(err) != nil {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s artifact %s: %w", o, p, err)
	}
	if gcerrors.Code(err) == gcerrors.NotFound {
		return s.notFound(p, err)
	}
	switch {
	case errors.Is(err, syscall.ENOTDIR):
		if o == opRead {
			return s.notFound(p, err)
		}
		return &apierr.Error{Code: apierr.InvalidParameterValue, Message: fmt.Sprintf("artifact path %q%s: a parent directory of it is a file", p, s.under()), Err: err}
	case errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.EEXIST), errors.Is(err, syscall.ENOTEMPTY):
		return &apierr.Error{Code: apierr.InvalidParameterValue, Message: fmt.Sprintf("artifact path %q%s is a directory", p, s.under()), Err: err}
	}
	return fmt.Errorf("%s artifact %s in %s: %w", o, p, s, err)
}

func (s *Store) notFound(p string, err error) error {
	return &apierr.Error{Code: apierr.ResourceDoesNotExist, Message: fmt.Sprintf("artifact %q%s does not exist", p, s.under()), Err: err}
}

// under names a Sub store's root for messages.
func (s *Store) under() string {
	if s.prefix == "" {
		return ""
	}
	return " under " + URIForKey(strings.TrimSuffix(s.prefix, "/"))
}
