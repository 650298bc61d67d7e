// Package uidemo is a scripted, in-memory event.Backend for demonstrating
// and screenshotting the GUI without a server: a realistic roster, some
// presences, a conversation, and replies to what the user sends (sent,
// acked, receipt, typing, answer). It also shows every trust state with the
// verdicts ACME's profile would give: colleagues, a partner (Partner Ltd)
// and one whose files are not allowed (Globex), a Telegram gateway contact,
// an accepted lookalike (acrne.test), a message request from
// mallory@evil.test, a managed profile and a security bulletin; it answers
// a first message to a stranger with a "confirm" refusal, files to peers
// the policy refuses with "file-policy", Accept and Block with Accepted and
// Blocked. Files: a sent file, a clean picture with its thumbnail and a
// file kept in quarantine unscanned (bob), a slow upload in progress
// (carol@acme.test), an infected file rejected
// (the partner), an offer from an external contact that waits for
// Download (zoe@freelance.test); uploads and downloads move with progress
// and can be cancelled, and Scan again finds the quarantined file clean.
// Received files are small real files in a temporary folder. Rooms: the
// joined room "Release 4.2" with colleagues, a partner (carol@partner.test)
// and a guest whose address the room hides, and its banner; a private
// message from that guest; an invitation from the partner to a room of
// theirs; a bookmarked room not joined; inviting a stranger is answered
// with a "confirm" refusal. A small archive answers search (every word, a
// word ending in * as a prefix), history pages (around a result, before an
// id) and export (written as JSON Lines or HTML to the path given).
// Identities: colleagues and the partner verified, an expired, a revoked
// and a mismatched certificate, contacts without one; Dave appears with a
// new, uncertified device (his conversation locks until acknowledged);
// messages carry signature verdicts; this device's enrolment (EnrolState)
// moves through Request certificate, Export and Import. It is not product
// code.
//
// This package must not import the session, mellium or any XMPP code, and
// product code must not import it.
package uidemo
