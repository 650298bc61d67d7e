package session

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
)

// enrolProfile is a signed profile trusting caPEM for identities, with IT
// at itJID.
func enrolProfile(t *testing.T, it *itDesk, itJID string, caPEM []byte) ([]byte, string) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	p := map[string]any{
		"format": profile.Format, "id": "acme-main", "serial": 1,
		"issued_at": now.Add(-time.Hour), "expires_at": now.Add(30 * 24 * time.Hour),
		"organisation":    map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"unknown_domains": "warn",
		"trusted_cas":     map[string]any{"identity": []string{string(caPEM)}},
		"it": map[string]any{"jid": itJID, "pubsub_service": it.srv.PubSubService,
			"profile_node": it.profileNode, "bulletin_node": it.bulletinNode},
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profile.Parse(data); err != nil {
		t.Fatalf("test profile: %v", err)
	}
	return data, it.sign(data)
}

func accountConfig(srv *testenv.Server, user string) Config {
	return Config{JID: user, Password: func() (string, error) { return srv.Password, nil }, Server: srv.Addr,
		CAFile: srv.CAFile, ChannelBindingTLS12: srv.Kind == "ejabberd"}
}

func enrolmentIn(state string) func(event.Event) bool {
	return func(e event.Event) bool { en, ok := e.(event.Enrolment); return ok && en.State == state }
}

// The enrolment round trip over a real server: the client sends its
// request to IT; a forged answer from someone else is ignored; IT collects
// the request from its archive, issues the certificate and answers over
// XMPP; the client installs it and publishes it on PEP, where another
// account fetches and verifies it. No file of the data directory holds the
// private key.
func TestEnrolProsody(t *testing.T) { testEnrol(t, prosody(t)) }

func TestEnrolEjabberd(t *testing.T) { testEnrol(t, ejabberd(t)) }

func testEnrol(t *testing.T, srv *testenv.Server) {
	user := freshUser(t, srv, "enrollee", "acme.test")
	itJID := freshUser(t, srv, "it-enrol", "acme.test")
	peer := freshUser(t, srv, "peer", "acme.test")
	caCert, caKey, err := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := identity.LoadCA(caCert, caKey)
	if err != nil {
		t.Fatal(err)
	}
	it := newITDesk(t, srv)
	dir := t.TempDir()
	m := it.manager(dir)
	data, sig := enrolProfile(t, it, itJID, caCert)
	if _, err := m.Apply(data, sig, "managed"); err != nil {
		t.Fatal(err)
	}
	key, err := identity.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	devID := identity.DeviceID(key.Public().(ed25519.PublicKey))

	r := startSessionWith(t, srv, user, opts{dataDir: dir}, func(s *Session) { s.cfg.Profiles, s.cfg.DeviceKey = m, key })
	first := r.waitFor("enrolment none", 10*time.Second, enrolmentIn(event.EnrolNone)).(event.Enrolment)
	if first.DeviceID != devID || first.ITJID != itJID {
		t.Fatalf("first enrolment %+v", first)
	}
	r.connected()
	r.s.Do(event.Enrol{})
	r.waitFor("enrolment pending", 10*time.Second, enrolmentIn(event.EnrolPending))

	// IT collects the request from its archive.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var req ReceivedRequest
	for i := 0; i < 50 && req.ID == ""; i++ {
		got, _, err := CollectEnrolRequests(ctx, accountConfig(srv, itJID), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			if sameBare(g.From, user) {
				req = g
			}
		}
		if req.ID == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if req.ID == "" {
		t.Fatal("IT found no request in its archive")
	}
	info, err := identity.ParseRequest(req.CSR)
	if err != nil {
		t.Fatal(err)
	}
	if info.JID != user || info.DeviceID != devID {
		t.Fatalf("request names %s device %s", info.JID, info.DeviceID)
	}
	info.Name = "Enrol Lee"
	cert, err := ca.Issue(info, issueNow("ACME"))
	if err != nil {
		t.Fatal(err)
	}

	// The same certificate sent by someone other than IT is ignored.
	if err := SendEnrolAnswers(ctx, accountConfig(srv, peer), []EnrolAnswer{{To: user, ID: req.ID, Cert: cert}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if r.seen(enrolmentIn(event.EnrolEnrolled)) {
		t.Fatal("an answer from someone other than IT was taken")
	}

	if err := SendEnrolAnswers(ctx, accountConfig(srv, itJID), []EnrolAnswer{{To: user, ID: req.ID, Cert: cert}}); err != nil {
		t.Fatal(err)
	}
	en := r.waitFor("enrolled", 10*time.Second, enrolmentIn(event.EnrolEnrolled)).(event.Enrolment)
	if !strings.Contains(en.Subject, "CN=Enrol Lee") || !strings.Contains(en.Issuer, "ACME Identity CA") {
		t.Fatalf("enrolled as %+v", en)
	}

	// Another account fetches the published item and verifies it.
	pr := startSession(t, srv, peer, opts{})
	pr.connected()
	v, err := m.Active().IdentityVerifier()
	if err != nil {
		t.Fatal(err)
	}
	var res identity.Result
	for i := 0; i < 50 && res.Status != event.IdentityVerified; i++ {
		for _, it := range fetchDevices(t, pr, user) {
			if it.ID != devID {
				continue
			}
			chain, err := it.Device.chain()
			if err != nil {
				t.Fatal(err)
			}
			res = v.Verify(chain, user, time.Now())
		}
		if res.Status != event.IdentityVerified {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if res.Status != event.IdentityVerified || res.DeviceID != devID || res.Person != "Enrol Lee" {
		t.Fatalf("the published certificate: %+v", res)
	}

	// device.json holds the chain and the state, never the key.
	d, err := LoadDevice(dir)
	if err != nil || d == nil || d.State != event.EnrolEnrolled || d.Chain == "" || d.DeviceID != devID {
		t.Fatalf("device file %+v, %v", d, err)
	}
	r.quit()
	assertNoPrivateKey(t, dir, key)
}

// issueNow issues from now, for a day.
func issueNow(org string) identity.IssueOptions {
	return identity.IssueOptions{Org: org, Now: time.Now(), Validity: 24 * time.Hour}
}

// assertNoPrivateKey fails when any file under dir holds the key's secret
// in any common encoding.
func assertNoPrivateKey(t *testing.T, dir string, key ed25519.PrivateKey) {
	t.Helper()
	seed := key.Seed()
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	needles := [][]byte{seed, []byte(hex.EncodeToString(seed)), []byte(base64.StdEncoding.EncodeToString(seed)),
		[]byte(base64.StdEncoding.EncodeToString(pkcs8)), []byte(identity.EncodeKey(key)), pkcs8,
		[]byte(base64.StdEncoding.EncodeToString(key)), []byte("PRIVATE KEY")}
	files := 0
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s holds the device's private key", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("the data directory is empty: nothing was checked")
	}
}

// fetchDevices asks, as r's account, for user's published devices.
func fetchDevices(t *testing.T, r *recorder, user string) []pubsubItem {
	t.Helper()
	items := make(chan *inStanza, 1)
	r.s.mu.Lock()
	if r.s.cur == nil {
		r.s.mu.Unlock()
		t.Fatal("not connected")
	}
	r.s.sendIQ(r.s.cur, iq("get", randomID(), user, elem(nsPubSub, "pubsub").add(elem("", "items", "node", nsDevices))),
		func(st *inStanza) { items <- st })
	r.s.mu.Unlock()
	select {
	case st := <-items:
		if st.Type == "result" && st.PubSub != nil && st.PubSub.Items != nil {
			return st.PubSub.Items.Items
		}
		return nil
	case <-time.After(10 * time.Second):
		t.Fatal("no answer to the items request")
		return nil
	}
}

// A lost key: the enrolled device's item is published; after
// the key is lost the next sign-in withdraws the old item and sends a new
// request to IT at once, for the new device.
func TestEnrolLostKeyProsody(t *testing.T) { testEnrolLostKey(t, prosody(t)) }

func TestEnrolLostKeyEjabberd(t *testing.T) { testEnrolLostKey(t, ejabberd(t)) }

func testEnrolLostKey(t *testing.T, srv *testenv.Server) {
	user := freshUser(t, srv, "loser", "acme.test")
	itJID := freshUser(t, srv, "it-lost", "acme.test")
	peer := freshUser(t, srv, "peer", "acme.test")
	caCert, caKey, _ := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	ca, _ := identity.LoadCA(caCert, caKey)
	it := newITDesk(t, srv)
	dir := t.TempDir()
	m := it.manager(dir)
	data, sig := enrolProfile(t, it, itJID, caCert)
	if _, err := m.Apply(data, sig, "managed"); err != nil {
		t.Fatal(err)
	}
	old, _ := identity.NewKey()
	csr, _ := identity.CreateRequest(old, identity.Request{JID: user})
	info, _ := identity.ParseRequest(csr)
	chain, _ := ca.Issue(info, issueNow("ACME"))
	if err := SaveDevice(dir, &DeviceFile{JID: user, DeviceID: info.DeviceID, PublicKey: info.PublicKey, State: event.EnrolEnrolled, Chain: string(chain)}); err != nil {
		t.Fatal(err)
	}
	r := startSessionWith(t, srv, user, opts{dataDir: dir}, func(s *Session) { s.cfg.Profiles, s.cfg.DeviceKey = m, old })
	r.waitFor("enrolled", 10*time.Second, enrolmentIn(event.EnrolEnrolled))
	pr := startSession(t, srv, peer, opts{})
	pr.connected()
	published := func(id string) bool {
		for _, it := range fetchDevices(t, pr, user) {
			if it.ID == id {
				return true
			}
		}
		return false
	}
	for i := 0; i < 50 && !published(info.DeviceID); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if !published(info.DeviceID) {
		t.Fatal("the enrolled device was not published")
	}
	r.quit()

	fresh, _ := identity.NewKey()
	freshID := identity.DeviceID(fresh.Public().(ed25519.PublicKey))
	r2 := startSessionWith(t, srv, user, opts{dataDir: dir}, func(s *Session) {
		s.cfg.Profiles, s.cfg.DeviceKey, s.cfg.DeviceLost = m, fresh, true
	})
	lost := r2.waitFor("lost-key", 10*time.Second, enrolmentIn(event.EnrolLostKey)).(event.Enrolment)
	if lost.DeviceID != freshID {
		t.Fatalf("lost-key for device %s, want %s", lost.DeviceID, freshID)
	}
	r2.waitFor("a new request", 10*time.Second, enrolmentIn(event.EnrolPending))
	for i := 0; i < 50 && published(info.DeviceID); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if published(info.DeviceID) {
		t.Fatal("the lost device is still published")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, _, err := CollectEnrolRequests(ctx, accountConfig(srv, itJID), "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range got {
		if ri, err := identity.ParseRequest(g.CSR); err == nil && ri.DeviceID == freshID && sameBare(g.From, user) {
			found = true
		}
	}
	if !found {
		t.Fatal("IT got no request for the new device")
	}
	// The server's answer to the retraction may come just after the item
	// is gone for others.
	var d *DeviceFile
	for i := 0; i < 50; i++ {
		if d, _ = LoadDevice(dir); d != nil && d.LostDevice == "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d == nil || d.LostDevice != "" || d.DeviceID != freshID {
		t.Fatalf("device file after the retraction: %+v", d)
	}
}

// IT answers while the client is offline: the server keeps the answer, and
// the client, started again, takes it for the request it still has pending
// (device.json) and is enrolled.
func TestEnrolAnswerWhileOfflineProsody(t *testing.T) { testEnrolAnswerWhileOffline(t, prosody(t)) }

func TestEnrolAnswerWhileOfflineEjabberd(t *testing.T) { testEnrolAnswerWhileOffline(t, ejabberd(t)) }

func testEnrolAnswerWhileOffline(t *testing.T, srv *testenv.Server) {
	user := freshUser(t, srv, "away", "acme.test")
	itJID := freshUser(t, srv, "it-away", "acme.test")
	caCert, caKey, _ := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	ca, _ := identity.LoadCA(caCert, caKey)
	it := newITDesk(t, srv)
	dir := t.TempDir()
	m := it.manager(dir)
	data, sig := enrolProfile(t, it, itJID, caCert)
	if _, err := m.Apply(data, sig, "managed"); err != nil {
		t.Fatal(err)
	}
	key, _ := identity.NewKey()
	tune := func(s *Session) { s.cfg.Profiles, s.cfg.DeviceKey = m, key }
	r := startSessionWith(t, srv, user, opts{dataDir: dir}, tune)
	r.connected()
	r.s.Do(event.Enrol{})
	r.waitFor("pending", 10*time.Second, enrolmentIn(event.EnrolPending))
	r.quit()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, _, err := CollectEnrolRequests(ctx, accountConfig(srv, itJID), "")
	if err != nil || len(got) != 1 {
		t.Fatalf("requests %v, %v", got, err)
	}
	info, err := identity.ParseRequest(got[0].CSR)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := ca.Issue(info, issueNow("ACME"))
	if err := SendEnrolAnswers(ctx, accountConfig(srv, itJID), []EnrolAnswer{{To: user, ID: got[0].ID, Cert: cert}}); err != nil {
		t.Fatal(err)
	}

	r2 := startSessionWith(t, srv, user, opts{dataDir: dir}, tune)
	r2.waitFor("pending at start", 10*time.Second, enrolmentIn(event.EnrolPending))
	r2.waitFor("enrolled from the stored answer", 10*time.Second, enrolmentIn(event.EnrolEnrolled))
}
