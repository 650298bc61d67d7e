package ui

import (
	"errors"
	"testing"

	"github.com/palisade-im/palisade/event"
)

// fakeNotifier records notifications; fail makes them fail.
type fakeNotifier struct {
	shown []fakeNote
	fail  bool
}

type fakeNote struct{ title, body, conv string }

func (f *fakeNotifier) Notify(title, body, conv string) error {
	if f.fail {
		return errors.New("no notification server")
	}
	f.shown = append(f.shown, fakeNote{title, body, conv})
	return nil
}

func TestNotificationOpensItsChat(t *testing.T) {
	h := signedIn(t)
	fake := &fakeNotifier{}
	h.app.notes.n = fake
	h.app.setFocused(false)
	h.emit(event.Message{From: "carol@acme.test/pc", To: "alice@acme.test", Body: "lunch?", ID: "n1"})
	if len(fake.shown) != 1 || fake.shown[0].conv != "carol@acme.test" || fake.shown[0].body != "lunch?" {
		t.Fatalf("notifications %+v, want one about carol's message", fake.shown)
	}
	if len(h.notes) != 0 {
		t.Errorf("also sent through Fyne: %d", len(h.notes))
	}
	if h.app.active != "" {
		t.Fatalf("a chat is open before the click: %q", h.app.active)
	}
	h.app.noteClicked(fake.shown[0].conv)
	h.app.setFocused(true)
	if h.app.active != "carol@acme.test" {
		t.Errorf("the click opened %q, want carol@acme.test", h.app.active)
	}
	if n := h.app.roster.Unread("carol@acme.test"); n != 0 {
		t.Errorf("carol's chat still has %d unread after the click", n)
	}
}

func TestNotificationBurstAndFallback(t *testing.T) {
	h := signedIn(t)
	fake := &fakeNotifier{}
	h.app.notes.n = fake
	h.app.setFocused(false)
	// Two contacts in one batch: a summary that opens no particular chat.
	h.emit(event.Message{From: "bob@acme.test/pc", To: "alice@acme.test", Body: "a", ID: "b1"},
		event.Message{From: "erin@acme.test/pc", To: "alice@acme.test", Body: "b", ID: "b2"})
	if len(fake.shown) != 1 || fake.shown[0].conv != "" {
		t.Fatalf("notifications %+v, want one summary with no chat", fake.shown)
	}
	h.app.noteClicked("")
	if h.app.active != "" {
		t.Errorf("a summary's click opened %q", h.app.active)
	}

	// One contact, several messages: that contact's chat.
	h.app.lastNote = h.app.lastNote.Add(-noteEvery)
	h.emit(event.Message{From: "erin@acme.test/pc", To: "alice@acme.test", Body: "c", ID: "b3"},
		event.Message{From: "erin@acme.test/pc", To: "alice@acme.test", Body: "d", ID: "b4"})
	if len(fake.shown) != 2 || fake.shown[1].conv != "erin@acme.test" {
		t.Fatalf("notifications %+v, want a second one for erin", fake.shown)
	}

	// When the service fails, Fyne's notification is sent instead.
	fake.fail = true
	h.app.lastNote = h.app.lastNote.Add(-noteEvery)
	h.emit(event.Message{From: "bob@acme.test/pc", To: "alice@acme.test", Body: "e", ID: "b5"})
	if len(h.notes) != 1 || h.notes[0].Content != "e" {
		t.Errorf("fallback notifications %+v, want Fyne's with the message", h.notes)
	}
}
