package session

import (
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/testenv"
)

// testRoomSignatures: a room message from a certified device is judged
// valid by an occupant who sees the sender's real JID; one whose signature
// was made over another body is invalid; an unsigned one from the same
// verified sender is missing.
func testRoomSignatures(t *testing.T, srv *testenv.Server) {
	pair := newSignedPair(t, srv)
	bob, dev, raw, alice, bobS := pair.bob, pair.dev, pair.raw, pair.alice, pair.bobS

	room := uniqueRoom(srv, "signed")
	alice.s.Do(event.CreateRoom{Room: room, Nick: "alice"})
	anyEvent(alice, "room created", 20*time.Second, joinedRoom(room))
	bobS.s.Do(event.Join{Room: room, Nick: "bob"})
	anyEvent(bobS, "joined", 20*time.Second, joinedRoom(room))
	anyEvent(alice, "bob in the room", 10*time.Second, occupantNamed(room, "bob"))
	// Alice (the owner) sees bob's real JID; his devices are fetched for it.
	alice.waitFor("bob's certificates", 10*time.Second, certificatesOf(bob, event.IdentityVerified))

	bobS.s.Do(event.SendRoomMessage{Room: room, Body: "signed in the room"})
	m := anyEvent(alice, "room message", 10*time.Second, roomBody(room, "signed in the room")).(event.RoomMessage)
	if m.FromJID != bob || m.Signature != event.SignatureValid || m.Device != dev.id {
		t.Fatalf("a room message from bob's certified device: from %q signature %q device %q, want %s valid %s", m.FromJID, m.Signature, m.Device, bob, dev.id)
	}

	// The raw session joins as another nick of bob and sends a message whose
	// signature covers another body, then one with none.
	if err := writeElement(raw, elem(nsClient, "presence", "to", room+"/bob-raw").add(elem(nsMUC, "x"))); err != nil {
		t.Fatal(err)
	}
	anyEvent(alice, "bob's raw nick", 10*time.Second, occupantNamed(room, "bob-raw"))
	forged := rawSigned(bob, room, "room-forged", "pay the invoice today", dev.key,
		identity.Signed{From: bob, To: room, ID: "room-forged", Body: "lunch at noon", Time: time.Now()})
	forged.attrs[0].Value = "groupchat"
	if err := writeElement(raw, forged); err != nil {
		t.Fatal(err)
	}
	f := anyEvent(alice, "forged room message", 10*time.Second, roomBody(room, "pay the invoice today")).(event.RoomMessage)
	if f.Signature != event.SignatureInvalid {
		t.Errorf("a room message signed over another body: signature %q, want invalid", f.Signature)
	}
	unsigned := rawSigned(bob, room, "room-unsigned", "no signature here", nil, identity.Signed{})
	unsigned.attrs[0].Value = "groupchat"
	if err := writeElement(raw, unsigned); err != nil {
		t.Fatal(err)
	}
	u := anyEvent(alice, "unsigned room message", 10*time.Second, roomBody(room, "no signature here")).(event.RoomMessage)
	if u.Signature != event.SignatureMissing {
		t.Errorf("an unsigned room message from a verified sender: signature %q, want missing", u.Signature)
	}
}

func TestProsodyRoomSignatures(t *testing.T)  { testRoomSignatures(t, prosody(t)) }
func TestEjabberdRoomSignatures(t *testing.T) { testRoomSignatures(t, ej(t)) }
