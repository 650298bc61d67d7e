package session

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
)

func openTestArchive(t testing.TB) *archive.Archive {
	t.Helper()
	key, err := archive.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(filepath.Join(t.TempDir(), archive.FileName), key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func mamResultXML(from, queryID, id, fwFrom, fwTo, body string) string {
	f := ""
	if from != "" {
		f = ` from="` + from + `"`
	}
	return `<message xmlns="jabber:client" to="alice@acme.test/pc"` + f + `><result xmlns="urn:xmpp:mam:2" queryid="` + queryID + `" id="` + id + `">` +
		`<forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2026-01-02T10:00:00Z"/>` +
		`<message xmlns="jabber:client" type="chat" id="m-` + id + `" from="` + fwFrom + `" to="` + fwTo + `"><body>` + body + `</body></message>` +
		`</forwarded></result></message>`
}

// TestMAMResultAcceptance: a result is kept only from the archive asked and
// for the query in flight; everything else is ignored and counted.
func TestMAMResultAcceptance(t *testing.T) {
	tests := []struct {
		name    string
		archive string // JID queried
		from    string // the result's sender
		queryID string // "" = the real one
		want    bool
	}{
		{"own archive, no from", "alice@acme.test", "", "", true},
		{"own archive, own bare JID", "alice@acme.test", "alice@acme.test", "", true},
		{"own archive, another user", "alice@acme.test", "mallory@evil.test", "", false},
		{"own archive, own full JID", "alice@acme.test", "alice@acme.test/evil", "", false},
		{"own archive, the server", "alice@acme.test", "acme.test", "", false},
		{"own archive, wrong queryid", "alice@acme.test", "", "guessed", false},
		{"room archive, the room", "room@conference.acme.test", "room@conference.acme.test", "", true},
		{"room archive, an occupant", "room@conference.acme.test", "room@conference.acme.test/nick", "", false},
		{"room archive, no from", "room@conference.acme.test", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }})
			if err != nil {
				t.Fatal(err)
			}
			c := &conn{s: s, bare: "alice@acme.test"}
			q := &mamQuery{archive: tt.archive, name: "x", id: "q1", convert: s.ownResult}
			s.hist.queries = map[string]*mamQuery{"q1": q}
			qid := tt.queryID
			if qid == "" {
				qid = "q1"
			}
			st := decodeStanza(t, mamResultXML(tt.from, qid, "r1", "bob@acme.test/pc", "alice@acme.test", "hello"))
			if st.MAMResult == nil {
				t.Fatal("the result was not decoded")
			}
			s.onMAMResult(c, st)
			if got := len(q.pending) == 1; got != tt.want {
				t.Errorf("accepted = %v, want %v", got, tt.want)
			}
			if got := s.mamIgnored.Load() == 1; got == tt.want {
				t.Errorf("ignored count = %d", s.mamIgnored.Load())
			}
		})
	}
}

// TestMAMPage: a page's results go through the policy, are stored once and
// reported as archived; the sync point follows the page.
func TestMAMPage(t *testing.T) {
	a := openTestArchive(t)
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, Archive: a})
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{s: s, bare: "alice@acme.test"}
	q := &mamQuery{archive: "alice@acme.test", name: "own", id: "q1", convert: s.ownResult}
	s.hist.queries = map[string]*mamQuery{"q1": q}
	for _, r := range []string{
		mamResultXML("", "q1", "r1", "bob@acme.test/pc", "alice@acme.test", "Réunion à l'école"),
		mamResultXML("", "q1", "r2", "alice@acme.test/pc", "bob@acme.test", "d'accord"),
		mamResultXML("", "q1", "r3", "mallory@evil.test/x", "alice@acme.test", "hi from outside"),
		mamResultXML("", "q1", "r4", "carol@partner.test/x", "dave@acme.test", "not alice's"),
		mamResultXML("", "q1", "r1", "bob@acme.test/pc", "alice@acme.test", "Réunion à l'école"), // a repeat
	} {
		s.onMAMResult(c, decodeStanza(t, r))
	}
	fin := decodeStanza(t, `<iq xmlns="jabber:client" type="result" id="i1"><fin xmlns="urn:xmpp:mam:2" complete="true"><set xmlns="http://jabber.org/protocol/rsm"><first>r1</first><last>r4</last></set></fin></iq>`)
	s.onMAMFin(c, q, "q1", fin)

	if n, _ := a.Count(""); n != 3 {
		t.Errorf("archive holds %d messages, want 3", n)
	}
	sp, ok, err := a.SyncPointOf("alice@acme.test", "alice@acme.test")
	if err != nil || !ok || sp.LastID != "r4" {
		t.Errorf("sync point = %+v %v %v, want r4", sp, ok, err)
	}
	var msgs []event.Message
	var synced *event.HistorySynced
	for _, e := range s.evQ {
		switch e := e.(type) {
		case event.Message:
			msgs = append(msgs, e)
		case event.HistorySynced:
			synced = &e
		}
	}
	if len(msgs) != 3 {
		t.Fatalf("reported %d messages, want 3: %+v", len(msgs), msgs)
	}
	for _, m := range msgs {
		if !m.Archived || !m.Delayed {
			t.Errorf("%q not marked archived and delayed", m.Body)
		}
	}
	if !msgs[1].Outgoing || msgs[1].Trust.Domain != "acme.test" {
		t.Errorf("own message: %+v", msgs[1])
	}
	if !msgs[2].Request || msgs[2].Trust.Class != event.ClassUnknown {
		t.Errorf("a stranger's message is not a request: %+v", msgs[2])
	}
	if synced == nil || synced.Archive != "own" || synced.Count != 3 || !synced.Complete {
		t.Errorf("HistorySynced = %+v", synced)
	}
	rs, err := a.Search("ecole", archive.SearchOptions{})
	if err != nil || len(rs) != 1 || !strings.Contains(rs[0].Message.Body, "école") || rs[0].Message.StanzaID != "r1" {
		t.Errorf("search: %+v %v", rs, err)
	}
}

// TestHistoryCommandsWithoutArchive: the commands say that the archive is off.
func TestHistoryCommandsWithoutArchive(t *testing.T) {
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []event.Command{event.Search{Query: "x"}, event.GetHistory{Conversation: "bob@acme.test"}, event.Export{Path: "/tmp/x", Format: "jsonl"}} {
		s.evQ = nil
		if !s.executeHistory(c) {
			t.Fatalf("%T not handled", c)
		}
		if len(s.evQ) != 1 {
			t.Fatalf("%T: events %+v", c, s.evQ)
		}
		e, ok := s.evQ[0].(event.Error)
		if !ok || e.Code != event.CodeUnsupported || !strings.Contains(e.Message, "local archive is off") || e.Command != c.CommandName() {
			t.Errorf("%T: %+v", c, s.evQ[0])
		}
	}
}

// TestArchiveOffReported: why the archive is off is told once, at start.
func TestArchiveOffReported(t *testing.T) {
	off := &event.Error{Message: "No system keyring is available: the local archive is off.", Code: event.CodeNoKeyring}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, ArchiveOff: off})
	if err != nil {
		t.Fatal(err)
	}
	s.startRetention()
	s.startRetention()
	n := 0
	for _, e := range s.evQ {
		if e, ok := e.(event.Error); ok && e == *off {
			n++
		}
	}
	if n != 1 {
		t.Errorf("reported %d times, want once: %+v", n, s.evQ)
	}
}

// TestMAMExpiredSyncPoint: when the server no longer knows the saved id
// (its archive expired it), catch-up starts again from a little before the
// sync point was saved instead of giving up.
func TestMAMExpiredSyncPoint(t *testing.T) {
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }})
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{s: s, bare: "alice@acme.test"}
	q := &mamQuery{archive: "alice@acme.test", name: "own", id: "q1", after: "gone", convert: s.ownResult}
	errIQ := decodeStanza(t, `<iq xmlns="jabber:client" type="error" id="i1"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`)
	s.onMAMFin(c, q, "q1", errIQ)
	if !q.retried || q.after != "" {
		t.Errorf("after item-not-found: retried %v, after %q", q.retried, q.after)
	}
	for _, e := range s.evQ {
		if _, ok := e.(event.HistorySynced); ok {
			t.Errorf("gave up: %+v", s.evQ)
		}
	}
	// A second failure ends the catch-up, incomplete, with a reason.
	s.onMAMFin(c, q, "q1", errIQ)
	var synced *event.HistorySynced
	var reason string
	for _, e := range s.evQ {
		switch e := e.(type) {
		case event.HistorySynced:
			synced = &e
		case event.Error:
			reason = e.Message
		}
	}
	if synced == nil || synced.Complete || !strings.Contains(reason, "item-not-found") {
		t.Errorf("second failure: %+v, %q", synced, reason)
	}
}
