package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/palisade-im/palisade/l10n"
)

// The reasons are written in the rules' language (Rules.Lang) through
// package l10n: each sentence is a whole English template whose French text
// lives in l10n/fr/policy.json, so that French can order the words its own
// way. The helper phrases below (who set the rules, the organisation, the
// techniques of a lookalike, sizes) are translated too, since they are
// inserted into those sentences.

// lang is the language of the engine's reasons.
func (e *Engine) lang() l10n.Lang { return e.rules.Lang }

// french reports whether l renders French.
func french(l l10n.Lang) bool { return l10n.Norm(string(l)) == l10n.French }

// elides reports whether French writes "d’" rather than "de " before s
// (a name that starts with a vowel).
func elides(s string) bool {
	for _, r := range s {
		return strings.ContainsRune("aeiouyàâäéèêëîïôöùûü", unicode.ToLower(r))
	}
	return false
}

// afterColon lowers the first letter of a sentence that goes on after a
// colon ("Les fichiers …" -> "les fichiers …"), unless it starts a name
// written in capitals ("ACME …").
func afterColon(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	next, _ := utf8.DecodeRuneInString(s[n:])
	if !unicode.IsUpper(r) || unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// q puts s in quotation marks for a reason in the engine's language.
func (e *Engine) q(s string) string {
	q := quote(s)
	if !french(e.lang()) {
		return q
	}
	return "«\u00a0" + strings.TrimSuffix(strings.TrimPrefix(q, "\u201c"), "\u201d") + "\u00a0»"
}

// errAddress is a reason why an address cannot be read. Its text is
// English; addressProblem renders it for the user.
type errAddress string

func (e errAddress) Error() string { return string(e) }

const (
	errEmpty       errAddress = "it is empty"
	errTooLong     errAddress = "it is longer than any address can be"
	errLocalChar   errAddress = "the part before @ has a character not allowed in an address"
	errLocalEmpty  errAddress = "the part before @ is empty"
	errNoDomain    errAddress = "it has no domain"
	errDomainEmpty errAddress = "the domain is empty"
	errDomain1023  errAddress = "the domain is longer than 1023 bytes"
	errDomainIDNA  errAddress = "the domain is not a valid internationalised domain name"
	errLabelEmpty  errAddress = "the domain has an empty label"
	errDomain253   errAddress = "the domain is longer than 253 characters"
)

// addressProblem renders why an address cannot be read in l.
func addressProblem(l l10n.Lang, err error) string {
	var ea errAddress
	if !errors.As(err, &ea) {
		return err.Error()
	}
	switch ea {
	case errEmpty:
		return l.T("it is empty")
	case errTooLong:
		return l.T("it is longer than any address can be")
	case errLocalChar:
		return l.T("the part before @ has a character not allowed in an address")
	case errLocalEmpty:
		return l.T("the part before @ is empty")
	case errNoDomain:
		return l.T("it has no domain")
	case errDomainEmpty:
		return l.T("the domain is empty")
	case errDomain1023:
		return l.T("the domain is longer than 1023 bytes")
	case errDomainIDNA:
		return l.T("the domain is not a valid internationalised domain name")
	case errLabelEmpty:
		return l.T("the domain has an empty label")
	case errDomain253:
		return l.T("the domain is longer than 253 characters")
	}
	return err.Error()
}

// technique describes one lookalike technique in l ("" for an unknown one).
func technique(l l10n.Lang, t string) string {
	switch t {
	case "confusable":
		return l.T("look-alike characters")
	case "mixed-script":
		return l.T("letters from different alphabets")
	case "punycode":
		return l.T("an encoded international name")
	case "omission":
		return l.T("a missing letter")
	case "insertion":
		return l.T("an extra letter")
	case "repetition":
		return l.T("a doubled letter")
	case "transposition":
		return l.T("swapped letters")
	case "adjacent-key":
		return l.T("a neighbouring key")
	case "vowel-swap":
		return l.T("a changed vowel")
	case "bit-flip":
		return l.T("a one-bit change")
	case "hyphenation":
		return l.T("added hyphens or words")
	case "tld-swap":
		return l.T("a different ending")
	case "subdomain":
		return l.T("the approved name placed inside another domain")
	}
	return ""
}

// HumanSize formats a byte count for people: "25 MB", "1.5 GB", "800 bytes".
// Units are powers of 1024.
func HumanSize(n int64) string { return humanSize(l10n.English, n) }

// HumanSizeIn is HumanSize in the language l: in French "25 Mio",
// "1,5 Gio", "800 octets".
func HumanSizeIn(l l10n.Lang, n int64) string { return humanSize(l, n) }

func humanSize(l l10n.Lang, n int64) string {
	if n < 1024 {
		if n == 1 {
			return l.T("1 byte")
		}
		return l.T("{{.N}} bytes", l10n.Args{"N": n})
	}
	f := float64(n)
	u := -1
	for f >= 1024 && u < 5 {
		f /= 1024
		u++
	}
	s := strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0")
	if french(l) {
		s = strings.Replace(s, ".", ",", 1)
	}
	a := l10n.Args{"N": s}
	switch u {
	case 0:
		return l.T("{{.N}} KB", a)
	case 1:
		return l.T("{{.N}} MB", a)
	case 2:
		return l.T("{{.N}} GB", a)
	case 3:
		return l.T("{{.N}} TB", a)
	case 4:
		return l.T("{{.N}} PB", a)
	default:
		return l.T("{{.N}} EB", a)
	}
}
