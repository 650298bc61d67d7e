package profile

import (
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func TestSmoke(t *testing.T) {
	doc := []byte(`{"format":"palisade-profile/1","id":"acme","serial":1,"issued_at":"2026-01-01T00:00:00Z","expires_at":"2027-12-01T00:00:00Z","organisation":{"name":"ACME","domains":["acme.test"]}}`)
	priv, pub, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := Sign(doc, priv)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(Options{DataDir: t.TempDir(), SystemDir: t.TempDir(), BuiltinKeys: []jose.JSONWebKey{*pub}, Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Apply(doc, sig, "import")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r.Changes, m.Summary())
}
