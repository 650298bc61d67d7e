// Package ui is Palisade's Fyne GUI: the sign-in screen, the roster, the chat
// pane and the connection banner. It consumes events from an event.Backend and
// issues commands to it; every write to a widget from outside the Fyne event
// loop goes through the single dispatcher (see dispatch.go), which uses fyne.Do.
//
// Layout of the package:
//
//   - api.go, app.go: the entry points (Run, New, App) and the event loop
//     side of the dispatcher (App.apply), which applies a batch of events
//     to the view-models and refreshes each affected view once.
//   - dispatch.go: the dispatcher goroutine (one per backend) that drains
//     the event channel in batches, and onUI, the one place that calls
//     fyne.Do.
//   - roster_model.go, chat_model.go, conn_model.go, jid.go: view-models and
//     validation. Plain data, no widgets, unit-tested without a display.
//   - signin.go, main_view.go, chat_view.go, composer.go, contacts.go,
//     presence.go: the widgets.
//   - uidemo: a scripted demo backend; internal/demo runs the GUI on it
//     for screenshots. Neither is product code.
//
// Every contact row and the chat header keep an empty "trust" container
// beside the name, where the trust mark of the trust UX design will go.
//
// This package must not import the session package, mellium or any XMPP code:
// it never sees a stanza. It shows decisions made elsewhere; it makes none.
package ui
