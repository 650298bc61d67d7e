package policy

import (
	"errors"
	"strconv"
	"strings"

	"github.com/palisade-im/palisade/l10n"
)

// Class is the policy's verdict on a peer's domain. The values are the same
// strings as the event.Class* constants.
type Class string

// The six classes. The partner and gateway classes are named ClassPartner
// and ClassGateway because Partner and Gateway are the rule types; every
// class also has a Class* name, like the event.Class* constants.
const (
	Internal     Class = "internal"  // the user's own organisation
	ClassPartner Class = "partner"   // an approved partner organisation
	ClassGateway Class = "gateway"   // a bridge to a public network: external
	Unknown      Class = "unknown"   // not approved, not blocked: external
	Lookalike    Class = "lookalike" // imitates an approved domain
	Blocked      Class = "blocked"   // blocked by the profile or by the user

	ClassInternal  = Internal
	ClassUnknown   = Unknown
	ClassLookalike = Lookalike
	ClassBlocked   = Blocked
)

// Classes lists the six classes.
var Classes = []Class{Internal, ClassPartner, ClassGateway, Unknown, Lookalike, Blocked}

// UnknownAction says what happens with a first message to an unknown domain.
type UnknownAction string

// The three actions for unknown domains.
const (
	Warn    UnknownAction = "warn"    // allowed, the peer is shown as external
	Confirm UnknownAction = "confirm" // the user confirms the first message
	Block   UnknownAction = "block"   // refused
)

// Decision codes, the same strings as the event.Refused* constants.
const (
	CodeBlocked    = "blocked"
	CodeConfirm    = "confirm"
	CodeFilePolicy = "file-policy"
)

// Partner is an approved partner organisation.
type Partner struct {
	Name         string
	Domains      []string
	FilesAllowed bool
	MaxFileSize  int64 // bytes, 0 = the file rules' maximum
}

// Gateway is a component that bridges to a public network (for example a
// WhatsApp bridge on a subdomain of the company's domain). Its contacts are
// external, whatever domain the gateway sits on.
type Gateway struct {
	Domain  string
	Network string
}

// FileRules limit file sends.
type FileRules struct {
	MaxSize      int64    // bytes, 0 = no limit
	BlockedTypes []string // extensions, lower case, with dot: ".exe"
	// ScanRequired: files must be scanned before they leave. The engine
	// does not scan and does not decide on scans; the session does.
	ScanRequired bool
}

// Rules are the company's domain and file rules, as written by IT in a
// profile (or as Unmanaged makes them).
type Rules struct {
	Org                string // the organisation's name, e.g. "ACME"
	InternalDomains    []string
	SubdomainsInternal bool // subdomains of an internal domain are internal
	Partners           []Partner
	Gateways           []Gateway
	BlockedDomains     []string // blocked with their subdomains
	UnknownDomains     UnknownAction
	Files              FileRules
	// UserBlocked are the JIDs or domains the user blocked (bare JID or
	// domain; a domain is blocked with its subdomains). Entries that cannot
	// be read are skipped, not refused.
	UserBlocked []string
	// Lang is the language of the reasons the engine writes for the user
	// (Verdict.Reason, Decision.Reason, Inbound.Reason, Explanation.Reason).
	// The zero value is English. It is data like the rest: the engine never
	// reads the environment.
	Lang l10n.Lang
}

// DefaultMaxFileSize is the file size limit of an unmanaged client.
const DefaultMaxFileSize = 100 << 20

// DefaultBlockedTypes are the file types an unmanaged client refuses to send:
// executables and scripts that run when opened.
var DefaultBlockedTypes = []string{
	".exe", ".com", ".scr", ".pif", ".bat", ".cmd", ".msi", ".msp", ".cpl",
	".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".ps1", ".lnk",
	".jar", ".reg", ".dll", ".iso", ".img",
}

// Unmanaged returns the rules of a client without a profile: the user's own
// domain is internal (and named after itself), unknown domains are shown with
// a warning, files go only to internal contacts, up to 100 MiB, and the
// DefaultBlockedTypes are refused.
//
// ownDomain may also be given as a JID; the domain is taken from it. An
// empty or unreadable ownDomain gives rules with no internal domain.
func Unmanaged(ownDomain string) Rules {
	d := ""
	if a, err := parseAddress(ownDomain); err == nil {
		d = a.unicode
	}
	r := Rules{
		Org:            d,
		UnknownDomains: Warn,
		Files: FileRules{
			MaxSize:      DefaultMaxFileSize,
			BlockedTypes: append([]string(nil), DefaultBlockedTypes...),
		},
	}
	if d != "" {
		r.InternalDomains = []string{d}
	}
	return r
}

// Engine answers policy questions for one set of Rules. It is immutable once
// built by New and safe for concurrent use.
type Engine struct {
	rules    Rules
	internal map[string]bool   // ASCII internal domains
	partners map[string]int    // ASCII partner domain -> index in rules.Partners
	gateways map[string]string // ASCII gateway domain -> network
	blocked  map[string]bool   // ASCII blocked domains
	userJIDs map[string]bool   // bare JIDs the user blocked
	userDoms map[string]bool   // domains the user blocked
	types    map[string]bool   // blocked extensions
	approved []approvedDomain  // internal and partner domains, for lookalikes
}

// Rules returns a copy of the normalised rules the engine was built from.
func (e *Engine) Rules() Rules {
	r := e.rules
	r.InternalDomains = append([]string(nil), r.InternalDomains...)
	r.Partners = append([]Partner(nil), r.Partners...)
	for i := range r.Partners {
		r.Partners[i].Domains = append([]string(nil), r.Partners[i].Domains...)
	}
	r.Gateways = append([]Gateway(nil), r.Gateways...)
	r.BlockedDomains = append([]string(nil), r.BlockedDomains...)
	r.Files.BlockedTypes = append([]string(nil), r.Files.BlockedTypes...)
	r.UserBlocked = append([]string(nil), r.UserBlocked...)
	return r
}

// New validates and normalises r and precomputes what classification needs.
// The error names the bad entry.
func New(r Rules) (*Engine, error) {
	e := &Engine{
		internal: map[string]bool{},
		partners: map[string]int{},
		gateways: map[string]string{},
		blocked:  map[string]bool{},
		userJIDs: map[string]bool{},
		userDoms: map[string]bool{},
		types:    map[string]bool{},
	}
	n := Rules{
		Org:                strings.TrimSpace(r.Org),
		SubdomainsInternal: r.SubdomainsInternal,
		UnknownDomains:     r.UnknownDomains,
		Files:              FileRules{MaxSize: r.Files.MaxSize, ScanRequired: r.Files.ScanRequired},
		Lang:               r.Lang,
	}
	// Errors name the bad entry, in the rules' language, after "policy: ".
	l := r.Lang
	bad := func(msg string) error { return errors.New("policy: " + msg) }
	switch n.UnknownDomains {
	case "":
		n.UnknownDomains = Warn
	case Warn, Confirm, Block:
	default:
		return nil, bad(l.T("unknown_domains {{.Value}} is not one of warn, confirm, block", l10n.Args{"Value": strconv.Quote(string(r.UnknownDomains))}))
	}
	if n.Files.MaxSize < 0 {
		return nil, bad(l.T("files max_size {{.Size}} is negative", l10n.Args{"Size": r.Files.MaxSize}))
	}
	seen := map[string]string{}
	claim := func(d, what string) error {
		if prev, ok := seen[d]; ok {
			return bad(l.T("domain {{.Domain}} is listed twice ({{.First}} and {{.Second}})", l10n.Args{"Domain": strconv.Quote(d), "First": prev, "Second": what}))
		}
		seen[d] = what
		return nil
	}
	for i, d := range r.InternalDomains {
		a, _, err := normaliseDomain(d)
		if err != nil {
			return nil, bad(l.T("internal domain {{.N}} {{.Domain}}: {{.Problem}}", l10n.Args{"N": i + 1, "Domain": strconv.Quote(d), "Problem": addressProblem(l, err)}))
		}
		if err := claim(a, l.T("internal")); err != nil {
			return nil, err
		}
		e.internal[a] = true
		n.InternalDomains = append(n.InternalDomains, a)
		e.approved = append(e.approved, newApproved(a, n.Org))
	}
	for i, p := range r.Partners {
		name := strings.TrimSpace(p.Name)
		if name == "" {
			return nil, bad(l.T("partner {{.N}} has no name", l10n.Args{"N": i + 1}))
		}
		if len(p.Domains) == 0 {
			return nil, bad(l.T("partner {{.Name}} has no domains", l10n.Args{"Name": strconv.Quote(name)}))
		}
		if p.MaxFileSize < 0 {
			return nil, bad(l.T("partner {{.Name}} max_file_size {{.Size}} is negative", l10n.Args{"Name": strconv.Quote(name), "Size": p.MaxFileSize}))
		}
		np := Partner{Name: name, FilesAllowed: p.FilesAllowed, MaxFileSize: p.MaxFileSize}
		for _, d := range p.Domains {
			a, _, err := normaliseDomain(d)
			if err != nil {
				return nil, bad(l.T("partner {{.Name}} domain {{.Domain}}: {{.Problem}}", l10n.Args{"Name": strconv.Quote(name), "Domain": strconv.Quote(d), "Problem": addressProblem(l, err)}))
			}
			if err := claim(a, l.T("partner {{.Name}}", l10n.Args{"Name": name})); err != nil {
				return nil, err
			}
			e.partners[a] = len(n.Partners)
			np.Domains = append(np.Domains, a)
			e.approved = append(e.approved, newApproved(a, name))
		}
		n.Partners = append(n.Partners, np)
	}
	for i, g := range r.Gateways {
		a, _, err := normaliseDomain(g.Domain)
		if err != nil {
			return nil, bad(l.T("gateway {{.N}} {{.Domain}}: {{.Problem}}", l10n.Args{"N": i + 1, "Domain": strconv.Quote(g.Domain), "Problem": addressProblem(l, err)}))
		}
		net := strings.TrimSpace(g.Network)
		if net == "" {
			return nil, bad(l.T("gateway {{.Domain}} has no network name", l10n.Args{"Domain": strconv.Quote(a)}))
		}
		if err := claim(a, l.T("gateway {{.Network}}", l10n.Args{"Network": net})); err != nil {
			return nil, err
		}
		e.gateways[a] = net
		n.Gateways = append(n.Gateways, Gateway{Domain: a, Network: net})
	}
	for i, d := range r.BlockedDomains {
		a, _, err := normaliseDomain(d)
		if err != nil {
			return nil, bad(l.T("blocked domain {{.N}} {{.Domain}}: {{.Problem}}", l10n.Args{"N": i + 1, "Domain": strconv.Quote(d), "Problem": addressProblem(l, err)}))
		}
		if err := claim(a, l.T("blocked")); err != nil {
			return nil, err
		}
		for _, ap := range e.approved {
			if subdomainOf(ap.ascii, a) {
				return nil, bad(l.T("blocked domain {{.Domain}} would block the approved domain {{.Approved}} ({{.Org}})", l10n.Args{"Domain": strconv.Quote(a), "Approved": strconv.Quote(ap.ascii), "Org": ap.org}))
			}
		}
		e.blocked[a] = true
		n.BlockedDomains = append(n.BlockedDomains, a)
	}
	for i, t := range r.Files.BlockedTypes {
		x := strings.ToLower(strings.TrimSpace(t))
		if !strings.HasPrefix(x, ".") {
			x = "." + x
		}
		if len(x) < 2 || strings.ContainsAny(x[1:], "./\\ ") {
			return nil, bad(l.T("blocked file type {{.N}} {{.Type}} is not an extension like \".exe\"", l10n.Args{"N": i + 1, "Type": strconv.Quote(t)}))
		}
		if !e.types[x] {
			e.types[x] = true
			n.Files.BlockedTypes = append(n.Files.BlockedTypes, x)
		}
	}
	for _, u := range r.UserBlocked {
		p, err := parseAddress(u)
		if err != nil {
			// A user's block list is not IT's to validate: skip what
			// cannot be read rather than refusing the whole profile.
			continue
		}
		if p.local == "" {
			e.userDoms[p.ascii] = true
			n.UserBlocked = append(n.UserBlocked, p.ascii)
		} else {
			bare := p.local + "@" + p.ascii
			e.userJIDs[bare] = true
			n.UserBlocked = append(n.UserBlocked, bare)
		}
	}
	e.rules = n
	return e, nil
}
