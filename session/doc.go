// Package session is Palisade's XMPP session layer: it dials the server
// (STARTTLS or direct TLS, certificate verification), authenticates with SCRAM
// (never PLAIN), keeps the stream alive with XEP-0198 stream management and
// reconnection, and turns stanzas into typed events from package event. It
// takes commands from package event and puts them on the wire.
//
// It enforces decisions made by the pure policy packages; it makes none of its
// own about what the user may do.
//
// This package must not import Fyne or the ui package. Nothing it exports may
// mention a widget; nothing it emits may contain a stanza.
package session
