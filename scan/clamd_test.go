package scan

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/internal/testenv"
)

func TestParse(t *testing.T) {
	tests := []struct {
		ans      string
		infected bool
		virus    string
		unavail  bool
	}{
		{"stream: OK", false, "", false},
		{"stream: Eicar-Test-Signature FOUND", true, "Eicar-Test-Signature", false},
		{"stream: eicar.txt.UNOFFICIAL FOUND", true, "eicar.txt.UNOFFICIAL", false},
		{"INSTREAM size limit exceeded. ERROR", false, "", true},
		{"stream: Can't allocate memory ERROR", false, "", true},
		{"UNKNOWN COMMAND", false, "", true},
		{"", false, "", true},
	}
	for _, tt := range tests {
		r, err := parse(tt.ans)
		if tt.unavail {
			if !errors.Is(err, ErrUnavailable) {
				t.Errorf("parse(%q) error = %v, want ErrUnavailable", tt.ans, err)
			}
			continue
		}
		if err != nil || r.Infected != tt.infected || r.Virus != tt.virus {
			t.Errorf("parse(%q) = %+v, %v; want infected=%v virus=%q", tt.ans, r, err, tt.infected, tt.virus)
		}
	}
}

func TestClamd(t *testing.T) {
	d := testenv.StartClamd(t)
	c := &Client{Socket: d.Socket}
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := c.Scan(ctx, strings.NewReader(testenv.EICAR))
	if err != nil || !r.Infected || r.Virus != testenv.EICARName {
		t.Errorf("EICAR: %+v, %v; want infected by %s", r, err, testenv.EICARName)
	}
	// A clean file larger than one chunk.
	big := make([]byte, 3*chunkSize+17)
	rand.Read(big)
	r, err = c.Scan(ctx, bytes.NewReader(big))
	if err != nil || r.Infected {
		t.Errorf("random data: %+v, %v; want clean", r, err)
	}
	// Empty input is clean.
	if r, err := c.Scan(ctx, strings.NewReader("")); err != nil || r.Infected {
		t.Errorf("empty: %+v, %v", r, err)
	}
	// A cancelled scan has no verdict.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Scan(cctx, strings.NewReader("x")); !errors.Is(err, ErrUnavailable) {
		t.Errorf("cancelled scan: %v, want ErrUnavailable", err)
	}
	d.Stop()
	if _, err := c.Scan(ctx, strings.NewReader(testenv.EICAR)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("scanner down: %v, want ErrUnavailable", err)
	}
}

func TestNoSocket(t *testing.T) {
	c := &Client{Socket: filepath.Join(t.TempDir(), "none.sock"), Timeout: time.Second}
	_, err := c.Scan(context.Background(), strings.NewReader("x"))
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "none.sock") {
		t.Errorf("missing socket: %v, want ErrUnavailable naming the socket", err)
	}
	if err := c.Ping(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Ping: %v", err)
	}
}

// errReader fails after some bytes: a file that cannot be read is not an
// unavailable scanner.
type errReader struct{ n int }

func (e *errReader) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.ErrClosedPipe
	}
	n := min(len(p), e.n)
	e.n -= n
	return n, nil
}

func TestReadError(t *testing.T) {
	d := testenv.StartClamd(t)
	c := &Client{Socket: d.Socket}
	_, err := c.Scan(context.Background(), &errReader{n: 10})
	if err == nil || errors.Is(err, ErrUnavailable) || !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("read error: %v, want the reader's error", err)
	}
}

func BenchmarkScan10MB(b *testing.B) {
	d := testenv.StartClamd(b)
	c := &Client{Socket: d.Socket}
	data := make([]byte, 10<<20)
	rand.Read(data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := c.Scan(context.Background(), bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
