package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/session"
)

// harness runs Main with fakes and records what reached the session.
type harness struct {
	store    keystore.Store
	storeErr error
	fdPass   map[int]string
	cfg      *session.Config
	backend  *fakeBackend
	started  chan *fakeBackend
	gui      *GUI
	stdin    io.Reader
	stdout   bytes.Buffer
	stderr   bytes.Buffer
}

func newHarness() *harness {
	return &harness{store: keystore.NewMemory(), fdPass: map[int]string{}, stdin: strings.NewReader(""), started: make(chan *fakeBackend, 1)}
}

func (h *harness) run(args ...string) int {
	env := Env{
		Stdin: h.stdin, Stdout: &h.stdout, Stderr: &h.stderr,
		OpenStore: func() (keystore.Store, error) { return h.store, h.storeErr },
		ReadFD: func(fd int) (string, error) {
			p, ok := h.fdPass[fd]
			if !ok {
				return "", errors.New("bad file descriptor")
			}
			return p, nil
		},
		Start: func(c session.Config) (event.Backend, error) {
			h.cfg = &c
			h.backend = newFake()
			h.started <- h.backend
			return h.backend, nil
		},
		RunGUI:  func(g GUI) int { h.gui = &g; return ExitOK },
		Signals: context.Background(),
	}
	return Main(args, env)
}

func TestMainHeadlessWithPasswordFD(t *testing.T) {
	h := newHarness()
	h.fdPass[3] = "fd-secret"
	dir := filepath.Join(t.TempDir(), "data")
	h.stdin = strings.NewReader(`{"cmd":"roster"}` + "\n" + `{"cmd":"quit"}` + "\n")
	code := h.run("--headless", "--jid", "alice@acme.test", "--password-fd", "3", "--server", "127.0.0.1:15222", "--ca-file", "/ca.pem", "--direct-tls", "--data-dir", dir)
	if code != ExitOK {
		t.Fatalf("exit = %d, stderr %s", code, h.stderr.String())
	}
	c := h.cfg
	if c.JID != "alice@acme.test" || c.Server != "127.0.0.1:15222" || c.CAFile != "/ca.pem" || !c.DirectTLS || c.DataDir != dir {
		t.Errorf("config = %+v", c)
	}
	if pw, err := c.Password(); pw != "fd-secret" || err != nil {
		t.Errorf("Password() = %q, %v", pw, err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("data dir not created: %v", err)
	}
	if got := h.backend.commands(); len(got) != 2 {
		t.Errorf("commands = %v", got)
	}
	if !strings.Contains(h.stdout.String(), `{"event":"closed"}`) {
		t.Errorf("stdout = %q", h.stdout.String())
	}
	// Headless mode does not write account settings.
	if _, err := os.Stat(account.Path(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("headless mode wrote %s", account.Path(dir))
	}
}

func TestMainHeadlessWithKeyring(t *testing.T) {
	h := newHarness()
	h.store.Set("alice@acme.test", "kr-secret")
	code := h.run("--headless", "--jid", "alice@acme.test", "--data-dir", t.TempDir())
	if code != ExitOK {
		t.Fatalf("exit = %d, stderr %s", code, h.stderr.String())
	}
	if pw, _ := h.cfg.Password(); pw != "kr-secret" {
		t.Errorf("Password() = %q", pw)
	}
}

func TestMainHeadlessNoPassword(t *testing.T) {
	h := newHarness()
	code := h.run("--headless", "--jid", "alice@acme.test", "--data-dir", t.TempDir())
	if code != ExitConfig || h.cfg != nil {
		t.Fatalf("exit = %d, session started: %v", code, h.cfg != nil)
	}
	for _, want := range []string{"no password for alice@acme.test", "none in the system keyring", "--password-fd 3 3<passfile"} {
		if !strings.Contains(h.stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", h.stderr.String(), want)
		}
	}

	h = newHarness()
	h.storeErr = &keystore.UnavailableError{Reason: "Secret Service not running"}
	code = h.run("--headless", "--jid", "alice@acme.test", "--data-dir", t.TempDir())
	if code != ExitConfig || !strings.Contains(h.stderr.String(), "no system keyring is available (Secret Service not running)") {
		t.Fatalf("exit = %d, stderr %q", code, h.stderr.String())
	}

	h = newHarness()
	code = h.run("--headless", "--jid", "alice@acme.test", "--password-fd", "7", "--data-dir", t.TempDir())
	if code != ExitConfig || !strings.Contains(h.stderr.String(), "bad file descriptor") {
		t.Fatalf("exit = %d, stderr %q", code, h.stderr.String())
	}
}

func TestMainUsage(t *testing.T) {
	for _, args := range [][]string{{"--headless"}, {"--password", "x"}, {"--headless", "--jid", "x"}} {
		h := newHarness()
		if code := h.run(args...); code != ExitUsage {
			t.Errorf("%q: exit = %d, want %d", args, code, ExitUsage)
		}
	}
	h := newHarness()
	if code := h.run("-h"); code != ExitOK {
		t.Errorf("-h: exit = %d", code)
	}
}

func TestMainHeadlessFatal(t *testing.T) {
	h := newHarness()
	h.fdPass[3] = "wrong"
	pr, pw := io.Pipe()
	defer pw.Close()
	h.stdin = pr
	done := make(chan int)
	go func() {
		done <- h.run("--headless", "--jid", "alice@acme.test", "--password-fd", "3", "--data-dir", t.TempDir())
	}()
	deadline := time.After(5 * time.Second)
	var fb *fakeBackend
	select {
	case fb = <-h.started:
	case <-deadline:
		t.Fatal("session not started")
	}
	fb.emit(event.Disconnected{Message: "The server rejected the password for alice@acme.test.", Code: event.CodeAuth, Fatal: true})
	select {
	case code := <-done:
		if code != ExitFatal {
			t.Errorf("exit = %d, want %d", code, ExitFatal)
		}
	case <-deadline:
		t.Fatal("no exit after a fatal disconnection")
	}
}

func TestMainGUIPrefill(t *testing.T) {
	dir := t.TempDir()
	saved := account.Settings{JID: "alice@acme.test", Server: "xmpp.acme.test:5222", CAFile: "/ca.pem", Remember: true}
	if err := account.Save(dir, saved); err != nil {
		t.Fatal(err)
	}

	// Saved settings, password in the keyring: sign in at once.
	h := newHarness()
	h.store.Set("alice@acme.test", "kr-secret")
	if code := h.run("--data-dir", dir); code != ExitOK {
		t.Fatal(code)
	}
	g := h.gui
	want := SignIn{JID: "alice@acme.test", Server: "xmpp.acme.test:5222", CAFile: "/ca.pem", Remember: true}
	if g.Prefill != want || !g.AutoSignIn || g.Notice != "" {
		t.Errorf("gui = %+v, want prefill %+v and auto sign-in", g, want)
	}

	// Flags override the saved values; no password: the form waits.
	h = newHarness()
	h.run("--data-dir", dir, "--server", "other:5223", "--direct-tls")
	want = SignIn{JID: "alice@acme.test", Server: "other:5223", DirectTLS: true, CAFile: "/ca.pem", Remember: true}
	if h.gui.Prefill != want || h.gui.AutoSignIn {
		t.Errorf("gui = %+v, want prefill %+v and no auto sign-in", h.gui, want)
	}

	// Another account: the saved server does not apply. The fd password
	// allows signing in at once.
	h = newHarness()
	h.fdPass[4] = "bob-secret"
	h.run("--data-dir", dir, "--jid", "bob@acme.test", "--password-fd", "4")
	want = SignIn{JID: "bob@acme.test"}
	if h.gui.Prefill != want || !h.gui.AutoSignIn {
		t.Errorf("gui = %+v, want prefill %+v and auto sign-in", h.gui, want)
	}
	if h.gui.Prefill.Password != "" {
		t.Error("the password was put in the form")
	}

	// No keyring: the notice says so.
	h = newHarness()
	h.storeErr = &keystore.UnavailableError{Reason: "Secret Service not running"}
	h.run("--data-dir", dir)
	if !strings.Contains(h.gui.Notice, "No system keyring is available (Secret Service not running): your password will be kept in memory for this session only.") || h.gui.AutoSignIn {
		t.Errorf("gui = %+v", h.gui)
	}
}

func TestMainGUICorruptSettings(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(account.Path(dir), []byte("{garbage"), 0o600)
	h := newHarness()
	h.run("--data-dir", dir)
	if !strings.Contains(h.gui.Notice, "unreadable") || !strings.Contains(h.gui.Notice, ".corrupt-") {
		t.Errorf("notice = %q", h.gui.Notice)
	}
}

func TestMainWithoutGUI(t *testing.T) {
	var stderr bytes.Buffer
	code := Main([]string{"--data-dir", t.TempDir()}, Env{Stderr: &stderr, OpenStore: func() (keystore.Store, error) { return keystore.NewMemory(), nil }})
	if code != ExitConfig || !strings.Contains(stderr.String(), "use --headless") {
		t.Errorf("exit = %d, stderr %q", code, stderr.String())
	}
}
