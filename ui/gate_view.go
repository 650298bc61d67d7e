package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// gated reports whether the conversation with jid opens behind the
// lookalike interstitial: the peer imitates an approved domain and the
// user has not chosen to see the conversation anyway in this session.
func (a *App) gated(jid string) bool {
	return jid != "" && a.roster.Trust(jid).Class == event.ClassLookalike && !a.revealed[bareJID(jid)]
}

// revealLookalike shows the conversation behind the interstitial, with its
// red banner, for the rest of this session.
func (a *App) revealLookalike(jid string) {
	a.revealed[bareJID(jid)] = true
	if jid == a.active {
		a.main.chatChanged(false)
	}
}

// closeConversation leaves the chat pane empty.
func (a *App) closeConversation() {
	if a.active == "" {
		return
	}
	a.active = ""
	a.main.chatChanged(false)
	a.main.refreshRoster()
	a.updateTitle()
}

// Interstitial is what the lookalike interstitial says: a title naming
// both domains, the policy's explanation, the real domain in ASCII when
// the peer's name uses other letters, and advice.
type Interstitial struct {
	Title  string // "acme-corp.test is not acme.test"
	Who    string // the address and what it imitates
	Reason string // the policy's reason, as it gave it
	ASCII  string // "" unless the ASCII form differs from what the user reads
	Advice string
	Domain string // the domain "Block domain" blocks
}

// LookalikeInterstitial is the interstitial for a lookalike peer jid.
func LookalikeInterstitial(t event.Trust, jid string) Interstitial {
	shown := peerDomain(t, jid)
	of := t.LookalikeOf
	if of == "" {
		of = lang.L("an approved domain")
	}
	in := Interstitial{
		Title:  lang.L("{{.Domain}} is not {{.Of}}", tv{"Domain": shown, "Of": of}),
		Who:    lang.L("{{.JID}} uses a domain made to look like {{.Of}}. It is not {{.Of}} and not part of it.", tv{"JID": bareJID(jid), "Of": of}),
		Reason: t.Reason,
		Advice: lang.L("Do not share passwords, payment details or files. If you expected someone at {{.Of}}, reach them another way.", tv{"Of": of}),
		Domain: domainOf(jid),
	}
	if t.ASCII != "" && t.ASCII != t.Domain {
		in.ASCII = t.ASCII
	}
	return in
}

// gateView is the lookalike interstitial in the chat pane.
type gateView struct {
	root   *fyne.Container
	bg     *canvas.Rectangle // the red tint and border
	band   *canvas.Rectangle // the red strip at the top
	title  *widget.RichText
	who    *widget.Label
	reason *widget.Label
	ascii  *widget.Label
	advice *widget.Label
	block  *widget.Button
	close  *widget.Button
	anyway *widget.Button
	jid    string
}

func newGateView(a *App) *gateView {
	g := &gateView{}
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameError), 0x38))
	bg.StrokeColor = theme.Color(theme.ColorNameError)
	bg.StrokeWidth = 4
	band := canvas.NewRectangle(theme.Color(theme.ColorNameError))
	g.bg, g.band = bg, band
	bandText := canvas.NewText(lang.L("Warning: possible impersonation"), theme.Color(theme.ColorNameForegroundOnError))
	bandText.TextStyle = fyne.TextStyle{Bold: true}
	bandText.TextSize = theme.TextSubHeadingSize()
	bandIcon := widget.NewIcon(theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameForegroundOnError))
	top := container.NewStack(band, container.NewPadded(container.NewHBox(bandIcon, bandText)))

	g.title = widget.NewRichText()
	g.title.Wrapping = fyne.TextWrapWord
	g.who = widgetLabelWrap("")
	g.who.TextStyle = fyne.TextStyle{Bold: true}
	g.reason = widgetLabelWrap("")
	g.ascii = widgetLabelWrap("")
	g.ascii.TextStyle = fyne.TextStyle{Monospace: true}
	g.advice = widgetLabelWrap("")
	g.block = widget.NewButtonWithIcon(lang.L("Block domain"), theme.CancelIcon(), func() {
		if g.jid != "" {
			a.do(event.WarningShown{Warning: "lookalike_interstitial", JID: g.jid, Text: g.title.String(), Choice: "block"})
			a.block(domainOf(g.jid))
			a.closeConversation()
		}
	})
	g.block.Importance = widget.DangerImportance
	g.close = widget.NewButtonWithIcon(lang.L("Close"), theme.NavigateBackIcon(), func() {
		if g.jid != "" {
			a.warned("lookalike_interstitial", g.jid, g.title.String(), false)
		}
		a.closeConversation()
	})
	g.close.Importance = widget.HighImportance
	g.anyway = widget.NewButton(lang.L("Show the conversation anyway"), func() {
		if g.jid != "" {
			a.warned("lookalike_interstitial", g.jid, g.title.String(), true)
			a.revealLookalike(g.jid)
		}
	})
	g.anyway.Importance = widget.LowImportance
	body := container.NewVBox(g.title, g.who, g.reason, g.ascii, g.advice,
		container.NewHBox(g.block, g.close), container.NewHBox(small(g.anyway)))
	card := container.New(&maxWidth{w: 600}, container.NewPadded(body))
	g.root = container.NewStack(bg, container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewPadded(card))))
	g.root.Hide()
	return g
}

// set fills the interstitial for the peer jid.
func (g *gateView) set(t event.Trust, jid string) {
	g.jid = bareJID(jid)
	in := LookalikeInterstitial(t, jid)
	g.title.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: in.Title,
		Style: widget.RichTextStyle{ColorName: theme.ColorNameError, SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}}}}
	g.title.Refresh()
	g.who.SetText(in.Who)
	setHint(g.reason, in.Reason)
	if in.ASCII != "" {
		setHint(g.ascii, lang.L("Its real domain, in plain letters: {{.ASCII}}", tv{"ASCII": in.ASCII}))
	} else {
		setHint(g.ascii, "")
	}
	g.advice.SetText(in.Advice)
}

// maxWidth lays out one object at most w wide, centred horizontally, at
// the top, at the height it needs at that width.
type maxWidth struct{ w float32 }

func (m *maxWidth) width(avail float32) float32 { return fyne.Min(avail, m.w) }

func (m *maxWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		ms := o.MinSize()
		s = s.Max(fyne.NewSize(fyne.Min(ms.Width, m.w), ms.Height))
	}
	return s
}

func (m *maxWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := m.width(size.Width)
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, o.MinSize().Height))
		o.Resize(fyne.NewSize(w, o.MinSize().Height)) // wrapped text knows its height now
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}

var _ fyne.Layout = (*maxWidth)(nil)
