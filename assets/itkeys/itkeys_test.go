package itkeys

import (
	"encoding/json"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/palisade-im/palisade/profile"
)

func TestPublicBuildHasNoKeys(t *testing.T) {
	keys, errs := Keys()
	if len(keys) != 0 || len(errs) != 0 {
		t.Fatalf("Keys() = %d keys, errors %v; the public build carries none", len(keys), errs)
	}
}

func TestRead(t *testing.T) {
	priv, pub, err := profile.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pubJSON, _ := json.Marshal(pub)
	privJSON, _ := json.Marshal(priv)
	fsys := fstest.MapFS{
		"keys/README.md":       {Data: []byte("not a key")},
		"keys/acme.jwk":        {Data: pubJSON},
		"keys/old.private.jwk": {Data: privJSON},
		"keys/broken.jwk":      {Data: []byte("{")},
	}
	keys, errs := read(fsys, "keys")
	if len(keys) != 1 || keys[0].KeyID != profile.KeyID(pub) {
		t.Fatalf("keys = %+v, want the one public key %s", keys, profile.KeyID(pub))
	}
	var pe *PrivateKeyError
	if len(errs) != 2 || !errors.As(errs[1], &pe) || pe.Name != "old.private.jwk" {
		t.Fatalf("errs = %v, want the broken key then the private key refused", errs)
	}
}
