package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// maxJID is the longest JID: three parts of at most 1023 bytes each, with
// their separators (RFC 7622).
const maxJID = 3*1023 + 2

// address is a parsed JID or bare domain.
type address struct {
	local   string // lower-case localpart, "" for a domain
	ascii   string // the domain in ASCII (punycode) form
	unicode string // the domain in Unicode form, for display
}

// parseAddress accepts a bare JID (alice@acme.test), a full JID
// (alice@acme.test/pc), a domain (acme.test) or a domain JID with a resource
// (acme.test/pc), and normalises the domain.
func parseAddress(s string) (address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return address{}, errEmpty
	}
	if len(s) > maxJID {
		return address{}, errTooLong
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	var a address
	if i := strings.IndexByte(s, '@'); i >= 0 {
		if !utf8.ValidString(s[:i]) {
			return address{}, errLocalChar
		}
		a.local, s = strings.ToLower(s[:i]), s[i+1:]
		if a.local == "" {
			return address{}, errLocalEmpty
		}
		if strings.ContainsFunc(a.local, func(r rune) bool {
			return unicode.IsControl(r) || unicode.IsSpace(r) || strings.ContainsRune("@\"&'/:<>", r)
		}) {
			return address{}, errLocalChar
		}
	}
	if s == "" {
		return address{}, errNoDomain
	}
	var err error
	a.ascii, a.unicode, err = normaliseDomain(s)
	if err != nil {
		return address{}, err
	}
	return a, nil
}

// normaliseDomain maps a domain to its ASCII form with the IDNA lookup
// profile (lower case, width and Unicode normalisation, punycode) and to its
// Unicode form for display. A trailing dot is removed.
func normaliseDomain(d string) (ascii, unicode string, err error) {
	d = strings.TrimSpace(d)
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", "", errDomainEmpty
	}
	if len(d) > 1023 {
		return "", "", errDomain1023
	}
	ascii, err = idna.Lookup.ToASCII(d)
	if err != nil {
		return "", "", errDomainIDNA
	}
	ascii = strings.TrimSuffix(strings.ToLower(ascii), ".")
	if ascii == "" || strings.Contains(ascii, "..") || strings.HasPrefix(ascii, ".") {
		return "", "", errLabelEmpty
	}
	if len(ascii) > 253 {
		return "", "", errDomain253
	}
	unicode, err = parseUnicode(ascii)
	if err != nil {
		unicode = ascii
	}
	return ascii, unicode, nil
}

// parseUnicode turns an ASCII domain into its Unicode form for display.
func parseUnicode(ascii string) (string, error) {
	return idna.Display.ToUnicode(ascii)
}

// subdomainOf reports whether d is a strict subdomain of parent.
func subdomainOf(d, parent string) bool {
	return len(d) > len(parent) && strings.HasSuffix(d, parent) && d[len(d)-len(parent)-1] == '.'
}
