package session

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cretz/bine/control"
	"github.com/cretz/bine/tor"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/filesafe"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
	"github.com/palisade-im/palisade/profile"
)

// Tor routing. When the profile requires Tor, or the user turned it on
// where the profile lets them choose, the XMPP connection and every HTTPS
// file transfer go through Tor's SOCKS port, and names are resolved by Tor:
// the session makes no DNS lookup of its own (no SRV lookup either: the
// server's name, or the profile's onion address, goes to the proxy). With
// Tor on and unusable, the session does not connect and says why
// (Disconnected with code tor, retried with backoff).

// TorConfig says how to reach Tor.
type TorConfig struct {
	// Enabled is the user's choice where the profile allows it (tor
	// optional and not locked). A choice made with SetTor is kept in
	// DataDir/tor.json and wins over this value.
	Enabled bool
	// ExePath is the tor program started when neither ControlAddr nor
	// ProxyAddr is set; "" = "tor" on the PATH (Debian: apt install tor).
	ExePath string
	// ControlAddr is a running Tor's control port (host:port); the session
	// authenticates (cookie or no authentication) and asks for its SOCKS port.
	ControlAddr string
	// ProxyAddr is a SOCKS5 proxy (a running Tor's SocksPort) used as is.
	ProxyAddr string
	// Timeout bounds the wait for Tor to reach the network; 0 = 2 minutes.
	Timeout time.Duration
}

const (
	torSettingsFile   = "tor.json"
	defaultTorTimeout = 2 * time.Minute
	torBootstrapPoll  = 500 * time.Millisecond
	torSettingName    = "tor"
	torViaProcess     = "process"
	torViaControl     = "control"
	torViaProxy       = "proxy"
)

// resolver is the name lookup the direct route uses; tests replace it to
// prove that the Tor route makes none.
type resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// torState is the session's Tor: the process it started or the one it
// attached to, and the SOCKS dialer once Tor is ready.
type torState struct {
	mu      sync.Mutex
	t       *tor.Tor // started (torViaProcess) or attached (torViaControl)
	dialer  *tor.Dialer
	state   string // event.Tor*
	reason  string
	via     string
	chosen  *bool // the user's saved choice (tor.json), nil when none
	loaded  bool
	offline bool // tests: never enable Tor's network (there is none here)

	resolver resolver // nil: net.DefaultResolver

	stopped   bool           // the session stopped: Tor is not started again
	dialedTor bool           // the route the latest connection was dialled on
	reported  event.TorState // the setting as last reported, for torWatch
}

// torWatchEvery is how often the route in force is compared with the
// connection's (a new profile may require Tor, or forbid it).
var torWatchEvery = 2 * time.Second

// torWatch follows the route in force: when a new profile changes it, the
// setting is reported again and the connection is made again on the new
// route (stream management resumes it).
func (s *Session) torWatch() {
	s.tor.mu.Lock()
	s.tor.reported = s.torEventLocked()
	s.tor.mu.Unlock()
	t := time.NewTicker(torWatchEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.torChoice()
		s.tor.mu.Lock()
		ev := s.torEventLocked()
		prev := s.tor.reported
		changed := ev.Policy != prev.Policy || ev.Enabled != prev.Enabled || ev.Locked != prev.Locked || ev.Onion != prev.Onion
		s.tor.reported = ev
		dialed := s.tor.dialedTor
		s.tor.mu.Unlock()
		if !changed {
			continue
		}
		s.emit(ev)
		s.mu.Lock()
		online := s.cur != nil
		s.mu.Unlock()
		if online && (ev.Enabled != dialed || ev.Enabled && ev.Onion != prev.Onion) {
			s.rerouteNow() // a new route, or a new onion address
		}
	}
}

func (s *Session) resolver() resolver {
	if r := s.tor.resolver; r != nil {
		return r
	}
	return net.DefaultResolver
}

// torSettings is the user's saved choice.
type torSettings struct {
	Enabled bool `json:"enabled"`
}

func (s *Session) torChoice() bool {
	ts := &s.tor
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.loaded {
		ts.loaded = true
		if s.cfg.DataDir != "" {
			b, err := os.ReadFile(filepath.Join(s.cfg.DataDir, torSettingsFile))
			var set torSettings
			if err == nil && json.Unmarshal(b, &set) == nil {
				ts.chosen = &set.Enabled
			}
		}
	}
	if ts.chosen != nil {
		return *ts.chosen
	}
	return s.cfg.Tor.Enabled
}

// torPolicy returns the profile's Tor rule, whether it locks the setting,
// and its onion address.
func (s *Session) torPolicy() (rule string, locked bool, onion string) {
	rule = profile.TorOptional
	if s.cfg.Profiles == nil {
		return rule, false, ""
	}
	p := s.cfg.Profiles.Active()
	if p == nil {
		return rule, false, ""
	}
	if p.Tor != "" {
		rule = p.Tor
	}
	for _, l := range p.LockedSettings {
		if l == torSettingName {
			locked = true
		}
	}
	return rule, locked, p.TorOnion
}

// torOn says whether connections go through Tor now, and whether the user
// may change that.
func (s *Session) torOn() (on, fixed bool) {
	rule, locked, _ := s.torPolicy()
	return policy.TorRoute(rule, locked, s.torChoice())
}

func (s *Session) route() string {
	if on, _ := s.torOn(); on {
		return event.RouteTor
	}
	return event.RouteDirect
}

// torServerAddr is the address dialled through Tor: the profile's onion
// address, else the configured server, else the domain on the standard
// port (no SRV lookup: it would go to the local resolver).
func (s *Session) torServerAddr() (string, bool) {
	if on, _ := s.torOn(); !on {
		return "", false
	}
	if _, _, onion := s.torPolicy(); onion != "" {
		return onion, true
	}
	if s.cfg.Server != "" {
		return s.cfg.Server, true
	}
	port := "5222"
	if s.cfg.DirectTLS {
		port = "5223"
	}
	return net.JoinHostPort(s.bare.Domainpart(), port), true
}

// dialServer opens the TCP connection to the XMPP server on the route in
// force. Errors are *failure.
func (s *Session) dialServer(ctx context.Context, addr string) (net.Conn, error) {
	on, _ := s.torOn()
	s.tor.mu.Lock()
	s.tor.dialedTor = on
	s.tor.mu.Unlock()
	if on {
		d, err := s.torDialer(ctx)
		if err != nil {
			return nil, err
		}
		dctx, cancel := context.WithTimeout(ctx, 2*dialTimeout)
		defer cancel()
		raw, err := d.DialContext(dctx, "tcp", addr)
		if err != nil {
			return nil, &failure{code: event.CodeNetwork, err: err, msg: s.lang.T("Cannot reach {{.Addr}} through Tor: {{.Err}}", l10n.Args{"Addr": addr, "Err": err.Error()})}
		}
		return raw, nil
	}
	d := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &failure{code: event.CodeNetwork, err: err, msg: s.lang.T("Cannot reach {{.Addr}}: {{.Err}}", l10n.Args{"Addr": addr, "Err": err.Error()})}
	}
	return raw, nil
}

// dialHTTPTor dials for a file transfer through Tor. The host name goes to
// Tor, which resolves it at the exit: no local lookup, and no address of
// the user's own network can be reached that way. A link naming a local
// or private address literally is refused as on the direct route.
func (s *Session) dialHTTPTor(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	target := addr
	if s.ownUploadHost(host) {
		if s.files.via != "" {
			target = s.files.via
		} else if sh := s.serverHost(); sh != "" {
			target = net.JoinHostPort(sh, port)
		}
	} else if ip, err := netip.ParseAddr(host); err == nil && filesafe.Private(ip) {
		return nil, ferr(event.FileBadURL, "%s", s.lang.T("The file link's server {{.Host}} is a local or private address; it is not contacted.", l10n.Args{"Host": host}))
	}
	d, err := s.torDialer(ctx)
	if err != nil {
		return nil, err
	}
	return d.DialContext(ctx, network, target)
}

// torDialer returns the SOCKS dialer of a ready Tor, starting or attaching
// to Tor first when needed. Errors are *failure with code tor.
func (s *Session) torDialer(ctx context.Context) (*tor.Dialer, error) {
	ts := &s.tor
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.dialer != nil {
		return ts.dialer, nil
	}
	if ts.stopped {
		return nil, &failure{code: event.CodeTor, msg: s.lang.T("Palisade is stopping: nothing more goes through Tor.")}
	}
	cfg := s.cfg.Tor
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTorTimeout
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		d   *tor.Dialer
		err error
	)
	switch {
	case cfg.ProxyAddr != "":
		ts.via = torViaProxy
		d, err = (*tor.Tor)(nil).Dialer(wctx, &tor.DialConf{ProxyAddress: cfg.ProxyAddr, SkipEnableNetwork: true})
	case cfg.ControlAddr != "":
		ts.via = torViaControl
		if ts.t == nil {
			s.torReport(event.TorStarting, "")
			ts.t, err = attachTor(cfg.ControlAddr)
			if err != nil {
				err = errors.New(s.lang.T("Palisade could not use the Tor control port {{.Addr}}: {{.Err}}. Check that Tor runs and that its ControlPort is this address.", l10n.Args{"Addr": cfg.ControlAddr, "Err": err.Error()}))
			}
		}
		if err == nil {
			d, err = s.torReady(wctx, ts.t, timeout)
		}
	default:
		ts.via = torViaProcess
		if ts.t == nil {
			s.torReport(event.TorStarting, "")
			ts.t, err = s.startTor(cfg)
		}
		if err == nil {
			d, err = s.torReady(wctx, ts.t, timeout)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, &failure{code: event.CodeNetwork, err: ctx.Err(), msg: s.lang.T("Connecting through Tor was cancelled.")}
		}
		msg := err.Error()
		s.torReport(event.TorFailed, msg)
		if rule, _, _ := s.torPolicy(); rule == profile.TorRequired {
			msg = s.lang.T("Your company requires connections through Tor, and Tor is not available: {{.Why}} Palisade does not connect without it.", l10n.Args{"Why": msg})
		} else {
			msg = s.lang.T("Tor is turned on and not available: {{.Why}} Palisade does not connect without it; turn Tor off in the settings to connect directly.", l10n.Args{"Why": msg})
		}
		return nil, &failure{code: event.CodeTor, err: err, msg: msg}
	}
	ts.dialer = d
	s.torReport(event.TorReady, "")
	return d, nil
}

// startTor starts Debian's tor through bine, with its data in DataDir/tor.
// It lives as long as the session (it is stopped by stopTor).
func (s *Session) startTor(cfg TorConfig) (*tor.Tor, error) {
	conf := &tor.StartConf{ExePath: cfg.ExePath, TempDataDirBase: os.TempDir()}
	if s.cfg.DataDir != "" {
		conf.DataDir = filepath.Join(s.cfg.DataDir, "tor")
	}
	// Not the session's context: stopTor halts Tor cleanly through its
	// control port when the session stops (a cancelled context would kill it).
	t, err := tor.Start(context.Background(), conf)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) || strings.Contains(err.Error(), "executable file not found") {
			return nil, errors.New(s.lang.T("the tor program was not found ({{.Err}}). Install Tor (Debian and Ubuntu: apt install tor), or give the control port of a Tor that runs already.", l10n.Args{"Err": err.Error()}))
		}
		return nil, errors.New(s.lang.T("Tor could not be started: {{.Err}}", l10n.Args{"Err": err.Error()}))
	}
	return t, nil
}

// attachTor connects to a running Tor's control port and authenticates.
func attachTor(addr string) (*tor.Tor, error) {
	tc, err := textproto.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := control.NewConn(tc)
	if err := c.Authenticate(""); err != nil {
		c.Close()
		return nil, err
	}
	return &tor.Tor{Control: c}, nil
}

// torReady enables Tor's network, waits until Tor has built its first
// circuit (bootstrap 100%) or the deadline passes, and returns a dialer
// through its SOCKS port.
func (s *Session) torReady(ctx context.Context, t *tor.Tor, timeout time.Duration) (*tor.Dialer, error) {
	if !s.tor.offline {
		if err := t.EnableNetwork(ctx, false); err != nil {
			return nil, errors.New(s.lang.T("Tor refused to enable its network: {{.Err}}", l10n.Args{"Err": err.Error()}))
		}
	}
	progress := "0"
	for {
		if p, done, err := bootstrapped(t); err != nil {
			return nil, errors.New(s.lang.T("Tor does not answer on its control port: {{.Err}}", l10n.Args{"Err": err.Error()}))
		} else if done {
			break
		} else {
			progress = p
		}
		select {
		case <-ctx.Done():
			return nil, errors.New(s.lang.T("Tor did not reach the network within {{.Timeout}} (bootstrap at {{.Progress}}%). Check the network connection, or whether a firewall blocks Tor.", l10n.Args{"Timeout": timeout.String(), "Progress": progress}))
		case <-time.After(torBootstrapPoll):
		}
	}
	return t.Dialer(ctx, &tor.DialConf{SkipEnableNetwork: true})
}

// bootstrapped asks Tor how far its bootstrap is.
func bootstrapped(t *tor.Tor) (progress string, done bool, err error) {
	kv, err := t.Control.GetInfo("status/bootstrap-phase")
	if err != nil {
		return "", false, err
	}
	for _, v := range kv {
		for _, f := range strings.Fields(v.Val) {
			if p, ok := strings.CutPrefix(f, "PROGRESS="); ok {
				return p, p == "100", nil
			}
		}
	}
	return "0", false, nil
}

// stopTor stops the Tor process the session started (an attached Tor is
// only let go). Called when the session stops.
func (s *Session) stopTor() {
	ts := &s.tor
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.stopped = true
	if ts.t == nil {
		return
	}
	started := ts.via == torViaProcess
	ts.t.Close()
	ts.t, ts.dialer = nil, nil
	if started {
		s.torReport(event.TorStopped, "")
	}
}

// dropTor forgets the dialer so that the next connection asks Tor again
// (after a change of setting or profile). ts.mu is not held.
func (s *Session) dropTor() {
	s.tor.mu.Lock()
	s.tor.dialer = nil
	s.tor.mu.Unlock()
}

// torReport records and emits a Tor state change. ts.mu is held.
func (s *Session) torReport(state, reason string) {
	s.tor.state, s.tor.reason = state, reason
	s.emit(s.torEventLocked())
}

// torEventLocked is the TorState event for the current state. ts.mu is held
// (torChoice takes it: the choice is read through chosenLocked).
func (s *Session) torEventLocked() event.TorState {
	rule, locked, onion := s.torPolicy()
	chosen := s.cfg.Tor.Enabled
	if s.tor.chosen != nil {
		chosen = *s.tor.chosen
	}
	on, fixed := policy.TorRoute(rule, locked, chosen)
	ev := event.TorState{Policy: rule, Enabled: on, Locked: fixed, Onion: onion}
	if on || s.tor.state == event.TorStopped {
		ev.State, ev.Reason, ev.Via = s.tor.state, s.tor.reason, s.tor.via
	}
	return ev
}

func (s *Session) torEvent() event.TorState {
	s.torChoice() // load the saved choice
	s.tor.mu.Lock()
	defer s.tor.mu.Unlock()
	return s.torEventLocked()
}

// executeTor handles the Tor commands; false when cmd is not one.
func (s *Session) executeTor(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.GetTor:
		return s.executeTor(*c)
	case *event.SetTor:
		return s.executeTor(*c)
	case event.GetTor:
		s.emit(s.torEvent())
	case event.SetTor:
		s.setTor(c.Enabled)
	default:
		return false
	}
	return true
}

func (s *Session) setTor(enabled bool) {
	before, fixed := s.torOn()
	if fixed {
		rule, _, _ := s.torPolicy()
		why := s.lang.T("your company's profile locks the Tor setting")
		switch rule {
		case profile.TorRequired:
			why = s.lang.T("your company requires Tor")
		case profile.TorOff:
			why = s.lang.T("your company does not allow Tor")
		}
		msg := s.lang.T("Tor cannot be turned off: {{.Why}}.", l10n.Args{"Why": why})
		if enabled {
			msg = s.lang.T("Tor cannot be turned on: {{.Why}}.", l10n.Args{"Why": why})
		}
		s.emit(event.Error{Message: msg, Code: event.CodeConfig})
		s.emit(s.torEvent())
		return
	}
	if s.cfg.DataDir != "" {
		b, _ := json.Marshal(torSettings{Enabled: enabled})
		if err := atomicfile.Write(filepath.Join(s.cfg.DataDir, torSettingsFile), b); err != nil {
			s.emit(event.Error{Message: s.lang.T("The Tor setting could not be saved (it applies until Palisade stops): {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		}
	}
	s.tor.mu.Lock()
	s.tor.chosen = &enabled
	ev := s.torEventLocked()
	s.tor.reported = ev // reported here: torWatch has nothing more to say
	s.tor.mu.Unlock()
	s.emit(ev)
	if before != enabled {
		s.rerouteNow()
	}
}

// rerouteNow closes the connection so that the next one takes the route in
// force; stream management resumes it without loss.
func (s *Session) rerouteNow() {
	s.dropTor()
	s.mu.Lock()
	c := s.cur
	s.mu.Unlock()
	if c != nil {
		c.close()
	}
}
