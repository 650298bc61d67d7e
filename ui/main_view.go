package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// mainView is the signed-in window: banner, own status, roster, chat.
type mainView struct {
	app  *App
	root fyne.CanvasObject

	// banner
	banner      *fyne.Container
	bannerBg    *canvas.Rectangle
	bannerIcon  *widget.Icon
	bannerText  *widget.Label
	retryNow    *widget.Button
	signInAgain *widget.Button
	errLine     *fyne.Container
	errText     *widget.Label

	// own status
	account    *widget.Label
	ownIcon    *widget.Icon
	ownSelect  *widget.Select
	ownMessage *widget.Entry
	updating   bool

	// roster
	filter   *widget.Entry
	requests *fyne.Container
	// requestsFolded: the Requests area shows only its header line.
	requestsFolded bool
	list           *widget.List
	rows           []RosterRow
	// headerIDs are the list rows currently given the (shorter) heading height.
	headerIDs         map[int]bool
	headerH, contactH float32
	bulk              bool // the filter or the whole roster changed: rows are rebuilt from the top

	chat *chatPane
	// room shows a room or a private chat in a room, in the chat's place.
	room     *roomPane
	roomsBox *fyne.Container

	// policy surfaces: IT bulletins and profile notices above everything,
	// the settings panel and bulletin list while open.
	bulletins    *fyne.Container
	bulletinOpen map[string]bool // bulletin banners showing their whole text
	notices      *fyne.Container
	bulletinsBtn *widget.Button
	settingsBtn  *widget.Button
	settings     *fyne.Container // nil unless the settings panel is open
	bulletinList *fyne.Container // nil unless the bulletin list is open

	// enrolNote is this device's enrolment when it needs the user (a lost
	// key, an expired certificate); enrolButtons are the account panel's
	// Request / Export / Import while it is open.
	enrolNote    *fyne.Container
	enrolButtons []*widget.Button
}

func newMainView(a *App) *mainView {
	v := &mainView{app: a, bulletinOpen: map[string]bool{}}

	// Connection banner.
	v.bannerBg = canvas.NewRectangle(color.Transparent)
	v.bannerIcon = widget.NewIcon(theme.InfoIcon())
	v.bannerText = widget.NewLabel("")
	v.bannerText.Wrapping = fyne.TextWrapWord
	v.retryNow = widget.NewButtonWithIcon(lang.L("Retry now"), theme.ViewRefreshIcon(), func() { a.do(event.Reconnect{}) })
	v.signInAgain = widget.NewButtonWithIcon(lang.L("Sign in again"), theme.LoginIcon(), func() { a.backToSignIn(a.conn.Message) })
	v.banner = container.NewStack(v.bannerBg, container.NewBorder(nil, nil, v.bannerIcon,
		container.NewHBox(v.retryNow, v.signInAgain), v.bannerText))
	v.banner.Hide()
	v.errText = widget.NewLabel("")
	v.errText.Wrapping = fyne.TextWrapWord
	v.errText.Importance = widget.DangerImportance
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
		a.lastErr = ""
		a.refreshBannerQuiet()
	})
	dismiss.Importance = widget.LowImportance
	v.errLine = container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon())), dismiss, v.errText)
	v.errLine.Hide()

	// Own status.
	v.account = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.account.Truncation = fyne.TextTruncateEllipsis
	v.ownIcon = widget.NewIcon(presenceIcon(event.ShowAvailable))
	words := make([]string, len(ownShows))
	for i, s := range ownShows {
		words[i] = presenceWord(s)
	}
	v.ownSelect = widget.NewSelect(words, func(w string) {
		if !v.updating {
			a.setOwnPresence(showFromWord(w), strings.TrimSpace(v.ownMessage.Text))
		}
	})
	v.ownMessage = widget.NewEntry()
	v.updating = true
	v.ownSelect.SetSelected(presenceWord(event.ShowAvailable))
	v.updating = false
	v.ownMessage.SetPlaceHolder(lang.L("Status message"))
	v.ownMessage.OnSubmitted = func(s string) { a.setOwnPresence(a.ownShow, strings.TrimSpace(s)) }
	signOut := widget.NewButtonWithIcon(lang.L("Sign out"), theme.LogoutIcon(), a.signOut)
	signOut.Importance = widget.LowImportance
	v.settingsBtn = widget.NewButtonWithIcon(lang.L("Settings"), theme.SettingsIcon(), v.showSettings)
	v.settingsBtn.Importance = widget.LowImportance
	v.bulletinsBtn = widget.NewButtonWithIcon(lang.L("Bulletins"), theme.WarningIcon(), v.showBulletins)
	v.bulletinsBtn.Importance = widget.LowImportance
	me := container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), signOut, v.account)
	status := container.NewBorder(nil, nil, container.NewHBox(v.ownIcon, v.ownSelect), nil, v.ownMessage)
	v.bulletins = container.NewVBox()
	v.notices = container.NewVBox()
	v.enrolNote = container.NewVBox()

	// Roster.
	v.filter = widget.NewEntry()
	v.filter.SetPlaceHolder(lang.L("Filter by name or address (Ctrl+F)"))
	v.filter.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.filter.OnChanged = func(s string) {
		a.roster.SetFilter(s)
		v.refreshRosterBulk()
	}
	// Enter opens the first contact the filter matches and clears it: a
	// quick way to a conversation from the keyboard (Ctrl+F, name, Enter).
	v.filter.OnSubmitted = func(string) {
		for _, r := range v.rows {
			if r.Kind == RowContact {
				v.filter.SetText("")
				a.open(r.Contact.JID)
				return
			}
		}
	}
	v.requests = container.New(layout.NewCustomPaddedVBoxLayout(2))
	tmpl := newRosterItem()
	v.contactH = tmpl.contact.MinSize().Height
	v.headerH = tmpl.header.MinSize().Height
	v.headerIDs = map[int]bool{}
	v.list = widget.NewList(
		func() int { return len(v.rows) },
		func() fyne.CanvasObject { return newRosterItem() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.rows) {
				o.(*rosterItem).set(v.rows[id], v.app.active)
			}
		})
	v.list.OnSelected = func(id widget.ListItemID) {
		if id >= len(v.rows) {
			return
		}
		// The open conversation is highlighted by the row itself: a list
		// selection would scroll the roster back to it on every refresh.
		v.list.Unselect(id)
		r := v.rows[id]
		if r.Kind == RowGroup {
			a.roster.ToggleGroup(r.Group)
			v.refreshRoster()
			return
		}
		a.open(r.Contact.JID)
	}
	// "+" adds a contact or joins or creates a room.
	var add *widget.Button
	add = widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() {
		m := fyne.NewMenu("",
			fyne.NewMenuItem(lang.L("Add a contact…"), func() { a.showAddContact("", "") }),
			fyne.NewMenuItem(lang.L("Join a room…"), a.showJoinRoom),
			fyne.NewMenuItem(lang.L("Create a room…"), a.showCreateRoom))
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(add).Add(fyne.NewPos(0, add.Size().Height))
		widget.ShowPopUpMenuAtPosition(m, a.win.Canvas(), pos)
	})
	v.roomsBox = container.New(layout.NewCustomPaddedVBoxLayout(0))
	search := widget.NewButtonWithIcon(lang.L("Search"), theme.SearchIcon(), func() { a.showSearch("") })
	search.Importance = widget.LowImportance
	export := widget.NewButtonWithIcon(lang.L("Export…"), theme.DocumentSaveIcon(), func() { a.showExport("") })
	export.Importance = widget.LowImportance
	left := container.NewBorder(
		container.NewVBox(me, status, widget.NewSeparator(), v.requests, v.roomsBox, container.NewBorder(nil, nil, nil, add, v.filter)),
		container.NewVBox(widget.NewSeparator(), small(container.NewHBox(v.settingsBtn, v.bulletinsBtn, search, export))), nil, nil, v.list)

	v.chat = newChatPane(a)
	v.room = newRoomPane(a)
	split := container.NewHSplit(left, container.NewStack(v.chat.root, v.room.root))
	split.Offset = 0.34
	top := container.NewVBox(v.bulletins, v.banner, v.errLine, v.enrolNote, a.trainingNote(), v.notices, a.focusIndicator())
	v.root = container.NewBorder(top, nil, nil, nil, split)
	return v
}

func (v *mainView) reset() {
	v.filter.SetText("")
	v.rows = nil
	v.list.UnselectAll()
	v.requests.RemoveAll()
	v.bulletins.RemoveAll()
	v.notices.RemoveAll()
	v.enrolNote.RemoveAll()
	v.app.ident = identityState{}
	v.chat.reset()
	v.room.key, v.room.highlight = "", ""
	v.showRoomPane()
}

// showRoomPane shows the room pane in the chat's place when a room or a
// private chat in a room is open, else the chat pane.
func (v *mainView) showRoomPane() {
	if v.app.activeRoom == "" {
		v.room.show()
		v.chat.root.Show()
		return
	}
	v.chat.root.Hide()
	v.room.show()
	v.refreshRooms()
}

func (v *mainView) refreshAll() {
	v.refreshOwn()
	v.refreshRoster()
	v.refreshRequests()
	v.refreshProfile()
	v.refreshEnrolment()
	v.refreshRooms()
	v.chat.show()
	v.app.refreshBannerQuiet()
}

func (v *mainView) refreshOwn() {
	v.account.SetText(v.app.self)
	v.updating = true
	v.ownSelect.SetSelected(presenceWord(v.app.ownShow))
	if v.app.win.Canvas().Focused() != v.ownMessage {
		v.ownMessage.SetText(v.app.ownMsg)
	}
	v.updating = false
	v.ownIcon.SetResource(presenceIcon(v.app.ownShow))
}

// refreshRosterBulk redraws the roster after a change that moves most rows
// (a new filter, a whole new roster), and shows it from the top.
func (v *mainView) refreshRosterBulk() {
	v.bulk = true
	v.refreshRoster()
	v.bulk = false
}

func (v *mainView) refreshRoster() {
	rows := v.app.roster.Rows()
	// Each height change refreshes the list. After a bulk change, many
	// headings move: present an empty list while heights are set, so that
	// those refreshes cost nothing, and start again from the top.
	if v.bulk {
		v.rows = nil
	} else {
		v.rows = rows
	}
	headers := map[int]bool{}
	for i, r := range rows {
		if r.Kind == RowGroup {
			headers[i] = true
			v.list.SetItemHeight(i, v.headerH)
		}
	}
	for i := range v.headerIDs {
		if !headers[i] {
			v.list.SetItemHeight(i, v.contactH)
		}
	}
	v.headerIDs = headers
	v.rows = rows
	v.list.Refresh()
	if v.bulk {
		v.list.ScrollToTop()
	}
	if v.app.active != "" {
		v.chat.refreshHeader()
	}
}

// chatChanged redraws the open conversation. New messages scroll it to the
// end only if the user was reading the end, not older messages.
func (v *mainView) chatChanged(appended bool) {
	follow := appended && v.chat.shownFor == v.app.active && v.chat.list.atEnd()
	v.chat.show()
	if follow {
		v.chat.scrollToEnd()
	}
}

func (v *mainView) setBanner(b Banner, errMsg string) {
	if b.Kind == BannerHidden {
		v.banner.Hide()
	} else {
		var c fyne.ThemeColorName
		var icon fyne.Resource
		switch b.Kind {
		case BannerSuccess:
			c, icon = theme.ColorNameSuccess, theme.NewSuccessThemedResource(theme.ConfirmIcon())
		case BannerWarning:
			c, icon = theme.ColorNameWarning, theme.NewWarningThemedResource(theme.WarningIcon())
		case BannerError:
			c, icon = theme.ColorNameError, theme.NewErrorThemedResource(theme.ErrorIcon())
		default:
			c, icon = theme.ColorNamePrimary, theme.InfoIcon()
		}
		col := theme.Color(c)
		r, g, bb, _ := col.RGBA()
		v.bannerBg.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bb >> 8), A: 0x40}
		v.bannerBg.Refresh()
		v.bannerIcon.SetResource(icon)
		v.bannerText.SetText(b.Text)
		if b.RetryNow {
			v.retryNow.Show()
		} else {
			v.retryNow.Hide()
		}
		if b.SignInAgn {
			v.signInAgain.Show()
		} else {
			v.signInAgain.Hide()
		}
		v.banner.Show()
	}
	v.errText.SetText(errMsg)
	if errMsg == "" {
		v.errLine.Hide()
	} else {
		v.errLine.Show()
	}
}

// rosterItem is one row of the roster list: a group heading or a contact.
type rosterItem struct {
	widget.BaseWidget
	root *fyne.Container

	header      *fyne.Container
	headerIcon  *widget.Icon
	headerLabel *widget.Label

	contact  *fyne.Container
	active   *canvas.Rectangle // highlight of the open conversation
	presence *widget.Icon
	name     *widget.Label
	// trust is where the trust mark goes (see the trust UX design); empty
	// until trust levels exist.
	trust   *chip
	detail  *widget.Label
	badge   *fyne.Container
	badgeBg *canvas.Rectangle
	count   *canvas.Text
}

func newRosterItem() *rosterItem {
	it := &rosterItem{}
	it.headerIcon = widget.NewIcon(theme.MenuDropDownIcon())
	it.headerLabel = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	it.header = container.NewHBox(it.headerIcon, it.headerLabel)

	it.presence = widget.NewIcon(presenceIcon(""))
	it.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	it.name.Truncation = fyne.TextTruncateEllipsis
	it.trust = newChip()
	it.detail = widget.NewLabel("")
	it.detail.Truncation = fyne.TextTruncateEllipsis
	it.detail.SizeName = theme.SizeNameCaptionText
	it.badgeBg = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	it.badgeBg.CornerRadius = 9
	it.count = canvas.NewText("", theme.Color(theme.ColorNameForegroundOnPrimary))
	it.count.TextStyle = fyne.TextStyle{Bold: true}
	it.count.TextSize = theme.CaptionTextSize()
	it.count.Alignment = fyne.TextAlignCenter
	it.badge = container.NewCenter(container.NewStack(it.badgeBg, container.New(layout.NewCustomPaddedLayout(1, 1, 6, 6), it.count)))
	nameLine := container.NewBorder(nil, nil, nil, it.trust.root, it.name)
	text := container.New(&tightVBox{}, nameLine, it.detail)
	it.contact = container.NewBorder(nil, nil, container.NewCenter(it.presence), it.badge, text)
	it.active = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	it.active.CornerRadius = theme.SelectionRadiusSize()
	it.active.Hide()
	it.root = container.NewStack(it.active, it.header, it.contact)
	it.ExtendBaseWidget(it)
	return it
}

func (it *rosterItem) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(it.root) }

func (it *rosterItem) set(r RosterRow, active string) {
	it.active.Hidden = r.Kind != RowContact || r.Contact.JID != active
	it.active.Refresh()
	if r.Kind == RowGroup {
		it.contact.Hide()
		it.header.Show()
		if r.Collapsed {
			it.headerIcon.SetResource(theme.MenuExpandIcon())
		} else {
			it.headerIcon.SetResource(theme.MenuDropDownIcon())
		}
		it.headerLabel.SetText(groupTitle(r.Group) + "  ·  " + lang.L("{{.Online}} of {{.Total}} online", tv{"Online": r.Online, "Total": r.Total}))
		return
	}
	it.header.Hide()
	it.contact.Show()
	c := r.Contact
	it.presence.SetResource(presenceIcon(c.Show))
	it.name.SetText(c.DisplayName())
	it.trust.set(TrustBadge(c.Trust, c.JID))
	d := c.JID + "  ·  " + presenceWord(c.Show)
	if c.Status != "" {
		d += " — " + c.Status
	}
	if c.Pending {
		d += "  ·  " + lang.L("awaiting approval")
	}
	it.detail.SetText(d)
	if c.Unread > 0 {
		it.count.Text = fmt.Sprint(c.Unread)
		if c.Unread > 999 {
			it.count.Text = "999+"
		}
		it.count.Refresh()
		it.badge.Show()
	} else {
		it.badge.Hide()
	}
}

// tightVBox stacks objects vertically without padding between them.
type tightVBox struct{}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = fyne.Max(s.Width, m.Width)
		s.Height += m.Height
		n++
	}
	if n > 1 {
		s.Height -= theme.Padding() * float32(n-1)
	}
	return s
}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	total := tightVBox{}.MinSize(objs).Height
	y := (size.Height - total) / 2
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, m.Height))
		y += m.Height - theme.Padding()
	}
}
