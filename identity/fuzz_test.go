package identity

import (
	"encoding/pem"
	"testing"
	"time"
)

// FuzzParseRequest: any input is refused with an error or gives a request
// whose device id matches its key; it never panics.
func FuzzParseRequest(f *testing.F) {
	k, _ := NewKey()
	p, _ := CreateRequest(k, Request{JID: "alice@acme.test", Name: "Alice"})
	b, _ := pem.Decode(p)
	f.Add(p)
	f.Add(b.Bytes)
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ri, err := ParseRequest(data)
		if err != nil {
			return
		}
		if ri.DeviceID != DeviceID(ri.PublicKey) || checkBareJID(ri.JID) != nil {
			t.Fatalf("accepted an inconsistent request: %+v", ri)
		}
	})
}

// FuzzVerify: a chain of arbitrary bytes never verifies and never panics.
func FuzzVerify(f *testing.F) {
	c, k, _ := NewCA("ACME Identity CA", "ACME", t0, 24*time.Hour)
	ca, _ := LoadCA(c, k)
	dk, _ := NewKey()
	p, _ := CreateRequest(dk, Request{JID: "alice@acme.test"})
	ri, _ := ParseRequest(p)
	cert, _ := ca.Issue(ri, IssueOptions{Now: t0})
	der, _ := ChainDER(cert)
	v, _ := NewVerifier([]Anchor{{Cert: ca.Cert, Domains: []string{"acme.test"}}}, nil, nil)
	f.Add(der[0], []byte{})
	f.Add([]byte{0x30, 0x82}, ca.Cert.Raw)
	f.Fuzz(func(t *testing.T, leaf, next []byte) {
		chain := [][]byte{leaf}
		if len(next) > 0 {
			chain = append(chain, next)
		}
		r := v.Verify(chain, "alice@acme.test", t0)
		if r.Status == "verified" && string(leaf) != string(der[0]) {
			// Only the issued certificate (or a byte-identical one) may verify.
			if !r.PublicKey.Equal(dk.Public()) {
				t.Fatalf("a fuzzed chain verified: %+v", r)
			}
		}
	})
}
