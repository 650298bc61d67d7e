package cli

import (
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// Without a keyring, the device key and the archive are off, said in the
// user's language (the window's setting reaches these through SignIn.Lang).
func TestKeyringOffInUserLanguage(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		lang          string
		device, archv string
	}{
		{"", "No system keyring is available: this device has no identity key, so it cannot be certified and its messages are not signed. The key is never written to a file.",
			"No system keyring is available: the local archive is off (history is not kept, and search and export are unavailable). Its key is never written to a file."},
		{"fr", "Aucun trousseau système n’est disponible\u00a0: cet appareil n’a pas de clé d’identité, il ne peut donc pas être certifié et ses messages ne sont pas signés. La clé n’est jamais écrite dans un fichier.",
			"Aucun trousseau système n’est disponible\u00a0: l’archive locale est désactivée (l’historique n’est pas conservé, la recherche et l’export sont indisponibles). Sa clé n’est jamais écrite dans un fichier."},
	} {
		dk := OpenDeviceKey(l10n.Lang(tt.lang), nil, dir, "alice@acme.test")
		if dk.Off == nil || dk.Off.Code != event.CodeNoKeyring || dk.Off.Message != tt.device {
			t.Errorf("%q: device key off = %+v, want %q", tt.lang, dk.Off, tt.device)
		}
		a, off := OpenArchive(l10n.Lang(tt.lang), nil, dir, "alice@acme.test")
		if a != nil || off == nil || off.Code != event.CodeNoKeyring || off.Message != tt.archv {
			t.Errorf("%q: archive off = %+v, want %q", tt.lang, off, tt.archv)
		}
	}
}
