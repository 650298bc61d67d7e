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

func TestUnmanagedWording(t *testing.T) {
	e, err := New(Unmanaged("acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Classify("bob@acme.test").Reason, "acme.test is your organisation's own domain."; got != want {
		t.Errorf("internal reason %q, want %q", got, want)
	}
	if got, want := e.MayFile("eve@evil.test", "a.pdf", 1).Reason, "Files to evil.test are not allowed: Palisade's default rules allow files only to acme.test."; got != want {
		t.Errorf("file reason %q, want %q", got, want)
	}
}
