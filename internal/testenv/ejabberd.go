package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ejabberd starts a private ejabberd server for the test, with fresh
// certificates, the standard users and alice's roster, and stops it when the
// test ends. Passwords are stored as SCRAM-SHA-256, so after STARTTLS it
// offers SCRAM-SHA-256, SCRAM-SHA-256-PLUS and PLAIN; Prosody offers
// SCRAM-SHA-1 and PLAIN.
func Ejabberd(tb testing.TB) *Server {
	tb.Helper()
	s, err := StartEjabberd("")
	return must(tb, s, err)
}

// StartEjabberd starts a private ejabberd server in dir (created if needed; a
// fresh temporary directory, removed by Stop, if dir is empty). Use it from
// TestMain to share one server between the tests of a binary; call Stop when
// done. As root, dir is handed over to the ejabberd user.
func StartEjabberd(dir string) (*Server, error) {
	if _, err := exec.LookPath("ejabberdctl"); err != nil {
		return nil, missing("ejabberd")
	}
	scripts, err := ScriptsDir()
	if err != nil {
		return nil, err
	}
	clean := false
	if dir == "" {
		// Not t.TempDir: its parents are private to root, and ejabberd runs
		// as its own user.
		if dir, err = os.MkdirTemp("", "palisade-ejabberd-"); err != nil {
			return nil, err
		}
		clean = true
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := tryEjabberd(scripts, dir, clean)
		if err == nil {
			s.cleanDir = clean
			return s, nil
		}
		lastErr = err
	}
	if clean {
		os.RemoveAll(dir)
	}
	return nil, lastErr
}

func tryEjabberd(scripts, dir string, temporary bool) (*Server, error) {
	begin := time.Now()
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	env := []string{
		"EJABBERD_C2S_PORT=" + strconv.Itoa(ports[0]),
		"EJABBERD_C2S_TLS_PORT=" + strconv.Itoa(ports[1]),
		"EJABBERD_HTTPS_PORT=" + strconv.Itoa(ports[2]),
		"EJABBERD_API_PORT=" + strconv.Itoa(ports[3]),
		"EJABBERD_DIST_PORT=" + strconv.Itoa(ports[4]),
		"PALISADE_DEMO_PASSWORD=" + DemoPassword,
	}
	if err := run(env, filepath.Join(scripts, "ejabberd.sh"), "prepare", dir); err != nil {
		return nil, err
	}
	s := &Server{
		Kind:          "ejabberd",
		Dir:           dir,
		Addr:          hostPort(ports[0]),
		DirectTLSAddr: hostPort(ports[1]),
		HTTPSAddr:     hostPort(ports[2]),
		CAFile:        filepath.Join(dir, "certs", "ca.crt"),
		Domain:        "acme.test",
		Password:      DemoPassword,
		Users:         append([]string(nil), Users...),
		UploadService: "upload.acme.test",
		MUCService:    "conference.acme.test",
		PubSubService: "pubsub.acme.test",
		cfg:           filepath.Join(dir, "ejabberd.yml"),
		apiAddr:       hostPort(ports[3]),
	}
	os.Remove(filepath.Join(dir, "logs", "ejabberd.log"))
	// As root, ejabberdctl would switch user with su, which puts the Erlang
	// VM in a session of its own; start it as the ejabberd user directly so
	// that the VM stays in the process group we stop.
	cred, env, err := ejabberdUser()
	if err != nil {
		return nil, err
	}
	s.cmd, s.done, err = startDaemonAs(dir, env, cred, "ejabberdctl", s.ctlArgs("foreground")...)
	if err != nil {
		return nil, err
	}
	// The VM is a grandchild: it would outlive a killed test binary, so a
	// watchdog kills its process group then.
	watchdog(s.cmd.Process.Pid)
	grace := 10 * time.Second
	if temporary {
		grace = 0 // nothing to keep: skip the slow clean shutdown
	}
	s.stopFn = func() error { return stopDaemon(s.cmd, s.done, grace) }
	for _, a := range []string{s.Addr, s.DirectTLSAddr, s.HTTPSAddr, s.apiAddr} {
		if err := waitPort(a, s.done, 60*time.Second); err != nil {
			log := s.Log()
			s.stopFn()
			return nil, fmt.Errorf("ejabberd: %v\n%s", err, log)
		}
	}
	if err := s.ejabberdUsers(); err != nil {
		log := s.Log()
		s.stopFn()
		return nil, fmt.Errorf("ejabberd: %v\n%s", err, log)
	}
	s.StartTime = time.Since(begin)
	return s, nil
}

func (s *Server) ctlArgs(args ...string) []string {
	return append([]string{
		"--config-dir", s.Dir,
		"--ctl-config", filepath.Join(s.Dir, "ejabberdctl.cfg"),
		"--config", filepath.Join(s.Dir, "ejabberd.yml"),
		"--spool", filepath.Join(s.Dir, "spool"),
		"--logs", filepath.Join(s.Dir, "logs"),
	}, args...)
}

// Ejabberdctl runs an ejabberdctl command against the server and returns its
// output. Each call starts an Erlang VM (about 0.3 s); prefer the HTTP API
// (EjabberdAPI) in loops.
func (s *Server) Ejabberdctl(args ...string) (string, error) {
	if s.Kind != "ejabberd" {
		return "", fmt.Errorf("testenv: Ejabberdctl on a %s server", s.Kind)
	}
	cred, env, err := ejabberdUser()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("ejabberdctl", s.ctlArgs(args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = s.Dir
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ejabberdctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// EjabberdAPI calls a command of ejabberd's HTTP administration API
// (mod_http_api, reachable from loopback only) with JSON arguments, and
// returns the JSON result.
func (s *Server) EjabberdAPI(command string, args any) ([]byte, error) {
	if s.apiAddr == "" {
		return nil, fmt.Errorf("testenv: %s server has no administration API", s.Kind)
	}
	body, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	resp, err := apiClient.Post("http://"+s.apiAddr+"/api/"+command, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("ejabberd api %s %s: %s: %s", command, body, resp.Status, out)
	}
	return out, nil
}

var apiClient = &http.Client{
	Timeout:   60 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
}

func (s *Server) ejabberdRegister(local, domain, password string) error {
	_, err := s.EjabberdAPI("register", map[string]string{"user": local, "host": domain, "password": password})
	return err
}

func (s *Server) ejabberdRosterItem(owner, contact, name string, groups []string, subs string) error {
	ol, od, err := splitJID(owner)
	if err != nil {
		return err
	}
	cl, cd, err := splitJID(contact)
	if err != nil {
		return err
	}
	// ejabberd 23.01 takes one group; later versions take a list.
	group := ""
	if len(groups) > 0 {
		group = groups[0]
	}
	_, err = s.EjabberdAPI("add_rosteritem", map[string]string{
		"localuser": ol, "localhost": od, "user": cl, "host": cd,
		"nick": name, "group": group, "subs": subs,
	})
	return err
}

// ejabberdUsers creates the standard users and alice's roster, as
// testenv/ejabberd.sh users does.
func (s *Server) ejabberdUsers() error {
	marker := filepath.Join(s.Dir, "spool", ".users")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	for _, u := range s.Users {
		l, d, _ := splitJID(u)
		if err := s.ejabberdRegister(l, d, s.Password); err != nil && !strings.Contains(err.Error(), "already registered") {
			return err
		}
	}
	for _, c := range []struct{ jid, name, group string }{
		{"bob@acme.test", "Bob", "Colleagues"},
		{"dave@acme.test", "Dave", "Colleagues"},
		{"carol@partner.test", "Carol", "Partners"},
		{"mallory@evil.test", "Mallory", "Unknown"},
	} {
		if err := s.ejabberdRosterItem("alice@acme.test", c.jid, c.name, []string{c.group}, "both"); err != nil {
			return err
		}
		if err := s.ejabberdRosterItem(c.jid, "alice@acme.test", "Alice", []string{c.group}, "both"); err != nil {
			return err
		}
	}
	return os.WriteFile(marker, nil, 0o644)
}

// ejabberdUser returns, when running as root, the credentials and
// environment of the ejabberd system user.
func ejabberdUser() (*syscall.Credential, []string, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	u, err := user.Lookup("ejabberd")
	if err != nil {
		return nil, nil, fmt.Errorf("testenv: ejabberd user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)},
		[]string{"HOME=" + u.HomeDir, "USER=ejabberd", "LOGNAME=ejabberd"}, nil
}

// watchdog starts a detached shell that kills process group pgid once this
// process has exited, unless the group is gone already.
func watchdog(pgid int) {
	script := `while kill -0 "$1" 2>/dev/null && kill -0 -"$2" 2>/dev/null; do sleep 1; done; kill -KILL -"$2" 2>/dev/null`
	cmd := exec.Command("sh", "-c", script, "sh", strconv.Itoa(os.Getpid()), strconv.Itoa(pgid))
	cmd.SysProcAttr = detached()
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}
