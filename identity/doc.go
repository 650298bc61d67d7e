// Package identity is Palisade's pure certificate engine for explicit
// identities: device keys, certificate requests, the identity CA that IT runs,
// verification of peers' device certificates, and message signatures.
//
// # Device keys
//
// Every device has its own Ed25519 key pair (NewKey). The private key lives
// only in the OS keyring, stored as EncodeKey's text (base64 of PKCS#8 DER);
// callers keep it there, this package never stores anything. DeviceID names a
// public key in a short, human-comparable form: the first 16 bytes of its
// SHA-256, lower-case hex in groups of four ("1a2b-3c4d-...").
//
// # Requests and certificates
//
// CreateRequest makes an X.509 certificate request (PKCS#10) whose subject
// common name is the person's name (or the JID), whose subject serialNumber
// attribute is the device id, and whose subjectAltName holds the JID as an
// otherName of type id-on-xmppAddr (RFC 6120 13.7.1.4, a UTF8String).
// ParseRequest checks the request's signature, that it names exactly one JID
// and that its device id is the one of its key.
//
// CA is IT's identity CA (NewCA makes one with an Ed25519 key). Issue signs a
// checked request into a device certificate: subject CN=person, O=organisation,
// serialNumber=device id; the JID as id-on-xmppAddr; key usage
// digitalSignature; extended key usage clientAuth. RevocationList makes a CRL.
//
// # Verification
//
// A Verifier holds the trust anchors the IT profile names (the company's own
// identity CAs and each partner's, every anchor limited to its domains), the
// CRLs and the revoked serials delivered with the profile. Verify decides one
// published certificate chain for an expected bare JID at a given time, in
// this order: the chain must lead to a trusted anchor (else unverified, and
// the reason names the issuer); no certificate of the chain may be revoked
// (revoked); the certificate must name exactly the expected JID and its
// device id must be the one of its key, and the anchor must be allowed to
// certify the JID's domain (else mismatch); every certificate of the chain
// must be inside its validity period (else expired). Best turns the verdicts
// on all of a peer's devices into one.
//
// # Signatures
//
// Sign and VerifySignature sign the canonical form of a message (Canonical):
// the UTF-8 bytes of
//
//	"palisade-sig/1\n" + from + "\n" + to + "\n" + id + "\n" + time + "\n" + body
//
// with from and to bare JIDs and time in RFC 3339 with nanoseconds, UTC.
//
// This package does no I/O and takes no clock (every time is an argument): it
// must not import os, net, syscall, io/fs, Fyne, mellium, the session or the
// ui packages. It uses the standard library only and may import package event
// for the Identity* status names and package l10n for its reasons in the
// user's language (Verifier.In; English by default).
package identity
