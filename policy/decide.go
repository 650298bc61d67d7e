package policy

import (
	"strings"

	"github.com/palisade-im/palisade/l10n"
)

// Decision answers "may this go?". When Allowed is false, Code is one of
// CodeBlocked, CodeConfirm or CodeFilePolicy (the event.Refused* strings)
// and Reason is one sentence for the user naming the rule and who set it.
// An allowed decision may still carry a Reason (for example a warning that
// the peer is outside the organisation).
type Decision struct {
	Allowed bool
	Code    string
	Reason  string
}

// Inbound says what to do with a message arriving from a peer.
type Inbound struct {
	Drop    bool   // refuse it silently: the peer is blocked
	Request bool   // hold it in Requests until the user accepts the peer
	Reason  string // one sentence for the user
}

// MayMessage decides whether a message may be sent to jid. Internal, partner
// and gateway peers are allowed. An unknown peer is allowed with a warning,
// needs confirmation (Code "confirm") unless accepted, or is refused,
// according to UnknownDomains. A lookalike needs confirmation unless
// accepted, and is refused when UnknownDomains is Block. Blocked peers and
// unreadable addresses are refused.
func (e *Engine) MayMessage(jid string, accepted bool) Decision {
	e = e.orEmpty()
	v := e.Classify(jid)
	switch v.Class {
	case Internal, ClassPartner, ClassGateway:
		if v.Class == ClassGateway {
			return Decision{Allowed: true, Reason: v.Reason}
		}
		return Decision{Allowed: true}
	case Blocked:
		return Decision{Code: CodeBlocked, Reason: v.Reason}
	}
	if v.Domain == "" { // unreadable address
		return Decision{Code: CodeBlocked, Reason: v.Reason}
	}
	if e.rules.UnknownDomains == Block {
		return Decision{Code: CodeBlocked, Reason: v.Reason + " " + e.lang().T("{{.Setter}} does not allow messages to organisations it has not approved.", l10n.Args{"Setter": e.setter()})}
	}
	if accepted {
		return Decision{Allowed: true, Reason: v.Reason}
	}
	if v.Class == Lookalike || e.rules.UnknownDomains == Confirm {
		return Decision{Code: CodeConfirm, Reason: v.Reason + " " + e.lang().T("Confirm that you want to write to {{.JID}}.", l10n.Args{"JID": displayJID(v)})}
	}
	return Decision{Allowed: true, Reason: v.Reason}
}

// Incoming decides what to do with a message from jid: blocked peers (and
// unreadable addresses) are dropped; a first message from an unknown or
// lookalike peer the user has not accepted waits in Requests.
func (e *Engine) Incoming(jid string, accepted bool) Inbound {
	e = e.orEmpty()
	v := e.Classify(jid)
	switch {
	case v.Class == Blocked:
		return Inbound{Drop: true, Reason: v.Reason}
	case v.Domain == "":
		return Inbound{Drop: true, Reason: v.Reason}
	case (v.Class == Unknown || v.Class == Lookalike) && !accepted:
		return Inbound{Request: true, Reason: v.Reason}
	}
	return Inbound{}
}

// MayFile decides whether a file called name of size bytes may be sent to
// jid. Files go to internal peers and to partners whose organisation allows
// files; never to gateways, unknown, lookalike or blocked peers. Then the
// type (by extension, case-insensitive, the last one of a double extension,
// ignoring trailing dots and spaces and an NTFS stream name; names with
// control or text-direction characters are refused) and the size are checked: the partner's
// limit when it has one, else the file rules' maximum. An empty name skips
// the type check; a negative size skips the size check.
func (e *Engine) MayFile(jid, name string, size int64) Decision {
	e = e.orEmpty()
	l := e.lang()
	v := e.Classify(jid)
	limit := e.rules.Files.MaxSize
	to := e.orgName()
	switch v.Class {
	case Internal:
	case ClassPartner:
		p := e.partnerNamed(v.Org)
		if !p.FilesAllowed {
			return Decision{Code: CodeFilePolicy, Reason: l.T("Files to {{.Partner}} are not allowed by {{.Setter}}.", l10n.Args{"Partner": p.Name, "Setter": e.setter()})}
		}
		if p.MaxFileSize > 0 {
			limit = p.MaxFileSize
		}
		to = p.Name
	case Blocked:
		return Decision{Code: CodeBlocked, Reason: v.Reason}
	case ClassGateway:
		return Decision{Code: CodeFilePolicy, Reason: l.T("Files cannot be sent through the {{.Network}} gateway: {{.Rule}}", l10n.Args{"Network": v.Network, "Rule": e.filesOnly()})}
	case Lookalike:
		return Decision{Code: CodeFilePolicy, Reason: l.T("Files are never sent to look-alike domains: {{.Domain}} is not {{.Of}}.", l10n.Args{"Domain": displayDomain(v), "Of": v.LookalikeOf})}
	default:
		if v.Domain == "" {
			return Decision{Code: CodeFilePolicy, Reason: v.Reason}
		}
		return Decision{Code: CodeFilePolicy, Reason: l.T("Files to {{.Domain}} are not allowed: {{.Rule}}", l10n.Args{"Domain": displayDomain(v), "Rule": e.filesOnly()})}
	}
	if d, ok := e.typeDecision(name); !ok {
		return d
	}
	if size >= 0 && limit > 0 && size > limit {
		return Decision{Code: CodeFilePolicy, Reason: l.T("Files larger than {{.Limit}} cannot be sent to {{.To}}.", l10n.Args{"Limit": humanSize(l, limit), "To": to})}
	}
	return Decision{Allowed: true}
}

// MayFileToRoom decides whether a file may be sent to a group chat whose
// occupants (real bare JIDs) are given: every occupant must be allowed. A
// room whose occupants are not known (an empty list) is refused, because
// the rule cannot be checked.
func (e *Engine) MayFileToRoom(occupants []string, name string, size int64) Decision {
	e = e.orEmpty()
	l := e.lang()
	if len(occupants) == 0 {
		return Decision{Code: CodeFilePolicy, Reason: l.T("Files cannot be sent to this room: its members are not known, so {{.Setter}}'s file rules cannot be checked.", l10n.Args{"Setter": e.setter()})}
	}
	for _, o := range occupants {
		d := e.MayFile(o, name, size)
		if !d.Allowed {
			why := d.Reason
			if french(l) {
				why = afterColon(why) // French goes on in lower case after a colon
			}
			if v := e.Classify(o); v.Domain != "" {
				d.Reason = l.T("Files cannot be sent to this room because of {{.JID}}: {{.Reason}}", l10n.Args{"JID": displayJID(v), "Reason": why})
			} else {
				d.Reason = l.T("Files cannot be sent to this room: {{.Reason}}", l10n.Args{"Reason": why})
			}
			return d
		}
	}
	return Decision{Allowed: true}
}

// typeDecision checks the file name against the blocked types.
func (e *Engine) typeDecision(name string) (Decision, bool) {
	if name == "" || len(e.types) == 0 {
		return Decision{}, true
	}
	base := name
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	// Windows ignores trailing dots and spaces: "virus.exe. " runs as .exe.
	base = strings.TrimRight(base, ". \t")
	if strings.ContainsAny(base, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f") {
		return Decision{Code: CodeFilePolicy, Reason: e.lang().T("{{.Name}} hides its real type with invisible direction characters, so it cannot be sent.", l10n.Args{"Name": e.q(name)})}, false
	}
	for _, r := range base {
		if r < 0x20 || r == 0x7f {
			return Decision{Code: CodeFilePolicy, Reason: e.lang().T("{{.Name}} contains control characters, which can hide its real type, so it cannot be sent.", l10n.Args{"Name": e.q(name)})}, false
		}
	}
	// "name.exe:stream" is name.exe on Windows (an NTFS stream), so the
	// part before a colon is checked as well as the whole name.
	names := []string{base}
	if i := strings.IndexByte(base, ':'); i > 0 {
		names = append(names, strings.TrimRight(base[:i], ". \t"))
	}
	for _, n := range names {
		i := strings.LastIndexByte(n, '.')
		if i < 0 {
			continue
		}
		ext := strings.ToLower(strings.TrimSpace(n[i:]))
		if e.types[ext] {
			return Decision{Code: CodeFilePolicy, Reason: e.lang().T("{{.Setter}} does not allow sending {{.Ext}} files ({{.Name}}).", l10n.Args{"Setter": e.setter(), "Ext": ext, "Name": e.q(name)})}, false
		}
	}
	return Decision{}, true
}

func (e *Engine) filesOnly() string {
	var names []string
	for _, p := range e.rules.Partners {
		if p.FilesAllowed {
			names = append(names, p.Name)
		}
	}
	l := e.lang()
	a := l10n.Args{"Setter": e.setter(), "Org": e.orgName()}
	if len(names) > 0 {
		a["Partners"] = strings.Join(names[:len(names)-1], ", ")
		a["Last"] = names[len(names)-1]
	}
	if e.unmanaged() { // "Palisade's default rules allow"
		switch len(names) {
		case 0:
			return l.T("Palisade's default rules allow files only to {{.Org}}.", a)
		case 1:
			return l.T("Palisade's default rules allow files only to {{.Org}} and {{.Last}}.", a)
		default:
			return l.T("Palisade's default rules allow files only to {{.Org}} and the partners {{.Partners}} and {{.Last}}.", a)
		}
	}
	switch len(names) {
	case 0:
		return l.T("{{.Setter}} allows files only to {{.Org}}.", a)
	case 1:
		return l.T("{{.Setter}} allows files only to {{.Org}} and {{.Last}}.", a)
	default:
		return l.T("{{.Setter}} allows files only to {{.Org}} and the partners {{.Partners}} and {{.Last}}.", a)
	}
}

func (e *Engine) partnerNamed(name string) Partner {
	for _, p := range e.rules.Partners {
		if p.Name == name {
			return p
		}
	}
	return Partner{Name: name}
}

func displayDomain(v Verdict) string {
	if v.Domain != v.ASCII {
		return v.Domain + " (" + v.ASCII + ")"
	}
	return v.Domain
}

func displayJID(v Verdict) string {
	a, err := parseAddress(v.Input)
	if err != nil || a.local == "" {
		return displayDomain(v)
	}
	return a.local + "@" + displayDomain(v)
}

// MayInvite decides whether jid may be invited to a group chat. Colleagues
// and partners may; a blocked address may not; anyone else (unknown,
// lookalike, gateway) only once the user confirmed, since they will read
// everything said in the room from then on.
func (e *Engine) MayInvite(jid string, confirmed bool) Decision {
	e = e.orEmpty()
	if d := e.MayMessage(jid, true); !d.Allowed && d.Code == CodeBlocked {
		return d
	}
	v := e.Classify(jid)
	switch v.Class {
	case Internal, ClassPartner:
		return Decision{Allowed: true}
	}
	if confirmed {
		return Decision{Allowed: true}
	}
	a := l10n.Args{"JID": e.q(jid), "Why": strings.TrimSuffix(v.Reason, ".")}
	if v.Reason != "" {
		return Decision{Code: CodeConfirm, Reason: e.lang().T("{{.JID}} is outside the approved organisations ({{.Why}}): confirm to invite them, and they will read everything said in the room from then on.", a)}
	}
	return Decision{Code: CodeConfirm, Reason: e.lang().T("{{.JID}} is outside the approved organisations: confirm to invite them, and they will read everything said in the room from then on.", a)}
}
