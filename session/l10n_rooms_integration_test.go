package session

import (
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// Over the real Prosody, a French user's refused joins and the room's
// banner read in French.
func TestProsodyRoomsFrench(t *testing.T) {
	srv := prosody(t)
	alice := startSession(t, srv, "alice@acme.test", opts{})
	bob := startSessionWith(t, srv, "bob@acme.test", opts{}, func(s *Session) { s.lang = l10n.French })
	alice.connected()
	bob.connected()

	room := uniqueRoom(srv, "salon")
	alice.s.Do(event.CreateRoom{Room: room, Nick: "sam"})
	anyEvent(alice, "created", 20*time.Second, joinedRoom(room))
	bob.s.Do(event.Join{Room: room, Nick: "sam"})
	e := anyEvent(bob, "conflict", 10*time.Second, func(e event.Event) bool { x, ok := e.(event.Error); return ok && x.Command == "join" }).(event.Error)
	want := "Le pseudonyme \"sam\" est déjà pris dans le salon " + room + "\u00a0: rejoignez-le avec un autre, par exemple \"sam_2\"."
	if e.Code != event.CodeConflict || e.Message != want {
		t.Errorf("conflict: %+v, want %q", e, want)
	}

	// The banner names the outsiders in French (the room shows real
	// addresses to its moderators only: bob sees nicknames).
	bob.s.Do(event.Join{Room: room, Nick: "bob"})
	anyEvent(bob, "joined", 10*time.Second, joinedRoom(room))
	mallory := startSession(t, srv, "mallory@evil.test", opts{})
	mallory.connected()
	mallory.s.Do(event.Join{Room: room, Nick: "mallory"})
	anyEvent(mallory, "mallory joined", 10*time.Second, joinedRoom(room))
	b := anyEvent(bob, "banner", 10*time.Second, func(e event.Event) bool {
		b, ok := e.(event.RoomBanner)
		return ok && b.Room == room && strings.Contains(b.Summary, "mallory")
	}).(event.RoomBanner)
	if want := "2 participants extérieurs\u00a0: mallory (adresse réelle masquée), sam (adresse réelle masquée)"; !b.External || b.Summary != want {
		t.Errorf("banner %+v, want %q", b, want)
	}
	o := anyEvent(bob, "mallory", 10*time.Second, occupantNamed(room, "mallory")).(event.OccupantChange)
	if want := "Le salon masque l\u2019adresse réelle de ce participant\u00a0: son organisation est donc inconnue."; o.Trust.Reason != want {
		t.Errorf("hidden occupant's reason %q, want %q", o.Trust.Reason, want)
	}
	// English stays as it was for alice, the room's owner, who sees
	// mallory's address.
	anyEvent(alice, "English banner", 10*time.Second, func(e event.Event) bool {
		b, ok := e.(event.RoomBanner)
		return ok && b.Room == room && b.Summary == "1 external participant: mallory@evil.test (unknown)"
	})

	// A members-only room turns a French non-member away in French.
	closed := uniqueRoom(srv, "conseil")
	alice.s.Do(event.CreateRoom{Room: closed, Nick: "alice", Name: "Conseil", MembersOnly: true, Persistent: true})
	anyEvent(alice, "created", 20*time.Second, joinedRoom(closed))
	bob.s.Do(event.Join{Room: closed, Nick: "bob"})
	e = anyEvent(bob, "members only", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.Error)
		return ok && x.Command == "join" && strings.Contains(x.Message, closed)
	}).(event.Error)
	want = "Le salon " + closed + " est réservé à ses membres\u00a0: demandez à l\u2019un de ses propriétaires de vous inviter."
	if e.Message != want {
		t.Errorf("members only: %q, want %q", e.Message, want)
	}
}
