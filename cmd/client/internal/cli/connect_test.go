package cli

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/session"
)

type failingStore struct{ err error }

func (f failingStore) Get(string) (string, error) { return "", f.err }
func (f failingStore) Set(string, string) error   { return f.err }
func (f failingStore) Delete(string) error        { return f.err }

func newLauncher(t *testing.T, store keystore.Store) (*Launcher, **session.Config, **fakeBackend) {
	var cfg *session.Config
	var fb *fakeBackend
	l := &Launcher{DataDir: t.TempDir(), Store: store, Start: func(c session.Config) (event.Backend, error) {
		cfg = &c
		fb = newFake()
		return fb, nil
	}}
	return l, &cfg, &fb
}

func next(t *testing.T, b event.Backend) event.Event {
	t.Helper()
	select {
	case ev := <-b.Events():
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return nil
	}
}

func TestConnectRememberStoresAfterConnected(t *testing.T) {
	store := keystore.NewMemory()
	l, cfg, fb := newLauncher(t, store)
	b, err := l.Connect(SignIn{JID: " alice@acme.test ", Password: "typed", Remember: true, Server: "127.0.0.1:15222", CAFile: "/ca.pem"})
	if err != nil {
		t.Fatal(err)
	}
	c := *cfg
	if c.JID != "alice@acme.test" || c.Server != "127.0.0.1:15222" || c.CAFile != "/ca.pem" || c.DataDir != l.DataDir {
		t.Errorf("config = %+v", c)
	}
	if pw, _ := c.Password(); pw != "typed" {
		t.Errorf("password = %q", pw)
	}
	if _, err := store.Get("alice@acme.test"); !errors.Is(err, keystore.ErrNotFound) {
		t.Error("password stored before the server accepted it")
	}
	(*fb).emit(event.Connected{JID: "alice@acme.test/x"})
	if ev := next(t, b); ev.EventName() != "connected" {
		t.Fatalf("got %v", ev)
	}
	(*fb).emit(event.Roster{})
	if ev := next(t, b); ev.EventName() != "roster" {
		t.Fatalf("got %v", ev)
	}
	if got, err := store.Get("alice@acme.test"); got != "typed" || err != nil {
		t.Errorf("stored = %q, %v", got, err)
	}
	s, err := account.Load(l.DataDir)
	if err != nil || s != (account.Settings{JID: "alice@acme.test", Server: "127.0.0.1:15222", CAFile: "/ca.pem", Remember: true}) {
		t.Errorf("saved settings = %+v, %v", s, err)
	}
	b.Do(event.Quit{})
	if ev := next(t, b); ev.EventName() != "closed" {
		t.Fatalf("got %v", ev)
	}
	if _, ok := <-b.Events(); ok {
		t.Error("events not closed after closed")
	}
}

func TestConnectForgetDeletes(t *testing.T) {
	store := keystore.NewMemory()
	store.Set("alice@acme.test", "old")
	l, cfg, _ := newLauncher(t, store)
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "typed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get("alice@acme.test"); !errors.Is(err, keystore.ErrNotFound) {
		t.Error("password still stored with Remember unset")
	}
	if pw, _ := (*cfg).Password(); pw != "typed" {
		t.Errorf("password = %q", pw)
	}
}

func TestConnectPasswordSources(t *testing.T) {
	store := keystore.NewMemory()
	store.Set("alice@acme.test", "from-keyring")
	l, cfg, _ := newLauncher(t, store)
	l.FDPassword, l.FDJID = "from-fd", "bob@acme.test"

	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Remember: true}); err != nil {
		t.Fatal(err)
	}
	if pw, _ := (*cfg).Password(); pw != "from-keyring" {
		t.Errorf("alice: password = %q", pw)
	}
	if _, err := l.Connect(SignIn{JID: "bob@acme.test"}); err != nil {
		t.Fatal(err)
	}
	if pw, _ := (*cfg).Password(); pw != "from-fd" {
		t.Errorf("bob: password = %q", pw)
	}
	_, err := l.Connect(SignIn{JID: "carol@acme.test"})
	if err == nil || !strings.Contains(err.Error(), "enter the password for carol@acme.test") {
		t.Errorf("carol: err = %v", err)
	}
	for _, bad := range []SignIn{{JID: "carol"}, {JID: "a@b/c", Password: "x"}, {JID: "a@b", Password: "x", Server: "nope"}} {
		if _, err := l.Connect(bad); err == nil {
			t.Errorf("Connect(%+v) accepted", bad)
		}
	}
}

func TestConnectKeyringTroubleIsAWarning(t *testing.T) {
	store := failingStore{&keystore.UnavailableError{Reason: "Secret Service not running"}}
	l, _, fb := newLauncher(t, store)
	b, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "typed", Remember: true})
	if err != nil {
		t.Fatal(err)
	}
	(*fb).emit(event.Connected{JID: "alice@acme.test/x"})
	next(t, b)
	ev, ok := next(t, b).(event.Error)
	if !ok || ev.Code != event.CodeNoKeyring || !strings.Contains(ev.Message, "could not be saved in the system keyring") {
		t.Errorf("event = %#v", ev)
	}

	// Forgetting fails too: reported first.
	l, _, _ = newLauncher(t, store)
	b, err = l.Connect(SignIn{JID: "alice@acme.test", Password: "typed"})
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := next(t, b).(event.Error); !ok || ev.Code != event.CodeNoKeyring || !strings.HasPrefix(ev.Message, "Could not remove") {
		t.Errorf("event = %#v", ev)
	}
}

func TestConnectSessionError(t *testing.T) {
	l := &Launcher{DataDir: t.TempDir(), Store: keystore.NewMemory(), Start: func(session.Config) (event.Backend, error) {
		return nil, errors.New("CA file /nope: no such file")
	}}
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "x"}); err == nil || !strings.Contains(err.Error(), "/nope") {
		t.Errorf("err = %v", err)
	}
}

func TestConnectPassesFileSettings(t *testing.T) {
	l, cfg, _ := newLauncher(t, keystore.NewMemory())
	l.DownloadDir, l.ClamdSocket = "/tmp/palisade-downloads", "/run/test/clamd.ctl"
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if (*cfg).DownloadDir != l.DownloadDir || (*cfg).ClamdSocket != l.ClamdSocket {
		t.Errorf("session config DownloadDir %q ClamdSocket %q, want %q and %q", (*cfg).DownloadDir, (*cfg).ClamdSocket, l.DownloadDir, l.ClamdSocket)
	}
}

// Every session a launcher starts records into the same audit log, opened
// once in the data directory.
func TestConnectSharesTheAuditLog(t *testing.T) {
	l, cfg, _ := newLauncher(t, keystore.NewMemory())
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	first := (*cfg).Audit
	if first == nil || first.Path() != filepath.Join(l.DataDir, "audit", "audit.jsonl") {
		t.Fatalf("session config Audit = %v, want the log in %s/audit", first, l.DataDir)
	}
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if (*cfg).Audit != first {
		t.Error("a second sign-in opened a second writer on the audit log")
	}
}
