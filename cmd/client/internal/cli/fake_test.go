package cli

import (
	"sync"

	"github.com/palisade-im/palisade/event"
)

// fakeBackend records commands. By default it answers quit with a closed
// event and closes its stream, like the session.
type fakeBackend struct {
	mu     sync.Mutex
	cmds   []event.Command
	events chan event.Event
	closed bool
	// ignoreQuit makes it never close (to test the quit timeout).
	ignoreQuit bool
	gotCmd     chan event.Command
}

func newFake() *fakeBackend {
	return &fakeBackend{events: make(chan event.Event, 100), gotCmd: make(chan event.Command, 100)}
}

func (f *fakeBackend) Do(c event.Command) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, c)
	f.gotCmd <- c
	if _, ok := c.(event.Quit); ok && !f.ignoreQuit && !f.closed {
		f.closed = true
		f.events <- event.Closed{}
		close(f.events)
	}
}

func (f *fakeBackend) Events() <-chan event.Event { return f.events }

func (f *fakeBackend) emit(e event.Event) { f.events <- e }

func (f *fakeBackend) commands() []event.Command {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event.Command(nil), f.cmds...)
}
