// Command demo runs the Palisade GUI against the scripted uidemo backend,
// for looking at the GUI and taking screenshots without a server. It is a
// development tool, not shipped.
//
// This package must not import the session, mellium or any XMPP code.
package main
