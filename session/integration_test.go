package session

import (
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

func TestProsodySignIn(t *testing.T) {
	srv := testenv.Prosody(t)
	for _, tc := range []struct {
		name          string
		o             opts
		wantTLS, want string
	}{
		{"starttls", opts{}, "TLS 1.3", ""},
		{"directtls", opts{direct: true}, "TLS 1.3", ""},
		{"starttls-tls12", opts{tls12: true}, "TLS 1.2", "tls-unique"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startSession(t, srv, "alice@acme.test", tc.o)
			c := r.connected()
			t.Logf("%+v", c)
			if !strings.HasPrefix(c.JID, "alice@acme.test/") || !strings.HasPrefix(c.Mechanism, "SCRAM-") || c.ServerCert.SHA256 == "" {
				t.Errorf("Connected = %+v", c)
			}
			if c.TLSVersion != tc.wantTLS || c.ChannelBinding != tc.want {
				t.Errorf("TLS %q binding %q, want %q %q", c.TLSVersion, c.ChannelBinding, tc.wantTLS, tc.want)
			}
			r.waitFor("roster", 10*time.Second, isA[event.Roster])
			r.quit()
		})
	}
}
