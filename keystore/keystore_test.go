package keystore

import (
	"errors"
	"strings"
	"testing"
)

// exerciseStore runs the Store contract against s.
func exerciseStore(t *testing.T, s Store, account string) {
	t.Helper()
	other := "other-" + account
	if _, err := s.Get(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on empty store: err = %v, want ErrNotFound", err)
	}
	if errors.Is(ErrNotFound, ErrUnavailable) {
		t.Fatal("ErrNotFound must not match ErrUnavailable")
	}
	if err := s.Delete(account); err != nil {
		t.Fatalf("Delete of a missing entry: %v, want nil", err)
	}
	const pw = "pässwörd with spaces & ünïcode 🔑"
	if err := s.Set(account, pw); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got, err := s.Get(account); err != nil || got != pw {
		t.Fatalf("Get = %q, %v; want %q", got, err, pw)
	}
	if err := s.Set(account, "second"); err != nil {
		t.Fatalf("Set (replace): %v", err)
	}
	if got, err := s.Get(account); err != nil || got != "second" {
		t.Fatalf("Get after replace = %q, %v; want %q", got, err, "second")
	}
	if _, err := s.Get(other); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of another account: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(account); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
}

func TestMemory(t *testing.T) {
	exerciseStore(t, NewMemory(), "alice@acme.test")
	var zero Memory
	exerciseStore(t, &zero, "alice@acme.test")
}

func TestOpenWithoutSessionBusFallsBackToMemory(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if platformUnavailable() == nil {
		t.Skip("this platform always has a keyring")
	}
	s, err := Open()
	if s == nil {
		t.Fatal("Open returned a nil store")
	}
	if _, ok := s.(*Memory); !ok {
		t.Fatalf("Open returned %T, want *Memory", s)
	}
	var u *UnavailableError
	if !errors.As(err, &u) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Open error = %v, want *UnavailableError", err)
	}
	n := u.Notice()
	for _, want := range []string{"No system keyring is available", "D-Bus", "in memory for this session only"} {
		if !strings.Contains(n, want) {
			t.Errorf("Notice %q lacks %q", n, want)
		}
	}
	// The OS store says unavailable, not "not found", and does not try to
	// start a bus of its own.
	if _, err := OS().Get("alice@acme.test"); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Fatalf("OS().Get without a bus: err = %v, want ErrUnavailable", err)
	}
	exerciseStore(t, s, "alice@acme.test")
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err        error
		want       error
		wantReason string
	}{
		{nil, nil, ""},
		{errNamed("secret not found in keyring"), nil, ""}, // a look-alike is not the sentinel
		{errNamed("The name org.freedesktop.secrets was not provided by any .service files"), ErrUnavailable, "Secret Service not running"},
		{errNamed("org.freedesktop.DBus.Error.ServiceUnknown"), ErrUnavailable, "Secret Service not running"},
		{errNamed("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrUnavailable, "locked"},
		{errNamed("dbus: couldn't determine address of session bus"), ErrUnavailable, "D-Bus"},
	}
	for _, tt := range tests {
		got := classify(tt.err)
		if tt.err == nil {
			if got != nil {
				t.Errorf("classify(nil) = %v", got)
			}
			continue
		}
		var u *UnavailableError
		if !errors.As(got, &u) {
			t.Errorf("classify(%v) = %v, want *UnavailableError", tt.err, got)
			continue
		}
		if tt.wantReason != "" && !strings.Contains(u.Reason, tt.wantReason) {
			t.Errorf("classify(%v) reason = %q, want containing %q", tt.err, u.Reason, tt.wantReason)
		}
	}
}

type errNamed string

func (e errNamed) Error() string { return string(e) }
