package ui

import (
	"fyne.io/fyne/v2/lang"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// shortcut is one keyboard shortcut of the main window: its keys, the
// words shown in the "Keyboard shortcuts" dialog and what it does.
type shortcut struct {
	key  fyne.KeyName
	mod  fyne.KeyModifier
	keys string // as shown to the user
	what string
	run  func(a *App)
}

// shortcuts are the main window's shortcuts, in the order the dialog lists
// them. Ctrl+F and Ctrl+Shift+F (filter, search) are registered in New.
func shortcuts() []shortcut {
	ctrl := fyne.KeyModifierShortcutDefault
	s := []shortcut{
		{fyne.KeyK, ctrl, "Ctrl+K", lang.L("Quick switch: type a name, Enter opens it"), (*App).quickSwitch},
		{fyne.KeyN, ctrl, "Ctrl+N", lang.L("New chat (add a contact)"), func(a *App) { a.showAddContact("", "") }},
		{fyne.KeyTab, fyne.KeyModifierControl, "Ctrl+Tab", lang.L("Next chat"), func(a *App) { a.stepChat(1) }},
		{fyne.KeyTab, fyne.KeyModifierControl | fyne.KeyModifierShift, "Ctrl+Shift+Tab", lang.L("Previous chat"), func(a *App) { a.stepChat(-1) }},
		{fyne.KeyDown, fyne.KeyModifierAlt, "Alt+Down", lang.L("Next chat with unread messages"), func(a *App) { a.stepUnread(1) }},
		{fyne.KeyUp, fyne.KeyModifierAlt, "Alt+Up", lang.L("Previous chat with unread messages"), func(a *App) { a.stepUnread(-1) }},
		{fyne.KeyW, ctrl, "Ctrl+W", lang.L("Close the open chat"), (*App).closeChat},
		{fyne.KeyComma, ctrl, "Ctrl+,", lang.L("Settings"), func(a *App) { a.main.showSettings() }},
		{fyne.KeySlash, ctrl, "Ctrl+/", lang.L("This list of shortcuts"), (*App).showShortcuts},
		{fyne.KeyQ, ctrl, "Ctrl+Q", lang.L("Quit Palisade"), (*App).quit},
	}
	for i := 1; i <= 9; i++ {
		n := i
		s = append(s, shortcut{fyne.KeyName(string(rune('0' + n))), ctrl, "", "", func(a *App) { a.jumpChat(n) }})
	}
	return s
}

// shortcutHelp lists the shortcuts as (keys, what) pairs for the dialog.
func shortcutHelp() [][2]string {
	out := [][2]string{
		{"Ctrl+F", lang.L("Filter the contact list")},
		{"Ctrl+Shift+F", lang.L("Search messages")},
	}
	for _, s := range shortcuts() {
		if s.keys != "" {
			out = append(out, [2]string{s.keys, s.what})
		}
	}
	return append(out,
		[2]string{"Ctrl+1 … Ctrl+9", lang.L("Open the first … ninth chat of the list")},
		[2]string{"Esc", lang.L("Close the dialog on top")})
}

// addShortcuts registers the shortcuts on the window's canvas. They act
// only on the main view (not on the sign-in form).
func (a *App) addShortcuts() {
	c := a.win.Canvas()
	for _, s := range shortcuts() {
		run := s.run
		c.AddShortcut(&desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}, func(fyne.Shortcut) {
			if a.onMain {
				run(a)
			}
		})
	}
	a.win.SetMainMenu(a.mainMenu())
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			a.closeTopDialog()
		}
	})
}

// mainMenu is the window's menu. Its items carry the shortcuts too: the
// desktop driver tries the menu's shortcuts before the focused widget's,
// so they also work while the cursor is in the composer or another entry
// (which keep canvas shortcuts to themselves).
func (a *App) mainMenu() *fyne.MainMenu {
	ctrl := fyne.KeyModifierShortcutDefault
	item := func(label string, key fyne.KeyName, mod fyne.KeyModifier, run func()) *fyne.MenuItem {
		m := fyne.NewMenuItem(label, func() {
			if a.onMain {
				run()
			}
		})
		if key != "" {
			m.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		}
		return m
	}
	var jump []*fyne.MenuItem
	for i := 1; i <= 9; i++ {
		n := i
		jump = append(jump, item(lang.L("Chat {{.N}}", tv{"N": n}), fyne.KeyName(string(rune('0'+n))), ctrl, func() { a.jumpChat(n) }))
	}
	open := fyne.NewMenuItem(lang.L("Open chat"), nil)
	open.ChildMenu = fyne.NewMenu("", jump...)
	quit := fyne.NewMenuItem(lang.L("Quit"), a.quit) // also on the sign-in form
	quit.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: ctrl}
	quit.IsQuit = true
	shortcutsItem := fyne.NewMenuItem(lang.L("Keyboard shortcuts"), a.showShortcuts)
	shortcutsItem.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeySlash, Modifier: ctrl}
	return fyne.NewMainMenu(
		fyne.NewMenu("Palisade",
			item(lang.L("Settings"), fyne.KeyComma, ctrl, func() { a.main.showSettings() }),
			shortcutsItem,
			fyne.NewMenuItemSeparator(),
			quit),
		fyne.NewMenu(lang.L("Chats"),
			item(lang.L("Quick switch"), fyne.KeyK, ctrl, a.quickSwitch),
			item(lang.L("New chat…"), fyne.KeyN, ctrl, func() { a.showAddContact("", "") }),
			item(lang.L("Filter contacts"), fyne.KeyF, ctrl, func() { a.win.Canvas().Focus(a.main.filter) }),
			item(lang.L("Search messages…"), fyne.KeyF, ctrl|fyne.KeyModifierShift, func() { a.showSearch("") }),
			fyne.NewMenuItemSeparator(),
			item(lang.L("Next chat"), fyne.KeyTab, fyne.KeyModifierControl, func() { a.stepChat(1) }),
			item(lang.L("Previous chat"), fyne.KeyTab, fyne.KeyModifierControl|fyne.KeyModifierShift, func() { a.stepChat(-1) }),
			item(lang.L("Next unread"), fyne.KeyDown, fyne.KeyModifierAlt, func() { a.stepUnread(1) }),
			item(lang.L("Previous unread"), fyne.KeyUp, fyne.KeyModifierAlt, func() { a.stepUnread(-1) }),
			open,
			fyne.NewMenuItemSeparator(),
			item(lang.L("Close chat"), fyne.KeyW, ctrl, a.closeChat)))
}

// closeTopDialog hides the dialog or pop-up on top of the window, if any.
func (a *App) closeTopDialog() bool {
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	top.Hide()
	a.win.Canvas().Overlays().Remove(top)
	return true
}

// quickSwitch puts the cursor in the contact filter: typing narrows the
// list and Enter opens the first match.
func (a *App) quickSwitch() {
	a.main.filter.SetText("")
	a.win.Canvas().Focus(a.main.filter)
}

// quit closes the window, which ends the session cleanly.
func (a *App) quit() { a.closeWindow() }

// chatRef is one conversation of the sidebar, in its order.
type chatRef struct {
	key    string
	room   bool
	unread int
}

// chatOrder lists the conversations as the sidebar shows them: the
// contacts of the (filtered) roster, then the rooms and private chats.
func chatOrder(roster []RosterRow, rooms []RoomRow) []chatRef {
	var out []chatRef
	seen := map[string]bool{}
	for _, r := range roster {
		if r.Kind != RowContact || seen[r.Contact.JID] {
			continue // a contact in two groups is one chat
		}
		seen[r.Contact.JID] = true
		out = append(out, chatRef{key: r.Contact.JID, unread: r.Contact.Unread})
	}
	for _, r := range rooms {
		if r.Joined || r.Private {
			out = append(out, chatRef{key: r.Key, room: true, unread: r.Unread})
		}
	}
	return out
}

// stepIndex is the index delta steps from cur in a list of n, wrapping;
// from no position (cur < 0) it starts at the first (or the last).
func stepIndex(cur, n, delta int) int {
	if n == 0 {
		return -1
	}
	if cur < 0 {
		if delta > 0 {
			return 0
		}
		return n - 1
	}
	return ((cur+delta)%n + n) % n
}

func (a *App) chatList() ([]chatRef, int) {
	list := chatOrder(a.roster.Rows(), a.rooms.Rows())
	cur := -1
	for i, c := range list {
		if c.room && c.key == a.activeRoom || !c.room && a.activeRoom == "" && c.key == a.active {
			cur = i
		}
	}
	return list, cur
}

func (a *App) openRef(c chatRef) {
	if c.room {
		a.openRoom(c.key)
	} else {
		a.open(c.key)
	}
}

// stepChat opens the next (delta 1) or previous (-1) chat of the list.
func (a *App) stepChat(delta int) {
	list, cur := a.chatList()
	if i := stepIndex(cur, len(list), delta); i >= 0 {
		a.openRef(list[i])
	}
}

// jumpChat opens the n-th chat of the list (1-based).
func (a *App) jumpChat(n int) {
	if list, _ := a.chatList(); n >= 1 && n <= len(list) {
		a.openRef(list[n-1])
	}
}

// stepUnread opens the next (or previous) chat with unread messages.
func (a *App) stepUnread(delta int) {
	list, cur := a.chatList()
	i := cur
	for range list {
		i = stepIndex(i, len(list), delta)
		if list[i].unread > 0 && i != cur {
			a.openRef(list[i])
			return
		}
	}
}

// closeChat closes the open chat or room pane (the conversation stays in
// the list).
func (a *App) closeChat() {
	if a.active == "" && a.activeRoom == "" {
		return
	}
	if a.active != "" {
		if st := a.tracker(a.active).Leave(); st != "" {
			a.do(event.SendChatState{To: a.active, State: st})
		}
	}
	a.active, a.activeRoom = "", ""
	a.main.showRoomPane()
	a.main.chatChanged(false)
	a.main.refreshRoster()
	a.main.refreshRooms()
	a.updateTitle()
}

// showShortcuts shows the list of keyboard shortcuts.
func (a *App) showShortcuts() {
	help := shortcutHelp()
	grid := container.New(layout.NewFormLayout())
	for _, h := range help {
		grid.Add(widget.NewLabelWithStyle(h[0], fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}))
		grid.Add(widget.NewLabel(h[1]))
	}
	d := dialog.NewCustom(lang.L("Keyboard shortcuts"), lang.L("Close"), grid, a.win)
	d.Show()
}
