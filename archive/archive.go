package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"
	"lukechampine.com/adiantum"

	"github.com/palisade-im/palisade/event"
)

// KeySize is the length of an archive key in bytes.
const KeySize = 32

// FileName is the archive's file name in the client's data directory.
const FileName = "archive.db"

// NewKey returns a new random archive key, for the caller to keep (in the OS
// keyring): without it the archive cannot be read.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return k, nil
}

var (
	// ErrWrongKey: the key does not decrypt the archive file (or the file is
	// not an archive). Nothing was written.
	ErrWrongKey = errors.New("archive: the key does not open this archive (wrong key, or not a Palisade archive); the file was not changed")
	// ErrNewerSchema: the archive was written by a newer version of the
	// client. Nothing was written.
	ErrNewerSchema = errors.New("archive: the archive was written by a newer version of Palisade; the file was not changed")
	// ErrClosed: the archive was closed.
	ErrClosed = errors.New("archive: closed")
)

// Direction of a message from the account's point of view.
type Direction string

const (
	In  Direction = "in"
	Out Direction = "out"
)

// Trust is the participant's trust classification when the message was
// stored: the class, organisation and lookalike target of event.Trust.
type Trust struct {
	Class       string `json:"class,omitempty"`        // event.Class* value
	Org         string `json:"org,omitempty"`          // organisation, for internal and partner peers
	LookalikeOf string `json:"lookalike_of,omitempty"` // the imitated domain, for lookalikes
}

// TrustOf keeps what the archive records of an event.Trust.
func TrustOf(t event.Trust) Trust {
	return Trust{Class: t.Class, Org: t.Org, LookalikeOf: t.LookalikeOf}
}

// Message is one archived message.
type Message struct {
	// ID is the message's position in the archive (assigned by Add; ignored
	// on input). Search results carry it; Around jumps to it. It is a JSON
	// string: ids exceed the integers JavaScript numbers hold exactly.
	ID           int64     `json:"id,string,omitempty"`
	Account      string    `json:"account"`      // the user's bare JID
	Conversation string    `json:"conversation"` // the peer's bare JID, or the room's bare JID
	Direction    Direction `json:"direction"`
	// Sender is the sender's full JID as it came (room@service/nick in a
	// room); SenderBare is the sender's bare JID: filled from Sender when
	// empty outside rooms; in a room, the occupant's real bare JID when the
	// room reveals it, else empty.
	Sender     string    `json:"sender"`
	SenderBare string    `json:"sender_bare,omitempty"`
	Body       string    `json:"body"`
	Time       time.Time `json:"time"`
	StanzaID   string    `json:"stanza_id,omitempty"` // XEP-0359 stanza-id assigned by the archive (own server or room)
	OriginID   string    `json:"origin_id,omitempty"` // XEP-0359 origin-id
	MessageID  string    `json:"message_id,omitempty"`
	Trust      Trust     `json:"trust"`
	IsRoom     bool      `json:"is_room,omitempty"`    // a groupchat message
	IsPrivate  bool      `json:"is_private,omitempty"` // a private message inside a room (never a direct chat)
}

// senderKey is the sender part of the de-duplication key.
func (m *Message) senderKey() string {
	if m.IsRoom || m.IsPrivate {
		return m.Sender
	}
	return m.SenderBare
}

func (m *Message) validate() error {
	switch {
	case m.Conversation == "":
		return errors.New("archive: a message needs a conversation")
	case m.Direction != In && m.Direction != Out:
		return fmt.Errorf("archive: direction %q: want %q or %q", m.Direction, In, Out)
	case m.Time.IsZero():
		return errors.New("archive: a message needs a time")
	}
	return nil
}

// Message ids follow time: a message's id is its time in microseconds
// since 1970 times idSlots, plus its rank among the messages of the same
// microsecond. Ordering by id is then ordering by time, which lets a
// full-text search walk its index newest first and stop at the limit
// instead of sorting every match.
const idSlots = 1024

func idBase(t time.Time) int64 { return t.UnixMicro() * idSlots }

// Archive is an open archive. It is safe for concurrent use.
type Archive struct {
	db   *sql.DB
	path string
	wmu  sync.Mutex // one writer at a time (SQLite allows only one anyway)
}

// Open opens the archive at path with key (KeySize bytes), creating it (0600,
// its directory 0700) when it does not exist, and brings its schema up to
// date. A wrong key gives ErrWrongKey, a newer schema ErrNewerSchema; in both
// cases the file is not changed.
func Open(path string, key []byte) (*Archive, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("archive: the key must be %d bytes, not %d", KeySize, len(key))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if err := checkKey(abs, key); err != nil {
		return nil, err
	}
	// Create the database and the shared-memory index ourselves so that
	// they are private from the start (see vfsName for the other files).
	// Existing files are not truncated.
	for _, p := range []string{abs, abs + "-shm"} {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		err = f.Chmod(0o600)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
	}

	q := url.Values{}
	q.Set("vfs", vfsName)
	q["_pragma"] = []string{
		"hexkey('" + hex.EncodeToString(key) + "')", // first, before anything reads the file
		"busy_timeout(10000)",
		"temp_store(memory)",
		"journal_mode(wal)",
		"synchronous(normal)",
		"wal_autocheckpoint(8192)", // 32 MiB: a page rewritten often is copied back once
		"secure_delete(fast)",
		"cache_size(-16384)", // 16 MiB of decrypted pages per connection
		"foreign_keys(on)",
	}
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?" + q.Encode()
	db, err := driver.Open(dsn, fts5.Register)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	a := &Archive{db: db, path: abs}
	if err := a.migrate(); err != nil {
		db.Close()
		if errors.Is(err, sqlite3.NOTADB) {
			return nil, ErrWrongKey
		}
		return nil, err
	}
	return a, nil
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// checkKey decrypts the first block of an existing, non-empty archive the
// way the adiantum VFS does (Adiantum, 4 KiB blocks, the block offset as a
// little-endian tweak) and checks the SQLite header, so that a wrong key is
// refused before SQLite opens (and might recover or rewrite) anything.
func checkKey(path string, key []byte) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	n, err := io.ReadFull(f, block)
	if n == 0 && (err == io.EOF) {
		return nil // empty: a new archive
	}
	if err != nil {
		return fmt.Errorf("archive: %s is not an archive (%d bytes, too short): %w", path, n, ErrWrongKey)
	}
	var tweak [8]byte
	binary.LittleEndian.PutUint64(tweak[:], 0)
	plain := adiantum.New(key).Decrypt(block, tweak[:])
	if !bytes.HasPrefix(plain, sqliteHeader) {
		return ErrWrongKey
	}
	return nil
}

// Path is the archive file's absolute path.
func (a *Archive) Path() string { return a.path }

// Close closes the archive (checkpointing the write-ahead log).
func (a *Archive) Close() error {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if a.db == nil {
		return nil
	}
	err := a.db.Close()
	a.db = nil
	return err
}

func (a *Archive) handle() (*sql.DB, error) {
	if a.db == nil {
		return nil, ErrClosed
	}
	return a.db, nil
}

// Add stores messages in one transaction, skipping those already stored
// (see the package documentation for the de-duplication rules), and returns
// how many were new. A message that fails validation fails the whole call
// and nothing is stored.
func (a *Archive) Add(msgs ...Message) (added int, err error) {
	for i := range msgs {
		if err := msgs[i].validate(); err != nil {
			return 0, fmt.Errorf("message %d: %w", i+1, err)
		}
	}
	a.wmu.Lock()
	defer a.wmu.Unlock()
	db, err := a.handle()
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer tx.Rollback()
	// The two uniqueness rules are named, so that any other conflict (the
	// id) is an error, never a silently dropped message.
	ins, err := tx.PrepareContext(ctx, `INSERT INTO messages
		(id, account, conversation, direction, sender, sender_bare, sender_key, body, time,
		 stanza_id, origin_id, message_id, dedup_id, trust_class, trust_org, trust_lookalike_of, is_room, is_private)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (account, conversation, stanza_id) WHERE stanza_id <> '' DO NOTHING
		ON CONFLICT (account, conversation, sender_key, dedup_id) WHERE dedup_id <> '' DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer ins.Close()
	slot, err := tx.PrepareContext(ctx, `SELECT max(id) FROM messages WHERE id >= ? AND id < ?`)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer slot.Close()
	last, err := tx.PrepareContext(ctx, `SELECT max(id) FROM messages`)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer last.Close()
	newID := func(t time.Time) (int64, error) {
		base := idBase(t)
		var top sql.NullInt64
		if err := slot.QueryRowContext(ctx, base, base+idSlots).Scan(&top); err != nil {
			return 0, err
		}
		switch {
		case !top.Valid:
			return base, nil
		case top.Int64+1 < base+idSlots:
			return top.Int64 + 1, nil
		}
		// More than idSlots messages in one microsecond: take the first
		// id after every other (unique, slightly out of time order).
		if err := last.QueryRowContext(ctx).Scan(&top); err != nil {
			return 0, err
		}
		return top.Int64 + 1, nil
	}
	fill, err := tx.PrepareContext(ctx, `UPDATE messages SET stanza_id = ?
		WHERE account = ? AND conversation = ? AND sender_key = ? AND dedup_id = ? AND stanza_id = ''
		AND NOT EXISTS (SELECT 1 FROM messages WHERE account = ? AND conversation = ? AND stanza_id = ?)`)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	defer fill.Close()
	for i := range msgs {
		m := msgs[i]
		if m.SenderBare == "" && !m.IsRoom && !m.IsPrivate {
			m.SenderBare, _, _ = strings.Cut(m.Sender, "/")
		}
		dedup := m.OriginID
		if dedup == "" {
			dedup = m.MessageID
		}
		id, err := newID(m.Time)
		if err != nil {
			return 0, fmt.Errorf("archive: message %d: %w", i+1, err)
		}
		res, err := ins.ExecContext(ctx, id, m.Account, m.Conversation, string(m.Direction), m.Sender, m.SenderBare, m.senderKey(),
			m.Body, m.Time.UnixNano(), m.StanzaID, m.OriginID, m.MessageID, dedup,
			m.Trust.Class, m.Trust.Org, m.Trust.LookalikeOf, m.IsRoom, m.IsPrivate)
		if err != nil {
			return 0, fmt.Errorf("archive: message %d: %w", i+1, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			added++
			continue
		}
		if m.StanzaID != "" && dedup != "" {
			if _, err := fill.ExecContext(ctx, m.StanzaID, m.Account, m.Conversation, m.senderKey(), dedup,
				m.Account, m.Conversation, m.StanzaID); err != nil {
				return 0, fmt.Errorf("archive: message %d: %w", i+1, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	return added, nil
}

const messageColumns = `m.id, m.account, m.conversation, m.direction, m.sender, m.sender_bare, m.body, m.time,
	m.stanza_id, m.origin_id, m.message_id, m.trust_class, m.trust_org, m.trust_lookalike_of, m.is_room, m.is_private`

type scanner interface{ Scan(...any) error }

func scanMessage(s scanner, extra ...any) (Message, error) {
	var m Message
	var dir string
	var t int64
	dest := append([]any{&m.ID, &m.Account, &m.Conversation, &dir, &m.Sender, &m.SenderBare, &m.Body, &t,
		&m.StanzaID, &m.OriginID, &m.MessageID, &m.Trust.Class, &m.Trust.Org, &m.Trust.LookalikeOf, &m.IsRoom, &m.IsPrivate}, extra...)
	if err := s.Scan(dest...); err != nil {
		return m, fmt.Errorf("archive: %w", err)
	}
	m.Direction = Direction(dir)
	m.Time = time.Unix(0, t).UTC()
	return m, nil
}

func (a *Archive) query(q string, args ...any) ([]Message, error) {
	db, err := a.handle()
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return out, nil
}

// Get returns the message with the given ID; found is false when there is none.
func (a *Archive) Get(id int64) (m Message, found bool, err error) {
	ms, err := a.query(`SELECT `+messageColumns+` FROM messages m WHERE m.id = ?`, id)
	if err != nil || len(ms) == 0 {
		return Message{}, false, err
	}
	return ms[0], true, nil
}

// History returns up to limit messages of a conversation older than before
// (all of them up to the newest when before is zero), oldest first: the page
// to show above what is on screen. limit <= 0 means 50.
func (a *Archive) History(conversation string, before time.Time, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = 50
	}
	b := int64(1<<63 - 1)
	if !before.IsZero() {
		b = before.UnixNano()
	}
	ms, err := a.query(`SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation = ? AND m.time < ? ORDER BY m.time DESC, m.id DESC LIMIT ?`, conversation, b, limit)
	reverse(ms)
	return ms, err
}

// Around returns the message with the given ID and up to n messages before
// and after it in its conversation, oldest first: where the GUI jumps to
// from a search result. It returns nothing when there is no such message.
func (a *Archive) Around(id int64, n int) ([]Message, error) {
	m, ok, err := a.Get(id)
	if err != nil || !ok {
		return nil, err
	}
	before, err := a.query(`SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation = ? AND (m.time, m.id) < (?, ?) ORDER BY m.time DESC, m.id DESC LIMIT ?`,
		m.Conversation, m.Time.UnixNano(), m.ID, n)
	if err != nil {
		return nil, err
	}
	after, err := a.query(`SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation = ? AND (m.time, m.id) > (?, ?) ORDER BY m.time, m.id LIMIT ?`,
		m.Conversation, m.Time.UnixNano(), m.ID, n)
	if err != nil {
		return nil, err
	}
	reverse(before)
	return append(append(before, m), after...), nil
}

func reverse(ms []Message) {
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
}

// Retain deletes the messages older than days days before now (the
// profile's archive.retention_days) and returns how many went; days <= 0
// keeps everything. The full-text index follows (triggers), and deleted
// pages are overwritten (secure_delete).
func (a *Archive) Retain(now time.Time, days int) (int64, error) {
	if days <= 0 {
		return 0, nil
	}
	a.wmu.Lock()
	defer a.wmu.Unlock()
	db, err := a.handle()
	if err != nil {
		return 0, err
	}
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	// A plain scan on time: exact even for the rare ids that could not
	// follow time (see idSlots); retention runs seldom.
	res, err := db.Exec(`DELETE FROM messages WHERE time < ?`, cutoff.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("archive: retention: %w", err)
	}
	return res.RowsAffected()
}

// SyncPoint is where MAM catch-up stopped for one archive.
type SyncPoint struct {
	Account string    // the user's bare JID
	Archive string    // the archive's JID: the user's bare JID, or a room
	LastID  string    // the stanza-id (RSM id) of the last result stored
	Updated time.Time // when it was saved
}

// SetSyncPoint saves the last MAM result id stored for an archive.
func (a *Archive) SetSyncPoint(p SyncPoint) error {
	if p.Archive == "" || p.LastID == "" {
		return errors.New("archive: a sync point needs an archive JID and an id")
	}
	if p.Updated.IsZero() {
		p.Updated = time.Now()
	}
	a.wmu.Lock()
	defer a.wmu.Unlock()
	db, err := a.handle()
	if err != nil {
		return err
	}
	_, err = db.Exec(`INSERT INTO sync_points (account, archive, last_id, updated) VALUES (?,?,?,?)
		ON CONFLICT (account, archive) DO UPDATE SET last_id = excluded.last_id, updated = excluded.updated`,
		p.Account, p.Archive, p.LastID, p.Updated.UnixNano())
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// SyncPointOf returns the saved sync point; found is false when there is none
// (catch-up starts from the archive's beginning, or wherever the caller
// decides).
func (a *Archive) SyncPointOf(account, archiveJID string) (p SyncPoint, found bool, err error) {
	db, err := a.handle()
	if err != nil {
		return p, false, err
	}
	var t int64
	err = db.QueryRow(`SELECT account, archive, last_id, updated FROM sync_points WHERE account = ? AND archive = ?`,
		account, archiveJID).Scan(&p.Account, &p.Archive, &p.LastID, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return SyncPoint{}, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("archive: %w", err)
	}
	p.Updated = time.Unix(0, t).UTC()
	return p, true, nil
}

// SetState keeps value under name, encrypted at rest with the messages; an
// empty value removes it. It is for small state that holds message content
// (the messages focus hours hold back), which must not sit in a plain file.
func (a *Archive) SetState(name string, value []byte) error {
	if name == "" {
		return errors.New("archive: a state needs a name")
	}
	a.wmu.Lock()
	defer a.wmu.Unlock()
	db, err := a.handle()
	if err != nil {
		return err
	}
	if len(value) == 0 {
		_, err = db.Exec(`DELETE FROM state WHERE name = ?`, name)
	} else {
		_, err = db.Exec(`INSERT INTO state (name, value, updated) VALUES (?,?,?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
			name, value, time.Now().UnixNano())
	}
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// State returns the value kept under name; found is false when there is
// none.
func (a *Archive) State(name string) (value []byte, found bool, err error) {
	db, err := a.handle()
	if err != nil {
		return nil, false, err
	}
	err = db.QueryRow(`SELECT value FROM state WHERE name = ?`, name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("archive: %w", err)
	}
	return value, true, nil
}

// Count returns the number of messages stored (in one conversation, or in
// all when conversation is "").
func (a *Archive) Count(conversation string) (int64, error) {
	db, err := a.handle()
	if err != nil {
		return 0, err
	}
	var n int64
	if conversation == "" {
		err = db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n)
	} else {
		err = db.QueryRow(`SELECT count(*) FROM messages WHERE conversation = ?`, conversation).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	return n, nil
}
