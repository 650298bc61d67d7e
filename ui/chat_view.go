package ui

import (
	"image"
	"image/color"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/textsafe"
)

// chatPane is the right side: header, messages, typing line, composer.
type chatPane struct {
	app  *App
	root *fyne.Container

	empty   fyne.CanvasObject
	content fyne.CanvasObject
	// gate is the lookalike interstitial, shown before the conversation.
	gate     *gateView
	presence *widget.Icon
	name     *canvas.Text
	// trust is the trust mark beside the name in the header; warning is the
	// banner under it for peers outside the organisation.
	trust   *chip
	warning *tintBanner
	// idBanner is the peer's identity: a change that locks the composer
	// until the user checked it, or a broken certificate.
	idBanner  *identityBanner
	titleBox  *fyne.Container // the header's first line
	identity  *widget.Label
	addBtn    *widget.Button
	removeBtn *widget.Button

	list *messageList
	// fileMeasure is a file box that only measures file rows' heights.
	fileMeasure *fileBox
	conv        *Conversation
	count       int // messages shown: len(conv.Messages) at the last refresh
	heights     map[int]float32
	hwidth      float32
	measurer    *widget.RichText
	headerH     float32

	typing   *widget.Label
	composer *composerEntry
	sendBtn  *widget.Button
	attach   *widget.Button
	// whoHint and fileHint say under the composer who the message goes to
	// and why files cannot.
	whoHint  *widget.Label
	fileHint *widget.Label
	// fileWhy shows the whole file refusal reason when the hint line cuts
	// it short; fileLine is the hint with that button.
	fileWhy  *widget.Button
	fileLine *fyne.Container
	drafts   map[string]string
	shownFor string
	// menuBtn opens the conversation's menu (search in it, export it);
	// highlight is the archive id of a search result shown in context.
	menuBtn   *widget.Button
	highlight string
	// earlier asks the archive for older messages of the conversation.
	earlier *widget.Button
}

func newChatPane(a *App) *chatPane {
	p := &chatPane{app: a, heights: map[int]float32{}, drafts: map[string]string{}}
	hint := widget.NewLabelWithStyle(lang.L("Choose a contact on the left to start a conversation."), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	p.empty = container.NewCenter(container.NewVBox(widget.NewIcon(theme.MailComposeIcon()), hint))

	p.presence = widget.NewIcon(presenceIcon(""))
	p.name = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	p.name.TextStyle = fyne.TextStyle{Bold: true}
	p.name.TextSize = theme.TextSubHeadingSize()
	p.trust = newFullChip()
	p.warning = newTintBanner()
	p.idBanner = newIdentityBanner(a)
	p.identity = widget.NewLabel("")
	p.identity.Truncation = fyne.TextTruncateEllipsis
	p.addBtn = widget.NewButtonWithIcon(lang.L("Add to contacts"), theme.ContentAddIcon(), func() {
		p.app.showAddContact(p.app.active, "")
	})
	p.removeBtn = widget.NewButtonWithIcon(lang.L("Remove contact"), theme.DeleteIcon(), func() {
		p.app.confirmRemove(p.app.active)
	})
	p.removeBtn.Importance = widget.LowImportance
	p.menuBtn = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), nil)
	p.menuBtn.OnTapped = func() { p.app.conversationMenu(p.app.active, p.menuBtn) }
	p.menuBtn.Importance = widget.LowImportance
	header := container.NewBorder(nil, nil, nil, container.NewHBox(container.NewCenter(container.NewStack(p.addBtn, p.removeBtn)), p.menuBtn),
		container.NewVBox(p.titleLine(), p.identity))

	p.measurer = widget.NewRichText()
	p.measurer.Wrapping = fyne.TextWrapWord
	p.list = &messageList{}
	p.list.Length = func() int { return p.count }
	p.fileMeasure = newFileBox(nil)
	p.list.CreateItem = func() fyne.CanvasObject {
		r := newMessageRow()
		r.file.app = p.app
		return r
	}
	p.list.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) { p.updateRow(id, o.(*messageRow)) }
	p.list.ExtendBaseWidget(p.list)
	p.list.OnSelected = func(id widget.ListItemID) { p.list.Unselect(id) }

	p.typing = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	p.typing.SizeName = theme.SizeNameCaptionText
	p.composer = newComposerEntry(p.send)
	p.composer.onPaste = p.app.pasteImage
	p.composer.SetPlaceHolder(composerPlaceHolder())
	p.composer.OnChanged = func(s string) {
		if p.app.active != "" {
			p.drafts[p.app.active] = s
			p.app.draftChanged(p.app.active, s)
		}
	}
	p.sendBtn = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), p.send)
	p.sendBtn.Importance = widget.HighImportance
	p.attach = widget.NewButtonWithIcon(lang.L("Attach"), theme.MailAttachmentIcon(), func() {
		jid := p.app.active
		// The picker's title says who the file goes to, with their trust.
		p.app.chooseFile(lang.L("Send a file to {{.Who}}", tv{"Who": trustWords(p.app.roster.Trust(jid), jid)}), func(path string) { p.app.sendFile(jid, path) })
	})
	// The hints are one line each (cut with … when the pane is narrow), so
	// that they never push the composer off the window; the whole file
	// reason is a click away ("Why?").
	p.whoHint = widget.NewLabel("")
	p.whoHint.SizeName = theme.SizeNameCaptionText
	p.whoHint.Truncation = fyne.TextTruncateEllipsis
	p.fileHint = widget.NewLabel("")
	p.fileHint.SizeName = theme.SizeNameCaptionText
	p.fileHint.Truncation = fyne.TextTruncateEllipsis
	p.fileHint.Importance = widget.WarningImportance
	p.fileWhy = widget.NewButtonWithIcon(lang.L("Why?"), theme.InfoIcon(), func() { p.showFileReason() })
	p.fileWhy.Importance = widget.LowImportance
	p.fileLine = container.NewBorder(nil, nil, nil, small(p.fileWhy), p.fileHint)
	p.fileLine.Hide()
	bottom := container.New(&tightVBox{}, p.typing,
		container.NewPadded(container.NewBorder(nil, nil, nil, container.NewVBox(p.sendBtn, p.attach), p.composer)),
		p.whoHint, p.fileLine)
	p.earlier = widget.NewButtonWithIcon(lang.L("Earlier messages"), theme.HistoryIcon(), func() { p.app.loadOlderChat(p.app.active) })
	p.earlier.Importance = widget.LowImportance
	p.content = container.NewBorder(container.NewVBox(container.NewPadded(header), p.idBanner.tb.root, p.warning.root, widget.NewSeparator(),
		container.NewCenter(small(p.earlier))), container.NewPadded(bottom), nil, nil, p.list)
	p.content.Hide()
	p.gate = newGateView(a)
	p.root = container.NewStack(p.empty, p.content, p.gate.root)
	return p
}

// titleLine is the header's first line: presence, name, organisation
// badge, and the identity mark in the rest of the width (its long words
// when they fit, its short ones when not).
func (p *chatPane) titleLine() fyne.CanvasObject {
	p.titleBox = container.NewBorder(nil, nil, container.NewHBox(p.presence, p.name, container.NewCenter(p.trust.org)), nil, p.trust.id)
	return p.titleBox
}

func (p *chatPane) reset() {
	p.conv = nil
	p.drafts = map[string]string{}
	p.shownFor = ""
	p.heights = map[int]float32{}
	p.composer.SetText("")
	p.show()
}

func (p *chatPane) send() {
	jid := p.app.active
	text := p.composer.Text
	if jid == "" || strings.TrimSpace(text) == "" || p.app.identityLocked(jid) {
		return
	}
	p.app.send(jid, text)
	delete(p.drafts, jid)
	p.composer.SetText("")
	p.show()
	p.scrollToEnd()
	p.app.main.refreshRoster()
}

// show redraws the pane for the active conversation.
func (p *chatPane) show() {
	jid := p.app.active
	if jid == "" {
		p.conv, p.count = nil, 0
		p.content.Hide()
		p.gate.root.Hide()
		p.empty.Show()
		p.shownFor = ""
		return
	}
	p.empty.Hide()
	if p.app.gated(jid) {
		// A lookalike: the interstitial comes first, the conversation
		// (messages, composer) stays hidden until the user chooses.
		p.conv, p.count = nil, 0
		p.content.Hide()
		p.gate.set(p.app.roster.Trust(jid), jid)
		p.gate.root.Show()
		p.shownFor = ""
		p.list.Refresh()
		return
	}
	p.gate.root.Hide()
	p.content.Show()
	switched := p.shownFor != jid
	p.conv = p.app.chats.Conv(jid)
	p.count = len(p.conv.Messages)
	if switched {
		if j := p.app.jump; j == nil || j.Conv != jid {
			p.highlight = ""
		}
		p.shownFor = jid
		p.heights = map[int]float32{}
		draft := p.drafts[jid]
		onChanged := p.composer.OnChanged
		p.composer.OnChanged = nil
		p.composer.SetText(draft)
		p.composer.OnChanged = onChanged
		p.list.Refresh()
		p.scrollToEnd()
		p.app.win.Canvas().Focus(p.composer)
	} else {
		p.list.Refresh()
	}
	p.refreshHeader()
}

func (p *chatPane) refreshHeader() {
	jid := p.app.active
	if jid == "" {
		return
	}
	c := p.app.roster.Contact(jid)
	p.presence.SetResource(presenceIcon(c.Show))
	p.name.Text = c.DisplayName()
	p.name.Refresh()
	id := c.JID + "  ·  " + presenceWord(c.Show)
	if c.Status != "" {
		id += " — " + c.Status
	}
	if !c.InRoster {
		id += "  ·  " + lang.L("not in your contacts")
		p.addBtn.Show()
		p.removeBtn.Hide()
	} else {
		p.addBtn.Hide()
		p.removeBtn.Show()
	}
	p.identity.SetText(id)
	p.refreshTrust(c)
	if st := p.app.pages[jid]; st != nil && (st.complete || st.loading) {
		p.earlier.Disable()
		if st.complete {
			p.earlier.SetText(lang.L("No earlier messages"))
		} else {
			p.earlier.SetText(lang.L("Loading earlier messages…"))
		}
	} else {
		p.earlier.Enable()
		p.earlier.SetText(lang.L("Earlier messages"))
	}
	if p.conv != nil && p.conv.IsTypingAt(p.app.now()) {
		p.typing.SetText(lang.L("{{.Name}} is typing…", tv{"Name": c.DisplayName()}))
	} else {
		p.typing.SetText("")
	}
}

// refreshTrust shows the policy's verdict on the open conversation's peer:
// the header chip and banner, the composer hints, the attach control.
func (p *chatPane) refreshTrust(c ContactView) {
	t := c.Trust
	p.trust.set(TrustBadge(t, c.JID))
	p.titleBox.Refresh() // the identity mark's words depend on the room left
	b := TrustBanner(t, c.JID, p.app.ownOrg())
	p.warning.setTitled(b.Kind, b.Title, b.Text)
	who, files := ComposerHints(t, c.JID)
	setHint(p.whoHint, who)
	if t.Class == event.ClassLookalike {
		p.whoHint.Importance = widget.DangerImportance
	} else {
		p.whoHint.Importance = widget.MediumImportance
	}
	p.whoHint.Refresh()
	setHint(p.fileHint, files)
	p.fileLine.Hidden = files == ""
	p.fileLine.Refresh()
	// An identity change locks the composer, Send and Attach until the
	// user says they checked it; the banner says why and offers that.
	locked := p.app.identityLocked(c.JID)
	ib := IdentityBanner(t, p.app.identityChange(c.JID), c.JID, c.DisplayName())
	p.idBanner.set(ib, locked)
	if locked {
		p.composer.Disable()
		p.sendBtn.Disable()
		p.composer.SetPlaceHolder(LockedHint(c.DisplayName()))
	} else {
		p.composer.Enable()
		p.sendBtn.Enable()
		p.composer.SetPlaceHolder(composerPlaceHolder())
	}
	if FileSendAllowed(t) && !locked {
		p.attach.Enable()
	} else {
		p.attach.Disable()
	}
}

// composerPlaceHolder is the composer's hint while it is usable.
func composerPlaceHolder() string {
	return lang.L("Write a message. Enter sends, Shift+Enter starts a new line.")
}

// contains reports whether pos (in window coordinates) is over the chat
// pane.
func (p *chatPane) contains(pos fyne.Position) bool {
	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(p.root)
	s := p.root.Size()
	return pos.X >= at.X && pos.Y >= at.Y && pos.X < at.X+s.Width && pos.Y < at.Y+s.Height
}

// showFileReason shows the whole reason why files cannot go to the open
// conversation's peer.
func (p *chatPane) showFileReason() {
	if p.fileHint.Text == "" {
		return
	}
	text := p.fileHint.Text
	if !strings.HasSuffix(text, ".") {
		text += "."
	}
	l := widgetLabelWrap(text)
	d := dialog.NewCustom(lang.L("Files cannot be sent"), lang.L("Close"), l, p.app.win)
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
	d.Show()
}

func setHint(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
	if s == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func (p *chatPane) senderName(m ChatMessage) string {
	if m.System {
		return "Palisade"
	}
	if m.Outgoing {
		return lang.L("You")
	}
	return p.app.roster.Contact(p.app.active).DisplayName()
}

func formatTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Local().Date()
	if y1 == y2 && m1 == m2 && d1 == d2 {
		return t.Format("15:04")
	}
	if y1 == y2 {
		return formatDate(t, "2 Jan 15:04")
	}
	return formatDate(t, "2 Jan 2006 15:04")
}

func (p *chatPane) updateRow(id int, r *messageRow) {
	if p.conv == nil || id >= p.count {
		return
	}
	m := p.conv.Messages[id]
	peer := p.conv.JID
	r.set(m, p.senderName(m), formatTime(m.Time, p.app.now()), func(link string) { p.app.openLink(link, peer, m.Outgoing) })
	if m.File != nil {
		r.setFile(m.File, p.app.roster.Contact(peer).DisplayName(), p.app.thumbs[m.File.ID])
	}
	if p.highlight != "" && (m.ArchiveID == p.highlight || m.ID == p.highlight) {
		// A search result shown in its context.
		r.bg.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x50)
		r.bg.StrokeColor = theme.Color(theme.ColorNameWarning)
		r.bg.StrokeWidth = 2
		r.bg.Refresh()
	} else if r.bg.StrokeWidth != 0 {
		r.bg.StrokeWidth = 0
		r.bg.Refresh()
	}
	if h, ok := p.rowHeight(id); ok {
		p.list.SetItemHeight(id, h)
	}
}

// rowHeight is the height of message id at the list's current width:
// rows grow with their text. Heights are measured once per width.
func (p *chatPane) rowHeight(id int) (float32, bool) {
	w := p.list.Size().Width - theme.ScrollBarSize() - 4*theme.Padding()
	if w <= 0 || p.conv == nil || id >= len(p.conv.Messages) {
		return 0, false
	}
	if w != p.hwidth {
		p.hwidth = w
		p.heights = map[int]float32{}
	}
	if p.headerH == 0 {
		p.headerH = newMessageRow().headerHeight()
	}
	if f := p.conv.Messages[id].File; f != nil {
		// File rows change as the transfer moves: measured each time.
		p.fileMeasure.set(f, p.app.roster.Contact(p.conv.JID).DisplayName(), p.app.thumbs[f.ID])
		return p.headerH + p.fileMeasure.height(fileBoxWidth(w)) + theme.Padding(), true
	}
	h, ok := p.heights[id]
	if !ok {
		p.measurer.Segments = bodySegments(p.conv.Messages[id], func(string) {}) // the same lines as shown
		p.measurer.Refresh()
		p.measurer.Resize(fyne.NewSize(w, 1))
		h = p.headerH + p.measurer.MinSize().Height
		p.heights[id] = h
	}
	return h, true
}

// scrollToEnd measures the newest rows first, so that the list knows how
// tall they are, then scrolls to the last message.
func (p *chatPane) scrollToEnd() {
	if p.conv != nil {
		n := p.count
		for id := n - 1; id >= 0 && id >= n-50; id-- {
			if h, ok := p.rowHeight(id); ok {
				p.list.SetItemHeight(id, h)
			}
		}
	}
	p.list.ScrollToBottom()
}

// messageList is the virtualised message list. When it is showing the
// newest message and gets shorter or taller (the banner appears, the window
// is resized), it stays at the newest message.
type messageList struct {
	widget.List
}

// atEnd reports whether the newest message is in view.
func (l *messageList) atEnd() bool {
	off := l.GetScrollOffset()
	l.ScrollToBottom()
	end := l.GetScrollOffset() <= off+1
	if !end {
		l.ScrollToOffset(off)
	}
	return end
}

// Resize keeps the list at its end if it was there.
func (l *messageList) Resize(s fyne.Size) {
	old := l.Size()
	if old == s || old.Height <= 0 {
		l.List.Resize(s)
		return
	}
	atEnd := l.atEnd()
	l.List.Resize(s)
	if atEnd {
		l.ScrollToBottom()
	}
}

// messageRow is one message in the list.
type messageRow struct {
	widget.BaseWidget
	bg     *canvas.Rectangle
	sender *widget.Label
	when   *widget.Label
	ticks  *fyne.Container
	tick1  *widget.Icon
	tick2  *widget.Icon
	state  *widget.Label
	plain  *widget.Label    // the body without links: selectable text
	body   *widget.RichText // the body with links, or a line from Palisade
	text   string           // the body as received, exactly
	head   *fyne.Container
	file   *fileBox // shown instead of the body for a file
	// sigIcon and sigText say whether the sender's certified device signed
	// the message (see SignatureNote).
	sigIcon *widget.Icon
	sigText *widget.Label
	sigLine *fyne.Container
}

// maxFileBoxWidth is the widest a file row's box gets: a card, not a
// banner across the whole pane.
const maxFileBoxWidth = 560

func fileBoxWidth(w float32) float32 { return fyne.Min(w, maxFileBoxWidth) }

// hasLink reports whether m needs the rich body (links, or a line from
// Palisade); other messages use a plain label, whose text can be selected.
func hasLink(m ChatMessage) bool {
	return m.System || linkRE.MatchString(m.Body)
}

// maxLinkLines bounds the "Open" lines under one message.
const maxLinkLines = 5

// bodySegments renders a message body. The whole body is text that wraps,
// links included, shown exactly as written (in monospace): no label can
// hide where a link goes (markdown is never interpreted). Under it, one
// "Open <target>" link per target opens it through onLink; nil leaves links
// inert. Palisade itself never fetches a link.
func bodySegments(m ChatMessage, onLink func(link string)) []widget.RichTextSegment {
	if m.System {
		return []widget.RichTextSegment{&widget.TextSegment{Text: m.Body,
			Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameWarning, TextStyle: fyne.TextStyle{Italic: true}}}}
	}
	var segs []widget.RichTextSegment
	var links []string
	for _, part := range SplitLinks(m.Body) {
		if !part.Link {
			segs = append(segs, &widget.TextSegment{Text: textsafe.Text(part.Text), Style: widget.RichTextStyleInline})
			continue
		}
		// The address as written, in monospace: read, not clicked.
		segs = append(segs, &widget.TextSegment{Text: textsafe.Text(part.Text), Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Monospace: true}}})
		links = append(links, part.Text)
	}
	if len(segs) == 0 {
		segs = append(segs, &widget.TextSegment{Text: "", Style: widget.RichTextStyleInline})
	}
	if onLink == nil {
		return segs
	}
	seen := map[string]bool{}
	for _, link := range links {
		u, err := linkURL(link)
		if err != nil || seen[link] || len(seen) == maxLinkLines {
			continue
		}
		seen[link] = true
		link := link
		segs = append(segs, &widget.TextSegment{Text: "\n", Style: widget.RichTextStyleInline},
			&widget.HyperlinkSegment{Text: openWords(u, link), URL: u, OnTapped: func() { onLink(link) }})
	}
	return segs
}

// maxOpenText is the longest target written out whole in its "Open" link
// (a link does not wrap); a longer one names its site, and its whole
// address is in the text above.
const maxOpenText = 56

// openWords is the text of the link that opens link:
// "Open https://evil.test/pay", or "Open a link to evil.test".
//
// A link that may deceive (a user part before the host, a host in
// non-Latin letters or punycode, hidden characters) always names its real
// host in ASCII and why (package textsafe).
func openWords(u *url.URL, link string) string {
	if info, err := textsafe.Link(link); err == nil && info.Deceptive != "" && info.Host != "" {
		return lang.L("Open the link to {{.Host}} ({{.Why}})", tv{"Host": info.Host, "Why": info.Deceptive})
	}
	switch {
	case len([]rune(link)) <= maxOpenText:
		return lang.L("Open {{.Link}}", tv{"Link": link})
	case u.Hostname() != "":
		return lang.L("Open the link to {{.Host}}", tv{"Host": u.Hostname()})
	}
	return lang.L("Open the link above")
}

func newMessageRow() *messageRow {
	r := &messageRow{}
	r.bg = canvas.NewRectangle(color.Transparent)
	r.bg.CornerRadius = theme.InputRadiusSize()
	r.sender = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.when = widget.NewLabel("")
	r.when.SizeName = theme.SizeNameCaptionText
	r.tick1 = widget.NewIcon(theme.ConfirmIcon())
	r.tick2 = widget.NewIcon(theme.ConfirmIcon())
	r.ticks = container.New(&overlapRow{}, r.tick1, r.tick2)
	r.state = widget.NewLabel("")
	r.state.SizeName = theme.SizeNameCaptionText
	r.body = widget.NewRichText()
	r.body.Wrapping = fyne.TextWrapWord
	r.plain = widget.NewLabel("")
	r.plain.Wrapping = fyne.TextWrapWord
	r.plain.Selectable = true
	r.sigIcon = widget.NewIcon(nil)
	r.sigText = widget.NewLabel("")
	r.sigText.SizeName = theme.SizeNameCaptionText
	r.sigText.Truncation = fyne.TextTruncateEllipsis
	r.sigLine = container.NewBorder(nil, nil, container.NewCenter(r.sigIcon), nil, r.sigText)
	r.sigLine.Hide()
	r.head = container.NewBorder(nil, nil, container.NewHBox(r.sender, r.when, r.ticks, r.state), nil, r.sigLine)
	r.file = newFileBox(nil)
	r.file.root.Hide()
	r.ExtendBaseWidget(r)
	return r
}

func (r *messageRow) headerHeight() float32 {
	return r.sender.MinSize().Height - theme.Padding()
}

func (r *messageRow) set(m ChatMessage, sender, when string, onLink func(string)) {
	r.sender.SetText(textsafe.Name(sender)) // no hidden or reordering characters
	if m.Delayed && !m.Outgoing {
		when += "  (" + lang.L("sent while you were offline") + ")"
	}
	r.when.SetText(when)
	r.text = m.Body
	r.file.root.Hide()
	if m.File != nil {
		r.text = ""
		r.body.Hide()
		r.plain.Hide()
	} else if hasLink(m) {
		r.plain.Hide()
		r.body.Segments = bodySegments(m, onLink)
		r.body.Refresh()
		r.body.Show()
	} else {
		r.body.Hide()
		r.plain.SetText(textsafe.Text(m.Body))
		r.plain.Show()
	}
	note, warn := "", false
	if !m.Outgoing && !m.System {
		note, warn = SignatureNote(m.Signature, sender)
	}
	switch {
	case note == "":
		r.sigLine.Hide()
	case warn:
		r.sigIcon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		r.sigText.Importance = widget.WarningImportance
		r.sigText.TextStyle = fyne.TextStyle{Bold: true}
		r.sigText.SetText(note)
		r.sigLine.Show()
	default:
		r.sigIcon.SetResource(theme.NewColoredResource(shieldCheckSVG, theme.ColorNameSuccess))
		r.sigText.Importance = widget.MediumImportance
		r.sigText.TextStyle = fyne.TextStyle{}
		r.sigText.SetText(note)
		r.sigLine.Show()
	}
	switch {
	case warn:
		// A message whose signature is missing or wrong stands out.
		r.bg.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x30)
	case m.Outgoing:
		r.bg.FillColor = withAlpha(theme.Color(theme.ColorNamePrimary), 0x22)
	default:
		r.bg.FillColor = color.Transparent
	}
	r.bg.Refresh()
	switch m.Delivery {
	case DeliveryNone:
		r.ticks.Hide()
		r.state.SetText("")
	case DeliveryPending, DeliveryQueued, DeliverySent:
		r.tick1.SetResource(theme.NewDisabledResource(theme.HistoryIcon()))
		r.tick2.Hide()
		r.ticks.Show()
		r.state.SetText(m.Delivery.String())
	case DeliveryAcked:
		r.tick1.SetResource(theme.ConfirmIcon())
		r.tick2.Hide()
		r.ticks.Show()
		r.state.SetText(m.Delivery.String())
	case DeliveryHeld, DeliveryRefused:
		r.tick1.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		r.tick2.Hide()
		r.ticks.Show()
		r.state.SetText(m.Delivery.String())
	case DeliveryReceived:
		r.tick1.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		r.tick2.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		r.tick2.Show()
		r.ticks.Show()
		r.state.SetText(m.Delivery.String())
	}
}

// setFile shows a file row's box in place of the body.
func (r *messageRow) setFile(f *FileItem, peerName string, thumb image.Image) {
	r.file.set(f, peerName, thumb)
	r.file.root.Show()
	r.Refresh()
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

func (r *messageRow) CreateRenderer() fyne.WidgetRenderer {
	return &messageRowRenderer{r: r, objs: []fyne.CanvasObject{r.bg, r.head, r.body, r.plain, r.file.root}}
}

type messageRowRenderer struct {
	r    *messageRow
	objs []fyne.CanvasObject
}

func (m *messageRowRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	m.r.bg.Move(fyne.NewPos(pad, 0))
	m.r.bg.Resize(fyne.NewSize(size.Width-2*pad, size.Height))
	hh := m.r.headerHeight()
	m.r.head.Move(fyne.NewPos(pad, -pad/2))
	m.r.head.Resize(fyne.NewSize(size.Width-2*pad, m.r.sender.MinSize().Height))
	for _, b := range []fyne.CanvasObject{m.r.body, m.r.plain} {
		b.Move(fyne.NewPos(pad, hh-pad))
		b.Resize(fyne.NewSize(size.Width-2*pad, size.Height-hh+pad))
	}
	if m.r.file.root.Visible() {
		w := fileBoxWidth(size.Width - 4*pad)
		m.r.file.root.Move(fyne.NewPos(2*pad, hh))
		m.r.file.root.Resize(fyne.NewSize(w, m.r.file.root.MinSize().Height))
	}
}

func (m *messageRowRenderer) MinSize() fyne.Size {
	body := m.r.body.MinSize()
	if m.r.plain.Visible() {
		body = m.r.plain.MinSize()
	}
	if m.r.file.root.Visible() {
		body = m.r.file.root.MinSize()
	}
	return fyne.NewSize(100, m.r.headerHeight()+body.Height)
}
func (m *messageRowRenderer) Refresh()                     { m.Layout(m.r.Size()); canvas.Refresh(m.r) }
func (m *messageRowRenderer) Objects() []fyne.CanvasObject { return m.objs }
func (m *messageRowRenderer) Destroy()                     {}

// overlapRow lays icons side by side, overlapping, like a double tick.
type overlapRow struct{}

func (overlapRow) size() float32 { return theme.IconInlineSize() }

func (o overlapRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	n := 0
	for _, c := range objs {
		if c.Visible() {
			n++
		}
	}
	s := o.size()
	if n == 0 {
		return fyne.NewSize(0, s)
	}
	return fyne.NewSize(s+float32(n-1)*s*0.45, s)
}

func (o overlapRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	s := o.size()
	x := float32(0)
	y := (size.Height - s) / 2
	for _, c := range objs {
		if !c.Visible() {
			continue
		}
		c.Move(fyne.NewPos(x, y))
		c.Resize(fyne.NewSize(s, s))
		x += s * 0.45
	}
}
