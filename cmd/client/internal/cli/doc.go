// Package cli is the testable part of the client binary: flag parsing,
// where the password comes from (a file descriptor or the OS keyring, never
// the command line), the headless loop (one JSON command per line in, one
// JSON event per line out) and the Connect step shared with the GUI, which
// turns a sign-in into a running session, remembers or forgets the password
// and saves the account settings.
//
// Secrets other than the password live in the OS keyring too: the local
// archive's key (archivekey.go, service "Palisade archive") and this
// device's identity key (devicekey.go, service "Palisade device key"; a
// lost entry is reported, never silently replaced; without a keyring there
// is no device identity). "client identity request|import|show"
// (identity.go) is the offline enrolment (docs/identity.md).
//
// docs/headless.md documents the invocation, the exit codes and the wire
// protocol; keep it in step with this package.
//
// This package must not import Fyne or the ui package: the GUI wiring lives
// in package main (gui.go), so that headless mode and its tests build and run
// without a display or cgo.
package cli
