package ui

import (
	"bytes"
	"fyne.io/fyne/v2/lang"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	xdraw "golang.org/x/image/draw"

	"github.com/palisade-im/palisade/event"
)

// trayAction is what a tray menu item does.
type trayAction int

const (
	trayNone      trayAction = iota // a line of information
	trayOpen                        // show and raise the window
	trayStatus                      // set the own presence to Show
	trayFocus                       // open the focus hours dialog
	trayShortcuts                   // show the keyboard shortcuts
	trayQuit                        // quit Palisade
)

// trayItem is one line of the tray menu, as plain data.
type trayItem struct {
	Label     string
	Action    trayAction
	Show      string // for trayStatus
	Checked   bool
	Disabled  bool
	Separator bool
}

// trayState is what the tray menu shows.
type trayState struct {
	SignedIn bool
	Unread   int // unread messages, requests included
	Show     string
	Focus    bool // focus hours are on
}

// trayStatuses are the quick statuses of the tray menu.
var trayStatuses = []string{event.ShowAvailable, event.ShowAway, event.ShowDND}

// trayMenuModel is the tray menu for s: the unread count first, the quick
// statuses while signed in, then Open, Keyboard shortcuts and Quit.
func trayMenuModel(s trayState) []trayItem {
	var items []trayItem
	if s.SignedIn {
		items = append(items, trayItem{Label: unreadWords(s.Unread), Action: trayOpen})
		items = append(items, trayItem{Separator: true})
		for _, show := range trayStatuses {
			items = append(items, trayItem{Label: presenceWord(show), Action: trayStatus, Show: show, Checked: s.Show == show})
		}
		focus := lang.L("Focus now…")
		if s.Focus {
			focus = lang.L("Focus hours… (focus is on)")
		}
		items = append(items, trayItem{Label: focus, Action: trayFocus})
	} else {
		items = append(items, trayItem{Label: lang.L("Not signed in"), Disabled: true})
	}
	return append(items,
		trayItem{Separator: true},
		trayItem{Label: lang.L("Open Palisade"), Action: trayOpen},
		trayItem{Label: lang.L("Keyboard shortcuts"), Action: trayShortcuts},
		trayItem{Label: lang.L("Quit"), Action: trayQuit})
}

func unreadWords(n int) string {
	switch n {
	case 0:
		return lang.L("No unread messages")
	case 1:
		return lang.L("1 unread message")
	}
	return lang.L("{{.N}} unread messages", tv{"N": n})
}

// trayHost is the system tray: Fyne's desktop app, or a fake in tests.
type trayHost interface {
	SetSystemTrayMenu(*fyne.Menu)
	SetSystemTrayIcon(fyne.Resource)
}

// trayUI is the tray's state on the App.
type trayUI struct {
	host  trayHost
	shown []trayItem // the menu last given to the host
	base  fyne.Resource
	icons map[string]fyne.Resource // badge icons by badge text
	badge string                   // the badge text of the icon shown
}

// setupTray puts Palisade in the system tray when the platform has one.
func (a *App) setupTray() {
	d, ok := a.fyne.(desktop.App)
	if !ok {
		return
	}
	d.SetSystemTrayWindow(a.win)
	a.tray.host = d
	a.tray.base = a.fyne.Icon()
	a.refreshTray()
}

func (a *App) trayState() trayState {
	s := trayState{SignedIn: a.onMain, Show: a.ownShow, Focus: a.focusUI.info.Active}
	if a.onMain {
		s.Unread = a.roster.TotalUnread() + a.requests.Len() + a.rooms.TotalUnread()
	}
	return s
}

// refreshTray rebuilds the tray menu and icon when what they show changed.
// It runs on the UI event loop (updateTitle calls it after each batch that
// changes unread counts).
func (a *App) refreshTray() {
	if a.tray.host == nil {
		return
	}
	s := a.trayState()
	items := trayMenuModel(s)
	if !sameTray(items, a.tray.shown) {
		a.tray.shown = items
		a.tray.host.SetSystemTrayMenu(a.trayMenu(items))
	}
	if b := badgeText(s.Unread); b != a.tray.badge || a.tray.icons == nil {
		a.tray.badge = b
		if a.tray.icons == nil {
			a.tray.icons = map[string]fyne.Resource{}
		}
		if b == "" {
			if a.tray.base != nil { // else the platform's default icon stays
				a.tray.host.SetSystemTrayIcon(a.tray.base)
			}
			return
		}
		ic := a.tray.icons[b]
		if ic == nil {
			ic = trayBadgeIcon(a.tray.base, b)
			a.tray.icons[b] = ic
		}
		a.tray.host.SetSystemTrayIcon(ic)
	}
}

func sameTray(x, y []trayItem) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// trayMenu turns the model into a Fyne menu whose items act on a.
func (a *App) trayMenu(items []trayItem) *fyne.Menu {
	var out []*fyne.MenuItem
	for _, it := range items {
		if it.Separator {
			out = append(out, fyne.NewMenuItemSeparator())
			continue
		}
		it := it
		m := fyne.NewMenuItem(it.Label, func() { a.trayDo(it) })
		m.Checked, m.Disabled = it.Checked, it.Disabled
		out = append(out, m)
	}
	return fyne.NewMenu("Palisade", out...)
}

// trayDo carries out a tray menu item. Fyne calls menu actions on its
// event loop.
func (a *App) trayDo(it trayItem) {
	switch it.Action {
	case trayOpen:
		a.raise()
	case trayStatus:
		a.setOwnPresence(it.Show, a.ownMsg)
		if a.onMain {
			a.main.refreshOwn()
		}
		a.refreshTray()
	case trayFocus:
		a.raise()
		a.openFocus()
	case trayShortcuts:
		a.raise()
		a.showShortcuts()
	case trayQuit:
		a.quit()
	}
}

// raise shows the window and asks for the keyboard focus.
func (a *App) raise() {
	a.win.Show()
	a.win.RequestFocus()
}

// badgeText is the text of the tray icon's badge: "" for none, the count
// up to 9, then "9+".
func badgeText(n int) string {
	switch {
	case n <= 0:
		return ""
	case n > 9:
		return "9+"
	}
	return strconv.Itoa(n)
}

// trayIconSize is the side of the tray icon drawn with a badge.
const trayIconSize = 64

// trayBadgeIcon draws base (a PNG or JPEG; a plain tile when it cannot be
// decoded) at tray size with a red badge holding text in the top right
// corner.
func trayBadgeIcon(base fyne.Resource, text string) fyne.Resource {
	const n = trayIconSize
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	var src image.Image
	if base != nil {
		src, _, _ = image.Decode(bytes.NewReader(base.Content()))
	}
	if src != nil {
		xdraw.CatmullRom.Scale(img, img.Bounds(), src, src.Bounds(), draw.Over, nil)
	} else {
		draw.Draw(img, image.Rect(4, 4, n-4, n-4), image.NewUniform(color.RGBA{0x1f, 0x4e, 0x79, 0xff}), image.Point{}, draw.Src)
	}
	// The badge: a red disc with a white rim, in the top right quarter.
	r := float64(n) * 0.27
	cx, cy := float64(n)-r-1, r+1
	red := color.RGBA{0xd0, 0x21, 0x21, 0xff}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			switch d := dx*dx + dy*dy; {
			case d <= (r-1.5)*(r-1.5):
				img.Set(x, y, red)
			case d <= r*r:
				img.Set(x, y, color.White)
			}
		}
	}
	// The text in a 3x5 pixel font, scaled to the badge.
	scale := int(r * 2 * 0.55 / 5)
	if scale < 1 {
		scale = 1
	}
	w := len(text)*4*scale - scale
	x0, y0 := int(cx)-w/2, int(cy)-5*scale/2
	for i, ch := range text {
		g := glyphs[ch]
		for row := 0; row < 5; row++ {
			for col := 0; col < 3; col++ {
				if g[row]&(4>>col) != 0 {
					px := x0 + (i*4+col)*scale
					py := y0 + row*scale
					draw.Draw(img, image.Rect(px, py, px+scale, py+scale), image.White, image.Point{}, draw.Src)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory does not fail
	return fyne.NewStaticResource("palisade-tray-"+text+".png", buf.Bytes())
}

// glyphs is a 3x5 pixel font for the badge: each row's three bits, the
// left pixel the highest.
var glyphs = map[rune][5]byte{
	'0': {7, 5, 5, 5, 7}, '1': {2, 6, 2, 2, 7}, '2': {7, 1, 7, 4, 7}, '3': {7, 1, 7, 1, 7},
	'4': {5, 5, 7, 1, 1}, '5': {7, 4, 7, 1, 7}, '6': {7, 4, 7, 5, 7}, '7': {7, 1, 1, 1, 1},
	'8': {7, 5, 7, 5, 7}, '9': {7, 5, 7, 1, 7}, '+': {0, 2, 7, 2, 0},
}
