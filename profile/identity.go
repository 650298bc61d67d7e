package profile

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/l10n"
)

// RevokedCert is one entry of trusted_cas.revoked: an identity certificate
// IT revoked, by serial number.
type RevokedCert struct {
	Serial string    `json:"serial"`           // hexadecimal, e.g. "3f2a..." (colons allowed)
	Issuer string    `json:"issuer,omitempty"` // the issuing CA's DN as printed by Go ("CN=ACME Identity CA,O=ACME"); "" = any identity CA
	At     time.Time `json:"at,omitzero"`      // when it was revoked
}

// validateIdentity checks the identity parts of the profile: the partners'
// identity CAs, the revoked serials and the CRLs.
func (p *Profile) validateIdentity() *Error {
	for i, x := range p.Partners {
		for j, s := range x.IdentityCAs {
			if _, err := parseCAs(s); err != nil {
				return invalid.T("field partners[{{.I}}].identity_cas[{{.J}}]: {{.Err}} (partner {{.Partner}})", l10n.Args{"I": i, "J": j, "Err": err.Error(), "Partner": strconv.Quote(x.Name)})
			}
		}
	}
	for i, r := range p.TrustedCAs.Revoked {
		if _, ok := identity.ParseSerial(r.Serial); !ok {
			return invalid.T("field trusted_cas.revoked[{{.I}}].serial: {{.Value}} is not a hexadecimal serial number", l10n.Args{"I": i, "Value": strconv.Quote(r.Serial)})
		}
	}
	for i, s := range p.TrustedCAs.CRLs {
		if err := checkCRL(s); err != nil {
			return malformed("field trusted_cas.crls[%d]: %v", i, err)
		}
	}
	if p.TrustedCAs.PinServer && len(p.TrustedCAs.ServerTLS) == 0 {
		return invalid.T("field trusted_cas.pin_server: pinning needs at least one CA in trusted_cas.server_tls")
	}
	return nil
}

// checkCRL accepts PEM text of one or more X509 CRL blocks.
func checkCRL(s string) error {
	rest := []byte(s)
	n := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "X509 CRL" {
			return fmt.Errorf("PEM block %q is not an X509 CRL", b.Type)
		}
		if _, err := x509.ParseRevocationList(b.Bytes); err != nil {
			return fmt.Errorf("CRL %d: %v", n+1, err)
		}
		n++
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return errors.New("text outside a PEM block")
	}
	if n == 0 {
		return errors.New("no PEM X509 CRL")
	}
	return nil
}

// IdentityVerifier builds the verifier of device certificates the profile
// defines: the organisation's identity CAs (trusted_cas.identity) may
// certify the organisation's domains (and their subdomains when
// subdomains_internal is set); each partner's identity CAs
// (partners[].identity_cas) may certify that partner's domains only. The
// CRLs and revoked serials of trusted_cas apply to all of them.
func (p *Profile) IdentityVerifier() (*identity.Verifier, error) {
	var anchors []identity.Anchor
	add := func(field string, pems []string, org string, domains []string, sub bool) error {
		for i, s := range pems {
			certs, err := parseCAs(s)
			if err != nil {
				return invalid.T("field {{.Field}}[{{.I}}]: {{.Err}}", l10n.Args{"Field": field, "I": i, "Err": err.Error()})
			}
			for _, c := range certs {
				anchors = append(anchors, identity.Anchor{Cert: c, Org: org, Domains: asciiDomains(domains), Subdomains: sub})
			}
		}
		return nil
	}
	if err := add("trusted_cas.identity", p.TrustedCAs.Identity, p.Organisation.Name, p.Organisation.Domains, p.Organisation.SubdomainsInternal); err != nil {
		return nil, err
	}
	for i, x := range p.Partners {
		if err := add(fmt.Sprintf("partners[%d].identity_cas", i), x.IdentityCAs, x.Name, x.Domains, false); err != nil {
			return nil, err
		}
	}
	var crls [][]byte
	for _, s := range p.TrustedCAs.CRLs {
		crls = append(crls, []byte(s))
	}
	var revoked []identity.Revoked
	for _, r := range p.TrustedCAs.Revoked {
		revoked = append(revoked, identity.Revoked{Serial: r.Serial, Issuer: r.Issuer, At: r.At})
	}
	v, err := identity.NewVerifier(anchors, crls, revoked)
	if err != nil {
		return nil, invalid.T("identity trust: {{.Err}}", l10n.Args{"Err": err.Error()})
	}
	return v, nil
}

// asciiDomains turns domains into their ASCII (punycode) form, the form
// JIDs carry on the wire.
func asciiDomains(ds []string) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		if a, err := domainProfile.ToASCII(d); err == nil {
			d = a
		}
		out = append(out, d)
	}
	return out
}
