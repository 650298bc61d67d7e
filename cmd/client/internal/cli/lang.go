package cli

import (
	"os"
	"strings"
)

// contentLang is the language of the training content, from the locale
// environment in POSIX order (LC_ALL, then LC_MESSAGES, then LANG): "fr"
// for any French locale ("fr", "fr_FR.UTF-8", "fr_CA"), else "en".
func contentLang(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := strings.TrimSpace(getenv(k))
		if v == "" {
			continue
		}
		if l := strings.ToLower(v); l == "fr" || strings.HasPrefix(l, "fr_") || strings.HasPrefix(l, "fr-") || strings.HasPrefix(l, "fr.") || strings.HasPrefix(l, "fr@") {
			return "fr"
		}
		return "en"
	}
	return "en"
}

// envLang is contentLang of this process's environment.
func envLang() string { return contentLang(os.Getenv) }
