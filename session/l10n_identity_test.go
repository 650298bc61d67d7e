package session

import (
	"bytes"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/profile"
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

// The enrolment reasons about this device's own certificate are written in
// the user's language; English stays as it was.
func TestEnrolmentReasonsInFrench(t *testing.T) {
	now := time.Now()
	caCert, caKey, err := identity.NewCA("ACME Identity CA", "ACME", now.Add(-72*time.Hour), 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := identity.LoadCA(caCert, caKey)
	otherCert, otherKey, _ := identity.NewCA("Other CA", "Other", now.Add(-72*time.Hour), 30*24*time.Hour)
	other, _ := identity.LoadCA(otherCert, otherKey)
	key, _ := identity.NewKey()
	stranger, _ := identity.NewKey()
	issue := func(by *identity.CA, k ed25519.PrivateKey, at time.Time, validity time.Duration) string {
		csr, err := identity.CreateRequest(k, identity.Request{JID: "alice@acme.test"})
		if err != nil {
			t.Fatal(err)
		}
		info, err := identity.ParseRequest(csr)
		if err != nil {
			t.Fatal(err)
		}
		chain, err := by.Issue(info, identity.IssueOptions{Org: "ACME", Now: at, Validity: validity})
		if err != nil {
			t.Fatal(err)
		}
		return string(chain)
	}
	expired := issue(ca, key, now.Add(-48*time.Hour), 24*time.Hour)
	expiredOn := now.Add(-24 * time.Hour)
	cases := []struct {
		name   string
		chain  string
		state  string
		en, fr string
	}{
		{"another key", issue(ca, stranger, now, 24*time.Hour), event.EnrolNone,
			"The stored certificate is no longer valid: the certificate is for another key than this device's",
			"Le certificat enregistré n’est plus valide\u00a0: le certificat correspond à une autre clé que celle de cet appareil"},
		{"untrusted CA", issue(other, key, now, 24*time.Hour), event.EnrolNone,
			"The stored certificate is no longer valid: Issued by Other CA, which is not an identity CA this profile trusts",
			"Le certificat enregistré n’est plus valide\u00a0: Émis par Other CA, qui n’est pas une autorité de certification d’identité reconnue par ce profil"},
		{"expired", expired, event.EnrolExpired,
			"The certificate expired on " + identity.FormatDate("", expiredOn) + ".",
			"Le certificat a expiré le " + identity.FormatDate(l10n.French, expiredOn) + "."},
	}
	it := desk(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []struct{ lang, want string }{{"", c.en}, {"fr_FR.UTF-8", c.fr}} {
				dir := t.TempDir()
				m := it.manager(dir)
				data, sig := enrolProfile(t, it, "it-admin@acme.test", caCert)
				if _, err := m.Apply(data, sig, "managed"); err != nil {
					t.Fatal(err)
				}
				s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "x", nil },
					Profiles: m, DeviceKey: key, Lang: lang.lang})
				if err != nil {
					t.Fatal(err)
				}
				s.enr.mu.Lock()
				s.enr.dev = &DeviceFile{JID: "alice@acme.test", DeviceID: identity.DeviceID(key.Public().(ed25519.PublicKey)),
					State: event.EnrolEnrolled, Chain: c.chain}
				s.checkOwnChain(now)
				ev := s.enrolmentLocked()
				s.enr.mu.Unlock()
				if ev.State != c.state || ev.Reason != lang.want {
					t.Errorf("lang %q: %s %q, want %s %q", lang.lang, ev.State, ev.Reason, c.state, lang.want)
				}
			}
		})
	}
	// A file that holds no certificate.
	s := offlineIn(t, "fr")
	s.cfg.DeviceKey = key
	s.enr.dev = &DeviceFile{JID: "alice@acme.test", DeviceID: identity.DeviceID(key.Public().(ed25519.PublicKey)), State: event.EnrolNone}
	notCert := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(notCert, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.execute(event.ImportCertificate{Path: notCert})
	if evs := takeEvents(s); len(evs) != 1 || evs[0] != (event.Error{Message: "Le certificat n’a pas été installé\u00a0: aucun bloc PEM CERTIFICATE trouvé", Code: event.CodeConfig, Command: "import_certificate"}) {
		t.Errorf("importing a file without a certificate: %+v", evs)
	}

	// Without a device: the reason of no-key.
	s = offlineIn(t, "fr")
	s.enr.mu.Lock()
	ev := s.enrolmentLocked()
	s.enr.mu.Unlock()
	if ev.State != event.EnrolNoKey || ev.Reason != "Cet appareil n’a pas de clé d’identité." {
		t.Errorf("no key in French: %+v", ev)
	}
}

// Profiles pushed by IT: the change lines and the refusals reach a French
// user in French.
func TestProfileEventsInFrench(t *testing.T) {
	s, c, it := offlineProfiles(t)
	s.lang = l10n.French
	takeEvents(s)
	push := func(data []byte, jws string) []event.Event {
		t.Helper()
		if !s.onPubSubEvent(c, notification(t, "pubsub.acme.test", "headline", it.profileNode, item(KindProfile, data, jws))) {
			t.Fatal("the notification was not handled")
		}
		return takeEvents(s)
	}
	refusedReason := func(evs []event.Event) string {
		t.Helper()
		for _, e := range evs {
			if r, ok := e.(event.ProfileRefused); ok {
				return r.Reason
			}
		}
		t.Fatalf("no refusal in %+v", evs)
		return ""
	}

	p2, s2 := it.profile(2, "partner.test")
	var changes []string
	for _, e := range push(p2, s2) {
		if p, ok := e.(event.Profile); ok && p.Serial == 2 {
			changes = p.Changes
		}
	}
	if !slices.Contains(changes, "Partenaire Partner Ltd ajouté (fichiers autorisés, jusqu’à 100\u00a0Mio)") {
		t.Errorf("French change lines %q lack the new partner", changes)
	}

	p3, s3 := it.profile(3)
	tampered := bytes.Replace(p3, []byte(`"Acme"`), []byte(`"Acmf"`), 1)
	got := refusedReason(push(tampered, s3))
	if !strings.HasPrefix(got, "profil acme-main numéro 3 refusé\u00a0: signature non valide\u00a0: la signature par la clé ") ||
		!strings.HasSuffix(got, " ne correspond pas au contenu (le fichier a-t-il été modifié après sa signature\u202f?)") {
		t.Errorf("tampered profile refused with %q", got)
	}

	p1, s1 := it.profile(1)
	if got, want := refusedReason(push(p1, s1)), "profil acme-main numéro 1 refusé\u00a0: le numéro 2 est déjà en vigueur (retour à une version antérieure)"; got != want {
		t.Errorf("rollback refused with %q, want %q", got, want)
	}

	s.execute(event.DismissBulletin{ID: "nope"})
	evs := takeEvents(s)
	var msg string
	if len(evs) == 1 {
		if e, ok := evs[0].(event.Error); ok {
			msg = e.Message
		}
	}
	if !strings.Contains(msg, "aucun bulletin \"nope\"") {
		t.Errorf("dismissing an unknown bulletin: %+v", evs)
	}
}

// A server certificate outside the profile's pinned server CAs is refused
// in the user's language.
func TestPinnedServerRefusalInFrench(t *testing.T) {
	now := time.Now()
	pinnedPEM, _, err := identity.NewCA("ACME Server CA", "ACME", now.Add(-time.Hour), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM, _, _ := identity.NewCA("Interceptor CA", "Evil", now.Add(-time.Hour), 24*time.Hour)
	other, err := identity.ParseCertificates(otherPEM)
	if err != nil {
		t.Fatal(err)
	}
	it := desk(t)
	data, err := json.Marshal(map[string]any{
		"format": profile.Format, "id": "acme-pinned", "serial": 1,
		"issued_at": now.Add(-time.Hour).UTC().Truncate(time.Second), "expires_at": now.Add(24 * time.Hour).UTC().Truncate(time.Second),
		"organisation":    map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"unknown_domains": "warn",
		"trusted_cas":     map[string]any{"server_tls": []string{string(pinnedPEM)}, "pin_server": true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, prefix string }{
		{"", "The server's certificate does not chain to a server CA named by the IT profile, which pins it (trusted_cas.pin_server): the system's certificate authorities alone are not enough. Subject: CN=Interceptor CA,O=Evil; issuer: CN=Interceptor CA,O=Evil; SHA-256 fingerprint: "},
		{"fr", "Le certificat du serveur ne remonte à aucune autorité de certification de serveur désignée par le profil du service informatique, qui l’impose (trusted_cas.pin_server)\u00a0: les autorités de certification du système ne suffisent pas. Sujet\u00a0: CN=Interceptor CA,O=Evil\u202f; émetteur\u00a0: CN=Interceptor CA,O=Evil\u202f; empreinte SHA-256\u00a0: "},
	} {
		m := it.manager(t.TempDir())
		if _, err := m.Apply(data, it.sign(data), "managed"); err != nil {
			t.Fatal(err)
		}
		s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, Profiles: m, Lang: c.lang})
		if err != nil {
			t.Fatal(err)
		}
		pinned, err := s.verifyPinned(tls.ConnectionState{PeerCertificates: other})
		var f *failure
		if !pinned || !errors.As(err, &f) || !strings.HasPrefix(f.in(s.lang), c.prefix) {
			t.Errorf("lang %q: pinned %v, %v; want a refusal starting %q", c.lang, pinned, err, c.prefix)
		}
	}
}
