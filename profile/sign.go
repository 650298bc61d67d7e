package profile

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// KeyID derives the key id of a public (or private) Ed25519 JWK: base64url
// (no padding) of the first 12 bytes of the SHA-256 of the raw public key.
// It returns "" for any other kind of key.
func KeyID(k *jose.JSONWebKey) string {
	var pub ed25519.PublicKey
	switch key := k.Key.(type) {
	case ed25519.PublicKey:
		pub = key
	case ed25519.PrivateKey:
		pub = key.Public().(ed25519.PublicKey)
	default:
		return ""
	}
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// GenerateKey makes a new Ed25519 signing key pair as JWKs, with alg EdDSA,
// use sig and the derived key id.
func GenerateKey() (priv *jose.JSONWebKey, pub *jose.JSONWebKey, err error) {
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	pub = &jose.JSONWebKey{Key: pk, Algorithm: string(jose.EdDSA), Use: "sig"}
	pub.KeyID = KeyID(pub)
	priv = &jose.JSONWebKey{Key: sk, Algorithm: string(jose.EdDSA), Use: "sig", KeyID: pub.KeyID}
	return priv, pub, nil
}

// Sign signs data (the exact file bytes) with an Ed25519 private JWK and
// returns a compact JWS with a detached payload ("header..signature").
func Sign(data []byte, priv *jose.JSONWebKey) (string, error) {
	if priv == nil {
		return "", errors.New("no signing key")
	}
	sk, ok := priv.Key.(ed25519.PrivateKey)
	if !ok {
		return "", fmt.Errorf("the signing key is a %T, expected an Ed25519 private key", priv.Key)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: sk},
		(&jose.SignerOptions{}).WithHeader("kid", KeyID(priv)))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(data)
	if err != nil {
		return "", err
	}
	return obj.DetachedCompactSerialize()
}

// allowedHeader lists the only protected header parameters accepted.
var allowedHeader = map[string]bool{"alg": true, "kid": true, "typ": true}

// Verify checks a detached compact JWS over data against keys and returns
// the key id that signed it. Errors are *Error: "bad-signature" for anything
// wrong with the signature, "unknown-key" when no key has its kid.
func Verify(data []byte, jws string, keys []jose.JSONWebKey) (kid string, err error) {
	// bad is a bad-signature refusal; why writes its detail in a language.
	bad := func(why func(l10n.Lang) string) (string, error) {
		return "", refusal(event.ProfileBadSignature, func(l l10n.Lang) string {
			return l.T("bad signature: {{.Why}}", l10n.Args{"Why": why(l)})
		})
	}
	jws = strings.TrimSpace(jws)
	if jws == "" {
		return bad(func(l l10n.Lang) string { return l.T("the signature is empty") })
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return bad(func(l l10n.Lang) string { return l.T("not a compact JWS (header..signature)") })
	}
	if parts[1] != "" {
		return bad(func(l l10n.Lang) string {
			return l.T("the JWS carries its own payload; a detached signature over the file is required")
		})
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return bad(func(l l10n.Lang) string { return l.T("the JWS header is not base64url") })
	}
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return bad(func(l l10n.Lang) string { return l.T("the JWS header is not a JSON object") })
	}
	names := make([]string, 0, len(hdr))
	for k := range hdr {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !allowedHeader[k] {
			return bad(func(l l10n.Lang) string {
				return l.T("header parameter {{.Name}} is not allowed (only alg and kid; keys are never taken from the signature)", l10n.Args{"Name": strconv.Quote(k)})
			})
		}
	}
	if alg, _ := hdr["alg"].(string); alg != string(jose.EdDSA) {
		alg := strconv.Quote(fmt.Sprint(hdr["alg"]))
		return bad(func(l l10n.Lang) string {
			return l.T("algorithm {{.Alg}} is not allowed (only EdDSA)", l10n.Args{"Alg": alg})
		})
	}
	kid, _ = hdr["kid"].(string)
	if kid == "" {
		return bad(func(l l10n.Lang) string { return l.T("the JWS header has no kid") })
	}
	id := kid // the closures below keep this, not the named result
	var key *jose.JSONWebKey
	for i := range keys {
		if KeyID(&keys[i]) == kid {
			key = &keys[i]
			break
		}
	}
	if key == nil {
		return "", refusal(event.ProfileUnknownKey, func(l l10n.Lang) string {
			return l.T("signed by key {{.Key}}, which is not a trusted IT key", l10n.Args{"Key": id})
		})
	}
	if data == nil {
		data = []byte{}
	}
	obj, err := jose.ParseDetached(jws, data, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		why := strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
		return bad(func(l10n.Lang) string { return why })
	}
	pub := publicOf(key)
	if pub == nil {
		return "", refusal(event.ProfileUnknownKey, func(l l10n.Lang) string {
			return l.T("trusted key {{.Key}} is not an Ed25519 key", l10n.Args{"Key": id})
		})
	}
	if err := obj.DetachedVerify(data, pub); err != nil {
		return bad(func(l l10n.Lang) string {
			return l.T("the signature by key {{.Key}} does not match the content (was the file changed after signing?)", l10n.Args{"Key": id})
		})
	}
	return kid, nil
}

func publicOf(k *jose.JSONWebKey) ed25519.PublicKey {
	switch key := k.Key.(type) {
	case ed25519.PublicKey:
		return key
	case ed25519.PrivateKey:
		return key.Public().(ed25519.PublicKey)
	}
	return nil
}

// WriteKeyPair writes priv to dir/NAME.private.jwk (mode 0600, refusing to
// overwrite) and pub to dir/NAME.jwk, and returns both paths.
func WriteKeyPair(dir, name string, priv, pub *jose.JSONWebKey) (privPath, pubPath string, err error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", "", fmt.Errorf("key name %q: use a plain file name", name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	privPath = filepath.Join(dir, name+".private.jwk")
	pubPath = filepath.Join(dir, name+".jwk")
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("%s already exists; choose another --name or directory", p)
		}
	}
	pb, err := json.MarshalIndent(priv, "", "  ")
	if err != nil {
		return "", "", err
	}
	ub, err := json.MarshalIndent(pub, "", "  ")
	if err != nil {
		return "", "", err
	}
	f, err := os.OpenFile(privPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", "", err
	}
	_, err = f.Write(append(pb, '\n'))
	if err2 := f.Sync(); err == nil {
		err = err2
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err != nil {
		os.Remove(privPath)
		return "", "", err
	}
	if err := os.WriteFile(pubPath, append(ub, '\n'), 0o644); err != nil {
		return "", "", err
	}
	return privPath, pubPath, nil
}

// ReadPrivateKey reads an Ed25519 private JWK. It refuses a file that group
// or others may read (on systems with Unix permissions).
func ReadPrivateKey(path string) (*jose.JSONWebKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("%s is not a JWK: %v", path, err)
	}
	if _, ok := k.Key.(ed25519.PrivateKey); !ok {
		return nil, fmt.Errorf("%s is not an Ed25519 private key (%T)", path, k.Key)
	}
	return &k, nil
}

// ReadPublicKey reads an Ed25519 public JWK (a private one is reduced to its
// public half).
func ReadPublicKey(path string) (jose.JSONWebKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	return parsePublicKey(b, path)
}

// ParsePublicKey reads a public Ed25519 JWK from b; name identifies it in
// errors. A private JWK is reduced to its public part.
func ParsePublicKey(b []byte, name string) (jose.JSONWebKey, error) { return parsePublicKey(b, name) }

func parsePublicKey(b []byte, name string) (jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(bytes.TrimSpace(b)); err != nil {
		return k, fmt.Errorf("%s is not a JWK: %v", name, err)
	}
	pub := publicOf(&k)
	if pub == nil {
		return k, fmt.Errorf("%s is not an Ed25519 key (%T)", name, k.Key)
	}
	out := jose.JSONWebKey{Key: pub, Algorithm: string(jose.EdDSA), Use: "sig"}
	out.KeyID = KeyID(&out)
	return out, nil
}

// ReadKeys reads every *.jwk file of dir as a public key, ignoring
// *.private.jwk files. A missing directory is no keys; a bad file is reported in errs and
// skipped.
func ReadKeys(dir string) (keys []jose.JSONWebKey, errs []error) {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jwk"))
	sort.Strings(paths)
	for _, p := range paths {
		if strings.HasSuffix(p, ".private.jwk") {
			continue // a signing key, not a trusted public key
		}
		k, err := ReadPublicKey(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, k)
	}
	return keys, errs
}

// SystemDir is where IT installs keys and the managed profile:
// /etc/palisade on Linux and other Unix systems, %ProgramData%\Palisade on
// Windows, /Library/Application Support/Palisade on macOS. The environment
// variable PALISADE_SYSTEM_DIR overrides it.
func SystemDir() string {
	if d := os.Getenv("PALISADE_SYSTEM_DIR"); d != "" {
		return d
	}
	switch runtime.GOOS {
	case "windows":
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return filepath.Join(pd, "Palisade")
	case "darwin":
		return "/Library/Application Support/Palisade"
	}
	return "/etc/palisade"
}
