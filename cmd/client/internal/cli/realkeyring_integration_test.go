//go:build realkeyring

package cli

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
)

// These tests use a real Secret Service and must run inside
// scripts/with-keyring.sh, which provides a throwaway one:
//
//	scripts/with-keyring.sh go test -tags realkeyring ./cmd/client/...

func requireRealKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("PALISADE_REAL_KEYRING") != "1" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("the realkeyring tests need a throwaway Secret Service: run them as " +
			"`scripts/with-keyring.sh go test -tags realkeyring ./cmd/client/...` " +
			"(never against your own keyring)")
	}
}

// TestRealKeyringRememberMe signs in through the GUI's Connect with
// "remember me" (the password goes to the real keyring once accepted), then
// runs the headless client with no --password-fd (the password comes back
// from the keyring), then signs in with "remember me" unset (the entry is
// deleted). No file under the data directory may hold the password.
func TestRealKeyringRememberMe(t *testing.T) {
	requireRealKeyring(t)
	srv := prosody(t)
	jid, pw := newUser(t, srv)
	dir := t.TempDir()

	store, err := keystore.Open()
	if err != nil {
		t.Fatalf("keystore.Open: %v", err)
	}
	if _, ok := store.(*keystore.Keyring); !ok {
		t.Fatalf("keystore.Open returned %T, want the OS keyring", store)
	}
	t.Cleanup(func() { store.Delete(jid) })

	l := &Launcher{DataDir: dir, Store: store}
	b, err := l.Connect(SignIn{JID: jid, Password: pw, Remember: true, Server: srv.Addr, CAFile: srv.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, "connected", connectTimeout)
	b.Do(event.Quit{})
	waitEvent(t, b, "closed", 15*time.Second)
	if got, err := keystore.OS().Get(jid); got != pw || err != nil {
		t.Fatalf("keyring holds %q, %v; want the password", got, err)
	}
	assertNoSecret(t, dir, pw, 1)

	// Headless, password from the keyring.
	c := startClient(t, "", nil, serverArgs(srv, jid, dir)...)
	c.waitFor("connected", connectTimeout)
	c.send(`{"cmd":"quit"}`)
	c.waitFor("closed", 15*time.Second)
	if code := c.exit(10 * time.Second); code != ExitOK {
		t.Fatalf("headless exit = %d\n%s", code, c.history())
	}
	assertNoSecret(t, dir, pw, 1)

	// "Remember me" unset: the keyring entry goes.
	b, err = l.Connect(SignIn{JID: jid, Password: pw, Remember: false, Server: srv.Addr, CAFile: srv.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, "connected", connectTimeout)
	b.Do(event.Quit{})
	waitEvent(t, b, "closed", 15*time.Second)
	if _, err := keystore.OS().Get(jid); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("keyring entry after sign-in without remember me: %v, want not found", err)
	}
	assertNoSecret(t, dir, pw, 1)

	// And now headless has no password to use.
	c = startClient(t, "", nil, serverArgs(srv, jid, dir)...)
	if code := c.exit(10 * time.Second); code != ExitConfig {
		t.Fatalf("headless exit = %d, want %d\n%s", code, ExitConfig, c.history())
	}
}
