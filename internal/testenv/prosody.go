package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Prosody starts a private Prosody server for the test, with fresh
// certificates, the standard users and alice's roster, and stops it when the
// test ends. After STARTTLS it offers SCRAM-SHA-1 and PLAIN (no -PLUS
// variant: Prosody 0.12 has no channel binding for TLS 1.3).
func Prosody(tb testing.TB) *Server {
	tb.Helper()
	s, err := StartProsody("")
	return must(tb, s, err)
}

// PlainProsody starts a Prosody server that offers no TLS at all (no
// STARTTLS, no direct TLS), to check that clients refuse it. Only Addr is
// set; the standard users exist.
func PlainProsody(tb testing.TB) *Server {
	tb.Helper()
	s, err := StartPlainProsody("")
	return must(tb, s, err)
}

// StartProsody starts a private Prosody server in dir (created if needed; a
// fresh temporary directory, removed by Stop, if dir is empty). Use it from
// TestMain to share one server between the tests of a binary; call Stop when
// done.
func StartProsody(dir string) (*Server, error) { return startProsody(dir, false) }

// StartPlainProsody is StartProsody for the plaintext-only variant.
func StartPlainProsody(dir string) (*Server, error) { return startProsody(dir, true) }

func startProsody(dir string, plain bool) (*Server, error) {
	if _, err := exec.LookPath("prosody"); err != nil {
		return nil, missing("prosody")
	}
	if _, err := exec.LookPath("prosodyctl"); err != nil {
		return nil, missing("prosodyctl")
	}
	scripts, err := ScriptsDir()
	if err != nil {
		return nil, err
	}
	clean := false
	if dir == "" {
		if dir, err = os.MkdirTemp("", "palisade-prosody-"); err != nil {
			return nil, err
		}
		clean = true
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := tryProsody(scripts, dir, plain, clean)
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

func tryProsody(scripts, dir string, plain, temporary bool) (*Server, error) {
	begin := time.Now()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	kind := "prosody"
	env := []string{
		"PROSODY_C2S_PORT=" + strconv.Itoa(ports[0]),
		"PROSODY_C2S_TLS_PORT=" + strconv.Itoa(ports[1]),
		"PROSODY_HTTPS_PORT=" + strconv.Itoa(ports[2]),
		"PALISADE_DEMO_PASSWORD=" + DemoPassword,
	}
	if plain {
		kind = "prosody-plain"
		env = append(env, "PROSODY_PLAIN=1")
	}
	if err := run(env, filepath.Join(scripts, "prosody.sh"), "prepare", dir); err != nil {
		return nil, err
	}
	s := &Server{
		Kind:     kind,
		Dir:      dir,
		Addr:     hostPort(ports[0]),
		Domain:   "acme.test",
		Password: DemoPassword,
		Users:    append([]string(nil), Users...),
		cfg:      filepath.Join(dir, "prosody.cfg.lua"),
	}
	if !plain {
		s.DirectTLSAddr = hostPort(ports[1])
		s.HTTPSAddr = hostPort(ports[2])
		s.CAFile = filepath.Join(dir, "certs", "ca.crt")
		s.UploadService = "upload.acme.test"
		s.MUCService = "conference.acme.test"
		s.PubSubService = "pubsub.acme.test"
	}
	logFile := filepath.Join(dir, "prosody.log")
	os.Remove(logFile)
	s.cmd, s.done, err = startDaemon(dir, nil, "prosody", "--config", s.cfg, "-F")
	if err != nil {
		return nil, err
	}
	grace := 5 * time.Second
	if temporary {
		grace = 0 // storage is written synchronously and thrown away: no clean shutdown needed
	}
	s.stopFn = func() error { return stopDaemon(s.cmd, s.done, grace) }
	wait := []string{s.Addr}
	if !plain {
		wait = append(wait, s.DirectTLSAddr, s.HTTPSAddr)
	}
	for _, a := range wait {
		if err := waitPort(a, s.done, 15*time.Second); err != nil {
			log := s.Log()
			s.stopFn()
			return nil, fmt.Errorf("prosody: %v\n%s", err, log)
		}
	}
	// A port taken by another process between freePorts and the bind is
	// only logged by prosody; start again with other ports.
	if data, _ := os.ReadFile(logFile); strings.Contains(string(data), "Failed to open server port") {
		s.stopFn()
		return nil, fmt.Errorf("prosody: a port was taken:\n%s", data)
	}
	s.StartTime = time.Since(begin)
	return s, nil
}

// AddUser registers an extra account on the running server.
func (s *Server) AddUser(tb testing.TB, localpart, domain, password string) {
	tb.Helper()
	if err := s.addUser(localpart, domain, password); err != nil {
		tb.Fatal(err)
	}
}

func (s *Server) addUser(localpart, domain, password string) error {
	switch s.Kind {
	case "prosody", "prosody-plain":
		return run(nil, "prosodyctl", "--config", s.cfg, "register", localpart, domain, password)
	case "ejabberd":
		return s.ejabberdRegister(localpart, domain, password)
	}
	return fmt.Errorf("testenv: AddUser: unknown server kind %q", s.Kind)
}
