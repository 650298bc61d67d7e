package session

import (
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
)

func offlineIn(t *testing.T, lang string) *Session {
	t.Helper()
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The identity changes the session reports are written in the user's
// language; English stays as it was.
func TestIdentityChangeDetailsInFrench(t *testing.T) {
	const bob = "bob@acme.test"
	withSubject := func(d peerDevice) peerDevice {
		d.result.Subject, d.result.CA = "CN=Bob,O=ACME", "ACME Identity CA"
		return d
	}
	cases := []struct {
		name    string
		known   map[string]string
		devices []peerDevice
		en, fr  string
	}{
		{"changed certificate", map[string]string{"A": "1"}, []peerDevice{withSubject(dev("A", "9", event.IdentityExpired))},
			"The certificate of bob@acme.test's device A changed (CN=Bob,O=ACME, issued by ACME Identity CA: expired).",
			"Le certificat de l’appareil A de bob@acme.test a changé (CN=Bob,O=ACME, émis par ACME Identity CA\u00a0: expiré)."},
		{"changed certificate without subject", map[string]string{"A": "1"}, []peerDevice{dev("A", "9", event.IdentityRevoked)},
			"The certificate of bob@acme.test's device A changed (revoked).",
			"Le certificat de l’appareil A de bob@acme.test a changé (révoqué)."},
		{"new uncertified device", map[string]string{"A": "1"}, []peerDevice{dev("A", "1", event.IdentityVerified), dev("B", "2", event.IdentityUnverified)},
			"bob@acme.test has a new device B without a valid certificate: because unverified",
			"bob@acme.test a un nouvel appareil B sans certificat valide\u00a0: because unverified"},
		{"identity lost", map[string]string{"A": "1"}, nil,
			"bob@acme.test's identity is no longer verified: No device certificate was published.",
			"bob@acme.test n’a plus d’identité vérifiée\u00a0: Aucun certificat d’appareil n’a été publié."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []struct{ lang, want string }{{"", c.en}, {"en_GB.UTF-8", c.en}, {"fr", c.fr}} {
				s := offlineIn(t, lang.lang)
				st := &s.ident
				st.loaded = true
				known := map[string]string{}
				for k, v := range c.known {
					known[k] = v
				}
				st.records = map[string]*identRecord{bob: {Verified: true, Devices: known}}
				var results []identity.Result
				for _, d := range c.devices {
					results = append(results, d.result)
				}
				p := &peerIdent{have: true, devices: c.devices, best: identity.BestIn(s.lang, results)}
				st.mu.Lock()
				ch := s.detectChange(bob, p)
				st.mu.Unlock()
				if ch == nil || ch.Detail != lang.want {
					t.Errorf("lang %q: change %+v, want detail %q", lang.lang, ch, lang.want)
				}
			}
		})
	}

	// Undecodable device items and unreachable devices.
	if got := decodeDevices(offlineIn(t, "fr").lang, []pubsubItem{{ID: "X"}}); len(got) != 1 ||
		got[0].result.Reason != "L’élément d’appareil publié est illisible\u00a0: no <device xmlns='urn:palisade:devices:1'/> payload." {
		t.Errorf("French undecodable item: %+v", got)
	}
	if got := decodeDevices("", []pubsubItem{{ID: "X"}}); len(got) != 1 ||
		got[0].result.Reason != "The published device item cannot be read: no <device xmlns='urn:palisade:devices:1'/> payload." {
		t.Errorf("English undecodable item: %+v", got)
	}
}
