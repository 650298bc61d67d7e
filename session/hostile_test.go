package session

// A scripted hostile server: raw XML over TLS on loopback, playing one
// script per test, for what a real server would never send (a stripped
// STARTTLS, a certificate for another name, a stanza too large or too
// deep, a DTD, invalid UTF-8, spoofed answers, floods).

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"crypto/pbkdf2"

	"mellium.im/sasl"
	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
)

const hostilePassword = "hostile-test-password-7f3a"

// hostileCA is a certificate authority made for one test, with leaves for
// whatever names the test needs.
type hostileCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // PEM of the CA, for Config.CAFile
}

func newHostileCA(t testing.TB) *hostileCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"Palisade"}, CommonName: "Palisade Hostile Test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	file := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &hostileCA{cert: cert, key: key, file: file}
}

// leaf issues a server certificate for names (DNS names or IP addresses).
func (ca *hostileCA) leaf(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}
}

// hostileServer accepts connections on loopback and plays script on each
// (n counts the connections from 1).
type hostileServer struct {
	t    testing.TB
	ln   net.Listener
	cert tls.Certificate
	ca   *hostileCA

	mu    sync.Mutex
	conns []*hconn
}

func newHostileServer(t testing.TB, script func(h *hconn, n int)) *hostileServer {
	t.Helper()
	ca := newHostileCA(t)
	return newHostileServerCert(t, ca, ca.leaf(t, "acme.test"), script)
}

func newHostileServerCert(t testing.TB, ca *hostileCA, cert tls.Certificate, script func(h *hconn, n int)) *hostileServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &hostileServer{t: t, ln: ln, cert: cert, ca: ca}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		hs.mu.Lock()
		for _, c := range hs.conns {
			c.raw.Close()
		}
		hs.mu.Unlock()
		wg.Wait()
	})
	go func() {
		n := 0
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			n++
			h := &hconn{t: t, srv: hs, raw: raw, secure: false}
			h.setConn(raw)
			hs.mu.Lock()
			hs.conns = append(hs.conns, h)
			hs.mu.Unlock()
			wg.Add(1)
			go func(n int) {
				defer wg.Done()
				defer raw.Close()
				defer func() {
					if v := recover(); v != nil && v != errHangUp {
						panic(v)
					}
				}()
				script(h, n)
			}(n)
		}
	}()
	return hs
}

// received returns what the n-th connection (from 1) received: before
// TLS, and in all (plaintext after TLS).
func (hs *hostileServer) received(n int) (plain, all string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if n > len(hs.conns) {
		return "", ""
	}
	h := hs.conns[n-1]
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.plain.String(), h.all.String()
}

func (hs *hostileServer) connections() int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return len(hs.conns)
}

// start runs a session against the server with its CA trusted.
func (hs *hostileServer) start(t testing.TB, tune func(*Session)) *recorder {
	t.Helper()
	srv := &testenv.Server{Kind: "hostile", Addr: hs.ln.Addr().String(), CAFile: hs.ca.file, Password: hostilePassword}
	return startSessionWith(t, srv, "alice@acme.test", opts{resource: "hostile"}, tune)
}

var errHangUp = fmt.Errorf("the client hung up")

// hconn is one client connection seen by the hostile server.
type hconn struct {
	t      testing.TB
	srv    *hostileServer
	raw    net.Conn
	c      net.Conn
	d      *xml.Decoder
	secure bool
	feed   chan *clientEl // what the client sent, once serveBackground reads
	wmu    sync.Mutex

	mu    sync.Mutex
	plain bytes.Buffer // read before TLS
	all   bytes.Buffer // everything read (plaintext once TLS is up)
}

type teeRecorder struct {
	h *hconn
	r io.Reader
}

func (t teeRecorder) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.h.mu.Lock()
	if !t.h.secure {
		t.h.plain.Write(p[:n])
	}
	t.h.all.Write(p[:n])
	t.h.mu.Unlock()
	return n, err
}

func (h *hconn) setConn(c net.Conn) {
	h.c = c
	h.d = xml.NewDecoder(teeRecorder{h: h, r: c})
}

// clientEl is an element the client sent.
type clientEl struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

func (e *clientEl) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (h *hconn) send(format string, a ...any) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(h.c, format, a...); err != nil {
		panic(errHangUp)
	}
}

func (h *hconn) sendRaw(b []byte) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := h.c.Write(b); err != nil {
		panic(errHangUp)
	}
}

// next reads the client's next top-level element (after the stream
// header); a stream header is returned as a bare start element.
func (h *hconn) next() *clientEl {
	h.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		tok, err := h.d.Token()
		if err != nil {
			panic(errHangUp)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if start.Name.Local == "stream" {
			return &clientEl{XMLName: start.Name, Attrs: start.Attr}
		}
		var e clientEl
		if err := h.d.DecodeElement(&e, &start); err != nil {
			panic(errHangUp)
		}
		return &e
	}
}

// expect reads elements until one named local arrives.
func (h *hconn) expect(local string) *clientEl {
	for {
		e := h.next()
		if e.XMLName.Local == local {
			return e
		}
	}
}

// await waits for an element named local read by serveBackground.
func (h *hconn) await(local string) *clientEl {
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e := <-h.feed:
			if e.XMLName.Local == local {
				return e
			}
		case <-timeout:
			panic(errHangUp)
		}
	}
}

// hangUpAfterReading keeps reading until the client closes the
// connection (so that what it sends is recorded).
func (h *hconn) drain() {
	for {
		h.next()
	}
}

const streamHeader = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='%s' from='acme.test' version='1.0' xml:lang='en'>`

// open answers the client's stream header with ours and features.
func (h *hconn) open(features string) {
	h.expect("stream")
	h.send(streamHeader+"<stream:features>%s</stream:features>", randomID(), features)
}

const (
	featStartTLS = `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>`
	featSCRAM    = `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism></mechanisms>`
	featBind     = `<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>`
	featSM       = `<sm xmlns='urn:xmpp:sm:3'/>`
)

// startTLS answers <starttls/> and runs the handshake.
func (h *hconn) startTLS() {
	h.expect("starttls")
	h.send(`<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`)
	h.handshake()
}

func (h *hconn) handshake() {
	tc := tls.Server(h.raw, &tls.Config{Certificates: []tls.Certificate{h.srv.cert}, MinVersion: tls.VersionTLS12})
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		panic(errHangUp)
	}
	tc.SetDeadline(time.Time{})
	h.mu.Lock()
	h.secure = true
	h.mu.Unlock()
	h.setConn(tc)
}

// scram plays the server side of SCRAM-SHA-256 for alice.
func (h *hconn) scram() {
	auth := h.expect("auth")
	salt := []byte("palisade-hostile-salt")
	const iter = 4096
	salted, err := pbkdf2.Key(sha256.New, hostilePassword, salt, iter, sha256.Size)
	if err != nil {
		panic(err)
	}
	srv := sasl.NewServer(sasl.ScramSha256, func(*sasl.Negotiator) bool { return true },
		sasl.SaltedCredentials(func(user, _ []byte, _ string) ([]byte, []byte, int64, error) {
			return salt, salted, iter, nil
		}))
	in, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(auth.Inner))
	for {
		more, out, err := srv.Step(in)
		if err != nil {
			h.send(`<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>`)
			panic(errHangUp)
		}
		if !more {
			h.send(`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</success>`, base64.StdEncoding.EncodeToString(out))
			return
		}
		h.send(`<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</challenge>`, base64.StdEncoding.EncodeToString(out))
		resp := h.expect("response")
		in, _ = base64.StdEncoding.DecodeString(strings.TrimSpace(resp.Inner))
	}
}

// signIn plays a whole sign-in: STARTTLS, SCRAM, resource binding as
// alice@acme.test/hostile. With sm, stream management is offered and
// enabled (without resumption).
func (h *hconn) signIn(sm bool) {
	enabled := ""
	if sm {
		enabled = `<enabled xmlns='urn:xmpp:sm:3'/>`
	}
	h.signInWith(enabled)
}

// signInWith signs in and answers <enable/> with enabled ("" = stream
// management not offered).
func (h *hconn) signInWith(enabled string) {
	sm := enabled != ""
	h.open(featStartTLS)
	h.startTLS()
	h.open(featSCRAM)
	h.scram()
	f := featBind
	if sm {
		f += featSM
	}
	h.open(f)
	b := h.expect("iq")
	h.send(`<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@acme.test/hostile</jid></bind></iq>`, b.attr("id"))
	if sm {
		h.expect("enable")
		h.sendRaw([]byte(enabled))
	}
}

// serveBackground answers the client's IQs to the account with empty
// results (an empty roster) and ignores the rest, until the client hangs
// up (done closes then). It runs in the background; the script goes on
// sending.
func (h *hconn) serveBackground() (done chan struct{}) {
	done = make(chan struct{})
	h.feed = make(chan *clientEl, 8192)
	go func() {
		defer close(done)
		defer func() { recover() }()
		for {
			e := h.next()
			select {
			case h.feed <- e:
			default:
			}
			if e.XMLName.Local == "iq" && (e.attr("type") == "get" || e.attr("type") == "set") {
				if to := e.attr("to"); to == "" || to == "alice@acme.test" {
					h.send(`<iq type='result' id='%s'/>`, e.attr("id"))
				} else {
					// Nothing else exists on this server.
					h.send(`<iq type='error' id='%s' from='%s'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`, e.attr("id"), to)
				}
			}
		}
	}()
	return done
}

// ---- Rule 4: no downgrade -------------------------------------------------

// Every downgrade ends the attempt for good (a fatal error the user can
// act on), and no credential, nor the SASL exchange, ever leaves in the
// clear.
func TestHostileNoDowngrade(t *testing.T) {
	ca := newHostileCA(t)
	good := ca.leaf(t, "acme.test")
	for _, tc := range []struct {
		name   string
		cert   tls.Certificate
		script func(h *hconn, n int)
		code   string
		want   string // in the message
	}{
		{"no STARTTLS offered, PLAIN and SCRAM in the clear", good, func(h *hconn, n int) {
			h.open(`<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-256</mechanism></mechanisms>` + featBind)
			h.drain()
		}, event.CodeNoTLS, "never signs in without encryption"},
		{"STARTTLS offered as optional, then failure", good, func(h *hconn, n int) {
			h.open(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>` + featSCRAM)
			h.expect("starttls")
			h.send(`<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>`)
			h.drain()
		}, event.CodeNoTLS, "encrypted"},
		{"STARTTLS answered by a stream error", good, func(h *hconn, n int) {
			h.open(featStartTLS)
			h.expect("starttls")
			h.send(`<stream:error><unsupported-stanza-type xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`)
			h.drain()
		}, event.CodeNoTLS, "encrypted"},
		{"STARTTLS answered by hanging up", good, func(h *hconn, n int) {
			h.open(featStartTLS)
			h.expect("starttls")
		}, event.CodeNoTLS, "encrypted"},
		{"certificate for the SRV target, not the JID's domain", ca.leaf(t, "xmpp.hosting.test", "127.0.0.1", "localhost"), func(h *hconn, n int) {
			h.open(featStartTLS)
			h.startTLS()
			h.open(featSCRAM)
			h.drain()
		}, event.CodeTLSUntrusted, "not trusted"},
		{"certificate from an unknown authority", newHostileCA(t).leaf(t, "acme.test"), func(h *hconn, n int) {
			h.open(featStartTLS)
			h.startTLS()
			h.open(featSCRAM)
			h.drain()
		}, event.CodeTLSUntrusted, "SHA-256 fingerprint"},
		{"only PLAIN after TLS", good, func(h *hconn, n int) {
			h.open(featStartTLS)
			h.startTLS()
			h.open(`<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>`)
			h.drain()
		}, event.CodeAuth, "never sends the password itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHostileServerCert(t, ca, tc.cert, tc.script)
			r := hs.start(t, nil)
			d := r.fatal()
			if d.Code != tc.code || !strings.Contains(d.Message, tc.want) {
				t.Errorf("fatal %q (%s), want code %s and %q", d.Message, d.Code, tc.code, tc.want)
			}
			if r.seen(isA[event.Connected]) {
				t.Error("connected")
			}
			if n := hs.connections(); n != 1 {
				t.Errorf("%d connections, want 1 (no retry after a downgrade)", n)
			}
			plain, all := hs.received(1)
			if strings.Contains(plain, "<auth") || strings.Contains(plain, "mechanism=") {
				t.Errorf("SASL began in the clear: %q", plain)
			}
			if strings.Contains(all, "<auth") && tc.code != event.CodeAuth {
				t.Errorf("SASL began on a refused connection: %q", all)
			}
			if strings.Contains(all, "PLAIN") {
				t.Errorf("PLAIN was used: %q", all)
			}
			if strings.Contains(all, hostilePassword) || strings.Contains(all, base64.StdEncoding.EncodeToString([]byte(hostilePassword))) {
				t.Error("the password was sent")
			}
		})
	}
}

// The scripted server itself works: a full sign-in through it succeeds
// with SCRAM-SHA-256 over TLS (so the refusals above are the client's).
func TestHostileServerSignIn(t *testing.T) {
	hs := newHostileServer(t, func(h *hconn, n int) {
		h.signIn(true)
		<-h.serveBackground()
	})
	r := hs.start(t, nil)
	c := r.connected()
	if c.Mechanism != "SCRAM-SHA-256" || c.TLSVersion == "" || c.JID != "alice@acme.test/hostile" {
		t.Errorf("connected: %+v", c)
	}
}

// ---- Rules 2 and 3: no crash, bounded resources ---------------------------

// signedIn starts a hostile server that signs alice in (with stream
// management) and then plays script on the first connection; later
// connections just sign in and idle.
func signedIn(t *testing.T, tune func(*Session), script func(h *hconn)) (*hostileServer, *recorder) {
	t.Helper()
	hs := newHostileServer(t, func(h *hconn, n int) {
		h.signIn(true)
		done := h.serveBackground()
		if n == 1 {
			h.await("presence") // the client is online
			script(h)
		}
		<-done
	})
	r := hs.start(t, tune)
	r.connected()
	return hs, r
}

const toAlice = "alice@acme.test/hostile"

func chatFrom(from, id, body string) string {
	return fmt.Sprintf(`<message type='chat' from='%s' to='%s' id='%s'><body>%s</body></message>`, from, toAlice, id, body)
}

// Each input ends the stream (the session then reconnects, as after any
// broken connection) and is recorded; nothing of it reaches the user.
func TestHostileStreamLimits(t *testing.T) {
	deep := strings.Repeat("<x xmlns='urn:deep'>", 40) + strings.Repeat("</x>", 40)
	for _, tc := range []struct {
		name  string
		send  func(h *hconn)
		want  string // in the Disconnected message
		audit string // audit record kind, "" = none required
	}{
		{"stanza over 1 MiB", func(h *hconn) {
			h.send(`<message type='chat' from='bob@acme.test/x' to='%s' id='big'><body>`, toAlice)
			chunk := bytes.Repeat([]byte("A"), 64<<10)
			for i := 0; i < 40; i++ { // 2.5 MiB, never closed
				h.sendRaw(chunk)
			}
		}, "larger than 1024 KiB", "stream_limit"},
		{"endless attribute", func(h *hconn) {
			h.send(`<message from='bob@acme.test/x' id='`)
			chunk := bytes.Repeat([]byte("B"), 64<<10)
			for i := 0; i < 40; i++ {
				h.sendRaw(chunk)
			}
		}, "larger than 1024 KiB", "stream_limit"},
		{"nesting 40 deep", func(h *hconn) {
			h.send(`<message type='chat' from='bob@acme.test/x' id='deep'><body>deep</body>%s</message>`, deep)
		}, "nested more than 32", "stream_limit"},
		{"DOCTYPE with an entity", func(h *hconn) {
			h.sendRaw([]byte(`<!DOCTYPE message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + chatFrom("bob@acme.test/x", "dtd", "&xxe;")))
		}, "directive", ""},
		{"undefined entity", func(h *hconn) {
			h.sendRaw([]byte(chatFrom("bob@acme.test/x", "ent", "&xxe;")))
		}, "entity", ""},
		{"processing instruction", func(h *hconn) {
			h.sendRaw([]byte(`<?evil data?>` + chatFrom("bob@acme.test/x", "pi", "pi")))
		}, "proc inst", ""},
		{"invalid UTF-8 in a body", func(h *hconn) {
			h.send(`<message type='chat' from='bob@acme.test/x' id='utf'><body>`)
			h.sendRaw([]byte{'o', 'k', 0xff, 0xfe, 'x'})
			h.send(`</body></message>`)
		}, "UTF-8", ""},
		{"invalid UTF-8 in an attribute", func(h *hconn) {
			h.send(`<message type='chat' id='utf2' from='bob@acme.test/`)
			h.sendRaw([]byte{0xc3, 0x28})
			h.send(`'><body>x</body></message>`)
		}, "UTF-8", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs, r := signedIn(t, nil, tc.send)
			e := r.waitFor("disconnected", 20*time.Second, isA[event.Disconnected])
			d := e.(event.Disconnected)
			if d.Fatal || !strings.Contains(d.Message, tc.want) {
				t.Errorf("disconnected: %q (fatal %v), want %q", d.Message, d.Fatal, tc.want)
			}
			r.waitFor("reconnected", 20*time.Second, isA[event.Connected])
			if hs.connections() < 2 {
				t.Error("no reconnection")
			}
			if r.seen(func(e event.Event) bool { _, ok := e.(event.Message); return ok }) {
				t.Error("a message from the hostile input reached the user")
			}
			if tc.audit != "" && !auditHas(t, r.s, tc.audit) {
				t.Errorf("no %s record in the audit log", tc.audit)
			}
		})
	}
}

// auditHas reports whether the session's audit log holds a record of kind.
func auditHas(t *testing.T, s *Session, kind string) bool {
	t.Helper()
	dir := filepath.Join(s.cfg.DataDir, "audit")
	var found bool
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), `"`+kind+`"`) {
			found = true
		}
		return nil
	})
	return found
}

// A handler that panics loses its one stanza: the session says so, records
// it, counts the stanza for stream management and goes on with the next.
func TestHostilePanicGuarded(t *testing.T) {
	ready := make(chan struct{})
	hs, r := signedIn(t, nil, func(h *hconn) {
		<-ready
		h.send(`<iq type='result' id='boom'/>`)
		h.sendRaw([]byte(chatFrom("bob@acme.test/x", "after", "after the panic")))
		h.send(`<r xmlns='urn:xmpp:sm:3'/>`)
		a := h.await("a")
		h.sendRaw([]byte(chatFrom("bob@acme.test/x", "count", "h="+a.attr("h"))))
	})
	r.s.iqMu.Lock()
	r.s.iqs["boom"] = func(st *inStanza) { var m map[string]int; m["x"]++ } // a handler with a bug
	r.s.iqMu.Unlock()
	close(ready)
	r.waitFor("error", 20*time.Second, func(e event.Event) bool {
		er, ok := e.(event.Error)
		return ok && strings.Contains(er.Message, "malformed <iq/>")
	})
	r.message("after the panic")
	// The server's count: every stanza it sent after <enabled/> was
	// counted, the dropped one included (bind result and roster replies
	// come first; the exact number depends on the client's requests, so
	// the message carrying it is checked for being delivered at all).
	m := r.waitFor("count", 20*time.Second, func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && strings.HasPrefix(m.Body, "h=")
	}).(event.Message)
	if m.Body == "h=0" {
		t.Errorf("stanzas not counted: %s", m.Body)
	}
	if r.seen(isA[event.Disconnected]) || hs.connections() != 1 {
		t.Error("the connection was dropped")
	}
	r.s.guard.mu.Lock()
	panics := r.s.guard.panics
	r.s.guard.mu.Unlock()
	if panics != 1 {
		t.Errorf("%d panics caught, want 1", panics)
	}
	if !auditHas(t, r.s, "malformed_stanza") {
		t.Error("no malformed_stanza record in the audit log")
	}
}

// ---- Rule 1: sender checks --------------------------------------------------

// An answer with the right id from the wrong sender is ignored (and
// recorded); the real answer, from the account's server, is taken.
func TestHostileSpoofedIQReply(t *testing.T) {
	hs := newHostileServer(t, func(h *hconn, n int) {
		h.signIn(true)
		for {
			e := h.next()
			if e.XMLName.Local == "iq" && strings.Contains(e.Inner, "jabber:iq:roster") {
				id := e.attr("id")
				h.send(`<iq type='result' id='%s' from='mallory@evil.test/x'><query xmlns='jabber:iq:roster'><item jid='mallory@evil.test' subscription='both' name='IT Support'/></query></iq>`, id)
				h.send(`<iq type='result' id='%s' from='acme.test.evil.test'><query xmlns='jabber:iq:roster'><item jid='mallory@evil.test' subscription='both'/></query></iq>`, id)
				h.send(`<iq type='result' id='%s' from='alice@acme.test'><query xmlns='jabber:iq:roster'><item jid='bob@acme.test' subscription='both' name='Bob'/></query></iq>`, id)
				break
			}
		}
		h.drain()
	})
	r := hs.start(t, nil)
	r.connected()
	e := r.waitFor("roster", 20*time.Second, isA[event.Roster]).(event.Roster)
	if len(e.Contacts) != 1 || e.Contacts[0].JID != "bob@acme.test" {
		t.Errorf("roster %+v, want bob only (the spoofed answers ignored)", e.Contacts)
	}
	if r.seen(func(e event.Event) bool {
		ro, ok := e.(event.Roster)
		return ok && len(ro.Contacts) > 0 && ro.Contacts[0].JID == "mallory@evil.test"
	}) {
		t.Error("a spoofed roster was applied")
	}
	r.s.guard.mu.Lock()
	n := r.s.guard.spoofed
	r.s.guard.mu.Unlock()
	if n != 2 {
		t.Errorf("%d spoofed answers counted, want 2", n)
	}
	if !auditHas(t, r.s, "forged_stanza") {
		t.Error("no forged_stanza record in the audit log")
	}
}

func TestIQReplyOK(t *testing.T) {
	c := &conn{bare: "alice@acme.test", jid: jid.MustParse("alice@acme.test/r1")}
	c.s = &Session{bare: jid.MustParse("alice@acme.test")}
	for _, tc := range []struct {
		to, from string
		ok       bool
	}{
		{"", "", true},
		{"", "alice@acme.test", true},
		{"", "ALICE@acme.test", true},
		{"", "alice@acme.test/r1", true},
		{"", "alice@acme.test/other", false},
		{"", "acme.test", false},
		{"", "mallory@evil.test", false},
		{"alice@acme.test", "", true},
		{"pubsub.acme.test", "pubsub.acme.test", true},
		{"pubsub.acme.test", "", false},
		{"pubsub.acme.test", "pubsub.acme.test/x", false},
		{"pubsub.acme.test", "alice@acme.test", false},
		{"bob@acme.test/x", "bob@acme.test/x", true},
		{"bob@acme.test/x", "bob@acme.test", false},
		{"room@conference.acme.test", "room@conference.acme.test/bob", false},
	} {
		if got := c.iqReplyOK(tc.to, tc.from); got != tc.ok {
			t.Errorf("answer to %q from %q: accepted %v, want %v", tc.to, tc.from, got, tc.ok)
		}
	}
}

// ---- Rule 6: group chat truth ---------------------------------------------

// Roles and real JIDs come from the room's own presence only; a private
// message through the room is labelled as such; a stanza id counts only
// when the room stamped it.
func TestHostileRoomTruth(t *testing.T) {
	const room = "room@conference.acme.test"
	joined := make(chan struct{})
	hs, r := signedIn(t, nil, func(h *hconn) {
		p := h.await("presence")
		for !strings.HasPrefix(p.attr("to"), room+"/") {
			p = h.await("presence")
		}
		h.send(`<presence from='%s/bob'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' jid='bob@acme.test/x'/></x></presence>`, room)
		h.send(`<presence from='%s/al'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' jid='%s'/><status code='110'/></x></presence>`, room, toAlice)
		h.send(`<message type='groupchat' from='%s' id='subj'><subject>Topic</subject></message>`, room)
		<-joined
		// Not from the room: a role and a real JID claimed by a stranger.
		h.send(`<presence from='mallory@evil.test/x'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' jid='ceo@acme.test'/></x></presence>`)
		h.send(`<presence from='%s.evil.test/bob'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' jid='ceo@acme.test'/></x></presence>`, room)
		// A group chat message not from the room.
		h.send(`<message type='groupchat' from='bob@acme.test/x' id='g0'><body>forged groupchat</body></message>`)
		// A real JID claimed inside a message, not in presence.
		h.send(`<message type='groupchat' from='%s/bob' id='g1'><body>jid claim</body><x xmlns='http://jabber.org/protocol/muc#user'><item jid='ceo@acme.test/x' role='moderator'/></x></message>`, room)
		// Stanza ids: stamped by someone else, then by the room.
		h.send(`<message type='groupchat' from='%s/bob' id='g2'><body>sid forged</body><stanza-id xmlns='urn:xmpp:sid:0' by='evil.test' id='forged-sid'/></message>`, room)
		h.send(`<message type='groupchat' from='%s/bob' id='g3'><body>sid room</body><stanza-id xmlns='urn:xmpp:sid:0' by='%s' id='room-sid'/></message>`, room, room)
		// A private message through the room.
		h.send(`<message type='chat' from='%s/bob' id='pm1'><body>private hello</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>`, room)
		// The genuine role change, from the room.
		h.send(`<presence from='%s/bob'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='moderator' jid='bob@acme.test/x'/></x></presence>`, room)
		h.send(`<message type='groupchat' from='%s/bob' id='g4'><body>end</body></message>`, room)
	})
	r.s.Do(event.Join{Room: room, Nick: "al"})
	j := r.waitFor("joined", 20*time.Second, isA[event.RoomJoined]).(event.RoomJoined)
	close(joined)
	var bob *event.Occupant
	for i, o := range j.Occupants {
		if o.Nick == "bob" {
			bob = &j.Occupants[i]
		}
	}
	if bob == nil || bob.JID != "bob@acme.test" || bob.Role != "participant" {
		t.Fatalf("occupants on join: %+v", j.Occupants)
	}
	roomMsg := func(body string) event.RoomMessage {
		return r.waitFor(body, 20*time.Second, func(e event.Event) bool {
			m, ok := e.(event.RoomMessage)
			return ok && m.Body == body
		}).(event.RoomMessage)
	}
	if m := roomMsg("jid claim"); m.FromJID != "bob@acme.test" || m.Nick != "bob" {
		t.Errorf("a message claiming a real JID: from %q (%q), want bob@acme.test from the room's presence", m.FromJID, m.Nick)
	}
	if m := roomMsg("sid forged"); m.StanzaID != "" {
		t.Errorf("a stanza id stamped by evil.test was kept: %q", m.StanzaID)
	}
	if m := roomMsg("sid room"); m.StanzaID != "room-sid" {
		t.Errorf("the room's stanza id: %q, want room-sid", m.StanzaID)
	}
	pm := r.waitFor("private message", 20*time.Second, func(e event.Event) bool {
		m, ok := e.(event.RoomPrivateMessage)
		return ok && m.Body == "private hello"
	}).(event.RoomPrivateMessage)
	if pm.Room != room || pm.Nick != "bob" {
		t.Errorf("private message labelled %+v", pm)
	}
	ch := r.waitFor("role change", 20*time.Second, func(e event.Event) bool {
		c, ok := e.(event.OccupantChange)
		return ok && c.Role == "moderator"
	}).(event.OccupantChange)
	if ch.Nick != "bob" || ch.JID != "bob@acme.test" {
		t.Errorf("the room's role change: %+v", ch)
	}
	roomMsg("end")
	for _, e := range r.all() {
		switch e := e.(type) {
		case event.OccupantChange:
			if e.JID == "ceo@acme.test" || e.Nick == "x" || e.Role == "moderator" && e.Nick != "bob" {
				t.Errorf("an occupant change from outside the room: %+v", e)
			}
		case event.RoomMessage:
			if e.Body == "forged groupchat" {
				t.Errorf("a group chat message not from the room: %+v", e)
			}
		case event.Message:
			if e.Body == "private hello" || e.Body == "forged groupchat" {
				t.Errorf("shown as a direct chat: %+v", e)
			}
		}
	}
	_ = hs
}

// ---- Rule 3: floods ---------------------------------------------------------

// A burst well over the stanza rate cap: every message arrives, once, in
// order; the session only reads more slowly.
func TestHostileFloodDeliversEverything(t *testing.T) {
	const n = 3000
	_, r := signedIn(t, func(s *Session) { s.lim.stanzaBurst, s.lim.stanzaRate = 500, 2000 }, func(h *hconn) {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, `<presence from='bob@acme.test/r%d'><show>away</show></presence>`, i%7)
			fmt.Fprintf(&b, `<message type='chat' from='bob@acme.test/x' id='f%d'><body>flood %d</body><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`, i, i)
		}
		h.sendRaw([]byte(b.String()))
	})
	seen := map[string]int{}
	order := 0
	inOrder := true
	for len(seen) < n {
		m := r.waitFor("flood messages", 30*time.Second, func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && strings.HasPrefix(m.Body, "flood ")
		}).(event.Message)
		seen[m.Body]++
		if m.Body != fmt.Sprintf("flood %d", order) {
			inOrder = false
		}
		order++
	}
	time.Sleep(200 * time.Millisecond) // a duplicate would come right after
	seen = map[string]int{}
	for _, e := range r.all() {
		if m, ok := e.(event.Message); ok && strings.HasPrefix(m.Body, "flood ") {
			seen[m.Body]++
		}
	}
	for i := 0; i < n; i++ {
		if c := seen[fmt.Sprintf("flood %d", i)]; c != 1 {
			t.Errorf("flood %d delivered %d times", i, c)
		}
	}
	if !inOrder {
		t.Error("messages were reordered (the first ones waited for the sender's device list; later ones must queue behind them)")
	}
}

// The event queue stays bounded when the consumer is slow: presence and
// chat states are coalesced past the soft limit, and past the hard limit
// the emitter waits; no message is lost or reordered.
func TestEventQueueBounded(t *testing.T) {
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.lim.q = queueLimits{soft: 10, hard: 50}
	for i := 0; i < 1000; i++ {
		s.queue(event.Presence{From: fmt.Sprintf("bob@acme.test/r%d", i%5), Show: "away", Status: fmt.Sprint(i)})
		s.queue(event.ChatState{From: "bob@acme.test/r0", State: "composing"})
	}
	s.evMu.Lock()
	n := len(s.evQ)
	last := map[string]string{}
	for _, e := range s.evQ {
		if p, ok := e.(event.Presence); ok {
			last[p.From] = p.Status
		}
	}
	s.evMu.Unlock()
	if n > 10+6 {
		t.Errorf("%d events queued after 2000 presence and chat states, want at most 16", n)
	}
	if last["bob@acme.test/r4"] != "999" || last["bob@acme.test/r0"] != "995" {
		t.Errorf("the latest presence of each resource is not what is queued: %v", last)
	}
	if s.lim.coalesced.Load() == 0 {
		t.Error("nothing coalesced")
	}
	// Messages past the hard limit: the emitter waits for the consumer.
	done := make(chan struct{})
	go func() {
		for i := 0; i < 500; i++ {
			s.queue(event.Message{ID: fmt.Sprint(i), Body: fmt.Sprint(i)})
		}
		close(done)
	}()
	var got []string
	maxLen := 0
	for len(got) < 500 {
		time.Sleep(time.Millisecond)
		s.evMu.Lock()
		if len(s.evQ) > maxLen {
			maxLen = len(s.evQ)
		}
		q := s.evQ
		s.evQ = nil
		clear(s.lim.evKeys)
		s.evMu.Unlock()
		s.evCond.Broadcast()
		for _, e := range q {
			if m, ok := e.(event.Message); ok {
				got = append(got, m.Body)
			}
		}
	}
	<-done
	if maxLen > 50 {
		t.Errorf("the queue grew to %d events, hard limit 50", maxLen)
	}
	for i, b := range got {
		if b != fmt.Sprint(i) {
			t.Fatalf("message %d is %q", i, b)
		}
	}
}

// ---- Rule 7: forged resumption and acknowledgements ------------------------

// A server that resumes the stream acknowledging more than it was sent (or
// acknowledges more on a live stream) would make the client forget
// messages it never received. The client refuses: it starts a new session
// and sends every unacknowledged message again.
func TestHostileForgedResumption(t *testing.T) {
	for _, tc := range []struct {
		name string
		cut  func(h *hconn) // ends the first connection
		want string
	}{
		{"resumed with an impossible count", func(h *hconn) { h.raw.Close() }, "resumed the stream acknowledging 99"},
		{"acknowledgement of more than was sent", func(h *hconn) { h.send(`<a xmlns='urn:xmpp:sm:3' h='99'/>`) }, "acknowledged 99 stanzas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent := make(chan struct{})
			hs := newHostileServer(t, func(h *hconn, n int) {
				switch n {
				case 1:
					h.signInWith(`<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>`)
					h.serveBackground()
					<-sent
					for i := 0; i < 3; i++ {
						h.await("message")
					}
					tc.cut(h)
					time.Sleep(time.Second)
				case 2:
					if strings.Contains(tc.want, "resumed") {
						h.open(featStartTLS)
						h.startTLS()
						h.open(featSCRAM)
						h.scram()
						h.open(featBind + featSM)
						h.expect("resume")
						h.send(`<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='99'/>`)
						h.drain()
						return
					}
					fallthrough
				default:
					h.signIn(true)
					<-h.serveBackground()
				}
			})
			r := hs.start(t, nil)
			r.connected()
			for i := 0; i < 3; i++ {
				r.s.Do(event.Send{To: "bob@acme.test", Body: fmt.Sprintf("must arrive %d", i), ID: fmt.Sprintf("keep-%d", i)})
			}
			close(sent)
			d := r.waitFor("refusal", 20*time.Second, func(e event.Event) bool {
				d, ok := e.(event.Disconnected)
				return ok && strings.Contains(d.Message, "more than")
			}).(event.Disconnected)
			if !strings.Contains(d.Message, tc.want) || d.Fatal {
				t.Errorf("disconnected: %q", d.Message)
			}
			c := r.waitFor("new session", 20*time.Second, isA[event.Connected]).(event.Connected)
			if c.Resumed {
				t.Error("the forged stream was resumed")
			}
			last := hs.connections()
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, all := hs.received(last)
				missing := 0
				for i := 0; i < 3; i++ {
					if !strings.Contains(all, fmt.Sprintf("keep-%d", i)) {
						missing++
					}
				}
				if missing == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of the unacknowledged messages were not sent again on the new session", missing)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if r.seen(func(e event.Event) bool { a, ok := e.(event.Acked); return ok && strings.HasPrefix(a.ID, "keep-") }) {
				t.Error("a message was reported delivered on the forged count")
			}
			if !auditHas(t, r.s, "forged_resumption") && !auditHas(t, r.s, "forged_ack") {
				t.Error("not recorded in the audit log")
			}
		})
	}
}

// ---- Rule 4: the profile's sign-in floor -----------------------------------

// With security.require_channel_binding or security.min_sasl in force, a
// server that offers only weaker mechanisms is refused before anything is
// sent; with the floor met, the sign-in goes on.
func TestHostileProfileSASLFloor(t *testing.T) {
	for _, tc := range []struct {
		name     string
		security map[string]any
		offer    string // mechanisms offered after TLS
		refused  bool
	}{
		{"channel binding required, not offered", map[string]any{"require_channel_binding": true}, "SCRAM-SHA-256 SCRAM-SHA-1", true},
		{"SHA-256 required, SHA-1 offered", map[string]any{"min_sasl": "SCRAM-SHA-256"}, "SCRAM-SHA-1 SCRAM-SHA-1-PLUS", true},
		{"SHA-256 required and offered", map[string]any{"min_sasl": "SCRAM-SHA-256"}, "SCRAM-SHA-1 SCRAM-SHA-256", false},
		{"no floor, SHA-1 only", nil, "SCRAM-SHA-1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := newITDesk(t, &testenv.Server{PubSubService: "pubsub.acme.test"})
			m := it.manager(t.TempDir())
			now := time.Now().UTC().Truncate(time.Second)
			doc := map[string]any{
				"format": profile.Format, "id": "acme-main", "serial": 1,
				"issued_at": now.Add(-time.Hour), "expires_at": now.Add(24 * time.Hour),
				"organisation": map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
			}
			if tc.security != nil {
				doc["security"] = tc.security
			}
			data, _ := json.Marshal(doc)
			if _, err := m.Apply(data, it.sign(data), "managed"); err != nil {
				t.Fatal(err)
			}
			var mechs strings.Builder
			for _, mech := range strings.Fields(tc.offer) {
				mechs.WriteString("<mechanism>" + mech + "</mechanism>")
			}
			hs := newHostileServer(t, func(h *hconn, n int) {
				h.open(featStartTLS)
				h.startTLS()
				h.open(`<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>` + mechs.String() + `</mechanisms>`)
				h.drain()
			})
			r := hs.start(t, withProfiles(m))
			if !tc.refused {
				// The client goes on to SASL (the script answers nothing).
				deadline := time.Now().Add(10 * time.Second)
				for {
					if _, all := hs.received(1); strings.Contains(all, "<auth") {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("the client did not start SASL")
					}
					time.Sleep(20 * time.Millisecond)
				}
				return
			}
			d := r.fatal()
			if d.Code != event.CodeAuth || !strings.Contains(d.Message, "profile requires") {
				t.Errorf("fatal %q (%s)", d.Message, d.Code)
			}
			if _, all := hs.received(1); strings.Contains(all, "<auth") {
				t.Errorf("SASL began below the floor: %q", all)
			}
		})
	}
}
