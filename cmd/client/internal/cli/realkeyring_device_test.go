//go:build realkeyring

package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/session"
)

// TestRealKeyringDeviceKey: the device key is made on first use under
// "Palisade device key" in the real keyring and found again; 'client
// identity request' writes a request for it; when the keyring entry
// disappears, a new key is made, the loss is reported (device.json and the
// session's Enrolment lost-key) and never silent; no file of the data
// directory ever holds a private key.
func TestRealKeyringDeviceKey(t *testing.T) {
	requireRealKeyring(t)
	store, err := keystore.Open()
	if err != nil {
		t.Fatalf("keystore.Open: %v", err)
	}
	const jid = "device-key-test@acme.test"
	keys := keystore.NewKeyring(DeviceKeyService, 0)
	t.Cleanup(func() { keys.Delete(jid) })
	keys.Delete(jid)
	dir := t.TempDir()

	l := &Launcher{DataDir: dir, Store: store}
	first := OpenDeviceKey("", l.deviceKeys(), dir, jid)
	if first.Key == nil || first.Lost || first.Off != nil {
		t.Fatalf("first use: %+v", first)
	}
	stored, err := keys.Get(jid)
	if err != nil {
		t.Fatalf("keyring entry: %v", err)
	}
	if k, err := identity.DecodeKey(stored); err != nil || !k.Equal(first.Key) {
		t.Fatalf("the keyring holds another key: %v", err)
	}
	if _, err := store.Get(jid); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("the device key went to the password entry: %v", err)
	}
	again := OpenDeviceKey("", l.deviceKeys(), dir, jid)
	if again.Key == nil || !again.Key.Equal(first.Key) || again.Lost {
		t.Fatalf("second use gave another key: %+v", again)
	}
	firstID := identity.DeviceID(first.Key.Public().(ed25519.PublicKey))

	// client identity request, through the real keyring.
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, OpenStore: keystore.Open}
	csrPath := filepath.Join(t.TempDir(), "req.pem")
	if code := Main([]string{"identity", "request", "--jid", jid, "--data-dir", dir, "--out", csrPath}, env); code != ExitOK {
		t.Fatalf("identity request: %d %s", code, errb.String())
	}
	csr, err := os.ReadFile(csrPath)
	if err != nil {
		t.Fatal(err)
	}
	info, err := identity.ParseRequest(csr)
	if err != nil || info.DeviceID != firstID || info.JID != jid || !strings.Contains(out.String(), info.SHA256) {
		t.Fatalf("request %+v, %v; output %s", info, err, out.String())
	}
	d, err := session.LoadDevice(dir)
	if err != nil || d == nil || d.DeviceID != firstID || d.State != event.EnrolPending {
		t.Fatalf("device file %+v, %v", d, err)
	}

	// IT issues the certificate; 'client identity import' installs it only
	// when the managed profile trusts the CA, and 'show' reports it.
	caCert, caKey, _ := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	ca, _ := identity.LoadCA(caCert, caKey)
	cert, err := ca.Issue(info, identity.IssueOptions{Org: "ACME", Now: time.Now(), Validity: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	certPath := filepath.Join(t.TempDir(), "cert.pem")
	os.WriteFile(certPath, cert, 0o644)
	sys := t.TempDir()
	t.Setenv("PALISADE_SYSTEM_DIR", sys)
	priv := itKey(t, sys)
	importArgs := []string{"identity", "import", "--jid", jid, "--data-dir", dir, certPath}
	out.Reset()
	errb.Reset()
	if code := Main(importArgs, env); code != ExitConfig || !strings.Contains(errb.String(), "not installed") {
		t.Fatalf("import without a trusting profile: %d %s", code, errb.String())
	}
	now := time.Now().UTC().Truncate(time.Second)
	prof, _ := json.Marshal(map[string]any{
		"format": "palisade-profile/1", "id": "acme", "serial": 1,
		"issued_at": now.Add(-time.Hour), "expires_at": now.Add(24 * time.Hour),
		"organisation": map[string]any{"name": "ACME", "domains": []string{"acme.test"}},
		"trusted_cas":  map[string]any{"identity": []string{string(caCert)}},
	})
	writeSigned(t, filepath.Join(sys, "profile.json"), string(prof), priv)
	out.Reset()
	errb.Reset()
	if code := Main(importArgs, env); code != ExitOK || !strings.Contains(out.String(), "installed") {
		t.Fatalf("import: %d %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := Main([]string{"identity", "show", "--jid", jid, "--data-dir", dir}, env); code != ExitOK ||
		!strings.Contains(out.String(), "enrolled") || !strings.Contains(out.String(), "ACME Identity CA") || !strings.Contains(out.String(), firstID) {
		t.Fatalf("show: %d %s", code, out.String())
	}
	if d, _ := session.LoadDevice(dir); d == nil || d.State != event.EnrolEnrolled || d.Chain == "" {
		t.Fatalf("device file after import: %+v", d)
	}

	// The keyring entry disappears.
	if err := keys.Delete(jid); err != nil {
		t.Fatal(err)
	}
	lost := OpenDeviceKey("", l.deviceKeys(), dir, jid)
	if lost.Key == nil || !lost.Lost || lost.Key.Equal(first.Key) {
		t.Fatalf("after the loss: %+v", lost)
	}
	newID := identity.DeviceID(lost.Key.Public().(ed25519.PublicKey))
	s, err := session.New(session.Config{JID: jid, Password: func() (string, error) { return "x", nil }, Server: "127.0.0.1:1",
		DataDir: dir, DeviceKey: lost.Key, DeviceLost: lost.Lost})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	var en event.Enrolment
	deadline := time.After(10 * time.Second)
	for en.State == "" {
		select {
		case e := <-s.Events():
			if x, ok := e.(event.Enrolment); ok {
				en = x
			}
		case <-deadline:
			t.Fatal("no enrolment event")
		}
	}
	s.Do(event.Quit{})
	for range s.Events() {
	}
	if en.State != event.EnrolLostKey || en.DeviceID != newID || !strings.Contains(en.Reason, "no longer in the keyring") {
		t.Fatalf("enrolment after the loss: %+v", en)
	}
	d, _ = session.LoadDevice(dir)
	if d == nil || d.DeviceID != newID || d.LostDevice != firstID || d.State != event.EnrolLostKey {
		t.Fatalf("device file after the loss: %+v", d)
	}

	for _, k := range []ed25519.PrivateKey{first.Key, lost.Key} {
		assertNoKeyInFiles(t, dir, k)
	}

	// No keyring: no key, and no memory fallback.
	if none := OpenDeviceKey("", nil, dir, jid); none.Key != nil || none.Off == nil || none.Off.Code != event.CodeNoKeyring {
		t.Fatalf("without a keyring: %+v", none)
	}
}

func assertNoKeyInFiles(t *testing.T, dir string, key ed25519.PrivateKey) {
	t.Helper()
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	needles := [][]byte{key.Seed(), []byte(hex.EncodeToString(key.Seed())), []byte(base64.StdEncoding.EncodeToString(key.Seed())),
		[]byte(identity.EncodeKey(key)), pkcs8, []byte("PRIVATE KEY")}
	n := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		n++
		data, _ := os.ReadFile(p)
		for _, x := range needles {
			if bytes.Contains(data, x) {
				t.Errorf("%s holds a device private key", p)
			}
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no file checked")
	}
}
