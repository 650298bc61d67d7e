package session

// Fuzz targets for what the session reads from the wire. Each decodes the
// input the way the read loop does (limits included) and runs the real
// handlers on it, unguarded, so that a panic anywhere in a decoder or a
// handler is found here rather than caught in production.
//
//	go test -run '^$' -fuzz '^FuzzStanza$' -fuzztime 10m ./session
//
// scripts/fuzz.sh runs every target of the repository briefly (make test)
// or for as long as FUZZTIME says.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"mellium.im/xmlstream"
	"mellium.im/xmpp"
	"mellium.im/xmpp/jid"
	"mellium.im/xmpp/stream"
)

// nullConn is a connection that discards what is written and never
// delivers anything.
type nullConn struct{}

func (nullConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (nullConn) Write(b []byte) (int, error)      { return len(b), nil }
func (nullConn) Close() error                     { return nil }
func (nullConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (nullConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5222} }
func (nullConn) SetDeadline(time.Time) error      { return nil }
func (nullConn) SetReadDeadline(time.Time) error  { return nil }
func (nullConn) SetWriteDeadline(time.Time) error { return nil }

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network while fuzzing")
}

// offlineConn returns a session that is "connected" to nothing: what its
// handlers write is discarded, nothing is fetched over HTTP.
func offlineConn(t testing.TB) (*Session, *conn) {
	t.Helper()
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.files.client = &http.Client{Transport: failingTransport{}}
	full := jid.MustParse("alice@acme.test/fuzz")
	ready := func(context.Context, *stream.Info, *stream.Info, *xmpp.Session, interface{}) (xmpp.SessionState, io.ReadWriter, interface{}, error) {
		return xmpp.Ready, nil, nil, nil
	}
	xs, err := xmpp.NewSession(context.Background(), full.Domain(), full, nullConn{}, xmpp.Secure, ready)
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{s: s, xs: xs, raw: nullConn{}, jid: full, bare: "alice@acme.test",
		enabled: make(chan bool, 1), done: make(chan struct{})}
	s.mu.Lock()
	s.cur = c
	s.mu.Unlock()
	return s, c
}

// decodeStanzaBytes decodes one top-level element as the read loop does:
// through the depth and directive limits into an inStanza.
func decodeStanzaBytes(data []byte) (*inStanza, *xml.StartElement, error) {
	if len(data) > maxStanzaBytes {
		return nil, nil, errStanzaTooLarge
	}
	r := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := r.Token()
		if err != nil {
			return nil, nil, err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		d := xml.NewTokenDecoder(&stanzaReader{
			r:   xmlstream.MultiReader(xmlstream.Token(start), xmlstream.InnerElement(r)),
			max: maxStanzaDepth,
		})
		if _, err := d.Token(); err != nil {
			return nil, nil, err
		}
		var st inStanza
		if err := d.DecodeElement(&st, &start); err != nil {
			return nil, nil, err
		}
		if st.XMLName.Space == "" {
			st.XMLName.Space = nsClient
		}
		return &st, &start, nil
	}
}

var stanzaSeeds = []string{
	`<message type='chat' from='bob@acme.test/x' id='m1'><body>hello</body><request xmlns='urn:xmpp:receipts'/><active xmlns='http://jabber.org/protocol/chatstates'/></message>`,
	`<message from='alice@acme.test'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message type='chat' from='bob@acme.test/x' to='alice@acme.test/r'><body>carbon</body></message></forwarded></received></message>`,
	`<message from='alice@acme.test'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message type='chat' to='bob@acme.test'><body>sent</body><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T00:00:00Z'/></message></forwarded></sent></message>`,
	`<message from='mallory@evil.test'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></received></message>`,
	`<message from='alice@acme.test'><result xmlns='urn:xmpp:mam:2' queryid='q' id='a1'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='x'/><message from='bob@acme.test/x'><body>old</body></message></forwarded></result></message>`,
	`<message from='pubsub.acme.test' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:palisade:profile:1'><item id='1'><signed xmlns='urn:palisade:signed:1' kind='profile'><data>AA==</data><jws>a..b</jws></signed></item></items></event></message>`,
	`<message from='alice@acme.test'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:bookmarks:1'><item id='room@conference.acme.test'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true' name='R'><nick>al</nick></conference></item><retract id='x'/></items></event></message>`,
	`<message type='groupchat' from='room@conference.acme.test/bob' id='g1'><body>hi room</body><stanza-id xmlns='urn:xmpp:sid:0' by='room@conference.acme.test' id='s1'/><subject>topic</subject></message>`,
	`<message type='chat' from='room@conference.acme.test/bob'><body>pm</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>`,
	`<message from='room@conference.acme.test'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='bob@acme.test'><reason>join</reason></invite><password>p</password></x></message>`,
	`<message from='bob@acme.test/x'><x xmlns='jabber:x:conference' jid='room@conference.acme.test' reason='r'/></message>`,
	`<message type='chat' from='bob@acme.test/x' id='f'><body>https://upload.acme.test/a/b.pdf</body><x xmlns='jabber:x:oob'><url>https://upload.acme.test/a/b.pdf</url><desc>d</desc></x></message>`,
	`<message type='error' from='bob@acme.test' id='e'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>gone</text></error></message>`,
	`<presence from='bob@acme.test/x'><show>away</show><status>out</status><priority>-5</priority></presence>`,
	`<presence from='room@conference.acme.test/bob'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' jid='bob@acme.test/x'/><status code='110'/><status code='201'/></x></presence>`,
	`<presence type='unavailable' from='room@conference.acme.test/bob'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none' nick='bobby'/><status code='303'/></x></presence>`,
	`<presence type='subscribe' from='carol@partner.test'/>`,
	`<presence type='error' from='room@conference.acme.test/al'><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`,
	`<iq type='set' id='p1'><query xmlns='jabber:iq:roster'><item jid='bob@acme.test' subscription='both' name='Bob'><group>Team</group></item><item jid='x@y' subscription='remove'/></query></iq>`,
	`<iq type='set' id='p2' from='mallory@evil.test'><query xmlns='jabber:iq:roster'><item jid='mallory@evil.test' subscription='both'/></query></iq>`,
	`<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='spam@evil.test'/></block></iq>`,
	`<iq type='get' id='d1' from='bob@acme.test/x'><query xmlns='http://jabber.org/protocol/disco#info' node='n'/></iq>`,
	`<iq type='get' id='ping' from='acme.test'><ping xmlns='urn:xmpp:ping'/></iq>`,
	`<iq type='result' id='unknown' from='acme.test'><query xmlns='http://jabber.org/protocol/disco#items'><item jid='upload.acme.test'/></query></iq>`,
	`<iq type='result' id='s'><slot xmlns='urn:xmpp:http:upload:0'><put url='https://u/x'><header name='Authorization'>a</header></put><get url='https://u/x'/></slot></iq>`,
	`<iq type='result' id='m' from='alice@acme.test'><fin xmlns='urn:xmpp:mam:2' complete='true'><set xmlns='http://jabber.org/protocol/rsm'><first>a</first><last>b</last><count>2</count></set></fin></iq>`,
	`<iq type='get' id='x' from='bob@acme.test/x'><unknown xmlns='urn:example'/></iq>`,
}

func FuzzStanza(f *testing.F) {
	for _, s := range stanzaSeeds {
		f.Add([]byte(s))
	}
	s, c := offlineConn(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		st, _, err := decodeStanzaBytes(data)
		if err != nil {
			return
		}
		switch st.XMLName.Local {
		case "message", "presence", "iq":
		default:
			return
		}
		s.onStanza(c, st) // unguarded: a panic fails the fuzz run
		takeEvents(s)
	})
}

var smSeeds = []string{
	`<r xmlns='urn:xmpp:sm:3'/>`,
	`<a xmlns='urn:xmpp:sm:3' h='0'/>`,
	`<a xmlns='urn:xmpp:sm:3' h='4294967295'/>`,
	`<a xmlns='urn:xmpp:sm:3' h='-1'/>`,
	`<enabled xmlns='urn:xmpp:sm:3' id='x' resume='true'/>`,
	`<failed xmlns='urn:xmpp:sm:3' h='3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>`,
}

// Stream management elements from a hostile server: a count that
// acknowledges more than was sent, or that is not a number, must not
// crash nor corrupt the queue of unacknowledged stanzas.
func FuzzStreamManagement(f *testing.F) {
	for _, s := range smSeeds {
		f.Add([]byte(s), uint8(3))
	}
	s, c := offlineConn(f)
	f.Fuzz(func(t *testing.T, data []byte, pending uint8) {
		r := xml.NewDecoder(bytes.NewReader(data))
		var start xml.StartElement
		for {
			tok, err := r.Token()
			if err != nil {
				return
			}
			if se, ok := tok.(xml.StartElement); ok {
				start = se
				break
			}
		}
		if start.Name.Space != nsSM {
			return
		}
		s.mu.Lock()
		s.sm = smState{enabled: true}
		for i := 0; i < int(pending%16); i++ {
			s.sm.sent(&outStanza{el: chatMessage(randomID(), "bob@acme.test", "x"), msgID: randomID(), to: "bob@acme.test", body: "x"})
		}
		s.mu.Unlock()
		select {
		case <-c.enabled:
		default:
		}
		d := xml.NewTokenDecoder(&stanzaReader{r: xmlstream.MultiReader(xmlstream.Token(start), xmlstream.InnerElement(r)), max: maxStanzaDepth})
		if _, err := d.Token(); err != nil {
			return
		}
		_ = s.onSM(c, d, &start)
		s.mu.Lock()
		if n := len(s.sm.unacked); n > int(pending%16) {
			t.Errorf("%d stanzas unacknowledged after an ack, %d were sent", n, pending%16)
		}
		s.mu.Unlock()
		takeEvents(s)
	})
}
