package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
	"github.com/palisade-im/palisade/session"
)

func runOK(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != exitOK {
		t.Fatalf("palisade-admin %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// The offline path: init, issue a request file, list, revoke, and a CRL
// that a verifier then honours.
func TestCAOffline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	runOK(t, "ca", "init", "--dir", dir, "--name", "ACME Identity CA", "--org", "ACME")
	if fi, err := os.Stat(filepath.Join(dir, caKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("CA key file: %v %v", fi, err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"ca", "init", "--dir", dir, "--name", "Other"}, &out, &errb); code != exitFail {
		t.Fatalf("a second init replaced the CA: %d", code)
	}

	key, _ := identity.NewKey()
	csr, _ := identity.CreateRequest(key, identity.Request{JID: "alice@acme.test"})
	work := t.TempDir()
	csrPath, certPath, crlPath := filepath.Join(work, "alice.csr"), filepath.Join(work, "alice.pem"), filepath.Join(work, "crl.pem")
	os.WriteFile(csrPath, csr, 0o644)
	_, msg := runOK(t, "ca", "issue", "--dir", dir, "--name", "Alice Martin", "--out", certPath, csrPath)
	if !strings.Contains(msg, "alice@acme.test") {
		t.Errorf("issue said %q", msg)
	}
	certPEM, _ := os.ReadFile(certPath)
	certs, err := identity.ParseCertificates(certPEM)
	if err != nil || certs[0].Subject.CommonName != "Alice Martin" || certs[0].Subject.Organization[0] != "ACME" {
		t.Fatalf("certificate %v %v", certs, err)
	}
	serial := identity.FormatSerial(certs[0].SerialNumber)
	list, _ := runOK(t, "ca", "list", "--dir", dir)
	if !strings.Contains(list, serial) || !strings.Contains(list, "valid until") {
		t.Fatalf("list: %s", list)
	}

	// A tampered request is refused.
	bad := bytes.Replace(csr, []byte("AAAA"), []byte("AAAB"), 1)
	if !bytes.Equal(bad, csr) {
		os.WriteFile(csrPath, bad, 0o644)
		if code := run([]string{"ca", "issue", "--dir", dir, csrPath}, &out, &errb); code != exitFail {
			t.Error("a damaged request was signed")
		}
	}

	// A bot's key made and certified in one step; the key file is 0600.
	botKey, botCert := filepath.Join(work, "bot.key"), filepath.Join(work, "bot.pem")
	runOK(t, "ca", "issue", "--dir", dir, "--jid", "bob@acme.test", "--name", "Bob", "--new-key", botKey, "--out", botCert)
	if fi, err := os.Stat(botKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("bot key file: %v %v", fi, err)
	}
	kb, _ := os.ReadFile(botKey)
	blk, _ := pem.Decode(kb)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	bc, _ := os.ReadFile(botCert)
	bcerts, _ := identity.ParseCertificates(bc)
	if !bcerts[0].PublicKey.(ed25519.PublicKey).Equal(k.(ed25519.PrivateKey).Public()) {
		t.Fatal("the bot's certificate is for another key")
	}

	entry, _ := runOK(t, "ca", "revoke", "--dir", dir, "--reason", "laptop stolen", serial)
	if !strings.Contains(entry, `"serial":"`+serial+`"`) {
		t.Fatalf("revoke printed %q", entry)
	}
	runOK(t, "ca", "crl", "--dir", dir, "--out", crlPath)
	crl, _ := os.ReadFile(crlPath)
	caPEM, _ := os.ReadFile(filepath.Join(dir, caCertFile))
	cas, _ := identity.ParseCertificates(caPEM)
	v, err := identity.NewVerifier([]identity.Anchor{{Cert: cas[0], Domains: []string{"acme.test"}}}, [][]byte{crl}, nil)
	if err != nil {
		t.Fatal(err)
	}
	chain, _ := identity.ChainDER(certPEM)
	if r := v.Verify(chain, "alice@acme.test", time.Now()); r.Status != event.IdentityRevoked {
		t.Fatalf("after the CRL: %s (%s)", r.Status, r.Reason)
	}
	list, _ = runOK(t, "ca", "list", "--dir", dir)
	if !strings.Contains(list, "REVOKED") {
		t.Fatalf("list after revoke: %s", list)
	}
}

// Over XMPP on Prosody: a client sends its request to IT; 'ca inbox'
// collects it, 'ca approve' sends the certificate back, and the client is
// enrolled; a second request is rejected with a reason.
func TestCAOverXMPPProsody(t *testing.T) {
	srv := testenv.Prosody(t)
	user, itJID := newUser(t, srv, "enrollee"), newUser(t, srv, "it-ca")
	cadir := filepath.Join(t.TempDir(), "ca")
	runOK(t, "ca", "init", "--dir", cadir, "--name", "ACME Identity CA", "--org", "ACME")
	caPEM, _ := os.ReadFile(filepath.Join(cadir, caCertFile))

	it := newITFiles(t)
	now := time.Now().UTC().Truncate(time.Second)
	prof := it.write("p.json", map[string]any{
		"format": profile.Format, "id": "acme-main", "serial": 1,
		"issued_at": now.Add(-time.Hour), "expires_at": now.Add(24 * time.Hour),
		"organisation": map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"trusted_cas":  map[string]any{"identity": []string{string(caPEM)}},
		"it":           map[string]any{"jid": itJID, "pubsub_service": srv.PubSubService, "profile_node": session.DefaultProfileNode + ":" + it.tag},
	})
	dir := t.TempDir()
	m, err := profile.Open(profile.Options{DataDir: dir, SystemDir: it.sysDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.LoadManaged(prof); err != nil {
		t.Fatal(err)
	}
	key, _ := identity.NewKey()
	s, err := session.New(session.Config{JID: user, Password: func() (string, error) { return srv.Password, nil },
		Server: srv.Addr, CAFile: srv.CAFile, DataDir: dir, Profiles: m, DeviceKey: key})
	if err != nil {
		t.Fatal(err)
	}
	evs := collect(s)
	s.Start()
	t.Cleanup(func() { s.Do(event.Quit{}) })
	evs.wait(t, "connected", func(e event.Event) bool { _, ok := e.(event.Connected); return ok })
	state := func(st string) func(event.Event) bool {
		return func(e event.Event) bool { en, ok := e.(event.Enrolment); return ok && en.State == st }
	}
	s.Do(event.Enrol{})
	evs.wait(t, "pending", state(event.EnrolPending))

	conn := func(sub string, extra ...string) []string {
		return append([]string{"ca", sub, "--dir", cadir, "--jid", itJID, "--password-fd", passwordFD(t, srv.Password),
			"--server", srv.Addr, "--ca-file", srv.CAFile}, extra...)
	}
	var queued string
	for i := 0; i < 50 && !strings.Contains(queued, user); i++ {
		queued, _ = runOK(t, conn("inbox")...)
		if !strings.Contains(queued, user) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	devID := identity.DeviceID(key.Public().(ed25519.PublicKey))
	if !strings.Contains(queued, user) || !strings.Contains(queued, devID) || strings.Contains(queued, "PROBLEM") {
		t.Fatalf("inbox: %q", queued)
	}
	reqID := strings.Fields(queued)[0]
	out, _ := runOK(t, conn("approve", "--name", "Enrol Lee", reqID)...)
	if !strings.Contains(out, "approved "+reqID) {
		t.Fatalf("approve: %s", out)
	}
	e := evs.wait(t, "enrolled", state(event.EnrolEnrolled)).(event.Enrolment)
	if !strings.Contains(e.Subject, "CN=Enrol Lee") {
		t.Fatalf("enrolled as %+v", e)
	}
	// The same request is not queued again.
	again, _ := runOK(t, conn("inbox")...)
	if strings.Contains(again, reqID) {
		t.Fatalf("an answered request came back: %s", again)
	}

	// A new request, rejected.
	s.Do(event.Enrol{})
	var second string
	for i := 0; i < 50 && second == ""; i++ {
		q, _ := runOK(t, conn("inbox")...)
		for _, l := range strings.Split(strings.TrimSpace(q), "\n") {
			if f := strings.Fields(l); len(f) > 0 && f[0] != reqID && strings.Contains(l, user) {
				second = f[0]
			}
		}
		if second == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if second == "" {
		t.Fatal("the second request did not arrive")
	}
	runOK(t, conn("reject", "--reason", "use your laptop", second)...)
	r := evs.wait(t, "rejected", state(event.EnrolRejected)).(event.Enrolment)
	if !strings.Contains(r.Reason, "use your laptop") {
		t.Fatalf("rejected: %+v", r)
	}
}
