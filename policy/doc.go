// Package policy is Palisade's pure decision engine for the company's domain
// rules: it classifies any JID or domain as internal, partner, gateway,
// unknown, lookalike or blocked, and decides whether a message may be sent,
// whether an incoming first message waits in Requests, and whether a file may
// go to a contact or a group chat.
//
// The rules come from an IT-signed configuration profile (package profile
// turns a verified profile into a Rules value) or, for an unmanaged client,
// from Unmanaged. New validates and normalises them once into an Engine; the
// Engine is immutable and safe for concurrent use.
//
// # Addresses
//
// Classify and the decisions accept a bare JID (alice@acme.test), a full JID
// (alice@acme.test/pc) or a domain (acme.test). Domains are normalised with
// IDNA (golang.org/x/net/idna, the lookup profile: lower case, width and
// Unicode normalisation, punycode; a trailing dot is dropped) and compared in
// their ASCII form; the Unicode form is what the user reads. Input that
// cannot be read is Unknown, with a reason, and is never allowed to receive
// messages or files.
//
// # Lookalikes
//
// Lookalike detection compares a domain that is not approved with every
// internal and partner domain. Domains are split at the public suffix
// (golang.org/x/net/publicsuffix; a name the list does not know, such as
// .test, has its last label as suffix) into the labels on the left, the base
// label and the suffix: "login.acme.co.uk" is ["login"], "acme", "co.uk".
//
// A domain imitates an approved one when (techniques in brackets):
//
//   - its base label and suffix have the same UTS #39 skeleton as the
//     approved ones without being equal ("confusable"; also "punycode" when a
//     label is internationalised and "mixed-script" when a label mixes
//     scripts, such as Latin and Cyrillic);
//   - its base label is the approved base label under another suffix
//     ("tld-swap"), for base labels of at least 3 characters;
//   - its base label is one typing mistake away from the approved one:
//     a letter left out ("omission"), added ("insertion"), doubled
//     ("repetition"), two neighbours swapped ("transposition"), or replaced
//     by a neighbouring QWERTY key ("adjacent-key"), by another vowel
//     ("vowel-swap"), by a character one bit away ("bit-flip") or by a
//     confusable character ("confusable"). Thresholds keep ordinary names
//     apart: one mistake only for base labels of at least 4 characters, two
//     mistakes only for base labels of at least 8, and a mistake combined
//     with another suffix only for base labels of at least 6. Any other
//     replacement of a letter does not count: "acne" imitates "acme" (n and
//     m are neighbours), "acre" does not;
//   - its base label adds hyphens or words to the approved one ("ac-me",
//     "acme-corp", "login-acme", "acmecorp" with a common word such as corp,
//     hr or login; "hyphenation"), for base labels of at least 4 characters;
//   - the whole approved domain, or it with dots turned into hyphens, sits
//     on the left of another domain ("acme.test.evil.example",
//     "acme-test.evil.example", "login-acme.test.example"; "subdomain").
//
// A domain with the same registrable part as an approved domain (the
// approved domain itself, a parent or a subdomain of it) is never a
// lookalike of it. When a domain imitates several approved domains, the
// closest imitation is named. A name that mixes scripts but imitates no
// approved domain stays Unknown; its reason mentions the mixed scripts.
//
// The thresholds are checked against more than 200 ordinary, unrelated
// domains (ordinary_test.go), none of which is flagged. Real domains one
// typing mistake from an approved name are flagged on purpose, since that is
// what a typo-squatter registers: with globex.com approved, globe.com is a
// lookalike (TestNearMisses).
//
// # Decisions
//
// MayMessage, Incoming, MayFile, MayFileToRoom and Explain build on
// Classify. Files go only to internal peers and to partners whose
// organisation allows files, within the size limit and never of a blocked
// type; in a group chat every occupant must be allowed. Gateway contacts are
// external: messages are allowed, files are not.
//
// Every Decision and Verdict carries a Reason: one sentence for the user that
// names the rule and who set it. The session layer enforces the decisions and
// the UI only shows them.
//
// # Language
//
// Reasons, and the errors of New, are written in Rules.Lang (package l10n;
// the zero value is English, the French texts are in l10n/fr/policy.json).
// The language is data on the rules like the rest: the engine never reads
// the environment. Each reason is one whole sentence template, so that
// French orders the words its own way; a reason that starts with the domain
// in English starts with it in French too, a lookalike's reason ends with
// its bracketed techniques in both, and a file refusal that starts with
// "Files " starts with "Les fichiers ".
//
// This package does no I/O and takes no clock: it must not import os, net,
// syscall, io/fs, Fyne, mellium, the session or the ui packages.
package policy
