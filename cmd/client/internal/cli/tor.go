package cli

import "github.com/palisade-im/palisade/session"

// TorFlags are the command line's Tor settings (--tor, --tor-exe,
// --tor-control, --tor-proxy). Whether connections go through Tor is the
// profile's rule first (off, optional, required), then the choice made in
// the client (set_tor, kept in the data directory), then --tor.
type TorFlags struct {
	Enabled bool
	Exe     string // the tor program to start; "" = tor on the PATH
	Control string // a running Tor's control port, host:port
	Proxy   string // a SOCKS5 proxy (a running Tor's SocksPort), host:port
}

// torConfig is the session's Tor configuration from the flags.
func torConfig(t TorFlags) session.TorConfig {
	return session.TorConfig{Enabled: t.Enabled, ExePath: t.Exe, ControlAddr: t.Control, ProxyAddr: t.Proxy}
}
