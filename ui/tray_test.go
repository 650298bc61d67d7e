package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/palisade-im/palisade/event"
)

func TestTrayMenuModel(t *testing.T) {
	tail := []trayItem{
		{Separator: true},
		{Label: "Open Palisade", Action: trayOpen},
		{Label: "Keyboard shortcuts", Action: trayShortcuts},
		{Label: "Quit", Action: trayQuit},
	}
	statuses := func(show string) []trayItem {
		return []trayItem{
			{Label: "Available", Action: trayStatus, Show: event.ShowAvailable, Checked: show == event.ShowAvailable},
			{Label: "Away", Action: trayStatus, Show: event.ShowAway, Checked: show == event.ShowAway},
			{Label: "Do not disturb", Action: trayStatus, Show: event.ShowDND, Checked: show == event.ShowDND},
		}
	}
	cat := func(parts ...[]trayItem) []trayItem {
		var out []trayItem
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, c := range []struct {
		name string
		s    trayState
		want []trayItem
	}{
		{"signed out", trayState{}, cat([]trayItem{{Label: "Not signed in", Disabled: true}}, tail)},
		{"nothing unread", trayState{SignedIn: true, Show: event.ShowAvailable},
			cat([]trayItem{{Label: "No unread messages", Action: trayOpen}, {Separator: true}}, statuses(event.ShowAvailable),
				[]trayItem{{Label: "Focus now…", Action: trayFocus}}, tail)},
		{"one unread, away", trayState{SignedIn: true, Unread: 1, Show: event.ShowAway},
			cat([]trayItem{{Label: "1 unread message", Action: trayOpen}, {Separator: true}}, statuses(event.ShowAway),
				[]trayItem{{Label: "Focus now…", Action: trayFocus}}, tail)},
		{"many unread, dnd, focus on", trayState{SignedIn: true, Unread: 12, Show: event.ShowDND, Focus: true},
			cat([]trayItem{{Label: "12 unread messages", Action: trayOpen}, {Separator: true}}, statuses(event.ShowDND),
				[]trayItem{{Label: "Focus hours… (focus is on)", Action: trayFocus}}, tail)},
	} {
		if got := trayMenuModel(c.s); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestBadgeText(t *testing.T) {
	for n, want := range map[int]string{-1: "", 0: "", 1: "1", 9: "9", 10: "9+", 250: "9+"} {
		if got := badgeText(n); got != want {
			t.Errorf("badgeText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTrayBadgeIcon(t *testing.T) {
	// A blue base icon: the badge is red in the top right corner, the
	// rest keeps the base.
	base := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := range base.Pix {
		if i%4 == 2 || i%4 == 3 {
			base.Pix[i] = 0xff
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, base); err != nil {
		t.Fatal(err)
	}
	for _, res := range []fyne.Resource{fyne.NewStaticResource("icon.png", buf.Bytes()), nil, fyne.NewStaticResource("bad.png", []byte("not an image"))} {
		ic := trayBadgeIcon(res, "3")
		img, err := png.Decode(bytes.NewReader(ic.Content()))
		if err != nil {
			t.Fatalf("badge icon is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != trayIconSize || b.Dy() != trayIconSize {
			t.Errorf("badge icon is %v", b)
		}
		red := func(x, y int) bool {
			r, g, b, _ := img.At(x, y).RGBA()
			return r > 0xa000 && g < 0x4000 && b < 0x4000
		}
		white := func(x, y int) bool {
			return color.RGBAModel.Convert(img.At(x, y)) == color.RGBA{0xff, 0xff, 0xff, 0xff}
		}
		// Near the badge's edge: red; the bottom left: not red.
		if !red(trayIconSize-5, 17) {
			t.Errorf("%v: no red badge at the top right", res)
		}
		if red(10, trayIconSize-10) {
			t.Errorf("%v: red at the bottom left", res)
		}
		// The digit: white pixels inside the badge.
		whites := 0
		for y := 0; y < 34; y++ {
			for x := 30; x < trayIconSize-4; x++ {
				if white(x, y) {
					whites++
				}
			}
		}
		if whites < 20 {
			t.Errorf("%v: badge holds %d white pixels, want a digit", res, whites)
		}
	}
}

// fakeTray records what the App gives the system tray.
type fakeTray struct {
	menus []*fyne.Menu
	icons []fyne.Resource
}

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu)    { f.menus = append(f.menus, m) }
func (f *fakeTray) SetSystemTrayIcon(r fyne.Resource) { f.icons = append(f.icons, r) }

func (f *fakeTray) item(t *testing.T, label string) *fyne.MenuItem {
	t.Helper()
	if len(f.menus) == 0 {
		t.Fatal("no tray menu set")
	}
	for _, it := range f.menus[len(f.menus)-1].Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("tray menu has no %q", label)
	return nil
}

func TestTrayFollowsUnreadAndSetsStatus(t *testing.T) {
	h := signedIn(t)
	tray := &fakeTray{}
	h.app.tray.host = tray
	plain := fyne.NewStaticResource("palisade.png", trayTestIcon(t))
	h.app.tray.base = plain
	h.app.refreshTray()
	if got := tray.menus[len(tray.menus)-1].Items[0].Label; got != "No unread messages" {
		t.Errorf("first tray item %q", got)
	}
	menus := len(tray.menus)
	h.app.refreshTray()
	if len(tray.menus) != menus {
		t.Error("an unchanged state set the tray menu again")
	}

	h.app.focused = false
	h.emit(event.Message{From: "bob@acme.test/pc", To: "alice@acme.test", Body: "one", ID: "a1"},
		event.Message{From: "carol@acme.test/pc", To: "alice@acme.test", Body: "two", ID: "a2"})
	if got := tray.menus[len(tray.menus)-1].Items[0].Label; got != "2 unread messages" {
		t.Errorf("after two messages the first tray item is %q", got)
	}
	if last := tray.icons[len(tray.icons)-1]; last == nil || last.Name() != "palisade-tray-2.png" {
		t.Errorf("tray icon %v, want the badge with 2", last)
	}

	tray.item(t, "Do not disturb").Action()
	var set *event.SetPresence
	for _, c := range h.backend().commands() {
		if p, ok := c.(event.SetPresence); ok {
			set = &p
		}
	}
	if set == nil || set.Show != event.ShowDND {
		t.Fatalf("Do not disturb sent %+v", set)
	}
	if !tray.item(t, "Do not disturb").Checked || tray.item(t, "Available").Checked {
		t.Error("the tray does not check Do not disturb")
	}

	// Reading the chats clears the count and the badge.
	h.app.setFocused(true)
	h.app.open("bob@acme.test")
	h.app.open("carol@acme.test")
	if got := tray.menus[len(tray.menus)-1].Items[0].Label; got != "No unread messages" {
		t.Errorf("after reading, the first tray item is %q", got)
	}
	if last := tray.icons[len(tray.icons)-1]; last != plain {
		t.Errorf("after reading, the tray icon is %v, want the plain icon", last)
	}

	tray.item(t, "Keyboard shortcuts").Action()
	if h.app.win.Canvas().Overlays().Top() == nil {
		t.Error("Keyboard shortcuts from the tray showed nothing")
	}
}

func TestTrayShowsFocus(t *testing.T) {
	h := signedIn(t)
	tray := &fakeTray{}
	h.app.tray.host = tray
	h.app.refreshTray()
	tray.item(t, "Focus now…")
	h.emit(event.Focus{Active: true, Manual: true})
	tray.item(t, "Focus hours… (focus is on)")
	h.emit(event.Focus{})
	tray.item(t, "Focus now…")
}

// trayTestIcon is a small PNG standing for the application icon.
func trayTestIcon(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Without an application icon (a build that found none) the tray keeps the
// platform's default: it is never handed a nil icon (which crashes Fyne's
// desktop driver), while the badge still shows unread messages.
func TestTrayWithoutAppIcon(t *testing.T) {
	h := signedIn(t)
	tray := &fakeTray{}
	h.app.tray.host = tray
	h.app.tray.base = nil
	h.app.refreshTray()
	h.app.focused = false
	h.emit(event.Message{From: "bob@acme.test/pc", To: "alice@acme.test", Body: "one", ID: "n1"})
	h.app.setFocused(true)
	h.app.open("bob@acme.test")
	for i, ic := range tray.icons {
		if ic == nil {
			t.Errorf("tray icon %d of %d is nil", i+1, len(tray.icons))
		}
	}
	if len(tray.icons) == 0 {
		t.Error("the unread badge was never shown")
	}
}
