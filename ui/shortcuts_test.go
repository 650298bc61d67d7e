package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/palisade-im/palisade/event"
)

func TestStepIndex(t *testing.T) {
	for _, c := range []struct{ cur, n, delta, want int }{
		{-1, 0, 1, -1},
		{-1, 3, 1, 0},
		{-1, 3, -1, 2},
		{0, 3, 1, 1},
		{2, 3, 1, 0},
		{0, 3, -1, 2},
		{1, 3, -1, 0},
	} {
		if got := stepIndex(c.cur, c.n, c.delta); got != c.want {
			t.Errorf("stepIndex(%d, %d, %d) = %d, want %d", c.cur, c.n, c.delta, got, c.want)
		}
	}
}

func TestChatOrder(t *testing.T) {
	bob := ContactView{JID: "bob@acme.test", Unread: 2}
	roster := []RosterRow{
		{Kind: RowGroup, Group: "Engineering"},
		{Kind: RowContact, Contact: bob},
		{Kind: RowGroup, Group: "Team"},
		{Kind: RowContact, Contact: bob}, // in two groups: one chat
		{Kind: RowContact, Contact: ContactView{JID: "carol@acme.test"}},
	}
	rooms := []RoomRow{
		{Key: "lobby@conf.acme.test", Joined: true, Unread: 1},
		{Key: "lobby@conf.acme.test/dave", Private: true, Joined: true},
		{Key: "old@conf.acme.test", Bookmrk: true}, // bookmarked, not joined: not a chat to step to
	}
	want := []chatRef{
		{key: "bob@acme.test", unread: 2},
		{key: "carol@acme.test"},
		{key: "lobby@conf.acme.test", room: true, unread: 1},
		{key: "lobby@conf.acme.test/dave", room: true},
	}
	if got := chatOrder(roster, rooms); !reflect.DeepEqual(got, want) {
		t.Errorf("chatOrder = %+v, want %+v", got, want)
	}
}

func (h *harness) press(key fyne.KeyName, mod fyne.KeyModifier) {
	h.app.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: mod})
}

func TestShortcutsMoveBetweenChats(t *testing.T) {
	h := signedIn(t)
	ctrl := fyne.KeyModifierShortcutDefault
	var order []string
	for _, c := range chatOrder(h.app.roster.Rows(), h.app.rooms.Rows()) {
		order = append(order, c.key)
	}
	if want := []string{"bob@acme.test", "carol@acme.test", "erin@acme.test"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("sidebar order %v, want %v", order, want)
	}
	steps := []struct {
		name string
		key  fyne.KeyName
		mod  fyne.KeyModifier
		want string
	}{
		{"Ctrl+Tab from no chat opens the first", fyne.KeyTab, fyne.KeyModifierControl, "bob@acme.test"},
		{"Ctrl+Tab", fyne.KeyTab, fyne.KeyModifierControl, "carol@acme.test"},
		{"Ctrl+Shift+Tab", fyne.KeyTab, fyne.KeyModifierControl | fyne.KeyModifierShift, "bob@acme.test"},
		{"Ctrl+Shift+Tab wraps", fyne.KeyTab, fyne.KeyModifierControl | fyne.KeyModifierShift, "erin@acme.test"},
		{"Ctrl+2", fyne.Key2, ctrl, "carol@acme.test"},
		{"Ctrl+9 past the end does nothing", fyne.Key9, ctrl, "carol@acme.test"},
		{"Ctrl+1", fyne.Key1, ctrl, "bob@acme.test"},
		{"Ctrl+W closes", fyne.KeyW, ctrl, ""},
	}
	for _, s := range steps {
		h.press(s.key, s.mod)
		if h.app.active != s.want {
			t.Errorf("%s: open chat %q, want %q", s.name, h.app.active, s.want)
		}
	}
	if !h.app.main.chat.empty.Visible() {
		t.Error("after Ctrl+W the chat pane does not show its empty state")
	}

	// Alt+Down goes to the next chat with unread messages.
	h.press(fyne.Key1, ctrl)
	h.emit(event.Message{From: "erin@acme.test/pc", To: "alice@acme.test", Body: "ping", ID: "m1"})
	h.press(fyne.KeyDown, fyne.KeyModifierAlt)
	if h.app.active != "erin@acme.test" {
		t.Errorf("Alt+Down: open chat %q, want erin (the only unread)", h.app.active)
	}
	h.press(fyne.KeyUp, fyne.KeyModifierAlt)
	if h.app.active != "erin@acme.test" {
		t.Errorf("Alt+Up with nothing else unread moved to %q", h.app.active)
	}
}

func TestShortcutsDialogsAndFilter(t *testing.T) {
	h := signedIn(t)
	ctrl := fyne.KeyModifierShortcutDefault
	over := h.app.win.Canvas().Overlays()

	h.press(fyne.KeySlash, ctrl)
	if over.Top() == nil {
		t.Fatal("Ctrl+/ showed no dialog")
	}
	got := texts(over.Top())
	for _, want := range []string{"Keyboard shortcuts", "Ctrl+K", "Ctrl+Tab", "Alt+Down", "Ctrl+W", "Ctrl+Q", "Esc"} {
		if !contains(got, want) {
			t.Errorf("shortcut list lacks %q: %q", want, got)
		}
	}
	h.app.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if over.Top() != nil {
		t.Error("Esc did not close the dialog")
	}

	h.press(fyne.KeyN, ctrl)
	if over.Top() == nil || !contains(texts(over.Top()), "Add contact") {
		t.Error("Ctrl+N did not open the Add contact dialog")
	}
	h.app.closeTopDialog()

	h.press(fyne.KeyK, ctrl)
	if h.app.win.Canvas().Focused() != h.app.main.filter {
		t.Error("Ctrl+K did not put the cursor in the filter")
	}
}

// menuItems flattens a main menu, child menus included.
func menuItems(m *fyne.MainMenu) []*fyne.MenuItem {
	var out []*fyne.MenuItem
	var walk func(items []*fyne.MenuItem)
	walk = func(items []*fyne.MenuItem) {
		for _, it := range items {
			out = append(out, it)
			if it.ChildMenu != nil {
				walk(it.ChildMenu.Items)
			}
		}
	}
	for _, menu := range m.Items {
		walk(menu.Items)
	}
	return out
}

// The window's menu carries every shortcut (the desktop driver gives the
// menu's shortcuts precedence over a focused entry), and its items act.
func TestMainMenuCarriesTheShortcuts(t *testing.T) {
	h := signedIn(t)
	menu := h.app.win.MainMenu()
	if menu == nil {
		t.Fatal("no main menu")
	}
	byName := map[string]*fyne.MenuItem{}
	for _, it := range menuItems(menu) {
		if it.Shortcut != nil {
			byName[it.Shortcut.ShortcutName()] = it
		}
	}
	for _, s := range shortcuts() {
		name := (&desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}).ShortcutName()
		if byName[name] == nil {
			t.Errorf("the menu lacks the shortcut %s (%s)", name, s.what)
		}
	}
	ctrl := fyne.KeyModifierShortcutDefault
	act := func(key fyne.KeyName, mod fyne.KeyModifier) {
		t.Helper()
		it := byName[(&desktop.CustomShortcut{KeyName: key, Modifier: mod}).ShortcutName()]
		if it == nil {
			t.Fatalf("no menu item for %s", key)
		}
		it.Action()
	}
	act(fyne.Key3, ctrl)
	if h.app.active != "erin@acme.test" {
		t.Errorf("Chat 3 opened %q", h.app.active)
	}
	act(fyne.KeyTab, fyne.KeyModifierControl)
	if h.app.active != "bob@acme.test" {
		t.Errorf("Next chat from the last opened %q", h.app.active)
	}
	act(fyne.KeyW, ctrl)
	if h.app.active != "" {
		t.Errorf("Close chat left %q open", h.app.active)
	}
	quit := byName[(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: ctrl}).ShortcutName()]
	if !quit.IsQuit || quit.Action == nil {
		t.Error("Quit is not the menu's own quit item")
	}
}
