package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

// staticFiles serves the embedded static files under a path holding a
// hash of their content, so a browser may cache them for good and still
// never runs an old script against a new page.
type staticFiles struct {
	byPath map[string]staticFile // "/static/<hash>/<name>"
	paths  map[string]string     // name → path
}

type staticFile struct {
	name string
	body []byte
}

func newStatic() (*staticFiles, error) {
	s := &staticFiles{byPath: map[string]staticFile{}, paths: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		url := "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		s.byPath[url] = staticFile{name: name, body: body}
		s.paths[name] = url
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return s, nil
}

// path is the URL of the named static file.
func (s *staticFiles) path(name string) (string, error) {
	p, ok := s.paths[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return p, nil
}

func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := s.byPath[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(f.name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.body))
}
