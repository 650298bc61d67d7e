package session

import (
	"fmt"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// testRoomsAcrossOffline: choosing "offline" (unavailable presence on a
// live stream) takes the user out of the rooms, as the server tells every
// room she is gone; coming back joins them again, and the room's messages
// reach her once more.
func testRoomsAcrossOffline(t *testing.T, srv *testenv.Server) {
	g := newGate(t, srv.Addr)
	alice := startSession(t, srv, "alice@acme.test", opts{addr: g.Addr()})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	alice.connected()
	bob.connected()
	room := uniqueRoom(srv, "offline")
	bob.s.Do(event.CreateRoom{Room: room, Nick: "bob"})
	anyEvent(bob, "created", 20*time.Second, joinedRoom(room))
	room2 := uniqueRoom(srv, "bookmarked")
	bob.s.Do(event.CreateRoom{Room: room2, Nick: "bob"})
	anyEvent(bob, "second room created", 20*time.Second, joinedRoom(room2))
	alice.s.Do(event.Join{Room: room, Nick: "alice"})
	alice.waitFor("joined", 20*time.Second, joinedRoom(room))
	anyEvent(bob, "alice in the room", 10*time.Second, occupantNamed(room, "alice"))

	alice.s.Do(event.SetPresence{Show: event.ShowUnavailable})
	anyEvent(bob, "alice left the room", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.OccupantChange)
		return ok && x.Room == room && x.Nick == "alice" && x.Left
	})
	left := alice.waitFor("room left while offline", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.RoomLeft)
		return ok && x.Room == room
	}).(event.RoomLeft)
	if left.Reason != "You appear offline; Palisade joins the room again when you are back." {
		t.Errorf("RoomLeft reason %q", left.Reason)
	}
	// While offline, nothing is sent to the room in her name.
	alice.s.Do(event.SendRoomMessage{Room: room, Body: "while offline"})
	alice.waitFor("refusal while offline", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.Error)
		return ok && x.Command == (event.SendRoomMessage{}).CommandName()
	})

	// A bookmark with autojoin set while she appears offline waits too.
	alice.s.Do(event.SetBookmark{Room: room2, Nick: "alice", Autojoin: true})
	alice.waitFor("bookmark", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.Bookmarks)
		if !ok {
			return false
		}
		for _, b := range x.Items {
			if b.Room == room2 {
				return true
			}
		}
		return false
	})

	// A new stream while she still appears offline does not join the
	// room in her name either.
	alice.s.mu.Lock()
	alice.s.sm.id = "no-such-stream" // the server will not know it
	alice.s.mu.Unlock()
	g.setOpen(false)
	alice.waitFor("disconnect", 10*time.Second, isA[event.Disconnected])
	g.setOpen(true)
	n := len(alice.all())
	alice.s.Do(event.Reconnect{})
	if c := alice.await("reconnect", n, 20*time.Second, isA[event.Connected]).(event.Connected); c.Resumed {
		t.Fatalf("Connected = %+v, want a new session", c)
	}
	// The bookmarks (with autojoin) come with the new stream; one more
	// round trip to the server after them, and any join in her name would
	// have been answered.
	alice.await("bookmarks on the new stream", n, 20*time.Second, isA[event.Bookmarks])
	m := len(alice.all())
	alice.s.Do(event.GetBookmarks{})
	alice.await("bookmarks again", m, 10*time.Second, isA[event.Bookmarks])
	time.Sleep(300 * time.Millisecond) // the rooms are on the same loopback server
	afterLeft := false
	for _, e := range alice.all() {
		switch x := e.(type) {
		case event.RoomLeft:
			afterLeft = afterLeft || x.Room == room
		case event.RoomJoined:
			if afterLeft && x.Room == room {
				t.Error("the room was joined again on a new stream while she appears offline")
			}
			if x.Room == room2 {
				t.Error("the bookmarked room was joined while she appears offline")
			}
		}
	}

	back := len(alice.all())
	alice.s.Do(event.SetPresence{Show: event.ShowAvailable})
	// Both rooms are joined again, in either order.
	alice.await("joined again", back, 20*time.Second, joinedRoom(room))
	alice.await("bookmarked room joined once she is back", back, 20*time.Second, joinedRoom(room2))
	anyEvent(bob, "alice back in the room", 10*time.Second, func(e event.Event) bool {
		x, ok := e.(event.OccupantChange)
		return ok && x.Room == room && x.Nick == "alice" && !x.Left
	})
	tag := fmt.Sprint(time.Now().UnixNano())
	bob.s.Do(event.SendRoomMessage{Room: room, Body: "back " + tag})
	alice.waitFor("room message after coming back", 10*time.Second, roomBody(room, "back "+tag))
}

func TestProsodyRoomsAcrossOffline(t *testing.T)  { testRoomsAcrossOffline(t, prosody(t)) }
func TestEjabberdRoomsAcrossOffline(t *testing.T) { testRoomsAcrossOffline(t, ej(t)) }
