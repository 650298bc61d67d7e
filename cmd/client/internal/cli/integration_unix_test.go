//go:build unix

package cli

import (
	"syscall"
	"testing"
	"time"
)

func TestIntegrationHeadlessSIGTERM(t *testing.T) {
	srv := prosody(t)
	c := startClient(t, srv.Password, nil, serverArgs(srv, "dave@acme.test", t.TempDir())...)
	c.waitFor("connected", connectTimeout)
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.waitFor("closed", 15*time.Second)
	if code := c.exit(10 * time.Second); code != ExitOK {
		t.Errorf("exit = %d, want %d\n%s", code, ExitOK, c.history())
	}
}

func TestIntegrationHeadlessStdoutClosed(t *testing.T) {
	srv := prosody(t)
	c := startClient(t, srv.Password, nil, serverArgs(srv, "dave@acme.test", t.TempDir())...)
	c.waitFor("connected", connectTimeout)
	// The reader goes away: the next event cannot be written.
	c.stdoutPipe.Close()
	c.send(`{"cmd":"roster"}`)
	if code := c.exit(15 * time.Second); code != ExitFatal {
		t.Errorf("exit = %d, want %d (not killed by SIGPIPE)\n%s", code, ExitFatal, c.history())
	}
}
