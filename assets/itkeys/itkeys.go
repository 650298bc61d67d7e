package itkeys

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/profile"
)

// The README keeps the directory non-empty, so the build works without keys.
//
//go:embed keys
var files embed.FS

// Keys returns the built-in IT public keys. A file that is not a public
// Ed25519 JWK is reported in errs and skipped; private keys
// (*.private.jwk) are never trusted and are reported too, since shipping
// one would be a serious mistake.
func Keys() (keys []jose.JSONWebKey, errs []error) {
	return read(files, "keys")
}

func read(fsys fs.FS, dir string) (keys []jose.JSONWebKey, errs []error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, []error{err}
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".jwk") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasSuffix(n, ".private.jwk") {
			errs = append(errs, &PrivateKeyError{Name: n})
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		k, err := profile.ParsePublicKey(b, "built-in key "+n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, k)
	}
	return keys, errs
}

// PrivateKeyError: a private signing key was built into the client.
type PrivateKeyError struct{ Name string }

func (e *PrivateKeyError) Error() string {
	return "built-in key " + e.Name + " is a private signing key: it is ignored; remove it from the package and make a new IT key"
}
