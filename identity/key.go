package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// NewKey makes a new Ed25519 device key.
func NewKey() (ed25519.PrivateKey, error) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: making a device key: %w", err)
	}
	return k, nil
}

// EncodeKey turns a device key into the text kept in the keyring: base64 of
// its PKCS#8 DER.
func EncodeKey(k ed25519.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		// Only an invalid key length makes this fail.
		return ""
	}
	return base64.StdEncoding.EncodeToString(der)
}

// DecodeKey reads EncodeKey's text back.
func DecodeKey(s string) (ed25519.PrivateKey, error) {
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("identity: the stored device key is not base64: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("identity: the stored device key cannot be read: %w", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("identity: the stored device key is not an Ed25519 key")
	}
	return ek, nil
}

// DeviceID names a device's public key: the first 16 bytes of its SHA-256,
// lower-case hex in groups of four separated by '-'.
func DeviceID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:16])
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(h[i : i+4])
	}
	return b.String()
}

// FormatSHA256 is the SHA-256 of der as colon-separated upper-case hex, the
// form event.CertInfo uses.
func FormatSHA256(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
