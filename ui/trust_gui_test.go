package ui

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/ui/uidemo"
)

// Verdicts as the session would send them for ACME's profile.
var (
	tInternal  = event.Trust{Class: event.ClassInternal, Org: "ACME", Domain: "acme.test", FileSend: true}
	tPartner   = event.Trust{Class: event.ClassPartner, Org: "Partner Ltd", Domain: "partner.test", FileSend: true}
	tGlobex    = event.Trust{Class: event.ClassPartner, Org: "Globex", Domain: "globex.test", FileReason: "not allowed by ACME IT"}
	tGateway   = event.Trust{Class: event.ClassGateway, Domain: "telegram.acme.test", Network: "Telegram", FileReason: "no files through gateways"}
	tUnknown   = event.Trust{Class: event.ClassUnknown, Domain: "evil.test", FileReason: "evil.test is not approved"}
	tLookalike = event.Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test", Domain: "acrne.test", FileReason: "acrne.test imitates acme.test"}
	tPunycode  = event.Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test", Domain: "аcme.test", ASCII: "xn--cme-8cd.test"}
	tBlocked   = event.Trust{Class: event.ClassBlocked, Domain: "spam.test"}
)

// trustedIn signs in and sends a roster with one contact per trust class,
// and ACME's managed profile.
func trustedIn(t *testing.T) *harness {
	h := signedIn(t)
	h.app.win.Resize(fyne.NewSize(1000, 1100))
	h.emit(event.Profile{Managed: true, Org: "ACME", Serial: 7, KeyID: "acme-it-2026"},
		event.Roster{Contacts: []event.Contact{
			{JID: "bob@acme.test", Name: "Bob Martin", Subscription: "both", Trust: tInternal},
			{JID: "carol@partner.test", Name: "Carol Smith", Subscription: "both", Trust: tPartner},
			{JID: "sam@globex.test", Name: "Sam Lee", Subscription: "both", Trust: tGlobex},
			{JID: "jane@telegram.acme.test", Name: "Jane", Subscription: "both", Trust: tGateway},
			{JID: "eve@evil.test", Name: "Eve", Subscription: "both", Trust: tUnknown},
			{JID: "alice@acrne.test", Name: "Alice Look", Subscription: "both", Trust: tLookalike},
			{JID: "spam@spam.test", Name: "Spammer", Subscription: "both", Trust: tBlocked},
		}})
	return h
}

// badges maps each visible roster row's name to its trust chip.
func badges(h *harness) map[string]*chip {
	out := map[string]*chip{}
	for _, o := range test.LaidOutObjects(h.app.main.list) {
		if it, ok := o.(*rosterItem); ok && it.contact.Visible() && it.Visible() {
			out[it.name.Text] = it.trust
		}
	}
	return out
}

func lastCmd(h *harness) event.Command {
	cmds := h.backend().commands()
	if len(cmds) == 0 {
		h.t.Fatal("no command sent")
	}
	return cmds[len(cmds)-1]
}

func TestRosterBadgePerClass(t *testing.T) {
	h := trustedIn(t)
	bs := badges(h)
	tests := []struct {
		name, text string
		kind       BadgeKind
	}{
		{"Bob Martin", "ACME", BadgeInternal},
		{"Carol Smith", "Partner · Partner Ltd", BadgePartner},
		{"Sam Lee", "Partner · Globex", BadgePartner},
		{"Jane", "External · Telegram", BadgeExternal},
		{"Eve", "External · evil.test", BadgeExternal},
		{"Alice Look", "Looks like acme.test", BadgeDanger},
		{"Spammer", "Blocked", BadgeBlocked},
	}
	for _, tt := range tests {
		c := bs[tt.name]
		if c == nil {
			t.Errorf("%s: no roster row", tt.name)
			continue
		}
		if !c.root.Visible() || c.text.Text != tt.text || c.kind != tt.kind {
			t.Errorf("%s: badge visible=%v %q kind %v, want %q kind %v", tt.name, c.root.Visible(), c.text.Text, c.kind, tt.text, tt.kind)
		}
		// Colour is never the only signal: an icon beside the words.
		if !c.icon.Visible() || c.icon.Resource == nil {
			t.Errorf("%s: badge %q has no icon", tt.name, c.text.Text)
		}
		bg, fg := chipColours(tt.kind)
		if c.bg.FillColor != bg || c.text.Color != fg {
			t.Errorf("%s: badge colours %v on %v, want %v on %v", tt.name, c.text.Color, c.bg.FillColor, fg, bg)
		}
	}
	// The lookalike badge is red with a warning icon; the blocked one grey.
	look := bs["Alice Look"]
	if look.bg.FillColor != theme.Color(theme.ColorNameError) || !look.icon.Visible() {
		t.Errorf("lookalike badge: fill %v, icon visible %v; want the error colour and an icon", look.bg.FillColor, look.icon.Visible())
	}
	if bs["Spammer"].text.Color != theme.Color(theme.ColorNameDisabled) {
		t.Errorf("blocked badge text colour %v, want disabled", bs["Spammer"].text.Color)
	}
	// The full JID is always shown.
	h.mustSee("eve@evil.test", "alice@acrne.test", "jane@telegram.acme.test")

	// A new roster after a profile change refreshes every badge.
	h.emit(event.Roster{Contacts: []event.Contact{
		{JID: "eve@evil.test", Name: "Eve", Subscription: "both", Trust: event.Trust{Class: event.ClassPartner, Org: "Evil Corp", Domain: "evil.test"}},
	}})
	if c := badges(h)["Eve"]; c == nil || c.text.Text != "Partner · Evil Corp" || c.kind != BadgePartner {
		t.Errorf("after a new roster Eve's badge is %+v", c)
	}
}

func TestTrustFromLatestEvent(t *testing.T) {
	h := trustedIn(t)
	// A presence carrying a newer verdict changes the badge.
	h.emit(event.Presence{From: "carol@partner.test/x", JID: "carol@partner.test", Show: event.ShowAway, Trust: tBlocked})
	if c := badges(h)["Carol Smith"]; c.text.Text != "Blocked" {
		t.Errorf("badge after presence = %q, want Blocked", c.text.Text)
	}
	// An event without a verdict keeps the last one.
	h.emit(event.Presence{From: "carol@partner.test/x", JID: "carol@partner.test", Show: event.ShowAvailable})
	if c := badges(h)["Carol Smith"]; c.text.Text != "Blocked" {
		t.Errorf("badge after presence without trust = %q, want Blocked", c.text.Text)
	}
}

func TestLookalikeChatBannerAndComposerHint(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("alice@acrne.test")
	p := h.app.main.chat
	// Past the interstitial, the conversation keeps its red banner.
	test.Tap(p.gate.anyway)
	if !p.warning.root.Visible() || p.warning.kind != BannerError {
		t.Fatalf("lookalike banner visible=%v kind=%v, want a red banner", p.warning.root.Visible(), p.warning.kind)
	}
	if txt := p.warning.title.Text; !strings.Contains(txt, "acrne.test is not acme.test") {
		t.Errorf("banner = %q, want it to name the imitated domain", txt)
	}
	if !p.trust.root.Visible() || p.trust.text.Text != "Looks like acme.test" {
		t.Errorf("header badge = %q", p.trust.text.Text)
	}
	h.mustSee("alice@acrne.test", "You are writing to acrne.test, which is NOT acme.test")

	// A punycode lookalike names the ASCII form too.
	h.emit(event.Message{ID: "p1", From: "ceo@аcme.test/x", Body: "urgent wire transfer", Time: time.Now(), Trust: tPunycode})
	h.app.Open("ceo@аcme.test")
	test.Tap(p.gate.anyway)
	if txt := p.warning.title.Text; !strings.Contains(txt, "аcme.test (xn--cme-8cd.test) is not acme.test") {
		t.Errorf("punycode banner = %q", txt)
	}

	// Unknown and gateway peers get a warning; internal peers none.
	h.app.Open("eve@evil.test")
	if p.warning.kind != BannerWarning || !strings.Contains(p.warning.title.Text, "evil.test") {
		t.Errorf("unknown banner kind %v %q", p.warning.kind, p.warning.text.Text)
	}
	h.mustSee("You are writing to an external contact at evil.test")
	h.app.Open("jane@telegram.acme.test")
	if !strings.Contains(p.warning.title.Text, "Telegram") {
		t.Errorf("gateway banner %q", p.warning.text.Text)
	}
	h.app.Open("bob@acme.test")
	if p.warning.root.Visible() || p.whoHint.Visible() {
		t.Errorf("internal contact shows a banner %q or hint %q", p.warning.text.Text, p.whoHint.Text)
	}
}

func TestNotificationSaysExternal(t *testing.T) {
	h := trustedIn(t)
	h.app.setFocused(false)
	h.emit(event.Message{ID: "n1", From: "alice@acrne.test/x", Body: "reset your password", Time: time.Now(), Trust: tLookalike})
	if len(h.notes) != 1 || !strings.HasPrefix(h.notes[0].Title, "[Lookalike of acme.test] ") || !strings.Contains(h.notes[0].Title, "alice@acrne.test") {
		t.Fatalf("notifications = %+v", h.notes)
	}
	h.app.lastNote = time.Time{}
	h.emit(event.Message{ID: "n2", From: "eve@evil.test/x", Body: "hi", Time: time.Now(), Trust: tUnknown})
	if len(h.notes) != 2 || !strings.HasPrefix(h.notes[1].Title, "[External · evil.test] ") {
		t.Fatalf("notifications = %+v", h.notes)
	}
}

func requestButton(t *testing.T, h *harness, text string) *widget.Button {
	t.Helper()
	return findButton(t, h.app.main.requests, text)
}

func TestRequestAcceptMovesChat(t *testing.T) {
	h := trustedIn(t)
	h.emit(event.Message{ID: "r1", From: "mallory@evil.test/x", Body: "Pay here: https://evil.test/pay", Time: time.Now(), Request: true, Trust: tUnknown})
	h.mustSee("Requests (1)", "mallory@evil.test", "Pay here: https://evil.test/pay", "External · evil.test")
	if h.app.chats.Has("mallory@evil.test") || h.app.rosterRow("mallory@evil.test").Contact.JID != "" {
		t.Fatal("a request is among the chats before it is accepted")
	}
	// The preview is inert: no hyperlink in the Requests area.
	for _, o := range test.LaidOutObjects(h.app.main.requests) {
		if _, ok := o.(*widget.Hyperlink); ok {
			t.Fatal("the request preview has a clickable link")
		}
	}
	test.Tap(requestButton(t, h, "Accept"))
	if got := lastCmd(h); got != (event.Accept{JID: "mallory@evil.test"}) {
		t.Fatalf("Accept sent %#v", got)
	}
	accepted := tUnknown
	accepted.Accepted = true
	h.emit(event.Accepted{JID: "mallory@evil.test", Trust: accepted})
	h.mustNotSee("Requests (1)")
	if h.app.requests.Len() != 0 {
		t.Error("request still waiting after Accepted")
	}
	if h.app.active != "mallory@evil.test" {
		t.Errorf("accepted conversation not opened: active = %q", h.app.active)
	}
	if c := h.app.chats.Conv("mallory@evil.test"); len(c.Messages) != 1 || c.Messages[0].Body != "Pay here: https://evil.test/pay" {
		t.Errorf("conversation after accept = %+v", c.Messages)
	}
	if h.app.rosterRow("mallory@evil.test").Contact.JID == "" {
		t.Error("accepted conversation has no roster row")
	}
}

func TestRequestNotificationAndSubscriptionChip(t *testing.T) {
	h := trustedIn(t)
	h.app.setFocused(false)
	h.emit(event.Message{ID: "r1", From: "mallory@evil.test/x", Body: "hello", Time: time.Now(), Request: true, Trust: tUnknown})
	if len(h.notes) != 1 || h.notes[0].Title != "Message request: [External · evil.test] mallory (mallory@evil.test)" {
		t.Fatalf("notifications = %+v", h.notes)
	}
	if !strings.HasPrefix(h.app.win.Title(), "(1) ") {
		t.Errorf("title = %q: a waiting request counts", h.app.win.Title())
	}
	h.emit(event.SubscriptionRequest{From: "oscar@acrne.test", Status: "add me", Trust: tLookalike})
	h.mustSee("oscar@acrne.test wants to see when you")
	if s := strings.Join(texts(h.app.main.requests), "\n"); !strings.Contains(s, "Looks like acme.test") {
		t.Errorf("the contact request shows no lookalike badge:\n%s", s)
	}
}

func TestRequestBlockDomainAndContact(t *testing.T) {
	h := trustedIn(t)
	h.emit(event.Message{ID: "r1", From: "mallory@evil.test/x", Body: "hello", Time: time.Now(), Request: true, Trust: tUnknown},
		event.Message{ID: "r2", From: "trudy@bad.test/x", Body: "hey", Time: time.Now(), Request: true, Trust: event.Trust{Class: event.ClassUnknown, Domain: "bad.test"}})
	h.mustSee("Requests (2)")
	// The first card is mallory's (oldest first).
	test.Tap(requestButton(t, h, "Block domain"))
	if got := lastCmd(h); got != (event.Block{JID: "evil.test"}) {
		t.Fatalf("Block domain sent %#v", got)
	}
	h.emit(event.Blocked{JID: "evil.test"})
	h.mustSee("Requests (1)", "trudy@bad.test")
	h.mustNotSee("mallory@evil.test")
	test.Tap(requestButton(t, h, "Block contact"))
	if got := lastCmd(h); got != (event.Block{JID: "trudy@bad.test"}) {
		t.Fatalf("Block contact sent %#v", got)
	}
	h.emit(event.Blocked{JID: "trudy@bad.test"})
	h.mustNotSee("Requests (", "trudy@bad.test")
}

func TestConfirmFirstMessageResends(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("eve@evil.test")
	c := h.app.main.chat.composer
	test.Type(c, "Hello Eve")
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	send, ok := lastCmd(h).(event.Send)
	if !ok || send.Confirmed {
		t.Fatalf("first send = %#v", lastCmd(h))
	}
	tr := tUnknown
	h.emit(event.Refused{Command: "send", ID: send.ID, To: "eve@evil.test", Code: event.RefusedConfirm, Reason: "first message to evil.test", Trust: &tr})
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no confirmation dialog")
	}
	if s := strings.Join(texts(top), "\n"); !strings.Contains(s, "eve@evil.test (External · evil.test) is outside ACME.") || !strings.Contains(s, "Send anyway?") {
		t.Errorf("dialog says:\n%s", s)
	}
	h.mustSee("Hello Eve", "waiting for your confirmation")
	test.Tap(overlayButton(t, h, "Send anyway"))
	want := event.Send{To: "eve@evil.test", Body: "Hello Eve", ID: send.ID, Confirmed: true}
	if got := lastCmd(h); got != want {
		t.Fatalf("resend = %#v, want %#v", got, want)
	}
	if n := len(h.app.chats.Conv("eve@evil.test").Messages); n != 1 {
		t.Errorf("conversation has %d messages after the resend, want 1", n)
	}
	h.emit(event.Sent{ID: send.ID, To: "eve@evil.test"})
	h.mustSee("sent")
}

func TestConfirmDeclinedKeepsMessage(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("eve@evil.test")
	h.app.main.chat.composer.SetText("Secret plan")
	h.app.main.chat.send()
	send := lastCmd(h).(event.Send)
	h.emit(event.Refused{Command: "send", ID: send.ID, To: "eve@evil.test", Code: event.RefusedConfirm, Reason: "confirm"})
	n := len(h.backend().commands())
	test.Tap(overlayButton(t, h, "Don't send"))
	// Declining sends nothing but the record of the warning and the choice.
	after := h.backend().commands()[n:]
	if w, ok := lastCmd(h).(event.WarningShown); len(after) != 1 || !ok || w.Warning != "confirm_first_message" || w.Choice != "cancel" {
		t.Errorf("declining sent %#v", after)
	}
	h.mustSee("Secret plan", "not sent", "you chose not to write to eve@evil.test")
	if got := h.app.main.chat.composer.Text; got != "Secret plan" {
		t.Errorf("composer after declining = %q, want the text back", got)
	}
}

func TestRefusedSendShownInline(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("spam@spam.test")
	h.app.main.chat.composer.SetText("hi")
	h.app.main.chat.send()
	send := lastCmd(h).(event.Send)
	h.emit(event.Refused{Command: "send", ID: send.ID, To: "spam@spam.test", Code: event.RefusedBlocked, Reason: "spam.test is blocked by ACME IT"})
	h.mustSee("Not sent: spam.test is blocked by ACME IT", "not sent")
	if h.app.win.Canvas().Overlays().Top() != nil {
		t.Error("a blocked refusal asked for confirmation")
	}
}

func TestAttachControl(t *testing.T) {
	h := trustedIn(t)
	var asked int
	h.app.chooseFile = func(_ string, chosen func(string)) { asked++; chosen("/home/alice/report.pdf") }
	p := h.app.main.chat

	h.app.Open("sam@globex.test")
	if !p.attach.Disabled() {
		t.Fatal("attach enabled for a partner whose files are not allowed")
	}
	h.mustSee("Files cannot be sent to Globex: not allowed by ACME IT")
	test.Tap(p.attach)
	if asked != 0 {
		t.Error("a disabled attach control opened the file picker")
	}

	h.app.Open("bob@acme.test")
	if p.attach.Disabled() {
		t.Fatal("attach disabled for an internal colleague")
	}
	h.mustNotSee("Files cannot be sent")
	test.Tap(p.attach)
	sf, ok := lastCmd(h).(event.SendFile)
	if !ok || sf.To != "bob@acme.test" || sf.Path != "/home/alice/report.pdf" || sf.ID == "" {
		t.Fatalf("attach sent %#v, want a SendFile with an id", lastCmd(h))
	}
	h.emit(event.Error{Command: "sendfile", Code: "unsupported", Message: "file transfer is not available yet"})
	h.mustSee("report.pdf", "Not sent: file transfer is not available yet")
	test.Tap(p.attach)
	h.emit(event.Refused{Command: "sendfile", To: "bob@acme.test", Code: event.RefusedFilePolicy, Reason: ".exe files are blocked by ACME IT"})
	h.mustSee("Not sent: .exe files are blocked by ACME IT")
}

func TestLinksShowTargetAndAskForStrangers(t *testing.T) {
	h := trustedIn(t)
	var opened []string
	h.app.openURL = func(u *url.URL) error { opened = append(opened, u.String()); return nil }
	h.emit(event.Message{ID: "l1", From: "eve@evil.test/x", Body: "Log in: [https://acme.test/login](https://evil.test/steal)", Time: time.Now(), Trust: tUnknown},
		event.Message{ID: "l2", From: "bob@acme.test/pc", Body: "Wiki: https://wiki.acme.test/x", Time: time.Now(), Trust: tInternal})
	h.app.Open("eve@evil.test")
	// Markdown is not rendered: the real target is on screen.
	h.mustSee("https://evil.test/steal")
	tapLink(findLink(t, h, "Open https://evil.test/steal"))
	if len(opened) != 0 {
		t.Fatal("a stranger's link opened without asking")
	}
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no confirmation for a stranger's link")
	}
	if s := strings.Join(texts(top), "\n"); !strings.Contains(s, "https://evil.test/steal") || !strings.Contains(s, "eve@evil.test (External · evil.test)") {
		t.Errorf("link dialog says:\n%s", s)
	}
	test.Tap(overlayButton(t, h, "Open link"))
	if !reflect.DeepEqual(opened, []string{"https://evil.test/steal"}) {
		t.Fatalf("opened %v", opened)
	}
	h.app.Open("bob@acme.test")
	tapLink(findLink(t, h, "Open https://wiki.acme.test/x"))
	if len(opened) != 2 || opened[1] != "https://wiki.acme.test/x" {
		t.Errorf("a colleague's link: opened %v", opened)
	}
}

// tapLink taps on the start of a link's text, where a user would.
func tapLink(l *widget.Hyperlink) {
	test.TapAt(l, fyne.NewPos(theme.Padding()+4, l.Size().Height/2))
}

func findLink(t *testing.T, h *harness, text string) *widget.Hyperlink {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.app.main.chat.list) {
		if l, ok := o.(*widget.Hyperlink); ok && l.Text == text && l.Visible() {
			return l
		}
	}
	t.Fatalf("no link %q in the conversation", text)
	return nil
}

func TestSettingsManagedAndLocked(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Profile{Managed: true, Org: "ACME", Serial: 7, KeyID: "acme-it-2026", Locked: []string{"tor"},
		Settings: map[string]string{"tor": "required", "unknown_domains": "confirm"}})
	test.Tap(findButton(t, h.app.main.root, "Settings"))
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no settings panel")
	}
	s := strings.Join(texts(top), "\n")
	for _, want := range []string{"Managed by ACME IT · profile 7 · signature valid", "acme-it-2026", "Tor", "Locked by IT", "Unknown domains", "confirm"} {
		if !strings.Contains(s, want) {
			t.Errorf("settings do not show %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "Locked by IT") != 1 {
		t.Errorf("%d settings say locked, want 1", strings.Count(s, "Locked by IT"))
	}
	var torEntry *widget.Entry
	for _, o := range test.LaidOutObjects(top) {
		if e, ok := o.(*widget.Entry); ok && e.Text == "required" {
			torEntry = e
		}
	}
	if torEntry == nil || !torEntry.Disabled() {
		t.Fatalf("the locked tor setting is not a disabled control: %v", torEntry)
	}
	h.app.chooseFile = func(_ string, chosen func(string)) { chosen("/tmp/acme.json") }
	test.Tap(findButton(t, top, "Import profile…"))
	if got := lastCmd(h); got != (event.ImportProfile{Path: "/tmp/acme.json"}) {
		t.Errorf("import sent %#v", got)
	}
	// An unmanaged client says so.
	h.emit(event.Profile{Managed: false})
	if s := strings.Join(texts(top), "\n"); !strings.Contains(s, "Not managed") {
		t.Errorf("unmanaged settings say:\n%s", s)
	}
}

func TestBulletinBannerDismissAndList(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Bulletin{ID: "b1", Severity: "critical", Title: "Phishing about payslips", Body: "Do not open links about payslips.", IssuedAt: time.Now()})
	h.mustSee("Critical from IT: Phishing about payslips", "Do not open links about payslips.")
	if len(h.app.main.bulletins.Objects) != 1 {
		t.Fatalf("%d bulletin banners", len(h.app.main.bulletins.Objects))
	}
	test.Tap(findButton(t, h.app.main.bulletins, "Dismiss"))
	if got := lastCmd(h); got != (event.DismissBulletin{ID: "b1"}) {
		t.Fatalf("Dismiss sent %#v", got)
	}
	h.mustNotSee("Critical from IT")
	test.Tap(findButton(t, h.app.main.root, "Bulletins (1)"))
	if got := lastCmd(h); got != (event.GetBulletins{}) {
		t.Errorf("the list asked for %#v", got)
	}
	top := h.app.win.Canvas().Overlays().Top()
	if s := strings.Join(texts(top), "\n"); !strings.Contains(s, "Phishing about payslips") || !strings.Contains(s, "dismissed") {
		t.Errorf("bulletin list says:\n%s", s)
	}
}

func TestAtMostTwoBulletinBanners(t *testing.T) {
	h := signedIn(t)
	now := time.Now()
	h.emit(event.Bulletins{Items: []event.Bulletin{
		{ID: "a", Severity: "info", Title: "Oldest", IssuedAt: now.Add(-2 * time.Hour)},
		{ID: "b", Severity: "warning", Title: "Middle", IssuedAt: now.Add(-time.Hour)},
		{ID: "c", Severity: "critical", Title: "Newest", IssuedAt: now},
	}})
	h.mustSee("Critical from IT: Newest", "Warning from IT: Middle", "1 more bulletin from IT", "Bulletins (3)")
	// The gravest first, whatever the order of issue.
	h.emit(event.Bulletin{ID: "d", Severity: "info", Title: "Newer notice", IssuedAt: now.Add(time.Minute)})
	if act := h.app.profile.ActiveBulletins(now); len(act) != 4 || act[0].ID != "c" || act[1].ID != "b" || act[2].ID != "d" || act[3].ID != "a" {
		t.Errorf("banner order %+v, want c (critical), b (warning), d, a (notices, newest first)", act)
	}
	h.mustSee("Critical from IT: Newest", "Warning from IT: Middle", "2 more bulletins from IT")
	h.mustNotSee("Newer notice")
	h.mustNotSee("Oldest")
	test.Tap(findButton(t, h.app.main.bulletins, "2 more bulletins from IT"))
	if s := strings.Join(texts(h.app.win.Canvas().Overlays().Top()), "\n"); !strings.Contains(s, "Oldest") {
		t.Errorf("the bulletin list does not show the oldest:\n%s", s)
	}
}

func TestProfileChangedNoticeAndRefusal(t *testing.T) {
	h := signedIn(t)
	h.emit(event.Profile{Managed: true, Org: "ACME", Serial: 8, Changes: []string{"Partner Globex added", "Unknown domains: confirm"}})
	h.mustSee("ACME IT updated your profile (serial 8):", "• Partner Globex added", "• Unknown domains: confirm")
	h.emit(event.ProfileRefused{Source: "import", Code: event.ProfileBadSignature, Reason: "the signature does not match"})
	h.mustSee("The imported profile was refused: the signature does not match. The profile in force is unchanged.")
	// Notices are dismissible.
	for len(h.app.main.notices.Objects) > 0 {
		var x *widget.Button
		for _, o := range test.LaidOutObjects(h.app.main.notices) {
			if b, ok := o.(*widget.Button); ok {
				x = b
			}
		}
		if x == nil {
			t.Fatal("a notice without a dismiss button")
		}
		test.Tap(x)
	}
	h.mustNotSee("updated your profile", "was refused")
}

// demoSignedIn signs in to the demo backend (ui/uidemo) and returns the
// harness with a waitFor that pumps events until cond holds, failing after
// 15 s with what did not happen.
func demoSignedIn(t *testing.T) (*harness, func(what string, cond func() bool)) {
	t.Helper()
	h := newHarness(t, Options{})
	h.app.opts.Connect = func(SignIn) (event.Backend, error) { return uidemo.New(), nil }
	if err := h.app.connect(SignIn{JID: uidemo.Self, Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for h.app.pump(); !cond(); h.app.pump() {
			if time.Now().After(deadline) {
				t.Fatalf("demo: %s did not happen", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return h, waitFor
}

// The demo backend (used by make demo's design preview and screenshots)
// shows every trust state and answers like the session would.
func TestDemoBackendTrustStates(t *testing.T) {
	h, waitFor := demoSignedIn(t)
	waitFor("the request from mallory", func() bool { return h.app.requests.Has("mallory@evil.test") })
	waitFor("the bulletin", func() bool { return len(h.app.profile.ActiveBulletins(time.Now())) == 1 })
	if got := h.app.profile.ManagedLine(); got != "Managed by ACME IT · profile 7 · signature valid" {
		t.Errorf("demo profile: %q", got)
	}
	for jid, want := range map[string]string{
		"bob@acme.test":           "ACME",
		"carol@partner.test":      "Partner · Partner Ltd",
		"sam@globex.test":         "Partner · Globex",
		"jane@telegram.acme.test": "External · Telegram",
		"helpdesk@acrne.test":     "Looks like acme.test",
	} {
		if got := TrustBadge(h.app.roster.Trust(jid), jid).Text; got != want {
			t.Errorf("demo badge of %s = %q, want %q", jid, got, want)
		}
	}

	// A first message to a stranger is held until confirmed.
	h.app.Open("zed@evil.test")
	h.app.send("zed@evil.test", "hello?")
	waitFor("the confirmation", func() bool { return len(h.app.held["zed@evil.test"]) == 1 })
	test.Tap(overlayButton(t, h, "Send anyway"))
	waitFor("the confirmed message to go out", func() bool {
		ms := h.app.chats.Conv("zed@evil.test").Messages
		return len(ms) == 1 && ms[0].Delivery == DeliverySent
	})

	// Files to a partner that may not receive them are refused inline.
	h.app.sendFile("sam@globex.test", "/tmp/x.pdf")
	waitFor("the file refusal", func() bool {
		ms := h.app.chats.Conv("sam@globex.test").Messages
		return len(ms) == 1 && ms[0].File != nil && ms[0].File.State == FileFailed && strings.Contains(ms[0].File.Reason, "not allowed by ACME IT")
	})

	// Accepting the request moves it into the chats.
	h.app.acceptRequest("mallory@evil.test")
	waitFor("the accepted request", func() bool {
		return !h.app.requests.Has("mallory@evil.test") && h.app.chats.HasMessages("mallory@evil.test")
	})
	if h.app.active != "mallory@evil.test" {
		t.Errorf("active = %q after accepting", h.app.active)
	}
	h.app.closeWindow()
	waitFor("the demo to close", func() bool { return h.app.stopped })
}

// twoStrangersTwoBulletins is the demo's state after the strangers wrote
// and IT published its bulletins.
func twoStrangersTwoBulletins(h *harness) {
	now := time.Now()
	h.emit(event.Bulletins{Items: []event.Bulletin{
		{ID: "w", Severity: "info", Title: "Security notices from ACME IT", IssuedAt: now.Add(-time.Hour),
			Body: "IT posts warnings about current scams here. Palisade shows them until you dismiss them."},
		{ID: "p", Severity: "critical", Title: "Phishing: fake payroll messages", IssuedAt: now,
			Body: "Messages from acme-corp.test pretending to be Payroll ask for bank details. It is not ACME. Do not open the link; block the sender."},
	}})
	h.emit(event.Message{ID: "r1", From: "eve@evil.test/x", Time: now, Request: true, Trust: tUnknown,
		Body: "Hello Alice, I'm a recruiter at a firm you don't know. Could you send me ACME's org chart?"},
		event.Message{ID: "r2", From: "payroll@acme-corp.test/x", Time: now, Request: true,
			Trust: event.Trust{Class: event.ClassLookalike, Domain: "acme-corp.test", LookalikeOf: "acme.test"},
			Body:  "URGENT from ACME Payroll: your payslip is on hold. Confirm your bank details today at https://acme-corp.test/payslip"})
}

// With two bulletins and two requests, the roster keeps room for at least
// four contact rows in the default window.
func TestRosterKeepsItsRoom(t *testing.T) {
	h := trustedIn(t)
	// The real theme's sizes, not the test theme's smaller ones.
	fyne.CurrentApp().Settings().SetTheme(theme.DefaultTheme())
	t.Cleanup(func() { fyne.CurrentApp().Settings().SetTheme(test.Theme()) })
	twoStrangersTwoBulletins(h)
	h.mustSee("Requests (2)", "payroll@acme-corp.test", "Phishing: fake payroll messages")
	h.app.win.Resize(fyne.NewSize(1000, 679))
	h.app.win.Resize(fyne.NewSize(1000, 680)) // lays the window out again
	v := h.app.main
	if got, want := v.list.Size().Height, 4*v.contactH; got < want {
		t.Errorf("roster is %.0f px high at 1000x680, want at least %.0f (4 rows)", got, want)
	}
	t.Logf("roster %.0f px high (contact rows %.0f px), requests %.0f px, bulletins %.0f px", v.list.Size().Height, v.contactH, v.requests.Size().Height, v.bulletins.Size().Height)
}

func TestRequestsFold(t *testing.T) {
	h := trustedIn(t)
	twoStrangersTwoBulletins(h)
	v := h.app.main
	open := v.requests.MinSize().Height
	test.Tap(requestButton(t, h, "Requests (2)"))
	h.mustSee("Requests (2)", "eve@evil.test, payroll@acme-corp.test")
	h.mustNotSee("Block domain", "recruiter")
	if folded := v.requests.MinSize().Height; folded >= open/2 {
		t.Errorf("folded Requests area is %.0f px high, open %.0f", folded, open)
	}
	test.Tap(requestButton(t, h, "Requests (2)"))
	h.mustSee("Block domain", "recruiter")
}

func TestBulletinMoreAndLess(t *testing.T) {
	h := trustedIn(t)
	twoStrangersTwoBulletins(h)
	v := h.app.main
	h.mustSee("Critical from IT: Phishing: fake payroll messages", "Notice from IT: Security notices from ACME IT")
	short := v.bulletins.MinSize().Height
	more := findButton(t, v.bulletins, "More")
	test.Tap(more)
	if got := v.bulletins.MinSize().Height; got <= short {
		t.Errorf("More did not show the whole text: %.0f px, was %.0f", got, short)
	}
	h.mustSee("It is not ACME. Do not open the link;")
	test.Tap(findButton(t, v.bulletins, "Less"))
	if got := v.bulletins.MinSize().Height; got != short {
		t.Errorf("Less left the banners %.0f px high, want %.0f", got, short)
	}
}

// The composer's hints are one line each, so a narrow window never pushes
// the composer away; the whole file reason is behind "Why?".
func TestComposerHintsOneLineWithWhy(t *testing.T) {
	h := trustedIn(t)
	long := event.Trust{Class: event.ClassLookalike, Domain: "acme-corp.test", LookalikeOf: "acme.test",
		FileReason: "Files are never sent to look-alike domains: acme-corp.test is not acme.test."}
	h.emit(event.Message{ID: "l1", From: "payroll@acme-corp.test/x", Body: "hi", Time: time.Now(), Trust: long})
	h.app.Open("payroll@acme-corp.test")
	p := h.app.main.chat
	test.Tap(p.gate.anyway)
	if p.fileHint.Text != long.FileReason {
		t.Errorf("file hint %q: want the policy's sentence once, %q", p.fileHint.Text, long.FileReason)
	}
	h.app.win.Resize(fyne.NewSize(700, 500))
	one := p.whoHint.MinSize().Height
	if p.fileHint.Truncation != fyne.TextTruncateEllipsis || p.whoHint.Truncation != fyne.TextTruncateEllipsis || p.fileLine.MinSize().Height > one+1 {
		t.Errorf("hints wrap: who %.0f px, file line %.0f px", one, p.fileLine.MinSize().Height)
	}
	if y := p.composer.Position().Y + p.composer.Size().Height; y <= 0 || p.composer.Size().Height < p.composer.MinSize().Height {
		t.Errorf("composer squeezed: %v at %v", p.composer.Size(), p.composer.Position())
	}
	test.Tap(findButton(t, p.fileLine, "Why?"))
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Why? opened nothing")
	}
	if s := strings.Join(texts(top), " "); !strings.Contains(s, "acme-corp.test is not") {
		t.Errorf("the reason dialog says %q", s)
	}
}

// The chat header carries the same badge as the roster: words and an icon
// for every level.
func TestChatHeaderBadgeWordsAndIcon(t *testing.T) {
	h := trustedIn(t)
	p := h.app.main.chat
	for jid, want := range map[string]string{
		"bob@acme.test":           "ACME",
		"carol@partner.test":      "Partner · Partner Ltd",
		"jane@telegram.acme.test": "External · Telegram",
		"eve@evil.test":           "External · evil.test",
		"alice@acrne.test":        "Looks like acme.test",
		"spam@spam.test":          "Blocked",
	} {
		h.app.Open(jid)
		if p.gate.root.Visible() {
			test.Tap(p.gate.anyway)
		}
		if !p.trust.root.Visible() || p.trust.text.Text != want || !p.trust.icon.Visible() || p.trust.icon.Resource == nil {
			t.Errorf("%s: header badge visible %v %q icon %v, want %q with an icon", jid, p.trust.root.Visible(), p.trust.text.Text, p.trust.icon.Visible(), want)
		}
	}
}
