// Package archtest holds the test that enforces Palisade's import rules (see
// ARCHITECTURE.md): only ui/ and cmd/ use Fyne, the GUI never sees the session
// or XMPP code, package event is standard-library only, keystore/ and account/
// stay free of GUI and protocol code, policy/ does no I/O, test helpers stay in
// tests, and every package has a doc.go.
//
// The rules are a table in rules.go; the loader runs `go list` and reads every
// Go file's imports regardless of build tags, so a rule cannot be dodged by a
// file that only builds on another OS or with a tag.
//
// This package must not import any other package of the module: it inspects
// them from outside, through the go command.
package archtest
