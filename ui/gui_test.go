package ui

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// fakeBackend records commands; the test pushes events into its channel.
type fakeBackend struct {
	mu   sync.Mutex
	cmds []event.Command
	ch   chan event.Event
}

func newFakeBackend() *fakeBackend { return &fakeBackend{ch: make(chan event.Event, 20000)} }

func (f *fakeBackend) Do(c event.Command) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, c)
}

func (f *fakeBackend) Events() <-chan event.Event { return f.ch }

func (f *fakeBackend) commands() []event.Command {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event.Command(nil), f.cmds...)
}

// harness is a GUI on the Fyne test app with a fake backend, driven
// synchronously: events are applied by pump on the test goroutine.
type harness struct {
	t        *testing.T
	app      *App
	backends []*fakeBackend
	signIns  []SignIn
	notes    []*fyne.Notification
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{t: t}
	a := test.NewTempApp(t)
	opts.Connect = func(s SignIn) (event.Backend, error) {
		h.signIns = append(h.signIns, s)
		b := newFakeBackend()
		h.backends = append(h.backends, b)
		return b, nil
	}
	h.app = New(a, opts)
	h.app.sync = true
	h.app.notify = func(n *fyne.Notification) { h.notes = append(h.notes, n) }
	h.app.win.Resize(fyne.NewSize(1000, 680))
	return h
}

func (h *harness) backend() *fakeBackend { return h.backends[len(h.backends)-1] }

// emit queues events and applies them as the dispatcher would.
func (h *harness) emit(evs ...event.Event) {
	for _, e := range evs {
		h.backend().ch <- e
	}
	h.app.pump()
}

// signedIn signs in as alice@acme.test and applies Connected and a roster.
func signedIn(t *testing.T) *harness {
	h := newHarness(t, Options{})
	v := h.app.signin
	test.Type(v.jid, "alice@acme.test")
	test.Type(v.password, "secret")
	test.Tap(v.submitBtn)
	if len(h.backends) != 1 {
		t.Fatalf("Connect called %d times", len(h.backends))
	}
	h.emit(event.Connecting{Attempt: 1}, event.Connected{JID: "alice@acme.test/pc"}, event.Roster{Contacts: []event.Contact{
		{JID: "bob@acme.test", Name: "Bob Martin", Groups: []string{"Engineering"}, Subscription: "both"},
		{JID: "carol@acme.test", Name: "Carol Nguyen", Groups: []string{"Engineering"}, Subscription: "both"},
		{JID: "erin@acme.test", Name: "Erin Rossi", Groups: []string{"Sales"}, Subscription: "both"},
	}})
	return h
}

// texts lists the text of every visible label, rich text and canvas text
// under o, as laid out.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *canvas.Text:
			out = append(out, x.Text)
			return
		case *widget.Entry:
			out = append(out, x.Text)
			return
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

func (h *harness) screenText() string {
	return strings.Join(texts(h.app.win.Content()), "\n")
}

func (h *harness) mustSee(subs ...string) {
	h.t.Helper()
	s := h.screenText()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			h.t.Errorf("screen does not show %q; it shows:\n%s", sub, s)
		}
	}
}

func (h *harness) mustNotSee(subs ...string) {
	h.t.Helper()
	s := h.screenText()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			h.t.Errorf("screen shows %q but should not", sub)
		}
	}
}

func TestSignInFlow(t *testing.T) {
	h := newHarness(t, Options{Notice: "No OS keyring: the password is kept for this session only."})
	h.mustSee("Sign in to Palisade", "No OS keyring")
	v := h.app.signin
	test.Type(v.jid, "alice@acme.test")
	test.Type(v.password, "s3cret")
	test.Tap(v.remember)
	v.advanced.Open(0)
	test.Type(v.server, "xmpp.acme.test:5223")
	test.Tap(v.directTLS)
	test.Tap(v.submitBtn)

	if len(h.signIns) != 1 {
		t.Fatalf("Connect called %d times, want 1", len(h.signIns))
	}
	want := SignIn{JID: "alice@acme.test", Password: "s3cret", Remember: true, Server: "xmpp.acme.test:5223", DirectTLS: true}
	if h.signIns[0] != want {
		t.Errorf("Connect got %+v, want %+v", h.signIns[0], want)
	}
	if !v.submitBtn.Disabled() {
		t.Error("sign-in button should be disabled while connecting")
	}
	h.emit(event.Connecting{Attempt: 1, Server: "xmpp.acme.test:5223"})
	h.mustSee("Connecting to xmpp.acme.test:5223…")
	if h.app.win.Content() != v.root {
		t.Fatal("main view shown before Connected")
	}
	h.emit(event.Connected{JID: "alice@acme.test/palisade"})
	if h.app.win.Content() != h.app.main.root {
		t.Fatal("main view not shown after Connected")
	}
	h.mustSee("alice@acme.test")
}

func TestSignInValidation(t *testing.T) {
	h := newHarness(t, Options{})
	v := h.app.signin
	test.Type(v.jid, "alice")
	test.Tap(v.submitBtn)
	if len(h.signIns) != 0 {
		t.Fatal("Connect called with an invalid form")
	}
	h.mustSee("The address must look like user@domain", "Enter your password")
	v.jid.SetText("alice@acme.test")
	test.Type(v.password, "pw")
	v.server.SetText("no-port")
	test.Tap(v.submitBtn)
	if len(h.signIns) != 0 {
		t.Fatal("Connect called with a bad server")
	}
	h.mustSee("host:port")
	h.mustNotSee("The address must look like user@domain", "Enter your password")
}

func TestSignInFatalThenRetry(t *testing.T) {
	h := newHarness(t, Options{Prefill: SignIn{JID: "alice@acme.test"}})
	v := h.app.signin
	test.Type(v.password, "wrong")
	test.Tap(v.submitBtn)
	h.emit(event.Connecting{Attempt: 1},
		event.Disconnected{Message: "Wrong password or unknown account alice@acme.test", Code: event.CodeAuth, Fatal: true},
		event.Closed{})
	if h.app.win.Content() != v.root {
		t.Fatal("left the sign-in form after a fatal error")
	}
	h.mustSee("Wrong password or unknown account")
	if v.submitBtn.Disabled() || v.password.Disabled() {
		t.Fatal("form not editable after a fatal error")
	}
	v.password.SetText("right")
	test.Tap(v.submitBtn)
	if len(h.signIns) != 2 || h.signIns[1].Password != "right" {
		t.Fatalf("retry: sign-ins = %+v", h.signIns)
	}
	h.mustNotSee("Wrong password")
	h.emit(event.Connected{JID: "alice@acme.test/x"})
	if h.app.win.Content() != h.app.main.root {
		t.Fatal("main view not shown after retry")
	}
}

func TestSignInNetworkFailureRetryNow(t *testing.T) {
	h := newHarness(t, Options{})
	v := h.app.signin
	test.Type(v.jid, "alice@acme.test")
	test.Type(v.password, "pw")
	test.Tap(v.submitBtn)
	h.emit(event.Disconnected{Message: "Cannot reach acme.test", Code: event.CodeNetwork, RetryIn: 8})
	h.mustSee("Cannot reach acme.test", "Retrying in 8 s")
	test.Tap(v.retryBtn)
	if cmds := h.backend().commands(); len(cmds) != 1 || cmds[0] != (event.Reconnect{}) {
		t.Errorf("commands = %v, want Reconnect", cmds)
	}
	test.Tap(v.cancel)
	if v.submitBtn.Disabled() {
		t.Error("cancel should give the form back")
	}
}

func TestAutoSignInWithoutPassword(t *testing.T) {
	h := newHarness(t, Options{Prefill: SignIn{JID: "alice@acme.test", Remember: true}, AutoSignIn: true})
	h.app.signin.submit()
	if len(h.signIns) != 1 || h.signIns[0].JID != "alice@acme.test" || !h.signIns[0].Remember {
		t.Fatalf("sign-ins = %+v", h.signIns)
	}
}

func TestRosterRendersAndFilters(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Presence{From: "bob@acme.test/pc", JID: "bob@acme.test", Show: event.ShowAway, Status: "lunch"})
	h.mustSee("Engineering", "Sales", "Bob Martin", "bob@acme.test", "Carol Nguyen", "carol@acme.test", "Erin Rossi", "erin@acme.test",
		"Away — lunch", "Offline", "1 of 2 online")
	test.Type(h.app.main.filter, "carol")
	h.mustSee("Carol Nguyen", "carol@acme.test")
	h.mustNotSee("Bob Martin", "Erin Rossi", "Sales")
	// Enter opens the first match and clears the filter.
	h.app.main.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if h.app.active != "carol@acme.test" || h.app.main.filter.Text != "" {
		t.Errorf("Enter in the filter: active %q, filter %q; want carol@acme.test and an empty filter", h.app.active, h.app.main.filter.Text)
	}
	h.mustSee("Bob Martin", "Erin Rossi")
	test.Type(h.app.main.filter, "nobody")
	h.app.main.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if h.app.active != "carol@acme.test" || h.app.main.filter.Text != "nobody" {
		t.Errorf("Enter without a match changed the conversation (%q) or the filter (%q)", h.app.active, h.app.main.filter.Text)
	}
	h.app.main.filter.SetText("")
	h.mustSee("Bob Martin", "Erin Rossi")
}

func TestCollapseGroup(t *testing.T) {
	h := signedIn(t)
	h.app.main.list.Select(0) // the "Engineering" heading
	h.mustNotSee("Bob Martin")
	h.mustSee("Engineering", "Erin Rossi")
	h.app.main.list.Select(0)
	h.mustSee("Bob Martin")
}

func rowIndex(h *harness, jid string) int {
	for i, r := range h.app.main.rows {
		if r.Kind == RowContact && r.Contact.JID == jid {
			return i
		}
	}
	h.t.Fatalf("no roster row for %s", jid)
	return -1
}

func TestSendMessageAndTicks(t *testing.T) {
	h := signedIn(t)
	h.app.main.list.Select(rowIndex(h, "bob@acme.test"))
	h.mustSee("Bob Martin", "bob@acme.test")
	c := h.app.main.chat.composer
	test.Type(c, "Hello Bob")
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})

	var send event.Send
	for _, cmd := range h.backend().commands() {
		if s, ok := cmd.(event.Send); ok {
			send = s
		}
	}
	if send.To != "bob@acme.test" || send.Body != "Hello Bob" || send.ID == "" {
		t.Fatalf("Send = %+v", send)
	}
	if c.Text != "" {
		t.Errorf("composer not cleared: %q", c.Text)
	}
	h.mustSee("Hello Bob", "You", "sending")

	h.emit(event.Sent{ID: send.ID, To: send.To})
	h.mustSee("sent")
	h.emit(event.Acked{ID: send.ID, To: send.To})
	h.mustSee("on server")
	h.emit(event.Receipt{ID: send.ID, From: "bob@acme.test/pc"})
	h.mustSee("delivered")
	row := findMessageRow(t, h, "Hello Bob")
	if !row.tick2.Visible() {
		t.Error("receipt should show the double tick")
	}
}

func findMessageRow(t *testing.T, h *harness, body string) *messageRow {
	t.Helper()
	var found *messageRow
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *messageRow:
			if x.text == body && x.Visible() {
				found = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(h.app.main.chat.list)
	if found == nil {
		t.Fatalf("no row shows %q", body)
	}
	return found
}

func TestShiftEnterNewLine(t *testing.T) {
	h := signedIn(t)
	h.app.Open("bob@acme.test")
	c := h.app.main.chat.composer
	test.Type(c, "line one")
	c.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	c.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(c, "line two")
	if c.Text != "line one\nline two" {
		t.Errorf("composer = %q", c.Text)
	}
	for _, cmd := range h.backend().commands() {
		if _, ok := cmd.(event.Send); ok {
			t.Fatal("Shift+Enter sent the message")
		}
	}
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	cmds := h.backend().commands()
	if s, ok := cmds[len(cmds)-1].(event.Send); !ok || s.Body != "line one\nline two" {
		t.Errorf("last command = %#v", cmds[len(cmds)-1])
	}
}

func TestOwnChatStates(t *testing.T) {
	h := signedIn(t)
	h.app.Open("bob@acme.test")
	test.Type(h.app.main.chat.composer, "typing")
	var states []string
	for _, cmd := range h.backend().commands() {
		if s, ok := cmd.(event.SendChatState); ok && s.To == "bob@acme.test" {
			states = append(states, s.State)
		}
	}
	if len(states) != 1 || states[0] != event.StateComposing {
		t.Errorf("chat states sent = %v, want [composing] once", states)
	}
	// The pause timer fires after the user stopped typing.
	h.app.now = func() time.Time { return time.Now().Add(pauseAfter + time.Second) }
	for _, f := range h.app.timers {
		f()
	}
	cmds := h.backend().commands()
	if got := cmds[len(cmds)-1]; got != (event.SendChatState{To: "bob@acme.test", State: event.StatePaused}) {
		t.Errorf("after a pause: last command = %#v", got)
	}
}

func TestIncomingMessageUnreadAndNotification(t *testing.T) {
	h := signedIn(t)
	h.app.Open("bob@acme.test")
	h.emit(event.Message{ID: "c1", From: "carol@acme.test/desk", To: "alice@acme.test", Body: "Lunch?", Time: time.Now()})
	if got := h.app.roster.Unread("carol@acme.test"); got != 1 {
		t.Fatalf("unread = %d, want 1", got)
	}
	if got := h.app.rosterRow("carol@acme.test").Contact.Unread; got != 1 {
		t.Errorf("roster row unread = %d", got)
	}
	if !strings.HasPrefix(h.app.win.Title(), "(1) ") {
		t.Errorf("title = %q", h.app.win.Title())
	}
	if len(h.notes) != 0 {
		t.Error("notified while the window has focus")
	}
	h.emit(event.Message{ID: "b1", From: "bob@acme.test/pc", Body: "Hi", Time: time.Now()})
	if got := h.app.roster.Unread("bob@acme.test"); got != 0 {
		t.Errorf("open conversation counted as unread: %d", got)
	}
	h.mustSee("Hi")

	h.app.setFocused(false)
	h.emit(event.Message{ID: "b2", From: "bob@acme.test/pc", Body: "Are you there?", Time: time.Now()})
	if len(h.notes) != 1 || !strings.Contains(h.notes[0].Title, "Bob Martin (bob@acme.test)") || h.notes[0].Content != "Are you there?" {
		t.Fatalf("notifications = %+v", h.notes)
	}
	if got := h.app.roster.Unread("bob@acme.test"); got != 1 {
		t.Errorf("unfocused message not unread: %d", got)
	}
	h.app.setFocused(true)
	if got := h.app.roster.Unread("bob@acme.test"); got != 0 {
		t.Errorf("focus did not mark the open conversation read: %d", got)
	}
	h.app.Open("carol@acme.test")
	if got := h.app.roster.TotalUnread(); got != 0 {
		t.Errorf("total unread after opening carol = %d", got)
	}
}

func TestTypingIndicator(t *testing.T) {
	h := signedIn(t)
	h.app.Open("bob@acme.test")
	h.emit(event.ChatState{From: "bob@acme.test/pc", State: event.StateComposing})
	h.mustSee("Bob Martin is typing…")
	h.emit(event.ChatState{From: "bob@acme.test/pc", State: event.StatePaused})
	h.mustNotSee("is typing")
	h.emit(event.ChatState{From: "bob@acme.test/pc", State: event.StateComposing},
		event.Message{ID: "x", From: "bob@acme.test/pc", Body: "done", Time: time.Now()})
	h.mustNotSee("is typing")

	// A composing state that is never followed up expires.
	h.app.timers = nil
	h.emit(event.ChatState{From: "bob@acme.test/pc", State: event.StateComposing})
	h.mustSee("Bob Martin is typing…")
	h.app.now = func() time.Time { return time.Now().Add(typingStale + time.Second) }
	for _, f := range h.app.timers {
		f()
	}
	h.mustNotSee("is typing")
}

func TestBannerOfflineRetryAndReconnected(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Disconnected{Message: "Connection reset", Code: event.CodeNetwork, RetryIn: 5})
	h.mustSee("Offline: Connection reset. Retrying in 5 s")
	test.Tap(h.app.main.retryNow)
	cmds := h.backend().commands()
	if cmds[len(cmds)-1] != (event.Reconnect{}) {
		t.Errorf("Retry now sent %#v", cmds[len(cmds)-1])
	}
	h.emit(event.Connecting{Attempt: 2}, event.Connected{JID: "alice@acme.test/pc", Resumed: true})
	h.mustSee("Reconnected; nothing was lost")
	h.emit(event.Disconnected{Message: "Another client signed in as alice@acme.test", Code: event.CodeConflict, Fatal: true}, event.Closed{})
	h.mustSee("Not connected: Another client signed in")
	test.Tap(h.app.main.signInAgain)
	if h.app.win.Content() != h.app.signin.root {
		t.Fatal("Sign in again did not show the form")
	}
	h.mustSee("Another client signed in")
}

func TestSubscriptionRequestApprove(t *testing.T) {
	h := signedIn(t)
	h.emit(event.SubscriptionRequest{From: "dan@globex.example", Status: "hello"})
	h.mustSee("dan@globex.example wants to see when you", "hello")
	var approve *widget.Button
	for _, o := range test.LaidOutObjects(h.app.main.requests) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Approve" {
			approve = b
		}
	}
	if approve == nil {
		t.Fatal("no Approve button")
	}
	test.Tap(approve)
	cmds := h.backend().commands()
	if cmds[len(cmds)-1] != (event.Approve{JID: "dan@globex.example"}) {
		t.Errorf("last command = %#v", cmds[len(cmds)-1])
	}
	h.mustNotSee("dan@globex.example wants")
}

func TestOwnPresence(t *testing.T) {
	h := signedIn(t)
	h.app.main.ownSelect.SetSelected("Do not disturb")
	cmds := h.backend().commands()
	if cmds[len(cmds)-1] != (event.SetPresence{Show: event.ShowDND}) {
		t.Errorf("last command = %#v", cmds[len(cmds)-1])
	}
	n := len(cmds)
	h.emit(event.OwnPresence{Show: event.ShowAway, Status: "back at 3"})
	if h.app.main.ownSelect.Selected != "Away" || h.app.main.ownMessage.Text != "back at 3" {
		t.Errorf("own status shows %q %q", h.app.main.ownSelect.Selected, h.app.main.ownMessage.Text)
	}
	if len(h.backend().commands()) != n {
		t.Error("showing OwnPresence sent a command")
	}
}

func TestSignOut(t *testing.T) {
	h := signedIn(t)
	test.Tap(findButton(t, h.app.main.root, "Sign out"))
	cmds := h.backend().commands()
	if cmds[len(cmds)-1] != (event.Quit{}) {
		t.Fatalf("last command = %#v", cmds[len(cmds)-1])
	}
	h.emit(event.Closed{})
	if h.app.win.Content() != h.app.signin.root {
		t.Fatal("not back at the sign-in form")
	}
}

func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, x := range test.LaidOutObjects(o) {
		if b, ok := x.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button", text)
	return nil
}

func TestBurstOfTenThousandMessages(t *testing.T) {
	h := signedIn(t)
	h.app.Open("bob@acme.test")
	b := h.backend()
	for i := 0; i < 10000; i++ {
		from := "carol@acme.test/desk"
		if i%2 == 0 {
			from = "bob@acme.test/pc"
		}
		b.ch <- event.Message{ID: fmt.Sprint("m", i), From: from, Body: fmt.Sprint("message ", i), Time: time.Now()}
	}
	start := time.Now()
	h.app.pump()
	took := time.Since(start)
	if n := len(h.app.chats.Conv("bob@acme.test").Messages); n != 5000 {
		t.Errorf("bob has %d messages, want 5000", n)
	}
	if got := h.app.roster.Unread("carol@acme.test"); got != 5000 {
		t.Errorf("carol unread = %d", got)
	}
	if took > 15*time.Second {
		t.Errorf("applying 10,000 messages took %v", took)
	}
	t.Logf("10,000 messages applied in %v", took)
	h.mustSee("message 9998")
}

// rosterRow returns the roster row currently shown for jid.
func (a *App) rosterRow(jid string) RosterRow {
	for _, r := range a.main.rows {
		if r.Kind == RowContact && r.Contact.JID == jid {
			return r
		}
	}
	return RosterRow{}
}

// The real path: the dispatcher goroutine drains the backend's channel and
// applies events in batches through onUIWait/fyne.Do.
func TestDispatcherBatches(t *testing.T) {
	a := test.NewTempApp(t)
	b := newFakeBackend()
	batches := make(chan int, 20000)
	u := New(a, Options{Connect: func(SignIn) (event.Backend, error) { return b, nil }})
	u.afterApply = func(n int) { batches <- n }
	b.ch <- event.Connected{JID: "alice@acme.test/pc"}
	for i := 0; i < 10000; i++ {
		b.ch <- event.Message{ID: fmt.Sprint("m", i), From: "bob@acme.test/pc", Body: "x", Time: time.Now()}
	}
	if err := u.connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	total, calls := 0, 0
	deadline := time.After(10 * time.Second)
	for total < 10001 {
		select {
		case n := <-batches:
			total += n
			calls++
		case <-deadline:
			t.Fatalf("only %d events applied", total)
		}
	}
	if calls > 11 {
		t.Errorf("10,001 queued events took %d UI calls, want at most 11", calls)
	}
	if got := u.roster.Unread("bob@acme.test"); got != 10000 {
		t.Errorf("unread = %d", got)
	}
	// The dispatcher applies a Closed event when the channel closes; wait
	// for it, so that nothing of this test still draws when the next starts.
	close(b.ch)
	select {
	case <-batches:
	case <-time.After(10 * time.Second):
		t.Fatal("the dispatcher did not apply the end of the session")
	}
}

func TestErrorEventShownAndDismissed(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Error{Message: "Could not send to bob@acme.test: recipient unavailable", Code: event.CodeProtocol, Command: "send"})
	h.mustSee("Could not send to bob@acme.test")
	if h.app.win.Content() != h.app.main.root {
		t.Fatal("an Error event must not end the session view")
	}
	for _, o := range test.LaidOutObjects(h.app.main.errLine) {
		if b, ok := o.(*widget.Button); ok {
			test.Tap(b)
		}
	}
	h.mustNotSee("Could not send")
}

func TestAutoSignInFailureAsksForPassword(t *testing.T) {
	h := newHarness(t, Options{Prefill: SignIn{JID: "alice@acme.test", Remember: true}, AutoSignIn: true})
	h.app.signin.submit()
	h.emit(event.Disconnected{Message: "Wrong password", Code: event.CodeAuth, Fatal: true}, event.Closed{})
	test.Tap(h.app.signin.submitBtn)
	if len(h.signIns) != 1 {
		t.Fatal("signed in again without a password after an auth failure")
	}
	h.mustSee("Enter your password")
}

func TestBurstNotifiesOnce(t *testing.T) {
	h := signedIn(t)
	h.app.setFocused(false)
	for i := 0; i < 3000; i++ {
		h.backend().ch <- event.Message{ID: fmt.Sprint("n", i), From: "bob@acme.test/pc", Body: "spam", Time: time.Now()}
	}
	h.app.pump()
	if len(h.notes) != 1 {
		t.Errorf("%d notifications for one burst, want 1", len(h.notes))
	}
}

func overlayButton(t *testing.T, h *harness, text string) *widget.Button {
	t.Helper()
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	return findButton(t, top, text)
}

func TestAddAndRemoveContact(t *testing.T) {
	h := signedIn(t)
	h.app.showAddContact("dan@acme.test", "Dan")
	test.Tap(overlayButton(t, h, "Add"))
	cmds := h.backend().commands()
	if got, want := cmds[len(cmds)-1], (event.AddContact{JID: "dan@acme.test", Name: "Dan"}); !reflect.DeepEqual(got, want) {
		t.Errorf("command = %#v, want %#v", got, want)
	}
	h.emit(event.RosterPush{Contact: event.Contact{JID: "dan@acme.test", Name: "Dan", Subscription: "none", Pending: true}})
	h.mustSee("Dan", "dan@acme.test", "awaiting approval")

	h.app.Open("dan@acme.test")
	test.Tap(findButton(t, h.app.main.chat.root, "Remove contact"))
	test.Tap(overlayButton(t, h, "Yes"))
	cmds = h.backend().commands()
	if got := cmds[len(cmds)-1]; got != (event.RemoveContact{JID: "dan@acme.test"}) {
		t.Errorf("command = %#v", got)
	}
}

func TestStrangerConversation(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Message{ID: "s1", From: "eve@globex.example/x", Body: "hello from outside", Time: time.Now()})
	h.mustSee(strangersName, "eve@globex.example")
	h.app.Open("eve@globex.example")
	h.mustSee("not in your contacts", "Add to contacts", "hello from outside")
}

func TestCloseWindowEndsSessionFirst(t *testing.T) {
	h := signedIn(t)
	h.app.closeWindow()
	cmds := h.backend().commands()
	if got := cmds[len(cmds)-1]; got != (event.Quit{}) {
		t.Fatalf("closing sent %#v, want Quit", got)
	}
	if h.app.stopped {
		t.Fatal("window closed before the session ended")
	}
	h.emit(event.Closed{})
	if !h.app.stopped {
		t.Fatal("window not closed after Closed")
	}
}

func TestOpenConversationHighlightsRow(t *testing.T) {
	h := signedIn(t)
	h.app.main.list.Select(rowIndex(h, "carol@acme.test"))
	if h.app.active != "carol@acme.test" {
		t.Fatalf("active = %q", h.app.active)
	}
	h.emit(event.Presence{From: "bob@acme.test/pc", JID: "bob@acme.test", Show: event.ShowAway})
	highlighted := map[string]bool{}
	for _, o := range test.LaidOutObjects(h.app.main.list) {
		if it, ok := o.(*rosterItem); ok && it.contact.Visible() {
			highlighted[it.name.Text] = it.active.Visible()
		}
	}
	if !highlighted["Carol Nguyen"] || highlighted["Bob Martin"] {
		t.Errorf("highlighted rows = %v, want only Carol", highlighted)
	}
}

func TestLargeRosterPresenceBurst(t *testing.T) {
	h := signedIn(t)
	var cs []event.Contact
	for i := 0; i < 2000; i++ {
		cs = append(cs, event.Contact{JID: fmt.Sprintf("user%04d@acme.test", i), Name: fmt.Sprintf("User %04d", i),
			Groups: []string{fmt.Sprintf("Team %02d", i%40)}, Subscription: "both"})
	}
	b := h.backend()
	b.ch <- event.Roster{Contacts: cs}
	for i := 0; i < 2000; i++ {
		b.ch <- event.Presence{From: fmt.Sprintf("user%04d@acme.test/pc", i), JID: fmt.Sprintf("user%04d@acme.test", i), Show: event.ShowAway}
	}
	start := time.Now()
	h.app.pump()
	t.Logf("roster of 2,000 with 2,000 presences applied in %v", time.Since(start))
	if n := len(h.app.main.rows); n != 2040 {
		t.Errorf("rows = %d, want 2040", n)
	}
	start = time.Now()
	test.Type(h.app.main.filter, "user1999")
	t.Logf("filtering 2,000 contacts (8 keystrokes) took %v", time.Since(start))
	h.mustSee("User 1999", "user1999@acme.test")
}

func TestNewMessagesFollowOnlyAtTheEnd(t *testing.T) {
	h := signedIn(t)
	h.app.Open("bob@acme.test")
	for i := 0; i < 60; i++ {
		h.backend().ch <- event.Message{ID: fmt.Sprint("f", i), From: "bob@acme.test/pc", Body: fmt.Sprint("history ", i), Time: time.Now()}
	}
	h.app.pump()
	list := h.app.main.chat.list
	if !list.atEnd() || list.GetScrollOffset() == 0 {
		t.Fatalf("not following the newest message: offset %v", list.GetScrollOffset())
	}
	list.ScrollToTop()
	h.emit(event.Message{ID: "f-new", From: "bob@acme.test/pc", Body: "newer", Time: time.Now()})
	if list.GetScrollOffset() != 0 {
		t.Errorf("reading old messages, the list jumped to %v", list.GetScrollOffset())
	}
	list.ScrollToBottom()
	h.emit(event.Message{ID: "f-newer", From: "bob@acme.test/pc", Body: "newest", Time: time.Now()})
	if !list.atEnd() {
		t.Error("at the end, a new message did not keep the list at the end")
	}
	h.mustSee("newest")
}
