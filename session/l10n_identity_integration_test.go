package session

import (
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/l10n"
)

func TestProsodyIdentityVerdictsInFrench(t *testing.T) { testIdentityVerdictsInFrench(t, prosody(t)) }

// testIdentityVerdictsInFrench: the verdicts on certificates published on
// a real server reach a French user in French (the peer's trust and each
// device's reason).
func testIdentityVerdictsInFrench(t *testing.T, srv *testenv.Server) {
	now := time.Now()
	acme := newIDCA(t, "ACME Identity CA", "ACME", now)
	year := 365 * 24 * time.Hour

	bob := freshUser(t, srv, "bob", "acme.test")
	dave := freshUser(t, srv, "dave", "acme.test")
	gone := freshUser(t, srv, "gone", "acme.test")
	none := freshUser(t, srv, "none", "acme.test")

	daveDev := acme.issue(t, bob, "Bob Builder", now, year) // names bob: published by dave
	publishDevice(t, rawPeer(t, srv, dave), dave, daveDev.id, daveDev.chain)
	goneDev := acme.issue(t, gone, "Gone Away", now, year)
	publishDevice(t, rawPeer(t, srv, gone), gone, goneDev.id, goneDev.chain)

	v, err := identity.NewVerifier([]identity.Anchor{acme.anchor("ACME", "acme.test")}, nil,
		[]identity.Revoked{{Serial: goneDev.serial, At: now}})
	if err != nil {
		t.Fatal(err)
	}
	alice := startSessionWith(t, srv, freshUser(t, srv, "alice", "acme.test"), opts{}, func(s *Session) {
		s.ident.fixed = v
		s.lang = l10n.French
	})
	alice.connected()

	cases := []struct {
		jid, status, reason string
	}{
		{dave, event.IdentityMismatch, "Le certificat est établi pour " + bob + ", et non pour " + dave + "."},
		{gone, event.IdentityRevoked, "Le certificat a été révoqué (le numéro de série " + goneDev.serial + " figure sur la liste de révocation du profil)."},
		{none, event.IdentityUnverified, "Aucun certificat d’appareil n’a été publié."},
	}
	for _, c := range cases {
		alice.s.Do(event.GetCertificates{JID: c.jid})
		e := alice.waitFor(c.jid+" "+c.status, 20*time.Second, certificatesOf(c.jid, c.status)).(event.Certificates)
		if e.Trust.IdentityReason != c.reason {
			t.Errorf("%s: reason %q, want %q", c.jid, e.Trust.IdentityReason, c.reason)
		}
		if c.jid != none && (len(e.Devices) != 1 || e.Devices[0].Reason != c.reason) {
			t.Errorf("%s: devices %+v, want one with the reason %q", c.jid, e.Devices, c.reason)
		}
	}
}
