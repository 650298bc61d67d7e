// Package archive is the local message archive: every message the client
// sends or receives, kept in an SQLite database encrypted at rest, with
// full-text search, per-conversation history, retention, sync points for
// MAM (XEP-0313) catch-up, and compliance export (JSON Lines and HTML).
//
// # Storage and encryption
//
// The database is SQLite through github.com/ncruces/go-sqlite3 (pure Go, no
// cgo), opened through its adiantum encrypting VFS, which encrypts every
// page of the database, of its write-ahead log and of its rollback journal
// with Adiantum (XChaCha12, AES, NH and Poly1305) under a 32-byte key. The
// key comes from the caller (the client keeps it in the OS keyring); this
// package never stores it. Temporary files are kept in memory
// (temp_store=memory) so that nothing leaves the process unencrypted. The
// encryption is deterministic and length preserving: it hides the content,
// not which pages changed between two copies of the file, and it does not
// authenticate the pages (see the adiantum VFS's documentation). Files are
// created 0600 (the shared-memory index, -shm, holds page numbers and
// checksums, no content) and the directory, when Open creates it, 0700.
// Deleted rows are zeroed in the pages SQLite rewrites (secure_delete=fast).
//
// A wrong key is detected before SQLite touches the file: Open decrypts the
// first block and checks the SQLite header, and returns ErrWrongKey without
// writing, truncating or recovering anything.
//
// The database runs in WAL mode with synchronous=NORMAL: a crash of the
// process loses nothing that Add returned for; a power failure may lose the
// last transactions but never corrupts the file. The write-ahead log grows
// to about 32 MiB before it is copied back into the database.
//
// # Use
//
// The client keeps its archive at filepath.Join(dataDir, FileName), with a
// key made once by NewKey and kept in the OS keyring. JIDs are stored as
// given: the caller passes bare JIDs in their normalised form. Archive is
// safe for concurrent use; writes are serialised, reads run beside them.
//
//	a, err := archive.Open(filepath.Join(dataDir, archive.FileName), key)
//	if errors.Is(err, archive.ErrWrongKey) { ... } // tell the user; never delete the file
//	added, err := a.Add(msgs...)                      // one transaction, duplicates skipped
//	results, err := a.Search(userInput, archive.SearchOptions{Conversation: jid, Limit: 50})
//	page, err := a.Around(results[0].Message.ID, 20) // jump to a result
//	n, err := a.Retain(time.Now(), profile.Archive.RetentionDays)
//
// # Schema
//
// The schema version is SQLite's user_version; Open applies the missing
// migrations in order, each in its own transaction, and refuses a file from
// a newer version (ErrNewerSchema) without changing it. Tables:
//
//   - messages: one row per message (see Message). Its integer id is the
//     message's position in the archive and follows time: the time in
//     microseconds times 1024, plus the message's rank within that
//     microsecond. Search results carry it so that the GUI can jump to a
//     message (Around).
//   - messages_fts: an FTS5 index of the bodies and conversations (external
//     content, kept in step with messages by triggers; tokenizer unicode61
//     with diacritics removed, so "eleve" finds "élève").
//   - sync_points: per account and archive JID (the user's own archive or
//     a room's), the id of the last MAM result stored.
//
// # De-duplication
//
// A message is stored once: two messages are the same when they share the
// account, the conversation and a non-empty stanza-id (XEP-0359, assigned
// by the archive), or the account, the conversation, the sender key and a
// non-empty origin-id (or, without one, the message id). The sender key is
// the occupant JID (room@service/nick) in a room and the bare JID
// elsewhere. A duplicate that brings a stanza-id the stored copy lacks
// fills it in.
//
// # Search
//
// Search never passes user input to FTS5 as query syntax: the input is
// split on white space and every word becomes a quoted FTS5 string
// (quotes doubled), so operators (OR, NOT, NEAR), column filters
// ("body:"), parentheses and stars are never obeyed: they are words to find
// or punctuation the tokenizer skips, as in the bodies. The words must all
// occur (AND), in the body only. One exception is spelled out: a word ending
// in "*" is a prefix search for the rest of the word ("meet*" finds
// "meeting"). Words with no letter or digit are ignored. Results come
// newest first: the index is walked by id (which follows time) and stops at
// the limit, so a common word costs no more than a rare one.
//
// This package must not import Fyne, ui, session or mellium: it is a
// storage layer below the session, usable by the session, the GUI (through
// events) and command-line tools alike.
package archive
