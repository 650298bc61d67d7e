package session

// Room bookmarks (XEP-0402): kept in the user's own PEP node
// urn:xmpp:bookmarks:1, fetched after every new sign-in, with autojoin.
// Bookmark data is accepted only from the user's own bare JID (the
// account's server speaking for it): a notification from anyone else is
// forged and ignored.

import (
	"sort"
	"strings"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

const nsBookmarks = "urn:xmpp:bookmarks:1"

type bookmarkState struct {
	have  bool
	items map[string]bookmark // by room JID
}

type bookmark struct {
	event.Bookmark
	password string
}

// bookmarkConference is <conference xmlns='urn:xmpp:bookmarks:1'/>, the
// payload of a bookmark item.
type bookmarkConference struct {
	Name     string `xml:"name,attr"`
	Autojoin string `xml:"autojoin,attr"`
	Nick     string `xml:"nick"`
	Password string `xml:"password"`
}

func (b bookmark) element() *el {
	auto := "false"
	if b.Autojoin {
		auto = "true"
	}
	c := elem(nsBookmarks, "conference", "name", b.Name, "autojoin", auto)
	if b.Nick != "" {
		c.add(child("nick", b.Nick))
	}
	if b.password != "" {
		c.add(child("password", b.password))
	}
	return c
}

func bookmarkOf(room string, c *bookmarkConference) (bookmark, bool) {
	r, ok := roomJID(room)
	if !ok || c == nil {
		return bookmark{}, false
	}
	return bookmark{Bookmark: event.Bookmark{Room: r, Name: c.Name, Nick: c.Nick,
		Autojoin: c.Autojoin == "true" || c.Autojoin == "1"}, password: c.Password}, true
}

// bookmarkList is the sorted list for the Bookmarks event. s.muc.mu is held.
func (m *mucState) bookmarkList() event.Bookmarks {
	l := event.Bookmarks{Items: []event.Bookmark{}}
	for _, b := range m.bm.items {
		l.Items = append(l.Items, b.Bookmark)
	}
	sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].Room < l.Items[j].Room })
	return l
}

// fetchBookmarks asks the user's PEP service for the bookmarks. s.mu is held.
func (s *Session) fetchBookmarks(c *conn) error {
	return s.sendIQ(c, iq("get", randomID(), "", elem(nsPubSub, "pubsub").add(elem("", "items", "node", nsBookmarks))),
		func(st *inStanza) { s.onBookmarksResult(c, st) })
}

func (s *Session) onBookmarksResult(c *conn, st *inStanza) {
	if !c.fromSelf(st.From) {
		s.muc.forged.Add(1)
		s.forged.Add(1)
		return
	}
	found := map[string]bookmark{}
	switch {
	case st.Type == "result" && st.PubSub != nil && st.PubSub.Items != nil:
		for _, it := range st.PubSub.Items.Items {
			if b, ok := bookmarkOf(it.ID, it.Conference); ok {
				found[b.Room] = b
			}
		}
	case st.Type == "error" && errCondition(st.Error) == "item-not-found":
		// no bookmarks yet
	case st.Type == "error":
		s.emit(event.Error{Message: s.lang.T("The room bookmarks could not be read: {{.Err}}", l10n.Args{"Err": st.Error.String()}), Code: event.CodeProtocol})
		return
	}
	s.muc.mu.Lock()
	s.muc.bm.have = true
	s.muc.bm.items = found
	l := s.muc.bookmarkList()
	s.muc.mu.Unlock()
	s.emit(l)
	s.autojoin(found)
}

// autojoin joins the autojoin rooms the user is not in yet.
func (s *Session) autojoin(items map[string]bookmark) {
	var todo []bookmark
	s.muc.mu.Lock()
	for _, b := range items {
		if b.Autojoin && s.muc.get(b.Room) == nil {
			todo = append(todo, b)
		}
	}
	s.muc.mu.Unlock()
	sort.Slice(todo, func(i, j int) bool { return todo[i].Room < todo[j].Room })
	s.mu.Lock()
	offline := s.presence.Show == event.ShowUnavailable
	s.mu.Unlock()
	if offline {
		// Appearing offline: the rooms wait, to be joined when she is
		// back (muc.go mucPresence).
		s.muc.mu.Lock()
		if s.muc.rooms == nil {
			s.muc.rooms = map[string]*room{}
		}
		for _, b := range todo {
			nick := strings.TrimSpace(b.Nick)
			if nick == "" {
				nick = s.bare.Localpart()
			}
			rj, ok := roomJID(b.Room)
			if !ok {
				continue // join would refuse it too
			}
			s.muc.rooms[rj] = &room{jid: rj, nick: nick, password: b.password, away: true,
				occ: map[string]*event.Occupant{}, lang: s.lang}
		}
		s.muc.mu.Unlock()
		return
	}
	for _, b := range todo {
		s.join(event.Join{Room: b.Room, Nick: b.Nick, Password: b.password}, nil)
	}
}

// onBookmarksPush applies a PEP notification for the bookmarks node.
func (s *Session) onBookmarksPush(c *conn, st *inStanza) {
	if st.Type == "error" {
		return
	}
	if !c.fromSelf(st.From) {
		s.muc.forged.Add(1)
		s.forged.Add(1)
		return // someone else's "bookmarks": ignored
	}
	items := st.PubSubEvent.Items
	added := map[string]bookmark{}
	s.muc.mu.Lock()
	if s.muc.bm.items == nil {
		s.muc.bm.items = map[string]bookmark{}
	}
	for _, it := range items.Items {
		if b, ok := bookmarkOf(it.ID, it.Conference); ok {
			s.muc.bm.items[b.Room] = b
			added[b.Room] = b
		}
	}
	for _, r := range items.Retracts {
		if k, ok := roomJID(r.ID); ok {
			delete(s.muc.bm.items, k)
		}
	}
	l := s.muc.bookmarkList()
	s.muc.mu.Unlock()
	s.emit(l)
	s.autojoin(added)
}

func (s *Session) getBookmarks() {
	s.muc.mu.Lock()
	have := s.muc.bm.have
	l := s.muc.bookmarkList()
	s.muc.mu.Unlock()
	if have {
		s.emit(l)
		return
	}
	s.mu.Lock()
	if s.cur != nil {
		s.fetchBookmarks(s.cur)
	}
	s.mu.Unlock()
	if s.cur == nil {
		s.emit(l)
	}
}

func publishOptions(maxItems string) *el {
	f := func(v, val string) *el { return elem("", "field", "var", v).add(child("value", val)) }
	x := elem(nsXData, "x", "type", "submit").add(
		elem("", "field", "var", "FORM_TYPE", "type", "hidden").add(child("value", "http://jabber.org/protocol/pubsub#publish-options")),
		f("pubsub#persist_items", "true"),
		f("pubsub#access_model", "whitelist"),
	)
	if maxItems != "" {
		x.add(f("pubsub#max_items", maxItems), f("pubsub#send_last_published_item", "never"))
	}
	return elem("", "publish-options").add(x)
}

func (s *Session) setBookmark(c event.SetBookmark) {
	r, ok := roomJID(c.Room)
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid room address: {{.Room}} (expected room@conference.example.com).", l10n.Args{"Room": c.Room}))
		return
	}
	b := bookmark{Bookmark: event.Bookmark{Room: r, Name: strings.TrimSpace(c.Name), Nick: strings.TrimSpace(c.Nick), Autojoin: c.Autojoin}, password: c.Password}
	done := func(st *inStanza) bool {
		if !sameJIDOrSelf(st.From, s.bare.String()) {
			return false
		}
		if st.Type != "result" {
			s.emit(event.Error{Message: s.lang.T("The bookmark for {{.Room}} could not be saved: {{.Err}}", l10n.Args{"Room": r, "Err": st.Error.String()}), Code: event.CodeProtocol, Command: c.CommandName()})
			return true
		}
		s.muc.mu.Lock()
		if s.muc.bm.items == nil {
			s.muc.bm.items = map[string]bookmark{}
		}
		if c.Remove {
			delete(s.muc.bm.items, r)
		} else {
			s.muc.bm.items[r] = b
		}
		l := s.muc.bookmarkList()
		s.muc.mu.Unlock()
		s.emit(l)
		return true
	}
	if c.Remove {
		s.withConn(c, func(cur *conn) {
			s.sendIQ(cur, iq("set", randomID(), "", elem(nsPubSub, "pubsub").add(
				elem("", "retract", "node", nsBookmarks, "notify", "true").add(elem("", "item", "id", r)))),
				func(st *inStanza) { done(st) })
		})
		return
	}
	publish := func(maxItems string) *el {
		return iq("set", randomID(), "", elem(nsPubSub, "pubsub").add(
			elem("", "publish", "node", nsBookmarks).add(elem("", "item", "id", r).add(b.element())),
			publishOptions(maxItems)))
	}
	s.withConn(c, func(cur *conn) {
		s.sendIQ(cur, publish("max"), func(st *inStanza) {
			if st.Type == "error" && sameJIDOrSelf(st.From, s.bare.String()) {
				// A server that does not take pubsub#max_items or
				// send_last_published_item as publish options (ejabberd
				// 23.01): publish with the two that matter, persistence
				// and a private access model (its PEP nodes keep many
				// items by default).
				s.mu.Lock()
				if s.cur == cur {
					s.sendIQ(cur, publish(""), func(st *inStanza) { done(st) })
				}
				s.mu.Unlock()
				return
			}
			done(st)
		})
	})
}

// sameJIDOrSelf: an answer from the account's own PEP service carries no
// 'from' or the bare JID.
func sameJIDOrSelf(from, bare string) bool {
	return from == "" || sameJID(from, bare)
}
