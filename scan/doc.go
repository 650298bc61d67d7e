// Package scan is the virus scanner client: it talks to a ClamAV daemon
// (clamd) over its Unix socket with the INSTREAM command, so that the file
// is streamed to the scanner and clamd needs no access to the user's files.
//
// A scan has three outcomes: clean, infected (with the signature name), or
// an error. ErrUnavailable wraps every error that means "no verdict": no
// socket, daemon down, timeout, a size limit or an error answer. The caller
// decides what an unavailable scanner means (the session keeps the file in
// quarantine by default). The details of an error (what went wrong with
// clamd) are written in the Client's Lang (package l10n) for the user.
//
// It may use the network (a Unix socket) and read what it is given.
// This package must not import Fyne, ui, session or mellium, and it never
// touches the file system itself.
package scan
