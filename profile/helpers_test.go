package profile

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// now is the clock of the tests: inside the validity of every test profile.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

type keyPair struct {
	priv, pub *jose.JSONWebKey
}

var (
	keysOnce sync.Once
	testKeys [5]keyPair // k1 trusted; k2 announced; k3, k4 never trusted; k5 spare
)

func key(t testing.TB, i int) keyPair {
	keysOnce.Do(func() {
		for j := range testKeys {
			priv, pub, err := GenerateKey()
			if err != nil {
				panic(err)
			}
			testKeys[j] = keyPair{priv, pub}
		}
	})
	return testKeys[i-1]
}

// doc builds a valid profile document with the given serial, after edit
// changed its map form.
func doc(t testing.TB, serial int64, edit func(m map[string]any)) []byte {
	t.Helper()
	m := map[string]any{
		"format":     Format,
		"id":         "acme-default",
		"serial":     serial,
		"issued_at":  "2026-05-01T00:00:00Z",
		"expires_at": "2027-05-01T00:00:00Z",
		"organisation": map[string]any{
			"name":    "ACME",
			"domains": []any{"acme.test"},
		},
		"partners": []any{
			map[string]any{"name": "Partner Ltd", "domains": []any{"partner.test"}, "files_allowed": true, "max_file_size": 25 << 20},
		},
		"blocked_domains": []any{"phish.example"},
		"unknown_domains": "warn",
		"tor":             "optional",
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sign(t testing.TB, data []byte, k keyPair) string {
	t.Helper()
	s, err := Sign(data, k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// open opens a manager on dataDir that trusts k1 (as a builtin key).
func open(t testing.TB, dataDir string) *Manager {
	t.Helper()
	m, err := Open(Options{DataDir: dataDir, SystemDir: filepath.Join(dataDir, "no-system"), BuiltinKeys: []jose.JSONWebKey{*key(t, 1).pub}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readLog(t testing.TB, dataDir string) []logEntry {
	t.Helper()
	f, err := os.Open(LogPath(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []logEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e logEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

var (
	leafOnce sync.Once
	leaf     string
)

// leafPEM is a self-signed certificate that is not a CA.
func leafPEM() string {
	leafOnce.Do(func() {
		_, sk, _ := ed25519.GenerateKey(rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "leaf.acme.test"},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.Add(time.Hour),
			BasicConstraintsValid: true,
			IsCA:                  false,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, sk.Public(), sk)
		if err != nil {
			panic(err)
		}
		leaf = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	})
	return leaf
}
