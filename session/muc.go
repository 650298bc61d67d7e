package session

// Group chat (XEP-0045): joining, creating and configuring rooms, the
// occupant list with each occupant's trust, the room banner, messages,
// topics, private messages inside a room and invitations.
//
// What the session believes about a room comes only from the room itself:
// occupants, roles and real JIDs from the room's presence (status 110 marks
// the user's own), group messages only of type groupchat from a room the
// user is in, and a stanza-id only when its "by" is the room.
//
// Room history (the local archive and MUC MAM) is in muc_history.go.

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
)

const (
	nsMUC      = "http://jabber.org/protocol/muc"
	nsMUCUser  = "http://jabber.org/protocol/muc#user"
	nsMUCOwner = "http://jabber.org/protocol/muc#owner"
	nsXConf    = "jabber:x:conference"
)

// mucState is the rooms the user is in, is joining, or wants to be in.
type mucState struct {
	mu     sync.Mutex
	rooms  map[string]*room // by bare room JID
	forged atomic.Int64     // group messages and room stanzas from elsewhere, ignored

	bm bookmarkState // bookmarks.go

	// noJoinHistory asks rooms for no history on join (tests: history
	// then comes only from the room's archive).
	noJoinHistory bool
}

type room struct {
	jid      string // bare
	nick     string // our nickname (as the room reports it once in)
	password string
	name     string
	topic    string
	create   *event.CreateRoom // set while creating: configure before announcing
	joined   bool              // the room confirmed our presence (110)
	on       *conn             // the stream the room confirmed it on
	shown    bool              // RoomJoined was emitted for this stay
	everIn   bool              // the user was in the room before (a rejoin)
	leaving  bool              // the user asked to leave
	away     bool              // out while the user appears offline: joined again when she is back
	last     time.Time         // the newest message seen, to ask for history since
	occ      map[string]*event.Occupant
	banner   string // the last banner summary emitted ("" = none)
	bannerOn bool
	lang     l10n.Lang // the language of the room's notices for the user
}

// Inbound MUC structures, decoded as part of inStanza.

type mucUser struct {
	Items  []mucItem `xml:"item"`
	Status []struct {
		Code string `xml:"code,attr"`
	} `xml:"status"`
	Invite *struct {
		From   string `xml:"from,attr"`
		Reason string `xml:"reason"`
	} `xml:"invite"`
	Decline *struct {
		From   string `xml:"from,attr"`
		Reason string `xml:"reason"`
	} `xml:"decline"`
	Password *string `xml:"password"`
	Destroy  *struct {
		Reason string `xml:"reason"`
	} `xml:"destroy"`
}

type mucItem struct {
	Affiliation string `xml:"affiliation,attr"`
	Role        string `xml:"role,attr"`
	JID         string `xml:"jid,attr"`
	Nick        string `xml:"nick,attr"`
	Reason      string `xml:"reason"`
}

func (u *mucUser) has(code string) bool {
	if u == nil {
		return false
	}
	for _, s := range u.Status {
		if s.Code == code {
			return true
		}
	}
	return false
}

func (u *mucUser) item() mucItem {
	if u == nil || len(u.Items) == 0 {
		return mucItem{}
	}
	return u.Items[0]
}

type directInvite struct {
	JID      string `xml:"jid,attr"`
	Reason   string `xml:"reason,attr"`
	Password string `xml:"password,attr"`
}

type mucOwnerQuery struct {
	Form *struct {
		Fields []formField `xml:"field"`
	} `xml:"jabber:x:data x"`
}

type formField struct {
	Var    string   `xml:"var,attr"`
	Type   string   `xml:"type,attr"`
	Values []string `xml:"value"`
}

// splitJID returns the bare part and the resource of a JID as written.
func splitJID(v string) (bare, res string) {
	if i := strings.IndexByte(v, '/'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, ""
}

// roomKey normalises a room JID for lookups.
func roomKey(v string) string {
	b, _ := splitJID(v)
	if j, err := jid.Parse(b); err == nil {
		return j.Bare().String()
	}
	return strings.ToLower(b)
}

func (m *mucState) get(bare string) *room {
	if m.rooms == nil {
		return nil
	}
	return m.rooms[roomKey(bare)]
}

// isRoom reports whether addr (bare or full) is a room the user is in.
func (s *Session) isRoom(addr string) bool {
	s.muc.mu.Lock()
	defer s.muc.mu.Unlock()
	r := s.muc.get(addr)
	return r != nil && r.joined
}

// occupantTrust is the trust of an occupant: the policy's verdict on the
// real JID, or unknown when the room hides it.
func (s *Session) occupantTrust(real string) event.Trust {
	if real == "" {
		return event.Trust{Class: event.ClassUnknown, Reason: s.lang.T("The room hides this participant's real address, so their organisation is unknown.")}
	}
	return s.trustOf(real)
}

// roomShow is the user's chosen presence as sent to rooms: show and status
// (none for plain available; unavailable is not sent to rooms, which would
// take the user out of them). s.mu is held.
func (s *Session) roomShow() (show, status string) {
	p := s.presence
	if fp, ok := s.focusPresence(p); ok {
		p = fp
	}
	switch p.Show {
	case event.ShowAvailable, event.ShowUnavailable, "":
		return "", p.Status
	}
	return p.Show, p.Status
}

// mucPresence sends the user's presence (show, status) to every room the
// user is in, after it changed, and joins again the rooms she was taken out
// of when she chose to appear offline. s.mu is held.
func (s *Session) mucPresence(c *conn) {
	if s.presence.Show == event.ShowUnavailable {
		return
	}
	show, status := s.roomShow()
	s.muc.mu.Lock()
	var to []string
	var again []*el
	for _, r := range s.muc.rooms {
		switch {
		case r.away && !r.leaving:
			r.away = false
			again = append(again, s.joinPresence(r, s.muc.noJoinHistory))
		case r.joined && !r.leaving && r.on == c: // not rooms of an earlier stream, being joined again
			to = append(to, r.jid+"/"+r.nick)
		}
	}
	s.muc.mu.Unlock()
	sort.Strings(to)
	for _, t := range to {
		if s.write(c, &outStanza{el: presence("", t, show, status)}) != nil {
			return
		}
	}
	for _, p := range again {
		if s.write(c, &outStanza{el: p}) != nil {
			return
		}
	}
}

// mucAway takes the user out of every room as she chooses to appear
// offline (the server would too, as it tells every address that had her
// presence): each room is marked away, to be joined again when she comes
// back, and told she left. Called before the unavailable presence goes
// out. s.mu is held.
func (s *Session) mucAway(c *conn) {
	s.muc.mu.Lock()
	var to []string
	for _, r := range s.muc.rooms {
		if r.leaving {
			continue
		}
		r.away = true
		if r.joined && r.on == c {
			to = append(to, r.jid+"/"+r.nick)
		}
	}
	s.muc.mu.Unlock()
	sort.Strings(to)
	for _, t := range to {
		if s.write(c, &outStanza{el: presence("unavailable", t, "", "")}) != nil {
			return
		}
	}
}

func (s *Session) joinPresence(r *room, noHistory bool) *el {
	p := joinPresence(r, noHistory)
	show, status := s.roomShow()
	if show != "" {
		p.add(child("show", show))
	}
	if status != "" {
		p.add(child("status", status))
	}
	return p
}

func joinPresence(r *room, noHistory bool) *el {
	x := elem(nsMUC, "x")
	if noHistory {
		x.add(elem("", "history", "maxstanzas", "0"))
	} else if r.last.IsZero() {
		x.add(elem("", "history", "maxstanzas", "20"))
	} else {
		x.add(elem("", "history", "since", r.last.Add(time.Millisecond).UTC().Format(time.RFC3339Nano)))
	}
	if r.password != "" {
		x.add(child("password", r.password))
	}
	return elem(nsClient, "presence", "to", r.jid+"/"+r.nick).add(x)
}

// mucSignedIn rejoins, after a new (not resumed) stream, every room the
// user was in or was joining, and fetches the bookmarks (which autojoin).
// s.mu is held.
func (s *Session) mucSignedIn(c *conn) error {
	s.muc.mu.Lock()
	var again []*el
	offline := s.presence.Show == event.ShowUnavailable
	for k, r := range s.muc.rooms {
		if r.leaving {
			delete(s.muc.rooms, k)
			continue
		}
		r.joined, r.shown = false, false
		r.occ = map[string]*event.Occupant{}
		if offline { // appearing offline: joined again when she is back
			r.away = true
			continue
		}
		r.away = false
		again = append(again, s.joinPresence(r, s.muc.noJoinHistory))
	}
	s.muc.mu.Unlock()
	for _, p := range again {
		if err := s.write(c, &outStanza{el: p}); err != nil {
			return err
		}
	}
	return s.fetchBookmarks(c)
}

// executeMUC runs the group chat and bookmark commands; false for others.
func (s *Session) executeMUC(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.Join:
		s.join(*c, nil)
	case event.Join:
		s.join(c, nil)
	case *event.CreateRoom:
		s.execute(*c)
	case event.CreateRoom:
		s.join(event.Join{Room: c.Room, Nick: c.Nick}, &c)
	case *event.Leave:
		s.leave(*c)
	case event.Leave:
		s.leave(c)
	case *event.SendRoomMessage:
		s.roomMessage(*c)
	case event.SendRoomMessage:
		s.roomMessage(c)
	case *event.SetRoomTopic:
		s.roomTopic(*c)
	case event.SetRoomTopic:
		s.roomTopic(c)
	case *event.Invite:
		s.invite(*c)
	case event.Invite:
		s.invite(c)
	case *event.PrivateMessage:
		s.privateMessage(*c)
	case event.PrivateMessage:
		s.privateMessage(c)
	case *event.SetBookmark:
		s.setBookmark(*c)
	case event.SetBookmark:
		s.setBookmark(c)
	case *event.GetBookmarks, event.GetBookmarks:
		s.getBookmarks()
	case *event.DeclineInvite:
		s.declineInvite(*c)
	case event.DeclineInvite:
		s.declineInvite(c)
	default:
		return false
	}
	return true
}

// roomJID checks a room address given by the user: a bare JID with a
// local part.
func roomJID(v string) (string, bool) {
	j, err := jid.Parse(strings.TrimSpace(v))
	if err != nil || j.Localpart() == "" || j.Resourcepart() != "" {
		return "", false
	}
	return j.Bare().String(), true
}

func (s *Session) join(c event.Join, create *event.CreateRoom) {
	var cmd event.Command = c
	if create != nil {
		cmd = *create
	}
	b, ok := roomJID(c.Room)
	if !ok {
		s.badCommand(cmd, s.lang.T("Not a valid room address: {{.Room}} (expected room@conference.example.com).", l10n.Args{"Room": c.Room}))
		return
	}
	nick := strings.TrimSpace(c.Nick)
	if nick == "" {
		nick = s.bare.Localpart()
	}
	if _, err := jid.New(s.bare.Localpart(), "x", nick); err != nil {
		s.badCommand(cmd, s.lang.T("Not a usable nickname: {{.Nick}}", l10n.Args{"Nick": c.Nick}))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		s.offline(cmd)
		return
	}
	s.muc.mu.Lock()
	if s.muc.rooms == nil {
		s.muc.rooms = map[string]*room{}
	}
	r := s.muc.rooms[b]
	if r != nil && r.joined && !r.leaving {
		ev := s.joinedEvent(r)
		s.muc.mu.Unlock()
		if create != nil {
			s.emit(event.Error{Message: s.lang.T("You are already in the room {{.Room}}; it was not created again.", l10n.Args{"Room": b}), Code: event.CodeConflict, Command: cmd.CommandName()})
		}
		s.emit(ev)
		return
	}
	r = &room{jid: b, nick: nick, password: c.Password, create: create, occ: map[string]*event.Occupant{}, lang: s.lang}
	if create != nil {
		r.name = create.Name
	}
	s.muc.rooms[b] = r
	p := s.joinPresence(r, s.muc.noJoinHistory)
	s.muc.mu.Unlock()
	s.write(s.cur, &outStanza{el: p})
}

func (s *Session) leave(c event.Leave) {
	b, ok := roomJID(c.Room)
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid room address: {{.Room}}", l10n.Args{"Room": c.Room}))
		return
	}
	s.mu.Lock()
	s.muc.mu.Lock()
	r := s.muc.get(b)
	if r == nil {
		s.muc.mu.Unlock()
		s.mu.Unlock()
		s.emit(event.Error{Message: s.lang.T("You are not in the room {{.Room}}.", l10n.Args{"Room": b}), Code: event.CodeBadCommand, Command: c.CommandName()})
		return
	}
	if s.cur == nil || !r.joined {
		delete(s.muc.rooms, b)
		s.muc.mu.Unlock()
		if s.cur != nil {
			s.write(s.cur, &outStanza{el: presence("unavailable", r.jid+"/"+r.nick, "", "")})
		}
		s.mu.Unlock()
		s.emit(event.RoomLeft{Room: b})
		return
	}
	r.leaving = true
	to := r.jid + "/" + r.nick
	s.muc.mu.Unlock()
	s.write(s.cur, &outStanza{el: presence("unavailable", to, "", "")})
	s.mu.Unlock()
}

// inRoom returns the room when the user is in it, or reports an error.
func (s *Session) inRoom(c event.Command, addr string) (*room, bool) {
	b, ok := roomJID(addr)
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid room address: {{.Room}}", l10n.Args{"Room": addr}))
		return nil, false
	}
	s.muc.mu.Lock()
	r := s.muc.get(b)
	ok = r != nil && r.joined && !r.leaving
	s.muc.mu.Unlock()
	if !ok {
		s.emit(event.Error{Message: s.lang.T("You are not in the room {{.Room}}: join it first.", l10n.Args{"Room": b}), Code: event.CodeBadCommand, Command: c.CommandName()})
		return nil, false
	}
	return r, true
}

func (s *Session) roomMessage(c event.SendRoomMessage) {
	if strings.TrimSpace(c.Body) == "" {
		s.badCommand(c, s.lang.T("An empty message cannot be sent."))
		return
	}
	r, ok := s.inRoom(c, c.Room)
	if !ok {
		return
	}
	id := c.ID
	if id == "" {
		id = randomID()
	}
	m := elem(nsClient, "message", "type", "groupchat", "to", r.jid, "id", id).add(child("body", c.Body))
	if sig := s.signature(r.jid, id, c.Body); sig != nil {
		m.add(sig) // the device signature (signature.go)
	}
	s.withConn(c, func(cur *conn) { s.write(cur, &outStanza{el: m}) })
}

func (s *Session) roomTopic(c event.SetRoomTopic) {
	r, ok := s.inRoom(c, c.Room)
	if !ok {
		return
	}
	m := elem(nsClient, "message", "type", "groupchat", "to", r.jid, "id", randomID()).add(child("subject", c.Topic))
	s.withConn(c, func(cur *conn) { s.write(cur, &outStanza{el: m}) })
}

func (s *Session) privateMessage(c event.PrivateMessage) {
	if c.Body == "" {
		s.badCommand(c, s.lang.T("An empty message cannot be sent."))
		return
	}
	r, ok := s.inRoom(c, c.Room)
	if !ok {
		return
	}
	s.muc.mu.Lock()
	o := r.occ[c.Nick]
	var oc event.Occupant
	if o != nil {
		oc = *o
	}
	s.muc.mu.Unlock()
	if o == nil {
		s.emit(event.Error{Message: s.lang.T("Nobody called {{.Nick}} is in the room {{.Room}}.", l10n.Args{"Nick": c.Nick, "Room": r.jid}), Code: event.CodeBadCommand, Command: c.CommandName()})
		return
	}
	if oc.Trust.Class == event.ClassBlocked {
		t := oc.Trust
		s.emit(event.Refused{Command: c.CommandName(), To: r.jid + "/" + c.Nick, Code: event.RefusedBlocked, Reason: s.lang.T("{{.JID}} is blocked.", l10n.Args{"JID": oc.JID}), Trust: &t})
		return
	}
	id := randomID()
	// A private message to someone whose identity changed waits for the
	// user's acknowledgement, as a 1:1 message does (when the room shows
	// who they are).
	if oc.JID != "" && s.refuseIdentity(c, id, oc.JID) {
		return
	}
	m := elem(nsClient, "message", "type", "chat", "to", r.jid+"/"+c.Nick, "id", id).add(
		child("body", c.Body), elem(nsMUCUser, "x"))
	sent := false
	s.withConn(c, func(cur *conn) { sent = s.write(cur, &outStanza{el: m}) == nil })
	if sent {
		s.emitRoomPrivate(event.RoomPrivateMessage{Room: r.jid, Nick: c.Nick, FromJID: oc.JID, Body: c.Body, ID: id,
			Time: time.Now().UTC(), Outgoing: true, Trust: oc.Trust})
	}
}

// inviteDecision asks the policy whether who may be invited; with no
// engine (no policy yet) anyone may.
func inviteDecision(e *policy.Engine, who string, confirmed bool) policy.Decision {
	if e == nil {
		return policy.Decision{Allowed: true}
	}
	return e.MayInvite(who, confirmed)
}

func (s *Session) invite(c event.Invite) {
	who, ok := bareJID(c.JID)
	if !ok || !strings.Contains(who, "@") {
		s.badCommand(c, s.lang.T("Not a valid address to invite: {{.JID}}", l10n.Args{"JID": c.JID}))
		return
	}
	r, ok := s.inRoom(c, c.Room)
	if !ok {
		return
	}
	if d := inviteDecision(s.engine(), who, c.Confirmed); !d.Allowed {
		t := s.trustOf(who)
		s.emit(event.Refused{Command: c.CommandName(), To: who, Code: refusalCode(d.Code, event.RefusedConfirm), Reason: d.Reason, Trust: &t})
		return
	}
	inv := elem("", "invite", "to", who)
	if c.Reason != "" {
		inv.add(child("reason", c.Reason))
	}
	m := elem(nsClient, "message", "to", r.jid, "id", randomID()).add(elem(nsMUCUser, "x").add(inv))
	s.withConn(c, func(cur *conn) { s.write(cur, &outStanza{el: m}) })
}

// declineInvite declines an invitation through the room (XEP-0045
// mediated decline); the room passes it on to the inviter. When the room
// hid who invited (room/nick), the decline goes to that occupant.
func (s *Session) declineInvite(c event.DeclineInvite) {
	b, ok := roomJID(c.Room)
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid room address: {{.Room}}", l10n.Args{"Room": c.Room}))
		return
	}
	to := strings.TrimSpace(c.JID)
	j, err := jid.Parse(to)
	if err != nil || j.Localpart() == "" {
		s.badCommand(c, s.lang.T("Not a valid address to send the decline to: {{.JID}}", l10n.Args{"JID": c.JID}))
		return
	}
	if roomKey(to) == b && j.Resourcepart() != "" {
		to = b + "/" + j.Resourcepart() // the inviter as the room named them
	} else {
		to = j.Bare().String()
	}
	d := elem("", "decline", "to", to)
	if c.Reason != "" {
		d.add(child("reason", c.Reason))
	}
	m := elem(nsClient, "message", "to", b, "id", randomID()).add(elem(nsMUCUser, "x").add(d))
	s.withConn(c, func(cur *conn) { s.write(cur, &outStanza{el: m}) })
}

// joinedEvent describes a room for RoomJoined. s.muc.mu is held.
func (s *Session) joinedEvent(r *room) event.RoomJoined {
	ev := event.RoomJoined{Room: r.jid, Nick: r.nick, Name: r.name, Topic: r.topic, Occupants: []event.Occupant{}}
	for _, o := range r.occ {
		ev.Occupants = append(ev.Occupants, *o)
	}
	sort.Slice(ev.Occupants, func(i, j int) bool { return ev.Occupants[i].Nick < ev.Occupants[j].Nick })
	return ev
}

// bannerOf describes the people from outside the organisation in a room
// (the user excluded), in the room's language. s.muc.mu is held.
func bannerOf(r *room) event.RoomBanner {
	l := r.lang
	b := event.RoomBanner{Room: r.jid}
	var parts []string
	for _, o := range sortedOccupants(r) {
		if o.Self {
			continue
		}
		t := o.Trust
		if t.Class == event.ClassInternal {
			continue
		}
		b.External = true
		who := o.JID
		what := className(l, t.Class)
		switch {
		case o.JID == "":
			who, what = o.Nick, l.T("real address hidden")
		case t.Class == event.ClassLookalike:
			b.Lookalike = true
			what = l.T("lookalike of {{.Domain}}", l10n.Args{"Domain": t.LookalikeOf})
		case t.Class == event.ClassPartner && t.Org != "":
			what = t.Org
		case t.Class == event.ClassGateway && t.Network != "":
			what = l.T("{{.Network}} gateway", l10n.Args{"Network": t.Network})
		}
		parts = append(parts, who+" ("+what+")")
	}
	if len(parts) == 0 {
		return b
	}
	list := strings.Join(parts, ", ")
	if len(parts) == 1 {
		b.Summary = l.T("1 external participant: {{.List}}", l10n.Args{"List": list})
	} else {
		b.Summary = l.T("{{.N}} external participants: {{.List}}", l10n.Args{"N": len(parts), "List": list})
	}
	if b.Lookalike {
		b.Summary = l.T("Warning, a lookalike address is in this room. {{.Summary}}", l10n.Args{"Summary": b.Summary})
	}
	return b
}

// className names a trust class in a room's banner: the class itself in
// English, as it always was, and a word of the language otherwise.
func className(l l10n.Lang, class string) string {
	switch class {
	case event.ClassPartner:
		return l.T("partner")
	case event.ClassGateway:
		return l.T("gateway")
	case event.ClassUnknown:
		return l.T("unknown")
	case event.ClassLookalike:
		return l.T("lookalike")
	case event.ClassBlocked:
		return l.T("blocked")
	}
	return class
}

func sortedOccupants(r *room) []*event.Occupant {
	l := make([]*event.Occupant, 0, len(r.occ))
	for _, o := range r.occ {
		l = append(l, o)
	}
	sort.Slice(l, func(i, j int) bool { return l[i].Nick < l[j].Nick })
	return l
}

// bannerChange returns the banner when it differs from the last one
// emitted. s.muc.mu is held.
func bannerChange(r *room, force bool) (event.RoomBanner, bool) {
	b := bannerOf(r)
	if !force && b.Summary == r.banner && b.External == r.bannerOn {
		return b, false
	}
	r.banner, r.bannerOn = b.Summary, b.External
	return b, true
}

// onRoomPresence handles presence from a room the user is in or joining.
// It reports false for any other presence.
func (s *Session) onRoomPresence(c *conn, st *inStanza) bool {
	bare, nick := splitJID(st.From)
	s.muc.mu.Lock()
	r := s.muc.get(bare)
	if r == nil {
		s.muc.mu.Unlock()
		return false
	}
	var evs []event.Event
	var out []*el
	history := false
	defer func() {
		if len(out) > 0 || history {
			s.mu.Lock()
			if s.cur == c {
				for _, e := range out {
					s.write(c, &outStanza{el: e})
				}
				if history {
					s.roomHistory(c, r.jid)
				}
			}
			s.mu.Unlock()
		}
		for _, e := range evs {
			s.emit(e)
		}
	}()
	defer s.muc.mu.Unlock()
	if nick == "" {
		return true // presence from the room itself: nothing to show
	}
	u := st.MUCUser
	self := u.has("110")
	switch st.Type {
	case "error":
		if r.joined {
			return true // e.g. a refused nick change: the stay goes on
		}
		delete(s.muc.rooms, roomKey(bare))
		cmd := "join"
		if r.create != nil {
			cmd = "create_room"
		}
		evs = append(evs, event.Error{Message: joinError(r, st.Error), Code: joinErrorCode(st.Error), Command: cmd})
		if r.everIn {
			evs = append(evs, event.RoomLeft{Room: r.jid, Reason: s.lang.T("It could not be joined again: {{.Error}}", l10n.Args{"Error": st.Error.String()})})
		}
		return true
	case "unavailable":
		it := u.item()
		if self {
			if u.has("303") && it.Nick != "" {
				delete(r.occ, nick)
				r.nick = it.Nick
				return true
			}
			if r.away && !r.leaving && u.Destroy == nil && !u.has("301") && !u.has("307") && !u.has("321") && !u.has("322") && !u.has("332") {
				// Out because she appears offline: kept, to join again.
				r.joined, r.shown = false, false
				r.occ = map[string]*event.Occupant{}
				evs = append(evs, event.RoomLeft{Room: r.jid, Reason: s.lang.T("You appear offline; Palisade joins the room again when you are back.")})
				return true
			}
			delete(s.muc.rooms, roomKey(bare))
			evs = append(evs, event.RoomLeft{Room: r.jid, Reason: leaveReasonIn(s.lang, u, it, r.leaving)})
			return true
		}
		o := r.occ[nick]
		delete(r.occ, nick)
		if !r.shown {
			return true
		}
		ch := event.OccupantChange{Room: r.jid, Nick: nick, Role: it.Role, Affiliation: it.Affiliation, Left: true}
		if o != nil {
			ch.JID, ch.Trust = o.JID, o.Trust
			if ch.Role == "" {
				ch.Role = o.Role
			}
		}
		if u.has("303") {
			ch.NewNick = it.Nick
		}
		evs = append(evs, ch)
		if b, ok := bannerChange(r, false); ok {
			evs = append(evs, b)
		}
		return true
	case "":
	default:
		return true
	}
	it := u.item()
	real := ""
	if it.JID != "" {
		real = peerOf(it.JID)
	}
	o := &event.Occupant{Nick: nick, JID: real, Role: it.Role, Affiliation: it.Affiliation, Self: self,
		Show: presenceShow(st.Show), Status: st.Status}
	if self {
		o.JID = s.bare.String()
		o.Trust = s.trustOf(o.JID)
	} else {
		o.Trust = s.occupantTrust(real)
	}
	if o.Role == "" {
		o.Role = event.RoleNone
	}
	if o.Affiliation == "" {
		o.Affiliation = event.AffiliationNone
	}
	r.occ[nick] = o
	if self {
		r.nick = nick
		r.joined, r.everIn, r.on = true, true, c
		if r.shown { // our own role, affiliation or presence changed
			evs = append(evs, occupantChange(r.jid, o))
			return true
		}
		if r.create != nil {
			if u.has("201") {
				out = append(out, s.requestRoomConfig(c, r))
				return true
			}
			evs = append(evs, event.Error{Message: s.lang.T("The room {{.Room}} exists already: you joined it as it is (its settings were not changed).", l10n.Args{"Room": r.jid}), Code: event.CodeConflict, Command: "create_room"})
			r.create = nil
		}
		r.shown = true
		history = true
		evs = append(evs, s.joinedEvent(r))
		b, _ := bannerChange(r, true)
		evs = append(evs, b)
		return true
	}
	if !r.shown {
		return true
	}
	evs = append(evs, occupantChange(r.jid, o))
	if b, ok := bannerChange(r, false); ok {
		evs = append(evs, b)
	}
	return true
}

func occupantChange(room string, o *event.Occupant) event.OccupantChange {
	return event.OccupantChange{Room: room, Nick: o.Nick, JID: o.JID, Role: o.Role, Affiliation: o.Affiliation, Trust: o.Trust,
		Show: o.Show, Status: o.Status}
}

// presenceShow keeps the show values of RFC 6121; anything else is plain
// available ("").
func presenceShow(v string) string {
	switch v := strings.TrimSpace(v); v {
	case event.ShowChat, event.ShowAway, event.ShowXA, event.ShowDND:
		return v
	}
	return ""
}

func errCondition(e *stanzaError) string {
	if e == nil {
		return ""
	}
	for _, c := range e.Conditions {
		if c.XMLName.Space == nsStanzaErr && c.XMLName.Local != "text" {
			return c.XMLName.Local
		}
	}
	return ""
}

func joinErrorCode(e *stanzaError) string {
	if errCondition(e) == "conflict" {
		return event.CodeConflict
	}
	return event.CodeProtocol
}

// joinError explains why a room refused the user, and what to do, in the
// room's language.
func joinError(r *room, e *stanzaError) string {
	l, a := r.lang, l10n.Args{"Room": r.jid}
	switch errCondition(e) {
	case "conflict":
		a["Nick"], a["Example"] = strconv.Quote(r.nick), strconv.Quote(r.nick+"_2")
		return l.T("The nickname {{.Nick}} is already taken in the room {{.Room}}: join again with another one, for example {{.Example}}.", a)
	case "not-authorized":
		return l.T("The room {{.Room}} needs a password: join again with the right one.", a)
	case "registration-required":
		return l.T("The room {{.Room}} is for members only: ask one of its owners to invite you.", a)
	case "forbidden":
		return l.T("You are banned from the room {{.Room}}.", a)
	case "item-not-found":
		return l.T("The room {{.Room}} does not exist, and you may not create it.", a)
	case "not-allowed":
		return l.T("You may not create the room {{.Room}} on this server.", a)
	case "service-unavailable":
		return l.T("The room {{.Room}} is full or unavailable; try again later.", a)
	case "jid-malformed":
		a["Nick"] = r.nick
		return l.T("The room {{.Room}} refused the nickname {{.Nick}}: choose another one.", a)
	}
	a["Error"] = e.String()
	return l.T("The room {{.Room}} refused to let you in: {{.Error}}", a)
}

// leaveReason says in English why the user is out of a room ("" when they
// asked to leave); leaveReasonIn says it in the user's language.
func leaveReason(u *mucUser, it mucItem, asked bool) string {
	return leaveReasonIn(l10n.English, u, it, asked)
}

func leaveReasonIn(l l10n.Lang, u *mucUser, it mucItem, asked bool) string {
	why := ""
	if it.Reason != "" {
		why = " (" + it.Reason + ")"
	}
	switch {
	case u != nil && u.Destroy != nil:
		if u.Destroy.Reason != "" {
			why = " (" + u.Destroy.Reason + ")"
		}
		return l.T("The room was closed by its owner{{.Why}}.", l10n.Args{"Why": why})
	case u.has("301"):
		return l.T("You were banned from the room{{.Why}}.", l10n.Args{"Why": why})
	case u.has("307"):
		return l.T("You were removed from the room by a moderator{{.Why}}.", l10n.Args{"Why": why})
	case u.has("321"), u.has("322"):
		return l.T("You are no longer a member of this members-only room{{.Why}}.", l10n.Args{"Why": why})
	case u.has("332"):
		return l.T("The chat service is shutting down.")
	case asked:
		return ""
	}
	return l.T("You are no longer in the room{{.Why}}.", l10n.Args{"Why": why})
}

// requestRoomConfig asks a new room for its configuration form; the answer
// is filled in and sent back (XEP-0045 §10.1.3, XEP-0004), then the room is
// announced. s.muc.mu is held; the IQ is returned for writing.
func (s *Session) requestRoomConfig(c *conn, r *room) *el {
	id := randomID()
	create := *r.create
	s.iqMu.Lock()
	s.iqs[id] = func(st *inStanza) { s.onRoomConfigForm(c, r.jid, create, st) }
	s.iqMu.Unlock()
	return iq("get", id, r.jid, elem(nsMUCOwner, "query"))
}

func (s *Session) onRoomConfigForm(c *conn, roomJID string, cr event.CreateRoom, st *inStanza) {
	if !sameJID(st.From, roomJID) {
		return
	}
	if st.Type != "result" || st.MUCOwner == nil || st.MUCOwner.Form == nil {
		s.roomConfigured(roomJID, s.lang.T("The room {{.Room}} was created but its settings could not be read: {{.Error}}", l10n.Args{"Room": roomJID, "Error": st.Error.String()}))
		return
	}
	want := map[string]string{
		"muc#roomconfig_membersonly":    boolField(cr.MembersOnly),
		"muc#roomconfig_persistentroom": boolField(cr.Persistent),
	}
	if cr.Name != "" {
		want["muc#roomconfig_roomname"] = cr.Name
	}
	x := elem(nsXData, "x", "type", "submit")
	for _, f := range st.MUCOwner.Form.Fields {
		if f.Var == "" || f.Type == "fixed" {
			continue
		}
		fe := elem("", "field", "var", f.Var)
		if v, ok := want[f.Var]; ok {
			fe.add(child("value", v))
			delete(want, f.Var)
		} else {
			for _, v := range f.Values {
				fe.add(child("value", v))
			}
		}
		x.add(fe)
	}
	missing := ""
	for k := range want {
		if k != "muc#roomconfig_roomname" {
			missing = k
		}
	}
	id := randomID()
	s.mu.Lock()
	if s.cur == c {
		s.sendIQ(c, iq("set", id, roomJID, elem(nsMUCOwner, "query").add(x)), func(st *inStanza) {
			if !sameJID(st.From, roomJID) {
				return
			}
			msg := ""
			switch {
			case st.Type != "result":
				msg = s.lang.T("The room {{.Room}} was created but refused its settings: {{.Error}}", l10n.Args{"Room": roomJID, "Error": st.Error.String()})
			case missing != "":
				msg = s.lang.T("The room {{.Room}} was created, but this server does not offer the setting {{.Setting}}.", l10n.Args{"Room": roomJID, "Setting": missing})
			}
			s.roomConfigured(roomJID, msg)
		})
	}
	s.mu.Unlock()
}

func boolField(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// roomConfigured announces a newly created room, after an error when its
// configuration failed.
func (s *Session) roomConfigured(roomJID, problem string) {
	if problem != "" {
		s.emit(event.Error{Message: problem, Code: event.CodeProtocol, Command: "create_room"})
	}
	s.muc.mu.Lock()
	r := s.muc.get(roomJID)
	if r == nil || !r.joined || r.shown {
		s.muc.mu.Unlock()
		return
	}
	r.create = nil
	r.shown = true
	ev := s.joinedEvent(r)
	ev.Created = true
	b, _ := bannerChange(r, true)
	s.muc.mu.Unlock()
	s.emit(ev)
	s.emit(b)
}

// onMUCMessage handles group messages, topics, private messages inside a
// room, invitations and bookmark notifications. It reports false for a
// message that is none of these.
func (s *Session) onMUCMessage(c *conn, st *inStanza) bool {
	if st.PubSubEvent != nil && st.PubSubEvent.Items != nil && st.PubSubEvent.Items.Node == nsBookmarks {
		s.onBookmarksPush(c, st)
		return true
	}
	if (st.CarbonSent != nil || st.CarbonRecvd != nil) && c.fromSelf(st.From) {
		return s.onRoomCarbon(st)
	}
	bare, nick := splitJID(st.From)
	s.muc.mu.Lock()
	r := s.muc.get(bare)
	in := r != nil && r.joined
	s.muc.mu.Unlock()
	switch {
	case st.Type == "groupchat":
		if !in {
			s.muc.forged.Add(1)
			s.forged.Add(1)
			return true // not from a room the user is in: ignored
		}
		s.onGroupMessage(r, nick, st)
		return true
	case st.Type == "error":
		if r == nil {
			return false
		}
		s.emit(event.Error{Message: s.lang.T("The room {{.Room}} refused a message: {{.Error}}", l10n.Args{"Room": r.jid, "Error": joinErrorText(st.Error)}), Code: event.CodeProtocol})
		return true
	case st.MUCUser != nil && st.MUCUser.Decline != nil && nick == "" && st.Type != "error":
		s.onRoomDecline(r, in, st)
		return true
	case st.MUCUser != nil && st.MUCUser.Invite != nil && nick == "":
		inviter := peerOf(st.MUCUser.Invite.From)
		var tr event.Trust
		if roomKey(inviter) == roomKey(bare) {
			// The room hides who invited: only their nickname is known.
			inviter = st.MUCUser.Invite.From
			tr = s.occupantTrust("")
		} else {
			var inb policy.Inbound
			inb, tr = s.inbound(inviter)
			if inb.Drop || inviter == "" {
				return true
			}
		}
		pw := ""
		if st.MUCUser.Password != nil {
			pw = *st.MUCUser.Password
		}
		s.emit(event.RoomInvite{Room: roomKey(bare), From: inviter, Reason: st.MUCUser.Invite.Reason, Password: pw, Trust: tr})
		return true
	case st.DirectInvite != nil && st.DirectInvite.JID != "":
		inb, tr := s.inbound(st.From)
		if inb.Drop {
			return true
		}
		s.emit(event.RoomInvite{Room: roomKey(st.DirectInvite.JID), From: peerOf(st.From), Reason: st.DirectInvite.Reason, Password: st.DirectInvite.Password, Trust: tr})
		return true
	case nick != "" && (in || st.MUCUser != nil) && (st.Type == "chat" || st.Type == "" || st.Type == "normal"):
		// A private message inside a room: never a direct chat.
		if st.Body == nil || *st.Body == "" {
			return true
		}
		var real string
		var tr event.Trust
		if in {
			s.muc.mu.Lock()
			if o := r.occ[nick]; o != nil {
				real, tr = o.JID, o.Trust
			} else {
				tr = s.occupantTrust("")
			}
			s.muc.mu.Unlock()
		} else {
			inb, t := s.inbound(st.From)
			if inb.Drop {
				return true
			}
			tr = t
		}
		if tr.Class == event.ClassBlocked {
			return true
		}
		t, _ := messageTime(st)
		s.emitRoomPrivate(event.RoomPrivateMessage{Room: roomKey(bare), Nick: nick, FromJID: real, Body: *st.Body, ID: st.ID, Time: t, Trust: tr})
		return true
	}
	return false
}

func joinErrorText(e *stanzaError) string { return e.String() }

// onRoomDecline reports that someone declined the user's invitation, as
// passed on by a room the user is in; a decline from anywhere else is
// ignored.
func (s *Session) onRoomDecline(r *room, in bool, st *inStanza) {
	if !in {
		s.muc.forged.Add(1)
		s.forged.Add(1)
		return
	}
	from := strings.TrimSpace(st.MUCUser.Decline.From)
	var tr event.Trust
	if from == "" || roomKey(from) == r.jid {
		// The room hides who declined: only their nickname, if that.
		tr = s.occupantTrust("")
		if from == "" {
			from = r.jid
		}
	} else {
		from = peerOf(from)
		var inb policy.Inbound
		inb, tr = s.inbound(from)
		if inb.Drop {
			return
		}
	}
	s.emit(event.RoomDeclined{Room: r.jid, From: from, Reason: strings.TrimSpace(st.MUCUser.Decline.Reason), Trust: tr})
}

// onRoomCarbon handles a carbon copy (from the account itself) of a
// private message inside a room, sent or received by another client of the
// account: it is a room private message, never a direct chat. It reports
// false for any other carbon.
func (s *Session) onRoomCarbon(st *inStanza) bool {
	fw, out := st.CarbonSent.message(), true
	if fw == nil {
		fw, out = st.CarbonRecvd.message(), false
	}
	if fw == nil {
		return false
	}
	peer := fw.From
	if out {
		peer = fw.To
	}
	bare, nick := splitJID(peer)
	s.muc.mu.Lock()
	r := s.muc.get(bare)
	var o *event.Occupant
	if r != nil {
		if x := r.occ[nick]; x != nil {
			cp := *x
			o = &cp
		}
	}
	s.muc.mu.Unlock()
	if nick == "" || (r == nil && fw.MUCUser == nil) {
		return false
	}
	if fw.Type == "groupchat" || fw.Type == "error" || fw.Body == nil || *fw.Body == "" {
		return true // the room itself delivers group messages; nothing to show
	}
	m := event.RoomPrivateMessage{Room: roomKey(bare), Nick: nick, Body: *fw.Body, ID: fw.ID, Outgoing: out}
	m.Time, _ = messageTime(fw)
	if o != nil {
		m.FromJID, m.Trust = o.JID, o.Trust
	} else {
		m.Trust = s.occupantTrust("")
	}
	if m.Trust.Class == event.ClassBlocked && !out {
		return true
	}
	s.emitRoomPrivate(m)
	return true
}

// onGroupMessage turns a groupchat message from a joined room into events.
func (s *Session) onGroupMessage(r *room, nick string, st *inStanza) {
	if st.Subject != nil && st.Body == nil {
		s.muc.mu.Lock()
		r.topic = *st.Subject
		shown := r.shown // before RoomJoined (a new room being set up), RoomJoined carries it
		s.muc.mu.Unlock()
		if shown {
			s.emit(event.RoomTopic{Room: r.jid, Topic: *st.Subject, By: nick})
		}
		return
	}
	if st.Body == nil || *st.Body == "" {
		return
	}
	t, delayed := messageTime(st)
	ev := event.RoomMessage{Room: r.jid, ID: st.ID, Nick: nick, Body: *st.Body, Time: t, Delayed: delayed}
	for _, sid := range st.StanzaIDs {
		if sameJID(sid.By, r.jid) {
			ev.StanzaID = sid.ID
		}
	}
	s.muc.mu.Lock()
	if o := r.occ[nick]; o != nil {
		ev.FromJID, ev.Trust = o.JID, o.Trust
	} else if nick == "" {
		ev.Trust = s.trustOf(r.jid) // the room itself speaking
	} else {
		ev.Trust = s.occupantTrust("")
	}
	ev.Outgoing = nick != "" && nick == r.nick
	if t.After(r.last) {
		r.last = t
	}
	s.muc.mu.Unlock()
	if ev.Trust.Class == event.ClassBlocked && !ev.Outgoing {
		return
	}
	if ev.FromJID != "" && !ev.Outgoing && s.devicesKnown(ev.FromJID) {
		ev.Signature, ev.Device = s.signatureVerdict(peerOf(ev.FromJID), r.jid, ev.Body, st)
	}
	s.emitRoomMessage(ev)
}

// roomFileDecision is the policy's decision on a file sent to a room the
// user is in: every occupant must be allowed to receive it, and an
// occupant whose real address is hidden cannot be checked. ok is false
// when addr is not such a room.
func (s *Session) roomFileDecision(addr, name string, size int64) (d policy.Decision, ok bool) {
	s.muc.mu.Lock()
	r := s.muc.get(addr)
	if r == nil || !r.joined {
		s.muc.mu.Unlock()
		return d, false
	}
	var jids, hidden []string
	for _, o := range sortedOccupants(r) {
		if o.JID == "" {
			hidden = append(hidden, o.Nick)
			continue
		}
		jids = append(jids, o.JID)
	}
	s.muc.mu.Unlock()
	if len(hidden) > 0 {
		return policy.Decision{Code: event.RefusedFilePolicy, Reason: s.lang.T("Files cannot be sent to this room: the room hides the real address of {{.Nicks}}, so the file rules cannot be checked.", l10n.Args{"Nicks": strings.Join(hidden, ", ")})}, true
	}
	e := s.engine()
	if e == nil {
		return policy.Decision{Allowed: true}, true
	}
	return e.MayFileToRoom(jids, name, size), true
}

// roomFileMessage is the groupchat message carrying a file link to a room.
func roomFileMessage(id, to, link string) *el {
	return elem(nsClient, "message", "type", "groupchat", "to", to, "id", id).add(
		child("body", link), elem(nsOOB, "x").add(child("url", link)))
}
