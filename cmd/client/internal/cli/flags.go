package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// Exit statuses of the client. docs/headless.md documents them.
const (
	ExitOK     = 0 // clean quit (quit command, end of input, SIGINT/SIGTERM)
	ExitFatal  = 1 // the session ended on a fatal error (bad password, untrusted certificate, no TLS) or output was lost
	ExitUsage  = 2 // bad command line
	ExitConfig = 3 // local problem before connecting: no password available, unreadable password fd, unusable data dir or settings
)

// Flags are the parsed command line.
type Flags struct {
	Headless   bool
	JID        string
	PasswordFD int // -1 when not given
	Server     string
	CAFile     string
	DirectTLS  bool
	DataDir    string
	Profile    string // managed profile file; "" = the system location
	// DownloadDir receives files once scanned clean; "" = the session's default.
	DownloadDir string
	// ClamdSocket is clamd's Unix socket; "" = the session's default.
	ClamdSocket string
	// Tor: routing through Tor (tor.go).
	Tor TorFlags

	// set records which flags appeared on the command line.
	set map[string]bool
}

// IsSet reports whether the named flag (without dashes) was given.
func (f Flags) IsSet(name string) bool { return f.set[name] }

// ErrHelp is returned by Parse for -h / --help after printing the usage.
var ErrHelp = flag.ErrHelp

// UsageError is a bad command line; the message is for the user.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

const usageHead = `Usage:
  client [flags]                              start the GUI (pre-filled from flags and saved settings)
  client --headless --jid JID [flags]         run without a window: JSON commands on stdin, JSON events on stdout
  client policy explain [--profile FILE] [--keys DIR] JID...
                                              check a signed profile and print its verdict on each JID as JSON
  client audit verify|export [--data-dir DIR] [--out FILE]
                                              check the audit log's hash chain, or copy it with a verification summary
  client --version                            print the version and exit

The password is never taken from the command line: it is read from
--password-fd, or else from the system keyring ("remember me").

Flags:
`

const usageTail = `
Exit status: 0 clean quit, 1 fatal session error (bad password, untrusted
certificate, no TLS), 2 bad command line, 3 local problem before connecting
(no password available, unreadable --password-fd, unusable data directory).

Example:
  client --headless --jid alice@acme.test --password-fd 3 3<passfile
`

// fdFlag is an int flag whose "unset" value -1 is not shown in the usage.
type fdFlag struct{ n *int }

func (f fdFlag) String() string {
	if f.n == nil || *f.n < 0 {
		return ""
	}
	return strconv.Itoa(*f.n)
}

func (f fdFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a number")
	}
	*f.n = n
	return nil
}

// Parse parses args (without the program name). Usage and flag errors are
// written to stderr; the returned error is ErrHelp or a *UsageError.
func Parse(args []string, stderr io.Writer) (Flags, error) {
	f := Flags{set: map[string]bool{}}
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.Headless, "headless", false, "run without a window, speaking JSON lines on stdin/stdout (see docs/headless.md)")
	fs.StringVar(&f.JID, "jid", "", "bare JID of the account, e.g. alice@acme.test (required with --headless)")
	f.PasswordFD = -1
	fs.Var(fdFlag{&f.PasswordFD}, "password-fd", "read the password from this open file `descriptor` (until EOF; one trailing newline is dropped)")
	fs.StringVar(&f.Server, "server", "", "connect to this `host:port` instead of looking up the domain's DNS SRV records")
	fs.StringVar(&f.CAFile, "ca-file", "", "also trust the CA certificates in this PEM `file`")
	fs.BoolVar(&f.DirectTLS, "direct-tls", false, "use direct TLS (XEP-0368) instead of STARTTLS")
	fs.StringVar(&f.DataDir, "data-dir", "", "keep settings and session state in this `directory` (default: the OS user config dir + /Palisade)")
	fs.StringVar(&f.Profile, "profile", "", "load this IT-signed configuration profile `file` at start (signature in FILE.jws); default: profile.json in the system directory")
	fs.StringVar(&f.DownloadDir, "download-dir", "", "put received files here once scanned clean (default: the user's Downloads folder)")
	fs.StringVar(&f.ClamdSocket, "clamd-socket", "", "scan received files with the clamd listening on this Unix `socket` (default: /run/clamav/clamd.ctl)")
	fs.BoolVar(&f.Tor.Enabled, "tor", false, "connect and transfer files through Tor where the profile lets the user choose (a choice made in the client wins)")
	fs.StringVar(&f.Tor.Exe, "tor-exe", "", "start this tor `program` when going through Tor (default: tor on the PATH)")
	fs.StringVar(&f.Tor.Control, "tor-control", "", "use the running Tor whose control port is at this `host:port` instead of starting one")
	fs.StringVar(&f.Tor.Proxy, "tor-proxy", "", "use the SOCKS5 proxy of a running Tor at this `host:port` instead of starting one")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), usageTail)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, ErrHelp
		}
		// The flag package has already printed the error and the usage.
		return f, &UsageError{Msg: err.Error()}
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	fail := func(format string, a ...any) (Flags, error) {
		msg := fmt.Sprintf(format, a...)
		fmt.Fprintf(stderr, "client: %s\nRun 'client --help' for usage.\n", msg)
		return f, &UsageError{Msg: msg}
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q (there is no --password flag: use --password-fd or the keyring)", fs.Arg(0))
	}
	f.JID = strings.TrimSpace(f.JID)
	if f.Headless && f.JID == "" {
		return fail("--headless needs --jid")
	}
	if f.JID != "" {
		if err := CheckBareJID(f.JID); err != nil {
			return fail("--jid: %v", err)
		}
	}
	if f.set["password-fd"] {
		switch {
		case f.PasswordFD < 0:
			return fail("--password-fd: %d is not a file descriptor", f.PasswordFD)
		case f.PasswordFD == 0 && f.Headless:
			return fail("--password-fd 0: standard input carries the commands in headless mode; use another descriptor, e.g. --password-fd 3 3<passfile")
		case f.PasswordFD == 1 || f.PasswordFD == 2:
			return fail("--password-fd %d is standard output/error; use another descriptor, e.g. --password-fd 3 3<passfile", f.PasswordFD)
		}
	}
	if f.Server != "" {
		if err := CheckServer(f.Server); err != nil {
			return fail("--server: %v", err)
		}
	}
	if f.set["data-dir"] && strings.TrimSpace(f.DataDir) == "" {
		return fail("--data-dir is empty")
	}
	for _, name := range []string{"tor-control", "tor-proxy"} {
		if v := fs.Lookup(name).Value.String(); f.set[name] && CheckServer(v) != nil {
			return fail("--%s: %q is not host:port (e.g. 127.0.0.1:9051)", name, v)
		}
	}
	for _, name := range []string{"profile", "download-dir", "clamd-socket", "tor-exe"} {
		if f.set[name] && strings.TrimSpace(fs.Lookup(name).Value.String()) == "" {
			return fail("--%s is empty", name)
		}
	}
	return f, nil
}

// CheckBareJID does a light syntax check of a bare JID (local@domain); the
// server has the last word.
func CheckBareJID(j string) error {
	local, domain, ok := strings.Cut(j, "@")
	switch {
	case !ok || local == "":
		return fmt.Errorf("%q is not an account address: expected name@domain, e.g. alice@acme.test", j)
	case domain == "" || strings.ContainsAny(domain, "@ "):
		return fmt.Errorf("%q has no valid domain: expected name@domain, e.g. alice@acme.test", j)
	case strings.Contains(domain, "/"):
		return fmt.Errorf("%q has a resource: give the bare JID, e.g. %s", j, local+"@"+strings.SplitN(domain, "/", 2)[0])
	case strings.ContainsAny(local, " \t\"&'/:<>"):
		return fmt.Errorf("%q: the name part contains a character not allowed in a JID", j)
	}
	return nil
}

// CheckServer checks a host:port override.
func CheckServer(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("%q is not host:port (e.g. xmpp.acme.test:5222)", s)
	}
	return nil
}
