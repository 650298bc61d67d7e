package event

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestTorAndFocusCommands(t *testing.T) {
	for _, tt := range []struct {
		line string
		want Command
	}{
		{`{"cmd":"tor"}`, GetTor{}},
		{`{"cmd":"set_tor","enabled":true}`, SetTor{Enabled: true}},
		{`{"cmd":"focus"}`, GetFocus{}},
		{`{"cmd":"set_focus","rules":[{"days":["mon","fri"],"start":"09:00","end":"12:00","allow":["bob@acme.test"],"groups":["Team"],"internal":true}]}`,
			SetFocus{Rules: []FocusRule{{Days: []string{"mon", "fri"}, Start: "09:00", End: "12:00", Allow: []string{"bob@acme.test"}, Groups: []string{"Team"}, Internal: true}}}},
		{`{"cmd":"set_focus","rules":[]}`, SetFocus{Rules: []FocusRule{}}},
		{`{"cmd":"focus_now","minutes":30,"allow":["bob@acme.test"]}`, FocusNow{Minutes: 30, Allow: []string{"bob@acme.test"}}},
	} {
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

func TestTorAndFocusEvents(t *testing.T) {
	until := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		ev   Event
		want []string
	}{
		{Connecting{Attempt: 1, Server: "x.onion:5222", Route: RouteTor}, []string{`"event":"connecting"`, `"route":"tor"`}},
		{Connected{JID: "a@b/c", Route: RouteDirect}, []string{`"route":"direct"`}},
		{TorState{State: TorFailed, Reason: "no tor", Policy: "required", Enabled: true, Locked: true}, []string{`"event":"tor_state"`, `"state":"failed"`, `"reason":"no tor"`, `"locked":true`}},
		{Focus{Active: true, Until: until, Held: 2}, []string{`"event":"focus"`, `"active":true`, `"until":"2026-11-27T16:00:00Z"`, `"held":2`}},
		{Focus{}, []string{`"active":false`, `"held":0`}},
		{Message{ID: "m", Held: true}, []string{`"held":true`}},
	} {
		b, err := Marshal(tt.ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("Marshal(%T) = %s, want %s", tt.ev, b, w)
			}
		}
	}
	if b, _ := Marshal(Focus{}); strings.Contains(string(b), "until") {
		t.Errorf("Focus without an end carries until: %s", b)
	}
}
