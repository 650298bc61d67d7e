//go:build realkeyring && linux

package ui

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// These tests talk to a real D-Bus session bus, with a small notification
// server of their own on it. They are compiled only with the realkeyring
// build tag and run inside scripts/with-keyring.sh, which starts a private
// session bus:
//
//	scripts/with-keyring.sh go test -tags realkeyring ./ui/ -run DBus

// notifyServer implements the org.freedesktop.Notifications methods the
// notifier uses and records what it is asked to show.
type notifyServer struct {
	mu     sync.Mutex
	next   uint32
	shown  []serverNote
	called chan struct{}
}

type serverNote struct {
	id            uint32
	app, title    string
	body, icon    string
	actions       []string
	desktopEntry  string
	expireTimeout int32
}

func (s *notifyServer) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"actions", "body"}, nil
}

func (s *notifyServer) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "palisade-test", "palisade", "1", "1.2", nil
}

func (s *notifyServer) Notify(app string, replaces uint32, icon, title, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	n := serverNote{id: s.next, app: app, title: title, body: body, icon: icon, actions: actions, expireTimeout: timeout}
	if v, ok := hints["desktop-entry"]; ok {
		n.desktopEntry, _ = v.Value().(string)
	}
	s.shown = append(s.shown, n)
	s.called <- struct{}{}
	return n.id, nil
}

func (s *notifyServer) CloseNotification(id uint32) *dbus.Error { return nil }

func requireSessionBus(t *testing.T) *dbus.Conn {
	t.Helper()
	if os.Getenv("PALISADE_REAL_KEYRING") != "1" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("the D-Bus notification tests need a private session bus: run them as " +
			"`scripts/with-keyring.sh go test -tags realkeyring ./ui/` (never on your own desktop session)")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestDBusNotificationClickOpensChat(t *testing.T) {
	server := requireSessionBus(t)
	// No notification server yet: the notifier is not used (Fyne's
	// notification is the fallback).
	if n, _ := platformNotifier(func(string) {}); n != nil {
		t.Fatal("a notifier was made without a notification server on the bus")
	}

	srv := &notifyServer{called: make(chan struct{}, 10)}
	if err := server.Export(srv, notifyPath, notifyIface); err != nil {
		t.Fatal(err)
	}
	reply, err := server.RequestName(notifyName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own %s: %v %v", notifyName, reply, err)
	}
	defer server.ReleaseName(notifyName)

	clicks := make(chan string, 10)
	n, closeFn := platformNotifier(func(conv string) { clicks <- conv })
	if n == nil {
		t.Fatal("no notifier although a notification server is on the bus")
	}
	defer closeFn()

	if err := n.Notify("Bob Martin (bob@acme.test)", "lunch?", "bob@acme.test"); err != nil {
		t.Fatal(err)
	}
	if err := n.Notify("2 new messages", "from 2 contacts", ""); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case <-srv.called:
		case <-time.After(5 * time.Second):
			t.Fatal("the server was not asked to show the notifications")
		}
	}
	srv.mu.Lock()
	first, second := srv.shown[0], srv.shown[1]
	srv.mu.Unlock()
	if first.title != "Bob Martin (bob@acme.test)" || first.body != "lunch?" || first.app != "Palisade" ||
		first.desktopEntry != "im.palisade.client" || len(first.actions) != 2 || first.actions[0] != "default" {
		t.Errorf("the server got %+v", first)
	}

	emit := func(member string, args ...any) {
		t.Helper()
		if err := server.Emit(notifyPath, notifyIface+"."+member, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Another action, an unknown id and a closed notification are no click
	// on a chat; a click on the first one opens bob's chat, the second one's
	// no particular chat.
	emit("ActionInvoked", first.id, "other")
	emit("ActionInvoked", uint32(9999), "default")
	emit("ActionInvoked", first.id, "default")
	emit("NotificationClosed", second.id, uint32(2))
	emit("ActionInvoked", second.id, "default")
	select {
	case conv := <-clicks:
		if conv != "bob@acme.test" {
			t.Errorf("the click opened %q, want bob@acme.test", conv)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the click on the notification was not reported")
	}
	// A signal that reaches the notifier after the ones above proves they
	// were all read.
	if err := n.Notify("x", "y", "erin@acme.test"); err != nil {
		t.Fatal(err)
	}
	<-srv.called
	srv.mu.Lock()
	third := srv.shown[2]
	srv.mu.Unlock()
	emit("ActionInvoked", third.id, "default")
	select {
	case conv := <-clicks:
		if conv != "erin@acme.test" {
			t.Errorf("after a closed notification's click, got %q, want only erin's", conv)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the click on the third notification was not reported")
	}

	// After Close, the notifier reports nothing more.
	closeFn()
	emit("ActionInvoked", third.id, "default")
	select {
	case conv := <-clicks:
		t.Errorf("a click was reported after Close: %q", conv)
	case <-time.After(300 * time.Millisecond):
	}
}
