package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/l10n"
)

// outboxEntry is a chat message the user sent while offline (or that was on
// the wire without acknowledgement when the session was closed). It holds
// the message and nothing else: never a password or a token.
type outboxEntry struct {
	ID     string    `json:"id"`
	To     string    `json:"to"`
	Body   string    `json:"body"`
	Queued time.Time `json:"queued"`
}

// outbox is the persisted queue of messages waiting for a connection. It is
// not safe for concurrent use; the session guards it with its mutex.
type outbox struct {
	path    string // "" keeps the outbox in memory only
	entries []outboxEntry
	lang    l10n.Lang // of its errors, which the user reads
}

const outboxFile = "outbox.json"

// loadOutbox reads the outbox in dir. A missing file is an empty outbox.
func loadOutbox(dir string) (*outbox, error) { return loadOutboxIn(dir, l10n.English) }

// loadOutboxIn is loadOutbox with its errors in the user's language l.
func loadOutboxIn(dir string, l l10n.Lang) (*outbox, error) {
	o := &outbox{lang: l}
	if dir == "" {
		return o, nil
	}
	o.path = filepath.Join(dir, outboxFile)
	b, err := os.ReadFile(o.path)
	if errors.Is(err, fs.ErrNotExist) {
		return o, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.T("reading the outbox"), err)
	}
	if err := json.Unmarshal(b, &o.entries); err != nil {
		return nil, errors.New(l.T("the outbox {{.Path}} is damaged: {{.Err}}", l10n.Args{"Path": o.path, "Err": err.Error()}))
	}
	return o, nil
}

func (o *outbox) has(id string) bool {
	for _, e := range o.entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

// add appends an entry and saves the outbox.
func (o *outbox) add(e outboxEntry) error {
	if o.has(e.ID) {
		return nil
	}
	o.entries = append(o.entries, e)
	return o.save()
}

// remove drops the entry with the given id, saving if it was there.
func (o *outbox) remove(id string) error {
	for i, e := range o.entries {
		if e.ID == id {
			o.entries = append(o.entries[:i:i], o.entries[i+1:]...)
			return o.save()
		}
	}
	return nil
}

// list returns a copy of the entries, oldest first.
func (o *outbox) list() []outboxEntry {
	return append([]outboxEntry(nil), o.entries...)
}

// save writes the outbox atomically: a temporary file in the same directory,
// synced, then renamed over the old one. The file is readable by the user
// only, since it holds message bodies.
func (o *outbox) save() error {
	if o.path == "" {
		return nil
	}
	entries := o.entries
	if entries == nil {
		entries = []outboxEntry{}
	}
	b, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(o.path, b); err != nil {
		return fmt.Errorf("%s: %w", o.lang.T("saving the outbox"), err)
	}
	return nil
}
