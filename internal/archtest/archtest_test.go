package archtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// moduleRoot is the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(goCommand(), "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		t.Fatal("not inside the module")
	}
	return filepath.Dir(gomod)
}

// TestImportRules is the real check: every package of the module against
// the rule table.
func TestImportRules(t *testing.T) {
	pkgs, graph, err := Load(moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Check(pkgs, Rules, graph) {
		t.Error(v)
	}
	for _, v := range CheckDocs(pkgs) {
		t.Error(v)
	}
	if testing.Verbose() {
		for _, p := range pkgs {
			t.Logf("checked %s (%d imports, %d test imports, %d deps)", p.Rel, len(p.Imports), len(p.TestImports), len(p.Deps))
		}
	}
}

// The loader must see the packages we know exist, or the rules check nothing.
func TestLoadFindsKnownPackages(t *testing.T) {
	pkgs, _, err := Load(moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]Package{}
	for _, p := range pkgs {
		have[p.Rel] = p
	}
	for _, want := range []string{"event", "session", "ui", "internal/archtest"} {
		if _, ok := have[want]; !ok {
			t.Errorf("Load did not find package %s", want)
		}
	}
	if p, ok := have["session"]; ok && p.Imports[Module+"/event"] == "" {
		t.Errorf("Load: session's imports %v lack event", p.Imports)
	}
}

func pkg(rel string, imports ...string) Package {
	p := Package{Rel: rel, Imports: map[string]string{}, TestImports: map[string]string{}, HasDoc: true,
		DocComment: "Package x does x. It must not import y."}
	for _, i := range imports {
		p.Imports[i] = rel + "/x.go"
		p.Deps = append(p.Deps, i)
	}
	return p
}

const m = Module + "/"

// Self-test: each rule, run on a synthetic package that breaks it, reports
// exactly that rule; a clean layout reports nothing.
func TestRulesCatchViolations(t *testing.T) {
	bad := []struct {
		rule string
		pkg  Package
	}{
		{"fyne-only-in-ui-and-cmd", pkg("session", "fyne.io/fyne/v2/widget")},
		{"fyne-only-in-ui-and-cmd", pkg("account", "fyne.io/fyne/v2")},
		{"ui-never-sees-session", pkg("ui", m+"session")},
		{"ui-never-sees-session", pkg("ui/chat", m+"session")},
		{"ui-never-sees-a-stanza", pkg("ui", "mellium.im/xmpp/stanza")},
		{"only-cmd-imports-ui", pkg("session", m+"ui")},
		{"client-logic-is-headless", pkg("cmd/client/internal/cli", "fyne.io/fyne/v2/app")},
		{"client-logic-is-headless", pkg("cmd/client/internal/cli", m+"ui")},
		{"event-is-standard-library-only", pkg("event", "golang.org/x/text/unicode/norm")},
		{"event-is-standard-library-only", pkg("event", m+"session")},
		{"keystore-and-account-stay-below-the-ui", pkg("keystore", m+"session")},
		{"keystore-and-account-stay-below-the-ui", pkg("account", m+"ui")},
		{"policy-is-pure", pkg("policy", "os")},
		{"policy-is-pure", pkg("policy/profile", "net/http")},
		{"training-is-pure", pkg("training", "io/fs")},
		{"training-is-pure", pkg("training", m+"session")},
		{"identity-is-pure", pkg("identity", "os")},
		{"identity-is-pure", pkg("identity", "mellium.im/xmpp")},
		{"identity-is-pure", pkg("identity", "golang.org/x/crypto/ssh")},
		{"textsafe-is-pure", pkg("textsafe", "net/http")},
		{"textsafe-is-pure", pkg("textsafe", "os")},
		{"textsafe-is-pure", pkg("textsafe", "golang.org/x/net/html")},
		{"textsafe-is-pure", pkg("textsafe", "fyne.io/fyne/v2")},
		{"l10n-is-pure", pkg("l10n", "os")},
		{"l10n-is-pure", pkg("l10n", "fyne.io/fyne/v2/lang")},
		{"l10n-is-pure", pkg("l10n", "github.com/palisade-im/palisade/session")},
		{"profile-stays-below-the-session", pkg("profile", m+"session")},
		{"profile-stays-below-the-session", pkg("profile", "mellium.im/xmpp/jid")},
		{"profile-stays-below-the-session", pkg("profile", "fyne.io/fyne/v2")},
		{"storage-stays-below-the-session", pkg("audit", m+"session")},
		{"storage-stays-below-the-session", pkg("archive", "mellium.im/xmpp/jid")},
		{"storage-stays-below-the-session", pkg("archive", m+"ui")},
		{"testenv-only-in-tests", pkg("session", m+"internal/testenv")},
		{"uidemo-only-in-tools-and-tests", pkg("cmd/client", m+"ui/uidemo")},
	}
	covered := map[string]bool{}
	for _, tt := range bad {
		vs := Check([]Package{tt.pkg}, Rules, nil)
		found := false
		for _, v := range vs {
			if v.Rule == tt.rule {
				found = true
				if !strings.Contains(v.Message, tt.pkg.Rel) || !strings.Contains(v.Message, tt.rule) {
					t.Errorf("message %q should name the package %s and the rule", v.Message, tt.pkg.Rel)
				}
			}
		}
		if !found {
			t.Errorf("%s importing %v: rule %s not reported (got %v)", tt.pkg.Rel, tt.pkg.Imports, tt.rule, vs)
		}
		covered[tt.rule] = true
	}
	for _, r := range Rules {
		if !covered[r.Name] {
			t.Errorf("rule %s has no self-test case", r.Name)
		}
	}

	clean := []Package{
		pkg("event", "encoding/json", "time"),
		pkg("session", m+"event", "mellium.im/xmpp", "crypto/tls"),
		pkg("ui", m+"event", "fyne.io/fyne/v2/widget"),
		pkg("cmd/client", m+"ui", m+"session", "fyne.io/fyne/v2/app"),
		pkg("cmd/client/internal/cli", m+"session", m+"keystore", m+"account", m+"event"),
		pkg("keystore", "github.com/zalando/go-keyring"),
		pkg("policy", "strings", "time"),
		pkg("identity", "crypto/x509", m+"event", m+"l10n"),
		pkg("profile", "os", m+"policy", m+"event", "github.com/go-jose/go-jose/v4"),
		pkg("internal/testenv", "os/exec"),
		pkg("audit", "os", "crypto/sha256", m+"event"),
		pkg("archive", "database/sql", "github.com/ncruces/go-sqlite3", m+"event"),
		pkg("ui/internal/demo", m+"ui", m+"ui/uidemo", "fyne.io/fyne/v2/app"),
	}
	if vs := Check(clean, Rules, nil); len(vs) != 0 {
		t.Errorf("clean layout reported violations: %v", vs)
	}
}

func TestTestImportsAndTransitiveDeps(t *testing.T) {
	// Tests may use internal/testenv; shipped code may not.
	s := pkg("session")
	s.TestImports[m+"internal/testenv"] = "session/session_test.go"
	if vs := Check([]Package{s}, Rules, nil); len(vs) != 0 {
		t.Errorf("a test importing internal/testenv was reported: %v", vs)
	}
	// A GUI test may not reach for mellium either.
	u := pkg("ui")
	u.TestImports["mellium.im/xmpp/jid"] = "ui/roster_test.go"
	if vs := Check([]Package{u}, Rules, nil); len(vs) != 1 || !strings.Contains(vs[0].Message, "ui/roster_test.go") {
		t.Errorf("ui test importing mellium: got %v, want one violation naming the file", vs)
	}
	// ui -> ui/format -> internal/jidutil -> mellium.im/xmpp/jid: caught, with the chain.
	u = pkg("ui", m+"ui/format")
	u.Deps = append(u.Deps, m+"internal/jidutil", "mellium.im/xmpp/jid")
	g := Graph{
		m + "ui":               {m + "ui/format", "fmt"},
		m + "ui/format":        {m + "internal/jidutil"},
		m + "internal/jidutil": {"mellium.im/xmpp/jid"},
	}
	vs := Check([]Package{u}, Rules, g)
	if len(vs) != 1 {
		t.Fatalf("transitive mellium dependency: got %v, want one violation", vs)
	}
	if want := "ui -> ui/format -> internal/jidutil -> mellium.im/xmpp/jid"; !strings.Contains(vs[0].Message, want) {
		t.Errorf("message %q does not show the chain %q", vs[0].Message, want)
	}
}

func TestCheckDocs(t *testing.T) {
	ok := pkg("event")
	none := pkg("session")
	none.HasDoc = false
	empty := pkg("ui")
	empty.DocComment = ""
	vague := pkg("keystore")
	vague.DocComment = "Package keystore keeps device keys."
	vs := CheckDocs([]Package{ok, none, empty, vague})
	if len(vs) != 3 {
		t.Fatalf("CheckDocs: got %d violations %v, want 3", len(vs), vs)
	}
	for i, want := range []string{"session has no doc.go", "ui/doc.go has no package comment", "keystore/doc.go does not say"} {
		if !strings.Contains(vs[i].Message, want) {
			t.Errorf("violation %d = %q, want containing %q", i, vs[i].Message, want)
		}
	}
}

func TestIsStandard(t *testing.T) {
	for p, want := range map[string]bool{
		"fmt": true, "encoding/json": true, "C": false,
		"fyne.io/fyne/v2": false, "mellium.im/xmpp": false, Module + "/event": false,
	} {
		if got := IsStandard(p); got != want {
			t.Errorf("IsStandard(%q) = %v, want %v", p, got, want)
		}
	}
}

// The loader and the rules together, on a small module written to disk: a
// violation hidden in a file for another OS is still found, transitive
// dependencies are explained, and a package without doc.go is reported.
func TestLoadSyntheticModule(t *testing.T) {
	dir := t.TempDir()
	doc := func(name string) string {
		return "// Package " + name + " is a fixture. It must not import much.\npackage " + name + "\n"
	}
	files := map[string]string{
		"go.mod":                "module " + Module + "\n\ngo 1.24\n",
		"event/doc.go":          doc("event"),
		"event/event.go":        "package event\n\nimport _ \"" + m + "session\"\n",
		"session/doc.go":        doc("session"),
		"session/session.go":    "package session\n",
		"session/win.go":        "//go:build windows\n\npackage session\n\nimport _ \"" + m + "ui\"\n",
		"ui/doc.go":             doc("ui"),
		"ui/ui.go":              "package ui\n\nimport _ \"" + m + "ui/format\"\n",
		"ui/format/format.go":   "package format\n\nimport _ \"" + m + "session\"\n",
		"policy/doc.go":         doc("policy"),
		"policy/policy.go":      "package policy\n\nimport _ \"os\"\n",
		"policy/policy_test.go": "package policy\n\nimport _ \"net\"\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkgs, graph, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range append(Check(pkgs, Rules, graph), CheckDocs(pkgs)...) {
		got = append(got, v.Message)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"event imports " + m + "session (in event/event.go)\n\trule event-is-standard-library-only",
		"session imports " + m + "ui (in session/win.go)\n\trule only-cmd-imports-ui",
		"ui/format imports " + m + "session (in ui/format/format.go)\n\trule ui-never-sees-session",
		"ui depends on " + m + "session through ui -> ui/format -> session\n\trule ui-never-sees-session",
		"policy imports os (in policy/policy.go)\n\trule policy-is-pure",
		"ui/format has no doc.go",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing violation %q\ngot:\n%s", want, all)
		}
	}
	if strings.Contains(all, "policy imports net") {
		t.Errorf("policy-is-pure should not look at tests:\n%s", all)
	}
	if len(got) != 6 {
		t.Errorf("got %d violations, want 6:\n%s", len(got), all)
	}
}
