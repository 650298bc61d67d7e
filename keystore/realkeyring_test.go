//go:build realkeyring

package keystore

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// These tests talk to a real Secret Service. They are compiled only with the
// realkeyring build tag and must run inside scripts/with-keyring.sh, which
// provides a private D-Bus session with a throwaway, unlocked gnome-keyring:
//
//	scripts/with-keyring.sh go test -tags realkeyring ./keystore/

func requireRealKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("PALISADE_REAL_KEYRING") != "1" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("the realkeyring tests need a throwaway Secret Service: run them as " +
			"`scripts/with-keyring.sh go test -tags realkeyring ./keystore/` " +
			"(never against your own keyring)")
	}
}

// testService keeps these entries apart from real Palisade ones.
const testService = "Palisade-test"

func TestRealKeyringStore(t *testing.T) {
	requireRealKeyring(t)
	k := NewKeyring(testService, 10*time.Second)
	if err := k.Probe(); err != nil {
		t.Fatalf("Probe: %v", err)
	}
	exerciseStore(t, k, "alice@acme.test")
}

func TestRealKeyringOpen(t *testing.T) {
	requireRealKeyring(t)
	s, err := Open()
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, ok := s.(*Keyring); !ok {
		t.Fatalf("Open returned %T, want *Keyring", s)
	}
	const account = "keystore-open-test@acme.test"
	t.Cleanup(func() { s.Delete(account) })
	if err := s.Set(account, "pw"); err != nil {
		t.Fatal(err)
	}
	// The entry is under the "Palisade" service, not the test one.
	if _, err := NewKeyring(testService, 0).Get(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("entry leaked into another service: %v", err)
	}
	if got, err := OS().Get(account); err != nil || got != "pw" {
		t.Fatalf("OS().Get = %q, %v", got, err)
	}
}

// A session bus without a usable Secret Service (here: a fresh bus where the
// keyring daemon is started on demand but has no unlocked login keyring)
// must read as "unavailable", not "not found", and Open must fall back.
func TestRealKeyringBusWithoutUsableKeyring(t *testing.T) {
	requireRealKeyring(t)
	if os.Getenv("PALISADE_KEYSTORE_CHILD") == "1" {
		s, err := Open()
		if _, ok := s.(*Memory); !ok || !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Open = %T, %v; want *Memory and ErrUnavailable", s, err)
		}
		t.Log("notice:", err.(*UnavailableError).Notice())
		return
	}
	if _, err := exec.LookPath("dbus-run-session"); err != nil {
		t.Skip("dbus-run-session not installed")
	}
	home := t.TempDir()
	cmd := exec.Command("dbus-run-session", "--", os.Args[0], "-test.run=^TestRealKeyringBusWithoutUsableKeyring$", "-test.v")
	cmd.Env = append(os.Environ(), "PALISADE_KEYSTORE_CHILD=1", "HOME="+home, "XDG_DATA_HOME="+home, "XDG_RUNTIME_DIR="+home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "No system keyring is available") {
		t.Fatalf("child output lacks the notice:\n%s", out)
	}
	t.Logf("%s", out)
}
