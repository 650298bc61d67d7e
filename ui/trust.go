package ui

import (
	"fyne.io/fyne/v2/lang"
	"strings"

	"github.com/palisade-im/palisade/event"
)

// This file turns an event.Trust (the policy's verdict, decided by the
// session) into the words every surface shows. It decides nothing: a class
// it does not know, or no class at all, shows nothing rather than a guess.

// BadgeKind selects a badge's colours; the text always says the same thing
// in words, and the icon in a shape.
type BadgeKind int

const (
	BadgeNone     BadgeKind = iota // nothing shown (no verdict yet)
	BadgePartner                   // an approved partner: the organisation's name
	BadgeExternal                  // outside the organisation: unknown domain or gateway
	BadgeDanger                    // a lookalike: red, with a warning icon
	BadgeBlocked                   // blocked: greyed
	BadgeInternal                  // a colleague in the user's own organisation
)

// BadgeIcon names the icon of a badge. Colour is never the only signal:
// every trust level has its own icon and its own words.
type BadgeIcon string

const (
	IconInternal  BadgeIcon = "internal"  // a house: the own organisation
	IconPartner   BadgeIcon = "partner"   // a person: an approved partner organisation
	IconExternal  BadgeIcon = "external"  // a question mark: not approved
	IconGateway   BadgeIcon = "gateway"   // a forward arrow: through a gateway
	IconLookalike BadgeIcon = "lookalike" // a warning sign
	IconBlocked   BadgeIcon = "blocked"   // a cross
)

// Badge is the chip beside a contact's name in the roster, the Requests
// area and the chat header.
type Badge struct {
	Kind BadgeKind
	Text string
	Icon BadgeIcon
	// Identity is the second, independent mark: what the peer's
	// certificates prove (see identity.go). Zero until the session says.
	Identity IdentityMark
}

// peerDomain is the domain to name to the user: the Unicode form the trust
// carries, else the JID's own.
func peerDomain(t event.Trust, jid string) string {
	if t.Domain != "" {
		return t.Domain
	}
	return domainOf(jid)
}

// domainOf is the domain of a JID ("mallory@evil.test/x" -> "evil.test").
func domainOf(jid string) string {
	b := bareJID(jid)
	if i := strings.LastIndexByte(b, '@'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// TrustBadge is the badge for a peer with trust t: a colour, an icon and
// words for every level (colour alone would not reach colour-blind users),
// and the identity mark beside it.
func TrustBadge(t event.Trust, jid string) Badge {
	b := orgBadge(t, jid)
	b.Identity = IdentityBadge(t, jid)
	return b
}

// orgBadge is the organisation part of a peer's badge.
func orgBadge(t event.Trust, jid string) Badge {
	switch t.Class {
	case event.ClassInternal:
		org := t.Org
		if org == "" {
			org = lang.L("Internal")
		}
		return Badge{Kind: BadgeInternal, Text: org, Icon: IconInternal}
	case event.ClassPartner:
		org := t.Org
		if org == "" {
			org = peerDomain(t, jid)
		}
		return Badge{Kind: BadgePartner, Text: lang.L("Partner · {{.Org}}", tv{"Org": org}), Icon: IconPartner}
	case event.ClassGateway:
		nw := t.Network
		if nw == "" {
			nw = peerDomain(t, jid)
		}
		return Badge{Kind: BadgeExternal, Text: lang.L("External · {{.Domain}}", tv{"Domain": nw}), Icon: IconGateway}
	case event.ClassUnknown:
		return Badge{Kind: BadgeExternal, Text: lang.L("External · {{.Domain}}", tv{"Domain": peerDomain(t, jid)}), Icon: IconExternal}
	case event.ClassLookalike:
		of := t.LookalikeOf
		if of == "" {
			of = lang.L("an approved domain")
		}
		return Badge{Kind: BadgeDanger, Text: lang.L("Looks like {{.Domain}}", tv{"Domain": of}), Icon: IconLookalike}
	case event.ClassBlocked:
		return Badge{Kind: BadgeBlocked, Text: lang.L("Blocked"), Icon: IconBlocked}
	}
	return Badge{}
}

// asciiNote is " (xn--…)" when the domain's ASCII form differs from what
// the user reads, else "".
func asciiNote(t event.Trust) string {
	if t.ASCII != "" && t.ASCII != t.Domain {
		return " (" + t.ASCII + ")"
	}
	return ""
}

// ChatBanner is the warning or notice at the top of a conversation: a
// strong title saying what the peer is, then one or two sentences on how
// and what to be careful about. The body never repeats the title.
type ChatBanner struct {
	Kind  BannerKind // BannerHidden: none
	Title string
	Text  string // the body under the title
}

// String is the banner as one paragraph (title, then body).
func (b ChatBanner) String() string {
	return strings.TrimSpace(b.Title + " " + b.Text)
}

// TrustBanner is the chat header banner for a peer. ownOrg names the user's
// organisation ("ACME"); it may be empty.
func TrustBanner(t event.Trust, jid, ownOrg string) ChatBanner {
	shown := peerDomain(t, jid)
	dom := shown + asciiNote(t)
	org := ownOrg
	if org == "" {
		org = lang.L("your organisation")
	}
	reason := strings.TrimSpace(t.Reason)
	body := func(parts ...string) string {
		var out []string
		for _, s := range parts {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return strings.Join(out, " ")
	}
	switch t.Class {
	case event.ClassPartner:
		name := t.Org
		if name == "" {
			name = dom
		}
		title := lang.L("External contact at {{.Name}} ({{.Domain}}).", tv{"Name": name, "Domain": dom})
		if name == dom {
			title = lang.L("External contact at {{.Domain}}.", tv{"Domain": dom})
		}
		return ChatBanner{Kind: BannerInfo, Title: title, Text: lang.L("A partner organisation approved by {{.Org}} IT.", tv{"Org": org})}
	case event.ClassGateway:
		nw := t.Network
		if nw == "" {
			nw = lang.L("a public network")
		}
		// The policy's reason says the same as the title (a gateway to nw,
		// outside the organisation): the banner says it once, in its words.
		return ChatBanner{Kind: BannerWarning, Title: lang.L("External contact on {{.Network}}, outside {{.Org}}.", tv{"Network": nw, "Org": org}),
			Text: body(lang.L("Messages go through the gateway {{.Domain}}.", tv{"Domain": dom}), lang.L("Be careful with links and files."))}
	case event.ClassUnknown:
		why := lang.L("It is not an organisation approved by {{.Org}} IT.", tv{"Org": org})
		if r := restOfReason(reason, shown, t.ASCII); r != "" && !saysNot(r, "not an approved organisation", "n’est pas une organisation approuvée") {
			why = r // e.g. a subdomain of a partner, which is not itself approved
		}
		return ChatBanner{Kind: BannerWarning, Title: lang.L("External contact at {{.Domain}}.", tv{"Domain": dom}),
			Text: body(why, lang.L("Be careful with links and files."))}
	case event.ClassLookalike:
		of := t.LookalikeOf
		if of == "" {
			of = lang.L("an approved domain")
		}
		how := ""
		if h := lookalikeHow(reason); h != "" {
			how = lang.L("Its name imitates {{.Domain}} with {{.How}}.", tv{"Domain": of, "How": h})
		} else if r := restOfReason(reason, shown, t.ASCII); r != "" && !saysNot(r, "looks like", "ressemble à") {
			how = r
		}
		return ChatBanner{Kind: BannerError, Title: lang.L("Warning: {{.Domain}} is not {{.Of}}.", tv{"Domain": dom, "Of": of}),
			Text: body(how, lang.L("Do not share passwords, payments or files."))}
	case event.ClassBlocked:
		why := ""
		if r := restOfReason(reason, shown, t.ASCII); r != "" {
			why = r
		}
		return ChatBanner{Kind: BannerError, Title: lang.L("Blocked: messages to and from {{.JID}} are not delivered.", tv{"JID": bareJID(jid)}), Text: why}
	}
	return ChatBanner{}
}

// lookalikeHow is the policy's bracketed list of imitation techniques at
// the end of a lookalike reason ("… but is not it (a missing letter).")
// without the brackets, or "".
func lookalikeHow(reason string) string {
	r := strings.TrimSuffix(strings.TrimSpace(reason), ".")
	if !strings.HasSuffix(r, ")") {
		return ""
	}
	i := strings.LastIndex(r, " (")
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(r[i+2 : len(r)-1])
}

// restOfReason is the policy's reason with the peer's own domain at its
// start turned into "It" ("evil.test is a subdomain of …" -> "It is a
// subdomain of …"), since the banner's title already names the domain.
func restOfReason(reason, domain, ascii string) string {
	for _, d := range []string{domain + " (" + ascii + ") ", domain + " ", ascii + " "} {
		if d != " " && strings.HasPrefix(reason, d) {
			return lang.L("It {{.Rest}}", tv{"Rest": strings.TrimPrefix(reason, d)})
		}
	}
	return reason
}

// ComposerHints are the lines under the composer: who the message goes to
// and whether files may go there.
func ComposerHints(t event.Trust, jid string) (who, files string) {
	dom := peerDomain(t, jid) + asciiNote(t)
	switch t.Class {
	case event.ClassPartner:
		name := t.Org
		if name == "" {
			name = dom
		}
		who = lang.L("You are writing to an external contact at {{.Name}} ({{.Domain}})", tv{"Name": name, "Domain": dom})
	case event.ClassGateway:
		who = lang.L("You are writing to an external contact at {{.Domain}}", tv{"Domain": dom})
		if t.Network != "" {
			who += " (" + t.Network + ")"
		}
	case event.ClassUnknown:
		who = lang.L("You are writing to an external contact at {{.Domain}}", tv{"Domain": dom})
	case event.ClassLookalike:
		who = lang.L("You are writing to {{.Domain}}, which is NOT {{.Of}}", tv{"Domain": dom, "Of": t.LookalikeOf})
	case event.ClassBlocked:
		who = lang.L("This contact is blocked: messages are not delivered")
	}
	if t.Class != "" && !t.FileSend {
		name := dom
		if t.Class == event.ClassPartner && t.Org != "" {
			name = t.Org
		}
		files = lang.L("Files cannot be sent to {{.Name}}", tv{"Name": name})
		if r := strings.TrimSpace(t.FileReason); strings.HasPrefix(r, "Files ") || strings.HasPrefix(r, "Les fichiers ") {
			files = r // the policy's sentence already says it
		} else if r != "" {
			files += ": " + r
		}
	}
	if t.IdentityChanged && files == "" {
		files = lang.L("Files cannot be sent until you confirm you have checked the identity change")
	}
	return who, files
}

// FileSendAllowed reports whether the attach control is enabled: when the
// policy said no, it is not, nor while an identity change waits for the
// user's acknowledgement. Without a verdict (an older session that sends
// none) the session still decides when the file is sent.
func FileSendAllowed(t event.Trust) bool {
	return !t.IdentityChanged && (t.Class == "" || t.FileSend)
}

// NotePrefix is put before a desktop notification's title so that the
// notification, too, says who is writing: "[External · evil.test]".
func NotePrefix(t event.Trust, jid string) string {
	p := ""
	switch t.Class {
	case event.ClassLookalike:
		p = "[" + lang.L("Lookalike of {{.Domain}}", tv{"Domain": t.LookalikeOf}) + "] "
	case event.ClassPartner, event.ClassGateway, event.ClassUnknown, event.ClassBlocked:
		p = "[" + TrustBadge(t, jid).Text + "] "
	}
	// A broken or changed identity is said too: "[Certificate revoked]".
	if m := IdentityBadge(t, jid); m.Kind == IdentityBroken || m.Kind == IdentityChanging {
		p += "[" + m.Text + "] "
	}
	return p
}

// LinksNeedConfirmation reports whether a link in a message from this peer
// asks before it opens: only internal and partner peers' links open at once.
func LinksNeedConfirmation(t event.Trust) bool {
	return t.Class != event.ClassInternal && t.Class != event.ClassPartner
}

// trustWords names a peer and its trust for a question to the user:
// "mallory@evil.test (External · evil.test)".
func trustWords(t event.Trust, jid string) string {
	if b := TrustBadge(t, jid); b.Text != "" {
		return bareJID(jid) + " (" + b.Text + ")"
	}
	return bareJID(jid)
}
