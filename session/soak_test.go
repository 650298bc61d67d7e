package session

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// Rule 7: a long exchange with the server connection killed again and
// again, on both sides: every message arrives exactly once.
//
// SOAK_N sets the number of messages each way (default 500).
func TestProsodySoakCuts(t *testing.T) { soakCuts(t, 500, true) }

// TestProsodySoakCutsNoArchive: the same without a local archive (no
// keyring to hold its key): the sync point kept in memory brings back what
// a stream that was not resumed could not deliver.
func TestProsodySoakCutsNoArchive(t *testing.T) { soakCuts(t, 200, false) }

func soakCuts(t *testing.T, n int, keepArchive bool) {
	if testing.Short() {
		t.Skip("soak test")
	}
	if v := os.Getenv("SOAK_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	srv := prosody(t)
	pa := testenv.NewProxy(t, srv.Addr)
	pb := testenv.NewProxy(t, srv.Addr)
	// Each side keeps a local archive, as the client does: a message the
	// server could not deliver on a stream that was not resumed comes back
	// through MAM catch-up after the new sign-in.
	withArchive := func(s *Session) {
		if !keepArchive {
			return
		}
		key, err := archive.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		a, err := archive.Open(filepath.Join(t.TempDir(), archive.FileName), key)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		s.cfg.Archive = a
	}
	alice := startSessionWith(t, srv, "alice@acme.test", opts{addr: pa.Addr(), resource: "soak"}, withArchive)
	bob := startSessionWith(t, srv, "bob@acme.test", opts{addr: pb.Addr(), resource: "soak"}, withArchive)
	alice.connected()
	bob.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])
	bob.waitFor("roster", 10*time.Second, isA[event.Roster])

	tag := fmt.Sprint(time.Now().UnixNano())
	start := time.Now()
	// The cutter kills a connection every 700 ms, alternately alice's,
	// bob's and both at once, for as long as messages are being sent.
	var cuts atomic.Int64
	stop := make(chan struct{})
	cutterDone := make(chan struct{})
	go func() {
		defer close(cutterDone)
		tick := time.NewTicker(700 * time.Millisecond)
		defer tick.Stop()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			switch k % 3 {
			case 0:
				cuts.Add(int64(pa.Cut()))
			case 1:
				cuts.Add(int64(pb.Cut()))
			case 2:
				cuts.Add(int64(pa.Cut() + pb.Cut()))
			}
		}
	}()
	for i := 0; i < n; i++ {
		alice.s.Do(event.Send{To: "bob@acme.test", Body: fmt.Sprintf("a%s-%04d", tag, i), ID: fmt.Sprintf("sa%s-%d", tag, i)})
		bob.s.Do(event.Send{To: "alice@acme.test", Body: fmt.Sprintf("b%s-%04d", tag, i), ID: fmt.Sprintf("sb%s-%d", tag, i)})
		time.Sleep(20 * time.Millisecond) // a long exchange, cut many times
	}
	close(stop)
	<-cutterDone
	waitBodiesFor(t, bob, "a"+tag, n, 120*time.Second)
	waitBodiesFor(t, alice, "b"+tag, n, 120*time.Second)
	took := time.Since(start)
	time.Sleep(time.Second) // let any duplicate arrive
	for _, r := range []*recorder{alice, bob} {
		dup := 0
		for body, k := range countBodies(r, "") {
			if strings.Contains(body, tag) && k != 1 {
				dup++
				t.Errorf("%s got %q %d times", r.s.cfg.JID, body, k)
			}
		}
		resumed, fresh := 0, 0
		for _, e := range r.all() {
			if c, ok := e.(event.Connected); ok {
				if c.Resumed {
					resumed++
				} else {
					fresh++
				}
			}
		}
		got := 0
		for body := range countBodies(r, "") {
			if strings.Contains(body, tag) {
				got++
			}
		}
		t.Logf("%s: %d messages received, %d duplicates; %d connections (%d resumed, %d new sessions)",
			r.s.cfg.JID, got, dup, resumed+fresh, resumed, fresh)
	}
	t.Logf("%d messages each way, %d connections cut, all delivered once in %s", n, cuts.Load(), took.Round(time.Millisecond))
	if cuts.Load() < int64(n/100) {
		t.Errorf("only %d cuts", cuts.Load())
	}
}

func waitBodiesFor(t *testing.T, r *recorder, prefix string, want int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if len(countBodies(r, prefix)) >= want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := countBodies(r, prefix)
	var missing []string
	for i := 0; i < want && len(missing) < 10; i++ {
		b := fmt.Sprintf("%s-%04d", prefix, i)
		if got[b] == 0 {
			missing = append(missing, b)
		}
	}
	t.Fatalf("%s: %d of %d %q messages, missing %v", r.s.cfg.JID, len(got), want, prefix, missing)
}

// Rule 8: after a full session (sign-in, messages both ways, a reconnect,
// the local archive, the audit log, the outbox), neither the password nor
// the archive key is anywhere in the data directory or in what the session
// reported (the events, as headless mode prints them).
func TestProsodyNoSecretOnDisk(t *testing.T) {
	srv := prosody(t)
	dir := t.TempDir()
	key, err := archive.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	arch, err := archive.Open(filepath.Join(dir, archive.FileName), key)
	if err != nil {
		t.Fatal(err)
	}
	defer arch.Close()
	proxy := testenv.NewProxy(t, srv.Addr)
	alice := startSessionWith(t, srv, "alice@acme.test", opts{addr: proxy.Addr(), dataDir: dir}, func(s *Session) { s.cfg.Archive = arch })
	bob := startSession(t, srv, "bob@acme.test", opts{})
	alice.connected()
	bob.connected()
	tag := fmt.Sprint(time.Now().UnixNano())
	alice.s.Do(event.Send{To: "bob@acme.test", Body: "secret-test out " + tag})
	bob.message("secret-test out " + tag)
	bob.s.Do(event.Send{To: "alice@acme.test", Body: "secret-test in " + tag})
	alice.message("secret-test in " + tag)
	proxy.Cut()
	alice.waitFor("reconnected", 30*time.Second, isA[event.Connected])
	// A refused send, a forged stanza and an error, so that the audit log
	// and the outbox have content too.
	alice.s.Do(event.Send{To: "mallory@acme-corp.test", Body: "to a lookalike " + tag})
	alice.waitFor("refused", 10*time.Second, isA[event.Refused])
	alice.quit()

	secrets := map[string][]byte{
		"password":                []byte(srv.Password),
		"password (base64)":       []byte(base64.StdEncoding.EncodeToString([]byte(srv.Password))),
		"archive key":             key,
		"archive key (hex)":       []byte(hex.EncodeToString(key)),
		"archive key (HEX)":       []byte(strings.ToUpper(hex.EncodeToString(key))),
		"archive key (base64)":    []byte(base64.StdEncoding.EncodeToString(key)),
		"archive key (base64url)": []byte(base64.RawURLEncoding.EncodeToString(key)),
	}
	files := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("reading %s: %v", p, err)
			return nil
		}
		for what, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s holds the %s", p, what)
			}
		}
		return nil
	})
	var log bytes.Buffer
	for _, e := range alice.all() {
		m, _ := event.Marshal(e)
		log.Write(m)
		log.WriteByte('\n')
	}
	for what, s := range secrets {
		if bytes.Contains(log.Bytes(), s) {
			t.Errorf("the session's events hold the %s", what)
		}
	}
	if files < 3 || log.Len() == 0 {
		t.Fatalf("nothing to check: %d files, %d bytes of events", files, log.Len())
	}
	t.Logf("%d files in the data directory and %d bytes of events checked", files, log.Len())
}

// Rule 7 without a local archive: messages the server sent to a stream that
// then could not be resumed come back through catch-up from the sync point
// kept in memory, once each; the run's first sign-in fetched no history.
func TestProsodyNoArchiveCatchUpAfterFailedResume(t *testing.T) {
	srv := prosody(t)
	g := newGate(t, srv.Addr)
	alice := startSession(t, srv, "alice@acme.test", opts{addr: g.Addr()})
	bob := startSession(t, srv, "bob@acme.test", opts{})
	ac := alice.connected()
	bob.connected()
	alice.waitFor("roster", 10*time.Second, isA[event.Roster])
	if alice.s.cfg.Archive != nil {
		t.Fatal("this test is about a session without a local archive")
	}
	tag := fmt.Sprint(time.Now().UnixNano())
	bob.s.Do(event.Send{To: "alice@acme.test", Body: "n" + tag + "-live"})
	alice.message("n" + tag + "-live")

	g.setFrozen(true) // alice hears nothing more on this stream
	for i := 0; i < 5; i++ {
		bob.s.Do(event.Send{To: "alice@acme.test", Body: fmt.Sprintf("n%s-%04d", tag, i)})
	}
	for i := 0; i < 5; i++ {
		bob.waitFor("sent", 10*time.Second, isA[event.Sent])
	}
	time.Sleep(300 * time.Millisecond) // the server has them (and archived them)
	alice.s.mu.Lock()
	alice.s.sm.id = "no-such-stream" // the server will not know it: a new session
	alice.s.mu.Unlock()
	g.setOpen(false)
	alice.waitFor("disconnect", 10*time.Second, isA[event.Disconnected])
	g.setFrozen(false)
	g.setOpen(true)
	alice.s.Do(event.Reconnect{})
	c := alice.waitFor("reconnect", 20*time.Second, isA[event.Connected]).(event.Connected)
	if c.Resumed || c.JID == ac.JID {
		t.Fatalf("Connected = %+v, want a new session", c)
	}
	waitBodiesFor(t, alice, "n"+tag, 5, 20*time.Second) // -0000 to -0004
	time.Sleep(500 * time.Millisecond)                  // a duplicate would come right after
	for body, k := range countBodies(alice, "n"+tag) {
		if k != 1 {
			t.Errorf("%q arrived %d times", body, k)
		}
	}
	if got := countBodies(alice, "n"+tag); got["n"+tag+"-live"] != 1 {
		t.Errorf("the live message: %d copies", got["n"+tag+"-live"])
	}
}
