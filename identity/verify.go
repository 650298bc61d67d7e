package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// Revoked is one revoked certificate named by the profile.
type Revoked struct {
	Serial string    // lower-case hex (colons and upper case are accepted)
	Issuer string    // optional: the issuer's DN as x509 prints it ("CN=ACME Identity CA,O=ACME"); "" = any issuer
	At     time.Time // when it was revoked (informational)
}

// Anchor is an identity CA the profile trusts.
type Anchor struct {
	Cert    *x509.Certificate
	Org     string   // the organisation the CA belongs to, for display
	Domains []string // the domains whose JIDs this CA may certify; empty = any
	// Subdomains: the CA may also certify JIDs at subdomains of Domains.
	Subdomains bool
}

// Verifier decides device certificates against the profile's trust anchors,
// CRLs and revoked serials. It is immutable and safe for concurrent use.
type Verifier struct {
	anchors []Anchor
	roots   *x509.CertPool
	crls    []*x509.RevocationList
	revoked []revokedSerial
	lang    l10n.Lang // the language of the reasons; zero = English
}

// In returns a copy of v that writes its reasons in lang (a nil v gives a
// verifier without anchors, as nil itself is).
func (v *Verifier) In(lang l10n.Lang) *Verifier {
	if v == nil {
		return &Verifier{roots: x509.NewCertPool(), lang: lang}
	}
	c := *v
	c.lang = lang
	return &c
}

type revokedSerial struct {
	serial *big.Int
	issuer string
}

// NewVerifier builds a Verifier. crls are PEM ("X509 CRL", several blocks
// allowed) or DER; a CRL counts only for certificates whose issuer signed
// it. An anchor without a certificate, a CRL or a serial that cannot be read
// is an error.
func NewVerifier(anchors []Anchor, crls [][]byte, revoked []Revoked) (*Verifier, error) {
	v := &Verifier{roots: x509.NewCertPool()}
	for i, a := range anchors {
		if a.Cert == nil {
			return nil, fmt.Errorf("identity: trust anchor %d has no certificate", i+1)
		}
		if !a.Cert.IsCA {
			return nil, fmt.Errorf("identity: trust anchor %s is not a CA certificate", a.Cert.Subject)
		}
		doms := make([]string, 0, len(a.Domains))
		for _, d := range a.Domains {
			d = normDomain(d)
			if d != "" {
				doms = append(doms, d)
			}
		}
		a.Domains = doms
		v.anchors = append(v.anchors, a)
		v.roots.AddCert(a.Cert)
	}
	for i, raw := range crls {
		list, err := parseCRLs(raw)
		if err != nil {
			return nil, fmt.Errorf("identity: CRL %d: %w", i+1, err)
		}
		v.crls = append(v.crls, list...)
	}
	for _, r := range revoked {
		n, ok := ParseSerial(r.Serial)
		if !ok {
			return nil, fmt.Errorf("identity: revoked serial %q is not hexadecimal", r.Serial)
		}
		v.revoked = append(v.revoked, revokedSerial{serial: n, issuer: strings.TrimSpace(r.Issuer)})
	}
	return v, nil
}

func parseCRLs(raw []byte) ([]*x509.RevocationList, error) {
	return parseBundle(raw, "X509 CRL", "CRL", x509.ParseRevocationList)
}

// Anchors returns the verifier's trust anchors (with normalised domains).
func (v *Verifier) Anchors() []Anchor {
	if v == nil {
		return nil
	}
	return append([]Anchor(nil), v.anchors...)
}

// Result is the verdict on one device certificate.
type Result struct {
	Status string // one of event.IdentityVerified, ...Unverified, ...Expired, ...Revoked, ...Mismatch
	Reason string // one sentence for the user

	JID       string // the id-on-xmppAddr the certificate names
	DeviceID  string // the subject's serialNumber
	Subject   string // "CN=Alice Martin,O=ACME,SERIALNUMBER=..."
	Issuer    string
	Person    string // the subject's common name
	Org       string // the subject's organisation (or the anchor's)
	CA        string // the issuer's common name
	Serial    string // lower-case hex
	SHA256    string // of the leaf's DER, colon-separated upper-case hex
	NotBefore time.Time
	NotAfter  time.Time
	Chain     []string // subjects from the leaf up to the trust anchor
	PublicKey ed25519.PublicKey
}

const dateLayout = "2 January 2006"

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// FormatDate writes t's day (UTC) as the reasons do, in lang:
// "2 January 2006", in French "2 janvier 2006" ("1er" for the first).
func FormatDate(lang l10n.Lang, t time.Time) string { return formatDate(lang, t) }

func formatDate(lang l10n.Lang, t time.Time) string {
	t = t.UTC()
	if l10n.Norm(string(lang)) == l10n.French {
		day := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return day + " " + frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format(dateLayout)
}

// Verify decides a device certificate chain (DER, leaf first, intermediates
// after it; the trust anchor may be included) for the bare JID jid at time
// now.
func (v *Verifier) Verify(chainDER [][]byte, jid string, now time.Time) Result {
	res := Result{Status: event.IdentityUnverified}
	var lang l10n.Lang
	if v != nil {
		lang = v.lang
	}
	if len(chainDER) == 0 {
		res.Reason = lang.T("No device certificate was published.")
		return res
	}
	leaf, err := x509.ParseCertificate(chainDER[0])
	if err != nil {
		res.Reason = lang.T("The published device certificate cannot be read.")
		return res
	}
	fill(&res, leaf)
	pub, ok := leaf.PublicKey.(ed25519.PublicKey)
	if !ok {
		res.Reason = lang.T("The device certificate does not hold an Ed25519 device key.")
		return res
	}
	res.PublicKey = pub
	if v == nil || len(v.anchors) == 0 {
		res.Reason = lang.T("Issued by {{.CA}}; the profile names no identity CA to check it against.", l10n.Args{"CA": issuerName(leaf)})
		return res
	}
	inter := x509.NewCertPool()
	for _, d := range chainDER[1:] {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			res.Reason = lang.T("A certificate in the published chain cannot be read.")
			return res
		}
		inter.AddCert(c)
	}

	// Build the chain at a time inside the leaf's validity, so that an
	// expired certificate from a trusted CA is told apart from an
	// untrusted one; the validity at now is checked last.
	at := now
	if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore
	}
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         v.roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		var inv x509.CertificateInvalidError
		switch {
		case errors.As(err, &inv) && inv.Reason == x509.Expired:
			res.Status = event.IdentityExpired
			res.Reason = lang.T("The identity CA {{.CA}} is outside its validity period.", l10n.Args{"CA": issuerName(leaf)})
		case errors.As(err, &inv) && inv.Reason == x509.IncompatibleUsage:
			res.Reason = lang.T("The certificate is not a device certificate (it lacks client authentication usage).")
		case v.knowsIssuer(leaf):
			res.Reason = lang.T("The certificate's signature does not match the identity CA {{.CA}}: it was altered or not issued by that CA.", l10n.Args{"CA": issuerName(leaf)})
		default:
			res.Reason = lang.T("Issued by {{.CA}}, which is not an identity CA this profile trusts.", l10n.Args{"CA": issuerName(leaf)})
		}
		return res
	}

	// Prefer a chain whose anchor may certify the JID's domain.
	want := normJID(jid)
	_, domain, _ := strings.Cut(want, "@")
	chain := chains[0]
	var anchor *Anchor
	for _, c := range chains {
		if a := v.anchorFor(c, domain); a != nil {
			chain, anchor = c, a
			break
		}
	}
	for _, c := range chain {
		res.Chain = append(res.Chain, c.Subject.String())
	}
	if res.Org == "" && anchor != nil {
		res.Org = anchor.Org
	}

	for i := 0; i+1 < len(chain); i++ {
		if why := v.revokedBy(chain[i], chain[i+1]); why != "" {
			res.Status = event.IdentityRevoked
			if i == 0 {
				res.Reason = lang.T("The certificate was revoked ({{.Why}}).", l10n.Args{"Why": why})
			} else {
				res.Reason = lang.T("The intermediate CA {{.CA}} was revoked ({{.Why}}).", l10n.Args{"CA": chain[i].Subject.CommonName, "Why": why})
			}
			return res
		}
	}

	jids, err := CertJIDs(leaf)
	switch {
	case err != nil || len(jids) == 0:
		res.Status = event.IdentityMismatch
		res.Reason = lang.T("The certificate names no XMPP address.")
		return res
	case len(jids) > 1:
		res.Status = event.IdentityMismatch
		res.Reason = lang.T("The certificate names {{.N}} XMPP addresses; a device certificate must name exactly one.", l10n.Args{"N": len(jids)})
		return res
	case normJID(jids[0]) != want || want == "":
		res.Status = event.IdentityMismatch
		res.Reason = lang.T("The certificate is for {{.Named}}, not {{.JID}}.", l10n.Args{"Named": jids[0], "JID": jid})
		return res
	}
	if id := DeviceID(pub); leaf.Subject.SerialNumber != id {
		res.Status = event.IdentityMismatch
		res.Reason = lang.T("The certificate names device {{.Named}} but holds the key of device {{.Device}}.", l10n.Args{"Named": strconv.Quote(leaf.Subject.SerialNumber), "Device": id})
		return res
	}
	if anchor == nil {
		a := v.anchorFor(chain, "")
		res.Status = event.IdentityMismatch
		name := chain[len(chain)-1].Subject.CommonName
		if a != nil && a.Org != "" {
			name += " (" + a.Org + ")"
		}
		args := l10n.Args{"CA": name, "Domain": domain}
		if a == nil {
			res.Reason = lang.T("{{.CA}} may certify only addresses at no domains, not at {{.Domain}}.", args)
		} else {
			args["Domains"] = strings.Join(a.Domains, ", ")
			res.Reason = lang.T("{{.CA}} may certify only addresses at {{.Domains}}, not at {{.Domain}}.", args)
		}
		return res
	}

	for _, c := range chain {
		args := l10n.Args{"CA": c.Subject.CommonName}
		if now.Before(c.NotBefore) {
			res.Status = event.IdentityExpired
			args["Date"] = formatDate(lang, c.NotBefore)
			if c == leaf {
				res.Reason = lang.T("The certificate is not valid before {{.Date}}.", args)
			} else {
				res.Reason = lang.T("The CA certificate {{.CA}} is not valid before {{.Date}}.", args)
			}
			return res
		}
		if now.After(c.NotAfter) {
			res.Status = event.IdentityExpired
			args["Date"] = formatDate(lang, c.NotAfter)
			if c == leaf {
				res.Reason = lang.T("The certificate expired on {{.Date}}.", args)
			} else {
				res.Reason = lang.T("The CA certificate {{.CA}} expired on {{.Date}}.", args)
			}
			return res
		}
	}

	res.Status = event.IdentityVerified
	res.Reason = lang.T("Certified by {{.CA}} until {{.Date}}.", l10n.Args{"CA": res.CA, "Date": formatDate(lang, leaf.NotAfter)})
	return res
}

// fill copies the leaf's descriptive fields into res.
func fill(res *Result, leaf *x509.Certificate) {
	res.Subject = leaf.Subject.String()
	res.Issuer = leaf.Issuer.String()
	res.Person = leaf.Subject.CommonName
	if len(leaf.Subject.Organization) > 0 {
		res.Org = leaf.Subject.Organization[0]
	}
	res.CA = issuerName(leaf)
	res.Serial = FormatSerial(leaf.SerialNumber)
	res.SHA256 = FormatSHA256(leaf.Raw)
	res.NotBefore = leaf.NotBefore.UTC()
	res.NotAfter = leaf.NotAfter.UTC()
	res.DeviceID = leaf.Subject.SerialNumber
	if jids, err := CertJIDs(leaf); err == nil && len(jids) > 0 {
		res.JID = jids[0]
	}
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// knowsIssuer reports whether a trust anchor has the leaf's issuer name.
func (v *Verifier) knowsIssuer(leaf *x509.Certificate) bool {
	for _, a := range v.anchors {
		if bytes.Equal(a.Cert.RawSubject, leaf.RawIssuer) {
			return true
		}
	}
	return false
}

// anchorFor finds the anchor at the end of chain that may certify domain
// ("" = any anchor with that certificate).
func (v *Verifier) anchorFor(chain []*x509.Certificate, domain string) *Anchor {
	root := chain[len(chain)-1]
	var found *Anchor
	for i := range v.anchors {
		a := &v.anchors[i]
		if !bytes.Equal(a.Cert.Raw, root.Raw) {
			continue
		}
		if domain == "" {
			if found == nil {
				found = a
			}
			continue
		}
		if len(a.Domains) == 0 {
			return a
		}
		for _, d := range a.Domains {
			if d == domain || a.Subdomains && strings.HasSuffix(domain, "."+d) {
				return a
			}
		}
	}
	return found
}

// revokedBy says why c (issued by parent) is revoked, or "".
func (v *Verifier) revokedBy(c, parent *x509.Certificate) string {
	for _, r := range v.revoked {
		if r.serial.Cmp(c.SerialNumber) != 0 {
			continue
		}
		if r.issuer != "" && r.issuer != c.Issuer.String() {
			continue
		}
		return v.lang.T("serial {{.Serial}} is on the profile's revocation list", l10n.Args{"Serial": FormatSerial(c.SerialNumber)})
	}
	for _, l := range v.crls {
		if !bytes.Equal(l.RawIssuer, parent.RawSubject) || l.CheckSignatureFrom(parent) != nil {
			continue
		}
		for _, e := range l.RevokedCertificateEntries {
			if e.SerialNumber != nil && e.SerialNumber.Cmp(c.SerialNumber) == 0 {
				return v.lang.T("listed in {{.CA}}'s CRL since {{.Date}}", l10n.Args{"CA": parent.Subject.CommonName, "Date": formatDate(v.lang, e.RevocationTime)})
			}
		}
	}
	return ""
}

func normDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// normJID lower-cases a bare JID for comparison (and drops a resource).
func normJID(j string) string {
	j = strings.TrimSpace(j)
	if i := strings.IndexByte(j, '/'); i >= 0 {
		j = j[:i]
	}
	return strings.ToLower(j)
}

// Best is the peer-level verdict over the peer's devices: verified if any
// device is verified, else the most telling failure (revoked, then mismatch,
// then expired, then unverified). No results: unverified.
func Best(results []Result) Result { return BestIn("", results) }

// BestIn is Best with the reason for no results written in lang.
func BestIn(lang l10n.Lang, results []Result) Result {
	if len(results) == 0 {
		return Result{Status: event.IdentityUnverified, Reason: lang.T("No device certificate was published.")}
	}
	rank := map[string]int{
		event.IdentityVerified:   5,
		event.IdentityRevoked:    4,
		event.IdentityMismatch:   3,
		event.IdentityExpired:    2,
		event.IdentityUnverified: 1,
	}
	best := results[0]
	for _, r := range results[1:] {
		if rank[r.Status] > rank[best.Status] {
			best = r
		}
	}
	return best
}
