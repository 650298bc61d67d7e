package profile

import (
	"crypto/ed25519"
	"errors"
	"os"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/policy"
)

// fuzzKey is a fixed key, so that signatures in the seed corpus verify.
func fuzzKey() (*jose.JSONWebKey, jose.JSONWebKey) {
	sk := ed25519.NewKeyFromSeed([]byte("palisade fuzz key seed 32 bytes!"))
	priv := &jose.JSONWebKey{Key: sk, Algorithm: "EdDSA"}
	pub := jose.JSONWebKey{Key: sk.Public(), Algorithm: "EdDSA"}
	return priv, pub
}

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(examplePath); err == nil {
		f.Add(b)
	}
	f.Add(doc(f, 1, nil))
	f.Add([]byte(`{"format":"palisade-profile/1","format":1}`))
	f.Add([]byte(`{"format":"palisade-bulletin/1","id":"b","issued_at":"2026-01-01T00:00:00Z","severity":"info","title":"t","body":"b"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != "malformed" || e.Msg == "" {
				t.Fatalf("Parse error %T %v is not a malformed *Error", err, err)
			}
		} else {
			if string(p.Bytes()) != string(data) {
				t.Fatal("Bytes() differs from the input")
			}
			if _, err := policy.New(p.Rules()); err != nil {
				t.Fatalf("a parsed profile gives rules the policy refuses: %v", err)
			}
			_ = p.Settings()
			_ = Changes(p, p)
			if _, err := p.ServerCAs(); err != nil {
				t.Fatalf("ServerCAs of a parsed profile: %v", err)
			}
		}
		if _, err := ParseBulletin(data); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseBulletin error %T is not a *Error", err)
			}
		}
	})
}

func FuzzVerify(f *testing.F) {
	priv, pub := fuzzKey()
	for _, d := range [][]byte{doc(f, 1, nil), []byte("x"), {}} {
		s, err := Sign(d, priv)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(d, s)
	}
	f.Add([]byte("x"), "eyJhbGciOiJub25lIn0..")
	f.Add([]byte("x"), "a.b.c")
	kid := KeyID(&pub)
	f.Fuzz(func(t *testing.T, data []byte, jws string) {
		got, err := Verify(data, jws, []jose.JSONWebKey{pub})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Code != "bad-signature" && e.Code != "unknown-key") {
				t.Fatalf("Verify error %T %v is not a bad-signature/unknown-key *Error", err, err)
			}
			return
		}
		if got != kid {
			t.Fatalf("Verify returned kid %q, want %q", got, kid)
		}
		// A valid signature covers exactly these bytes.
		if _, err := Verify(append(append([]byte(nil), data...), ' '), jws, []jose.JSONWebKey{pub}); err == nil {
			t.Fatal("a signature verified for the data and for the data plus one byte")
		}
	})
}
