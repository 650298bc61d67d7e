package policy

import (
	"testing"

	"github.com/palisade-im/palisade/l10n"
)

// The reasons in French: every kind of verdict and decision, with the exact
// sentence, and the same questions in English (zero Lang and "en") give the
// English sentences unchanged.
func TestReasonsInFrench(t *testing.T) {
	const nb = "\u00a0"
	rules := func(lang l10n.Lang, edit func(*Rules)) *Engine {
		r := testRules()
		r.Lang = lang
		if edit != nil {
			edit(&r)
		}
		return mustEngine(t, r)
	}
	unmanaged := func(lang l10n.Lang) *Engine {
		r := Unmanaged("acme.test")
		r.Lang = lang
		return mustEngine(t, r)
	}
	noOrg := func(r *Rules) { r.Org = "" }
	globexIT := func(r *Rules) {
		r.Org = "Globex Corp"
		r.InternalDomains = []string{"acme.test"}
		r.Partners = r.Partners[:1]
		r.SubdomainsInternal = true
	}
	blockUnknown := func(r *Rules) { r.UnknownDomains = Block }
	tests := []struct {
		name   string
		edit   func(*Rules)
		unman  bool
		ask    func(e *Engine) string
		en, fr string
	}{
		{name: "internal", ask: classify("alice@acme.test"),
			en: "acme.test is ACME's own domain.",
			fr: "acme.test est le domaine de l’organisation ACME."},
		{name: "internal, unmanaged", unman: true, ask: classify("alice@acme.test"),
			en: "acme.test is your organisation's own domain.",
			fr: "acme.test est le domaine de votre organisation."},
		{name: "partner", ask: classify("carol@partner.test"),
			en: "partner.test belongs to Partner Ltd, a partner approved by ACME IT.",
			fr: "partner.test appartient à Partner Ltd, organisation partenaire approuvée par le service informatique d’ACME."},
		{name: "partner, organisation without a vowel", edit: globexIT, ask: classify("carol@partner.test"),
			en: "partner.test belongs to Partner Ltd, a partner approved by Globex Corp IT.",
			fr: "partner.test appartient à Partner Ltd, organisation partenaire approuvée par le service informatique de Globex Corp."},
		{name: "partner, no organisation name", edit: noOrg, ask: classify("carol@partner.test"),
			en: "partner.test belongs to Partner Ltd, a partner approved by your IT department.",
			fr: "partner.test appartient à Partner Ltd, organisation partenaire approuvée par votre service informatique."},
		{name: "gateway", ask: classify("+4412345@whatsapp.acme.test"),
			en: "whatsapp.acme.test is a gateway to WhatsApp: its contacts are outside ACME.",
			fr: "whatsapp.acme.test est une passerelle vers WhatsApp" + nb + ": ses contacts sont extérieurs à ACME."},
		{name: "subdomain counted as internal", edit: globexIT, ask: classify("dev.acme.test"),
			en: "dev.acme.test is a subdomain of acme.test, which Globex Corp IT counts as internal.",
			fr: "dev.acme.test est un sous-domaine d’acme.test, considéré comme interne par le service informatique de Globex Corp."},
		{name: "subdomain of a partner", ask: classify("chat.partner.test"),
			en: "chat.partner.test is a subdomain of partner.test (Partner Ltd), which is not itself approved.",
			fr: "chat.partner.test est un sous-domaine de partner.test (Partner Ltd) qui n’est pas lui-même approuvé."},
		{name: "unknown", ask: classify("dave@example.net"),
			en: "example.net is not an approved organisation.",
			fr: "example.net n’est pas une organisation approuvée."},
		{name: "unknown with mixed scripts", ask: classify("p\u0430yp\u0430l.example"),
			en: "p\u0430yp\u0430l.example (xn--pypl-53dc.example) is not an approved organisation. Its name mixes letters from different alphabets, a common disguise.",
			fr: "p\u0430yp\u0430l.example (xn--pypl-53dc.example) n’est pas une organisation approuvée. Son nom mélange des lettres de plusieurs alphabets, une ruse courante."},
		{name: "lookalike", ask: classify("acm.test"),
			en: "acm.test looks like acme.test but is not it (a missing letter).",
			fr: "acm.test ressemble à acme.test sans l’être (une lettre manquante)."},
		{name: "lookalike with several techniques", ask: classify("acrne.co"),
			en: "acrne.co looks like acme.test but is not it (look-alike characters, a different ending).",
			fr: "acrne.co ressemble à acme.test sans l’être (des caractères d’apparence identique, une autre extension)."},
		{name: "blocked by IT", ask: classify("mallory@evil.test"),
			en: "evil.test is blocked by ACME IT.",
			fr: "evil.test est bloqué par le service informatique d’ACME."},
		{name: "blocked by the user", ask: classify("spammer@example.org"),
			en: "You blocked spammer@example.org.",
			fr: "Vous avez bloqué spammer@example.org."},
		{name: "not an address", ask: classify("@acme.test"),
			en: "\u201c@acme.test\u201d is not a valid address: the part before @ is empty.",
			fr: "«" + nb + "@acme.test" + nb + "» n’est pas une adresse valide" + nb + ": la partie avant @ est vide."},
		{name: "first message to confirm", ask: func(e *Engine) string { return e.MayMessage("dave@example.net", false).Reason },
			en: "example.net is not an approved organisation. Confirm that you want to write to dave@example.net.",
			fr: "example.net n’est pas une organisation approuvée. Confirmez que vous souhaitez écrire à dave@example.net."},
		{name: "messages to unknown domains refused", edit: blockUnknown, ask: func(e *Engine) string { return e.MayMessage("dave@example.net", false).Reason },
			en: "example.net is not an approved organisation. ACME IT does not allow messages to organisations it has not approved.",
			fr: "example.net n’est pas une organisation approuvée. Les messages vers des organisations non approuvées ne sont pas autorisés par le service informatique d’ACME."},
		{name: "file to an unknown domain", ask: file("dave@example.net", "a.pdf", 1),
			en: "Files to example.net are not allowed: ACME IT allows files only to ACME and the partners Partner Ltd and Initech.",
			fr: "Les fichiers destinés à example.net ne sont pas autorisés" + nb + ": le service informatique d’ACME n’autorise les fichiers que vers ACME et les partenaires Partner Ltd et Initech."},
		{name: "file to an unknown domain, unmanaged", unman: true, ask: file("eve@example.net", "a.pdf", 1),
			en: "Files to example.net are not allowed: Palisade's default rules allow files only to acme.test.",
			fr: "Les fichiers destinés à example.net ne sont pas autorisés" + nb + ": les règles par défaut de Palisade n’autorisent les fichiers que vers acme.test."},
		{name: "file to a partner without files", ask: file("hans@globex.com", "a.pdf", 1),
			en: "Files to Globex are not allowed by ACME IT.",
			fr: "Les fichiers destinés à Globex ne sont pas autorisés par le service informatique d’ACME."},
		{name: "file through a gateway", ask: file("+4412345@whatsapp.acme.test", "a.pdf", 1),
			en: "Files cannot be sent through the WhatsApp gateway: ACME IT allows files only to ACME and the partners Partner Ltd and Initech.",
			fr: "Les fichiers ne peuvent pas passer par la passerelle WhatsApp" + nb + ": le service informatique d’ACME n’autorise les fichiers que vers ACME et les partenaires Partner Ltd et Initech."},
		{name: "file to a lookalike", ask: file("bob@acm.test", "a.pdf", 1),
			en: "Files are never sent to look-alike domains: acm.test is not acme.test.",
			fr: "Les fichiers ne sont jamais envoyés à des domaines sosies" + nb + ": acm.test n’est pas acme.test."},
		{name: "file of a blocked type", ask: file("alice@acme.test", "virus.EXE", 1),
			en: "ACME IT does not allow sending .exe files (\u201cvirus.EXE\u201d).",
			fr: "Les fichiers .exe ne sont pas autorisés par le service informatique d’ACME (" + "«" + nb + "virus.EXE" + nb + "»)."},
		{name: "file name with direction characters", ask: file("alice@acme.test", "a\u202egpj.exe", 1),
			en: "\u201ca\ufffdgpj.exe\u201d hides its real type with invisible direction characters, so it cannot be sent.",
			fr: "Le fichier «" + nb + "a\ufffdgpj.exe" + nb + "» masque son vrai type avec des caractères de direction invisibles" + nb + ": il ne peut donc pas être envoyé."},
		{name: "size limit of a partner", ask: file("carol@partner.test", "a.pdf", 30<<20),
			en: "Files larger than 25 MB cannot be sent to Partner Ltd.",
			fr: "Les fichiers de plus de 25" + nb + "Mio ne peuvent pas être envoyés à Partner Ltd."},
		{name: "size limit with a fraction", edit: func(r *Rules) { r.Files.MaxSize = 1536 << 10 }, ask: file("alice@acme.test", "a.pdf", 2<<20),
			en: "Files larger than 1.5 MB cannot be sent to ACME.",
			fr: "Les fichiers de plus de 1,5" + nb + "Mio ne peuvent pas être envoyés à ACME."},
		{name: "size limit, no organisation name", edit: noOrg, ask: file("alice@acme.test", "a.pdf", 200<<20),
			en: "Files larger than 100 MB cannot be sent to your organisation.",
			fr: "Les fichiers de plus de 100" + nb + "Mio ne peuvent pas être envoyés à votre organisation."},
		{name: "room with an outsider", ask: func(e *Engine) string {
			return e.MayFileToRoom([]string{"alice@acme.test", "dave@example.net"}, "a.pdf", 1).Reason
		},
			en: "Files cannot be sent to this room because of dave@example.net: Files to example.net are not allowed: ACME IT allows files only to ACME and the partners Partner Ltd and Initech.",
			fr: "Les fichiers ne peuvent pas être envoyés dans ce salon à cause du membre dave@example.net" + nb + ": les fichiers destinés à example.net ne sont pas autorisés" + nb + ": le service informatique d’ACME n’autorise les fichiers que vers ACME et les partenaires Partner Ltd et Initech."},
		{name: "room with someone the user blocked", ask: func(e *Engine) string {
			return e.MayFileToRoom([]string{"alice@acme.test", "spammer@example.org"}, "a.pdf", 1).Reason
		},
			en: "Files cannot be sent to this room because of spammer@example.org: You blocked spammer@example.org.",
			fr: "Les fichiers ne peuvent pas être envoyés dans ce salon à cause du membre spammer@example.org" + nb + ": vous avez bloqué spammer@example.org."},
		{name: "room with a blocked file type", ask: func(e *Engine) string {
			return e.MayFileToRoom([]string{"alice@acme.test"}, "setup.exe", 1).Reason
		},
			en: "Files cannot be sent to this room because of alice@acme.test: ACME IT does not allow sending .exe files (\u201csetup.exe\u201d).",
			fr: "Les fichiers ne peuvent pas être envoyés dans ce salon à cause du membre alice@acme.test" + nb + ": les fichiers .exe ne sont pas autorisés par le service informatique d’ACME («" + nb + "setup.exe" + nb + "»)."},
		{name: "room with unknown members", ask: func(e *Engine) string { return e.MayFileToRoom(nil, "a.pdf", 1).Reason },
			en: "Files cannot be sent to this room: its members are not known, so ACME IT's file rules cannot be checked.",
			fr: "Les fichiers ne peuvent pas être envoyés dans ce salon" + nb + ": ses membres ne sont pas connus, les règles de fichiers fixées par le service informatique d’ACME ne peuvent donc pas être vérifiées."},
		{name: "invitation to confirm", ask: func(e *Engine) string { return e.MayInvite("dave@example.net", false).Reason },
			en: "\u201cdave@example.net\u201d is outside the approved organisations (example.net is not an approved organisation): confirm to invite them, and they will read everything said in the room from then on.",
			fr: "«" + nb + "dave@example.net" + nb + "» ne fait pas partie des organisations approuvées (example.net n’est pas une organisation approuvée)" + nb + ": confirmez l’invitation\u202f; à partir de ce moment, cette personne lira tout ce qui se dit dans le salon."},
		{name: "explain", ask: func(e *Engine) string { return e.Explain("dave@example.net").Reason },
			en: "example.net is not an approved organisation. Files to example.net are not allowed: ACME IT allows files only to ACME and the partners Partner Ltd and Initech.",
			fr: "example.net n’est pas une organisation approuvée. Les fichiers destinés à example.net ne sont pas autorisés" + nb + ": le service informatique d’ACME n’autorise les fichiers que vers ACME et les partenaires Partner Ltd et Initech."},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			lang l10n.Lang
			want string
		}{{"", tt.en}, {l10n.English, tt.en}, {l10n.French, tt.fr}, {"fr_FR.UTF-8", tt.fr}} {
			var e *Engine
			if tt.unman {
				e = unmanaged(c.lang)
			} else {
				e = rules(c.lang, tt.edit)
			}
			if got := tt.ask(e); got != c.want {
				t.Errorf("%s (%q):\n got %q\nwant %q", tt.name, c.lang, got, c.want)
			}
		}
	}
}

func classify(jid string) func(*Engine) string {
	return func(e *Engine) string { return e.Classify(jid).Reason }
}

func file(jid, name string, size int64) func(*Engine) string {
	return func(e *Engine) string { return e.MayFile(jid, name, size).Reason }
}

// The French reasons keep the shapes the window reads: the domain first,
// the lookalike's techniques in brackets at the end, "Les fichiers " where
// English says "Files ".
func TestFrenchReasonShapes(t *testing.T) {
	r := testRules()
	r.Lang = l10n.French
	e := mustEngine(t, r)
	for _, tt := range []struct{ in, prefix, suffix string }{
		{"acme.test", "acme.test ", "."},
		{"acmme.test", "acmme.test ", " (une lettre doublée)."},
		{"amce.test", "amce.test ", " (des lettres interverties)."},
		{"acme-corp.test", "acme-corp.test ", " (des tirets ou des mots ajoutés)."},
		{"acme.test.evil.example", "acme.test.evil.example ", " (le nom approuvé placé dans un autre domaine)."},
		{"\u0430cme.test", "\u0430cme.test (xn--cme-5cd.test) ", " (des caractères d’apparence identique, des lettres de plusieurs alphabets, un nom international encodé)."},
		{"example.net", "example.net ", "."},
		{"evil.test", "evil.test ", "."},
	} {
		got := e.Classify(tt.in).Reason
		if len(got) < len(tt.prefix) || got[:len(tt.prefix)] != tt.prefix || got[len(got)-len(tt.suffix):] != tt.suffix {
			t.Errorf("Classify(%s) = %q: want it to start with %q and end with %q", tt.in, got, tt.prefix, tt.suffix)
		}
	}
	for _, tt := range []struct {
		jid, name string
		size      int64
	}{{"dave@example.net", "", -1}, {"hans@globex.com", "", -1}, {"bob@acm.test", "", -1}, {"+1@whatsapp.acme.test", "", -1}, {"carol@partner.test", "", 1 << 40}} {
		got := e.MayFile(tt.jid, tt.name, tt.size).Reason
		if len(got) < 13 || got[:13] != "Les fichiers " {
			t.Errorf("MayFile(%s) = %q: want it to start with \"Les fichiers \"", tt.jid, got)
		}
	}
}

func TestHumanSizeIn(t *testing.T) {
	for _, tt := range []struct {
		n      int64
		en, fr string
	}{
		{0, "0 bytes", "0\u00a0octets"},
		{1, "1 byte", "1\u00a0octet"},
		{800, "800 bytes", "800\u00a0octets"},
		{1536, "1.5 KB", "1,5\u00a0Kio"},
		{25 << 20, "25 MB", "25\u00a0Mio"},
		{3 << 29, "1.5 GB", "1,5\u00a0Gio"},
	} {
		if got := HumanSizeIn(l10n.French, tt.n); got != tt.fr {
			t.Errorf("HumanSizeIn(fr, %d) = %q, want %q", tt.n, got, tt.fr)
		}
		if got := HumanSizeIn("", tt.n); got != tt.en {
			t.Errorf("HumanSizeIn(\"\", %d) = %q, want %q", tt.n, got, tt.en)
		}
		if got := HumanSize(tt.n); got != tt.en {
			t.Errorf("HumanSize(%d) = %q, want %q", tt.n, got, tt.en)
		}
	}
}

// New names a bad entry in the rules' language, after "policy: ".
func TestNewErrorsInFrench(t *testing.T) {
	for _, tt := range []struct {
		name   string
		edit   func(*Rules)
		en, fr string
	}{
		{"listed twice", func(r *Rules) { r.BlockedDomains = append(r.BlockedDomains, "partner.test") },
			`policy: domain "partner.test" is listed twice (partner Partner Ltd and blocked)`,
			`policy: le domaine "partner.test" figure deux fois (partenaire Partner Ltd et bloqué)`},
		{"bad internal domain", func(r *Rules) { r.InternalDomains = append(r.InternalDomains, "a..b") },
			`policy: internal domain 3 "a..b": the domain has an empty label`,
			"policy: domaine interne 3 \"a..b\"\u00a0: le domaine a une étiquette vide"},
		{"blocks an approved domain", func(r *Rules) { r.BlockedDomains = []string{"co.uk"} },
			`policy: blocked domain "co.uk" would block the approved domain "globex.co.uk" (Globex)`,
			`policy: le domaine bloqué "co.uk" bloquerait le domaine approuvé "globex.co.uk" (Globex)`},
		{"bad file type", func(r *Rules) { r.Files.BlockedTypes = []string{"a.b"} },
			`policy: blocked file type 1 "a.b" is not an extension like ".exe"`,
			"policy: le type de fichier bloqué 1 \"a.b\" n’est pas une extension comme «\u00a0.exe\u00a0»"},
	} {
		for _, c := range []struct {
			lang l10n.Lang
			want string
		}{{"", tt.en}, {l10n.French, tt.fr}} {
			r := testRules()
			r.Lang = c.lang
			tt.edit(&r)
			if _, err := New(r); err == nil || err.Error() != c.want {
				t.Errorf("%s (%q): error %v, want %q", tt.name, c.lang, err, c.want)
			}
		}
	}
}

func TestAfterColon(t *testing.T) {
	for in, want := range map[string]string{
		"Les fichiers .exe ne sont pas autorisés.": "les fichiers .exe ne sont pas autorisés.",
		"Vous avez bloqué x@y.test.":               "vous avez bloqué x@y.test.",
		"Élise":                                    "élise",
		"ACME bloque ce domaine.":                  "ACME bloque ce domaine.",
		"evil.test est bloqué.":                    "evil.test est bloqué.",
		"«\u00a0a.exe\u00a0»":                      "«\u00a0a.exe\u00a0»",
		"":                                         "",
		"L":                                        "l",
	} {
		if got := afterColon(in); got != want {
			t.Errorf("afterColon(%q) = %q, want %q", in, got, want)
		}
	}
}
