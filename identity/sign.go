package identity

import (
	"crypto/ed25519"
	"time"
)

// Signed is what a message signature covers.
type Signed struct {
	From, To string // bare JIDs; for a room, To is the room's bare JID
	ID       string // the stanza id
	Body     string
	Time     time.Time
}

// sigPrefix versions the canonical form.
const sigPrefix = "palisade-sig/1\n"

// Canonical is the byte string a signature covers: the UTF-8 bytes of
// "palisade-sig/1\n" + From + "\n" + To + "\n" + ID + "\n" + Time (RFC 3339
// with nanoseconds, UTC) + "\n" + Body.
func Canonical(m Signed) []byte {
	s := sigPrefix + m.From + "\n" + m.To + "\n" + m.ID + "\n" + m.Time.UTC().Format(time.RFC3339Nano) + "\n" + m.Body
	return []byte(s)
}

// Sign signs m's canonical form with a device key.
func Sign(k ed25519.PrivateKey, m Signed) []byte {
	return ed25519.Sign(k, Canonical(m))
}

// VerifySignature reports whether sig is pub's signature over m's canonical form.
func VerifySignature(pub ed25519.PublicKey, m Signed, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(pub, Canonical(m), sig)
}
