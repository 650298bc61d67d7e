package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// withID is tr with the identity verdict status (and, for verified, the
// certified person, organisation and CA).
func withID(tr event.Trust, status, person, reason string) event.Trust {
	tr.Identity, tr.IdentityReason = status, reason
	if person != "" {
		tr.Person, tr.IdentityOrg, tr.IdentityCA = person, "ACME", "ACME Identity CA"
		tr.Subject, tr.Issuer = "CN="+person+",O=ACME", "CN=ACME Identity CA,O=ACME"
	}
	return tr
}

var (
	idBob    = withID(tInternal, event.IdentityVerified, "Bob Martin", "")
	idCarol  = withID(tInternal, event.IdentityUnverified, "", "carol@acme.test has published no device certificate")
	idErin   = withID(tInternal, event.IdentityExpired, "Erin Rossi", "The certificate expired on 1 Nov 2026")
	idHeidi  = withID(tInternal, event.IdentityRevoked, "Heidi Braun", "ACME IT revoked this certificate")
	idMallet = withID(tPartner, event.IdentityMismatch, "", "The certificate names carol@acme.test, not mallet@partner.test")
)

// flat is s with wrapped lines joined again.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// identitiesIn signs in with a roster of one contact per identity state.
func identitiesIn(t *testing.T) *harness {
	h := signedIn(t)
	h.app.win.Resize(fyne.NewSize(1000, 1000))
	h.emit(event.Profile{Managed: true, Org: "ACME", Serial: 7},
		event.Roster{Contacts: []event.Contact{
			{JID: "bob@acme.test", Name: "Bob Martin", Subscription: "both", Trust: idBob},
			{JID: "carol@acme.test", Name: "Carol Nguyen", Subscription: "both", Trust: idCarol},
			{JID: "erin@acme.test", Name: "Erin Rossi", Subscription: "both", Trust: idErin},
			{JID: "heidi@acme.test", Name: "Heidi Braun", Subscription: "both", Trust: idHeidi},
			{JID: "mallet@partner.test", Name: "Mallet", Subscription: "both", Trust: idMallet},
			{JID: "frank@acme.test", Name: "Frank Weber", Subscription: "both", Trust: tInternal}, // not fetched yet
		}})
	return h
}

func TestIdentityMarkInRosterRows(t *testing.T) {
	h := identitiesIn(t)
	bs := badges(h)
	tests := []struct {
		name, org, id string
		kind          IdentityKind
	}{
		{"Bob Martin", "ACME", "Verified", IdentityOK},
		{"Carol Nguyen", "ACME", "Not verified", IdentityNeutral},
		{"Erin Rossi", "ACME", "Certificate expired", IdentityBroken},
		{"Heidi Braun", "ACME", "Certificate revoked", IdentityBroken},
		{"Mallet", "Partner · Partner Ltd", "Wrong identity", IdentityBroken},
		{"Frank Weber", "ACME", "", IdentityNone},
	}
	for _, tt := range tests {
		c := bs[tt.name]
		if c == nil {
			t.Errorf("%s: no roster row", tt.name)
			continue
		}
		// The organisation badge keeps its meaning; identity is a second mark.
		if c.text.Text != tt.org {
			t.Errorf("%s: organisation badge %q, want %q", tt.name, c.text.Text, tt.org)
		}
		if tt.kind == IdentityNone {
			if c.id.Visible() {
				t.Errorf("%s: identity mark %q shown before the session said anything", tt.name, c.id.text.Text)
			}
			continue
		}
		if !c.id.Visible() || c.id.text.Text != tt.id || c.id.mark.Kind != tt.kind {
			t.Errorf("%s: identity mark visible=%v %q kind %v, want %q kind %v", tt.name, c.id.Visible(), c.id.text.Text, c.id.mark.Kind, tt.id, tt.kind)
		}
		// Words and an icon, not colour alone; red for a broken certificate.
		if c.id.icon.Resource == nil {
			t.Errorf("%s: identity mark has no icon", tt.name)
		}
		bg, _ := identityColours(tt.kind)
		if c.id.bg.FillColor != bg {
			t.Errorf("%s: identity mark colour %v, want %v", tt.name, c.id.bg.FillColor, bg)
		}
		if tt.kind == IdentityBroken && c.id.bg.FillColor != theme.Color(theme.ColorNameError) {
			t.Errorf("%s: a broken identity is not red", tt.name)
		}
	}
	// Every state has its own icon shape.
	seen := map[string]IdentityKind{}
	for _, k := range []IdentityKind{IdentityOK, IdentityNeutral, IdentityBroken, IdentityChanging} {
		n := identityIcon(k).Name()
		if other, ok := seen[n]; ok {
			t.Errorf("identity kinds %v and %v share the icon %s", k, other, n)
		}
		seen[n] = k
	}
}

func TestIdentityInChatHeaderAndBanner(t *testing.T) {
	h := identitiesIn(t)
	p := h.app.main.chat
	h.app.Open("bob@acme.test")
	// At 1000 pixels the header has room for the shorter words only; the
	// identity never makes the pane wider than it was.
	if got, want := p.trust.id.text.Text, "Verified · Bob Martin · ACME"; got != want || !p.trust.id.Visible() {
		t.Errorf("header identity at 1000 px %q (visible %v), want %q", got, p.trust.id.Visible(), want)
	}
	if w := p.content.MinSize().Width; w > p.content.Size().Width {
		t.Errorf("the header needs %v pixels, more than the pane's %v", w, p.content.Size().Width)
	}
	h.app.win.Resize(fyne.NewSize(1400, 1000))
	if got, want := p.trust.id.text.Text, "Verified · Bob Martin · ACME (ACME Identity CA)"; got != want {
		t.Errorf("header identity at 1400 px %q, want %q", got, want)
	}
	h.app.win.Resize(fyne.NewSize(760, 1000))
	if got := p.trust.id.text.Text; got != "Verified" {
		t.Errorf("header identity at 760 px %q, want the short word", got)
	}
	h.app.win.Resize(fyne.NewSize(1400, 1000))
	if p.trust.text.Text != "ACME" {
		t.Errorf("header organisation badge %q, want ACME", p.trust.text.Text)
	}
	if p.idBanner.tb.root.Visible() {
		t.Error("an identity banner is shown for a verified colleague")
	}
	if p.composer.Disabled() || p.sendBtn.Disabled() || p.attach.Disabled() {
		t.Error("composer locked for a verified colleague")
	}

	h.app.Open("carol@acme.test")
	if got := p.trust.id.text.Text; got != "Identity not verified" {
		t.Errorf("header identity for an unverified colleague %q", got)
	}
	if p.idBanner.tb.root.Visible() {
		t.Error("an unverified identity raises a banner; it is neutral")
	}

	// Red with the reason for expired, revoked and mismatched.
	for _, tt := range []struct{ jid, head, reason string }{
		{"erin@acme.test", "Identity certificate expired", "The certificate expired on 1 Nov 2026."},
		{"heidi@acme.test", "Identity certificate revoked", "ACME IT revoked this certificate."},
		{"mallet@partner.test", "Certificate names someone else", "The certificate names carol@acme.test, not mallet@partner.test."},
	} {
		h.app.Open(tt.jid)
		if p.trust.id.text.Text != tt.head || p.trust.id.mark.Kind != IdentityBroken {
			t.Errorf("%s: header identity %q kind %v, want %q broken", tt.jid, p.trust.id.text.Text, p.trust.id.mark.Kind, tt.head)
		}
		if !p.idBanner.tb.root.Visible() || p.idBanner.tb.kind != BannerError {
			t.Errorf("%s: no red identity banner", tt.jid)
		}
		if !strings.Contains(p.idBanner.tb.text.Text, tt.reason) {
			t.Errorf("%s: banner %q lacks the reason %q", tt.jid, p.idBanner.tb.text.Text, tt.reason)
		}
		if p.idBanner.ack.Visible() {
			t.Errorf("%s: 'I have checked this' offered without an identity change", tt.jid)
		}
	}
}

func TestIdentityMarkOpensCertificateDetails(t *testing.T) {
	h := identitiesIn(t)
	h.app.Open("erin@acme.test")
	test.Tap(h.app.main.chat.trust.id)
	if c, ok := lastCmd(h).(event.GetCertificates); !ok || c.JID != "erin@acme.test" {
		t.Fatalf("tapping the identity mark sent %#v, want GetCertificates for erin", lastCmd(h))
	}
	s := overlayText(t, h)
	if !strings.Contains(s, "Identity of erin@acme.test") || !strings.Contains(s, "Asking for the certificates") {
		t.Errorf("details before the answer:\n%s", s)
	}
	nb := time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC)
	na := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	h.emit(event.Certificates{JID: "erin@acme.test", Trust: idErin, Devices: []event.DeviceCert{{
		DeviceID: "1a2b-3c4d-5e6f-7a8b-9c0d-1e2f-3a4b-5c6d", Status: event.IdentityExpired, Reason: "expired on 1 Nov 2026",
		Subject: "CN=Erin Rossi,O=ACME", Issuer: "CN=ACME Identity CA,O=ACME", Serial: "5f0e1d",
		SHA256:    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
		NotBefore: nb, NotAfter: na, JID: "erin@acme.test", Chain: []string{"CN=Erin Rossi,O=ACME", "CN=ACME Identity CA,O=ACME"}, Current: true,
	}}})
	s = overlayText(t, h)
	for _, want := range []string{"Erin Rossi (erin@acme.test)", "Identity certificate expired",
		"Device 1a2b-3c4d-5e6f-7a8b-9c0d-1e2f-3a4b-5c6d", "Expired", "expired on 1 Nov 2026.",
		"CN=Erin Rossi,O=ACME", "CN=ACME Identity CA,O=ACME", "5f0e1d",
		"AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:\nAA:BB", "until", "2026", "→ CN=ACME Identity CA,O=ACME",
		"This device signed the latest message."} {
		if !strings.Contains(s, want) {
			t.Errorf("certificate details lack %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Asking for the certificates") {
		t.Error("still waiting after the answer")
	}

	// The header's mark is in the focus order and opens with Enter; the
	// roster's are not in it.
	if h.app.main.chat.trust.id.Disabled() || !badges(h)["Bob Martin"].id.Disabled() {
		t.Error("focus order: the header's identity mark should be reachable, the roster's not")
	}
	n := len(h.backend().commands())
	h.app.main.chat.trust.id.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(h.backend().commands()) != n+1 {
		t.Error("Enter on the header's identity mark did not open the details")
	}

	// No published certificate: said in words.
	h.app.showCertificates("carol@acme.test")
	h.emit(event.Certificates{JID: "carol@acme.test", Trust: idCarol})
	if s := overlayText(t, h); !strings.Contains(s, "has published no device certificate") {
		t.Errorf("details of a peer without certificates:\n%s", s)
	}

	// The mark in a roster row opens the details too.
	test.Tap(badges(h)["Bob Martin"].id)
	if c, ok := lastCmd(h).(event.GetCertificates); !ok || c.JID != "bob@acme.test" {
		t.Errorf("tapping a roster row's identity mark sent %#v", lastCmd(h))
	}
}

// mustBeLocked checks the open conversation's composer, Send and Attach.
func mustBeLocked(t *testing.T, h *harness, locked bool) {
	t.Helper()
	p := h.app.main.chat
	if p.composer.Disabled() != locked || p.sendBtn.Disabled() != locked {
		t.Errorf("composer disabled %v, send disabled %v; want locked=%v", p.composer.Disabled(), p.sendBtn.Disabled(), locked)
	}
	if locked && !p.attach.Disabled() {
		t.Error("attach enabled while the identity change is not acknowledged")
	}
	if !locked && p.attach.Disabled() {
		t.Error("attach still disabled after the acknowledgement")
	}
	if p.idBanner.ack.Visible() != locked || (locked && !p.idBanner.tb.root.Visible()) {
		t.Errorf("'I have checked this' visible %v, banner visible %v; want locked=%v", p.idBanner.ack.Visible(), p.idBanner.tb.root.Visible(), locked)
	}
}

func TestIdentityChangeLocksComposerUntilAcknowledged(t *testing.T) {
	h := identitiesIn(t)
	h.app.Open("bob@acme.test")
	p := h.app.main.chat
	changed := idBob
	changed.IdentityChanged = true
	h.emit(event.IdentityChanged{JID: "bob@acme.test", Change: event.ChangeNewDevice, DeviceID: "9f9f-0000",
		Detail: "Bob Martin signed in from a new device (9f9f-0000) without a certificate from ACME Identity CA", Trust: changed})
	mustBeLocked(t, h, true)
	if !strings.Contains(p.idBanner.tb.title.Text, "Bob Martin is using a new device without a valid certificate") ||
		!strings.Contains(p.idBanner.tb.text.Text, "9f9f-0000") || p.idBanner.tb.kind != BannerError {
		t.Errorf("banner %q / %q (kind %v)", p.idBanner.tb.title.Text, p.idBanner.tb.text.Text, p.idBanner.tb.kind)
	}
	if !strings.Contains(p.composer.PlaceHolder, "I have checked this") {
		t.Errorf("locked composer's hint %q does not say how to unlock it", p.composer.PlaceHolder)
	}
	if b := badges(h)["Bob Martin"]; b.id.text.Text != "Identity changed" || b.id.mark.Kind != IdentityChanging {
		t.Errorf("roster mark after the change %q", b.id.text.Text)
	}
	// Enter does not send while locked, and nothing is lost from the draft.
	p.composer.SetText("the VPN config")
	n := len(h.backend().commands())
	p.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	for _, c := range h.backend().commands()[n:] {
		if _, ok := c.(event.Send); ok {
			t.Fatal("a message was sent while the identity change is not acknowledged")
		}
	}
	if p.composer.Text != "the VPN config" {
		t.Errorf("draft %q lost", p.composer.Text)
	}
	// A dropped file is refused in place, not sent.
	if FileSendAllowed(h.app.roster.Trust("bob@acme.test")) {
		t.Error("files allowed while locked")
	}

	// "I have checked this" asks the session; the lock stays until it answers.
	test.Tap(p.idBanner.ack)
	var acked, warned bool
	for _, c := range h.backend().commands()[n:] {
		switch c := c.(type) {
		case event.AckIdentity:
			acked = c.JID == "bob@acme.test"
		case event.WarningShown:
			warned = c.Warning == "identity_changed" && c.Choice == "proceed" && strings.Contains(c.Text, "new device")
		}
	}
	if !acked || !warned {
		t.Errorf("after 'I have checked this': AckIdentity %v, warning recorded %v", acked, warned)
	}
	mustBeLocked(t, h, true)
	h.emit(event.IdentityAcknowledged{JID: "bob@acme.test", Trust: idBob})
	mustBeLocked(t, h, false)
	if p.idBanner.tb.root.Visible() {
		t.Error("identity banner still shown after the acknowledgement")
	}
	if p.composer.Text != "the VPN config" {
		t.Errorf("draft %q lost after unlocking", p.composer.Text)
	}
	test.Tap(p.sendBtn)
	if s, ok := lastCmd(h).(event.Send); !ok || s.Body != "the VPN config" {
		t.Errorf("after unlocking Send sent %#v", lastCmd(h))
	}
	h.mustSee("Identity change: Bob Martin signed in from a new device (9f9f-0000)", "You confirmed you checked the identity of Bob Martin")
}

func TestRefusedIdentityShowsTheSameLock(t *testing.T) {
	h := identitiesIn(t)
	h.app.Open("bob@acme.test")
	p := h.app.main.chat
	p.composer.SetText("hello")
	test.Tap(p.sendBtn)
	send := lastCmd(h).(event.Send)
	// The session knew of a change the GUI had not heard of yet.
	tr := idBob
	h.emit(event.Refused{Command: "send", ID: send.ID, To: "bob@acme.test", Code: event.RefusedIdentity,
		Reason: "The identity of bob@acme.test changed: acknowledge it first", Trust: &tr})
	mustBeLocked(t, h, true)
	if !strings.Contains(p.idBanner.tb.text.Text, "acknowledge it first") {
		t.Errorf("banner text %q lacks the refusal's reason", p.idBanner.tb.text.Text)
	}
	h.mustSee("Not sent: The identity of bob@acme.test changed")
	test.Tap(p.idBanner.ack)
	if c, ok := lastCmd(h).(event.AckIdentity); !ok || c.JID != "bob@acme.test" {
		t.Errorf("ack sent %#v", lastCmd(h))
	}
	h.emit(event.IdentityAcknowledged{JID: "bob@acme.test", Trust: idBob})
	mustBeLocked(t, h, false)
}

// messageRows are the laid-out message rows of the open conversation.
func messageRows(h *harness) []*messageRow {
	var out []*messageRow
	for _, o := range test.LaidOutObjects(h.app.main.chat.list) {
		if r, ok := o.(*messageRow); ok && r.Visible() {
			out = append(out, r)
		}
	}
	return out
}

func TestSignatureLabels(t *testing.T) {
	h := identitiesIn(t)
	now := time.Now()
	msgs := []struct {
		id, sig, body, want string
		warn                bool
	}{
		{"m1", event.SignatureValid, "signed", "Signed by Bob Martin’s certified device", false},
		{"m2", event.SignatureMissing, "unsigned", "Not signed, although Bob Martin uses certified devices", true},
		{"m3", event.SignatureInvalid, "tampered", "Signature does not match: this message may have been altered", true},
		{"m4", event.SignatureUnknown, "other device", "Signed by a device of Bob Martin without a valid certificate", true},
		{"m5", "", "nothing expected", "", false},
	}
	for i, m := range msgs {
		h.emit(event.Message{ID: m.id, From: "bob@acme.test/pc", To: "alice@acme.test", Body: m.body, Time: now.Add(time.Duration(i) * time.Second),
			Trust: idBob, Signature: m.sig, Device: "1a2b"})
	}
	h.app.Open("bob@acme.test")
	rows := map[string]*messageRow{}
	for _, r := range messageRows(h) {
		rows[r.text] = r
	}
	for _, m := range msgs {
		r := rows[m.body]
		if r == nil {
			t.Errorf("%s: row not laid out", m.id)
			continue
		}
		if m.want == "" {
			if r.sigLine.Visible() {
				t.Errorf("%s: signature line %q shown when nothing was expected", m.id, r.sigText.Text)
			}
			continue
		}
		if !r.sigLine.Visible() || !strings.HasPrefix(r.sigText.Text, m.want) {
			t.Errorf("%s: signature line %q (visible %v), want %q", m.id, r.sigText.Text, r.sigLine.Visible(), m.want)
		}
		warnBg := withAlpha(theme.Color(theme.ColorNameWarning), 0x30)
		if (r.bg.FillColor == warnBg) != m.warn {
			t.Errorf("%s: warning row style = %v, want %v", m.id, r.bg.FillColor == warnBg, m.warn)
		}
		if m.warn && r.sigText.Importance != widget.WarningImportance {
			t.Errorf("%s: warning line not in the warning colour", m.id)
		}
	}
	// The user's own messages carry no signature line.
	h.app.main.chat.composer.SetText("mine")
	test.Tap(h.app.main.chat.sendBtn)
	for _, r := range messageRows(h) {
		if r.text == "mine" && r.sigLine.Visible() {
			t.Error("own message shows a signature line")
		}
	}
}

func TestIdentityMarkInRequestsRoomsAndSearch(t *testing.T) {
	h := identitiesIn(t)
	stranger := withID(tUnknown, event.IdentityUnverified, "", "no certificate")
	h.emit(event.Message{ID: "r1", From: "mallory@evil.test/x", To: "alice@acme.test", Body: "Pay here", Request: true, Trust: stranger})
	reqs := strings.Join(texts(h.app.main.requests), "\n")
	if !strings.Contains(reqs, "External · evil.test") || !strings.Contains(reqs, "Not verified") {
		t.Errorf("request card lacks the organisation or identity mark:\n%s", reqs)
	}
	// Room occupants and search results draw the same chip.
	row := strings.Join(texts(occupantRow(event.Occupant{Nick: "bob", JID: "bob@acme.test", Role: event.RoleParticipant, Trust: idBob})), "\n")
	if !strings.Contains(row, "ACME") || !strings.Contains(row, "Verified") {
		t.Errorf("occupant row lacks the identity mark:\n%s", row)
	}
	card := strings.Join(texts(h.app.resultCard(event.SearchResult{ID: "1", Conversation: "heidi@acme.test", From: "heidi@acme.test/pc",
		Snippet: "x", Time: time.Now(), Trust: idHeidi})), "\n")
	if !strings.Contains(card, "Certificate revoked") {
		t.Errorf("search result lacks the identity mark:\n%s", card)
	}
}

func TestAccountPanelEnrolmentAndServer(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Profile{Managed: true, Org: "ACME", Serial: 7},
		event.Connected{JID: "alice@acme.test/pc", TLSVersion: "TLS 1.3", Mechanism: "SCRAM-SHA-256-PLUS", ServerTrust: "profile", ServerCAPinned: true,
			ServerCert: event.CertInfo{Subject: "CN=xmpp.acme.test", Issuer: "CN=ACME Server CA,O=ACME",
				SHA256: "01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20"}},
		event.Enrolment{State: event.EnrolNone, DeviceID: "aaaa-bbbb-cccc-dddd", ITJID: "it-admin@acme.test"})
	h.app.ShowSettings()
	if _, ok := lastCmd(h).(event.GetEnrolment); !ok {
		t.Errorf("opening the account panel sent %#v, want GetEnrolment", lastCmd(h))
	}
	s := overlayText(t, h)
	for _, want := range []string{"This device’s identity", "This device has no identity certificate yet", "Device ID: aaaa-bbbb-cccc-dddd",
		"Requests go to: it-admin@acme.test", "Server certificate", "Subject: CN=xmpp.acme.test", "Issuer: CN=ACME Server CA,O=ACME",
		"01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:\n11:12", "Chains to a server CA named in ACME’s profile.",
		"ACME IT pins the server CA: the system roots alone are not accepted.", "TLS 1.3"} {
		if !strings.Contains(s, want) && !strings.Contains(flat(s), want) {
			t.Errorf("account panel lacks %q:\n%s", want, s)
		}
	}
	btn := func(i int) *widget.Button { return h.app.main.enrolButtons[i] }
	if btn(0).Text != "Request certificate" || btn(0).Disabled() || btn(1).Disabled() || btn(2).Disabled() {
		t.Fatalf("enrolment actions: %q disabled %v %v %v", btn(0).Text, btn(0).Disabled(), btn(1).Disabled(), btn(2).Disabled())
	}
	test.Tap(btn(0))
	if _, ok := lastCmd(h).(event.Enrol); !ok {
		t.Errorf("Request certificate sent %#v", lastCmd(h))
	}
	h.app.chooseSave = func(_, name string, chosen func(string)) {
		if !strings.HasSuffix(name, ".pem") {
			t.Errorf("suggested file name %q", name)
		}
		chosen("/tmp/alice.csr.pem")
	}
	test.Tap(btn(1))
	if c, ok := lastCmd(h).(event.ExportRequest); !ok || c.Path != "/tmp/alice.csr.pem" {
		t.Errorf("Export request… sent %#v", lastCmd(h))
	}
	h.emit(event.Enrolment{State: event.EnrolNone, DeviceID: "aaaa-bbbb-cccc-dddd", ITJID: "it-admin@acme.test"})
	h.mustSee("Certificate request written to /tmp/alice.csr.pem")
	h.app.chooseFile = func(_ string, chosen func(string)) { chosen("/tmp/alice.cert.pem") }
	test.Tap(btn(2))
	if c, ok := lastCmd(h).(event.ImportCertificate); !ok || c.Path != "/tmp/alice.cert.pem" {
		t.Errorf("Import certificate… sent %#v", lastCmd(h))
	}
	// A bad file: the reason shows in the panel, nothing else changes.
	h.emit(event.Error{Command: "import_certificate", Message: "The certificate is for another device key."})
	if s := overlayText(t, h); !strings.Contains(s, "The certificate is for another device key.") {
		t.Errorf("import error not in the account panel:\n%s", s)
	}
	// Pending: no second request; enrolled: the certificate.
	h.emit(event.Enrolment{State: event.EnrolPending, DeviceID: "aaaa-bbbb-cccc-dddd", ITJID: "it-admin@acme.test"})
	if !btn(0).Disabled() || !strings.Contains(overlayText(t, h), "waiting for IT") {
		t.Error("pending enrolment still offers a request, or does not say it waits")
	}
	na := time.Date(2027, 9, 30, 12, 0, 0, 0, time.UTC)
	h.emit(event.Enrolment{State: event.EnrolEnrolled, DeviceID: "aaaa-bbbb-cccc-dddd", Subject: "CN=Alice Martin,O=ACME",
		Issuer: "CN=ACME Identity CA,O=ACME", NotAfter: na, ITJID: "it-admin@acme.test"})
	s = overlayText(t, h)
	for _, want := range []string{"This device holds a valid identity certificate", "Certificate: CN=Alice Martin,O=ACME", "Issued by: CN=ACME Identity CA,O=ACME", "2027"} {
		if !strings.Contains(s, want) {
			t.Errorf("enrolled panel lacks %q:\n%s", want, s)
		}
	}
	if !btn(0).Disabled() || btn(0).Visible() || btn(1).Visible() || !btn(2).Visible() || btn(2).Disabled() {
		t.Error("an enrolled device still offers Request certificate or Export, or no longer Import")
	}
}

func TestLostKeyIsProminent(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Enrolment{State: event.EnrolLostKey, DeviceID: "eeee-ffff", ITJID: "it-admin@acme.test",
		Reason: "Your device key is no longer in the keyring; this device needs a new certificate. Your previous identity cannot be recovered."})
	note := strings.Join(texts(h.app.main.enrolNote), "\n")
	for _, want := range []string{"This device lost its identity key.", "Your previous identity cannot be recovered."} {
		if !strings.Contains(flat(note), want) {
			t.Errorf("top banner lacks %q:\n%s", want, note)
		}
	}
	test.Tap(findButton(t, h.app.main.enrolNote, "Request certificate"))
	if _, ok := lastCmd(h).(event.Enrol); !ok {
		t.Errorf("the banner's Request certificate sent %#v", lastCmd(h))
	}
	// Once enrolled again, the banner goes.
	h.emit(event.Enrolment{State: event.EnrolEnrolled, DeviceID: "eeee-ffff", ITJID: "it-admin@acme.test"})
	if len(h.app.main.enrolNote.Objects) != 0 {
		t.Errorf("lost-key banner still shown after enrolment: %v", texts(h.app.main.enrolNote))
	}
	// Without a keyring, the actions say why they are off.
	h.emit(event.Enrolment{State: event.EnrolNoKey, Reason: "No OS keyring is available"})
	h.app.ShowSettings()
	s := overlayText(t, h)
	if !strings.Contains(s, "Identity features are off on this device") || !strings.Contains(s, "A device key needs the OS keyring.") {
		t.Errorf("no-key panel:\n%s", s)
	}
	for _, b := range h.app.main.enrolButtons {
		if !b.Disabled() {
			t.Errorf("%q enabled without a keyring", b.Text)
		}
	}
}
