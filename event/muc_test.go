package event

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseRoomCommands(t *testing.T) {
	tests := []struct {
		line string
		want Command
	}{
		{`{"cmd":"join","room":"r@conference.acme.test","nick":"alice"}`, Join{Room: "r@conference.acme.test", Nick: "alice"}},
		{`{"cmd":"join","room":"r@c","nick":"a","password":"pw"}`, Join{Room: "r@c", Nick: "a", Password: "pw"}},
		{`{"cmd":"leave","room":"r@c"}`, Leave{Room: "r@c"}},
		{`{"cmd":"create_room","room":"r@c","nick":"a","name":"R","members_only":true,"persistent":true}`, CreateRoom{Room: "r@c", Nick: "a", Name: "R", MembersOnly: true, Persistent: true}},
		{`{"cmd":"room_message","room":"r@c","body":"hi","id":"m1"}`, SendRoomMessage{Room: "r@c", Body: "hi", ID: "m1"}},
		{`{"cmd":"room_topic","room":"r@c","topic":"T"}`, SetRoomTopic{Room: "r@c", Topic: "T"}},
		{`{"cmd":"invite","room":"r@c","jid":"m@evil.test","reason":"x","confirmed":true}`, Invite{Room: "r@c", JID: "m@evil.test", Reason: "x", Confirmed: true}},
		{`{"cmd":"private_message","room":"r@c","nick":"bob","body":"psst"}`, PrivateMessage{Room: "r@c", Nick: "bob", Body: "psst"}},
		{`{"cmd":"bookmark","room":"r@c","nick":"a","autojoin":true}`, SetBookmark{Room: "r@c", Nick: "a", Autojoin: true}},
		{`{"cmd":"bookmarks"}`, GetBookmarks{}},
		{`{"cmd":"decline_invite","room":"r@c","jid":"alice@acme.test","reason":"busy"}`, DeclineInvite{Room: "r@c", JID: "alice@acme.test", Reason: "busy"}},
	}
	for _, tt := range tests {
		got, err := ParseCommand([]byte(tt.line))
		if err != nil {
			t.Errorf("ParseCommand(%s): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCommand(%s) = %#v, want %#v", tt.line, got, tt.want)
		}
	}
}

func TestMarshalRoomEvents(t *testing.T) {
	tests := []struct {
		ev   Event
		want string
	}{
		{RoomLeft{Room: "r@c", Reason: "kicked"}, `{"event":"room_left","room":"r@c","reason":"kicked"}`},
		{OccupantChange{Room: "r@c", Nick: "bob", Role: "participant", Affiliation: "none", Left: true}, `{"event":"occupant","room":"r@c","nick":"bob","jid":"","role":"participant","affiliation":"none","trust":{"class":"","org":"","lookalike_of":"","domain":"","file_send":false},"left":true}`},
		{Bookmarks{Items: []Bookmark{{Room: "r@c", Autojoin: true}}}, `{"event":"bookmarks","items":[{"room":"r@c","autojoin":true}]}`},
		{RoomBanner{Room: "r@c", External: true, Summary: "1 external participant"}, `{"event":"room_banner","room":"r@c","external":true,"lookalike":false,"summary":"1 external participant"}`},
		{RoomInfo{Room: "r@c", Name: "Launch"}, `{"event":"room_info","room":"r@c","name":"Launch"}`},
		{RoomDeclined{Room: "r@c", From: "carol@partner.test", Reason: "busy", Trust: Trust{Class: "partner"}}, `{"event":"room_declined","room":"r@c","from":"carol@partner.test","reason":"busy","trust":{"class":"partner","org":"","lookalike_of":"","domain":"","file_send":false}}`},
		{OccupantChange{Room: "r@c", Nick: "bob", Role: "participant", Affiliation: "member", Show: "away", Status: "lunch"}, `{"event":"occupant","room":"r@c","nick":"bob","jid":"","role":"participant","affiliation":"member","trust":{"class":"","org":"","lookalike_of":"","domain":"","file_send":false},"show":"away","status":"lunch"}`},
	}
	for _, tt := range tests {
		b, err := Marshal(tt.ev)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("Marshal(%T) = %s, want %s", tt.ev, b, tt.want)
		}
	}
	for _, n := range []string{"join", "leave", "create_room", "room_message", "room_topic", "invite", "private_message", "bookmark", "bookmarks", "decline_invite"} {
		if !strings.Contains(strings.Join(CommandNames(), ","), n) {
			t.Errorf("command %q not registered", n)
		}
	}
}
