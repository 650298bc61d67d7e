package session

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"mellium.im/sasl"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/profile"
)

// Hostile input: the guard that keeps one bad stanza from ending the
// process, and the record of stanzas that look like an attack.

// guardState counts what the guard and the sender checks caught, and keeps
// the audit log from being flooded by them.
type guardState struct {
	// iqTo is where each IQ sent through sendIQ went: its answer is taken
	// only from there (iqReplyOK). Guarded by Session.iqMu.
	iqTo map[string]string

	mu        sync.Mutex
	panics    int                       // handlers that panicked (stanza dropped)
	spoofed   int                       // stanzas refused by a sender check
	window    map[string]*suspectWindow // per kind: audit records in the current minute
	lastPanic string                    // what the last panic was, for tests and reports
}

// suspectWindow limits the audit records of one kind of suspicious stanza
// to suspectPerMinute a minute; the rest are counted and the count goes
// with the next record written.
type suspectWindow struct {
	start      time.Time
	written    int
	suppressed int
}

const suspectPerMinute = 20

// guarded runs a stanza handler and turns a panic into a dropped stanza:
// the session goes on, the user is told that one stanza was ignored, and
// the audit log records which (its kind, sender and id; never its
// content). It reports whether the handler finished normally.
func (s *Session) guarded(kind, from, id string, h func()) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			ok = false
			stack := string(debug.Stack())
			s.guard.mu.Lock()
			s.guard.panics++
			s.guard.lastPanic = fmt.Sprint(v)
			s.guard.mu.Unlock()
			s.suspicious("malformed_stanza", map[string]any{
				"stanza": kind, "from": from, "id": id,
				"panic": truncate(fmt.Sprint(v), 200), "at": panicSite(stack),
			})
			a := l10n.Args{"Kind": kind, "From": truncate(from, 100)}
			msg := s.lang.T("A malformed <{{.Kind}}/> from {{.From}} was ignored; the conversation goes on. It is recorded in the audit log.", a)
			if from == "" {
				msg = s.lang.T("A malformed <{{.Kind}}/> from the server was ignored; the conversation goes on. It is recorded in the audit log.", a)
			}
			s.emit(event.Error{Message: msg, Code: event.CodeProtocol})
		}
	}()
	h()
	return true
}

// panicSite returns the first frame of a panic's stack in this module
// outside the guard itself, for the audit record.
func panicSite(stack string) string {
	lines := strings.Split(stack, "\n")
	for i := 0; i+1 < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.Contains(l, "palisade/session.") && !strings.Contains(l, "guard") && !strings.Contains(l, "panic") {
			return truncate(l+" "+strings.TrimSpace(lines[i+1]), 300)
		}
	}
	return ""
}

// suspicious records a stanza that looks like an attack (a forged
// sender, a spoofed answer, a malformed stanza) in the audit log, at most
// suspectPerMinute records of each kind a minute so that a flood cannot
// fill the disk; the records left out are counted in the next one.
func (s *Session) suspicious(kind string, fields map[string]any) {
	now := time.Now()
	s.guard.mu.Lock()
	if s.guard.window == nil {
		s.guard.window = map[string]*suspectWindow{}
	}
	w := s.guard.window[kind]
	if w == nil || now.Sub(w.start) >= time.Minute {
		prev := 0
		if w != nil {
			prev = w.suppressed
		}
		w = &suspectWindow{start: now, suppressed: prev}
		s.guard.window[kind] = w
	}
	if w.written >= suspectPerMinute {
		w.suppressed++
		s.guard.mu.Unlock()
		return
	}
	w.written++
	if w.suppressed > 0 {
		fields["suppressed_before"] = w.suppressed
		w.suppressed = 0
	}
	s.guard.mu.Unlock()
	for k, v := range fields {
		if str, ok := v.(string); ok {
			fields[k] = truncate(str, 300)
		}
	}
	s.audit(kind, fields)
}

// spoofed counts and records a stanza refused by a sender check: what it
// was, who sent it and who alone may send it.
func (s *Session) spoofed(what, from, want string) {
	s.guard.mu.Lock()
	s.guard.spoofed++
	s.guard.mu.Unlock()
	s.suspicious("forged_stanza", map[string]any{"stanza": what, "from": from, "expected": want})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// refused is a snapshot of the counters the room, bookmark, PubSub and
// archive handlers keep of the messages their sender checks refused.
type refused struct{ muc, pubsub, mam int64 }

func (s *Session) refusedCounts() refused {
	return refused{s.muc.forged.Load(), s.prof.ignored.Load(), s.mamIgnored.Load()}
}

// noteRefused records in the audit log a message that one of those
// handlers refused (its counter moved since before).
func (s *Session) noteRefused(st *inStanza, before refused) {
	now := s.refusedCounts()
	switch {
	case now.muc > before.muc:
		s.spoofed("room or bookmarks message", st.From, "the room or the account")
	case now.pubsub > before.pubsub:
		s.spoofed("pubsub notification", st.From, "the subscribed service")
	case now.mam > before.mam:
		s.spoofed("archive result", st.From, "the archive queried")
	}
}

// iqReplyOK reports whether from may answer an IQ sent to to: the
// addressee itself, or for an IQ to the account (no 'to', or the bare
// JID) the account's server on its behalf (no 'from', the bare or the
// full JID).
func (c *conn) iqReplyOK(to, from string) bool {
	if c == nil {
		return true
	}
	if to == "" || sameJID(to, c.bare) {
		return from == "" || c.fromSelf(from) || sameJID(from, c.jid.String())
	}
	return sameJID(from, to)
}

// security is the profile's sign-in floor (none when unmanaged).
func (s *Session) security() profile.Security {
	if s.cfg.Profiles == nil {
		return profile.Security{}
	}
	if p := s.cfg.Profiles.Active(); p != nil {
		return p.Security
	}
	return profile.Security{}
}

// saslFloor keeps, in order, the mechanisms the profile allows: only the
// -PLUS ones with require_channel_binding, no SHA-1 with min_sasl
// SCRAM-SHA-256. When nothing the server offers is left, the sign-in
// fails before any credential is sent.
func saslFloor(ms []sasl.Mechanism, sec profile.Security) []sasl.Mechanism {
	var out []sasl.Mechanism
	for _, m := range ms {
		plus := strings.HasSuffix(m.Name, "-PLUS")
		if sec.RequireChannelBinding && !plus {
			continue
		}
		if sec.MinSASL == profile.MinSASLSHA256 && strings.HasPrefix(m.Name, "SCRAM-SHA-1") {
			continue
		}
		out = append(out, m)
	}
	return out
}
