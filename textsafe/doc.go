// Package textsafe makes text from the network honest to show: message
// bodies, names, nicknames, status texts and links written by a peer or a
// server. It is what the GUI draws such text through.
//
// It is pure: no I/O, no file system, no network, no clock. It must not
// import os, net (only net/url, which parses), syscall, io/fs, Fyne,
// mellium, session or ui; outside the standard library it uses only
// golang.org/x/net/idna (to show a host name in its ASCII form).
//
// # Text
//
// Text neutralises what would make text look other than it is:
//
//   - bidirectional embeddings, overrides and isolates (U+202A..U+202E,
//     U+2066..U+2069), which reorder what follows them
//     ("invoice\u202Efdp.exe" would show as "invoiceexe.pdf"), are replaced
//     by U+FFFD, visibly;
//   - invisible characters (zero-width space, joiner outside emoji, word
//     joiner, invisible operators, byte order mark, soft hyphen, Mongolian
//     vowel separator, tag characters, the Hangul fillers) are removed, so
//     that two names that look the same are the same;
//   - control characters other than newline and tab are replaced by U+FFFD;
//     invalid UTF-8 is replaced by U+FFFD.
//
// The marks that only nudge the direction of neutral characters (U+200E,
// U+200F, U+061C) are kept in bodies (right-to-left writers use them) and
// removed from names. Name also folds every run of white space into one
// space and caps the length, so that a name is one honest line.
//
// Nothing is interpreted: no markdown, no HTML, no image, nothing fetched.
//
// # Links
//
// Link describes a link as written: its scheme and its real host in ASCII
// (punycode for an internationalised name, so that "аpple.com" with a
// Cyrillic "а" shows as "xn--pple-43d.com"), and whether it is deceptive: a
// user part before the host ("https://acme.test@evil.test/"), a host that
// is not ASCII, or hidden characters. The GUI shows the real host with
// every link and opens nothing without a click.
package textsafe
