package session

import (
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"time"

	"mellium.im/xmlstream"
	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// writeRaw writes one element to the stream.
func (c *conn) writeRaw(e *el) error {
	c.raw.SetWriteDeadline(time.Now().Add(writeTimeout))
	w := c.xs.TokenWriter()
	defer w.Close()
	if err := e.encode(w); err != nil {
		return err
	}
	return w.Flush()
}

// readLoop reads the stream until it ends, turning stanzas into events.
// mellium's Serve is not used: every inbound stanza must be counted for
// stream management, and every answer must go through the counted write
// path, which Serve's automatic IQ replies and response routing would not.
//
// Every stanza is bounded (limits.go: size, depth, no directives, a rate
// cap) and handled under a guard (guard.go): a handler that panics drops
// that one stanza, which is still counted for stream management so that
// the server does not send it again, and the stream goes on.
func (c *conn) readLoop() {
	defer close(c.done)
	r := c.xs.TokenReader()
	defer r.Close()
	rate := newRateLimiter(c.s.lim.stanzaRate, c.s.lim.stanzaBurst)
	for {
		if c.lim != nil {
			c.lim.mark() // a new top-level element: its bytes are counted afresh
		}
		tok, err := r.Token()
		if err != nil {
			c.end(err)
			return
		}
		c.lastRead.Store(time.Now().UnixNano())
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if wait := rate.take(time.Now()); wait > 0 {
			time.Sleep(wait) // a flood waits at the server, not in our memory
		}
		d := xml.NewTokenDecoder(&stanzaReader{
			r:   xmlstream.MultiReader(xmlstream.Token(start), xmlstream.InnerElement(r)),
			max: maxStanzaDepth,
		})
		if _, err := d.Token(); err != nil {
			c.end(err)
			return
		}
		switch {
		case start.Name.Space == nsSM:
			// A panic while reading a stream management element would
			// leave the stream out of step: it ends the connection.
			if !c.s.guarded("sm:"+start.Name.Local, "", "", func() { err = c.s.onSM(c, d, &start) }) && err == nil {
				err = errors.New("a malformed stream management element")
			}
		case start.Name.Space == nsClient && (start.Name.Local == "message" || start.Name.Local == "presence" || start.Name.Local == "iq"):
			var st inStanza
			if err = d.DecodeElement(&st, &start); err != nil {
				break
			}
			c.s.guarded(start.Name.Local, st.From, st.ID, func() { c.s.onStanza(c, &st) })
			c.s.mu.Lock()
			if c.s.sm.enabled {
				c.s.sm.inH++
			}
			c.s.mu.Unlock()
		default:
			err = d.Skip()
		}
		if err != nil {
			c.end(err)
			return
		}
	}
}

// end records why the read loop stopped; a broken limit is also recorded
// in the audit log.
func (c *conn) end(err error) {
	if c.closing.Load() {
		err = nil
	}
	if err == nil {
		err = errClosed
	}
	for _, lim := range []error{errStanzaTooLarge, errStanzaTooDeep, errDirective} {
		if errors.Is(err, lim) {
			c.s.suspicious("stream_limit", map[string]any{"reason": lim.Error()})
			err = &failure{code: event.CodeProtocol, err: err, msg: c.s.limitBroken(lim)}
		}
	}
	c.err = err
}

var errClosed = errors.New("the server closed the stream")

// keepalive watches an idle connection: after interval without traffic it
// asks the server for an acknowledgement (or sends a whitespace ping without
// stream management); after three intervals of silence the connection is
// taken for dead and closed, which starts a reconnection.
func (c *conn) keepalive(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case now := <-t.C:
			idle := now.Sub(time.Unix(0, c.lastRead.Load()))
			switch {
			case idle > 3*interval:
				c.raw.Close()
				return
			case idle >= interval:
				c.s.mu.Lock()
				if c.s.sm.enabled {
					c.writeRaw(elem(nsSM, "r"))
				} else {
					c.raw.SetWriteDeadline(time.Now().Add(writeTimeout))
					w := c.xs.TokenWriter()
					w.EncodeToken(xml.CharData(" "))
					w.Close()
				}
				c.s.mu.Unlock()
			}
		}
	}
}

func (s *Session) onSM(c *conn, d *xml.Decoder, start *xml.StartElement) error {
	var v struct {
		H      string `xml:"h,attr"`
		ID     string `xml:"id,attr"`
		Resume string `xml:"resume,attr"`
	}
	if err := d.DecodeElement(&v, start); err != nil {
		return err
	}
	switch start.Name.Local {
	case "r":
		s.mu.Lock()
		h := s.sm.inH
		err := c.writeRaw(elem(nsSM, "a", "h", strconv.FormatUint(uint64(h), 10)))
		s.mu.Unlock()
		return err
	case "a":
		h, err := strconv.ParseUint(v.H, 10, 32)
		if err != nil {
			return errors.New("the server sent an acknowledgement with a bad count")
		}
		s.mu.Lock()
		if !s.sm.plausible(uint32(h)) {
			// More acknowledged than sent: nothing is taken as delivered.
			// The connection ends and the stream is not resumed; the next
			// session sends the unacknowledged messages again.
			n := len(s.sm.unacked)
			s.sm.id = ""
			s.mu.Unlock()
			s.suspicious("forged_ack", map[string]any{"h": h, "outstanding": n})
			return &failure{code: event.CodeProtocol,
				msg: s.lang.T("The server acknowledged {{.Acked}} stanzas, more than were sent; Palisade starts a new session and sends the unacknowledged messages again.", l10n.Args{"Acked": h})}
		}
		acked, aerr := s.sm.ack(uint32(h))
		s.mu.Unlock()
		if aerr != nil {
			s.emit(event.Error{Message: s.lang.T("stream management: {{.Err}}", l10n.Args{"Err": aerr.Error()}), Code: event.CodeProtocol})
		}
		s.reportAcked(acked)
	case "enabled":
		s.mu.Lock()
		s.sm.enable(v.ID, v.Resume == "true" || v.Resume == "1", c.jid.String())
		s.mu.Unlock()
		c.enabled <- true
	case "failed":
		c.enabled <- false
	}
	return nil
}

// fromSelf reports whether a stanza's 'from' is the account itself: no
// 'from' at all, or exactly the user's bare JID. Roster pushes and carbons
// are accepted only from there.
func (c *conn) fromSelf(from string) bool {
	if from == "" || from == c.bare {
		return true
	}
	j, err := jid.Parse(from)
	return err == nil && j.Resourcepart() == "" && j.Equal(c.s.bare)
}

func (s *Session) onStanza(c *conn, st *inStanza) {
	switch st.XMLName.Local {
	case "message":
		s.onMessage(c, st)
	case "presence":
		s.onPresence(c, st)
	case "iq":
		s.onIQ(c, st)
	}
}

func messageTime(st *inStanza) (time.Time, bool) {
	if st.Delay != nil {
		if t, err := time.Parse(time.RFC3339Nano, st.Delay.Stamp); err == nil {
			return t.UTC(), true
		}
	}
	return time.Now().UTC(), false
}

func (s *Session) onMessage(c *conn, st *inStanza) {
	// The room, bookmark, PubSub and archive handlers count what their
	// sender checks refuse; whatever they refused here is recorded.
	defer s.noteRefused(st, s.refusedCounts())
	if s.onMUCMessage(c, st) {
		return // group chat, private message in a room, invitation, bookmarks
	}
	if st.PubSubEvent != nil && st.Type != "error" && s.onPubSubEvent(c, st) {
		return
	}
	if st.MAMResult != nil {
		s.onMAMResult(c, st) // an archive result, never a live message
		return
	}
	if s.onEnrolMessage(c, st) {
		return // a certificate request or IT's answer (enrol.go)
	}
	switch st.Type {
	case "error":
		s.emit(event.Error{Message: s.lang.T("A message to {{.To}} was not delivered: {{.Err}}", l10n.Args{"To": st.From, "Err": st.Error.String()}), Code: event.CodeProtocol})
		return
	case "groupchat", "headline":
		return
	}
	if st.CarbonSent != nil || st.CarbonRecvd != nil {
		if !c.fromSelf(st.From) {
			s.forged.Add(1)
			s.spoofed("carbon", st.From, c.bare)
			return // a forged carbon
		}
		if fw := st.CarbonSent.message(); fw != nil {
			if fw.Body != nil && *fw.Body != "" {
				t, delayed := messageTime(fw)
				s.chatMessage(event.Message{ID: fw.ID, From: fw.From, To: fw.To, Body: *fw.Body, Time: t,
					Outgoing: true, Carbon: true, Delayed: delayed, Trust: s.trustOf(fw.To)}, fw)
			}
			return
		}
		if fw := st.CarbonRecvd.message(); fw != nil && fw.Type != "error" {
			in, tr := s.inbound(fw.From)
			if in.Drop {
				return
			}
			if cs := fw.chatState(); cs != "" {
				s.emitChatState(event.ChatState{From: fw.From, State: cs, Trust: tr})
			}
			if fw.Body != nil && *fw.Body != "" {
				t, delayed := messageTime(fw)
				s.chatMessage(event.Message{ID: fw.ID, From: fw.From, To: fw.To, Body: *fw.Body, Time: t,
					Carbon: true, Delayed: delayed, Request: in.Request, Trust: tr}, fw)
			}
		}
		return
	}
	in, tr := s.inbound(st.From)
	if in.Drop {
		return // blocked: no event, no receipt, no file
	}
	defer s.fileOffer(st, tr) // a file link, after the message event
	if st.Receipt != nil && st.Receipt.ID != "" {
		s.emit(event.Receipt{ID: st.Receipt.ID, From: st.From, Trust: tr})
	}
	if cs := st.chatState(); cs != "" {
		s.emitChatState(event.ChatState{From: st.From, State: cs, Trust: tr}) // silent during focus (focus.go)
	}
	if st.Body == nil || *st.Body == "" {
		return
	}
	t, delayed := messageTime(st)
	s.chatMessage(event.Message{ID: st.ID, From: st.From, To: st.To, Body: *st.Body, Time: t, Delayed: delayed,
		Request: in.Request, Trust: tr}, st)
	if st.ReceiptRequest != nil && st.ID != "" && st.From != "" {
		s.mu.Lock()
		if s.mayKnowPresence(c, st.From) {
			s.write(c, &outStanza{el: receiptMessage(randomID(), st.From, st.ID)})
		}
		s.mu.Unlock()
	}
}

func (s *Session) onPresence(c *conn, st *inStanza) {
	if s.onRoomPresence(c, st) {
		return // from a room: occupants (muc.go)
	}
	bare := st.From
	if i := strings.IndexByte(bare, '/'); i >= 0 {
		bare = bare[:i]
	}
	in, tr := s.inbound(st.From)
	if in.Drop {
		return
	}
	switch st.Type {
	case "":
		if st.From == c.jid.String() {
			return // our own presence, reflected
		}
		show := st.Show
		if show == "" {
			show = event.ShowAvailable
		}
		switch show {
		case event.ShowAvailable, event.ShowChat, event.ShowAway, event.ShowXA, event.ShowDND:
		default:
			show = event.ShowAvailable
		}
		s.emit(event.Presence{From: st.From, JID: bare, Show: show, Status: st.Status, Priority: st.Priority, Trust: tr})
	case "unavailable":
		if st.From == c.jid.String() {
			return
		}
		s.emit(event.Presence{From: st.From, JID: bare, Show: event.ShowUnavailable, Status: st.Status, Trust: tr})
	case "subscribe":
		s.emit(event.SubscriptionRequest{From: bare, Status: st.Status, Trust: tr})
	}
}

func (s *Session) onIQ(c *conn, st *inStanza) {
	switch st.Type {
	case "result", "error":
		s.iqMu.Lock()
		h := s.iqs[st.ID]
		to, checked := s.guard.iqTo[st.ID]
		if h != nil && checked && !c.iqReplyOK(to, st.From) {
			// An answer with the right id from the wrong sender: a
			// spoofed reply. The handler waits for the real one.
			s.iqMu.Unlock()
			want := to
			if want == "" {
				want = c.bare
			}
			s.spoofed("iq "+st.Type, st.From, want)
			return
		}
		delete(s.iqs, st.ID)
		delete(s.guard.iqTo, st.ID)
		s.iqMu.Unlock()
		if h != nil {
			h(st)
		}
		return
	case "get", "set":
	default:
		return
	}
	var reply *el
	switch {
	case st.Roster != nil && st.Type == "set":
		if !c.fromSelf(st.From) {
			// A roster push from anyone but the server on the user's
			// behalf is forged (RFC 6121 §2.1.6): refuse and ignore it.
			s.forged.Add(1)
			s.spoofed("roster push", st.From, c.bare)
			reply = iqError(st.ID, st.From, "service-unavailable", "cancel")
			break
		}
		s.onRosterPush(st.Roster)
		reply = iq("result", st.ID, st.From)
	case (st.Block != nil || st.Unblock != nil) && st.Type == "set":
		if !c.fromSelf(st.From) {
			s.forged.Add(1) // only the account's server may push the blocklist
			s.spoofed("blocklist push", st.From, c.bare)
			reply = iqError(st.ID, st.From, "service-unavailable", "cancel")
			break
		}
		s.onBlockPush(st)
		reply = iq("result", st.ID, st.From)
	case st.Ping != nil && st.Type == "get":
		reply = iq("result", st.ID, st.From)
	case st.DiscoInfo != nil && st.Type == "get":
		q := elem(nsDiscoInfo, "query", "node", st.DiscoInfo.Node).add(
			elem("", "identity", "category", "client", "type", "pc", "name", "Palisade"))
		for _, f := range discoFeatures() { // caps.go
			q.add(elem("", "feature", "var", f))
		}
		reply = iq("result", st.ID, st.From, q)
	default:
		reply = iqError(st.ID, st.From, "service-unavailable", "cancel")
	}
	s.mu.Lock()
	s.write(c, &outStanza{el: reply})
	s.mu.Unlock()
}

func (s *Session) onRosterPush(q *rosterQuery) {
	for _, it := range q.Items {
		ct := contactOf(it)
		ct.Trust = s.trustOf(ct.JID)
		removed := it.Subscription == "remove"
		s.mu.Lock()
		if removed {
			delete(s.roster, it.JID)
			ct.Subscription = "none"
		} else {
			s.roster[it.JID] = ct
		}
		s.mu.Unlock()
		s.emit(event.RosterPush{Contact: ct, Removed: removed})
	}
}

// mayKnowPresence reports whether from may see the user's presence: the
// account itself, or a contact with a 'from' or 'both' subscription. A
// receipt tells the sender the user is online, so XEP-0184 §8 asks not to
// send one to anyone else. s.mu is held.
func (s *Session) mayKnowPresence(c *conn, from string) bool {
	bare := from
	if i := strings.IndexByte(bare, '/'); i >= 0 {
		bare = bare[:i]
	}
	if bare == c.bare {
		return true
	}
	ct, ok := s.roster[bare]
	if !ok {
		if j, err := jid.Parse(bare); err == nil {
			ct, ok = s.roster[j.String()]
		}
	}
	return ok && (ct.Subscription == "from" || ct.Subscription == "both")
}
