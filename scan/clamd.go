package scan

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/palisade-im/palisade/l10n"
)

// DefaultSocket is where Debian's clamav-daemon listens.
const DefaultSocket = "/run/clamav/clamd.ctl"

// chunkSize is the size of INSTREAM chunks.
const chunkSize = 64 * 1024

// ErrUnavailable is wrapped by every error that leaves a file without a verdict.
var ErrUnavailable = errors.New("the virus scanner is unavailable")

// Result is a verdict.
type Result struct {
	Infected bool
	Virus    string // the signature name, when infected
	Answer   string // clamd's answer, e.g. "stream: OK"
}

// Client talks to one clamd socket. The zero value uses DefaultSocket.
type Client struct {
	Socket  string        // Unix socket path; "" = DefaultSocket
	Timeout time.Duration // per scan; 0 = 2 minutes
	// Lang is the user's language of the errors' details (what went
	// wrong with clamd); the zero value is English. ErrUnavailable itself
	// stays as it is, for errors.Is.
	Lang l10n.Lang
}

func (c *Client) socket() string {
	if c.Socket == "" {
		return DefaultSocket
	}
	return c.Socket
}

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.socket())
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, c.Lang.T("cannot reach clamd at {{.Socket}} ({{.Err}})", l10n.Args{"Socket": c.socket(), "Err": unwrapOp(err).Error()}))
	}
	t := c.Timeout
	if t == 0 {
		t = 2 * time.Minute
	}
	dl := time.Now().Add(t)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	conn.SetDeadline(dl)
	return conn, nil
}

// Ping checks that clamd answers.
func (c *Client) Ping(ctx context.Context) error {
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	ans, err := readAnswerIn(c.Lang, conn)
	if err != nil {
		return err
	}
	if ans != "PONG" {
		return fmt.Errorf("%w: %s", ErrUnavailable, c.Lang.T("clamd answered {{.Answer}} to PING", l10n.Args{"Answer": strconv.Quote(ans)}))
	}
	return nil
}

// Scan streams r to clamd and returns its verdict. Cancelling ctx aborts
// the scan (an ErrUnavailable error).
func (c *Client) Scan(ctx context.Context, r io.Reader) (Result, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	fail := func(err error) (Result, error) {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	w := bufio.NewWriterSize(conn, chunkSize+4)
	if _, err := w.WriteString("zINSTREAM\x00"); err != nil {
		return fail(err)
	}
	buf := make([]byte, chunkSize)
	var hdr [4]byte
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			binary.BigEndian.PutUint32(hdr[:], uint32(n))
			w.Write(hdr[:])
			if _, err := w.Write(buf[:n]); err != nil {
				// clamd closes the connection when a limit is exceeded;
				// its answer says which.
				if ans, aerr := readAnswer(conn); aerr == nil {
					return Result{}, fmt.Errorf("%w: clamd: %s", ErrUnavailable, ans)
				}
				return fail(err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return Result{}, fmt.Errorf("%s: %w", c.Lang.T("reading the file to scan"), rerr)
		}
	}
	binary.BigEndian.PutUint32(hdr[:], 0)
	w.Write(hdr[:])
	if err := w.Flush(); err != nil {
		if ans, aerr := readAnswer(conn); aerr == nil {
			return Result{}, fmt.Errorf("%w: clamd: %s", ErrUnavailable, ans)
		}
		return fail(err)
	}
	ans, err := readAnswerIn(c.Lang, conn)
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		return Result{}, err
	}
	return parseIn(c.Lang, ans)
}

// parse reads an INSTREAM answer: "stream: OK", "stream: NAME FOUND", or
// "... ERROR".
func parse(ans string) (Result, error) { return parseIn(l10n.English, ans) }

// parseIn is parse with its error's details in the language l.
func parseIn(l l10n.Lang, ans string) (Result, error) {
	s := strings.TrimPrefix(ans, "stream: ")
	switch {
	case s == "OK":
		return Result{Answer: ans}, nil
	case strings.HasSuffix(s, " FOUND"):
		v := strings.TrimSpace(strings.TrimSuffix(s, " FOUND"))
		if v == "" {
			v = "unknown malware"
		}
		return Result{Infected: true, Virus: v, Answer: ans}, nil
	case strings.HasSuffix(s, " ERROR"):
		return Result{Answer: ans}, fmt.Errorf("%w: clamd: %s", ErrUnavailable, strings.TrimSuffix(s, " ERROR"))
	}
	return Result{Answer: ans}, fmt.Errorf("%w: %s", ErrUnavailable, l.T("clamd gave an unexpected answer {{.Answer}}", l10n.Args{"Answer": strconv.Quote(ans)}))
}

// readAnswer reads one NUL-terminated answer (z-commands).
func readAnswer(conn net.Conn) (string, error) { return readAnswerIn(l10n.English, conn) }

// readAnswerIn is readAnswer with its error's details in the language l.
func readAnswerIn(l l10n.Lang, conn net.Conn) (string, error) {
	r := bufio.NewReader(io.LimitReader(conn, 4096))
	s, err := r.ReadString(0)
	if err != nil && (err != io.EOF || s == "") {
		return "", fmt.Errorf("%w: %s", ErrUnavailable, l.T("no answer from clamd ({{.Err}})", l10n.Args{"Err": unwrapOp(err).Error()}))
	}
	return strings.TrimSpace(strings.TrimRight(s, "\x00")), nil
}

func unwrapOp(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}
