package l10n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"text/template"
)

// Lang is a language of the user: "en", "fr", or any other value (read as
// English). The zero value is English.
type Lang string

// Languages with a catalogue.
const (
	English Lang = "en"
	French  Lang = "fr"
)

// Args are the named fields of a sentence's template.
type Args = map[string]any

//go:embed fr/*.json
var catalogueFS embed.FS

type catalogue struct {
	texts map[string]string             // English -> French
	tmpls map[string]*template.Template // parsed lazily, by English key and language
	mu    sync.Mutex
	err   error
}

var (
	loadOnce sync.Once
	french   *catalogue
)

// load reads every fr/*.json file into one catalogue. A key present in two
// files must have the same text in both.
func load() *catalogue {
	loadOnce.Do(func() {
		french = &catalogue{texts: map[string]string{}, tmpls: map[string]*template.Template{}}
		french.texts, french.err = readCatalogue(catalogueFS, "fr")
	})
	return french
}

func readCatalogue(fsys embed.FS, dir string) (map[string]string, error) {
	out := map[string]string{}
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return out, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := fsys.ReadFile(path.Join(dir, n))
		if err != nil {
			return out, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return out, fmt.Errorf("%s/%s: %w", dir, n, err)
		}
		for k, v := range m {
			if old, ok := out[k]; ok && old != v {
				return out, fmt.Errorf("%s/%s: %q has two French texts: %q and %q", dir, n, k, old, v)
			}
			out[k] = v
		}
	}
	return out, nil
}

// Norm maps a language setting or locale ("fr_FR.UTF-8", "fr-CA", "FR") to
// a Lang with a catalogue, English for anything else.
func Norm(s string) Lang {
	l := strings.ToLower(strings.TrimSpace(s))
	if l == "fr" || strings.HasPrefix(l, "fr_") || strings.HasPrefix(l, "fr-") || strings.HasPrefix(l, "fr.") {
		return French
	}
	return English
}

// T renders the English sentence en, a text/template with named fields, in
// l. A sentence without a French text, or whose template cannot be
// rendered, falls back to English; a broken English template is returned as
// written rather than lost.
func (l Lang) T(en string, args ...Args) string {
	var a Args
	if len(args) > 0 {
		a = args[0]
	}
	if Norm(string(l)) == French {
		c := load()
		if fr, ok := c.texts[en]; ok {
			if s, ok := c.render("fr\x00"+en, fr, a); ok {
				return s
			}
		}
	}
	if !strings.Contains(en, "{{") {
		return en
	}
	if s, ok := load().render("en\x00"+en, en, a); ok {
		return s
	}
	return en
}

func (c *catalogue) render(key, text string, a Args) (string, bool) {
	c.mu.Lock()
	t, ok := c.tmpls[key]
	if !ok {
		var err error
		t, err = template.New("").Option("missingkey=error").Parse(text)
		if err != nil {
			t = nil
		}
		c.tmpls[key] = t
	}
	c.mu.Unlock()
	if t == nil {
		return "", false
	}
	var b strings.Builder
	if err := t.Execute(&b, a); err != nil {
		return "", false
	}
	return b.String(), true
}

// Err reports a catalogue that could not be read (the tests check it is
// nil; at run time such a catalogue only means English).
func Err() error { return load().err }
