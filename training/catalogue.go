package training

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// File is a module file handed to NewCatalogue (the loader reads them).
type File struct {
	Name string
	Data []byte
}

// Catalogue is every module available, in every language. It is immutable
// and safe for concurrent use.
type Catalogue struct {
	byID map[string]map[string]*Module // id -> lang -> module
	ids  []string                      // in the order given
}

// NewCatalogue parses the built-in files, then the extra files (from the
// profile): an extra module with the same id and language replaces the
// built-in one. Every error is returned, joined; the modules that parsed are
// kept, so that one bad file does not take the others down.
func NewCatalogue(builtin, extra []File) (*Catalogue, error) {
	c := &Catalogue{byID: map[string]map[string]*Module{}}
	var errs []string
	add := func(f File) {
		m, err := Parse(f.Name, f.Data)
		if err != nil {
			errs = append(errs, err.Error())
			return
		}
		if c.byID[m.ID] == nil {
			c.byID[m.ID] = map[string]*Module{}
			c.ids = append(c.ids, m.ID)
		}
		c.byID[m.ID][m.Lang] = m
	}
	for _, f := range builtin {
		add(f)
	}
	for _, f := range extra {
		add(f)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return c, nil
}

// IDs lists the module ids in catalogue order.
func (c *Catalogue) IDs() []string { return append([]string(nil), c.ids...) }

// Module returns the module in lang, falling back to English, then to any
// language (the first in alphabetical order).
func (c *Catalogue) Module(id, lang string) (*Module, bool) {
	ms := c.byID[id]
	if len(ms) == 0 {
		return nil, false
	}
	if m, ok := ms[lang]; ok {
		return m, true
	}
	if m, ok := ms["en"]; ok {
		return m, true
	}
	langs := make([]string, 0, len(ms))
	for l := range ms {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	return ms[langs[0]], true
}

// Completion records a passed quiz.
type Completion struct {
	Version int       `json:"version"`
	Score   int       `json:"score"`
	Total   int       `json:"total"`
	At      time.Time `json:"at"`
}

// Progress maps module ids to their completion.
type Progress map[string]Completion

// Done reports whether the module is complete at its current version: a
// module IT has revised (a higher version) must be done again.
func (c *Catalogue) Done(p Progress, id string) bool {
	cp, ok := p[id]
	if !ok {
		return false
	}
	m, ok := c.Module(id, "en")
	if !ok {
		return true // a module no longer in the catalogue cannot be redone
	}
	return cp.Version >= m.Version
}

// Requirement is what the profile says about training.
type Requirement struct {
	Required []string            // module ids every user must complete
	Gates    map[string][]string // feature -> modules; nil: each required module's own "gates" header
}

// Decision says whether a feature may be used now.
type Decision struct {
	Allowed bool
	Missing []string // module ids still to complete, in requirement order
	Reason  string   // one sentence, naming the module(s) by title
}

// featureWords completes "Complete 'X' to ..." per language and feature.
var featureWords = map[string]map[string]string{
	"en": {
		FeatureExternalChat:  "write to people outside your organisation",
		FeatureFiles:         "send files",
		FeatureExternalFiles: "send files to partners",
	},
	"fr": {
		FeatureExternalChat:  "écrire à des personnes extérieures à votre organisation",
		FeatureFiles:         "envoyer des fichiers",
		FeatureExternalFiles: "envoyer des fichiers aux partenaires",
	},
}

var gateSentence = map[string]struct{ format, and string }{
	"en": {"Complete %s to %s.", " and "},
	"fr": {"Terminez %s pour %s.", " et "},
}

// FeatureText is the phrase that names a feature for the user, in lang
// (English when lang is not known).
func FeatureText(feature, lang string) string {
	if _, ok := featureWords[lang]; !ok {
		lang = "en"
	}
	if w, ok := featureWords[lang][feature]; ok {
		return w
	}
	return feature
}

// Gate decides whether feature may be used. lang picks the titles used in
// the reason. A required module missing from the catalogue gates nothing
// (it cannot be taken); Missing lists it all the same so that it is visible.
func (c *Catalogue) Gate(req Requirement, p Progress, feature, lang string) Decision {
	var gating []string
	if req.Gates != nil {
		gating = req.Gates[feature]
	} else {
		for _, id := range req.Required {
			if m, ok := c.Module(id, lang); ok {
				for _, g := range m.Gates {
					if g == feature {
						gating = append(gating, id)
					}
				}
			}
		}
	}
	required := map[string]bool{}
	for _, id := range req.Required {
		required[id] = true
	}
	var missing, titles []string
	for _, id := range gating {
		if req.Gates != nil && !required[id] {
			continue // a gate names only modules the profile requires
		}
		if c.Done(p, id) {
			continue
		}
		m, ok := c.Module(id, lang)
		if !ok {
			continue
		}
		missing = append(missing, id)
		titles = append(titles, "'"+m.Title+"'")
	}
	if len(missing) == 0 {
		return Decision{Allowed: true}
	}
	gs, ok := gateSentence[lang]
	if !ok {
		gs = gateSentence["en"]
	}
	return Decision{Missing: missing, Reason: fmt.Sprintf(gs.format, joinAnd(titles, gs.and), FeatureText(feature, lang))}
}

// Outstanding lists the required modules not done yet, in profile order.
func (c *Catalogue) Outstanding(req Requirement, p Progress) []string {
	var out []string
	for _, id := range req.Required {
		if _, ok := c.Module(id, "en"); ok && !c.Done(p, id) {
			out = append(out, id)
		}
	}
	return out
}

func joinAnd(s []string, and string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + and + s[len(s)-1]
}
