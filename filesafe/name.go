package filesafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest name Name returns, in UTF-8 bytes. Most file
// systems allow 255; the margin leaves room for " (NNN)".
const MaxNameBytes = 200

// maxExtBytes is the longest extension kept whole when a name is cut.
const maxExtBytes = 20

// Fallback is the name given when nothing usable is left.
const Fallback = "file"

// Name returns a safe local file name for an untrusted one. It never
// returns "", ".", "..", a name with a path separator, a control or
// bidirectional-formatting character, a leading dot, a trailing dot or
// space, or a name reserved on Windows.
func Name(raw string) string {
	// The last path element: a name such as "../../.bashrc" or
	// "..\\..\\evil.bat" keeps only its final part.
	if i := strings.LastIndexAny(raw, `/\`); i >= 0 {
		raw = raw[i+1:]
	}
	var b strings.Builder
	for i, r := range raw {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(raw[i:]); size == 1 {
				b.WriteByte('_') // invalid UTF-8
				continue
			}
		}
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r),
			r == '\u2028', r == '\u2029', r == '\uFEFF':
			// control, format (bidi overrides, zero-width), private use,
			// line and paragraph separators: dropped
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteByte(' ') // tabs, no-break and other spaces read as one space
		default:
			b.WriteRune(r)
		}
	}
	name := b.String()
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return Fallback
	}
	if reserved(name) {
		name = "_" + name
	}
	return shorten(name, MaxNameBytes)
}

// reserved reports whether Windows reserves the name (with any extension).
func reserved(name string) bool {
	base := name
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$":
		return true
	}
	if len(base) >= 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		d := base[3:]
		switch d {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "¹", "²", "³":
			return true
		}
	}
	return false
}

// Ext returns the extension of a name, lower case with the dot (".pdf"),
// or "" when there is none.
func Ext(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return strings.ToLower(name[i:])
}

// shorten cuts name to at most max bytes, on a character boundary, keeping
// a short extension.
func shorten(name string, max int) string {
	if len(name) <= max {
		return name
	}
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= maxExtBytes {
		ext = name[i:]
		name = name[:i]
	}
	keep := max - len(ext)
	for keep > 0 && !utf8.RuneStart(name[keep]) {
		keep--
	}
	name = strings.TrimRight(name[:keep], ". ")
	if name == "" {
		name = Fallback
	}
	return name + ext
}

// Numbered returns the n-th name for a collision: n <= 1 is the name itself,
// 2 gives "report (2).pdf", and so on. The result is still at most
// MaxNameBytes + len(" (n)") bytes and keeps the extension.
func Numbered(name string, n int) string {
	if n <= 1 {
		return name
	}
	base, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		base, ext = name[:i], name[i:]
	}
	return base + " (" + strconv.Itoa(n) + ")" + ext
}
