package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/palisade-im/palisade/event"
)

// maxBatch bounds how many events one trip to the Fyne event loop applies,
// so that a burst of thousands of messages becomes a few refreshes and the
// window stays responsive between them.
const maxBatch = 1000

// onUI is the one place where code running outside the Fyne event loop
// (the dispatcher goroutine, timers) changes the UI. It does not wait.
func (a *App) onUI(f func()) {
	fyne.Do(f)
}

// onUIWait runs f on the Fyne event loop and waits until it has run, or
// until the app stops. Waiting gives the dispatcher back-pressure: while
// the UI applies one batch, the next one queues in the backend's channel.
func (a *App) onUIWait(f func()) {
	done := make(chan struct{})
	a.onUI(func() {
		defer close(done)
		f()
	})
	select {
	case <-done:
	case <-a.stop:
	}
}

// after runs f on the Fyne event loop after d. Timers for the retry
// countdown, the "reconnected" flash and the typing pause use it.
// In tests (sync mode) timers do not fire by themselves: they are kept
// in a.timers for the test to run.
func (a *App) after(d time.Duration, f func()) *time.Timer {
	if a.sync {
		a.timers = append(a.timers, f)
		return nil
	}
	return time.AfterFunc(d, func() { a.onUI(f) })
}

// dispatch is the dispatcher goroutine for one backend: it reads events,
// drains what is already queued (up to maxBatch), and hands the batch to the
// UI in one call. It ends when the channel is closed.
func (a *App) dispatch(b event.Backend, gen int) {
	ch := b.Events()
	for {
		ev, ok := <-ch
		if !ok {
			a.onUIWait(func() { a.apply(gen, []event.Event{event.Closed{}}) })
			return
		}
		batch, closed := drain(ch, []event.Event{ev}, maxBatch)
		if closed && !hasClosed(batch) {
			// The backend ended without saying so: tell the UI anyway.
			batch = append(batch, event.Closed{})
		}
		a.onUIWait(func() { a.apply(gen, batch) })
		if closed {
			return
		}
		select {
		case <-a.stop:
			return
		default:
		}
	}
}

// drain appends events already waiting in ch to batch without blocking,
// until batch holds max events. closed reports that ch was closed.
func drain(ch <-chan event.Event, batch []event.Event, max int) (out []event.Event, closed bool) {
	for len(batch) < max {
		select {
		case ev, ok := <-ch:
			if !ok {
				return batch, true
			}
			batch = append(batch, ev)
		default:
			return batch, false
		}
	}
	return batch, false
}

// pump applies, on the calling goroutine, every event already queued by
// the current backend. Tests drive the UI with it instead of the
// dispatcher goroutine, so that widgets are only touched by one goroutine.
func (a *App) pump() {
	if a.backend == nil {
		return
	}
	ch := a.backend.Events()
	for {
		batch, closed := drain(ch, nil, maxBatch)
		if len(batch) > 0 {
			a.apply(a.gen, batch)
		}
		if closed || len(batch) < maxBatch {
			return
		}
	}
}

func hasClosed(batch []event.Event) bool {
	for _, e := range batch {
		if _, ok := e.(event.Closed); ok {
			return true
		}
	}
	return false
}
