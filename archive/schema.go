package archive

import (
	"fmt"
)

// applicationID marks a Palisade archive in the SQLite header ("PALA").
const applicationID = 0x50414c41

// migrations[i] brings the schema from version i to version i+1. Append
// only: never edit a migration that has shipped.
var migrations = []string{
	// 1: messages, their full-text index, MAM sync points.
	`PRAGMA application_id = ` + fmt.Sprint(applicationID) + `;
	CREATE TABLE messages (
		id                 INTEGER PRIMARY KEY,
		account            TEXT NOT NULL,
		conversation       TEXT NOT NULL,
		direction          TEXT NOT NULL CHECK (direction IN ('in', 'out')),
		sender             TEXT NOT NULL,
		sender_bare        TEXT NOT NULL,
		sender_key         TEXT NOT NULL,
		body               TEXT NOT NULL,
		time               INTEGER NOT NULL, -- Unix nanoseconds, UTC
		stanza_id          TEXT NOT NULL DEFAULT '',
		origin_id          TEXT NOT NULL DEFAULT '',
		message_id         TEXT NOT NULL DEFAULT '',
		dedup_id           TEXT NOT NULL DEFAULT '', -- origin_id, else message_id
		trust_class        TEXT NOT NULL DEFAULT '',
		trust_org          TEXT NOT NULL DEFAULT '',
		trust_lookalike_of TEXT NOT NULL DEFAULT '',
		is_room            INTEGER NOT NULL DEFAULT 0,
		is_private         INTEGER NOT NULL DEFAULT 0,
		-- the conversation as one full-text token (hex is one word to the
		-- tokenizer, and a different JID is always a different word)
		conversation_token TEXT GENERATED ALWAYS AS (hex(conversation)) VIRTUAL
	);
	CREATE INDEX messages_conversation_time ON messages (conversation, time, id);
	CREATE UNIQUE INDEX messages_stanza_id ON messages (account, conversation, stanza_id) WHERE stanza_id <> '';
	CREATE UNIQUE INDEX messages_dedup ON messages (account, conversation, sender_key, dedup_id) WHERE dedup_id <> '';
	-- The conversation is indexed too (as one token), so that a search
	-- within one conversation intersects two word lists instead of
	-- filtering every match (the exact test stays in SQL).
	CREATE VIRTUAL TABLE messages_fts USING fts5 (
		body, conversation_token, content = 'messages', content_rowid = 'id',
		tokenize = 'unicode61 remove_diacritics 2'
	);
	CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
		INSERT INTO messages_fts (rowid, body, conversation_token) VALUES (new.id, new.body, new.conversation_token);
	END;
	CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, body, conversation_token) VALUES ('delete', old.id, old.body, old.conversation_token);
	END;
	CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, conversation ON messages BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, body, conversation_token) VALUES ('delete', old.id, old.body, old.conversation_token);
		INSERT INTO messages_fts (rowid, body, conversation_token) VALUES (new.id, new.body, new.conversation_token);
	END;
	CREATE TABLE sync_points (
		account TEXT NOT NULL,
		archive TEXT NOT NULL,
		last_id TEXT NOT NULL,
		updated INTEGER NOT NULL,
		PRIMARY KEY (account, archive)
	);`,
	// 2: small named state kept encrypted with the messages (the messages
	// focus hours hold back, for example).
	`CREATE TABLE state (
		name    TEXT PRIMARY KEY,
		value   BLOB NOT NULL,
		updated INTEGER NOT NULL -- Unix nanoseconds, UTC
	);`,
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// migrate applies the missing migrations, each in its own transaction.
func (a *Archive) migrate() error {
	var version, app int64
	if err := a.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("archive: reading the schema version: %w", err)
	}
	if err := a.db.QueryRow(`PRAGMA application_id`).Scan(&app); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if version > 0 && app != applicationID {
		return fmt.Errorf("archive: %s is an SQLite database but not a Palisade archive (application id %#x); it was not changed", a.path, app)
	}
	if version == 0 {
		var tables int
		if err := a.db.QueryRow(`SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		if tables > 0 {
			return fmt.Errorf("archive: %s is an SQLite database but not a Palisade archive; it was not changed", a.path)
		}
	}
	if version > int64(len(migrations)) {
		return fmt.Errorf("%w (schema version %d, this version knows up to %d)", ErrNewerSchema, version, len(migrations))
	}
	for v := int(version); v < len(migrations); v++ {
		tx, err := a.db.Begin()
		if err != nil {
			return fmt.Errorf("archive: migration %d: %w", v+1, err)
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("archive: migration %d: %w", v+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("archive: migration %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("archive: migration %d: %w", v+1, err)
		}
	}
	return nil
}
