package archive

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) (*Archive, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "archive", "archive.db")
	a, err := Open(path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, path
}

// msg builds a direct message from bob (or to him) at t0 + minutes.
func msg(minutes int, body string) Message {
	return Message{
		Account: "alice@acme.test", Conversation: "bob@acme.test", Direction: In,
		Sender: "bob@acme.test/laptop", Body: body, Time: t0.Add(time.Duration(minutes) * time.Minute),
		MessageID: fmt.Sprintf("m%d", minutes),
		Trust:     Trust{Class: event.ClassInternal, Org: "ACME"},
	}
}

func mustAdd(t *testing.T, a *Archive, ms ...Message) int {
	t.Helper()
	n, err := a.Add(ms...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// filesUnder returns every file's bytes below dir.
func filesUnder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNoClearTextOnDisk(t *testing.T) {
	a, path := openTemp(t)
	secret := "the merger with Globex closes on Friday, codeword PERIWINKLE"
	for i := 0; i < 200; i++ {
		mustAdd(t, a, msg(i, fmt.Sprintf("%s #%d", secret, i)))
	}
	if rs, err := a.Search("periwinkle", SearchOptions{}); err != nil || len(rs) == 0 {
		t.Fatalf("search before checking the files: %v %v", rs, err)
	}
	check := func(when string) {
		files := filesUnder(t, filepath.Dir(path))
		if len(files) == 0 {
			t.Fatal("no files")
		}
		for p, b := range files {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s mode %v %v, want 0600", when, filepath.Base(p), fi.Mode().Perm(), err)
			}
			for _, needle := range []string{"PERIWINKLE", "Globex", "bob@acme.test", "SQLite format 3"} {
				if bytes.Contains(b, []byte(needle)) {
					t.Errorf("%s: %s holds %q in clear", when, filepath.Base(p), needle)
				}
			}
		}
		t.Logf("%s: %d files checked (%v)", when, len(files), keys(files))
	}
	check("while open (database, -wal, -shm)")
	a.Close()
	check("after close")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("archive file mode: %v %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("archive directory mode: %v %v", fi.Mode(), err)
	}
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, filepath.Base(k))
	}
	return ks
}

func TestWrongKeyDestroysNothing(t *testing.T) {
	a, path := openTemp(t)
	mustAdd(t, a, msg(1, "hello"), msg(2, "world"))
	for _, tc := range []struct {
		name  string
		close bool
	}{{"while another handle is open", false}, {"after close", true}} {
		if tc.close {
			a.Close()
		}
		before := filesUnder(t, filepath.Dir(path))
		_, err := Open(path, testKey(2))
		if !errors.Is(err, ErrWrongKey) {
			t.Fatalf("%s: wrong key gave %v, want ErrWrongKey", tc.name, err)
		}
		if after := filesUnder(t, filepath.Dir(path)); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: the files changed after a wrong key", tc.name)
		}
	}
	if _, err := Open(path, []byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
	b, err := Open(path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n, _ := b.Count(""); n != 2 {
		t.Errorf("after the wrong key, the right key sees %d messages, want 2", n)
	}
}

func TestNotAnArchive(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"short":   []byte("hello"),
		"garbage": bytes.Repeat([]byte{0xAB}, 8192),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		if _, err := Open(p, testKey(1)); !errors.Is(err, ErrWrongKey) {
			t.Errorf("%s: %v, want ErrWrongKey", name, err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Errorf("%s: file changed", name)
		}
	}
}

func TestSchemaVersion(t *testing.T) {
	a, path := openTemp(t)
	var v int
	if err := a.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("user_version %d %v, want %d", v, err, SchemaVersion)
	}
	// A file from the future is refused and left alone.
	if _, err := a.db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	before := filesUnder(t, filepath.Dir(path))
	if _, err := Open(path, testKey(1)); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("newer schema: %v", err)
	}
	if after := filesUnder(t, filepath.Dir(path)); !reflect.DeepEqual(before, after) {
		t.Error("a newer archive was changed")
	}
}

func TestDeduplication(t *testing.T) {
	a, _ := openTemp(t)
	live := msg(1, "live, no stanza-id")
	live.OriginID = "o1"
	fromMAM := live
	fromMAM.StanzaID = "s1"
	fromMAM.Sender = "bob@acme.test/phone" // another resource: same bare sender
	room := func(nick, id, stanza string) Message {
		return Message{Account: "alice@acme.test", Conversation: "team@rooms.acme.test", Direction: In, IsRoom: true,
			Sender: "team@rooms.acme.test/" + nick, Body: "hi from " + nick, Time: t0, MessageID: id, StanzaID: stanza}
	}
	tests := []struct {
		name  string
		add   []Message
		added int
	}{
		{"first copy", []Message{live}, 1},
		{"same origin-id again, from MAM with a stanza-id", []Message{fromMAM}, 0},
		{"same stanza-id, other ids", []Message{func() Message { m := msg(5, "x"); m.StanzaID = "s1"; m.MessageID = "zz"; return m }()}, 0},
		{"same message id, other sender", []Message{func() Message {
			m := msg(1, "y")
			m.OriginID = "o1"
			m.Sender = "carol@partner.test"
			m.Conversation = "bob@acme.test"
			return m
		}()}, 1},
		{"same id in another conversation", []Message{func() Message { m := live; m.Conversation = "dave@acme.test"; return m }()}, 1},
		{"room: same id, two nicks", []Message{room("ann", "r1", ""), room("ben", "r1", "")}, 2},
		{"room: repeated in one batch", []Message{room("cat", "r2", "rs2"), room("cat", "r2", "rs2")}, 1},
		{"no ids at all: always new", []Message{{Account: "alice@acme.test", Conversation: "bob@acme.test", Direction: Out, Sender: "alice@acme.test", Body: "a", Time: t0}, {Account: "alice@acme.test", Conversation: "bob@acme.test", Direction: Out, Sender: "alice@acme.test", Body: "a", Time: t0}}, 2},
	}
	for _, tt := range tests {
		if n := mustAdd(t, a, tt.add...); n != tt.added {
			t.Errorf("%s: added %d, want %d", tt.name, n, tt.added)
		}
	}
	// The live copy learned its stanza-id from the MAM copy.
	ms, _ := a.History("bob@acme.test", time.Time{}, 100)
	var got *Message
	for i := range ms {
		if ms[i].OriginID == "o1" && ms[i].Sender == live.Sender {
			got = &ms[i]
		}
	}
	if got == nil || got.StanzaID != "s1" || got.Body != live.Body {
		t.Errorf("stored copy: %+v", got)
	}
	// A bad message fails the whole batch.
	if _, err := a.Add(msg(50, "fine"), Message{Conversation: "x", Direction: "sideways", Time: t0}); err == nil {
		t.Error("a bad direction was accepted")
	}
	if rs, _ := a.Search("fine", SearchOptions{}); len(rs) != 0 {
		t.Error("a failed batch stored part of itself")
	}
}

func TestSearch(t *testing.T) {
	a, _ := openTemp(t)
	bodies := []string{
		"Réunion demain à l'hôtel de ville avec l'élève",
		"the quarterly report is ready",
		`quote "a" OR body:* stays text`,
		"meeting moved to Thursday",
		"<script>alert(1)</script> is not a meeting",
		"NEAR(a b) and (parentheses) and ^caret",
	}
	for i, b := range bodies {
		m := msg(i, b)
		if i%2 == 1 {
			m.Conversation = "carol@partner.test"
			m.Sender = "carol@partner.test/x"
		}
		mustAdd(t, a, m)
	}
	// Same words in look-alike conversations: never mixed up.
	for _, conv := range []string{"bob@acme.test.evil.test", "x.bob@acme.test", `"bob"@acme.test`, "!!!"} {
		m := msg(30, "meeting elsewhere")
		m.Conversation = conv
		mustAdd(t, a, m)
		if rs, err := a.Search("meeting", SearchOptions{Conversation: conv}); err != nil || len(rs) != 1 || rs[0].Message.Conversation != conv {
			t.Errorf("search in %q: %v %v", conv, rs, err)
		}
		mustAdd(t, a, m)
	}
	tests := []struct {
		query string
		opts  SearchOptions
		want  []int // indexes into bodies, newest first
	}{
		{"report", SearchOptions{}, []int{1}},
		{"REPORT quarterly", SearchOptions{}, []int{1}},
		{"report missing", SearchOptions{}, nil},
		{"meet*", SearchOptions{Before: t0.Add(10 * time.Minute)}, []int{4, 3}},
		{"meeting", SearchOptions{Conversation: "bob@acme.test"}, []int{4}},
		{"meeting", SearchOptions{Limit: 1, Before: t0.Add(10 * time.Minute)}, []int{4}},
		{"meeting", SearchOptions{Before: t0.Add(4 * time.Minute)}, []int{3}},
		{"meeting", SearchOptions{After: t0.Add(4 * time.Minute), Before: t0.Add(10 * time.Minute)}, []int{4}},
		{"reunion", SearchOptions{}, []int{0}},
		{"élève", SearchOptions{}, []int{0}},
		{"eleve hotel", SearchOptions{}, []int{0}},
		{"l'hôtel", SearchOptions{}, []int{0}},
		{`"a" OR body:*`, SearchOptions{}, []int{2}},
		{`body:*`, SearchOptions{}, []int{2}},
		{`NEAR(a b)`, SearchOptions{}, []int{5}},
		{`(parentheses) ^caret`, SearchOptions{}, []int{5}},
		{`"`, SearchOptions{}, nil},
		{`* - "" ()`, SearchOptions{}, nil},
		{`OR`, SearchOptions{}, []int{2}},
		{`report" OR "meeting`, SearchOptions{}, nil},
		{"<script>", SearchOptions{}, []int{4}},
	}
	for _, tt := range tests {
		rs, err := a.Search(tt.query, tt.opts)
		if err != nil {
			t.Errorf("Search(%q): %v", tt.query, err)
			continue
		}
		var got []int
		for _, r := range rs {
			for i, b := range bodies {
				if r.Message.Body == b {
					got = append(got, i)
				}
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Search(%q, %+v) = %v, want %v", tt.query, tt.opts, got, tt.want)
		}
	}
	// Snippets mark the matching words.
	rs, _ := a.Search("eleve", SearchOptions{})
	if len(rs) != 1 {
		t.Fatal(rs)
	}
	var matched []string
	for _, s := range rs[0].Snippet {
		if s.Match {
			matched = append(matched, s.Text)
		}
	}
	if !reflect.DeepEqual(matched, []string{"élève"}) || rs[0].SnippetText() != bodies[0] {
		t.Errorf("snippet %+v", rs[0].Snippet)
	}
	// The result's ID jumps to the message in its conversation.
	around, err := a.Around(rs[0].Message.ID, 2)
	if err != nil || len(around) == 0 || around[0].ID != rs[0].Message.ID {
		t.Errorf("Around: %v %v", around, err)
	}
}

func TestHistoryAndAround(t *testing.T) {
	a, _ := openTemp(t)
	var ms []Message
	for i := 0; i < 10; i++ {
		ms = append(ms, msg(i, fmt.Sprint("message ", i)))
	}
	// Stored out of order (as MAM catch-up does): history is by time.
	mustAdd(t, a, ms[5:]...)
	mustAdd(t, a, ms[:5]...)
	bodies := func(ms []Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Body)
		}
		return out
	}
	h, err := a.History("bob@acme.test", time.Time{}, 3)
	if err != nil || !reflect.DeepEqual(bodies(h), []string{"message 7", "message 8", "message 9"}) {
		t.Errorf("latest page: %v %v", bodies(h), err)
	}
	h, _ = a.History("bob@acme.test", h[0].Time, 3)
	if !reflect.DeepEqual(bodies(h), []string{"message 4", "message 5", "message 6"}) {
		t.Errorf("page before: %v", bodies(h))
	}
	if h, _ := a.History("nobody@acme.test", time.Time{}, 3); len(h) != 0 {
		t.Errorf("unknown conversation: %v", h)
	}
	around, _ := a.Around(h[0].ID, 2)
	if !reflect.DeepEqual(bodies(around), []string{"message 2", "message 3", "message 4", "message 5", "message 6"}) {
		t.Errorf("around message 4: %v", bodies(around))
	}
	if got, _ := a.Around(999999, 2); got != nil {
		t.Errorf("around a missing id: %v", got)
	}
}

func TestRetention(t *testing.T) {
	a, _ := openTemp(t)
	now := t0.Add(100 * 24 * time.Hour)
	for d := 0; d < 100; d += 10 {
		mustAdd(t, a, msg(d*24*60, fmt.Sprintf("day%d keepsake", d)))
	}
	if n, err := a.Retain(now, 0); err != nil || n != 0 {
		t.Errorf("retention 0 deleted %d (%v)", n, err)
	}
	n, err := a.Retain(now, 35) // keeps days 70, 80, 90 (65 days ago and newer)
	if err != nil || n != 7 {
		t.Fatalf("Retain deleted %d (%v), want 7", n, err)
	}
	rs, _ := a.Search("keepsake", SearchOptions{})
	if len(rs) != 3 || rs[2].Message.Body != "day70 keepsake" {
		t.Errorf("search after retention: %v", rs)
	}
	if rs, _ := a.Search("day10", SearchOptions{}); len(rs) != 0 {
		t.Errorf("a deleted message is still found: %v", rs)
	}
	var bad int
	if err := a.db.QueryRow(`SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'day10'`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("full-text index not consistent: %d %v", bad, err)
	}
	if _, err := a.db.Exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES('integrity-check', 1)`); err != nil {
		t.Errorf("FTS integrity check: %v", err)
	}
}

func TestSyncPoints(t *testing.T) {
	a, path := openTemp(t)
	if _, ok, err := a.SyncPointOf("alice@acme.test", "alice@acme.test"); ok || err != nil {
		t.Fatalf("empty: %v %v", ok, err)
	}
	for _, id := range []string{"first", "second"} {
		if err := a.SetSyncPoint(SyncPoint{Account: "alice@acme.test", Archive: "alice@acme.test", LastID: id, Updated: t0}); err != nil {
			t.Fatal(err)
		}
	}
	a.SetSyncPoint(SyncPoint{Account: "alice@acme.test", Archive: "team@rooms.acme.test", LastID: "room-1", Updated: t0})
	if err := a.SetSyncPoint(SyncPoint{Account: "alice@acme.test", Archive: "x"}); err == nil {
		t.Error("a sync point without an id was accepted")
	}
	a.Close()
	b, err := Open(path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, ok, err := b.SyncPointOf("alice@acme.test", "alice@acme.test")
	if !ok || err != nil || p.LastID != "second" || !p.Updated.Equal(t0) {
		t.Errorf("after reopening: %+v %v %v", p, ok, err)
	}
	if p, _, _ := b.SyncPointOf("alice@acme.test", "team@rooms.acme.test"); p.LastID != "room-1" {
		t.Errorf("room sync point: %+v", p)
	}
}

func TestExportJSONLRoundTrip(t *testing.T) {
	a, _ := openTemp(t)
	in := []Message{msg(1, "bonjour <b>&</b> \"quoted\"\nsecond line"), msg(2, "second")}
	in[1].Direction = Out
	in[1].Sender = "alice@acme.test/desk"
	in = append(in, Message{Account: "alice@acme.test", Conversation: "team@rooms.acme.test", Direction: In,
		Sender: "team@rooms.acme.test/mallory", SenderBare: "mallory@evil.test", Body: "psst", Time: t0.Add(time.Hour).Add(123 * time.Nanosecond),
		StanzaID: "s9", IsRoom: true, IsPrivate: true, Trust: Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test"}})
	in = append(in, msg(3, "other day"))
	mustAdd(t, a, in...)

	var buf bytes.Buffer
	n, err := a.Export(&buf, ExportOptions{To: t0.Add(2 * time.Hour), Format: JSONL})
	if err != nil || n != 4 {
		t.Fatalf("export: %d %v", n, err)
	}
	var out []Message
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	// Stored messages get their ID and the bare sender; compare the rest.
	want := map[string]Message{}
	for _, m := range in {
		if m.SenderBare == "" {
			m.SenderBare, _, _ = strings.Cut(m.Sender, "/")
		}
		want[m.Body] = m
	}
	for _, m := range out {
		if m.ID == 0 {
			t.Errorf("exported without its id: %+v", m)
		}
		m.ID = 0
		if !reflect.DeepEqual(m, want[m.Body]) {
			t.Errorf("round trip:\n got %+v\nwant %+v", m, want[m.Body])
		}
	}
	// Re-importing the export into a fresh archive gives the same export.
	b, _ := openTemp(t)
	mustAdd(t, b, out...)
	var again bytes.Buffer
	b.Export(&again, ExportOptions{})
	var first bytes.Buffer
	a.Export(&first, ExportOptions{})
	noIDs := regexp.MustCompile(`"id":[0-9]+,`)
	if noIDs.ReplaceAllString(again.String(), "") != noIDs.ReplaceAllString(first.String(), "") {
		t.Errorf("export differs after re-import:\n%s\n%s", first.String(), again.String())
	}
	// One conversation, a date range.
	buf.Reset()
	if n, _ := a.Export(&buf, ExportOptions{Conversation: "bob@acme.test", From: t0.Add(2 * time.Minute)}); n != 2 {
		t.Errorf("conversation and range: %d messages:\n%s", n, buf.String())
	}
	if _, err := a.Export(&buf, ExportOptions{Format: "pdf"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestExportHTML(t *testing.T) {
	a, _ := openTemp(t)
	evil := msg(1, `<script>alert("x")</script><img src="http://evil.test/x.png"> & done`)
	evil.Trust = Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test"}
	evil.Sender = `bob@acme.test/"><script>`
	pm := Message{Account: "alice@acme.test", Conversation: "team@rooms.acme.test", Direction: In, IsRoom: true, IsPrivate: true,
		Sender: "team@rooms.acme.test/ann", Body: "private hello", Time: t0, Trust: Trust{Class: event.ClassPartner, Org: "Globex"}}
	mustAdd(t, a, evil, pm)
	var buf bytes.Buffer
	n, err := a.Export(&buf, ExportOptions{Format: HTML, Generated: t0})
	if err != nil || n != 2 {
		t.Fatalf("html export: %d %v", n, err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", "<img", `"http://evil.test`, "<a "} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("HTML export holds %q unescaped", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=&#34;http://evil.test/x.png&#34;&gt; &amp; done",
		"bob@acme.test/&#34;&gt;&lt;script&gt;",
		"lookalike (imitates acme.test)", "partner (Globex)", "private message in the room",
		"Content-Security-Policy", "<h2>bob@acme.test</h2>", "<h2>team@rooms.acme.test (room)</h2>", "2 message(s).",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML export lacks %q", want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	a, _ := openTemp(t)
	var wg sync.WaitGroup
	const writers, each = 4, 50
	for w := 0; w < writers; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				m := msg(w*1000+i, fmt.Sprintf("concurrent word%d item%d", w, i))
				m.MessageID = fmt.Sprintf("w%d-%d", w, i)
				if _, err := a.Add(m); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := a.Search("concurrent", SearchOptions{Limit: 5}); err != nil {
					t.Error(err)
					return
				}
				if _, err := a.History("bob@acme.test", time.Time{}, 5); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, _ := a.Count(""); n != writers*each {
		t.Errorf("%d messages, want %d", n, writers*each)
	}
	if rs, _ := a.Search("word2", SearchOptions{Limit: 1000}); len(rs) != each {
		t.Errorf("word2: %d results, want %d", len(rs), each)
	}
}

func TestClosed(t *testing.T) {
	a, _ := openTemp(t)
	a.Close()
	if _, err := a.Add(msg(1, "x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	if _, err := a.Search("x", SearchOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Search after Close: %v", err)
	}
}

func TestMatchQuery(t *testing.T) {
	for in, want := range map[string]string{
		"hello world":   `"hello" "world"`,
		`"a" OR body:*`: `"""a""" "OR" "body:"*`,
		"meet*":         `"meet"*`,
		"***":           ``,
		"  ":            ``,
		`a"b`:           `"a""b"`,
		"élève":         `"élève"`,
	} {
		if got := MatchQuery(in); got != want {
			t.Errorf("MatchQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestManyMessagesAtOneInstant(t *testing.T) {
	a, _ := openTemp(t)
	var ms []Message
	for i := 0; i < idSlots+3; i++ {
		m := msg(0, fmt.Sprint("same instant ", i))
		m.MessageID = fmt.Sprint("same-", i)
		ms = append(ms, m)
	}
	if n := mustAdd(t, a, ms...); n != len(ms) {
		t.Fatalf("added %d of %d", n, len(ms))
	}
	later := msg(1, "a minute later")
	mustAdd(t, a, later)
	h, err := a.History("bob@acme.test", time.Time{}, 2000)
	if err != nil || len(h) != len(ms)+1 {
		t.Fatalf("history: %d messages, %v", len(h), err)
	}
	seen := map[int64]bool{}
	for _, m := range h {
		if seen[m.ID] {
			t.Fatalf("id %d given twice", m.ID)
		}
		seen[m.ID] = true
	}
	if h[len(h)-1].Body != "a minute later" || h[0].Body != "same instant 0" {
		t.Errorf("order: first %q, last %q", h[0].Body, h[len(h)-1].Body)
	}
	if rs, _ := a.Search("instant", SearchOptions{Limit: 2000}); len(rs) != len(ms) {
		t.Errorf("search: %d results, want %d", len(rs), len(ms))
	}
}

// FuzzSearch: whatever the user types, Search answers without an FTS5
// syntax error, and every result holds every searched word's letters.
func FuzzSearch(f *testing.F) {
	a, err := Open(filepath.Join(f.TempDir(), "fuzz.db"), testKey(3))
	if err != nil {
		f.Fatal(err)
	}
	defer a.Close()
	for i, b := range []string{"alpha beta gamma", "Réunion à l'hôtel", `quote "a" OR body:*`, "NEAR(x y) ^z", "日本語のテキスト"} {
		if _, err := a.Add(msg(i, b)); err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range []string{"alpha", `"a" OR body:*`, "NEAR(", "^", "*", `""`, "a*b*", "conversation:bob", "body : (x", "-x", "AND OR NOT", "\x00", "日本", "{body}: x", "a\"*"} {
		f.Add(s, "")
		f.Add(s, `bob@acme.test"`)
	}
	f.Fuzz(func(t *testing.T, q, conv string) {
		if _, err := a.Search(q, SearchOptions{Conversation: conv, Limit: 5}); err != nil {
			t.Fatalf("Search(%q, %q): %v", q, conv, err)
		}
	})
}

func TestNewKey(t *testing.T) {
	k1, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := NewKey()
	if len(k1) != KeySize || bytes.Equal(k1, k2) {
		t.Fatalf("NewKey: %d bytes, repeated %v", len(k1), bytes.Equal(k1, k2))
	}
	path := filepath.Join(t.TempDir(), FileName)
	a, err := Open(path, k1)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, a, msg(1, "kept"))
	a.Close()
	if _, err := Open(path, k2); !errors.Is(err, ErrWrongKey) {
		t.Errorf("another new key opened the archive: %v", err)
	}
}

func TestState(t *testing.T) {
	a, path := openTemp(t)
	if _, ok, err := a.State("focus-held"); ok || err != nil {
		t.Fatalf("empty: %v %v", ok, err)
	}
	if err := a.SetState("", []byte("x")); err == nil {
		t.Error("a state without a name was accepted")
	}
	secret := `[{"body":"codeword PERIWINKLE"}]`
	for _, v := range []string{`[{"body":"first"}]`, secret} {
		if err := a.SetState("focus-held", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	for p, b := range filesUnder(t, filepath.Dir(path)) {
		if bytes.Contains(b, []byte("PERIWINKLE")) {
			t.Errorf("%s holds the state in clear", filepath.Base(p))
		}
	}
	b, err := Open(path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if v, ok, err := b.State("focus-held"); !ok || err != nil || string(v) != secret {
		t.Errorf("after reopening: %q %v %v", v, ok, err)
	}
	if err := b.SetState("focus-held", nil); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := b.State("focus-held"); ok || err != nil {
		t.Errorf("after removal: %q %v %v", v, ok, err)
	}
}

// An archive written before the state table (schema 1) opens, keeps its
// messages and gains the table.
func TestMigrationKeepsMessages(t *testing.T) {
	all := migrations
	defer func() { migrations = all }()
	migrations = all[:1]
	a, path := openTemp(t)
	mustAdd(t, a, msg(1, "kept across the upgrade"))
	a.Close()
	migrations = all
	b, err := Open(path, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var v int
	if err := b.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != len(all) {
		t.Fatalf("schema %d %v, want %d", v, err, len(all))
	}
	if n, err := b.Count(""); n != 1 || err != nil {
		t.Errorf("messages after the upgrade: %d %v", n, err)
	}
	if err := b.SetState("x", []byte("y")); err != nil {
		t.Errorf("state after the upgrade: %v", err)
	}
}
