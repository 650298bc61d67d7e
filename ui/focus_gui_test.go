package ui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/palisade-im/palisade/event"
)

func lastFocusCommand(h *harness) event.Command {
	cmds := h.backend().commands()
	for i := len(cmds) - 1; i >= 0; i-- {
		switch cmds[i].(type) {
		case event.SetFocus, event.FocusNow, event.GetFocus:
			return cmds[i]
		}
	}
	return nil
}

func TestFocusButtonText(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
	tests := []struct {
		f    event.Focus
		want string
	}{
		{event.Focus{}, "Focus"},
		{event.Focus{Held: 3}, "Focus"},
		{event.Focus{Active: true, Until: time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)}, "Focus until 16:00"},
		{event.Focus{Active: true, Until: time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC), Held: 1}, "Focus until 16:00 · 1 held"},
		{event.Focus{Active: true, Until: time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC), Held: 4}, "Focus until Sat 02:00 · 4 held"},
		{event.Focus{Active: true}, "Focus"},
	}
	for _, tt := range tests {
		if got := focusButtonText(tt.f, now); got != tt.want {
			t.Errorf("focusButtonText(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// The status row shows focus and the Tor route; the dialog sends the rule
// and a manual focus; held messages are not notified one by one, and the
// end of focus gives one summary.
func TestFocusGUI(t *testing.T) {
	h := signedIn(t)
	if h.app.focusUI.torBtn.Visible() {
		t.Error("route shown before any connection reported one")
	}
	if h.app.focusUI.btn.Text != "Focus" {
		t.Errorf("focus button %q", h.app.focusUI.btn.Text)
	}

	// Tor: starting, connecting through it, then online through it.
	h.emit(event.Disconnected{Message: "The server closed the connection.", Code: event.CodeNetwork, RetryIn: 1})
	h.emit(event.TorState{State: event.TorStarting, Via: "process", Policy: "required", Enabled: true, Locked: true},
		event.Connecting{Attempt: 2, Server: "acme.test:5222", Route: event.RouteTor})
	h.mustSee("Starting Tor (this can take a minute), then connecting to acme.test:5222…")
	h.emit(event.TorState{State: event.TorReady, Via: "process", Policy: "required", Enabled: true, Locked: true})
	h.mustSee("Connecting to acme.test:5222 through Tor…")
	h.emit(event.Connected{JID: "alice@acme.test/pc", Resumed: true, Route: event.RouteTor})
	if b := h.app.focusUI.torBtn; !b.Visible() || b.Text != "Through Tor" || !h.app.focusUI.row.Visible() {
		t.Errorf("route button %q (visible %v), want Through Tor", b.Text, b.Visible())
	}
	// The route dialog: required by the profile, so the choice is locked.
	test.Tap(h.app.focusUI.torBtn)
	ov := overlayText(t, h)
	for _, want := range []string{"Connection route", "go through Tor", "Tor is ready", "Your company requires Tor"} {
		if !strings.Contains(ov, want) {
			t.Errorf("route dialog lacks %q:\n%s", want, ov)
		}
	}
	if c := h.app.focusUI.torCheck; c == nil || !c.Checked || !c.Disabled() {
		t.Errorf("Connect through Tor under a required profile: %+v", c)
	}
	test.Tap(overlayButton(t, h, "Close"))
	// Optional: the user turns Tor off; the session answers.
	h.emit(event.TorState{State: event.TorReady, Via: "process", Policy: "optional", Enabled: true})
	test.Tap(h.app.focusUI.torBtn)
	c := h.app.focusUI.torCheck
	if c.Disabled() || !c.Checked {
		t.Fatalf("Connect through Tor when optional: checked %v disabled %v", c.Checked, c.Disabled())
	}
	c.SetChecked(false)
	if got, ok := h.backend().commands()[len(h.backend().commands())-1].(event.SetTor); !ok || got.Enabled {
		t.Errorf("unchecking sent %#v", h.backend().commands()[len(h.backend().commands())-1])
	}
	h.emit(event.TorState{Policy: "optional"}, event.Connecting{Attempt: 1, Server: "acme.test:5222", Route: event.RouteDirect},
		event.Connected{JID: "alice@acme.test/pc", Resumed: true, Route: event.RouteDirect})
	if b := h.app.focusUI.torBtn; b.Visible() || h.app.focusUI.row.Visible() || c.Checked {
		t.Errorf("after turning Tor off: route button visible %v, strip visible %v, checked %v", b.Visible(), h.app.focusUI.row.Visible(), c.Checked)
	}
	if !strings.Contains(overlayText(t, h), "directly to the server") {
		t.Errorf("route dialog after the change:\n%s", overlayText(t, h))
	}
	test.Tap(overlayButton(t, h, "Close"))
	h.emit(event.Disconnected{Message: "Your company requires connections through Tor, and Tor is not available: the tor program was not found.", Code: event.CodeTor, RetryIn: 2})
	h.mustSee("Offline: Your company requires connections through Tor")

	// The dialog, from the Settings panel (the strip is hidden outside
	// focus on a direct connection): one weekly rule.
	h.app.main.showSettings()
	if ov := overlayText(t, h); !strings.Contains(ov, "Focus hours and connection") || !strings.Contains(ov, "Focus is off.") {
		t.Errorf("settings panel lacks the focus section:\n%s", ov)
	}
	test.Tap(overlayButton(t, h, "Focus hours…"))
	if _, ok := lastFocusCommand(h).(event.GetFocus); !ok {
		t.Errorf("the dialog did not ask for the focus state: %+v", lastFocusCommand(h))
	}
	h.emit(event.Focus{Rules: []event.FocusRule{}})
	ov = overlayText(t, h)
	for _, want := range []string{"Focus hours", "Focus is off.", "Who reaches me", "Anyone in my organisation", "wait silently"} {
		if !strings.Contains(ov, want) {
			t.Errorf("dialog lacks %q:\n%s", want, ov)
		}
	}
	p := h.app.focusUI.dlg
	p.enabled.SetChecked(true)
	p.days["fri"].SetChecked(false)
	p.days["sat"].SetChecked(true)
	test.Type(p.start, "09:00")
	test.Type(p.end, "11:30")
	test.Type(p.allow, "boss@acme.test\ncarol@partner.test")
	test.Type(p.groups, "Engineering, Project X")
	p.internal.SetChecked(true)
	test.Tap(overlayButton(t, h, "Save"))
	want := event.SetFocus{Rules: []event.FocusRule{{Days: []string{"mon", "tue", "wed", "thu", "sat"}, Start: "09:00", End: "11:30",
		Allow: []string{"boss@acme.test", "carol@partner.test"}, Groups: []string{"Engineering", "Project X"}, Internal: true}}}
	if got := lastFocusCommand(h); !reflect.DeepEqual(got, want) {
		t.Errorf("Save sent %#v, want %#v", got, want)
	}
	test.Tap(overlayButton(t, h, "Focus now"))
	if got, ok := lastFocusCommand(h).(event.FocusNow); !ok || got.Minutes != 60 || len(got.Allow) != 2 || !got.Internal {
		t.Errorf("Focus now sent %#v", lastFocusCommand(h))
	}

	// Focus on: the button says until when and how many wait.
	until := time.Now().Add(time.Hour).Truncate(time.Minute)
	h.emit(event.Focus{Active: true, Manual: true, Until: until.UTC(), Held: 2, Rules: want.Rules})
	wantText := "Focus until " + until.Local().Format("15:04") + " · 2 held"
	if got := h.app.focusUI.btn.Text; got != wantText || !h.app.focusUI.row.Visible() {
		t.Errorf("focus button %q (strip visible %v), want %q", got, h.app.focusUI.row.Visible(), wantText)
	}
	if !strings.Contains(overlayText(t, h), "(started by hand)") {
		t.Errorf("dialog does not show the manual focus:\n%s", overlayText(t, h))
	}
	test.Tap(overlayButton(t, h, "End focus"))
	if got := lastFocusCommand(h); !reflect.DeepEqual(got, event.FocusNow{Minutes: 0}) {
		t.Errorf("End focus sent %#v", got)
	}

	// Focus ends: the held messages arrive marked held, one summary.
	h.app.focused = false
	before := len(h.notes)
	h.emit(
		event.Message{ID: "h1", From: "erin@acme.test/pc", To: "alice@acme.test", Body: "when you can", Held: true, Time: time.Now()},
		event.Message{ID: "h2", From: "erin@acme.test/pc", To: "alice@acme.test", Body: "no rush", Held: true, Time: time.Now()},
		event.Focus{Active: false, Held: 0, Rules: want.Rules},
	)
	if got := len(h.notes) - before; got != 1 {
		t.Fatalf("%d notifications at the end of focus, want one summary", got)
	}
	if n := h.notes[len(h.notes)-1]; n.Title != "Focus ended" || n.Content != "2 messages arrived while you were in focus." {
		t.Errorf("notification %q: %q", n.Title, n.Content)
	}
	if h.app.focusUI.btn.Text != "Focus" || h.app.focusUI.row.Visible() {
		t.Errorf("focus button after the end: %q (strip visible %v)", h.app.focusUI.btn.Text, h.app.focusUI.row.Visible())
	}
	h.app.Open("erin@acme.test")
	h.mustSee("when you can", "no rush")

	// Locked by the profile: Save is disabled and the dialog says why.
	h.emit(event.Focus{Rules: []event.FocusRule{{Start: "09:00", End: "12:00", Internal: true}}, FromProfile: true, Locked: true})
	if !overlayButton(t, h, "Save").Disabled() || !strings.Contains(overlayText(t, h), "Your company's profile sets the focus hours") {
		t.Error("a locked focus can be saved")
	}
}
