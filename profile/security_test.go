package profile

import (
	"strings"
	"testing"
)

func TestSecuritySection(t *testing.T) {
	for _, tc := range []struct {
		name     string
		security map[string]any
		err      string // "" = accepted
		settings map[string]string
	}{
		{"absent", nil, "", map[string]string{}},
		{"SHA-256 floor and channel binding", map[string]any{"min_sasl": "SCRAM-SHA-256", "require_channel_binding": true}, "",
			map[string]string{"security.min_sasl": "SCRAM-SHA-256", "security.require_channel_binding": "true"}},
		{"SHA-1 floor", map[string]any{"min_sasl": "SCRAM-SHA-1"}, "", map[string]string{"security.min_sasl": "SCRAM-SHA-1"}},
		{"PLAIN is no floor", map[string]any{"min_sasl": "PLAIN"}, "security.min_sasl", nil},
		{"lower case", map[string]any{"min_sasl": "scram-sha-256"}, "security.min_sasl", nil},
		{"unknown field", map[string]any{"allow_plain": true}, "allow_plain", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := doc(t, 1, func(m map[string]any) {
				if tc.security != nil {
					m["security"] = tc.security
				}
			})
			p, err := Parse(data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Parse: %v, want an error naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := p.Settings()
			for _, k := range []string{"security.min_sasl", "security.require_channel_binding"} {
				if s[k] != tc.settings[k] {
					t.Errorf("setting %s = %q, want %q", k, s[k], tc.settings[k])
				}
			}
		})
	}
}
