package uidemo

import (
	"time"

	"github.com/palisade-im/palisade/event"
)

// Focus hours and the Tor route, as the session would answer: set_focus
// keeps the rules, focus_now starts or ends a manual focus (presence "Do
// not disturb", "Focus until …"); the demo profile locks the Tor setting
// (off), so set_tor is refused as the session would refuse it.

type focusDemo struct {
	rules []event.FocusRule
	until time.Time
}

func (b *Backend) focusState() event.Focus {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := event.Focus{Rules: append([]event.FocusRule{}, b.focus.rules...)}
	if time.Now().Before(b.focus.until) {
		f.Active, f.Manual, f.Until = true, true, b.focus.until.UTC()
	}
	return f
}

func (b *Backend) torState() event.TorState {
	return event.TorState{Policy: "optional", Locked: true}
}

// focusDo answers the focus and Tor commands; false for any other.
func (b *Backend) focusDo(c event.Command) bool {
	switch c := c.(type) {
	case event.GetFocus:
		b.emit(b.focusState())
	case event.SetFocus:
		b.mu.Lock()
		b.focus.rules = c.Rules
		b.mu.Unlock()
		b.emit(b.focusState())
	case event.FocusNow:
		b.mu.Lock()
		b.focus.until = time.Time{}
		if c.Minutes > 0 {
			b.focus.until = time.Now().Add(time.Duration(c.Minutes) * time.Minute).Truncate(time.Second)
		}
		until := b.focus.until
		b.mu.Unlock()
		f := b.focusState()
		b.emit(f)
		if f.Active {
			b.emit(event.OwnPresence{Show: event.ShowDND, Status: "Focus until " + until.Format("15:04")})
		} else {
			b.emit(event.OwnPresence{Show: event.ShowAvailable, Status: "Working on Palisade"})
		}
	case event.GetTor:
		b.emit(b.torState())
	case event.SetTor:
		b.emit(event.Error{Message: "Tor cannot be turned on: your company's profile locks the Tor setting.", Code: event.CodeConfig})
		b.emit(b.torState())
	default:
		return false
	}
	return true
}
