package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// OIDXMPPAddr is id-on-xmppAddr (RFC 6120 13.7.1.4): an otherName in the
// subjectAltName whose value is a UTF8String holding the JID.
var OIDXMPPAddr = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 5}

// oidSubjectAltName is the subjectAltName extension (RFC 5280 4.2.1.6).
var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// Request is what a device asks IT to certify.
type Request struct {
	JID      string // the bare JID, e.g. alice@acme.test
	Name     string // the person's display name; may be ""
	DeviceID string // DeviceID of the key that signs the request
}

// RequestInfo is a checked certificate request.
type RequestInfo struct {
	JID       string
	Name      string // "" when the request names no person
	DeviceID  string
	SHA256    string // of the request's DER, for comparing with the requester
	PublicKey ed25519.PublicKey
	Raw       []byte // the request's DER
}

// CreateRequest makes a certificate request (PEM "CERTIFICATE REQUEST")
// signed by k: subject CN=Name (or the JID when Name is empty) with the
// device id as serialNumber; the JID as id-on-xmppAddr in the
// subjectAltName.
func CreateRequest(k ed25519.PrivateKey, r Request) ([]byte, error) {
	if len(k) != ed25519.PrivateKeySize {
		return nil, errors.New("identity: no device key")
	}
	if err := checkBareJID(r.JID); err != nil {
		return nil, err
	}
	pub := k.Public().(ed25519.PublicKey)
	id := r.DeviceID
	if id == "" {
		id = DeviceID(pub)
	}
	if id != DeviceID(pub) {
		return nil, fmt.Errorf("identity: device id %s is not the one of this key (%s)", id, DeviceID(pub))
	}
	san, err := marshalXMPPAddrSAN(r.JID)
	if err != nil {
		return nil, err
	}
	cn := r.Name
	if cn == "" {
		cn = r.JID
	}
	tmpl := &x509.CertificateRequest{
		Subject:         pkix.Name{CommonName: cn, SerialNumber: id},
		ExtraExtensions: []pkix.Extension{{Id: oidSubjectAltName, Value: san}},
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, k)
	if err != nil {
		return nil, fmt.Errorf("identity: making the certificate request: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// ParseRequest reads a certificate request (PEM or DER) and checks it: its
// signature, an Ed25519 key, exactly one id-on-xmppAddr naming a bare JID,
// and a subject serialNumber equal to the DeviceID of its key.
func ParseRequest(pemOrDER []byte) (*RequestInfo, error) {
	der := pemOrDER
	if b, _ := pem.Decode(pemOrDER); b != nil {
		if b.Type != "CERTIFICATE REQUEST" && b.Type != "NEW CERTIFICATE REQUEST" {
			return nil, fmt.Errorf("identity: expected a CERTIFICATE REQUEST, found a PEM %q block", b.Type)
		}
		der = b.Bytes
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("identity: not a certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("identity: the certificate request's signature is wrong (altered or damaged request): %w", err)
	}
	pub, ok := csr.PublicKey.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("identity: the certificate request does not hold an Ed25519 device key")
	}
	jids, err := xmppAddrs(csr.Extensions)
	if err != nil {
		return nil, err
	}
	if len(jids) != 1 {
		return nil, fmt.Errorf("identity: the certificate request must name exactly one XMPP address (id-on-xmppAddr), it names %d", len(jids))
	}
	jid := jids[0]
	if err := checkBareJID(jid); err != nil {
		return nil, err
	}
	id := DeviceID(pub)
	if csr.Subject.SerialNumber != id {
		return nil, fmt.Errorf("identity: the certificate request names device %q but its key is device %s", csr.Subject.SerialNumber, id)
	}
	name := csr.Subject.CommonName
	if name == jid {
		name = ""
	}
	return &RequestInfo{
		JID:       jid,
		Name:      name,
		DeviceID:  id,
		SHA256:    FormatSHA256(csr.Raw),
		PublicKey: pub,
		Raw:       csr.Raw,
	}, nil
}

// CertJIDs returns the id-on-xmppAddr names of a certificate.
func CertJIDs(c *x509.Certificate) ([]string, error) {
	return xmppAddrs(c.Extensions)
}

// checkBareJID accepts local@domain without a resource.
func checkBareJID(j string) error {
	local, domain, ok := strings.Cut(j, "@")
	switch {
	case !ok || local == "" || domain == "":
		return fmt.Errorf("identity: %q is not an XMPP address of the form name@domain", j)
	case strings.ContainsAny(j, "/ \t\r\n") || strings.Contains(domain, "@"):
		return fmt.Errorf("identity: %q is not a bare XMPP address (name@domain, no resource)", j)
	case !utf8.ValidString(j):
		return fmt.Errorf("identity: %q is not valid UTF-8", j)
	}
	return nil
}

// marshalXMPPAddrSAN encodes a subjectAltName with one otherName
// id-on-xmppAddr.
//
//	GeneralNames ::= SEQUENCE OF GeneralName
//	GeneralName  ::= [0] IMPLICIT OtherName | ...
//	OtherName    ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
func marshalXMPPAddrSAN(jid string) ([]byte, error) {
	utf8DER, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagUTF8String, Bytes: []byte(jid)})
	if err != nil {
		return nil, err
	}
	value, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: utf8DER})
	if err != nil {
		return nil, err
	}
	oid, err := asn1.Marshal(OIDXMPPAddr)
	if err != nil {
		return nil, err
	}
	other, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oid, value...)})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: other})
}

// xmppAddrs finds the id-on-xmppAddr names in the subjectAltName extension.
func xmppAddrs(exts []pkix.Extension) ([]string, error) {
	var out []string
	for _, e := range exts {
		if !e.Id.Equal(oidSubjectAltName) {
			continue
		}
		var seq asn1.RawValue
		rest, err := asn1.Unmarshal(e.Value, &seq)
		if err != nil || len(rest) != 0 || seq.Tag != asn1.TagSequence {
			return nil, errors.New("identity: the subjectAltName extension cannot be read")
		}
		b := seq.Bytes
		for len(b) > 0 {
			var gn asn1.RawValue
			b, err = asn1.Unmarshal(b, &gn)
			if err != nil {
				return nil, errors.New("identity: the subjectAltName extension cannot be read")
			}
			if gn.Class != asn1.ClassContextSpecific || gn.Tag != 0 {
				continue // not an otherName
			}
			var oid asn1.ObjectIdentifier
			vb, err := asn1.Unmarshal(gn.Bytes, &oid)
			if err != nil {
				return nil, errors.New("identity: an otherName in the subjectAltName cannot be read")
			}
			if !oid.Equal(OIDXMPPAddr) {
				continue
			}
			var explicit asn1.RawValue
			if _, err := asn1.Unmarshal(vb, &explicit); err != nil || explicit.Class != asn1.ClassContextSpecific || explicit.Tag != 0 {
				return nil, errors.New("identity: an id-on-xmppAddr name cannot be read")
			}
			var s asn1.RawValue
			if _, err := asn1.Unmarshal(explicit.Bytes, &s); err != nil || s.Tag != asn1.TagUTF8String || !utf8.Valid(s.Bytes) {
				return nil, errors.New("identity: an id-on-xmppAddr name is not a UTF8String")
			}
			out = append(out, string(s.Bytes))
		}
	}
	return out, nil
}
