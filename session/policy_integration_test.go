package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mellium.im/xmlstream"
	"mellium.im/xmpp"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// freshUser registers a new account on domain with the standard password,
// so that a test can block, accept and write first without touching the
// shared accounts' rosters and blocklists.
func freshUser(t *testing.T, srv *testenv.Server, prefix, domain string) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	local := prefix + "-" + hex.EncodeToString(b)
	srv.AddUser(t, local, domain, srv.Password)
	return local + "@" + domain
}

func withRules(s *Session) { s.setRules(testRules()) }

func refusedWith(code string) func(event.Event) bool {
	return func(e event.Event) bool { r, ok := e.(event.Refused); return ok && r.Code == code }
}

func bodySeen(r *recorder, body string) bool {
	return r.seen(func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Body == body })
}

// rawInbox is a plain mellium session (no Palisade policy) that records the
// text of every message it receives: what the server delivers.
type rawInbox struct {
	xs   *xmpp.Session
	mu   sync.Mutex
	text []string
}

func dialInbox(t *testing.T, srv *testenv.Server, user string) *rawInbox {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	xs, err := srv.Dial(ctx, user, srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	in := &rawInbox{xs: xs}
	t.Cleanup(func() { xs.Close() })
	go xs.Serve(xmpp.HandlerFunc(func(r xmlstream.TokenReadEncoder, start *xml.StartElement) error {
		if start.Name.Local != "message" {
			return nil
		}
		var b strings.Builder
		for {
			tok, err := r.Token()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
			if cd, ok := tok.(xml.CharData); ok {
				b.Write(cd)
			}
		}
		in.mu.Lock()
		in.text = append(in.text, b.String())
		in.mu.Unlock()
		return nil
	}))
	rawSend(t, xs, presence("", "", "", ""))
	return in
}

func (in *rawInbox) has(s string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, t := range in.text {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

func (in *rawInbox) wait(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !in.has(s) {
		if time.Now().After(deadline) {
			in.mu.Lock()
			t.Fatalf("the raw session never received %q; got %q", s, in.text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testPolicyMessages: first messages to and from an unknown domain, a
// blocked domain, accepting, and blocking a whole domain on the server.
func testPolicyMessages(t *testing.T, srv *testenv.Server) {
	alice := freshUser(t, srv, "pa", "acme.test")
	colleague := freshUser(t, srv, "pc", "acme.test")
	mallory := freshUser(t, srv, "pm", "evil.test")
	eve := freshUser(t, srv, "pe", "evil.test")

	ra := startSessionWith(t, srv, alice, opts{}, withRules)
	rm := startSession(t, srv, mallory, opts{})
	re := startSession(t, srv, eve, opts{})
	rc := startSession(t, srv, colleague, opts{})
	ac := ra.connected()
	rm.connected()
	re.connected()
	rc.connected()
	ra.waitFor("roster", 10*time.Second, isA[event.Roster])

	// The first message to an unknown domain needs confirmation: refused,
	// and nothing reaches mallory.
	ra.s.Do(event.Send{To: mallory, Body: "unconfirmed first", ID: "first-1"})
	ref := ra.waitFor("refused confirm", 10*time.Second, refusedWith(event.RefusedConfirm)).(event.Refused)
	if ref.ID != "first-1" || ref.To != mallory || ref.Reason == "" || ref.Trust == nil || ref.Trust.Class != event.ClassUnknown || ref.Trust.Domain != "evil.test" {
		t.Errorf("Refused = %+v", ref)
	}
	// Confirmed: sent, and mallory is accepted.
	ra.s.Do(event.Send{To: mallory, Body: "confirmed first", ID: "first-1", Confirmed: true})
	acc := ra.waitFor("accepted", 10*time.Second, isA[event.Accepted]).(event.Accepted)
	if acc.JID != mallory || !acc.Trust.Accepted {
		t.Errorf("Accepted = %+v", acc)
	}
	sent := ra.waitFor("sent", 10*time.Second, isA[event.Sent]).(event.Sent)
	if sent.ID != "first-1" || sent.Trust.Class != event.ClassUnknown || !sent.Trust.Accepted || sent.Queued {
		t.Errorf("Sent = %+v", sent)
	}
	got := rm.message("confirmed first")
	if got.Trust.Class != event.ClassUnknown {
		// mallory's own session is unmanaged: acme.test is unknown to it.
		t.Errorf("mallory's view of alice: %+v", got.Trust)
	}
	// The refused message would have arrived before the confirmed one.
	if bodySeen(rm, "unconfirmed first") {
		t.Error("the refused message reached mallory")
	}

	// A domain blocked by the profile: refused even when confirmed.
	ra.s.Do(event.Send{To: "someone@blocked.test", Body: "to a blocked domain", Confirmed: true})
	ref = ra.waitFor("refused blocked", 10*time.Second, refusedWith(event.RefusedBlocked)).(event.Refused)
	if ref.Trust == nil || ref.Trust.Class != event.ClassBlocked {
		t.Errorf("Refused = %+v", ref)
	}

	// eve writes first: a request, with her trust.
	re.s.Do(event.Send{To: alice, Body: "hello from eve"})
	m := ra.message("hello from eve")
	if !m.Request || m.Trust.Class != event.ClassUnknown || m.Trust.Domain != "evil.test" || m.Trust.Accepted {
		t.Errorf("first message from eve: request %v trust %+v", m.Request, m.Trust)
	}
	// Accepted: no longer a request.
	ra.s.Do(event.Accept{JID: eve})
	acc = ra.waitFor("accepted eve", 10*time.Second, func(e event.Event) bool { a, ok := e.(event.Accepted); return ok && a.JID == eve }).(event.Accepted)
	if !acc.Trust.Accepted || acc.Trust.Class != event.ClassUnknown {
		t.Errorf("Accepted = %+v", acc)
	}
	re.s.Do(event.Send{To: alice, Body: "eve again"})
	if m := ra.message("eve again"); m.Request || !m.Trust.Accepted {
		t.Errorf("after accept: request %v trust %+v", m.Request, m.Trust)
	}
	// A colleague is never a request.
	rc.s.Do(event.Send{To: alice, Body: "from a colleague"})
	if m := ra.message("from a colleague"); m.Request || m.Trust.Class != event.ClassInternal || m.Trust.Org != "Acme" {
		t.Errorf("colleague: request %v trust %+v", m.Request, m.Trust)
	}

	// Block the whole domain evil.test: on the server and locally.
	raw := dialInbox(t, srv, alice)
	rawJID := raw.xs.LocalAddr().String()
	re.s.Do(event.Send{To: rawJID, Body: "eve before the block"})
	raw.wait(t, "eve before the block")

	ra.s.Do(event.Block{JID: "evil.test"})
	ra.waitFor("blocked", 10*time.Second, func(e event.Event) bool { b, ok := e.(event.Blocked); return ok && b.JID == "evil.test" })
	if tr := ra.s.trustOf(eve); tr.Class != event.ClassBlocked {
		t.Errorf("eve after the block: %+v", tr)
	}
	// The server drops eve's messages: the raw session (which applies no
	// policy of its own) gets the colleague's later message but not eve's.
	re.s.Do(event.Send{To: rawJID, Body: "eve after the block"})
	re.s.Do(event.Send{To: alice, Body: "eve after the block, to alice"})
	// Once the server has acknowledged both, a later message from someone
	// else is routed after them.
	re.waitFor("eve's sends acknowledged", 10*time.Second, func(e event.Event) bool { a, ok := e.(event.Acked); return ok && a.To == alice })
	rc.s.Do(event.Send{To: rawJID, Body: "control after the block"})
	rc.s.Do(event.Send{To: alice, Body: "control to alice after the block"})
	raw.wait(t, "control after the block")
	ra.message("control to alice after the block")
	if raw.has("eve after the block") {
		t.Error("the server delivered a message from the blocked domain")
	}
	if bodySeen(ra, "eve after the block, to alice") {
		t.Error("the session showed a message from the blocked domain")
	}
	// A message to the blocked domain is refused.
	ra.s.Do(event.Send{To: eve, Body: "to eve after the block", Confirmed: true})
	ra.waitFor("refused blocked", 10*time.Second, refusedWith(event.RefusedBlocked))

	// Another session of the account learns the block from the server at
	// sign-in.
	r2 := startSessionWith(t, srv, alice, opts{resource: "second"}, withRules)
	if c := r2.connected(); c.JID == ac.JID {
		t.Fatalf("second session bound the same resource %s", c.JID)
	}
	r2.waitFor("blocked from the server", 10*time.Second, func(e event.Event) bool { b, ok := e.(event.Blocked); return ok && b.JID == "evil.test" })

	// Unblock: both sessions hear of it (the second by the server's push).
	ra.s.Do(event.Unblock{JID: "evil.test"})
	ra.waitFor("unblocked", 10*time.Second, func(e event.Event) bool { u, ok := e.(event.Unblocked); return ok && u.JID == "evil.test" })
	r2.waitFor("unblock push", 10*time.Second, func(e event.Event) bool { u, ok := e.(event.Unblocked); return ok && u.JID == "evil.test" })
	re.s.Do(event.Send{To: rawJID, Body: "eve after the unblock"})
	raw.wait(t, "eve after the unblock")
}

func TestProsodyPolicyMessages(t *testing.T)  { testPolicyMessages(t, prosody(t)) }
func TestEjabberdPolicyMessages(t *testing.T) { testPolicyMessages(t, ej(t)) }

// testPolicyRosterTrust: roster entries carry each contact's trust:
// colleagues internal, carol partner with the organisation's name, mallory
// unknown; in roster pushes and in the roster. (A fresh account, since
// other tests change alice's roster.)
func testPolicyRosterTrust(t *testing.T, srv *testenv.Server) {
	user := freshUser(t, srv, "pr", "acme.test")
	r := startSessionWith(t, srv, user, opts{}, withRules)
	r.connected()
	r.waitFor("roster", 10*time.Second, isA[event.Roster])
	want := map[string]event.Trust{
		"bob@acme.test":      {Class: event.ClassInternal, Org: "Acme", Domain: "acme.test", FileSend: true},
		"carol@partner.test": {Class: event.ClassPartner, Org: "Partner Corp", Domain: "partner.test"},
		"mallory@evil.test":  {Class: event.ClassUnknown, Domain: "evil.test"},
	}
	check := func(where string, c event.Contact) {
		w := want[c.JID]
		got := c.Trust
		if got.Class != w.Class || got.Org != w.Org || got.Domain != w.Domain || got.FileSend != w.FileSend || got.Reason == "" {
			t.Errorf("%s %s: trust %+v, want %+v", where, c.JID, got, w)
		}
	}
	for _, j := range []string{"bob@acme.test", "carol@partner.test", "mallory@evil.test"} {
		r.s.Do(event.AddContact{JID: j})
		p := r.waitFor("push "+j, 10*time.Second, func(e event.Event) bool {
			p, ok := e.(event.RosterPush)
			return ok && p.Contact.JID == j
		}).(event.RosterPush)
		check("roster push", p.Contact)
	}
	r.s.Do(event.GetRoster{})
	// Wait for a roster holding all three: a roster re-emitted for an
	// earlier reason (the blocklist fetched at sign-in) may come first.
	ros := r.waitFor("roster with the new contacts", 10*time.Second, func(e event.Event) bool {
		ros, ok := e.(event.Roster)
		if !ok {
			return false
		}
		n := 0
		for _, c := range ros.Contacts {
			if _, ok := want[c.JID]; ok {
				n++
			}
		}
		return n == len(want)
	}).(event.Roster)
	found := 0
	for _, c := range ros.Contacts {
		if _, ok := want[c.JID]; ok {
			found++
			check("roster", c)
		}
	}
	if found != len(want) {
		t.Fatalf("roster lacks some of %v: %+v", want, ros.Contacts)
	}
	// New rules (a profile applied): the roster comes again with the new trust.
	rules := testRules()
	rules.Partners[0].FilesAllowed = true
	r.s.setRules(rules)
	ros = r.waitFor("roster again", 10*time.Second, isA[event.Roster]).(event.Roster)
	for _, c := range ros.Contacts {
		if c.JID == "carol@partner.test" && !c.Trust.FileSend {
			t.Errorf("carol after new rules: %+v", c.Trust)
		}
	}
}

func TestProsodyPolicyRosterTrust(t *testing.T)  { testPolicyRosterTrust(t, prosody(t)) }
func TestEjabberdPolicyRosterTrust(t *testing.T) { testPolicyRosterTrust(t, ej(t)) }

// testPolicySendFile: a file to an unapproved organisation is refused and
// never reaches the upload step; the same file to a colleague does.
func testPolicySendFile(t *testing.T, srv *testenv.Server) {
	dir := t.TempDir()
	file := filepath.Join(dir, "figures.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 confidential"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var uploads []outgoingFile
	alice := freshUser(t, srv, "pf", "acme.test")
	r := startSessionWith(t, srv, alice, opts{}, func(s *Session) {
		withRules(s)
		s.pol.upload = func(f outgoingFile) {
			mu.Lock()
			uploads = append(uploads, f)
			mu.Unlock()
			s.emit(event.Error{Message: "test upload " + f.Name, Command: "sendfile"})
		}
	})
	r.connected()
	r.waitFor("roster", 10*time.Second, isA[event.Roster])
	for _, tt := range []struct{ to, code string }{
		{"mallory@evil.test", event.RefusedFilePolicy},
		{"carol@partner.test", event.RefusedFilePolicy},
		{"x@blocked.test", event.RefusedBlocked},
	} {
		r.s.Do(event.SendFile{To: tt.to, Path: file})
		ref := r.waitFor("refused "+tt.to, 10*time.Second, isA[event.Refused]).(event.Refused)
		if ref.Command != "sendfile" || ref.Code != tt.code || ref.To != tt.to || ref.Reason == "" || ref.Trust == nil || ref.Trust.FileSend {
			t.Errorf("%s: Refused = %+v", tt.to, ref)
		}
	}
	r.s.Do(event.SendFile{To: "bob@acme.test", Path: file})
	r.waitFor("upload step", 10*time.Second, func(e event.Event) bool {
		er, ok := e.(event.Error)
		return ok && er.Message == "test upload figures.pdf"
	})
	mu.Lock()
	defer mu.Unlock()
	if len(uploads) != 1 || uploads[0].To != "bob@acme.test" {
		t.Errorf("uploads %+v, want only the one to bob", uploads)
	}
}

func TestProsodyPolicySendFile(t *testing.T)  { testPolicySendFile(t, prosody(t)) }
func TestEjabberdPolicySendFile(t *testing.T) { testPolicySendFile(t, ej(t)) }

// testForgedBlockPush: a blocklist push from anyone but the account itself
// is refused and changes nothing.
func testForgedBlockPush(t *testing.T, srv *testenv.Server) {
	alice := freshUser(t, srv, "pb", "acme.test")
	r := startSessionWith(t, srv, alice, opts{}, withRules)
	ac := r.connected()
	r.waitFor("roster", 10*time.Second, isA[event.Roster])

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mallory, err := srv.Dial(ctx, "mallory@evil.test", srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer mallory.Close()
	go mallory.Serve(nil)
	rawSend(t, mallory, iq("set", "forged-block", ac.JID, elem(nsBlocking, "block").add(elem("", "item", "jid", "carol@partner.test"))))
	rawSend(t, mallory, iq("set", "forged-unblock", ac.JID, elem(nsBlocking, "unblock")))
	rawSend(t, mallory, elem(nsClient, "message", "type", "chat", "to", ac.JID, "id", "marker").add(child("body", "block marker")))
	r.message("block marker")
	if r.seen(isA[event.Blocked]) || r.seen(isA[event.Unblocked]) {
		t.Errorf("a forged blocklist push was applied: %s", r.dump())
	}
	if tr := r.s.trustOf("carol@partner.test"); tr.Class != event.ClassPartner {
		t.Errorf("carol after a forged push: %+v", tr)
	}
	if n := r.s.forged.Load(); n < 1 {
		t.Errorf("forged stanzas seen: %d, want the pushes refused", n)
	}
}

func TestProsodyForgedBlockPush(t *testing.T)  { testForgedBlockPush(t, prosody(t)) }
func TestEjabberdForgedBlockPush(t *testing.T) { testForgedBlockPush(t, ej(t)) }
