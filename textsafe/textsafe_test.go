package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		hidden         bool
	}{
		{"plain", "hello, world", "hello, world", false},
		{"newlines and tabs stay", "a\nb\tc", "a\nb\tc", false},
		{"right-to-left override", "invoice\u202Efdp.exe", "invoice\uFFFDfdp.exe", true},
		{"isolates", "a\u2066b\u2069c", "a\uFFFDb\uFFFDc", true},
		{"embedding and pop", "\u202Ax\u202C", "\uFFFDx\uFFFD", true},
		{"zero-width space", "pay\u200Bpal", "paypal", true},
		{"zero-width non-joiner", "a\u200Cb", "ab", true},
		{"word joiner and BOM", "\uFEFFa\u2060b", "ab", true},
		{"soft hyphen", "ad\u00ADmin", "admin", true},
		{"tag characters", "ok\U000E0041\U000E0042", "ok", true},
		{"Hangul filler", "a\u3164b", "ab", true},
		{"control characters", "a\x00b\x1bc\x7f", "a\uFFFDb\uFFFDc\uFFFD", true},
		{"C1 control", "a\u0085b", "a\uFFFDb", true},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb", true},
		{"a real replacement character", "a\uFFFDb", "a\uFFFDb", false},
		{"right-to-left mark kept in a body", "\u05E9\u200F!", "\u05E9\u200F!", false},
		{"Arabic and Hebrew untouched", "مرحبا שלום", "مرحبا שלום", false},
		{"emoji ZWJ sequence kept", "👨\u200D👩\u200D👧", "👨\u200D👩\u200D👧", false},
		{"emoji with VS16 kept", "❤\uFE0F", "❤\uFE0F", false},
		{"ZWJ between letters dropped", "a\u200Db", "ab", true},
		{"VS16 after a letter dropped", "a\uFE0F", "a", true},
		{"markdown not interpreted", "![x](https://evil.test/p.png)", "![x](https://evil.test/p.png)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := Hidden(tc.in); got != tc.hidden {
				t.Errorf("Hidden(%q) = %v, want %v", tc.in, got, tc.hidden)
			}
		})
	}
}

func TestName(t *testing.T) {
	long := strings.Repeat("x", 200)
	for _, tc := range []struct{ in, want string }{
		{"Bob", "Bob"},
		{"  Bob \n Smith\t", "Bob Smith"},
		{"IT\u200B Support", "IT Support"},
		{"Alice\u202E nimda", "Alice\uFFFD nimda"},
		{"\u200Fbob", "bob"},
		{"line1\nline2\r\nline3", "line1 line2\uFFFD line3"},
		{long, strings.Repeat("x", MaxName-1) + "…"},
	} {
		if got := Name(tc.in); got != tc.want {
			t.Errorf("Name(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLink(t *testing.T) {
	for _, tc := range []struct {
		in, host, scheme string
		deceptive        bool
	}{
		{"https://acme.test/pay", "acme.test", "https", false},
		{"HTTPS://ACME.test:8443/x", "acme.test", "https", false},
		{"www.acme.test/a", "www.acme.test", "https", false},
		{"https://acme.test@evil.test/login", "evil.test", "https", true},
		{"https://user:pw@evil.test/", "evil.test", "https", true},
		{"https://аpple.com/", "xn--pple-43d.com", "https", true}, // Cyrillic а
		{"https://xn--pple-43d.com/", "xn--pple-43d.com", "https", true},
		{"https://acme\u200B.test/", "acme.test", "https", true},
		{"https://evil.test/\u202Efdp.exe", "evil.test", "https", true},
		{"mailto:bob@acme.test", "", "mailto", false},
	} {
		info, err := Link(tc.in)
		if err != nil {
			t.Errorf("Link(%q): %v", tc.in, err)
			continue
		}
		if info.Host != tc.host || info.Scheme != tc.scheme || (info.Deceptive != "") != tc.deceptive {
			t.Errorf("Link(%q) = %+v, want host %q scheme %q deceptive %v", tc.in, info, tc.host, tc.scheme, tc.deceptive)
		}
	}
}

// Whatever the input: valid UTF-8 out, no bidi control or invisible
// character left, a one-line name no longer than MaxName runes, and
// cleaning twice changes nothing.
func FuzzText(f *testing.F) {
	for _, s := range []string{"hello", "invoice\u202Efdp.exe", "a\u200Bb", "👨\u200D👩", "\xff\xfe", "https://acme.test@evil.test/", "\u0085\u2066x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) is not valid UTF-8", s)
		}
		for _, r := range out {
			switch k := classify(r); {
			case r == utf8.RuneError, k == keep, k == dirMark, k == joiner, k == selector16:
			default:
				t.Fatalf("Text(%q) = %q keeps %U", s, out, r)
			}
		}
		if Text(out) != out {
			t.Fatalf("Text is not idempotent on %q", s)
		}
		n := Name(s)
		if strings.ContainsAny(n, "\n\t\r") || utf8.RuneCountInString(n) > MaxName || Name(n) != n {
			t.Fatalf("Name(%q) = %q", s, n)
		}
		Link(s)
	})
}
