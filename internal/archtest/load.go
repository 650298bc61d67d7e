package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// listed is the part of `go list -json` output that Load reads.
type listed struct {
	Dir            string
	ImportPath     string
	Name           string
	Module         *struct{ Path string }
	GoFiles        []string
	CgoFiles       []string
	IgnoredGoFiles []string
	TestGoFiles    []string
	XTestGoFiles   []string
	Imports        []string
	Deps           []string
}

// goCommand finds the go command: on PATH, else in GOROOT.
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	for _, root := range []string{os.Getenv("GOROOT"), "/usr/local/go"} {
		if root == "" {
			continue
		}
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}

// Load lists every package of the module rooted at dir (and everything they
// depend on), and reads each module package's files for its imports under
// every build tag.
func Load(dir string) ([]Package, Graph, error) {
	cmd := exec.Command(goCommand(), "list", "-e", "-deps", "-json", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	graph := Graph{}
	var pkgs []Package
	for {
		var l listed
		if err := dec.Decode(&l); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("decoding go list output: %v", err)
		}
		graph[l.ImportPath] = l.Imports
		if l.Module == nil || l.Module.Path != Module {
			continue
		}
		p, err := fromListed(l)
		if err != nil {
			return nil, nil, err
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, nil, fmt.Errorf("go list found no package of %s in %s", Module, dir)
	}
	return pkgs, graph, nil
}

func fromListed(l listed) (Package, error) {
	rel := "."
	if l.ImportPath != Module {
		rel = strings.TrimPrefix(l.ImportPath, Module+"/")
	}
	p := Package{
		Rel:         rel,
		Name:        l.Name,
		Imports:     map[string]string{},
		TestImports: map[string]string{},
		Deps:        l.Deps,
	}
	var src, tests []string
	src = append(src, l.GoFiles...)
	src = append(src, l.CgoFiles...)
	tests = append(tests, l.TestGoFiles...)
	tests = append(tests, l.XTestGoFiles...)
	for _, f := range l.IgnoredGoFiles { // excluded by build tags or GOOS: still checked
		if strings.HasSuffix(f, "_test.go") {
			tests = append(tests, f)
		} else {
			src = append(src, f)
		}
	}
	fset := token.NewFileSet()
	read := func(names []string, into map[string]string) error {
		for _, name := range names {
			f, err := parser.ParseFile(fset, filepath.Join(l.Dir, name), nil, parser.ImportsOnly)
			if err != nil {
				return fmt.Errorf("%s: %v", rel, err)
			}
			for _, is := range f.Imports {
				path, err := strconv.Unquote(is.Path.Value)
				if err != nil {
					continue
				}
				if _, ok := into[path]; !ok {
					into[path] = filepath.ToSlash(filepath.Join(rel, name))
				}
			}
		}
		return nil
	}
	if err := read(src, p.Imports); err != nil {
		return p, err
	}
	if err := read(tests, p.TestImports); err != nil {
		return p, err
	}
	doc := filepath.Join(l.Dir, "doc.go")
	if _, err := os.Stat(doc); err == nil {
		p.HasDoc = true
		f, err := parser.ParseFile(fset, doc, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return p, fmt.Errorf("%s: %v", rel, err)
		}
		if f.Doc != nil {
			p.DocComment = f.Doc.Text()
		}
	}
	return p, nil
}
