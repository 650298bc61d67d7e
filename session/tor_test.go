package session

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cretz/bine/tor"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
)

// socksProxy is a tiny SOCKS5 proxy (no authentication, CONNECT only) that
// records every connection asked of it and forwards it to loopback: the
// test's stand-in for Tor's SOCKS port.
type socksProxy struct {
	t     testing.TB
	ln    net.Listener
	route func(host, port string) string // where a requested host:port really is; "" = refuse

	mu      sync.Mutex
	asked   []string // host:port as requested, in order
	byIP    int      // requests that named an IP address instead of a host name
	refused int
}

func newSOCKSProxy(t testing.TB, route func(host, port string) string) *socksProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &socksProxy{t: t, ln: ln, route: route}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *socksProxy) Addr() string { return p.ln.Addr().String() }

func (p *socksProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

func (p *socksProxy) count(hostport string) int {
	n := 0
	for _, a := range p.requests() {
		if a == hostport {
			n++
		}
	}
	return n
}

func (p *socksProxy) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != 5 {
		return
	}
	methods := make([]byte, hdr[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	c.Write([]byte{5, 0}) // no authentication
	var req [4]byte
	if _, err := io.ReadFull(c, req[:]); err != nil || req[1] != 1 {
		return
	}
	var host string
	switch req[3] {
	case 1, 4: // an IP address: the client resolved the name itself
		n := 4
		if req[3] == 4 {
			n = 16
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		a, _ := netip.AddrFromSlice(b)
		host = a.String()
		p.mu.Lock()
		p.byIP++
		p.mu.Unlock()
	case 3:
		var l [1]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return
		}
		b := make([]byte, l[0])
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		host = string(b)
	default:
		return
	}
	var pb [2]byte
	if _, err := io.ReadFull(c, pb[:]); err != nil {
		return
	}
	port := strconv.Itoa(int(binary.BigEndian.Uint16(pb[:])))
	p.mu.Lock()
	p.asked = append(p.asked, net.JoinHostPort(host, port))
	p.mu.Unlock()
	target := p.route(host, port)
	var up net.Conn
	var err error
	if target != "" {
		up, err = net.DialTimeout("tcp", target, 5*time.Second)
	}
	if target == "" || err != nil {
		p.mu.Lock()
		p.refused++
		p.mu.Unlock()
		c.Write([]byte{5, 4, 0, 1, 0, 0, 0, 0, 0, 0}) // host unreachable
		return
	}
	defer up.Close()
	c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
	c.SetDeadline(time.Time{})
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	<-done
}

// noDNS is a resolver that fails the test when anything is looked up.
type noDNS struct{ t testing.TB }

func (r noDNS) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	r.t.Errorf("DNS lookup while routing through Tor: SRV _%s._%s.%s", service, proto, name)
	return "", nil, errors.New("no DNS in this test")
}

func (r noDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.t.Errorf("DNS lookup while routing through Tor: %s", host)
	return nil, errors.New("no DNS in this test")
}

// countingListener accepts and counts connections (a server that must not
// be contacted).
func countingListener(t testing.TB) (addr string, count func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	n := 0
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			n++
			mu.Unlock()
			c.Close()
		}
	}()
	return ln.Addr().String(), func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// torProfile applies a signed profile with the given Tor fields and returns
// its manager.
func torProfile(t *testing.T, it *itDesk, dir string, edit map[string]any) *profile.Manager {
	t.Helper()
	data, _ := it.profile(1)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range edit {
		m[k] = v
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	mgr := it.manager(dir)
	if _, err := mgr.Apply(data, it.sign(data), "managed"); err != nil {
		t.Fatalf("tor profile: %v", err)
	}
	return mgr
}

const testOnion = "palisadexmppabcdefghijklmnopqrstuvwxyz234567abcdefghijkl.onion:5222"

// Every connection goes through the SOCKS proxy when Tor is on: the XMPP
// stream (to the profile's onion address, or to the domain when the user
// turned Tor on) and both file transfers, with host names given to the
// proxy and no DNS lookup by the client.
func TestProsodyTorRoutesEverything(t *testing.T) {
	srv := prosody(t)
	if !strings.HasSuffix(testOnion[:strings.IndexByte(testOnion, ':')], ".onion") || len(strings.TrimSuffix(testOnion[:strings.IndexByte(testOnion, ':')], ".onion")) != 56 {
		t.Fatal("test onion address malformed")
	}
	_, httpsPort, _ := net.SplitHostPort(srv.HTTPSAddr)
	proxy := newSOCKSProxy(t, func(host, port string) string {
		switch {
		case host+":"+port == testOnion, host == "acme.test" && port == "5222":
			return srv.Addr
		case host == "localhost" && port == httpsPort:
			return srv.HTTPSAddr
		}
		return ""
	})
	it := newITDesk(t, srv)
	aliceJID := freshUser(t, srv, "ta", "acme.test")
	bobJID := freshUser(t, srv, "tb", "acme.test")
	torOn := func(mgr *profile.Manager) func(*Session) {
		return func(s *Session) {
			s.cfg.Server = "" // the direct route would look up SRV records
			s.cfg.Tor = TorConfig{Enabled: mgr == nil, ProxyAddr: proxy.Addr()}
			s.cfg.Profiles = mgr
			s.tor.resolver = noDNS{t}
		}
	}
	aliceDir := t.TempDir()
	mgr := torProfile(t, it, aliceDir, map[string]any{"tor": "required", "tor_onion": testOnion})
	alice := &filePeer{jid: aliceJID, data: aliceDir, downloads: t.TempDir()}
	alice.recorder = startSessionWith(t, srv, aliceJID, opts{dataDir: aliceDir}, func(s *Session) {
		s.cfg.DownloadDir = alice.downloads
		s.cfg.UploadHosts = []string{"localhost"}
		s.initFiles()
		torOn(mgr)(s)
	})
	ca := alice.waitFor("connecting", 20*time.Second, isA[event.Connecting]).(event.Connecting)
	if ca.Route != event.RouteTor || ca.Server != testOnion {
		t.Errorf("alice Connecting = %+v, want route tor to the onion address", ca)
	}
	if c := alice.connected(); c.Route != event.RouteTor {
		t.Errorf("alice Connected.Route = %q", c.Route)
	}
	if !alice.seen(func(e event.Event) bool {
		ts, ok := e.(event.TorState)
		return ok && ts.State == event.TorReady && ts.Via == "proxy" && ts.Policy == "required" && ts.Locked && ts.Enabled && ts.Onion == testOnion
	}) {
		t.Errorf("no tor_state ready (required, locked, onion): %s", alice.dump())
	}

	clamd := testenv.StartClamd(t)
	bob := startFilePeer(t, srv, bobJID, clamd.Socket, torOn(nil))
	if !bob.seen(func(e event.Event) bool { c, ok := e.(event.Connected); return ok && c.Route == event.RouteTor }) {
		t.Errorf("bob not connected through Tor: %s", bob.dump())
	}
	if n := proxy.count("acme.test:5222"); n != 1 {
		t.Errorf("bob's stream went %d times through the proxy to acme.test:5222, want 1", n)
	}
	if n := proxy.count(testOnion); n != 1 {
		t.Errorf("alice's stream went %d times through the proxy to the onion address, want 1", n)
	}

	src, sum := writeRandom(t, t.TempDir(), "plan.bin", 200<<10)
	alice.s.Do(event.SendFile{To: bobJID, Path: src, ID: "tf1"})
	if e := alice.waitFor("file_sent", 30*time.Second, anyFileEnd); !isA[event.FileSent](e) {
		t.Fatalf("upload through Tor ended with %+v", e)
	}
	e := bob.waitFor("file_received", 40*time.Second, func(e event.Event) bool {
		return isA[event.FileReceived](e) || isA[event.FileRejected](e)
	})
	got, ok := e.(event.FileReceived)
	if !ok {
		t.Fatalf("download through Tor ended with %+v", e)
	}
	if sumFile(t, got.Path) != sum {
		t.Error("the file received through Tor differs from the one sent")
	}
	https := proxy.count("localhost:" + httpsPort)
	if https < 2 {
		t.Errorf("file transfers through the proxy: %d, want at least 2 (upload and download); requests %v", https, proxy.requests())
	}
	proxy.mu.Lock()
	byIP, refused := proxy.byIP, proxy.refused
	proxy.mu.Unlock()
	if byIP != 0 || refused != 0 {
		t.Errorf("proxy saw %d requests by IP address and refused %d: %v", byIP, refused, proxy.requests())
	}
	t.Logf("connections through the proxy: %d (%v)", len(proxy.requests()), proxy.requests())
}

// prosodyStub stands for a server in tests that never reach one.
func prosodyStub() *testenv.Server {
	return &testenv.Server{Kind: "prosody", PubSubService: "pubsub.acme.test", Password: "unused"}
}

// With Tor required and no Tor to be had, the session does not connect and
// says why; the user cannot turn Tor off.
func TestTorRequiredUnavailable(t *testing.T) {
	it := newITDesk(t, prosodyStub())
	dir := t.TempDir()
	mgr := torProfile(t, it, dir, map[string]any{"tor": "required"})
	addr, accepted := countingListener(t)
	r := startSessionWith(t, prosodyStub(), "alice@acme.test", opts{dataDir: dir, addr: addr, noCA: true}, func(s *Session) {
		s.cfg.Profiles = mgr
		s.cfg.Tor = TorConfig{ExePath: filepath.Join(t.TempDir(), "no-such-tor")}
		s.tor.resolver = noDNS{t}
	})
	d := r.waitFor("disconnected", 20*time.Second, isA[event.Disconnected]).(event.Disconnected)
	if d.Code != event.CodeTor || d.Fatal || !strings.Contains(d.Message, "requires") || !strings.Contains(d.Message, "not found") {
		t.Errorf("Disconnected = %+v, want code tor, retrying, naming the requirement and the missing program", d)
	}
	var states []string
	for _, e := range r.all() {
		if ts, ok := e.(event.TorState); ok {
			states = append(states, ts.State)
			if ts.State == event.TorFailed && !strings.Contains(ts.Reason, "apt install tor") {
				t.Errorf("failed state without advice: %q", ts.Reason)
			}
		}
	}
	// Each attempt (retried with backoff) starts again and fails again;
	// Tor is never ready.
	if len(states) < 2 || states[0] != event.TorStarting || states[1] != event.TorFailed || strings.Contains(strings.Join(states, ","), event.TorReady) {
		t.Errorf("tor states %v, want starting, failed (and never ready)", states)
	}
	r.s.Do(event.SetTor{Enabled: false})
	er := r.waitFor("error", 5*time.Second, isA[event.Error]).(event.Error)
	if er.Code != event.CodeConfig || !strings.Contains(er.Message, "requires Tor") {
		t.Errorf("SetTor under a required profile: %+v", er)
	}
	time.Sleep(300 * time.Millisecond) // a retry, if any, would dial now
	if n := accepted(); n != 0 {
		t.Errorf("the server was contacted %d times without Tor", n)
	}
	for _, e := range r.all() {
		if c, ok := e.(event.Connecting); ok && c.Route != event.RouteTor {
			t.Errorf("Connecting = %+v, want route tor", c)
		}
	}
}

// bine starts Debian's tor (networking disabled: there is no internet
// here), the session reports it starting and then failing to reach the
// network within its deadline, and stops the process when it quits.
func TestTorProcessLifecycle(t *testing.T) {
	exe, err := exec.LookPath("tor")
	if err != nil {
		t.Skip("the tor program is not installed (scripts/deps.sh installs Debian's tor)")
	}
	addr, accepted := countingListener(t)
	dir := t.TempDir()
	var s *Session
	r := startSessionWith(t, prosodyStub(), "alice@acme.test", opts{dataDir: dir, addr: addr, noCA: true}, func(ss *Session) {
		s = ss
		s.cfg.Tor = TorConfig{Enabled: true, ExePath: exe, Timeout: 3 * time.Second}
		s.tor.offline = true
		s.tor.resolver = noDNS{t}
	})
	start := time.Now()
	st := r.waitFor("tor starting", 20*time.Second, isA[event.TorState]).(event.TorState)
	if st.State != event.TorStarting || st.Via != "process" || !st.Enabled || st.Locked || st.Policy != "optional" {
		t.Errorf("first tor_state = %+v", st)
	}
	// The process runs and answers on its control port.
	var pid int
	deadline := time.Now().Add(10 * time.Second)
	for pid == 0 && time.Now().Before(deadline) {
		s.tor.mu.Lock()
		if s.tor.t != nil && s.tor.t.Control != nil {
			if kv, err := s.tor.t.Control.GetInfo("process/pid"); err == nil && len(kv) == 1 {
				pid, _ = strconv.Atoi(kv[0].Val)
			}
		}
		s.tor.mu.Unlock()
		if pid == 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if pid == 0 {
		t.Fatalf("no tor process answered on its control port: %s", r.dump())
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("tor process %d: %v", pid, err)
	}
	fe := r.waitFor("tor failed", 20*time.Second, isA[event.TorState]).(event.TorState)
	if fe.State != event.TorFailed || !strings.Contains(fe.Reason, "did not reach the network within 3s") {
		t.Errorf("tor_state after the deadline = %+v", fe)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("failed after %v, before its 3 s deadline", waited)
	}
	d := r.waitFor("disconnected", 5*time.Second, isA[event.Disconnected]).(event.Disconnected)
	if d.Code != event.CodeTor || d.Fatal || !strings.Contains(d.Message, "turn Tor off") {
		t.Errorf("Disconnected = %+v", d)
	}
	if n := accepted(); n != 0 {
		t.Errorf("the server was contacted %d times while Tor was not ready", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "tor")); err != nil {
		t.Errorf("tor's data directory: %v", err)
	}
	r.quit()
	if !r.seen(func(e event.Event) bool { ts, ok := e.(event.TorState); return ok && ts.State == event.TorStopped }) {
		t.Errorf("no tor_state stopped: %s", r.dump())
	}
	deadline = time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("tor process %d still runs after the session stopped", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// The user's choice: kept in the data directory, refused when the profile
// does not allow Tor.
func TestTorSetting(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.execute(event.GetTor{})
	s.execute(event.SetTor{Enabled: true})
	evs := takeEvents(s)
	if len(evs) != 2 {
		t.Fatalf("events %+v", evs)
	}
	if ts := evs[0].(event.TorState); ts.Enabled || ts.Locked || ts.Policy != "optional" || ts.State != "" {
		t.Errorf("before: %+v", ts)
	}
	if ts := evs[1].(event.TorState); !ts.Enabled || ts.Locked {
		t.Errorf("after set_tor: %+v", ts)
	}
	b, err := os.ReadFile(filepath.Join(dir, "tor.json"))
	if err != nil || !strings.Contains(string(b), `"enabled":true`) {
		t.Errorf("tor.json = %s, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "tor.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("tor.json mode %v, %v", fi.Mode(), err)
	}
	// A new start reads the choice back, whatever the configuration says.
	s2, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if on, _ := s2.torOn(); !on || s2.route() != event.RouteTor {
		t.Error("the saved choice was not read back")
	}
	if a, ok := s2.torServerAddr(); !ok || a != "acme.test:5222" {
		t.Errorf("address through Tor = %q, %v; want the domain on 5222 (no SRV lookup)", a, ok)
	}

	// A profile that says off: locked off, and the choice is refused.
	it := newITDesk(t, prosodyStub())
	dir3 := t.TempDir()
	s3, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir3,
		Profiles: torProfile(t, it, dir3, map[string]any{"tor": "off"}), Tor: TorConfig{Enabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	s3.execute(event.SetTor{Enabled: true})
	evs = takeEvents(s3)
	if len(evs) != 2 {
		t.Fatalf("events %+v", evs)
	}
	if er, ok := evs[0].(event.Error); !ok || !strings.Contains(er.Message, "does not allow Tor") {
		t.Errorf("set_tor under tor off: %+v", evs[0])
	}
	if ts := evs[1].(event.TorState); ts.Enabled || !ts.Locked || ts.Policy != "off" {
		t.Errorf("tor off: %+v", ts)
	}
	if s3.route() != event.RouteDirect {
		t.Error("route is not direct under a profile with tor off")
	}
	if _, err := os.Stat(filepath.Join(dir3, "tor.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused choice was saved: %v", err)
	}
}

// Attaching to a Tor that runs already, through its control port: the
// session authenticates (cookie), reports its state, and leaves that Tor
// running when it stops.
func TestTorAttachControlPort(t *testing.T) {
	exe, err := exec.LookPath("tor")
	if err != nil {
		t.Skip("the tor program is not installed (scripts/deps.sh installs Debian's tor)")
	}
	running, err := tor.Start(context.Background(), &tor.StartConf{ExePath: exe, DataDir: filepath.Join(t.TempDir(), "tor")})
	if err != nil {
		t.Fatalf("starting the test's own tor: %v", err)
	}
	defer running.Close()
	kv, err := running.Control.GetInfo("process/pid")
	if err != nil || len(kv) != 1 {
		t.Fatalf("tor pid: %v %v", kv, err)
	}
	pid, _ := strconv.Atoi(kv[0].Val)

	addr, accepted := countingListener(t)
	r := startSessionWith(t, prosodyStub(), "alice@acme.test", opts{dataDir: t.TempDir(), addr: addr, noCA: true}, func(s *Session) {
		s.cfg.Tor = TorConfig{Enabled: true, ControlAddr: "127.0.0.1:" + strconv.Itoa(running.ControlPort), Timeout: 2 * time.Second}
		s.tor.offline = true
		s.tor.resolver = noDNS{t}
	})
	st := r.waitFor("tor starting", 10*time.Second, isA[event.TorState]).(event.TorState)
	if st.State != event.TorStarting || st.Via != "control" {
		t.Errorf("tor_state = %+v", st)
	}
	fe := r.waitFor("tor failed", 10*time.Second, isA[event.TorState]).(event.TorState)
	if fe.State != event.TorFailed || !strings.Contains(fe.Reason, "did not reach the network") {
		t.Errorf("tor_state after the deadline = %+v (the control connection must have been authenticated to ask)", fe)
	}
	if d := r.waitFor("disconnected", 5*time.Second, isA[event.Disconnected]).(event.Disconnected); d.Code != event.CodeTor {
		t.Errorf("Disconnected = %+v", d)
	}
	r.quit()
	if r.seen(func(e event.Event) bool { ts, ok := e.(event.TorState); return ok && ts.State == event.TorStopped }) {
		t.Error("an attached Tor was reported stopped")
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Errorf("the running tor was stopped by the session: %v", err)
	}
	if n := accepted(); n != 0 {
		t.Errorf("the server was contacted %d times", n)
	}

	// A control port where nothing listens: a clear failure.
	r2 := startSessionWith(t, prosodyStub(), "alice@acme.test", opts{dataDir: t.TempDir(), addr: addr, noCA: true}, func(s *Session) {
		s.cfg.Tor = TorConfig{Enabled: true, ControlAddr: "127.0.0.1:1", Timeout: time.Second}
		s.tor.resolver = noDNS{t}
	})
	d := r2.waitFor("disconnected", 10*time.Second, isA[event.Disconnected]).(event.Disconnected)
	if d.Code != event.CodeTor || !strings.Contains(d.Message, "control port 127.0.0.1:1") {
		t.Errorf("Disconnected = %+v", d)
	}
}

// A new profile that requires Tor moves a direct connection onto Tor at
// once: the setting is reported again and the stream is made again through
// the proxy.
func TestProsodyTorProfileChange(t *testing.T) {
	srv := prosody(t)
	proxy := newSOCKSProxy(t, func(host, port string) string {
		if net.JoinHostPort(host, port) == srv.Addr {
			return srv.Addr // the configured server (--server) goes to Tor as given
		}
		return ""
	})
	it := newITDesk(t, srv)
	dir := t.TempDir()
	mgr := torProfile(t, it, dir, map[string]any{"tor": "optional"})
	user := freshUser(t, srv, "tp", "acme.test")
	r := startSessionWith(t, srv, user, opts{dataDir: dir}, func(s *Session) {
		s.cfg.Profiles = mgr
		s.cfg.Tor = TorConfig{ProxyAddr: proxy.Addr()}
	})
	if c := r.connected(); c.Route != event.RouteDirect {
		t.Fatalf("first connection: %+v", c)
	}
	r.s.tor.mu.Lock()
	r.s.tor.resolver = noDNS{t} // from here on, no lookup may be made
	r.s.tor.mu.Unlock()

	data, _ := it.profile(2)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["tor"] = "required"
	data, _ = json.MarshalIndent(m, "", "  ")
	if _, err := mgr.Apply(data, it.sign(data), "managed"); err != nil {
		t.Fatal(err)
	}
	ts := r.waitFor("tor_state required", 10*time.Second, func(e event.Event) bool {
		ts, ok := e.(event.TorState)
		return ok && ts.Policy == "required"
	}).(event.TorState)
	if !ts.Enabled || !ts.Locked {
		t.Errorf("tor_state after the new profile: %+v", ts)
	}
	ca := r.waitFor("connecting through tor", 10*time.Second, isA[event.Connecting]).(event.Connecting)
	if ca.Route != event.RouteTor || ca.Server != srv.Addr {
		t.Errorf("Connecting = %+v, want route tor to the configured server", ca)
	}
	if c := r.connected(); c.Route != event.RouteTor {
		t.Errorf("Connected = %+v", c)
	}
	if n := proxy.count(srv.Addr); n != 1 {
		t.Errorf("%d connections through the proxy to %s, want 1 (%v)", n, srv.Addr, proxy.requests())
	}
}
