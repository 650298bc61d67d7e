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

// A carbon of a private message inside a room (sent or received by another
// client of the account) is a room private message, never a direct chat;
// a "carbon" from anyone else is left to the forged-carbon check.
func TestRoomPrivateCarbons(t *testing.T) {
	s := offlineSession(t, "", nil)
	c := &conn{s: s, bare: "alice@acme.test"}
	const rj = "launch@conference.acme.test"
	s.muc.rooms = map[string]*room{rj: {jid: rj, nick: "alice", joined: true, shown: true,
		occ: map[string]*event.Occupant{"carol": {Nick: "carol", JID: "carol@partner.test", Trust: event.Trust{Class: event.ClassPartner}}}}}
	tests := []struct {
		name   string
		xml    string
		want   bool // handled here
		out    bool
		nick   string
		fromJ  string
		stored bool
	}{
		{"sent carbon", `<message xmlns='jabber:client' from='alice@acme.test' to='alice@acme.test/pc' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='alice@acme.test/phone' to='launch@conference.acme.test/carol' type='chat' id='p1'><body>psst out</body><x xmlns='http://jabber.org/protocol/muc#user'/></message></forwarded></sent></message>`,
			true, true, "carol", "carol@partner.test", true},
		{"received carbon", `<message xmlns='jabber:client' from='alice@acme.test' to='alice@acme.test/pc' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='launch@conference.acme.test/carol' to='alice@acme.test/phone' type='chat' id='p2'><body>psst in</body><x xmlns='http://jabber.org/protocol/muc#user'/></message></forwarded></received></message>`,
			true, false, "carol", "carol@partner.test", true},
		{"unknown room with muc#user", `<message xmlns='jabber:client' from='alice@acme.test' to='alice@acme.test/pc' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='other@conference.acme.test/dan' to='alice@acme.test/phone' type='chat' id='p3'><body>hi</body><x xmlns='http://jabber.org/protocol/muc#user'/></message></forwarded></received></message>`,
			true, false, "dan", "", true},
		{"ordinary carbon", `<message xmlns='jabber:client' from='alice@acme.test' to='alice@acme.test/pc' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='bob@acme.test/pc' to='alice@acme.test/phone' type='chat' id='p4'><body>hi</body></message></forwarded></received></message>`,
			false, false, "", "", false},
		{"forged carbon", `<message xmlns='jabber:client' from='mallory@evil.test/x' to='alice@acme.test/pc' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='launch@conference.acme.test/carol' to='alice@acme.test/phone' type='chat' id='p5'><body>forged</body></message></forwarded></received></message>`,
			false, false, "", "", false},
	}
	for _, tt := range tests {
		var st inStanza
		if err := xml.Unmarshal([]byte(tt.xml), &st); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := s.onMUCMessage(c, &st)
		evs := only[event.RoomPrivateMessage](queued(s))
		if got != tt.want {
			t.Errorf("%s: handled = %v, want %v", tt.name, got, tt.want)
		}
		if !tt.stored {
			if len(evs) != 0 {
				t.Errorf("%s: events %+v", tt.name, evs)
			}
			continue
		}
		if len(evs) != 1 || evs[0].Outgoing != tt.out || evs[0].Nick != tt.nick || evs[0].FromJID != tt.fromJ {
			t.Errorf("%s: events %+v", tt.name, evs)
		}
	}
}

func TestRoomInfoOf(t *testing.T) {
	const room = "launch@conference.acme.test"
	form := `<x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#roominfo</value></field>%s</x>`
	field := func(v, val string) string { return `<field var="` + v + `"><value>` + val + `</value></field>` }
	tests := []struct {
		name, xml  string
		wName, wDe string
	}{
		{"form name and description", `<identity category="conference" type="text" name="Other"/>` +
			strings.Replace(form, "%s", field("muc#roomconfig_roomname", " Launch plans ")+field("muc#roominfo_description", "Friday"), 1), "Launch plans", "Friday"},
		{"identity name when the form has none", `<identity category="conference" type="text" name="Launch day"/>` + strings.Replace(form, "%s", "", 1), "Launch day", ""},
		{"another form type is not read", strings.Replace(strings.Replace(form, "muc#roominfo", "other", 1), "%s", field("muc#roomconfig_roomname", "X"), 1), "", ""},
		{"a name that is the address's local part says nothing", `<identity category="conference" type="text" name="launch"/>`, "", ""},
		{"no identity name", `<identity category="conference" type="text"/>`, "", ""},
		{"a non-conference identity is not the room's name", `<identity category="client" type="pc" name="Evil"/>`, "", ""},
	}
	for _, tt := range tests {
		var d discoInfo
		if err := xml.Unmarshal([]byte(`<query xmlns="http://jabber.org/protocol/disco#info">`+tt.xml+`</query>`), &d); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := roomInfoOf(room, &d)
		if got.Room != room || got.Name != tt.wName || got.Description != tt.wDe {
			t.Errorf("%s: roomInfoOf = %+v, want name %q description %q", tt.name, got, tt.wName, tt.wDe)
		}
	}
}

func TestPresenceShow(t *testing.T) {
	for in, want := range map[string]string{"": "", "away": "away", " dnd ": "dnd", "xa": "xa", "chat": "chat", "busy": "", "unavailable": ""} {
		if got := presenceShow(in); got != want {
			t.Errorf("presenceShow(%q) = %q, want %q", in, got, want)
		}
	}
}
