//go:build realkeyring

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/keystore"
)

// TestRealKeyringArchiveKey: the launcher keeps the archive key in the real
// keyring (service "Palisade archive"), made on first use and found again
// on the next sign-in; the data directory never holds it.
func TestRealKeyringArchiveKey(t *testing.T) {
	requireRealKeyring(t)
	store, err := keystore.Open()
	if err != nil {
		t.Fatalf("keystore.Open: %v", err)
	}
	const jid = "archive-key-test@acme.test"
	keys := keystore.NewKeyring(ArchiveKeyService, 0)
	t.Cleanup(func() { keys.Delete(jid) })
	dir := t.TempDir()

	l := &Launcher{DataDir: dir, Store: store}
	a, off := l.archiveFor("", jid)
	if a == nil {
		t.Fatalf("archive off: %+v", off)
	}
	hexKey, err := keys.Get(jid)
	if err != nil || len(hexKey) != 2*archive.KeySize {
		t.Fatalf("keyring entry %q: %v", hexKey, err)
	}
	if _, err := store.Get(jid); err == nil {
		t.Error("the archive key went to the password entry")
	}
	a.Close()

	a2, off := OpenArchive("", keys, dir, jid)
	if a2 == nil {
		t.Fatalf("second open: %+v", off)
	}
	a2.Close()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(hexKey)) {
				t.Errorf("%s holds the archive key", p)
			}
		}
		return nil
	})
}
