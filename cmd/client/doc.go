// Command client is the Palisade desktop XMPP client.
//
//	client [--jid JID] [--server HOST:PORT] [--ca-file FILE] [--direct-tls] [--data-dir DIR] [--password-fd N]
//	client --headless --jid JID [same flags]
//
// Without --headless it opens the GUI, pre-filled from the saved account
// settings and the flags, and signs in at once when the password is available
// from --password-fd or the OS keyring. With --headless it runs the same
// session stack without a window, reading one JSON command per line on stdin
// and writing one JSON event per line on stdout. There is no --password flag:
// a password on a command line is visible to every user of the machine.
// docs/headless.md documents the flags, the exit codes and the protocol.
//
// main.go only chooses the mode; the logic lives in internal/cli. Outside
// gui.go, this package must not import Fyne or the ui package, so that
// building with -tags nogui leaves the GUI out entirely (a headless-only
// binary that needs no cgo or display).
package main
