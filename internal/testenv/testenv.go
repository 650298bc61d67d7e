package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DemoPassword is the password of every standard user.
const DemoPassword = "palisade-demo"

// Users are the bare JIDs registered on every server, all with DemoPassword.
var Users = []string{
	"alice@acme.test",
	"bob@acme.test",
	"dave@acme.test",
	"it-admin@acme.test",
	"carol@partner.test",
	"mallory@evil.test",
}

// Server is a running private XMPP server.
type Server struct {
	Kind          string // "prosody", "prosody-plain" or "ejabberd"
	Dir           string // holds config, certificates, data and logs
	Addr          string // host:port for c2s with STARTTLS (plaintext only for PlainProsody)
	DirectTLSAddr string // host:port for c2s with direct TLS (XEP-0368); empty for PlainProsody
	HTTPSAddr     string // host:port of the HTTPS listener (file upload); empty for PlainProsody
	CAFile        string // PEM file of the local CA that signed the server certificate
	Domain        string // main domain: "acme.test"
	Password      string // password of the standard users
	Users         []string

	// UploadService is the JID of the HTTP upload component; MUCService and
	// PubSubService are the group chat and publish-subscribe services.
	UploadService string
	MUCService    string
	PubSubService string

	// StartTime is how long the server took to start (config, certificates,
	// users, until the port accepted connections).
	StartTime time.Duration

	cfg      string
	apiAddr  string
	cmd      *exec.Cmd
	done     chan struct{}
	stopOnce sync.Once
	stopErr  error
	stopFn   func() error
	cleanDir bool
}

// Stop stops the server and waits for it to exit. It is safe to call more
// than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.stopFn != nil {
			s.stopErr = s.stopFn()
		}
		if s.cleanDir && s.Dir != "" && os.Getenv("PALISADE_KEEP_TESTENV") == "" {
			os.RemoveAll(s.Dir)
		}
	})
	return s.stopErr
}

// Log returns the tail of the server's log files, for failure messages.
func (s *Server) Log() string {
	var b strings.Builder
	for _, name := range []string{"prosody.log", "stdout.log", "logs/ejabberd.log", "logs/error.log"} {
		data, err := os.ReadFile(filepath.Join(s.Dir, name))
		if err != nil {
			continue
		}
		if len(data) > 8000 {
			data = data[len(data)-8000:]
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", name, data)
	}
	return b.String()
}

// ScriptsDir returns the top-level testenv/ directory holding the scripts and
// templates. PALISADE_TESTENV_DIR overrides the lookup.
func ScriptsDir() (string, error) {
	if d := os.Getenv("PALISADE_TESTENV_DIR"); d != "" {
		return d, nil
	}
	ok := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "prosody.sh"))
		return err == nil
	}
	if _, file, _, found := runtime.Caller(0); found {
		d := filepath.Join(filepath.Dir(file), "..", "..", "testenv")
		if ok(d) {
			return filepath.Clean(d), nil
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if ok(filepath.Join(d, "testenv")) {
				return filepath.Join(d, "testenv"), nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", errors.New("testenv: cannot find the testenv/ directory (set PALISADE_TESTENV_DIR)")
}

// freePorts returns n distinct free TCP ports on 127.0.0.1. Another process
// may grab one before the server binds it; callers retry on failure.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// waitPort waits until addr accepts TCP connections, the process exits, or
// the timeout elapses.
func waitPort(addr string, done <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("server exited before listening on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not accepting connections after %v", addr, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// run runs a command and returns its combined output in the error.
func run(env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}

// startDaemon starts a long-running server process that dies with the test
// binary.
func startDaemon(dir string, env []string, name string, args ...string) (*exec.Cmd, chan struct{}, error) {
	return startDaemonAs(dir, env, nil, name, args...)
}

// startDaemonAs is startDaemon with other credentials (nil: the same).
func startDaemonAs(dir string, env []string, cred *syscall.Credential, name string, args ...string) (*exec.Cmd, chan struct{}, error) {
	out, err := os.OpenFile(filepath.Join(dir, "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
	// Pdeathsig fires when the thread that started the child exits, not the
	// process; keep that thread locked (hence alive) until the child is gone.
	started := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			out.Close()
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		out.Close()
		close(done)
	}()
	if err := <-started; err != nil {
		return nil, nil, err
	}
	return cmd, done, nil
}

// detached puts a helper process in its own process group, so that it
// survives this process.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// stopDaemon sends SIGTERM to the process group, then SIGKILL after grace.
func stopDaemon(cmd *exec.Cmd, done chan struct{}, grace time.Duration) error {
	if cmd == nil || cmd.Process == nil {
		return nil
	}
	pgid := cmd.Process.Pid
	if grace > 0 {
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-done:
			return nil
		case <-time.After(grace):
		}
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	<-done
	return nil
}

func missing(bin string) error {
	return fmt.Errorf("%s not installed: run `make deps`", bin)
}

// must turns a (server, error) pair into a test fatal error, and stops the
// server at the end of the test.
func must(tb testing.TB, s *Server, err error) *Server {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			log := s.Log()
			if len(log) > 3000 {
				log = "…" + log[len(log)-3000:]
			}
			tb.Logf("%s server in %s (PALISADE_KEEP_TESTENV=1 keeps it), log tail:\n%s", s.Kind, s.Dir, log)
		}
		if err := s.Stop(); err != nil {
			tb.Logf("stopping %s: %v", s.Kind, err)
		}
	})
	return s
}

// debugf logs when PALISADE_TESTENV_DEBUG is set.
func debugf(format string, args ...any) {
	if os.Getenv("PALISADE_TESTENV_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "testenv: "+format+"\n", args...)
	}
}
