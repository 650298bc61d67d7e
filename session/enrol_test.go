package session

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/testenv"
)

// offlineEnrol is a session that never reaches a server, with a profile
// trusting caPEM for identities, recording its events.
func offlineEnrol(t *testing.T, it *itDesk, dir string, key ed25519.PrivateKey, lost bool, caPEM []byte) *recorder {
	t.Helper()
	m := it.manager(dir)
	if m.Active() == nil {
		data, sig := enrolProfile(t, it, "it-admin@acme.test", caPEM)
		if _, err := m.Apply(data, sig, "managed"); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "x", nil }, Server: "127.0.0.1:1",
		DataDir: dir, Profiles: m, DeviceKey: key, DeviceLost: lost})
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = backoff{base: time.Hour, max: time.Hour}
	r := record(t, s, "alice@acme.test")
	return r
}

func desk(t *testing.T) *itDesk {
	return newITDesk(t, &testenv.Server{PubSubService: "pubsub.acme.test"})
}

func errorFor(cmd string) func(event.Event) bool {
	return func(e event.Event) bool { x, ok := e.(event.Error); return ok && x.Command == cmd }
}

// The offline exchange: export a request, import what IT issued; imports
// for another key, another JID, from an untrusted CA or of garbage are
// refused with a reason and change nothing.
func TestEnrolOffline(t *testing.T) {
	caCert, caKey, _ := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	ca, _ := identity.LoadCA(caCert, caKey)
	otherCert, otherKey, _ := identity.NewCA("Other CA", "Other", time.Now().Add(-time.Hour), 48*time.Hour)
	other, _ := identity.LoadCA(otherCert, otherKey)
	key, _ := identity.NewKey()
	dir := t.TempDir()
	it := desk(t)
	r := offlineEnrol(t, it, dir, key, false, caCert)
	r.waitFor("none", 5*time.Second, enrolmentIn(event.EnrolNone))

	work := t.TempDir()
	csrPath := filepath.Join(work, "req.pem")
	r.s.Do(event.ExportRequest{Path: csrPath})
	p := r.waitFor("pending", 5*time.Second, enrolmentIn(event.EnrolPending)).(event.Enrolment)
	if !strings.Contains(p.Reason, csrPath) {
		t.Errorf("pending reason %q", p.Reason)
	}
	csr, err := os.ReadFile(csrPath)
	if err != nil {
		t.Fatal(err)
	}
	info, err := identity.ParseRequest(csr)
	if err != nil || info.JID != "alice@acme.test" || info.DeviceID != identity.DeviceID(key.Public().(ed25519.PublicKey)) {
		t.Fatalf("exported request %+v, %v", info, err)
	}

	write := func(name string, data []byte) string {
		f := filepath.Join(work, name)
		os.WriteFile(f, data, 0o644)
		return f
	}
	issue := func(c *identity.CA, ri *identity.RequestInfo) []byte {
		b, err := c.Issue(ri, identity.IssueOptions{Org: "ACME", Now: time.Now(), Validity: 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	otherDev, _ := identity.NewKey()
	otherReq, _ := identity.CreateRequest(otherDev, identity.Request{JID: "alice@acme.test"})
	otherInfo, _ := identity.ParseRequest(otherReq)
	bobInfo := *info
	bobInfo.JID = "bob@acme.test"
	for i, tt := range []struct {
		name string
		file string
		want string
	}{
		{"another key", write("k.pem", issue(ca, otherInfo)), "another key"},
		{"another JID", write("j.pem", issue(ca, &bobInfo)), "bob@acme.test"},
		{"untrusted CA", write("u.pem", issue(other, info)), "not an identity CA this profile trusts"},
		{"garbage", write("g.pem", []byte("hello")), "not a certificate"},
		{"missing file", filepath.Join(work, "none.pem"), "no such file"},
	} {
		r.s.Do(event.ImportCertificate{Path: tt.file})
		var got event.Error
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var errs []event.Error
			for _, e := range r.all() {
				if errorFor("import_certificate")(e) {
					errs = append(errs, e.(event.Error))
				}
			}
			if len(errs) > i {
				got = errs[i]
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no error; events: %s", tt.name, r.dump())
			}
		}
		if !strings.Contains(got.Message, tt.want) {
			t.Errorf("%s: %q does not say %q", tt.name, got.Message, tt.want)
		}
	}
	if r.seen(enrolmentIn(event.EnrolEnrolled)) {
		t.Fatal("a bad certificate was installed")
	}
	if d, _ := LoadDevice(dir); d == nil || d.Chain != "" || d.State != event.EnrolPending {
		t.Fatalf("device file after refused imports: %+v", d)
	}

	r.s.Do(event.ImportCertificate{Path: write("good.pem", issue(ca, info))})
	en := r.waitFor("enrolled", 5*time.Second, enrolmentIn(event.EnrolEnrolled)).(event.Enrolment)
	if !strings.Contains(en.Issuer, "ACME Identity CA") {
		t.Fatalf("enrolled %+v", en)
	}
	r.quit()
	assertNoPrivateKey(t, dir, key)

	// The next start finds the device enrolled.
	r2 := offlineEnrol(t, it, dir, key, false, caCert)
	r2.waitFor("enrolled again", 5*time.Second, enrolmentIn(event.EnrolEnrolled))
}

// A lost key: the session says so (lost-key, with the reason), keeps the
// lost device's id for retraction and forgets the old certificate.
func TestEnrolLostKey(t *testing.T) {
	caCert, caKey, _ := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	ca, _ := identity.LoadCA(caCert, caKey)
	old, _ := identity.NewKey()
	dir := t.TempDir()
	csr, _ := identity.CreateRequest(old, identity.Request{JID: "alice@acme.test"})
	info, _ := identity.ParseRequest(csr)
	chain, _ := ca.Issue(info, identity.IssueOptions{Org: "ACME", Now: time.Now(), Validity: 24 * time.Hour})
	if err := SaveDevice(dir, &DeviceFile{JID: "alice@acme.test", DeviceID: info.DeviceID, PublicKey: info.PublicKey,
		State: event.EnrolEnrolled, Chain: string(chain)}); err != nil {
		t.Fatal(err)
	}
	fresh, _ := identity.NewKey()
	r := offlineEnrol(t, desk(t), dir, fresh, true, caCert)
	en := r.waitFor("lost-key", 5*time.Second, enrolmentIn(event.EnrolLostKey)).(event.Enrolment)
	if en.DeviceID != identity.DeviceID(fresh.Public().(ed25519.PublicKey)) || !strings.Contains(en.Reason, "cannot be recovered") {
		t.Fatalf("lost-key enrolment %+v", en)
	}
	d, _ := LoadDevice(dir)
	if d.LostDevice != info.DeviceID || d.Chain != "" || d.State != event.EnrolLostKey {
		t.Fatalf("device file %+v", d)
	}
}

// Without a device key the session reports no-key with the reason and
// refuses the enrolment commands with it.
func TestEnrolNoKey(t *testing.T) {
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "x", nil }, Server: "127.0.0.1:1",
		DataDir: t.TempDir(), DeviceOff: &event.Error{Message: "No system keyring is available.", Code: event.CodeNoKeyring}})
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = backoff{base: time.Hour, max: time.Hour}
	r := record(t, s, "alice@acme.test")
	en := r.waitFor("no-key", 5*time.Second, enrolmentIn(event.EnrolNoKey)).(event.Enrolment)
	if !strings.Contains(en.Reason, "keyring") {
		t.Fatalf("no-key %+v", en)
	}
	s.Do(event.Enrol{})
	e := r.waitFor("refusal", 5*time.Second, errorFor("enrol")).(event.Error)
	if e.Code != event.CodeNoKeyring {
		t.Fatalf("refusal %+v", e)
	}
}

// A new profile that revokes this device's certificate changes the
// enrolment at once: back to none, with the reason.
func TestEnrolRevokedByNewProfile(t *testing.T) {
	caCert, caKey, _ := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	ca, _ := identity.LoadCA(caCert, caKey)
	key, _ := identity.NewKey()
	dir := t.TempDir()
	it := desk(t)
	csr, _ := identity.CreateRequest(key, identity.Request{JID: "alice@acme.test"})
	info, _ := identity.ParseRequest(csr)
	chain, _ := ca.Issue(info, identity.IssueOptions{Org: "ACME", Now: time.Now(), Validity: 24 * time.Hour})
	certs, _ := identity.ParseCertificates(chain)
	if err := SaveDevice(dir, &DeviceFile{JID: "alice@acme.test", DeviceID: info.DeviceID, PublicKey: info.PublicKey,
		State: event.EnrolEnrolled, Chain: string(chain)}); err != nil {
		t.Fatal(err)
	}
	r := offlineEnrol(t, it, dir, key, false, caCert)
	r.waitFor("enrolled", 5*time.Second, enrolmentIn(event.EnrolEnrolled))

	now := time.Now().UTC().Truncate(time.Second)
	doc := map[string]any{
		"format": "palisade-profile/1", "id": "acme-main", "serial": 2,
		"issued_at": now.Add(-time.Minute), "expires_at": now.Add(24 * time.Hour),
		"organisation":    map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"unknown_domains": "warn",
		"trusted_cas": map[string]any{"identity": []string{string(caCert)},
			"revoked": []map[string]any{{"serial": identity.FormatSerial(certs[0].SerialNumber)}}},
		"it": map[string]any{"jid": "it-admin@acme.test", "pubsub_service": it.srv.PubSubService,
			"profile_node": it.profileNode, "bulletin_node": it.bulletinNode},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p2.json")
	os.WriteFile(path, data, 0o644)
	os.WriteFile(path+".jws", []byte(it.sign(data)), 0o644)
	r.s.Do(event.ImportProfile{Path: path})
	en := r.waitFor("none after revocation", 5*time.Second, enrolmentIn(event.EnrolNone)).(event.Enrolment)
	if !strings.Contains(en.Reason, "revoked") {
		t.Fatalf("after revocation: %+v", en)
	}
	if d, _ := LoadDevice(dir); d == nil || d.Chain != "" || d.State != event.EnrolNone {
		t.Fatalf("device file after revocation: %+v", d)
	}
}
