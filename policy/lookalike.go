package policy

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/net/publicsuffix"

	"github.com/palisade-im/palisade/l10n"
)

// approvedDomain is an internal or partner domain, with what lookalike
// detection needs precomputed.
type approvedDomain struct {
	ascii    string // the approved domain
	org      string
	reg      string // its registrable part (base label and suffix), ASCII
	base     string // base label, Unicode
	baseLen  int    // in runes
	suffix   string // ASCII
	baseSkel string
	sufSkel  string
	fullSkel string // skeleton of the Unicode form of reg
	hyphReg  string // reg with dots turned into hyphens: "acme-test"
	joined   string // reg without dots and hyphens: "acmetest"
	bareBase string // base without hyphens
}

func newApproved(ascii, org string) approvedDomain {
	s := split(ascii)
	a := approvedDomain{
		ascii:    ascii,
		org:      org,
		reg:      s.reg,
		base:     s.baseU,
		baseLen:  utf8.RuneCountInString(s.baseU),
		suffix:   s.suffix,
		baseSkel: skeleton(s.baseU),
		sufSkel:  skeleton(s.suffixU),
		fullSkel: skeleton(s.regU),
		hyphReg:  strings.ReplaceAll(s.reg, ".", "-"),
		bareBase: strings.ReplaceAll(s.baseU, "-", ""),
	}
	a.joined = strings.ReplaceAll(strings.ReplaceAll(s.reg, ".", ""), "-", "")
	return a
}

// parts is a domain split at its public suffix.
type parts struct {
	ascii, unicode  string
	left            string // labels left of the base label, ASCII, joined with dots
	leftU           string // the same in Unicode
	base, baseU     string // the base label
	suffix, suffixU string
	reg, regU       string // base + "." + suffix
	regStart        int    // byte offset of reg in ascii
}

func split(ascii string) parts {
	p := parts{ascii: ascii, unicode: ascii}
	if u, err := parseUnicode(ascii); err == nil {
		p.unicode = u
	}
	labels := strings.Split(ascii, ".")
	labelsU := strings.Split(p.unicode, ".")
	if len(labelsU) != len(labels) {
		labelsU = labels
	}
	ps, _ := publicsuffix.PublicSuffix(ascii)
	n := strings.Count(ps, ".") + 1 // labels in the suffix
	if ps == ascii || ps == "" || n >= len(labels) {
		// The domain is itself a public suffix (or a single label): its
		// first label is the base.
		n = len(labels) - 1
	}
	bi := len(labels) - n - 1 // index of the base label
	p.left = strings.Join(labels[:bi], ".")
	p.leftU = strings.Join(labelsU[:bi], ".")
	p.base, p.baseU = labels[bi], labelsU[bi]
	p.suffix = strings.Join(labels[bi+1:], ".")
	p.suffixU = strings.Join(labelsU[bi+1:], ".")
	p.reg, p.regU = p.base, p.baseU
	if p.suffix != "" {
		p.reg += "." + p.suffix
		p.regU += "." + p.suffixU
	}
	p.regStart = len(ascii) - len(p.reg)
	return p
}

// skeleton is the UTS #39 skeleton, lower-cased so that the digit 0 (whose
// skeleton is O) meets the letter o.
func skeleton(s string) string {
	return strings.ToLower(confusables.Skeleton(s))
}

// lookalikeMatch is an approved domain that a candidate imitates.
type lookalikeMatch struct {
	of         string // ASCII form of the approved domain
	techniques []string
	cost       int
}

// candidate is what lookalike needs to know about the domain checked,
// computed once per call.
type candidate struct {
	parts
	baseSkel, sufSkel, leftSkel string
	deconfused                  string // base with non-ASCII confusables replaced by their ASCII skeletons
	baseLen                     int
	punycode, mixed             bool
}

// lookalike checks a against every internal and partner domain.
func (e *Engine) lookalike(a address) (lookalikeMatch, bool) {
	if len(e.approved) == 0 || isIP(a.ascii) {
		return lookalikeMatch{}, false
	}
	c := candidate{parts: split(a.ascii)}
	c.baseSkel = skeleton(c.baseU)
	c.sufSkel = skeleton(c.suffixU)
	c.baseLen = utf8.RuneCountInString(c.baseU)
	c.punycode = strings.HasPrefix(a.ascii, "xn--") || strings.Contains(a.ascii, ".xn--")
	if c.punycode {
		c.mixed = mixedScript(c.unicode)
		c.leftSkel = skeleton(c.leftU)
		c.deconfused = deconfuse(c.baseU)
	} else {
		c.deconfused = c.baseU
	}
	best := lookalikeMatch{cost: 1 << 30}
	for i := range e.approved {
		if m, ok := c.imitates(&e.approved[i]); ok && m.cost < best.cost {
			best = m
		}
	}
	if best.of == "" {
		return lookalikeMatch{}, false
	}
	if c.punycode {
		best.techniques = append(best.techniques, "punycode")
		if c.mixed {
			best.techniques = append(best.techniques, "mixed-script")
		}
	}
	best.techniques = canonical(best.techniques)
	return best, true
}

// imitates reports whether c imitates the approved domain ap.
func (c *candidate) imitates(ap *approvedDomain) (lookalikeMatch, bool) {
	if c.reg == ap.reg {
		return lookalikeMatch{}, false
	}
	m := lookalikeMatch{of: ap.ascii}
	// How the suffixes relate.
	var suf []string
	sufCost := 0
	switch {
	case c.suffix == ap.suffix:
	case c.sufSkel == ap.sufSkel:
		suf, sufCost = []string{"confusable"}, 1
	default:
		suf, sufCost = []string{"tld-swap"}, 2
	}
	swapped := sufCost == 2
	// The base label.
	switch {
	case c.baseU == ap.base:
		// Same base, other suffix (equal suffixes mean equal reg).
		if ap.baseLen >= 3 || !swapped {
			m.techniques, m.cost = suf, sufCost
			return m, true
		}
	case c.baseSkel == ap.baseSkel:
		m.techniques, m.cost = append([]string{"confusable"}, suf...), 1+sufCost
		return m, true
	}
	if ap.baseLen >= 4 && (!swapped || ap.baseLen >= 6) {
		maxOps := 1
		if ap.baseLen >= 8 && !swapped {
			maxOps = 2
		}
		if ts, n := typo(c.deconfused, ap.base, maxOps); n > 0 {
			if c.deconfused != c.baseU {
				ts = append(ts, "confusable")
			}
			m.techniques, m.cost = append(ts, suf...), 2*n+sufCost
			return m, true
		}
	}
	if ap.baseLen >= 4 {
		if hyphenated(c.deconfused, ap) {
			m.techniques, m.cost = append([]string{"hyphenation"}, suf...), 3+sufCost
			if c.deconfused != c.baseU {
				m.techniques = append(m.techniques, "confusable")
			}
			return m, true
		}
	}
	// The approved domain placed on the left of another one.
	if ap.suffix != "" {
		if pos := within(c.ascii, ap.reg); pos >= 0 && pos < c.regStart {
			m.techniques, m.cost = []string{"subdomain"}, 4
			return m, true
		}
		if pos := within(c.ascii, ap.hyphReg); pos >= 0 && pos < c.regStart {
			m.techniques, m.cost = []string{"subdomain", "hyphenation"}, 4
			return m, true
		}
		if c.punycode && c.leftSkel != "" && within(c.leftSkel+".", ap.fullSkel) >= 0 {
			m.techniques, m.cost = []string{"subdomain", "confusable"}, 5
			return m, true
		}
	}
	return lookalikeMatch{}, false
}

// within finds needle in s where it starts a label or follows a hyphen and
// is followed by a dot or a hyphen; -1 when it does not.
func within(s, needle string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], needle)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(needle)
		if (i == 0 || s[i-1] == '.' || s[i-1] == '-') && end < len(s) && (s[end] == '.' || s[end] == '-') {
			return i
		}
		off = i + 1
	}
}

// commonWords are added to a brand to make a convincing domain.
var commonWords = []string{
	"corp", "inc", "ltd", "llc", "group", "global", "intl", "hr", "it",
	"login", "secure", "support", "help", "helpdesk", "mail", "portal",
	"online", "web", "app", "team", "chat", "im", "xmpp", "sso", "auth",
	"account", "accounts", "verify", "service", "services", "office",
	"my", "the", "get", "go", "id", "admin", "payroll", "pay", "docs",
}

// hyphenated reports whether base is the approved base with hyphens added
// or removed, or with a word joined to it.
func hyphenated(base string, ap *approvedDomain) bool {
	bare := strings.ReplaceAll(base, "-", "")
	if bare == ap.bareBase && base != ap.base {
		return true // ac-me, a-c-m-e; acmecorp for acme-corp
	}
	if bare == ap.joined {
		return true // acmetest or acme-test for acme.test
	}
	if strings.Contains(base, "-") {
		for _, part := range strings.Split(base, "-") {
			if part == ap.base || part == ap.bareBase {
				return true // acme-corp, login-acme
			}
		}
	}
	if rest, ok := strings.CutPrefix(bare, ap.bareBase); ok {
		for _, w := range commonWords {
			if rest == w {
				return true // acmecorp
			}
		}
	}
	if rest, ok := strings.CutSuffix(bare, ap.bareBase); ok {
		for _, w := range commonWords {
			if rest == w {
				return true // myacme
			}
		}
	}
	return false
}

// deconfuse replaces each non-ASCII rune whose skeleton is ASCII by that
// skeleton, so that typos can be found in "аcmme" (Cyrillic а).
func deconfuse(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		k := skeleton(string(r))
		if isASCII(k) {
			b.WriteString(k)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isIP(d string) bool {
	if strings.ContainsAny(d, ":[]") {
		return true
	}
	for i := 0; i < len(d); i++ {
		if (d[i] < '0' || d[i] > '9') && d[i] != '.' {
			return false
		}
	}
	return true
}

// typo finds at most maxOps typing mistakes that turn want into got
// (optimal string alignment distance) and names them. It returns 0 when got
// is further away, or when a mistake is a replacement of a kind that does
// not count.
func typo(got, want string, maxOps int) ([]string, int) {
	a, b := []rune(got), []rune(want)
	n, m := len(a), len(b)
	if n-m > maxOps || m-n > maxOps || n == 0 || (n == m && got == want) {
		return nil, 0
	}
	// d[i][j]: distance between a[:i] and b[:j].
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, m+1)
		d[i][0] = i
	}
	for j := 0; j <= m; j++ {
		d[0][j] = j
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, d[i-2][j-2]+1)
			}
			d[i][j] = v
		}
	}
	if d[n][m] == 0 || d[n][m] > maxOps {
		return nil, 0
	}
	var ts []string
	for i, j := n, m; i > 0 || j > 0; {
		switch {
		case i > 0 && j > 0 && a[i-1] == b[j-1] && d[i][j] == d[i-1][j-1]:
			i, j = i-1, j-1
			continue
		case i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] && d[i][j] == d[i-2][j-2]+1:
			ts = append(ts, "transposition")
			i, j = i-2, j-2
		case i > 0 && j > 0 && d[i][j] == d[i-1][j-1]+1:
			t := replacement(a[i-1], b[j-1])
			if t == "" {
				return nil, 0
			}
			ts = append(ts, t)
			i, j = i-1, j-1
		case i > 0 && d[i][j] == d[i-1][j]+1:
			// got has an extra rune a[i-1].
			switch {
			case a[i-1] == '-':
				ts = append(ts, "hyphenation")
			case (i > 1 && a[i-2] == a[i-1]) || (i < n && a[i] == a[i-1]):
				ts = append(ts, "repetition")
			default:
				ts = append(ts, "insertion")
			}
			i--
		default:
			// got lacks b[j-1].
			ts = append(ts, "omission")
			j--
		}
	}
	return ts, d[n][m]
}

// replacement names a replaced character, or "" when the replacement is
// not a typical mistake.
func replacement(got, want rune) string {
	switch {
	case skeleton(string(got)) == skeleton(string(want)):
		return "confusable"
	case isVowel(got) && isVowel(want):
		return "vowel-swap"
	case adjacentKeys(got, want):
		return "adjacent-key"
	case bitFlip(got, want):
		return "bit-flip"
	}
	return ""
}

func isVowel(r rune) bool { return strings.ContainsRune("aeiou", r) }

// keyPos gives each key's row and horizontal position on a QWERTY keyboard,
// in key widths, with the usual stagger between rows.
var keyPos = func() map[rune][2]float64 {
	rows := []struct {
		keys   string
		offset float64
	}{{"1234567890-", 0}, {"qwertyuiop", 0.5}, {"asdfghjkl", 0.75}, {"zxcvbnm", 1.25}}
	m := map[rune][2]float64{}
	for r, row := range rows {
		for i, k := range row.keys {
			m[k] = [2]float64{float64(r), row.offset + float64(i)}
		}
	}
	return m
}()

func adjacentKeys(x, y rune) bool {
	p, ok1 := keyPos[x]
	q, ok2 := keyPos[y]
	if !ok1 || !ok2 {
		return false
	}
	dr, dx := p[0]-q[0], p[1]-q[1]
	if dx < 0 {
		dx = -dx
	}
	switch dr {
	case 0:
		return dx == 1
	case 1, -1:
		return dx <= 0.75
	}
	return false
}

// bitFlip reports whether x and y differ in one bit and both are valid in a
// host name.
func bitFlip(x, y rune) bool {
	f := x ^ y
	return f != 0 && f&(f-1) == 0 && hostRune(x) && hostRune(y)
}

func hostRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-'
}

// mixedScript reports whether a label of the Unicode domain d mixes
// scripts in a way no single writing system does (Latin with Cyrillic, say;
// Japanese mixing Han, Hiragana and Katakana is fine).
func mixedScript(d string) bool {
	for _, label := range strings.Split(d, ".") {
		seen := map[string]bool{}
		for _, r := range label {
			if s := scriptOf(r); s != "" {
				seen[s] = true
			}
		}
		if len(seen) < 2 {
			continue
		}
		if !(subset(seen, "Latin", "Han", "Hiragana", "Katakana") ||
			subset(seen, "Latin", "Han", "Bopomofo") ||
			subset(seen, "Latin", "Han", "Hangul")) {
			return true
		}
	}
	return false
}

func subset(set map[string]bool, allowed ...string) bool {
	for s := range set {
		ok := false
		for _, a := range allowed {
			ok = ok || s == a
		}
		if !ok {
			return false
		}
	}
	return true
}

var commonScripts = []string{"Latin", "Cyrillic", "Greek", "Armenian", "Han", "Hiragana", "Katakana", "Hangul", "Arabic", "Hebrew", "Cherokee", "Georgian", "Devanagari", "Thai"}

// scriptOf names the script of a letter, "" for digits, punctuation and
// characters common to all scripts.
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return "Latin"
		}
		return ""
	}
	if unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r) {
		return ""
	}
	for _, s := range commonScripts {
		if unicode.Is(unicode.Scripts[s], r) {
			return s
		}
	}
	for name, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return name
		}
	}
	return ""
}

// techniqueOrder is the order techniques are listed in.
var techniqueOrder = []string{
	"confusable", "mixed-script", "punycode", "omission", "insertion",
	"repetition", "transposition", "adjacent-key", "vowel-swap", "bit-flip",
	"hyphenation", "tld-swap", "subdomain",
}

// canonical removes duplicates and sorts techniques into techniqueOrder.
func canonical(ts []string) []string {
	rank := func(t string) int {
		for i, o := range techniqueOrder {
			if o == t {
				return i
			}
		}
		return len(techniqueOrder)
	}
	sort.Slice(ts, func(i, j int) bool { return rank(ts[i]) < rank(ts[j]) })
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || t != ts[i-1] {
			out = append(out, t)
		}
	}
	return out
}

// describe turns techniques into a bracketed phrase in l: " (a missing
// letter)".
func describe(l l10n.Lang, ts []string) string {
	if len(ts) == 0 {
		return ""
	}
	ws := make([]string, 0, len(ts))
	for _, t := range ts {
		if w := technique(l, t); w != "" {
			ws = append(ws, w)
		}
	}
	return " (" + strings.Join(ws, ", ") + ")"
}
