package testenv_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/internal/testenv"
	"mellium.im/xmpp/roster"
)

func fetchRoster(t *testing.T, s *testenv.Server, user string) map[string]roster.Item {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := s.Dial(ctx, user, s.Password)
	if err != nil {
		t.Fatalf("%v\n%s", err, s.Log())
	}
	defer sess.Close()
	go sess.Serve(nil)
	iter := roster.Fetch(ctx, sess)
	items := map[string]roster.Item{}
	for iter.Next() {
		it := iter.Item()
		items[it.JID.String()] = it
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("roster fetch: %v", err)
	}
	iter.Close()
	return items
}

// checkServer runs the checks common to every TLS server.
func checkServer(t *testing.T, s *testenv.Server) {
	t.Logf("%s started in %v: c2s %s, direct TLS %s, https %s", s.Kind, s.StartTime, s.Addr, s.DirectTLSAddr, s.HTTPSAddr)

	// Every standard user logs in over STARTTLS with SCRAM.
	for _, u := range s.Users {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		sess, err := s.Dial(ctx, u, s.Password)
		cancel()
		if err != nil {
			t.Fatalf("%v\n%s", err, s.Log())
		}
		if !strings.HasPrefix(sess.LocalAddr().String(), u+"/") {
			t.Errorf("bound JID %s, want %s/…", sess.LocalAddr(), u)
		}
		if st := sess.ConnectionState(); !st.HandshakeComplete {
			t.Errorf("%s: TLS handshake not complete", u)
		}
		sess.Close()
	}

	// A wrong password is refused.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if sess, err := s.Dial(ctx, "alice@acme.test", "wrong"); err == nil {
		sess.Close()
		t.Error("login with a wrong password succeeded")
	}

	// Direct TLS and HTTPS present a certificate signed by the local CA.
	for _, a := range []struct{ addr, name string }{
		{s.DirectTLSAddr, "acme.test"},
		{s.HTTPSAddr, "acme.test"},
		{s.HTTPSAddr, "localhost"},
	} {
		cfg, err := s.TLSConfig(a.name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", a.addr, cfg)
		if err != nil {
			t.Errorf("TLS to %s as %s: %v", a.addr, a.name, err)
			continue
		}
		c.Close()
	}

	// Alice's demo roster.
	items := fetchRoster(t, s, "alice@acme.test")
	want := map[string]string{
		"bob@acme.test":      "Colleagues",
		"dave@acme.test":     "Colleagues",
		"carol@partner.test": "Partners",
		"mallory@evil.test":  "Unknown",
	}
	for j, g := range want {
		it, ok := items[j]
		if !ok {
			t.Errorf("alice's roster lacks %s (have %v)", j, items)
			continue
		}
		if len(it.Group) != 1 || it.Group[0] != g || it.Subscription != "both" {
			t.Errorf("alice's roster item %s: groups %v subscription %q, want [%s] both", j, it.Group, it.Subscription, g)
		}
	}

	// Extra users can be added while the server runs.
	s.AddUser(t, "erin", "acme.test", "erin-pw")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	sess, err := s.Dial(ctx2, "erin@acme.test", "erin-pw")
	if err != nil {
		t.Fatalf("new user: %v", err)
	}
	sess.Close()
}

func TestProsody(t *testing.T) {
	s := testenv.Prosody(t)
	if s.Kind != "prosody" || s.Domain != "acme.test" || s.CAFile == "" {
		t.Fatalf("unexpected server description %+v", s)
	}
	checkServer(t, s)
}

func TestProsodyPopulateRoster(t *testing.T) {
	s := testenv.Prosody(t)
	const n = 2000
	contacts := testenv.PopulateRoster(t, s, "bob@acme.test", n)
	start := time.Now()
	items := fetchRoster(t, s, "bob@acme.test")
	t.Logf("fetched %d roster items in %v", len(items), time.Since(start))
	if len(items) != n {
		t.Fatalf("roster has %d items, want %d", len(items), n)
	}
	c := contacts[7]
	it := items[c.JID]
	if it.Name != c.Name || len(it.Group) != 2 || it.Subscription != "both" {
		t.Errorf("item %s = %+v, want %+v", c.JID, it, c)
	}
}

// readFeatures opens a stream to addr and returns everything up to the end
// of the stream features.
func readFeatures(t *testing.T, addr, domain string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, `<?xml version='1.0'?><stream:stream to='`+domain+`' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`)
	r := bufio.NewReader(c)
	var b strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(b.String(), "</stream:features>") {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			t.Fatalf("reading features from %s: %v (got %q)", addr, err, b.String())
		}
	}
	return b.String()
}

func TestPlainProsody(t *testing.T) {
	s := testenv.PlainProsody(t)
	t.Logf("plaintext prosody started in %v on %s", s.StartTime, s.Addr)
	f := readFeatures(t, s.Addr, "acme.test")
	if strings.Contains(f, "urn:ietf:params:xml:ns:xmpp-tls") {
		t.Errorf("plaintext server offers STARTTLS: %s", f)
	}
	if !strings.Contains(f, "mechanisms") {
		t.Errorf("plaintext server offers no SASL at all: %s", f)
	}
	if s.DirectTLSAddr != "" || s.CAFile != "" {
		t.Errorf("plaintext server advertises TLS: %+v", s)
	}
}

func TestProsodyOffersStartTLS(t *testing.T) {
	s := testenv.Prosody(t)
	f := readFeatures(t, s.Addr, "acme.test")
	if !strings.Contains(f, "urn:ietf:params:xml:ns:xmpp-tls") || !strings.Contains(f, "<required") {
		t.Errorf("server does not require STARTTLS: %s", f)
	}
}

func TestProxyCut(t *testing.T) {
	// An echo server stands for the XMPP server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	p := testenv.NewProxy(t, ln.Addr().String())

	echo := func(c net.Conn, msg string) error {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, msg); err != nil {
			return err
		}
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(c, buf); err != nil {
			return err
		}
		if string(buf) != msg {
			t.Errorf("echo %q, got %q", msg, buf)
		}
		return nil
	}
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := echo(c, "hello"); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if n := p.Conns(); n != 3 {
		t.Errorf("Conns() = %d, want 3", n)
	}
	if n := p.Cut(); n != 3 {
		t.Errorf("Cut() = %d, want 3", n)
	}
	for _, c := range conns {
		if err := echo(c, "again"); err == nil {
			t.Error("a connection survived Cut")
		}
	}
	// The proxy still accepts new connections.
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := echo(c, "after cut"); err != nil {
		t.Fatalf("new connection after Cut: %v", err)
	}

	// Blackhole: writes succeed, nothing comes back, nothing is closed.
	p.Blackhole(true)
	if _, err := io.WriteString(c, "lost"); err != nil {
		t.Fatalf("write into the blackhole: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 16)
	if n, err := c.Read(buf); n != 0 || err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read through the blackhole: %d %q %v, want a timeout", n, buf[:n], err)
	}
	p.Blackhole(false)
	if err := echo(c, "back"); err != nil {
		t.Fatalf("after the blackhole: %v", err)
	}
}

func TestProxyToProsody(t *testing.T) {
	s := testenv.Prosody(t)
	p := testenv.NewProxy(t, s.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := s.DialVia(ctx, p.Addr(), "alice@acme.test", s.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	p.Cut()
	errc := make(chan error, 1)
	go func() { errc <- sess.Serve(nil) }()
	select {
	case <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("session still alive 10s after Cut")
	}
	sess2, err := s.DialVia(ctx, p.Addr(), "alice@acme.test", s.Password)
	if err != nil {
		t.Fatalf("reconnect through the proxy: %v", err)
	}
	sess2.Close()
}

func TestEjabberd(t *testing.T) {
	s := testenv.Ejabberd(t)
	if s.Kind != "ejabberd" || s.Domain != "acme.test" || s.CAFile == "" {
		t.Fatalf("unexpected server description %+v", s)
	}
	checkServer(t, s)
	f := readFeatures(t, s.Addr, "acme.test")
	if !strings.Contains(f, "urn:ietf:params:xml:ns:xmpp-tls") || !strings.Contains(f, "<required") {
		t.Errorf("ejabberd does not require STARTTLS: %s", f)
	}
}

func TestEjabberdPopulateRoster(t *testing.T) {
	s := testenv.Ejabberd(t)
	const n = 2000
	contacts := testenv.PopulateRoster(t, s, "bob@acme.test", n)
	start := time.Now()
	items := fetchRoster(t, s, "bob@acme.test")
	t.Logf("fetched %d roster items in %v", len(items), time.Since(start))
	// bob also has alice in his demo roster.
	if len(items) != n+1 {
		t.Fatalf("roster has %d items, want %d", len(items), n+1)
	}
	for _, i := range []int{7, 8, 49} {
		c := contacts[i]
		it := items[c.JID]
		if it.Name != c.Name || len(it.Group) != len(c.Groups) || it.Subscription != "both" {
			t.Errorf("item %s = %+v, want %+v", c.JID, it, c)
		}
	}
}

// A server started again on the same directory keeps its data, even with
// new ports.
func TestRestartSameDir(t *testing.T) {
	for _, start := range []func(string) (*testenv.Server, error){testenv.StartProsody, testenv.StartEjabberd} {
		dir, err := os.MkdirTemp("", "palisade-restart-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		s, err := start(dir)
		if err != nil {
			t.Fatal(err)
		}
		s.AddUser(t, "frank", "acme.test", "frank-pw")
		s.Stop()
		s, err = start(dir)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		sess, err := s.Dial(ctx, "frank@acme.test", "frank-pw")
		cancel()
		if err != nil {
			t.Errorf("%s after restart: %v\n%s", s.Kind, err, s.Log())
		} else {
			sess.Close()
		}
		s.Stop()
	}
}
