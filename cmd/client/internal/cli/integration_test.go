package cli

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/keystore"
)

// These tests run the headless client (built with -tags nogui, so no cgo
// or display is needed) against a private Prosody from internal/testenv.

var (
	prosodyOnce sync.Once
	prosodySrv  *testenv.Server
	prosodyErr  error

	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if prosodySrv != nil {
		prosodySrv.Stop()
	}
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// prosody returns the server shared by this test binary.
func prosody(t *testing.T) *testenv.Server {
	t.Helper()
	prosodyOnce.Do(func() { prosodySrv, prosodyErr = testenv.StartProsody("") })
	if prosodyErr != nil {
		t.Fatal(prosodyErr)
	}
	return prosodySrv
}

// clientBinary builds cmd/client without the GUI, once per test binary.
func clientBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		binaryDir, binaryErr = os.MkdirTemp("", "palisade-client-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "client")
		if runtime.GOOS == "windows" {
			binaryPath += ".exe"
		}
		out, err := exec.Command(goTool, "build", "-tags", "nogui", "-o", binaryPath, "github.com/palisade-im/palisade/cmd/client").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("building the client: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// newUser registers a fresh account with a random password, so that the
// password's bytes are unmistakable when searching files for it.
func newUser(t *testing.T, srv *testenv.Server) (jid, password string) {
	t.Helper()
	b := make([]byte, 12)
	rand.Read(b)
	local := "it-" + hex.EncodeToString(b[:4])
	password = "Pw-" + hex.EncodeToString(b[4:]) + "-ünï"
	srv.AddUser(t, local, srv.Domain, password)
	return local + "@" + srv.Domain, password
}

// client is a running headless client.
type client struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	// stdoutPipe is the read end of the client's stdout.
	stdoutPipe io.ReadCloser
	lines      chan map[string]any
	mu         sync.Mutex
	seen       []string // raw event lines, for failure messages
	stderr     bytes.Buffer
	exited     chan struct{}
	code       int
}

// startClient runs the binary with args. A non-empty password is given on
// descriptor 3 (--password-fd 3 is added).
func startClient(t *testing.T, password string, env []string, args ...string) *client {
	t.Helper()
	c := &client{t: t, lines: make(chan map[string]any, 1000), exited: make(chan struct{})}
	if password != "" {
		args = append(args, "--password-fd", "3")
	}
	c.cmd = exec.Command(clientBinary(t), args...)
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stderr = &c.stderr
	if password != "" {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { io.WriteString(w, password+"\n"); w.Close() }()
		c.cmd.ExtraFiles = []*os.File{r}
		defer r.Close()
	}
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdoutPipe = stdout
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 4<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"event": "<not JSON>", "line": sc.Text()}
			}
			c.mu.Lock()
			c.seen = append(c.seen, sc.Text())
			c.mu.Unlock()
			c.lines <- m
		}
		close(c.lines)
		err := c.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			c.code = ee.ExitCode()
		} else if err != nil {
			c.code = -1
		}
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			c.cmd.Process.Kill()
			<-c.exited
		}
	})
	return c
}

func (c *client) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.t.Fatalf("writing %s: %v", line, err)
	}
}

func (c *client) history() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.seen, "\n") + "\nstderr:\n" + c.stderr.String()
}

// waitFor returns the next event named name, failing on a fatal
// disconnection, the end of output or the timeout.
func (c *client) waitFor(name string, timeout time.Duration) map[string]any {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("client exited while waiting for %q; events so far:\n%s", name, c.history())
			}
			if m["event"] == name {
				return m
			}
			if m["event"] == "disconnected" && m["fatal"] == true && name != "disconnected" {
				c.t.Fatalf("fatal disconnection while waiting for %q:\n%s", name, c.history())
			}
		case <-deadline:
			c.t.Fatalf("no %q event within %v; events so far:\n%s", name, timeout, c.history())
		}
	}
}

// exit waits for the process to end and returns its status.
func (c *client) exit(timeout time.Duration) int {
	c.t.Helper()
	go func() {
		for range c.lines {
		}
	}()
	select {
	case <-c.exited:
		return c.code
	case <-time.After(timeout):
		c.t.Fatalf("client did not exit within %v:\n%s", timeout, c.history())
		return 0
	}
}

func serverArgs(srv *testenv.Server, jid, dataDir string) []string {
	return []string{"--headless", "--jid", jid, "--server", srv.Addr, "--ca-file", srv.CAFile, "--data-dir", dataDir}
}

const connectTimeout = 30 * time.Second

func TestIntegrationHeadlessChat(t *testing.T) {
	srv := prosody(t)
	aliceDir, bobDir := t.TempDir(), t.TempDir()
	bob := startClient(t, srv.Password, nil, serverArgs(srv, "bob@acme.test", bobDir)...)
	bob.waitFor("connected", connectTimeout)
	bob.send(`{"cmd":"presence","show":"available"}`)

	alice := startClient(t, srv.Password, nil, serverArgs(srv, "alice@acme.test", aliceDir)...)
	conn := alice.waitFor("connected", connectTimeout)
	if j, _ := conn["jid"].(string); !strings.HasPrefix(j, "alice@acme.test/") {
		t.Errorf("connected jid = %v", conn["jid"])
	}
	alice.send(`{"cmd":"roster"}`)
	roster := alice.waitFor("roster", connectTimeout)
	if !strings.Contains(fmt.Sprint(roster["contacts"]), "bob@acme.test") {
		t.Errorf("alice's roster lacks bob: %v", roster)
	}
	alice.send(`this is not a command`)
	e := alice.waitFor("error", 5*time.Second)
	if e["code"] != event.CodeBadCommand {
		t.Errorf("error event = %v", e)
	}
	alice.send(`{"cmd":"send","to":"bob@acme.test","body":"hello from the headless test","id":"itest-1"}`)
	sent := alice.waitFor("sent", 10*time.Second)
	if sent["id"] != "itest-1" {
		t.Errorf("sent = %v", sent)
	}
	msg := bob.waitFor("message", 20*time.Second)
	if msg["body"] != "hello from the headless test" || !strings.HasPrefix(fmt.Sprint(msg["from"]), "alice@acme.test") {
		t.Errorf("bob got %v", msg)
	}

	alice.send(`{"cmd":"quit"}`)
	alice.waitFor("closed", 15*time.Second)
	if code := alice.exit(10 * time.Second); code != ExitOK {
		t.Errorf("alice exit = %d, want %d\n%s", code, ExitOK, alice.history())
	}
	// End of input quits cleanly too.
	bob.stdin.Close()
	bob.waitFor("closed", 15*time.Second)
	if code := bob.exit(10 * time.Second); code != ExitOK {
		t.Errorf("bob exit = %d, want %d\n%s", code, ExitOK, bob.history())
	}
	assertNoSecret(t, aliceDir, srv.Password, 0)
}

func TestIntegrationHeadlessWrongPassword(t *testing.T) {
	srv := prosody(t)
	c := startClient(t, "not-the-password", nil, serverArgs(srv, "alice@acme.test", t.TempDir())...)
	d := c.waitFor("disconnected", connectTimeout)
	if d["fatal"] != true || d["code"] != event.CodeAuth {
		t.Errorf("disconnected = %v, want fatal with code %q", d, event.CodeAuth)
	}
	c.waitFor("closed", 15*time.Second)
	if code := c.exit(10 * time.Second); code != ExitFatal {
		t.Errorf("exit = %d, want %d", code, ExitFatal)
	}
}

func TestIntegrationHeadlessUntrustedCertificate(t *testing.T) {
	srv := prosody(t)
	c := startClient(t, srv.Password, nil, "--headless", "--jid", "alice@acme.test", "--server", srv.Addr, "--data-dir", t.TempDir())
	d := c.waitFor("disconnected", connectTimeout)
	if d["fatal"] != true || d["code"] != event.CodeTLSUntrusted {
		t.Errorf("disconnected = %v, want fatal with code %q", d, event.CodeTLSUntrusted)
	}
	if code := c.exit(20 * time.Second); code != ExitFatal {
		t.Errorf("exit = %d, want %d", code, ExitFatal)
	}
}

func TestIntegrationHeadlessNoPassword(t *testing.T) {
	// No fd and no reachable keyring (no session bus for the child).
	c := startClient(t, "", []string{"DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR=" + t.TempDir(), "PALISADE_REAL_KEYRING="},
		"--headless", "--jid", "alice@acme.test", "--data-dir", t.TempDir())
	code := c.exit(10 * time.Second)
	if code != ExitConfig {
		t.Errorf("exit = %d, want %d", code, ExitConfig)
	}
	if !strings.Contains(c.stderr.String(), "no password for alice@acme.test") {
		t.Errorf("stderr = %q", c.stderr.String())
	}
}

func TestIntegrationUsage(t *testing.T) {
	c := startClient(t, "", nil, "--headless", "--jid", "alice@acme.test", "--password", "hunter2")
	if code := c.exit(10 * time.Second); code != ExitUsage {
		t.Errorf("exit = %d, want %d", code, ExitUsage)
	}
}

// TestIntegrationNoPasswordInDataDir signs in the two ways a password can
// reach the client, the headless password fd and the GUI's sign-in form with
// "remember me", and then searches every file under the data directory for
// the password.
func TestIntegrationNoPasswordInDataDir(t *testing.T) {
	srv := prosody(t)

	t.Run("headless", func(t *testing.T) {
		jid, pw := newUser(t, srv)
		dir := t.TempDir()
		c := startClient(t, pw, nil, serverArgs(srv, jid, dir)...)
		// Sent before the stream is up, so that it may go through the
		// persisted outbox.
		c.send(`{"cmd":"send","to":"bob@acme.test","body":"queued for the record"}`)
		c.waitFor("connected", connectTimeout)
		c.send(`{"cmd":"send","to":"bob@acme.test","body":"sent online"}`)
		c.waitFor("sent", 10*time.Second)
		c.send(`{"cmd":"quit"}`)
		c.waitFor("closed", 15*time.Second)
		if code := c.exit(10 * time.Second); code != ExitOK {
			t.Fatalf("exit = %d", code)
		}
		if strings.Contains(c.history(), pw) {
			t.Error("the password appeared on the client's output")
		}
		assertNoSecret(t, dir, pw, 0)
	})

	t.Run("sign-in form with remember me", func(t *testing.T) {
		jid, pw := newUser(t, srv)
		dir := t.TempDir()
		store := keystore.Store(keystore.NewMemory())
		l := &Launcher{DataDir: dir, Store: store}
		b, err := l.Connect(SignIn{JID: jid, Password: pw, Remember: true, Server: srv.Addr, CAFile: srv.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		waitEvent(t, b, "connected", connectTimeout)
		if got, err := store.Get(jid); got != pw || err != nil {
			t.Errorf("remembered password = %q, %v", got, err)
		}
		b.Do(event.Quit{})
		waitEvent(t, b, "closed", 15*time.Second)
		if s, err := account.Load(dir); err != nil || s.JID != jid || !s.Remember {
			t.Errorf("settings = %+v, %v", s, err)
		}
		assertNoSecret(t, dir, pw, 1)
	})
}

func waitEvent(t *testing.T, b event.Backend, name string, timeout time.Duration) event.Event {
	t.Helper()
	deadline := time.After(timeout)
	var seen []string
	for {
		select {
		case ev, ok := <-b.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %q; seen %v", name, seen)
			}
			line, _ := event.Marshal(ev)
			seen = append(seen, string(line))
			if ev.EventName() == name {
				return ev
			}
			if d, ok := ev.(event.Disconnected); ok && d.Fatal {
				t.Fatalf("fatal disconnection while waiting for %q: %v", name, seen)
			}
		case <-deadline:
			t.Fatalf("no %q within %v; seen %v", name, timeout, seen)
		}
	}
}

// assertNoSecret fails if any file under dir holds the password, plainly or
// in a common encoding. minFiles is how many files the walk must at least
// have seen, so that an empty directory does not pass by accident.
func assertNoSecret(t *testing.T, dir, password string, minFiles int) {
	t.Helper()
	needles := [][]byte{
		[]byte(password),
		[]byte(base64.StdEncoding.EncodeToString([]byte(password))),
		[]byte(base64.RawStdEncoding.EncodeToString([]byte(password))),
		[]byte(hex.EncodeToString([]byte(password))),
	}
	if q, err := json.Marshal(password); err == nil {
		needles = append(needles, q[1:len(q)-1]) // JSON-escaped form
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(d.Name(), password) {
			t.Errorf("a file name under the data dir contains the password: %s", path)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(data, n) || bytes.Contains(bytes.ToLower(data), bytes.ToLower(n)) {
				t.Errorf("%s contains the password (as %q)", path, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < minFiles {
		t.Errorf("the data dir holds %d files, expected at least %d", files, minFiles)
	}
	t.Logf("searched %d files under the data dir for the password", files)
}
