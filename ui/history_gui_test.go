package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// overlayText is what the top dialog shows.
func overlayText(t *testing.T, h *harness) string {
	t.Helper()
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	return strings.Join(texts(top), "\n")
}

func searchResults(now time.Time) event.SearchResults {
	return event.SearchResults{Query: "contract", Results: []event.SearchResult{
		{ID: "901", Conversation: "carol@partner.test", From: "carol@partner.test/office", Time: now.Add(-time.Hour),
			Snippet: "…the signed contract is on our portal…", Trust: tPartner,
			Spans: []event.SnippetSpan{{Text: "…the signed "}, {Text: "contract", Match: true}, {Text: " is on our portal…"}}},
		{ID: "902", Conversation: teamRoom, From: teamRoom + "/ghost", Time: now.Add(-2 * time.Hour), IsRoom: true,
			Snippet: "send me the contract", Trust: tHidden,
			Spans: []event.SnippetSpan{{Text: "send me the "}, {Text: "contract", Match: true}}},
	}}
}

func TestSearchSendsCommandAndRendersResults(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("bob@acme.test")
	h.app.win.Resize(fyne.NewSize(1000, 800))
	// Ctrl+Shift+F opens the panel.
	h.app.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift})
	if h.app.searchUI == nil {
		t.Fatal("Ctrl+Shift+F did not open the search panel")
	}
	sp := h.app.searchUI
	if got := sp.scope.Options; len(got) != 2 || got[1] != "This conversation: Bob Martin (bob@acme.test)" {
		t.Errorf("scopes %q", got)
	}
	test.Type(sp.entry, "contract")
	test.Tap(overlayButton(t, h, "Search"))
	if got, want := lastCmd(h), (event.Search{Query: "contract", Limit: 50}); got != want {
		t.Fatalf("search = %#v, want %#v", got, want)
	}
	if s := overlayText(t, h); !strings.Contains(s, "Searching for “contract”…") {
		t.Errorf("panel while waiting:\n%s", s)
	}
	// Within the open conversation.
	sp.scope.SetSelected(sp.scope.Options[1])
	test.Tap(overlayButton(t, h, "Search"))
	if got, want := lastCmd(h), (event.Search{Query: "contract", Conversation: "bob@acme.test", Limit: 50}); got != want {
		t.Fatalf("search here = %#v, want %#v", got, want)
	}
	h.emit(searchResults(time.Now()))
	s := overlayText(t, h)
	for _, want := range []string{"2 messages found for “contract”", "Carol Smith (carol@partner.test)", "Partner · Partner Ltd",
		"Room " + teamRoom, "ghost", "Unknown"} {
		if !strings.Contains(s, want) {
			t.Errorf("results do not show %q:\n%s", want, s)
		}
	}
	// The snippet marks the matched word.
	var marked []string
	for _, o := range test.LaidOutObjects(sp.results) {
		if rt, ok := o.(*widget.RichText); ok {
			for _, seg := range rt.Segments {
				if ts, ok := seg.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold && ts.Style.ColorName == theme.ColorNamePrimary {
					marked = append(marked, ts.Text)
				}
			}
		}
	}
	if len(marked) != 2 || marked[0] != "contract" {
		t.Errorf("matched words shown in bold: %q", marked)
	}
}

// roomLineBg is the background of a room line (its highlight).
func roomLineBg(o fyne.CanvasObject) *canvas.Rectangle {
	if c, ok := o.(*fyne.Container); ok && len(c.Objects) > 0 {
		r, _ := c.Objects[0].(*canvas.Rectangle)
		return r
	}
	return nil
}

func TestSearchResultOpensConversationAroundIt(t *testing.T) {
	h := trustedIn(t)
	h.app.showSearch("")
	h.emit(searchResults(time.Now()))
	cards := []*tapCard{}
	for _, o := range test.LaidOutObjects(h.app.searchUI.results) {
		if c, ok := o.(*tapCard); ok {
			cards = append(cards, c)
		}
	}
	if len(cards) != 2 {
		t.Fatalf("%d result cards, want 2", len(cards))
	}
	test.Tap(cards[0])
	if h.app.searchUI != nil || h.app.win.Canvas().Overlays().Top() != nil {
		t.Error("the panel stayed open")
	}
	if h.app.active != "carol@partner.test" {
		t.Fatalf("active = %q, want carol@partner.test", h.app.active)
	}
	if got, want := lastCmd(h), (event.GetHistory{Conversation: "carol@partner.test", AroundID: "901", Limit: 20}); got != want {
		t.Fatalf("history = %#v, want %#v", got, want)
	}
	now := time.Now()
	var msgs []event.HistoryMessage
	for i, b := range []string{"before", "the signed contract is on our portal", "after"} {
		id := []string{"900", "901", "902"}[i]
		msgs = append(msgs, event.HistoryMessage{Message: event.Message{ID: "m" + id, From: "carol@partner.test/office", Body: b,
			Time: now.Add(time.Duration(i-3) * time.Hour), Trust: tPartner}, ArchiveID: id})
	}
	h.emit(event.History{Conversation: "carol@partner.test", Messages: msgs})
	conv := h.app.chats.Conv("carol@partner.test")
	if len(conv.Messages) != 3 || conv.Messages[1].ArchiveID != "901" {
		t.Fatalf("conversation after history: %+v", conv.Messages)
	}
	row := findMessageRow(t, h, "the signed contract is on our portal")
	if row.bg.StrokeWidth != 2 {
		t.Error("the result's message is not highlighted")
	}
	if other := findMessageRow(t, h, "before"); other.bg.StrokeWidth != 0 {
		t.Error("another message is highlighted")
	}
	// The same page again adds nothing.
	h.emit(event.History{Conversation: "carol@partner.test", Messages: msgs})
	if n := len(h.app.chats.Conv("carol@partner.test").Messages); n != 3 {
		t.Errorf("%d messages after the same page twice", n)
	}

	// A room result opens the room and highlights the line.
	h.app.showSearch("")
	for _, o := range test.LaidOutObjects(h.app.searchUI.results) {
		if c, ok := o.(*tapCard); ok && strings.Contains(strings.Join(texts(c.body), " "), "ghost") {
			test.Tap(c)
			break
		}
	}
	if h.app.activeRoom != teamRoom {
		t.Fatalf("activeRoom = %q after a room result", h.app.activeRoom)
	}
	if got, want := lastCmd(h), (event.GetHistory{Conversation: teamRoom, AroundID: "902", Limit: 20}); got != want {
		t.Fatalf("room history = %#v, want %#v", got, want)
	}
	h.emit(event.History{Conversation: teamRoom, Messages: []event.HistoryMessage{
		{Message: event.Message{ID: "r1", From: teamRoom + "/ghost", Body: "send me the contract", Time: now, Trust: tHidden}, ArchiveID: "902", IsRoom: true}}})
	found := false
	for _, o := range h.app.main.room.lines.Objects {
		if strings.Contains(strings.Join(texts(o), " "), "send me the contract") {
			found = true
			if bg := roomLineBg(o); bg == nil || bg.StrokeWidth != 2 {
				t.Error("the room result is not highlighted")
			}
		}
	}
	if !found {
		t.Errorf("room line not shown:\n%s", roomText(h))
	}
}

func TestExportSendsCommandAndShowsNotice(t *testing.T) {
	h := trustedIn(t)
	var asked []string
	h.app.chooseSave = func(title, name string, chosen func(string)) {
		asked = append(asked, title+"|"+name)
		chosen("/home/alice/carol.html")
	}
	h.app.Open("carol@partner.test")
	h.app.showExport("carol@partner.test")
	top := h.app.win.Canvas().Overlays().Top()
	var radio *widget.RadioGroup
	for _, o := range test.LaidOutObjects(top) {
		if r, ok := o.(*widget.RadioGroup); ok {
			radio = r
		}
	}
	if radio == nil {
		t.Fatal("no format choice")
	}
	_, formatHTML := exportFormats()
	radio.SetSelected(formatHTML)
	es := overlayEntries(t, h)
	es[0].SetText("2026-11-01")
	es[1].SetText("2026-11-26")
	test.Tap(overlayButton(t, h, "Choose file and export…"))
	if len(asked) != 1 || !strings.HasPrefix(asked[0], "Export Carol Smith (carol@partner.test)|palisade-carol-at-partner.test-") || !strings.HasSuffix(asked[0], ".html") {
		t.Errorf("save dialog asked %q", asked)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local)
	want := event.Export{Conversation: "carol@partner.test", From: from, To: time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local), Format: "html", Path: "/home/alice/carol.html"}
	got, ok := lastCmd(h).(event.Export)
	if !ok || got.Conversation != want.Conversation || !got.From.Equal(want.From) || !got.To.Equal(want.To) || got.Format != want.Format || got.Path != want.Path {
		t.Fatalf("export = %#v, want %#v", lastCmd(h), want)
	}
	h.emit(event.Exported{Path: "/home/alice/carol.html", Count: 3, Format: "html"})
	h.mustSee("Exported 3 messages (HTML) to /home/alice/carol.html")

	// The global export: every conversation, JSON Lines, no dates.
	h.app.showExport("")
	if s := overlayText(t, h); !strings.Contains(s, "Export every conversation") {
		t.Errorf("global export dialog:\n%s", s)
	}
	test.Tap(overlayButton(t, h, "Choose file and export…"))
	got, ok = lastCmd(h).(event.Export)
	if !ok || got.Conversation != "" || got.Format != "jsonl" || !got.From.IsZero() || !got.To.IsZero() {
		t.Fatalf("global export = %#v", lastCmd(h))
	}
	// A bad date is said, and nothing is sent.
	h.app.showExport("")
	overlayEntries(t, h)[0].SetText("yesterday")
	n := len(h.backend().commands())
	test.Tap(overlayButton(t, h, "Choose file and export…"))
	if len(h.backend().commands()) != n {
		t.Error("exported with a bad date")
	}
	if s := overlayText(t, h); !strings.Contains(s, "YYYY-MM-DD") {
		t.Errorf("bad date not explained:\n%s", s)
	}
}

func TestArchivedMessagesNotNotified(t *testing.T) {
	h := signedIn(t)
	h.app.setFocused(false)
	h.emit(event.Message{ID: "a1", From: "bob@acme.test/pc", Body: "from the archive", Time: time.Now().Add(-time.Hour), Archived: true},
		event.HistorySynced{Archive: "own", Count: 1, Complete: true})
	if len(h.notes) != 0 {
		t.Errorf("archived message notified: %v", h.notes[0])
	}
	if !h.app.chats.HasMessages("bob@acme.test") {
		t.Error("archived message not in the conversation")
	}
	if n := h.app.roster.Unread("bob@acme.test"); n != 0 {
		t.Errorf("archived message counted as unread: %d", n)
	}
	h.emit(event.Message{ID: "l1", From: "bob@acme.test/pc", Body: "live", Time: time.Now()})
	if len(h.notes) != 1 {
		t.Errorf("%d notifications for a live message, want 1", len(h.notes))
	}
	if n := h.app.roster.Unread("bob@acme.test"); n != 1 {
		t.Errorf("unread after a live message = %d, want 1", n)
	}
}

func TestChatModelMergeHistory(t *testing.T) {
	m := NewChatModel()
	now := time.Now()
	m.Incoming(event.Message{ID: "x", From: "bob@acme.test/pc", Body: "live", Time: now}, "alice@acme.test")
	n := m.MergeHistory("bob@acme.test", []event.HistoryMessage{
		{Message: event.Message{ID: "o", From: "bob@acme.test/pc", Body: "old", Time: now.Add(-time.Hour)}, ArchiveID: "1"},
		{Message: event.Message{ID: "x", From: "bob@acme.test/pc", Body: "live", Time: now}, ArchiveID: "2"},
	})
	c := m.Conv("bob@acme.test")
	if n != 1 || len(c.Messages) != 2 || c.Messages[0].Body != "old" || c.Messages[1].ArchiveID != "2" {
		t.Fatalf("merge added %d: %+v", n, c.Messages)
	}
	if i := c.byID["x"]; i != 1 {
		t.Errorf("index of x = %d after sorting, want 1", i)
	}
}

func TestEarlierMessagesFromTheArchive(t *testing.T) {
	h := signedIn(t)
	now := time.Now()
	h.emit(event.Message{ID: "live", From: "bob@acme.test/pc", Body: "live one", Time: now})
	h.app.Open("bob@acme.test")
	p := h.app.main.chat
	test.Tap(p.earlier)
	if got, want := lastCmd(h), (event.GetHistory{Conversation: "bob@acme.test"}); got != want {
		t.Fatalf("first page = %#v, want %#v", got, want)
	}
	if !p.earlier.Disabled() {
		t.Error("the button stays enabled while a page is loading")
	}
	h.emit(event.History{Conversation: "bob@acme.test", Messages: []event.HistoryMessage{
		{Message: event.Message{ID: "old", From: "bob@acme.test/pc", Body: "old one", Time: now.Add(-time.Hour)}, ArchiveID: "7"},
		{Message: event.Message{ID: "live", From: "bob@acme.test/pc", Body: "live one", Time: now}, ArchiveID: "8"},
	}})
	if ms := h.app.chats.Conv("bob@acme.test").Messages; len(ms) != 2 || ms[0].Body != "old one" {
		t.Fatalf("after the newest page: %+v", ms)
	}
	test.Tap(p.earlier)
	if got, want := lastCmd(h), (event.GetHistory{Conversation: "bob@acme.test", BeforeID: "7"}); got != want {
		t.Fatalf("older page = %#v, want %#v", got, want)
	}
	h.emit(event.History{Conversation: "bob@acme.test", Complete: true})
	if !p.earlier.Disabled() || p.earlier.Text != "No earlier messages" {
		t.Errorf("after the last page the button says %q (disabled %v)", p.earlier.Text, p.earlier.Disabled())
	}
}

func TestPrivateResultOpensPrivateChat(t *testing.T) {
	h := inRoom(t)
	h.app.Open("bob@acme.test")
	h.app.jumpTo(event.SearchResult{ID: "77", Conversation: teamRoom, From: teamRoom + "/ghost", IsRoom: true, Trust: tHidden})
	now := time.Now()
	h.emit(event.History{Conversation: teamRoom, Messages: []event.HistoryMessage{
		{Message: event.Message{ID: "g1", From: teamRoom + "/ghost", Body: "psst, the password", Time: now, Trust: tHidden}, ArchiveID: "77", IsRoom: true, IsPrivate: true},
		{Message: event.Message{ID: "r1", From: teamRoom + "/bob", Body: "room line", Time: now, Trust: tInternal}, ArchiveID: "78", IsRoom: true},
	}})
	if h.app.activeRoom != teamRoom+"/ghost" {
		t.Fatalf("activeRoom = %q, want the private chat with ghost", h.app.activeRoom)
	}
	s := roomText(h)
	if !strings.Contains(s, "Private message in room Team from ghost") || !strings.Contains(s, "psst, the password") || strings.Contains(s, "room line") {
		t.Errorf("private chat shows:\n%s", s)
	}
	lit := false
	for _, o := range h.app.main.room.lines.Objects {
		if strings.Contains(strings.Join(texts(o), " "), "psst") {
			bg := roomLineBg(o)
			lit = bg != nil && bg.StrokeWidth == 2
		}
	}
	if !lit {
		t.Error("the private result is not highlighted")
	}
	for _, l := range h.app.rooms.Room(teamRoom).Lines {
		if strings.Contains(l.Body, "psst") {
			t.Error("the private message went into the room")
		}
	}
}

// Room messages from the room's archive are context: no unread count, no
// notification, even when not marked delayed; a live one counts.
func TestArchivedRoomMessagesNotCounted(t *testing.T) {
	h := inRoom(t)
	h.app.Open("bob@acme.test")
	h.app.setFocused(false)
	h.emit(event.RoomMessage{Room: teamRoom, ID: "old1", Nick: "bob", FromJID: "bob@acme.test", Body: "from the room's archive",
		Time: time.Now().Add(-time.Hour), Archived: true, Trust: tInternal})
	r := h.app.rooms.Room(teamRoom)
	if r.Unread != 0 || len(h.notes) != 0 {
		t.Errorf("archived room message: unread %d, %d notifications", r.Unread, len(h.notes))
	}
	if len(r.Lines) == 0 || r.Lines[len(r.Lines)-1].Body != "from the room's archive" {
		t.Error("archived room message not in the room")
	}
	h.emit(event.RoomMessage{Room: teamRoom, ID: "new1", Nick: "bob", FromJID: "bob@acme.test", Body: "live", Time: time.Now(), Trust: tInternal})
	if r.Unread != 1 || len(h.notes) != 1 {
		t.Errorf("live room message: unread %d, %d notifications, want 1 and 1", r.Unread, len(h.notes))
	}
}

// A search result that is a private message inside a room says so, and
// opens the room (then the private chat), never a direct chat.
func TestPrivateSearchResultMarked(t *testing.T) {
	h := trustedIn(t)
	h.app.win.Resize(fyne.NewSize(1000, 800))
	h.app.Search("password")
	const room = "deal@conference.partner.test"
	res := event.SearchResult{ID: "55", Conversation: room, From: room + "/ghost", Time: time.Now().Add(-time.Hour),
		Snippet: "the password is", IsPrivate: true, Trust: tHidden}
	h.emit(event.SearchResults{Query: "password", Results: []event.SearchResult{res,
		{ID: "56", Conversation: room, From: "alice@acme.test", Time: time.Now().Add(-time.Hour), Snippet: "my password", IsPrivate: true, Trust: tInternal}}})
	s := overlayText(t, h)
	for _, want := range []string{"Private message in room “" + room + "” from ghost", "Your private message in room “" + room + "”", "Unknown"} {
		if !strings.Contains(s, want) {
			t.Errorf("results do not show %q:\n%s", want, s)
		}
	}
	h.app.jumpTo(res)
	if h.app.activeRoom != room {
		t.Errorf("activeRoom = %q, want the room %s (a private message is never a direct chat)", h.app.activeRoom, room)
	}
	if got, ok := lastCmd(h).(event.GetHistory); !ok || got.Conversation != room || got.AroundID != "55" {
		t.Errorf("asked %#v", lastCmd(h))
	}
	h.emit(event.History{Conversation: room, Messages: []event.HistoryMessage{
		{Message: event.Message{ID: "g1", From: room + "/ghost", Body: "the password is", Time: time.Now(), Trust: tHidden}, ArchiveID: "55", IsPrivate: true}}})
	if h.app.activeRoom != room+"/ghost" {
		t.Errorf("activeRoom = %q, want the private chat with ghost", h.app.activeRoom)
	}
}
