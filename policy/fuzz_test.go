package policy

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClassify feeds arbitrary addresses and file names to the engine: it
// must never panic, always answer one of the six classes, never call an
// approved domain a lookalike, and give every refusal a code and a reason.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"alice@acme.test/pc", "acme.test", "\u0430cme.test", "xn--cme-5cd.test", "acme.test.evil.example",
		"", "@", "/", "a@b@c", "xn--", "xn--zz.test", ".", "..", "acme..test", "\u202e", "\x00",
		"ACME.TEST.", "localhost", "127.0.0.1", "[::1]", strings.Repeat("a.", 140), "ｇｌｏｂｅｘ.com",
	} {
		f.Add(s, "invoice.pdf.exe", int64(1<<20))
	}
	e := mustEngine(f, testRules())
	approved := map[string]bool{}
	for _, d := range append(slices.Clone(e.rules.InternalDomains), "partner.test", "globex.com", "globex.co.uk", "initech.com") {
		approved[d] = true
	}
	f.Fuzz(func(t *testing.T, in, name string, size int64) {
		v := e.Classify(in)
		if !slices.Contains(Classes, v.Class) {
			t.Fatalf("Classify(%q).Class = %q", in, v.Class)
		}
		if v.Reason == "" || !utf8.ValidString(v.Reason) {
			t.Fatalf("Classify(%q) has no readable reason: %q", in, v.Reason)
		}
		if v.Class == Lookalike {
			if v.LookalikeOf == "" || len(v.Techniques) == 0 {
				t.Fatalf("Classify(%q): lookalike without its original or techniques: %+v", in, v)
			}
			if approved[v.ASCII] {
				t.Fatalf("Classify(%q): approved domain %s called a lookalike", in, v.ASCII)
			}
			for d := range approved {
				if strings.HasSuffix(v.ASCII, "."+d) {
					t.Fatalf("Classify(%q): subdomain of approved %s called a lookalike", in, d)
				}
			}
		}
		if v.Class != Lookalike && (v.LookalikeOf != "" || len(v.Techniques) != 0) {
			t.Fatalf("Classify(%q): %s with lookalike fields %+v", in, v.Class, v)
		}
		if utf8.ValidString(in) && v.ASCII != "" && e.Classify(v.ASCII).Class != v.Class && e.Classify(v.ASCII).Class != Unknown {
			// The ASCII form of a domain says the same as the domain
			// (a user-blocked JID is the exception: its localpart is gone).
			if !(v.Class == Blocked && strings.Contains(in, "@")) {
				t.Fatalf("Classify(%q) = %s but Classify(%q) = %s", in, v.Class, v.ASCII, e.Classify(v.ASCII).Class)
			}
		}
		for _, d := range []Decision{e.MayFile(in, name, size), e.MayMessage(in, false), e.MayFileToRoom([]string{in, "alice@acme.test"}, name, size)} {
			if !d.Allowed && (d.Code == "" || d.Reason == "" || !utf8.ValidString(d.Reason)) {
				t.Fatalf("refusal without code or reason for %q, %q, %d: %+v", in, name, size, d)
			}
			if d.Allowed && d.Code != "" {
				t.Fatalf("allowed with code %q for %q", d.Code, in)
			}
		}
		if d := e.MayFile(in, name, size); d.Allowed && v.Class != Internal && v.Class != ClassPartner {
			t.Fatalf("MayFile(%q) allowed for class %s", in, v.Class)
		}
		e.Incoming(in, false)
		e.Explain(in)
	})
}

// benchRules is a profile of about twenty approved domains for the
// benchmark.
func benchRules() Rules {
	r := testRules()
	r.InternalDomains = append(r.InternalDomains, "acme.co.uk", "acme-labs.test", "acmecloud.test", "corp.acme.test")
	for _, p := range []string{"umbrella", "hooli", "stark", "wayne", "cyberdyne", "tyrell", "soylent", "wonka", "vandelay", "dunder-mifflin", "aperture", "oscorp"} {
		r.Partners = append(r.Partners, Partner{Name: p, Domains: []string{p + ".example"}})
	}
	return r
}

func BenchmarkClassify(b *testing.B) {
	e := mustEngine(b, benchRules())
	if n := len(e.approved); n < 20 {
		b.Fatalf("only %d approved domains", n)
	}
	inputs := []string{
		"alice@acme.test/pc", "carol@partner.test", "dave@example.net", "someone@gmail.com",
		"eve@\u0430cme.test", "eve@acme-corp.co", "x@acme.test.evil.example", "x@globe.com",
		"x@mail.bbc.co.uk", "x@dunder-miflin.example",
	}
	for i := 0; b.Loop(); i++ {
		e.Classify(inputs[i%len(inputs)])
	}
}
