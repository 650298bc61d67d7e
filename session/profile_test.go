package session

import (
	"encoding/base64"
	"encoding/xml"
	"strings"
	"testing"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// offlineProfiles is a session that never connects, with a profile manager
// holding IT's key and profile 1, and a stand-in stream subscribed to IT's
// nodes, so that notifications can be fed to the handlers directly.
func offlineProfiles(t testing.TB) (*Session, *conn, *itDesk) {
	t.Helper()
	it := newITDesk(t, &testenv.Server{PubSubService: "pubsub.acme.test"})
	dir := t.TempDir()
	m := it.manager(dir)
	p1, s1 := it.profile(1)
	if _, err := m.Apply(p1, s1, "managed"); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir, Profiles: m})
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{s: s, bare: "alice@acme.test", jid: jid.MustParse("alice@acme.test/r1")}
	s.prof.stream, s.prof.service = c.jid.String(), "pubsub.acme.test"
	s.prof.nodes = map[string]string{it.profileNode: KindProfile, it.bulletinNode: KindBulletin}
	return s, c, it
}

// takeEvents returns and forgets the events emitted so far.
func takeEvents(s *Session) []event.Event {
	s.evMu.Lock()
	defer s.evMu.Unlock()
	q := s.evQ
	s.evQ = nil
	return q
}

// notification is a PubSub event message as the stream would decode it.
func notification(t testing.TB, from, typ, node string, items ...string) *inStanza {
	t.Helper()
	raw := `<message xmlns="jabber:client" from="` + from + `" to="alice@acme.test/r" type="` + typ + `">` +
		`<event xmlns="http://jabber.org/protocol/pubsub#event"><items node="` + node + `">` + strings.Join(items, "") + `</items></event></message>`
	var st inStanza
	if err := xml.Unmarshal([]byte(raw), &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func item(kind string, data []byte, jws string) string {
	return `<item id="i"><signed xmlns="urn:palisade:signed:1" kind="` + kind + `"><data>` +
		base64.StdEncoding.EncodeToString(data) + `</data><jws>` + jws + `</jws></signed></item>`
}

func TestNotifications(t *testing.T) {
	s, c, it := offlineProfiles(t)
	takeEvents(s)
	p2, s2 := it.profile(2, "partner.test")
	b1, bs1 := it.bulletin("b1", "Phishing")
	type want struct {
		profile  int64  // serial of a Profile event, 0 for none
		refused  string // code of a ProfileRefused, "" for none
		bulletin string // id of a Bulletin event
		ignored  bool   // counted as not from the service
	}
	for _, tc := range []struct {
		name string
		st   *inStanza
		want want
	}{
		{"from another user", notification(t, "mallory@evil.test", "headline", it.profileNode, item("profile", p2, s2)), want{ignored: true}},
		{"from a full JID", notification(t, "pubsub.acme.test/x", "headline", it.profileNode, item("profile", p2, s2)), want{ignored: true}},
		{"from a lookalike service", notification(t, "pubsub.acme.test.evil.test", "headline", it.profileNode, item("profile", p2, s2)), want{ignored: true}},
		{"node not subscribed", notification(t, "pubsub.acme.test", "headline", "urn:palisade:profile:other", item("profile", p2, s2)), want{ignored: true}},
		{"no from", notification(t, "", "headline", it.profileNode, item("profile", p2, s2)), want{ignored: true}},
		{"malformed base64", notification(t, "pubsub.acme.test", "headline", it.profileNode,
			`<item id="x"><signed xmlns="urn:palisade:signed:1" kind="profile"><data>%%%</data><jws>a.b.c</jws></signed></item>`), want{refused: event.ProfileMalformed}},
		{"no payload", notification(t, "pubsub.acme.test", "headline", it.profileNode, `<item id="y"/>`), want{refused: event.ProfileMalformed}},
		{"bulletin on the profile node", notification(t, "pubsub.acme.test", "headline", it.profileNode, item("bulletin", b1, bs1)), want{refused: event.ProfileMalformed}},
		{"tampered", notification(t, "pubsub.acme.test", "headline", it.profileNode, item("profile", []byte(strings.Replace(string(p2), "Partner Ltd", "Evil Ltd", 1)), s2)), want{refused: event.ProfileBadSignature}},
		{"valid", notification(t, "pubsub.acme.test", "headline", it.profileNode, item("profile", p2, s2)), want{profile: 2}},
		{"valid again", notification(t, "pubsub.acme.test", "", it.profileNode, item("profile", p2, s2)), want{}},
		{"bulletin", notification(t, "pubsub.acme.test", "headline", it.bulletinNode, item("bulletin", b1, bs1)), want{bulletin: "b1"}},
		{"bulletin again", notification(t, "pubsub.acme.test", "headline", it.bulletinNode, item("bulletin", b1, bs1)), want{}},
		{"empty event", notification(t, "pubsub.acme.test", "headline", it.profileNode), want{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.prof.ignored.Load()
			s.onMessage(c, tc.st)
			if got := s.prof.ignored.Load() > before; got != tc.want.ignored {
				t.Errorf("ignored = %v", got)
			}
			var got want
			for _, e := range takeEvents(s) {
				switch e := e.(type) {
				case event.Profile:
					got.profile = e.Serial
					if len(e.Changes) == 0 || e.Source != "push" {
						t.Errorf("Profile = %+v", e)
					}
				case event.ProfileRefused:
					got.refused = e.Code
					if e.Reason == "" || e.Source != "push" {
						t.Errorf("ProfileRefused = %+v", e)
					}
				case event.Bulletin:
					got.bulletin = e.ID
				case event.Roster, event.Message:
				default:
					t.Errorf("unexpected %T %+v", e, e)
				}
			}
			got.ignored = tc.want.ignored
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if a := s.cfg.Profiles.Active(); a.Serial != 2 {
		t.Errorf("in force: serial %d", a.Serial)
	}
	if tr := s.trustOf("carol@partner.test"); tr.Class != event.ClassPartner {
		t.Errorf("carol: %+v", tr)
	}
	// The same stream resumed on a new connection.
	resumed := &conn{s: s, jid: c.jid}
	b2, bs2 := it.bulletin("b2", "Phishing again")
	s.onMessage(resumed, notification(t, "pubsub.acme.test", "headline", it.bulletinNode, item("bulletin", b2, bs2)))
	if evs := takeEvents(s); len(evs) != 1 || !isBulletin("b2")(evs[0]) {
		t.Errorf("on the resumed stream: %+v", evs)
	}
	// A notification on a stream that is no longer the subscribed one.
	old := &conn{s: s, jid: jid.MustParse("alice@acme.test/r0")}
	before := s.prof.ignored.Load()
	s.onMessage(old, notification(t, "pubsub.acme.test", "headline", it.profileNode, item("profile", p2, s2)))
	if s.prof.ignored.Load() == before {
		t.Error("a notification on an old stream was not ignored")
	}
}

// Without a manager nothing is taken from PubSub.
func TestNotificationUnmanaged(t *testing.T) {
	s, c, it := offlineProfiles(t)
	s.cfg.Profiles = nil
	takeEvents(s)
	p2, s2 := it.profile(2)
	s.onMessage(c, notification(t, "pubsub.acme.test", "headline", it.profileNode, item("profile", p2, s2)))
	for _, e := range takeEvents(s) {
		t.Errorf("unmanaged session emitted %+v", e)
	}
}

// IQ answers are taken only from the JID the request went to.
func TestAnswerOnlyFromAddressee(t *testing.T) {
	s, _, _ := offlineProfiles(t)
	var got []string
	s.iqs["q1"] = s.answerFrom("q1", "pubsub.acme.test", func(st *inStanza) { got = append(got, st.From) })
	for _, from := range []string{"mallory@evil.test", "", "pubsub.acme.test/x", "alice@acme.test"} {
		s.onIQ(nil, &inStanza{XMLName: xml.Name{Local: "iq"}, Type: "result", ID: "q1", From: from})
	}
	if len(got) != 0 {
		t.Fatalf("answers from %v accepted", got)
	}
	if s.prof.ignored.Load() != 4 {
		t.Errorf("ignored %d answers, want 4", s.prof.ignored.Load())
	}
	s.onIQ(nil, &inStanza{XMLName: xml.Name{Local: "iq"}, Type: "result", ID: "q1", From: "pubsub.acme.test"})
	if len(got) != 1 || got[0] != "pubsub.acme.test" {
		t.Errorf("genuine answer: %v", got)
	}
	if _, left := s.iqs["q1"]; left {
		t.Error("handler still registered after the answer")
	}
}

func TestProfileCommandsOffline(t *testing.T) {
	s, _, _ := offlineProfiles(t)
	takeEvents(s)
	for _, tc := range []struct {
		cmd  event.Command
		want func(event.Event) bool
	}{
		{event.GetProfile{}, func(e event.Event) bool { p, ok := e.(event.Profile); return ok && p.Serial == 1 && p.Managed }},
		{&event.GetBulletins{}, func(e event.Event) bool {
			b, ok := e.(event.Bulletins)
			return ok && b.Items != nil && len(b.Items) == 0
		}},
		{event.DismissBulletin{ID: "nope"}, func(e event.Event) bool { x, ok := e.(event.Error); return ok && x.Code == event.CodeBadCommand }},
		{event.ImportProfile{}, func(e event.Event) bool { x, ok := e.(event.Error); return ok && x.Code == event.CodeBadCommand }},
		{event.ImportProfile{Path: "/nonexistent/p.json"}, func(e event.Event) bool {
			r, ok := e.(event.ProfileRefused)
			return ok && r.Code == event.ProfileUnreadable && r.Source == "import"
		}},
	} {
		s.execute(tc.cmd)
		evs := takeEvents(s)
		if len(evs) != 1 || !tc.want(evs[0]) {
			t.Errorf("%s: %+v", tc.cmd.CommandName(), evs)
		}
	}
}

// FuzzNotification: whatever the service's notification holds, the session
// neither crashes nor puts anything in force without IT's signature.
func FuzzNotification(f *testing.F) {
	s, c, it := offlineProfiles(f)
	p2, s2 := it.profile(2)
	f.Add(it.profileNode, []byte(item("profile", p2, s2+"x")))
	f.Add(it.profileNode, []byte(item("profile", p2[:len(p2)/2], s2)))
	f.Add(it.bulletinNode, []byte(`<item><signed xmlns="urn:palisade:signed:1" kind="bulletin"><data>e30=</data><jws>a.b.c</jws></signed></item>`))
	f.Add(it.profileNode, []byte(`<item id="1"/><item id="2"><x/></item>`))
	f.Fuzz(func(t *testing.T, node string, items []byte) {
		raw := `<message xmlns="jabber:client" from="pubsub.acme.test" type="headline">` +
			`<event xmlns="http://jabber.org/protocol/pubsub#event"><items node="` + xmlEscape(node) + `">` + string(items) + `</items></event></message>`
		var st inStanza
		if xml.Unmarshal([]byte(raw), &st) != nil {
			return
		}
		s.onMessage(c, &st)
		takeEvents(s)
		if a := s.cfg.Profiles.Active(); a == nil || a.Serial != 1 {
			t.Fatalf("profile in force changed to %+v", a)
		}
	})
}

func xmlEscape(v string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(v))
	return b.String()
}
