package session

import (
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// benchConfig is the configuration of a benchmark session for user on srv:
// no local archive, and ejabberd's TLS 1.2 channel binding (SCRAM.md).
func benchConfig(b *testing.B, srv *testenv.Server, user string) Config {
	return Config{
		JID:                 user,
		Password:            func() (string, error) { return srv.Password, nil },
		Server:              srv.Addr,
		CAFile:              srv.CAFile,
		DataDir:             b.TempDir(),
		ChannelBindingTLS12: srv.Kind == "ejabberd",
	}
}

// benchSession starts a session for a benchmark and returns it with its
// raw events channel (no recorder, so that the consumer costs little).
func benchSession(b *testing.B, srv *testenv.Server, user string) (*Session, event.Connected) {
	b.Helper()
	return startBench(b, benchConfig(b, srv, user))
}

// startBench starts a session with cfg and waits until it is connected.
func startBench(b *testing.B, cfg Config) (*Session, event.Connected) {
	b.Helper()
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	s.Start()
	for e := range s.Events() {
		switch e := e.(type) {
		case event.Connected:
			return s, e
		case event.Disconnected:
			b.Fatalf("disconnected: %s", e.Message)
		}
	}
	b.Fatal("events closed")
	return nil, event.Connected{}
}

func drain(s *Session) {
	s.Do(event.Quit{})
	for range s.Events() {
	}
}

// BenchmarkSignInToRoster2000 measures, per sign-in, the time from
// authentication done (the Connected event) to the Roster event carrying
// 2,000 contacts. ns/op is the whole sign-in; auth-to-roster-ms is the part
// the benchmark is about.
func BenchmarkSignInToRoster2000(b *testing.B) {
	srv := prosody(b)
	testenv.PopulateRoster(b, srv, "dave@acme.test", 2000)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, _ := benchSession(b, srv, "dave@acme.test")
		authed := time.Now()
		for e := range s.Events() {
			if r, ok := e.(event.Roster); ok {
				if len(r.Contacts) < 2000 {
					b.Fatalf("roster has %d contacts", len(r.Contacts))
				}
				break
			}
		}
		total += time.Since(authed)
		b.StopTimer()
		drain(s)
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "auth-to-roster-ms")
}

// BenchmarkIncomingBurst measures 10,000 incoming chat messages, written
// back to back by another account, through the session to Message events.
// The messages carry a no-store hint: the test server archives with
// Prosody's file-based storage, whose cost grows with the archive and would
// otherwise dominate the figure.
func BenchmarkIncomingBurst(b *testing.B) {
	const burst = 10000
	srv := prosody(b)
	s, c := benchSession(b, srv, "alice@acme.test")
	defer drain(s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bob, err := srv.Dial(ctx, "bob@acme.test", srv.Password)
	if err != nil {
		b.Fatal(err)
	}
	defer bob.Close()
	go bob.Serve(nil)
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		go func(i int) {
			w := bob.TokenWriter()
			defer w.Close()
			for j := 0; j < burst; j++ {
				m := elem(nsClient, "message", "type", "chat", "to", c.JID, "id", fmt.Sprintf("b%d-%d", i, j)).
					add(child("body", fmt.Sprintf("burst %d message %d", i, j)), elem(nsHints, "no-store"))
				if err := m.encode(w); err != nil {
					return
				}
			}
			w.Flush()
		}(i)
		n := 0
		for e := range s.Events() {
			if _, ok := e.(event.Message); ok {
				n++
				if n == burst {
					break
				}
			}
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(burst*b.N)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkDecodeRoster2000 is the client's own share of the sign-in
// benchmark: decoding a 2,000-item roster result and building the event.
func BenchmarkDecodeRoster2000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<iq xmlns="jabber:client" type="result" id="r1"><query xmlns="jabber:iq:roster">`)
	for _, c := range testenv.GenerateRoster(2000) {
		fmt.Fprintf(&sb, `<item jid="%s" name="%s" subscription="both">`, c.JID, c.Name)
		for _, g := range c.Groups {
			fmt.Fprintf(&sb, `<group>%s</group>`, g)
		}
		sb.WriteString(`</item>`)
	}
	sb.WriteString(`</query></iq>`)
	raw := []byte(sb.String())
	s := &Session{roster: map[string]event.Contact{}}
	s.evCond = sync.NewCond(&s.evMu)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var st inStanza
		if err := xml.Unmarshal(raw, &st); err != nil {
			b.Fatal(err)
		}
		s.onRoster(&st)
		s.evQ = s.evQ[:0]
	}
}
