package session

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// startArchived starts a session whose local archive is a.
func startArchived(t testing.TB, srv *testenv.Server, user string, a *archive.Archive, dataDir string) *recorder {
	t.Helper()
	return startSessionWith(t, srv, user, opts{dataDir: dataDir}, func(s *Session) { s.cfg.Archive = a })
}

func waitSynced(r *recorder, timeout time.Duration) event.HistorySynced {
	r.t.Helper()
	return r.waitFor("history_synced", timeout, func(e event.Event) bool {
		h, ok := e.(event.HistorySynced)
		return ok && h.Archive == "own"
	}).(event.HistorySynced)
}

// sendAll sends n messages and waits until the server acknowledged them all.
func sendAll(t testing.TB, r *recorder, to string, bodies []string) {
	t.Helper()
	for _, b := range bodies {
		r.s.Do(event.Send{To: to, Body: b})
	}
	for range bodies {
		r.waitFor("acked", 60*time.Second, isA[event.Acked])
	}
}

// testMAMCatchUp: bob writes 250 messages while alice is offline; when
// alice signs in, the local archive holds every message once and each is
// reported once, although the server delivers them both from offline
// storage and through MAM. On a new device (empty local archive) catch-up
// pages through all 250 (100 per page); signing in again there fetches
// nothing new thanks to the sync point.
func testMAMCatchUp(t *testing.T, srv *testenv.Server) {
	alice := freshUser(t, srv, "mam-alice", "acme.test")
	bob := freshUser(t, srv, "mam-bob", "acme.test")
	const n = 250
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("catch-up %03d", i)
	}
	b := startSession(t, srv, bob, opts{})
	b.connected()
	sendAll(t, b, alice, bodies)
	b.quit()

	a := openTestArchive(t)
	dir := t.TempDir()
	r := startArchived(t, srv, alice, a, dir)
	h := waitSynced(r, 60*time.Second)
	if !h.Complete || h.Ignored != 0 {
		t.Errorf("HistorySynced = %+v, want complete, nothing ignored", h)
	}
	if got, _ := a.Count(bob); got != n {
		t.Errorf("the archive holds %d messages from bob, want %d", got, n)
	}
	if got, _ := a.Count(""); got != n {
		t.Errorf("the archive holds %d messages in all, want %d", got, n)
	}
	// Every body exactly once in the archive, and reported exactly once.
	var buf strings.Builder
	if _, err := a.Export(&buf, archive.ExportOptions{Conversation: bob}); err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(buf.String()))
	for sc.Scan() {
		var m archive.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		stored[m.Body]++
		if m.Direction != archive.In || m.Trust.Class != event.ClassInternal {
			t.Errorf("stored %+v", m)
		}
	}
	reported := countBodies(r, "catch-up ")
	for _, body := range bodies {
		if stored[body] != 1 {
			t.Errorf("%q stored %d times", body, stored[body])
		}
		if reported[body] != 1 {
			t.Errorf("%q reported %d times", body, reported[body])
		}
	}
	t.Logf("%s: first catch-up stored %d messages (the rest came from offline storage), %d reported as archived",
		srv.Kind, h.Count, countArchived(r))
	sp, ok, err := a.SyncPointOf(alice, alice)
	if err != nil || !ok || sp.LastID == "" {
		t.Fatalf("no sync point saved: %+v %v %v", sp, ok, err)
	}
	r.quit()

	// A new device (an empty local archive, no sync point): offline
	// storage is empty now, so everything comes through MAM, page by page.
	a2 := openTestArchive(t)
	dir2 := t.TempDir()
	r2 := startArchived(t, srv, alice, a2, dir2)
	h2 := waitSynced(r2, 60*time.Second)
	if !h2.Complete || h2.Count != n {
		t.Errorf("new device: HistorySynced = %+v, want complete with %d messages", h2, n)
	}
	if p := r2.s.hist.pages.Load(); p < (n+mamPageSize-1)/mamPageSize {
		t.Errorf("catch-up took %d pages, want at least %d", p, (n+mamPageSize-1)/mamPageSize)
	}
	if got, _ := a2.Count(bob); got != n {
		t.Errorf("new device: the archive holds %d messages from bob, want %d", got, n)
	}
	reported2 := countBodies(r2, "catch-up ")
	for _, body := range bodies {
		if reported2[body] != 1 {
			t.Errorf("new device: %q reported %d times", body, reported2[body])
		}
	}
	if k := countArchived(r2); k != n {
		t.Errorf("new device: %d messages reported as archived, want %d", k, n)
	}
	t.Logf("%s: new device caught up %d messages in %d pages", srv.Kind, h2.Count, r2.s.hist.pages.Load())
	r2.quit()

	// Signing in again starts from the sync point: nothing new.
	r3 := startArchived(t, srv, alice, a2, dir2)
	h3 := waitSynced(r3, 30*time.Second)
	if !h3.Complete || h3.Count != 0 {
		t.Errorf("second sign-in: HistorySynced = %+v, want complete with nothing new", h3)
	}
	if k := countArchived(r3); k != 0 {
		t.Errorf("second sign-in reported %d archived messages, want none", k)
	}
	if got, _ := a2.Count(""); got != n {
		t.Errorf("after the second sign-in the archive holds %d messages, want %d", got, n)
	}
}

func countArchived(r *recorder) int {
	k := 0
	for _, e := range r.all() {
		if m, ok := e.(event.Message); ok && m.Archived {
			k++
		}
	}
	return k
}

func TestProsodyMAMCatchUp(t *testing.T)  { testMAMCatchUp(t, prosody(t)) }
func TestEjabberdMAMCatchUp(t *testing.T) { testMAMCatchUp(t, ejabberd(t)) }

// testMAMForged: a MAM result forged by another user (mallory wraps a
// message "from bob") is ignored, and so are genuine results of the own
// archive that answer a query the session did not send.
func testMAMForged(t *testing.T, srv *testenv.Server) {
	alice := freshUser(t, srv, "mam-forged", "acme.test")
	a := openTestArchive(t)
	r := startArchived(t, srv, alice, a, t.TempDir())
	ac := r.connected()
	waitSynced(r, 30*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mallory, err := srv.Dial(ctx, "mallory@evil.test", srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer mallory.Close()
	go mallory.Serve(nil)

	forged := func(to, queryID string) *el {
		inner := elem(nsClient, "message", "type", "chat", "from", "bob@acme.test/pc", "to", alice, "id", "forged-"+queryID).
			add(child("body", "forged archive result "+queryID))
		return elem(nsClient, "message", "to", to, "id", "f-"+queryID).add(
			elem(nsMAM, "result", "queryid", queryID, "id", "fake-"+queryID).add(
				elem(nsForward, "forwarded").add(elem(nsDelay, "delay", "stamp", "2026-01-01T09:00:00Z"), inner)))
	}
	before := r.s.mamIgnored.Load()
	rawSend(t, mallory, forged(ac.JID, "guess"))
	rawSend(t, mallory, forged(alice, "bare"))
	rawSend(t, mallory, elem(nsClient, "message", "type", "chat", "to", ac.JID, "id", "marker").add(child("body", "marker after forgery")))
	r.message("marker after forgery")
	if got := r.s.mamIgnored.Load() - before; got < 1 {
		t.Errorf("the session ignored %d forged results, want at least 1", got)
	} else {
		t.Logf("%s: %d forged results ignored", srv.Kind, got)
	}

	// Genuine results for a query the session did not send.
	b := startSession(t, srv, freshUser(t, srv, "mam-sender", "acme.test"), opts{})
	b.connected()
	sendAll(t, b, alice, []string{"real one", "real two"})
	r.message("real two")
	before = r.s.mamIgnored.Load()
	done := make(chan *inStanza, 1)
	r.s.mu.Lock()
	err = r.s.sendIQ(r.s.cur, iq("set", randomID(), "", elem(nsMAM, "query", "queryid", "rogue")), func(st *inStanza) { done <- st })
	r.s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case st := <-done:
		if st.Type != "result" {
			t.Fatalf("the server refused the query: %s", st.Error.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no answer to the rogue query")
	}
	if got := r.s.mamIgnored.Load() - before; got < 2 {
		t.Errorf("results of a query not sent: %d ignored, want at least 2", got)
	}

	for _, e := range r.all() {
		if m, ok := e.(event.Message); ok && (strings.HasPrefix(m.Body, "forged") || m.Archived) {
			t.Errorf("reported: %+v", m)
		}
	}
	if rs, err := a.Search("forged", archive.SearchOptions{}); err != nil || len(rs) != 0 {
		t.Errorf("forged result stored: %+v %v", rs, err)
	}
	if got, _ := a.Count(""); got != 3 { // the marker and the two real ones
		t.Errorf("the archive holds %d messages, want 3", got)
	}
}

func TestProsodyMAMForgedIgnored(t *testing.T)  { testMAMForged(t, prosody(t)) }
func TestEjabberdMAMForgedIgnored(t *testing.T) { testMAMForged(t, ejabberd(t)) }

// testArchiveSearchExport: live messages both ways are stored with the
// peer's trust; search finds a French word whatever its accents; export
// writes JSON Lines and HTML, 0600, with the trust classification.
func testArchiveSearchExport(t *testing.T, srv *testenv.Server) {
	alice := freshUser(t, srv, "arch-alice", "acme.test")
	bob := freshUser(t, srv, "arch-bob", "acme.test")
	a := openTestArchive(t)
	r := startArchived(t, srv, alice, a, t.TempDir())
	r.connected()
	waitSynced(r, 30*time.Second)
	b := startSession(t, srv, bob, opts{})
	b.connected()
	sendAll(t, b, alice, []string{"La réunion de l'élève aura lieu à l'école, près du château."})
	r.message("La réunion de l'élève aura lieu à l'école, près du château.")
	r.s.Do(event.Send{To: bob, Body: "D'accord, à demain"})
	b.message("D'accord, à demain")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mallory, err := srv.Dial(ctx, "mallory@evil.test", srv.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer mallory.Close()
	go mallory.Serve(nil)
	rawSend(t, mallory, elem(nsClient, "message", "type", "chat", "to", alice, "id", "x1").add(child("body", "Bonjour, élève inconnu")))
	r.message("Bonjour, élève inconnu")

	for _, q := range []string{"eleve", "élève", "ECOLE", "chateau"} {
		r.s.Do(event.Search{Query: q, Conversation: bob})
		res := r.waitFor("search "+q, 10*time.Second, isA[event.SearchResults]).(event.SearchResults)
		if len(res.Results) != 1 || !strings.Contains(res.Results[0].Snippet, "élève") || res.Results[0].Trust.Class != event.ClassInternal || res.Results[0].ID == "" {
			t.Errorf("search %q: %+v", q, res)
		}
	}
	r.s.Do(event.Search{Query: "élève"})
	if res := r.waitFor("search all", 10*time.Second, isA[event.SearchResults]).(event.SearchResults); len(res.Results) != 2 {
		t.Errorf("search across chats: %+v", res)
	} else {
		// Jump to the older hit in its conversation.
		hit := res.Results[1]
		r.s.Do(event.GetHistory{Conversation: hit.Conversation, AroundID: hit.ID, Limit: 5})
		h := r.waitFor("history", 10*time.Second, isA[event.History]).(event.History)
		if len(h.Messages) == 0 {
			t.Errorf("history around %s: %+v", hit.ID, h)
		}
	}
	r.s.Do(event.GetHistory{Conversation: bob})
	h := r.waitFor("history", 10*time.Second, isA[event.History]).(event.History)
	if len(h.Messages) != 2 || h.Messages[0].Outgoing || !h.Messages[1].Outgoing || !h.Complete || h.Messages[1].ArchiveID == "" {
		t.Errorf("history with bob: %+v", h)
	}

	dir := t.TempDir()
	for _, f := range []string{"jsonl", "html"} {
		path := filepath.Join(dir, "export."+f)
		r.s.Do(event.Export{Format: f, Path: path})
		ex := r.waitFor("exported", 10*time.Second, isA[event.Exported]).(event.Exported)
		if ex.Count != 3 || ex.Path != path || ex.Format != f {
			t.Errorf("Exported = %+v", ex)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("export file: %v %v", fi, err)
		}
		data, _ := os.ReadFile(path)
		text := string(data)
		switch f {
		case "jsonl":
			lines := strings.Split(strings.TrimSpace(text), "\n")
			classes := map[string]string{}
			for _, l := range lines {
				var m archive.Message
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatal(err)
				}
				classes[m.Body] = m.Trust.Class
			}
			if len(lines) != 3 || classes["D'accord, à demain"] != event.ClassInternal || classes["Bonjour, élève inconnu"] != event.ClassUnknown {
				t.Errorf("JSONL export: %s", text)
			}
		case "html":
			if !strings.Contains(text, "D&#39;accord, à demain") || !strings.Contains(text, event.ClassUnknown) || !strings.Contains(text, event.ClassInternal) {
				t.Errorf("HTML export lacks a message or a trust class: %s", text)
			}
		}
	}
	r.s.Do(event.Export{Format: "pdf", Path: filepath.Join(dir, "x.pdf")})
	if e := r.waitFor("bad format", 10*time.Second, isA[event.Error]).(event.Error); e.Code != event.CodeBadCommand || e.Command != "export" {
		t.Errorf("bad export format: %+v", e)
	}
}

func TestProsodyArchiveSearchExport(t *testing.T)  { testArchiveSearchExport(t, prosody(t)) }
func TestEjabberdArchiveSearchExport(t *testing.T) { testArchiveSearchExport(t, ejabberd(t)) }
