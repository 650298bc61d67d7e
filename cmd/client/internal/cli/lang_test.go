package cli

import "testing"

func TestContentLang(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "en"},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, "fr"},
		{map[string]string{"LANG": "fr"}, "fr"},
		{map[string]string{"LANG": "fr_CA.UTF-8"}, "fr"},
		{map[string]string{"LANG": "en_GB.UTF-8"}, "en"},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, "en"},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": "fr_BE.UTF-8"}, "fr"},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_FR"}, "fr"},
		{map[string]string{"LANG": "fry_NL"}, "en"},
		{map[string]string{"LC_ALL": " ", "LANG": "fr_FR"}, "fr"},
	}
	for _, tt := range tests {
		if got := contentLang(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.env, got, tt.want)
		}
	}
}
