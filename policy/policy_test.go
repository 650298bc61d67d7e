package policy

import "testing"

// testRules are ACME's rules: two internal domains, three partners, a
// WhatsApp gateway on a subdomain and a blocked domain.
func testRules() Rules {
	return Rules{
		Org:             "ACME",
		InternalDomains: []string{"acme.test", "acme.com"},
		Partners: []Partner{
			{Name: "Partner Ltd", Domains: []string{"partner.test"}, FilesAllowed: true, MaxFileSize: 25 << 20},
			{Name: "Globex", Domains: []string{"globex.com", "globex.co.uk"}},
			{Name: "Initech", Domains: []string{"initech.com"}, FilesAllowed: true},
		},
		Gateways:       []Gateway{{Domain: "whatsapp.acme.test", Network: "WhatsApp"}},
		BlockedDomains: []string{"evil.test"},
		UnknownDomains: Confirm,
		Files: FileRules{
			MaxSize:      100 << 20,
			BlockedTypes: []string{".exe", ".scr", ".js"},
		},
		UserBlocked: []string{"spammer@example.org", "junk.example"},
	}
}

func mustEngine(t testing.TB, r Rules) *Engine {
	t.Helper()
	e, err := New(r)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}
