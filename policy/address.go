package policy

import (
	"errors"
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
		return address{}, errors.New("it is empty")
	}
	if len(s) > maxJID {
		return address{}, errors.New("it is longer than any address can be")
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	var a address
	if i := strings.IndexByte(s, '@'); i >= 0 {
		if !utf8.ValidString(s[:i]) {
			return address{}, errors.New("the part before @ has a character not allowed in an address")
		}
		a.local, s = strings.ToLower(s[:i]), s[i+1:]
		if a.local == "" {
			return address{}, errors.New("the part before @ is empty")
		}
		if strings.ContainsFunc(a.local, func(r rune) bool {
			return unicode.IsControl(r) || unicode.IsSpace(r) || strings.ContainsRune("@\"&'/:<>", r)
		}) {
			return address{}, errors.New("the part before @ has a character not allowed in an address")
		}
	}
	if s == "" {
		return address{}, errors.New("it has no domain")
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
		return "", "", errors.New("the domain is empty")
	}
	if len(d) > 1023 {
		return "", "", errors.New("the domain is longer than 1023 bytes")
	}
	ascii, err = idna.Lookup.ToASCII(d)
	if err != nil {
		return "", "", errors.New("the domain is not a valid internationalised domain name")
	}
	ascii = strings.TrimSuffix(strings.ToLower(ascii), ".")
	if ascii == "" || strings.Contains(ascii, "..") || strings.HasPrefix(ascii, ".") {
		return "", "", errors.New("the domain has an empty label")
	}
	if len(ascii) > 253 {
		return "", "", errors.New("the domain is longer than 253 characters")
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
