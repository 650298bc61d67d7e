// Package uidemo is a scripted, in-memory event.Backend for demonstrating
// and screenshotting the GUI without a server: a realistic roster, some
// presences, a conversation, a contact request, and replies to what the user
// sends (sent, acked, receipt, typing, answer). It is not product code.
//
// This package must not import the session, mellium or any XMPP code, and
// product code must not import it.
package uidemo
