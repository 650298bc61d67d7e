package session

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
)

// focusWithArchive is offlineFocus with a local archive in dir.
func focusWithArchive(t *testing.T, dir string, clock *testClock) (*Session, *archive.Archive) {
	t.Helper()
	a, err := archive.Open(filepath.Join(dir, archive.FileName), bytes.Repeat([]byte{7}, archive.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir, Archive: a})
	if err != nil {
		t.Fatal(err)
	}
	s.focus.now, s.focus.loc = clock.now, time.UTC
	return s, a
}

// noClearText fails when a file under dir holds needle.
func noClearText(t *testing.T, dir, needle string) {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		n++
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(needle)) {
			t.Errorf("%s holds %q in clear", filepath.Base(p), needle)
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no files to check")
	}
}

// With a local archive, the messages focus holds are kept in it, encrypted:
// no data-dir file holds them in clear, a restart keeps them, and a plain
// file left by a run without the archive moves into it.
func TestFocusHeldKeptInArchive(t *testing.T) {
	dir := t.TempDir()
	clock := &testClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)} // a Friday
	// A run without a keyring held one message in the plain file.
	plain := offlineFocus(t, dir, clock)
	plain.execute(event.SetFocus{Rules: []event.FocusRule{{Days: []string{"fri"}, Start: "09:00", End: "12:00", Allow: []string{"boss@acme.test"}}}})
	plain.emitChat(focusChat("mallory@evil.test", "m0", "held without a keyring", false))
	takeEvents(plain)
	if _, err := os.Stat(filepath.Join(dir, focusHeldFile)); err != nil {
		t.Fatalf("no plain held file without an archive: %v", err)
	}

	s, a := focusWithArchive(t, dir, clock)
	s.execute(event.GetFocus{})
	if f := takeEvents(s)[0].(event.Focus); !f.Active || f.Held != 1 {
		t.Fatalf("with the archive: %+v", f)
	}
	if _, err := os.Stat(filepath.Join(dir, focusHeldFile)); !os.IsNotExist(err) {
		t.Errorf("the plain held file stayed once the archive holds it: %v", err)
	}
	s.emitChat(focusChat("mallory@evil.test", "m1", "codeword PERIWINKLE", false))
	takeEvents(s)
	a.Close()
	noClearText(t, dir, "PERIWINKLE")
	noClearText(t, dir, "held without a keyring")

	// Restart during focus: both are still held, then released in order.
	s2, a2 := focusWithArchive(t, dir, clock)
	defer a2.Close()
	s2.execute(event.GetFocus{})
	if f := takeEvents(s2)[0].(event.Focus); !f.Active || f.Held != 2 {
		t.Fatalf("after restart: %+v", f)
	}
	clock.set(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	s2.focusCheck()
	var got []string
	for _, e := range takeEvents(s2) {
		if m, ok := e.(event.Message); ok && m.Held {
			got = append(got, m.ID)
		}
	}
	if strings.Join(got, ",") != "m0,m1" {
		t.Errorf("released %v, want m0,m1", got)
	}
	if _, found, err := a2.State(focusHeldState); found || err != nil {
		t.Errorf("held state still in the archive after release: %v %v", found, err)
	}
}
