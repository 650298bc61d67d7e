package session

import (
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

// Commands are checked and answered even without a server.
func TestCommandsOffline(t *testing.T) {
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "x", nil },
		Server: "127.0.0.1:1", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = backoff{base: time.Hour, max: time.Hour}
	// Do never blocks, whatever the number of commands and even before Start.
	for i := 0; i < 20000; i++ {
		s.Do(event.GetRoster{})
	}
	tests := []struct {
		cmd  event.Command
		want func(event.Event) bool
	}{
		{event.Send{To: "bad jid@@", Body: "x"}, errorCode(event.CodeBadCommand, "send")},
		{event.Send{To: "bob@acme.test"}, errorCode(event.CodeBadCommand, "send")},
		{event.SetPresence{Show: "busy"}, errorCode(event.CodeBadCommand, "presence")},
		{event.SendChatState{To: "bob@acme.test", State: "sleeping"}, errorCode(event.CodeBadCommand, "chat_state")},
		{event.Approve{JID: "bob@acme.test"}, errorCode(event.CodeNetwork, "approve")},
		{event.Send{To: "bob@acme.test", Body: "later", ID: "q1"}, func(e event.Event) bool {
			s, ok := e.(event.Sent)
			return ok && s.Queued && s.ID == "q1"
		}},
	}
	s.Start()
	n := 0
	for e := range s.Events() {
		if _, ok := e.(event.Roster); ok {
			n++
			if n == 20000 {
				break
			}
		}
	}
	for _, tt := range tests {
		s.Do(tt.cmd)
		for e := range s.Events() {
			if d, ok := e.(event.Disconnected); ok {
				if d.Fatal || d.Code != event.CodeNetwork || !strings.Contains(d.Message, "127.0.0.1:1") || d.RetryIn < 1800 {
					t.Errorf("Disconnected = %+v", d)
				}
				continue
			}
			if _, ok := e.(event.Connecting); ok {
				continue
			}
			if !tt.want(e) {
				m, _ := event.Marshal(e)
				t.Errorf("%s: got %s", tt.cmd.CommandName(), m)
			}
			break
		}
	}
	// Reconnect retries now instead of waiting an hour; the attempt
	// number grows, and so does the delay.
	s.Do(event.Reconnect{})
	deadline := time.After(10 * time.Second)
	var attempt int
	for attempt < 2 {
		select {
		case e := <-s.Events():
			if c, ok := e.(event.Connecting); ok {
				attempt = c.Attempt
			}
		case <-deadline:
			t.Fatal("Reconnect did not start an attempt")
		}
	}
	s.Do(event.Quit{})
	var last event.Event
	for e := range s.Events() {
		last = e
	}
	if _, ok := last.(event.Closed); !ok {
		t.Errorf("last event %T, want Closed", last)
	}
}

func errorCode(code, cmd string) func(event.Event) bool {
	return func(e event.Event) bool {
		er, ok := e.(event.Error)
		return ok && er.Code == code && er.Command == cmd && er.Message != ""
	}
}

func TestNewChecksConfig(t *testing.T) {
	pw := func() (string, error) { return "", nil }
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Password: pw}, "no account JID"},
		{Config{JID: "acme.test", Password: pw}, "no user part"},
		{Config{JID: "alice@acme.test"}, "no password source"},
		{Config{JID: "alice@acme.test", Password: pw, CAFile: "/nonexistent.pem"}, "CA file"},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) error = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}
