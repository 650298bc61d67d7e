package uidemo

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
)

// Rooms, search and export in the demo: a room with colleagues, a partner
// and a guest whose address the room hides; a private message from that
// guest; an invitation from the partner; a bookmark; a small archive that
// answers search, history and export as the session's local archive would.

// Demo rooms.
const (
	ReleaseRoom = "release@conference.acme.test"
	DealRoom    = "deal@conference.partner.test"
	OpsRoom     = "ops@conference.acme.test"
)

// hidden is the verdict on an occupant whose real address the room hides.
var hidden = event.Trust{Class: event.ClassUnknown, Reason: "The room hides this occupant's address: who they are is unknown."}

// archived is one message in the demo's archive.
type archived struct {
	id      string
	msgID   string // the message's own id, as the conversation knows it
	conv    string
	from    string // full JID, room@service/nick in a room
	body    string
	at      time.Time
	out     bool
	isRoom  bool
	private bool
	trust   event.Trust
}

// roomDemo is the demo's share of group chat and history.
type roomDemo struct {
	mu      sync.Mutex
	archive []archived
	seq     int
	joined  map[string]bool
}

func (r *roomDemo) store(a archived) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	a.id = strconv.Itoa(1000 + r.seq)
	r.archive = append(r.archive, a)
}

func releaseOccupants() []event.Occupant {
	return []event.Occupant{
		{Nick: "alice", JID: Self, Role: event.RoleModerator, Affiliation: event.AffiliationOwner, Trust: internal, Self: true},
		{Nick: "bob", JID: "bob@acme.test", Role: event.RoleParticipant, Affiliation: event.AffiliationMember, Trust: internal},
		{Nick: "dave", JID: "dave@acme.test", Role: event.RoleParticipant, Affiliation: event.AffiliationMember, Trust: internal},
		{Nick: "carol", JID: "carol@partner.test", Role: event.RoleParticipant, Affiliation: event.AffiliationMember, Trust: partner},
		{Nick: "guest42", Role: event.RoleParticipant, Affiliation: event.AffiliationNone, Trust: hidden},
	}
}

const releaseSummary = "2 external participants: carol@partner.test (Partner Ltd), guest42 (address hidden by the room)."

// roomScript plays the rooms after the direct chats.
func (b *Backend) roomScript(now time.Time) {
	b.rooms.mu.Lock()
	b.rooms.joined = map[string]bool{ReleaseRoom: true}
	b.rooms.mu.Unlock()
	// The conversation with Bob is in the archive too.
	for i, m := range []struct {
		out  bool
		body string
		ago  time.Duration
	}{
		{false, "Morning Alice! Did the staging deploy go through?", 42 * time.Minute},
		{true, "Yes, it finished at 9:10. All health checks are green.", 40 * time.Minute},
		{false, "Great. Can you send me the release notes draft before the 11:00 sync?", 35 * time.Minute},
		{false, "Last week's contract review went well, by the way.", 26 * time.Hour},
	} {
		from := "bob@acme.test/laptop"
		if m.out {
			from = Self + "/palisade"
		}
		id := "demo-" + string(rune('a'+i))
		if i == 3 {
			id = "demo-old-1"
		}
		b.rooms.store(archived{msgID: id, conv: "bob@acme.test", from: from, body: m.body, at: now.Add(-m.ago), out: m.out, trust: internal})
	}
	b.rooms.store(archived{msgID: "demo-p1", conv: "carol@partner.test", from: "carol@partner.test/office", body: "The signed order form is on our portal: https://portal.partner.test/orders/4711", at: now.Add(-15 * time.Minute), trust: partner})
	b.rooms.store(archived{conv: "carol@partner.test", from: "carol@partner.test/office", body: "Our legal team has approved the contract draft.", at: now.Add(-50 * time.Hour), trust: partner})

	b.emit(event.Bookmarks{Items: []event.Bookmark{
		{Room: ReleaseRoom, Name: "Release 4.2", Nick: "alice", Autojoin: true},
		{Room: OpsRoom, Name: "Ops", Nick: "alice"},
	}})
	b.emit(event.RoomJoined{Room: ReleaseRoom, Nick: "alice", Name: "Release 4.2", Topic: "Go/no-go on Thursday · notes in the wiki", Occupants: releaseOccupants()})
	b.emit(event.RoomBanner{Room: ReleaseRoom, External: true, Summary: releaseSummary})
	lines := []struct {
		nick, jid, body string
		ago             time.Duration
		t               event.Trust
	}{
		{"bob", "bob@acme.test", "Staging is green. Anything left before the go/no-go?", 20 * time.Minute, internal},
		{"carol", "carol@partner.test", "On our side the contract is signed; we only need the final release notes.", 18 * time.Minute, partner},
		{"alice", Self, "I'll post them here this afternoon.", 17 * time.Minute, internal},
		{"guest42", "", "Can someone paste the staging admin password here? I need to check something.", 12 * time.Minute, hidden},
		{"dave", "dave@acme.test", "Please don't share credentials in this room: there are people from outside ACME.", 11 * time.Minute, internal},
	}
	for i, l := range lines {
		out := l.nick == "alice"
		b.emit(event.RoomMessage{Room: ReleaseRoom, ID: "room-" + strconv.Itoa(i), Nick: l.nick, FromJID: l.jid, Body: l.body,
			Time: now.Add(-l.ago), Delayed: true, Outgoing: out, Trust: l.t})
		b.rooms.store(archived{msgID: "room-" + strconv.Itoa(i), conv: ReleaseRoom, from: ReleaseRoom + "/" + l.nick, body: l.body, at: now.Add(-l.ago), out: out, isRoom: true, trust: l.t})
	}
	b.emit(event.RoomPrivateMessage{Room: ReleaseRoom, Nick: "guest42", ID: "pm-1", Body: "Hi Alice, it's Tom from IT. Could you send me the staging password privately?",
		Time: now.Add(-6 * time.Minute), Trust: hidden})
	// As in the session's archive: a private message is kept under its
	// room, marked private.
	b.rooms.store(archived{msgID: "pm-1", conv: ReleaseRoom, from: ReleaseRoom + "/guest42", body: "Hi Alice, it's Tom from IT. Could you send me the staging password privately?",
		at: now.Add(-6 * time.Minute), isRoom: true, private: true, trust: hidden})
	b.emit(event.RoomInvite{Room: DealRoom, From: "carol@partner.test", Reason: "Contract review with Partner Ltd's lawyers", Trust: partner})
	b.emit(event.HistorySynced{Archive: "own", Count: 4, Complete: true})
}

// roomDo answers group chat and history commands; it reports whether c
// was one.
func (b *Backend) roomDo(c event.Command) bool {
	switch c := c.(type) {
	case event.Join:
		b.join(c.Room, c.Nick, false)
	case event.CreateRoom:
		b.join(c.Room, c.Nick, true)
	case event.Leave:
		b.rooms.mu.Lock()
		delete(b.rooms.joined, c.Room)
		b.rooms.mu.Unlock()
		b.later(100*time.Millisecond, event.RoomLeft{Room: c.Room})
	case event.SendRoomMessage:
		b.later(120*time.Millisecond, event.RoomMessage{Room: c.Room, ID: c.ID, Nick: "alice", FromJID: Self, Body: c.Body, Time: time.Now(), Outgoing: true, Trust: internal})
		b.rooms.store(archived{msgID: c.ID, conv: c.Room, from: c.Room + "/alice", body: c.Body, at: time.Now(), out: true, isRoom: true, trust: internal})
		if c.Room == ReleaseRoom {
			b.later(2*time.Second, event.RoomMessage{Room: c.Room, ID: c.ID + "-bob", Nick: "bob", FromJID: "bob@acme.test", Body: "👍", Time: time.Now().Add(2 * time.Second), Trust: internal})
		}
	case event.SetRoomTopic:
		b.later(100*time.Millisecond, event.RoomTopic{Room: c.Room, Topic: c.Topic, By: "alice"})
	case event.PrivateMessage:
		b.later(50*time.Millisecond, event.RoomPrivateMessage{Room: c.Room, Nick: c.Nick, Body: c.Body, ID: "pm-out-" + strconv.FormatInt(time.Now().UnixNano(), 36),
			Time: time.Now(), Outgoing: true, Trust: hidden})
		b.rooms.store(archived{conv: c.Room, from: Self, body: c.Body, at: time.Now(), out: true, isRoom: true, private: true, trust: internal})
		if c.Nick == "guest42" {
			b.later(3*time.Second, event.RoomPrivateMessage{Room: c.Room, Nick: c.Nick, ID: "pm-" + strconv.FormatInt(time.Now().UnixNano(), 36),
				Body: "Come on, it's urgent. Just the password.", Time: time.Now().Add(3 * time.Second), Trust: hidden})
		}
	case event.Invite:
		t := b.trustOf(c.JID)
		if t.External() && t.Class != event.ClassPartner && !c.Confirmed {
			b.later(50*time.Millisecond, event.Refused{Command: c.CommandName(), To: c.JID, Code: event.RefusedConfirm,
				Reason: t.Domain + " is not an organisation approved by ACME IT.", Trust: &t})
			return true
		}
		if c.Room == ReleaseRoom {
			nick := strings.SplitN(c.JID, "@", 2)[0]
			b.later(1500*time.Millisecond, event.OccupantChange{Room: c.Room, Nick: nick, JID: c.JID, Role: event.RoleParticipant, Affiliation: event.AffiliationNone, Trust: t})
			if t.External() && t.Class != event.ClassPartner {
				b.later(1600*time.Millisecond, event.RoomBanner{Room: c.Room, External: true,
					Summary: "3 external participants: carol@partner.test (Partner Ltd), guest42 (address hidden by the room), " + c.JID + " (unknown)."})
			}
		}
	case event.SetBookmark, event.GetBookmarks:
		// The bookmarks were sent at sign-in; the demo keeps them.
	case event.Search:
		b.later(80*time.Millisecond, b.search(c))
	case event.GetHistory:
		b.later(80*time.Millisecond, b.history(c))
	case event.Export:
		b.later(200*time.Millisecond, b.export(c))
	default:
		return false
	}
	return true
}

func (b *Backend) join(room, nick string, created bool) {
	b.rooms.mu.Lock()
	b.rooms.joined[room] = true
	b.rooms.mu.Unlock()
	occ := []event.Occupant{{Nick: nick, JID: Self, Role: event.RoleModerator, Affiliation: event.AffiliationOwner, Trust: internal, Self: true}}
	var banner event.RoomBanner
	name := ""
	switch room {
	case ReleaseRoom:
		occ = releaseOccupants()
		banner = event.RoomBanner{Room: room, External: true, Summary: releaseSummary}
		name = "Release 4.2"
	case DealRoom:
		occ = append(occ[:0], event.Occupant{Nick: nick, JID: Self, Role: event.RoleParticipant, Affiliation: event.AffiliationMember, Trust: internal, Self: true},
			event.Occupant{Nick: "carol", JID: "carol@partner.test", Role: event.RoleModerator, Affiliation: event.AffiliationOwner, Trust: partner},
			event.Occupant{Nick: "lee", JID: "lee@partner.test", Role: event.RoleParticipant, Affiliation: event.AffiliationMember, Trust: partner})
		banner = event.RoomBanner{Room: room, External: true, Summary: "2 external participants: carol@partner.test (Partner Ltd), lee@partner.test (Partner Ltd)."}
		name = "Contract review"
	case OpsRoom:
		occ = append(occ, event.Occupant{Nick: "ivan", JID: "ivan@acme.test", Role: event.RoleParticipant, Trust: internal})
		name = "Ops"
	}
	b.later(300*time.Millisecond, event.RoomJoined{Room: room, Nick: nick, Name: name, Occupants: occ, Created: created})
	banner.Room = room
	b.later(320*time.Millisecond, banner)
}

// matches reports whether body holds every word of q (a word ending in
// "*" is a prefix), and the snippet's spans.
func matches(body, q string) ([]event.SnippetSpan, bool) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return nil, false
	}
	lower := strings.ToLower(body)
	type hit struct{ at, n int }
	var hits []hit
	for _, w := range words {
		w = strings.TrimSuffix(w, "*")
		i := strings.Index(lower, w)
		if i < 0 {
			return nil, false
		}
		hits = append(hits, hit{i, len(w)})
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	var spans []event.SnippetSpan
	pos := 0
	for _, h := range hits {
		if h.at < pos {
			continue
		}
		if h.at > pos {
			spans = append(spans, event.SnippetSpan{Text: body[pos:h.at]})
		}
		spans = append(spans, event.SnippetSpan{Text: body[h.at : h.at+h.n], Match: true})
		pos = h.at + h.n
	}
	if pos < len(body) {
		spans = append(spans, event.SnippetSpan{Text: body[pos:]})
	}
	return spans, true
}

func (b *Backend) search(c event.Search) event.SearchResults {
	b.rooms.mu.Lock()
	defer b.rooms.mu.Unlock()
	out := event.SearchResults{Query: c.Query, Conversation: c.Conversation, Results: []event.SearchResult{}}
	for i := len(b.rooms.archive) - 1; i >= 0; i-- {
		a := b.rooms.archive[i]
		if c.Conversation != "" && a.conv != c.Conversation {
			continue
		}
		spans, ok := matches(a.body, c.Query)
		if !ok {
			continue
		}
		out.Results = append(out.Results, event.SearchResult{ID: a.id, Conversation: a.conv, From: a.from, Time: a.at, Snippet: a.body, Spans: spans, IsRoom: a.isRoom, Trust: a.trust})
	}
	sort.SliceStable(out.Results, func(i, j int) bool { return out.Results[i].Time.After(out.Results[j].Time) })
	return out
}

func (b *Backend) history(c event.GetHistory) event.History {
	b.rooms.mu.Lock()
	defer b.rooms.mu.Unlock()
	var msgs []event.HistoryMessage
	var all []archived
	for _, a := range b.rooms.archive {
		if a.conv == c.Conversation {
			all = append(all, a)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	complete := c.AroundID == ""
	for _, a := range all {
		if c.BeforeID != "" && a.id >= c.BeforeID {
			continue
		}
		id := a.msgID
		if id == "" {
			id = "arch-" + a.id
		}
		msgs = append(msgs, event.HistoryMessage{Message: event.Message{ID: id, From: a.from, Body: a.body, Time: a.at, Outgoing: a.out, Archived: true, Trust: a.trust},
			ArchiveID: a.id, IsRoom: a.isRoom, IsPrivate: a.private})
	}
	return event.History{Conversation: c.Conversation, Messages: msgs, Complete: complete}
}

func (b *Backend) export(c event.Export) event.Event {
	b.rooms.mu.Lock()
	var rows []archived
	for _, a := range b.rooms.archive {
		if (c.Conversation == "" || a.conv == c.Conversation) && (c.From.IsZero() || !a.at.Before(c.From)) && (c.To.IsZero() || a.at.Before(c.To)) {
			rows = append(rows, a)
		}
	}
	b.rooms.mu.Unlock()
	var sb strings.Builder
	if c.Format == "html" {
		sb.WriteString("<!doctype html><meta charset=utf-8><title>Palisade export</title><table>\n")
		for _, a := range rows {
			fmt.Fprintf(&sb, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", a.at.Format(time.RFC3339), html.EscapeString(a.from), html.EscapeString(a.trust.Class), html.EscapeString(a.body))
		}
		sb.WriteString("</table>\n")
	} else {
		for _, a := range rows {
			line, _ := json.Marshal(map[string]any{"id": a.id, "conversation": a.conv, "from": a.from, "time": a.at, "body": a.body, "trust": a.trust})
			sb.Write(line)
			sb.WriteByte('\n')
		}
	}
	if err := os.WriteFile(c.Path, []byte(sb.String()), 0o600); err != nil {
		return event.Error{Command: c.CommandName(), Code: event.CodeConfig, Message: "Cannot write the export: " + err.Error()}
	}
	return event.Exported{Path: c.Path, Count: len(rows), Format: c.Format}
}
