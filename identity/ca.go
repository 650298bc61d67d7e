package identity

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/palisade-im/palisade/l10n"
)

// Backdate is how far before the issuing time a certificate starts to be
// valid, so that a client whose clock is slightly behind IT's accepts it at
// once.
const Backdate = 5 * time.Minute

// DefaultValidity is a device certificate's lifetime when IssueOptions names
// none.
const DefaultValidity = 365 * 24 * time.Hour

// CA is an identity CA: its certificate and signing key.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NewCA makes a self-signed identity CA with an Ed25519 key: subject
// CN=name, O=org, valid from now for validity. It returns the certificate
// (PEM "CERTIFICATE") and the key (PEM "PRIVATE KEY", PKCS#8).
func NewCA(name, org string, now time.Time, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil, errors.New("identity: the CA needs a name")
	}
	if validity <= 0 {
		return nil, nil, errors.New("identity: the CA's validity must be positive")
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	subject := pkix.Name{CommonName: name}
	if org != "" {
		subject.Organization = []string{org}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             now.Add(-Backdate).UTC(),
		NotAfter:              now.Add(validity).UTC(),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		return nil, nil, fmt.Errorf("identity: making the CA certificate: %w", err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// LoadCA reads a CA certificate and its key (PEM) and checks that they
// belong together and that the certificate may sign certificates.
func LoadCA(certPEM, keyPEM []byte) (*CA, error) {
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("identity: no CA certificate")
	}
	c := certs[0]
	if !c.IsCA || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("identity: %s is not a CA certificate", c.Subject)
	}
	b, _ := pem.Decode(keyPEM)
	if b == nil {
		return nil, errors.New("identity: the CA key is not PEM")
	}
	var k any
	switch b.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	default:
		return nil, fmt.Errorf("identity: the CA key is a PEM %q block, not a private key", b.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: the CA key cannot be read: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("identity: the CA key cannot sign")
	}
	pubDER, err := x509.MarshalPKIXPublicKey(signer.Public())
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(pubDER, c.RawSubjectPublicKeyInfo) {
		return nil, fmt.Errorf("identity: the CA key does not belong to the certificate %s", c.Subject)
	}
	return &CA{Cert: c, Key: signer}, nil
}

// IssueOptions are IT's choices for one certificate.
type IssueOptions struct {
	Org      string        // the subject's organisation (O=)
	Now      time.Time     // the issuing time
	Validity time.Duration // 0: DefaultValidity; never past the CA's own end
	Serial   *big.Int      // nil: random 128-bit
}

// Issue signs a checked request into a device certificate: subject
// CN=r.Name (or the JID), O=o.Org, serialNumber=r.DeviceID; the JID as
// id-on-xmppAddr; key usage digitalSignature; extended key usage clientAuth.
// It returns the certificate (PEM), followed by the CA's certificate when
// the CA is not self-signed.
func (ca *CA) Issue(r *RequestInfo, o IssueOptions) (certPEM []byte, err error) {
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, errors.New("identity: no CA")
	}
	if r == nil || len(r.PublicKey) != ed25519.PublicKeySize {
		return nil, errors.New("identity: no checked request")
	}
	if err := checkBareJID(r.JID); err != nil {
		return nil, err
	}
	if DeviceID(r.PublicKey) != r.DeviceID {
		return nil, errors.New("identity: the request's device id is not the one of its key")
	}
	if o.Now.IsZero() {
		return nil, errors.New("identity: IssueOptions.Now is required")
	}
	validity := o.Validity
	if validity <= 0 {
		validity = DefaultValidity
	}
	serial := o.Serial
	if serial == nil {
		if serial, err = randomSerial(); err != nil {
			return nil, err
		}
	}
	notAfter := o.Now.Add(validity)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	san, err := marshalXMPPAddrSAN(r.JID)
	if err != nil {
		return nil, err
	}
	cn := r.Name
	if cn == "" {
		cn = r.JID
	}
	subject := pkix.Name{CommonName: cn, SerialNumber: r.DeviceID}
	if o.Org != "" {
		subject.Organization = []string{o.Org}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             o.Now.Add(-Backdate).UTC(),
		NotAfter:              notAfter.UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		ExtraExtensions:       []pkix.Extension{{Id: oidSubjectAltName, Value: san}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, r.PublicKey, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("identity: signing the certificate: %w", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if !bytes.Equal(ca.Cert.RawIssuer, ca.Cert.RawSubject) {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})...)
	}
	return out, nil
}

// RevocationList makes a CRL (PEM "X509 CRL") of this CA listing revoked,
// issued at now, next update at next, with CRL number number (nil: 1).
func (ca *CA) RevocationList(revoked []Revoked, now time.Time, next time.Time, number *big.Int) ([]byte, error) {
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, errors.New("identity: no CA")
	}
	if number == nil {
		number = big.NewInt(1)
	}
	if !next.After(now) {
		return nil, errors.New("identity: the CRL's next update must be after its issuing time")
	}
	var entries []x509.RevocationListEntry
	for _, r := range revoked {
		n, ok := ParseSerial(r.Serial)
		if !ok {
			return nil, fmt.Errorf("identity: %q is not a hexadecimal serial number", r.Serial)
		}
		at := r.At
		if at.IsZero() {
			at = now
		}
		entries = append(entries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: at.UTC()})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		RevokedCertificateEntries: entries,
		Number:                    number,
		ThisUpdate:                now.UTC(),
		NextUpdate:                next.UTC(),
	}, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("identity: making the CRL: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), nil
}

// ParseCertificates reads every certificate of a PEM bundle (other blocks
// are skipped), or one DER certificate. Its error is an *Error (its text in
// any language).
func ParseCertificates(pemOrDER []byte) ([]*x509.Certificate, error) {
	cs, err := parseBundle(pemOrDER, "CERTIFICATE", "certificate", x509.ParseCertificate)
	var be *bundleError
	switch {
	case err == nil:
		return cs, nil
	case !errors.As(err, &be):
		return nil, fmt.Errorf("identity: %w", err)
	}
	return nil, &Error{err: be.err, say: func(l l10n.Lang) string {
		switch be.kind {
		case bundleNotDER:
			return l.T("identity: not a certificate: {{.Err}}", l10n.Args{"Err": be.err.Error()})
		case bundleUnreadable:
			return l.T("identity: a certificate cannot be read: {{.Err}}", l10n.Args{"Err": be.err.Error()})
		}
		return l.T("identity: no PEM CERTIFICATE block found")
	}}
}

// Error is an error whose text is written in any language: Error is
// English, In writes it in the user's language.
type Error struct {
	say func(l10n.Lang) string
	err error // wrapped, or nil
}

func (e *Error) Error() string         { return e.say(l10n.English) }
func (e *Error) In(l l10n.Lang) string { return e.say(l) }
func (e *Error) Unwrap() error         { return e.err }

// The ways a bundle cannot be read.
const (
	bundleNotDER     = iota // no PEM, and not one DER object
	bundleUnreadable        // a PEM block of the type cannot be parsed
	bundleEmpty             // no PEM block of the type
)

type bundleError struct {
	kind            int
	what, blockType string
	err             error // nil for bundleEmpty
}

func (e *bundleError) Error() string {
	switch e.kind {
	case bundleNotDER:
		return fmt.Sprintf("not a %s: %v", e.what, e.err)
	case bundleUnreadable:
		return fmt.Sprintf("a %s cannot be read: %v", e.what, e.err)
	}
	return fmt.Sprintf("no PEM %s block found", e.blockType)
}

func (e *bundleError) Unwrap() error { return e.err }

// parseBundle reads every block of type blockType in a PEM bundle (other
// blocks are skipped), or one DER object, with parse; what names the
// object in errors ("certificate", "CRL").
func parseBundle[T any](raw []byte, blockType, what string, parse func([]byte) (T, error)) ([]T, error) {
	if !bytes.Contains(raw, []byte("-----BEGIN")) {
		v, err := parse(raw)
		if err != nil {
			return nil, &bundleError{kind: bundleNotDER, what: what, blockType: blockType, err: err}
		}
		return []T{v}, nil
	}
	var out []T
	for rest := raw; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != blockType {
			continue
		}
		v, err := parse(b.Bytes)
		if err != nil {
			return nil, &bundleError{kind: bundleUnreadable, what: what, blockType: blockType, err: err}
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, &bundleError{kind: bundleEmpty, what: what, blockType: blockType}
	}
	return out, nil
}

// ChainDER returns the DER of each certificate of a PEM bundle, in order.
func ChainDER(pemOrDER []byte) ([][]byte, error) {
	certs, err := ParseCertificates(pemOrDER)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(certs))
	for i, c := range certs {
		out[i] = c.Raw
	}
	return out, nil
}

// EncodeChain turns DER certificates into a PEM bundle.
func EncodeChain(chainDER [][]byte) []byte {
	var out []byte
	for _, d := range chainDER {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	return out
}

// FormatSerial is a serial number as lower-case hex, the form Revoked uses.
func FormatSerial(n *big.Int) string {
	if n == nil {
		return ""
	}
	return n.Text(16)
}

// ParseSerial reads a hexadecimal serial number; colons, spaces and a
// leading "0x" are allowed.
func ParseSerial(s string) (*big.Int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "0x")
	s = strings.NewReplacer(":", "", " ", "").Replace(s)
	if s == "" {
		return nil, false
	}
	return new(big.Int).SetString(s, 16)
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	if n.Sign() == 0 {
		n.SetInt64(1)
	}
	return n, nil
}
