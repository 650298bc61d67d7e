package uidemo

import (
	"strconv"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
)

// Self is the demo account.
const Self = "alice@acme.test"

// Backend is a scripted event.Backend.
type Backend struct {
	events chan event.Event
	mu     sync.Mutex
	closed bool
	n      int
}

// New starts a demo session: it connects at once and fills the roster.
func New() *Backend {
	b := &Backend{events: make(chan event.Event, 20000)}
	go b.script()
	return b
}

// Events implements event.Backend.
func (b *Backend) Events() <-chan event.Event { return b.events }

func (b *Backend) emit(e event.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.events <- e
	}
}

func (b *Backend) later(d time.Duration, e event.Event) {
	time.AfterFunc(d, func() { b.emit(e) })
}

// Contacts is the demo roster.
var Contacts = []event.Contact{
	{JID: "bob@acme.test", Name: "Bob Martin", Groups: []string{"Engineering"}, Subscription: "both"},
	{JID: "carol@acme.test", Name: "Carol Nguyen", Groups: []string{"Engineering"}, Subscription: "both"},
	{JID: "dave@acme.test", Name: "Dave Okafor", Groups: []string{"Engineering", "On call"}, Subscription: "both"},
	{JID: "erin@acme.test", Name: "Erin Rossi", Groups: []string{"Sales"}, Subscription: "both"},
	{JID: "frank@acme.test", Name: "Frank Weber", Groups: []string{"Sales"}, Subscription: "both"},
	{JID: "grace@partner.example", Name: "Grace Hopper (Partner)", Groups: []string{"Partners"}, Subscription: "to", Pending: true},
	{JID: "heidi@acme.test", Name: "", Subscription: "both"},
	{JID: "ivan@acme.test", Name: "Ivan Petrov", Groups: []string{"On call"}, Subscription: "both"},
}

func (b *Backend) script() {
	now := time.Now()
	b.emit(event.Connecting{Attempt: 1, Server: "xmpp.acme.test:5222"})
	b.emit(event.Connected{JID: Self + "/palisade", Mechanism: "SCRAM-SHA-256-PLUS", ChannelBinding: "tls-exporter", TLSVersion: "TLS 1.3"})
	b.emit(event.Roster{Contacts: Contacts})
	for _, p := range []event.Presence{
		{From: "bob@acme.test/laptop", JID: "bob@acme.test", Show: event.ShowAvailable, Status: "Reviewing the release branch"},
		{From: "carol@acme.test/desk", JID: "carol@acme.test", Show: event.ShowDND, Status: "In a meeting until 15:00"},
		{From: "dave@acme.test/phone", JID: "dave@acme.test", Show: event.ShowAway},
		{From: "erin@acme.test/pc", JID: "erin@acme.test", Show: event.ShowXA, Status: "On holiday"},
		{From: "ivan@acme.test/pc", JID: "ivan@acme.test", Show: event.ShowChat},
	} {
		b.emit(p)
	}
	b.emit(event.OwnPresence{Show: event.ShowAvailable, Status: "Working on Palisade"})
	conv := []struct {
		out  bool
		body string
		ago  time.Duration
	}{
		{false, "Morning Alice! Did the staging deploy go through?", 42 * time.Minute},
		{true, "Yes, it finished at 9:10. All health checks are green.", 40 * time.Minute},
		{false, "Great. Can you send me the release notes draft before the 11:00 sync? I'd like to check the wording of the security section, especially the part about the certificate pinning change, because the customer asked about it last week.", 35 * time.Minute},
		{true, "Sure, here it is: https://wiki.acme.test/release/4.2\nSecurity section is at the end.", 31 * time.Minute},
		{false, "Thanks, reading it now 👍", 30 * time.Minute},
	}
	for i, m := range conv {
		id := "demo-" + string(rune('a'+i))
		if m.out {
			b.emit(event.Message{ID: id, From: Self + "/palisade", To: "bob@acme.test", Body: m.body, Time: now.Add(-m.ago), Outgoing: true})
		} else {
			b.emit(event.Message{ID: id, From: "bob@acme.test/laptop", To: Self, Body: m.body, Time: now.Add(-m.ago)})
		}
	}
	b.emit(event.Message{ID: "demo-c1", From: "carol@acme.test/desk", To: Self, Body: "Can we move our 1:1 to Thursday?", Time: now.Add(-5 * time.Minute)})
	b.emit(event.Message{ID: "demo-c2", From: "carol@acme.test/desk", To: Self, Body: "Either morning works for me.", Time: now.Add(-4 * time.Minute)})
	b.emit(event.Message{ID: "demo-i1", From: "ivan@acme.test/pc", To: Self, Body: "Pager is quiet tonight.", Time: now.Add(-2 * time.Minute)})
	b.emit(event.SubscriptionRequest{From: "mallory@globex.example", Status: "Hi, we met at the conference."})
	b.emit(event.ChatState{From: "bob@acme.test/laptop", State: event.StateComposing})
}

// Do implements event.Backend: it answers like a server and a colleague would.
func (b *Backend) Do(c event.Command) {
	switch c := c.(type) {
	case event.Send:
		b.mu.Lock()
		b.n++
		b.mu.Unlock()
		id := c.ID
		if id == "" {
			id = "demo-sent"
		}
		b.later(150*time.Millisecond, event.Sent{ID: id, To: c.To})
		b.later(400*time.Millisecond, event.Acked{ID: id, To: c.To})
		b.later(1200*time.Millisecond, event.Receipt{ID: id, From: c.To + "/laptop"})
		b.later(1500*time.Millisecond, event.ChatState{From: c.To + "/laptop", State: event.StateComposing})
		b.later(4*time.Second, event.Message{ID: id + "-reply", From: c.To + "/laptop", To: Self, Body: "Got it, thanks!", Time: time.Now().Add(4 * time.Second)})
	case event.SetPresence:
		b.later(50*time.Millisecond, event.OwnPresence{Show: c.Show, Status: c.Status})
	case event.Reconnect:
		b.later(100*time.Millisecond, event.Connecting{Attempt: 2, Server: "xmpp.acme.test:5222"})
		b.later(600*time.Millisecond, event.Connected{JID: Self + "/palisade", Resumed: true})
	case event.Approve:
		b.later(100*time.Millisecond, event.RosterPush{Contact: event.Contact{JID: c.JID, Subscription: "from"}})
	case event.Quit:
		b.later(50*time.Millisecond, event.Closed{})
		time.AfterFunc(100*time.Millisecond, func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if !b.closed {
				b.closed = true
				close(b.events)
			}
		})
	}
}

// Disconnect simulates a lost connection with an automatic retry.
func (b *Backend) Disconnect(retryIn float64) {
	b.emit(event.Disconnected{Message: "The network connection was lost", Code: event.CodeNetwork, RetryIn: retryIn})
}

// Burst delivers n messages from jid at once, as after a long time offline.
func (b *Backend) Burst(jid string, n int) {
	now := time.Now()
	for i := 0; i < n; i++ {
		b.emit(event.Message{ID: "burst-" + strconv.Itoa(i), From: jid + "/desk", To: Self,
			Body: "Burst message " + strconv.Itoa(i+1) + " of " + strconv.Itoa(n), Time: now, Delayed: true})
	}
}

// NewFailing starts a demo session whose first attempt fails for good with
// message, as with a wrong password.
func NewFailing(message string) *Backend {
	b := &Backend{events: make(chan event.Event, 16)}
	go func() {
		b.emit(event.Connecting{Attempt: 1, Server: "xmpp.acme.test:5222"})
		time.Sleep(300 * time.Millisecond)
		b.emit(event.Disconnected{Message: message, Code: event.CodeAuth, Fatal: true})
		b.emit(event.Closed{})
	}()
	return b
}
