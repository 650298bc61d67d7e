package session

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/policy"
)

func TestRoomBanner(t *testing.T) {
	internal := event.Trust{Class: event.ClassInternal, Org: "Acme"}
	partner := event.Trust{Class: event.ClassPartner, Org: "Partner Ltd"}
	unknown := event.Trust{Class: event.ClassUnknown}
	look := event.Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test"}
	gw := event.Trust{Class: event.ClassGateway, Network: "WhatsApp"}
	occ := func(nick, jid string, tr event.Trust, self bool) *event.Occupant {
		return &event.Occupant{Nick: nick, JID: jid, Trust: tr, Self: self}
	}
	tests := []struct {
		name      string
		occ       []*event.Occupant
		external  bool
		lookalike bool
		summary   string
	}{
		{"only colleagues", []*event.Occupant{occ("alice", "alice@acme.test", internal, true), occ("bob", "bob@acme.test", internal, false)}, false, false, ""},
		{"self never counts", []*event.Occupant{occ("me", "me@partner.test", partner, true)}, false, false, ""},
		{"partner and unknown", []*event.Occupant{occ("carol", "carol@partner.test", partner, false), occ("eve", "eve@evil.test", unknown, false), occ("bob", "bob@acme.test", internal, false)},
			true, false, "2 external participants: carol@partner.test (Partner Ltd), eve@evil.test (unknown)"},
		{"hidden address", []*event.Occupant{occ("ghost", "", event.Trust{Class: event.ClassUnknown}, false)}, true, false, "1 external participant: ghost (real address hidden)"},
		{"lookalike", []*event.Occupant{occ("boss", "boss@acrne.test", look, false)}, true, true, "Warning, a lookalike address is in this room. 1 external participant: boss@acrne.test (lookalike of acme.test)"},
		{"gateway", []*event.Occupant{occ("wa", "123@wa.acme.test", gw, false)}, true, false, "1 external participant: 123@wa.acme.test (WhatsApp gateway)"},
	}
	for _, tt := range tests {
		r := &room{jid: "r@conference.acme.test", occ: map[string]*event.Occupant{}}
		for _, o := range tt.occ {
			r.occ[o.Nick] = o
		}
		b := bannerOf(r)
		if b.External != tt.external || b.Lookalike != tt.lookalike || b.Summary != tt.summary || b.Room != r.jid {
			t.Errorf("%s: banner = %+v, want external=%v lookalike=%v %q", tt.name, b, tt.external, tt.lookalike, tt.summary)
		}
	}
}

func TestBannerChange(t *testing.T) {
	r := &room{jid: "r@c", occ: map[string]*event.Occupant{}}
	if _, ok := bannerChange(r, true); !ok {
		t.Error("forced banner not emitted")
	}
	if _, ok := bannerChange(r, false); ok {
		t.Error("unchanged banner emitted again")
	}
	r.occ["eve"] = &event.Occupant{Nick: "eve", JID: "eve@evil.test", Trust: event.Trust{Class: event.ClassUnknown}}
	if b, ok := bannerChange(r, false); !ok || !b.External {
		t.Errorf("new external occupant: %+v %v", b, ok)
	}
	delete(r.occ, "eve")
	if b, ok := bannerChange(r, false); !ok || b.External || b.Summary != "" {
		t.Errorf("external occupant gone: %+v %v", b, ok)
	}
}

func TestInviteDecision(t *testing.T) {
	e, err := policy.New(testRules())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who       string
		confirmed bool
		allowed   bool
		code      string
	}{
		{"bob@acme.test", false, true, ""},
		{"carol@partner.test", false, true, ""},
		{"mallory@evil.test", false, false, event.RefusedConfirm},
		{"mallory@evil.test", true, true, ""},
		{"x@wa.acme.test", false, false, event.RefusedConfirm},
		{"boss@acrne.test", false, false, event.RefusedConfirm},
		{"x@blocked.test", true, false, event.RefusedBlocked},
	}
	for _, tt := range tests {
		d := inviteDecision(e, tt.who, tt.confirmed)
		if d.Allowed != tt.allowed || (!d.Allowed && d.Code != tt.code) {
			t.Errorf("inviteDecision(%s, %v) = %+v", tt.who, tt.confirmed, d)
		}
		if !d.Allowed && !strings.Contains(d.Reason, tt.who[strings.IndexByte(tt.who, '@')+1:]) {
			t.Errorf("inviteDecision(%s): reason %q does not name the domain", tt.who, d.Reason)
		}
	}
	if d := inviteDecision(nil, "mallory@evil.test", false); !d.Allowed {
		t.Errorf("no engine: %+v", d)
	}
}

func TestLeaveReason(t *testing.T) {
	status := func(codes ...string) *mucUser {
		u := &mucUser{}
		for _, c := range codes {
			u.Status = append(u.Status, struct {
				Code string `xml:"code,attr"`
			}{c})
		}
		return u
	}
	tests := []struct {
		u     *mucUser
		it    mucItem
		asked bool
		want  string
	}{
		{status("110"), mucItem{}, true, ""},
		{status("110", "307"), mucItem{Reason: "spam"}, false, "You were removed from the room by a moderator (spam)."},
		{status("110", "301"), mucItem{}, false, "You were banned from the room."},
		{status("110", "321"), mucItem{}, false, "You are no longer a member of this members-only room."},
		{status("110", "332"), mucItem{}, false, "The chat service is shutting down."},
		{&mucUser{Destroy: &struct {
			Reason string `xml:"reason"`
		}{"moved"}}, mucItem{}, false, "The room was closed by its owner (moved)."},
	}
	for _, tt := range tests {
		if got := leaveReason(tt.u, tt.it, tt.asked); got != tt.want {
			t.Errorf("leaveReason = %q, want %q", got, tt.want)
		}
	}
}

func TestJoinErrorNamesAlternative(t *testing.T) {
	r := &room{jid: "r@conference.acme.test", nick: "sam"}
	conflict := &stanzaError{Type: "cancel"}
	conflict.Conditions = append(conflict.Conditions, struct{ XMLName xml.Name }{xml.Name{Space: nsStanzaErr, Local: "conflict"}})
	if msg := joinError(r, conflict); !strings.Contains(msg, `"sam_2"`) || joinErrorCode(conflict) != event.CodeConflict {
		t.Errorf("joinError = %q", msg)
	}
}
