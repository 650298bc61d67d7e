package training

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Just-in-time prompts: shown once each, at the first risky action of a
// kind, and recorded.
const (
	PromptUnknownChat    = "first-unknown-chat"    // first chat with an unknown domain
	PromptPartnerFile    = "first-partner-file"    // first file to a partner
	PromptExternalLink   = "first-external-link"   // first link from an external contact
	PromptIdentityChange = "first-identity-change" // first identity change of a contact
)

// PromptKinds lists every prompt kind.
var PromptKinds = []string{PromptUnknownChat, PromptPartnerFile, PromptExternalLink, PromptIdentityChange}

// Prompt is one just-in-time lesson: a title, a short text (Markdown) and
// the module that teaches more.
type Prompt struct {
	Kind   string
	Lang   string
	Title  string
	Body   string
	Module string // module id for "Learn more"; may be ""
}

// ParsePrompts reads a prompts file: sections that start with a line
// "[kind]", followed by "title: ...", "module: ..." and the body.
func ParsePrompts(name, lang string, data []byte) (map[string]Prompt, error) {
	if len(data) > MaxModuleSize || !utf8.Valid(data) {
		return nil, &ParseError{Name: name, Msg: "too large or not valid UTF-8"}
	}
	out := map[string]Prompt{}
	var cur *Prompt
	var body []string
	flush := func() {
		if cur != nil {
			cur.Body = strings.TrimSpace(strings.Join(body, "\n"))
			out[cur.Kind] = *cur
		}
	}
	for i, l := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			flush()
			kind := t[1 : len(t)-1]
			known := false
			for _, k := range PromptKinds {
				known = known || k == kind
			}
			if !known {
				return nil, &ParseError{Name: name, Line: i + 1, Msg: fmt.Sprintf("unknown prompt %q (one of %s)", kind, strings.Join(PromptKinds, ", "))}
			}
			if _, dup := out[kind]; dup {
				return nil, &ParseError{Name: name, Line: i + 1, Msg: fmt.Sprintf("prompt %q is given twice", kind)}
			}
			cur, body = &Prompt{Kind: kind, Lang: lang}, nil
		case cur == nil:
			if t != "" && !strings.HasPrefix(t, "#") {
				return nil, &ParseError{Name: name, Line: i + 1, Msg: "text before the first [prompt] section"}
			}
		case len(body) == 0 && strings.HasPrefix(t, "title:"):
			cur.Title = strings.TrimSpace(strings.TrimPrefix(t, "title:"))
		case len(body) == 0 && strings.HasPrefix(t, "module:"):
			cur.Module = strings.TrimSpace(strings.TrimPrefix(t, "module:"))
		default:
			if len(body) > 0 || t != "" {
				body = append(body, l)
			}
		}
	}
	flush()
	for k, p := range out {
		if p.Title == "" || p.Body == "" {
			return nil, &ParseError{Name: name, Msg: fmt.Sprintf("prompt %q needs a title and a text", k)}
		}
	}
	return out, nil
}
