package profile

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
)

func idCA(t *testing.T, name, org string) (*identity.CA, string) {
	t.Helper()
	c, k, err := identity.NewCA(name, org, now.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := identity.LoadCA(c, k)
	if err != nil {
		t.Fatal(err)
	}
	return ca, string(c)
}

func idCert(t *testing.T, ca *identity.CA, jid string) [][]byte {
	t.Helper()
	k, _ := identity.NewKey()
	p, err := identity.CreateRequest(k, identity.Request{JID: jid, DeviceID: identity.DeviceID(k.Public().(ed25519.PublicKey))})
	if err != nil {
		t.Fatal(err)
	}
	ri, err := identity.ParseRequest(p)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ca.Issue(ri, identity.IssueOptions{Now: now, Org: "x"})
	if err != nil {
		t.Fatal(err)
	}
	der, err := identity.ChainDER(cp)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestIdentityVerifier(t *testing.T) {
	acme, acmePEM := idCA(t, "ACME Identity CA", "ACME")
	partner, partnerPEM := idCA(t, "Partner Identity CA", "Partner Ltd")
	alice := idCert(t, acme, "alice@acme.test")
	sub := idCert(t, acme, "eve@lab.acme.test")
	revoked := idCert(t, acme, "dave@acme.test")
	crlRevoked := idCert(t, acme, "bob@acme.test")
	carol := idCert(t, partner, "carol@partner.test")
	carolAcme := idCert(t, partner, "carol@acme.test")
	acmeForPartner := idCert(t, acme, "carol@partner.test")

	serial := func(der []byte) string {
		cs, err := identity.ParseCertificates(der)
		if err != nil {
			t.Fatal(err)
		}
		return identity.FormatSerial(cs[0].SerialNumber)
	}
	cs, _ := identity.ParseCertificates(crlRevoked[0])
	crl, err := acme.RevocationList([]identity.Revoked{{Serial: identity.FormatSerial(cs[0].SerialNumber)}}, now, now.Add(24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}

	data := doc(t, 1, func(m map[string]any) {
		m["organisation"].(map[string]any)["subdomains_internal"] = true
		m["partners"].([]any)[0].(map[string]any)["identity_cas"] = []any{partnerPEM}
		m["trusted_cas"] = map[string]any{
			"identity": []any{acmePEM},
			"revoked":  []any{map[string]any{"serial": serial(revoked[0]), "issuer": "CN=ACME Identity CA,O=ACME", "at": "2026-05-02T00:00:00Z"}},
			"crls":     []any{string(crl)},
		}
	})
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.IdentityVerifier()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		chain [][]byte
		jid   string
		want  string
	}{
		{"own CA, own domain", alice, "alice@acme.test", event.IdentityVerified},
		{"own CA, subdomain (subdomains_internal)", sub, "eve@lab.acme.test", event.IdentityVerified},
		{"partner CA, partner domain", carol, "carol@partner.test", event.IdentityVerified},
		{"partner CA, our domain", carolAcme, "carol@acme.test", event.IdentityMismatch},
		{"own CA, partner domain", acmeForPartner, "carol@partner.test", event.IdentityMismatch},
		{"revoked serial", revoked, "dave@acme.test", event.IdentityRevoked},
		{"CRL", crlRevoked, "bob@acme.test", event.IdentityRevoked},
	} {
		if r := v.Verify(tt.chain, tt.jid, now); r.Status != tt.want {
			t.Errorf("%s: %q (%s), want %q", tt.name, r.Status, r.Reason, tt.want)
		}
	}

	// Without identity CAs nothing verifies.
	p2, _ := Parse(doc(t, 1, nil))
	v2, err := p2.IdentityVerifier()
	if err != nil {
		t.Fatal(err)
	}
	if r := v2.Verify(alice, "alice@acme.test", now); r.Status != event.IdentityUnverified {
		t.Errorf("no CAs: %q", r.Status)
	}
}

func TestIdentityFieldsMalformed(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"partner CA not PEM", func(m map[string]any) {
			m["partners"].([]any)[0].(map[string]any)["identity_cas"] = []any{"nope"}
		}, "partners[0].identity_cas[0]"},
		{"serial not hex", func(m map[string]any) {
			m["trusted_cas"] = map[string]any{"revoked": []any{map[string]any{"serial": "xyz"}}}
		}, "trusted_cas.revoked[0].serial"},
		{"revoked unknown field", func(m map[string]any) {
			m["trusted_cas"] = map[string]any{"revoked": []any{map[string]any{"serial": "01", "why": "x"}}}
		}, "why"},
		{"CRL not a CRL", func(m map[string]any) {
			m["trusted_cas"] = map[string]any{"crls": []any{"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"}}
		}, "trusted_cas.crls[0]"},
		{"pin without CA", func(m map[string]any) {
			m["trusted_cas"] = map[string]any{"pin_server": true}
		}, "trusted_cas.pin_server"},
	} {
		_, err := Parse(doc(t, 1, tt.edit))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one naming %q", tt.name, err, tt.want)
		}
	}
}
