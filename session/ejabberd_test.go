package session

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

var (
	ejOnce sync.Once
	ejSrv  *testenv.Server
	ejErr  error
)

// ejabberd returns an ejabberd shared by the tests of this binary.
func ejabberd(t testing.TB) *testenv.Server {
	t.Helper()
	ejOnce.Do(func() { ejSrv, ejErr = testenv.StartEjabberd("") })
	if ejErr != nil {
		t.Fatalf("ejabberd: %v", ejErr)
	}
	return ejSrv
}

// ejabberd 23.01 offers SCRAM-SHA-256-PLUS on TLS 1.3 but implements only
// tls-unique binding, so it rejects the tls-exporter binding TLS 1.3
// requires. Palisade refuses to fall back silently to SCRAM without
// binding: the sign-in fails with a message that names the cause and the
// per-account setting; with that setting (TLS capped at 1.2), tls-unique
// binding works. See SCRAM.md.
func TestEjabberdChannelBinding(t *testing.T) {
	srv := ejabberd(t)
	t.Run("tls13-refused-loudly", func(t *testing.T) {
		r := startSession(t, srv, "alice@acme.test", opts{tls13: true})
		d := r.fatal()
		if d.Code != event.CodeAuth || !strings.Contains(d.Message, "channel binding") || !strings.Contains(d.Message, "TLS 1.2") {
			t.Errorf("Disconnected = %+v", d)
		}
		if r.seen(func(e event.Event) bool { d, ok := e.(event.Disconnected); return ok && !d.Fatal }) {
			t.Error("retried")
		}
	})
	t.Run("tls12-tls-unique", func(t *testing.T) {
		r := startSession(t, srv, "alice@acme.test", opts{tls12: true})
		c := r.connected()
		if c.Mechanism != "SCRAM-SHA-256-PLUS" || c.ChannelBinding != "tls-unique" || c.TLSVersion != "TLS 1.2" {
			t.Errorf("Connected = %+v", c)
		}
	})
	t.Run("directtls-tls12", func(t *testing.T) {
		r := startSession(t, srv, "alice@acme.test", opts{tls12: true, direct: true})
		c := r.connected()
		if c.Mechanism != "SCRAM-SHA-256-PLUS" || c.ChannelBinding != "tls-unique" {
			t.Errorf("Connected = %+v", c)
		}
		r.waitFor("roster", 10*time.Second, isA[event.Roster])
	})
}

// The remaining ejabberd tests run with TLS capped at 1.2 (see above;
// startSession does it).
func ej(t *testing.T) *testenv.Server { return ejabberd(t) }

func TestEjabberdRoster2000(t *testing.T)                 { testRoster2000(t, ej(t), "dave@acme.test") }
func TestEjabberdChat(t *testing.T)                       { testChat(t, ej(t)) }
func TestEjabberdCarbons(t *testing.T)                    { testCarbons(t, ej(t)) }
func TestEjabberdForgedPushAndCarbonIgnored(t *testing.T) { testForged(t, ej(t)) }
func TestEjabberdCutAndResume(t *testing.T)               { testCutResume(t, ej(t)) }
func TestEjabberdOutbox(t *testing.T)                     { testOutbox(t, ej(t)) }

func TestEjabberdWrongPassword(t *testing.T) {
	srv := ej(t)
	r := startSession(t, srv, "alice@acme.test", opts{password: "not-the-password", tls12: true})
	d := r.fatal()
	if d.Code != event.CodeAuth || !strings.Contains(d.Message, "Wrong password") {
		t.Errorf("Disconnected = %+v", d)
	}
}

func TestEjabberdUntrustedCertificate(t *testing.T) {
	srv := ej(t)
	t.Run("starttls", func(t *testing.T) { testUntrusted(t, srv, false) })
	t.Run("directtls", func(t *testing.T) { testUntrusted(t, srv, true) })
}

func TestEjabberdSubscriptions(t *testing.T) { testSubscriptions(t, ej(t)) }

func TestEjabberdResumeFails(t *testing.T) { testResumeFails(t, ej(t)) }

func TestEjabberdNoReceiptToStranger(t *testing.T) { testNoReceiptToStranger(t, ej(t)) }
