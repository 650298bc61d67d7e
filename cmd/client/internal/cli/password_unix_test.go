//go:build unix

package cli

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestReadPasswordFD(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fd, err := syscall.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("correct horse battery staple\n")
	w.Close()
	got, err := ReadPasswordFD(fd)
	if err != nil || got != "correct horse battery staple" {
		t.Fatalf("ReadPasswordFD = %q, %v", got, err)
	}
	// The descriptor was closed after reading.
	if _, err := syscall.Read(fd, make([]byte, 1)); err == nil {
		t.Error("descriptor still open after ReadPasswordFD")
	}
}

func TestReadPasswordFDClosed(t *testing.T) {
	_, err := ReadPasswordFD(987)
	if err == nil || !strings.Contains(err.Error(), "--password-fd 987") {
		t.Fatalf("err = %v", err)
	}
}
