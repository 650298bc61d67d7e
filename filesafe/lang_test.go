package filesafe

import (
	"errors"
	"testing"

	"github.com/palisade-im/palisade/l10n"
)

// CheckURLIn writes the refusal in the language asked for; CheckURL (and
// the zero language) keep the English reasons.
func TestCheckURLIn(t *testing.T) {
	for _, tt := range []struct {
		raw, code, en, fr string
	}{
		{"http://files.example.com/a.pdf", BadScheme,
			"Only https links are downloaded; this one uses http.",
			"Seuls les liens https sont téléchargés\u202f; celui-ci utilise http."},
		{"//files.example.com/a.pdf", BadScheme,
			"Only https links are downloaded; this one uses none.",
			"Seuls les liens https sont téléchargés\u202f; celui-ci n’indique aucun protocole."},
		{"https://bob:secret@files.example.com/a.pdf", BadCredentials,
			"The link carries a user name or password; such links are not downloaded.",
			"Le lien contient un nom d’utilisateur ou un mot de passe\u202f; de tels liens ne sont pas téléchargés."},
		{"https://192.168.1.10/a.pdf", BadAddress,
			"The link points at a local or private address (192.168.1.10), not at a file server.",
			"Le lien pointe vers une adresse locale ou privée (192.168.1.10), et non vers un serveur de fichiers."},
		{"https://printer.local/a.pdf", BadAddress,
			"The link points at a name on a local network (printer.local), not at a file server.",
			"Le lien pointe vers un nom du réseau local (printer.local), et non vers un serveur de fichiers."},
		{"https://files.example.com:99999/a.pdf", BadHost,
			"The link names an invalid port.",
			"Le lien indique un port non valide."},
	} {
		for _, c := range []struct {
			name string
			run  func() error
			want string
		}{
			{"CheckURL", func() error { _, err := CheckURL(tt.raw, nil); return err }, tt.en},
			{"CheckURLIn(\"\")", func() error { _, err := CheckURLIn("", tt.raw, nil); return err }, tt.en},
			{"CheckURLIn(fr)", func() error { _, err := CheckURLIn(l10n.French, tt.raw, nil); return err }, tt.fr},
		} {
			var ue *URLError
			if err := c.run(); !errors.As(err, &ue) || ue.Code != tt.code || ue.Reason != c.want || err.Error() != c.want {
				t.Errorf("%s(%q) = %v, want code %s and %q", c.name, tt.raw, err, tt.code, c.want)
			}
		}
	}
	if _, err := CheckURLIn(l10n.French, "https://files.example.com/a.pdf", nil); err != nil {
		t.Errorf("a public https link refused: %v", err)
	}
}
