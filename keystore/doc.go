// Package keystore keeps an account's password for "remember me".
//
// The password lives in the operating system's keyring: the Secret Service
// (gnome-keyring, KWallet) over D-Bus on Linux and the BSDs, the Keychain on
// macOS, the Credential Manager on Windows. Entries are filed under the
// service name "Palisade" with the account's bare JID as the key.
//
// When no keyring is reachable (no D-Bus session bus, no Secret Service, a
// keyring that cannot be unlocked), Open says so with an *UnavailableError,
// whose Notice is meant to be shown to the user as is, and falls back to a
// Memory store: the password is then kept for the running process only.
// No secret is ever written to a file by this package.
//
// Callers can tell "nothing stored for this account" (ErrNotFound) from "the
// keyring cannot be used" (ErrUnavailable, matched with errors.Is).
//
// This package must not import Fyne, the ui package or the session package.
package keystore
