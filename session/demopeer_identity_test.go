package session

import (
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
)

// TestProsodyDemoPeerSigns runs the demo bot (scripts/demo-peer.py) with a
// device certificate: it publishes the certificate and signs its message,
// and the session judges it verified and valid. The key file is read in
// both forms the bot accepts (PEM PKCS#8, base64 of PKCS#8 DER).
func TestProsodyDemoPeerSigns(t *testing.T) {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import slixmpp, cryptography").Run(); err != nil {
		t.Skip("the demo bot needs python3-slixmpp and python3-cryptography (scripts/deps.sh)")
	}
	srv := prosody(t)
	now := time.Now()
	acme := newIDCA(t, "ACME Identity CA", "ACME", now)
	v, err := identity.NewVerifier([]identity.Anchor{acme.anchor("ACME", "acme.test")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{"pem", "keyring"} {
		t.Run(form, func(t *testing.T) {
			bob := freshUser(t, srv, "bob", "acme.test")
			aliceJID := freshUser(t, srv, "alice", "acme.test")
			dev := acme.issue(t, bob, "Bob Builder", now, 365*24*time.Hour)
			dir := t.TempDir()
			certFile, keyFile := filepath.Join(dir, "bob.pem"), filepath.Join(dir, "bob.key")
			if err := os.WriteFile(certFile, identity.EncodeChain(dev.chain), 0o644); err != nil {
				t.Fatal(err)
			}
			keyData := []byte(identity.EncodeKey(dev.key))
			if form == "pem" {
				der, err := x509.MarshalPKCS8PrivateKey(dev.key)
				if err != nil {
					t.Fatal(err)
				}
				keyData = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			}
			if err := os.WriteFile(keyFile, keyData, 0o600); err != nil {
				t.Fatal(err)
			}
			alice := startSessionWith(t, srv, aliceJID, opts{}, withVerifier(v))
			alice.connected()

			body := "signed by the demo bot (" + form + ")"
			cmd := exec.Command(py, "../scripts/demo-peer.py", "--jid", bob, "--password", srv.Password, "--friend", aliceJID,
				"--host", host, "--port", port, "--ca-file", srv.CAFile,
				"--identity-cert", certFile, "--identity-key", keyFile, "--send-once", body)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("demo bot: %v\n%s", err, out)
			}
			m := alice.message(body)
			if m.Signature != event.SignatureValid || m.Device != dev.id || m.Trust.Identity != event.IdentityVerified || m.Trust.Person != "Bob Builder" {
				t.Errorf("the bot's message: signature %q device %q trust %+v; bot said:\n%s", m.Signature, m.Device, m.Trust, out)
			}
		})
	}
}
