package session

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

const mamBenchTotal = 10000

// BenchmarkMAMCatchUp10000 measures a full MAM catch-up of 10,000 messages
// from loopback Prosody into an empty local archive: from Start (sign-in
// included) to the history_synced event, every message through the policy,
// the encrypted archive and a Message event. The messages are written once,
// back to back, by another account to the recipient's connected resource
// (so they are archived by the server, not kept in offline storage).
// The figure is mostly the server's (BenchmarkMAMClientShare10000 is the
// client's part): with Prosody's internal (file) archive store every page
// reads the whole archive; the test server keeps archives in SQLite when
// lua-dbi-sqlite3 is installed (testenv/prosody/prosody.cfg.lua.in).
// The session's cap on inbound stanzas (stanzaRate after stanzaBurst,
// limits.go) is set high enough not to be the bound here.
func BenchmarkMAMCatchUp10000(b *testing.B) { benchMAMCatchUp(b, prosody(b)) }

// BenchmarkMAMCatchUp10000Ejabberd is the same against ejabberd (mnesia
// archive store), for comparison. Filling its archive takes minutes: the
// test server's traffic shaper slows the sending account down.
func BenchmarkMAMCatchUp10000Ejabberd(b *testing.B) { benchMAMCatchUp(b, ejabberd(b)) }

func benchMAMCatchUp(b *testing.B, srv *testenv.Server) {
	const total = mamBenchTotal
	user := mamBenchFill(b, srv)
	var elapsed, serverCPU, clientCPU time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		key, _ := archive.NewKey()
		a, err := archive.Open(filepath.Join(b.TempDir(), archive.FileName), key)
		if err != nil {
			b.Fatal(err)
		}
		cfg := benchConfig(b, srv, user)
		cfg.Archive = a
		s, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		sc0, cc0 := serverCPUTime(srv), clientCPUTime()
		s.Start()
		var synced event.HistorySynced
	loop:
		for e := range s.Events() {
			switch e := e.(type) {
			case event.HistorySynced:
				synced = e
				break loop
			case event.Disconnected:
				b.Fatalf("disconnected: %s", e.Message)
			}
		}
		elapsed += time.Since(start)
		serverCPU += serverCPUTime(srv) - sc0
		clientCPU += clientCPUTime() - cc0
		b.StopTimer()
		if !synced.Complete || synced.Count != total {
			b.Fatalf("HistorySynced = %+v, want %d complete", synced, total)
		}
		if n, _ := a.Count(""); n != total {
			b.Fatalf("archive holds %d, want %d", n, total)
		}
		drain(s)
		a.Close()
		b.StartTimer()
	}
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "catchup-s")
	// CPU time spent by the server (Prosody; 0 when unknown) and by this
	// process during the catch-up: on a loaded machine the wall time
	// above is mostly waiting for a CPU.
	b.ReportMetric(serverCPU.Seconds()/float64(b.N), "server-cpu-s")
	b.ReportMetric(clientCPU.Seconds()/float64(b.N), "client-cpu-s")
	b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "msgs/s")
}

// serverCPUTime is the CPU time (user and system) the server process has
// used so far, read from /proc through its pid file; 0 when unknown.
func serverCPUTime(srv *testenv.Server) time.Duration {
	pid, err := os.ReadFile(filepath.Join(srv.Dir, "prosody.pid"))
	if err != nil {
		return 0
	}
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name (in parentheses): utime and stime
	// are the 12th and 13th.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * time.Second / 100 // USER_HZ
}

// clientCPUTime is the CPU time this process has used so far.
func clientCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var (
	mamBenchMu    sync.Mutex
	mamBenchUsers = map[string]string{} // by server kind
)

// mamBenchFill registers an account and has bob write it 10,000 messages,
// once per server and test binary (a benchmark function runs several times).
func mamBenchFill(b *testing.B, srv *testenv.Server) string {
	const total = mamBenchTotal
	mamBenchMu.Lock()
	defer mamBenchMu.Unlock()
	if u := mamBenchUsers[srv.Kind]; u != "" {
		return u
	}
	func() {
		user := "mam-bench-" + randomID()[:8] + "@acme.test"
		srv.AddUser(b, user[:len(user)-len("@acme.test")], "acme.test", srv.Password)

		// Pre-fill the server's archive.
		recv, rc := mamBenchSession(b, srv, user, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		bob, err := srv.Dial(ctx, "bob@acme.test", srv.Password)
		if err != nil {
			b.Fatal(err)
		}
		defer bob.Close()
		go bob.Serve(nil)
		fill := time.Now()
		go func() {
			w := bob.TokenWriter()
			defer w.Close()
			for j := 0; j < total; j++ {
				m := elem(nsClient, "message", "type", "chat", "to", rc.JID, "id", fmt.Sprintf("bench-%d", j)).
					add(child("body", fmt.Sprintf("archived message %d: la réunion de l'élève", j)))
				if err := m.encode(w); err != nil {
					return
				}
			}
			w.Flush()
		}()
		got := 0
		for e := range recv.Events() {
			if _, ok := e.(event.Message); ok {
				if got++; got == total {
					break
				}
			}
		}
		drain(recv)
		b.Logf("pre-filled %d messages in %v", total, time.Since(fill).Round(time.Millisecond))

		mamBenchUsers[srv.Kind] = user
	}()
	return mamBenchUsers[srv.Kind]
}

// BenchmarkMAMClientShare10000 is the client's own share of a catch-up of
// 10,000 messages, without a server and without XML decoding (done before
// the timer): 100 pages of 100 results through the acceptance checks, the
// policy, the encrypted archive (one transaction per page), the sync point
// and the events.
func BenchmarkMAMClientShare10000(b *testing.B) {
	pages := make([][]*inStanza, 100)
	for p := range pages {
		for i := 0; i < 100; i++ {
			id := fmt.Sprintf("r%d-%d", p, i)
			raw := mamResultXML("", "q", id, "bob@acme.test/pc", "alice@acme.test", "archived message "+id+": la réunion de l'élève")
			var st inStanza
			if err := xml.Unmarshal([]byte(raw), &st); err != nil {
				b.Fatal(err)
			}
			pages[p] = append(pages[p], &st)
		}
	}
	fin := &inStanza{}
	fin.MAMFin = &mamFin{}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		key, _ := archive.NewKey()
		a, err := archive.Open(filepath.Join(b.TempDir(), archive.FileName), key)
		if err != nil {
			b.Fatal(err)
		}
		s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, Archive: a})
		if err != nil {
			b.Fatal(err)
		}
		c := &conn{s: s, bare: "alice@acme.test"}
		b.StartTimer()
		for p, page := range pages {
			q := &mamQuery{archive: "alice@acme.test", name: "own", id: "q", convert: s.ownResult}
			s.hist.queries = map[string]*mamQuery{"q": q}
			for _, st := range page {
				s.onMAMResult(c, st)
			}
			fin.MAMFin.Complete = fmt.Sprint(p == len(pages)-1)
			s.onMAMFin(c, q, "q", fin)
			s.evMu.Lock()
			s.evQ = s.evQ[:0]
			s.evMu.Unlock()
		}
		b.StopTimer()
		if got, _ := a.Count(""); got != 10000 {
			b.Fatalf("archive holds %d", got)
		}
		a.Close()
		b.StartTimer()
	}
}

// mamBenchSession is benchSession with a local archive (nil: none).
func mamBenchSession(b *testing.B, srv *testenv.Server, user string, a *archive.Archive) (*Session, event.Connected) {
	b.Helper()
	cfg := benchConfig(b, srv, user)
	cfg.Archive = a
	return startBench(b, cfg)
}
