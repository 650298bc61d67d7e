package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// EICAR is the standard anti-virus test file (68 bytes). It is harmless;
// every scanner reports it as infected. The private clamd started by
// StartClamd knows exactly this file, through a custom MD5 hash signature.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// EICARName is the name clamd reports for EICAR ("<name> FOUND"): the
// signature is named after the file sigtool hashed, and clamd adds
// ".UNOFFICIAL" to signatures outside the official databases.
const EICARName = "eicar.txt.UNOFFICIAL"

// Clamd is a private ClamAV daemon listening on a Unix socket only (no TCP
// listener), with a database directory holding a single custom signature:
// the MD5 of EICAR, made with `sigtool --md5`. No signature download is
// needed (or possible here); real installations use the normal updates.
type Clamd struct {
	Dir    string // config, database, socket and log
	Socket string // the Unix socket clamd listens on

	conf string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartClamd starts a private clamd and stops it at the end of the test.
// A missing clamd or sigtool fails the test ("run `make deps`").
func StartClamd(tb testing.TB) *Clamd {
	tb.Helper()
	c, err := NewClamd(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			if b, err := os.ReadFile(filepath.Join(c.Dir, "clamd.log")); err == nil {
				if len(b) > 1500 {
					b = b[len(b)-1500:]
				}
				tb.Logf("clamd log (end):\n%s", b)
			}
		}
		c.Stop()
	})
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	return c
}

// NewClamd prepares a clamd in dir (configuration and the EICAR signature)
// without starting it.
func NewClamd(dir string) (*Clamd, error) {
	if _, err := clamdBin(); err != nil {
		return nil, err
	}
	sigtool, err := exec.LookPath("sigtool")
	if err != nil {
		return nil, missing("sigtool (Debian package clamav)")
	}
	db := filepath.Join(dir, "db")
	if err := os.MkdirAll(db, 0o700); err != nil {
		return nil, err
	}
	// sigtool names the signature after the file it hashes.
	sample := filepath.Join(dir, "eicar.txt")
	if err := os.WriteFile(sample, []byte(EICAR), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(sigtool, "--md5", "eicar.txt")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	sig, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("sigtool --md5: %v: %s", err, stderr.String())
	}
	if err := os.WriteFile(filepath.Join(db, "test.hdb"), sig, 0o600); err != nil {
		return nil, err
	}
	os.Remove(sample)
	// The socket path must stay short (sun_path is 108 bytes).
	sock := filepath.Join(dir, "clamd.sock")
	if len(sock) > 100 {
		return nil, fmt.Errorf("clamd socket path too long: %s", sock)
	}
	conf := filepath.Join(dir, "clamd.conf")
	text := fmt.Sprintf(`# private clamd for tests: Unix socket only, no TCP listener
LocalSocket %s
LocalSocketMode 600
DatabaseDirectory %s
Foreground yes
LogFile %s
PidFile %s
TemporaryDirectory %s
StreamMaxLength 200M
MaxFileSize 200M
MaxScanSize 400M
`, sock, db, filepath.Join(dir, "clamd.log"), filepath.Join(dir, "clamd.pid"), dir)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return nil, err
	}
	return &Clamd{Dir: dir, Socket: sock, conf: conf}, nil
}

// Start starts (or restarts after Stop) the daemon and waits until it
// answers PING on its socket.
func (c *Clamd) Start() error {
	if c.cmd != nil {
		return errors.New("clamd already running")
	}
	bin, err := clamdBin()
	if err != nil {
		return err
	}
	os.Remove(c.Socket)
	cmd, done, err := startDaemon(c.Dir, nil, bin, "--config-file="+c.conf)
	if err != nil {
		return fmt.Errorf("starting clamd: %w", err)
	}
	c.cmd, c.done = cmd, done
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			c.cmd = nil
			return fmt.Errorf("clamd exited at start; see %s", filepath.Join(c.Dir, "clamd.log"))
		default:
		}
		if c.ping() == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.Stop()
	return fmt.Errorf("clamd did not answer on %s within 30 s", c.Socket)
}

func (c *Clamd) ping() error {
	conn, err := net.DialTimeout("unix", c.Socket, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return err
	}
	buf := make([]byte, 16)
	n, err := conn.Read(buf)
	if err != nil {
		return err
	}
	if string(bytes.TrimRight(buf[:n], "\x00\n")) != "PONG" {
		return fmt.Errorf("clamd answered %q to PING", buf[:n])
	}
	return nil
}

// Stop stops the daemon (the scanner is then unavailable); Start starts it
// again.
func (c *Clamd) Stop() {
	if c.cmd == nil {
		return
	}
	stopDaemon(c.cmd, c.done, 5*time.Second)
	c.cmd = nil
	os.Remove(c.Socket)
}

// clamdBin finds clamd: Debian puts it in /usr/sbin, outside a user's PATH.
func clamdBin() (string, error) {
	if _, err := os.Stat("/usr/sbin/clamd"); err == nil {
		return "/usr/sbin/clamd", nil
	}
	if p, err := exec.LookPath("clamd"); err == nil {
		return p, nil
	}
	return "", missing("clamd (Debian package clamav-daemon)")
}
