package cli

import (
	"path/filepath"
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// client policy explain writes its reasons in the locale's language.
func TestPolicyExplainLanguage(t *testing.T) {
	const nb = "\u00a0"
	sys := t.TempDir()
	priv := itKey(t, sys)
	path := filepath.Join(t.TempDir(), "acme.json")
	writeSigned(t, path, validProfile(), priv)
	tests := []struct{ jid, en, fr string }{
		{"bob@acme.test",
			"acme.test is Acme's own domain.",
			"acme.test est le domaine de l’organisation Acme."},
		{"carol@partner.test",
			"partner.test belongs to Partner Corp, a partner approved by Acme IT. Files to Partner Corp are not allowed by Acme IT.",
			"partner.test appartient à Partner Corp, organisation partenaire approuvée par le service informatique d’Acme. Les fichiers destinés à Partner Corp ne sont pas autorisés par le service informatique d’Acme."},
		{"x@blocked.test",
			"blocked.test is blocked by Acme IT.",
			"blocked.test est bloqué par le service informatique d’Acme."},
		{"bob@acme-test.test",
			"acme-test.test looks like acme.test but is not it (added hyphens or words). Files are never sent to look-alike domains: acme-test.test is not acme.test.",
			"acme-test.test ressemble à acme.test sans l’être (des tirets ou des mots ajoutés). Les fichiers ne sont jamais envoyés à des domaines sosies" + nb + ": acme-test.test n’est pas acme.test."},
	}
	for _, c := range []struct {
		env    map[string]string
		french bool
	}{
		{map[string]string{"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}, false},
		{map[string]string{"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_GB.UTF-8"}, false},
		{map[string]string{"LC_ALL": "fr_FR.UTF-8", "LC_MESSAGES": "", "LANG": "en_GB.UTF-8"}, true},
		{map[string]string{"LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_CA.UTF-8"}, true},
	} {
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		args := []string{"policy", "explain", "--profile", path, "--keys", filepath.Join(sys, "keys")}
		for _, tt := range tests {
			args = append(args, tt.jid)
		}
		h := newHarness()
		if code := h.run(args...); code != ExitOK {
			t.Fatalf("%v: exit %d, stderr %s", c.env, code, h.stderr.String())
		}
		got := explainLines(t, h.stdout.String())
		for _, tt := range tests {
			want := tt.en
			if c.french {
				want = tt.fr
			}
			if r := got[tt.jid]["reason"]; r != want {
				t.Errorf("%v %s:\n got %q\nwant %q", c.env, tt.jid, r, want)
			}
		}
	}
}

// The notices of opening the profiles are in the language asked for.
func TestOpenProfilesLanguage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.json")
	for _, tt := range []struct {
		lang l10n.Lang
		want string
	}{
		{"", "The profile " + missing + " given with --profile does not exist."},
		{l10n.French, "Le profil " + missing + " indiqué avec --profile n’existe pas."},
	} {
		_, notes := openProfilesIn(tt.lang, t.TempDir(), missing)
		var got []string
		for _, n := range notes {
			if r, ok := n.(event.ProfileRefused); ok && r.Code == event.ProfileUnreadable {
				got = append(got, r.Reason)
			}
		}
		if len(got) == 0 || got[len(got)-1] != tt.want {
			t.Errorf("%q: notices %v, want the last to be %q", tt.lang, notes, tt.want)
		}
	}
}
