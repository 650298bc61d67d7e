// Package l10n puts the sentences that the session and the pure decision
// packages (policy, profile, identity) write for the user into the user's
// language, so that a refusal, a banner's reason or a profile notice reads
// in French when the window does.
//
// It works like the window's translations (Fyne's lang in ui/): the English
// sentence is the key, written as a Go text/template with named fields
// ("{{.Domain}} is not an approved organisation."), and fr/*.json hold the
// French sentences with the same fields. A Lang renders a sentence:
//
//	l10n.Lang("fr").T("{{.Domain}} is not an approved organisation.", l10n.Args{"Domain": d})
//
// English is the fallback for any other language and for a sentence the
// catalogue lacks. The tests check that every sentence written through T in
// the packages that use it has a French text with the same fields.
//
// l10n is pure: no I/O beyond its embedded catalogue (no os, net, syscall),
// no GUI (it must not import fyne), no session, no XMPP, so that the pure
// packages may use it.
package l10n
