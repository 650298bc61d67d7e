package l10n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
)

const importPath = "github.com/palisade-im/palisade/l10n"

// sentences lists the literal sentences passed to T in the module's
// (non-test) Go files that import this package, with where they are.
func sentences(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "ui") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		uses := false
		for _, im := range f.Imports {
			if v, _ := strconv.Unquote(im.Path.Value); v == importPath {
				uses = true
			}
		}
		if !uses {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "T" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var field = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func fieldsOf(s string) string {
	var f []string
	for _, m := range field.FindAllStringSubmatch(s, -1) {
		f = append(f, m[1])
	}
	sort.Strings(f)
	return strings.Join(f, ",")
}

// Every sentence written through T has a French text with the same
// fields, both parse as templates, and the catalogue has no sentence that
// nothing writes any more.
func TestFrenchCatalogueComplete(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	fr := load().texts
	used := sentences(t)
	if len(used) < 500 {
		t.Fatalf("only %d sentences written through T found: the scan is broken", len(used))
	}
	for en, pos := range used {
		if _, err := template.New("").Parse(en); err != nil {
			t.Errorf("%s: %q is not a valid template: %v", pos, en, err)
		}
		f, ok := fr[en]
		if !ok || strings.TrimSpace(f) == "" {
			t.Errorf("%s: no French text for %q (add it to l10n/fr/*.json)", pos, en)
			continue
		}
		if _, err := template.New("").Parse(f); err != nil {
			t.Errorf("French text of %q is not a valid template: %v", en, err)
		}
		if a, b := fieldsOf(en), fieldsOf(f); a != b {
			t.Errorf("%s: %q has fields [%s], its French text %q has [%s]", pos, en, a, f, b)
		}
	}
	for en := range fr {
		if _, ok := used[en]; !ok {
			t.Errorf("l10n/fr: %q is not written by any code", en)
		}
	}
}

func TestT(t *testing.T) {
	french = &catalogue{texts: map[string]string{
		"{{.Domain}} is blocked.": "{{.Domain}} est bloqué.",
		"Broken {{.X}":            "Cassé {{.X}}",
		"Wrong field {{.A}}.":     "Mauvais champ {{.B}}.",
	}, tmpls: map[string]*template.Template{}}
	loadOnce.Do(func() {})
	t.Cleanup(func() { loadOnce = sync.Once{}; french = nil })
	for _, tt := range []struct {
		lang Lang
		en   string
		args Args
		want string
	}{
		{"fr", "{{.Domain}} is blocked.", Args{"Domain": "evil.test"}, "evil.test est bloqué."},
		{"fr_FR.UTF-8", "{{.Domain}} is blocked.", Args{"Domain": "evil.test"}, "evil.test est bloqué."},
		{"en", "{{.Domain}} is blocked.", Args{"Domain": "evil.test"}, "evil.test is blocked."},
		{"", "{{.Domain}} is blocked.", Args{"Domain": "evil.test"}, "evil.test is blocked."},
		{"de", "{{.Domain}} is blocked.", Args{"Domain": "evil.test"}, "evil.test is blocked."},
		{"fr", "Not in the catalogue {{.N}}.", Args{"N": 3}, "Not in the catalogue 3."},
		{"fr", "Plain.", nil, "Plain."},
		// A French text naming another field falls back to English.
		{"fr", "Wrong field {{.A}}.", Args{"A": "a"}, "Wrong field a."},
		// A broken template is returned as written, not lost.
		{"en", "Broken {{.X}", Args{"X": 1}, "Broken {{.X}"},
		// Text from the network is inserted as it is, never run as a template.
		{"fr", "{{.Domain}} is blocked.", Args{"Domain": "{{.Domain}}"}, "{{.Domain}} est bloqué."},
	} {
		if got := tt.lang.T(tt.en, tt.args); got != tt.want {
			t.Errorf("Lang(%q).T(%q) = %q, want %q", tt.lang, tt.en, got, tt.want)
		}
	}
}

func TestNorm(t *testing.T) {
	for in, want := range map[string]Lang{"fr": French, "FR": French, "fr_FR.UTF-8": French, "fr-CA": French, "en": English, "": English, "de_DE": English, "french": English} {
		if got := Norm(in); got != want {
			t.Errorf("Norm(%q) = %q, want %q", in, got, want)
		}
	}
}
