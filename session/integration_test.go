package session

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"mellium.im/xmpp"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

func TestProsodySignIn(t *testing.T) {
	srv := prosody(t)
	for _, tc := range []struct {
		name          string
		o             opts
		wantTLS, want string
	}{
		// Prosody 0.12 offers SCRAM-SHA-1-PLUS only with tls-unique, so
		// on TLS 1.3 it offers no -PLUS mechanism at all.
		{"starttls", opts{}, "TLS 1.3", ""},
		{"directtls", opts{direct: true}, "TLS 1.3", ""},
		{"starttls-tls12", opts{tls12: true}, "TLS 1.2", "tls-unique"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startSession(t, srv, "alice@acme.test", tc.o)
			c := r.connected()
			if !strings.HasPrefix(c.JID, "alice@acme.test/") || !strings.HasPrefix(c.Mechanism, "SCRAM-") || c.ServerCert.SHA256 == "" {
				t.Errorf("Connected = %+v", c)
			}
			if c.TLSVersion != tc.wantTLS || c.ChannelBinding != tc.want {
				t.Errorf("TLS %q binding %q, want %q %q", c.TLSVersion, c.ChannelBinding, tc.wantTLS, tc.want)
			}
			if c.ServerCert.Subject != "CN=acme.test,O=Palisade" {
				t.Errorf("server cert %+v", c.ServerCert)
			}
			r.waitFor("roster", 10*time.Second, isA[event.Roster])
			if !r.seen(isA[event.OwnPresence]) {
				t.Error("no OwnPresence")
			}
			r.quit()
		})
	}
}

func testWrongPassword(t *testing.T, srv *testenv.Server) {
	r := startSession(t, srv, "alice@acme.test", opts{password: "not-the-password"})
	d := r.fatal()
	if d.Code != event.CodeAuth || !strings.Contains(d.Message, "Wrong password") {
		t.Errorf("Disconnected = %+v, want code auth with a clear message", d)
	}
	for _, e := range r.all() {
		if _, ok := e.(event.Connecting); ok {
			continue
		}
		if d, ok := e.(event.Disconnected); ok && !d.Fatal {
			t.Errorf("retried after a wrong password: %+v", d)
		}
	}
}

func TestProsodyWrongPassword(t *testing.T) { testWrongPassword(t, prosody(t)) }

func testUntrusted(t *testing.T, srv *testenv.Server, direct bool) {
	r := startSession(t, srv, "alice@acme.test", opts{noCA: true, direct: direct})
	d := r.fatal()
	if d.Code != event.CodeTLSUntrusted {
		t.Fatalf("Disconnected = %+v, want tls-untrusted", d)
	}
	for _, want := range []string{"Subject: CN=acme.test", "issuer: CN=Palisade Test CA", "SHA-256 fingerprint: "} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q lacks %q", d.Message, want)
		}
	}
}

func TestProsodyUntrustedCertificate(t *testing.T) {
	srv := prosody(t)
	t.Run("starttls", func(t *testing.T) { testUntrusted(t, srv, false) })
	t.Run("directtls", func(t *testing.T) { testUntrusted(t, srv, true) })
}

func TestPlaintextServerRefused(t *testing.T) {
	srv := testenv.PlainProsody(t)
	for _, direct := range []bool{false, true} {
		// Direct TLS is tried against the plaintext port.
		r := startSession(t, srv, "alice@acme.test", opts{direct: direct, addr: srv.Addr})
		d := r.fatal()
		if d.Code != event.CodeNoTLS || !strings.Contains(d.Message, "encrypted") {
			t.Errorf("direct=%v: Disconnected = %+v, want no-tls with a clear message", direct, d)
		}
		if strings.Contains(d.Message, "out of order") {
			t.Errorf("mellium's message leaked: %q", d.Message)
		}
	}
}

func testRoster2000(t *testing.T, srv *testenv.Server, user string) {
	want := testenv.PopulateRoster(t, srv, user, 2000)
	r := startSession(t, srv, user, opts{})
	r.connected()
	ro := r.waitFor("roster", 60*time.Second, isA[event.Roster]).(event.Roster)
	if len(ro.Contacts) < len(want) {
		t.Fatalf("roster has %d contacts, want %d", len(ro.Contacts), len(want))
	}
	got := map[string]event.Contact{}
	for _, c := range ro.Contacts {
		got[c.JID] = c
	}
	for _, w := range want {
		c, ok := got[w.JID]
		if !ok {
			t.Fatalf("contact %s missing", w.JID)
		}
		if c.Name != w.Name || !sameSet(c.Groups, w.Groups) {
			t.Fatalf("contact %+v, want %+v", c, w)
		}
	}
	// The cached roster answers the roster command.
	r.s.Do(event.GetRoster{})
	ro = r.waitFor("roster again", 10*time.Second, isA[event.Roster]).(event.Roster)
	if len(ro.Contacts) != len(got) {
		t.Errorf("GetRoster returned %d contacts, want %d", len(ro.Contacts), len(got))
	}
}

func TestProsodyRoster2000(t *testing.T) { testRoster2000(t, prosody(t), "dave@acme.test") }

func testChat(t *testing.T, srv *testenv.Server) {
	alice := startSession(t, srv, "alice@acme.test", opts{})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	alice.connected()
	bc := bob.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])
	bob.waitFor("roster", 10*time.Second, isA[event.Roster])

	body := fmt.Sprintf("hello bob %d", time.Now().UnixNano())
	alice.s.Do(event.Send{To: bc.JID, Body: body, ID: "chat-1"})
	sent := alice.waitFor("sent", 10*time.Second, isA[event.Sent]).(event.Sent)
	if sent.ID != "chat-1" || sent.Queued {
		t.Errorf("Sent = %+v", sent)
	}
	m := bob.message(body)
	if m.ID != "chat-1" || !strings.HasPrefix(m.From, "alice@acme.test/") || m.Outgoing || m.Carbon {
		t.Errorf("bob got %+v", m)
	}
	alice.waitFor("ack", 10*time.Second, func(e event.Event) bool { a, ok := e.(event.Acked); return ok && a.ID == "chat-1" })
	alice.waitFor("receipt", 10*time.Second, func(e event.Event) bool { r, ok := e.(event.Receipt); return ok && r.ID == "chat-1" })

	// And back, to the bare JID, with a chat state first.
	bob.s.Do(event.SendChatState{To: "alice@acme.test", State: event.StateComposing})
	alice.waitFor("composing", 10*time.Second, func(e event.Event) bool {
		c, ok := e.(event.ChatState)
		return ok && c.State == event.StateComposing && strings.HasPrefix(c.From, "bob@acme.test/")
	})
	reply := "hi alice " + body
	bob.s.Do(event.Send{To: "alice@acme.test", Body: reply})
	id := bob.waitFor("sent", 10*time.Second, isA[event.Sent]).(event.Sent).ID
	alice.message(reply)
	bob.waitFor("receipt", 10*time.Second, func(e event.Event) bool { r, ok := e.(event.Receipt); return ok && r.ID == id })

	// Own status, seen by the contact.
	for _, show := range []string{event.ShowDND, event.ShowAway, event.ShowXA, event.ShowAvailable} {
		status := "status " + show + " " + body
		alice.s.Do(event.SetPresence{Show: show, Status: status})
		alice.waitFor("own presence", 10*time.Second, func(e event.Event) bool {
			p, ok := e.(event.OwnPresence)
			return ok && p.Show == show && p.Status == status
		})
		bob.waitFor("alice "+show, 10*time.Second, func(e event.Event) bool {
			p, ok := e.(event.Presence)
			return ok && p.JID == "alice@acme.test" && p.Show == show && p.Status == status
		})
	}
}

func TestProsodyChat(t *testing.T) { testChat(t, prosody(t)) }

func testCarbons(t *testing.T, srv *testenv.Server) {
	a1 := startSession(t, srv, "alice@acme.test", opts{resource: "desk"})
	a2 := startSession(t, srv, "alice@acme.test", opts{resource: "laptop"})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	c1 := a1.connected()
	a2.connected()
	bob.connected()
	for _, r := range []*recorder{a1, a2, bob} {
		r.waitFor("roster", 10*time.Second, isA[event.Roster])
	}
	// Give the carbons IQ time to be processed.
	a2.waitFor("presence of the other resource", 10*time.Second, func(e event.Event) bool {
		p, ok := e.(event.Presence)
		return ok && p.From == c1.JID
	})

	in := fmt.Sprintf("to desk %d", time.Now().UnixNano())
	bob.s.Do(event.Send{To: c1.JID, Body: in})
	a1.message(in)
	m := a2.message(in)
	if !m.Carbon || m.Outgoing || !strings.HasPrefix(m.From, "bob@acme.test/") {
		t.Errorf("received carbon = %+v", m)
	}

	out := "from desk " + in
	a1.s.Do(event.Send{To: "bob@acme.test", Body: out})
	bob.message(out)
	m = a2.message(out)
	if !m.Carbon || !m.Outgoing || m.From != c1.JID || m.To != "bob@acme.test" {
		t.Errorf("sent carbon = %+v", m)
	}
}

func TestProsodyCarbons(t *testing.T) { testCarbons(t, prosody(t)) }

// rawSend writes an element on a plain mellium session.
func rawSend(t *testing.T, xs *xmpp.Session, e *el) {
	t.Helper()
	if err := writeElement(xs, e); err != nil {
		t.Fatal(err)
	}
}

func testForged(t *testing.T, srv *testenv.Server) {
	alice := startSession(t, srv, "alice@acme.test", opts{})
	ac := alice.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mallory, err := srv.Dial(ctx, "mallory@evil.test", srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer mallory.Close()
	go mallory.Serve(nil)

	forged := func(kind string) *el {
		inner := elem(nsClient, "message", "type", "chat", "from", "alice@acme.test/other", "to", "bob@acme.test", "id", "forged-"+kind).
			add(child("body", "forged "+kind+" carbon"))
		if kind == "received" {
			inner = elem(nsClient, "message", "type", "chat", "from", "bob@acme.test/x", "to", "alice@acme.test/other", "id", "forged-"+kind).
				add(child("body", "forged "+kind+" carbon"))
		}
		return elem(nsClient, "message", "type", "chat", "to", ac.JID, "id", "f-"+kind).add(
			elem(nsCarbons, kind).add(elem(nsForward, "forwarded").add(inner)))
	}
	rawSend(t, mallory, forged("sent"))
	rawSend(t, mallory, forged("received"))
	rawSend(t, mallory, iq("set", "push-1", ac.JID, elem(nsRoster, "query").add(
		elem("", "item", "jid", "mallory@evil.test", "name", "Forged", "subscription", "both"))))
	rawSend(t, mallory, elem(nsClient, "message", "type", "chat", "to", ac.JID, "id", "marker").add(child("body", "marker")))

	alice.message("marker")
	// The server may drop forged carbons itself; the roster push at
	// least reaches the client, which must be the one to refuse it.
	if n := alice.s.forged.Load(); n < 1 {
		t.Errorf("the session saw %d forged stanzas, want at least the roster push", n)
	} else {
		t.Logf("%s: the session ignored %d forged stanzas", srv.Kind, n)
	}
	// A genuine push, for contrast.
	alice.s.Do(event.AddContact{JID: "carol@partner.test", Name: "Carol"})
	alice.waitFor("genuine push", 10*time.Second, func(e event.Event) bool {
		p, ok := e.(event.RosterPush)
		return ok && p.Contact.JID == "carol@partner.test"
	})
	for _, e := range alice.all() {
		switch e := e.(type) {
		case event.Message:
			if strings.HasPrefix(e.Body, "forged") {
				t.Errorf("forged carbon accepted: %+v", e)
			}
		case event.RosterPush:
			if e.Contact.JID == "mallory@evil.test" {
				t.Errorf("forged roster push accepted: %+v", e)
			}
		}
	}
	alice.s.Do(event.RemoveContact{JID: "carol@partner.test"})
	alice.waitFor("removal", 10*time.Second, func(e event.Event) bool {
		p, ok := e.(event.RosterPush)
		return ok && p.Removed && p.Contact.JID == "carol@partner.test"
	})
}

func TestProsodyForgedPushAndCarbonIgnored(t *testing.T) { testForged(t, prosody(t)) }

// countBodies counts the messages with each body among a recorder's events.
func countBodies(r *recorder, prefix string) map[string]int {
	n := map[string]int{}
	for _, e := range r.all() {
		if m, ok := e.(event.Message); ok && strings.HasPrefix(m.Body, prefix) && !m.Carbon {
			n[m.Body]++
		}
	}
	return n
}

func waitBodies(t *testing.T, r *recorder, prefix string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if len(countBodies(r, prefix)) >= want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t.Fatalf("%s: got %d distinct %q messages, want %d; %s", r.s.cfg.JID, len(countBodies2(r.evs, prefix)), prefix, want, r.dump())
}

func countBodies2(evs []event.Event, prefix string) map[string]int {
	n := map[string]int{}
	for _, e := range evs {
		if m, ok := e.(event.Message); ok && strings.HasPrefix(m.Body, prefix) {
			n[m.Body]++
		}
	}
	return n
}

func testCutResume(t *testing.T, srv *testenv.Server) {
	proxy := testenv.NewProxy(t, srv.Addr)
	alice := startSession(t, srv, "alice@acme.test", opts{addr: proxy.Addr()})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	ac := alice.connected()
	bc := bob.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])
	bob.waitFor("roster", 10*time.Second, isA[event.Roster])

	tag := fmt.Sprint(time.Now().UnixNano())
	const n = 30
	for i := 0; i < n; i++ {
		alice.s.Do(event.Send{To: bc.JID, Body: fmt.Sprintf("a%s-%02d", tag, i)})
		bob.s.Do(event.Send{To: ac.JID, Body: fmt.Sprintf("b%s-%02d", tag, i)})
		if i == n/3 {
			if proxy.Cut() == 0 {
				t.Fatal("nothing to cut")
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c := alice.waitFor("reconnection", 30*time.Second, isA[event.Connected]).(event.Connected)
	if !c.Resumed || c.JID != ac.JID {
		t.Errorf("reconnected with %+v, want the stream resumed", c)
	}
	waitBodies(t, bob, "a"+tag, n)
	waitBodies(t, alice, "b"+tag, n)
	time.Sleep(time.Second) // let any duplicate arrive
	for _, r := range []*recorder{alice, bob} {
		for body, k := range countBodies(r, "") {
			if strings.Contains(body, tag) && k != 1 {
				t.Errorf("%s got %q %d times", r.s.cfg.JID, body, k)
			}
		}
	}
}

func TestProsodyCutAndResume(t *testing.T) { testCutResume(t, prosody(t)) }

func readOutbox(t *testing.T, dir string) []outboxEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, outboxFile))
	if err != nil {
		t.Fatal(err)
	}
	var l []outboxEntry
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), testenv.DemoPassword) {
		t.Fatal("the outbox contains the password")
	}
	return l
}

func testOutbox(t *testing.T, srv *testenv.Server) {
	g := newGate(t, srv.Addr)
	dir := t.TempDir()
	alice := startSession(t, srv, "alice@acme.test", opts{addr: g.Addr(), dataDir: dir})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	alice.connected()
	bob.connected()

	g.setOpen(false)
	alice.waitFor("disconnect", 10*time.Second, isA[event.Disconnected])
	body := fmt.Sprintf("written offline %d", time.Now().UnixNano())
	alice.s.Do(event.Send{To: "bob@acme.test", Body: body, ID: "offline-1"})
	s := alice.waitFor("queued", 10*time.Second, isA[event.Sent]).(event.Sent)
	if !s.Queued || s.ID != "offline-1" {
		t.Fatalf("Sent = %+v, want queued", s)
	}
	if l := readOutbox(t, dir); len(l) != 1 || l[0].Body != body {
		t.Fatalf("outbox = %+v", l)
	}
	g.setOpen(true)
	alice.s.Do(event.Reconnect{})
	alice.waitFor("reconnected", 20*time.Second, isA[event.Connected])
	bob.message(body)
	alice.waitFor("acked", 10*time.Second, func(e event.Event) bool { a, ok := e.(event.Acked); return ok && a.ID == "offline-1" })
	if l := readOutbox(t, dir); len(l) != 0 {
		t.Fatalf("outbox after delivery = %+v", l)
	}
}

func TestProsodyOutbox(t *testing.T) { testOutbox(t, prosody(t)) }

// The outbox survives a restart of the program.
func TestProsodyOutboxAcrossRestart(t *testing.T) {
	srv := prosody(t)
	dir := t.TempDir()
	bob := startSession(t, srv, "bob@acme.test", opts{})
	bob.connected()
	off := startSession(t, srv, "alice@acme.test", opts{addr: "127.0.0.1:1", dataDir: dir})
	body := fmt.Sprintf("queued before restart %d", time.Now().UnixNano())
	off.s.Do(event.Send{To: "bob@acme.test", Body: body})
	if s := off.waitFor("queued", 10*time.Second, isA[event.Sent]).(event.Sent); !s.Queued {
		t.Fatalf("Sent = %+v", s)
	}
	off.quit()
	alice := startSession(t, srv, "alice@acme.test", opts{dataDir: dir})
	alice.connected()
	bob.message(body)
}

func sameSet(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// A connection that goes silent (no reset, nothing arrives) is detected by
// the keepalive, dropped, and the stream resumed.
func TestProsodySilentConnectionDetected(t *testing.T) {
	srv := prosody(t)
	g := newGate(t, srv.Addr)
	alice := startSessionWith(t, srv, "alice@acme.test", opts{addr: g.Addr()}, func(s *Session) { s.ping = 200 * time.Millisecond })
	ac := alice.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])
	g.setFrozen(true)
	alice.waitFor("disconnect", 10*time.Second, isA[event.Disconnected])
	g.setFrozen(false)
	c := alice.waitFor("reconnect", 20*time.Second, isA[event.Connected]).(event.Connected)
	if !c.Resumed || c.JID != ac.JID {
		t.Errorf("Connected = %+v, want resumed", c)
	}
}

func testSubscriptions(t *testing.T, srv *testenv.Server) {
	admin := startSession(t, srv, "it-admin@acme.test", opts{})
	carol := startSession(t, srv, "carol@partner.test", opts{})
	mallory := startSession(t, srv, "mallory@evil.test", opts{})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	for _, r := range []*recorder{admin, carol, mallory, bob} {
		r.connected()
		r.waitFor("roster", 10*time.Second, isA[event.Roster])
	}
	pushFor := func(r *recorder, j string, match func(event.RosterPush) bool) event.RosterPush {
		t.Helper()
		return r.waitFor("roster push for "+j, 10*time.Second, func(e event.Event) bool {
			p, ok := e.(event.RosterPush)
			return ok && p.Contact.JID == j && match(p)
		}).(event.RosterPush)
	}
	request := func(r *recorder, from string) {
		t.Helper()
		r.waitFor("subscription request from "+from, 10*time.Second, func(e event.Event) bool {
			s, ok := e.(event.SubscriptionRequest)
			return ok && s.From == from
		})
	}
	cleanup := func() {
		admin.s.Do(event.RemoveContact{JID: "carol@partner.test"})
		mallory.s.Do(event.RemoveContact{JID: "bob@acme.test"})
		carol.s.Do(event.RemoveContact{JID: "it-admin@acme.test"})
		bob.s.Do(event.RemoveContact{JID: "mallory@evil.test"})
		time.Sleep(300 * time.Millisecond)
	}
	cleanup()
	defer cleanup()

	// Approved: carol lets it-admin see her presence.
	admin.s.Do(event.AddContact{JID: "carol@partner.test", Name: "Carol", Groups: []string{"Partners"}})
	pushFor(admin, "carol@partner.test", func(p event.RosterPush) bool { return p.Contact.Pending })
	request(carol, "it-admin@acme.test")
	carol.s.Do(event.Approve{JID: "it-admin@acme.test"})
	p := pushFor(admin, "carol@partner.test", func(p event.RosterPush) bool { return p.Contact.Subscription == "to" })
	if p.Contact.Pending || p.Contact.Name != "Carol" || len(p.Contact.Groups) != 1 {
		t.Errorf("after approval: %+v", p)
	}
	admin.waitFor("carol's presence", 10*time.Second, func(e event.Event) bool {
		p, ok := e.(event.Presence)
		return ok && p.JID == "carol@partner.test" && p.Show == event.ShowAvailable
	})

	// Declined: bob does not let mallory see his presence.
	mallory.s.Do(event.AddContact{JID: "bob@acme.test"})
	pushFor(mallory, "bob@acme.test", func(p event.RosterPush) bool { return p.Contact.Pending })
	request(bob, "mallory@evil.test")
	bob.s.Do(event.Decline{JID: "mallory@evil.test"})
	p = pushFor(mallory, "bob@acme.test", func(p event.RosterPush) bool { return !p.Contact.Pending })
	if p.Contact.Subscription != "none" {
		t.Errorf("after refusal: %+v", p)
	}
}

func TestProsodySubscriptions(t *testing.T) { testSubscriptions(t, prosody(t)) }

// When the server cannot resume the stream, a new session is bound and the
// messages the server never acknowledged are sent again.
func testResumeFails(t *testing.T, srv *testenv.Server) {
	g := newGate(t, srv.Addr)
	alice := startSession(t, srv, "alice@acme.test", opts{addr: g.Addr()})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	ac := alice.connected()
	bob.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])

	g.setFrozen(true) // the server stops hearing alice: nothing gets acked
	tag := fmt.Sprint(time.Now().UnixNano())
	for i := 0; i < 5; i++ {
		alice.s.Do(event.Send{To: "bob@acme.test", Body: fmt.Sprintf("r%s-%d", tag, i)})
	}
	for i := 0; i < 5; i++ {
		alice.waitFor("sent", 10*time.Second, isA[event.Sent])
	}
	alice.s.mu.Lock()
	unacked := len(alice.s.sm.unacked)
	alice.s.sm.id = "no-such-stream" // the server will not know it
	alice.s.mu.Unlock()
	if unacked < 5 {
		t.Fatalf("%d unacked stanzas, want at least 5", unacked)
	}
	g.setOpen(false)
	alice.waitFor("disconnect", 10*time.Second, isA[event.Disconnected])
	g.setFrozen(false)
	g.setOpen(true)
	alice.s.Do(event.Reconnect{})
	c := alice.waitFor("reconnect", 20*time.Second, isA[event.Connected]).(event.Connected)
	if c.Resumed || c.JID == ac.JID {
		t.Errorf("Connected = %+v, want a new session", c)
	}
	waitBodies(t, bob, "r"+tag, 5)
	for i := 0; i < 5; i++ {
		alice.waitFor("acked", 10*time.Second, isA[event.Acked])
	}
}

func TestProsodyResumeFails(t *testing.T) { testResumeFails(t, prosody(t)) }

// Messages the server has not acknowledged when the user quits are kept in
// the outbox for the next start.
func TestProsodyQuitKeepsUnacked(t *testing.T) {
	srv := prosody(t)
	g := newGate(t, srv.Addr)
	dir := t.TempDir()
	alice := startSession(t, srv, "alice@acme.test", opts{addr: g.Addr(), dataDir: dir})
	alice.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])
	g.setFrozen(true)
	body := fmt.Sprintf("unacked at quit %d", time.Now().UnixNano())
	alice.s.Do(event.Send{To: "bob@acme.test", Body: body, ID: "uq-1"})
	if s := alice.waitFor("sent", 10*time.Second, isA[event.Sent]).(event.Sent); s.Queued {
		t.Fatalf("Sent = %+v, want on the wire", s)
	}
	alice.quit()
	if l := readOutbox(t, dir); len(l) != 1 || l[0].ID != "uq-1" || l[0].Body != body {
		t.Fatalf("outbox = %+v", l)
	}
	bob := startSession(t, srv, "bob@acme.test", opts{})
	bob.connected()
	again := startSession(t, srv, "alice@acme.test", opts{dataDir: dir})
	again.connected()
	if m := bob.message(body); m.ID != "uq-1" {
		t.Errorf("bob got %+v", m)
	}
}

// No receipt goes to a sender who may not see the user's presence
// (XEP-0184 §8): it would tell them the user is online.
func testNoReceiptToStranger(t *testing.T, srv *testenv.Server) {
	alice := startSession(t, srv, "alice@acme.test", opts{})
	admin := startSession(t, srv, "it-admin@acme.test", opts{})
	ac := alice.connected()
	admin.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])
	admin.waitFor("roster", 10*time.Second, isA[event.Roster])
	alice.s.mu.Lock()
	_, known := alice.s.roster["it-admin@acme.test"]
	alice.s.mu.Unlock()
	if known {
		t.Skip("it-admin is in alice's roster on this server")
	}
	body := fmt.Sprintf("from a stranger %d", time.Now().UnixNano())
	admin.s.Do(event.Send{To: ac.JID, Body: body, ID: "stranger-1"})
	alice.message(body)
	admin.waitFor("ack", 10*time.Second, isA[event.Acked])
	time.Sleep(500 * time.Millisecond)
	if admin.seen(isA[event.Receipt]) {
		t.Error("alice sent a receipt to a sender outside her presence subscriptions")
	}
}

func TestProsodyNoReceiptToStranger(t *testing.T) { testNoReceiptToStranger(t, prosody(t)) }
