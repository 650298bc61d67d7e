package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

// clock returns a deterministic clock advancing a millisecond per call.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 11, 27, 4, 0, 0, 0, time.FixedZone("CET", 3600))
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Millisecond + 7)
		return t
	}
}

// writeLog writes n entries in a fresh directory and returns the directory
// and the file's lines (each with its "\n").
func writeLog(t *testing.T, n int) (string, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "audit")
	l, err := OpenWith(dir, Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{KindWarningShown, KindConfirmationGiven, KindRefused, KindProfileApplied, KindTraining}
	for i := 1; i <= n; i++ {
		err := l.Append(kinds[i%len(kinds)], map[string]any{
			"peer": fmt.Sprintf("user%d@evil.test", i), "n": i, "html": "<b>&</b>",
			"nested": map[string]any{"z": 1.5, "a": []any{"x", true, nil}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, readLines(t, dir)
}

func readLines(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(data), "\n")[:bytes.Count(data, []byte("\n"))]
}

// rehash recomputes an entry line's hash after its content was edited.
func rehash(t *testing.T, line string) string {
	t.Helper()
	line = strings.TrimSuffix(line, "\n")
	canon := line[:len(line)-hashMemberLen] + "}"
	sum := sha256.Sum256([]byte(canon))
	return canon[:len(canon)-1] + `,"hash":"` + hex.EncodeToString(sum[:]) + "\"}\n"
}

func TestGoodChainVerifies(t *testing.T) {
	dir, lines := writeLog(t, 10)
	rep, err := VerifyDir(dir, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Problem != nil || rep.Entries != 10 || rep.Head.Seq != 10 {
		t.Fatalf("good chain: %+v %v", rep, rep.Problem)
	}
	es, err := ReadEntries(strings.NewReader(strings.Join(lines, "")))
	if err != nil || len(es) != 10 {
		t.Fatalf("ReadEntries: %d entries, %v", len(es), err)
	}
	if es[0].Prev != Genesis || es[1].Prev != es[0].Hash || es[9].Hash != rep.Head.Hash {
		t.Errorf("chain links wrong: %+v", es[:2])
	}
	if !strings.HasSuffix(es[0].Time, "Z") || es[0].Fields["peer"] != "user1@evil.test" {
		t.Errorf("entry 1: %+v", es[0])
	}
	if !strings.Contains(lines[0], `\u003cb\u003e`) || !strings.Contains(lines[0], `"nested":{"a":["x",true,null],"z":1.5}`) {
		t.Errorf("line 1 not canonical: %s", lines[0])
	}
	// An empty log verifies too.
	rep, _ = Verify(strings.NewReader(""))
	if !rep.OK || rep.Entries != 0 {
		t.Errorf("empty log: %+v", rep)
	}
}

func TestTamperingIsPinpointed(t *testing.T) {
	_, lines := writeLog(t, 6)
	edit := func(i int, from, to string) func([]string) []string {
		return func(l []string) []string {
			if !strings.Contains(l[i], from) {
				t.Fatalf("line %d has no %q", i+1, from)
			}
			l[i] = strings.Replace(l[i], from, to, 1)
			return l
		}
	}
	tests := []struct {
		name   string
		tamper func([]string) []string
		anchor bool
		code   string
		line   int
		seq    uint64
	}{
		{"body edited, hash kept", edit(2, "user3@evil.test", "user3@good.test"), false, ProblemAltered, 3, 3},
		{"body edited, hash recomputed", func(l []string) []string {
			l = edit(2, "user3@evil.test", "user3@good.test")(l)
			l[2] = rehash(t, l[2])
			return l
		}, false, ProblemChanged, 3, 3},
		{"kind edited, hash recomputed", func(l []string) []string {
			l = edit(0, `"kind":"confirmation_given"`, `"kind":"training"`)(l)
			l[0] = rehash(t, l[0])
			return l
		}, false, ProblemChanged, 1, 1},
		{"last entry edited, hash recomputed, anchored", func(l []string) []string {
			l = edit(5, "user6@evil.test", "user6@good.test")(l)
			l[5] = rehash(t, l[5])
			return l
		}, true, ProblemAnchor, 6, 6},
		{"entry deleted", func(l []string) []string { return append(l[:3:3], l[4:]...) }, false, ProblemMissing, 4, 4},
		{"two entries deleted", func(l []string) []string { return append(l[:1:1], l[3:]...) }, false, ProblemMissing, 2, 2},
		{"first entry deleted", func(l []string) []string { return l[1:] }, false, ProblemMissing, 1, 1},
		{"entries swapped", func(l []string) []string { l[2], l[3] = l[3], l[2]; return l }, false, ProblemReordered, 3, 4},
		{"last moved first", func(l []string) []string { return append([]string{l[5]}, l[:5]...) }, false, ProblemReordered, 1, 6},
		{"entry copied in", func(l []string) []string {
			return append(l[:4:4], append([]string{l[1]}, l[4:]...)...)
		}, false, ProblemInserted, 5, 2},
		{"torn tail", func(l []string) []string { l[5] = l[5][:40]; return l }, false, ProblemTorn, 6, 0},
		{"tail cut at a line end, anchored", func(l []string) []string { return l[:4] }, true, ProblemAnchor, 5, 6},
		{"garbage line", func(l []string) []string { l[1] = "hello\n"; return l }, false, ProblemMalformed, 2, 0},
		{"blank line", func(l []string) []string { return append(l[:2:2], append([]string{"\n"}, l[2:]...)...) }, false, ProblemMalformed, 3, 0},
		{"spaces added", edit(1, `"seq":2,`, `"seq": 2,`), false, ProblemMalformed, 2, 2},
		{"unknown member", func(l []string) []string {
			return []string{rehash(t, strings.Replace(l[0], `{"seq"`, `{"x":1,"seq"`, 1))}
		}, false, ProblemMalformed, 1, 0},
		{"first prev not genesis", func(l []string) []string {
			l = edit(0, `"prev":"0000`, `"prev":"1000`)(l)
			l[0] = rehash(t, l[0])
			return l
		}, false, ProblemBadFirstLink, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := tt.tamper(append([]string(nil), lines...))
			var o VerifyOptions
			if tt.anchor {
				es, _ := ReadEntries(strings.NewReader(strings.Join(lines, "")))
				a := Anchor{Seq: es[5].Seq, Hash: es[5].Hash}
				o.Anchor = &a
			}
			rep, err := VerifyWith(strings.NewReader(strings.Join(mod, "")), o)
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Problem
			if rep.OK || p == nil {
				t.Fatalf("tampering not caught: %+v", rep)
			}
			if p.Code != tt.code || p.Line != tt.line || (tt.seq != 0 && p.Seq != tt.seq) {
				t.Errorf("got %s at line %d seq %d (%s); want %s at line %d seq %d", p.Code, p.Line, p.Seq, p.Msg, tt.code, tt.line, tt.seq)
			}
			if !strings.Contains(p.Msg, fmt.Sprintf("line %d", p.Line)) {
				t.Errorf("message does not name the line: %s", p.Msg)
			}
		})
	}
}

func TestOpenSetsTornTailAside(t *testing.T) {
	dir, lines := writeLog(t, 3)
	torn := lines[2][:25]
	whole := lines[0] + lines[1] + torn
	if err := os.WriteFile(Path(dir), []byte(whole), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := OpenWith(dir, Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	rec := l.Recovered()
	if rec == nil || rec.AfterSeq != 2 || rec.Bytes != int64(len(torn)) || rec.Problem.Code != ProblemTorn {
		t.Fatalf("recovery: %+v", rec)
	}
	aside, err := os.ReadFile(rec.SetAside)
	if err != nil || string(aside) != torn {
		t.Fatalf("torn bytes not kept: %q %v", aside, err)
	}
	if err := l.Append(KindRefused, map[string]any{"to": "x@evil.test"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got := readLines(t, dir)
	if len(got) != 4 || got[0] != lines[0] || got[1] != lines[1] {
		t.Fatalf("good entries not kept: %q", got)
	}
	es, _ := ReadEntries(strings.NewReader(strings.Join(got, "")))
	if es[2].Kind != KindTailSetAside || es[2].Fields["file"] != filepath.Base(rec.SetAside) || es[3].Seq != 4 {
		t.Errorf("repair not recorded: %+v", es[2:])
	}
	if rep, _ := VerifyDir(dir, VerifyOptions{}); !rep.OK || rep.Entries != 4 {
		t.Errorf("after the repair: %+v %v", rep, rep.Problem)
	}
}

func TestOpenRefusesBrokenLogAndChangesNothing(t *testing.T) {
	dir, lines := writeLog(t, 4)
	broken := []byte(lines[0] + lines[2] + lines[3]) // entry 2 deleted
	if err := os.WriteFile(Path(dir), broken, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	var be *BrokenError
	if !errors.Is(err, ErrBroken) || !errors.As(err, &be) || be.Report.Problem.Code != ProblemMissing || !strings.Contains(err.Error(), "seq 2") {
		t.Fatalf("Open of a broken log: %v", err)
	}
	after, _ := os.ReadFile(Path(dir))
	if !bytes.Equal(after, broken) {
		t.Error("Open changed a broken log")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("Open left files beside a broken log: %v", ents)
	}
}

func TestReopenContinuesChain(t *testing.T) {
	dir, _ := writeLog(t, 2)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := l.Head(); h.Seq != 2 {
		t.Fatalf("head after reopen: %+v", h)
	}
	if err := l.Append(KindIdentityChanged, nil); err != nil {
		t.Fatal(err)
	}
	a := l.Head()
	l.Close()
	parsed, err := ParseAnchor(a.String())
	if err != nil || parsed != a {
		t.Fatalf("anchor round trip: %v %v", parsed, err)
	}
	rep, _ := VerifyDir(dir, VerifyOptions{Anchor: &parsed})
	if !rep.OK || rep.Entries != 3 {
		t.Errorf("reopened chain: %+v %v", rep, rep.Problem)
	}
	st, _ := os.Stat(Path(dir))
	dst, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700 {
		t.Errorf("permissions: file %v dir %v", st.Mode().Perm(), dst.Mode().Perm())
	}
}

func TestAppendRejectsBadInput(t *testing.T) {
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tt := range []struct {
		kind   string
		fields map[string]any
	}{
		{"", nil},
		{"Warning", nil},
		{"a b", nil},
		{"ok", map[string]any{"f": func() {}}},
	} {
		if err := l.Append(tt.kind, tt.fields); err == nil {
			t.Errorf("Append(%q, %v) accepted", tt.kind, tt.fields)
		}
	}
	if l.Head().Seq != 0 {
		t.Error("a refused append left an entry")
	}
	for _, s := range []string{"", "1", "x:" + Genesis, "0:" + Genesis, "1:abc", "01:" + Genesis} {
		if _, err := ParseAnchor(s); err == nil {
			t.Errorf("ParseAnchor(%q) accepted", s)
		}
	}
}

func TestConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := l.Append(KindWarningShown, map[string]any{"w": w, "i": i}); err != nil {
					t.Error(err)
					return
				}
				_ = l.Head()
			}
		}()
	}
	wg.Wait()
	l.Close()
	rep, err := VerifyDir(dir, VerifyOptions{})
	if err != nil || !rep.OK || rep.Entries != workers*each {
		t.Fatalf("concurrent appends: %+v %v %v", rep, rep.Problem, err)
	}
}

func TestExportCopiesAsIs(t *testing.T) {
	dir, lines := writeLog(t, 3)
	var buf bytes.Buffer
	rep, err := Export(dir, &buf, VerifyOptions{})
	if err != nil || !rep.OK || buf.String() != strings.Join(lines, "") {
		t.Fatalf("export: %v %+v", err, rep)
	}
}

func FuzzVerify(f *testing.F) {
	dir := f.TempDir()
	l, err := OpenWith(dir, Options{Now: clock()})
	if err != nil {
		f.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := l.Append(KindRefused, map[string]any{"i": i, "s": "é<>"}); err != nil {
			f.Fatal(err)
		}
	}
	l.Close()
	good, _ := os.ReadFile(Path(dir))
	f.Add(good)
	f.Add(good[:len(good)-10])
	f.Add([]byte{})
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"seq":1,"time":"x","kind":"k","fields":{},"prev":"` + Genesis + `","hash":"` + Genesis + "\"}\n"))
	f.Add(bytes.ReplaceAll(good, []byte(`"seq":2`), []byte(`"seq":1e400`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK != (rep.Problem == nil) {
			t.Fatalf("OK %v with problem %v", rep.OK, rep.Problem)
		}
		if rep.GoodBytes > int64(len(data)) {
			t.Fatalf("good bytes %d > %d", rep.GoodBytes, len(data))
		}
		if rep.OK && rep.GoodBytes != int64(len(data)) {
			t.Fatalf("OK but only %d of %d bytes good", rep.GoodBytes, len(data))
		}
		if _, err := ReadEntries(bytes.NewReader(data)); err != nil && rep.OK {
			t.Fatalf("verified but unreadable: %v", err)
		}
	})
}

func TestAppendValue(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenWith(dir, Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	refused := event.Refused{Command: "send", ID: "m1", To: "mallory@evil.test", Code: event.RefusedBlocked, Reason: "blocked <by IT>"}
	if err := l.AppendValue(KindRefused, refused); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendValue(KindRefused, "not an object"); err == nil {
		t.Error("a string was accepted as fields")
	}
	l.Close()
	data, _ := os.ReadFile(Path(dir))
	es, err := ReadEntries(bytes.NewReader(data))
	if err != nil || len(es) != 1 || es[0].Fields["to"] != "mallory@evil.test" || es[0].Fields["code"] != event.RefusedBlocked {
		t.Fatalf("entries %+v %v", es, err)
	}
	if rep, _ := Verify(bytes.NewReader(data)); !rep.OK {
		t.Errorf("verify: %v", rep.Problem)
	}
}
