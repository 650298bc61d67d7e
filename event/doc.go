// Package event is the typed contract between the session layer and its
// consumers (the GUI and the headless mode).
//
// Events flow out of the session (stanza -> handler -> typed event) and
// commands flow into it (button or stdin line -> command -> session -> wire).
// Every type here is plain data: strings, numbers, times. No stanza, no XML,
// no widget ever appears in this package, so that the UI can depend on it
// without seeing the protocol, and the session can depend on it without
// seeing the UI.
//
// This package must not import Fyne, mellium, the session, the UI, or do any
// I/O. It may import only the standard library.
package event
