package cli

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/session"
)

func addOne(t *testing.T, a *archive.Archive, body string) {
	t.Helper()
	_, err := a.Add(archive.Message{Account: "alice@acme.test", Conversation: "bob@acme.test", Direction: archive.In,
		Sender: "bob@acme.test/pc", Body: body, Time: time.Now().UTC(), MessageID: body})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenArchive(t *testing.T) {
	const jid = "alice@acme.test"
	dir := t.TempDir()
	path := filepath.Join(dir, archive.FileName)
	keys := keystore.NewMemory()

	// First use: a key is made and kept in the keyring, the archive created.
	a, off := OpenArchive("", keys, dir, jid)
	if a == nil || off != nil {
		t.Fatalf("first use: %v %+v", a, off)
	}
	v, err := keys.Get(jid)
	if k, derr := hex.DecodeString(v); err != nil || derr != nil || len(k) != archive.KeySize {
		t.Fatalf("stored key %q: %v %v", v, err, derr)
	}
	addOne(t, a, "gardé en mémoire")
	a.Close()
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) == 0 {
		t.Fatal("no archive file")
	}
	for _, name := range mustGlob(t, dir) {
		if data, _ := os.ReadFile(name); bytes.Contains(data, []byte(v)) || bytes.Contains(data, []byte("gardé")) {
			t.Errorf("%s holds the key or a body in clear", name)
		}
	}

	// Again: the same key opens it.
	a, off = OpenArchive("", keys, dir, jid)
	if a == nil || off != nil {
		t.Fatalf("second open: %+v", off)
	}
	if n, _ := a.Count(""); n != 1 {
		t.Errorf("archive holds %d messages, want 1", n)
	}
	a.Close()
	before, _ := os.ReadFile(path)

	tests := []struct {
		name     string
		keys     keystore.Store
		wantCode string
		wantText string
	}{
		{"wrong key", storeWith(t, jid, bytes.Repeat([]byte{7}, archive.KeySize)), event.CodeConfig, "does not open the local archive"},
		{"damaged key", storeWithText(t, jid, "not hex"), event.CodeConfig, "is damaged"},
		{"key missing, archive present", keystore.NewMemory(), event.CodeConfig, "is not in the system keyring"},
		{"no keyring", nil, event.CodeNoKeyring, "local archive is off"},
		{"keyring fails", failingStore{&keystore.UnavailableError{Reason: "Secret Service not running"}}, event.CodeNoKeyring, "could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, off := OpenArchive("", tt.keys, dir, jid)
			if a != nil {
				a.Close()
				t.Fatal("opened")
			}
			if off == nil || off.Code != tt.wantCode || !strings.Contains(off.Message, tt.wantText) {
				t.Errorf("off = %+v, want code %q and %q", off, tt.wantCode, tt.wantText)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
				t.Error("the archive file changed")
			}
			if m, ok := tt.keys.(*keystore.Memory); ok && tt.name == "key missing, archive present" {
				if _, err := m.Get(jid); !errors.Is(err, keystore.ErrNotFound) {
					t.Error("a new key was stored for an existing archive")
				}
			}
		})
	}
	// The right key still opens it, unchanged.
	a, off = OpenArchive("", keys, dir, jid)
	if a == nil {
		t.Fatalf("reopen: %+v", off)
	}
	if n, _ := a.Count(""); n != 1 {
		t.Errorf("archive holds %d messages after the failed opens, want 1", n)
	}
	a.Close()

	// No keyring and no archive yet: nothing is created.
	empty := t.TempDir()
	if a, off := OpenArchive("", failingStore{&keystore.UnavailableError{Reason: "x"}}, empty, jid); a != nil || off == nil {
		t.Fatal("opened without a keyring")
	}
	if names := mustGlob(t, empty); len(names) != 0 {
		t.Errorf("files written without a keyring: %v", names)
	}
}

func mustGlob(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func storeWith(t *testing.T, jid string, key []byte) keystore.Store {
	return storeWithText(t, jid, hex.EncodeToString(key))
}

func storeWithText(t *testing.T, jid, v string) keystore.Store {
	m := keystore.NewMemory()
	if err := m.Set(jid, v); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestConnectOpensArchive: the launcher gives the session the account's
// archive (one per account, shared by sign-ins), or says why it is off.
func TestConnectOpensArchive(t *testing.T) {
	l, cfg, _ := newLauncher(t, keystore.NewMemory())
	l.ArchiveKeys = keystore.NewMemory()
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	first := (*cfg).Archive
	if first == nil || (*cfg).ArchiveOff != nil {
		t.Fatalf("archive %v, off %+v", first, (*cfg).ArchiveOff)
	}
	if first.Path() != filepath.Join(l.DataDir, archive.FileName) {
		t.Errorf("archive at %s", first.Path())
	}
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if (*cfg).Archive != first {
		t.Error("a second sign-in opened the archive again")
	}
	first.Close()

	// A password store that is not the OS keyring (no keyring): off.
	l2, cfg2, _ := newLauncher(t, keystore.NewMemory())
	if _, err := l2.Connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if c := *cfg2; c.Archive != nil || c.ArchiveOff == nil || c.ArchiveOff.Code != event.CodeNoKeyring {
		t.Errorf("without a keyring: archive %v, off %+v", c.Archive, c.ArchiveOff)
	}
	var _ session.Config = **cfg2
}
