package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

// recWriter records every Write call separately.
type recWriter struct {
	mu     sync.Mutex
	writes []string
	fail   error
}

func (r *recWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return 0, r.fail
	}
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

// lines checks that every write is exactly one JSON line and returns them
// decoded.
func (r *recWriter) lines(t *testing.T) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, w := range r.writes {
		if !strings.HasSuffix(w, "\n") || strings.Count(w, "\n") != 1 {
			t.Fatalf("write %q is not exactly one line", w)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(w), &m); err != nil {
			t.Fatalf("write %q is not JSON: %v", w, err)
		}
		out = append(out, m)
	}
	return out
}

func eventNames(ls []map[string]any) []string {
	var n []string
	for _, l := range ls {
		n = append(n, l["event"].(string))
	}
	return n
}

func serve(t *testing.T, in io.Reader, b *fakeBackend) (int, *recWriter) {
	t.Helper()
	out := &recWriter{}
	done := make(chan int)
	go func() { done <- Serve(context.Background(), in, out, b) }()
	select {
	case code := <-done:
		return code, out
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
		return 0, nil
	}
}

func TestServeCommandsAndEOF(t *testing.T) {
	b := newFake()
	b.emit(event.Connecting{Attempt: 1, Server: "xmpp.acme.test:5222"})
	b.emit(event.Connected{JID: "alice@acme.test/pc"})
	in := strings.NewReader(strings.Join([]string{
		`{"cmd":"roster"}`,
		``,
		`   `,
		`{"cmd":"send","to":"bob@acme.test","body":"hi"}`,
		`{"cmd":"presence","show":"away","status":"lunch"}` + "\r",
		`{"cmd":"chat_state","to":"bob@acme.test","state":"composing"}`, // no final newline
	}, "\n"))
	code, out := serve(t, in, b)
	if code != ExitOK {
		t.Errorf("exit = %d, want %d", code, ExitOK)
	}
	want := []event.Command{
		event.GetRoster{},
		event.Send{To: "bob@acme.test", Body: "hi"},
		event.SetPresence{Show: "away", Status: "lunch"},
		event.SendChatState{To: "bob@acme.test", State: "composing"},
		event.Quit{},
	}
	if got := b.commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("commands = %#v\nwant %#v", got, want)
	}
	if got := eventNames(out.lines(t)); !reflect.DeepEqual(got, []string{"connecting", "connected", "closed"}) {
		t.Errorf("events = %v", got)
	}
}

func TestServeBadCommandsContinue(t *testing.T) {
	b := newFake()
	in := strings.NewReader(`not json
{"cmd":"launch"}
{"to":"x"}
{"cmd":"send","to":5}
{"cmd":"roster"}
{"cmd":"quit"}
{"cmd":"roster"}
`)
	code, out := serve(t, in, b)
	if code != ExitOK {
		t.Errorf("exit = %d", code)
	}
	if got, want := b.commands(), []event.Command{event.GetRoster{}, event.Quit{}}; !reflect.DeepEqual(got, want) {
		t.Errorf("commands = %#v, want %#v (nothing after quit)", got, want)
	}
	ls := out.lines(t)
	if got := eventNames(ls); !reflect.DeepEqual(got, []string{"error", "error", "error", "error", "closed"}) {
		t.Fatalf("events = %v", got)
	}
	wantCmd := []string{"", "launch", "", "send"}
	for i, l := range ls[:4] {
		if l["code"] != event.CodeBadCommand {
			t.Errorf("error %d code = %v", i, l["code"])
		}
		msg, _ := l["message"].(string)
		if !strings.HasPrefix(msg, "bad command: ") || len(msg) < 20 {
			t.Errorf("error %d message = %q", i, msg)
		}
		if got, _ := l["command"].(string); got != wantCmd[i] {
			t.Errorf("error %d command = %q, want %q", i, got, wantCmd[i])
		}
	}
	if !strings.Contains(ls[1]["message"].(string), "unknown command \"launch\"") {
		t.Errorf("message = %v", ls[1]["message"])
	}
}

func TestServeLongLine(t *testing.T) {
	b := newFake()
	long := `{"cmd":"send","to":"bob@acme.test","body":"` + strings.Repeat("x", MaxLine) + `"}`
	in := strings.NewReader(long + "\n" + `{"cmd":"roster"}` + "\n")
	code, out := serve(t, in, b)
	if code != ExitOK {
		t.Errorf("exit = %d", code)
	}
	if got, want := b.commands(), []event.Command{event.GetRoster{}, event.Quit{}}; !reflect.DeepEqual(got, want) {
		t.Errorf("commands = %#v, want %#v", got, want)
	}
	ls := out.lines(t)
	if len(ls) != 2 || ls[0]["code"] != event.CodeBadCommand || !strings.Contains(ls[0]["message"].(string), "longer than") {
		t.Errorf("events = %v", ls)
	}
	// A line just under the limit is accepted.
	b2 := newFake()
	body := strings.Repeat("y", MaxLine-100)
	code, _ = serve(t, strings.NewReader(`{"cmd":"send","to":"b@c","body":"`+body+`"}`), b2)
	if got := b2.commands(); code != ExitOK || len(got) != 2 || got[0].(event.Send).Body != body {
		t.Errorf("long-but-valid line: exit %d, %d commands", code, len(got))
	}
}

func TestServeFatalDisconnect(t *testing.T) {
	b := newFake()
	b.emit(event.Connecting{Attempt: 1})
	b.emit(event.Disconnected{Message: "wrong password", Code: event.CodeAuth, Fatal: true})
	pr, pw := io.Pipe() // stdin stays open: the fatal event alone ends the run
	defer pw.Close()
	code, out := serve(t, pr, b)
	if code != ExitFatal {
		t.Errorf("exit = %d, want %d", code, ExitFatal)
	}
	if got := eventNames(out.lines(t)); !reflect.DeepEqual(got, []string{"connecting", "disconnected", "closed"}) {
		t.Errorf("events = %v", got)
	}
}

func TestServeNonFatalDisconnectKeepsRunning(t *testing.T) {
	b := newFake()
	b.emit(event.Disconnected{Message: "connection reset", Code: event.CodeNetwork, RetryIn: 2})
	b.emit(event.Connected{JID: "alice@acme.test/x"})
	code, _ := serve(t, strings.NewReader(`{"cmd":"quit"}`+"\n"), b)
	if code != ExitOK {
		t.Errorf("exit = %d, want %d", code, ExitOK)
	}
}

func TestServeContextCancel(t *testing.T) {
	b := newFake()
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- Serve(ctx, pr, io.Discard, b) }()
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("exit = %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve ignored the cancelled context")
	}
}

func TestServeOutputGone(t *testing.T) {
	b := newFake()
	b.emit(event.Connected{JID: "alice@acme.test/x"})
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &recWriter{fail: errors.New("broken pipe")}
	done := make(chan int)
	go func() { done <- Serve(context.Background(), pr, out, b) }()
	select {
	case code := <-done:
		if code != ExitFatal {
			t.Errorf("exit = %d, want %d", code, ExitFatal)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop when output failed")
	}
	if got := b.commands(); len(got) != 1 || got[0] != (event.Quit{}) {
		t.Errorf("commands = %v, want quit", got)
	}
}

func TestServeSessionVanishes(t *testing.T) {
	b := newFake()
	close(b.events)
	pr, pw := io.Pipe()
	defer pw.Close()
	code, out := serve(t, pr, b)
	if code != ExitFatal {
		t.Errorf("exit = %d", code)
	}
	if ls := out.lines(t); len(ls) != 1 || ls[0]["event"] != "error" {
		t.Errorf("events = %v", ls)
	}
}

func TestServeQuitTimeout(t *testing.T) {
	old := QuitTimeout
	QuitTimeout = 50 * time.Millisecond
	defer func() { QuitTimeout = old }()
	b := newFake()
	b.ignoreQuit = true
	code, out := serve(t, strings.NewReader(""), b)
	if code != ExitFatal {
		t.Errorf("exit = %d", code)
	}
	ls := out.lines(t)
	if len(ls) != 1 || !strings.Contains(ls[0]["message"].(string), "did not close") {
		t.Errorf("events = %v", ls)
	}
}

func TestReadLine(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("a\r\n\nb")
	r := newReader(&buf)
	for _, want := range []string{"a", "", "b"} {
		line, tooLong, err := readLine(r)
		if string(line) != want || tooLong {
			t.Fatalf("readLine = %q, %v, %v; want %q", line, tooLong, err, want)
		}
	}
}
