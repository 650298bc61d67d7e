// Package account keeps an account's non-secret settings between runs: the
// JID, the optional server override, direct TLS, the extra CA file and the
// "remember me" choice.
//
// Settings are a small JSON file in the data directory, written atomically
// (a temporary file in the same directory, synced, then renamed over the old
// one), so a crash never leaves half a file. A file that cannot be read as
// settings is never silently lost: Load moves it aside (its name gains a
// ".corrupt-<time>" suffix) and returns a *CorruptError saying where it went.
//
// There is no password field, on purpose: secrets belong to the keystore
// package, never to a file.
//
// This package must not import Fyne, the ui package or the session package.
package account
