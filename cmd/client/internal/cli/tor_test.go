package cli

import (
	"io"
	"strings"
	"testing"
)

func TestTorFlags(t *testing.T) {
	tests := []struct {
		args []string
		want TorFlags
		err  string
	}{
		{[]string{"--headless", "--jid", "alice@acme.test"}, TorFlags{}, ""},
		{[]string{"--headless", "--jid", "alice@acme.test", "--tor"}, TorFlags{Enabled: true}, ""},
		{[]string{"--jid", "alice@acme.test", "--tor", "--tor-proxy", "127.0.0.1:9050"}, TorFlags{Enabled: true, Proxy: "127.0.0.1:9050"}, ""},
		{[]string{"--tor-control", "127.0.0.1:9051", "--tor-exe", "/usr/sbin/tor"}, TorFlags{Control: "127.0.0.1:9051", Exe: "/usr/sbin/tor"}, ""},
		{[]string{"--tor-control", "9051"}, TorFlags{}, "--tor-control"},
		{[]string{"--tor-proxy", "localhost"}, TorFlags{}, "--tor-proxy"},
		{[]string{"--tor-exe", " "}, TorFlags{}, "--tor-exe is empty"},
	}
	for _, tt := range tests {
		f, err := Parse(tt.args, io.Discard)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%v) error = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%v): %v", tt.args, err)
			continue
		}
		if f.Tor != tt.want {
			t.Errorf("Parse(%v).Tor = %+v, want %+v", tt.args, f.Tor, tt.want)
		}
		cfg := sessionConfig(f, t.TempDir(), "pw").Tor
		if cfg.Enabled != tt.want.Enabled || cfg.ProxyAddr != tt.want.Proxy || cfg.ControlAddr != tt.want.Control || cfg.ExePath != tt.want.Exe {
			t.Errorf("session Tor config %+v from %+v", cfg, tt.want)
		}
	}
}
