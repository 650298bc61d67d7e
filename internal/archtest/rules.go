package archtest

import (
	"fmt"
	"sort"
	"strings"
)

// Module is the module path; package paths in rules are relative to it.
const Module = "github.com/palisade-im/palisade"

// Package is one package of the module, as the rules see it.
type Package struct {
	Rel  string // path relative to the module root: "ui", "cmd/client", "." for the root
	Name string // package name

	// Imports maps each import of the package's non-test files, across all
	// build tags and operating systems, to the first file importing it.
	Imports map[string]string
	// TestImports is the same for _test.go files (internal and external tests).
	TestImports map[string]string
	// Deps lists the transitive non-test dependencies in the default build.
	Deps []string

	HasDoc     bool   // the directory has a doc.go
	DocComment string // the package comment of doc.go, if any
}

// Graph gives, for any import path, the direct imports of that package in the
// default build. It is used to explain a transitive violation.
type Graph map[string][]string

// Scope says which imports a rule looks at.
type Scope uint8

const (
	Direct     Scope = 1 << iota // imports of non-test files
	Tests                        // imports of _test.go files
	Transitive                   // everything the non-test code depends on
)

// Rule is one import rule: packages matching Applies may not depend on an
// import path for which Forbidden returns true.
type Rule struct {
	Name      string
	Why       string // shown with every violation
	Applies   func(rel string) bool
	Forbidden func(importPath string) bool
	Scope     Scope
}

// Violation is one broken rule.
type Violation struct {
	Rule    string
	Package string // relative path
	Message string
}

func (v Violation) String() string { return v.Message }

// Helpers used to write the rule table.

// under reports whether rel is dir or below it.
func under(rel string, dirs ...string) bool {
	for _, d := range dirs {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// inModule turns module-relative directories into an import-path predicate.
func inModule(dirs ...string) func(string) bool {
	return func(p string) bool {
		if !strings.HasPrefix(p, Module+"/") {
			return false
		}
		return under(strings.TrimPrefix(p, Module+"/"), dirs...)
	}
}

func prefixes(ps ...string) func(string) bool {
	return func(p string) bool {
		for _, x := range ps {
			if p == x || strings.HasPrefix(p, x+"/") {
				return true
			}
		}
		return false
	}
}

func anyOf(fs ...func(string) bool) func(string) bool {
	return func(p string) bool {
		for _, f := range fs {
			if f(p) {
				return true
			}
		}
		return false
	}
}

// IsStandard reports whether an import path belongs to the standard library:
// its first element has no dot (and it is not the cgo pseudo-package).
func IsStandard(p string) bool {
	if p == "C" {
		return false
	}
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

var (
	fyne    = prefixes("fyne.io")
	xmpp    = prefixes("mellium.im")
	session = inModule("session")
	ui      = inModule("ui")
	testenv = inModule("internal/testenv", "testenv")
	uidemo  = inModule("ui/uidemo")
)

// ioPackages are the standard packages a pure decision package may not use.
var ioPackages = prefixes("os", "net", "syscall", "io/ioutil", "io/fs", "plugin", "unsafe")

// Rules is the table of import rules. ARCHITECTURE.md explains each.
var Rules = []Rule{
	{
		Name:      "fyne-only-in-ui-and-cmd",
		Why:       "only ui/ and cmd/ may use Fyne; everything else must run headless and be testable without a display",
		Applies:   func(rel string) bool { return !under(rel, "ui", "cmd") },
		Forbidden: fyne,
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "ui-never-sees-session",
		Why:       "the GUI talks to the session only through package event (event.Backend); it never imports session/",
		Applies:   func(rel string) bool { return under(rel, "ui") },
		Forbidden: session,
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "ui-never-sees-a-stanza",
		Why:       "the GUI never sees XMPP: no mellium.im package, directly or through another package",
		Applies:   func(rel string) bool { return under(rel, "ui") },
		Forbidden: xmpp,
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "only-cmd-imports-ui",
		Why:       "ui/ is a leaf: only cmd/ wires it to a backend; nothing else may depend on the GUI",
		Applies:   func(rel string) bool { return !under(rel, "ui", "cmd") },
		Forbidden: ui,
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "client-logic-is-headless",
		Why:       "cmd/client/internal/ holds the client's flag, password, headless and connect logic; it builds and is tested without a display, so no Fyne and no ui/ (only package main's gui.go touches the GUI)",
		Applies:   func(rel string) bool { return under(rel, "cmd/client/internal") },
		Forbidden: anyOf(fyne, ui),
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "event-is-standard-library-only",
		Why:       "package event is the plain-data contract between session, GUI and headless mode: standard library only",
		Applies:   func(rel string) bool { return under(rel, "event") },
		Forbidden: func(p string) bool { return !IsStandard(p) },
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "keystore-and-account-stay-below-the-ui",
		Why:       "keystore/ and account/ are used by the session and the GUI alike, so they may not import Fyne, ui/ or session/",
		Applies:   func(rel string) bool { return under(rel, "keystore", "account") },
		Forbidden: anyOf(fyne, ui, session),
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "policy-is-pure",
		Why:       "decisions live in pure packages: policy/ does no I/O (no os, net, syscall) and knows no GUI, session or XMPP; the session layer enforces its answers",
		Applies:   func(rel string) bool { return under(rel, "policy") },
		Forbidden: anyOf(ioPackages, fyne, xmpp, session, ui),
		Scope:     Direct,
	},
	{
		Name:      "training-is-pure",
		Why:       "training/ grades quizzes and decides which features stay gated: no I/O (no os, net, syscall, io/fs), no GUI, session or XMPP; assets/lessons reads the embedded content and the session enforces the gates",
		Applies:   func(rel string) bool { return under(rel, "training") },
		Forbidden: anyOf(ioPackages, fyne, xmpp, session, ui),
		Scope:     Direct,
	},
	{
		Name:      "identity-is-pure",
		Why:       "identity/ decides certificates and signatures: it does no I/O (no os, net, syscall), takes time as an argument and knows no GUI, session or XMPP; standard library (and packages event and l10n) only",
		Applies:   func(rel string) bool { return under(rel, "identity") },
		Forbidden: anyOf(ioPackages, fyne, xmpp, session, ui, func(p string) bool { return !IsStandard(p) && !inModule("event", "l10n")(p) }),
		Scope:     Direct,
	},
	{
		Name:      "textsafe-is-pure",
		Why:       "textsafe/ decides how text from the network may be shown: no I/O (no os, syscall, io/fs; of net only net/url, which parses), no GUI, session or XMPP; outside the standard library only golang.org/x/net/idna",
		Applies:   func(rel string) bool { return under(rel, "textsafe") },
		Forbidden: anyOf(func(p string) bool { return ioPackages(p) && p != "net/url" }, fyne, xmpp, session, ui, func(p string) bool { return !IsStandard(p) && p != "golang.org/x/net/idna" }),
		Scope:     Direct,
	},
	{
		Name:      "l10n-is-pure",
		Why:       "l10n/ puts the session's and the pure packages' sentences into the user's language: standard library only, no I/O (no os, net, syscall, io/fs) beyond its embedded catalogue, no GUI, session or XMPP, so that the pure packages may use it",
		Applies:   func(rel string) bool { return under(rel, "l10n") },
		Forbidden: anyOf(ioPackages, fyne, xmpp, session, ui, func(p string) bool { return !IsStandard(p) }),
		Scope:     Direct,
	},
	{
		Name:      "profile-stays-below-the-session",
		Why:       "profile/ parses, verifies and keeps IT-signed profiles for the session, the GUI and the IT tool alike: it may read files but must not import Fyne, ui/, session/ or mellium",
		Applies:   func(rel string) bool { return under(rel, "profile") },
		Forbidden: anyOf(fyne, ui, session, xmpp),
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "storage-stays-below-the-session",
		Why:       "audit/ (the hash-chained audit log) and archive/ (the encrypted message archive) are storage used by the session, the GUI and the command line alike: they must not import Fyne, ui/, session/ or mellium",
		Applies:   func(rel string) bool { return under(rel, "audit", "archive") },
		Forbidden: anyOf(fyne, ui, session, xmpp),
		Scope:     Direct | Tests | Transitive,
	},
	{
		Name:      "testenv-only-in-tests",
		Why:       "internal/testenv starts servers and keyrings for tests; shipped code may not depend on it (import it from _test.go files only)",
		Applies:   func(rel string) bool { return !under(rel, "internal/testenv", "testenv") },
		Forbidden: testenv,
		Scope:     Direct | Transitive,
	},
	{
		Name:      "uidemo-only-in-tools-and-tests",
		Why:       "ui/uidemo is a scripted fake backend for looking at the GUI; only ui/internal/demo and tests may use it, never the shipped client",
		Applies:   func(rel string) bool { return !under(rel, "ui/uidemo", "ui/internal/demo") },
		Forbidden: uidemo,
		Scope:     Direct | Transitive,
	},
}

// Check applies rules to pkgs. graph may be nil; it only improves messages
// about transitive violations.
func Check(pkgs []Package, rules []Rule, graph Graph) []Violation {
	var out []Violation
	for _, p := range pkgs {
		for _, r := range rules {
			if !r.Applies(p.Rel) {
				continue
			}
			out = append(out, checkRule(p, r, graph)...)
		}
	}
	return out
}

func checkRule(p Package, r Rule, graph Graph) []Violation {
	var out []Violation
	seen := map[string]bool{}
	report := func(imp, msg string) {
		if seen[imp] {
			return
		}
		seen[imp] = true
		out = append(out, Violation{
			Rule:    r.Name,
			Package: p.Rel,
			Message: fmt.Sprintf("%s\n\trule %s: %s", msg, r.Name, r.Why),
		})
	}
	if r.Scope&Direct != 0 {
		for _, imp := range sortedKeys(p.Imports) {
			if r.Forbidden(imp) {
				report(imp, fmt.Sprintf("%s imports %s (in %s)", p.Rel, imp, p.Imports[imp]))
			}
		}
	}
	if r.Scope&Tests != 0 {
		for _, imp := range sortedKeys(p.TestImports) {
			if r.Forbidden(imp) {
				report(imp, fmt.Sprintf("%s imports %s in a test (%s)", p.Rel, imp, p.TestImports[imp]))
			}
		}
	}
	if r.Scope&Transitive != 0 {
		// One report per rule and package is enough for a transitive
		// violation: fixing the first link usually fixes the rest.
		for _, d := range p.Deps {
			if !r.Forbidden(d) || seen[d] {
				continue
			}
			chain := explain(graph, Module+"/"+strings.TrimPrefix(p.Rel, "."), d)
			report(d, fmt.Sprintf("%s depends on %s through %s", p.Rel, d, chain))
			break
		}
	}
	return out
}

// explain finds a shortest import chain from one package to another.
func explain(g Graph, from, to string) string {
	from = strings.TrimSuffix(from, "/")
	if g == nil {
		return "(import chain unknown)"
	}
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var chain []string
			for n := to; n != ""; n = prev[n] {
				chain = append(chain, short(n))
			}
			for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
				chain[i], chain[j] = chain[j], chain[i]
			}
			return strings.Join(chain, " -> ")
		}
		for _, n := range g[cur] {
			if _, ok := prev[n]; !ok {
				prev[n] = cur
				queue = append(queue, n)
			}
		}
	}
	return "(import chain unknown)"
}

// short drops the module prefix from an import path for messages.
func short(p string) string {
	if p == Module {
		return "."
	}
	return strings.TrimPrefix(p, Module+"/")
}

// CheckDocs reports packages without a doc.go, or whose doc.go has no package
// comment saying what the package is for and what it must not import.
func CheckDocs(pkgs []Package) []Violation {
	var out []Violation
	add := func(p Package, msg string) {
		out = append(out, Violation{Rule: "doc-go", Package: p.Rel, Message: msg})
	}
	for _, p := range pkgs {
		switch {
		case !p.HasDoc:
			add(p, fmt.Sprintf("%s has no doc.go\n\trule doc-go: every package has a doc.go whose package comment says what the package is for and what it must not import", p.Rel))
		case strings.TrimSpace(p.DocComment) == "":
			add(p, fmt.Sprintf("%s/doc.go has no package comment\n\trule doc-go: put the comment directly above the package clause: what the package is for and what it must not import", p.Rel))
		case !strings.Contains(strings.ToLower(p.DocComment), "must not"):
			add(p, fmt.Sprintf("%s/doc.go does not say what the package must not import\n\trule doc-go: add a sentence such as \"This package must not import Fyne or the session.\"", p.Rel))
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
