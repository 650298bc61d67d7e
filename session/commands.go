package session

import (
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

func (s *Session) badCommand(c event.Command, msg string) {
	s.emit(event.Error{Message: msg, Code: event.CodeBadCommand, Command: c.CommandName()})
}

func (s *Session) offline(c event.Command) {
	s.emit(event.Error{Message: s.lang.T("Not connected: try again when the connection is back."), Code: event.CodeNetwork, Command: c.CommandName()})
}

// bareJID checks a JID given by the user and returns its bare form.
func bareJID(v string) (string, bool) {
	j, err := jid.Parse(v)
	if err != nil || j.Domainpart() == "" {
		return "", false
	}
	return j.Bare().String(), true
}

// execute runs one command from the control loop.
func (s *Session) execute(cmd event.Command) {
	if s.trainingRefused(cmd) {
		return // training the profile requires is not done (training.go)
	}
	switch c := cmd.(type) {
	case *event.Send:
		s.execute(*c)
	case *event.GetRoster:
		s.execute(*c)
	case *event.SetPresence:
		s.execute(*c)
	case *event.SendChatState:
		s.execute(*c)
	case *event.AddContact:
		s.execute(*c)
	case *event.RemoveContact:
		s.execute(*c)
	case *event.Approve:
		s.execute(*c)
	case *event.Decline:
		s.execute(*c)

	case event.Send:
		s.send(c)
	case event.GetRoster:
		s.mu.Lock()
		cur, have := s.cur, s.haveRost
		var l []event.Contact
		if have {
			l = s.rosterList()
		} else if cur != nil {
			s.sendIQ(cur, iq("get", randomID(), "", elem(nsRoster, "query")), s.onRoster)
		}
		s.mu.Unlock()
		if have {
			s.emit(event.Roster{Contacts: l})
		} else if cur == nil {
			s.emit(event.Roster{Contacts: []event.Contact{}})
		}
	case event.SetPresence:
		switch c.Show {
		case "", event.ShowAvailable, event.ShowChat, event.ShowAway, event.ShowXA, event.ShowDND, event.ShowUnavailable:
		default:
			s.badCommand(c, s.lang.T("Unknown presence {{.Show}}: use available, chat, away, xa or dnd.", l10n.Args{"Show": c.Show}))
			return
		}
		if c.Show == "" {
			c.Show = event.ShowAvailable
		}
		s.mu.Lock()
		s.presence = c
		if s.cur != nil {
			s.sendPresence(s.cur)
		}
		s.mu.Unlock()
	case event.SendChatState:
		to, ok := fullOrBare(c.To)
		if !ok {
			s.badCommand(c, s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": c.To}))
			return
		}
		switch c.State {
		case event.StateActive, event.StateComposing, event.StatePaused, event.StateInactive, event.StateGone:
		default:
			s.badCommand(c, s.lang.T("Unknown chat state {{.State}}", l10n.Args{"State": c.State}))
			return
		}
		if !s.mayNotify(to) {
			return // the policy does not let messages go there without asking
		}
		s.mu.Lock()
		if s.cur != nil {
			s.write(s.cur, &outStanza{el: chatStateMessage(randomID(), to, c.State)})
		}
		s.mu.Unlock()
	case event.AddContact:
		b, ok := bareJID(c.JID)
		if !ok {
			s.badCommand(c, s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": c.JID}))
			return
		}
		if s.refuseBlocked(c, b) {
			return
		}
		item := elem("", "item", "jid", b, "name", c.Name)
		for _, g := range c.Groups {
			item.add(child("group", g))
		}
		s.withConn(c, func(cur *conn) {
			s.sendIQ(cur, iq("set", randomID(), "", elem(nsRoster, "query").add(item)), s.iqFailed(c))
			s.write(cur, &outStanza{el: presence("subscribe", b, "", "")})
		})
	case event.RemoveContact:
		b, ok := bareJID(c.JID)
		if !ok {
			s.badCommand(c, s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": c.JID}))
			return
		}
		s.withConn(c, func(cur *conn) {
			s.sendIQ(cur, iq("set", randomID(), "", elem(nsRoster, "query").add(
				elem("", "item", "jid", b, "subscription", "remove"))), s.iqFailed(c))
		})
	case event.Approve:
		b, ok := bareJID(c.JID)
		if !ok {
			s.badCommand(c, s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": c.JID}))
			return
		}
		if s.refuseBlocked(c, b) {
			return
		}
		s.withConn(c, func(cur *conn) {
			s.write(cur, &outStanza{el: presence("subscribed", b, "", "")})
		})
	case event.Decline:
		b, ok := bareJID(c.JID)
		if !ok {
			s.badCommand(c, s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": c.JID}))
			return
		}
		s.withConn(c, func(cur *conn) {
			s.write(cur, &outStanza{el: presence("unsubscribed", b, "", "")})
		})
	default:
		if !s.executePolicy(cmd) && !s.executeProfile(cmd) && !s.executeFiles(cmd) && !s.executeMUC(cmd) && !s.executeHistory(cmd) && !s.executeAudit(cmd) && !s.executeEnrol(cmd) && !s.executeTor(cmd) && !s.executeFocus(cmd) && !s.executeIdentity(cmd) && !s.executeTraining(cmd) {
			s.badCommand(cmd, s.lang.T("Unknown command"))
		}
	}
}

func fullOrBare(v string) (string, bool) {
	j, err := jid.Parse(v)
	if err != nil || j.Domainpart() == "" {
		return "", false
	}
	return j.String(), true
}

// withConn runs f with s.mu held when online, or reports that the command
// needs a connection.
func (s *Session) withConn(c event.Command, f func(*conn)) {
	s.mu.Lock()
	cur := s.cur
	if cur != nil {
		f(cur)
	}
	s.mu.Unlock()
	if cur == nil {
		s.offline(c)
	}
}

func (s *Session) iqFailed(c event.Command) func(*inStanza) {
	return func(st *inStanza) {
		if st.Type == "error" {
			s.emit(event.Error{Message: s.lang.T("The server refused: {{.Err}}", l10n.Args{"Err": st.Error.String()}), Code: event.CodeProtocol, Command: c.CommandName()})
		}
	}
}

// send sends a chat message now, or queues it in the outbox when offline.
func (s *Session) send(c event.Send) {
	to, ok := fullOrBare(c.To)
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": c.To}))
		return
	}
	if c.Body == "" {
		s.badCommand(c, s.lang.T("An empty message cannot be sent."))
		return
	}
	trust, allowed := s.checkSend(c, to)
	if !allowed {
		return // refused: nothing is sent or queued
	}
	id := c.ID
	if id == "" {
		id = randomID()
	}
	s.archiveSent(id, to, c.Body, trust)
	s.mu.Lock()
	cur := s.cur
	if cur != nil {
		o := &outStanza{el: chatMessage(id, to, c.Body), msgID: id, to: to, body: c.Body}
		if err := s.write(cur, o); err == nil {
			s.mu.Unlock()
			s.emit(event.Sent{ID: id, To: to, Trust: trust})
			return
		}
		// The connection just failed: the message goes to the outbox
		// instead (unless stream management will send it again).
		if s.sm.enabled {
			s.sm.sent(o)
		}
	}
	err := s.outbox.add(outboxEntry{ID: id, To: to, Body: c.Body, Queued: time.Now().UTC()})
	s.mu.Unlock()
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The message could not be saved for later: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig, Command: c.CommandName()})
	}
	s.emit(event.Sent{ID: id, To: to, Queued: true, Trust: trust})
}
