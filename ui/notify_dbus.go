//go:build linux

package ui

import (
	"fmt"
	"sync"

	"fyne.io/fyne/v2/lang"
	"github.com/godbus/dbus/v5"
)

// The freedesktop Desktop Notifications API
// (https://specifications.freedesktop.org/notification-spec/).
const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyIface = "org.freedesktop.Notifications"
	// notifyIcon is the icon's name: the hicolor icon the packages install
	// under the app ID.
	notifyIcon = "im.palisade.client"
)

// dbusNotifier shows notifications through the session bus's notification
// server with a "default" action, and reports a click (ActionInvoked) on
// one of its own with the conversation it was about.
type dbusNotifier struct {
	conn    *dbus.Conn
	clicked func(conv string)

	mu    sync.Mutex
	convs map[uint32]string // shown notifications: id -> conversation
}

// platformNotifier is the D-Bus notifier, or nil when there is no session
// bus or no notification server on it.
func platformNotifier(clicked func(conv string)) (notifier, func()) {
	d, err := newDBusNotifier(clicked)
	if err != nil {
		return nil, nil
	}
	return d, d.Close
}

func newDBusNotifier(clicked func(conv string)) (*dbusNotifier, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("no session bus: %w", err)
	}
	var caps []string
	if err := conn.Object(notifyName, notifyPath).Call(notifyIface+".GetCapabilities", 0).Store(&caps); err != nil {
		conn.Close()
		return nil, fmt.Errorf("no notification server: %w", err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(notifyPath), dbus.WithMatchInterface(notifyIface)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("notification signals: %w", err)
	}
	d := &dbusNotifier{conn: conn, clicked: clicked, convs: map[uint32]string{}}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go d.listen(signals)
	return d, nil
}

// Notify implements notifier.
func (d *dbusNotifier) Notify(title, body, conv string) error {
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant(notifyIcon)}
	var id uint32
	// The "default" action is the click on the notification itself; its
	// label is shown only by servers that list actions as buttons.
	err := d.conn.Object(notifyName, notifyPath).Call(notifyIface+".Notify", 0,
		"Palisade", uint32(0), notifyIcon, title, body, []string{"default", lang.L("Open")}, hints, int32(-1)).Store(&id)
	if err != nil {
		return fmt.Errorf("notification not shown: %w", err)
	}
	d.mu.Lock()
	d.convs[id] = conv
	d.mu.Unlock()
	return nil
}

// listen reports clicks on this notifier's notifications until the
// connection closes.
func (d *dbusNotifier) listen(signals <-chan *dbus.Signal) {
	for s := range signals {
		if s.Path != notifyPath || len(s.Body) < 1 {
			continue
		}
		id, ok := s.Body[0].(uint32)
		if !ok {
			continue
		}
		switch s.Name {
		case notifyIface + ".ActionInvoked":
			if len(s.Body) < 2 || s.Body[1] != "default" {
				continue
			}
			d.mu.Lock()
			conv, mine := d.convs[id]
			d.mu.Unlock()
			if mine {
				d.clicked(conv)
			}
		case notifyIface + ".NotificationClosed":
			d.mu.Lock()
			delete(d.convs, id)
			d.mu.Unlock()
		}
	}
}

// Close disconnects from the bus; no click is reported after it.
func (d *dbusNotifier) Close() { d.conn.Close() }
