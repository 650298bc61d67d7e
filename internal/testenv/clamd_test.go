package testenv

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// instream scans data over the socket with clamd's INSTREAM command.
func instream(t *testing.T, sock string, data []byte) string {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var b bytes.Buffer
	b.WriteString("zINSTREAM\x00")
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.Write(data)
	binary.Write(&b, binary.BigEndian, uint32(0))
	if _, err := c.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(string(buf[:n]), "\x00")
}

func TestClamdFindsEICAR(t *testing.T) {
	c := StartClamd(t)
	if got, want := instream(t, c.Socket, []byte(EICAR)), "stream: "+EICARName+" FOUND"; got != want {
		t.Errorf("EICAR: clamd answered %q, want %q", got, want)
	}
	if got := instream(t, c.Socket, []byte("hello, not a virus")); got != "stream: OK" {
		t.Errorf("clean data: clamd answered %q, want stream: OK", got)
	}
	// Unix socket only: no TCP listener is configured.
	conf, err := os.ReadFile(c.conf)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(conf, []byte("TCPSocket")) || bytes.Contains(conf, []byte("TCPAddr")) {
		t.Errorf("clamd configuration has a TCP listener:\n%s", conf)
	}
	c.Stop()
	if _, err := net.Dial("unix", c.Socket); err == nil {
		t.Error("the socket still answers after Stop")
	}
	if err := c.Start(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if got := instream(t, c.Socket, []byte("again")); got != "stream: OK" {
		t.Errorf("after restart: clamd answered %q", got)
	}
}
