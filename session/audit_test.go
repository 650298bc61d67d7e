package session

import (
	"testing"

	"github.com/palisade-im/palisade/event"
)

// Security events are recorded in the hash-chained audit log as they are
// emitted, whichever code path emits them; ordinary traffic is not.
func TestAuditEvents(t *testing.T) {
	s := fileSession(t, nil, false, 1000)
	lookalike := event.Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test", Domain: "acme-corp.test"}
	s.emit(event.Message{ID: "m1", From: "bob@acme.test/pc", Body: "not a security event"})
	s.emit(event.Refused{Command: "sendfile", ID: "f1", To: "payroll@acme-corp.test", Code: event.RefusedFilePolicy,
		Reason: "Files are never sent to look-alike domains.", Trust: &lookalike})
	s.emit(event.Accepted{JID: "eve@evil.test", Trust: event.Trust{Class: event.ClassUnknown, Domain: "evil.test"}})
	s.emit(event.Blocked{JID: "acme-corp.test"})
	s.emit(event.ProfileRefused{Source: "push", Code: event.ProfileRollback, Reason: "serial 6 refused: serial 7 is in force", ID: "acme", Serial: 6})
	s.emit(event.Profile{Managed: true, ID: "acme", Serial: 8, Source: "push", Changes: []string{"Tor: optional -> required"}})
	s.emit(event.Profile{Managed: true, ID: "acme", Serial: 8, Source: "stored"}) // no change: nothing to record
	s.emit(event.FileRejected{ID: "f2", From: "eve@evil.test/x", Name: "x", Code: event.FileBadURL, Reason: "not https"})

	entries := auditEntries(t, s.cfg.DataDir)
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
	}
	want := []string{"refused", "confirmation_given", "blocked", "profile_refused", "profile_applied", "file_refused"}
	if len(kinds) != len(want) {
		t.Fatalf("audit kinds %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("audit kinds %v, want %v", kinds, want)
		}
	}
	if !hasAudit(entries, "refused", map[string]any{"command": "sendfile", "id": "f1", "code": event.RefusedFilePolicy, "account": "alice@acme.test"}) {
		t.Errorf("refused entry %+v", entries[0])
	}
	if tr, _ := entries[0].Fields["trust"].(map[string]any); tr["class"] != event.ClassLookalike || tr["lookalike_of"] != "acme.test" {
		t.Errorf("refused entry's trust %+v", entries[0].Fields["trust"])
	}
	if !hasAudit(entries, "profile_refused", map[string]any{"code": event.ProfileRollback, "source": "push"}) {
		t.Errorf("profile_refused entry missing: %+v", entries)
	}
}

// The GUI's warnings reach the audit log through warning_shown, with the
// peer's trust; a warning_shown without a warning is a bad command.
func TestWarningShownRecorded(t *testing.T) {
	s := fileSession(t, nil, false, 1000)
	s.execute(event.WarningShown{Warning: "lookalike_interstitial", JID: "payroll@acme-corp.test", Text: "acme-corp.test is not acme.test", Choice: "block"})
	s.execute(event.WarningShown{})
	entries := auditEntries(t, s.cfg.DataDir)
	if len(entries) != 1 || !hasAudit(entries, "warning_shown", map[string]any{"warning": "lookalike_interstitial", "jid": "payroll@acme-corp.test", "choice": "block"}) {
		t.Fatalf("audit entries %+v, want one warning_shown", entries)
	}
	if tr, _ := entries[0].Fields["trust"].(map[string]any); tr["class"] != event.ClassLookalike {
		t.Errorf("warning's trust %+v, want lookalike", entries[0].Fields["trust"])
	}
	errs := only[event.Error](queued(s))
	if len(errs) != 1 || errs[0].Code != event.CodeBadCommand {
		t.Errorf("empty warning_shown: errors %+v, want one bad-command", errs)
	}
}
