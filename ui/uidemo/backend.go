package uidemo

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
)

// Self is the demo account.
const Self = "alice@acme.test"

// Backend is a scripted event.Backend.
type Backend struct {
	events   chan event.Event
	mu       sync.Mutex
	closed   bool
	n        int
	accepted map[string]bool // external peers the user accepted
	blocked  map[string]bool // bare JIDs and domains the user blocked
	serial   int64
	dismiss  map[string]bool
	started  time.Time
	files    fileDemo
	rooms    roomDemo
	ident    identityDemo
	focus    focusDemo // focus.go
}

// bulletin is the demo bulletin as kept: issued shortly before the demo
// started, dismissed once the user dismissed it.
func (b *Backend) bulletin() event.Bulletin {
	bl := Bulletin
	bl.IssuedAt = b.started.Add(-20 * time.Minute)
	b.mu.Lock()
	bl.Dismissed = b.dismiss[bl.ID]
	b.mu.Unlock()
	return bl
}

// New starts a demo session: it connects at once and fills the roster.
func New() *Backend {
	b := &Backend{events: make(chan event.Event, 20000), accepted: map[string]bool{}, blocked: map[string]bool{}, dismiss: map[string]bool{}, serial: 7,
		started: time.Now(), files: fileDemo{running: map[string]chan struct{}{}, offers: map[string]event.FileOffered{}},
		ident: identityDemo{changed: map[string]bool{}, moved: map[string]bool{}}}
	go b.script()
	return b
}

// Events implements event.Backend.
func (b *Backend) Events() <-chan event.Event { return b.events }

func (b *Backend) emit(e event.Event) {
	e = b.decorate(e)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.events <- e
	}
}

func (b *Backend) later(d time.Duration, e event.Event) {
	time.AfterFunc(d, func() { b.emit(e) })
}

// The demo's trust verdicts, as the session's policy would give them for
// ACME's profile.
var (
	internal = event.Trust{Class: event.ClassInternal, Org: "ACME", Domain: "acme.test", FileSend: true}
	partner  = event.Trust{Class: event.ClassPartner, Org: "Partner Ltd", Domain: "partner.test", FileSend: true,
		Reason: "partner.test belongs to Partner Ltd, a partner approved by ACME IT."}
	globex = event.Trust{Class: event.ClassPartner, Org: "Globex", Domain: "globex.test", FileSend: false,
		FileReason: "not allowed by ACME IT", Reason: "globex.test belongs to Globex, a partner approved by ACME IT."}
	lookalike = event.Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test", Domain: "acrne.test", FileSend: false,
		FileReason: "acrne.test imitates acme.test", Reason: "acrne.test imitates acme.test (rn looks like m)."}
	gateway = event.Trust{Class: event.ClassGateway, Domain: "telegram.acme.test", Network: "Telegram", FileSend: false,
		FileReason: "files do not go through gateways to public networks", Reason: "telegram.acme.test bridges to Telegram, a public network."}
	unknown = event.Trust{Class: event.ClassUnknown, Domain: "evil.test", FileSend: false,
		FileReason: "evil.test is not an approved organisation", Reason: "evil.test is not an organisation approved by ACME IT."}
)

// TrustOf is the demo policy's verdict on jid.
func TrustOf(jid string) event.Trust {
	d := jid
	if i := strings.LastIndexByte(jid, '@'); i >= 0 {
		d = jid[i+1:]
	}
	if i := strings.IndexByte(d, '/'); i >= 0 {
		d = d[:i]
	}
	switch d {
	case "acme.test":
		return internal
	case "partner.test":
		return partner
	case "globex.test":
		return globex
	case "acrne.test":
		return lookalike
	case "telegram.acme.test":
		return gateway
	case "evil.test":
		return unknown
	case "freelance.test":
		t := unknown
		t.Domain = d
		t.FileReason = "Files to freelance.test are not allowed: ACME IT allows files only to ACME and its partners."
		t.Reason = "freelance.test is not an organisation approved by ACME IT."
		return t
	}
	t := unknown
	t.Domain = d
	t.FileReason = d + " is not an approved organisation"
	t.Reason = d + " is not an organisation approved by ACME IT."
	return t
}

func (b *Backend) trustOf(jid string) event.Trust {
	bare := jid
	if i := strings.IndexByte(bare, '/'); i >= 0 {
		bare = bare[:i]
	}
	t := TrustOf(bare)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.blocked[bare] || b.blocked[t.Domain] {
		t = event.Trust{Class: event.ClassBlocked, Domain: t.Domain, FileReason: "blocked", Reason: "You blocked this contact."}
	}
	t.Accepted = b.accepted[bare]
	return t
}

// Contacts is the demo roster.
var Contacts = []event.Contact{
	{JID: "bob@acme.test", Name: "Bob Martin", Groups: []string{"Engineering"}, Subscription: "both"},
	{JID: "carol@acme.test", Name: "Carol Nguyen", Groups: []string{"Engineering"}, Subscription: "both"},
	{JID: "dave@acme.test", Name: "Dave Okafor", Groups: []string{"Engineering", "On call"}, Subscription: "both"},
	{JID: "erin@acme.test", Name: "Erin Rossi", Groups: []string{"Sales"}, Subscription: "both"},
	{JID: "frank@acme.test", Name: "Frank Weber", Groups: []string{"Sales"}, Subscription: "both"},
	{JID: "carol@partner.test", Name: "Carol Smith", Groups: []string{"Partners"}, Subscription: "both"},
	{JID: "sam@globex.test", Name: "Sam Lee", Groups: []string{"Partners"}, Subscription: "to", Pending: true},
	{JID: "jane@telegram.acme.test", Name: "Jane (Telegram)", Groups: []string{"Partners"}, Subscription: "both"},
	{JID: "heidi@acme.test", Name: "", Subscription: "both"},
	{JID: "ivan@acme.test", Name: "Ivan Petrov", Groups: []string{"On call"}, Subscription: "both"},
}

// roster is the demo roster with each contact's verdict.
func (b *Backend) roster() event.Roster {
	cs := make([]event.Contact, len(Contacts))
	for i, c := range Contacts {
		c.Trust = b.trustOf(c.JID)
		cs[i] = c
	}
	return event.Roster{Contacts: cs}
}

// Profile is the demo's managed profile in force.
func (b *Backend) profile(changes []string) event.Profile {
	now := time.Now()
	b.mu.Lock()
	serial := b.serial
	b.mu.Unlock()
	return event.Profile{Managed: true, ID: "acme-desktop", Serial: serial, Org: "ACME", Source: "managed", KeyID: "acme-it-2026",
		IssuedAt: now.Add(-72 * time.Hour), ExpiresAt: now.Add(90 * 24 * time.Hour),
		Locked:  []string{"archive_retention_days", "tor", "unknown_domains"},
		Changes: changes,
		Settings: map[string]string{"tor": "optional", "unknown_domains": "confirm", "archive_retention_days": "365",
			"focus_hours": "09:00–17:00", "max_file_size": "100 MiB", "scan_required": "yes"}}
}

// Bulletin is the demo's security bulletin.
var Bulletin = event.Bulletin{ID: "b-2026-11-phish", Severity: "warning", Title: "Phishing campaign impersonating HR",
	Body: "Messages about payslips that ask you to sign in at acrne.test are fake. Do not open their links; report them to it-admin@acme.test."}

func (b *Backend) script() {
	now := time.Now()
	b.emit(event.Connecting{Attempt: 1, Server: "xmpp.acme.test:5222"})
	b.emit(event.Connected{JID: Self + "/palisade", Mechanism: "SCRAM-SHA-256-PLUS", ChannelBinding: "tls-exporter", TLSVersion: "TLS 1.3",
		ServerCert:  event.CertInfo{Subject: "CN=xmpp.acme.test", Issuer: "CN=ACME Server CA,O=ACME", SHA256: fingerprint("xmpp.acme.test"), NotAfter: now.Add(200 * 24 * time.Hour)},
		ServerTrust: "profile", ServerCAPinned: true})
	b.emit(b.profile(nil))
	b.emit(b.bulletin())
	b.emit(b.roster())
	for _, p := range []event.Presence{
		{From: "bob@acme.test/laptop", JID: "bob@acme.test", Show: event.ShowAvailable, Status: "Reviewing the release branch"},
		{From: "carol@acme.test/desk", JID: "carol@acme.test", Show: event.ShowDND, Status: "In a meeting until 15:00"},
		{From: "dave@acme.test/phone", JID: "dave@acme.test", Show: event.ShowAway},
		{From: "erin@acme.test/pc", JID: "erin@acme.test", Show: event.ShowXA, Status: "On holiday"},
		{From: "ivan@acme.test/pc", JID: "ivan@acme.test", Show: event.ShowChat},
		{From: "carol@partner.test/office", JID: "carol@partner.test", Show: event.ShowAvailable, Status: "Partner Ltd procurement"},
		{From: "jane@telegram.acme.test/bridge", JID: "jane@telegram.acme.test", Show: event.ShowAway},
	} {
		p.Trust = b.trustOf(p.JID)
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
			b.emit(event.Message{ID: id, From: Self + "/palisade", To: "bob@acme.test", Body: m.body, Time: now.Add(-m.ago), Outgoing: true, Trust: internal})
		} else {
			b.emit(event.Message{ID: id, From: "bob@acme.test/laptop", To: Self, Body: m.body, Time: now.Add(-m.ago), Trust: internal})
		}
	}
	b.emit(event.Message{ID: "demo-c1", From: "carol@acme.test/desk", To: Self, Body: "Can we move our 1:1 to Thursday?", Time: now.Add(-5 * time.Minute), Trust: internal})
	b.emit(event.Message{ID: "demo-c2", From: "carol@acme.test/desk", To: Self, Body: "Either morning works for me.", Time: now.Add(-4 * time.Minute), Trust: internal})
	b.emit(event.Message{ID: "demo-i1", From: "ivan@acme.test/pc", To: Self, Body: "Pager is quiet tonight.", Time: now.Add(-2 * time.Minute), Trust: internal})
	b.emit(event.Message{ID: "demo-p1", From: "carol@partner.test/office", To: Self, Body: "The signed order form is on our portal: https://portal.partner.test/orders/4711", Time: now.Add(-15 * time.Minute), Trust: partner})
	// A lookalike who was accepted earlier, and a stranger whose first words wait in Requests.
	b.mu.Lock()
	b.accepted["helpdesk@acrne.test"] = true
	b.mu.Unlock()
	la := lookalike
	la.Accepted = true
	b.emit(event.Message{ID: "demo-l1", From: "helpdesk@acrne.test/web", To: Self, Body: "Your ACME password expires today. Keep it here: [https://acme.test/reset](https://acrne.test/reset?u=alice)", Time: now.Add(-8 * time.Minute), Trust: la})
	b.emit(event.Message{ID: "demo-r1", From: "mallory@evil.test/x", To: Self, Body: "Hello Alice, your invoice #2231 is overdue. Pay here: https://evil.test/pay?inv=2231", Time: now.Add(-3 * time.Minute), Request: true, Trust: unknown})
	b.fileScript(now)
	b.roomScript(now)
	b.identityScript(now)
	b.emit(event.ChatState{From: "bob@acme.test/laptop", State: event.StateComposing, Trust: internal})
}

// Do implements event.Backend: it answers like a server and a colleague would.
func (b *Backend) Do(c event.Command) {
	if b.roomDo(c) || b.identityDo(c) || b.focusDo(c) {
		return
	}
	switch c := c.(type) {
	case event.Send:
		b.mu.Lock()
		b.n++
		b.mu.Unlock()
		id := c.ID
		if id == "" {
			id = "demo-sent"
		}
		t := b.trustOf(c.To)
		switch {
		case t.Class == event.ClassBlocked:
			b.later(50*time.Millisecond, event.Refused{Command: c.CommandName(), ID: id, To: c.To, Code: event.RefusedBlocked, Reason: c.To + " is blocked", Trust: &t})
			return
		case (t.Class == event.ClassUnknown || t.Class == event.ClassLookalike) && !t.Accepted && !c.Confirmed:
			b.later(50*time.Millisecond, event.Refused{Command: c.CommandName(), ID: id, To: c.To, Code: event.RefusedConfirm,
				Reason: "First message to " + t.Domain + ", outside ACME: confirm to send", Trust: &t})
			return
		case c.Confirmed:
			b.mu.Lock()
			b.accepted[c.To] = true
			b.mu.Unlock()
		}
		b.later(150*time.Millisecond, event.Sent{ID: id, To: c.To, Trust: b.trustOf(c.To)})
		if t.External() && t.Class != event.ClassPartner {
			return // strangers do not answer
		}
		b.later(400*time.Millisecond, event.Acked{ID: id, To: c.To})
		b.later(1200*time.Millisecond, event.Receipt{ID: id, From: c.To + "/laptop", Trust: t})
		b.later(1500*time.Millisecond, event.ChatState{From: c.To + "/laptop", State: event.StateComposing, Trust: t})
		b.later(4*time.Second, event.Message{ID: id + "-reply", From: c.To + "/laptop", To: Self, Body: "Got it, thanks!", Time: time.Now().Add(4 * time.Second), Trust: t})
	case event.SendFile:
		b.sendFile(c)
	case event.DownloadFile:
		b.downloadFile(c)
	case event.CancelFile:
		b.cancelFile(c)
	case event.RetryScan:
		b.retryScan(c)
	case event.Accept:
		b.mu.Lock()
		b.accepted[c.JID] = true
		b.mu.Unlock()
		b.later(50*time.Millisecond, event.Accepted{JID: c.JID, Trust: b.trustOf(c.JID)})
	case event.Block:
		b.mu.Lock()
		b.blocked[c.JID] = true
		b.mu.Unlock()
		b.later(50*time.Millisecond, event.Blocked{JID: c.JID})
		time.AfterFunc(80*time.Millisecond, func() { b.emit(b.roster()) })
	case event.Unblock:
		b.mu.Lock()
		delete(b.blocked, c.JID)
		b.mu.Unlock()
		b.later(50*time.Millisecond, event.Unblocked{JID: c.JID})
		time.AfterFunc(80*time.Millisecond, func() { b.emit(b.roster()) })
	case event.ImportProfile:
		b.UpdateProfile()
	case event.GetProfile:
		b.emit(b.profile(nil))
	case event.GetBulletins:
		b.later(20*time.Millisecond, event.Bulletins{Items: []event.Bulletin{b.bulletin()}})
	case event.DismissBulletin:
		b.mu.Lock()
		b.dismiss[c.ID] = true
		b.mu.Unlock()
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

// UpdateProfile applies a newer profile, as when IT pushes one: the
// profile event lists the changes and the roster is sent again.
func (b *Backend) UpdateProfile() {
	b.mu.Lock()
	b.serial++
	b.mu.Unlock()
	b.emit(b.profile([]string{"Partner Globex added (files not allowed)", "Unknown domains: confirm the first message", "Tor: optional"}))
	b.emit(b.roster())
}

// RefuseProfile reports a refused profile, as when a pushed one is tampered.
func (b *Backend) RefuseProfile() {
	b.emit(event.ProfileRefused{Source: "push", Code: event.ProfileBadSignature, Reason: "the signature does not match the profile (bad-signature)", Serial: 9})
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
