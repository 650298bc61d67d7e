package ui

import (
	"fyne.io/fyne/v2"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/palisade-im/palisade/event"
)

func TestLookalikeInterstitialBeforeChat(t *testing.T) {
	h := trustedIn(t)
	look := event.Trust{Class: event.ClassLookalike, Domain: "acme-corp.test", LookalikeOf: "acme.test",
		Reason: "acme-corp.test looks like acme.test but is not it (added hyphens or words)."}
	h.emit(event.Message{ID: "l1", From: "payroll@acme-corp.test/x", Body: "Confirm your bank details at https://acme-corp.test/pay", Time: time.Now(), Trust: look})
	h.app.Open("payroll@acme-corp.test")
	p := h.app.main.chat
	if !p.gate.root.Visible() || p.content.Visible() {
		t.Fatalf("lookalike opened: interstitial %v, conversation %v; want the interstitial only", p.gate.root.Visible(), p.content.Visible())
	}
	h.mustSee("acme-corp.test is not acme.test", "Warning: possible impersonation",
		"acme-corp.test looks like acme.test but is not it (added hyphens or words).",
		"Block domain", "Close", "Show the conversation anyway")
	// Nothing of the conversation yet: no message, no composer.
	h.mustNotSee("Confirm your bank details", "Write a message")
	if p.gate.band.FillColor != theme.Color(theme.ColorNameError) || p.gate.bg.StrokeColor != theme.Color(theme.ColorNameError) {
		t.Errorf("the interstitial is not red: band %v, border %v", p.gate.band.FillColor, p.gate.bg.StrokeColor)
	}

	// Close leaves the pane empty; opening again shows the interstitial again.
	test.Tap(p.gate.close)
	if h.app.active != "" || p.gate.root.Visible() || !p.empty.Visible() {
		t.Errorf("after Close: active %q, interstitial %v", h.app.active, p.gate.root.Visible())
	}
	h.app.Open("payroll@acme-corp.test")
	if !p.gate.root.Visible() {
		t.Fatal("the interstitial did not come back")
	}

	// Show the conversation anyway: the chat, with its red banner, for
	// this session.
	test.Tap(p.gate.anyway)
	if p.gate.root.Visible() || !p.content.Visible() {
		t.Fatalf("after Show anyway: interstitial %v, conversation %v", p.gate.root.Visible(), p.content.Visible())
	}
	h.mustSee("Confirm your bank details", "You are writing to acme-corp.test, which is NOT acme.test")
	if !p.warning.root.Visible() || p.warning.kind != BannerError {
		t.Error("the revealed conversation has no red banner")
	}
	h.app.Open("bob@acme.test")
	h.app.Open("payroll@acme-corp.test")
	if p.gate.root.Visible() {
		t.Error("the interstitial came back in the same session after Show anyway")
	}
	// Other classes keep their banners and get no interstitial.
	h.app.Open("eve@evil.test")
	if p.gate.root.Visible() || !p.warning.root.Visible() || p.warning.kind != BannerWarning {
		t.Errorf("unknown peer: interstitial %v, banner %v kind %v", p.gate.root.Visible(), p.warning.root.Visible(), p.warning.kind)
	}
}

func TestLookalikeInterstitialBlockDomain(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("alice@acrne.test")
	p := h.app.main.chat
	test.Tap(p.gate.block)
	if got := lastCmd(h); got != (event.Block{JID: "acrne.test"}) {
		t.Fatalf("Block domain sent %#v", got)
	}
	if h.app.active != "" {
		t.Errorf("the conversation is still open after Block domain")
	}
}

func TestLookalikeInterstitialAfterAcceptAndPunycode(t *testing.T) {
	h := trustedIn(t)
	// From Requests: accepting a lookalike opens its conversation behind
	// the interstitial.
	h.emit(event.Message{ID: "r1", From: "ceo@аcme.test/x", Body: "urgent wire transfer", Time: time.Now(), Request: true, Trust: tPunycode})
	test.Tap(requestButton(t, h, "Accept"))
	acc := tPunycode
	acc.Accepted = true
	h.emit(event.Accepted{JID: "ceo@аcme.test", Trust: acc})
	p := h.app.main.chat
	if h.app.active != "ceo@аcme.test" || !p.gate.root.Visible() {
		t.Fatalf("after Accept: active %q, interstitial %v", h.app.active, p.gate.root.Visible())
	}
	// The domain reads like the real one: its ASCII form says otherwise.
	h.mustSee("аcme.test is not acme.test", "Its real domain, in plain letters: xn--cme-8cd.test")
	h.mustNotSee("urgent wire transfer")
	if s := h.screenText(); strings.Count(s, "xn--cme-8cd.test") != 1 {
		t.Errorf("the ASCII form is shown %d times", strings.Count(s, "xn--cme-8cd.test"))
	}
}

func TestLookalikeInterstitialWords(t *testing.T) {
	tests := []struct {
		t                  event.Trust
		jid                string
		title, ascii, dom  string
		reasonShown, noAdv bool
	}{
		{event.Trust{Class: event.ClassLookalike, Domain: "acme-corp.test", LookalikeOf: "acme.test", Reason: "r"}, "p@acme-corp.test",
			"acme-corp.test is not acme.test", "", "acme-corp.test", true, false},
		{tPunycode, "ceo@аcme.test", "аcme.test is not acme.test", "xn--cme-8cd.test", "аcme.test", false, false},
		{event.Trust{Class: event.ClassLookalike, Domain: "x.test"}, "a@x.test", "x.test is not an approved domain", "", "x.test", false, false},
	}
	for _, tt := range tests {
		in := LookalikeInterstitial(tt.t, tt.jid)
		if in.Title != tt.title || in.ASCII != tt.ascii || in.Domain != tt.dom || (in.Reason != "") != tt.reasonShown || in.Advice == "" {
			t.Errorf("%s: %+v", tt.jid, in)
		}
	}
}

// Each choice at the interstitial and at the confirmation dialogs is told
// to the session as warning_shown, for the audit log.
func TestWarningsReachTheAuditLog(t *testing.T) {
	h := trustedIn(t)
	warnings := func() []event.WarningShown {
		var w []event.WarningShown
		for _, c := range h.backend().commands() {
			if ws, ok := c.(event.WarningShown); ok {
				w = append(w, ws)
			}
		}
		return w
	}
	h.app.Open("alice@acrne.test")
	p := h.app.main.chat
	test.Tap(p.gate.close)
	h.app.Open("alice@acrne.test")
	test.Tap(p.gate.anyway)
	h.app.Open("bob@acme.test")
	h.app.Open("alice@acrne.test") // revealed for this session: no new warning
	w := warnings()
	if len(w) != 2 {
		t.Fatalf("warnings %+v, want close then proceed at the interstitial", w)
	}
	for i, choice := range []string{"cancel", "proceed"} {
		if w[i].Warning != "lookalike_interstitial" || w[i].JID != "alice@acrne.test" || w[i].Choice != choice || !strings.Contains(w[i].Text, "is not acme.test") {
			t.Errorf("warning %d = %+v, want the interstitial, %s", i, w[i], choice)
		}
	}
	// A refused first message to an outsider: the confirmation's answer.
	h.app.Open("eve@evil.test")
	c := h.app.main.chat.composer
	test.Type(c, "hello")
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	sent, ok := lastCmd(h).(event.Send)
	if !ok {
		t.Fatalf("send = %#v", lastCmd(h))
	}
	tr := tUnknown
	h.emit(event.Refused{Command: "send", ID: sent.ID, To: "eve@evil.test", Code: event.RefusedConfirm, Reason: "confirm first", Trust: &tr})
	test.Tap(overlayButton(t, h, "Send anyway"))
	w = warnings()
	if last := w[len(w)-1]; last.Warning != "confirm_first_message" || last.JID != "eve@evil.test" || last.Choice != "proceed" {
		t.Errorf("last warning %+v, want the first-message confirmation, proceed", last)
	}
}
