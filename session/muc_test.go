package session

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// anyEvent waits for an event matching match among all events so far
// (without consuming any: room events from several sources interleave).
func anyEvent(r *recorder, what string, timeout time.Duration, match func(event.Event) bool) event.Event {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, r.cond.Broadcast)
	defer timer.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		for _, e := range r.evs {
			if match(e) {
				return e
			}
		}
		if r.done || time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; events: %s", what, r.dump())
		}
		r.cond.Wait()
	}
}

func joinedRoom(room string) func(event.Event) bool {
	return func(e event.Event) bool { j, ok := e.(event.RoomJoined); return ok && j.Room == room }
}

func occupantNamed(room, nick string) func(event.Event) bool {
	return func(e event.Event) bool {
		o, ok := e.(event.OccupantChange)
		return ok && o.Room == room && o.Nick == nick && !o.Left
	}
}

func roomBody(room, body string) func(event.Event) bool {
	return func(e event.Event) bool {
		m, ok := e.(event.RoomMessage)
		return ok && m.Room == room && m.Body == body
	}
}

func uniqueRoom(srv *testenv.Server, prefix string) string {
	return fmt.Sprintf("%s-%d@%s", prefix, time.Now().UnixNano(), srv.MUCService)
}

// testRooms: alice creates a room; bob (internal), carol (partner) and
// mallory (unknown) join. Alice's occupant list carries each one's trust and
// the banner names the external ones; messages, topic, private messages,
// invitations, a refused file and forged room stanzas.
func testRooms(t *testing.T, srv *testenv.Server) {
	alice := startSessionWith(t, srv, "alice@acme.test", opts{}, withRules)
	bob := startSession(t, srv, "bob@acme.test", opts{})
	carol := startSession(t, srv, "carol@partner.test", opts{})
	mallory := startSession(t, srv, "mallory@evil.test", opts{})
	ac := alice.connected()
	for _, r := range []*recorder{bob, carol, mallory} {
		r.connected()
	}
	room := uniqueRoom(srv, "launch")

	alice.s.Do(event.CreateRoom{Room: room, Nick: "alice", Name: "Launch", Persistent: true})
	j := anyEvent(alice, "room created", 20*time.Second, joinedRoom(room)).(event.RoomJoined)
	if !j.Created || j.Nick != "alice" || j.Name != "Launch" || len(j.Occupants) != 1 || !j.Occupants[0].Self {
		t.Errorf("RoomJoined = %+v", j)
	}
	if alice.seen(func(e event.Event) bool { x, ok := e.(event.Error); return ok && x.Command == "create_room" }) {
		t.Errorf("create_room reported an error: %s", alice.dump())
	}

	// Inviting mallory (unknown domain) needs confirmation; then it goes out.
	alice.s.Do(event.Invite{Room: room, JID: "mallory@evil.test", Reason: "launch plans"})
	ref := anyEvent(alice, "invite refused", 10*time.Second, func(e event.Event) bool {
		r, ok := e.(event.Refused)
		return ok && r.Command == "invite"
	}).(event.Refused)
	if ref.Code != event.RefusedConfirm || ref.To != "mallory@evil.test" || ref.Trust == nil || ref.Trust.Class != event.ClassUnknown {
		t.Errorf("Refused = %+v", ref)
	}
	alice.s.Do(event.Invite{Room: room, JID: "mallory@evil.test", Reason: "launch plans", Confirmed: true})
	inv := anyEvent(mallory, "invitation", 10*time.Second, isA[event.RoomInvite]).(event.RoomInvite)
	// Prosody names the inviter by nickname only (room/alice).
	if inv.Room != room || (inv.From != "alice@acme.test" && inv.From != room+"/alice") || inv.Reason != "launch plans" {
		t.Errorf("RoomInvite = %+v", inv)
	}
	// Inviting a partner needs no confirmation.
	alice.s.Do(event.Invite{Room: room, JID: "carol@partner.test"})
	anyEvent(carol, "invitation", 10*time.Second, isA[event.RoomInvite])

	bob.s.Do(event.Join{Room: room, Nick: "bob"})
	carol.s.Do(event.Join{Room: room, Nick: "carol"})
	mallory.s.Do(event.Join{Room: room, Nick: "mallory"})
	for _, r := range []*recorder{bob, carol, mallory} {
		anyEvent(r, "joined", 20*time.Second, joinedRoom(room))
	}
	want := map[string]struct{ jid, class, org string }{
		"bob":     {"bob@acme.test", event.ClassInternal, "Acme"},
		"carol":   {"carol@partner.test", event.ClassPartner, "Partner Corp"},
		"mallory": {"mallory@evil.test", event.ClassUnknown, ""},
	}
	for nick, w := range want {
		o := anyEvent(alice, "occupant "+nick, 10*time.Second, occupantNamed(room, nick)).(event.OccupantChange)
		if o.JID != w.jid || o.Trust.Class != w.class || o.Trust.Org != w.org {
			t.Errorf("occupant %s = %+v, want %+v", nick, o, w)
		}
	}
	b := anyEvent(alice, "banner", 10*time.Second, func(e event.Event) bool {
		b, ok := e.(event.RoomBanner)
		return ok && b.Room == room && strings.Contains(b.Summary, "mallory@evil.test") && strings.Contains(b.Summary, "carol@partner.test")
	}).(event.RoomBanner)
	if !b.External || b.Lookalike || b.Summary != "2 external participants: carol@partner.test (Partner Corp), mallory@evil.test (unknown)" {
		t.Errorf("banner = %+v", b)
	}
	t.Logf("%s banner: %s", srv.Kind, b.Summary)

	// Messages both ways.
	tag := fmt.Sprint(time.Now().UnixNano())
	alice.s.Do(event.SendRoomMessage{Room: room, Body: "hello " + tag})
	got := anyEvent(bob, "alice's message", 10*time.Second, roomBody(room, "hello "+tag)).(event.RoomMessage)
	if got.Nick != "alice" || got.Outgoing {
		t.Errorf("bob got %+v", got)
	}
	echo := anyEvent(alice, "echo", 10*time.Second, roomBody(room, "hello "+tag)).(event.RoomMessage)
	if !echo.Outgoing {
		t.Errorf("echo = %+v", echo)
	}
	carol.s.Do(event.SendRoomMessage{Room: room, Body: "reply " + tag})
	got = anyEvent(alice, "carol's message", 10*time.Second, roomBody(room, "reply "+tag)).(event.RoomMessage)
	if got.Nick != "carol" || got.FromJID != "carol@partner.test" || got.Trust.Class != event.ClassPartner {
		t.Errorf("alice got %+v", got)
	}

	// Topic.
	alice.s.Do(event.SetRoomTopic{Room: room, Topic: "Launch on Friday " + tag})
	tp := anyEvent(bob, "topic", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.RoomTopic)
		return ok && x.Topic == "Launch on Friday "+tag
	}).(event.RoomTopic)
	if tp.Room != room || tp.By != "alice" {
		t.Errorf("RoomTopic = %+v", tp)
	}

	// A private message inside the room is labelled as such.
	carol.s.Do(event.PrivateMessage{Room: room, Nick: "alice", Body: "psst " + tag})
	pm := anyEvent(alice, "private message", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.RoomPrivateMessage)
		return ok && x.Body == "psst "+tag
	}).(event.RoomPrivateMessage)
	if pm.Room != room || pm.Nick != "carol" || pm.FromJID != "carol@partner.test" || pm.Trust.Class != event.ClassPartner {
		t.Errorf("RoomPrivateMessage = %+v", pm)
	}
	if alice.seen(func(e event.Event) bool { m, ok := e.(event.Message); return ok && strings.Contains(m.Body, "psst") }) {
		t.Error("the private message in the room also came out as a direct chat message")
	}

	// A file to a room with a partner (no files) and an unknown occupant.
	path := filepath.Join(t.TempDir(), "plan.pdf")
	os.WriteFile(path, []byte("%PDF-1.4 plan"), 0o600)
	alice.s.Do(event.SendFile{To: room, Path: path, ID: "f-room"})
	fr := anyEvent(alice, "file refused", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.Refused)
		return ok && x.Command == "sendfile"
	}).(event.Refused)
	if fr.Code != event.RefusedFilePolicy || fr.ID != "f-room" {
		t.Errorf("Refused = %+v", fr)
	}

	// Forged: a groupchat message and a bookmarks notification from
	// mallory's own account, then a marker.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	raw, err := srv.Dial(ctx, "mallory@evil.test", srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	go raw.Serve(nil)
	evil := uniqueRoom(srv, "evil")
	before := alice.s.muc.forged.Load()
	rawSend(t, raw, elem(nsClient, "message", "type", "groupchat", "to", ac.JID, "id", "fg").add(child("body", "forged group "+tag)))
	rawSend(t, raw, elem(nsClient, "message", "type", "headline", "to", ac.JID, "id", "fb").add(
		elem("http://jabber.org/protocol/pubsub#event", "event").add(elem("", "items", "node", nsBookmarks).add(
			elem("", "item", "id", evil).add(elem(nsBookmarks, "conference", "autojoin", "true", "name", "Evil"))))))
	rawSend(t, raw, elem(nsClient, "message", "type", "chat", "to", ac.JID, "id", "marker").add(child("body", "marker "+tag)))
	alice.message("marker " + tag)
	if alice.seen(func(e event.Event) bool {
		m, ok := e.(event.RoomMessage)
		return ok && strings.Contains(m.Body, "forged")
	}) {
		t.Error("a forged groupchat message was shown")
	}
	if alice.seen(func(e event.Event) bool {
		b, ok := e.(event.Bookmarks)
		return ok && len(b.Items) > 0 && strings.Contains(fmt.Sprint(b.Items), evil)
	}) {
		t.Error("a bookmarks notification from another user was applied")
	}
	if n := alice.s.muc.forged.Load() - before; n != 2 {
		t.Errorf("%d forged room stanzas counted, want 2", n)
	}

	// Mallory leaves: alice sees it and the banner changes.
	mallory.s.Do(event.Leave{Room: room})
	anyEvent(mallory, "left", 10*time.Second, func(e event.Event) bool { x, ok := e.(event.RoomLeft); return ok && x.Room == room })
	anyEvent(alice, "mallory left", 10*time.Second, func(e event.Event) bool {
		o, ok := e.(event.OccupantChange)
		return ok && o.Nick == "mallory" && o.Left
	})
	anyEvent(alice, "banner without mallory", 10*time.Second, func(e event.Event) bool {
		b, ok := e.(event.RoomBanner)
		return ok && b.Summary == "1 external participant: carol@partner.test (Partner Corp)"
	})
}

// testJoinRefusals: a nickname already in the room gives a clear error with
// a suggestion.
func testJoinRefusals(t *testing.T, srv *testenv.Server) {
	alice := startSession(t, srv, "alice@acme.test", opts{})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	alice.connected()
	bob.connected()
	room := uniqueRoom(srv, "nicks")
	alice.s.Do(event.CreateRoom{Room: room, Nick: "sam"})
	anyEvent(alice, "created", 20*time.Second, joinedRoom(room))
	bob.s.Do(event.Join{Room: room, Nick: "sam"})
	e := anyEvent(bob, "conflict", 10*time.Second, func(e event.Event) bool { x, ok := e.(event.Error); return ok && x.Command == "join" }).(event.Error)
	if e.Code != event.CodeConflict || !strings.Contains(e.Message, `"sam_2"`) {
		t.Errorf("Error = %+v", e)
	}
	bob.s.Do(event.Join{Room: room, Nick: "sam_2"})
	anyEvent(bob, "joined", 10*time.Second, joinedRoom(room))

	// A members-only room (set through the configuration form) turns
	// away a non-member with a clear error.
	closed := uniqueRoom(srv, "board")
	alice.s.Do(event.CreateRoom{Room: closed, Nick: "alice", Name: "Board", MembersOnly: true, Persistent: true})
	j := anyEvent(alice, "created", 20*time.Second, joinedRoom(closed)).(event.RoomJoined)
	if !j.Created {
		t.Errorf("RoomJoined = %+v", j)
	}
	if alice.seen(func(e event.Event) bool { x, ok := e.(event.Error); return ok && x.Command == "create_room" }) {
		t.Errorf("create_room reported an error: %s", alice.dump())
	}
	bob.s.Do(event.Join{Room: closed, Nick: "bob"})
	e = anyEvent(bob, "members only", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.Error)
		return ok && x.Command == "join" && strings.Contains(x.Message, closed)
	}).(event.Error)
	if !strings.Contains(e.Message, "members only") {
		t.Errorf("Error = %+v", e)
	}
}

// testBookmarks: a bookmark with autojoin is stored in PEP; the next
// sign-in joins the room by itself.
func testBookmarks(t *testing.T, srv *testenv.Server) {
	room := uniqueRoom(srv, "standup")
	alice := startSession(t, srv, "alice@acme.test", opts{})
	alice.connected()
	alice.s.Do(event.SetBookmark{Room: room, Name: "Stand-up", Nick: "alice", Autojoin: true})
	has := func(e event.Event) bool {
		b, ok := e.(event.Bookmarks)
		if !ok {
			return false
		}
		for _, it := range b.Items {
			if it.Room == room && it.Autojoin && it.Nick == "alice" && it.Name == "Stand-up" {
				return true
			}
		}
		return false
	}
	anyEvent(alice, "bookmark stored", 10*time.Second, has)
	alice.quit()

	again := startSession(t, srv, "alice@acme.test", opts{})
	again.connected()
	anyEvent(again, "bookmarks after sign-in", 10*time.Second, has)
	j := anyEvent(again, "autojoined", 20*time.Second, joinedRoom(room)).(event.RoomJoined)
	if j.Nick != "alice" {
		t.Errorf("RoomJoined = %+v", j)
	}
	// Clean up so that other tests' sign-ins do not join this room.
	again.s.Do(event.SetBookmark{Room: room, Remove: true})
	anyEvent(again, "bookmark removed", 10*time.Second, func(e event.Event) bool {
		b, ok := e.(event.Bookmarks)
		return ok && !strings.Contains(fmt.Sprint(b.Items), room)
	})
}

func TestProsodyRooms(t *testing.T)         { testRooms(t, prosody(t)) }
func TestProsodyJoinRefusals(t *testing.T)  { testJoinRefusals(t, prosody(t)) }
func TestProsodyBookmarks(t *testing.T)     { testBookmarks(t, prosody(t)) }
func TestEjabberdRooms(t *testing.T)        { testRooms(t, ej(t)) }
func TestEjabberdJoinRefusals(t *testing.T) { testJoinRefusals(t, ej(t)) }
func TestEjabberdBookmarks(t *testing.T)    { testBookmarks(t, ej(t)) }

// testRoomHistory: a member joining later with a local archive gets the
// room's history from the room's archive (MUC MAM), stored locally and
// reported once even though the room's join history carries it too.
func testRoomHistory(t *testing.T, srv *testenv.Server) {
	alice := startSession(t, srv, "alice@acme.test", opts{})
	alice.connected()
	room := uniqueRoom(srv, "history")
	alice.s.Do(event.CreateRoom{Room: room, Nick: "alice", Persistent: true})
	anyEvent(alice, "created", 20*time.Second, joinedRoom(room))
	tag := fmt.Sprint(time.Now().UnixNano())
	bodies := []string{"one " + tag, "two " + tag, "three " + tag}
	for _, b := range bodies {
		alice.s.Do(event.SendRoomMessage{Room: room, Body: b})
		anyEvent(alice, "echo", 10*time.Second, roomBody(room, b))
	}

	// Without join history, everything comes from the room's archive.
	only := openTestArchive(t)
	bob := startSessionWith(t, srv, "bob@acme.test", opts{}, func(s *Session) { s.cfg.Archive = only; s.muc.noJoinHistory = true })
	bob.connected()
	bob.s.Do(event.Join{Room: room, Nick: "bob"})
	hb := anyEvent(bob, "room archive synced", 20*time.Second, func(e event.Event) bool {
		h, ok := e.(event.HistorySynced)
		return ok && h.Archive == room
	}).(event.HistorySynced)
	if !hb.Complete || hb.Count != len(bodies) {
		t.Errorf("HistorySynced = %+v, want %d messages", hb, len(bodies))
	}
	for _, b := range bodies {
		m := anyEvent(bob, "archived "+b, 10*time.Second, roomBody(room, b)).(event.RoomMessage)
		if !m.Archived || !m.Delayed || m.StanzaID == "" || m.Nick != "alice" {
			t.Errorf("archived message = %+v", m)
		}
	}

	// With join history too: each message is reported and stored once.
	a := openTestArchive(t)
	dave := startSessionWith(t, srv, "dave@acme.test", opts{}, func(s *Session) { s.cfg.Archive = a })
	dave.connected()
	dave.s.Do(event.Join{Room: room, Nick: "dave"})
	anyEvent(dave, "joined", 20*time.Second, joinedRoom(room))
	h := anyEvent(dave, "room archive synced", 20*time.Second, func(e event.Event) bool {
		h, ok := e.(event.HistorySynced)
		return ok && h.Archive == room
	}).(event.HistorySynced)
	if !h.Complete {
		t.Errorf("HistorySynced = %+v", h)
	}
	for _, b := range bodies {
		m := anyEvent(dave, "history "+b, 10*time.Second, roomBody(room, b)).(event.RoomMessage)
		if !m.Delayed || m.Nick != "alice" {
			t.Errorf("history message = %+v", m)
		}
		n := 0
		for _, e := range dave.all() {
			if roomBody(room, b)(e) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q reported %d times, want once", b, n)
		}
	}
	stored, err := a.History(room, time.Time{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, m := range stored {
		for _, b := range bodies {
			if m.Body == b && m.IsRoom && m.Sender == room+"/alice" {
				found++
			}
		}
	}
	if found != len(bodies) {
		t.Errorf("the local archive holds %d of the %d room messages once each: %+v", found, len(bodies), stored)
	}
	t.Logf("%s: room archive synced: %+v", srv.Kind, h)

	// A private message inside the room is found by search, marked as one.
	alice.s.Do(event.PrivateMessage{Room: room, Nick: "dave", Body: "private " + tag})
	anyEvent(dave, "private message", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.RoomPrivateMessage)
		return ok && x.Body == "private "+tag
	})
	dave.s.Do(event.Search{Query: "private " + tag})
	res := anyEvent(dave, "search results", 10*time.Second, isA[event.SearchResults]).(event.SearchResults)
	if len(res.Results) != 1 || !res.Results[0].IsPrivate || res.Results[0].IsRoom || res.Results[0].Conversation != room || res.Results[0].From != room+"/alice" {
		t.Errorf("search for the private message = %+v", res.Results)
	}
}

func TestProsodyRoomHistory(t *testing.T)  { testRoomHistory(t, prosody(t)) }
func TestEjabberdRoomHistory(t *testing.T) { testRoomHistory(t, ej(t)) }

// testRoomRejoin: after a reconnection that could not resume the stream,
// the session joins its rooms again by itself.
func testRoomRejoin(t *testing.T, srv *testenv.Server) {
	g := newGate(t, srv.Addr)
	alice := startSession(t, srv, "alice@acme.test", opts{addr: g.Addr()})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	ac := alice.connected()
	bob.connected()
	room := uniqueRoom(srv, "rejoin")
	bob.s.Do(event.CreateRoom{Room: room, Nick: "bob"})
	anyEvent(bob, "created", 20*time.Second, joinedRoom(room))
	alice.s.Do(event.Join{Room: room, Nick: "alice"})
	alice.waitFor("joined", 20*time.Second, joinedRoom(room))

	alice.s.mu.Lock()
	alice.s.sm.id = "no-such-stream" // the server will not know it
	alice.s.mu.Unlock()
	g.setOpen(false)
	alice.waitFor("disconnect", 10*time.Second, isA[event.Disconnected])
	g.setOpen(true)
	alice.s.Do(event.Reconnect{})
	c := alice.waitFor("reconnect", 20*time.Second, isA[event.Connected]).(event.Connected)
	if c.Resumed || c.JID == ac.JID {
		t.Fatalf("Connected = %+v, want a new session", c)
	}
	alice.waitFor("joined again", 20*time.Second, joinedRoom(room))
	tag := fmt.Sprint(time.Now().UnixNano())
	bob.s.Do(event.SendRoomMessage{Room: room, Body: "after " + tag})
	alice.waitFor("message after rejoin", 10*time.Second, roomBody(room, "after "+tag))
}

func TestProsodyRoomRejoin(t *testing.T)  { testRoomRejoin(t, prosody(t)) }
func TestEjabberdRoomRejoin(t *testing.T) { testRoomRejoin(t, ej(t)) }

// testRoomInfoPresenceDecline: a plain join learns the room's name from
// its disco#info; presence chosen before joining and changed while in
// rooms reaches the other occupants; a declined invitation comes back to
// the inviter through the room, and a decline from anywhere but a joined
// room is ignored.
func testRoomInfoPresenceDecline(t *testing.T, srv *testenv.Server) {
	alice := startSessionWith(t, srv, "alice@acme.test", opts{}, withRules)
	bob := startSession(t, srv, "bob@acme.test", opts{})
	carol := startSession(t, srv, "carol@partner.test", opts{})
	ac := alice.connected()
	bob.connected()
	carol.connected()
	room := uniqueRoom(srv, "review")
	alice.s.Do(event.CreateRoom{Room: room, Nick: "alice", Name: "Quarterly review", Persistent: true})
	anyEvent(alice, "room created", 20*time.Second, joinedRoom(room))

	// Bob is away before he joins: the room and alice see it at once.
	bob.s.Do(event.SetPresence{Show: event.ShowAway, Status: "at lunch"})
	bob.waitFor("own presence", 10*time.Second, func(e event.Event) bool { p, ok := e.(event.OwnPresence); return ok && p.Show == event.ShowAway })
	bob.s.Do(event.Join{Room: room, Nick: "bob"})
	j := anyEvent(bob, "bob joined", 20*time.Second, joinedRoom(room)).(event.RoomJoined)
	if j.Name != "" && j.Name != "Quarterly review" {
		t.Errorf("RoomJoined.Name = %q", j.Name)
	}
	ri := anyEvent(bob, "room info", 10*time.Second, func(e event.Event) bool { x, ok := e.(event.RoomInfo); return ok && x.Room == room }).(event.RoomInfo)
	if ri.Name != "Quarterly review" {
		t.Errorf("%s: RoomInfo = %+v, want the name Quarterly review", srv.Kind, ri)
	}
	o := anyEvent(alice, "bob in the room", 10*time.Second, occupantNamed(room, "bob")).(event.OccupantChange)
	if o.Show != event.ShowAway || o.Status != "at lunch" {
		t.Errorf("bob entered as %+v, want away 'at lunch'", o)
	}

	// Alice changes her presence: bob's occupant list shows it.
	alice.s.Do(event.SetPresence{Show: event.ShowDND, Status: "in a meeting"})
	anyEvent(bob, "alice busy", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.OccupantChange)
		return ok && x.Room == room && x.Nick == "alice" && !x.Left && x.Show == event.ShowDND && x.Status == "in a meeting"
	})
	// ... and her own entry changes too, and back to available.
	anyEvent(alice, "own occupant busy", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.OccupantChange)
		return ok && x.Room == room && x.Nick == "alice" && x.Show == event.ShowDND
	})
	alice.s.Do(event.SetPresence{Show: event.ShowAvailable})
	anyEvent(bob, "alice available", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.OccupantChange)
		return ok && x.Room == room && x.Nick == "alice" && !x.Left && x.Show == "" && x.Status == ""
	})

	// Carol declines alice's invitation: alice hears it from the room.
	alice.s.Do(event.Invite{Room: room, JID: "carol@partner.test", Reason: "review"})
	inv := anyEvent(carol, "invitation", 10*time.Second, isA[event.RoomInvite]).(event.RoomInvite)
	carol.s.Do(event.DeclineInvite{Room: inv.Room, JID: inv.From, Reason: "on holiday"})
	d := anyEvent(alice, "decline", 10*time.Second, isA[event.RoomDeclined]).(event.RoomDeclined)
	if d.Room != room || d.Reason != "on holiday" || (d.From != "carol@partner.test" && !strings.HasPrefix(d.From, room)) {
		t.Errorf("RoomDeclined = %+v", d)
	}
	if d.From == "carol@partner.test" && d.Trust.Class != event.ClassPartner {
		t.Errorf("RoomDeclined trust = %+v, want partner", d.Trust)
	}
	t.Logf("%s decline: %+v", srv.Kind, d)

	// A decline straight from another account (not a room) is ignored.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	raw, err := srv.Dial(ctx, "mallory@evil.test", srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	go raw.Serve(nil)
	tag := fmt.Sprint(time.Now().UnixNano())
	rawSend(t, raw, elem(nsClient, "message", "to", ac.JID, "id", "fd").add(elem(nsMUCUser, "x").add(
		elem("", "decline", "from", "boss@acme.test").add(child("reason", "forged "+tag)))))
	rawSend(t, raw, elem(nsClient, "message", "type", "chat", "to", ac.JID, "id", "marker").add(child("body", "marker "+tag)))
	alice.message("marker " + tag)
	if alice.seen(func(e event.Event) bool {
		x, ok := e.(event.RoomDeclined)
		return ok && strings.Contains(x.Reason, "forged")
	}) {
		t.Error("a decline from outside any room was reported")
	}
}

func TestProsodyRoomInfoPresenceDecline(t *testing.T)  { testRoomInfoPresenceDecline(t, prosody(t)) }
func TestEjabberdRoomInfoPresenceDecline(t *testing.T) { testRoomInfoPresenceDecline(t, ej(t)) }
