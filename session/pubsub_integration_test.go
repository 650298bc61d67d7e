package session

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
)

// itDesk is IT for a test: a signing key installed in a temporary system
// directory, and nodes of its own on the server's PubSub service.
type itDesk struct {
	t            testing.TB
	srv          *testenv.Server
	priv         *jose.JSONWebKey
	sysDir       string
	profileNode  string
	bulletinNode string
}

func newITDesk(t testing.TB, srv *testenv.Server) *itDesk {
	t.Helper()
	priv, pub, err := profile.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sys := t.TempDir()
	if err := os.MkdirAll(filepath.Join(sys, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys, "keys", "it.jwk"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	tag := randomID()[:10]
	return &itDesk{t: t, srv: srv, priv: priv, sysDir: sys,
		profileNode:  DefaultProfileNode + ":" + tag,
		bulletinNode: DefaultBulletinNode + ":" + tag,
	}
}

// profile returns a signed profile with the given serial; partners names
// the partner domains (organisation "Partner Ltd").
func (d *itDesk) profile(serial int64, partners ...string) ([]byte, string) {
	d.t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	p := map[string]any{
		"format":     profile.Format,
		"id":         "acme-main",
		"serial":     serial,
		"issued_at":  now.Add(-time.Hour),
		"expires_at": now.Add(30 * 24 * time.Hour),
		"organisation": map[string]any{
			"name": "Acme", "domains": []string{"acme.test"},
		},
		"unknown_domains": "warn",
		"it": map[string]any{
			"jid":            "it-admin@acme.test",
			"pubsub_service": d.srv.PubSubService,
			"profile_node":   d.profileNode,
			"bulletin_node":  d.bulletinNode,
		},
	}
	if len(partners) > 0 {
		p["partners"] = []map[string]any{{"name": "Partner Ltd", "domains": partners, "files_allowed": true}}
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		d.t.Fatal(err)
	}
	data = append(data, '\n')
	if _, err := profile.Parse(data); err != nil {
		d.t.Fatalf("test profile: %v", err)
	}
	return data, d.sign(data)
}

func (d *itDesk) sign(data []byte) string {
	d.t.Helper()
	jws, err := profile.Sign(data, d.priv)
	if err != nil {
		d.t.Fatal(err)
	}
	return jws
}

// bulletin returns a signed bulletin.
func (d *itDesk) bulletin(id, title string) ([]byte, string) {
	d.t.Helper()
	data, err := json.Marshal(map[string]any{
		"format": profile.BulletinFormat, "id": id, "issued_at": time.Now().UTC().Add(-time.Minute).Truncate(time.Second),
		"severity": "warning", "title": title, "body": "Do not open links about payslips.",
	})
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := profile.ParseBulletin(data); err != nil {
		d.t.Fatalf("test bulletin: %v", err)
	}
	return data, d.sign(data)
}

// adminConfig is the configuration it-admin signs in with.
func adminConfig(srv *testenv.Server) Config {
	return Config{
		JID:                 "it-admin@acme.test",
		Password:            func() (string, error) { return srv.Password, nil },
		Server:              srv.Addr,
		CAFile:              srv.CAFile,
		ChannelBindingTLS12: srv.Kind == "ejabberd",
	}
}

// publish publishes as it-admin and returns when the service has the item.
func (d *itDesk) publish(kind string, data []byte, jws string) {
	d.t.Helper()
	node := d.profileNode
	if kind == KindBulletin {
		node = d.bulletinNode
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := Publish(ctx, adminConfig(d.srv), d.srv.PubSubService, node, Signed{Kind: kind, Data: data, JWS: jws}); err != nil {
		d.t.Fatalf("publish %s: %v", kind, err)
	}
}

// manager opens alice's profile manager in dir with IT's key installed.
func (d *itDesk) manager(dir string) *profile.Manager {
	d.t.Helper()
	m, err := profile.Open(profile.Options{DataDir: dir, SystemDir: d.sysDir})
	if err != nil {
		d.t.Fatal(err)
	}
	return m
}

func withProfiles(m *profile.Manager) func(*Session) {
	return func(s *Session) { s.cfg.Profiles = m }
}

func isProfile(serial int64) func(event.Event) bool {
	return func(e event.Event) bool { p, ok := e.(event.Profile); return ok && p.Serial == serial }
}

func isRefused(code string) func(event.Event) bool {
	return func(e event.Event) bool { r, ok := e.(event.ProfileRefused); return ok && r.Code == code }
}

func isBulletin(id string) func(event.Event) bool {
	return func(e event.Event) bool { b, ok := e.(event.Bulletin); return ok && b.ID == id }
}

// await returns the first event from index from on that matches, waiting
// for it; unlike waitFor it consumes nothing, so the order of unrelated
// events does not matter.
func (r *recorder) await(what string, from int, timeout time.Duration, match func(event.Event) bool) event.Event {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, r.cond.Broadcast)
	defer timer.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		for i := from; i < len(r.evs); i++ {
			if match(r.evs[i]) {
				return r.evs[i]
			}
		}
		if r.done || time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; events: %s", what, r.dump())
		}
		r.cond.Wait()
	}
}

// since returns the events recorded after the first n.
func (r *recorder) since(n int) []event.Event {
	all := r.all()
	if n > len(all) {
		return nil
	}
	return all[n:]
}

// testProfilePush: IT publishes over PubSub and alice's session applies the
// profile live, on the same connection; refusals, forgeries and
// reconnections behave.
func testProfilePush(t *testing.T, srv *testenv.Server) {
	it := newITDesk(t, srv)
	p1, s1 := it.profile(1)
	p2, s2 := it.profile(2, "partner.test")
	b1, bs1 := it.bulletin("phish-1", "Phishing: fake HR payslips")
	// IT sets up the nodes (only an administrator may create them).
	it.publish(KindProfile, p1, s1)
	it.publish(KindBulletin, b1, bs1)

	dir := t.TempDir()
	m := it.manager(dir)
	if _, err := m.Apply(p1, s1, "managed"); err != nil {
		t.Fatal(err)
	}
	g := newGate(t, srv.Addr)
	alice := startSessionWith(t, srv, "alice@acme.test", opts{addr: g.Addr(), dataDir: dir}, withProfiles(m))
	if p := alice.waitFor("profile at start", 5*time.Second, isA[event.Profile]).(event.Profile); !p.Managed || p.Serial != 1 {
		t.Errorf("profile at start %+v", p)
	}
	ac := alice.connected().JID
	alice.await("roster", 0, 10*time.Second, isA[event.Roster])
	alice.await("bulletin fetched at sign-in", 0, 10*time.Second, isBulletin("phish-1"))
	if tr := alice.s.trustOf("carol@partner.test"); tr.Class != event.ClassUnknown {
		t.Fatalf("carol before the push: %+v", tr)
	}

	// A newer profile: applied live, with what changed, and trust follows.
	mark := len(alice.all())
	t0 := time.Now()
	it.publish(KindProfile, p2, s2)
	published := time.Now()
	ev := alice.await("profile 2", mark, 10*time.Second, isProfile(2)).(event.Profile)
	got := time.Now()
	t.Logf("%s: publish to Profile event %v (publish itself %v, notification to event %v)",
		srv.Kind, got.Sub(t0).Round(time.Millisecond), published.Sub(t0).Round(time.Millisecond), got.Sub(published).Round(time.Millisecond))
	if !ev.Managed || len(ev.Changes) == 0 || !strings.Contains(strings.Join(ev.Changes, "\n"), "Partner Ltd") {
		t.Errorf("Profile = %+v, want serial 2 with changes naming Partner Ltd", ev)
	}
	if tr := alice.s.trustOf("carol@partner.test"); tr.Class != event.ClassPartner || tr.Org != "Partner Ltd" || !tr.FileSend {
		t.Errorf("carol after the push: %+v", tr)
	}
	ro := alice.await("roster with new trust", mark, 10*time.Second, isA[event.Roster]).(event.Roster)
	for _, c := range ro.Contacts {
		if c.JID == "carol@partner.test" && c.Trust.Class != event.ClassPartner {
			t.Errorf("carol in the roster after the push: %+v", c.Trust)
		}
	}

	// Tampered: refused, serial 2 stays.
	tampered := []byte(strings.Replace(string(p2), `"serial": 2`, `"serial": 3`, 1))
	mark = len(alice.all())
	it.publish(KindProfile, tampered, s2)
	r := alice.await("bad signature", mark, 10*time.Second, isRefused(event.ProfileBadSignature)).(event.ProfileRefused)
	if r.Source != "push" || r.Reason == "" {
		t.Errorf("ProfileRefused = %+v", r)
	}
	// Rolled back: an older, validly signed profile is refused.
	mark = len(alice.all())
	it.publish(KindProfile, p1, s1)
	alice.await("rollback", mark, 10*time.Second, isRefused(event.ProfileRollback))
	if a := m.Active(); a == nil || a.Serial != 2 {
		t.Errorf("profile in force after refusals: %+v", a)
	}

	// Forged: mallory sends alice a notification that looks like the
	// service's, with a validly signed newer profile.
	p4, s4 := it.profile(4)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mallory, err := srv.Dial(ctx, "mallory@evil.test", srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer mallory.Close()
	go mallory.Serve(nil)
	forged := func(typ, to, node string) *el {
		return elem(nsClient, "message", "type", typ, "to", to, "id", randomID()).add(
			elem(nsPubSubEvent, "event").add(elem("", "items", "node", node).add(
				elem("", "item", "id", "forged").add(Signed{Kind: KindProfile, Data: p4, JWS: s4}.element()))))
	}
	ignored := alice.s.prof.ignored.Load()
	rawSend(t, mallory, forged("headline", ac, it.profileNode))
	rawSend(t, mallory, forged("normal", "alice@acme.test", it.profileNode))
	rawSend(t, mallory, forged("headline", ac, "urn:palisade:profile:other"))
	rawSend(t, mallory, elem(nsClient, "message", "type", "chat", "to", ac, "id", "marker").add(child("body", "marker")))
	alice.await("marker", 0, 20*time.Second, func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Body == "marker" })
	if n := alice.s.prof.ignored.Load() - ignored; n < 1 {
		t.Errorf("%d forged notifications seen and ignored, want at least 1", n)
	} else {
		t.Logf("%s: %d forged notifications reached the session and were ignored", srv.Kind, n)
	}
	if alice.seen(isProfile(4)) {
		t.Error("a forged notification was applied")
	}
	if a := m.Active(); a.Serial != 2 {
		t.Errorf("profile in force after the forgery: serial %d", a.Serial)
	}

	// A new bulletin, live.
	b2, bs2 := it.bulletin("phish-2", "Phishing: fake parcel notices")
	it.publish(KindBulletin, b2, bs2)
	bev := alice.await("live bulletin", 0, 10*time.Second, isBulletin("phish-2")).(event.Bulletin)
	if bev.Severity != "warning" || bev.Title != "Phishing: fake parcel notices" {
		t.Errorf("Bulletin = %+v", bev)
	}
	if n := countConnected(alice.all()); n != 1 {
		t.Errorf("%d Connected events: the pushes were not all on one connection", n)
	}

	// The connection drops and the stream is resumed: the subscriptions
	// hold, and pushes keep arriving.
	mark = len(alice.all())
	g.setOpen(false)
	alice.await("disconnect", mark, 10*time.Second, isA[event.Disconnected])
	g.setOpen(true)
	alice.s.Do(event.Reconnect{})
	if c := alice.await("resume", mark, 20*time.Second, isA[event.Connected]).(event.Connected); !c.Resumed {
		t.Fatalf("Connected = %+v, want the stream resumed", c)
	}
	br, bsr := it.bulletin("phish-r", "Phishing: fake password reset")
	it.publish(KindBulletin, br, bsr)
	alice.await("bulletin after resumption", mark, 10*time.Second, isBulletin("phish-r"))
	checkQuiet(t, "after resumption", alice.since(mark), "phish-r")

	// IT puts the current profile back on the node; then the stream is
	// lost and cannot be resumed: the new stream subscribes and fetches
	// again, and nothing already applied is reported as new.
	it.publish(KindProfile, p2, s2)
	mark = len(alice.all())
	alice.s.mu.Lock()
	alice.s.sm.id = "no-such-stream"
	alice.s.mu.Unlock()
	g.setOpen(false)
	alice.await("disconnect", mark, 10*time.Second, isA[event.Disconnected])
	g.setOpen(true)
	alice.s.Do(event.Reconnect{})
	if c := alice.await("reconnect", mark, 20*time.Second, isA[event.Connected]).(event.Connected); c.Resumed {
		t.Fatalf("Connected = %+v, want a new stream", c)
	}
	b3, bs3 := it.bulletin("phish-3", "Phishing: fake invoices")
	it.publish(KindBulletin, b3, bs3)
	alice.await("bulletin after reconnect", mark, 10*time.Second, isBulletin("phish-3"))
	checkQuiet(t, "after reconnect", alice.since(mark), "phish-3")
	alice.quit()

	// A restart: a new session with the stored profile.
	m2 := it.manager(dir)
	again := startSessionWith(t, srv, "alice@acme.test", opts{dataDir: dir}, withProfiles(m2))
	if p := again.waitFor("profile at restart", 5*time.Second, isA[event.Profile]).(event.Profile); p.Serial != 2 || len(p.Changes) != 0 {
		t.Errorf("profile at restart %+v", p)
	}
	again.connected()
	again.await("roster", 0, 10*time.Second, isA[event.Roster])
	mark = len(again.all())
	b4, bs4 := it.bulletin("phish-4", "Phishing: fake IT helpdesk")
	it.publish(KindBulletin, b4, bs4)
	again.await("bulletin after restart", mark, 10*time.Second, isBulletin("phish-4"))
	checkQuiet(t, "after restart", again.all()[1:], "phish-4")
	if tr := again.s.trustOf("carol@partner.test"); tr.Class != event.ClassPartner {
		t.Errorf("carol after restart: %+v", tr)
	}
	again.s.Do(event.GetBulletins{})
	bl := again.waitFor("bulletins", 5*time.Second, isA[event.Bulletins]).(event.Bulletins)
	ids := []string{}
	for _, b := range bl.Items {
		ids = append(ids, b.ID)
	}
	if len(ids) != 5 {
		t.Errorf("bulletins kept: %v, want phish-1 to phish-4 and phish-r", ids)
	}
	again.s.Do(event.DismissBulletin{ID: "phish-1"})
	bl = again.waitFor("bulletins after dismiss", 5*time.Second, isA[event.Bulletins]).(event.Bulletins)
	for _, b := range bl.Items {
		if b.ID == "phish-1" && !b.Dismissed {
			t.Errorf("phish-1 not dismissed: %+v", b)
		}
	}
}

// checkQuiet fails on profile news in evs: a Profile event, a refusal, or a
// bulletin other than the one expected.
func checkQuiet(t *testing.T, when string, evs []event.Event, bulletin string) {
	t.Helper()
	for _, e := range evs {
		switch e := e.(type) {
		case event.Profile:
			t.Errorf("%s: Profile event %+v", when, e)
		case event.ProfileRefused:
			t.Errorf("%s: ProfileRefused %+v", when, e)
		case event.Bulletin:
			if e.ID != bulletin {
				t.Errorf("%s: bulletin %s reported again", when, e.ID)
			}
		}
	}
}

func countConnected(evs []event.Event) int {
	n := 0
	for _, e := range evs {
		if _, ok := e.(event.Connected); ok {
			n++
		}
	}
	return n
}

// testNodesCreatedLater: the client signs in before IT has created the
// nodes; it subscribes again until they exist, and then takes the items.
func testNodesCreatedLater(t *testing.T, srv *testenv.Server) {
	it := newITDesk(t, srv)
	p1, s1 := it.profile(1)
	p2, s2 := it.profile(2, "partner.test")
	dir := t.TempDir()
	m := it.manager(dir)
	if _, err := m.Apply(p1, s1, "managed"); err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, "alice@acme.test", opts{dataDir: dir}, func(s *Session) {
		s.cfg.Profiles = m
		s.prof.retry = 100 * time.Millisecond
	})
	alice.connected()
	alice.await("roster", 0, 10*time.Second, isA[event.Roster])
	time.Sleep(300 * time.Millisecond) // at least one subscription attempt failed
	b1, bs1 := it.bulletin("late-1", "Bulletin on a new node")
	it.publish(KindBulletin, b1, bs1)
	it.publish(KindProfile, p2, s2)
	alice.await("bulletin", 0, 15*time.Second, isBulletin("late-1"))
	alice.await("profile 2", 0, 15*time.Second, isProfile(2))
	for _, e := range alice.all() {
		if e, ok := e.(event.Error); ok {
			t.Errorf("a missing node was reported: %+v", e)
		}
	}
}

func TestProsodyNodesCreatedLater(t *testing.T)  { testNodesCreatedLater(t, prosody(t)) }
func TestEjabberdNodesCreatedLater(t *testing.T) { testNodesCreatedLater(t, ej(t)) }

func TestProsodyProfilePush(t *testing.T)  { testProfilePush(t, prosody(t)) }
func TestEjabberdProfilePush(t *testing.T) { testProfilePush(t, ej(t)) }

// Publishing as someone who is not an administrator of the service does not
// create IT's nodes.
func testPublishNotAdmin(t *testing.T, srv *testenv.Server) {
	it := newITDesk(t, srv)
	p1, s1 := it.profile(1)
	cfg := adminConfig(srv)
	cfg.JID = "alice@acme.test"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := Publish(ctx, cfg, srv.PubSubService, it.profileNode, Signed{Kind: KindProfile, Data: p1, JWS: s1})
	if err == nil || !strings.Contains(err.Error(), "administrator") {
		t.Errorf("publish as alice: %v, want a refusal naming administrators", err)
	}
	_, err = Publish(ctx, adminConfig(srv), srv.PubSubService, it.profileNode, Signed{Kind: "rules", Data: p1, JWS: s1})
	if err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("publish of a bad payload: %v", err)
	}
}

func TestProsodyPublishNotAdmin(t *testing.T)  { testPublishNotAdmin(t, prosody(t)) }
func TestEjabberdPublishNotAdmin(t *testing.T) { testPublishNotAdmin(t, ej(t)) }

// Unmanaged: no profile manager, no subscription; the profile commands
// still answer.
func TestProsodyUnmanagedProfileCommands(t *testing.T) {
	srv := prosody(t)
	alice := startSession(t, srv, "alice@acme.test", opts{})
	if p := alice.waitFor("profile", 5*time.Second, isA[event.Profile]).(event.Profile); p.Managed {
		t.Errorf("unmanaged session reports %+v", p)
	}
	alice.connected()
	alice.s.Do(event.GetBulletins{})
	if b := alice.waitFor("bulletins", 5*time.Second, isA[event.Bulletins]).(event.Bulletins); b.Items == nil || len(b.Items) != 0 {
		t.Errorf("Bulletins = %+v", b)
	}
	alice.s.Do(event.ImportProfile{Path: "/nonexistent"})
	if e := alice.waitFor("error", 5*time.Second, isA[event.Error]).(event.Error); e.Code != event.CodeUnsupported {
		t.Errorf("import without a manager: %+v", e)
	}
	alice.s.prof.mu.Lock()
	n := len(alice.s.prof.nodes)
	alice.s.prof.mu.Unlock()
	if n != 0 {
		t.Errorf("unmanaged session subscribed to %d nodes", n)
	}
}

// ImportProfile applies a signed file and answers Profile, or refuses it.
func TestProsodyImportProfile(t *testing.T) {
	srv := prosody(t)
	it := newITDesk(t, srv)
	dir := t.TempDir()
	m := it.manager(dir)
	alice := startSessionWith(t, srv, "alice@acme.test", opts{dataDir: dir}, withProfiles(m))
	alice.waitFor("profile at start", 5*time.Second, isA[event.Profile])
	files := t.TempDir()
	write := func(name string, data []byte, jws string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+".jws", []byte(jws+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p3, s3 := it.profile(3, "partner.test")
	alice.s.Do(event.ImportProfile{Path: write("p3.json", p3, s3)})
	ev := alice.waitFor("imported", 5*time.Second, isProfile(3)).(event.Profile)
	if ev.Source != "import" || len(ev.Changes) == 0 {
		t.Errorf("Profile = %+v", ev)
	}
	if tr := alice.s.trustOf("carol@partner.test"); tr.Class != event.ClassPartner {
		t.Errorf("carol after import: %+v", tr)
	}
	alice.s.Do(event.ImportProfile{Path: write("bad.json", []byte(strings.Replace(string(p3), "Acme", "Evil", 1)), s3)})
	if r := alice.waitFor("refused", 5*time.Second, isA[event.ProfileRefused]).(event.ProfileRefused); r.Code != event.ProfileBadSignature || r.Source != "import" {
		t.Errorf("ProfileRefused = %+v", r)
	}
	alice.s.Do(event.ImportProfile{Path: filepath.Join(files, "missing.json")})
	if r := alice.waitFor("unreadable", 5*time.Second, isA[event.ProfileRefused]).(event.ProfileRefused); r.Code != event.ProfileUnreadable {
		t.Errorf("ProfileRefused = %+v", r)
	}
	alice.s.Do(event.GetProfile{})
	if p := alice.waitFor("profile", 5*time.Second, isA[event.Profile]).(event.Profile); p.Serial != 3 {
		t.Errorf("GetProfile = %+v", p)
	}
}

// The profile's server CAs are trusted for the connection: without a CA
// file the server's certificate is refused, with a profile naming its CA it
// is accepted.
func TestProsodyProfileServerCAs(t *testing.T) {
	srv := prosody(t)
	it := newITDesk(t, srv)
	ca, err := os.ReadFile(srv.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := it.profile(1)
	var doc map[string]any
	if err := json.Unmarshal(p, &doc); err != nil {
		t.Fatal(err)
	}
	doc["trusted_cas"] = map[string]any{"server_tls": []string{string(ca)}}
	data, _ := json.Marshal(doc)
	dir := t.TempDir()
	m := it.manager(dir)
	if _, err := m.Apply(data, it.sign(data), "managed"); err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, "alice@acme.test", opts{noCA: true, dataDir: dir}, withProfiles(m))
	if c := alice.connected(); c.ServerCert.SHA256 == "" {
		t.Errorf("Connected = %+v", c)
	}
	// The same without the profile is refused (see TestProsodyUntrustedCertificate).
	bare := startSessionWith(t, srv, "alice@acme.test", opts{noCA: true}, withProfiles(it.manager(t.TempDir())))
	if d := bare.fatal(); d.Code != event.CodeTLSUntrusted {
		t.Errorf("without the profile's CA: %+v", d)
	}
}

// benchmarkProfilePush measures a push end to end: it-admin signs in and
// publishes a newer profile, and alice's session reports it. ms/publish is
// the publisher's share (sign-in, publish, answer), ms/event the rest.
func benchmarkProfilePush(b *testing.B, srv *testenv.Server) {
	it := newITDesk(b, srv)
	p1, s1 := it.profile(1)
	it.publish(KindProfile, p1, s1)
	b1, bs1 := it.bulletin("bench", "Benchmark")
	it.publish(KindBulletin, b1, bs1)
	dir := b.TempDir()
	m := it.manager(dir)
	if _, err := m.Apply(p1, s1, "managed"); err != nil {
		b.Fatal(err)
	}
	alice := startSessionWith(b, srv, "alice@acme.test", opts{dataDir: dir}, withProfiles(m))
	alice.await("subscribed", 0, 15*time.Second, isBulletin("bench"))
	var pub, deliver time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		serial := int64(i + 2)
		b.StopTimer()
		data, jws := it.profile(serial)
		mark := len(alice.all())
		b.StartTimer()
		t0 := time.Now()
		it.publish(KindProfile, data, jws)
		t1 := time.Now()
		alice.await("profile", mark, 15*time.Second, isProfile(serial))
		pub += t1.Sub(t0)
		deliver += time.Since(t1)
	}
	b.ReportMetric(float64(pub.Microseconds())/1000/float64(b.N), "ms/publish")
	b.ReportMetric(float64(deliver.Microseconds())/1000/float64(b.N), "ms/event")
}

func BenchmarkProsodyProfilePush(b *testing.B)  { benchmarkProfilePush(b, prosody(b)) }
func BenchmarkEjabberdProfilePush(b *testing.B) { benchmarkProfilePush(b, ejabberd(b)) }
