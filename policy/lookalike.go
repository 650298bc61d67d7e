package policy

import "strings"

// lookalikeMatch is an approved domain that a candidate imitates.
type lookalikeMatch struct {
	of         string // ASCII form of the approved domain
	techniques []string
}

// lookalike checks a against every internal and partner domain.
func (e *Engine) lookalike(a address) (lookalikeMatch, bool) {
	for _, ap := range e.approved {
		if strings.Contains(a.ascii, ap.ascii+".") {
			return lookalikeMatch{of: ap.ascii, techniques: []string{"subdomain"}}, true
		}
	}
	return lookalikeMatch{}, false
}

var techniqueWords = map[string]string{
	"confusable":    "look-alike characters",
	"mixed-script":  "letters from different alphabets",
	"punycode":      "an encoded international name",
	"omission":      "a missing letter",
	"insertion":     "an extra letter",
	"repetition":    "a doubled letter",
	"transposition": "swapped letters",
	"adjacent-key":  "a neighbouring key",
	"vowel-swap":    "a changed vowel",
	"bit-flip":      "a one-bit change",
	"hyphenation":   "added hyphens or words",
	"tld-swap":      "a different ending",
	"subdomain":     "the approved name placed inside another domain",
}

// describe turns techniques into a bracketed phrase: " (a missing letter)".
func describe(ts []string) string {
	if len(ts) == 0 {
		return ""
	}
	ws := make([]string, 0, len(ts))
	for _, t := range ts {
		if w, ok := techniqueWords[t]; ok {
			ws = append(ws, w)
		}
	}
	return " (" + strings.Join(ws, ", ") + ")"
}
