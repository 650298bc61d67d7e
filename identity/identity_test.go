package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testCA struct {
	ca      *CA
	certPEM []byte
}

func newTestCA(t *testing.T, name, org string) testCA {
	t.Helper()
	c, k, err := NewCA(name, org, t0.Add(-24*time.Hour), 10*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(c, k)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{ca, c}
}

type device struct {
	key ed25519.PrivateKey
	req *RequestInfo
}

func newDevice(t *testing.T, jid, name string) device {
	t.Helper()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	p, err := CreateRequest(k, Request{JID: jid, Name: name, DeviceID: DeviceID(k.Public().(ed25519.PublicKey))})
	if err != nil {
		t.Fatal(err)
	}
	ri, err := ParseRequest(p)
	if err != nil {
		t.Fatal(err)
	}
	return device{k, ri}
}

func (c testCA) issue(t *testing.T, d device, o IssueOptions) [][]byte {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = t0
	}
	p, err := c.ca.Issue(d.req, o)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := ChainDER(p)
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

func TestKeyRoundTripAndDeviceID(t *testing.T) {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	s := EncodeKey(k)
	k2, err := DecodeKey(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k, k2) {
		t.Fatal("key changed in the round trip")
	}
	id := DeviceID(k.Public().(ed25519.PublicKey))
	if !regexp.MustCompile(`^[0-9a-f]{4}(-[0-9a-f]{4}){7}$`).MatchString(id) {
		t.Fatalf("device id %q has the wrong form", id)
	}
	k3, _ := NewKey()
	if DeviceID(k3.Public().(ed25519.PublicKey)) == id {
		t.Fatal("two keys, one device id")
	}
	for _, bad := range []string{"", "not base64!", "aGVsbG8="} {
		if _, err := DecodeKey(bad); err == nil {
			t.Errorf("DecodeKey(%q) accepted", bad)
		}
	}
}

func TestRequest(t *testing.T) {
	k, _ := NewKey()
	id := DeviceID(k.Public().(ed25519.PublicKey))
	p, err := CreateRequest(k, Request{JID: "alice@acme.test", Name: "Alice Martin", DeviceID: id})
	if err != nil {
		t.Fatal(err)
	}
	ri, err := ParseRequest(p)
	if err != nil {
		t.Fatal(err)
	}
	if ri.JID != "alice@acme.test" || ri.Name != "Alice Martin" || ri.DeviceID != id || !bytes.Equal(ri.PublicKey, k.Public().(ed25519.PublicKey)) {
		t.Fatalf("request read back as %+v", ri)
	}
	b, _ := pem.Decode(p)
	if _, err := ParseRequest(b.Bytes); err != nil {
		t.Fatalf("DER form: %v", err)
	}

	// An otherName read by an independent path: Go's parser keeps it in
	// the raw extension, which must hold the OID and the JID.
	csr, _ := x509.ParseCertificateRequest(b.Bytes)
	if !bytes.Contains(csr.Raw, []byte("alice@acme.test")) {
		t.Fatal("JID not in the request")
	}

	// Tampered: change the JID in the signed part.
	tampered := bytes.Replace(append([]byte(nil), b.Bytes...), []byte("alice@acme.test"), []byte("malic@acme.test"), -1)
	if _, err := ParseRequest(tampered); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("tampered request: err = %v, want a signature error", err)
	}

	// Wrong device id.
	if _, err := CreateRequest(k, Request{JID: "alice@acme.test", DeviceID: "0000-0000-0000-0000-0000-0000-0000-0000"}); err == nil {
		t.Fatal("CreateRequest accepted a device id of another key")
	}
	// A request whose subject names another device (made by hand).
	san, _ := marshalXMPPAddrSAN("alice@acme.test")
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:         pkix.Name{CommonName: "x", SerialNumber: "1111-2222-3333-4444-5555-6666-7777-8888"},
		ExtraExtensions: []pkix.Extension{{Id: oidSubjectAltName, Value: san}},
	}, k)
	if _, err := ParseRequest(der); err == nil || !strings.Contains(err.Error(), "device") {
		t.Fatalf("request for another device: err = %v", err)
	}
	// No JID.
	der, _ = x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x", SerialNumber: id}}, k)
	if _, err := ParseRequest(der); err == nil {
		t.Fatal("request without a JID accepted")
	}
	for _, j := range []string{"", "alice", "alice@acme.test/pc", "@acme.test"} {
		if _, err := CreateRequest(k, Request{JID: j}); err == nil {
			t.Errorf("CreateRequest accepted JID %q", j)
		}
	}
	if _, err := ParseRequest([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")); err == nil {
		t.Fatal("a certificate accepted as a request")
	}
}

func TestVerify(t *testing.T) {
	acme := newTestCA(t, "ACME Identity CA", "ACME")
	partner := newTestCA(t, "Partner Identity CA", "Partner")
	evil := newTestCA(t, "ACME Identity CA", "ACME") // same name, other key
	other := newTestCA(t, "Other CA", "Other")
	alice := newDevice(t, "alice@acme.test", "Alice Martin")
	carol := newDevice(t, "carol@partner.test", "Carol")
	carolAtAcme := newDevice(t, "carol@acme.test", "Carol")

	good := acme.issue(t, alice, IssueOptions{Org: "ACME", Validity: 30 * 24 * time.Hour})
	revokedSerial := acme.issue(t, alice, IssueOptions{Org: "ACME", Serial: big.NewInt(0x1234)})
	revokedCRL := acme.issue(t, alice, IssueOptions{Org: "ACME", Serial: big.NewInt(0xbeef)})
	crl, err := acme.ca.RevocationList([]Revoked{{Serial: "beef", At: t0}}, t0, t0.Add(7*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A CRL with the same issuer name signed by another key counts for nothing.
	evilCRL, _ := evil.ca.RevocationList([]Revoked{{Serial: FormatSerialDER(t, good[0])}}, t0, t0.Add(time.Hour), nil)

	tamperedSig := append([][]byte{}, good...)
	tamperedSig[0] = append([]byte(nil), good[0]...)
	tamperedSig[0][len(tamperedSig[0])-1] ^= 0xff

	// A certificate naming another device than its key (issued by hand).
	wrongDev := alice
	wrongDev.req = &RequestInfo{JID: alice.req.JID, Name: "Alice", DeviceID: "aaaa-bbbb-cccc-dddd-eeee-ffff-0000-1111", PublicKey: alice.req.PublicKey}
	wrongDevChain := [][]byte{issueRaw(t, acme.ca, wrongDev.req)}

	v, err := NewVerifier([]Anchor{
		{Cert: acme.ca.Cert, Org: "ACME", Domains: []string{"acme.test"}},
		{Cert: partner.ca.Cert, Org: "Partner", Domains: []string{"partner.test"}},
	}, [][]byte{crl, evilCRL}, []Revoked{{Serial: "12:34", Issuer: acme.ca.Cert.Subject.String()}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		chain  [][]byte
		jid    string
		now    time.Time
		status string
		reason string
	}{
		{"valid chain", good, "alice@acme.test", t0.Add(time.Hour), event.IdentityVerified, "Certified by ACME Identity CA"},
		{"JID compared without case", good, "Alice@ACME.test", t0.Add(time.Hour), event.IdentityVerified, ""},
		{"partner CA for its domain", acmeOrPartner(t, partner, carol), "carol@partner.test", t0, event.IdentityVerified, "Partner Identity CA"},
		{"expired", good, "alice@acme.test", t0.Add(31 * 24 * time.Hour), event.IdentityExpired, "expired on 31 March 2026"},
		{"not yet valid", good, "alice@acme.test", t0.Add(-time.Hour), event.IdentityExpired, "not valid before 1 March 2026"},
		{"revoked by serial", revokedSerial, "alice@acme.test", t0, event.IdentityRevoked, "serial 1234"},
		{"revoked by CRL", revokedCRL, "alice@acme.test", t0, event.IdentityRevoked, "CRL"},
		{"wrong JID", good, "bob@acme.test", t0, event.IdentityMismatch, "for alice@acme.test, not bob@acme.test"},
		{"partner CA outside its domains", acmeOrPartner(t, partner, carolAtAcme), "carol@acme.test", t0, event.IdentityMismatch, "only addresses at partner.test"},
		{"untrusted CA", other.issue(t, alice, IssueOptions{}), "alice@acme.test", t0, event.IdentityUnverified, "Issued by Other CA, which is not an identity CA this profile trusts"},
		{"impostor CA with the trusted name", evil.issue(t, alice, IssueOptions{}), "alice@acme.test", t0, event.IdentityUnverified, "does not match the identity CA ACME Identity CA"},
		{"self-signed", [][]byte{evil.ca.Cert.Raw}, "alice@acme.test", t0, event.IdentityUnverified, ""},
		{"tampered signature", tamperedSig, "alice@acme.test", t0, event.IdentityUnverified, "signature does not match"},
		{"wrong device", wrongDevChain, "alice@acme.test", t0, event.IdentityMismatch, "holds the key of device"},
		{"nothing", nil, "alice@acme.test", t0, event.IdentityUnverified, "No device certificate"},
		{"garbage", [][]byte{[]byte("nope")}, "alice@acme.test", t0, event.IdentityUnverified, "cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v.Verify(tt.chain, tt.jid, tt.now)
			if r.Status != tt.status {
				t.Fatalf("status %q (%s), want %q", r.Status, r.Reason, tt.status)
			}
			if !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", r.Reason, tt.reason)
			}
			if r.Reason == "" {
				t.Error("no reason")
			}
		})
	}

	r := v.Verify(good, "alice@acme.test", t0)
	if r.Person != "Alice Martin" || r.Org != "ACME" || r.CA != "ACME Identity CA" || r.JID != "alice@acme.test" ||
		r.DeviceID != alice.req.DeviceID || len(r.Chain) != 2 || !bytes.Equal(r.PublicKey, alice.req.PublicKey) ||
		r.SHA256 != FormatSHA256(good[0]) || r.Serial == "" {
		t.Fatalf("result fields: %+v", r)
	}
	if !strings.Contains(r.Subject, "CN=Alice Martin") || !strings.Contains(r.Issuer, "CN=ACME Identity CA") {
		t.Fatalf("subject %q issuer %q", r.Subject, r.Issuer)
	}
	// A verifier that trusts nothing.
	var none *Verifier
	if got := none.Verify(good, "alice@acme.test", t0); got.Status != event.IdentityUnverified {
		t.Fatalf("nil verifier: %q", got.Status)
	}
}

func TestNewVerifierRejectsBadInput(t *testing.T) {
	acme := newTestCA(t, "ACME Identity CA", "ACME")
	dev := newDevice(t, "alice@acme.test", "")
	leaf := acme.issue(t, dev, IssueOptions{})
	leafCert, _ := x509.ParseCertificate(leaf[0])
	for name, f := range map[string]func() error{
		"no cert":    func() error { _, err := NewVerifier([]Anchor{{}}, nil, nil); return err },
		"not a CA":   func() error { _, err := NewVerifier([]Anchor{{Cert: leafCert}}, nil, nil); return err },
		"bad CRL":    func() error { _, err := NewVerifier(nil, [][]byte{[]byte("junk")}, nil); return err },
		"bad serial": func() error { _, err := NewVerifier(nil, nil, []Revoked{{Serial: "xyz"}}); return err },
	} {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLoadCA(t *testing.T) {
	c1, k1, err := NewCA("A", "", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, k2, _ := NewCA("B", "", t0, time.Hour)
	if _, err := LoadCA(c1, k2); err == nil {
		t.Fatal("a key of another CA accepted")
	}
	if _, err := LoadCA(k1, k1); err == nil {
		t.Fatal("a key accepted as a certificate")
	}
	if _, _, err := NewCA("", "", t0, time.Hour); err == nil {
		t.Fatal("CA without a name")
	}
}

func TestIssueCappedAtCAEnd(t *testing.T) {
	c, k, _ := NewCA("Short CA", "X", t0, 48*time.Hour)
	ca, _ := LoadCA(c, k)
	d := newDevice(t, "a@x.test", "")
	p, err := ca.Issue(d.req, IssueOptions{Now: t0, Validity: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	certs, _ := ParseCertificates(p)
	if certs[0].NotAfter.After(ca.Cert.NotAfter) {
		t.Fatalf("certificate outlives its CA: %v > %v", certs[0].NotAfter, ca.Cert.NotAfter)
	}
	if certs[0].Subject.CommonName != "a@x.test" {
		t.Fatalf("CN %q, want the JID when no name is given", certs[0].Subject.CommonName)
	}
}

func TestBest(t *testing.T) {
	r := func(s string) Result { return Result{Status: s, Reason: s} }
	tests := []struct {
		in   []Result
		want string
	}{
		{nil, event.IdentityUnverified},
		{[]Result{r(event.IdentityUnverified), r(event.IdentityVerified)}, event.IdentityVerified},
		{[]Result{r(event.IdentityExpired), r(event.IdentityRevoked), r(event.IdentityMismatch)}, event.IdentityRevoked},
		{[]Result{r(event.IdentityExpired), r(event.IdentityMismatch)}, event.IdentityMismatch},
		{[]Result{r(event.IdentityUnverified), r(event.IdentityExpired)}, event.IdentityExpired},
	}
	for _, tt := range tests {
		if got := Best(tt.in).Status; got != tt.want {
			t.Errorf("Best(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSignature(t *testing.T) {
	k, _ := NewKey()
	pub := k.Public().(ed25519.PublicKey)
	m := Signed{From: "alice@acme.test", To: "bob@acme.test", ID: "m1", Body: "hello\nworld", Time: time.Date(2026, 3, 1, 13, 0, 0, 123, time.FixedZone("X", 3600))}
	want := "palisade-sig/1\nalice@acme.test\nbob@acme.test\nm1\n2026-03-01T12:00:00.000000123Z\nhello\nworld"
	if got := string(Canonical(m)); got != want {
		t.Fatalf("canonical form\n%q\nwant\n%q", got, want)
	}
	sig := Sign(k, m)
	if !VerifySignature(pub, m, sig) {
		t.Fatal("own signature rejected")
	}
	other, _ := NewKey()
	for name, mod := range map[string]func(Signed) Signed{
		"body": func(s Signed) Signed { s.Body += "!"; return s },
		"from": func(s Signed) Signed { s.From = "mallory@evil.test"; return s },
		"to":   func(s Signed) Signed { s.To = "dave@acme.test"; return s },
		"id":   func(s Signed) Signed { s.ID = "m2"; return s },
		"time": func(s Signed) Signed { s.Time = s.Time.Add(time.Nanosecond); return s },
	} {
		if VerifySignature(pub, mod(m), sig) {
			t.Errorf("tampered %s accepted", name)
		}
	}
	if VerifySignature(other.Public().(ed25519.PublicKey), m, sig) {
		t.Error("signature accepted for another device")
	}
	bad := append([]byte(nil), sig...)
	bad[0] ^= 1
	if VerifySignature(pub, m, bad) || VerifySignature(pub, m, sig[:10]) || VerifySignature(nil, m, sig) {
		t.Error("damaged signature accepted")
	}
}

func TestFormatSHA256(t *testing.T) {
	got := FormatSHA256([]byte("abc"))
	if !strings.HasPrefix(got, "BA:78:16:BF:") || len(got) != 32*3-1 {
		t.Fatalf("FormatSHA256 = %q", got)
	}
}

// helpers

func acmeOrPartner(t *testing.T, c testCA, d device) [][]byte {
	return c.issue(t, d, IssueOptions{Org: "Partner"})
}

func FormatSerialDER(t *testing.T, der []byte) string {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return FormatSerial(c.SerialNumber)
}

// issueRaw signs a certificate from a RequestInfo without Issue's checks.
func issueRaw(t *testing.T, ca *CA, r *RequestInfo) []byte {
	san, _ := marshalXMPPAddrSAN(r.JID)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(77),
		Subject:      pkix.Name{CommonName: r.Name, SerialNumber: r.DeviceID},
		NotBefore:    t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		ExtraExtensions: []pkix.Extension{{Id: oidSubjectAltName, Value: san}},
	}, ca.Cert, r.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
