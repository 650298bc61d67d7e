package ui

import "fyne.io/fyne/v2"

// notifier shows desktop notifications that open a conversation when
// clicked. On Linux it is the freedesktop notification service over D-Bus
// (notify_dbus.go); where there is none, notifications go through Fyne's
// SendNotification, which cannot report a click.
type notifier interface {
	// Notify shows a notification; a click on it opens conv ("" for none:
	// the window is only raised). An error means it was not shown.
	Notify(title, body, conv string) error
}

// noteUI is the notifications' state on the App.
type noteUI struct {
	n notifier // nil: Fyne's notifications only
}

// setupNotifier connects to the platform's notification service, when
// there is one, and stops using it when the window closes.
func (a *App) setupNotifier() {
	n, closeFn := platformNotifier(func(conv string) {
		a.onUI(func() { a.noteClicked(conv) })
	})
	if n == nil {
		return
	}
	a.notes.n = n
	go func() {
		<-a.stop
		closeFn()
	}()
}

// sendNote shows a notification about conv: through the notifier when
// there is one, else (or when it fails) through Fyne.
func (a *App) sendNote(conv string, n *fyne.Notification) {
	if a.notes.n != nil && a.notes.n.Notify(n.Title, n.Content, conv) == nil {
		return
	}
	if a.notify != nil {
		a.notify(n)
	}
}

// noteClicked raises the window and opens conv, the conversation a
// clicked notification was about. A message request or a conversation no
// longer known only raises the window (requests are shown in the sidebar).
func (a *App) noteClicked(conv string) {
	a.raise()
	if !a.onMain || conv == "" || a.requests.Has(conv) {
		return
	}
	switch {
	case a.rooms.IsRoom(conv) || a.rooms.PrivateByKey(conv) != nil:
		a.openRoom(conv)
	default:
		a.open(conv)
	}
}
