// Package audit is the local, append-only, hash-chained log of
// security-relevant events: warnings shown, confirmations given, refusals,
// profiles applied or refused, identity changes, training events, infected
// files. Each entry carries the hash of the one before, so that an edited,
// deleted, inserted, reordered or truncated entry is found by Verify, which
// names the first bad entry by sequence number and line.
//
// # File format
//
// The log is one file, FileName ("audit.jsonl"), in a directory of its own
// (created 0700; the file is 0600). It is JSON Lines: one entry per line,
// each line ending in "\n", nothing else in the file. An entry is
//
//		{"seq":1,"time":"2026-11-27T04:12:00.123456789Z","kind":"warning_shown","fields":{"peer":"x@evil.test"},"prev":"000...000","hash":"9f2c..."}
//
//	  - seq: 1 for the first entry, then +1 for each entry, no gaps;
//	  - time: when the entry was written, UTC, RFC 3339 with nanoseconds
//	    (time.RFC3339Nano);
//	  - kind: what happened, lower case (the Kind* constants; others are
//	    allowed: letters, digits, '_', '.', '-', starting with a letter);
//	  - fields: details, a JSON object (possibly empty, never null);
//	  - prev: the hash of the previous entry, 64 lower-case hex digits; the
//	    first entry's prev is Genesis (64 zeros);
//	  - hash: hex SHA-256 of this entry's canonical bytes.
//
// # Canonical bytes
//
// The canonical bytes of an entry are the output of Go's encoding/json
// Marshal for the object with the members seq, time, kind, fields, prev in
// that order and nothing else: no white space, map keys sorted
// (recursively, at every depth), strings escaped as encoding/json does
// (including <, > and & as \u003c, \u003e, \u0026), numbers written as
// given. The line on disk is the canonical bytes with the closing brace
// replaced by `,"hash":"<64 hex>"}`. Verify therefore recovers the canonical
// bytes from the line itself (cut the hash member, put the brace back),
// hashes them, and also checks that decoding and re-encoding them gives the
// same bytes, so a line that is valid JSON but not canonical (extra
// members, white space, unsorted keys) is reported too.
//
// # What is guaranteed
//
// Append writes the whole line with one write on a file opened for
// appending and calls fsync before it returns: an entry Append returned
// nil for survives a crash. Append is safe for concurrent use; one process
// writes a log at a time (the client holds its data directory).
//
// A crash in the middle of a write can leave a torn last line (no "\n").
// Verify reports it (problem "torn"). Open, finding a log whose only fault
// is a torn last line, never extends it: it moves the torn bytes to a file
// beside the log (FileName + ".torn-<UTC time>", 0600), truncates the log
// to its last good entry, and appends an entry of kind KindTailSetAside
// naming that file, the number of bytes and their SHA-256, so the repair is
// itself on the record. Any other fault (an altered, missing or reordered
// entry) makes Open fail with an error matching ErrBroken that carries the
// Report; the file is left exactly as it is, for IT to examine. Open
// verifies the whole log each time: about 0.6 s for 100,000 entries on a
// two-core test machine (BenchmarkVerify100k); an append with its fsync
// takes about 0.2 ms there (BenchmarkAppend).
//
// The chain proves that entries were not changed relative to each other.
// It cannot, on its own, prove that the most recent entries were not cut
// off at a line boundary, or that the whole file was not rewritten with a
// fresh chain. For that, export the head (Log.Head, or the Report of
// Verify: sequence number and hash) to somewhere IT keeps it, and later
// verify with VerifyOptions.Anchor: the anchored entry must still be there
// with the same hash.
//
// This package must not import Fyne, ui, session or mellium: it is a
// storage layer below the session, used by the session, the GUI and the
// command line alike (it may import event for its plain types).
package audit
