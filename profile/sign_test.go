package profile

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/event"
)

// forge builds a compact JWS with the given protected header and payload
// part, signed by k1 (so that only the header or the form is wrong).
func forge(t *testing.T, hdr map[string]any, payloadPart string, data []byte) string {
	t.Helper()
	hb, _ := json.Marshal(hdr)
	h := base64.RawURLEncoding.EncodeToString(hb)
	input := h + "." + base64.RawURLEncoding.EncodeToString(data)
	sig := ed25519.Sign(key(t, 1).priv.Key.(ed25519.PrivateKey), []byte(input))
	return h + "." + payloadPart + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestSignVerify(t *testing.T) {
	data := doc(t, 1, nil)
	k1 := key(t, 1)
	trusted := []jose.JSONWebKey{*k1.pub}
	good := sign(t, data, k1)
	if parts := strings.Split(good, "."); len(parts) != 3 || parts[1] != "" {
		t.Fatalf("Sign did not make a detached compact JWS: %q", good)
	}
	kid1 := KeyID(k1.pub)
	pubB64 := base64.RawURLEncoding.EncodeToString(k1.pub.Key.(ed25519.PublicKey))
	flip := func(i int) []byte {
		b := append([]byte(nil), data...)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name string
		data []byte
		jws  string
		keys []jose.JSONWebKey
		code string // "" = valid
		msg  string
	}{
		{"valid", data, good, trusted, "", ""},
		{"valid with surrounding whitespace", data, "\n" + good + "\n", trusted, "", ""},
		{"valid among several keys", data, good, []jose.JSONWebKey{*key(t, 3).pub, *k1.pub}, "", ""},
		{"tampered first byte", flip(0), good, trusted, event.ProfileBadSignature, "does not match"},
		{"tampered middle byte", flip(len(data) / 2), good, trusted, event.ProfileBadSignature, "does not match"},
		{"tampered last byte", flip(len(data) - 1), good, trusted, event.ProfileBadSignature, "does not match"},
		{"byte appended", append(append([]byte(nil), data...), '\n'), good, trusted, event.ProfileBadSignature, "does not match"},
		{"unknown key", data, sign(t, data, key(t, 3)), trusted, event.ProfileUnknownKey, "not a trusted IT key"},
		{"no keys", data, good, nil, event.ProfileUnknownKey, kid1},
		{"empty", data, "", trusted, event.ProfileBadSignature, "empty"},
		{"garbage", data, "hello", trusted, event.ProfileBadSignature, "compact JWS"},
		{"four parts", data, good + ".x", trusted, event.ProfileBadSignature, "compact JWS"},
		{"header not base64", data, "!!.." + strings.Split(good, ".")[2], trusted, event.ProfileBadSignature, "base64url"},
		{"attached payload", data, forge(t, map[string]any{"alg": "EdDSA", "kid": kid1}, base64.RawURLEncoding.EncodeToString(data), data), trusted, event.ProfileBadSignature, "detached"},
		{"alg none", data, forge(t, map[string]any{"alg": "none", "kid": kid1}, "", data), trusted, event.ProfileBadSignature, `"none"`},
		{"alg HS256", data, forge(t, map[string]any{"alg": "HS256", "kid": kid1}, "", data), trusted, event.ProfileBadSignature, `"HS256"`},
		{"no alg", data, forge(t, map[string]any{"kid": kid1}, "", data), trusted, event.ProfileBadSignature, "algorithm"},
		{"no kid", data, forge(t, map[string]any{"alg": "EdDSA"}, "", data), trusted, event.ProfileBadSignature, "kid"},
		{"embedded jwk", data, forge(t, map[string]any{"alg": "EdDSA", "kid": kid1, "jwk": map[string]any{"kty": "OKP", "crv": "Ed25519", "x": pubB64}}, "", data), trusted, event.ProfileBadSignature, `"jwk"`},
		{"jku", data, forge(t, map[string]any{"alg": "EdDSA", "kid": kid1, "jku": "https://evil.test/keys"}, "", data), trusted, event.ProfileBadSignature, `"jku"`},
		{"x5u", data, forge(t, map[string]any{"alg": "EdDSA", "kid": kid1, "x5u": "https://evil.test/cert"}, "", data), trusted, event.ProfileBadSignature, `"x5u"`},
		{"b64 false", data, forge(t, map[string]any{"alg": "EdDSA", "kid": kid1, "b64": false, "crit": []string{"b64"}}, "", data), trusted, event.ProfileBadSignature, "not allowed"},
		{"forged header, valid form", data, forge(t, map[string]any{"alg": "EdDSA", "kid": kid1}, "", data), trusted, "", ""},
		{"signature of another document", data, sign(t, doc(t, 2, nil), k1), trusted, event.ProfileBadSignature, "does not match"},
		{"kid of k1, signed by k3", data, forgeWith(t, key(t, 3), kid1, data), trusted, event.ProfileBadSignature, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kid, err := Verify(tt.data, tt.jws, tt.keys)
			if tt.code == "" {
				if err != nil || kid != kid1 {
					t.Fatalf("Verify = %q, %v; want %q, nil", kid, err, kid1)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify = %q, %v; want *Error %s", kid, err, tt.code)
			}
			if e.Code != tt.code || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("Verify error = %s %q; want %s containing %q", e.Code, e.Msg, tt.code, tt.msg)
			}
		})
	}
}

func forgeWith(t *testing.T, k keyPair, kid string, data []byte) string {
	hb, _ := json.Marshal(map[string]any{"alg": "EdDSA", "kid": kid})
	h := base64.RawURLEncoding.EncodeToString(hb)
	sig := ed25519.Sign(k.priv.Key.(ed25519.PrivateKey), []byte(h+"."+base64.RawURLEncoding.EncodeToString(data)))
	return h + ".." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	priv, pub, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if priv.KeyID == "" || priv.KeyID != pub.KeyID || KeyID(pub) != pub.KeyID || len(pub.KeyID) != 16 {
		t.Fatalf("key ids: %q %q", priv.KeyID, pub.KeyID)
	}
	privPath, pubPath, err := WriteKeyPair(dir, "it", priv, pub)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(privPath)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("private key mode %04o, want 0600", fi.Mode().Perm())
		}
	}
	if _, _, err := WriteKeyPair(dir, "it", priv, pub); err == nil {
		t.Error("WriteKeyPair overwrote an existing key")
	}
	rk, err := ReadPrivateKey(privPath)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ReadPublicKey(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	data := doc(t, 1, nil)
	jws, err := Sign(data, rk)
	if err != nil {
		t.Fatal(err)
	}
	if kid, err := Verify(data, jws, []jose.JSONWebKey{pk}); err != nil || kid != pub.KeyID {
		t.Errorf("round trip through files: %q, %v", kid, err)
	}
	pubText, _ := os.ReadFile(pubPath)
	if strings.Contains(string(pubText), `"d"`) {
		t.Error("the public key file contains the private part")
	}
	if _, err := ReadPrivateKey(pubPath); err == nil {
		t.Error("ReadPrivateKey accepted a public key")
	}
	keys, errs := ReadKeys(dir)
	if len(keys) != 1 || len(errs) != 0 || KeyID(&keys[0]) != pub.KeyID {
		t.Errorf("ReadKeys = %v, %v; want the public key only", keys, errs)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(privPath, 0o640); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadPrivateKey(privPath); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a group-readable private key was accepted: %v", err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.jwk"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if keys, errs := ReadKeys(dir); len(keys) != 1 || len(errs) != 1 {
		t.Errorf("ReadKeys with a junk file = %d keys, %v", len(keys), errs)
	}
}

func TestSystemDirOverride(t *testing.T) {
	t.Setenv("PALISADE_SYSTEM_DIR", "/tmp/x")
	if SystemDir() != "/tmp/x" {
		t.Errorf("SystemDir = %q", SystemDir())
	}
	t.Setenv("PALISADE_SYSTEM_DIR", "")
	want := map[string]string{"linux": "/etc/palisade", "darwin": "/Library/Application Support/Palisade"}[runtime.GOOS]
	if want != "" && SystemDir() != want {
		t.Errorf("SystemDir = %q, want %q", SystemDir(), want)
	}
}
