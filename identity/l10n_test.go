package identity

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// The verifier writes its reasons in the language it is given; English
// (the zero value) stays as it was.
func TestVerifyReasonsInFrench(t *testing.T) {
	acme := newTestCA(t, "ACME Identity CA", "ACME")
	other := newTestCA(t, "Other CA", "Other")
	alice := newDevice(t, "alice@acme.test", "Alice Martin")

	good := acme.issue(t, alice, IssueOptions{Org: "ACME", Validity: 30 * 24 * time.Hour})
	revoked := acme.issue(t, alice, IssueOptions{Org: "ACME", Serial: big.NewInt(0x1234)})
	listed := acme.issue(t, alice, IssueOptions{Org: "ACME", Serial: big.NewInt(0xbeef)})
	crl, err := acme.ca.RevocationList([]Revoked{{Serial: "beef", At: t0}}, t0, t0.Add(7*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	untrusted := other.issue(t, alice, IssueOptions{})

	base, err := NewVerifier([]Anchor{{Cert: acme.ca.Cert, Org: "ACME", Domains: []string{"acme.test"}}},
		[][]byte{crl}, []Revoked{{Serial: "12:34"}})
	if err != nil {
		t.Fatal(err)
	}
	fr := base.In(l10n.French)

	tests := []struct {
		name   string
		chain  [][]byte
		jid    string
		now    time.Time
		status string
		en, fr string
	}{
		{"verified", good, "alice@acme.test", t0, event.IdentityVerified,
			"Certified by ACME Identity CA until 31 March 2026.",
			"Certifié par ACME Identity CA jusqu’au 31 mars 2026."},
		{"expired", good, "alice@acme.test", t0.Add(31 * 24 * time.Hour), event.IdentityExpired,
			"The certificate expired on 31 March 2026.",
			"Le certificat a expiré le 31 mars 2026."},
		{"not yet valid", good, "alice@acme.test", t0.Add(-time.Hour), event.IdentityExpired,
			"The certificate is not valid before 1 March 2026.",
			"Le certificat n’est pas valide avant le 1er mars 2026."},
		{"revoked by serial", revoked, "alice@acme.test", t0, event.IdentityRevoked,
			"The certificate was revoked (serial 1234 is on the profile's revocation list).",
			"Le certificat a été révoqué (le numéro de série 1234 figure sur la liste de révocation du profil)."},
		{"revoked by CRL", listed, "alice@acme.test", t0, event.IdentityRevoked,
			"The certificate was revoked (listed in ACME Identity CA's CRL since 1 March 2026).",
			"Le certificat a été révoqué (inscrit sur la liste de révocation de ACME Identity CA depuis le 1er mars 2026)."},
		{"wrong JID", good, "bob@acme.test", t0, event.IdentityMismatch,
			"The certificate is for alice@acme.test, not bob@acme.test.",
			"Le certificat est établi pour alice@acme.test, et non pour bob@acme.test."},
		{"untrusted CA", untrusted, "alice@acme.test", t0, event.IdentityUnverified,
			"Issued by Other CA, which is not an identity CA this profile trusts.",
			"Émis par Other CA, qui n’est pas une autorité de certification d’identité reconnue par ce profil."},
		{"nothing published", nil, "alice@acme.test", t0, event.IdentityUnverified,
			"No device certificate was published.",
			"Aucun certificat d’appareil n’a été publié."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				v    *Verifier
				want string
			}{{base, tt.en}, {base.In(l10n.English), tt.en}, {fr, tt.fr}} {
				r := c.v.Verify(tt.chain, tt.jid, tt.now)
				if r.Status != tt.status || r.Reason != c.want {
					t.Errorf("got %q %q, want %q %q", r.Status, r.Reason, tt.status, c.want)
				}
			}
		})
	}

	// In leaves the verifier it was called on as it was.
	if r := base.Verify(good, "bob@acme.test", t0); r.Reason != "The certificate is for alice@acme.test, not bob@acme.test." {
		t.Errorf("base verifier changed: %q", r.Reason)
	}
	// A nil verifier in French trusts nothing and says so in French.
	var none *Verifier
	if r := none.In(l10n.French).Verify(good, "alice@acme.test", t0); r.Status != event.IdentityUnverified ||
		r.Reason != "Émis par ACME Identity CA\u202f; le profil ne désigne aucune autorité de certification d’identité pour le vérifier." {
		t.Errorf("nil verifier in French: %q %q", r.Status, r.Reason)
	}
	if got := BestIn(l10n.French, nil).Reason; got != "Aucun certificat d’appareil n’a été publié." {
		t.Errorf("BestIn(fr, nil) = %q", got)
	}
	if got := Best(nil).Reason; got != "No device certificate was published." {
		t.Errorf("Best(nil) = %q", got)
	}
}

func TestFormatDate(t *testing.T) {
	for _, tt := range []struct {
		lang l10n.Lang
		at   time.Time
		want string
	}{
		{"", time.Date(2026, 8, 1, 23, 0, 0, 0, time.UTC), "1 August 2026"},
		{l10n.French, time.Date(2026, 8, 1, 23, 0, 0, 0, time.UTC), "1er août 2026"},
		{l10n.French, time.Date(2027, 2, 14, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "13 février 2027"},
		{l10n.French, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), "31 décembre 2026"},
	} {
		if got := formatDate(tt.lang, tt.at); got != tt.want {
			t.Errorf("formatDate(%q, %v) = %q, want %q", tt.lang, tt.at, got, tt.want)
		}
	}
}

func TestParseCertificatesErrorsInFrench(t *testing.T) {
	for _, tt := range []struct {
		in     string
		en, fr string // prefixes
	}{
		{"nope", "identity: not a certificate: ", "ce n’est pas un certificat\u00a0: "},
		{"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "identity: no PEM CERTIFICATE block found", "aucun bloc PEM CERTIFICATE trouvé"},
		{"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "identity: a certificate cannot be read: ", "un certificat est illisible\u00a0: "},
	} {
		_, err := ChainDER([]byte(tt.in))
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("ChainDER(%q) = %v, want an *Error", tt.in, err)
		}
		if !strings.HasPrefix(err.Error(), tt.en) || !strings.HasPrefix(e.In(l10n.French), tt.fr) {
			t.Errorf("ChainDER(%q): %q / %q, want prefixes %q / %q", tt.in, err.Error(), e.In(l10n.French), tt.en, tt.fr)
		}
		if tt.en[len(tt.en)-1] == ' ' && strings.TrimPrefix(err.Error(), tt.en) != strings.TrimPrefix(e.In(l10n.French), tt.fr) {
			t.Errorf("ChainDER(%q): the library's detail differs: %q / %q", tt.in, err.Error(), e.In(l10n.French))
		}
	}
}
