package session

import (
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// recorder collects a session's events for assertions.
type recorder struct {
	t    testing.TB
	s    *Session
	mu   sync.Mutex
	cond *sync.Cond
	evs  []event.Event
	next int // index of the first event not yet consumed by waitFor
	done bool
}

type opts struct {
	addr     string
	noCA     bool
	password string
	direct   bool
	dataDir  string
	resource string
	tls12    bool
	tls13    bool // on ejabberd, do not cap TLS at 1.2 (see SCRAM.md)
}

func startSession(t testing.TB, srv *testenv.Server, user string, o opts) *recorder {
	t.Helper()
	return startSessionWith(t, srv, user, o, nil)
}

func startSessionWith(t testing.TB, srv *testenv.Server, user string, o opts, tune func(*Session)) *recorder {
	t.Helper()
	if srv.Kind == "ejabberd" && !o.tls13 {
		o.tls12 = true
	}
	addr := srv.Addr
	if o.direct {
		addr = srv.DirectTLSAddr
	}
	if o.addr != "" {
		addr = o.addr
	}
	pw := srv.Password
	if o.password != "" {
		pw = o.password
	}
	ca := srv.CAFile
	if o.noCA {
		ca = ""
	}
	dir := o.dataDir
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := New(Config{
		JID:                 user,
		Password:            func() (string, error) { return pw, nil },
		Server:              addr,
		DirectTLS:           o.direct,
		CAFile:              ca,
		DataDir:             dir,
		Resource:            o.resource,
		ChannelBindingTLS12: o.tls12,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = backoff{base: 100 * time.Millisecond, max: time.Second}
	if tune != nil {
		tune(s)
	}
	return record(t, s, user)
}

// record starts s and records its events until it closes, for waitFor
// and the other recorder methods; the test's end quits the session.
// SESSION_TRACE=1 prints every event, prefixed with label.
func record(t testing.TB, s *Session, label string) *recorder {
	t.Helper()
	r := &recorder{t: t, s: s}
	r.cond = sync.NewCond(&r.mu)
	s.Start()
	go func() {
		for e := range s.Events() {
			if os.Getenv("SESSION_TRACE") != "" {
				b, _ := event.Marshal(e)
				fmt.Fprintf(os.Stderr, "%s %s\n", label, b)
			}
			r.mu.Lock()
			r.evs = append(r.evs, e)
			r.mu.Unlock()
			r.cond.Broadcast()
		}
		r.mu.Lock()
		r.done = true
		r.mu.Unlock()
		r.cond.Broadcast()
	}()
	t.Cleanup(r.quit)
	return r
}

// quit stops the session and waits for the events channel to close.
func (r *recorder) quit() {
	r.s.Do(event.Quit{})
	deadline := time.Now().Add(10 * time.Second)
	r.mu.Lock()
	defer r.mu.Unlock()
	for !r.done && time.Now().Before(deadline) {
		r.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		r.mu.Lock()
	}
}

// waitFor returns the first unconsumed event for which match is true,
// consuming it and everything before it.
func (r *recorder) waitFor(what string, timeout time.Duration, match func(event.Event) bool) event.Event {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, r.cond.Broadcast)
	defer timer.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		for i := r.next; i < len(r.evs); i++ {
			if match(r.evs[i]) {
				r.next = i + 1
				return r.evs[i]
			}
		}
		r.next = len(r.evs)
		if r.done || time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; events: %s", what, r.dump())
		}
		r.cond.Wait()
	}
}

// seen reports whether any event so far matches.
func (r *recorder) seen(match func(event.Event) bool) bool {
	for _, e := range r.all() {
		if match(e) {
			return true
		}
	}
	return false
}

// peekAll returns every event so far.
func (r *recorder) all() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event.Event(nil), r.evs...)
}

func (r *recorder) dump() string {
	var b strings.Builder
	n := len(r.evs)
	from := 0
	if n > 40 {
		from = n - 40
		fmt.Fprintf(&b, "(%d earlier) ", from)
	}
	for _, e := range r.evs[from:] {
		m, _ := event.Marshal(e)
		b.Write(m)
		b.WriteByte(' ')
	}
	return b.String()
}

func isA[T event.Event](e event.Event) bool { _, ok := e.(T); return ok }

// connected waits for the session to sign in.
func (r *recorder) connected() event.Connected {
	r.t.Helper()
	e := r.waitFor("connected", 30*time.Second, func(e event.Event) bool {
		if d, ok := e.(event.Disconnected); ok && d.Fatal {
			r.t.Fatalf("fatal: %s (%s)", d.Message, d.Code)
		}
		return isA[event.Connected](e)
	})
	return e.(event.Connected)
}

func (r *recorder) fatal() event.Disconnected {
	r.t.Helper()
	e := r.waitFor("fatal disconnect", 30*time.Second, func(e event.Event) bool {
		if _, ok := e.(event.Connected); ok {
			r.t.Fatalf("connected, want a fatal error")
		}
		d, ok := e.(event.Disconnected)
		return ok && d.Fatal
	})
	r.waitFor("closed", 10*time.Second, isA[event.Closed])
	return e.(event.Disconnected)
}

func (r *recorder) message(body string) event.Message {
	r.t.Helper()
	return r.waitFor("message "+body, 20*time.Second, func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.Body == body
	}).(event.Message)
}

// gate is a TCP proxy that can refuse connections for a while (testenv's
// Proxy always accepts): closed, it accepts and immediately hangs up, as a
// server behind a broken network would.
type gate struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	open   bool
	frozen bool // silently drop all traffic, as a dead network path would
	conns  []net.Conn
}

func (g *gate) pipe(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			g.mu.Lock()
			frozen := g.frozen
			g.mu.Unlock()
			if !frozen {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

func (g *gate) setFrozen(f bool) {
	g.mu.Lock()
	g.frozen = f
	g.mu.Unlock()
}

func newGate(t testing.TB, target string) *gate {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, target: target, open: true}
	t.Cleanup(func() { ln.Close(); g.setOpen(false) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.mu.Lock()
			open := g.open
			g.mu.Unlock()
			if !open {
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			g.mu.Lock()
			g.conns = append(g.conns, c, s)
			g.mu.Unlock()
			go func() { g.pipe(s, c); s.Close(); c.Close() }()
			go func() { g.pipe(c, s); s.Close(); c.Close() }()
		}
	}()
	return g
}

func (g *gate) Addr() string { return g.ln.Addr().String() }

// setOpen opens or closes the gate; closing also cuts live connections.
func (g *gate) setOpen(open bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = open
	if !open {
		for _, c := range g.conns {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			c.Close()
		}
		g.conns = nil
	}
}

var (
	sharedOnce sync.Once
	shared     *testenv.Server
	sharedErr  error
)

// prosody returns a Prosody shared by the tests of this binary.
func prosody(t testing.TB) *testenv.Server {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = testenv.StartProsody("") })
	if sharedErr != nil {
		t.Fatalf("prosody: %v", sharedErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	if ejSrv != nil {
		ejSrv.Stop()
	}
	os.Exit(code)
}
