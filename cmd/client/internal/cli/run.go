package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
)

// GUI is what package main needs to start the window: it maps one to one to
// ui.Options.
type GUI struct {
	Prefill    SignIn
	AutoSignIn bool
	Connect    func(SignIn) (event.Backend, error)
	Notice     string
}

// Env is the process environment Main works in; tests substitute it.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// OpenStore opens the password store; keystore.Open when nil.
	OpenStore func() (keystore.Store, error)
	// ReadFD reads the password from a descriptor; ReadPasswordFD when nil.
	ReadFD func(fd int) (string, error)
	// Start builds the backend; StartSession when nil.
	Start StartFunc
	// RunGUI shows the window and returns the exit status once it closes.
	RunGUI func(GUI) int
	// Signals, when not nil, ends headless mode cleanly when done;
	// SIGINT/SIGTERM when nil.
	Signals context.Context
}

// Main runs the client with args (without the program name) and returns the
// exit status.
func Main(args []string, env Env) int {
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	if env.Stderr == nil {
		env.Stderr = os.Stderr
	}
	if env.OpenStore == nil {
		env.OpenStore = keystore.Open
	}
	if env.ReadFD == nil {
		env.ReadFD = ReadPasswordFD
	}
	if env.Start == nil {
		env.Start = StartSession
	}
	if isVersionArg(args) {
		fmt.Fprintln(env.Stdout, VersionLine())
		return ExitOK
	}
	if len(args) > 0 && args[0] == "policy" {
		return Policy(args[1:], env)
	}
	if len(args) > 0 && args[0] == "audit" {
		return Audit(args[1:], env)
	}
	if len(args) > 0 && args[0] == "identity" {
		return Identity(args[1:], env)
	}
	f, err := Parse(args, env.Stderr)
	if errors.Is(err, ErrHelp) {
		return ExitOK
	}
	if err != nil {
		return ExitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "client: %v\n", err)
		return ExitConfig
	}

	dataDir := f.DataDir
	if dataDir == "" {
		if dataDir, err = account.DefaultDataDir(); err != nil {
			return fail(err)
		}
	}

	var fdPassword string
	if f.PasswordFD >= 0 {
		if fdPassword, err = env.ReadFD(f.PasswordFD); err != nil {
			return fail(err)
		}
	}

	if f.Headless {
		return runHeadless(f, dataDir, fdPassword, env)
	}
	if env.RunGUI == nil {
		return fail(errors.New("this build has no GUI: use --headless"))
	}
	return env.RunGUI(prepareGUI(f, dataDir, fdPassword, env))
}

func runHeadless(f Flags, dataDir, fdPassword string, env Env) int {
	pw := fdPassword
	if pw == "" {
		store, kerr := env.OpenStore()
		if kerr != nil {
			fmt.Fprintf(env.Stderr, "client: %v\n", &NoPasswordError{JID: f.JID, Reason: kerr})
			return ExitConfig
		}
		var err error
		if pw, err = PasswordFromStore(store, f.JID); err != nil {
			fmt.Fprintf(env.Stderr, "client: %v\n", err)
			return ExitConfig
		}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		fmt.Fprintf(env.Stderr, "client: data directory: %v\n", err)
		return ExitConfig
	}
	cfg := sessionConfig(f, dataDir, pw)
	dev := headlessDeviceKey(env, dataDir, f.JID)
	cfg.DeviceKey, cfg.DeviceLost, cfg.DeviceOff = dev.Key, dev.Lost, dev.Off
	profiles, notices := openProfiles(dataDir, f.Profile)
	cfg.Profiles = profiles
	b, err := env.Start(cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "client: %v\n", err)
		return ExitConfig
	}
	if len(notices) > 0 {
		b = wrap(b, notices, nil)
	}
	defer catchSIGPIPE()()
	ctx := env.Signals
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	return Serve(ctx, env.Stdin, env.Stdout, b)
}

// prepareGUI pre-fills the sign-in form from the saved settings and the
// flags (flags win), opens the keyring and decides whether to sign in at once.
func prepareGUI(f Flags, dataDir, fdPassword string, env Env) GUI {
	var notices []string
	saved, err := account.Load(dataDir)
	if err != nil {
		notices = append(notices, err.Error())
	}
	pre := SignIn{JID: saved.JID, Server: saved.Server, DirectTLS: saved.DirectTLS, CAFile: saved.CAFile, Remember: saved.Remember}
	if f.JID != "" && f.JID != saved.JID {
		// Another account than the saved one: its settings do not apply.
		pre = SignIn{JID: f.JID}
	}
	if f.IsSet("server") {
		pre.Server = f.Server
	}
	if f.IsSet("direct-tls") {
		pre.DirectTLS = f.DirectTLS
	}
	if f.IsSet("ca-file") {
		pre.CAFile = f.CAFile
	}

	store, kerr := env.OpenStore()
	var u *keystore.UnavailableError
	if errors.As(kerr, &u) {
		notices = append(notices, u.Notice())
	} else if kerr != nil {
		notices = append(notices, kerr.Error())
	}
	havePassword := fdPassword != ""
	if !havePassword && pre.JID != "" && kerr == nil {
		if _, err := store.Get(pre.JID); err == nil {
			havePassword = true
			pre.Remember = true
		} else if !errors.Is(err, keystore.ErrNotFound) {
			notices = append(notices, "Your saved password could not be read from the system keyring: "+err.Error())
		}
	}
	l := &Launcher{DataDir: dataDir, Store: store, FDPassword: fdPassword, FDJID: pre.JID, Start: env.Start, ProfilePath: f.Profile,
		DownloadDir: f.DownloadDir, ClamdSocket: f.ClamdSocket, Tor: f.Tor}
	return GUI{
		Prefill:    pre,
		AutoSignIn: havePassword && pre.JID != "",
		Connect:    l.Connect,
		Notice:     strings.Join(notices, "\n"),
	}
}
