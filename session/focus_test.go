package session

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

// testClock is a settable clock for focus tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func offlineFocus(t *testing.T, dir string, clock *testClock) *Session {
	t.Helper()
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.focus.now, s.focus.loc = clock.now, time.UTC
	s.mu.Lock()
	s.roster["lead@partner.test"] = event.Contact{JID: "lead@partner.test", Groups: []string{"Project X"}}
	s.mu.Unlock()
	return s
}

func focusChat(from, id, body string, internal bool) event.Message {
	class := event.ClassUnknown
	if internal {
		class = event.ClassInternal
	}
	return event.Message{ID: id, From: from + "/pc", To: "alice@acme.test", Body: body, Trust: event.Trust{Class: class}}
}

// During focus a message from someone not admitted emits nothing but a
// Focus event; admitted senders (listed, by roster group, colleagues when
// the rule says so) arrive at once; the held messages survive a restart and
// are emitted in order, marked held, when focus ends; presence shows focus.
func TestFocusHoldsAndReleases(t *testing.T) {
	dir := t.TempDir()
	clock := &testClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)} // a Friday
	s := offlineFocus(t, dir, clock)
	s.execute(event.SetFocus{Rules: []event.FocusRule{{Days: []string{"fri"}, Start: "09:00", End: "12:00",
		Allow: []string{"Boss@acme.test"}, Groups: []string{"Project X"}}}})
	evs := takeEvents(s)
	if len(evs) != 1 {
		t.Fatalf("set_focus answered %+v", evs)
	}
	f := evs[0].(event.Focus)
	if !f.Active || !f.Until.Equal(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)) || f.Held != 0 || len(f.Rules) != 1 || f.Rules[0].Allow[0] != "boss@acme.test" {
		t.Errorf("focus after set_focus: %+v", f)
	}
	if p, ok := s.focusPresence(event.SetPresence{Show: event.ShowAvailable}); !ok || p.Show != event.ShowDND || p.Status != "Focus until 12:00" {
		t.Errorf("presence during focus: %+v %v", p, ok)
	}
	if _, ok := s.focusPresence(event.SetPresence{Show: event.ShowUnavailable}); ok {
		t.Error("focus overrides an offline presence")
	}

	s.emitChat(focusChat("mallory@evil.test", "m1", "first", false))
	s.emitChat(focusChat("boss@acme.test", "b1", "from the boss", true))
	s.emitChat(focusChat("dave@acme.test", "d1", "second", true)) // a colleague, not admitted by this rule
	s.emitChat(focusChat("lead@partner.test", "l1", "from the project", false))
	out := event.Message{ID: "o1", From: "alice@acme.test/phone", To: "dave@acme.test", Body: "mine", Outgoing: true, Carbon: true}
	s.emitChat(out)
	arch := focusChat("mallory@evil.test", "a1", "old", false)
	arch.Archived = true
	s.emitChat(arch)
	// Typing notifications: silent from a held sender, shown from an admitted one.
	s.emitChatState(event.ChatState{From: "mallory@evil.test/x", State: "composing"})
	s.emitChatState(event.ChatState{From: "boss@acme.test/pc", State: "composing", Trust: event.Trust{Class: event.ClassInternal}})
	var got []string
	held := 0
	for _, e := range takeEvents(s) {
		switch e := e.(type) {
		case event.Message:
			got = append(got, e.ID)
			if e.Held {
				t.Errorf("message %s marked held while focus runs", e.ID)
			}
		case event.Focus:
			held = e.Held
		case event.ChatState:
			got = append(got, "typing:"+peerOf(e.From))
		}
	}
	if strings.Join(got, ",") != "b1,l1,o1,a1,typing:boss@acme.test" || held != 2 {
		t.Errorf("during focus: emitted %v, held %d; want b1,l1,o1,a1 and 2 held", got, held)
	}

	// A restart during focus keeps the held messages.
	b, err := os.ReadFile(filepath.Join(dir, focusHeldFile))
	if err != nil || !strings.Contains(string(b), `"first"`) || !strings.Contains(string(b), `"second"`) {
		t.Fatalf("held file: %s, %v", b, err)
	}
	s2 := offlineFocus(t, dir, clock)
	s2.execute(event.GetFocus{})
	if f := takeEvents(s2)[0].(event.Focus); !f.Active || f.Held != 2 {
		t.Errorf("after restart: %+v", f)
	}

	// The focus loop's first look after the restart (Start runs it).
	if _, reported := s2.focusCheck(); !reported {
		t.Error("focus at start not reported")
	}
	// A front end re-sends the focus presence it was shown as the user's own.
	s2.execute(event.SetPresence{Show: event.ShowDND, Status: "Focus until 12:00"})
	takeEvents(s2)

	// Focus ends: the held messages come, in order, marked held.
	clock.set(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	next, reported := s2.focusCheck()
	if !reported || !next.Equal(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("focusCheck at the end: next %v, reported %v", next, reported)
	}
	evs = takeEvents(s2)
	got = nil
	for _, e := range evs {
		if m, ok := e.(event.Message); ok {
			if !m.Held {
				t.Errorf("released message %s not marked held", m.ID)
			}
			got = append(got, m.ID+":"+m.Body)
		}
	}
	if strings.Join(got, ",") != "m1:first,d1:second" {
		t.Errorf("released %v, want m1:first,d1:second", got)
	}
	if f, ok := evs[len(evs)-1].(event.Focus); !ok || f.Active || f.Held != 0 {
		t.Errorf("last event after release: %+v", evs[len(evs)-1])
	}
	if _, err := os.Stat(filepath.Join(dir, focusHeldFile)); !os.IsNotExist(err) {
		t.Errorf("held file still there after release: %v", err)
	}
	if _, ok := s2.focusPresence(event.SetPresence{Show: event.ShowAway, Status: "lunch"}); ok {
		t.Error("presence still overridden after focus")
	}
	s2.mu.Lock()
	p := s2.presence
	s2.mu.Unlock()
	if p.Show != event.ShowAvailable || p.Status != "" {
		t.Errorf("the focus presence stayed as the user's own after focus: %+v", p)
	}
	s2.emitChat(focusChat("mallory@evil.test", "m2", "after", false))
	if evs := takeEvents(s2); len(evs) != 1 || evs[0].(event.Message).ID != "m2" {
		t.Errorf("after focus: %+v", evs)
	}
}

func TestFocusCommands(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)} // a Saturday
	s := offlineFocus(t, t.TempDir(), clock)
	tests := []struct {
		cmd  event.Command
		want func([]event.Event) string // "" when right
	}{
		{event.GetFocus{}, func(evs []event.Event) string {
			if f, ok := evs[0].(event.Focus); !ok || f.Active || f.Rules == nil || len(f.Rules) != 0 || f.FromProfile {
				return "no rules by default"
			}
			return ""
		}},
		{event.SetFocus{Rules: []event.FocusRule{{Start: "25:00", End: "10:00"}}}, func(evs []event.Event) string {
			if e, ok := evs[0].(event.Error); !ok || e.Code != event.CodeBadCommand || !strings.Contains(e.Message, "Focus rule 1") {
				return "a malformed rule is refused, naming it"
			}
			return ""
		}},
		{event.SetFocus{Rules: []event.FocusRule{{Days: []string{"funday"}, Start: "09:00", End: "10:00"}}}, func(evs []event.Event) string {
			if e, ok := evs[0].(event.Error); !ok || !strings.Contains(e.Message, "not a day") {
				return "a bad day is refused"
			}
			return ""
		}},
		{event.FocusNow{Minutes: 30, Allow: []string{"bob@acme.test"}}, func(evs []event.Event) string {
			f, ok := evs[0].(event.Focus)
			if !ok || !f.Active || !f.Manual || !f.Until.Equal(time.Date(2026, 11, 28, 15, 30, 0, 0, time.UTC)) {
				return "focus_now starts a manual focus of 30 minutes"
			}
			return ""
		}},
		{event.FocusNow{Minutes: 0}, func(evs []event.Event) string {
			if f, ok := evs[0].(event.Focus); !ok || f.Active {
				return "focus_now 0 ends it"
			}
			return ""
		}},
		{event.FocusNow{Minutes: -5}, func(evs []event.Event) string {
			if e, ok := evs[0].(event.Error); !ok || e.Code != event.CodeBadCommand {
				return "negative minutes are refused"
			}
			return ""
		}},
		{event.FocusNow{Minutes: 10, Allow: []string{"not an address"}}, func(evs []event.Event) string {
			if e, ok := evs[0].(event.Error); !ok || !strings.Contains(e.Message, "bare address") {
				return "a bad address is refused"
			}
			return ""
		}},
	}
	for i, tt := range tests {
		s.execute(tt.cmd)
		evs := takeEvents(s)
		if len(evs) == 0 {
			t.Errorf("%d %s: no answer", i, tt.cmd.CommandName())
			continue
		}
		if msg := tt.want(evs); msg != "" {
			t.Errorf("%d %s: %s; got %+v", i, tt.cmd.CommandName(), msg, evs)
		}
	}
}

// Over Prosody: during a manual focus admitting bob, a message from
// someone else is held and bob's arrives at once; the account's other
// device sees the focus presence; when focus ends the held message arrives,
// marked held, and the presence is the user's own again.
func TestProsodyFocus(t *testing.T) {
	srv := prosody(t)
	aliceJID := freshUser(t, srv, "fa", "acme.test")
	bobJID := freshUser(t, srv, "fb", "acme.test")
	daveJID := freshUser(t, srv, "fd", "acme.test")
	clock := &testClock{t: time.Now()}
	alice := startSessionWith(t, srv, aliceJID, opts{resource: "desk"}, func(s *Session) { s.focus.now = clock.now })
	alice.connected()
	phone := startSession(t, srv, aliceJID, opts{resource: "phone"})
	phone.connected()
	bob := startSession(t, srv, bobJID, opts{})
	bob.connected()
	dave := startSession(t, srv, daveJID, opts{})
	dave.connected()

	alice.s.Do(event.FocusNow{Minutes: 30, Allow: []string{bobJID}})
	f := alice.waitFor("focus on", 10*time.Second, isA[event.Focus]).(event.Focus)
	if !f.Active || !f.Manual || f.Held != 0 {
		t.Fatalf("focus_now: %+v", f)
	}
	own := alice.waitFor("own presence dnd", 10*time.Second, isA[event.OwnPresence]).(event.OwnPresence)
	if own.Show != event.ShowDND || !strings.HasPrefix(own.Status, "Focus until ") {
		t.Errorf("own presence during focus: %+v", own)
	}
	p := phone.waitFor("desk presence dnd", 10*time.Second, func(e event.Event) bool {
		p, ok := e.(event.Presence)
		return ok && strings.HasSuffix(p.From, "/desk") && p.Show == event.ShowDND
	}).(event.Presence)
	if !strings.HasPrefix(p.Status, "Focus until ") {
		t.Errorf("the other device sees %+v", p)
	}

	dave.s.Do(event.Send{To: aliceJID, Body: "dave during focus"})
	bob.s.Do(event.Send{To: aliceJID, Body: "bob during focus"})
	m := alice.waitFor("bob's message", 10*time.Second, isA[event.Message]).(event.Message)
	if m.Body != "bob during focus" || m.Held {
		t.Errorf("first message during focus: %+v (dave's must be held, bob's at once)", m)
	}
	// The held count may come before or after bob's message.
	heldOne := func(e event.Event) bool { f, ok := e.(event.Focus); return ok && f.Held == 1 }
	for deadline := time.Now().Add(10 * time.Second); !alice.seen(heldOne) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !alice.seen(heldOne) {
		t.Fatalf("no focus event with one message held: %s", alice.dump())
	}
	if alice.seen(func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Body == "dave during focus" }) {
		t.Fatal("dave's message was reported during focus")
	}

	// Focus ends (the clock moves past it).
	clock.set(time.Now().Add(31 * time.Minute))
	alice.s.focusKick()
	m = alice.waitFor("held message", 10*time.Second, isA[event.Message]).(event.Message)
	if m.Body != "dave during focus" || !m.Held || peerOf(m.From) != daveJID {
		t.Errorf("after focus: %+v", m)
	}
	f = alice.waitFor("focus off", 10*time.Second, isA[event.Focus]).(event.Focus)
	if f.Active || f.Held != 0 {
		t.Errorf("focus after the end: %+v", f)
	}
	phone.waitFor("desk presence back", 10*time.Second, func(e event.Event) bool {
		p, ok := e.(event.Presence)
		return ok && strings.HasSuffix(p.From, "/desk") && p.Show == event.ShowAvailable && p.Status == ""
	})
}

// The profile's focus hours apply until the user sets their own, in the
// profile's time zone, admitting colleagues; a profile that locks them
// refuses set_focus.
func TestFocusProfileDefaults(t *testing.T) {
	it := newITDesk(t, prosodyStub())
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data")
	}
	for _, locked := range []bool{false, true} {
		dir := t.TempDir()
		edit := map[string]any{"focus_hours": map[string]any{"enabled": true, "days": []string{"fri"}, "start": "09:00", "end": "12:00", "timezone": "Europe/Paris"}}
		if locked {
			edit["locked_settings"] = []string{"focus_hours"}
		}
		mgr := torProfile(t, it, dir, edit)
		// 10:30 in Paris on a Friday is 09:30 UTC.
		clock := &testClock{t: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)}
		s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir, Profiles: mgr})
		if err != nil {
			t.Fatal(err)
		}
		s.focus.now = clock.now
		s.execute(event.GetFocus{})
		f := takeEvents(s)[0].(event.Focus)
		if !f.Active || !f.FromProfile || f.Locked != locked || f.Timezone != "Europe/Paris" || len(f.Rules) != 1 || !f.Rules[0].Internal ||
			!f.Until.Equal(time.Date(2026, 11, 27, 12, 0, 0, 0, paris)) {
			t.Errorf("locked=%v: profile focus %+v", locked, f)
		}
		s.emitChat(focusChat("dave@acme.test", "d1", "colleague", true))
		s.emitChat(focusChat("carol@partner.test", "c1", "partner", false))
		var got []string
		for _, e := range takeEvents(s) {
			if m, ok := e.(event.Message); ok {
				got = append(got, m.ID)
			}
		}
		if strings.Join(got, ",") != "d1" {
			t.Errorf("locked=%v: during the profile's focus, reported %v; want the colleague only", locked, got)
		}
		s.execute(event.SetFocus{Rules: []event.FocusRule{}})
		evs := takeEvents(s)
		if locked {
			if e, ok := evs[0].(event.Error); !ok || e.Code != event.CodeConfig || !strings.Contains(e.Message, "profile sets them") {
				t.Errorf("set_focus under a locked profile: %+v", evs)
			}
			continue
		}
		// The user's own (empty) rules replace the profile's: focus ends,
		// the partner's message arrives marked held.
		var released []string
		var last event.Focus
		for _, e := range evs {
			switch e := e.(type) {
			case event.Message:
				if e.Held {
					released = append(released, e.ID)
				}
			case event.Focus:
				last = e
			}
		}
		if strings.Join(released, ",") != "c1" || last.Active || last.FromProfile {
			t.Errorf("after the user's rules: released %v, focus %+v", released, last)
		}
	}
}
