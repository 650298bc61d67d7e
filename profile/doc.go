// Package profile reads, verifies and keeps the IT-signed configuration
// profile that carries the company's rules, and the security bulletins IT
// sends through the same channel.
//
// A profile is a JSON document (format "palisade-profile/1", documented by
// schema.json and docs/it-guide.md). Parse decodes it strictly: unknown
// fields, duplicate keys, wrong types, bad domains, bad CA certificates and
// out-of-range values are refused with a *Error (code "malformed") naming the
// field. Rules turns a profile into the policy.Rules the pure policy engine
// decides with.
//
// Profiles and bulletins are signed by an IT key: a JWS in compact
// serialisation with a detached payload (RFC 7515 appendix F), algorithm
// EdDSA (Ed25519), whose payload is the exact bytes of the file, so there is
// no canonicalisation. The protected header carries only "alg", "kid" and
// optionally "typ" (never a key or a key URL); the key id is derived from the
// public key (KeyID). Keys are JWK files.
//
// The Manager decides which profile is in force. It trusts the IT keys
// installed in SystemDir()/keys, the keys built into the package, and keys
// announced for rotation (next_key) by a profile that was itself verified; it
// keeps the announcing profiles and re-verifies them whenever it opens, so
// editing the data directory cannot add a key. A profile with a bad signature,
// an unknown key, an expired or not yet valid date, a serial lower than one
// already applied (rollback), or malformed content is refused with a *Error
// naming the reason, the refusal is appended to DataDir/profile/log.jsonl, and
// the last good profile (stored atomically in DataDir/profile) stays in force.
//
// Refusal reasons and change lines are in English (Error.Msg, the log,
// Changes); Error.In, ReasonIn, ChangesIn and Result.ChangesIn write the same
// sentences in the user's language (package l10n, French catalogue in
// l10n/fr), which the session passes as a parameter.
//
// This package may read and write files. It must not import Fyne, the ui or
// session packages, or mellium.
package profile
