package uidemo

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
)

// Identities: what the session's certificate checks would report for the
// demo's people with ACME's profile. Colleagues are verified by ACME's
// identity CA and the partner by Partner Ltd's; Erin's certificate has
// expired, Heidi's was revoked, Frank has none, Globex's CA is not trusted,
// the lookalike's certificate names helpdesk@acme.test. Dave appears with a
// new, uncertified device shortly after sign-in: an identity change that
// locks his conversation until the user acknowledges it.

// EnrolState is this device's enrolment state at sign-in (event.Enrol*);
// set it before New (the demo's -enrol flag).
var EnrolState = event.EnrolEnrolled

// ChangeAfter is how long after sign-in Dave's identity changes (0: never).
var ChangeAfter = 2500 * time.Millisecond

type person struct {
	status, name, org, ca, reason, certJID string
}

var people = map[string]person{
	"bob@acme.test":      {status: event.IdentityVerified, name: "Bob Martin", org: "ACME", ca: "ACME Identity CA"},
	"carol@acme.test":    {status: event.IdentityVerified, name: "Carol Nguyen", org: "ACME", ca: "ACME Identity CA"},
	"dave@acme.test":     {status: event.IdentityVerified, name: "Dave Okafor", org: "ACME", ca: "ACME Identity CA"},
	"ivan@acme.test":     {status: event.IdentityVerified, name: "Ivan Petrov", org: "ACME", ca: "ACME Identity CA"},
	"erin@acme.test":     {status: event.IdentityExpired, name: "Erin Rossi", org: "ACME", ca: "ACME Identity CA", reason: "Erin Rossi’s certificate expired on 1 Nov 2026"},
	"heidi@acme.test":    {status: event.IdentityRevoked, name: "Heidi Braun", org: "ACME", ca: "ACME Identity CA", reason: "ACME IT revoked this certificate on 20 Nov 2026 (device reported stolen)"},
	"frank@acme.test":    {status: event.IdentityUnverified, reason: "frank@acme.test has published no device certificate"},
	"carol@partner.test": {status: event.IdentityVerified, name: "Carol Smith", org: "Partner Ltd", ca: "Partner Ltd Identity CA"},
	"sam@globex.test":    {status: event.IdentityUnverified, name: "Sam Lee", org: "Globex", ca: "Globex Root", reason: "The certificate is issued by Globex Root, a CA ACME’s profile does not trust"},
	"helpdesk@acrne.test": {status: event.IdentityMismatch, name: "ACME Helpdesk", org: "ACME", ca: "Let’s Pretend CA",
		reason: "The certificate names helpdesk@acme.test, not helpdesk@acrne.test", certJID: "helpdesk@acme.test"},
}

// identityDemo is the demo session's identity state.
type identityDemo struct {
	mu      sync.Mutex
	changed map[string]bool // peers whose identity changed and was not acknowledged
	moved   map[string]bool // peers now on a new device
	enrol   event.Enrolment
}

func deviceID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	s := fmt.Sprintf("%x", h[:16])
	var g []string
	for i := 0; i < len(s); i += 4 {
		g = append(g, s[i:i+4])
	}
	return strings.Join(g, "-")
}

func fingerprint(seed string) string {
	h := sha256.Sum256([]byte("cert:" + seed))
	var p []string
	for _, c := range h {
		p = append(p, fmt.Sprintf("%02X", c))
	}
	return strings.Join(p, ":")
}

func bareOf(jid string) string {
	if i := strings.IndexByte(jid, '/'); i >= 0 {
		return jid[:i]
	}
	return jid
}

// withIdentity adds the identity verdict on jid to t.
func (b *Backend) withIdentity(jid string, t event.Trust) event.Trust {
	bare := bareOf(jid)
	if bare == "" || bare == Self || t.Class == "" || t.Class == event.ClassBlocked {
		return t
	}
	p, ok := people[bare]
	if !ok {
		p = person{status: event.IdentityUnverified, reason: bare + " has published no device certificate"}
	}
	t.Identity, t.IdentityReason = p.status, p.reason
	t.Person, t.IdentityOrg, t.IdentityCA = p.name, p.org, p.ca
	if p.name != "" {
		t.Subject = "CN=" + p.name + ",O=" + p.org
		t.Issuer = "CN=" + p.ca + ",O=" + p.org
	}
	b.ident.mu.Lock()
	t.IdentityChanged = b.ident.changed[bare]
	b.ident.mu.Unlock()
	return t
}

// decorate adds identities to the trust every event carries, and the
// signature verdict to messages.
func (b *Backend) decorate(e event.Event) event.Event {
	switch x := e.(type) {
	case event.Message:
		peer := x.From
		if x.Outgoing || bareOf(x.From) == Self {
			peer = x.To
		}
		x.Trust = b.withIdentity(peer, x.Trust)
		if !x.Outgoing && bareOf(x.From) != Self && x.Signature == "" && people[bareOf(x.From)].status == event.IdentityVerified {
			x.Signature, x.Device = event.SignatureValid, deviceID(bareOf(x.From))
		}
		return x
	case event.Presence:
		x.Trust = b.withIdentity(x.JID, x.Trust)
		return x
	case event.Roster:
		cs := make([]event.Contact, len(x.Contacts))
		for i, c := range x.Contacts {
			c.Trust = b.withIdentity(c.JID, c.Trust)
			cs[i] = c
		}
		x.Contacts = cs
		return x
	case event.RosterPush:
		x.Contact.Trust = b.withIdentity(x.Contact.JID, x.Contact.Trust)
		return x
	case event.ChatState:
		x.Trust = b.withIdentity(x.From, x.Trust)
		return x
	case event.Receipt:
		x.Trust = b.withIdentity(x.From, x.Trust)
		return x
	case event.Sent:
		x.Trust = b.withIdentity(x.To, x.Trust)
		return x
	case event.FileOffered:
		x.Trust = b.withIdentity(x.From, x.Trust)
		return x
	case event.RoomJoined:
		occ := make([]event.Occupant, len(x.Occupants))
		for i, o := range x.Occupants {
			if o.JID != "" {
				o.Trust = b.withIdentity(o.JID, o.Trust)
			}
			occ[i] = o
		}
		x.Occupants = occ
		return x
	case event.OccupantChange:
		if x.JID != "" {
			x.Trust = b.withIdentity(x.JID, x.Trust)
		}
		return x
	case event.RoomMessage:
		if x.FromJID != "" && !x.Outgoing {
			x.Trust = b.withIdentity(x.FromJID, x.Trust)
		}
		return x
	case event.RoomInvite:
		if !strings.Contains(x.From, "/") {
			x.Trust = b.withIdentity(x.From, x.Trust)
		}
		return x
	}
	return e
}

// enrolment is this device's enrolment in state s.
func enrolment(s string, now time.Time) event.Enrolment {
	e := event.Enrolment{State: s, DeviceID: deviceID(Self), ITJID: "it-admin@acme.test"}
	switch s {
	case event.EnrolEnrolled:
		e.Subject, e.Issuer, e.NotAfter = "CN=Alice Martin,O=ACME", "CN=ACME Identity CA,O=ACME", now.Add(300*24*time.Hour)
	case event.EnrolExpired:
		e.Subject, e.Issuer, e.NotAfter = "CN=Alice Martin,O=ACME", "CN=ACME Identity CA,O=ACME", now.Add(-3*24*time.Hour)
		e.Reason = "Your device certificate has expired: request a new one"
	case event.EnrolLostKey:
		e.DeviceID = deviceID(Self + "#2")
		e.Reason = "Your device key is no longer in the keyring; this device needs a new certificate. Your previous identity cannot be recovered."
	case event.EnrolRejected:
		e.Reason = "IT declined the request: this device is not registered in the asset inventory"
	case event.EnrolNoKey:
		e.DeviceID, e.Reason = "", "No OS keyring is available to hold a device key"
	}
	return e
}

// identityScript reports this device's enrolment and, later, Dave's new
// device with a message from it.
func (b *Backend) identityScript(now time.Time) {
	b.ident.mu.Lock()
	b.ident.enrol = enrolment(EnrolState, now)
	e := b.ident.enrol
	b.ident.mu.Unlock()
	b.emit(e)
	b.emit(event.Message{ID: "demo-d1", From: "dave@acme.test/phone", To: Self, Body: "I'm on call tonight, ping me if the deploy needs a hand.",
		Time: now.Add(-70 * time.Minute), Trust: internal})
	b.emit(event.Message{ID: "demo-i0", From: "ivan@acme.test/pc", To: Self, Body: "Status page updated.",
		Time: now.Add(-3 * time.Minute), Trust: internal, Signature: event.SignatureMissing})
	if ChangeAfter <= 0 {
		return
	}
	time.AfterFunc(ChangeAfter, func() {
		const jid = "dave@acme.test"
		b.ident.mu.Lock()
		b.ident.changed[jid], b.ident.moved[jid] = true, true
		b.ident.mu.Unlock()
		t := b.withIdentity(jid, internal)
		b.emit(event.IdentityChanged{JID: jid, Change: event.ChangeNewDevice, DeviceID: deviceID(jid + "#new"),
			Detail: "Dave Okafor signed in from a new device (" + deviceID(jid + "#new")[:9] + "…) that has no certificate from ACME Identity CA", Trust: t})
		b.emit(event.Message{ID: "demo-d2", From: jid + "/new-laptop", To: Self, Body: "Hi Alice, I'm on my new laptop. Can you send me the VPN config file?",
			Time: time.Now(), Trust: t, Signature: event.SignatureUnknown, Device: deviceID(jid + "#new")})
	})
}

// certificates is what GetCertificates answers for jid.
func (b *Backend) certificates(jid string) event.Certificates {
	now := time.Now()
	t := b.withIdentity(jid, b.trustOf(jid))
	out := event.Certificates{JID: jid, Trust: t}
	p, ok := people[jid]
	if !ok || p.name == "" {
		return out
	}
	d := event.DeviceCert{DeviceID: deviceID(jid), Status: p.status, Reason: p.reason,
		Subject: "CN=" + p.name + ",O=" + p.org + ",SERIALNUMBER=" + deviceID(jid), Issuer: "CN=" + p.ca + ",O=" + p.org,
		Serial: fmt.Sprintf("%x", sha256.Sum256([]byte("serial:"+jid)))[:32], SHA256: fingerprint(jid),
		NotBefore: now.Add(-40 * 24 * time.Hour), NotAfter: now.Add(325 * 24 * time.Hour), JID: jid,
		Chain: []string{"CN=" + p.name + ",O=" + p.org, "CN=" + p.ca + ",O=" + p.org}, Current: true}
	if p.certJID != "" {
		d.JID = p.certJID
	}
	if p.status == event.IdentityExpired {
		d.NotBefore, d.NotAfter = now.Add(-400*24*time.Hour), now.Add(-26*24*time.Hour)
	}
	if p.status == event.IdentityUnverified {
		d.Chain = d.Chain[:1]
	}
	out.Devices = []event.DeviceCert{d}
	b.ident.mu.Lock()
	moved := b.ident.moved[jid]
	b.ident.mu.Unlock()
	if moved {
		out.Devices[0].Current = false
		out.Devices = append(out.Devices, event.DeviceCert{DeviceID: deviceID(jid + "#new"), Status: event.IdentityUnverified,
			Reason: "This device published no certificate from a CA ACME trusts", JID: jid, Current: true})
	}
	return out
}

// identityDo answers the identity commands, and refuses a message to a
// peer whose identity change waits for acknowledgement. It reports whether
// it took the command.
func (b *Backend) identityDo(c event.Command) bool {
	switch c := c.(type) {
	case event.Send:
		b.ident.mu.Lock()
		locked := b.ident.changed[bareOf(c.To)]
		b.ident.mu.Unlock()
		if !locked {
			return false
		}
		t := b.withIdentity(c.To, b.trustOf(c.To))
		b.later(50*time.Millisecond, event.Refused{Command: c.CommandName(), ID: c.ID, To: c.To, Code: event.RefusedIdentity,
			Reason: "The identity of " + bareOf(c.To) + " changed: confirm you checked it first", Trust: &t})
	case event.AckIdentity:
		b.ident.mu.Lock()
		delete(b.ident.changed, bareOf(c.JID))
		b.ident.mu.Unlock()
		b.later(80*time.Millisecond, event.IdentityAcknowledged{JID: c.JID, Trust: b.withIdentity(c.JID, b.trustOf(c.JID))})
	case event.GetCertificates:
		b.later(150*time.Millisecond, b.certificates(bareOf(c.JID)))
	case event.GetEnrolment:
		b.ident.mu.Lock()
		e := b.ident.enrol
		b.ident.mu.Unlock()
		b.later(20*time.Millisecond, e)
	case event.Enrol:
		b.setEnrol(event.EnrolPending, 100*time.Millisecond)
		b.setEnrol(event.EnrolEnrolled, 3*time.Second)
	case event.ExportRequest:
		err := os.WriteFile(c.Path, []byte("-----BEGIN CERTIFICATE REQUEST-----\n(a demo request, not a real one)\n-----END CERTIFICATE REQUEST-----\n"), 0o600)
		if err != nil {
			b.later(50*time.Millisecond, event.Error{Command: c.CommandName(), Message: "The request could not be written: " + err.Error()})
			return true
		}
		b.ident.mu.Lock()
		e := b.ident.enrol
		b.ident.mu.Unlock()
		b.later(50*time.Millisecond, e)
	case event.ImportCertificate:
		b.setEnrol(event.EnrolEnrolled, 200*time.Millisecond)
	default:
		return false
	}
	return true
}

func (b *Backend) setEnrol(state string, after time.Duration) {
	time.AfterFunc(after, func() {
		b.ident.mu.Lock()
		b.ident.enrol = enrolment(state, time.Now())
		e := b.ident.enrol
		b.ident.mu.Unlock()
		b.emit(e)
	})
}
