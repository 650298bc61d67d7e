package filesafe

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/palisade-im/palisade/l10n"
)

// MaxURLBytes is the longest URL accepted.
const MaxURLBytes = 4096

// URL refusal codes, carried by *URLError.
const (
	BadScheme      = "scheme"      // not https
	BadCredentials = "credentials" // user or password in the URL
	BadHost        = "host"        // no host, or a malformed one
	BadAddress     = "address"     // loopback, private, link-local or otherwise local
	BadSyntax      = "syntax"      // does not parse, too long, or holds control characters
)

// URLError says why a URL may not be fetched.
type URLError struct {
	Code   string // one of the Bad* constants
	Reason string // one sentence for the user
}

func (e *URLError) Error() string { return e.Reason }

// CheckURL parses a URL offered by a peer and reports whether the client
// may fetch it: https only, no credentials, a host, and a host that is not
// local unless trusted says it is the account's own upload host (trusted
// may be nil). Hosts are compared in lower case without a trailing dot.
// A refusal's Reason is in English (CheckURLIn chooses the language).
func CheckURL(raw string, trusted func(host string) bool) (*url.URL, error) {
	return CheckURLIn(l10n.English, raw, trusted)
}

// CheckURLIn is CheckURL with the refusal's Reason in lang.
func CheckURLIn(lang l10n.Lang, raw string, trusted func(host string) bool) (*url.URL, error) {
	if len(raw) > MaxURLBytes {
		return nil, &URLError{BadSyntax, lang.T("The link is too long to be a file link.")}
	}
	for _, r := range raw {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return nil, &URLError{BadSyntax, lang.T("The link holds spaces or control characters.")}
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &URLError{BadSyntax, lang.T("The link is not a valid URL.")}
	}
	if !strings.EqualFold(u.Scheme, "https") {
		if u.Scheme == "" {
			return nil, &URLError{BadScheme, lang.T("Only https links are downloaded; this one uses none.")}
		}
		return nil, &URLError{BadScheme, lang.T("Only https links are downloaded; this one uses {{.Scheme}}.", l10n.Args{"Scheme": strings.ToLower(u.Scheme)})}
	}
	u.Scheme = "https"
	if u.User != nil {
		return nil, &URLError{BadCredentials, lang.T("The link carries a user name or password; such links are not downloaded.")}
	}
	if u.Opaque != "" {
		return nil, &URLError{BadSyntax, lang.T("The link is not a valid URL.")}
	}
	host := Host(u)
	if host == "" {
		return nil, &URLError{BadHost, lang.T("The link names no server.")}
	}
	if p := u.Port(); p != "" {
		if n := atoi(p); n <= 0 || n > 65535 {
			return nil, &URLError{BadHost, lang.T("The link names an invalid port.")}
		}
	}
	if trusted != nil && trusted(host) {
		return u, nil
	}
	a := l10n.Args{"Host": host}
	if ip, err := netip.ParseAddr(host); err == nil {
		if Private(ip) {
			return nil, &URLError{BadAddress, lang.T("The link points at a local or private address ({{.Host}}), not at a file server.", a)}
		}
		return u, nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || !strings.Contains(host, ".") {
		return nil, &URLError{BadAddress, lang.T("The link points at a local name ({{.Host}}), not at a file server.", a)}
	}
	if strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".home.arpa") {
		return nil, &URLError{BadAddress, lang.T("The link points at a name on a local network ({{.Host}}), not at a file server.", a)}
	}
	return u, nil
}

// Host returns a URL's host name in lower case without brackets or a
// trailing dot.
func Host(u *url.URL) string {
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1<<20 {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Private reports whether an address is not a public unicast address:
// loopback, private (RFC 1918, fc00::/7), link-local, unspecified,
// multicast, carrier-grade NAT (100.64.0.0/10), "this network" (0.0.0.0/8),
// benchmarking, documentation, reserved and broadcast ranges. IPv4-mapped
// IPv6 addresses are judged as IPv4.
func Private(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range localPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var localPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"), // 6to4 may embed any IPv4 address
	netip.MustParsePrefix("fec0::/10"),
}

// NameFromURL returns the safe name for a file offered at u: its last path
// segment, decoded, through Name.
func NameFromURL(u *url.URL) string {
	p := u.EscapedPath()
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if s, err := url.PathUnescape(p); err == nil {
		p = s
	}
	return Name(p)
}
