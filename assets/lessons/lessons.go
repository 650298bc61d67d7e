package lessons

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/palisade-im/palisade/training"
)

//go:embed en fr
var content embed.FS

// Langs are the languages the built-in content is written in.
var Langs = []string{"en", "fr"}

// Modules returns every built-in module file, all languages, in a stable
// order: English first, each language in the suggested Order, then any
// other file by name.
func Modules() []training.File {
	var out []training.File
	for _, lang := range Langs {
		entries, err := fs.ReadDir(content, lang)
		if err != nil {
			continue
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") && e.Name() != "welcome.md" {
				names = append(names, e.Name())
			}
		}
		sort.Slice(names, func(i, j int) bool {
			ri, rj := rank(names[i]), rank(names[j])
			if ri != rj {
				return ri < rj
			}
			return names[i] < names[j]
		})
		for _, n := range names {
			data, err := content.ReadFile(path.Join(lang, n))
			if err == nil {
				out = append(out, training.File{Name: lang + "/" + n, Data: data})
			}
		}
	}
	return out
}

// Order is the suggested order of the built-in modules.
var Order = []string{"phishing", "impersonation", "verify-identity", "files", "passwords", "public-places", "manners"}

// Catalogue parses the built-in modules plus extra ones (from the profile).
func Catalogue(extra []training.File) (*training.Catalogue, error) {
	return training.NewCatalogue(Modules(), extra)
}

// Prompts returns the just-in-time prompts in lang (English when lang has none).
func Prompts(lang string) (map[string]training.Prompt, error) {
	if !known(lang) {
		lang = "en"
	}
	data, err := content.ReadFile(path.Join(lang, "prompts.txt"))
	if err != nil {
		return nil, err
	}
	return training.ParsePrompts(lang+"/prompts.txt", lang, data)
}

// Welcome returns the first-run welcome text (Markdown) in lang.
func Welcome(lang string) string {
	if !known(lang) {
		lang = "en"
	}
	data, _ := content.ReadFile(path.Join(lang, "welcome.md"))
	return string(data)
}

func known(lang string) bool {
	for _, l := range Langs {
		if l == lang {
			return true
		}
	}
	return false
}

func rank(file string) int {
	id := strings.TrimSuffix(file, ".md")
	for i, o := range Order {
		if o == id {
			return i
		}
	}
	return len(Order)
}
