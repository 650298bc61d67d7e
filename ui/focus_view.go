package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// Focus hours and the Tor route: a strip under the connection banner,
// shown while the connection goes through Tor or focus is on, with a "Tor"
// button (the connection route) and a "Focus until 16:00 · 2 held" button
// (the focus settings); both are also reached from the Settings panel. The session decides
// focus and holds messages; this file only shows what it reports and sends
// set_focus and focus_now.

// focusUIState is the App's view of focus and Tor.
type focusUIState struct {
	info     event.Focus
	known    bool
	tor      event.TorState
	torKnown bool
	btn      *widget.Button
	torBtn   *widget.Button // "Tor" or "Direct": the route, and the Tor setting
	torCheck *widget.Check  // in the Tor dialog while it is open
	torText  *widget.Label
	row      *fyne.Container
	dlg      *focusDialog
}

var focusDayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
var focusDayWords = map[string]string{"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}

// focusButtonText is the status row's focus button: "Focus" outside focus,
// "Focus until 16:00" (local time, with the day when it ends another day)
// and the number of held messages during it.
func focusButtonText(f event.Focus, now time.Time) string {
	if !f.Active {
		return lang.L("Focus")
	}
	t := lang.L("Focus")
	if !f.Until.IsZero() {
		u := f.Until.In(now.Location())
		if y, m, d := u.Date(); func() bool { y2, m2, d2 := now.Date(); return y == y2 && m == m2 && d == d2 }() {
			t = lang.L("Focus until {{.Time}}", tv{"Time": u.Format("15:04")})
		} else {
			t = lang.L("Focus until {{.Time}}", tv{"Time": shortDay(u.Weekday()) + " " + u.Format("15:04")})
		}
	}
	switch f.Held {
	case 0:
	case 1:
		t += " · " + lang.L("1 held")
	default:
		t += " · " + lang.L("{{.N}} held", tv{"N": f.Held})
	}
	return t
}

// shortDay is a weekday's short name in the window's language.
func shortDay(d time.Weekday) string {
	return [...]string{lang.L("Sun"), lang.L("Mon"), lang.L("Tue"), lang.L("Wed"), lang.L("Thu"), lang.L("Fri"), lang.L("Sat")}[d]
}

// heldNote is the notification when focus ends with messages held.
func heldNote(n int) (title, body string) {
	if n == 1 {
		return lang.L("Focus ended"), lang.L("1 message arrived while you were in focus.")
	}
	return lang.L("Focus ended"), lang.L("{{.N}} messages arrived while you were in focus.", tv{"N": n})
}

// focusIndicator is the strip under the banner: the route and the focus
// button, shown while going through Tor or in focus.
func (a *App) focusIndicator() fyne.CanvasObject {
	f := &a.focusUI
	f.btn = widget.NewButtonWithIcon(lang.L("Focus"), theme.VisibilityOffIcon(), a.openFocus)
	f.btn.Importance = widget.LowImportance
	f.torBtn = widget.NewButton("", a.openTor)
	f.torBtn.Importance = widget.LowImportance
	f.row = container.NewHBox(f.torBtn, f.btn)
	a.updateFocusIndicator()
	return f.row
}

// fillFocusSettings adds the focus hours and the connection route to the
// Settings panel.
func (a *App) fillFocusSettings(box *fyne.Container) {
	f := &a.focusUI
	box.Add(widget.NewLabelWithStyle(lang.L("Focus hours and connection"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	state := focusButtonText(f.info, a.now())
	if !f.info.Active {
		state = lang.L("Focus is off.")
	}
	route := torText(a.conn.Route, f.tor)
	box.Add(widgetLabelWrap(state + " " + route))
	focus := widget.NewButtonWithIcon(lang.L("Focus hours…"), theme.VisibilityOffIcon(), a.openFocus)
	conn := widget.NewButtonWithIcon(lang.L("Connection route…"), theme.ComputerIcon(), a.openTor)
	box.Add(container.NewHBox(focus, conn))
	box.Add(widget.NewSeparator())
}

// torText describes the route and Tor's state for the Tor dialog.
func torText(route string, t event.TorState) string {
	var b strings.Builder
	switch route {
	case event.RouteTor:
		b.WriteString(lang.L("The connection and file transfers go through Tor."))
	case event.RouteDirect:
		b.WriteString(lang.L("The connection goes directly to the server (not through Tor)."))
	default:
		b.WriteString(lang.L("Not connected yet."))
	}
	switch t.State {
	case event.TorStarting:
		b.WriteString(" " + lang.L("Tor is starting."))
	case event.TorReady:
		b.WriteString(" " + lang.L("Tor is ready."))
	case event.TorFailed:
		b.WriteString(" " + lang.L("Tor is not available: {{.Why}}", tv{"Why": t.Reason}))
	}
	switch {
	case t.Policy == "required":
		b.WriteString(" " + lang.L("Your company requires Tor."))
	case t.Policy == "off":
		b.WriteString(" " + lang.L("Your company does not allow Tor."))
	case t.Locked:
		b.WriteString(" " + lang.L("Your company's profile sets this."))
	}
	if t.Onion != "" {
		b.WriteString(" " + lang.L("The company server is reached at its onion address."))
	}
	return b.String()
}

// openTor shows the route and lets the user turn Tor on or off where the
// profile allows it; the session decides and answers with tor_state.
func (a *App) openTor() {
	f := &a.focusUI
	f.torText = widget.NewLabel(torText(a.conn.Route, f.tor))
	f.torText.Wrapping = fyne.TextWrapWord
	f.torCheck = widget.NewCheck(lang.L("Connect through Tor"), nil)
	f.syncTorDialog()
	f.torCheck.OnChanged = func(on bool) {
		if on != f.tor.Enabled {
			a.do(event.SetTor{Enabled: on})
		}
	}
	d := dialog.NewCustom(lang.L("Connection route"), lang.L("Close"), container.NewVBox(f.torText, f.torCheck), a.win)
	d.SetOnClosed(func() { f.torCheck, f.torText = nil, nil })
	d.Resize(fyne.NewSize(460, 220))
	d.Show()
	if !f.torKnown {
		a.do(event.GetTor{})
	}
}

func (f *focusUIState) syncTorDialog() {
	if f.torCheck == nil {
		return
	}
	cb := f.torCheck.OnChanged
	f.torCheck.OnChanged = nil
	f.torCheck.SetChecked(f.tor.Enabled)
	f.torCheck.OnChanged = cb
	if f.tor.Locked || !f.torKnown {
		f.torCheck.Disable()
	} else {
		f.torCheck.Enable()
	}
}

func (a *App) updateFocusIndicator() {
	f := &a.focusUI
	if f.btn != nil {
		f.btn.SetText(focusButtonText(f.info, a.now()))
		if f.info.Active {
			f.btn.SetIcon(theme.NewWarningThemedResource(theme.VisibilityOffIcon()))
		} else {
			f.btn.SetIcon(theme.VisibilityOffIcon())
		}
	}
	if f.torBtn != nil {
		switch a.conn.Route {
		case event.RouteTor:
			f.torBtn.SetText(lang.L("Through Tor"))
			f.torBtn.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
			f.torBtn.Show()
		default:
			f.torBtn.Hide()
		}
	}
	if f.row != nil {
		was := f.row.Visible()
		if a.conn.Route == event.RouteTor || f.info.Active {
			f.row.Show()
		} else {
			f.row.Hide()
		}
		f.row.Refresh() // the buttons' widths changed with their words
		if was != f.row.Visible() && a.main != nil && a.main.root != nil {
			a.main.root.Refresh() // the strip takes or gives back its height
		}
	}
	if f.torText != nil {
		f.torText.SetText(torText(a.conn.Route, f.tor))
	}
	f.syncTorDialog()
}

// applyFocusTor takes a Focus or TorState event; it reports whether the
// connection banner must be redrawn.
func (a *App) applyFocusTor(ev event.Event, now time.Time) bool {
	f := &a.focusUI
	switch e := ev.(type) {
	case event.Focus:
		prev := f.info
		f.info, f.known = e, true
		if prev.Active && !e.Active && prev.Held > 0 && a.notify != nil {
			// The held messages came just before, marked held and not
			// notified one by one: one summary for them.
			title, body := heldNote(prev.Held)
			a.notify(fyne.NewNotification(title, body))
		}
		if f.dlg != nil {
			f.dlg.fill(e)
		}
		a.updateFocusIndicator()
		return false
	case event.TorState:
		f.tor, f.torKnown = e, true
		a.conn.Apply(ev, now)
		a.updateFocusIndicator()
		return true
	}
	return false
}

// focusDialog is the focus settings: one weekly rule (days, start, end,
// who may reach you) and a manual focus for a while.
type focusDialog struct {
	a        *App
	d        dialog.Dialog
	enabled  *widget.Check
	days     map[string]*widget.Check
	start    *widget.Entry
	end      *widget.Entry
	allow    *widget.Entry
	groups   *widget.Entry
	internal *widget.Check
	state    *widget.Label
	locked   *widget.Label
	save     *widget.Button
	length   *widget.Select
	now      *widget.Button
	stop     *widget.Button
	rest     []event.FocusRule // rules after the first, kept as they are
}

// focusLengths are the lengths "Focus now" offers, in minutes, and
// focusLengthWords their words in the window's language.
var focusLengths = []int{30, 60, 120, 240}

func focusLengthWords() []string {
	return []string{lang.L("30 minutes"), lang.L("1 hour"), lang.L("2 hours"), lang.L("4 hours")}
}

// focusMinutes is the length of a choice of focusLengthWords.
func focusMinutes(choice string) int {
	for i, w := range focusLengthWords() {
		if w == choice {
			return focusLengths[i]
		}
	}
	return 60
}

func (a *App) openFocus() {
	f := &a.focusUI
	if f.dlg != nil {
		return
	}
	p := &focusDialog{a: a, days: map[string]*widget.Check{}}
	p.enabled = widget.NewCheck(lang.L("Focus hours every week"), func(bool) { p.syncEnabled() })
	dayRow := container.NewHBox()
	for _, d := range focusDayNames {
		c := widget.NewCheck(lang.L(focusDayWords[d]), nil)
		p.days[d] = c
		dayRow.Add(c)
	}
	p.start, p.end = widget.NewEntry(), widget.NewEntry()
	p.start.SetPlaceHolder("09:00")
	p.end.SetPlaceHolder("12:00")
	p.allow = widget.NewMultiLineEntry()
	p.allow.SetPlaceHolder(lang.L("boss@acme.test\none address per line"))
	p.allow.SetMinRowsVisible(3)
	p.groups = widget.NewEntry()
	p.groups.SetPlaceHolder(lang.L("contact groups, separated by commas"))
	p.internal = widget.NewCheck(lang.L("Anyone in my organisation"), nil)
	p.state = widget.NewLabel("")
	p.state.Wrapping = fyne.TextWrapWord
	p.locked = widget.NewLabel(lang.L("Your company's profile sets the focus hours: they cannot be changed here."))
	p.locked.Wrapping = fyne.TextWrapWord
	p.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), p.submit)
	p.save.Importance = widget.HighImportance
	p.length = widget.NewSelect(focusLengthWords(), nil)
	p.length.SetSelected(lang.L("1 hour"))
	p.now = widget.NewButton(lang.L("Focus now"), func() {
		rule := p.who()
		a.do(event.FocusNow{Minutes: focusMinutes(p.length.Selected), Allow: rule.Allow, Groups: rule.Groups, Internal: rule.Internal})
	})
	p.stop = widget.NewButton(lang.L("End focus"), func() { a.do(event.FocusNow{Minutes: 0}) })
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Days"), dayRow),
		widget.NewFormItem(lang.L("From"), p.start),
		widget.NewFormItem(lang.L("Until"), p.end),
		widget.NewFormItem(lang.L("Who reaches me"), p.allow),
		widget.NewFormItem(lang.L("Groups"), p.groups),
		widget.NewFormItem("", p.internal),
	)
	note := widget.NewLabel(lang.L("During focus, messages from anyone else wait silently and arrive when focus ends. Your status shows \"Do not disturb\" with the end of focus."))
	note.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(p.state, p.locked, p.enabled, form, container.NewHBox(p.save),
		widget.NewSeparator(), container.NewHBox(p.now, widget.NewLabel(lang.L("for")), p.length, p.stop), note)
	p.d = dialog.NewCustom(lang.L("Focus hours"), lang.L("Close"), container.NewVScroll(body), a.win)
	p.d.SetOnClosed(func() {
		if f.dlg == p {
			f.dlg = nil
		}
	})
	f.dlg = p
	p.fill(f.info)
	p.d.Resize(fyne.NewSize(640, 620))
	p.d.Show()
	if !f.known {
		a.do(event.GetFocus{})
	}
}

// fill shows the session's focus state.
func (p *focusDialog) fill(f event.Focus) {
	switch {
	case f.Active && f.Manual:
		p.state.SetText(focusButtonText(f, p.a.now()) + " " + lang.L("(started by hand)."))
	case f.Active:
		p.state.SetText(focusButtonText(f, p.a.now()) + ".")
	default:
		p.state.SetText(lang.L("Focus is off."))
	}
	var r event.FocusRule
	p.rest = nil
	if len(f.Rules) > 0 {
		r = f.Rules[0]
		p.rest = append(p.rest, f.Rules[1:]...)
	}
	p.enabled.SetChecked(len(f.Rules) > 0)
	days := r.Days
	if len(days) == 0 {
		days = focusDayNames[:5]
	}
	for _, d := range focusDayNames {
		p.days[d].SetChecked(contains(days, d))
	}
	p.start.SetText(r.Start)
	p.end.SetText(r.End)
	p.allow.SetText(strings.Join(r.Allow, "\n"))
	p.groups.SetText(strings.Join(r.Groups, ", "))
	p.internal.SetChecked(r.Internal)
	if f.FromProfile && !f.Locked {
		p.state.SetText(p.state.Text + " " + lang.L("These are your company's default focus hours until you change them."))
	}
	if f.Locked {
		p.locked.Show()
		p.save.Disable()
		p.enabled.Disable()
	} else {
		p.locked.Hide()
		p.save.Enable()
		p.enabled.Enable()
	}
	if f.Active && f.Manual {
		p.stop.Enable()
	} else {
		p.stop.Disable()
	}
	p.syncEnabled()
}

func (p *focusDialog) syncEnabled() {
	on := p.enabled.Checked && !p.enabled.Disabled()
	for _, w := range []fyne.Disableable{p.start, p.end} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	for _, c := range p.days {
		if on {
			c.Enable()
		} else {
			c.Disable()
		}
	}
}

// who is whom the dialog admits: the addresses, groups and colleagues.
func (p *focusDialog) who() event.FocusRule {
	var r event.FocusRule
	for _, l := range strings.FieldsFunc(p.allow.Text, func(c rune) bool { return c == '\n' || c == ',' || c == ' ' || c == ';' }) {
		if l = strings.TrimSpace(l); l != "" {
			r.Allow = append(r.Allow, l)
		}
	}
	for _, g := range strings.Split(p.groups.Text, ",") {
		if g = strings.TrimSpace(g); g != "" {
			r.Groups = append(r.Groups, g)
		}
	}
	r.Internal = p.internal.Checked
	return r
}

// submit sends the rules; the session checks them and answers with Focus
// (or an error shown in the error line).
func (p *focusDialog) submit() {
	if !p.enabled.Checked {
		p.a.do(event.SetFocus{Rules: []event.FocusRule{}})
		return
	}
	r := p.who()
	for _, d := range focusDayNames {
		if p.days[d].Checked {
			r.Days = append(r.Days, d)
		}
	}
	if len(r.Days) == 0 {
		p.state.SetText(lang.L("Choose at least one day, or turn weekly focus hours off."))
		return
	}
	r.Start, r.End = strings.TrimSpace(p.start.Text), strings.TrimSpace(p.end.Text)
	p.a.do(event.SetFocus{Rules: append([]event.FocusRule{r}, p.rest...)})
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}
