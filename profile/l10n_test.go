package profile

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// Refusals carry their reason in any language: English (Msg, the log)
// stays as it was, In(French) is French.
func TestRefusalsInFrench(t *testing.T) {
	k1, k3 := key(t, 1), key(t, 3)
	five := doc(t, 5, nil)
	tests := []struct {
		name   string
		data   []byte
		jws    func(data []byte) string
		code   string
		en, fr string
	}{
		{"tampered", []byte(strings.Replace(string(five), "ACME", "ACMF", 1)), func([]byte) string { return sign(t, five, k1) }, event.ProfileBadSignature,
			"profile acme-default serial 5 refused: bad signature: the signature by key " + KeyID(k1.pub) + " does not match the content (was the file changed after signing?)",
			"profil acme-default numéro 5 refusé\u00a0: signature non valide\u00a0: la signature par la clé " + KeyID(k1.pub) + " ne correspond pas au contenu (le fichier a-t-il été modifié après sa signature\u202f?)"},
		{"rollback", doc(t, 4, nil), func(d []byte) string { return sign(t, d, k1) }, event.ProfileRollback,
			"profile acme-default serial 4 refused: serial 5 is already in force (rollback)",
			"profil acme-default numéro 4 refusé\u00a0: le numéro 5 est déjà en vigueur (retour à une version antérieure)"},
		{"unknown key", doc(t, 6, nil), func(d []byte) string { return sign(t, d, k3) }, event.ProfileUnknownKey,
			"profile acme-default serial 6 refused: signed by key " + KeyID(k3.pub) + ", which is not a trusted IT key",
			"profil acme-default numéro 6 refusé\u00a0: signé par la clé " + KeyID(k3.pub) + ", qui n’est pas une clé reconnue du service informatique"},
		{"expired", doc(t, 6, func(m map[string]any) {
			m["issued_at"] = "2025-01-01T00:00:00Z"
			m["expires_at"] = "2026-01-01T00:00:00Z"
		}), func(d []byte) string { return sign(t, d, k1) }, event.ProfileExpired,
			"profile acme-default serial 6 refused: it expired on 2026-01-01T00:00:00Z",
			"profil acme-default numéro 6 refusé\u00a0: il a expiré le 2026-01-01T00:00:00Z"},
		{"malformed", doc(t, 6, func(m map[string]any) { m["unknown_domains"] = "ask" }), func(d []byte) string { return sign(t, d, k1) }, event.ProfileMalformed,
			`profile acme-default serial 6 refused: malformed profile: field unknown_domains is "ask", expected warn, confirm or block`,
			`profil acme-default numéro 6 refusé` + "\u00a0" + `: profil mal formé` + "\u00a0" + `: le champ unknown_domains vaut "ask", warn, confirm ou block attendu`},
		{"empty", []byte(" "), func(d []byte) string { return sign(t, d, k1) }, event.ProfileMalformed,
			"profile refused: malformed profile: the document is empty",
			"profil refusé\u00a0: profil mal formé\u00a0: le document est vide"},
		{"no signature", doc(t, 6, nil), func([]byte) string { return "" }, event.ProfileBadSignature,
			"profile acme-default serial 6 refused: bad signature: the signature is empty",
			"profil acme-default numéro 6 refusé\u00a0: signature non valide\u00a0: la signature est vide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := open(t, t.TempDir())
			mustApply(t, m, five, sign(t, five, k1), SourcePush)
			_, err := m.Apply(tt.data, tt.jws(tt.data), SourceImport)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("Apply = %v, want a *Error %s", err, tt.code)
			}
			for _, c := range []struct{ got, want string }{
				{e.Msg, tt.en}, {e.Error(), tt.en}, {e.In(""), tt.en}, {e.In(l10n.English), tt.en},
				{e.In(l10n.French), tt.fr}, {ReasonIn(l10n.French, err), tt.fr},
			} {
				if c.got != c.want {
					t.Errorf("got  %q\nwant %q", c.got, c.want)
				}
			}
		})
	}
	// A bulletin refused for its signature.
	_, _, err := open(t, t.TempDir()).ApplyBulletin([]byte(`{}`), "")
	if got, want := ReasonIn(l10n.French, err), "bulletin refusé\u00a0: signature non valide\u00a0: la signature est vide"; got != want {
		t.Errorf("bulletin refusal in French = %q, want %q", got, want)
	}
	if got, want := err.Error(), "bulletin refused: bad signature: the signature is empty"; got != want {
		t.Errorf("bulletin refusal in English = %q, want %q", got, want)
	}
	// A bulletin with a malformed field.
	bad := []byte(`{"format":"palisade-bulletin/1","id":"b1","issued_at":"2026-05-01T00:00:00Z","severity":"urgent","title":"t","body":"b"}`)
	_, err = ParseBulletin(bad)
	if got, want := ReasonIn(l10n.French, err), `bulletin mal formé`+"\u00a0"+`: le champ severity vaut "urgent", info, warning ou critical attendu`; got != want {
		t.Errorf("malformed bulletin in French = %q, want %q", got, want)
	}
	if got, want := err.Error(), `malformed bulletin: field severity is "urgent", expected info, warning or critical`; got != want {
		t.Errorf("malformed bulletin in English = %q, want %q", got, want)
	}
	// A detail from the identity part of the profile.
	_, err = Parse(doc(t, 6, func(m map[string]any) { m["trusted_cas"] = map[string]any{"pin_server": true} }))
	if got, want := ReasonIn(l10n.French, err), "profil mal formé\u00a0: champ trusted_cas.pin_server\u00a0: imposer l’autorité du serveur nécessite au moins une autorité de certification dans trusted_cas.server_tls"; got != want {
		t.Errorf("pin_server without CA in French = %q, want %q", got, want)
	}
	if got, want := err.Error(), "malformed profile: field trusted_cas.pin_server: pinning needs at least one CA in trusted_cas.server_tls"; got != want {
		t.Errorf("pin_server without CA in English = %q, want %q", got, want)
	}
	// Details of the JSON decoding.
	for _, c := range []struct {
		data   string
		en, fr string
	}{
		{`{"serial": "x"}`, "malformed profile: field serial: expected an integer, got string",
			"profil mal formé\u00a0: champ serial\u00a0: un entier attendu, string reçu"},
		{`{"id": "a", "id": "b"}`, "malformed profile: field id appears twice",
			"profil mal formé\u00a0: le champ id apparaît deux fois"},
		{`{"id": `, "malformed profile: the JSON document is truncated",
			"profil mal formé\u00a0: le document JSON est tronqué"},
	} {
		_, err := Parse([]byte(c.data))
		if err == nil || err.Error() != c.en || ReasonIn(l10n.French, err) != c.fr {
			t.Errorf("Parse(%s) = %v / %q, want %q / %q", c.data, err, ReasonIn(l10n.French, err), c.en, c.fr)
		}
	}
	// Dismissing a bulletin that is not there.
	err = open(t, t.TempDir()).Dismiss("nope")
	if err == nil || err.Error() != `no bulletin "nope"` || ReasonIn(l10n.French, err) != `aucun bulletin "nope"` {
		t.Errorf("Dismiss(unknown) = %v / %q", err, ReasonIn(l10n.French, err))
	}
	// An error that is not a refusal keeps its text.
	if got := ReasonIn(l10n.French, errors.New("disk full")); got != "disk full" {
		t.Errorf("ReasonIn(plain error) = %q", got)
	}
}

// The change lines of a new profile, in French; English unchanged.
func TestChangesInFrench(t *testing.T) {
	parse := func(serial int64, f func(map[string]any)) *Profile {
		p, err := Parse(doc(t, serial, f))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := parse(1, nil)
	tests := []struct {
		name   string
		old    *Profile
		edit   func(map[string]any)
		en, fr []string
	}{
		{"first profile", nil, nil,
			[]string{"Now managed by ACME IT (profile acme-default, serial 2)"},
			[]string{"Désormais géré par le service informatique de ACME (profil acme-default, numéro 2)"}},
		{"partner files", old, func(m map[string]any) {
			m["partners"] = []any{map[string]any{"name": "Partner Ltd", "domains": []any{"partner.test"}}}
		},
			[]string{"Partner Partner Ltd: files allowed, up to 25 MB -> files not allowed"},
			[]string{"Partenaire Partner Ltd\u00a0: fichiers autorisés, jusqu’à 25\u00a0Mio -> fichiers non autorisés"}},
		{"files", old, func(m map[string]any) {
			m["files"] = map[string]any{"max_size": 1536 << 10, "blocked_types": append(slices.Clone(old.blockedTypes()), ".xyz"), "scan_required": true}
		},
			[]string{"File size limit: 100 MB -> 1.5 MB", "Blocked file type .xyz added", "Virus scan before sending files: not required -> required"},
			[]string{"Taille maximale des fichiers\u00a0: 100\u00a0Mio -> 1,5\u00a0Mio", "Type de fichier bloqué .xyz ajouté", "Analyse antivirus avant l’envoi de fichiers\u00a0: facultative -> obligatoire"}},
		{"settings", old, func(m map[string]any) {
			m["tor"] = "required"
			m["unknown_domains"] = "block"
			m["blocked_domains"] = []any{}
			m["expires_at"] = "2028-01-01T00:00:00Z"
		},
			[]string{"Blocked domain phish.example removed", "Unknown domains: warn -> block", "Tor: optional -> required", "Valid until 2028-01-01"},
			[]string{"Domaine bloqué phish.example retiré", "Domaines inconnus\u00a0: avertir -> bloquer", "Tor\u00a0: facultatif -> obligatoire", "Valable jusqu’au 2028-01-01"}},
		{"focus hours and subdomains", old, func(m map[string]any) {
			m["focus_hours"] = map[string]any{"enabled": true, "days": []any{"mon"}, "start": "09:00", "end": "12:00"}
			m["organisation"] = map[string]any{"name": "ACME", "domains": []any{"acme.test"}, "subdomains_internal": true}
		},
			[]string{"Subdomains of internal domains count as internal: no -> yes", "Focus hours: none -> mon 09:00-12:00"},
			[]string{"Sous-domaines des domaines internes considérés comme internes\u00a0: non -> oui", "Heures de concentration\u00a0: aucune -> mon 09:00-12:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nw := parse(2, tt.edit)
			if got := Changes(tt.old, nw); !slices.Equal(got, tt.en) {
				t.Errorf("English:\n got %q\nwant %q", got, tt.en)
			}
			if got := ChangesIn(l10n.French, tt.old, nw); !slices.Equal(got, tt.fr) {
				t.Errorf("French:\n got %q\nwant %q", got, tt.fr)
			}
		})
	}

	// The manager's result writes the same lines in any language.
	m := open(t, t.TempDir())
	one, two := doc(t, 1, nil), doc(t, 2, func(m map[string]any) { m["tor"] = "off" })
	mustApply(t, m, one, sign(t, one, key(t, 1)), SourcePush)
	r := mustApply(t, m, two, sign(t, two, key(t, 1)), SourcePush)
	if want := []string{"Tor: optional -> off"}; !slices.Equal(r.Changes, want) || !slices.Equal(r.ChangesIn(""), want) {
		t.Errorf("Result changes %q / %q, want %q", r.Changes, r.ChangesIn(""), want)
	}
	if got, want := r.ChangesIn(l10n.French), []string{"Tor\u00a0: facultatif -> désactivé"}; !slices.Equal(got, want) {
		t.Errorf("Result.ChangesIn(fr) = %q, want %q", got, want)
	}
}

func TestSizeIn(t *testing.T) {
	for _, tt := range []struct {
		n      int64
		en, fr string
	}{
		{800, "800 bytes", "800\u00a0octets"},
		{4 << 10, "4 KB", "4\u00a0Kio"},
		{25 << 20, "25 MB", "25\u00a0Mio"},
		{3 << 29, "1.5 GB", "1,5\u00a0Gio"},
		{2 << 30, "2 GB", "2\u00a0Gio"},
	} {
		if got := Size(tt.n); got != tt.en {
			t.Errorf("Size(%d) = %q, want %q", tt.n, got, tt.en)
		}
		if got := SizeIn(l10n.French, tt.n); got != tt.fr {
			t.Errorf("SizeIn(fr, %d) = %q, want %q", tt.n, got, tt.fr)
		}
	}
}
