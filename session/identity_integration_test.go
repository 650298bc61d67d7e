package session

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mellium.im/xmpp"

	"github.com/palisade-im/palisade/audit"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
)

// idCA is an identity CA for tests.
type idCA struct {
	ca   *identity.CA
	pem  []byte
	cert *x509.Certificate
}

func newIDCA(t testing.TB, name, org string, now time.Time) *idCA {
	t.Helper()
	certPEM, keyPEM, err := identity.NewCA(name, org, now.Add(-3*365*24*time.Hour), 10*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := identity.LoadCA(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &idCA{ca: ca, pem: certPEM, cert: ca.Cert}
}

// testDevice is a device key with its certificate chain.
type testDevice struct {
	key    ed25519.PrivateKey
	id     string
	chain  [][]byte
	serial string
}

// issue makes a device key for jid and a certificate for it, valid from
// now for validity.
func (c *idCA) issue(t testing.TB, jid, name string, now time.Time, validity time.Duration) testDevice {
	t.Helper()
	k, err := identity.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	id := identity.DeviceID(k.Public().(ed25519.PublicKey))
	csr, err := identity.CreateRequest(k, identity.Request{JID: jid, Name: name, DeviceID: id})
	if err != nil {
		t.Fatal(err)
	}
	ri, err := identity.ParseRequest(csr)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := c.ca.Issue(ri, identity.IssueOptions{Org: c.cert.Subject.Organization[0], Now: now, Validity: validity})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := identity.ChainDER(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		t.Fatal(err)
	}
	return testDevice{key: k, id: id, chain: chain, serial: identity.FormatSerial(leaf.SerialNumber)}
}

func (c *idCA) anchor(org string, domains ...string) identity.Anchor {
	return identity.Anchor{Cert: c.cert, Org: org, Domains: domains}
}

// rawPeer is a plain XMPP session of an account, for publishing device
// items and sending stanzas Palisade would never send.
func rawPeer(t *testing.T, srv *testenv.Server, user string) *xmpp.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	xs, err := srv.Dial(ctx, user, srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { xs.Close() })
	return xs
}

// publishDevice publishes a device item on the account's own devices node
// (open access), as the account's own client would.
func publishDevice(t *testing.T, xs *xmpp.Session, user, id string, chain [][]byte) {
	t.Helper()
	form := elem(nsDataForm, "x", "type", "submit").add(
		elem("", "field", "var", "FORM_TYPE", "type", "hidden").add(child("value", "http://jabber.org/protocol/pubsub#publish-options")),
		elem("", "field", "var", "pubsub#access_model").add(child("value", "open")),
	)
	req := iq("set", randomID(), user, elem(nsPubSub, "pubsub").add(
		elem("", "publish", "node", nsDevices).add(elem("", "item", "id", id).add(deviceElement(id, chain))),
		elem("", "publish-options").add(form)))
	// The answer to an IQ to the own account comes without 'from' on Prosody.
	if err := writeElement(xs, req); err != nil {
		t.Fatal(err)
	}
	var r pubsubReply
	for r.ID != req.attrs[1].Value || (r.Type != "result" && r.Type != "error") {
		r = pubsubReply{}
		if _, err := readElement(xs, &r); err != nil {
			t.Fatal(err)
		}
	}
	if r.Type != "result" {
		t.Fatalf("publishing device %s of %s: %s", id, user, r.Error.String())
	}
}

func withVerifier(v *identity.Verifier) func(*Session) {
	return func(s *Session) { s.ident.fixed = v }
}

func certificatesOf(jid, status string) func(event.Event) bool {
	return func(e event.Event) bool {
		c, ok := e.(event.Certificates)
		return ok && c.JID == jid && c.Trust.Identity == status
	}
}

// testIdentityVerdicts: valid chain, wrong JID, expired, untrusted CA,
// revoked, nothing published.
func testIdentityVerdicts(t *testing.T, srv *testenv.Server) {
	now := time.Now()
	acme := newIDCA(t, "ACME Identity CA", "ACME", now)
	globex := newIDCA(t, "Globex Identity CA", "Globex", now)
	year := 365 * 24 * time.Hour

	bob := freshUser(t, srv, "bob", "acme.test")
	dave := freshUser(t, srv, "dave", "acme.test")
	old := freshUser(t, srv, "old", "acme.test")
	gone := freshUser(t, srv, "gone", "acme.test")
	none := freshUser(t, srv, "none", "acme.test")
	carol := freshUser(t, srv, "carol", "partner.test")

	bobDev := acme.issue(t, bob, "Bob Builder", now, year)
	publishDevice(t, rawPeer(t, srv, bob), bob, bobDev.id, bobDev.chain)
	daveDev := acme.issue(t, bob, "Bob Builder", now, year) // names bob: published by dave
	publishDevice(t, rawPeer(t, srv, dave), dave, daveDev.id, daveDev.chain)
	oldDev := acme.issue(t, old, "Old Timer", now.Add(-2*year), year)
	publishDevice(t, rawPeer(t, srv, old), old, oldDev.id, oldDev.chain)
	goneDev := acme.issue(t, gone, "Gone Away", now, year)
	publishDevice(t, rawPeer(t, srv, gone), gone, goneDev.id, goneDev.chain)
	carolDev := globex.issue(t, carol, "Carol Partner", now, year)
	publishDevice(t, rawPeer(t, srv, carol), carol, carolDev.id, carolDev.chain)

	v, err := identity.NewVerifier([]identity.Anchor{acme.anchor("ACME", "acme.test")}, nil,
		[]identity.Revoked{{Serial: goneDev.serial, At: now}})
	if err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, freshUser(t, srv, "alice", "acme.test"), opts{}, withVerifier(v))
	alice.connected()

	cases := []struct {
		jid, status, reason string
	}{
		{bob, event.IdentityVerified, ""},
		{dave, event.IdentityMismatch, "is for " + bob},
		{old, event.IdentityExpired, "expired"},
		{carol, event.IdentityUnverified, "Globex Identity CA"},
		{gone, event.IdentityRevoked, "revoked"},
		{none, event.IdentityUnverified, "No device certificate"},
	}
	for _, c := range cases {
		alice.s.Do(event.GetCertificates{JID: c.jid})
		e := alice.waitFor(c.jid+" "+c.status, 20*time.Second, certificatesOf(c.jid, c.status)).(event.Certificates)
		if !strings.Contains(e.Trust.IdentityReason, c.reason) {
			t.Errorf("%s: reason %q, want it to mention %q", c.jid, e.Trust.IdentityReason, c.reason)
		}
		if c.jid == none {
			if len(e.Devices) != 0 {
				t.Errorf("%s published nothing but has devices %+v", none, e.Devices)
			}
			continue
		}
		if len(e.Devices) != 1 || e.Devices[0].Status != c.status || e.Devices[0].SHA256 == "" || e.Devices[0].Subject == "" {
			t.Errorf("%s: devices %+v, want one %s device with its details", c.jid, e.Devices, c.status)
		}
	}
	// The verified peer's trust names the person and the CA everywhere.
	tr := alice.s.trustOf(bob)
	if tr.Identity != event.IdentityVerified || tr.Person != "Bob Builder" || tr.IdentityOrg != "ACME" ||
		tr.IdentityCA != "ACME Identity CA" || tr.IdentityReason != "" || !strings.Contains(tr.Subject, "Bob Builder") {
		t.Errorf("bob's trust %+v", tr)
	}
}

func TestProsodyIdentityVerdicts(t *testing.T)  { testIdentityVerdicts(t, prosody(t)) }
func TestEjabberdIdentityVerdicts(t *testing.T) { testIdentityVerdicts(t, ej(t)) }

// rawSigned is a chat message from a raw session with a signature made by
// k over sig (which may differ from what the stanza says).
func rawSigned(from, to, id, body string, k ed25519.PrivateKey, sig identity.Signed) *el {
	m := elem(nsClient, "message", "type", "chat", "to", to, "id", id).add(child("body", body))
	if k != nil {
		s := identity.Sign(k, sig)
		m.add(elem(nsSignature, "signature", "device", identity.DeviceID(k.Public().(ed25519.PublicKey)),
			"time", sig.Time.UTC().Format(time.RFC3339Nano)).setText(base64.StdEncoding.EncodeToString(s)))
	}
	return m
}

// signedPair is bob, with a device certified by ACME's identity CA and
// published, signed in with its key, and alice, who trusts that CA.
type signedPair struct {
	bob, aliceJID string
	dev           testDevice
	raw           *xmpp.Session // bob's plain XMPP session (publishes, sends raw stanzas)
	v             *identity.Verifier
	alice, bobS   *recorder
}

func newSignedPair(t *testing.T, srv *testenv.Server) signedPair {
	t.Helper()
	now := time.Now()
	acme := newIDCA(t, "ACME Identity CA", "ACME", now)
	bob := freshUser(t, srv, "bob", "acme.test")
	aliceJID := freshUser(t, srv, "alice", "acme.test")
	dev := acme.issue(t, bob, "Bob Builder", now, 365*24*time.Hour)
	raw := rawPeer(t, srv, bob)
	publishDevice(t, raw, bob, dev.id, dev.chain)
	v, err := identity.NewVerifier([]identity.Anchor{acme.anchor("ACME", "acme.test")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, aliceJID, opts{}, withVerifier(v))
	alice.connected()
	bobS := startSessionWith(t, srv, bob, opts{}, func(s *Session) { s.cfg.DeviceKey = dev.key })
	bobS.connected()
	return signedPair{bob: bob, aliceJID: aliceJID, dev: dev, raw: raw, v: v, alice: alice, bobS: bobS}
}

// testSignedMessages: a signed message from a certified device is valid;
// tampered, replayed (other id or recipient), unsigned and unknown-device
// messages are told apart.
func testSignedMessages(t *testing.T, srv *testenv.Server) {
	f := newSignedPair(t, srv)
	bob, aliceJID, dev, raw, v, alice, bobS := f.bob, f.aliceJID, f.dev, f.raw, f.v, f.alice, f.bobS

	bobS.s.Do(event.Send{To: aliceJID, Body: "signed hello"})
	m := alice.message("signed hello")
	if m.Signature != event.SignatureValid || m.Device != dev.id || m.Trust.Identity != event.IdentityVerified {
		t.Fatalf("a message from bob's certified device: signature %q device %q identity %q, want valid %s verified", m.Signature, m.Device, m.Trust.Identity, dev.id)
	}
	alice.s.Do(event.GetCertificates{JID: bob})
	c := alice.waitFor("certificates", 10*time.Second, certificatesOf(bob, event.IdentityVerified)).(event.Certificates)
	if len(c.Devices) != 1 || !c.Devices[0].Current {
		t.Errorf("the device that signed the latest message is not marked current: %+v", c.Devices)
	}

	// A message bob sends from this device reaches his other Palisade
	// session as a carbon, judged against his own published devices.
	bob2 := startSessionWith(t, srv, bob, opts{resource: "second"}, withVerifier(v))
	bob2.connected()
	bob2.waitFor("roster", 10*time.Second, isA[event.Roster])
	// Carbons start once the server has enabled them for the second
	// session: send until one arrives there.
	var carbon *event.Message
	for i := 0; i < 20 && carbon == nil; i++ {
		body := fmt.Sprintf("seen from my other device (%d)", i)
		bobS.s.Do(event.Send{To: aliceJID, Body: body})
		alice.message(body)
		deadline := time.Now().Add(time.Second)
		for carbon == nil && time.Now().Before(deadline) {
			for _, e := range bob2.all() {
				if m, ok := e.(event.Message); ok && m.Body == body {
					carbon = &m
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if carbon == nil {
		t.Fatal("no sent carbon reached bob's second session")
	}
	if !carbon.Outgoing || carbon.Signature != event.SignatureValid || carbon.Device != dev.id {
		t.Errorf("the sent carbon: outgoing %v signature %q device %q, want outgoing, valid %s", carbon.Outgoing, carbon.Signature, carbon.Device, dev.id)
	}

	other, _ := identity.NewKey()
	at := time.Now().UTC()
	cases := []struct {
		name, want string
		stanza     *el
	}{
		{"tampered", event.SignatureInvalid,
			rawSigned(bob, aliceJID, "t1", "pay 1000 EUR to X", dev.key, identity.Signed{From: bob, To: aliceJID, ID: "t1", Body: "pay 10 EUR to X", Time: at})},
		{"replayed id", event.SignatureInvalid,
			rawSigned(bob, aliceJID, "t2", "replayed id", dev.key, identity.Signed{From: bob, To: aliceJID, ID: "other", Body: "replayed id", Time: at})},
		{"replayed to", event.SignatureInvalid,
			rawSigned(bob, aliceJID, "t3", "replayed to", dev.key, identity.Signed{From: bob, To: "dave@acme.test", ID: "t3", Body: "replayed to", Time: at})},
		{"unsigned", event.SignatureMissing,
			rawSigned(bob, aliceJID, "t4", "unsigned", nil, identity.Signed{})},
		{"unknown device", event.SignatureUnknown,
			rawSigned(bob, aliceJID, "t5", "from an unknown device", other, identity.Signed{From: bob, To: aliceJID, ID: "t5", Body: "from an unknown device", Time: at})},
		{"good raw", event.SignatureValid,
			rawSigned(bob, aliceJID, "t6", "raw but good", dev.key, identity.Signed{From: bob, To: aliceJID, ID: "t6", Body: "raw but good", Time: at})},
	}
	for _, c := range cases {
		rawSend(t, raw, c.stanza)
		body := ""
		for _, k := range c.stanza.kids {
			if k.name.Local == "body" {
				body = k.text
			}
		}
		m := alice.message(body)
		if m.Signature != c.want {
			t.Errorf("%s: signature %q, want %q", c.name, m.Signature, c.want)
		}
	}
	// A verified peer writing from a device it never published is an
	// identity change, like a new uncertified device.
	otherID := identity.DeviceID(other.Public().(ed25519.PublicKey))
	if !alice.seen(func(e event.Event) bool {
		ch, ok := e.(event.IdentityChanged)
		return ok && ch.JID == bob && ch.Change == event.ChangeNewDevice && ch.DeviceID == otherID
	}) {
		t.Errorf("no identity change for the unknown device %s: %s", otherID, alice.dump())
	}
	alice.s.Do(event.Send{To: bob, Body: "locked?", ID: "l1"})
	alice.waitFor("refused", 10*time.Second, refusedWith(event.RefusedIdentity))
}

func TestProsodySignedMessages(t *testing.T)  { testSignedMessages(t, prosody(t)) }
func TestEjabberdSignedMessages(t *testing.T) { testSignedMessages(t, ej(t)) }

// testIdentityChangeLocks: a verified peer who shows a new, uncertified
// device locks sending until the user acknowledges it; the lock survives a
// restart; both are in the audit log.
func testIdentityChangeLocks(t *testing.T, srv *testenv.Server) {
	now := time.Now()
	acme := newIDCA(t, "ACME Identity CA", "ACME", now)
	globex := newIDCA(t, "Globex Identity CA", "Globex", now)
	year := 365 * 24 * time.Hour
	bob := freshUser(t, srv, "bob", "acme.test")
	aliceJID := freshUser(t, srv, "alice", "acme.test")
	raw := rawPeer(t, srv, bob)
	first := acme.issue(t, bob, "Bob Builder", now, year)
	publishDevice(t, raw, bob, first.id, first.chain)
	v, err := identity.NewVerifier([]identity.Anchor{acme.anchor("ACME", "acme.test")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	alice := startSessionWith(t, srv, aliceJID, opts{dataDir: dir}, withVerifier(v))
	alice.connected()
	alice.s.Do(event.GetCertificates{JID: bob})
	alice.waitFor("bob verified", 20*time.Second, certificatesOf(bob, event.IdentityVerified))
	alice.s.Do(event.Send{To: bob, Body: "before", ID: "m1"})
	alice.waitFor("sent before", 10*time.Second, func(e event.Event) bool { s, ok := e.(event.Sent); return ok && s.ID == "m1" })

	// A second device, certified by a CA the profile does not trust.
	second := globex.issue(t, bob, "Bob Builder", now, year)
	publishDevice(t, raw, bob, second.id, second.chain)
	alice.s.fetchDevices(bob) // as on bob's next presence after a while
	ch := alice.waitFor("identity changed", 20*time.Second, isA[event.IdentityChanged]).(event.IdentityChanged)
	if ch.JID != bob || ch.Change != event.ChangeNewDevice || ch.DeviceID != second.id || !ch.Trust.IdentityChanged || ch.Detail == "" {
		t.Fatalf("identity change %+v", ch)
	}
	alice.s.Do(event.Send{To: bob, Body: "after", ID: "m2"})
	r := alice.waitFor("refused", 10*time.Second, refusedWith(event.RefusedIdentity)).(event.Refused)
	if r.ID != "m2" || !strings.Contains(r.Reason, second.id) {
		t.Errorf("refusal %+v", r)
	}
	alice.s.Do(event.SendFile{To: bob, Path: "/etc/hostname"})
	alice.waitFor("file refused", 10*time.Second, refusedWith(event.RefusedIdentity))

	// The lock survives a restart.
	alice.quit()
	alice = startSessionWith(t, srv, aliceJID, opts{dataDir: dir}, withVerifier(v))
	alice.connected()
	if tr := alice.s.trustOf(bob); !tr.IdentityChanged {
		t.Errorf("after a restart bob's trust does not say the identity changed: %+v", tr)
	}
	alice.s.Do(event.Send{To: bob, Body: "after restart", ID: "m3"})
	alice.waitFor("refused after restart", 10*time.Second, refusedWith(event.RefusedIdentity))

	alice.s.Do(event.AckIdentity{JID: bob})
	ack := alice.waitFor("acknowledged", 10*time.Second, isA[event.IdentityAcknowledged]).(event.IdentityAcknowledged)
	if ack.JID != bob || ack.Trust.IdentityChanged {
		t.Errorf("acknowledgement %+v", ack)
	}
	alice.s.Do(event.Send{To: bob, Body: "acknowledged", ID: "m4"})
	alice.waitFor("sent after ack", 10*time.Second, func(e event.Event) bool { s, ok := e.(event.Sent); return ok && s.ID == "m4" })

	// Fetching the same devices again changes nothing.
	alice.s.fetchDevices(bob)
	alice.s.Do(event.Send{To: bob, Body: "still fine", ID: "m5"})
	alice.waitFor("sent again", 10*time.Second, func(e event.Event) bool { s, ok := e.(event.Sent); return ok && s.ID == "m5" })
	alice.quit()

	kinds, entries := auditKinds(t, dir)
	for _, want := range []string{"identity_changed", "refused", "identity_acknowledged"} {
		if kinds[want] == 0 {
			t.Errorf("no %s record in the audit log: %v", want, kinds)
		}
	}
	if kinds["identity_changed"] != 1 {
		t.Errorf("%d identity_changed records, want 1: %+v", kinds["identity_changed"], entries)
	}
	data, err := os.ReadFile(filepath.Join(dir, identityStateFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "PRIVATE") || !strings.Contains(string(data), second.id) {
		t.Errorf("identity record: %s", data)
	}
}

func auditKinds(t *testing.T, dir string) (map[string]int, []audit.Entry) {
	t.Helper()
	entries := auditEntries(t, dir) // checks the hash chain too
	kinds := map[string]int{}
	for _, e := range entries {
		kinds[e.Kind]++
	}
	return kinds, entries
}

func TestProsodyIdentityChangeLocks(t *testing.T)  { testIdentityChangeLocks(t, prosody(t)) }
func TestEjabberdIdentityChangeLocks(t *testing.T) { testIdentityChangeLocks(t, ej(t)) }

// testForgedDeviceNotification: a devices notification from anything but
// an account's bare JID is ignored.
func testForgedDeviceNotification(t *testing.T, srv *testenv.Server) {
	aliceJID := freshUser(t, srv, "alice", "acme.test")
	mallory := freshUser(t, srv, "mallory", "acme.test")
	alice := startSession(t, srv, aliceJID, opts{})
	alice.connected()
	raw := rawPeer(t, srv, mallory)
	forged := elem(nsClient, "message", "to", aliceJID, "id", randomID()).add(
		elem(nsPubSubEvent, "event").add(elem("", "items", "node", nsDevices).add(
			elem("", "item", "id", "x").add(deviceElement("x", [][]byte{[]byte("not a certificate")})))))
	rawSend(t, raw, forged)
	deadline := time.Now().Add(20 * time.Second)
	for alice.s.ident.forged.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the forged device notification was not refused")
		}
		time.Sleep(20 * time.Millisecond)
	}
	forgedItem := func(e event.Event) bool {
		c, ok := e.(event.Certificates)
		if !ok {
			return false
		}
		if c.JID == mallory {
			return true // not even a fetch: a full JID's notification says nothing
		}
		for _, d := range c.Devices {
			if d.DeviceID == "x" {
				return true
			}
		}
		return false
	}
	if alice.seen(forgedItem) || alice.seen(isA[event.IdentityChanged]) {
		t.Errorf("a forged notification changed an identity: %s", alice.dump())
	}
}

func TestProsodyForgedDeviceNotification(t *testing.T)  { testForgedDeviceNotification(t, prosody(t)) }
func TestEjabberdForgedDeviceNotification(t *testing.T) { testForgedDeviceNotification(t, ej(t)) }

// testServerTrust: what the server certificate chains to, and a profile
// that pins the server CA refuses a server the CA file alone vouches for.
func testServerTrust(t *testing.T, srv *testenv.Server) {
	r := startSession(t, srv, "alice@acme.test", opts{})
	if c := r.connected(); c.ServerTrust != "configured" || c.ServerCAPinned {
		t.Errorf("with the CA file: trust %q pinned %v, want configured, not pinned", c.ServerTrust, c.ServerCAPinned)
	}
	r.quit()

	serverCA, err := os.ReadFile(srv.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	otherCA := newIDCA(t, "Other CA", "Other", time.Now())
	for _, c := range []struct {
		name   string
		ca     []byte
		noCA   bool
		pinned bool
		ok     bool
	}{
		{"pinned, the server's CA", serverCA, true, true, true},
		{"pinned, another CA", otherCA.pem, false, true, false},
		{"not pinned, another CA", otherCA.pem, false, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := newITDesk(t, srv)
			data, jws := d.profile(1)
			var p map[string]any
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatal(err)
			}
			p["trusted_cas"] = map[string]any{"server_tls": []string{string(c.ca)}, "pin_server": c.pinned}
			data, _ = json.MarshalIndent(p, "", "  ")
			if _, err := profile.Parse(data); err != nil {
				t.Fatal(err)
			}
			jws = d.sign(data)
			m := d.manager(t.TempDir())
			if _, err := m.Apply(data, jws, "import"); err != nil {
				t.Fatal(err)
			}
			r := startSessionWith(t, srv, "alice@acme.test", opts{noCA: c.noCA}, withProfiles(m))
			if !c.ok {
				f := r.fatal()
				if f.Code != event.CodeTLSUntrusted || !strings.Contains(f.Message, "pin_server") {
					t.Errorf("refusal %+v", f)
				}
				return
			}
			got := r.connected()
			want := "profile"
			if !c.pinned {
				want = "configured"
			}
			if got.ServerTrust != want || got.ServerCAPinned != c.pinned {
				t.Errorf("trust %q pinned %v, want %q %v", got.ServerTrust, got.ServerCAPinned, want, c.pinned)
			}
		})
	}
}

func TestProsodyServerTrust(t *testing.T)  { testServerTrust(t, prosody(t)) }
func TestEjabberdServerTrust(t *testing.T) { testServerTrust(t, ej(t)) }

// testDeviceNotification: a contact publishing a new device is noticed at
// once through the PEP notification (the client asks for them in its
// entity capabilities), with no fetch asked by the test.
func testDeviceNotification(t *testing.T, srv *testenv.Server) {
	now := time.Now()
	acme := newIDCA(t, "ACME Identity CA", "ACME", now)
	globex := newIDCA(t, "Globex Identity CA", "Globex", now)
	bob := freshUser(t, srv, "bob", "acme.test")
	aliceJID := freshUser(t, srv, "alice", "acme.test")
	if err := srv.PopulateRoster(aliceJID, []testenv.RosterContact{{JID: bob, Name: "Bob"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.PopulateRoster(bob, []testenv.RosterContact{{JID: aliceJID, Name: "Alice"}}); err != nil {
		t.Fatal(err)
	}
	raw := rawPeer(t, srv, bob)
	first := acme.issue(t, bob, "Bob Builder", now, 365*24*time.Hour)
	publishDevice(t, raw, bob, first.id, first.chain)
	rawSend(t, raw, presence("", "", "", "")) // ejabberd notifies the contacts of an owner who is online
	v, err := identity.NewVerifier([]identity.Anchor{acme.anchor("ACME", "acme.test")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, aliceJID, opts{}, withVerifier(v))
	alice.connected()
	alice.waitFor("bob verified (roster)", 20*time.Second, certificatesOf(bob, event.IdentityVerified))
	time.Sleep(500 * time.Millisecond) // let the server learn alice's capabilities

	second := globex.issue(t, bob, "Bob Builder", now, 365*24*time.Hour)
	publishDevice(t, raw, bob, second.id, second.chain)
	ch := alice.waitFor("identity changed", 20*time.Second, isA[event.IdentityChanged]).(event.IdentityChanged)
	if ch.JID != bob || ch.DeviceID != second.id {
		t.Errorf("identity change %+v", ch)
	}
}

func TestProsodyDeviceNotification(t *testing.T)  { testDeviceNotification(t, prosody(t)) }
func TestEjabberdDeviceNotification(t *testing.T) { testDeviceNotification(t, ej(t)) }

// testProfileIdentity: the verifier comes from the IT profile (the
// organisation's identity CA for its domains, a partner's CA for the
// partner's domains only), and a new profile that revokes a certificate
// takes effect at once: the verified peer's identity is lost and locked.
func testProfileIdentity(t *testing.T, srv *testenv.Server) {
	now := time.Now()
	year := 365 * 24 * time.Hour
	acme := newIDCA(t, "ACME Identity CA", "ACME", now)
	partner := newIDCA(t, "Partner Identity CA", "Partner Ltd", now)
	bob := freshUser(t, srv, "bob", "acme.test")
	carol := freshUser(t, srv, "carol", "partner.test")
	dave := freshUser(t, srv, "dave", "acme.test")
	bobDev := acme.issue(t, bob, "Bob Builder", now, year)
	publishDevice(t, rawPeer(t, srv, bob), bob, bobDev.id, bobDev.chain)
	carolDev := partner.issue(t, carol, "Carol Partner", now, year)
	publishDevice(t, rawPeer(t, srv, carol), carol, carolDev.id, carolDev.chain)
	daveDev := partner.issue(t, dave, "Dave Impostor", now, year) // the partner's CA may not certify acme.test
	publishDevice(t, rawPeer(t, srv, dave), dave, daveDev.id, daveDev.chain)

	d := newITDesk(t, srv)
	signed := func(serial int64, revoked ...string) ([]byte, string) {
		data, _ := d.profile(serial)
		var p map[string]any
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		tc := map[string]any{"identity": []string{string(acme.pem)}}
		var rev []map[string]any
		for _, s := range revoked {
			rev = append(rev, map[string]any{"serial": s, "at": now.UTC().Format(time.RFC3339)})
		}
		if rev != nil {
			tc["revoked"] = rev
		}
		p["trusted_cas"] = tc
		p["partners"] = []map[string]any{{"name": "Partner Ltd", "domains": []string{"partner.test"}, "identity_cas": []string{string(partner.pem)}}}
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := profile.Parse(data); err != nil {
			t.Fatalf("test profile: %v", err)
		}
		return data, d.sign(data)
	}
	m := d.manager(t.TempDir())
	data, jws := signed(1)
	if _, err := m.Apply(data, jws, "import"); err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, freshUser(t, srv, "alice", "acme.test"), opts{}, withProfiles(m))
	alice.connected()
	for _, c := range []struct{ jid, status, org string }{
		{bob, event.IdentityVerified, "ACME"},
		{carol, event.IdentityVerified, "Partner Ltd"},
		{dave, event.IdentityMismatch, "Partner Ltd"},
	} {
		alice.s.Do(event.GetCertificates{JID: c.jid})
		e := alice.waitFor(c.jid+" "+c.status, 20*time.Second, certificatesOf(c.jid, c.status)).(event.Certificates)
		if e.Trust.IdentityOrg != c.org {
			t.Errorf("%s: identity org %q, want %q", c.jid, e.Trust.IdentityOrg, c.org)
		}
	}

	// IT revokes bob's certificate: the new profile applies at once.
	dir := t.TempDir()
	data, jws = signed(2, bobDev.serial)
	path := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".jws", []byte(jws), 0o644); err != nil {
		t.Fatal(err)
	}
	alice.s.Do(event.ImportProfile{Path: path})
	ch := alice.waitFor("identity lost", 20*time.Second, isA[event.IdentityChanged]).(event.IdentityChanged)
	if ch.JID != bob || ch.Change != event.ChangeLost || ch.Trust.Identity != event.IdentityRevoked {
		t.Errorf("identity change %+v", ch)
	}
	alice.s.Do(event.Send{To: bob, Body: "are you still you?"})
	alice.waitFor("refused", 10*time.Second, refusedWith(event.RefusedIdentity))
}

func TestProsodyProfileIdentity(t *testing.T)  { testProfileIdentity(t, prosody(t)) }
func TestEjabberdProfileIdentity(t *testing.T) { testProfileIdentity(t, ej(t)) }

// A certificate that expires during the session shows as expired at that
// moment, without a new fetch, a restart or a new profile.
func TestProsodyCertificateExpiresDuringSession(t *testing.T) {
	srv := prosody(t)
	now := time.Now()
	acme := newIDCA(t, "ACME Identity CA", "ACME", now.Add(-time.Hour))
	bob := freshUser(t, srv, "bob", "acme.test")
	// Valid for the next few seconds only.
	dev := acme.issue(t, bob, "Bob Builder", now.Add(-time.Hour), time.Hour+4*time.Second)
	publishDevice(t, rawPeer(t, srv, bob), bob, dev.id, dev.chain)
	v, err := identity.NewVerifier([]identity.Anchor{acme.anchor("ACME", "acme.test")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, freshUser(t, srv, "alice", "acme.test"), opts{}, withVerifier(v))
	alice.connected()
	alice.s.Do(event.GetCertificates{JID: bob})
	alice.waitFor("bob verified", 20*time.Second, certificatesOf(bob, event.IdentityVerified))
	e := alice.waitFor("bob's certificate expired", 20*time.Second, certificatesOf(bob, event.IdentityExpired)).(event.Certificates)
	if !strings.Contains(e.Trust.IdentityReason, "expired") {
		t.Errorf("reason %q, want it to say the certificate expired", e.Trust.IdentityReason)
	}
	if got := time.Now(); got.Before(e.Devices[0].NotAfter) {
		t.Errorf("reported expired at %v, before the certificate's end %v", got, e.Devices[0].NotAfter)
	}
	if tr := alice.s.trustOf(bob); tr.Identity != event.IdentityExpired {
		t.Errorf("bob's trust after the expiry: %+v", tr)
	}
}
