package web

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Password hashing: PBKDF2-HMAC-SHA256 (the standard library's), with
// OWASP's 2023 iteration count for it.
const (
	pbkdf2Iterations = 600_000
	sessionLife      = 12 * time.Hour
)

// Login checks the password that guards an app bound beyond this machine.
// Only a salted hash is kept.
type Login struct {
	salt, hash []byte
	iterations int
}

// LoadOrCreateLogin reads the password hash kept at path; on first start
// (no file) it hashes password (or, if empty, a new random one, returned
// so it can be shown once) and keeps the hash at path with mode 0600.
func LoadOrCreateLogin(path, password string) (l *Login, created string, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		l, err := parseLogin(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, "", fmt.Errorf("web: login file %s: %w", path, err)
		}
		return l, "", nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("web: login file: %w", err)
	}
	if password == "" {
		var r [15]byte
		rand.Read(r[:])
		password = base64.RawURLEncoding.EncodeToString(r[:])
	}
	l, err = NewLogin(password)
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, "", fmt.Errorf("web: login file: %w", err)
	}
	if err := os.WriteFile(path, []byte(l.String()+"\n"), 0o600); err != nil {
		return nil, "", fmt.Errorf("web: login file: %w", err)
	}
	return l, password, nil
}

// NewLogin hashes password with a fresh salt.
func NewLogin(password string) (*Login, error) {
	if len(password) < 8 {
		return nil, errors.New("web: the login password must be at least 8 characters")
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	hash, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	if err != nil {
		return nil, fmt.Errorf("web: hash password: %w", err)
	}
	return &Login{salt: salt, hash: hash, iterations: pbkdf2Iterations}, nil
}

// String is the stored form: pbkdf2-sha256$iterations$salt$hash.
func (l *Login) String() string {
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(l.iterations) + "$" + enc.EncodeToString(l.salt) + "$" + enc.EncodeToString(l.hash)
}

func parseLogin(s string) (*Login, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return nil, errors.New("not a DataPull password hash")
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 1 {
		return nil, errors.New("bad iteration count")
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	hash, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(hash) == 0 {
		return nil, errors.New("bad salt or hash")
	}
	return &Login{salt: salt, hash: hash, iterations: n}, nil
}

// Check reports whether password is the one hashed.
func (l *Login) Check(password string) bool {
	got, err := pbkdf2.Key(sha256.New, password, l.salt, l.iterations, len(l.hash))
	return err == nil && subtle.ConstantTimeCompare(got, l.hash) == 1
}

// requireLogin lets a request through when no login is needed, when it
// carries a live session, or when it is for the login page or a static
// file; anything else goes to the login page.
func (s *Server) requireLogin(h http.Handler) http.Handler {
	if s.loopback {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/login" || strings.HasPrefix(p, "/static/") || s.validSession(r) {
			h.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		s.fail(w, r, http.StatusUnauthorized, "Sign in to DataPull first.", "Open the login page and enter the password.")
	})
}

func (s *Server) validSession(r *http.Request) bool {
	c, err := r.Cookie(s.cookie)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.sessions[c.Value]
	if ok && time.Now().After(exp) {
		delete(s.sessions, c.Value)
		return false
	}
	return ok
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", page{Title: "Sign in"})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if s.loopback {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !parseForm(w, r) {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.", "")
		return
	}
	if !s.cfg.Login.Check(r.PostForm.Get("password")) {
		s.render(w, r, http.StatusUnauthorized, "login", page{Title: "Sign in", Error: "That password is not right."})
		return
	}
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	s.mu.Lock()
	s.sessions[token] = time.Now().Add(sessionLife)
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionLife / time.Second), Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.cookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
