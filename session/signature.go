package session

import (
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"os"
	"strings"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/profile"
)

// Signed messages. With a device key, every outgoing chat message (and
// room message) carries
//
//	<signature xmlns="urn:palisade:signature:1" device="DEVICEID" time="RFC3339Nano">BASE64</signature>
//
// an Ed25519 signature by the device key over identity.Canonical: the
// sender's and recipient's bare JIDs (for a room, the room's bare JID), the
// stanza id, the time in the element and the body. The receiver checks it
// against the sender's published, certified device of that id. Because the
// stanza's own id and recipient are what is checked, a signature copied
// into another stanza (another id, another recipient) is invalid. Clients
// that do not know the namespace ignore the element (RFC 6120 §8.4). See
// docs/signed-messages.md.

const nsSignature = "urn:palisade:signature:1"

// maxSignatureBytes bounds the base64 text of a signature (an Ed25519
// signature is 88 characters of base64).
const maxSignatureBytes = 256

// sigXML is the wire form of a signature.
type sigXML struct {
	Device string `xml:"device,attr"`
	Time   string `xml:"time,attr"`
	Value  string `xml:",chardata"`
}

// deviceKey is this device's key; nil without an identity.
func (s *Session) deviceKey() ed25519.PrivateKey {
	if len(s.cfg.DeviceKey) != ed25519.PrivateKeySize {
		return nil
	}
	return s.cfg.DeviceKey
}

// signature is the signature element of a message from the account to
// 'to' (a bare JID or a room), or nil without a device key.
func (s *Session) signature(to, id, body string) *el {
	k := s.deviceKey()
	if k == nil {
		return nil
	}
	now := time.Now().UTC()
	sig := identity.Sign(k, identity.Signed{From: s.bare.String(), To: peerOf(to), ID: id, Body: body, Time: now})
	return elem(nsSignature, "signature", "device", identity.DeviceID(k.Public().(ed25519.PublicKey)),
		"time", now.Format(time.RFC3339Nano)).setText(base64.StdEncoding.EncodeToString(sig))
}

// signChat adds the device signature to a chat message about to be
// written, once (a message written again after a reconnection keeps it).
func (s *Session) signChat(o *outStanza) {
	if !o.isChat() || o.el == nil || s.deviceKey() == nil {
		return
	}
	for _, k := range o.el.kids {
		if k.name.Space == nsSignature {
			return
		}
	}
	if sig := s.signature(o.to, o.msgID, o.body); sig != nil {
		o.el.add(sig)
	}
}

// signerOf is the bare JID whose device should have signed a 1:1 message.
func (s *Session) signerOf(m event.Message) string {
	if m.Outgoing {
		return s.bare.String()
	}
	return peerOf(m.From)
}

// holdSigned holds a message until the devices of its sender were fetched
// once, so that its signature (or its absence) can be judged. It reports
// true when the message will be handled later.
func (s *Session) holdSigned(m event.Message, st *inStanza) bool {
	return s.holdForIdentity(s.signerOf(m), func() { s.chatMessageNow(m, st) })
}

// checkSignature judges the signature of a 1:1 message and returns the
// message with Signature and Device set.
//
// A signature by a device that a verified peer never published (nor
// acknowledged) is an identity change: IdentityChanged is emitted before
// the message, and sending to the peer is locked.
func (s *Session) checkSignature(m event.Message, st *inStanza) event.Message {
	m = s.judgeSignature(m, st)
	if m.Signature != event.SignatureUnknown || m.Device == "" || m.Outgoing {
		return m
	}
	b := peerOf(m.From)
	if ch := s.unknownDevice(b, m.Device); ch != nil {
		s.reportChange(b, ch)
		m.Trust = ch.Trust
	}
	return m
}

// judgeSignature sets the signature verdict of a message.
func (s *Session) judgeSignature(m event.Message, st *inStanza) event.Message {
	peer := m.From
	if m.Outgoing {
		peer = m.To
	}
	if b := peerOf(peer); strings.Contains(b, "@") {
		m.Trust = s.identityTrust(b, m.Trust) // the devices may have arrived while it was held
	}
	signer := s.signerOf(m)
	if signer == "" || !strings.Contains(signer, "@") {
		return m
	}
	to := peerOf(st.To)
	if st.To == "" {
		to = s.bare.String()
	}
	m.Signature, m.Device = s.signatureVerdict(signer, to, m.Body, st)
	return m
}

// devicesKnown reports whether the devices of peer (a bare JID) were
// fetched at least once, so that a signature (or its absence) can be
// judged.
func (s *Session) devicesKnown(peer string) bool {
	ist := &s.ident
	ist.mu.Lock()
	defer ist.mu.Unlock()
	return ist.peer(peerOf(peer)).have
}

// signatureVerdict judges the signature a stanza carries, by signer (a bare
// JID) over to (the recipient's bare JID, or the room's), the stanza's id
// and body: one of the Signature* constants ("" when the stanza is unsigned
// and the signer has no verified device), and the signing device.
func (s *Session) signatureVerdict(signer, to, body string, st *inStanza) (verdict, device string) {
	ist := &s.ident
	ist.mu.Lock()
	defer ist.mu.Unlock()
	p := ist.peer(signer)
	if st.Signature == nil {
		if p.best.Status == event.IdentityVerified {
			return event.SignatureMissing, ""
		}
		return "", ""
	}
	sg := st.Signature
	device = sg.Device
	t, err := time.Parse(time.RFC3339Nano, sg.Time)
	raw := strings.TrimSpace(sg.Value)
	var sig []byte
	if err == nil && len(raw) <= maxSignatureBytes {
		sig, err = base64.StdEncoding.DecodeString(raw)
	}
	if err != nil || len(raw) > maxSignatureBytes {
		return event.SignatureInvalid, device
	}
	signed := identity.Signed{From: signer, To: to, ID: st.ID, Body: body, Time: t}
	for _, d := range p.devices {
		if d.id != sg.Device || d.result.PublicKey == nil {
			continue
		}
		if !identity.VerifySignature(d.result.PublicKey, signed, sig) {
			return event.SignatureInvalid, device
		}
		if d.result.Status == event.IdentityVerified {
			p.last = d.id
			return event.SignatureValid, device
		}
		return event.SignatureUnknown, device
	}
	return event.SignatureUnknown, device // no published device with a readable key of that id
}

// serverTrust says what the server's certificate chains to: a server CA
// named by the profile, the configured CA file, or the system roots; and
// whether the profile pins the server CA.
func (s *Session) serverTrust(cs tls.ConnectionState) (string, bool) {
	domain := s.bare.Domainpart()
	pinned := false
	if s.cfg.Profiles != nil {
		if p := s.cfg.Profiles.Active(); p != nil {
			pinned = p.TrustedCAs.PinServer
			if pool, err := p.ServerCAs(); err == nil && pool != nil && verifyChain(cs, pool, domain) == nil {
				return "profile", pinned
			}
		}
	}
	if s.cfg.CAFile != "" {
		if pem, err := os.ReadFile(s.cfg.CAFile); err == nil {
			pool := x509.NewCertPool()
			if pool.AppendCertsFromPEM(pem) && verifyChain(cs, pool, domain) == nil {
				return "configured", pinned
			}
		}
	}
	return "system", pinned
}

// verifyPinned enforces trusted_cas.pin_server: when the profile in force
// pins the server CA, the server's certificate must chain to one of the
// profile's server CAs; the system roots and the CA file do not count. It
// reports whether the pin applies, and the verdict.
func (s *Session) verifyPinned(cs tls.ConnectionState) (bool, error) {
	if s.cfg.Profiles == nil {
		return false, nil
	}
	p := s.cfg.Profiles.Active()
	if p == nil || !p.TrustedCAs.PinServer {
		return false, nil
	}
	var leaf event.CertInfo
	if len(cs.PeerCertificates) > 0 {
		leaf = certInfo(cs.PeerCertificates[0])
	}
	pool, err := p.ServerCAs()
	if err != nil || pool == nil || len(p.TrustedCAs.ServerTLS) == 0 {
		why := s.lang.T("it names no server CA")
		if err != nil {
			why = profile.ReasonIn(s.lang, err)
		}
		return true, &failure{code: event.CodeTLSUntrusted, fatal: true, err: err,
			msg: s.lang.T("The IT profile pins the server's certificate authority, but its server CAs cannot be used ({{.Why}}). Palisade refused to connect. Ask IT for a corrected profile.", l10n.Args{"Why": why})}
	}
	if verr := verifyChain(cs, pool, s.bare.Domainpart()); verr != nil {
		return true, &failure{code: event.CodeTLSUntrusted, fatal: true, err: verr,
			msg: s.lang.T("The server's certificate does not chain to a server CA named by the IT profile, which pins it (trusted_cas.pin_server): the system's certificate authorities alone are not enough. Subject: {{.Subject}}; issuer: {{.Issuer}}; SHA-256 fingerprint: {{.Fingerprint}}. Palisade refused to connect: this may be an interception. Tell IT.",
				l10n.Args{"Subject": leaf.Subject, "Issuer": leaf.Issuer, "Fingerprint": leaf.SHA256})}
	}
	return true, nil
}
