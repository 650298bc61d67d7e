package filesafe

import (
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../.bashrc", "bashrc"},
		{`..\..\Windows\system32\evil.bat`, "evil.bat"},
		{"/etc/passwd", "passwd"},
		{"dir/", Fallback},
		{"..", Fallback},
		{".", Fallback},
		{"", Fallback},
		{"...", Fallback},
		{".hidden", "hidden"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"a\u2066b\u2069c\u200Fd\u200Be.txt", "abcde.txt"},
		{"tab\there.txt", "tabhere.txt"},
		{"line\nbreak.txt", "linebreak.txt"},
		{"nul\x00byte.txt", "nulbyte.txt"},
		{"bad\xffutf8.txt", "bad_utf8.txt"},
		{`a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{"CON", "_CON"},
		{"con.txt", "_con.txt"},
		{"Nul.tar.gz", "_Nul.tar.gz"},
		{"COM1.log", "_COM1.log"},
		{"lpt9", "_lpt9"},
		{"COM10.log", "COM10.log"},
		{"console.txt", "console.txt"},
		{"trailing. . .", "trailing"},
		{"  spaced  .txt  ", "spaced  .txt"},
		{"no\u00a0break.txt", "no break.txt"},
		{"café résumé.pdf", "café résumé.pdf"},
		{"日本語.txt", "日本語.txt"},
		{long + ".pdf", strings.Repeat("a", MaxNameBytes-4) + ".pdf"},
		{long, strings.Repeat("a", MaxNameBytes)},
		{strings.Repeat("é", 150) + ".docx", strings.Repeat("é", (MaxNameBytes-5)/2) + ".docx"},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNumbered(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a.pdf", 1, "a.pdf"},
		{"a.pdf", 2, "a (2).pdf"},
		{"a.tar.gz", 3, "a.tar (3).gz"},
		{"README", 2, "README (2)"},
	}
	for _, tt := range tests {
		if got := Numbered(tt.in, tt.n); got != tt.want {
			t.Errorf("Numbered(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestExt(t *testing.T) {
	for in, want := range map[string]string{"a.PDF": ".pdf", "a": "", "a.": "", "x.tar.gz": ".gz"} {
		if got := Ext(in); got != want {
			t.Errorf("Ext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	own := func(h string) bool { return h == "upload.acme.test" || h == "localhost" }
	tests := []struct {
		url     string
		trusted func(string) bool
		code    string // "" = accepted
	}{
		{"https://upload.acme.test/f/a.pdf", nil, ""},
		{"HTTPS://files.example.com/a.pdf", nil, ""},
		{"https://93.184.216.34/a.pdf", nil, ""},
		{"https://[2606:2800:220:1::1]/a", nil, ""},
		{"http://files.example.com/a.pdf", nil, BadScheme},
		{"file:///etc/passwd", nil, BadScheme},
		{"data:text/plain;base64,aGk=", nil, BadScheme},
		{"javascript:alert(1)", nil, BadScheme},
		{"ftp://files.example.com/a", nil, BadScheme},
		{"files.example.com/a.pdf", nil, BadScheme},
		{"https://user:pw@files.example.com/a", nil, BadCredentials},
		{"https://user@files.example.com/a", nil, BadCredentials},
		{"https:///a.pdf", nil, BadHost},
		{"https://files.example.com:99999/a", nil, BadHost},
		{"https://localhost:5281/a", nil, BadAddress},
		{"https://LOCALHOST./a", nil, BadAddress},
		{"https://x.localhost/a", nil, BadAddress},
		{"https://127.0.0.1/a", nil, BadAddress},
		{"https://127.1.2.3:443/a", nil, BadAddress},
		{"https://10.0.0.5/a", nil, BadAddress},
		{"https://192.168.1.1/a", nil, BadAddress},
		{"https://172.16.0.1/a", nil, BadAddress},
		{"https://169.254.169.254/latest/meta-data", nil, BadAddress},
		{"https://100.64.1.1/a", nil, BadAddress},
		{"https://0.0.0.0/a", nil, BadAddress},
		{"https://[::1]/a", nil, BadAddress},
		{"https://[fe80::1]/a", nil, BadAddress},
		{"https://[fd00::1]/a", nil, BadAddress},
		{"https://[::ffff:127.0.0.1]/a", nil, BadAddress},
		{"https://printer/a", nil, BadAddress},
		{"https://nas.local/a", nil, BadAddress},
		{"https://localhost:5281/file_share/x/a.pdf", own, ""},
		{"https://127.0.0.1/a", own, BadAddress},
		{"http://localhost/a", own, BadScheme},
		{"https://files.example.com/a b", nil, BadSyntax},
		{"https://files.example.com/\x00", nil, BadSyntax},
		{"https://files.example.com/" + strings.Repeat("a", MaxURLBytes), nil, BadSyntax},
		{"https://%zz/", nil, BadSyntax},
	}
	for _, tt := range tests {
		u, err := CheckURL(tt.url, tt.trusted)
		if tt.code == "" {
			if err != nil || u == nil {
				t.Errorf("CheckURL(%q) = %v, want accepted", tt.url, err)
			}
			continue
		}
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("CheckURL(%q) = %v, want refusal %q", tt.url, err, tt.code)
			continue
		}
		if ue.Code != tt.code || ue.Reason == "" {
			t.Errorf("CheckURL(%q) refused with %q (%s), want %q", tt.url, ue.Code, ue.Reason, tt.code)
		}
	}
}

func TestPrivate(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.1.1", "::1", "fe80::1", "fc00::1", "224.0.0.1", "0.0.0.0", "::", "255.255.255.255", "::ffff:10.0.0.1", "100.100.100.100"} {
		if !Private(netip.MustParseAddr(s)) {
			t.Errorf("Private(%s) = false, want true", s)
		}
	}
	for _, s := range []string{"93.184.216.34", "8.8.8.8", "2606:2800:220:1::1", "1.1.1.1"} {
		if Private(netip.MustParseAddr(s)) {
			t.Errorf("Private(%s) = true, want false", s)
		}
	}
}

func TestNameFromURL(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://h.example/f/abc/report.pdf", "report.pdf"},
		{"https://h.example/f/abc/..%2F..%2F.bashrc", "bashrc"},
		{"https://h.example/f/abc/a%E2%80%AEfdp.exe", "afdp.exe"},
		{"https://h.example/f/abc/%2e%2e", Fallback},
		{"https://h.example/", Fallback},
		{"https://h.example/f/abc/x.pdf?download=1#frag", "x.pdf"},
		{"https://h.example/f/CON.txt", "_CON.txt"},
	}
	for _, tt := range tests {
		u, err := CheckURL(tt.url, nil)
		if err != nil {
			t.Fatalf("CheckURL(%q): %v", tt.url, err)
		}
		if got := NameFromURL(u); got != tt.want {
			t.Errorf("NameFromURL(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

// safe is the property every name returned by Name must have.
func safe(t *testing.T, in, got string) {
	t.Helper()
	bad := func(why string) { t.Fatalf("Name(%q) = %q: %s", in, got, why) }
	if got == "" || got == "." || got == ".." {
		bad("empty or a dot name")
	}
	if !utf8.ValidString(got) {
		bad("invalid UTF-8")
	}
	if strings.ContainsAny(got, `/\<>:"|?*`) {
		bad("a separator or a character Windows refuses")
	}
	if strings.HasPrefix(got, ".") || strings.HasPrefix(got, " ") || strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") {
		bad("leading dot or space, or trailing dot or space")
	}
	for _, r := range got {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			bad("control or format character")
		}
	}
	if reserved(got) {
		bad("reserved on Windows")
	}
	if len(got) > MaxNameBytes {
		bad("too long")
	}
	if Name(got) != got {
		bad("not stable: Name(Name(x)) != Name(x)")
	}
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"../../.bashrc", "a\u202Egpj.exe", "CON.txt", "..", strings.Repeat("é", 300) + ".pdf", "a\\b", "\x00", " . "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		safe(t, in, Name(in))
		for n := 2; n < 4; n++ {
			got := Numbered(Name(in), n)
			if strings.ContainsAny(got, `/\`) || strings.HasPrefix(got, ".") {
				t.Fatalf("Numbered(Name(%q), %d) = %q", in, n, got)
			}
		}
	})
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://a.example/x", "http://a.example/", "https://127.0.0.1/", "https://u@a.example/", "file:///x", "https://[::1]/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		u, err := CheckURL(in, nil)
		if err != nil {
			return
		}
		if u.Scheme != "https" || u.User != nil || Host(u) == "" {
			t.Fatalf("CheckURL(%q) accepted %v", in, u)
		}
		if a, err := netip.ParseAddr(Host(u)); err == nil && Private(a) {
			t.Fatalf("CheckURL(%q) accepted a private address", in)
		}
		safe(t, in, NameFromURL(u))
	})
}

// TestPure: the package does no I/O. Its non-test files import none of the
// packages that could; the one module package allowed is l10n, which is
// pure itself (archtest rule l10n-is-pure), for the refusals' language.
func TestPure(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := map[string]bool{"os": true, "net": true, "syscall": true, "io/fs": true, "os/exec": true, "net/http": true, "time": true}
	n := 0
	for _, p := range pkgs {
		for name, f := range p.Files {
			n++
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if forbidden[path] || (strings.Contains(path, ".") && path != "github.com/palisade-im/palisade/l10n") {
					t.Errorf("%s imports %s: filesafe must stay pure (no I/O, no clock, no dependencies)", name, path)
				}
			}
		}
	}
	if n < 3 {
		t.Fatalf("found %d source files", n)
	}
}
