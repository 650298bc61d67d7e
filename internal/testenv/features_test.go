package testenv_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/internal/testenv"
)

// rawClient is a minimal XMPP client speaking raw XML, enough to check the
// servers' configuration (stream management, upload, MUC, pubsub) without
// depending on client library support for each extension.
type rawClient struct {
	t      *testing.T
	conn   net.Conn
	dec    *xml.Decoder
	domain string
	jid    string
}

type element struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

func (e element) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (c *rawClient) send(format string, args ...any) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(c.conn, format, args...); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// next reads the next top-level element of the stream.
func (c *rawClient) next() (element, error) {
	c.conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		tok, err := c.dec.Token()
		if err != nil {
			return element{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local == "stream" {
				continue
			}
			var e element
			if err := c.dec.DecodeElement(&e, &se); err != nil {
				return element{}, err
			}
			return e, nil
		}
	}
}

// expect reads elements until one named local (and, if id is set, with that
// id) arrives, answering stream management requests on the way.
func (c *rawClient) expect(local, id string) element {
	c.t.Helper()
	for {
		e, err := c.next()
		if err != nil {
			c.t.Fatalf("waiting for <%s id=%q>: %v", local, id, err)
		}
		if e.XMLName.Local == local && (id == "" || e.attr("id") == id) {
			return e
		}
		if e.XMLName.Local == "failure" || e.XMLName.Local == "error" && e.XMLName.Space != "jabber:client" {
			c.t.Fatalf("waiting for <%s>: got <%s>%s", local, e.XMLName.Local, e.Inner)
		}
	}
}

func (c *rawClient) open() {
	c.t.Helper()
	c.dec = xml.NewDecoder(c.conn)
	c.send(`<?xml version='1.0'?><stream:stream to='%s' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`, c.domain)
}

// rawLogin connects to addr, does STARTTLS, SASL PLAIN (inside TLS) and
// returns before resource binding.
func rawLogin(t *testing.T, s *testenv.Server, addr, user string) *rawClient {
	t.Helper()
	local, domain, _ := strings.Cut(user, "@")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &rawClient{t: t, conn: conn, domain: domain}
	c.open()
	f := c.expect("features", "")
	if !strings.Contains(f.Inner, "urn:ietf:params:xml:ns:xmpp-tls") {
		t.Fatalf("no STARTTLS offered: %s", f.Inner)
	}
	c.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`)
	c.expect("proceed", "")
	cfg, err := s.TLSConfig(domain)
	if err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(conn, cfg)
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS: %v", err)
	}
	c.conn = tc
	c.open()
	c.expect("features", "")
	c.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>`,
		base64.StdEncoding.EncodeToString([]byte("\x00"+local+"\x00"+s.Password)))
	c.expect("success", "")
	c.open()
	f = c.expect("features", "")
	if !strings.Contains(f.Inner, "urn:xmpp:sm:3") {
		t.Errorf("no stream management (XEP-0198) offered after login: %s", f.Inner)
	}
	return c
}

func (c *rawClient) bind() {
	c.t.Helper()
	c.send(`<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`)
	r := c.expect("iq", "bind1")
	if r.attr("type") != "result" {
		c.t.Fatalf("bind: %s", r.Inner)
	}
	var b struct {
		JID string `xml:"jid"`
	}
	xml.Unmarshal([]byte(r.Inner), &b)
	c.jid = b.JID
}

func (c *rawClient) iq(id, typ, to, payload string) element {
	c.t.Helper()
	c.send(`<iq type='%s' id='%s' to='%s'>%s</iq>`, typ, id, to, payload)
	return c.expect("iq", id)
}

func eachServer(t *testing.T, f func(t *testing.T, s *testenv.Server)) {
	t.Run("prosody", func(t *testing.T) { f(t, testenv.Prosody(t)) })
	t.Run("ejabberd", func(t *testing.T) { f(t, testenv.Ejabberd(t)) })
}

// XEP-0198: a session enabled with resume survives a cut TCP connection.
func TestStreamResumption(t *testing.T) {
	eachServer(t, func(t *testing.T, s *testenv.Server) {
		p := testenv.NewProxy(t, s.Addr)
		c := rawLogin(t, s, p.Addr(), "alice@acme.test")
		c.bind()
		c.send(`<enable xmlns='urn:xmpp:sm:3' resume='true'/>`)
		en := c.expect("enabled", "")
		id := en.attr("id")
		if id == "" || (en.attr("resume") != "true" && en.attr("resume") != "1") {
			t.Fatalf("resumption not enabled: %+v", en)
		}
		c.send(`<presence/>`)
		c.send(`<r xmlns='urn:xmpp:sm:3'/>`)
		c.expect("a", "")
		if n := p.Cut(); n != 1 {
			t.Fatalf("Cut() = %d, want 1", n)
		}

		c2 := rawLogin(t, s, p.Addr(), "alice@acme.test")
		c2.send(`<resume xmlns='urn:xmpp:sm:3' h='0' previd='%s'/>`, id)
		r := c2.expect("resumed", "")
		if r.attr("previd") != id {
			t.Errorf("resumed %+v, want previd %s", r, id)
		}
	})
}

// The services the client relies on are where the README says.
func TestServices(t *testing.T) {
	eachServer(t, func(t *testing.T, s *testenv.Server) {
		alice := rawLogin(t, s, s.Addr, "alice@acme.test")
		alice.bind()

		items := alice.iq("d1", "get", "acme.test", `<query xmlns='http://jabber.org/protocol/disco#items'/>`)
		for _, svc := range []string{s.MUCService, s.PubSubService, s.UploadService} {
			if !strings.Contains(items.Inner, "'"+svc+"'") && !strings.Contains(items.Inner, `"`+svc+`"`) {
				t.Errorf("disco#items of acme.test lacks %s: %s", svc, items.Inner)
			}
		}
		info := alice.iq("d2", "get", "acme.test", `<query xmlns='http://jabber.org/protocol/disco#info'/>`)
		for _, feature := range []string{"urn:xmpp:carbons:2", "urn:xmpp:blocking", "urn:xmpp:ping"} {
			if !strings.Contains(info.Inner, feature) {
				t.Errorf("server lacks feature %s", feature)
			}
		}
		acct := alice.iq("d3", "get", "alice@acme.test", `<query xmlns='http://jabber.org/protocol/disco#info'/>`)
		if !strings.Contains(acct.Inner, "urn:xmpp:mam:2") {
			t.Errorf("account lacks MAM: %s", acct.Inner)
		}

		// XEP-0363 upload, then download over HTTPS with the local CA.
		body := []byte("hello from the test environment")
		slot := alice.iq("u1", "get", s.UploadService, fmt.Sprintf(
			`<request xmlns='urn:xmpp:http:upload:0' filename='hello.txt' size='%d' content-type='text/plain'/>`, len(body)))
		if slot.attr("type") != "result" {
			t.Fatalf("upload slot: %s", slot.Inner)
		}
		var sl struct {
			Put struct {
				URL     string `xml:"url,attr"`
				Headers []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:",chardata"`
				} `xml:"header"`
			} `xml:"slot>put"`
			Get struct {
				URL string `xml:"url,attr"`
			} `xml:"slot>get"`
		}
		if err := xml.Unmarshal([]byte("<x>"+slot.Inner+"</x>"), &sl); err != nil || sl.Put.URL == "" {
			t.Fatalf("upload slot %q: %v", slot.Inner, err)
		}
		cfg, err := s.TLSConfig("")
		if err != nil {
			t.Fatal(err)
		}
		cfg.ServerName = ""
		hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
		req, _ := http.NewRequest(http.MethodPut, sl.Put.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/plain")
		for _, h := range sl.Put.Headers {
			req.Header.Set(h.Name, h.Value)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("PUT %s: %v", sl.Put.URL, err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("PUT %s: %s", sl.Put.URL, resp.Status)
		}
		resp, err = hc.Get(sl.Get.URL)
		if err != nil {
			t.Fatalf("GET %s: %v", sl.Get.URL, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got, body) {
			t.Errorf("GET %s: %s %q", sl.Get.URL, resp.Status, got)
		}

		// MUC: a new room is usable at once (no locking).
		room := "lunch@" + s.MUCService
		alice.send(`<presence to='%s/alice'><x xmlns='http://jabber.org/protocol/muc'/></presence>`, room)
		for {
			p := alice.expect("presence", "")
			if strings.HasPrefix(p.attr("from"), room+"/") {
				if p.attr("type") == "error" {
					t.Fatalf("joining %s: %s", room, p.Inner)
				}
				break
			}
		}
		alice.send(`<message to='%s' type='groupchat' id='m1'><body>hi</body></message>`, room)
		for {
			m := alice.expect("message", "")
			if m.attr("type") == "error" {
				t.Fatalf("message to new room: %s", m.Inner)
			}
			if strings.Contains(m.Inner, "hi</body>") {
				break
			}
		}

		// PubSub: it-admin may create nodes, alice may not.
		admin := rawLogin(t, s, s.Addr, "it-admin@acme.test")
		admin.bind()
		r := admin.iq("p1", "set", s.PubSubService, `<pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='it-announcements'/></pubsub>`)
		if r.attr("type") != "result" {
			t.Errorf("it-admin could not create a node: %s", r.Inner)
		}
		r = alice.iq("p2", "set", s.PubSubService, `<pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='alice-node'/></pubsub>`)
		if r.attr("type") != "error" {
			t.Errorf("alice created a pubsub node")
		}
	})
}
