package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// openRoom shows a room (its bare JID) or a private chat in a room
// (room/nick) in the right-hand pane, in place of a direct chat.
func (a *App) openRoom(key string) {
	if a.activeRoom == key && a.active == "" {
		return
	}
	if a.active != "" {
		if st := a.tracker(a.active).Leave(); st != "" {
			a.do(event.SendChatState{To: a.active, State: st})
		}
		a.active = ""
		a.main.chatChanged(false)
		a.main.refreshRoster()
	}
	a.activeRoom = key
	a.clearRoomUnread(key)
	a.main.showRoomPane()
	a.updateTitle()
}

func (a *App) clearRoomUnread(key string) {
	if !a.focused {
		return
	}
	if pc := a.rooms.PrivateByKey(key); pc != nil {
		pc.Unread = 0
	} else if a.rooms.Has(key) {
		a.rooms.Room(key).Unread = 0
	}
	a.main.refreshRooms()
}

// sendRoom sends text to the room or private chat key.
func (a *App) sendRoom(key, text string) {
	if pc := a.rooms.PrivateByKey(key); pc != nil {
		// Shown when the session reports it sent (an Outgoing
		// RoomPrivateMessage); a refusal goes to the error line.
		a.do(event.PrivateMessage{Room: pc.Room, Nick: pc.Nick, Body: text})
		return
	}
	// The room's echo (RoomMessage with Outgoing) shows the message.
	a.do(event.SendRoomMessage{Room: key, Body: text, ID: newID()})
}

// joinRoom asks to join room under nick; the room opens when joined.
func (a *App) joinRoom(room, nick, password string) {
	a.joining[room] = true
	a.do(event.Join{Room: room, Nick: nick, Password: password})
}

func (a *App) leaveRoom(room string) {
	if room == "" {
		return
	}
	a.do(event.Leave{Room: room})
}

func (a *App) rejoin(room string) {
	r := a.rooms.Room(room)
	nick := r.Nick
	if b, ok := a.rooms.Bookmark(room); ok && b.Nick != "" && nick == "" {
		nick = b.Nick
	}
	if nick == "" {
		nick = localPart(a.self)
	}
	a.joinRoom(room, nick, "")
}

// acceptInvite joins the room of an invitation.
func (a *App) acceptInvite(room string) {
	var pw string
	for _, i := range a.rooms.Invites() {
		if i.Room == room {
			pw = i.Password
		}
	}
	a.rooms.RemoveInvite(room)
	a.joinRoom(room, localPart(a.self), pw)
	a.main.refreshRooms()
}

// declineInvite declines an invitation: the inviter is told through the
// room, and the invitation goes.
func (a *App) declineInvite(room string) {
	for _, i := range a.rooms.Invites() {
		if i.Room == room && i.From != "" {
			a.backend.Do(event.DeclineInvite{Room: room, JID: i.From})
		}
	}
	a.rooms.RemoveInvite(room)
	a.main.refreshRooms()
}

// validRoom checks a room address.
func validRoom(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return lang.L("Enter the room's address, like team@conference.acme.test")
	}
	if strings.ContainsAny(s, " /") || strings.Count(s, "@") != 1 || strings.HasPrefix(s, "@") || strings.HasSuffix(s, "@") {
		return lang.L("A room address looks like team@conference.acme.test")
	}
	return ""
}

// showJoinRoom asks for a room and a nickname and joins.
func (a *App) showJoinRoom() {
	room := widget.NewEntry()
	room.SetPlaceHolder("team@conference." + domainOf(a.self))
	nick := widget.NewEntry()
	nick.SetText(localPart(a.self))
	pw := widget.NewPasswordEntry()
	pw.SetPlaceHolder(lang.L("only if the room has one"))
	auto := widget.NewCheck(lang.L("Bookmark it and join at sign-in"), nil)
	form := widget.NewForm(widget.NewFormItem(lang.L("Room"), room), widget.NewFormItem(lang.L("Nickname"), nick),
		widget.NewFormItem(lang.L("Password"), pw), widget.NewFormItem("", auto))
	a.showRoomDialog(lang.L("Join a room"), lang.L("Join"), 460, form, room, nick, func(r, n string) {
		a.joinRoom(r, n, pw.Text)
		if auto.Checked {
			a.do(event.SetBookmark{Room: r, Nick: n, Password: pw.Text, Autojoin: true})
		}
	})
}

// showCreateRoom asks for a new room's address and settings.
func (a *App) showCreateRoom() {
	room := widget.NewEntry()
	room.SetPlaceHolder("project@conference." + domainOf(a.self))
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("Project X"))
	nick := widget.NewEntry()
	nick.SetText(localPart(a.self))
	members := widget.NewCheck(lang.L("Members only"), nil)
	members.SetChecked(true)
	persistent := widget.NewCheck(lang.L("Keep the room when everyone has left"), nil)
	persistent.SetChecked(true)
	form := widget.NewForm(widget.NewFormItem(lang.L("Room"), room), widget.NewFormItem(lang.L("Name"), name), widget.NewFormItem(lang.L("Nickname"), nick),
		widget.NewFormItem("", members), widget.NewFormItem("", persistent))
	a.showRoomDialog(lang.L("Create a room"), lang.L("Create"), 480, form, room, nick, func(r, n string) {
		a.joining[r] = true
		a.do(event.CreateRoom{Room: r, Nick: n, Name: strings.TrimSpace(name.Text), MembersOnly: members.Checked, Persistent: persistent.Checked})
	})
}

// showRoomDialog shows form with Cancel and okText; okText checks the room
// address and the nickname, says what is wrong under the form, and only
// with both valid closes the dialog and calls done.
func (a *App) showRoomDialog(title, okText string, width float32, form *widget.Form, room, nick *widget.Entry, done func(room, nick string)) {
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Hide()
	var d dialog.Dialog
	ok := widget.NewButton(okText, func() {
		r := strings.TrimSpace(room.Text)
		if msg := validRoom(r); msg != "" {
			problem.SetText(msg)
			problem.Show()
			return
		}
		n := strings.TrimSpace(nick.Text)
		if n == "" {
			problem.SetText(lang.L("Choose a nickname"))
			problem.Show()
			return
		}
		d.Hide()
		done(r, n)
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, problem, container.NewGridWithColumns(2, cancel, ok)), a.win)
	d.Resize(fyne.NewSize(width, d.MinSize().Height))
	d.Show()
	a.win.Canvas().Focus(room)
}

// editTopic asks for a room's new topic.
func (a *App) editTopic(room string) {
	r := a.rooms.Room(room)
	e := widget.NewMultiLineEntry()
	e.SetText(r.Topic)
	e.SetMinRowsVisible(3)
	d := dialog.NewCustomConfirm(lang.L("Topic of {{.Room}}", tv{"Room": r.Title()}), lang.L("Set topic"), lang.L("Cancel"), e, func(yes bool) {
		if yes {
			a.do(event.SetRoomTopic{Room: room, Topic: strings.TrimSpace(e.Text)})
		}
	}, a.win)
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	d.Show()
}

// showInvite asks whom to invite to room.
func (a *App) showInvite(room string) {
	jid := widget.NewEntry()
	jid.SetPlaceHolder("name@" + domainOf(a.self))
	reason := widget.NewEntry()
	reason.SetPlaceHolder(lang.L("optional"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Hide()
	form := widget.NewForm(widget.NewFormItem(lang.L("Address"), jid), widget.NewFormItem(lang.L("Message"), reason))
	var d dialog.Dialog
	ok := widget.NewButton(lang.L("Invite"), func() {
		j := strings.TrimSpace(jid.Text)
		if msg := validateJID(j); msg != "" {
			problem.SetText(msg)
			problem.Show()
			return
		}
		d.Hide()
		a.invite(event.Invite{Room: room, JID: bareJID(j), Reason: strings.TrimSpace(reason.Text)})
	})
	ok.Importance = widget.HighImportance
	jid.OnSubmitted = func(string) { ok.OnTapped() }
	reason.OnSubmitted = func(string) { ok.OnTapped() }
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(lang.L("Invite someone to {{.Room}}", tv{"Room": a.rooms.Room(room).Title()}), container.NewVBox(form, problem, container.NewGridWithColumns(2, cancel, ok)), a.win)
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
	d.Show()
	a.win.Canvas().Focus(jid)
}

// invite sends an invitation and remembers it, to resend it confirmed if
// the session asks.
func (a *App) invite(c event.Invite) {
	a.invites[c.JID] = c
	a.do(c)
}

// refusedInvite handles a refused invitation: "confirm" asks the user and
// resends with Confirmed; anything else is said in the room.
func (a *App) refusedInvite(e event.Refused, now time.Time) string {
	jid := bareJID(e.To)
	c, ok := a.invites[jid]
	if !ok {
		a.lastErr = lang.L("Invitation not sent: {{.Why}}", tv{"Why": refusedReason(e)})
		return ""
	}
	if e.Code == event.RefusedConfirm {
		t := a.roster.Trust(jid)
		if e.Trust != nil {
			t = *e.Trust
		}
		q := lang.L("{{.JID}} is outside {{.Org}}.", tv{"JID": jid, "Org": a.ownOrg()})
		if b := TrustBadge(t, jid); b.Text != "" {
			q = lang.L("{{.JID}} ({{.Badge}}) is outside {{.Org}}.", tv{"JID": jid, "Badge": b.Text, "Org": a.ownOrg()})
		}
		if r := strings.TrimSpace(e.Reason); r != "" {
			q += "\n" + r
		}
		q += "\n" + lang.L("Invite anyway?")
		d := dialog.NewConfirm(lang.L("Invite someone from outside?"), q, func(yes bool) {
			a.warned("confirm_invite", jid, q, yes)
			delete(a.invites, jid)
			if yes {
				c.Confirmed = true
				a.do(c)
			} else {
				a.rooms.System(c.Room, lang.L("Invitation not sent: you chose not to invite {{.JID}}.", tv{"JID": jid}), a.now())
				a.refreshRoomIfShown(c.Room)
			}
		}, a.win)
		d.SetConfirmText(lang.L("Invite anyway"))
		d.SetDismissText(lang.L("Don't invite"))
		d.Show()
		return ""
	}
	delete(a.invites, jid)
	a.rooms.System(c.Room, lang.L("Invitation to {{.JID}} not sent: {{.Why}}", tv{"JID": jid, "Why": refusedReason(e)}), now)
	return c.Room
}

func (a *App) refreshRoomIfShown(room string) {
	if a.onMain && (a.activeRoom == room || strings.HasPrefix(a.activeRoom, room+"/")) {
		a.main.room.show()
	}
}

// loadOlder asks the archive for the lines before the first one shown
// (the newest page first, when none came from the archive yet).
func (a *App) loadOlder(key string) {
	if key == "" || a.rooms.PrivateByKey(key) != nil || !a.rooms.Has(key) {
		return
	}
	r := a.rooms.Room(key)
	if r.Loading || r.Complete {
		return
	}
	first := ""
	for _, l := range r.Lines {
		if l.ArchiveID != "" {
			first = l.ArchiveID
			break
		}
	}
	if first == "" {
		if r.asked {
			return
		}
		r.asked = true
	}
	r.Loading = true
	a.do(event.GetHistory{Conversation: key, BeforeID: first})
}

// notifyRoom notifies a message in a room or a private message while the
// window is not focused.
func (a *App) notifyRoom(title, body string) {
	if a.notify == nil {
		return
	}
	now := a.now()
	if now.Sub(a.lastNote) < noteEvery {
		return
	}
	a.lastNote = now
	a.notify(fyne.NewNotification(title, body))
}

// applyRoom applies a group chat event. It reports which room key changed
// and whether the sidebar must be redrawn.
func (a *App) applyRoom(ev event.Event, now time.Time) (key string, sidebar bool) {
	switch e := ev.(type) {
	case event.RoomJoined:
		r := a.rooms.Joined(e)
		a.rooms.RemoveInvite(e.Room)
		if e.Created {
			a.rooms.System(r.JID, lang.L("You created this room."), now)
		}
		if a.joining[e.Room] {
			delete(a.joining, e.Room)
			a.pendingOpen = e.Room
		}
		return r.JID, true
	case event.OccupantChange:
		r := a.rooms.Occupant(e)
		return r.JID, false
	case event.RoomMessage:
		if strings.TrimSpace(e.Body) == "" {
			return "", false
		}
		r, added := a.rooms.Message(e)
		if !added {
			return "", false
		}
		mine := e.Outgoing || (r.Nick != "" && e.Nick == r.Nick)
		// The history a room sends on joining, and what comes from its
		// archive, is context, not news.
		news := !mine && !e.Delayed && !e.Archived
		if news && (a.activeRoom != r.JID || !a.focused) {
			r.Unread++
			sidebar = true
		}
		if news && !a.focused {
			a.notifyRoom(NotePrefix(e.Trust, e.FromJID)+lang.L("{{.Nick}} in {{.Room}}", tv{"Nick": e.Nick, "Room": r.Title()}), e.Body)
		}
		return r.JID, sidebar
	case event.RoomTopic:
		r := a.rooms.Room(e.Room)
		r.Topic, r.TopicBy = e.Topic, e.By
		return r.JID, false
	case event.RoomLeft:
		r := a.rooms.Left(e)
		msg := lang.L("You left the room.")
		if e.Reason != "" {
			msg = lang.L("You are no longer in the room: {{.Why}}", tv{"Why": e.Reason})
		}
		a.rooms.System(r.JID, msg, now)
		return r.JID, true
	case event.RoomPrivateMessage:
		if strings.TrimSpace(e.Body) == "" {
			return "", false
		}
		pc, added := a.rooms.PrivateMessage(e)
		if !added {
			return "", false
		}
		if !e.Outgoing && (a.activeRoom != pc.Key() || !a.focused) {
			pc.Unread++
		}
		if !e.Outgoing && !a.focused {
			a.notifyRoom(NotePrefix(e.Trust, e.FromJID)+PrivateTitle(a.rooms.Room(e.Room).Title(), e.Nick), e.Body)
		}
		return pc.Key(), true
	case event.RoomBanner:
		r := a.rooms.Room(e.Room)
		r.Banner = e
		return r.JID, true
	case event.RoomInvite:
		a.rooms.AddInvite(e)
		return "", true
	case event.RoomInfo:
		r := a.rooms.Info(e)
		return r.JID, true
	case event.RoomDeclined:
		a.rooms.System(e.Room, DeclinedNotice(e), now)
		return bareJID(e.Room), false
	case event.Bookmarks:
		a.rooms.SetBookmarks(e.Items)
		return "", true
	}
	return "", false
}

// roomKeyShown reports whether key (a room or private chat) is what the
// room pane shows, or a private chat of the room shown.
func (a *App) roomKeyShown(key string) bool {
	return key != "" && a.activeRoom != "" && (a.activeRoom == key || strings.HasPrefix(a.activeRoom, key+"/"))
}

// roomTitle names a conversation key for search results and exports.
func (a *App) convTitle(conv string) string {
	if pc := a.rooms.PrivateByKey(conv); pc != nil {
		return PrivateTitle(a.rooms.Room(pc.Room).Title(), pc.Nick)
	}
	if a.rooms.Has(conv) {
		return lang.L("Room {{.Room}}", tv{"Room": a.rooms.Room(conv).Title() + " (" + conv + ")"})
	}
	c := a.roster.Contact(conv)
	if c.Name != "" {
		return fmt.Sprintf("%s (%s)", c.Name, c.JID)
	}
	return conv
}
