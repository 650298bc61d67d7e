package policy

import (
	"slices"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	e := mustEngine(t, testRules())
	tests := []struct {
		name       string
		in         string
		class      Class
		org        string
		of         string
		techniques []string
		network    string
		reason     string // a fragment the reason must contain
	}{
		// Approved domains, in every accepted form.
		{name: "bare JID", in: "alice@acme.test", class: Internal, org: "ACME", reason: "acme.test is ACME's own domain."},
		{name: "full JID", in: "alice@acme.test/pc", class: Internal, org: "ACME"},
		{name: "domain", in: "acme.test", class: Internal, org: "ACME"},
		{name: "domain with resource", in: "acme.test/pc", class: Internal, org: "ACME"},
		{name: "upper case and trailing dot", in: "Alice@ACME.Test.", class: Internal, org: "ACME"},
		{name: "fullwidth letters are the same domain", in: "ａｃｍｅ.test", class: Internal, org: "ACME"},
		{name: "second internal domain", in: "bob@acme.com", class: Internal, org: "ACME"},
		{name: "partner", in: "carol@partner.test", class: ClassPartner, org: "Partner Ltd", reason: "partner.test belongs to Partner Ltd, a partner approved by ACME IT."},
		{name: "partner second domain", in: "hans@globex.co.uk", class: ClassPartner, org: "Globex"},

		// Gateways, subdomains, blocks.
		{name: "gateway", in: "+4412345@whatsapp.acme.test", class: ClassGateway, network: "WhatsApp", reason: "gateway to WhatsApp"},
		{name: "subdomain of internal, rule off", in: "dev.acme.test", class: Unknown, reason: "does not count subdomains as internal"},
		{name: "deep subdomain of internal, rule off", in: "x@a.b.acme.com", class: Unknown},
		{name: "subdomain of partner", in: "chat.partner.test", class: Unknown, reason: "not itself approved"},
		{name: "blocked domain", in: "mallory@evil.test", class: Blocked, reason: "evil.test is blocked by ACME IT."},
		{name: "subdomain of blocked domain", in: "x@mail.evil.test", class: Blocked},
		{name: "user-blocked JID", in: "spammer@example.org/x", class: Blocked, reason: "You blocked spammer@example.org."},
		{name: "other JID on a user-blocked JID's domain", in: "friend@example.org", class: Unknown},
		{name: "user-blocked domain", in: "anyone@junk.example", class: Blocked, reason: "You blocked junk.example."},
		{name: "unknown", in: "dave@example.net", class: Unknown, reason: "example.net is not an approved organisation."},

		// Confusable characters.
		{name: "Cyrillic a", in: "\u0430cme.test", class: Lookalike, of: "acme.test", techniques: []string{"confusable", "mixed-script", "punycode"}, reason: "xn--cme-5cd.test"},
		{name: "Cyrillic a as punycode", in: "bob@xn--cme-5cd.test", class: Lookalike, of: "acme.test", techniques: []string{"confusable", "mixed-script", "punycode"}},
		{name: "Cyrillic e in the suffix", in: "acme.t\u0435st", class: Lookalike, of: "acme.test", techniques: []string{"confusable", "mixed-script", "punycode"}},
		{name: "whole-script Cyrillic", in: "\u043f\u0440\u0438\u043c\u0435\u0440.test", class: Unknown},                                                                                    // пример: not like any approved name
		{name: "whole-script Cyrillic with a missing letter", in: "\u0430\u0441\u0435.test", class: Lookalike, of: "acme.test", techniques: []string{"confusable", "punycode", "omission"}}, // асе
		{name: "mixed scripts alone", in: "p\u0430yp\u0430l.example", class: Unknown, reason: "mixes letters from different alphabets"},
		{name: "Greek omicron", in: "gl\u03bfbex.com", class: Lookalike, of: "globex.com", techniques: []string{"confusable", "mixed-script", "punycode"}},
		{name: "Greek iota", in: "\u03b9nitech.com", class: Lookalike, of: "initech.com", techniques: []string{"confusable", "mixed-script", "punycode"}},
		{name: "digit zero for o", in: "gl0bex.com", class: Lookalike, of: "globex.com", techniques: []string{"confusable"}},
		{name: "digit one for l", in: "g1obex.com", class: Lookalike, of: "globex.com", techniques: []string{"confusable"}},
		{name: "digit one for i is no confusable", in: "1nitech.com", class: Unknown},
		{name: "rn for m", in: "acrne.test", class: Lookalike, of: "acme.test", techniques: []string{"confusable"}},
		{name: "rn for m under another suffix", in: "acrne.co", class: Lookalike, of: "acme.test", techniques: []string{"confusable", "tld-swap"}},
		{name: "Cyrillic a plus a doubled letter", in: "\u0430cmme.test", class: Lookalike, of: "acme.test", techniques: []string{"confusable", "mixed-script", "punycode", "repetition"}},

		// Typing mistakes.
		{name: "omission", in: "acm.test", class: Lookalike, of: "acme.test", techniques: []string{"omission"}},
		{name: "omission in partner", in: "partne.test", class: Lookalike, of: "partner.test", techniques: []string{"omission"}},
		{name: "insertion", in: "acmxe.com", class: Lookalike, of: "acme.com", techniques: []string{"insertion"}},
		{name: "repetition", in: "inittech.com", class: Lookalike, of: "initech.com", techniques: []string{"repetition"}},
		{name: "transposition", in: "amce.test", class: Lookalike, of: "acme.test", techniques: []string{"transposition"}},
		{name: "adjacent key", in: "acne.test", class: Lookalike, of: "acme.test", techniques: []string{"adjacent-key"}},
		{name: "vowel swap", in: "glabex.com", class: Lookalike, of: "globex.com", techniques: []string{"vowel-swap"}},
		{name: "bit flip", in: "acle.test", class: Lookalike, of: "acme.test", techniques: []string{"bit-flip"}},
		{name: "two mistakes in a long name", in: "tartnerr.test", class: Unknown}, // partner is 7 letters: one mistake only
		{name: "typo plus another suffix, long name", in: "initevh.net", class: Lookalike, of: "initech.com", techniques: []string{"adjacent-key", "tld-swap"}},
		{name: "typo plus another suffix, short name", in: "acm.org", class: Unknown},
		{name: "unrelated replacement", in: "acre.test", class: Unknown},
		{name: "too short for typos", in: "ac.test", class: Unknown},

		// Hyphenation and words.
		{name: "hyphen inside", in: "ac-me.test", class: Lookalike, of: "acme.test", techniques: []string{"hyphenation"}},
		{name: "word after", in: "acme-corp.test", class: Lookalike, of: "acme.test", techniques: []string{"hyphenation"}},
		{name: "word after, other suffix", in: "acme-corp.co", class: Lookalike, of: "acme.test", techniques: []string{"hyphenation", "tld-swap"}},
		{name: "word before", in: "hr-globex.com", class: Lookalike, of: "globex.com", techniques: []string{"hyphenation"}},
		{name: "common word joined", in: "acmecorp.com", class: Lookalike, of: "acme.com", techniques: []string{"hyphenation"}},
		{name: "suffix joined", in: "acmetest.com", class: Lookalike, of: "acme.test", techniques: []string{"hyphenation", "tld-swap"}},

		// Other suffixes.
		{name: "tld swap .co", in: "acme.co", class: Lookalike, of: "acme.test", techniques: []string{"tld-swap"}},
		{name: "tld swap .co.uk", in: "x@initech.co.uk", class: Lookalike, of: "initech.com", techniques: []string{"tld-swap"}},
		{name: "tld swap of partner", in: "globex.net", class: Lookalike, of: "globex.com", techniques: []string{"tld-swap"}},
		{name: "tld swap under a subdomain", in: "login.partner.example", class: Lookalike, of: "partner.test", techniques: []string{"tld-swap"}},

		// Subdomain tricks.
		{name: "approved domain on the left", in: "acme.test.evil.example", class: Lookalike, of: "acme.test", techniques: []string{"subdomain"}},
		{name: "approved domain hyphenated on the left", in: "acme-test.evil.example", class: Lookalike, of: "acme.test", techniques: []string{"hyphenation", "subdomain"}},
		{name: "approved domain after a word", in: "login-acme.test.example", class: Lookalike, of: "acme.test", techniques: []string{"subdomain"}},
		{name: "partner domain on the left", in: "sso.globex.com.example.net", class: Lookalike, of: "globex.com", techniques: []string{"subdomain"}},
		{name: "confusable approved domain on the left", in: "\u0430cme.test.evil.example", class: Lookalike, of: "acme.test", techniques: []string{"confusable", "mixed-script", "punycode", "subdomain"}},
		{name: "approved base alone on the left is fine", in: "partner.example.org", class: Unknown},

		// Unreadable input.
		{name: "empty", in: "", class: Unknown, reason: "is not a valid address: it is empty."},
		{name: "blank", in: "   ", class: Unknown, reason: "not a valid address"},
		{name: "no domain", in: "alice@", class: Unknown, reason: "it has no domain"},
		{name: "no domain before resource", in: "alice@/pc", class: Unknown, reason: "it has no domain"},
		{name: "empty localpart", in: "@acme.test", class: Unknown, reason: "the part before @ is empty"},
		{name: "invalid UTF-8 before @", in: "\xd0@acme.test", class: Unknown, reason: "not allowed in an address"},
		{name: "control character before @", in: "a\x00b@acme.test", class: Unknown, reason: "not allowed in an address"},
		{name: "two at signs", in: "a@b@acme.test", class: Unknown, reason: "not a valid"},
		{name: "empty label", in: "acme..test", class: Unknown, reason: "empty label"},
		{name: "bad punycode", in: "xn--zz.test", class: Unknown, reason: "not a valid internationalised domain name"},
		{name: "space in domain", in: "ac me.test", class: Unknown, reason: "not a valid"},
		{name: "only a dot", in: ".", class: Unknown, reason: "the domain is empty"},
		{name: "long garbage is cut", in: strings.Repeat("\x01@", 100), class: Unknown, reason: "\u2026\u201d is not a valid address"},
		{name: "too long", in: "a@" + strings.Repeat("b", 4000), class: Unknown, reason: "longer than any address can be"},
		{name: "domain too long", in: "a@" + strings.Repeat("b", 1024), class: Unknown, reason: "longer than 1023 bytes"},
		{name: "IP address", in: "alice@127.0.0.1", class: Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Classify(tt.in)
			if v.Class != tt.class || v.Org != tt.org || v.LookalikeOf != tt.of || v.Network != tt.network || !slices.Equal(v.Techniques, tt.techniques) {
				t.Errorf("Classify(%q) = class %s, org %q, lookalike of %q, network %q, techniques %v\nwant class %s, org %q, lookalike of %q, network %q, techniques %v\nreason: %s",
					tt.in, v.Class, v.Org, v.LookalikeOf, v.Network, v.Techniques, tt.class, tt.org, tt.of, tt.network, tt.techniques, v.Reason)
			}
			if v.Input != tt.in {
				t.Errorf("Input = %q, want %q", v.Input, tt.in)
			}
			if v.Reason == "" || !strings.HasSuffix(v.Reason, ".") {
				t.Errorf("Reason %q is not a sentence", v.Reason)
			}
			if !strings.Contains(v.Reason, tt.reason) {
				t.Errorf("Reason %q does not contain %q", v.Reason, tt.reason)
			}
			if tt.class == Lookalike && !strings.Contains(v.Reason, "looks like "+tt.of) {
				t.Errorf("Reason %q does not name %s", v.Reason, tt.of)
			}
		})
	}
}

func TestClassifyForms(t *testing.T) {
	e := mustEngine(t, testRules())
	v := e.Classify("bob@xn--cme-5cd.test/laptop")
	if v.Domain != "\u0430cme.test" || v.ASCII != "xn--cme-5cd.test" {
		t.Errorf("Domain, ASCII = %q, %q; want the Unicode and punycode forms", v.Domain, v.ASCII)
	}
	v = e.Classify("ALICE@ACME.TEST.")
	if v.Domain != "acme.test" || v.ASCII != "acme.test" {
		t.Errorf("Domain, ASCII = %q, %q; want acme.test twice", v.Domain, v.ASCII)
	}
}

func TestSubdomainsInternal(t *testing.T) {
	r := testRules()
	r.SubdomainsInternal = true
	e := mustEngine(t, r)
	tests := []struct {
		in      string
		class   Class
		org     string
		network string
	}{
		{"dev.acme.test", Internal, "ACME", ""},
		{"alice@eu.dev.acme.com", Internal, "ACME", ""},
		{"+4412345@whatsapp.acme.test", ClassGateway, "", "WhatsApp"}, // the gateway wins
		{"chat.partner.test", Unknown, "", ""},                        // only the organisation's own subdomains
		{"acme.test.evil.example", Lookalike, "", ""},
		{"example", Unknown, "", ""},
	}
	for _, tt := range tests {
		v := e.Classify(tt.in)
		if v.Class != tt.class || v.Org != tt.org || v.Network != tt.network {
			t.Errorf("Classify(%q) = %s, %q, %q; want %s, %q, %q (%s)", tt.in, v.Class, v.Org, v.Network, tt.class, tt.org, tt.network, v.Reason)
		}
	}
}

// TestApprovedNeverLookalike checks every approved domain and a permitted
// subdomain of each, with the subdomain rule off and on.
func TestApprovedNeverLookalike(t *testing.T) {
	for _, sub := range []bool{false, true} {
		r := testRules()
		r.SubdomainsInternal = sub
		e := mustEngine(t, r)
		var all []string
		all = append(all, r.InternalDomains...)
		for _, p := range r.Partners {
			all = append(all, p.Domains...)
		}
		for _, d := range all {
			for _, in := range []string{d, "x@" + d, "x@" + strings.ToUpper(d) + ".", "x@chat." + d, "a.b." + d} {
				if v := e.Classify(in); v.Class == Lookalike {
					t.Errorf("subdomains internal %v: Classify(%q) = lookalike of %s %v", sub, in, v.LookalikeOf, v.Techniques)
				}
			}
		}
	}
}

// TestNearMisses records real domains that are flagged on purpose: they are
// one typing mistake from an approved name, which is exactly what a
// typo-squatter registers.
func TestNearMisses(t *testing.T) {
	e := mustEngine(t, testRules())
	for _, d := range []string{"globe.com", "partners.com", "acne.com", "ace.com"} {
		if v := e.Classify(d); v.Class != Lookalike {
			t.Errorf("Classify(%q) = %s; want lookalike", d, v.Class)
		}
	}
}

func TestUnmanaged(t *testing.T) {
	r := Unmanaged("Acme.Test.")
	e := mustEngine(t, r)
	if got := e.Rules(); got.Org != "acme.test" || !slices.Equal(got.InternalDomains, []string{"acme.test"}) || got.UnknownDomains != Warn || got.Files.MaxSize != 100<<20 || len(got.Files.BlockedTypes) == 0 {
		t.Fatalf("Unmanaged rules = %+v", got)
	}
	if v := e.Classify("bob@acme.test"); v.Class != Internal || v.Org != "acme.test" {
		t.Errorf("own domain = %s, %q", v.Class, v.Org)
	}
	if v := e.Classify("acme.tset"); v.Class != Lookalike {
		t.Errorf("acme.tset = %s, want lookalike of the own domain", v.Class)
	}
	if d := e.MayFile("carol@partner.test", "a.pdf", 10); d.Allowed || !strings.Contains(d.Reason, "Palisade's default rules") {
		t.Errorf("unmanaged file to another domain = %+v", d)
	}
	if d := e.MayMessage("carol@partner.test", false); !d.Allowed {
		t.Errorf("unmanaged message to another domain = %+v, want allowed with a warning", d)
	}
	if d := e.MayFile("bob@acme.test", "setup.EXE", 10); d.Allowed {
		t.Errorf("unmanaged .exe = %+v, want refused", d)
	}
	// No own domain: nothing is internal, nothing panics.
	e = mustEngine(t, Unmanaged(""))
	if v := e.Classify("bob@acme.test"); v.Class != Unknown {
		t.Errorf("no own domain: %s", v.Class)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Rules)
		want string // fragment of the error, "" for none
	}{
		{"valid", func(*Rules) {}, ""},
		{"empty rules", func(r *Rules) { *r = Rules{} }, ""},
		{"bad internal domain", func(r *Rules) { r.InternalDomains = append(r.InternalDomains, "bad..domain") }, `internal domain 3 "bad..domain"`},
		{"duplicate domain", func(r *Rules) { r.BlockedDomains = append(r.BlockedDomains, "ACME.test") }, `"acme.test" is listed twice`},
		{"partner without name", func(r *Rules) { r.Partners[0].Name = " " }, "partner 1 has no name"},
		{"partner without domains", func(r *Rules) { r.Partners[1].Domains = nil }, `partner "Globex" has no domains`},
		{"partner bad domain", func(r *Rules) { r.Partners[2].Domains = []string{"xn--zz"} }, `partner "Initech" domain "xn--zz"`},
		{"negative partner size", func(r *Rules) { r.Partners[0].MaxFileSize = -1 }, "max_file_size -1 is negative"},
		{"gateway without network", func(r *Rules) { r.Gateways[0].Network = "" }, "has no network name"},
		{"bad unknown action", func(r *Rules) { r.UnknownDomains = "ask" }, `unknown_domains "ask"`},
		{"negative max size", func(r *Rules) { r.Files.MaxSize = -5 }, "max_size -5 is negative"},
		{"blocked parent of an approved domain", func(r *Rules) { r.BlockedDomains = append(r.BlockedDomains, "co.uk") }, `blocked domain "co.uk" would block the approved domain "globex.co.uk" (Globex)`},
		{"blocked subdomain of an approved domain", func(r *Rules) { r.BlockedDomains = append(r.BlockedDomains, "old.acme.test") }, ""},
		{"bad file type", func(r *Rules) { r.Files.BlockedTypes = []string{".tar.gz"} }, `blocked file type 1 ".tar.gz"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRules()
			tt.edit(&r)
			_, err := New(r)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("New: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("New error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRulesNormalisedAndCopied(t *testing.T) {
	r := testRules()
	r.InternalDomains = []string{"ACME.Test.", "\u0430cme.example"}
	r.Files.BlockedTypes = []string{"EXE", ".Scr"}
	e := mustEngine(t, r)
	got := e.Rules()
	if !slices.Equal(got.InternalDomains, []string{"acme.test", "xn--cme-5cd.example"}) {
		t.Errorf("InternalDomains = %v", got.InternalDomains)
	}
	if !slices.Equal(got.Files.BlockedTypes, []string{".exe", ".scr"}) {
		t.Errorf("BlockedTypes = %v", got.Files.BlockedTypes)
	}
	got.InternalDomains[0] = "changed.example"
	got.Partners[0].Domains[0] = "changed.example"
	if v := e.Classify("acme.test"); v.Class != Internal {
		t.Errorf("changing the returned rules changed the engine")
	}
	if v := e.Classify("partner.test"); v.Class != ClassPartner {
		t.Errorf("changing the returned partner changed the engine")
	}
}

func TestNilEngine(t *testing.T) {
	var e *Engine
	if v := e.Classify("alice@acme.test"); v.Class != Unknown {
		t.Errorf("nil engine: %s", v.Class)
	}
	if d := e.MayFile("alice@acme.test", "a.txt", 1); d.Allowed {
		t.Errorf("nil engine allows files")
	}
}

func TestGatewaySubdomainAndUnmanagedForms(t *testing.T) {
	e := mustEngine(t, testRules())
	if v := e.Classify("x@eu.whatsapp.acme.test"); v.Class != ClassGateway || v.Network != "WhatsApp" {
		t.Errorf("subdomain of a gateway = %s %q", v.Class, v.Network)
	}
	r := Unmanaged("alice@M\u00fcnchen.example/pc")
	if r.Org != "m\u00fcnchen.example" {
		t.Errorf("Unmanaged from a JID: Org = %q", r.Org)
	}
	e = mustEngine(t, r)
	if v := e.Classify("bob@xn--mnchen-3ya.example"); v.Class != Internal {
		t.Errorf("own IDN domain in punycode = %s", v.Class)
	}
	if d := e.MayFile("carol@partner.test", "", -1); !strings.Contains(d.Reason, "Palisade's default rules") {
		t.Errorf("unmanaged IDN domain: reason %q does not name the default rules", d.Reason)
	}
}
