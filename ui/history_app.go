package ui

import (
	"path/filepath"
	"sort"
	"strings"
	"time"

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

// searchState is the search panel's state: what was asked and what came.
type searchState struct {
	Query        string
	Conversation string
	Waiting      bool
	Results      []event.SearchResult
	Answered     bool
}

// jumpTarget is a search result being opened: the conversation and the
// archive id to highlight when its History arrives.
type jumpTarget struct {
	Conv string
	ID   string
	Room bool
}

// searchPanel is the open search panel's widgets.
type searchPanel struct {
	dlg     dialog.Dialog
	entry   *widget.Entry
	scope   *widget.RadioGroup
	status  *widget.Label
	results *fyne.Container
	conv    string // the conversation "This conversation" means
}

// scopeAll and scopeThis are the search panel's two scopes.
func scopeAll() string  { return lang.L("All chats") }
func scopeThis() string { return lang.L("This conversation") }

// currentConv is the open conversation: a direct chat's bare JID, a
// room's, or a private chat's room/nick; "" for none.
func (a *App) currentConv() string {
	if a.activeRoom != "" {
		return a.archiveConv(a.activeRoom)
	}
	return a.active
}

// archiveConv is the archive's name for a conversation: a private chat
// inside a room is kept under the room.
func (a *App) archiveConv(key string) string {
	if pc := a.rooms.PrivateByKey(key); pc != nil {
		return pc.Room
	}
	return key
}

// showSearch opens the search panel (Ctrl+Shift+F). conv, when not empty,
// selects "This conversation".
func (a *App) showSearch(conv string) {
	if a.searchUI != nil {
		a.searchUI.dlg.Hide()
	}
	sp := &searchPanel{}
	here := conv
	if here == "" {
		here = a.currentConv()
	}
	sp.conv = here
	sp.entry = widget.NewEntry()
	sp.entry.SetPlaceHolder(lang.L("Words to find (word* finds words starting so)"))
	sp.entry.SetText(a.search.Query)
	opts := []string{scopeAll()}
	if here != "" {
		opts = append(opts, scopeThis()+": "+a.convTitle(here))
	}
	sp.scope = widget.NewRadioGroup(opts, nil)
	sp.scope.Horizontal = true
	sp.scope.Required = true
	sp.scope.SetSelected(scopeAll())
	if conv != "" {
		sp.scope.SetSelected(opts[1])
	}
	sp.status = widget.NewLabel("")
	sp.status.Wrapping = fyne.TextWrapWord
	sp.results = container.NewVBox()
	run := func() { a.runSearch(sp) }
	sp.entry.OnSubmitted = func(string) { run() }
	go1 := widget.NewButtonWithIcon(lang.L("Search"), theme.SearchIcon(), run)
	go1.Importance = widget.HighImportance
	scroll := container.NewVScroll(sp.results)
	scroll.SetMinSize(fyne.NewSize(700, 400))
	top := container.NewVBox(container.NewBorder(nil, nil, nil, go1, sp.entry), sp.scope, sp.status)
	sp.dlg = dialog.NewCustom(lang.L("Search messages"), lang.L("Close"), container.NewBorder(top, nil, nil, nil, scroll), a.win)
	sp.dlg.SetOnClosed(func() {
		if a.searchUI == sp {
			a.searchUI = nil
		}
	})
	a.searchUI = sp
	a.fillSearch()
	sp.dlg.Show()
	a.win.Canvas().Focus(sp.entry)
}

// runSearch sends the search command for what the panel says.
func (a *App) runSearch(sp *searchPanel) {
	q := strings.TrimSpace(sp.entry.Text)
	if q == "" {
		sp.status.SetText(lang.L("Type the words to find."))
		return
	}
	conv := ""
	if sp.scope.Selected != scopeAll() {
		conv = sp.conv
	}
	a.search = searchState{Query: q, Conversation: conv, Waiting: true}
	a.do(event.Search{Query: q, Conversation: conv, Limit: 50})
	a.fillSearch()
}

// fillSearch draws the results in the open panel.
func (a *App) fillSearch() {
	sp := a.searchUI
	if sp == nil {
		return
	}
	s := a.search
	sp.results.RemoveAll()
	switch {
	case s.Waiting:
		sp.status.SetText(lang.L("Searching for “{{.Q}}”…", tv{"Q": s.Query}))
	case !s.Answered:
		sp.status.SetText(lang.L("Search every conversation kept in the local archive, or only the open one."))
	case len(s.Results) == 0:
		sp.status.SetText(lang.L("Nothing found for “{{.Q}}”.", tv{"Q": s.Query}))
	case len(s.Results) == 1:
		sp.status.SetText(lang.L("1 message found for “{{.Q}}”. Click it to see it in its conversation.", tv{"Q": s.Query}))
	default:
		sp.status.SetText(lang.L("{{.N}} messages found for “{{.Q}}”, newest first. Click one to see it in its conversation.", tv{"N": len(s.Results), "Q": s.Query}))
	}
	for _, r := range s.Results {
		sp.results.Add(a.resultCard(r))
	}
	sp.results.Refresh()
}

// resultSender names a result's sender: the nickname in a room, the
// contact's name and address otherwise.
func (a *App) resultSender(r event.SearchResult) string {
	if r.IsRoom || r.IsPrivate {
		if r.IsPrivate && r.From == a.self {
			return lang.L("You")
		}
		if i := strings.IndexByte(r.From, '/'); i >= 0 {
			return r.From[i+1:]
		}
		return r.From
	}
	b := bareJID(r.From)
	if b == a.self {
		return lang.L("You")
	}
	c := a.roster.Contact(b)
	if b == bareJID(r.Conversation) {
		return c.DisplayName() // the conversation's title gives the address
	}
	if c.Name != "" {
		return c.Name + " (" + b + ")"
	}
	return b
}

// SnippetSegments renders a result's snippet with the matched words in
// bold and the primary colour.
func SnippetSegments(r event.SearchResult) []widget.RichTextSegment {
	spans := r.Spans
	if len(spans) == 0 {
		spans = []event.SnippetSpan{{Text: r.Snippet}}
	}
	var segs []widget.RichTextSegment
	for _, s := range spans {
		st := widget.RichTextStyleInline
		if s.Match {
			st = widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}
		}
		segs = append(segs, &widget.TextSegment{Text: strings.ReplaceAll(s.Text, "\n", " "), Style: st})
	}
	return segs
}

// resultCard is one search result: conversation, sender with trust, time,
// snippet; a click opens the conversation around it.
func (a *App) resultCard(r event.SearchResult) fyne.CanvasObject {
	conv := widget.NewLabelWithStyle(a.convTitleFor(r), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	conv.Truncation = fyne.TextTruncateEllipsis
	when := widget.NewLabel(formatTime(r.Time, a.now()))
	when.SizeName = theme.SizeNameCaptionText
	who := widget.NewLabel(a.resultSender(r))
	who.SizeName = theme.SizeNameCaptionText
	c := newChip()
	if bareJID(r.From) != a.self {
		jid := bareJID(r.From)
		if r.IsRoom || r.IsPrivate {
			jid = ""
		}
		c.set(roomBadge(r.Trust, jid))
	}
	snip := widget.NewRichText(SnippetSegments(r)...)
	snip.Wrapping = fyne.TextWrapWord
	r2 := r
	content := container.New(&tightVBox{}, container.NewBorder(nil, nil, nil, when, conv), container.NewHBox(who, c.root), snip)
	return newTapCard(content, func() { a.jumpTo(r2) })
}

func (a *App) convTitleFor(r event.SearchResult) string {
	if r.IsPrivate {
		// Never mistaken for a direct chat: marked as a private message
		// inside its room.
		room := "“" + r.Conversation + "”"
		if a.rooms.Has(r.Conversation) {
			room = a.rooms.Room(r.Conversation).Title()
		}
		if bareJID(r.From) == a.self {
			return lang.L("Your private message in room {{.Room}}", tv{"Room": room})
		}
		return PrivateTitle(room, a.resultSender(r))
	}
	if r.IsRoom && !a.rooms.Has(r.Conversation) {
		return lang.L("Room {{.Room}}", tv{"Room": r.Conversation})
	}
	return a.convTitle(r.Conversation)
}

// jumpTo opens a result's conversation and asks the archive for the
// messages around it; the result is highlighted when they arrive.
func (a *App) jumpTo(r event.SearchResult) {
	if a.searchUI != nil {
		a.searchUI.dlg.Hide()
		a.searchUI = nil
	}
	a.jump = &jumpTarget{Conv: r.Conversation, ID: r.ID, Room: r.IsRoom || r.IsPrivate}
	if r.IsRoom || r.IsPrivate || a.rooms.Has(r.Conversation) {
		a.rooms.Room(r.Conversation)
		a.main.room.highlight = r.ID
		a.openRoom(r.Conversation)
	} else {
		a.main.chat.highlight = r.ID
		a.open(r.Conversation)
	}
	a.do(event.GetHistory{Conversation: r.Conversation, AroundID: r.ID, Limit: 20})
}

// applyHistory merges a page from the archive into its conversation. It
// reports whether what is shown changed.
func (a *App) applyHistory(e event.History) (chatDirty, roomDirty bool) {
	conv := bareJID(e.Conversation)
	isRoom := a.rooms.Has(conv)
	for _, m := range e.Messages {
		if m.IsRoom {
			isRoom = true
		}
	}
	if a.jump != nil && a.jump.Conv == e.Conversation && a.jump.Room {
		isRoom = true
	}
	if isRoom {
		a.rooms.MergeHistory(conv, e.Messages, e.Complete)
		a.rooms.Room(conv).Loading = false
		target := ""
		if a.jump != nil && a.jump.Conv == e.Conversation {
			target = a.jump.ID
		}
		if pc := a.rooms.MergePrivate(conv, e.Messages, target); pc != nil {
			// The result was a private message inside the room: its own
			// conversation opens, not the room.
			a.main.room.highlight = target
			a.openRoom(pc.Key())
		}
		roomDirty = a.roomKeyShown(conv)
		a.main.refreshRooms()
	} else {
		n := a.chats.MergeHistory(conv, e.Messages)
		if a.main.chat.shownFor == conv {
			a.main.chat.heights = map[int]float32{}
		}
		chatDirty = conv == a.active
		if st := a.pages[conv]; st != nil && st.loading && (a.jump == nil || a.jump.Conv != e.Conversation) {
			st.loading = false
			st.complete = e.Complete || len(e.Messages) == 0
			if conv == a.active {
				a.main.chat.refreshHeader()
			}
			if chatDirty && st.before != "" && n > 0 {
				// An older page: the message that was first stays in view.
				a.main.chat.show()
				a.main.chat.scrollTo(st.before)
				chatDirty = false
			}
		}
	}
	if a.jump != nil && a.jump.Conv == e.Conversation {
		j := a.jump
		a.jump = nil
		if chatDirty {
			a.main.chat.show()
			a.main.chat.scrollTo(j.ID)
			chatDirty = false
		}
		if roomDirty {
			a.main.room.show()
			a.main.room.scrollToHighlight()
			roomDirty = false
		}
	}
	return chatDirty, roomDirty
}

// pageState is what was asked of the archive for one direct chat.
type pageState struct {
	asked    bool // the newest page
	loading  bool // a page was asked for and has not come
	complete bool // nothing older is stored
	before   string
}

// loadOlderChat asks the archive for the messages of a direct chat before
// the oldest one shown (the newest page first, when none came from the
// archive yet): the "Earlier messages" button above the conversation.
func (a *App) loadOlderChat(jid string) {
	if jid == "" || a.backend == nil {
		return
	}
	st := a.pages[jid]
	if st == nil {
		st = &pageState{}
		a.pages[jid] = st
	}
	if st.loading || st.complete {
		return
	}
	first := ""
	if c := a.chats.convs[jid]; c != nil {
		for _, m := range c.Messages {
			if m.ArchiveID != "" {
				first = m.ArchiveID
				break
			}
		}
	}
	if first == "" && st.asked || first != "" && first == st.before {
		st.complete = true // the last page brought nothing older
		a.main.chat.refreshHeader()
		return
	}
	st.asked, st.loading, st.before = true, true, first
	a.do(event.GetHistory{Conversation: jid, BeforeID: first})
	a.main.chat.refreshHeader()
}

// scrollTo shows the message with archive id in the middle of the list.
func (p *chatPane) scrollTo(archiveID string) {
	if p.conv == nil {
		return
	}
	for i, m := range p.conv.Messages {
		if m.ArchiveID == archiveID || m.ID == archiveID {
			for id := 0; id < p.count; id++ {
				if h, ok := p.rowHeight(id); ok {
					p.list.SetItemHeight(id, h)
				}
			}
			p.list.ScrollTo(i)
			return
		}
	}
}

// scrollToHighlight scrolls the room pane to the highlighted line.
func (p *roomPane) scrollToHighlight() {
	if p.highlight == "" {
		return
	}
	y := float32(0)
	for _, o := range p.lines.Objects {
		if s, ok := o.(*fyne.Container); ok && len(s.Objects) > 0 {
			if bg, ok := s.Objects[0].(*canvas.Rectangle); ok && bg.StrokeWidth == 2 {
				p.scroll.Offset = fyne.NewPos(0, fyne.Max(0, y-p.scroll.Size().Height/3))
				p.scroll.Refresh()
				return
			}
		}
		y += o.MinSize().Height + theme.Padding()
	}
}

// MergeHistory adds archived messages (oldest first) to the conversation
// with conv, skipping those it holds, and keeps it in time order.
func (m *ChatModel) MergeHistory(conv string, msgs []event.HistoryMessage) int {
	c := m.Conv(conv)
	n := 0
	for _, hm := range msgs {
		id := hm.ID
		if id == "" {
			id = "archive-" + hm.ArchiveID
		}
		if i, dup := c.byID[id]; dup {
			if c.Messages[i].ArchiveID == "" {
				c.Messages[i].ArchiveID = hm.ArchiveID
			}
			continue
		}
		c.byID[id] = len(c.Messages)
		c.Messages = append(c.Messages, ChatMessage{ID: id, ArchiveID: hm.ArchiveID, From: hm.From, Body: hm.Body, Time: hm.Time,
			Outgoing: hm.Outgoing})
		n++
	}
	if n > 0 {
		sort.SliceStable(c.Messages, func(i, j int) bool { return c.Messages[i].Time.Before(c.Messages[j].Time) })
		for i, msg := range c.Messages {
			if msg.ID != "" {
				c.byID[msg.ID] = i
			}
		}
	}
	return n
}

// conversationMenu is the "⋮" menu of a conversation: search in it,
// export it.
func (a *App) conversationMenu(conv string, at fyne.CanvasObject) {
	if conv == "" {
		return
	}
	conv = a.archiveConv(conv)
	m := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Search in this conversation"), func() { a.showSearch(conv) }),
		fyne.NewMenuItem(lang.L("Export this conversation…"), func() { a.showExport(conv) }),
	)
	pm := widget.NewPopUpMenu(m, a.win.Canvas())
	// The menu opens under the button, its right edge at the button's.
	d := fyne.CurrentApp().Driver()
	at0 := d.AbsolutePositionForObject(at)
	x := fyne.Max(0, at0.X+at.Size().Width-pm.MinSize().Width)
	pm.ShowAtPosition(fyne.NewPos(x, at0.Y+at.Size().Height))
}

// exportFormats are the export formats as the radio group shows them:
// JSON Lines, then the readable HTML page.
func exportFormats() (jsonl, html string) {
	return lang.L("JSON Lines (.jsonl)"), lang.L("Readable HTML page (.html)")
}

// parseDay reads an optional date (YYYY-MM-DD) in local time.
func parseDay(s string) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ""
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, lang.L("Write dates as YYYY-MM-DD, like 2026-11-01, or leave them empty.")
	}
	return t, ""
}

// exportName is the file name offered in the save dialog.
func exportName(conv, ext string, now time.Time) string {
	base := "palisade-all"
	if conv != "" {
		base = "palisade-" + strings.NewReplacer("@", "-at-", "/", "-", "\\", "-", ":", "-").Replace(conv)
	}
	return base + "-" + now.Format("2006-01-02") + ext
}

// showExport asks for a format, an optional date range and a file, then
// asks the session to export conv ("" for every conversation).
func (a *App) showExport(conv string) {
	what := lang.L("Export every conversation")
	if conv != "" {
		what = lang.L("Export {{.Conv}}", tv{"Conv": a.convTitle(conv)})
	}
	formatJSONL, formatHTML := exportFormats()
	format := widget.NewRadioGroup([]string{formatJSONL, formatHTML}, nil)
	format.Required = true
	format.SetSelected(formatJSONL)
	from := widget.NewEntry()
	from.SetPlaceHolder(lang.L("YYYY-MM-DD (optional)"))
	to := widget.NewEntry()
	to.SetPlaceHolder(lang.L("YYYY-MM-DD (optional, included)"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	note := widget.NewLabel(lang.L("Each message is written with the participant's trust classification at the time. The file is readable only by you."))
	note.Wrapping = fyne.TextWrapWord
	note.SizeName = theme.SizeNameCaptionText
	form := widget.NewForm(widget.NewFormItem(lang.L("Format"), format), widget.NewFormItem(lang.L("From"), from), widget.NewFormItem(lang.L("Until"), to))
	var d dialog.Dialog
	choose := widget.NewButtonWithIcon(lang.L("Choose file and export…"), theme.DocumentSaveIcon(), func() {
		f, msg := parseDay(from.Text)
		t, msg2 := parseDay(to.Text)
		if msg == "" {
			msg = msg2
		}
		if msg == "" && !f.IsZero() && !t.IsZero() && t.Before(f) {
			msg = lang.L("The end date is before the start date.")
		}
		if msg != "" {
			problem.SetText(msg)
			problem.Show()
			return
		}
		if !t.IsZero() {
			t = t.AddDate(0, 0, 1) // the end day is included
		}
		fmtName, ext := "jsonl", ".jsonl"
		if format.Selected == formatHTML {
			fmtName, ext = "html", ".html"
		}
		d.Hide()
		a.chooseSave(what, exportName(conv, ext, a.now()), func(path string) {
			a.do(event.Export{Conversation: conv, From: f, To: t, Format: fmtName, Path: path})
		})
	})
	choose.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(what, container.NewVBox(form, note, problem, container.NewGridWithColumns(2, cancel, choose)), a.win)
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
}

// saveDialog is the default chooseSave: Fyne's save dialog.
func (a *App) saveDialog(title, name string, chosen func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		chosen(path)
	}, a.win)
	d.SetTitleText(title)
	d.SetFileName(name)
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// exportedNotice is the notice after an export.
func exportedNotice(e event.Exported) string {
	kind := strings.ToUpper(e.Format)
	if e.Format == "jsonl" {
		kind = lang.L("JSON Lines")
	}
	d := tv{"N": e.Count, "Kind": kind, "Path": filepath.Clean(e.Path)}
	if e.Count == 1 {
		return lang.L("Exported 1 message ({{.Kind}}) to {{.Path}}", d)
	}
	return lang.L("Exported {{.N}} messages ({{.Kind}}) to {{.Path}}", d)
}

// tapCard is a card that reacts to a click (a search result).
type tapCard struct {
	widget.BaseWidget
	bg    *canvas.Rectangle
	body  fyne.CanvasObject
	onTap func()
}

func newTapCard(body fyne.CanvasObject, onTap func()) *tapCard {
	c := &tapCard{body: body, onTap: onTap}
	c.bg = canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameInputBackground), 0xff))
	c.bg.CornerRadius = theme.InputRadiusSize()
	c.ExtendBaseWidget(c)
	return c
}

func (c *tapCard) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.New(layout.NewCustomPaddedLayout(2, 2, 4, 4), c.body)))
}

// Tapped opens the result.
func (c *tapCard) Tapped(*fyne.PointEvent) {
	if c.onTap != nil {
		c.onTap()
	}
}

// MouseIn highlights the card.
func (c *tapCard) MouseIn(*desktop.MouseEvent) {
	c.bg.FillColor = theme.Color(theme.ColorNameHover)
	c.bg.Refresh()
}

// MouseMoved does nothing.
func (c *tapCard) MouseMoved(*desktop.MouseEvent) {}

// MouseOut removes the highlight.
func (c *tapCard) MouseOut() {
	c.bg.FillColor = withAlpha(theme.Color(theme.ColorNameInputBackground), 0xff)
	c.bg.Refresh()
}

// Cursor is the pointing hand.
func (c *tapCard) Cursor() desktop.Cursor { return desktop.PointerCursor }
