package session

import (
	"strings"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// Blocking (XEP-0191). The user's blocks live on the server, which then
// drops everything from the blocked JIDs and domains (a bare domain blocks
// the whole domain), and in the local policy (Rules.UserBlocked), so that
// the session drops and refuses on its own as well. The blocklist is fetched
// at sign-in and kept current by the server's pushes, which are accepted
// only from the account itself.

const nsBlocking = "urn:xmpp:blocking"

// blockItems is the payload of <blocklist/>, <block/> and <unblock/>.
type blockItems struct {
	Items []struct {
		JID string `xml:"jid,attr"`
	} `xml:"item"`
}

// jids returns the items as bare JIDs or domains, skipping invalid ones.
func (b *blockItems) jids() []string {
	var l []string
	for _, it := range b.Items {
		if j, ok := bareJID(it.JID); ok {
			l = append(l, j)
		}
	}
	return l
}

// requestBlocklist asks for the blocklist at sign-in. s.mu is held.
func (s *Session) requestBlocklist(c *conn) error {
	return s.sendIQ(c, iq("get", randomID(), "", elem(nsBlocking, "blocklist")), s.onBlocklist)
}

// onBlocklist replaces the user's blocks with the server's list. A server
// without blocking keeps the stored list in force on this device.
func (s *Session) onBlocklist(st *inStanza) {
	if st.Type != "result" || st.Blocklist == nil {
		return
	}
	next := map[string]bool{}
	for _, j := range st.Blocklist.jids() {
		next[j] = true
	}
	p := &s.pol
	p.mu.Lock()
	var added, removed []string
	for j := range next {
		if !p.blocked[j] {
			added = append(added, j)
		}
	}
	for j := range p.blocked {
		if !next[j] {
			removed = append(removed, j)
		}
	}
	changed := len(added)+len(removed) > 0
	var err error
	if changed {
		p.blocked = next
		if err = p.rebuild(); err == nil {
			err = p.save()
		}
	}
	p.mu.Unlock()
	if !changed {
		return
	}
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The blocklist could not be saved on this device: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
	for _, j := range sortedList(added) {
		s.emit(event.Blocked{JID: j})
	}
	for _, j := range sortedList(removed) {
		s.emit(event.Unblocked{JID: j})
	}
	s.refreshRoster()
}

// setBlocked adds (or removes) blocks in the local policy, persists them and
// emits Blocked (or Unblocked) for each one that changed. An empty list with
// block false lifts every block (an <unblock/> push without items).
func (s *Session) setBlocked(jids []string, block, all bool) {
	p := &s.pol
	p.mu.Lock()
	var changed []string
	if all && !block {
		for j := range p.blocked {
			changed = append(changed, j)
		}
		p.blocked = map[string]bool{}
	}
	for _, j := range jids {
		if p.blocked[j] != block {
			changed = append(changed, j)
			if block {
				p.blocked[j] = true
			} else {
				delete(p.blocked, j)
			}
		}
	}
	var err error
	if len(changed) > 0 {
		if err = p.rebuild(); err == nil {
			err = p.save()
		}
	}
	p.mu.Unlock()
	if len(changed) == 0 {
		return
	}
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The blocklist could not be saved on this device: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
	for _, j := range sortedList(changed) {
		if block {
			s.emit(event.Blocked{JID: j})
		} else {
			s.emit(event.Unblocked{JID: j})
		}
	}
	s.refreshRoster()
}

// onBlockPush applies a blocklist push from the server (another resource
// of the account blocked or unblocked someone). The caller checked that it
// comes from the account itself.
func (s *Session) onBlockPush(st *inStanza) {
	if st.Block != nil {
		s.setBlocked(st.Block.jids(), true, false)
	}
	if st.Unblock != nil {
		s.setBlocked(st.Unblock.jids(), false, len(st.Unblock.Items) == 0)
	}
}

// block asks the server to block a JID or a domain and applies it to the
// local policy. If the server refuses, the block holds on this device only
// and an error says so.
func (s *Session) block(c event.Block) {
	j, ok := bareJID(strings.TrimSpace(c.JID))
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid address or domain: {{.Address}}", l10n.Args{"Address": c.JID}))
		return
	}
	if j == s.bare.String() || j == s.bare.Domainpart() {
		s.badCommand(c, s.lang.T("You cannot block your own account or your own domain."))
		return
	}
	s.withConn(c, func(cur *conn) {
		s.sendIQ(cur, iq("set", randomID(), "", elem(nsBlocking, "block").add(elem("", "item", "jid", j))), func(st *inStanza) {
			if st.Type == "error" {
				s.emit(event.Error{Message: s.lang.T("The server could not block {{.JID}} ({{.Err}}); it is blocked on this device only.", l10n.Args{"JID": j, "Err": st.Error.String()}), Code: event.CodeProtocol, Command: c.CommandName()})
			}
			s.setBlocked([]string{j}, true, false)
		})
	})
}

// unblock lifts a block on the server and in the local policy.
func (s *Session) unblock(c event.Unblock) {
	j, ok := bareJID(strings.TrimSpace(c.JID))
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid address or domain: {{.Address}}", l10n.Args{"Address": c.JID}))
		return
	}
	s.withConn(c, func(cur *conn) {
		s.sendIQ(cur, iq("set", randomID(), "", elem(nsBlocking, "unblock").add(elem("", "item", "jid", j))), func(st *inStanza) {
			if st.Type == "error" {
				s.emit(event.Error{Message: s.lang.T("The server could not unblock {{.JID}}: {{.Err}}", l10n.Args{"JID": j, "Err": st.Error.String()}), Code: event.CodeProtocol, Command: c.CommandName()})
				return
			}
			s.setBlocked([]string{j}, false, false)
		})
	})
}

func sortedList(l []string) []string {
	m := make(map[string]bool, len(l))
	for _, v := range l {
		m[v] = true
	}
	return sortedKeys(m)
}
