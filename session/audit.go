package session

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/palisade-im/palisade/audit"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// auditState is the session's share of the audit log.
type auditState struct {
	mu     sync.Mutex
	log    *audit.Log
	own    bool // opened by the session, closed when it stops
	failed bool // opening failed once: said so, not tried again
}

// auditLog returns the audit log: Config.Audit, or DataDir/audit opened
// on first use. nil when there is nowhere to record.
func (s *Session) auditLog() *audit.Log {
	s.auditSt.mu.Lock()
	defer s.auditSt.mu.Unlock()
	if s.auditSt.log != nil || s.auditSt.failed {
		return s.auditSt.log
	}
	if s.cfg.Audit != nil {
		s.auditSt.log = s.cfg.Audit
		return s.auditSt.log
	}
	if s.cfg.DataDir == "" {
		s.auditSt.failed = true
		return nil
	}
	l, err := audit.Open(filepath.Join(s.cfg.DataDir, audit.DirName))
	if err != nil {
		s.auditSt.failed = true
		// Straight onto the queue: emit would come back here.
		s.queue(event.Error{Message: s.lang.T("The audit log cannot be opened, so security events are not recorded: {{.Err}} (check it with `client audit verify`).", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		return nil
	}
	s.auditSt.log, s.auditSt.own = l, true
	return l
}

// closeAudit closes the audit log if the session opened it.
func (s *Session) closeAudit() {
	s.auditSt.mu.Lock()
	defer s.auditSt.mu.Unlock()
	if s.auditSt.own && s.auditSt.log != nil {
		s.auditSt.log.Close()
	}
	s.auditSt.log, s.auditSt.own = nil, false
}

// audit records one security event with the account it concerns. It is
// the one place the session writes to the audit log.
func (s *Session) audit(kind string, fields map[string]any) {
	l := s.auditLog()
	if l == nil {
		return
	}
	rec := map[string]any{"account": s.bare.String()}
	for k, v := range fields {
		rec[k] = v
	}
	if err := l.Append(kind, rec); err != nil {
		s.queue(event.Error{Message: s.lang.T("A security event could not be recorded in the audit log: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
}

// auditEvent records the security-relevant events the session emits, so
// that every refusal, confirmation, block and profile change is in the
// audit trail whichever code path produced it.
func (s *Session) auditEvent(e event.Event) {
	switch e := e.(type) {
	case event.Refused:
		f := map[string]any{"command": e.Command, "to": e.To, "code": e.Code, "reason": e.Reason}
		if e.ID != "" {
			f["id"] = e.ID
		}
		if e.Trust != nil {
			f["trust"] = trustFields(*e.Trust)
		}
		s.audit("refused", f)
	case event.Accepted:
		s.audit("confirmation_given", map[string]any{"jid": e.JID, "trust": trustFields(e.Trust)})
	case event.Blocked:
		s.audit("blocked", map[string]any{"jid": e.JID})
	case event.Unblocked:
		s.audit("unblocked", map[string]any{"jid": e.JID})
	case event.Profile:
		if len(e.Changes) > 0 {
			s.audit("profile_applied", map[string]any{"id": e.ID, "serial": e.Serial, "source": e.Source, "key_id": e.KeyID, "changes": e.Changes})
		}
	case event.ProfileRefused:
		s.audit("profile_refused", map[string]any{"id": e.ID, "serial": e.Serial, "source": e.Source, "code": e.Code, "reason": e.Reason})
	case event.FileRejected:
		switch e.Code {
		case event.FileBadURL, event.FileBlockedPeer:
			s.audit("file_refused", map[string]any{"id": e.ID, "from": e.From, "name": e.Name, "code": e.Code, "reason": e.Reason})
		}
	}
}

func trustFields(t event.Trust) map[string]any {
	return map[string]any{"class": t.Class, "org": t.Org, "lookalike_of": t.LookalikeOf, "domain": t.Domain}
}

// executeAudit runs the commands that only feed the audit log. It reports
// false for a command it does not know.
func (s *Session) executeAudit(cmd event.Command) bool {
	var c event.WarningShown
	switch v := cmd.(type) {
	case event.WarningShown:
		c = v
	case *event.WarningShown:
		c = *v
	default:
		return false
	}
	if c.Warning == "" {
		s.badCommand(c, "warning_shown needs the warning that was shown.")
		return true
	}
	f := map[string]any{"warning": c.Warning}
	if c.JID != "" {
		f["jid"] = c.JID
		if b, ok := bareJID(c.JID); ok && strings.Contains(b, "@") {
			f["trust"] = trustFields(s.trustOf(b))
		}
	}
	if c.Text != "" {
		f["text"] = c.Text
	}
	if c.Choice != "" {
		f["choice"] = c.Choice
	}
	s.audit("warning_shown", f)
	return true
}
