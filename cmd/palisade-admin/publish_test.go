package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
	"github.com/palisade-im/palisade/session"
)

// passwordFD returns a descriptor from which the password can be read once
// (a pipe; the command closes it).
func passwordFD(t *testing.T, password string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := w.WriteString(password + "\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fd, err := syscall.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(fd)
}

// itFiles is IT's key and documents for a test.
type itFiles struct {
	t       *testing.T
	dir     string // documents and the private key
	sysDir  string // the client's system directory with the public key
	privKey string
	tag     string
}

func newITFiles(t *testing.T) *itFiles {
	t.Helper()
	priv, pub, err := profile.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	dir, sys := t.TempDir(), t.TempDir()
	privPath, _, err := profile.WriteKeyPair(dir, "it", priv, pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := profile.WriteKeyPair(filepath.Join(sys, "keys"), "it", priv, pub); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(sys, "keys", "it.private.jwk"))
	return &itFiles{t: t, dir: dir, sysDir: sys, privKey: privPath, tag: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// write writes a document and signs it with palisade-admin sign.
func (f *itFiles) write(name string, doc map[string]any) string {
	f.t.Helper()
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		f.t.Fatal(err)
	}
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, append(data, '\n'), 0o644); err != nil {
		f.t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"sign", "--key", f.privKey, p}, &out, &errb); code != exitOK {
		f.t.Fatalf("sign %s: exit %d: %s", name, code, errb.String())
	}
	return p
}

func (f *itFiles) profile(name string, serial int64, service string, partners ...string) string {
	now := time.Now().UTC().Truncate(time.Second)
	doc := map[string]any{
		"format": profile.Format, "id": "acme-main", "serial": serial,
		"issued_at": now.Add(-time.Hour), "expires_at": now.Add(24 * time.Hour),
		"organisation": map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"it": map[string]any{
			"pubsub_service": service,
			"profile_node":   session.DefaultProfileNode + ":" + f.tag,
			"bulletin_node":  session.DefaultBulletinNode + ":" + f.tag,
		},
	}
	if len(partners) > 0 {
		doc["partners"] = []map[string]any{{"name": "Partner Ltd", "domains": partners}}
	}
	return f.write(name, doc)
}

func (f *itFiles) bulletin(name, id string) string {
	return f.write(name, map[string]any{
		"format": profile.BulletinFormat, "id": id, "issued_at": time.Now().UTC().Add(-time.Minute).Truncate(time.Second),
		"severity": "critical", "title": "Phishing", "body": "Do not open links about payslips.",
	})
}

// publishArgs are the flags to sign in as it-admin on srv.
func publishArgs(t *testing.T, srv *testenv.Server) []string {
	a := []string{"publish", "--jid", "it-admin@acme.test", "--password-fd", passwordFD(t, srv.Password),
		"--server", srv.Addr, "--ca-file", srv.CAFile}
	if srv.Kind == "ejabberd" {
		a = append(a, "--tls12")
	}
	return a
}

// events collects a session's events.
type events struct {
	mu   sync.Mutex
	cond *sync.Cond
	evs  []event.Event
}

func collect(s *session.Session) *events {
	e := &events{}
	e.cond = sync.NewCond(&e.mu)
	go func() {
		for ev := range s.Events() {
			e.mu.Lock()
			e.evs = append(e.evs, ev)
			e.mu.Unlock()
			e.cond.Broadcast()
		}
	}()
	return e
}

func (e *events) wait(t *testing.T, what string, match func(event.Event) bool) event.Event {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	timer := time.AfterFunc(15*time.Second, e.cond.Broadcast)
	defer timer.Stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		for _, ev := range e.evs {
			if match(ev) {
				return ev
			}
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, ev := range e.evs {
				m, _ := event.Marshal(ev)
				b.Write(m)
				b.WriteByte('\n')
			}
			t.Fatalf("timed out waiting for %s; events:\n%s", what, b.String())
		}
		e.cond.Wait()
	}
}

func (e *events) count(match func(event.Event) bool) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.evs {
		if match(ev) {
			n++
		}
	}
	return n
}

// testPublish: IT publishes with palisade-admin publish, and a signed-in
// client applies the new profile live, on the same connection.
func testPublish(t *testing.T, srv *testenv.Server) {
	it := newITFiles(t)
	p1 := it.profile("p1.json", 1, srv.PubSubService)
	p2 := it.profile("p2.json", 2, srv.PubSubService, "partner.test")
	b1 := it.bulletin("b1.json", "b1-"+it.tag)
	for _, f := range [][]string{{p1}, {"--profile", p1, b1}} {
		var out, errb bytes.Buffer
		if code := run(append(publishArgs(t, srv), f...), &out, &errb); code != exitOK {
			t.Fatalf("publish %s: exit %d: %s", f, code, errb.String())
		}
		if strings.TrimSpace(out.String()) == "" {
			t.Errorf("publish %s printed no item id", f)
		}
	}

	dir := t.TempDir()
	m, err := profile.Open(profile.Options{DataDir: dir, SystemDir: it.sysDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.LoadManaged(p1); err != nil {
		t.Fatal(err)
	}
	s, err := session.New(session.Config{
		JID:                 "alice@acme.test",
		Password:            func() (string, error) { return srv.Password, nil },
		Server:              srv.Addr,
		CAFile:              srv.CAFile,
		DataDir:             dir,
		ChannelBindingTLS12: srv.Kind == "ejabberd",
		Profiles:            m,
	})
	if err != nil {
		t.Fatal(err)
	}
	evs := collect(s)
	s.Start()
	t.Cleanup(func() { s.Do(event.Quit{}) })
	evs.wait(t, "connected", func(e event.Event) bool { _, ok := e.(event.Connected); return ok })
	// The bulletin fetched at sign-in: the subscriptions are in place.
	evs.wait(t, "bulletin", func(e event.Event) bool { b, ok := e.(event.Bulletin); return ok && b.ID == "b1-"+it.tag })

	var out, errb bytes.Buffer
	start := time.Now()
	code := run(append(publishArgs(t, srv), p2), &out, &errb)
	published := time.Now()
	if code != exitOK {
		t.Fatalf("publish p2: exit %d: %s", code, errb.String())
	}
	ev := evs.wait(t, "profile 2", func(e event.Event) bool { p, ok := e.(event.Profile); return ok && p.Serial == 2 }).(event.Profile)
	got := time.Now()
	t.Logf("%s: palisade-admin publish to Profile event %v (the command itself %v); item %s",
		srv.Kind, got.Sub(start).Round(time.Millisecond), published.Sub(start).Round(time.Millisecond), strings.TrimSpace(out.String()))
	if ev.Source != "push" || len(ev.Changes) == 0 {
		t.Errorf("Profile = %+v", ev)
	}
	if n := evs.count(func(e event.Event) bool { _, ok := e.(event.Connected); return ok }); n != 1 {
		t.Errorf("%d Connected events, want the push on the first connection", n)
	}
	if a := m.Active(); a == nil || a.Serial != 2 {
		t.Errorf("in force: %+v", a)
	}
	evs.wait(t, "roster with carol as a partner", func(e event.Event) bool {
		r, ok := e.(event.Roster)
		if !ok {
			return false
		}
		for _, c := range r.Contacts {
			if c.JID == "carol@partner.test" && c.Trust.Class == event.ClassPartner {
				return true
			}
		}
		return false
	})
}

func TestPublishProsody(t *testing.T)  { testPublish(t, testenv.Prosody(t)) }
func TestPublishEjabberd(t *testing.T) { testPublish(t, testenv.Ejabberd(t)) }

// Errors against a real server: a wrong password, a user who may not
// create IT's nodes.
func TestPublishRefusedProsody(t *testing.T) {
	srv := testenv.Prosody(t)
	it := newITFiles(t)
	p1 := it.profile("p1.json", 1, srv.PubSubService)
	for _, tc := range []struct {
		name, user, password, want string
	}{
		{"wrong password", "it-admin@acme.test", "wrong", "Wrong password"},
		{"not an administrator", "alice@acme.test", srv.Password, "only an administrator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"publish", "--jid", tc.user, "--password-fd", passwordFD(t, tc.password),
				"--server", srv.Addr, "--ca-file", srv.CAFile, p1}, &out, &errb)
			if code != exitFail || !strings.Contains(errb.String(), tc.want) || out.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 naming %q", code, out.String(), errb.String(), tc.want)
			}
		})
	}
	// An untrusted server certificate (no --ca-file).
	var out, errb bytes.Buffer
	code := run([]string{"publish", "--jid", "it-admin@acme.test", "--password-fd", passwordFD(t, srv.Password), "--server", srv.Addr, p1}, &out, &errb)
	if code != exitFail || !strings.Contains(errb.String(), "not trusted") {
		t.Errorf("untrusted: exit %d, stderr %q", code, errb.String())
	}
}

// Command-line and document problems are found before connecting.
func TestPublishUsage(t *testing.T) {
	it := newITFiles(t)
	good := it.profile("good.json", 1, "pubsub.acme.test")
	unsigned := filepath.Join(it.dir, "unsigned.json")
	data, _ := os.ReadFile(good)
	os.WriteFile(unsigned, data, 0o644)
	other := filepath.Join(it.dir, "other.json")
	os.WriteFile(other, []byte(`{"format":"something/1"}`), 0o644)
	os.WriteFile(other+".jws", []byte("a.b.c\n"), 0o644)
	broken := filepath.Join(it.dir, "broken.json")
	os.WriteFile(broken, []byte(`{"format":"palisade-profile/1","id":"x"}`), 0o644)
	os.WriteFile(broken+".jws", []byte("a.b.c\n"), 0o644)
	// The server is never reached: nothing listens there.
	base := []string{"publish", "--jid", "it-admin@acme.test", "--server", "127.0.0.1:1"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no file", append(base, "--password-fd", "0"), exitUsage, "exactly one FILE"},
		{"no jid", []string{"publish", "--password-fd", "0", good}, exitUsage, "--jid is required"},
		{"no password", append(base, good), exitUsage, "--password-fd is required"},
		{"full jid", []string{"publish", "--jid", "it-admin@acme.test/x", "--password-fd", "0", good}, exitUsage, "not a bare JID"},
		{"missing file", append(base, "--password-fd", "0", filepath.Join(it.dir, "nope.json")), exitFail, "no such file"},
		{"no signature", append(base, "--password-fd", "0", unsigned), exitFail, "sign it first"},
		{"neither kind", append(base, "--password-fd", "0", other), exitFail, "neither a profile"},
		{"malformed", append(base, "--password-fd", "0", broken), exitFail, "malformed"},
		{"help", []string{"publish", "-h"}, exitOK, "usage: palisade-admin publish"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
				t.Errorf("exit %d (want %d), output %q %q, want %q", code, tc.code, out.String(), errb.String(), tc.want)
			}
		})
	}
	var out, errb bytes.Buffer
	code := run(append(base, "--password-fd", passwordFD(t, "x"), "--timeout", "5s", good), &out, &errb)
	if code != exitFail || !strings.Contains(errb.String(), "Cannot reach 127.0.0.1:1") {
		t.Errorf("unreachable server: exit %d, %q", code, errb.String())
	}
}

func TestReadPasswordFD(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"secret\n", "secret", ""},
		{"secret\r\nrest", "secret", ""},
		{"no newline", "no newline", ""},
		{"\n", "", "empty password"},
	} {
		r, w, _ := os.Pipe()
		w.WriteString(tc.in)
		w.Close()
		fd, _ := syscall.Dup(int(r.Fd()))
		r.Close()
		got, err := readPasswordFD(fd)
		if got != tc.want || (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: %q, %v", tc.in, got, err)
		}
	}
}
