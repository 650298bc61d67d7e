package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/ui/uidemo"
)

const teamRoom = "team@conference.acme.test"

var tHidden = event.Trust{Class: event.ClassUnknown, Reason: "The room hides this occupant's address."}

// inRoom signs in (with ACME's profile) and joins the team room with an
// internal, a partner and a hidden occupant, then opens it.
func inRoom(t *testing.T) *harness {
	h := trustedIn(t)
	h.emit(event.RoomJoined{Room: teamRoom, Nick: "alice", Name: "Team", Topic: "Release 4.2", Occupants: []event.Occupant{
		{Nick: "alice", JID: "alice@acme.test", Role: event.RoleModerator, Affiliation: event.AffiliationOwner, Trust: tInternal, Self: true},
		{Nick: "bob", JID: "bob@acme.test", Role: event.RoleParticipant, Trust: tInternal},
		{Nick: "carol", JID: "carol@partner.test", Role: event.RoleParticipant, Trust: tPartner},
		{Nick: "ghost", Role: event.RoleParticipant, Trust: tHidden},
	}}, event.RoomBanner{Room: teamRoom, External: true, Summary: "2 external participants: carol@partner.test (Partner Ltd), ghost (address hidden)."})
	h.app.openRoom(teamRoom)
	return h
}

// roomText is what the room pane shows.
func roomText(h *harness) string { return strings.Join(texts(h.app.main.room.root), "\n") }

func TestRoomOccupantBadgesAndBanner(t *testing.T) {
	h := inRoom(t)
	if h.app.activeRoom != teamRoom || !h.app.main.room.root.Visible() || h.app.main.chat.root.Visible() {
		t.Fatalf("room not shown in the chat's place (activeRoom %q)", h.app.activeRoom)
	}
	s := roomText(h)
	for _, want := range []string{"Team", "Topic: Release 4.2", "In the room (4)",
		"alice (you)", "bob", "bob@acme.test", "carol", "carol@partner.test", "Partner · Partner Ltd", "ghost", "JID hidden by the room", "Unknown",
		"People outside your organisation are in this room.", "2 external participants: carol@partner.test (Partner Ltd), ghost (address hidden)."} {
		if !strings.Contains(s, want) {
			t.Errorf("room pane does not show %q; it shows:\n%s", want, s)
		}
	}
	// Every occupant row has its badge: the right chip for each.
	chips := map[string]string{}
	for _, o := range h.app.main.room.occupants.Objects {
		ts := texts(o)
		if len(ts) >= 2 {
			chips[strings.TrimSuffix(ts[0], " (you)")] = ts[1]
		}
	}
	for nick, want := range map[string]string{"alice": "ACME", "bob": "ACME", "carol": "Partner · Partner Ltd", "ghost": "Unknown"} {
		if chips[nick] != want {
			t.Errorf("badge of %s = %q, want %q (rows %v)", nick, chips[nick], want, chips)
		}
	}
	if h.app.main.room.banner.kind != BannerWarning {
		t.Errorf("banner kind %v, want warning", h.app.main.room.banner.kind)
	}
	// The sidebar says it too, in words.
	h.mustSee("Rooms", "Team  · external people")

	// A lookalike joins: the banner turns red.
	h.emit(event.OccupantChange{Room: teamRoom, Nick: "helpdesk", JID: "helpdesk@acrne.test", Role: event.RoleParticipant, Trust: tLookalike},
		event.RoomBanner{Room: teamRoom, External: true, Lookalike: true, Summary: "3 external participants, one of them a lookalike of acme.test (helpdesk@acrne.test)."})
	if s := roomText(h); !strings.Contains(s, "Looks like acme.test") || !strings.Contains(s, "Warning: someone in this room uses a lookalike address.") {
		t.Errorf("after a lookalike joined the room shows:\n%s", s)
	}
	if h.app.main.room.banner.kind != BannerError {
		t.Errorf("banner kind %v with a lookalike, want error", h.app.main.room.banner.kind)
	}
	// Everyone external leaves: the banner goes.
	h.emit(event.OccupantChange{Room: teamRoom, Nick: "helpdesk", Left: true}, event.OccupantChange{Room: teamRoom, Nick: "carol", Left: true},
		event.OccupantChange{Room: teamRoom, Nick: "ghost", Left: true}, event.RoomBanner{Room: teamRoom})
	if h.app.main.room.banner.root.Visible() {
		t.Error("banner still shown with only colleagues in the room")
	}
	if s := roomText(h); strings.Contains(s, "carol@partner.test") || !strings.Contains(s, "In the room (2)") {
		t.Errorf("occupants after leaving:\n%s", s)
	}
}

func TestRoomMessageNickAndBadge(t *testing.T) {
	h := inRoom(t)
	now := time.Now()
	h.emit(event.RoomMessage{Room: teamRoom, ID: "m1", Nick: "carol", FromJID: "carol@partner.test", Body: "The contract is signed.", Time: now, Trust: tPartner},
		event.RoomMessage{Room: teamRoom, ID: "m2", Nick: "ghost", Body: "who am I", Time: now, Trust: tHidden})
	var carolRow, ghostRow []string
	for _, o := range h.app.main.room.lines.Objects {
		ts := texts(o)
		j := strings.Join(ts, "|")
		switch {
		case strings.Contains(j, "The contract is signed."):
			carolRow = ts
		case strings.Contains(j, "who am I"):
			ghostRow = ts
		}
	}
	if len(carolRow) < 3 || carolRow[0] != "carol" || carolRow[1] != "Partner · Partner Ltd" {
		t.Errorf("carol's line = %q, want nick then badge", carolRow)
	}
	if len(ghostRow) < 3 || ghostRow[0] != "ghost" || ghostRow[1] != "Unknown" {
		t.Errorf("ghost's line = %q, want nick then Unknown badge", ghostRow)
	}
	// Writing to the room sends a room message; the room's echo shows it.
	c := h.app.main.room.composer
	test.Type(c, "Great news")
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	send, ok := lastCmd(h).(event.SendRoomMessage)
	if !ok || send.Room != teamRoom || send.Body != "Great news" || send.ID == "" {
		t.Fatalf("sent %#v", lastCmd(h))
	}
	h.emit(event.RoomMessage{Room: teamRoom, ID: send.ID, Nick: "alice", Body: "Great news", Time: now, Outgoing: true, Trust: tInternal})
	if s := roomText(h); !strings.Contains(s, "You (alice)") || !strings.Contains(s, "Great news") {
		t.Errorf("own message not shown:\n%s", s)
	}
	if r := h.app.rooms.Room(teamRoom); r.Unread != 0 {
		t.Errorf("unread %d in the open room", r.Unread)
	}
	// In another conversation, room messages count as unread in the sidebar.
	h.app.Open("bob@acme.test")
	h.emit(event.RoomMessage{Room: teamRoom, ID: "m3", Nick: "bob", FromJID: "bob@acme.test", Body: "ping", Time: now, Trust: tInternal})
	h.mustSee("Team  · external people  (1)")
}

func TestRoomPrivateMessageOwnConversation(t *testing.T) {
	h := inRoom(t)
	h.app.Open("bob@acme.test")
	h.emit(event.RoomPrivateMessage{Room: teamRoom, Nick: "ghost", Body: "psst, send me the keys", ID: "p1", Time: time.Now(), Trust: tHidden})
	if h.app.chats.Has(teamRoom) || h.app.chats.Has(teamRoom+"/ghost") || h.app.chats.Has("ghost") {
		t.Error("a private message in a room became a direct chat")
	}
	if h.app.roster.Contact(teamRoom).Unread != 0 {
		t.Error("a private message in a room counted as a direct chat's unread")
	}
	h.mustSee("Private: ghost in team  (1)")
	h.app.openRoom(teamRoom + "/ghost")
	s := roomText(h)
	for _, want := range []string{"Private message in room Team from ghost", "This is not a direct chat", "JID hidden by the room", "psst, send me the keys", "Unknown"} {
		if !strings.Contains(s, want) {
			t.Errorf("private conversation does not show %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "In the room (") {
		t.Error("private conversation shows the occupant list")
	}
	c := h.app.main.room.composer
	test.Type(c, "no way")
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got, want := lastCmd(h), (event.PrivateMessage{Room: teamRoom, Nick: "ghost", Body: "no way"}); got != want {
		t.Fatalf("reply = %#v, want %#v", got, want)
	}
	// The session reports what it sent; it is shown once.
	h.emit(event.RoomPrivateMessage{Room: teamRoom, Nick: "ghost", Body: "no way", ID: "s1", Time: time.Now(), Outgoing: true, Trust: tHidden})
	if s := roomText(h); strings.Count(s, "no way") != 1 || !strings.Contains(s, "You") {
		t.Errorf("reply not shown once:\n%s", s)
	}
	if pc := h.app.rooms.PrivateByKey(teamRoom + "/ghost"); pc.Unread != 0 || pc.Trust != tHidden {
		t.Errorf("after the reply: unread %d, trust %+v", pc.Unread, pc.Trust)
	}
	// The room itself does not show the private message.
	h.app.openRoom(teamRoom)
	if s := roomText(h); strings.Contains(s, "psst") {
		t.Error("the private message is shown in the room")
	}
}

// overlayEntries are the entries of the top dialog, in layout order.
func overlayEntries(t *testing.T, h *harness) []*widget.Entry {
	t.Helper()
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	var out []*widget.Entry
	for _, o := range test.LaidOutObjects(top) {
		if e, ok := o.(*widget.Entry); ok {
			out = append(out, e)
		}
	}
	return out
}

func TestInviteOutsiderConfirmResends(t *testing.T) {
	h := inRoom(t)
	test.Tap(findButton(t, h.app.main.room.root, "Invite…"))
	es := overlayEntries(t, h)
	if len(es) < 2 {
		t.Fatalf("invite dialog has %d entries", len(es))
	}
	test.Type(es[0], "eve@evil.test")
	test.Type(es[1], "for the review")
	test.Tap(overlayButton(t, h, "Invite"))
	first := event.Invite{Room: teamRoom, JID: "eve@evil.test", Reason: "for the review"}
	if got := lastCmd(h); got != first {
		t.Fatalf("invite = %#v, want %#v", got, first)
	}
	tr := tUnknown
	h.emit(event.Refused{Command: "invite", To: "eve@evil.test", Code: event.RefusedConfirm, Reason: "evil.test is not an organisation approved by ACME IT.", Trust: &tr})
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no confirmation asked")
	}
	if s := strings.Join(texts(top), "\n"); !strings.Contains(s, "eve@evil.test (External · evil.test) is outside ACME.") || !strings.Contains(s, "Invite anyway?") {
		t.Errorf("confirmation says:\n%s", s)
	}
	test.Tap(overlayButton(t, h, "Invite anyway"))
	want := first
	want.Confirmed = true
	if got := lastCmd(h); got != want {
		t.Fatalf("resend = %#v, want %#v", got, want)
	}

	// Declining says so in the room and sends nothing.
	h.app.invite(event.Invite{Room: teamRoom, JID: "zed@evil.test"})
	h.emit(event.Refused{Command: "invite", To: "zed@evil.test", Code: event.RefusedConfirm, Reason: "outside"})
	n := len(h.backend().commands())
	test.Tap(overlayButton(t, h, "Don't invite"))
	// Declining sends nothing but the record of the warning and the choice.
	after := h.backend().commands()[n:]
	if w, ok := lastCmd(h).(event.WarningShown); len(after) != 1 || !ok || w.Warning != "confirm_invite" || w.Choice != "cancel" {
		t.Errorf("declining sent %#v", after)
	}
	if s := roomText(h); !strings.Contains(s, "you chose not to invite zed@evil.test") {
		t.Errorf("room after declining:\n%s", s)
	}
	// A blocked invitee: said in the room, no question.
	h.app.invite(event.Invite{Room: teamRoom, JID: "spam@spam.test"})
	h.emit(event.Refused{Command: "invite", To: "spam@spam.test", Code: event.RefusedBlocked, Reason: "spam.test is blocked by ACME IT"})
	if s := roomText(h); !strings.Contains(s, "Invitation to spam@spam.test not sent") || !strings.Contains(s, "spam.test is blocked by") {
		t.Errorf("room after a blocked invitation:\n%s", s)
	}
}

func TestRoomInvitationCardJoin(t *testing.T) {
	h := trustedIn(t)
	h.emit(event.RoomInvite{Room: "deal@conference.partner.test", From: "carol@partner.test", Reason: "Contract review", Trust: tPartner})
	h.mustSee("Invitation to deal@conference.partner.test", "from carol@partner.test", "Partner · Partner Ltd", "“Contract review”")
	test.Tap(findButton(t, h.app.main.roomsBox, "Join"))
	if got, want := lastCmd(h), (event.Join{Room: "deal@conference.partner.test", Nick: "alice"}); got != want {
		t.Fatalf("join = %#v, want %#v", got, want)
	}
	h.mustNotSee("Invitation to")
	h.emit(event.RoomJoined{Room: "deal@conference.partner.test", Nick: "alice", Occupants: []event.Occupant{
		{Nick: "alice", JID: "alice@acme.test", Trust: tInternal}, {Nick: "carol", JID: "carol@partner.test", Trust: tPartner}}})
	if h.app.activeRoom != "deal@conference.partner.test" {
		t.Errorf("joined room not opened (activeRoom %q)", h.app.activeRoom)
	}
	// Decline tells the inviter through the room and forgets the invitation.
	h.emit(event.RoomInvite{Room: "x@conference.evil.test", From: "eve@evil.test", Trust: tUnknown})
	h.mustSee("Invitation to x@conference.evil.test", "from eve@evil.test", "External · evil.test")
	test.Tap(findButton(t, h.app.main.roomsBox, "Decline"))
	if got, want := lastCmd(h), (event.DeclineInvite{Room: "x@conference.evil.test", JID: "eve@evil.test"}); got != want {
		t.Errorf("decline sent %#v, want %#v", got, want)
	}
	h.mustNotSee("x@conference.evil.test")
	// An inviter the room hides is answered through the room by nickname.
	h.emit(event.RoomInvite{Room: teamRoom, From: teamRoom + "/boss", Trust: tHidden})
	test.Tap(findButton(t, h.app.main.roomsBox, "Decline"))
	if got, want := lastCmd(h), (event.DeclineInvite{Room: teamRoom, JID: teamRoom + "/boss"}); got != want {
		t.Errorf("decline sent %#v, want %#v", got, want)
	}
}

// A plain join learns the room's name afterwards (room_info): the header
// shows it with the room's address beside it, and so does the sidebar.
func TestRoomInfoNamesAJoinedRoom(t *testing.T) {
	h := inRoom(t)
	const ops = "ops@conference.acme.test"
	h.emit(event.RoomJoined{Room: ops, Nick: "alice", Occupants: []event.Occupant{{Nick: "alice", JID: "alice@acme.test", Trust: tInternal, Self: true}}})
	h.app.openRoom(ops)
	if got := h.app.main.room.title.Text; got != "ops" {
		t.Errorf("title before room_info = %q, want the local part", got)
	}
	h.emit(event.RoomInfo{Room: ops, Name: "Operations", Description: "Servers and on-call"})
	if got := h.app.main.room.title.Text; got != "Operations" {
		t.Errorf("title = %q, want Operations", got)
	}
	if got := h.app.main.room.address.Text; !strings.HasPrefix(got, ops) {
		t.Errorf("address line = %q, want the room's address first", got)
	}
	h.mustSee("Operations")
	rows := h.app.rooms.Rows()
	found := false
	for _, r := range rows {
		found = found || (r.Key == ops && r.Title == "Operations")
	}
	if !found {
		t.Errorf("sidebar rows %+v do not name the room Operations", rows)
	}
	// A name with a reordering character is shown without it.
	h.emit(event.RoomInfo{Room: ops, Name: "Ops\u202egnp.exe"})
	if got := h.app.main.room.title.Text; strings.ContainsRune(got, '\u202e') || !strings.HasPrefix(got, "Ops") {
		t.Errorf("title = %q, want it without the override", got)
	}
	h.emit(event.RoomInfo{Room: ops, Name: "Operations"})
	// An empty name (a room without one) keeps what was known.
	h.emit(event.RoomInfo{Room: ops})
	if got := h.app.main.room.title.Text; got != "Operations" {
		t.Errorf("title after an empty room_info = %q", got)
	}
}

// Occupants' presence shows in the occupant list, and changes with it.
func TestRoomOccupantPresence(t *testing.T) {
	h := inRoom(t)
	h.emit(event.OccupantChange{Room: teamRoom, Nick: "bob", JID: "bob@acme.test", Role: event.RoleParticipant, Trust: tInternal, Show: event.ShowAway, Status: "at lunch"})
	bobRow := func() string {
		for _, o := range h.app.main.room.occupants.Objects {
			if ts := texts(o); len(ts) > 0 && ts[0] == "bob" {
				return strings.Join(ts, "|")
			}
		}
		return ""
	}
	if r := bobRow(); !strings.Contains(r, "Away: at lunch") {
		t.Errorf("bob's row = %q, want his presence", r)
	}
	h.emit(event.OccupantChange{Room: teamRoom, Nick: "bob", JID: "bob@acme.test", Role: event.RoleParticipant, Trust: tInternal, Show: event.ShowDND})
	if r := bobRow(); !strings.Contains(r, "Do not disturb") || strings.Contains(r, "lunch") {
		t.Errorf("bob's row = %q, want Do not disturb only", r)
	}
	h.emit(event.OccupantChange{Room: teamRoom, Nick: "bob", JID: "bob@acme.test", Role: event.RoleParticipant, Trust: tInternal})
	if r := bobRow(); strings.Contains(r, "Do not disturb") || r == "" {
		t.Errorf("bob's row = %q once available again", r)
	}
}

// A declined invitation is a notice in the room.
func TestRoomDeclineNotice(t *testing.T) {
	h := inRoom(t)
	h.emit(event.RoomDeclined{Room: teamRoom, From: "dave@acme.test", Reason: "on holiday", Trust: tInternal},
		event.RoomDeclined{Room: teamRoom, From: teamRoom + "/boss", Trust: tHidden})
	var sys []string
	for _, l := range h.app.rooms.Room(teamRoom).Lines {
		if l.System {
			sys = append(sys, l.Body)
		}
	}
	want := []string{"dave@acme.test declined your invitation to this room: “on holiday”.",
		"boss (address hidden by the room) declined your invitation to this room."}
	if strings.Join(sys, "\n") != strings.Join(want, "\n") {
		t.Errorf("room notices = %q, want %q", sys, want)
	}
	if s := roomText(h); !strings.Contains(s, "dave@acme.test declined your invitation") || !strings.Contains(s, "boss (address hidden by the room) declined") {
		t.Errorf("the room pane does not show the notices:\n%s", s)
	}
	if r := h.app.rooms.Room(teamRoom); r.Unread != 0 {
		t.Errorf("a notice counted as unread: %d", r.Unread)
	}
}

func TestJoinAndCreateRoomDialogs(t *testing.T) {
	h := trustedIn(t)
	h.app.showJoinRoom()
	es := overlayEntries(t, h)
	test.Type(es[0], "not a room")
	test.Tap(overlayButton(t, h, "Join"))
	if n := len(h.backend().commands()); n != 0 {
		t.Fatalf("joined an invalid address: %#v", lastCmd(h))
	}
	if s := strings.Join(texts(h.app.win.Canvas().Overlays().Top()), "\n"); !strings.Contains(s, "A room address looks like team@conference.acme.test") {
		t.Errorf("join dialog says:\n%s", s)
	}
	es[0].SetText(teamRoom)
	test.Tap(overlayButton(t, h, "Join"))
	if got, want := lastCmd(h), (event.Join{Room: teamRoom, Nick: "alice"}); got != want {
		t.Fatalf("join = %#v, want %#v", got, want)
	}
	h.app.showCreateRoom()
	es = overlayEntries(t, h)
	test.Type(es[0], "project@conference.acme.test")
	test.Type(es[1], "Project X")
	test.Tap(overlayButton(t, h, "Create"))
	want := event.CreateRoom{Room: "project@conference.acme.test", Nick: "alice", Name: "Project X", MembersOnly: true, Persistent: true}
	if got := lastCmd(h); got != want {
		t.Fatalf("create = %#v, want %#v", got, want)
	}
	h.emit(event.RoomJoined{Room: "project@conference.acme.test", Nick: "alice", Created: true,
		Occupants: []event.Occupant{{Nick: "alice", JID: "alice@acme.test", Role: event.RoleModerator, Affiliation: event.AffiliationOwner, Trust: tInternal}}})
	if h.app.activeRoom != "project@conference.acme.test" {
		t.Fatalf("created room not opened")
	}
	if s := roomText(h); !strings.Contains(s, "You created this room.") {
		t.Errorf("created room shows:\n%s", s)
	}
	// The owner may change the topic.
	test.Tap(findButton(t, h.app.main.room.root, "Edit topic"))
	es = overlayEntries(t, h)
	es[0].SetText("Kick-off on Monday")
	test.Tap(overlayButton(t, h, "Set topic"))
	if got, want := lastCmd(h), (event.SetRoomTopic{Room: "project@conference.acme.test", Topic: "Kick-off on Monday"}); got != want {
		t.Fatalf("topic = %#v, want %#v", got, want)
	}
	h.emit(event.RoomTopic{Room: "project@conference.acme.test", Topic: "Kick-off on Monday", By: "alice"})
	if s := roomText(h); !strings.Contains(s, "Topic: Kick-off on Monday") {
		t.Errorf("topic not shown:\n%s", s)
	}
	// Leave: the room says so and offers to join again.
	test.Tap(findButton(t, h.app.main.room.root, "Leave"))
	if got, want := lastCmd(h), (event.Leave{Room: "project@conference.acme.test"}); got != want {
		t.Fatalf("leave = %#v", got)
	}
	h.emit(event.RoomLeft{Room: "project@conference.acme.test"})
	if s := roomText(h); !strings.Contains(s, "You left the room.") || !strings.Contains(s, "not joined") {
		t.Errorf("after leaving:\n%s", s)
	}
	if !h.app.main.room.composer.Disabled() {
		t.Error("composer enabled in a room left")
	}
}

func TestRoomTopicNotEditableForParticipants(t *testing.T) {
	h := trustedIn(t)
	h.emit(event.RoomJoined{Room: teamRoom, Nick: "alice", Occupants: []event.Occupant{{Nick: "alice", JID: "alice@acme.test", Role: event.RoleParticipant, Affiliation: event.AffiliationMember, Trust: tInternal}}})
	h.app.openRoom(teamRoom)
	if h.app.main.room.topicBtn.Visible() {
		t.Error("a participant is offered to edit the topic")
	}
}

func TestBookmarksListedAndOlderLinesRequested(t *testing.T) {
	h := trustedIn(t)
	h.emit(event.Bookmarks{Items: []event.Bookmark{{Room: "ops@conference.acme.test", Name: "Ops", Nick: "alice"}}})
	h.mustSee("Ops  · not joined")
	h.emit(event.RoomJoined{Room: teamRoom, Nick: "alice", Occupants: []event.Occupant{{Nick: "alice", Self: true, Trust: tInternal}}})
	h.app.openRoom(teamRoom)
	if got, want := lastCmd(h), (event.GetHistory{Conversation: teamRoom}); got != want {
		t.Fatalf("opening the room sent %#v, want %#v (the newest page)", got, want)
	}
	now := time.Now()
	h.emit(event.History{Conversation: teamRoom, Messages: []event.HistoryMessage{
		{Message: event.Message{ID: "a", From: teamRoom + "/bob", Body: "older one", Time: now.Add(-time.Hour), Trust: tInternal}, ArchiveID: "41", IsRoom: true},
		{Message: event.Message{ID: "b", From: teamRoom + "/bob", Body: "newer one", Time: now.Add(-time.Minute), Trust: tInternal}, ArchiveID: "42", IsRoom: true},
	}})
	if s := roomText(h); !strings.Contains(s, "older one") || !strings.Contains(s, "newer one") {
		t.Fatalf("archived lines not shown:\n%s", s)
	}
	// The view is not full: older lines are asked for at once (as on
	// scrolling to the top).
	if got, want := lastCmd(h), (event.GetHistory{Conversation: teamRoom, BeforeID: "41"}); got != want {
		t.Fatalf("sent %#v, want %#v", got, want)
	}
	n := len(h.backend().commands())
	h.app.loadOlder(teamRoom)
	if len(h.backend().commands()) != n {
		t.Error("asked twice for the same older page")
	}
	h.emit(event.History{Conversation: teamRoom, Complete: true})
	h.app.loadOlder(teamRoom)
	if len(h.backend().commands()) != n {
		t.Error("asked for older lines after the archive said it had none")
	}
}

func TestDemoBackendRoomsSearchExport(t *testing.T) {
	h, waitFor := demoSignedIn(t)
	waitFor("the release room", func() bool { return h.app.rooms.Has(uidemo.ReleaseRoom) && h.app.rooms.Room(uidemo.ReleaseRoom).Joined })
	waitFor("the invitation", func() bool { return len(h.app.rooms.Invites()) == 1 })
	r := h.app.rooms.Room(uidemo.ReleaseRoom)
	if !r.Banner.External || len(r.Occupants) != 5 {
		t.Errorf("release room: banner %+v, %d occupants", r.Banner, len(r.Occupants))
	}
	if pc := h.app.rooms.PrivateByKey(uidemo.ReleaseRoom + "/guest42"); pc == nil || len(pc.Lines) != 1 {
		t.Error("no private message from guest42")
	}
	h.app.openRoom(uidemo.ReleaseRoom)
	if s := roomText(h); !strings.Contains(s, "guest42") || !strings.Contains(s, "JID hidden by the room") || !strings.Contains(s, "Partner · Partner Ltd") {
		t.Errorf("release room shows:\n%s", s)
	}
	// Inviting a stranger asks first.
	h.app.invite(event.Invite{Room: uidemo.ReleaseRoom, JID: "eve@evil.test"})
	waitFor("the invitation question", func() bool { return h.app.win.Canvas().Overlays().Top() != nil })
	test.Tap(overlayButton(t, h, "Invite anyway"))
	waitFor("eve in the room", func() bool { _, ok := r.Occupants["eve"]; return ok })

	h.app.Search("contract")
	waitFor("search results", func() bool { return h.app.search.Answered })
	if len(h.app.search.Results) < 3 {
		t.Fatalf("%d results for contract", len(h.app.search.Results))
	}
	for _, res := range h.app.search.Results {
		if !strings.Contains(strings.ToLower(res.Snippet), "contract") {
			t.Errorf("result %q does not hold the word", res.Snippet)
		}
	}
	// Jumping to Bob's old message brings it in without duplicating the others.
	var old event.SearchResult
	for _, res := range h.app.search.Results {
		if res.Conversation == "bob@acme.test" {
			old = res
		}
	}
	before := len(h.app.chats.Conv("bob@acme.test").Messages)
	h.app.jumpTo(old)
	waitFor("bob's history", func() bool { return len(h.app.chats.Conv("bob@acme.test").Messages) > before })
	if got := len(h.app.chats.Conv("bob@acme.test").Messages); got != before+1 {
		t.Errorf("bob's conversation went from %d to %d messages, want one more", before, got)
	}

	path := t.TempDir() + "/all.html"
	h.app.chooseSave = func(_, _ string, chosen func(string)) { chosen(path) }
	h.app.showExport("")
	test.Tap(overlayButton(t, h, "Choose file and export…"))
	waitFor("the export notice", func() bool { return strings.Contains(h.screenText(), "Exported ") })
	h.app.closeWindow()
	waitFor("the demo to close", func() bool { return h.app.stopped })
}

func TestInvitationFromHiddenInviter(t *testing.T) {
	h := trustedIn(t)
	h.emit(event.RoomInvite{Room: teamRoom, From: teamRoom + "/bob", Trust: tHidden})
	h.mustSee("Invitation to "+teamRoom, "from bob (address hidden by the room)", "Unknown")
}

func TestRoomBannerWords(t *testing.T) {
	tests := []struct {
		b          event.RoomBanner
		kind       BannerKind
		title, txt string
	}{
		{event.RoomBanner{}, BannerHidden, "", ""},
		{event.RoomBanner{External: true, Summary: "1 external participant: bob (real address hidden)"}, BannerWarning,
			"People outside your organisation are in this room.", "1 external participant: bob (real address hidden). Everything written here reaches them."},
		{event.RoomBanner{External: true, Lookalike: true, Summary: "1 lookalike: x@acrne.test."}, BannerError,
			"Warning: someone in this room uses a lookalike address.", "1 lookalike: x@acrne.test. Do not share passwords, payments or files here."},
	}
	for _, tt := range tests {
		got := RoomBannerWords(tt.b)
		if got.Kind != tt.kind || got.Title != tt.title || got.Text != tt.txt {
			t.Errorf("RoomBannerWords(%+v) = %+v", tt.b, got)
		}
	}
}

// Room messages carry the session's signature verdict like direct ones: a
// shield line for a certified device, a warning line otherwise, nothing
// when nothing could be judged.
func TestRoomSignatureLines(t *testing.T) {
	h := inRoom(t)
	h.emit(
		event.RoomMessage{Room: teamRoom, ID: "s1", Nick: "dave", FromJID: "dave@acme.test", Body: "signed plan", Time: time.Now(), Trust: tInternal, Signature: event.SignatureValid, Device: "ab12"},
		event.RoomMessage{Room: teamRoom, ID: "s2", Nick: "dave", FromJID: "dave@acme.test", Body: "altered plan", Time: time.Now(), Trust: tInternal, Signature: event.SignatureInvalid, Device: "ab12"},
		event.RoomMessage{Room: teamRoom, ID: "s3", Nick: "dave", FromJID: "dave@acme.test", Body: "unsigned plan", Time: time.Now(), Trust: tInternal, Signature: event.SignatureMissing},
		event.RoomMessage{Room: teamRoom, ID: "s4", Nick: "guest", Body: "hello", Time: time.Now(), Trust: tHidden},
	)
	s := roomText(h)
	for _, want := range []string{"Signed by dave’s certified device", "Signature does not match", "Not signed, although dave uses certified devices"} {
		if !strings.Contains(s, want) {
			t.Errorf("the room pane does not say %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "Signed by") != 1 || strings.Contains(s, "guest’s") {
		t.Errorf("a signature line where nothing was judged:\n%s", s)
	}
	if l := h.app.rooms.Room(teamRoom).Lines; l[len(l)-1].Signature != "" || l[len(l)-4].Device != "ab12" {
		t.Errorf("room lines keep the verdicts wrongly: %+v", l[len(l)-4:])
	}
}
