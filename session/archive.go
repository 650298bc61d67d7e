package session

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// The local archive: every 1:1 message the session reports (incoming,
// sent, carbons both ways, MAM catch-up results) is stored with the peer's
// trust at that moment; the search, history and export commands are
// answered from it. Room messages come through archiveMessage.

// archiveFields are the parts of a message stanza the archive and MAM
// (XEP-0313, XEP-0359) need. inStanza embeds them.
type archiveFields struct {
	StanzaIDs []struct {
		ID string `xml:"id,attr"`
		By string `xml:"by,attr"`
	} `xml:"urn:xmpp:sid:0 stanza-id"`
	OriginID *struct {
		ID string `xml:"id,attr"`
	} `xml:"urn:xmpp:sid:0 origin-id"`
	MAMResult *mamResultWrap `xml:"urn:xmpp:mam:2 result"`
	MAMFin    *mamFin        `xml:"urn:xmpp:mam:2 fin"`
}

// stanzaIDBy returns the stanza-id assigned by by (a bare JID), or "".
// Only the archive that stamped a message may be believed: anyone can put
// a stanza-id in a message they send.
func (f *archiveFields) stanzaIDBy(by string) string {
	for _, s := range f.StanzaIDs {
		if s.By == by && s.ID != "" {
			return s.ID
		}
	}
	return ""
}

func (f *archiveFields) originID() string {
	if f.OriginID == nil {
		return ""
	}
	return f.OriginID.ID
}

// historyState is what the session keeps for the archive and catch-up.
type historyState struct {
	mu      sync.Mutex
	seen    map[string]bool      // messages reported in this run (sender|id, stanza-id): a MAM copy of one is stored, not reported again
	queries map[string]*mamQuery // MAM queries in flight, by queryid
	// ownSynced: the own archive's catch-up is complete on this stream, so
	// live messages move its sync point (liveSyncPoint).
	ownSynced bool
	retain    sync.Once
	pages     atomic.Int64 // MAM pages asked for
	// Without a local archive the sync points live in memory (mem), from
	// the first sign-in of the run (memStart): a message the server could
	// not deliver on a stream that was not resumed still comes back
	// through catch-up after the next sign-in; nothing is kept on disk.
	mem      map[string]archive.SyncPoint
	memStart time.Time
}

// maxSeen bounds the set of reported message keys.
const maxSeen = 50000

// markSeen records keys of a reported message and reports whether any of
// them had been seen before.
func (s *Session) markSeen(keys ...string) bool {
	h := &s.hist
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.seen == nil || len(h.seen) > maxSeen {
		h.seen = map[string]bool{}
	}
	dup := false
	for _, k := range keys {
		if k == "" {
			continue
		}
		if h.seen[k] {
			dup = true
		}
	}
	for _, k := range keys {
		if k != "" {
			h.seen[k] = true
		}
	}
	return dup
}

// seenKeys are the keys markSeen remembers for a 1:1 message.
func seenKeys(senderBare, msgID, originID, stanzaID string) []string {
	var k []string
	if stanzaID != "" {
		k = append(k, "sid|"+stanzaID)
	}
	if originID != "" {
		k = append(k, "oid|"+senderBare+"|"+originID)
	} else if msgID != "" {
		k = append(k, "id|"+senderBare+"|"+msgID)
	}
	return k
}

// chatMessage reports a 1:1 message (incoming, a carbon either way, or a
// MAM result) and stores it in the local archive. A message already
// reported in this run (the live copy of a catch-up result, or the other
// way round) is stored, not reported again. st is the message stanza as it came (its
// stanza-id is believed only when stamped by the user's own server).
func (s *Session) chatMessage(m event.Message, st *inStanza) {
	if s.holdSigned(m, st) {
		return // on to chatMessageNow once the sender's devices are known (signature.go)
	}
	s.chatMessageNow(m, st)
}

// chatMessageNow is chatMessage once the sender's devices are known (or
// were waited for long enough): messages from one sender arrive here in the
// order they came.
func (s *Session) chatMessageNow(m event.Message, st *inStanza) {
	m = s.checkSignature(m, st)
	am := s.archiveOf(m, &st.archiveFields)
	seen := s.markSeen(seenKeys(am.SenderBare, am.MessageID, am.OriginID, am.StanzaID)...)
	// Stored first, so that whoever reads the event can find the message
	// in the archive (search, history, export).
	s.store(am)
	if !seen {
		s.emitChat(m) // or held during focus (focus.go)
	}
	s.liveSyncPoint(st)
}

// archiveOf turns a reported 1:1 message into an archive record.
func (s *Session) archiveOf(m event.Message, f *archiveFields) archive.Message {
	own := s.bare.String()
	am := archive.Message{
		Account:   own,
		Direction: archive.In,
		Sender:    m.From,
		Body:      m.Body,
		Time:      m.Time,
		MessageID: m.ID,
		Trust:     archive.TrustOf(m.Trust),
	}
	peer := m.From
	if m.Outgoing {
		am.Direction, peer = archive.Out, m.To
		if am.Sender == "" {
			am.Sender = own
		}
	}
	am.Conversation = peerOf(peer)
	am.SenderBare = peerOf(am.Sender)
	if f != nil {
		am.StanzaID = f.stanzaIDBy(own)
		am.OriginID = f.originID()
	}
	return am
}

// archiveSent stores a message the user sends (on the wire or queued).
func (s *Session) archiveSent(id, to, body string, trust event.Trust) {
	own := s.bare.String()
	s.markSeen(seenKeys(own, id, "", "")...)
	s.store(archive.Message{
		Account: own, Conversation: peerOf(to), Direction: archive.Out,
		Sender: own, SenderBare: own, Body: body, Time: time.Now().UTC(),
		MessageID: id, Trust: archive.TrustOf(trust),
	})
}

// archiveMessage stores one message in the local archive (a no-op without
// one). Room code calls it for groupchat and private room messages.
func (s *Session) archiveMessage(m archive.Message) {
	if m.Account == "" {
		m.Account = s.bare.String()
	}
	s.store(m)
}

func (s *Session) store(ms ...archive.Message) int {
	a := s.cfg.Archive
	if a == nil || len(ms) == 0 {
		return 0
	}
	n, err := a.Add(ms...)
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("A message could not be stored in the local archive: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
	return n
}

// retentionDays is the active profile's archive.retention_days (0: keep).
func (s *Session) retentionDays() int {
	if s.cfg.Profiles == nil {
		return 0
	}
	if p := s.cfg.Profiles.Active(); p != nil {
		return p.Archive.RetentionDays
	}
	return 0
}

// startRetention applies the profile's retention now and then daily, until
// the session stops.
func (s *Session) startRetention() {
	s.hist.retain.Do(func() {
		if s.cfg.Archive == nil {
			if e := s.cfg.ArchiveOff; e != nil {
				s.emit(*e) // why there is no archive, once
			}
			return
		}
		s.applyRetention(time.Now())
		go func() {
			t := time.NewTicker(24 * time.Hour)
			defer t.Stop()
			for {
				select {
				case <-s.ctx.Done():
					return
				case now := <-t.C:
					s.applyRetention(now)
				}
			}
		}()
	})
}

func (s *Session) applyRetention(now time.Time) {
	days := s.retentionDays()
	if days <= 0 {
		return
	}
	if _, err := s.cfg.Archive.Retain(now, days); err != nil && !errors.Is(err, archive.ErrClosed) {
		s.emit(event.Error{Message: s.lang.T("Old messages could not be removed from the local archive: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
}

// executeHistory runs the archive commands; it reports whether cmd was one.
func (s *Session) executeHistory(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.Search:
		return s.executeHistory(*c)
	case *event.GetHistory:
		return s.executeHistory(*c)
	case *event.Export:
		return s.executeHistory(*c)
	case event.Search, event.GetHistory, event.Export:
	default:
		return false
	}
	if s.cfg.Archive == nil {
		s.emit(event.Error{Message: s.lang.T("The local archive is off: there is no stored history to search, show or export."),
			Code: event.CodeUnsupported, Command: cmd.CommandName()})
		return true
	}
	var err error
	switch c := cmd.(type) {
	case event.Search:
		err = s.search(c)
	case event.GetHistory:
		err = s.history(c)
	case event.Export:
		err = s.export(c)
	}
	if err != nil {
		var bad badInput
		if errors.As(err, &bad) {
			s.badCommand(cmd, string(bad))
		} else {
			s.emit(event.Error{Message: s.lang.T("The local archive: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig, Command: cmd.CommandName()})
		}
	}
	return true
}

// badInput is an error in what the command asked for.
type badInput string

func (b badInput) Error() string { return string(b) }

// conversationOf checks an optional conversation JID.
func (s *Session) conversationOf(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	b, ok := bareJID(v)
	if !ok {
		return "", badInput(s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": v}))
	}
	return b, nil
}

func (s *Session) search(c event.Search) error {
	conv, err := s.conversationOf(c.Conversation)
	if err != nil {
		return err
	}
	if strings.TrimSpace(c.Query) == "" {
		return badInput(s.lang.T("Type a word to search for."))
	}
	rs, err := s.cfg.Archive.Search(c.Query, archive.SearchOptions{Conversation: conv, Limit: c.Limit})
	if err != nil {
		return err
	}
	out := event.SearchResults{Query: c.Query, Conversation: conv, Results: make([]event.SearchResult, 0, len(rs))}
	for _, r := range rs {
		sr := event.SearchResult{
			ID:           strconv.FormatInt(r.Message.ID, 10),
			Conversation: r.Message.Conversation,
			From:         r.Message.Sender,
			Time:         r.Message.Time,
			Snippet:      r.SnippetText(),
			IsRoom:       r.Message.IsRoom,
			IsPrivate:    r.Message.IsPrivate,
			Trust:        trustFromArchive(r.Message),
		}
		for _, sp := range r.Snippet {
			sr.Spans = append(sr.Spans, event.SnippetSpan{Text: sp.Text, Match: sp.Match})
		}
		out.Results = append(out.Results, sr)
	}
	s.emit(out)
	return nil
}

// trustFromArchive is the stored classification of a message's participant.
func trustFromArchive(m archive.Message) event.Trust {
	who := m.SenderBare
	if m.Direction == archive.Out || who == "" {
		who = m.Conversation
	}
	return event.Trust{Class: m.Trust.Class, Org: m.Trust.Org, LookalikeOf: m.Trust.LookalikeOf, Domain: domainOf(peerOf(who))}
}

func (s *Session) archiveID(v, field string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, badInput(s.lang.T("{{.Field}} {{.ID}} is not an archive id (use the id of a search result or of a history message).", l10n.Args{"Field": field, "ID": strconv.Quote(v)}))
	}
	return id, nil
}

func (s *Session) history(c event.GetHistory) error {
	conv, err := s.conversationOf(c.Conversation)
	if err != nil {
		return err
	}
	if conv == "" {
		return badInput(s.lang.T("Name the conversation (a bare JID) to show its history."))
	}
	limit := c.Limit
	if limit <= 0 {
		limit = 50
	}
	a := s.cfg.Archive
	var ms []archive.Message
	complete := false
	switch {
	case c.AroundID != "":
		id, err := s.archiveID(c.AroundID, "around_id")
		if err != nil {
			return err
		}
		if ms, err = a.Around(id, limit); err != nil {
			return err
		}
		if len(ms) > 0 && ms[0].Conversation != conv {
			return badInput(s.lang.T("Message {{.ID}} is not in the conversation with {{.JID}}.", l10n.Args{"ID": c.AroundID, "JID": conv}))
		}
	default:
		var before time.Time
		if c.BeforeID != "" {
			id, err := s.archiveID(c.BeforeID, "before_id")
			if err != nil {
				return err
			}
			m, ok, err := a.Get(id)
			if err != nil {
				return err
			}
			if !ok || m.Conversation != conv {
				return badInput(s.lang.T("Message {{.ID}} is not in the conversation with {{.JID}}.", l10n.Args{"ID": c.BeforeID, "JID": conv}))
			}
			before = m.Time
		}
		if ms, err = a.History(conv, before, limit); err != nil {
			return err
		}
		complete = len(ms) < limit
	}
	out := event.History{Conversation: conv, Messages: make([]event.HistoryMessage, 0, len(ms)), Complete: complete}
	own := s.bare.String()
	for _, m := range ms {
		hm := event.HistoryMessage{
			Message: event.Message{
				ID: m.MessageID, From: m.Sender, Body: m.Body, Time: m.Time,
				Outgoing: m.Direction == archive.Out, Archived: true, Trust: trustFromArchive(m),
			},
			ArchiveID: strconv.FormatInt(m.ID, 10),
			IsRoom:    m.IsRoom,
			IsPrivate: m.IsPrivate,
		}
		if m.Direction == archive.Out {
			hm.To = m.Conversation
		} else if !m.IsRoom {
			hm.To = own
		}
		out.Messages = append(out.Messages, hm)
	}
	s.emit(out)
	return nil
}

func (s *Session) export(c event.Export) error {
	conv, err := s.conversationOf(c.Conversation)
	if err != nil {
		return err
	}
	f := archive.Format(strings.ToLower(c.Format))
	if f == "" {
		f = archive.JSONL
	}
	if f != archive.JSONL && f != archive.HTML {
		return badInput(s.lang.T("Unknown export format {{.Format}}: use \"jsonl\" or \"html\".", l10n.Args{"Format": strconv.Quote(c.Format)}))
	}
	if c.Path == "" {
		return badInput(s.lang.T("Give the path of the file to write the export to."))
	}
	if !c.From.IsZero() && !c.To.IsZero() && !c.To.After(c.From) {
		return badInput(s.lang.T("The export's end (to) must come after its start (from)."))
	}
	path, err := filepath.Abs(c.Path)
	if err != nil {
		return badInput(s.lang.T("The export path {{.Path}} is not usable: {{.Err}}", l10n.Args{"Path": c.Path, "Err": err.Error()}))
	}
	// A new file next to the target, renamed over it once complete: a
	// failed export leaves no half-written file, and never a readable one.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return badInput(s.lang.T("The export cannot be written to {{.Path}}: {{.Err}}", l10n.Args{"Path": path, "Err": err.Error()}))
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing left to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	n, err := s.cfg.Archive.Export(tmp, archive.ExportOptions{Conversation: conv, From: c.From, To: c.To, Format: f})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.lang.T("the export to {{.Path}} failed (nothing was written there)", l10n.Args{"Path": path}), err)
	}
	s.emit(event.Exported{Path: path, Count: n, Format: string(f)})
	return nil
}
