package ui

import (
	"fyne.io/fyne/v2/lang"
	"strings"
	"time"

	"github.com/palisade-im/palisade/event"
)

// This file turns the session's identity verdicts (event.Trust's identity
// fields, IdentityChanged, Message.Signature, Enrolment, Connected's server
// trust) into the words every surface shows. Like trust.go it decides
// nothing: an identity it does not know shows nothing rather than a guess.

// IdentityKind selects an identity mark's colours; its words and icon say
// the same thing without colour.
type IdentityKind int

const (
	IdentityNone     IdentityKind = iota // not fetched yet: nothing shown
	IdentityOK                           // verified by a trusted identity CA
	IdentityNeutral                      // not verified (no certificate, or none from a trusted CA)
	IdentityBroken                       // expired, revoked or mismatched: red
	IdentityChanging                     // was verified, changed since: sending is locked until acknowledged
)

// IdentityMark is the identity part of a peer's badge: a second,
// independent mark beside the organisation badge. Text is the compact form
// (lists, occupants, requests, search results), Full the chat header's.
type IdentityMark struct {
	Kind IdentityKind
	Text string
	Full string
	Mid  string // shorter than Full, for a header with less room ("" when Full is short)
	JID  string // the peer whose certificates the mark opens
}

// IdentityBadge is the identity mark for a peer with trust t.
func IdentityBadge(t event.Trust, jid string) IdentityMark {
	m := IdentityMark{JID: bareJID(jid)}
	if t.IdentityChanged {
		m.Kind, m.Text, m.Full = IdentityChanging, lang.L("Identity changed"), lang.L("Identity changed: check before you write")
		return m
	}
	switch t.Identity {
	case event.IdentityVerified:
		m.Kind, m.Text, m.Full = IdentityOK, lang.L("Verified"), verifiedWords(t, true)
		if mid := verifiedWords(t, false); mid != m.Full {
			m.Mid = mid
		}
	case event.IdentityUnverified:
		m.Kind, m.Text, m.Full = IdentityNeutral, lang.L("Not verified"), lang.L("Identity not verified")
	case event.IdentityExpired:
		m.Kind, m.Text, m.Full = IdentityBroken, lang.L("Certificate expired"), lang.L("Identity certificate expired")
	case event.IdentityRevoked:
		m.Kind, m.Text, m.Full = IdentityBroken, lang.L("Certificate revoked"), lang.L("Identity certificate revoked")
	case event.IdentityMismatch:
		m.Kind, m.Text, m.Full = IdentityBroken, lang.L("Wrong identity"), lang.L("Certificate names someone else")
	default:
		return IdentityMark{}
	}
	return m
}

// verifiedWords is "Verified · Alice Martin · ACME (ACME Identity CA)",
// leaving out what the session did not say; without withCA, "Verified ·
// Alice Martin · ACME".
func verifiedWords(t event.Trust, withCA bool) string {
	parts := []string{lang.L("Verified")}
	person := strings.TrimSpace(t.Person)
	if person == "" {
		person = dnPart(t.Subject, "CN")
	}
	if person != "" {
		parts = append(parts, person)
	}
	org := strings.TrimSpace(t.IdentityOrg)
	if org == "" {
		org = dnPart(t.Subject, "O")
	}
	ca := strings.TrimSpace(t.IdentityCA)
	if ca == "" {
		ca = dnPart(t.Issuer, "CN")
	}
	if !withCA {
		ca = ""
	}
	switch {
	case org != "" && ca != "":
		parts = append(parts, org+" ("+ca+")")
	case org != "":
		parts = append(parts, org)
	case ca != "":
		parts = append(parts, lang.L("by {{.CA}}", tv{"CA": ca}))
	}
	return strings.Join(parts, " · ")
}

// dnPart is the value of attribute key in a distinguished name such as
// "CN=Alice Martin,O=ACME" ("" when absent).
func dnPart(dn, key string) string {
	for _, p := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// IdentityLocked reports whether sending to a peer with trust t waits for
// the user to acknowledge an identity change.
func IdentityLocked(t event.Trust) bool { return t.IdentityChanged }

// changeTitle says what changed about name, for the banner's title and
// the line in the conversation.
func changeTitle(change, name string) string {
	switch change {
	case event.ChangeNewDevice:
		return lang.L("{{.Name}} is using a new device without a valid certificate.", tv{"Name": name})
	case event.ChangeCertificate:
		return lang.L("The certificate of {{.Name}} changed.", tv{"Name": name})
	case event.ChangeLost:
		return lang.L("{{.Name}} is no longer verified.", tv{"Name": name})
	}
	return lang.L("The identity of {{.Name}} changed.", tv{"Name": name})
}

// IdentityBanner is the banner under the chat header about the peer's
// identity: the change that locks the composer (with what changed), or a
// broken certificate with its reason. ch is the change reported (nil when
// only the trust says so). name is the peer's display name.
func IdentityBanner(t event.Trust, ch *event.IdentityChanged, jid, name string) ChatBanner {
	if name == "" {
		name = bareJID(jid)
	}
	if ch != nil || t.IdentityChanged {
		change, detail := "", ""
		if ch != nil {
			change, detail = ch.Change, strings.TrimSpace(ch.Detail)
		}
		if detail == "" {
			detail = strings.TrimSpace(t.IdentityReason)
		}
		title := changeTitle(change, name)
		text := lang.L("Check with {{.Name}} in another way (in person or by phone) that this is theirs.", tv{"Name": name}) + " " +
			lang.L("Sending is locked until you confirm you have checked.")
		if strings.Contains(strings.ToLower(detail), "acknowledge") {
			// The session's sentence already says what to do.
			text = lang.L("Sending is locked until you confirm you have checked.")
		}
		if detail != "" {
			text = endSentence(detail) + " " + text
		}
		return ChatBanner{Kind: BannerError, Title: title, Text: text}
	}
	reason := strings.TrimSpace(t.IdentityReason)
	switch t.Identity {
	case event.IdentityExpired:
		return ChatBanner{Kind: BannerError, Title: lang.L("The identity certificate of {{.Name}} has expired.", tv{"Name": name}),
			Text: firstNonEmpty(endSentence(reason), lang.L("Their identity cannot be confirmed until IT issues a new certificate."))}
	case event.IdentityRevoked:
		return ChatBanner{Kind: BannerError, Title: lang.L("The identity certificate of {{.Name}} was revoked by IT.", tv{"Name": name}),
			Text: firstNonEmpty(endSentence(reason), lang.L("Do not trust messages from this address until IT confirms who uses it."))}
	case event.IdentityMismatch:
		return ChatBanner{Kind: BannerError, Title: lang.L("The certificate of {{.JID}} names someone else.", tv{"JID": bareJID(jid)}),
			Text: firstNonEmpty(endSentence(reason), lang.L("Someone may be impersonating this contact. Do not share anything until IT confirms who it is."))}
	}
	return ChatBanner{}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// LockedHint is the composer's placeholder while sending to name is locked.
func LockedHint(name string) string {
	return lang.L("Locked: the identity of {{.Name}} changed. Check it, then click “I have checked this” above.", tv{"Name": name})
}

// SignatureNote is the small line on a received message about its device
// signature, and whether it is a warning. "" when there is nothing to say.
func SignatureNote(sig, name string) (text string, warn bool) {
	switch sig {
	case event.SignatureValid:
		return lang.L("Signed by {{.Whose}} certified device", tv{"Whose": possessive(name), "Name": name}), false
	case event.SignatureMissing:
		return lang.L("Not signed, although {{.Name}} uses certified devices: it may not be from them", tv{"Name": name}), true
	case event.SignatureInvalid:
		return lang.L("Signature does not match: this message may have been altered or replayed"), true
	case event.SignatureUnknown:
		return lang.L("Signed by a device of {{.Name}} without a valid certificate", tv{"Name": name}), true
	}
	return "", false
}

// possessive is "Alice's" (or "James'" for a name ending in s).
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "’"
	}
	return name + "’s"
}

// identityStatusWords names a device certificate's status in the details.
func identityStatusWords(status string) string {
	switch status {
	case event.IdentityVerified:
		return lang.L("Verified")
	case event.IdentityUnverified:
		return lang.L("Not verified")
	case event.IdentityExpired:
		return lang.L("Expired")
	case event.IdentityRevoked:
		return lang.L("Revoked")
	case event.IdentityMismatch:
		return lang.L("Names someone else")
	}
	if status == "" {
		return lang.L("Unknown")
	}
	return status
}

// identityKindOf is the mark kind for a device certificate's status.
func identityKindOf(status string) IdentityKind {
	switch status {
	case event.IdentityVerified:
		return IdentityOK
	case event.IdentityUnverified:
		return IdentityNeutral
	case event.IdentityExpired, event.IdentityRevoked, event.IdentityMismatch:
		return IdentityBroken
	}
	return IdentityNone
}

// EnrolmentView is this device's enrolment as the account panel shows it.
type EnrolmentView struct {
	Kind  BannerKind // the colour of the state line
	State string     // one line: what state the device is in
	Text  string     // what it means and what to do
	// CanRequest: Request certificate (over XMPP, to IT) is offered.
	// CanExport / CanImport: the offline exchange is offered.
	CanRequest, CanExport, CanImport bool
	// Why is the reason a disabled action is disabled ("" when none is).
	Why string
	// Prominent: shown at the top of the window as well (lost key).
	Prominent bool
}

// EnrolmentWords describes e at now. known is false before any Enrolment
// event arrived.
func EnrolmentWords(e event.Enrolment, known bool, now time.Time) EnrolmentView {
	if !known {
		return EnrolmentView{Kind: BannerInfo, State: lang.L("Device identity: not reported yet"),
			Text: lang.L("The session has not said whether this device holds a certificate.")}
	}
	it := e.ITJID
	v := EnrolmentView{CanExport: true, CanImport: true, CanRequest: it != ""}
	if it == "" {
		v.Why = lang.L("Your organisation’s profile names no IT address for requests: use Export request… and send the file to IT.")
	}
	reason := endSentence(e.Reason)
	switch e.State {
	case event.EnrolNone:
		v.Kind, v.State = BannerWarning, lang.L("This device has no identity certificate yet")
		v.Text = lang.L("Contacts see your identity as not verified and your messages as unsigned by a certified device. Request a certificate from IT.")
	case event.EnrolPending:
		v.Kind, v.State = BannerInfo, lang.L("Certificate requested: waiting for IT")
		v.Text = lang.L("The request went to {{.IT}}. The certificate is installed as soon as IT approves it.", tv{"IT": firstNonEmpty(it, "IT")})
		v.CanRequest = false
		if it != "" {
			v.Why = lang.L("A request is already waiting at {{.IT}}.", tv{"IT": it})
		}
	case event.EnrolEnrolled:
		v.Kind, v.State = BannerSuccess, lang.L("This device holds a valid identity certificate")
		v.Text = lang.L("Contacts see you as verified and your messages as signed by your certified device.")
		v.CanRequest, v.CanExport, v.CanImport = false, false, true
		v.Why = ""
	case event.EnrolExpired:
		v.Kind, v.State = BannerWarning, lang.L("The certificate of this device has expired or expires soon")
		if !e.NotAfter.IsZero() {
			if e.NotAfter.After(now) {
				v.State = lang.L("The certificate of this device expires on {{.Date}}", tv{"Date": formatDate(e.NotAfter.Local(), "2 Jan 2006")})
			} else {
				v.State = lang.L("The certificate of this device expired on {{.Date}}", tv{"Date": formatDate(e.NotAfter.Local(), "2 Jan 2006")})
			}
		}
		v.Text = firstNonEmpty(reason, lang.L("Request a new certificate from IT."))
		v.Prominent = true
	case event.EnrolRejected:
		v.Kind, v.State = BannerWarning, lang.L("IT declined the certificate request")
		v.Text = firstNonEmpty(reason, lang.L("Ask IT why, then request again."))
	case event.EnrolLostKey:
		v.Kind, v.State = BannerError, lang.L("This device lost its identity key")
		v.Text = firstNonEmpty(reason, lang.L("Your device key is no longer in the keyring; this device needs a new certificate. Your previous identity cannot be recovered."))
		v.Prominent = true
	case event.EnrolNoKey:
		v.Kind, v.State = BannerWarning, lang.L("Identity features are off on this device")
		v.Text = firstNonEmpty(reason, lang.L("There is no OS keyring to hold a device key, so this device cannot have a certificate or sign messages."))
		v.CanRequest, v.CanExport, v.CanImport = false, false, false
		v.Why = lang.L("A device key needs the OS keyring.")
	default:
		v.Kind, v.State = BannerInfo, lang.L("Device identity: {{.State}}", tv{"State": e.State})
		v.Text = reason
	}
	return v
}

// ServerTrustWords says what the server's certificate chains to, and
// whether the profile pins the server CA.
func ServerTrustWords(trust string, pinned bool, org string) string {
	if org == "" {
		org = lang.L("your organisation")
	}
	var s string
	switch trust {
	case "profile":
		s = lang.L("Chains to a server CA named in {{.Org}}’s profile.", tv{"Org": org})
	case "configured":
		s = lang.L("Chains to the CA configured for this client (not from the profile).")
	case "system":
		s = lang.L("Chains to the system’s trusted roots only, not to a CA named by {{.Org}}.", tv{"Org": org})
	case "":
		s = lang.L("Not reported by the session.")
	default:
		s = lang.L("Chains to: {{.Trust}}.", tv{"Trust": trust})
	}
	if pinned {
		s += " " + lang.L("{{.Org}} IT pins the server CA: the system roots alone are not accepted.", tv{"Org": org})
	}
	return s
}

// endSentence ends the session's words with a full stop when they have no
// end mark; unlike sentence it keeps the first letter as it is (a
// sentence may start with an address: "bob@acme.test has a new device").
func endSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
