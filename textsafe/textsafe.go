package textsafe

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxName is the longest name Name returns, in runes (an ellipsis ends a
// longer one).
const MaxName = 128

// kind of a rune for this package.
type kind int

const (
	keep       kind = iota
	replace         // shown as U+FFFD
	drop            // removed
	dirMark         // a directional mark: kept in bodies, dropped from names
	joiner          // zero-width joiner: kept between emoji only
	selector16      // variation selector: kept after a symbol only
)

func classify(r rune) kind {
	switch {
	case r == '\n' || r == '\t':
		return keep
	case r == utf8.RuneError:
		return replace
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
		return replace
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return replace // embeddings, overrides, isolates
	case r == 0x200e || r == 0x200f || r == 0x061c:
		return dirMark
	case r == 0x200d:
		return joiner
	case r >= 0xfe00 && r <= 0xfe0f:
		return selector16
	case r == 0x200b || r == 0x200c, r >= 0x2060 && r <= 0x2064, r == 0xfeff,
		r == 0x00ad, r == 0x180e, r == 0x034f, r == 0x115f, r == 0x1160,
		r == 0x3164, r == 0xffa0, r >= 0xe0000 && r <= 0xe007f,
		r >= 0xfff9 && r <= 0xfffb, r >= 0x206a && r <= 0x206f:
		return drop
	case unicode.Is(unicode.Cf, r):
		return drop // any other format character: invisible by definition
	case unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
		return replace
	}
	return keep
}

func isSymbol(r rune) bool {
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || (r >= 0x1f000 && r <= 0x1faff)
}

// clean is the common walk; names drop the directional marks too.
func clean(s string, name bool) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	var prev rune = -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			size = 1
		}
		k := classify(r)
		if r == utf8.RuneError && size == 3 {
			k = keep // a real U+FFFD
		}
		switch k {
		case joiner:
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if prev >= 0 && (isSymbol(prev) || (prev >= 0xfe00 && prev <= 0xfe0f)) && isSymbol(next) {
				k = keep
			} else {
				k = drop
			}
		case selector16:
			if prev >= 0 && isSymbol(prev) {
				k = keep
			} else {
				k = drop
			}
		case dirMark:
			if name {
				k = drop
			} else {
				k = keep
			}
		}
		switch k {
		case keep:
			b.WriteString(s[i : i+size])
			prev = r
		case replace:
			b.WriteRune(utf8.RuneError)
			prev = utf8.RuneError
			changed = true
		case drop:
			changed = true
		}
		i += size
	}
	return b.String(), changed
}

// Text returns s as it may be shown: bidi controls and control characters
// replaced by U+FFFD, invisible characters removed. Newlines and tabs stay.
func Text(s string) string {
	t, _ := clean(s, false)
	return t
}

// Hidden reports whether Text changes s: s holds characters that would
// have been invisible or would have reordered the text.
func Hidden(s string) bool {
	_, changed := clean(s, false)
	return changed
}

// Name returns s as a one-line name: Text, without directional marks,
// with every run of white space (newlines included) folded into one space,
// trimmed, and at most MaxName runes (an ellipsis ends a longer name).
func Name(s string) string {
	t, _ := clean(s, true)
	t = strings.Join(strings.FieldsFunc(t, unicode.IsSpace), " ")
	if utf8.RuneCountInString(t) > MaxName {
		r := []rune(t)
		t = strings.TrimSpace(string(r[:MaxName-1])) + "…"
	}
	return t
}

// LinkInfo describes a link as written.
type LinkInfo struct {
	Scheme string // lower case: "https", "mailto", ...
	// Host is the real host the link goes to, in ASCII (punycode for an
	// internationalised name, lower case), without a user part or port;
	// "" when the link has none (mailto:, a relative link).
	Host string
	// Deceptive says why the link may not go where it seems to; "" when
	// nothing is odd about it.
	Deceptive string
}

// Link parses a link as written in a message. A link without a scheme
// ("www.example.test/x") is taken as https. It reports an error only when
// the text is not a link at all.
func Link(raw string) (LinkInfo, error) {
	var info LinkInfo
	if Hidden(raw) {
		info.Deceptive = "it contains hidden or direction-changing characters"
	}
	s := Text(raw)
	if !strings.Contains(s, ":") || strings.HasPrefix(strings.ToLower(s), "www.") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return info, err
	}
	info.Scheme = strings.ToLower(u.Scheme)
	host := u.Hostname()
	if host == "" {
		return info, nil
	}
	if u.User != nil && info.Deceptive == "" {
		info.Deceptive = "the text before \"@\" is not where it goes"
	}
	ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(host, "."))
	if err != nil {
		ascii = strings.ToLower(host)
		if info.Deceptive == "" {
			info.Deceptive = "its host name is not a valid name"
		}
	}
	info.Host = strings.ToLower(ascii)
	if info.Deceptive == "" {
		for _, r := range host {
			if r > unicode.MaxASCII {
				info.Deceptive = "its host name is written with non-Latin letters: it is really " + info.Host
				break
			}
		}
	}
	if info.Deceptive == "" && strings.Contains(info.Host, "xn--") {
		info.Deceptive = "its host name is an encoded international name"
	}
	return info, nil
}
