package session

import (
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// MAM (XEP-0313) catch-up, paged with RSM (XEP-0059).
//
// After each sign-in (not after a resumed stream: nothing was lost) the
// session asks the user's own archive for everything after the saved sync
// point, page by page, and passes every result through the same path as a
// live message: the policy (blocked senders dropped, unknown ones marked as
// requests), the local archive, and a Message event marked Archived (shown
// in history, never notified). The sync point is saved after every page, so
// an interrupted catch-up resumes where it stopped.
//
// A result is accepted only when it comes from the archive that was asked
// (the user's own bare JID, or the room queried) and carries the queryid
// of the page in flight. Anything else wrapping a MAM result, such as a
// message from a stranger forging one "from" a colleague, is ignored and
// counted (mamIgnored); it is never reported as a message.

const (
	nsMAM = "urn:xmpp:mam:2"
	nsRSM = "http://jabber.org/protocol/rsm"

	// mamPageSize is the page size asked for: the largest ejabberd
	// allows, and what the test Prosody allows (a server with a lower
	// limit sends smaller pages and paging goes on).
	mamPageSize = 250
)

// mamResultWrap is <result xmlns='urn:xmpp:mam:2'/> in a message.
type mamResultWrap struct {
	QueryID   string `xml:"queryid,attr"`
	ID        string `xml:"id,attr"`
	Forwarded *struct {
		Delay *struct {
			Stamp string `xml:"stamp,attr"`
		} `xml:"urn:xmpp:delay delay"`
		Message *inStanza `xml:"message"`
	} `xml:"urn:xmpp:forward:0 forwarded"`
}

// mamFin is <fin xmlns='urn:xmpp:mam:2'/>, the answer to a query.
type mamFin struct {
	Complete string `xml:"complete,attr"`
	Set      struct {
		First string `xml:"first"`
		Last  string `xml:"last"`
	} `xml:"http://jabber.org/protocol/rsm set"`
}

// mamResult is one accepted archive result.
type mamResult struct {
	ID   string    // the archive's id for it (its stanza-id there)
	Time time.Time // when the archive received it
	Msg  *inStanza // the archived message
}

// mamConvert turns an accepted result into the event to report and the
// record to store; either may be nil (nothing to report: a duplicate, a
// blocked sender; nothing to store: not a message).
type mamConvert func(mamResult) (event.Event, *archive.Message)

// mamQuery is one catch-up in progress.
type mamQuery struct {
	stream  *conn  // the stream it was asked on
	archive string // the JID queried: the user's bare JID, or a room's
	name    string // for HistorySynced: "own" or the room's JID
	convert mamConvert
	id      string // queryid of the page in flight
	after   string // RSM: the last id stored
	start   time.Time
	exact   bool // start is exact (the run's first sign-in), not an expired sync point's time
	retried bool
	pending []mamResult
	added   int
	ignored int
}

// queryArchive starts a catch-up of archiveJID's archive (the user's bare
// JID, or a room's bare JID) from its saved sync point, page by page,
// handing every accepted result to convert, storing what it returns, and
// emitting HistorySynced with name ("own" or the room's JID) at the end.
// s.mu is held.
func (s *Session) queryArchive(c *conn, archiveJID, name string, convert mamConvert) error {
	q := &mamQuery{archive: archiveJID, name: name, convert: convert}
	if s.cfg.Archive == nil {
		h := &s.hist
		h.mu.Lock()
		if sp, ok := h.mem[archiveJID]; ok {
			q.after = sp.LastID
		} else {
			q.start, q.exact = h.memStart, true
		}
		h.mu.Unlock()
	}
	if a := s.cfg.Archive; a != nil {
		sp, ok, err := a.SyncPointOf(s.bare.String(), archiveJID)
		if err != nil {
			s.emit(event.Error{Message: s.lang.T("The local archive's sync point could not be read: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		}
		if ok {
			q.after = sp.LastID
			q.start = sp.Updated
		}
	}
	return s.mamPage(c, q)
}

// mamPage asks for the next page. s.mu is held.
func (s *Session) mamPage(c *conn, q *mamQuery) error {
	q.id = randomID()
	q.pending = nil
	q.stream = c
	s.hist.pages.Add(1)
	h := &s.hist
	h.mu.Lock()
	if h.queries == nil {
		h.queries = map[string]*mamQuery{}
	}
	h.queries[q.id] = q
	h.mu.Unlock()
	form := elem(nsXData, "x", "type", "submit").add(
		elem("", "field", "var", "FORM_TYPE", "type", "hidden").add(child("value", nsMAM)))
	set := elem(nsRSM, "set").add(child("max", itoa(mamPageSize)))
	if q.after != "" {
		set.add(child("after", q.after))
	} else if q.exact {
		form.add(elem("", "field", "var", "start").add(child("value", q.start.UTC().Format(time.RFC3339Nano))))
	} else if !q.start.IsZero() {
		// The sync point's id is gone from the server's archive (expired):
		// start from a little before it was saved; duplicates are skipped.
		form.add(elem("", "field", "var", "start").add(child("value", q.start.Add(-10*time.Minute).UTC().Format(time.RFC3339))))
	}
	to := q.archive
	if to == s.bare.String() {
		to = "" // the user's own archive: no 'to'
	}
	queryID := q.id
	return s.sendIQ(c, iq("set", randomID(), to, elem(nsMAM, "query", "queryid", q.id).add(form, set)), func(st *inStanza) {
		s.onMAMFin(c, q, queryID, st)
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// fromArchive reports whether from is the archive q queried.
func (c *conn) fromArchive(q *mamQuery, from string) bool {
	if q.archive == c.s.bare.String() {
		return c.fromSelf(from)
	}
	a, err1 := jid.Parse(q.archive)
	f, err2 := jid.Parse(from)
	return err1 == nil && err2 == nil && f.Equal(a)
}

// onMAMResult takes a message carrying a MAM result: kept for its page
// when it answers a query in flight from the archive asked, else ignored.
func (s *Session) onMAMResult(c *conn, st *inStanza) {
	r := st.MAMResult
	h := &s.hist
	h.mu.Lock()
	q := h.queries[r.QueryID]
	h.mu.Unlock()
	if q == nil || r.QueryID == "" || !c.fromArchive(q, st.From) || r.ID == "" || r.Forwarded == nil || r.Forwarded.Message == nil {
		s.mamIgnored.Add(1)
		if q != nil {
			q.ignored++
		}
		return
	}
	t := time.Now().UTC()
	if d := r.Forwarded.Delay; d != nil {
		if v, err := time.Parse(time.RFC3339Nano, d.Stamp); err == nil {
			t = v.UTC()
		}
	}
	q.pending = append(q.pending, mamResult{ID: r.ID, Time: t, Msg: r.Forwarded.Message})
}

// onMAMFin ends a page: its results are reported and stored in one go, the
// sync point is saved, and the next page is asked for until the archive
// says the query is complete.
func (s *Session) onMAMFin(c *conn, q *mamQuery, queryID string, st *inStanza) {
	h := &s.hist
	h.mu.Lock()
	delete(h.queries, queryID)
	h.mu.Unlock()
	if st.Type == "error" || !c.fromArchive(q, st.From) || st.MAMFin == nil {
		if st.Type == "error" && q.after != "" && !q.retried && hasCondition(st.Error, "item-not-found") {
			q.retried, q.after = true, ""
			s.mu.Lock()
			if s.cur == c {
				s.mamPage(c, q)
			}
			s.mu.Unlock()
			return
		}
		a := l10n.Args{"Archive": q.name, "Err": s.lang.T("an unexpected answer")}
		if st.Type == "error" {
			a["Err"] = st.Error.String()
		}
		msg := s.lang.T("The server's message archive ({{.Archive}}) could not be read: {{.Err}}", a)
		if q.name == "own" {
			msg = s.lang.T("The server's message archive (own) could not be read: {{.Err}}", a)
		}
		s.emit(event.Error{Message: msg, Code: event.CodeProtocol})
		s.emit(event.HistorySynced{Archive: q.name, Count: q.added, Ignored: q.ignored})
		return
	}
	pending := q.pending
	last := st.MAMFin.Set.Last
	if last == "" && len(pending) > 0 {
		last = pending[len(pending)-1].ID
	}
	complete := st.MAMFin.Complete == "true" || st.MAMFin.Complete == "1" || len(pending) == 0 || last == ""
	// The next page is asked for before this one is stored and reported,
	// so that the server looks it up while the client works. Its sync
	// point is saved only after this page is stored.
	asked := false
	if !complete {
		s.mu.Lock()
		if s.cur == c {
			after := q.after
			q.after = last
			if s.mamPage(c, q) == nil {
				asked = true
			} else {
				q.after = after
			}
		}
		s.mu.Unlock()
	}
	var evs []event.Event
	var ams []archive.Message
	for _, r := range pending {
		ev, am := q.convert(r)
		if am != nil {
			ams = append(ams, *am)
		}
		if ev != nil {
			evs = append(evs, ev)
		}
	}
	q.added += s.store(ams...)
	for _, ev := range evs {
		s.emit(ev)
	}
	if last != "" {
		q.after = last
		s.saveSyncPoint(q.archive, last)
	}
	if asked {
		return
	}
	if q.archive == s.bare.String() && complete {
		h.mu.Lock()
		h.ownSynced = true
		h.mu.Unlock()
	}
	s.emit(event.HistorySynced{Archive: q.name, Count: q.added, Complete: complete, Ignored: q.ignored})
}

func (s *Session) saveSyncPoint(archiveJID, last string) {
	a := s.cfg.Archive
	if a == nil {
		h := &s.hist
		h.mu.Lock()
		if h.mem == nil {
			h.mem = map[string]archive.SyncPoint{}
		}
		h.mem[archiveJID] = archive.SyncPoint{Account: s.bare.String(), Archive: archiveJID, LastID: last, Updated: time.Now().UTC()}
		h.mu.Unlock()
		return
	}
	if err := a.SetSyncPoint(archive.SyncPoint{Account: s.bare.String(), Archive: archiveJID, LastID: last, Updated: time.Now().UTC()}); err != nil {
		s.emit(event.Error{Message: s.lang.T("The local archive's sync point could not be saved: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
}

func hasCondition(e *stanzaError, cond string) bool {
	if e == nil {
		return false
	}
	for _, c := range e.Conditions {
		if c.XMLName.Space == nsStanzaErr && c.XMLName.Local == cond {
			return true
		}
	}
	return false
}

// historySignedIn starts the catch-up of the user's own archive after a
// new sign-in. Without a local archive the first sign-in of the run fetches
// nothing (there is nowhere to keep history) and later ones catch up from
// the sync point kept in memory. s.mu is held.
func (s *Session) historySignedIn(c *conn) error {
	// Queries of a previous stream are never answered now (their IQ
	// handlers went with it); their entries are forgotten here, except the
	// ones this stream already started (rooms).
	h := &s.hist
	h.mu.Lock()
	for id, q := range h.queries {
		if q.stream != c {
			delete(h.queries, id)
		}
	}
	h.ownSynced = false
	if s.cfg.Archive == nil && h.memStart.IsZero() {
		// The run's first sign-in without a local archive: there is no
		// history to keep; from now on the sync point is kept in memory,
		// so a later sign-in catches up on what the server could not
		// deliver in between.
		h.memStart = time.Now().UTC()
		h.ownSynced = true
		h.mu.Unlock()
		return nil
	}
	h.mu.Unlock()
	return s.queryArchive(c, s.bare.String(), "own", s.ownResult)
}

// ownResult turns a result of the user's own archive into a 1:1 message,
// through the same policy as a live one.
func (s *Session) ownResult(r mamResult) (event.Event, *archive.Message) {
	fw := r.Msg
	switch fw.Type {
	case "", "chat", "normal":
	default:
		return nil, nil // room messages come from the rooms' archives
	}
	if fw.Body == nil || *fw.Body == "" || fw.From == "" {
		return nil, nil
	}
	own := s.bare.String()
	m := event.Message{ID: fw.ID, From: fw.From, To: fw.To, Body: *fw.Body, Time: r.Time, Delayed: true, Archived: true}
	switch {
	case peerOf(fw.From) == own:
		if fw.To == "" || peerOf(fw.To) == own {
			return nil, nil
		}
		m.Outgoing = true
		m.Trust = s.trustOf(fw.To)
	case fw.To == "" || peerOf(fw.To) == own:
		in, tr := s.inbound(fw.From)
		if in.Drop {
			return nil, nil // blocked: neither shown nor kept
		}
		m.Request, m.Trust = in.Request, tr
	default:
		return nil, nil // neither from nor to the user: not theirs
	}
	am := s.archiveOf(m, nil)
	am.StanzaID = r.ID
	am.OriginID = fw.originID()
	if s.markSeen(seenKeys(am.SenderBare, am.MessageID, am.OriginID, am.StanzaID)...) {
		return nil, &am // already reported in this run: stored, not reported twice
	}
	return m, &am
}

// liveSyncPoint moves the own archive's sync point to a message received
// live, once catch-up is complete: everything before it has been seen, so
// the next sign-in asks only for what came after.
func (s *Session) liveSyncPoint(st *inStanza) {
	id := st.stanzaIDBy(s.bare.String())
	if id == "" {
		return
	}
	h := &s.hist
	h.mu.Lock()
	ok := h.ownSynced
	h.mu.Unlock()
	if ok {
		s.saveSyncPoint(s.bare.String(), id)
	}
}
