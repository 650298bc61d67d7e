package session

// Room history: every group message and private room message reported is
// stored in the local archive, and after each join the room's own archive
// (MUC MAM, XEP-0313) is read from the saved sync point when the room
// offers one and a local archive is configured. A message seen both live
// (or in the room's join history) and in the archive is reported once.

import (
	"strings"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
)

const nsMAM2 = "urn:xmpp:mam:2"

// roomSeenKeys identify a room message for de-duplication: the room's
// stanza-id, and the sender's occupant JID with the message id.
func roomSeenKeys(room, nick, id, stanzaID string) []string {
	var k []string
	if stanzaID != "" {
		k = append(k, "room-sid|"+room+"|"+stanzaID)
	}
	if id != "" {
		k = append(k, "room-id|"+room+"/"+nick+"|"+id)
	}
	return k
}

func (s *Session) roomArchiveOf(m event.RoomMessage) archive.Message {
	own := s.bare.String()
	am := archive.Message{
		Account: own, Conversation: m.Room, Direction: archive.In,
		Sender: m.Room + "/" + m.Nick, SenderBare: m.FromJID, Body: m.Body, Time: m.Time,
		StanzaID: m.StanzaID, MessageID: m.ID, Trust: archive.TrustOf(m.Trust), IsRoom: true,
	}
	if m.Outgoing {
		am.Direction, am.SenderBare = archive.Out, own
	}
	return am
}

// emitRoomMessage stores a group message and reports it unless it was
// reported already in this run (from the room's archive, or its join
// history after a rejoin).
func (s *Session) emitRoomMessage(m event.RoomMessage) {
	dup := s.markSeen(roomSeenKeys(m.Room, m.Nick, m.ID, m.StanzaID)...)
	s.archiveMessage(s.roomArchiveOf(m))
	if !dup {
		s.emit(m)
	}
}

// emitRoomPrivate stores a private message inside a room and reports it.
func (s *Session) emitRoomPrivate(m event.RoomPrivateMessage) {
	own := s.bare.String()
	am := archive.Message{
		Account: own, Conversation: m.Room, Direction: archive.In,
		Sender: m.Room + "/" + m.Nick, SenderBare: m.FromJID, Body: m.Body, Time: m.Time,
		MessageID: m.ID, Trust: archive.TrustOf(m.Trust), IsPrivate: true,
	}
	if m.Outgoing {
		am.Direction, am.Sender, am.SenderBare = archive.Out, own, own
	}
	s.archiveMessage(am)
	s.emit(m)
}

// roomHistory asks a joined room for its service discovery information:
// its name and description are reported as RoomInfo, and when the room
// keeps an archive and a local archive is configured, the session catches
// up from the saved sync point. s.mu is held.
func (s *Session) roomHistory(c *conn, room string) {
	s.sendIQTo(c, room, iq("get", randomID(), room, elem(nsDiscoInfo, "query")), func(st *inStanza) {
		if st.Type != "result" || st.DiscoInfo == nil {
			return
		}
		if !s.roomInfo(room, st.DiscoInfo) || s.cfg.Archive == nil {
			return
		}
		mam := false
		for _, f := range st.DiscoInfo.Features {
			mam = mam || f.Var == nsMAM2
		}
		if !mam {
			return
		}
		s.mu.Lock()
		if s.cur == c {
			s.queryArchive(c, room, room, s.roomResult(room))
		}
		s.mu.Unlock()
	})
}

// roomInfoOf reads a room's name and description from its disco#info
// answer: the muc#roominfo form (muc#roomconfig_roomname,
// muc#roominfo_description), else the conference identity's name.
func roomInfoOf(room string, d *discoInfo) event.RoomInfo {
	ri := event.RoomInfo{Room: room}
	for _, f := range d.Forms {
		if f.Type != "" && f.Type != "result" {
			continue
		}
		vals := map[string]string{}
		for _, fl := range f.Fields {
			if len(fl.Values) > 0 {
				vals[fl.Var] = strings.TrimSpace(strings.Join(fl.Values, "\n"))
			}
		}
		if vals["FORM_TYPE"] != nsMUC+"#roominfo" {
			continue
		}
		ri.Name = vals["muc#roomconfig_roomname"]
		ri.Description = vals["muc#roominfo_description"]
	}
	if ri.Name == "" {
		for _, id := range d.Identities {
			if id.Category == "conference" && strings.TrimSpace(id.Name) != "" {
				ri.Name = strings.TrimSpace(id.Name)
				break
			}
		}
	}
	// A server that names a room without a title after its address (its
	// local part) says nothing the address does not.
	if l, _, ok := strings.Cut(room, "@"); ok && strings.EqualFold(ri.Name, l) {
		ri.Name = ""
	}
	return ri
}

// roomInfo keeps and reports what a joined room said about itself; false
// when the user is no longer in the room.
func (s *Session) roomInfo(room string, d *discoInfo) bool {
	ri := roomInfoOf(room, d)
	s.muc.mu.Lock()
	r := s.muc.get(room)
	in := r != nil && r.joined && !r.leaving
	if in && ri.Name != "" {
		r.name = ri.Name
	}
	s.muc.mu.Unlock()
	if in {
		s.emit(ri)
	}
	return in
}

// roomResult turns a result of a room's archive into a group message.
func (s *Session) roomResult(room string) mamConvert {
	return func(r mamResult) (event.Event, *archive.Message) {
		fw := r.Msg
		if fw.Type != "groupchat" || fw.Body == nil || *fw.Body == "" {
			return nil, nil
		}
		b, nick := splitJID(fw.From)
		if roomKey(b) != room {
			return nil, nil // the archive of this room holds only its own messages
		}
		m := event.RoomMessage{Room: room, ID: fw.ID, Nick: nick, Body: *fw.Body, Time: r.Time,
			Delayed: true, StanzaID: r.ID, Archived: true}
		if it := fw.MUCUser.item(); it.JID != "" {
			m.FromJID = peerOf(it.JID) // the room reveals who sent it
		}
		m.Trust = s.occupantTrust(m.FromJID)
		if m.FromJID == s.bare.String() {
			m.Outgoing = true
		}
		if m.Trust.Class == event.ClassBlocked {
			return nil, nil
		}
		am := s.roomArchiveOf(m)
		if s.markSeen(roomSeenKeys(room, nick, m.ID, m.StanzaID)...) {
			return nil, &am
		}
		return m, &am
	}
}
