// Package ui is Palisade's Fyne GUI: the sign-in screen, the roster, the chat
// pane and the connection banner. It consumes events from an event.Backend and
// issues commands to it; every write to a widget from outside the Fyne event
// loop goes through the single dispatcher (see dispatch.go), which uses fyne.Do.
//
// This package must not import the session package, mellium or any XMPP code:
// it never sees a stanza. It shows decisions made elsewhere; it makes none.
package ui
