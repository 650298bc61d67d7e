package cli

import (
	"testing"

	"github.com/palisade-im/palisade/keystore"
)

// The GUI's language setting reaches the session's training content; without
// one the locale environment decides.
func TestConnectLanguageSetting(t *testing.T) {
	for _, tt := range []struct{ setting, env, want string }{
		{"fr", "en_GB.UTF-8", "fr"},
		{"en", "fr_FR.UTF-8", "en"},
		{"", "fr_FR.UTF-8", "fr"},
		{"", "de_DE.UTF-8", "en"},
	} {
		t.Setenv("LC_ALL", tt.env)
		l, cfg, _ := newLauncher(t, keystore.NewMemory())
		if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw", Lang: tt.setting}); err != nil {
			t.Fatal(err)
		}
		if got := (*cfg).Lang; got != tt.want {
			t.Errorf("setting %q, LC_ALL=%s: session Lang %q, want %q", tt.setting, tt.env, got, tt.want)
		}
	}
}
