package policy

import (
	"strings"
	"unicode"

	"github.com/palisade-im/palisade/l10n"
)

// Verdict is the classification of one JID or domain.
type Verdict struct {
	Input       string // what was asked about, as given
	Domain      string // the domain in Unicode form (what the user reads)
	ASCII       string // the domain in ASCII (punycode) form
	Class       Class
	Org         string // organisation name for internal and partner domains
	LookalikeOf string // for lookalikes: the approved domain imitated
	Network     string // for gateways: the bridged network
	// Techniques names how a lookalike imitates LookalikeOf: "confusable",
	// "mixed-script", "punycode", "omission", "insertion", "repetition",
	// "transposition", "adjacent-key", "vowel-swap", "bit-flip",
	// "hyphenation", "tld-swap", "subdomain".
	Techniques []string
	Reason     string // one sentence for the user
}

// Classify says what jidOrDomain is: a bare JID, a full JID or a domain.
// Input that cannot be read (empty, not a valid domain, a JID without a
// domain) is Unknown, with a Reason that says why; Classify never panics.
//
// The first rule that applies decides:
//  1. a JID or domain the user blocked (a domain with its subdomains),
//     then a domain IT blocked (with its subdomains): Blocked;
//  2. a gateway domain or a subdomain of one: ClassGateway, with Network;
//  3. an internal domain: Internal; a partner domain: ClassPartner, with Org;
//  4. a subdomain of an internal domain: Internal when SubdomainsInternal,
//     else Unknown; a subdomain of a partner domain: Unknown (never a
//     lookalike of its parent);
//  5. a domain that imitates an internal or partner domain: Lookalike, with
//     LookalikeOf and Techniques (see the package documentation);
//  6. anything else: Unknown.
func (e *Engine) Classify(jidOrDomain string) Verdict {
	e = e.orEmpty()
	l := e.lang()
	v := Verdict{Input: jidOrDomain, Class: Unknown}
	a, err := parseAddress(jidOrDomain)
	if err != nil {
		v.Reason = l.T("{{.Input}} is not a valid address: {{.Problem}}.", l10n.Args{"Input": e.q(jidOrDomain), "Problem": addressProblem(l, err)})
		return v
	}
	v.Domain, v.ASCII = a.unicode, a.ascii
	shown := display(a)

	// The user's own blocks, then IT's.
	if a.local != "" && e.userJIDs[a.local+"@"+a.ascii] {
		v.Class = Blocked
		v.Reason = l.T("You blocked {{.Who}}.", l10n.Args{"Who": a.local + "@" + a.unicode})
		return v
	}
	if d, ok := e.match(e.userDoms, a.ascii); ok {
		v.Class = Blocked
		v.Reason = l.T("You blocked {{.Who}}.", l10n.Args{"Who": e.show(d)})
		return v
	}
	if d, ok := e.match(e.blocked, a.ascii); ok {
		v.Class = Blocked
		v.Reason = l.T("{{.Domain}} is blocked by {{.Setter}}.", l10n.Args{"Domain": e.show(d), "Setter": e.setter()})
		return v
	}
	// Gateways (and their subdomains) win over the internal subdomain rule.
	if gw, ok := e.gatewayOf(a.ascii); ok {
		v.Class, v.Network = ClassGateway, e.gateways[gw]
		v.Reason = l.T("{{.Domain}} is a gateway to {{.Network}}: its contacts are outside {{.Org}}.", l10n.Args{"Domain": e.show(gw), "Network": v.Network, "Org": e.orgName()})
		return v
	}
	if e.internal[a.ascii] {
		v.Class, v.Org = Internal, e.rules.Org
		args := l10n.Args{"Domain": shown, "Org": e.rules.Org}
		switch {
		case e.unmanaged() || e.rules.Org == "":
			// The organisation is only named after this domain: say it plainly.
			v.Reason = l.T("{{.Domain}} is your organisation's own domain.", args)
		case strings.HasSuffix(e.rules.Org, "s"):
			v.Reason = l.T("{{.Domain}} is {{.Org}}' own domain.", args)
		default:
			v.Reason = l.T("{{.Domain}} is {{.Org}}'s own domain.", args)
		}
		return v
	}
	if i, ok := e.partners[a.ascii]; ok {
		p := e.rules.Partners[i]
		v.Class, v.Org = ClassPartner, p.Name
		v.Reason = l.T("{{.Domain}} belongs to {{.Partner}}, a partner approved by {{.Setter}}.", l10n.Args{"Domain": shown, "Partner": p.Name, "Setter": e.setter()})
		return v
	}
	for _, d := range e.rules.InternalDomains {
		if subdomainOf(a.ascii, d) {
			args := l10n.Args{"Domain": shown, "Parent": e.show(d), "Setter": e.setter(), "Elide": elides(d)}
			if e.rules.SubdomainsInternal {
				v.Class, v.Org = Internal, e.rules.Org
				v.Reason = l.T("{{.Domain}} is a subdomain of {{.Parent}}, which {{.Setter}} counts as internal.", args)
			} else {
				v.Reason = l.T("{{.Domain}} is a subdomain of {{.Parent}}, but {{.Setter}} does not count subdomains as internal.", args)
			}
			return v
		}
	}
	for i, p := range e.rules.Partners {
		for _, d := range p.Domains {
			if subdomainOf(a.ascii, d) {
				v.Reason = l.T("{{.Domain}} is a subdomain of {{.Parent}} ({{.Partner}}), which is not itself approved.", l10n.Args{"Domain": shown, "Parent": e.show(d), "Partner": e.rules.Partners[i].Name, "Elide": elides(d)})
				return v
			}
		}
	}
	if m, ok := e.lookalike(a); ok {
		v.Class = Lookalike
		v.LookalikeOf = m.of
		v.Techniques = m.techniques
		v.Reason = l.T("{{.Domain}} looks like {{.Of}} but is not it{{.Techniques}}.", l10n.Args{"Domain": shown, "Of": e.show(m.of), "Techniques": describe(l, m.techniques)})
		return v
	}
	v.Reason = l.T("{{.Domain}} is not an approved organisation.", l10n.Args{"Domain": shown})
	if a.unicode != a.ascii && mixedScript(a.unicode) {
		v.Reason += " " + l.T("Its name mixes letters from different alphabets, a common disguise.")
	}
	return v
}

// gatewayOf finds the gateway domain that d is or is under.
func (e *Engine) gatewayOf(d string) (string, bool) {
	if len(e.gateways) == 0 {
		return "", false
	}
	for {
		if _, ok := e.gateways[d]; ok {
			return d, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return "", false
		}
		d = d[i+1:]
	}
}

// match finds d or a parent of d in set.
func (e *Engine) match(set map[string]bool, d string) (string, bool) {
	for {
		if set[d] {
			return d, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return "", false
		}
		d = d[i+1:]
	}
}

// show returns the Unicode form of an ASCII domain, with the ASCII form in
// brackets when they differ.
func (e *Engine) show(ascii string) string {
	a, err := parseAddress(ascii)
	if err != nil {
		return ascii
	}
	return display(a)
}

func display(a address) string {
	if a.unicode != a.ascii {
		return a.unicode + " (" + a.ascii + ")"
	}
	return a.ascii
}

// quote puts s in quotation marks for a reason, made printable and cut to
// 80 characters.
func quote(s string) string {
	s = strings.ToValidUTF8(s, "\ufffd")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return '\ufffd'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "\u2026"
	}
	return "\u201c" + s + "\u201d"
}

// orgName names the user's organisation.
func (e *Engine) orgName() string {
	if e.rules.Org == "" {
		return e.lang().T("your organisation")
	}
	return e.rules.Org
}

// setter names who set the rules: "ACME IT", or Palisade's defaults when
// there is no profile (Unmanaged names the organisation after its domain).
func (e *Engine) setter() string {
	l := e.lang()
	if e.unmanaged() {
		return l.T("Palisade's default rules")
	}
	if e.rules.Org == "" {
		return l.T("your IT department")
	}
	// Elide: French writes "d’ACME" but "de Globex".
	return l.T("{{.Org}} IT", l10n.Args{"Org": e.rules.Org, "Elide": elides(e.rules.Org)})
}

// unmanaged reports whether the organisation is named after its first
// internal domain, as Unmanaged does.
func (e *Engine) unmanaged() bool {
	if len(e.rules.InternalDomains) == 0 {
		return e.rules.Org == ""
	}
	a, err := parseAddress(e.rules.Org)
	return err == nil && a.local == "" && a.ascii == e.rules.InternalDomains[0]
}

var emptyEngine, _ = New(Rules{})

func (e *Engine) orEmpty() *Engine {
	if e == nil {
		return emptyEngine
	}
	return e
}
