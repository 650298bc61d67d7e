package ui

import (
	"image/color"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// The identity widgets: the identity mark beside every name (one click
// opens the certificate details), the details dialog, the banner that
// locks the composer after an identity change, the account panel's
// device and server sections and the lost-key banner.

// Shield icons (Material Design's verified_user, shield, gpp_bad and
// gpp_maybe, which Fyne's theme does not have): each identity state has its
// own shape as well as its own words.
var (
	shieldCheckSVG = fyne.NewStaticResource("shield-check.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 1L3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5l-9-4zm-2 16l-4-4 1.41-1.41L10 14.17l6.59-6.59L18 9l-8 8z"/></svg>`))
	shieldSVG      = fyne.NewStaticResource("shield.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2L4 5v6.09c0 5.05 3.41 9.76 8 10.91 4.59-1.15 8-5.86 8-10.91V5l-8-3zm6 9.09c0 4-2.55 7.7-6 8.83-3.45-1.13-6-4.82-6-8.83V6.31l6-2.25 6 2.25v4.78z"/></svg>`))
	shieldBadSVG   = fyne.NewStaticResource("shield-bad.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2L4 5v6.09c0 5.05 3.41 9.76 8 10.91 4.59-1.15 8-5.86 8-10.91V5l-8-3zm3.5 12.09l-1.41 1.41L12 13.41 9.91 15.5 8.5 14.09 10.59 12 8.5 9.91 9.91 8.5 12 10.59l2.09-2.09 1.41 1.41L13.41 12l2.09 2.09z"/></svg>`))
	shieldMaybeSVG = fyne.NewStaticResource("shield-maybe.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2L4 5v6.09c0 5.05 3.41 9.76 8 10.91 4.59-1.15 8-5.86 8-10.91V5l-8-3zm1 13h-2v-2h2v2zm0-4h-2V7h2v4z"/></svg>`))
)

// identityIcon is the icon of an identity mark of kind k; onColour draws
// it for a strong (red) background.
func identityIcon(k IdentityKind) fyne.Resource {
	switch k {
	case IdentityOK:
		return theme.NewColoredResource(shieldCheckSVG, theme.ColorNameSuccess)
	case IdentityNeutral:
		return theme.NewThemedResource(shieldSVG)
	case IdentityBroken:
		return theme.NewColoredResource(shieldBadSVG, theme.ColorNameForegroundOnError)
	case IdentityChanging:
		return theme.NewColoredResource(shieldMaybeSVG, theme.ColorNameWarning)
	}
	return nil
}

// identityColours are an identity mark's background and text colours.
func identityColours(k IdentityKind) (bg, fg color.Color) {
	switch k {
	case IdentityOK:
		return withAlpha(theme.Color(theme.ColorNameSuccess), 0x28), theme.Color(theme.ColorNameForeground)
	case IdentityNeutral:
		return withAlpha(theme.Color(theme.ColorNameDisabled), 0x28), theme.Color(theme.ColorNameForeground)
	case IdentityBroken:
		return theme.Color(theme.ColorNameError), theme.Color(theme.ColorNameForegroundOnError)
	case IdentityChanging:
		return withAlpha(theme.Color(theme.ColorNameWarning), 0x60), theme.Color(theme.ColorNameForeground)
	}
	return color.Transparent, theme.Color(theme.ColorNameForeground)
}

// idMark is the identity part of a badge: a small chip that opens the
// peer's certificate details when clicked. In full mode (the chat header)
// it says everything it knows when there is room, and its short words
// when there is not, so that a long name never widens the window.
type idMark struct {
	widget.BaseWidget
	bg   *canvas.Rectangle
	icon *widget.Icon
	text *canvas.Text
	mark IdentityMark
	full bool // the chat header's long words when they fit
}

// Chip padding: the same as the organisation badge's.
const (
	markPadH = 5
	markPadV = 1
	markGap  = 2
)

func newIDMark() *idMark {
	m := &idMark{}
	m.bg = canvas.NewRectangle(color.Transparent)
	m.bg.CornerRadius = 4
	m.icon = widget.NewIcon(nil)
	m.text = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	m.text.TextSize = theme.CaptionTextSize()
	m.text.TextStyle = fyne.TextStyle{Bold: true}
	m.ExtendBaseWidget(m)
	m.Hide()
	return m
}

func (m *idMark) CreateRenderer() fyne.WidgetRenderer { return &idMarkRenderer{m: m} }

// chipSize is the size of the chip showing text.
func (m *idMark) chipSize(text string) fyne.Size {
	ts := fyne.MeasureText(text, m.text.TextSize, m.text.TextStyle)
	is := theme.IconInlineSize()
	return fyne.NewSize(2*markPadH+is+markGap+ts.Width, 2*markPadV+fyne.Max(is, ts.Height))
}

// wordsFor is what the mark says in width w.
func (m *idMark) wordsFor(w float32) string {
	if m.full {
		for _, s := range []string{m.mark.Full, m.mark.Mid} {
			if s != "" && m.chipSize(s).Width <= w {
				return s
			}
		}
	}
	return m.mark.Text
}

type idMarkRenderer struct{ m *idMark }

func (r *idMarkRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.m.bg, r.m.icon, r.m.text}
}

func (r *idMarkRenderer) MinSize() fyne.Size { return r.m.chipSize(r.m.mark.Text) }

func (r *idMarkRenderer) Layout(size fyne.Size) {
	m := r.m
	if words := m.wordsFor(size.Width); m.text.Text != words {
		m.text.Text = words
		m.text.Refresh()
	}
	c := m.chipSize(m.text.Text)
	w := fyne.Min(c.Width, size.Width)
	y := (size.Height - c.Height) / 2
	m.bg.Move(fyne.NewPos(0, y))
	m.bg.Resize(fyne.NewSize(w, c.Height))
	is := theme.IconInlineSize()
	m.icon.Move(fyne.NewPos(markPadH, y+(c.Height-is)/2))
	m.icon.Resize(fyne.NewSize(is, is))
	ts := m.text.MinSize()
	m.text.Move(fyne.NewPos(markPadH+is+markGap, y+(c.Height-ts.Height)/2))
	m.text.Resize(ts)
}

func (r *idMarkRenderer) Refresh() {
	r.Layout(r.m.Size())
	canvas.Refresh(r.m)
}

func (r *idMarkRenderer) Destroy() {}

func (m *idMark) set(mk IdentityMark) {
	m.mark = mk
	if mk.Kind == IdentityNone || mk.Text == "" {
		m.Hide()
		return
	}
	bg, fg := identityColours(mk.Kind)
	m.bg.FillColor = bg
	m.bg.Refresh()
	m.text.Text = m.wordsFor(m.Size().Width)
	m.text.Color = fg
	m.text.Refresh()
	m.icon.SetResource(identityIcon(mk.Kind))
	m.Show()
	m.Refresh()
}

// Tapped opens the certificate details of the mark's peer.
func (m *idMark) Tapped(*fyne.PointEvent) {
	if m.mark.JID == "" {
		return
	}
	if a := appFor(m); a != nil {
		a.showCertificates(m.mark.JID)
	}
}

// The chat header's mark can be reached with Tab and opened with Space or
// Enter; the marks in lists are left out of the focus order (Disabled
// only says so: a click still opens them).
func (m *idMark) Disabled() bool { return !m.full }

// FocusGained outlines the mark.
func (m *idMark) FocusGained() {
	m.bg.StrokeColor = theme.Color(theme.ColorNameFocus)
	m.bg.StrokeWidth = 2
	m.bg.Refresh()
}

// FocusLost removes the outline.
func (m *idMark) FocusLost() {
	m.bg.StrokeWidth = 0
	m.bg.Refresh()
}

// TypedRune opens the details on Space.
func (m *idMark) TypedRune(r rune) {
	if r == ' ' {
		m.Tapped(nil)
	}
}

// TypedKey opens the details on Enter.
func (m *idMark) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		m.Tapped(nil)
	}
}

// Cursor shows the mark is clickable.
func (m *idMark) Cursor() desktop.Cursor { return desktop.PointerCursor }

// apps finds the App that shows an object, from its canvas: identity marks
// are drawn by many surfaces (roster, rooms, search results) and each opens
// the details in its own window.
var apps sync.Map // fyne.Canvas -> *App

func registerApp(a *App) { apps.Store(a.win.Canvas(), a) }

func appFor(o fyne.CanvasObject) *App {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return nil
	}
	if a, ok := apps.Load(c); ok {
		return a.(*App)
	}
	return nil
}

// identityBanner is the banner under the chat header about the peer's
// identity, with "I have checked this" while sending is locked.
type identityBanner struct {
	tb      *tintBanner
	ack     *widget.Button
	details *widget.Button
}

func newIdentityBanner(a *App) *identityBanner {
	b := &identityBanner{}
	b.details = widget.NewButtonWithIcon(lang.L("Certificates"), theme.InfoIcon(), func() { a.showCertificates(a.active) })
	b.details.Importance = widget.LowImportance
	b.ack = widget.NewButtonWithIcon(lang.L("I have checked this"), theme.ConfirmIcon(), func() { a.ackIdentity(a.active) })
	b.ack.Importance = widget.HighImportance
	b.tb = newTintBanner(container.NewVBox(b.ack, b.details))
	return b
}

func (b *identityBanner) set(cb ChatBanner, locked bool) {
	b.ack.Hidden = !locked
	b.tb.setTitled(cb.Kind, cb.Title, cb.Text)
}

// certPanel is the open certificate details dialog.
type certPanel struct {
	jid string
	box *fyne.Container
	dlg dialog.Dialog
}

// showCertificates opens the certificate details of jid and asks the
// session for them (GetCertificates); what is known already shows at once.
func (a *App) showCertificates(jid string) {
	jid = bareJID(jid)
	if jid == "" {
		return
	}
	p := &certPanel{jid: jid, box: container.NewVBox()}
	scroll := container.NewVScroll(p.box)
	scroll.SetMinSize(fyne.NewSize(620, 440))
	p.dlg = dialog.NewCustom(lang.L("Identity of {{.JID}}", tv{"JID": jid}), lang.L("Close"), scroll, a.win)
	p.dlg.SetOnClosed(func() {
		if a.ident.certsUI == p {
			a.ident.certsUI = nil
		}
	})
	a.ident.certsUI = p
	a.fillCertificates()
	p.dlg.Show()
	a.do(event.GetCertificates{JID: jid})
}

// fillCertificates writes the open details dialog from what is known.
func (a *App) fillCertificates() {
	p := a.ident.certsUI
	if p == nil {
		return
	}
	box := p.box
	box.RemoveAll()
	c := a.roster.Contact(p.jid)
	certs, ok := a.ident.certs[p.jid]
	t := c.Trust
	if ok && certs.Trust.Identity != "" {
		t = certs.Trust
		t.IdentityChanged = t.IdentityChanged || a.identityLocked(p.jid)
	}
	name := c.DisplayName()
	mk := IdentityBadge(t, p.jid)
	head := widget.NewLabelWithStyle(name+" ("+p.jid+")", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	box.Add(head)
	if mk.Kind != IdentityNone {
		sum := newIDMark()
		sum.full = true
		sum.set(IdentityMark{Kind: mk.Kind, Text: mk.Text, Full: mk.Full}) // no JID: not a link to itself
		// The whole width (its long words), lined up with the labels' text.
		box.Add(container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding(), 0), sum))
	}
	if r := strings.TrimSpace(t.IdentityReason); r != "" {
		box.Add(widgetLabelWrap(endSentence(r)))
	}
	if !ok {
		wait := widget.NewLabelWithStyle(lang.L("Asking for the certificates {{.JID}} published…", tv{"JID": p.jid}), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		box.Add(wait)
		box.Refresh()
		return
	}
	if len(certs.Devices) == 0 {
		box.Add(widgetLabelWrap(lang.L("{{.JID}} has published no device certificate, so their identity cannot be verified.", tv{"JID": p.jid}) + " " +
			lang.L("Messages from them cannot be signed by a certified device.")))
		box.Refresh()
		return
	}
	for i, d := range certs.Devices {
		box.Add(widget.NewSeparator())
		box.Add(deviceCard(i+1, d))
	}
	box.Refresh()
}

// deviceCard is one device certificate: its status and every detail a
// person or IT needs to compare it.
func deviceCard(n int, d event.DeviceCert) fyne.CanvasObject {
	k := identityKindOf(d.Status)
	title := lang.L("Device {{.ID}}", tv{"ID": d.DeviceID})
	if d.DeviceID == "" {
		title = lang.L("Device {{.ID}}", tv{"ID": n})
	}
	mark := newIDMark()
	mark.set(IdentityMark{Kind: k, Text: identityStatusWords(d.Status)})
	h := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.Truncation = fyne.TextTruncateEllipsis
	rows := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewCenter(mark), h)}
	add := func(key, val string, mono bool) {
		if strings.TrimSpace(val) == "" {
			return
		}
		kl := widget.NewLabel(key)
		kl.SizeName = theme.SizeNameCaptionText
		kl.TextStyle = fyne.TextStyle{Bold: true}
		vl := widget.NewLabel(val)
		vl.SizeName = theme.SizeNameCaptionText
		vl.Wrapping = fyne.TextWrapWord
		if mono {
			vl.TextStyle = fyne.TextStyle{Monospace: true}
			vl.Wrapping = fyne.TextWrapBreak
		}
		vl.Selectable = true
		rows = append(rows, container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(130, kl.MinSize().Height), kl), nil, vl))
	}
	add(lang.L("Status"), identityStatusWords(d.Status), false)
	if d.Current {
		add(lang.L("In use"), lang.L("This device signed the latest message."), false)
	}
	why := lang.L("Why")
	if d.Status == event.IdentityVerified {
		why = lang.L("Checked")
	}
	add(why, endSentence(d.Reason), false)
	add(lang.L("Certified name"), d.JID, false)
	add(lang.L("Subject"), d.Subject, false)
	add(lang.L("Issuer"), d.Issuer, false)
	add(lang.L("Serial"), d.Serial, true)
	add("SHA-256", fingerprintLines(d.SHA256), true)
	if !d.NotBefore.IsZero() || !d.NotAfter.IsZero() {
		add(lang.L("Valid"), validWords(d), false)
	}
	if len(d.Chain) > 0 {
		add(lang.L("Chain"), strings.Join(d.Chain, "\n→ "), false)
	}
	return container.New(&tightVBox{}, rows...)
}

// fingerprintLines cuts a colon-separated fingerprint into lines of 16
// bytes, so that it never breaks inside a byte.
func fingerprintLines(fp string) string {
	parts := strings.Split(fp, ":")
	var lines []string
	for len(parts) > 16 {
		lines = append(lines, strings.Join(parts[:16], ":")+":")
		parts = parts[16:]
	}
	return strings.Join(append(lines, strings.Join(parts, ":")), "\n")
}

// validWords is a certificate's validity period in words.
func validWords(d event.DeviceCert) string {
	const f = "2 Jan 2006 15:04"
	switch {
	case d.NotBefore.IsZero():
		return lang.L("until {{.Date}}", tv{"Date": formatDate(d.NotAfter.Local(), f)})
	case d.NotAfter.IsZero():
		return lang.L("from {{.Date}}", tv{"Date": formatDate(d.NotBefore.Local(), f)})
	}
	return lang.L("from {{.From}} until {{.Until}}", tv{"From": formatDate(d.NotBefore.Local(), f), "Until": formatDate(d.NotAfter.Local(), f)})
}

// fillAccountIdentity adds this device's enrolment and the server's
// certificate to the account panel.
func (v *mainView) fillAccountIdentity(box *fyne.Container) {
	a := v.app
	ev := EnrolmentWords(a.ident.enrol, a.ident.enrolKnown, a.now())
	box.Add(widget.NewLabelWithStyle(lang.L("This device’s identity"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	_, icon, _ := bannerLook(ev.Kind)
	state := widget.NewLabelWithStyle(ev.State, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	state.Wrapping = fyne.TextWrapWord
	if ev.Kind == BannerError {
		state.Importance = widget.DangerImportance
	}
	box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, state))
	if ev.Text != "" {
		box.Add(widgetLabelWrap(ev.Text))
	}
	e := a.ident.enrol
	var lines []string
	if e.DeviceID != "" {
		lines = append(lines, lang.L("Device ID: {{.V}}", tv{"V": e.DeviceID}))
	}
	if e.Subject != "" {
		lines = append(lines, lang.L("Certificate: {{.V}}", tv{"V": e.Subject}))
	}
	if e.Issuer != "" {
		lines = append(lines, lang.L("Issued by: {{.V}}", tv{"V": e.Issuer}))
	}
	if !e.NotAfter.IsZero() && e.State != event.EnrolExpired {
		lines = append(lines, lang.L("Valid until: {{.V}}", tv{"V": formatDate(e.NotAfter.Local(), "2 Jan 2006 15:04")}))
	}
	if e.ITJID != "" {
		lines = append(lines, lang.L("Requests go to: {{.V}}", tv{"V": e.ITJID}))
	}
	if len(lines) > 0 {
		dl := widget.NewLabel(strings.Join(lines, "\n"))
		dl.SizeName = theme.SizeNameCaptionText
		dl.Selectable = true
		box.Add(dl)
	}
	req := widget.NewButtonWithIcon(lang.L("Request certificate"), theme.MailSendIcon(), a.enrol)
	req.Importance = widget.HighImportance
	if !ev.CanRequest {
		req.Disable()
	}
	exp := widget.NewButtonWithIcon(lang.L("Export request…"), theme.DocumentSaveIcon(), a.exportRequest)
	if !ev.CanExport {
		exp.Disable()
	}
	imp := widget.NewButtonWithIcon(lang.L("Import certificate…"), theme.FolderOpenIcon(), a.importCertificate)
	if !ev.CanImport {
		imp.Disable()
	}
	v.enrolButtons = []*widget.Button{req, exp, imp}
	// A control that is off says why (ev.Why); one that has nothing to do
	// in this state (a request once enrolled) is not shown.
	req.Hidden = !ev.CanRequest && ev.Why == ""
	exp.Hidden = !ev.CanExport && ev.Why == ""
	box.Add(container.NewHBox(req, exp, imp))
	if ev.Why != "" {
		w := widget.NewLabel(ev.Why)
		w.Wrapping = fyne.TextWrapWord
		w.SizeName = theme.SizeNameCaptionText
		box.Add(w)
	}
	if a.ident.enrolErr != "" {
		el := widgetLabelWrap(a.ident.enrolErr)
		el.Importance = widget.DangerImportance
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon())), nil, el))
	}
	box.Add(widget.NewSeparator())

	box.Add(widget.NewLabelWithStyle(lang.L("Server certificate"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	c := a.conn
	if c.ServerCert.Subject == "" && c.ServerCert.SHA256 == "" {
		box.Add(widget.NewLabel(lang.L("Not reported for this connection.")))
	} else {
		var s []string
		s = append(s, lang.L("Subject: {{.V}}", tv{"V": c.ServerCert.Subject}), lang.L("Issuer: {{.V}}", tv{"V": c.ServerCert.Issuer}))
		if !c.ServerCert.NotAfter.IsZero() {
			s = append(s, lang.L("Valid until: {{.V}}", tv{"V": formatDate(c.ServerCert.NotAfter.Local(), "2 Jan 2006")}))
		}
		sl := widget.NewLabel(strings.Join(s, "\n"))
		sl.SizeName = theme.SizeNameCaptionText
		sl.Wrapping = fyne.TextWrapWord
		sl.Selectable = true
		box.Add(sl)
		if c.ServerCert.SHA256 != "" {
			fp := widget.NewLabel("SHA-256:\n" + fingerprintLines(c.ServerCert.SHA256))
			fp.SizeName = theme.SizeNameCaptionText
			fp.TextStyle = fyne.TextStyle{Monospace: true}
			fp.Wrapping = fyne.TextWrapBreak
			fp.Selectable = true
			box.Add(fp)
		}
	}
	trustIcon := theme.InfoIcon()
	switch {
	case c.ServerTrust == "profile":
		trustIcon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case c.ServerTrust == "system":
		trustIcon = theme.NewWarningThemedResource(theme.WarningIcon())
	}
	tl := widgetLabelWrap(ServerTrustWords(c.ServerTrust, c.ServerCAPinned, a.ownOrg()))
	box.Add(container.NewBorder(nil, nil, widget.NewIcon(trustIcon), nil, tl))
	if c.TLSVersion != "" || c.Mechanism != "" {
		var s []string
		if c.TLSVersion != "" {
			s = append(s, c.TLSVersion)
		}
		if c.Mechanism != "" {
			s = append(s, lang.L("signed in with {{.V}}", tv{"V": c.Mechanism}))
		}
		if c.ChannelBinding != "" {
			s = append(s, lang.L("bound to the TLS channel ({{.V}})", tv{"V": c.ChannelBinding}))
		}
		l := widget.NewLabel(strings.Join(s, " · "))
		l.SizeName = theme.SizeNameCaptionText
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
}

// refreshEnrolment shows this device's enrolment at the top of the window
// when it needs the user (a lost key, an expired certificate), and in the
// account panel if open.
func (v *mainView) refreshEnrolment() {
	a := v.app
	v.enrolNote.RemoveAll()
	ev := EnrolmentWords(a.ident.enrol, a.ident.enrolKnown, a.now())
	if ev.Prominent && a.ident.dismissed != a.ident.enrol.State {
		open := widget.NewButtonWithIcon(lang.L("Account…"), theme.AccountIcon(), v.showSettings)
		right := []fyne.CanvasObject{}
		if ev.CanRequest {
			req := widget.NewButtonWithIcon(lang.L("Request certificate"), theme.MailSendIcon(), a.enrol)
			req.Importance = widget.HighImportance
			right = append(right, req)
		}
		right = append(right, open)
		if a.ident.enrol.State != event.EnrolLostKey {
			// A lost key stays until the device has a certificate again.
			d := widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
				a.ident.dismissed = a.ident.enrol.State
				v.refreshEnrolment()
			})
			d.Importance = widget.LowImportance
			right = append(right, d)
		}
		tb := newTintBanner(container.NewHBox(right...))
		tb.setTitled(ev.Kind, ev.State+".", ev.Text)
		v.enrolNote.Add(tb.root)
	}
	v.enrolNote.Refresh()
	if v.settings != nil {
		v.fillSettings()
	}
}
