package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/textsafe"
)

// maxRoomLines bounds the lines a room view draws at once (the newest);
// older ones come back from the archive on scrolling up.
const maxRoomLines = 400

// roomPane shows a room (title, topic, banner, messages with each sender's
// nickname and trust badge, occupants) or a private conversation inside a
// room, clearly marked as such.
type roomPane struct {
	app  *App
	root *fyne.Container

	title    *canvas.Text
	address  *widget.Label
	topic    *widget.Label
	topicBtn *widget.Button
	invite   *widget.Button
	leave    *widget.Button
	rejoin   *widget.Button
	menuBtn  *widget.Button
	banner   *tintBanner
	private  *tintBanner
	privChip *chip

	lines      *fyne.Container
	scroll     *container.Scroll
	occupants  *fyne.Container
	occHeader  *widget.Label
	occPanel   fyne.CanvasObject
	body       *fyne.Container
	split      *container.Split
	composer   *composerEntry
	sendBtn    *widget.Button
	who        *widget.Label
	key        string // what is shown: a room JID or room/nick
	highlight  string // archive id or message id to highlight
	shownLines int
}

func newRoomPane(a *App) *roomPane {
	p := &roomPane{app: a}
	p.title = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	p.title.TextStyle = fyne.TextStyle{Bold: true}
	p.title.TextSize = theme.TextSubHeadingSize()
	p.address = widget.NewLabel("")
	p.address.Truncation = fyne.TextTruncateEllipsis
	p.topic = widget.NewLabel("")
	p.topic.Wrapping = fyne.TextWrapWord
	p.topicBtn = widget.NewButtonWithIcon(lang.L("Edit topic"), theme.DocumentCreateIcon(), func() { a.editTopic(p.key) })
	p.topicBtn.Importance = widget.LowImportance
	p.invite = widget.NewButtonWithIcon(lang.L("Invite…"), theme.ContentAddIcon(), func() { a.showInvite(p.key) })
	p.leave = widget.NewButtonWithIcon(lang.L("Leave"), theme.LogoutIcon(), func() { a.leaveRoom(p.key) })
	p.leave.Importance = widget.LowImportance
	p.rejoin = widget.NewButtonWithIcon(lang.L("Join again"), theme.LoginIcon(), func() { a.rejoin(p.key) })
	p.menuBtn = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), nil)
	p.menuBtn.OnTapped = func() { a.conversationMenu(p.key, p.menuBtn) }
	p.menuBtn.Importance = widget.LowImportance
	p.banner = newTintBanner()
	p.private = newTintBanner()
	p.privChip = newChip()

	p.lines = container.NewVBox()
	p.scroll = container.NewVScroll(p.lines)
	p.scroll.OnScrolled = func(pos fyne.Position) {
		if pos.Y <= 0 {
			a.loadOlder(p.key)
		}
	}
	p.occupants = container.NewVBox()
	p.occHeader = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.occPanel = container.NewBorder(p.occHeader, nil, nil, nil, container.NewVScroll(p.occupants))
	p.split = container.NewHSplit(p.scroll, p.occPanel)
	p.split.Offset = 0.66
	p.body = container.NewStack(p.split)

	p.composer = newComposerEntry(p.send)
	p.composer.SetPlaceHolder(lang.L("Write to the room. Enter sends, Shift+Enter starts a new line."))
	p.sendBtn = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), p.send)
	p.sendBtn.Importance = widget.HighImportance
	p.who = widget.NewLabel("")
	p.who.SizeName = theme.SizeNameCaptionText
	p.who.Truncation = fyne.TextTruncateEllipsis

	names := container.NewVBox(container.NewHBox(p.title, p.privChip.root), p.address)
	buttons := container.NewHBox(p.invite, p.rejoin, p.leave, p.menuBtn)
	header := container.NewBorder(nil, nil, nil, container.NewCenter(buttons), names)
	topic := container.NewBorder(nil, nil, nil, container.NewCenter(p.topicBtn), p.topic)
	top := container.NewVBox(container.NewPadded(header), topic, p.banner.root, p.private.root, widget.NewSeparator())
	bottom := container.New(&tightVBox{}, container.NewPadded(container.NewBorder(nil, nil, nil, p.sendBtn, p.composer)), p.who)
	p.root = container.NewBorder(top, container.NewPadded(bottom), nil, nil, p.body)
	p.root.Hide()
	return p
}

func (p *roomPane) send() {
	text := p.composer.Text
	if strings.TrimSpace(text) == "" || p.key == "" {
		return
	}
	p.app.sendRoom(p.key, text)
	p.composer.SetText("")
	p.show()
	p.scroll.ScrollToBottom()
}

// show draws the room or private chat p.app.activeRoom.
func (p *roomPane) show() {
	a := p.app
	key := a.activeRoom
	if key == "" {
		p.key = ""
		p.root.Hide()
		return
	}
	switched := p.key != key
	if j := a.jump; switched && (j == nil || j.Conv != key && !strings.HasPrefix(key, j.Conv+"/")) {
		p.highlight = ""
	}
	p.key = key
	p.root.Show()
	if pc := a.rooms.PrivateByKey(key); pc != nil {
		p.showPrivate(pc)
	} else {
		p.showRoom(a.rooms.Room(key))
	}
	if switched {
		p.composer.SetText("")
		p.root.Refresh() // lay the new lines out before scrolling to them
		p.settle()
		a.win.Canvas().Focus(p.composer)
	}
}

func (p *roomPane) showRoom(r *Room) {
	a := p.app
	p.title.Text = r.Title()
	p.title.Refresh()
	p.privChip.set(Badge{})
	addr := r.JID
	if r.Joined {
		addr += "  ·  " + lang.L("you are {{.Nick}}", tv{"Nick": r.Nick}) + "  ·  " + lang.L("{{.N}} in the room", tv{"N": len(r.Occupants)})
	} else {
		addr += "  ·  " + lang.L("not joined")
		if r.LeftReason != "" {
			addr += " (" + r.LeftReason + ")"
		}
	}
	p.address.SetText(addr)
	if t := strings.TrimSpace(r.Topic); t != "" {
		p.topic.SetText(lang.L("Topic: {{.Topic}}", tv{"Topic": t}))
	} else {
		p.topic.SetText(lang.L("No topic"))
	}
	p.topic.Show()
	p.topicBtn.Hidden = !r.MayChangeTopic()
	p.topicBtn.Refresh()
	p.invite.Hidden = !r.Joined
	p.leave.Hidden = !r.Joined
	p.rejoin.Hidden = r.Joined
	p.invite.Refresh()
	p.leave.Refresh()
	p.rejoin.Refresh()
	b := RoomBannerWords(r.Banner)
	p.banner.setTitled(b.Kind, b.Title, b.Text)
	p.private.set(BannerHidden, "")

	p.occupants.RemoveAll()
	occ := r.OccupantList()
	p.occHeader.SetText(lang.L("In the room ({{.N}})", tv{"N": len(occ)}))
	for _, o := range occ {
		p.occupants.Add(occupantRow(o))
	}
	p.occupants.Refresh()
	p.body.Objects = []fyne.CanvasObject{p.split}
	p.split.Leading = p.scroll
	p.split.Refresh()
	p.body.Refresh()
	p.fill(r.Lines, false)
	if p.lines.MinSize().Height < p.scroll.Size().Height {
		// Nothing to scroll yet: fetch older lines until the view is full.
		a.loadOlder(r.JID)
	}
	p.composer.SetPlaceHolder(lang.L("Write to everyone in {{.Room}}. Enter sends, Shift+Enter starts a new line.", tv{"Room": r.Title()}))
	if r.Joined {
		p.composer.Enable()
		p.sendBtn.Enable()
		p.who.SetText(externalNote(r.Banner))
	} else {
		p.composer.Disable()
		p.sendBtn.Disable()
		p.who.SetText(lang.L("You are not in this room: join it again to write."))
	}
}

// externalNote says who outside the organisation reads a room message.
func externalNote(b event.RoomBanner) string {
	if b.Lookalike {
		return lang.L("Everyone in the room reads this, including someone using a lookalike address")
	}
	if b.External {
		return lang.L("Everyone in the room reads this, including people outside your organisation")
	}
	return lang.L("Everyone in the room reads this")
}

func (p *roomPane) showPrivate(pc *PrivateChat) {
	room := p.app.rooms.Room(pc.Room)
	p.title.Text = pc.Nick
	p.title.Refresh()
	p.privChip.set(roomBadge(pc.Trust, pc.FromJID))
	addr := lang.L("JID hidden by the room")
	if pc.FromJID != "" {
		addr = pc.FromJID
	}
	p.address.SetText(addr + "  ·  " + lang.L("in {{.Room}} ({{.JID}})", tv{"Room": room.Title(), "JID": pc.Room}))
	p.topic.Hide()
	p.topicBtn.Hide()
	p.invite.Hide()
	p.leave.Hide()
	p.rejoin.Hide()
	p.banner.set(BannerHidden, "")
	p.private.setTitled(BannerInfo, PrivateTitle(room.Title(), pc.Nick),
		lang.L("This is not a direct chat: it goes through the room, and {{.Nick}} is known only by their nickname there{{.Who}}.", tv{"Nick": pc.Nick, "Who": privateWho(pc)}))
	p.body.Objects = []fyne.CanvasObject{p.scroll}
	p.body.Refresh()
	p.fill(pc.Lines, true)
	p.composer.SetPlaceHolder(lang.L("Write privately to {{.Nick}} in {{.Room}}.", tv{"Nick": pc.Nick, "Room": room.Title()}))
	if room.Joined {
		p.composer.Enable()
		p.sendBtn.Enable()
		p.who.SetText(lang.L("Only {{.Nick}} reads this, through the room {{.Room}}", tv{"Nick": pc.Nick, "Room": pc.Room}))
	} else {
		p.composer.Disable()
		p.sendBtn.Disable()
		p.who.SetText(lang.L("You are not in {{.Room}}: join it again to write.", tv{"Room": room.Title()}))
	}
}

func privateWho(pc *PrivateChat) string {
	if pc.FromJID != "" {
		return " (" + lang.L("the room says they are {{.JID}}", tv{"JID": pc.FromJID}) + ")"
	}
	return ""
}

// PrivateTitle is the mark on a private conversation inside a room.
func PrivateTitle(room, nick string) string {
	return lang.L("Private message in room {{.Room}} from {{.Nick}}", tv{"Room": room, "Nick": nick})
}

// RoomBannerWords is the banner of a room with people from outside the
// organisation, from the session's RoomBanner.
func RoomBannerWords(b event.RoomBanner) ChatBanner {
	if sum := strings.TrimSpace(b.Summary); sum != "" && !strings.HasSuffix(sum, ".") {
		b.Summary = sum + "."
	}
	switch {
	case b.Lookalike:
		return ChatBanner{Kind: BannerError, Title: lang.L("Warning: someone in this room uses a lookalike address."),
			Text: strings.TrimSpace(b.Summary + " " + lang.L("Do not share passwords, payments or files here."))}
	case b.External:
		return ChatBanner{Kind: BannerWarning, Title: lang.L("People outside your organisation are in this room."),
			Text: strings.TrimSpace(b.Summary + " " + lang.L("Everything written here reaches them."))}
	}
	return ChatBanner{}
}

// fill draws the lines (the newest maxRoomLines).
func (p *roomPane) fill(lines []RoomLine, private bool) {
	a := p.app
	start := 0
	if len(lines) > maxRoomLines {
		start = len(lines) - maxRoomLines
	}
	atEnd := p.scroll.Offset.Y+p.scroll.Size().Height >= p.lines.MinSize().Height-4
	p.lines.RemoveAll()
	if len(lines) == 0 {
		l := widget.NewLabelWithStyle(lang.L("No messages yet."), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
		p.lines.Add(l)
	}
	now := a.now()
	for _, l := range lines[start:] {
		hl := p.highlight != "" && (l.ArchiveID == p.highlight || l.ID == p.highlight)
		p.lines.Add(roomLineRow(l, now, hl, private, a.rooms.Room(p.key).Nick))
	}
	p.lines.Refresh()
	p.shownLines = len(lines) - start
	if atEnd && p.highlight == "" {
		p.scroll.ScrollToBottom()
		p.settle()
	}
}

// settle scrolls to the highlighted line, or to the end, once more after
// the lines are laid out at their width (wrapped lines grow taller).
func (p *roomPane) settle() {
	move := func() {
		if p.highlight != "" {
			p.scrollToHighlight()
		} else {
			p.scroll.ScrollToBottom()
		}
	}
	move()
	key := p.key
	p.app.after(60*time.Millisecond, func() {
		if p.key == key {
			move()
		}
	})
}

// roomLineRow is one line: the nickname, its trust badge, the time, the
// body; a highlighted line (a search result) is tinted.
func roomLineRow(l RoomLine, now time.Time, hl, private bool, self string) fyne.CanvasObject {
	var head []fyne.CanvasObject
	if l.System {
		s := widget.NewLabelWithStyle(lang.L("Palisade"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head = append(head, s)
	} else {
		nick := textsafe.Name(l.Nick) // no hidden or reordering characters
		if l.Outgoing {
			nick = lang.L("You")
			if self != "" && !private {
				nick = lang.L("You ({{.Nick}})", tv{"Nick": self})
			}
		}
		s := widget.NewLabelWithStyle(nick, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head = append(head, s)
		if !l.Outgoing {
			c := newChip()
			c.set(roomBadge(l.Trust, l.FromJID))
			head = append(head, c.root)
		}
	}
	when := formatTime(l.Time, now)
	if l.Delayed && !l.Outgoing && !l.System {
		when += "  (" + lang.L("earlier") + ")"
	}
	w := widget.NewLabel(when)
	w.SizeName = theme.SizeNameCaptionText
	head = append(head, w)
	body := widget.NewLabel(textsafe.Text(l.Body))
	body.Wrapping = fyne.TextWrapWord
	body.Selectable = !l.System
	if l.System {
		body.TextStyle = fyne.TextStyle{Italic: true}
		body.Importance = widget.WarningImportance
	}
	lines := []fyne.CanvasObject{container.NewHBox(head...), body}
	warn := false
	if !l.Outgoing && !l.System {
		who := textsafe.Name(l.Nick)
		if l.Trust.Person != "" {
			who = textsafe.Name(l.Trust.Person)
		}
		var note string
		note, warn = SignatureNote(l.Signature, who)
		if note != "" {
			lines = append(lines, signatureLine(note, warn))
		}
	}
	row := container.New(&tightVBox{}, lines...)
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = theme.InputRadiusSize()
	switch {
	case hl:
		bg.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x50)
		bg.StrokeColor = theme.Color(theme.ColorNameWarning)
		bg.StrokeWidth = 2
	case warn:
		// A message whose signature is missing or wrong stands out.
		bg.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x30)
	case l.Outgoing:
		bg.FillColor = withAlpha(theme.Color(theme.ColorNamePrimary), 0x22)
	}
	return container.NewStack(bg, row)
}

// signatureLine is the small line under a received room message about its
// device signature: a shield for a valid one, a warning otherwise.
func signatureLine(note string, warn bool) fyne.CanvasObject {
	icon := widget.NewIcon(theme.NewColoredResource(shieldCheckSVG, theme.ColorNameSuccess))
	text := widget.NewLabel(note)
	text.SizeName = theme.SizeNameCaptionText
	text.Wrapping = fyne.TextWrapWord
	if warn {
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		text.Importance = widget.WarningImportance
		text.TextStyle = fyne.TextStyle{Bold: true}
	}
	return container.NewBorder(nil, nil, icon, nil, text)
}

// occupantRow is one occupant: nickname, badge, real address or "JID
// hidden by the room", role.
func occupantRow(o event.Occupant) fyne.CanvasObject {
	name := textsafe.Name(o.Nick)
	if o.Self {
		name += " (" + lang.L("you") + ")"
	}
	n := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	n.Truncation = fyne.TextTruncateEllipsis
	c := newChip()
	c.set(roomBadge(o.Trust, o.JID))
	jid := o.JID
	if jid == "" {
		jid = lang.L("JID hidden by the room")
	}
	if o.Role == event.RoleModerator {
		jid += "  ·  " + lang.L("moderator")
	} else if o.Role == event.RoleVisitor {
		jid += "  ·  " + lang.L("visitor")
	}
	d := widget.NewLabel(jid)
	d.SizeName = theme.SizeNameCaptionText
	d.Truncation = fyne.TextTruncateEllipsis
	// The badges get a line of their own, so that a long nickname and two
	// badges (organisation and identity) never squeeze each other.
	rows := []fyne.CanvasObject{n, container.NewHBox(c.root), d}
	if w := PresenceWords(o.Show, textsafe.Name(o.Status)); w != "" {
		pl := widget.NewLabelWithStyle(w, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		pl.SizeName = theme.SizeNameCaptionText
		pl.Truncation = fyne.TextTruncateEllipsis
		rows = append(rows, pl)
	}
	return container.New(&tightVBox{}, rows...)
}

// roomSection is the sidebar's Rooms section.
func (v *mainView) refreshRooms() {
	a := v.app
	box := v.roomsBox
	box.RemoveAll()
	rows := a.rooms.Rows()
	invites := a.rooms.Invites()
	if len(rows) == 0 && len(invites) == 0 {
		// No room yet: "+" beside the filter joins or creates one.
		box.Refresh()
		return
	}
	join := widget.NewButtonWithIcon(lang.L("Join…"), theme.LoginIcon(), a.showJoinRoom)
	join.Importance = widget.LowImportance
	create := widget.NewButtonWithIcon(lang.L("Create…"), theme.ContentAddIcon(), a.showCreateRoom)
	create.Importance = widget.LowImportance
	head := widget.NewLabelWithStyle(lang.L("Rooms"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box.Add(small(container.NewBorder(nil, nil, head, container.NewHBox(join, create))))
	for _, inv := range invites {
		box.Add(v.inviteCard(inv))
	}
	for _, r := range rows {
		box.Add(v.roomRow(r))
	}
	box.Add(widget.NewSeparator())
	box.Refresh()
}

func (v *mainView) roomRow(r RoomRow) fyne.CanvasObject {
	a := v.app
	text := r.Title
	icon := theme.ListIcon()
	if r.Private {
		text = lang.L("Private: {{.Nick}} in {{.Room}}", tv{"Nick": r.Nick, "Room": localPart(r.Room)})
		icon = theme.MailReplyIcon()
	}
	switch {
	case r.Lookal:
		text += "  · " + lang.L("lookalike inside")
		icon = theme.NewErrorThemedResource(theme.WarningIcon())
	case r.Banner:
		text += "  · " + lang.L("external people")
		icon = theme.NewWarningThemedResource(theme.WarningIcon())
	}
	if r.Bookmrk {
		text += "  · " + lang.L("not joined")
	}
	if r.Unread > 0 {
		text += fmt.Sprintf("  (%d)", r.Unread)
	}
	key := r.Key
	b := widget.NewButtonWithIcon(text, icon, func() { a.openRoom(key) })
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	if r.Unread > 0 {
		b.Importance = widget.HighImportance
	}
	var o fyne.CanvasObject = b
	if a.activeRoom == key {
		// The open conversation is highlighted as in the roster.
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
		bg.CornerRadius = theme.SelectionRadiusSize()
		o = container.NewStack(bg, b)
	}
	if r.Private {
		o = container.New(layout.NewCustomPaddedLayout(0, 0, 14, 0), o)
	}
	return small(o)
}

// inviteCard is an invitation: who invites (with their trust), to which
// room, why, and Join / Decline.
func (v *mainView) inviteCard(inv event.RoomInvite) fyne.CanvasObject {
	a := v.app
	title := widget.NewLabelWithStyle(lang.L("Invitation to {{.Room}}", tv{"Room": inv.Room}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	from, jid := inv.From, inv.From
	if bareJID(inv.From) == inv.Room {
		// The room hides who invited: only their nickname is known.
		from = strings.TrimPrefix(inv.From, inv.Room+"/") + " (" + lang.L("address hidden by the room") + ")"
		jid = ""
	}
	who := widget.NewLabel(lang.L("from {{.Who}}", tv{"Who": from}))
	who.Truncation = fyne.TextTruncateEllipsis
	c := newChip()
	c.set(roomBadge(inv.Trust, jid))
	items := []fyne.CanvasObject{title, container.NewBorder(nil, nil, nil, c.root, who)}
	if r := strings.TrimSpace(inv.Reason); r != "" {
		l := widget.NewLabel("“" + r + "”")
		l.Wrapping = fyne.TextWrapWord
		items = append(items, l)
	}
	room := inv.Room
	joinB := widget.NewButtonWithIcon(lang.L("Join"), theme.ConfirmIcon(), func() { a.acceptInvite(room) })
	joinB.Importance = widget.HighImportance
	decline := widget.NewButtonWithIcon(lang.L("Decline"), theme.CancelIcon(), func() { a.declineInvite(room) })
	items = append(items, container.NewGridWithColumns(2, joinB, decline))
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNamePrimary), 0x22))
	if inv.Trust.External() && inv.Trust.Class != "" {
		bg.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x22)
	}
	if inv.Trust.Class == event.ClassLookalike {
		bg.FillColor = withAlpha(theme.Color(theme.ColorNameError), 0x30)
	}
	bg.CornerRadius = theme.InputRadiusSize()
	return small(container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(2, 3, 2, 2), container.New(&tightVBox{}, items...))))
}
