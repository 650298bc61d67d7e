package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
)

// MaxLine is the longest command line accepted on stdin, newline excluded.
const MaxLine = 1 << 20

// QuitTimeout is how long Serve waits for the closed event after asking the
// session to quit before giving up.
var QuitTimeout = 15 * time.Second

// Serve runs the headless protocol against backend b: it reads one JSON
// command per line from in (event.ParseCommand) and writes one JSON event per
// line to out (event.Marshal), each line written in a single Write.
//
//   - A malformed line yields an "error" event with code "bad-command" and
//     the loop goes on. Blank lines are ignored.
//   - End of input, or ctx being done, sends quit to the session.
//   - A fatal "disconnected" event (no automatic retry: bad password,
//     untrusted certificate, no TLS) also sends quit: headless mode has no
//     one to ask for another password.
//   - Serve returns after the "closed" event (or when the session's event
//     channel closes), with ExitOK after a clean quit and ExitFatal after a
//     fatal disconnection, a session that vanished without "closed", a
//     session that did not close within QuitTimeout, or an output error.
func Serve(ctx context.Context, in io.Reader, out io.Writer, b event.Backend) int {
	w := &lineWriter{w: out}
	var quitOnce sync.Once
	quitAsked := make(chan struct{})
	quit := func() {
		quitOnce.Do(func() {
			close(quitAsked)
			go b.Do(event.Quit{})
		})
	}

	// Once Serve returns, nothing may reach the session any more.
	defer quitOnce.Do(func() {})
	stopReading := make(chan struct{})
	defer close(stopReading)
	go readCommands(in, w, b, quit, stopReading)

	fatal := false
	var quitDeadline <-chan time.Time
	ctxDone := ctx.Done()
	events := b.Events()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				w.write(event.Error{Message: "the session ended without a closed event", Code: event.CodeProtocol})
				return ExitFatal
			}
			if err := w.write(ev); err != nil {
				// Nobody reads our output any more: stop the session.
				fatal = true
				quit()
			}
			switch e := ev.(type) {
			case event.Disconnected:
				if e.Fatal {
					fatal = true
					quit()
				}
			case event.Closed:
				if fatal {
					return ExitFatal
				}
				return ExitOK
			}
		case <-ctxDone:
			ctxDone = nil
			quit()
		case <-quitAsked:
			quitAsked = nil
			t := time.NewTimer(QuitTimeout)
			defer t.Stop()
			quitDeadline = t.C
		case <-quitDeadline:
			w.write(event.Error{Message: fmt.Sprintf("the session did not close within %v of quit; exiting anyway", QuitTimeout), Code: event.CodeProtocol})
			return ExitFatal
		}
	}
}

// readCommands feeds the lines of in to b until EOF, then asks to quit.
func readCommands(in io.Reader, w *lineWriter, b event.Backend, quit func(), stop <-chan struct{}) {
	defer quit()
	r := newReader(in)
	for {
		line, tooLong, err := readLine(r)
		select {
		case <-stop:
			return
		default:
		}
		if tooLong {
			w.write(event.Error{Message: fmt.Sprintf("command line longer than %d bytes; ignored", MaxLine), Code: event.CodeBadCommand})
		} else if len(bytes.TrimSpace(line)) > 0 {
			cmd, perr := event.ParseCommand(line)
			if perr != nil {
				w.write(event.Error{Message: "bad command: " + perr.Error(), Code: event.CodeBadCommand, Command: commandName(line)})
			} else {
				if _, isQuit := cmd.(event.Quit); isQuit {
					quit()
					return
				}
				b.Do(cmd)
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				w.write(event.Error{Message: "reading commands: " + err.Error() + "; quitting", Code: event.CodeBadCommand})
			}
			return
		}
	}
}

// readLine returns the next line without its line ending. When the line is
// longer than MaxLine, the rest of it is skipped and tooLong is true. err is
// io.EOF after the last line.
func readLine(r *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > MaxLine+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !tooLong && len(line) > MaxLine {
			tooLong, line = true, nil
		}
		return line, tooLong, err
	}
}

// commandName extracts the "cmd" string of a line that failed to parse, if
// there is one, for the error event's "command" field.
func commandName(line []byte) string {
	var head struct {
		Cmd any `json:"cmd"`
	}
	if json.Unmarshal(line, &head) != nil {
		return ""
	}
	s, _ := head.Cmd.(string)
	return s
}

// lineWriter writes one event per line, serialising the writers, and
// remembers the first write error.
type lineWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (l *lineWriter) write(ev event.Event) error {
	data, err := event.Marshal(ev)
	if err != nil {
		data, _ = event.Marshal(event.Error{Message: fmt.Sprintf("cannot encode %s event: %v", ev.EventName(), err), Code: event.CodeProtocol})
	}
	data = append(data, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	if _, err := l.w.Write(data); err != nil {
		l.err = err
		return err
	}
	if f, ok := l.w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			l.err = err
			return err
		}
	}
	return nil
}

func newReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 64<<10) }
