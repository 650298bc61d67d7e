// Package filesafe decides whether a file offered by a peer may be fetched
// and under which name it may be stored: it turns an untrusted name (the last
// segment of a URL, a name in a message) into a safe local file name, and
// checks that a download URL is one the client may fetch.
//
// It is pure: no I/O, no file system, no network, no clock. It must not
// import os, net (only net/netip and net/url, which parse), syscall, io/fs,
// Fyne, mellium, session or ui; its one module dependency is l10n, for the
// language of a refusal's reason (CheckURLIn; CheckURL writes English). The session layer does the fetching, the
// writing and the renaming, and asks this package first.
//
// # Names
//
// Name keeps only the last path element (both / and \ separate), drops
// control, format and bidirectional-override characters (U+202E and
// friends: "invoice\u202Efdp.exe" is not shown as "invoiceexe.pdf"),
// replaces the characters Windows refuses (<>:"|?*) with "_", removes
// leading dots (no hidden files, no "..") and trailing dots and spaces,
// prefixes names reserved on Windows (CON, NUL, COM1, LPT1, ... with any
// extension) with "_", and cuts long names at MaxNameBytes while keeping the
// extension. Numbered gives the collision names "a (2).pdf", "a (3).pdf":
// a file is never overwritten.
//
// # URLs
//
// CheckURL accepts only https URLs without credentials, with a host, of
// sane length. Hosts that are loopback, private, link-local, unspecified,
// multicast or otherwise not globally routable (by IP literal, or by name:
// "localhost" and "*.localhost") are refused, so that a message from a peer
// cannot make the client fetch from the user's own machine or network
// (request forgery). The one exception is the account's own upload service:
// a host for which the caller's trusted function says yes. The session
// passes the hosts of the upload URLs its own server handed out (when a
// local link arrives before the session uploaded anything, it asks its
// server for a slot it never uses, to learn them) and the hosts configured
// as the server's upload hosts (session.Config.UploadHosts); not the
// configured server address itself, so that a link to another port on a
// server with a private address stays refused.
//
// Names resolve at fetch time, which this package cannot see: the session
// checks every address it dials with Private, so that a public name that
// resolves to a private address is refused too. The tests run every server
// on 127.0.0.1 with upload URLs on https://localhost:PORT; they pass
// "localhost" as the server's upload host, exactly as an installation whose
// upload service sits on the company network would name its host. Any other
// loopback URL from a peer is still refused.
package filesafe
