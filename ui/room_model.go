package ui

import (
	"fyne.io/fyne/v2/lang"
	"sort"
	"strings"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/textsafe"
)

// RoomLine is one line of a room conversation or of a private
// conversation inside a room.
type RoomLine struct {
	ID        string
	ArchiveID string // the local archive's id, when it came from there
	Nick      string // the sender's nickname in the room
	FromJID   string // the sender's real bare JID when the room reveals it
	Body      string
	Time      time.Time
	Outgoing  bool
	Delayed   bool
	System    bool // a line from Palisade itself
	Trust     event.Trust
	// Signature is the session's verdict on the sender's device signature
	// (event.Signature*; "" when nothing could be judged); Device names the
	// signing device.
	Signature, Device string
}

// Room is one group chat: joined now, bookmarked, or left.
type Room struct {
	JID  string
	Nick string // the user's nickname there
	Name string
	// Description is what the room says about itself (its disco#info).
	Description string
	Topic       string
	TopicBy     string
	Joined      bool
	LeftReason  string
	Occupants   map[string]event.Occupant // by nick
	Banner      event.RoomBanner
	Lines       []RoomLine
	Unread      int
	// Complete: the archive holds nothing older than the first line.
	Complete bool
	// Loading: a page of the archive was asked for and has not come;
	// asked: the newest page was asked for once.
	Loading bool
	asked   bool
	byID    map[string]bool
}

// OccupantList is the room's occupants: the user first, then by nickname.
func (r *Room) OccupantList() []event.Occupant {
	out := make([]event.Occupant, 0, len(r.Occupants))
	for _, o := range r.Occupants {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Self != out[j].Self {
			return out[i].Self
		}
		return strings.ToLower(out[i].Nick) < strings.ToLower(out[j].Nick)
	})
	return out
}

// Title is the room's name, else its local part.
func (r *Room) Title() string {
	if strings.TrimSpace(r.Name) != "" {
		return r.Name
	}
	return localPart(r.JID)
}

// Self is the user's own occupant, if joined.
func (r *Room) Self() (event.Occupant, bool) {
	for _, o := range r.Occupants {
		if o.Self {
			return o, true
		}
	}
	if o, ok := r.Occupants[r.Nick]; ok && r.Nick != "" {
		return o, true
	}
	return event.Occupant{}, false
}

// MayChangeTopic reports whether the user's role lets them change the
// topic: moderators, owners and admins may. (A room may let participants
// change it too; the room answers with an error if not.)
func (r *Room) MayChangeTopic() bool {
	o, ok := r.Self()
	if !ok || !r.Joined {
		return false
	}
	return o.Role == event.RoleModerator || o.Affiliation == event.AffiliationOwner || o.Affiliation == event.AffiliationAdmin
}

func (r *Room) add(l RoomLine) bool {
	key := l.ArchiveID
	if key == "" {
		key = l.ID
	}
	if key != "" {
		if r.byID[key] || (l.ID != "" && r.byID[l.ID]) {
			return false
		}
		r.byID[key] = true
		if l.ID != "" {
			r.byID[l.ID] = true
		}
	}
	r.Lines = append(r.Lines, l)
	return true
}

// PrivateChat is a private conversation with one occupant of a room. It is
// kept apart from direct chats: the peer is known by nickname in that room,
// and their real address only when the room reveals it.
type PrivateChat struct {
	Room    string
	Nick    string
	FromJID string
	Trust   event.Trust
	Lines   []RoomLine
	Unread  int
	byID    map[string]bool
}

// Key is the private chat's key: room@service/nick.
func (p *PrivateChat) Key() string { return p.Room + "/" + p.Nick }

// RoomRow is one entry of the sidebar's Rooms section.
type RoomRow struct {
	Key     string // a room's bare JID, or room/nick for a private chat
	Private bool
	Room    string
	Nick    string // for a private chat
	Title   string
	Joined  bool
	Unread  int
	Banner  bool // the room holds people from outside the organisation
	Lookal  bool // one of them is a lookalike
	Bookmrk bool // bookmarked, not joined
}

// RoomsModel holds the rooms, the private chats in rooms, the bookmarks and
// the pending invitations. Plain data, touched only on the UI event loop.
type RoomsModel struct {
	rooms     map[string]*Room
	privates  map[string]*PrivateChat
	bookmarks []event.Bookmark
	invites   []event.RoomInvite
}

// NewRoomsModel returns an empty model.
func NewRoomsModel() *RoomsModel {
	return &RoomsModel{rooms: map[string]*Room{}, privates: map[string]*PrivateChat{}}
}

// Room returns the room with jid, creating it.
func (m *RoomsModel) Room(jid string) *Room {
	jid = bareJID(jid)
	r := m.rooms[jid]
	if r == nil {
		r = &Room{JID: jid, Occupants: map[string]event.Occupant{}, byID: map[string]bool{}}
		m.rooms[jid] = r
	}
	return r
}

// Has reports whether a room with jid is known.
func (m *RoomsModel) Has(jid string) bool { return m.rooms[bareJID(jid)] != nil }

// IsRoom reports whether jid (bare) is a known room.
func (m *RoomsModel) IsRoom(jid string) bool { return m.rooms[jid] != nil }

// Private returns the private chat with nick in room, creating it.
func (m *RoomsModel) Private(room, nick string) *PrivateChat {
	room = bareJID(room)
	k := room + "/" + nick
	p := m.privates[k]
	if p == nil {
		p = &PrivateChat{Room: room, Nick: nick, byID: map[string]bool{}}
		m.privates[k] = p
	}
	return p
}

// PrivateByKey returns the private chat with key room/nick, or nil.
func (m *RoomsModel) PrivateByKey(key string) *PrivateChat { return m.privates[key] }

// Joined applies RoomJoined.
func (m *RoomsModel) Joined(e event.RoomJoined) *Room {
	r := m.Room(e.Room)
	r.Joined, r.LeftReason = true, ""
	r.Nick = e.Nick
	if e.Name != "" {
		r.Name = e.Name
	}
	if e.Topic != "" {
		r.Topic = e.Topic
	}
	r.Occupants = map[string]event.Occupant{}
	for _, o := range e.Occupants {
		if o.Nick == e.Nick {
			o.Self = true
		}
		r.Occupants[o.Nick] = o
	}
	if _, ok := r.Occupants[e.Nick]; !ok && e.Nick != "" {
		r.Occupants[e.Nick] = event.Occupant{Nick: e.Nick, Self: true, Role: event.RoleParticipant}
	}
	return r
}

// Info applies RoomInfo: the room's own name replaces one known only from
// a bookmark.
func (m *RoomsModel) Info(e event.RoomInfo) *Room {
	r := m.Room(e.Room)
	// What a room says about itself is the room's to choose: shown on one
	// line, without hidden or reordering characters.
	if n := textsafe.Name(e.Name); n != "" {
		r.Name = n
	}
	r.Description = strings.TrimSpace(textsafe.Text(e.Description))
	return r
}

// DeclinedNotice is the line a room shows when someone declined the
// user's invitation.
func DeclinedNotice(e event.RoomDeclined) string {
	who := e.From
	if bareJID(e.From) == bareJID(e.Room) {
		who = strings.TrimPrefix(e.From, bareJID(e.Room))
		who = strings.TrimPrefix(who, "/")
		if who == "" {
			who = lang.L("Someone (the room hides who)")
		} else {
			who += " (" + lang.L("address hidden by the room") + ")"
		}
	}
	if r := strings.TrimSpace(e.Reason); r != "" {
		return lang.L("{{.Who}} declined your invitation to this room: “{{.Why}}”.", tv{"Who": who, "Why": r})
	}
	return lang.L("{{.Who}} declined your invitation to this room.", tv{"Who": who})
}

// PresenceWords says an occupant's presence in words ("" when simply
// available): "Away: at lunch", "Do not disturb".
func PresenceWords(show, status string) string {
	var w string
	switch show {
	case event.ShowAway:
		w = lang.L("Away")
	case event.ShowXA:
		w = lang.L("Away for a while")
	case event.ShowDND:
		w = lang.L("Do not disturb")
	case event.ShowChat:
		w = lang.L("Free to chat")
	}
	status = strings.TrimSpace(status)
	switch {
	case w != "" && status != "":
		return w + ": " + status
	case status != "":
		return status
	}
	return w
}

// Occupant applies an OccupantChange.
func (m *RoomsModel) Occupant(e event.OccupantChange) *Room {
	r := m.Room(e.Room)
	old, had := r.Occupants[e.Nick]
	if e.Left {
		delete(r.Occupants, e.Nick)
		if e.NewNick != "" {
			o := old
			if !had {
				o = event.Occupant{JID: e.JID, Role: e.Role, Affiliation: e.Affiliation, Trust: e.Trust}
			}
			o.Nick = e.NewNick
			r.Occupants[e.NewNick] = o
			if o.Self {
				r.Nick = e.NewNick
			}
		}
		return r
	}
	o := event.Occupant{Nick: e.Nick, JID: e.JID, Role: e.Role, Affiliation: e.Affiliation, Trust: e.Trust, Self: old.Self || e.Nick == r.Nick,
		Show: e.Show, Status: e.Status}
	r.Occupants[e.Nick] = o
	return r
}

// Message applies a RoomMessage; it reports whether it was new.
func (m *RoomsModel) Message(e event.RoomMessage) (*Room, bool) {
	r := m.Room(e.Room)
	l := RoomLine{ID: e.ID, Nick: e.Nick, FromJID: e.FromJID, Body: e.Body, Time: e.Time, Outgoing: e.Outgoing || (e.Nick == r.Nick && r.Nick != ""), Delayed: e.Delayed, Trust: e.Trust,
		Signature: e.Signature, Device: e.Device}
	if e.StanzaID != "" && r.byID[e.StanzaID] {
		return r, false
	}
	added := r.add(l)
	if added && e.StanzaID != "" {
		r.byID[e.StanzaID] = true
	}
	return r, added
}

// System adds a line from Palisade to a room.
func (m *RoomsModel) System(room, text string, now time.Time) {
	m.Room(room).add(RoomLine{Body: text, Time: now, System: true})
}

// PrivateMessage applies a RoomPrivateMessage; it reports whether it was new.
func (m *RoomsModel) PrivateMessage(e event.RoomPrivateMessage) (*PrivateChat, bool) {
	p := m.Private(e.Room, e.Nick)
	if e.FromJID != "" {
		p.FromJID = e.FromJID
	}
	if e.Trust.Class != "" && !e.Outgoing {
		p.Trust = e.Trust
	}
	if e.ID != "" {
		if p.byID[e.ID] {
			return p, false
		}
		p.byID[e.ID] = true
	}
	p.Lines = append(p.Lines, RoomLine{ID: e.ID, Nick: e.Nick, FromJID: e.FromJID, Body: e.Body, Time: e.Time, Outgoing: e.Outgoing, Trust: e.Trust})
	return p, true
}

// Left applies RoomLeft.
func (m *RoomsModel) Left(e event.RoomLeft) *Room {
	r := m.Room(e.Room)
	r.Joined = false
	r.LeftReason = e.Reason
	r.Occupants = map[string]event.Occupant{}
	r.Banner = event.RoomBanner{Room: r.JID}
	return r
}

// SetBookmarks replaces the bookmarks.
func (m *RoomsModel) SetBookmarks(items []event.Bookmark) {
	m.bookmarks = append([]event.Bookmark(nil), items...)
	for _, b := range items {
		r := m.Room(b.Room)
		if r.Name == "" {
			r.Name = b.Name
		}
	}
}

// Bookmark returns the bookmark of room, if any.
func (m *RoomsModel) Bookmark(room string) (event.Bookmark, bool) {
	for _, b := range m.bookmarks {
		if b.Room == room {
			return b, true
		}
	}
	return event.Bookmark{}, false
}

// AddInvite records an invitation (one per room: the newest wins).
func (m *RoomsModel) AddInvite(e event.RoomInvite) {
	m.RemoveInvite(e.Room)
	m.invites = append(m.invites, e)
}

// RemoveInvite forgets the invitation to room.
func (m *RoomsModel) RemoveInvite(room string) {
	out := m.invites[:0]
	for _, i := range m.invites {
		if i.Room != room {
			out = append(out, i)
		}
	}
	m.invites = out
}

// Invites is the pending invitations, oldest first.
func (m *RoomsModel) Invites() []event.RoomInvite {
	return append([]event.RoomInvite(nil), m.invites...)
}

// Rows is the sidebar's Rooms section: joined and bookmarked rooms by
// title, each followed by its private chats.
func (m *RoomsModel) Rows() []RoomRow {
	var rooms []*Room
	for _, r := range m.rooms {
		_, bm := m.Bookmark(r.JID)
		if r.Joined || bm || len(r.Lines) > 0 {
			rooms = append(rooms, r)
		}
	}
	sort.Slice(rooms, func(i, j int) bool {
		return strings.ToLower(rooms[i].Title()) < strings.ToLower(rooms[j].Title())
	})
	var out []RoomRow
	seen := map[string]bool{}
	for _, r := range rooms {
		_, bm := m.Bookmark(r.JID)
		out = append(out, RoomRow{Key: r.JID, Room: r.JID, Title: r.Title(), Joined: r.Joined, Unread: r.Unread,
			Banner: r.Banner.External || r.Banner.Lookalike, Lookal: r.Banner.Lookalike, Bookmrk: bm && !r.Joined})
		seen[r.JID] = true
		out = append(out, m.privateRows(r.JID)...)
	}
	// Private chats of rooms no longer listed.
	var rest []string
	for _, p := range m.privates {
		if !seen[p.Room] {
			rest = append(rest, p.Room)
			seen[p.Room] = true
		}
	}
	sort.Strings(rest)
	for _, room := range rest {
		out = append(out, m.privateRows(room)...)
	}
	return out
}

func (m *RoomsModel) privateRows(room string) []RoomRow {
	var ps []*PrivateChat
	for _, p := range m.privates {
		if p.Room == room {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Nick < ps[j].Nick })
	var out []RoomRow
	for _, p := range ps {
		out = append(out, RoomRow{Key: p.Key(), Private: true, Room: room, Nick: p.Nick, Title: p.Nick, Unread: p.Unread, Joined: true})
	}
	return out
}

// TotalUnread is the unread count over rooms and private chats.
func (m *RoomsModel) TotalUnread() int {
	n := 0
	for _, r := range m.rooms {
		n += r.Unread
	}
	for _, p := range m.privates {
		n += p.Unread
	}
	return n
}

// MergeHistory adds archived lines (oldest first) to a room, keeping the
// lines in time order. It returns how many were new.
func (m *RoomsModel) MergeHistory(room string, msgs []event.HistoryMessage, complete bool) int {
	r := m.Room(room)
	n := 0
	for _, hm := range msgs {
		if hm.IsPrivate {
			continue // see MergePrivate
		}
		nick := hm.From
		if i := strings.IndexByte(nick, '/'); i >= 0 {
			nick = nick[i+1:]
		}
		l := RoomLine{ID: hm.ID, ArchiveID: hm.ArchiveID, Nick: nick, Body: hm.Body, Time: hm.Time, Outgoing: hm.Outgoing, Delayed: true, Trust: hm.Trust}
		if hm.ArchiveID != "" && r.byID[hm.ArchiveID] || hm.ID != "" && r.byID[hm.ID] {
			// Known already (live): it gets its archive id.
			for i := range r.Lines {
				if hm.ID != "" && r.Lines[i].ID == hm.ID && r.Lines[i].ArchiveID == "" {
					r.Lines[i].ArchiveID = hm.ArchiveID
					r.byID[hm.ArchiveID] = true
				}
			}
			continue
		}
		if r.add(l) {
			n++
		}
	}
	if complete {
		r.Complete = true
	}
	sort.SliceStable(r.Lines, func(i, j int) bool { return r.Lines[i].Time.Before(r.Lines[j].Time) })
	return n
}

// MergePrivate adds the archived private messages inside room (those of
// msgs marked IsPrivate) to their private chats, by the sender's nickname;
// the user's own (whose addressee the archive does not name) are left out.
// It returns the private chat holding the message with archive id target,
// if any.
func (m *RoomsModel) MergePrivate(room string, msgs []event.HistoryMessage, target string) *PrivateChat {
	var hit *PrivateChat
	for _, hm := range msgs {
		if !hm.IsPrivate || hm.Outgoing || bareJID(hm.From) != room {
			continue
		}
		nick := strings.TrimPrefix(hm.From, room+"/")
		p := m.Private(room, nick)
		if hm.ArchiveID == target && target != "" {
			hit = p
		}
		if hm.ID != "" && p.byID[hm.ID] || p.byID["archive-"+hm.ArchiveID] {
			for i := range p.Lines {
				if p.Lines[i].ID == hm.ID && p.Lines[i].ArchiveID == "" {
					p.Lines[i].ArchiveID = hm.ArchiveID
				}
			}
			continue
		}
		p.byID["archive-"+hm.ArchiveID] = true
		if hm.ID != "" {
			p.byID[hm.ID] = true
		}
		p.Lines = append(p.Lines, RoomLine{ID: hm.ID, ArchiveID: hm.ArchiveID, Nick: nick, Body: hm.Body, Time: hm.Time, Trust: hm.Trust})
		if hm.Trust.Class != "" {
			p.Trust = hm.Trust
		}
	}
	for _, p := range m.privates {
		if p.Room == room {
			sort.SliceStable(p.Lines, func(i, j int) bool { return p.Lines[i].Time.Before(p.Lines[j].Time) })
		}
	}
	return hit
}

// roomBadge is an occupant's badge: the roster's badge for their trust,
// or "Unknown" when the room hides who they are.
func roomBadge(t event.Trust, jid string) Badge {
	if jid == "" && t.Domain == "" && (t.Class == event.ClassUnknown || t.Class == "") {
		return Badge{Kind: BadgeExternal, Text: lang.L("Unknown"), Icon: IconExternal}
	}
	return TrustBadge(t, jid)
}
