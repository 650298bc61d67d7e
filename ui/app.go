package ui

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"fyne.io/fyne/v2/lang"
	"image"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/palisade-im/palisade/event"
)

// App is the Palisade GUI: one window that shows the sign-in form, then the
// roster and chat. Create it with New; Run shows it and runs the app.
type App struct {
	fyne fyne.App
	win  fyne.Window
	opts Options

	backend event.Backend
	gen     int           // incremented per backend; events of an old one are ignored
	stop    chan struct{} // closed when the window closes
	stopped bool

	// sync is true in tests: no dispatcher goroutine (tests call pump) and
	// no timer goroutines (timers wait in timers).
	sync   bool
	timers []func()
	now    func() time.Time
	// notify sends a desktop notification (the App's by default).
	notify func(*fyne.Notification)

	roster   *RosterModel
	chats    *ChatModel
	requests *RequestsModel
	profile  *ProfileModel
	rooms    *RoomsModel
	// activeRoom is the room (bare JID) or private chat in a room
	// (room/nick) shown instead of a direct chat; "" for none.
	activeRoom string
	// joining: rooms the user asked to join here; they open once joined.
	joining     map[string]bool
	pendingOpen string
	// invites sent, by invitee, kept to resend one the session holds for
	// confirmation.
	invites map[string]event.Invite
	// search is the last search and its results; searchUI the open panel.
	search   searchState
	searchUI *searchPanel
	// jump is the search result being opened.
	jump *jumpTarget
	// chooseSave asks for a file to write (a save dialog by default; tests
	// answer at once).
	chooseSave func(title, name string, chosen func(path string))
	// synced counts archive catch-ups reported (HistorySynced).
	synced int
	// pages is, per direct chat, what was asked of the archive.
	pages map[string]*pageState
	// held lists, per peer, the ids of messages the session held back until
	// the user confirms writing to that external peer.
	held map[string][]string
	// accepting: the user pressed Accept on these requests; their
	// conversation opens when the session confirms.
	accepting map[string]bool
	// lastFileTo is the peer of the last file send, where a file error goes.
	lastFileTo string
	// filesWaiting are files offered by people whose first message waits
	// in Requests; they join the conversation on Accept.
	filesWaiting map[string][]*FileItem
	// thumbs are the thumbnails of received images scanned clean, by id.
	thumbs     map[string]image.Image
	thumbOrder []string // thumbnail ids, oldest first
	// revealed: lookalike conversations the user chose to see anyway
	// (past the interstitial), for this session.
	revealed map[string]bool
	// openURL opens a link in the browser (the App's by default; tests
	// record instead). Nothing is ever fetched by Palisade itself.
	openURL func(u *url.URL) error
	// chooseFile asks the user for a file and calls chosen with its path
	// (a file dialog by default; tests answer at once).
	chooseFile func(title string, chosen func(path string))
	conn       ConnModel
	self       string // own bare JID
	ownShow    string
	ownMsg     string
	active     string // bare JID of the open conversation, "" for none
	focused    bool
	typing     map[string]*typingTracker
	lastErr    string

	// ident: this device's enrolment, peers' certificates, identity
	// changes waiting for acknowledgement (identity_app.go).
	ident identityState

	// focusUI: focus hours and the Tor route in the status row (focus_view.go).
	focusUI focusUIState

	// train: the training state, its dialog and prompts (training_app.go).
	train trainingState

	signingOut  bool
	closing     bool // the window waits for the session to close cleanly
	onMain      bool
	countdownOn bool
	flashTimer  *time.Timer
	lastNote    time.Time

	signin *signInView
	main   *mainView

	tray  trayUI // the system tray (tray.go)
	notes noteUI // notifications that open their chat (notify.go)

	// afterApply, when set (by tests), is called on the UI event loop after
	// each batch with the batch's size.
	afterApply func(n int)
}

// New builds the GUI in a's window without showing it. It is what Run uses
// and what tests use with the Fyne test app.
func New(a fyne.App, opts Options) *App {
	applyLanguage(a) // before the first text is made (window title, main menu, views)
	u := &App{
		fyne:      a,
		opts:      opts,
		stop:      make(chan struct{}),
		now:       time.Now,
		notify:    a.SendNotification,
		roster:    NewRosterModel(),
		chats:     NewChatModel(),
		requests:  NewRequestsModel(),
		profile:   NewProfileModel(),
		rooms:     NewRoomsModel(),
		joining:   map[string]bool{},
		invites:   map[string]event.Invite{},
		pages:     map[string]*pageState{},
		held:      map[string][]string{},
		accepting: map[string]bool{},
		focused:   true,
		thumbs:    map[string]image.Image{},
		revealed:  map[string]bool{},

		filesWaiting: map[string][]*FileItem{},
		typing:       map[string]*typingTracker{},
		ownShow:      event.ShowAvailable,
	}
	u.openURL = a.OpenURL
	u.chooseFile = u.fileDialog
	u.chooseSave = u.saveDialog
	u.win = a.NewWindow("Palisade")
	u.win.Resize(u.savedWindowSize()) // window_state.go
	u.win.SetCloseIntercept(u.closeWindow)
	u.win.SetOnDropped(u.dropped)
	u.win.SetOnClosed(func() {
		if u.backend != nil && !u.closing {
			u.backend.Do(event.Quit{})
		}
		if !u.stopped {
			u.stopped = true
			close(u.stop)
		}
		// The tray keeps a hidden window of its own (Linux), which would
		// keep the process running, signed out, behind a tray icon whose
		// window is gone: closing Palisade's window ends Palisade.
		a.Quit()
	})
	u.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		if u.onMain {
			u.win.Canvas().Focus(u.main.filter)
		}
	})
	u.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}, func(fyne.Shortcut) {
		if u.onMain {
			u.showSearch("")
		}
	})
	u.addShortcuts() // shortcuts.go
	a.Lifecycle().SetOnEnteredForeground(func() { u.setFocused(true) })
	a.Lifecycle().SetOnExitedForeground(func() { u.setFocused(false); u.saveWindowSize() })
	registerApp(u)
	u.signin = newSignInView(u)
	u.main = newMainView(u)
	u.showSignIn()
	return u
}

// Run builds the GUI, shows the window and runs the Fyne app until the
// window is closed. With opts.AutoSignIn it signs in at once with
// opts.Prefill.
func Run(a fyne.App, opts Options) {
	New(a, opts).ShowAndRun()
}

// ShowAndRun shows the window, signs in at once when Options.AutoSignIn is
// set, and runs the Fyne app until the window is closed.
func (a *App) ShowAndRun() {
	a.setupTray()
	a.setupNotifier()
	a.win.Show()
	if a.opts.AutoSignIn {
		a.signin.submit()
	}
	a.fyne.Run()
}

// Open shows the conversation with jid in the chat pane. Call it on the
// Fyne event loop (or before ShowAndRun).
func (a *App) Open(jid string) { a.open(jid) }

// OpenRoom shows a room (its bare JID) or a private chat in a room
// (room@service/nick). Call it on the Fyne event loop.
func (a *App) OpenRoom(key string) { a.openRoom(key) }

// Search opens the search panel and searches every conversation for
// query. Call it on the Fyne event loop.
func (a *App) Search(query string) {
	a.showSearch("")
	a.searchUI.entry.SetText(query)
	a.runSearch(a.searchUI)
}

// Export opens the export dialog for conv ("" for every conversation).
// Call it on the Fyne event loop.
func (a *App) Export(conv string) { a.showExport(conv) }

// quitGrace is how long closing the window waits for the session to end
// the stream cleanly.
const quitGrace = 2 * time.Second

// closeWindow asks the session to quit and closes the window when it has
// (Closed), or after quitGrace at the latest.
func (a *App) closeWindow() {
	a.saveWindowSize()
	if a.backend == nil || a.closing || a.conn.State == ConnClosed || a.conn.State == ConnFatal {
		a.win.Close()
		return
	}
	a.closing = true
	a.win.Hide()
	a.do(event.Quit{})
	a.after(quitGrace, a.win.Close)
}

// Window is the GUI's window.
func (a *App) Window() fyne.Window { return a.win }

func (a *App) showSignIn() {
	a.onMain = false
	a.win.SetContent(a.signin.root)
	a.updateTitle()
	a.win.Canvas().Focus(a.signin.focusTarget())
}

func (a *App) showMain() {
	a.onMain = true
	a.win.SetContent(a.main.root)
	a.main.refreshAll()
	a.updateTitle()
	a.trainingOnMain()
}

func (a *App) updateTitle() {
	t := "Palisade"
	if a.onMain && a.self != "" {
		t = a.self + " — Palisade"
	}
	if n := a.roster.TotalUnread() + a.requests.Len() + a.rooms.TotalUnread(); n > 0 && a.onMain {
		t = fmt.Sprintf("(%d) %s", n, t)
	}
	a.win.SetTitle(t)
	a.refreshTray()
}

// connect starts a session for s. It is called on the UI event loop.
func (a *App) connect(s SignIn) error {
	if a.opts.Connect == nil {
		return fmt.Errorf("this build cannot connect (no backend)")
	}
	b, err := a.opts.Connect(s)
	if err != nil {
		return err
	}
	a.gen++
	a.backend = b
	a.conn = ConnModel{State: ConnConnecting, Server: s.Server}
	a.signingOut = false
	a.self = bareJID(s.JID)
	if !a.sync {
		go a.dispatch(b, a.gen)
	}
	return nil
}

// do sends a command to the current backend. It never blocks on the network.
func (a *App) do(c event.Command) {
	if a.backend != nil {
		a.backend.Do(c)
	}
}

// warned tells the session that a security warning was shown and what the
// user chose ("proceed", "cancel" or "block"), for the audit log.
func (a *App) warned(warning, jid, text string, proceed bool) {
	choice := "cancel"
	if proceed {
		choice = "proceed"
	}
	a.do(event.WarningShown{Warning: warning, JID: jid, Text: text, Choice: choice})
}

func newID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return "pal-" + hex.EncodeToString(b[:])
}

// send sends body to jid as a chat message and shows it at once.
func (a *App) send(jid, body string) {
	if strings.TrimSpace(body) == "" || jid == "" {
		return
	}
	id := newID()
	a.chats.Outgoing(jid, id, body, a.now())
	a.roster.Touch(jid)
	a.tracker(jid).Sent()
	a.do(event.Send{To: jid, Body: body, ID: id})
}

func (a *App) tracker(jid string) *typingTracker {
	t := a.typing[jid]
	if t == nil {
		t = &typingTracker{}
		a.typing[jid] = t
	}
	return t
}

// draftChanged is called when the composer's text changes.
func (a *App) draftChanged(jid, text string) {
	if jid == "" || a.conn.State != ConnOnline {
		return
	}
	t := a.tracker(jid)
	if st := t.Edited(text, a.now()); st != "" {
		a.do(event.SendChatState{To: jid, State: st})
	}
	if t.state == event.StateComposing {
		a.after(pauseAfter+100*time.Millisecond, func() {
			if st := t.Tick(a.now()); st != "" {
				a.do(event.SendChatState{To: jid, State: st})
			}
		})
	}
}

// open makes jid the conversation shown in the chat pane.
func (a *App) open(jid string) {
	jid = bareJID(jid)
	if a.active == jid && a.activeRoom == "" {
		return
	}
	if a.activeRoom != "" {
		a.activeRoom = ""
		a.main.showRoomPane()
	}
	if a.active != "" {
		if st := a.tracker(a.active).Leave(); st != "" {
			a.do(event.SendChatState{To: a.active, State: st})
		}
	}
	a.active = jid
	if a.focused {
		a.roster.ClearUnread(jid)
	}
	a.main.chatChanged(true)
	a.main.refreshRoster()
	a.updateTitle()
}

func (a *App) setFocused(f bool) {
	a.focused = f
	if f && a.active != "" && a.roster.Unread(a.active) > 0 {
		a.roster.ClearUnread(a.active)
		a.main.refreshRoster()
		a.updateTitle()
	}
}

// setOwnPresence asks the backend to change the user's presence.
func (a *App) setOwnPresence(show, status string) {
	a.ownShow, a.ownMsg = show, status
	a.do(event.SetPresence{Show: show, Status: status})
}

func (a *App) signOut() {
	a.signingOut = true
	a.do(event.Quit{})
}

// backToSignIn leaves the main view for the sign-in form, keeping the
// failure message visible there.
func (a *App) backToSignIn(msg string) {
	a.gen++ // ignore whatever the old backend still says
	a.backend = nil
	a.signin.setBusy(false, "")
	a.signin.setFailure(msg)
	a.resetSession()
	a.showSignIn()
}

func (a *App) resetSession() {
	a.roster = NewRosterModel()
	a.chats = NewChatModel()
	a.requests = NewRequestsModel()
	a.profile = NewProfileModel()
	a.rooms = NewRoomsModel()
	a.activeRoom, a.pendingOpen = "", ""
	a.joining = map[string]bool{}
	a.invites = map[string]event.Invite{}
	a.search, a.jump = searchState{}, nil
	a.pages = map[string]*pageState{}
	a.held = map[string][]string{}
	a.accepting = map[string]bool{}
	a.lastFileTo = ""
	a.filesWaiting = map[string][]*FileItem{}
	a.thumbs, a.thumbOrder = map[string]image.Image{}, nil
	a.revealed = map[string]bool{}
	a.typing = map[string]*typingTracker{}
	a.active = ""
	a.lastErr = ""
	a.main.reset()
}

// apply applies one batch of events from backend generation gen, then
// refreshes what changed, once.
func (a *App) apply(gen int, batch []event.Event) {
	if gen != a.gen {
		return
	}
	if a.afterApply != nil {
		defer a.afterApply(len(batch))
	}
	now := a.now()
	var (
		rosterDirty, bannerDirty, titleDirty bool
		rosterReplaced                       bool
		activeDirty, activeAppended          bool
		requestsDirty, profileDirty          bool
		roomsDirty, roomDirty                bool
		notes                                []event.Message
		opens                                []string
	)
	// trusted records the verdict an event carries about peer.
	trusted := func(peer string, t event.Trust) {
		if a.roster.SetTrust(peer, t) {
			rosterDirty = true
			if bareJID(peer) == a.active {
				activeDirty = true
			}
			if a.requests.Has(peer) {
				a.requests.SetTrust(peer, t)
				requestsDirty = true
			}
		}
	}
	for _, ev := range batch {
		switch e := ev.(type) {
		case event.Connecting, event.Disconnected, event.Closed:
			a.conn.Apply(ev, now)
			bannerDirty = true
			if d, ok := ev.(event.Disconnected); ok {
				a.chats.ClearTyping()
				activeDirty = true
				if !a.onMain {
					if d.Fatal {
						a.signin.setBusy(false, "")
						a.signin.setFailure(d.Message)
					} else {
						a.signin.setOffline(a.conn.Banner(now).Text)
					}
				}
			}
			if _, ok := ev.(event.Closed); ok && a.closing {
				a.win.Close()
				return
			}
			if _, ok := ev.(event.Closed); ok {
				if !a.onMain || a.signingOut {
					msg := ""
					if a.conn.State == ConnFatal {
						msg = a.conn.Message
					}
					a.backToSignIn(msg)
					return
				}
			}
			if _, ok := ev.(event.Connecting); ok && !a.onMain {
				a.signin.setBusy(true, a.conn.Banner(now).Text)
			}
		case event.Connected:
			a.conn.Apply(ev, now)
			a.self = bareJID(e.JID)
			if !e.Resumed {
				a.roster.ClearPresence()
			}
			bannerDirty, rosterDirty, titleDirty = true, true, true
			if !a.onMain {
				a.signin.setBusy(false, "")
				a.signin.setFailure("")
				a.showMain()
			}
		case event.Roster:
			a.roster.SetRoster(e)
			rosterDirty, rosterReplaced = true, true
			activeDirty = a.active != "" || activeDirty
			for _, c := range e.Contacts {
				if a.requests.Has(c.JID) {
					a.requests.SetTrust(c.JID, c.Trust)
					requestsDirty = true
				}
			}
		case event.RosterPush:
			a.roster.Push(e)
			rosterDirty = true
			if bareJID(e.Contact.JID) == a.active {
				activeDirty = true
			}
		case event.Presence:
			if bareJID(e.JID) == a.self || bareJID(e.From) == a.self {
				continue // another of the user's own clients
			}
			a.roster.Presence(e)
			trusted(e.JID, e.Trust)
			rosterDirty = true
			if bareJID(e.JID) == a.active {
				activeDirty = true
			}
		case event.OwnPresence:
			a.ownShow, a.ownMsg = e.Show, e.Status
			a.main.refreshOwn()
			a.refreshTray()
		case event.SubscriptionRequest:
			a.roster.AddRequest(e)
			a.main.refreshRequests()
			rosterDirty = true
		case event.Message:
			if strings.TrimSpace(e.Body) == "" {
				continue
			}
			out := e.Outgoing || bareJID(e.From) == a.self
			if out {
				trusted(e.To, e.Trust)
			} else {
				trusted(e.From, e.Trust)
			}
			if e.Request && !out && !a.chats.HasMessages(e.From) {
				// A stranger's first words wait in Requests, not among the chats.
				if a.requests.Add(e) {
					requestsDirty, titleDirty = true, true
					if !a.focused && !e.Delayed && !e.Archived {
						notes = append(notes, e)
					}
				}
				continue
			}
			conv, added := a.chats.Incoming(e, a.self)
			if !added {
				continue
			}
			a.roster.Touch(conv)
			if conv == a.active {
				activeDirty, activeAppended = true, true
			}
			if !out && !e.Archived && (conv != a.active || !a.focused) { // caught up from the archive: context, not news
				a.roster.AddUnread(conv, 1)
				titleDirty = true
			}
			if !out && !a.focused && !e.Delayed && !e.Archived && !e.Held { // held during focus: one summary when it ends (focus_view.go)
				notes = append(notes, e)
			}
			rosterDirty = true
		case event.Sent:
			trusted(e.To, e.Trust)
			if conv, ok := a.chats.Sent(e); ok && conv == a.active {
				activeDirty = true
			}
		case event.Acked:
			if conv, ok := a.chats.Acked(e); ok && conv == a.active {
				activeDirty = true
			}
		case event.Receipt:
			trusted(e.From, e.Trust)
			if conv, ok := a.chats.Receipt(e); ok && conv == a.active {
				activeDirty = true
			}
		case event.ChatState:
			trusted(e.From, e.Trust)
			conv := a.chats.ChatState(e, now)
			if conv == a.active {
				activeDirty = true
			}
			if e.State == event.StateComposing {
				a.after(typingStale+100*time.Millisecond, func() {
					if a.active == conv && a.onMain {
						a.main.chat.refreshHeader()
					}
				})
			}
		case event.FileProgress, event.FileSent, event.FileOffered, event.FileReceived, event.FileRejected:
			if o, ok := ev.(event.FileOffered); ok {
				trusted(o.From, o.Trust)
			}
			conv, added := a.fileEvent(ev, now)
			if conv != "" && conv == a.active {
				// A row that grows (buttons, a thumbnail) keeps the newest
				// message in view if it was.
				activeDirty, activeAppended = true, true
			}
			if added {
				rosterDirty, titleDirty = true, true
			}
		case event.Error:
			a.identityError(e) // also shown in the account panel
			if e.Command == (event.SendFile{}).CommandName() {
				if conv := a.fileError(e); conv != "" {
					if conv == a.active {
						activeDirty = true
					}
					continue
				}
			}
			if e.Command == (event.SendFile{}).CommandName() && a.lastFileTo != "" {
				// A file that could not go is said where it was sent.
				a.chats.System(a.lastFileTo, lang.L("File not sent: {{.Why}}", tv{"Why": e.Message}), now)
				if a.lastFileTo == a.active {
					activeDirty, activeAppended = true, true
				}
				continue
			}
			a.lastErr = e.Message
			bannerDirty = true
		case event.Refused:
			if e.Trust != nil {
				trusted(e.To, *e.Trust)
			}
			if e.Code == event.RefusedTraining {
				a.trainingRefused(e) // explained with a way to the lesson
			}
			if e.Command == (event.Invite{}).CommandName() {
				if room := a.refusedInvite(e, now); a.roomKeyShown(room) {
					roomDirty = true
				}
				bannerDirty = true
				continue
			}
			conv, errLine := a.applyRefused(e, now)
			if conv != "" && conv == a.active {
				activeDirty, activeAppended = true, true
			}
			bannerDirty = bannerDirty || errLine
		case event.Accepted:
			jid := bareJID(e.JID)
			trusted(jid, e.Trust)
			if r := a.requests.Take(jid); r != nil {
				for _, m := range r.Messages {
					m.Request = false
					a.chats.Incoming(m, a.self)
				}
				a.releaseFiles(jid, now)
				a.roster.Touch(jid)
				if a.accepting[jid] {
					opens = append(opens, jid)
				} else {
					a.roster.AddUnread(jid, len(r.Messages))
					titleDirty = true
				}
				requestsDirty, rosterDirty = true, true
			}
			delete(a.accepting, jid)
		case event.Blocked:
			a.dropWaitingFiles(e.JID)
			if a.requests.Blocked(e.JID) > 0 {
				requestsDirty, titleDirty = true, true
			}
		case event.Profile:
			a.profile.SetProfile(e)
			profileDirty = true
		case event.ProfileRefused:
			a.profile.ProfileRefused(e)
			profileDirty = true
		case event.Bulletin:
			a.profile.AddBulletin(e)
			profileDirty = true
		case event.Bulletins:
			a.profile.SetBulletins(e.Items)
			profileDirty = true
		case event.RoomJoined, event.OccupantChange, event.RoomMessage, event.RoomTopic, event.RoomLeft,
			event.RoomPrivateMessage, event.RoomBanner, event.RoomInvite, event.Bookmarks, event.RoomInfo, event.RoomDeclined:
			key, side := a.applyRoom(ev, now)
			if side {
				roomsDirty, titleDirty = true, true
			}
			if a.roomKeyShown(key) {
				roomDirty = true
			}
		case event.SearchResults:
			a.search.Results, a.search.Waiting, a.search.Answered = e.Results, false, true
			a.fillSearch()
		case event.History:
			c, r := a.applyHistory(e)
			activeDirty = activeDirty || c
			roomDirty = roomDirty || r
		case event.Exported:
			a.profile.addNotice(NoticeSuccess, exportedNotice(e))
			profileDirty = true
		case event.HistorySynced:
			a.synced++
		case event.Focus, event.TorState:
			bannerDirty = a.applyFocusTor(ev, now) || bannerDirty
			a.refreshTray() // "Focus now…" or "focus is on"
		case event.Training, event.Lesson, event.QuizResult, event.TrainingPrompt, event.TrainingReport:
			profileDirty = a.applyTraining(ev) || profileDirty
		case event.Enrolment, event.Certificates, event.IdentityChanged, event.IdentityAcknowledged:
			peer, enrol := a.applyIdentity(ev, now)
			if peer != "" {
				rosterDirty, requestsDirty = true, true
				roomDirty = roomDirty || a.activeRoom != ""
				activeDirty = activeDirty || peer == a.active
			}
			if enrol {
				a.main.refreshEnrolment()
				profileDirty = true // the notice of an exported request
			}
		}
	}
	if !a.onMain {
		return
	}
	switch {
	case rosterReplaced:
		a.main.refreshRosterBulk()
	case rosterDirty:
		a.main.refreshRoster()
	}
	if activeDirty {
		a.main.chatChanged(activeAppended)
	}
	if bannerDirty {
		a.refreshBanner()
		a.updateFocusIndicator() // the Tor mark follows the route
	}
	if requestsDirty {
		a.main.refreshRequests()
	}
	if profileDirty {
		a.main.refreshProfile()
	}
	if roomsDirty {
		a.main.refreshRooms()
	}
	if roomDirty {
		a.main.room.show()
	}
	if k := a.pendingOpen; k != "" {
		a.pendingOpen = ""
		a.openRoom(k)
	}
	if titleDirty {
		a.updateTitle()
	}
	for _, jid := range opens {
		a.open(jid)
	}
	a.notifyMessages(notes)
}

// refreshBanner redraws the connection banner and keeps its countdown and
// flash timers running.
func (a *App) refreshBanner() {
	now := a.now()
	a.main.setBanner(a.conn.Banner(now), a.lastErr)
	if a.conn.Counting(now) && !a.countdownOn {
		a.countdownOn = true
		gen := a.gen
		var tick func()
		tick = func() {
			if gen != a.gen || !a.conn.Counting(a.now()) {
				a.countdownOn = false
				a.refreshBannerQuiet()
				return
			}
			a.refreshBannerQuiet()
			a.after(time.Second, tick)
		}
		a.after(time.Second, tick)
	}
	if a.conn.Flashing(now) {
		if a.flashTimer != nil {
			a.flashTimer.Stop()
			a.flashTimer = nil
		}
		a.flashTimer = a.after(flashFor+50*time.Millisecond, a.refreshBannerQuiet)
	}
}

func (a *App) refreshBannerQuiet() {
	if a.onMain {
		a.main.setBanner(a.conn.Banner(a.now()), a.lastErr)
	}
}

// noteEvery is the shortest interval between two desktop notifications.
const noteEvery = 3 * time.Second

// notifyMessages sends one desktop notification for messages that arrived
// while the window was not focused: the message itself when there is one,
// a summary for a burst.
func (a *App) notifyMessages(ms []event.Message) {
	if len(ms) == 0 || a.notify == nil {
		return
	}
	// A burst arrives in several batches: one notification is enough; the
	// unread counts tell the rest.
	now := a.now()
	if now.Sub(a.lastNote) < noteEvery {
		return
	}
	a.lastNote = now
	if len(ms) == 1 {
		c := a.roster.Contact(ms[0].From)
		title := NotePrefix(c.Trust, c.JID) + fmt.Sprintf("%s (%s)", c.DisplayName(), c.JID)
		if ms[0].Request {
			title = lang.L("Message request: {{.Title}}", tv{"Title": title})
		}
		conv := bareJID(ms[0].From)
		if ms[0].Request {
			conv = "" // the request waits in the sidebar
		}
		a.sendNote(conv, fyne.NewNotification(title, ms[0].Body))
		return
	}
	from := map[string]bool{}
	for _, m := range ms {
		from[bareJID(m.From)] = true
	}
	title := lang.L("{{.N}} new messages", tv{"N": len(ms)})
	body := lang.L("from {{.N}} contacts", tv{"N": len(from)})
	if len(from) == 1 {
		c := a.roster.Contact(ms[0].From)
		body = lang.L("from {{.Who}}", tv{"Who": c.DisplayName() + " (" + c.JID + ")"})
		title = NotePrefix(c.Trust, c.JID) + title
	}
	conv := ""
	if len(from) == 1 {
		conv = bareJID(ms[0].From)
	}
	a.sendNote(conv, fyne.NewNotification(title, body))
}

// defaultWindowSize is the main window's first size: it fits a 1280x800
// screen with a panel and window frame, and leaves the roster room beside
// two bulletins and two requests (the layout is tested at 1000x680 too).
var defaultWindowSize = fyne.NewSize(1120, 720)
