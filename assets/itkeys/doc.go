// Package itkeys holds the IT public keys built into the client. A company
// that builds its own package of Palisade drops its IT signing keys (public
// JWK files, *.jwk, as written by `palisade-admin keygen`) into
// assets/itkeys/keys/ before building; the client then trusts them in
// addition to the keys installed in the system directory (/etc/palisade/keys
// and its Windows and macOS equivalents). The public build carries none.
//
// This package must not import Fyne, ui, session or mellium; it only reads
// its embedded files.
package itkeys
