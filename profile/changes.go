package profile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/palisade-im/palisade/l10n"
)

// Changes lists, for the user, what differs between the profile that was in
// force (nil: none) and the new one, one line per change.
func Changes(old, new *Profile) []string { return ChangesIn(l10n.English, old, new) }

// ChangesIn is Changes written in lang.
func ChangesIn(lang l10n.Lang, old, new *Profile) []string {
	if new == nil {
		return nil
	}
	l := lang
	if old == nil {
		return []string{l.T("Now managed by {{.Org}} IT (profile {{.ID}}, serial {{.Serial}})",
			l10n.Args{"Org": new.Organisation.Name, "ID": new.ID, "Serial": new.Serial})}
	}
	var out []string
	add := func(s string) { out = append(out, s) }
	change := func(old, new string) l10n.Args { return l10n.Args{"Old": old, "New": new} }
	if old.ID != new.ID {
		add(l.T("Profile: {{.Old}} -> {{.New}}", change(old.ID, new.ID)))
	}
	if old.Organisation.Name != new.Organisation.Name {
		add(l.T("Organisation: {{.Old}} -> {{.New}}", change(old.Organisation.Name, new.Organisation.Name)))
	}
	listDiff(old.Organisation.Domains, new.Organisation.Domains,
		func(d string) { add(l.T("Internal domain {{.Domain}} added", l10n.Args{"Domain": d})) },
		func(d string) { add(l.T("Internal domain {{.Domain}} removed", l10n.Args{"Domain": d})) })
	switch {
	case !old.Organisation.SubdomainsInternal && new.Organisation.SubdomainsInternal:
		add(l.T("Subdomains of internal domains count as internal: no -> yes"))
	case old.Organisation.SubdomainsInternal && !new.Organisation.SubdomainsInternal:
		add(l.T("Subdomains of internal domains count as internal: yes -> no"))
	}

	oldP := map[string]Partner{}
	for _, p := range old.Partners {
		oldP[p.Name] = p
	}
	newP := map[string]bool{}
	for _, p := range new.Partners {
		newP[p.Name] = true
		o, ok := oldP[p.Name]
		if !ok {
			add(l.T("Partner {{.Partner}} added ({{.Files}})", l10n.Args{"Partner": p.Name, "Files": partnerFiles(l, new, p)}))
			continue
		}
		listDiff(o.Domains, p.Domains,
			func(d string) {
				add(l.T("Partner {{.Partner}}: domain {{.Domain}} added", l10n.Args{"Partner": p.Name, "Domain": d}))
			},
			func(d string) {
				add(l.T("Partner {{.Partner}}: domain {{.Domain}} removed", l10n.Args{"Partner": p.Name, "Domain": d}))
			})
		if a, b := partnerFiles(l, old, o), partnerFiles(l, new, p); a != b {
			add(l.T("Partner {{.Partner}}: {{.Old}} -> {{.New}}", l10n.Args{"Partner": p.Name, "Old": a, "New": b}))
		}
	}
	for _, p := range old.Partners {
		if !newP[p.Name] {
			add(l.T("Partner {{.Partner}} removed", l10n.Args{"Partner": p.Name}))
		}
	}

	listDiff(old.BlockedDomains, new.BlockedDomains,
		func(d string) { add(l.T("Blocked domain {{.Domain}} added", l10n.Args{"Domain": d})) },
		func(d string) { add(l.T("Blocked domain {{.Domain}} removed", l10n.Args{"Domain": d})) })
	gw := func(p *Profile) []string {
		var s []string
		for _, g := range p.Gateways {
			s = append(s, fmt.Sprintf("%s (%s)", g.Domain, g.Network))
		}
		return s
	}
	listDiff(gw(old), gw(new),
		func(d string) { add(l.T("Gateway {{.Gateway}} added", l10n.Args{"Gateway": d})) },
		func(d string) { add(l.T("Gateway {{.Gateway}} removed", l10n.Args{"Gateway": d})) })
	if a, b := old.unknownDomains(), new.unknownDomains(); a != b {
		add(l.T("Unknown domains: {{.Old}} -> {{.New}}", change(settingValue(l, a), settingValue(l, b))))
	}
	if a, b := old.maxFileSize(), new.maxFileSize(); a != b {
		add(l.T("File size limit: {{.Old}} -> {{.New}}", change(SizeIn(l, a), SizeIn(l, b))))
	}
	listDiff(old.blockedTypes(), new.blockedTypes(),
		func(d string) { add(l.T("Blocked file type {{.Type}} added", l10n.Args{"Type": d})) },
		func(d string) { add(l.T("Blocked file type {{.Type}} removed", l10n.Args{"Type": d})) })
	switch {
	case !old.Files.ScanRequired && new.Files.ScanRequired:
		add(l.T("Virus scan before sending files: not required -> required"))
	case old.Files.ScanRequired && !new.Files.ScanRequired:
		add(l.T("Virus scan before sending files: required -> not required"))
	}
	if a, b := old.scannerUnavailable(), new.scannerUnavailable(); a != b {
		add(l.T("When no scanner is available: {{.Old}} -> {{.New}}", change(settingValue(l, a), settingValue(l, b))))
	}
	count := func(a, b int) l10n.Args { return l10n.Args{"Old": a, "New": b} }
	if a, b := len(old.TrustedCAs.ServerTLS), len(new.TrustedCAs.ServerTLS); a != b || !slices.Equal(old.TrustedCAs.ServerTLS, new.TrustedCAs.ServerTLS) {
		add(l.T("Trusted server CAs changed ({{.Old}} -> {{.New}})", count(a, b)))
	}
	if a, b := len(old.TrustedCAs.Identity), len(new.TrustedCAs.Identity); a != b || !slices.Equal(old.TrustedCAs.Identity, new.TrustedCAs.Identity) {
		add(l.T("Trusted identity CAs changed ({{.Old}} -> {{.New}})", count(a, b)))
	}
	listDiff(old.Training.Required, new.Training.Required,
		func(d string) { add(l.T("Required training {{.Module}} added", l10n.Args{"Module": d})) },
		func(d string) { add(l.T("Required training {{.Module}} removed", l10n.Args{"Module": d})) })
	if a, b := old.tor(), new.tor(); a != b {
		add(l.T("Tor: {{.Old}} -> {{.New}}", change(settingValue(l, a), settingValue(l, b))))
	}
	switch a, b := old.TorOnion, new.TorOnion; {
	case a == b:
	case a == "":
		add(l.T("Company server's onion address: none -> {{.New}}", change(a, b)))
	case b == "":
		add(l.T("Company server's onion address: {{.Old}} -> none", change(a, b)))
	default:
		add(l.T("Company server's onion address: {{.Old}} -> {{.New}}", change(a, b)))
	}
	listDiff(old.LockedSettings, new.LockedSettings,
		func(d string) { add(l.T("Setting {{.Setting}} is now locked", l10n.Args{"Setting": d})) },
		func(d string) { add(l.T("Setting {{.Setting}} is no longer locked", l10n.Args{"Setting": d})) })
	switch a, b := old.Settings()["focus_hours"], new.Settings()["focus_hours"]; {
	case a == b:
	case a == "":
		add(l.T("Focus hours: none -> {{.New}}", change(a, settingValue(l, b))))
	case b == "":
		add(l.T("Focus hours: {{.Old}} -> none", change(settingValue(l, a), b)))
	default:
		add(l.T("Focus hours: {{.Old}} -> {{.New}}", change(settingValue(l, a), settingValue(l, b))))
	}
	if a, b := old.Archive.RetentionDays, new.Archive.RetentionDays; a != b {
		add(l.T("Archive retention: {{.Old}} -> {{.New}}", change(days(l, a), days(l, b))))
	}
	if old.IT != new.IT {
		add(l.T("IT contact or publishing node changed"))
	}
	if new.NextKey != nil && (old.NextKey == nil || KeyID(old.NextKey) != KeyID(new.NextKey)) {
		add(l.T("Next IT signing key announced: {{.Key}}", l10n.Args{"Key": KeyID(new.NextKey)}))
	}
	if old.ExpiresAt != new.ExpiresAt {
		add(l.T("Valid until {{.Date}}", l10n.Args{"Date": new.ExpiresAt.UTC().Format("2006-01-02")}))
	}
	return out
}

func listDiff(old, new []string, added, removed func(string)) {
	for _, s := range new {
		if !slices.Contains(old, s) {
			added(s)
		}
	}
	for _, s := range old {
		if !slices.Contains(new, s) {
			removed(s)
		}
	}
}

func partnerFiles(l l10n.Lang, p *Profile, x Partner) string {
	if !x.FilesAllowed {
		return l.T("files not allowed")
	}
	max := x.MaxFileSize
	if max == 0 {
		max = p.maxFileSize()
	}
	return l.T("files allowed, up to {{.Size}}", l10n.Args{"Size": SizeIn(l, max)})
}

// Size formats a byte count for people: MB and GB are powers of 1024.
func Size(n int64) string { return SizeIn(l10n.English, n) }

// SizeIn is Size in lang: in French "25 Mio", "1,5 Gio", "800 octets".
func SizeIn(l l10n.Lang, n int64) string {
	const (
		kb = 1 << 10
		mb = 1 << 20
		gb = 1 << 30
	)
	decimal := func(f float64) string {
		s := strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0")
		if l10n.Norm(string(l)) == l10n.French {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	switch {
	case n >= gb && n%gb == 0:
		return l.T("{{.N}} GB", l10n.Args{"N": n / gb})
	case n >= gb:
		return l.T("{{.N}} GB", l10n.Args{"N": decimal(float64(n) / gb)})
	case n >= mb && n%mb == 0:
		return l.T("{{.N}} MB", l10n.Args{"N": n / mb})
	case n >= mb:
		return l.T("{{.N}} MB", l10n.Args{"N": decimal(float64(n) / mb)})
	case n >= kb:
		return l.T("{{.N}} KB", l10n.Args{"N": n / kb})
	}
	return l.T("{{.N}} bytes", l10n.Args{"N": n})
}

// settingValue names a setting's value (unknown_domains, tor,
// files.scanner_unavailable, focus hours "off") in lang; other values are
// kept as they are.
func settingValue(l l10n.Lang, v string) string {
	switch v {
	case "warn":
		return l.T("warn")
	case "confirm":
		return l.T("confirm")
	case "block":
		return l.T("block")
	case "off":
		return l.T("off")
	case "optional":
		return l.T("optional")
	case "required":
		return l.T("required")
	case "refuse":
		return l.T("refuse")
	case "allow":
		return l.T("allow")
	}
	return v
}

func days(l l10n.Lang, n int) string {
	if n == 0 {
		return l.T("keep forever")
	}
	return l.T("{{.N}} days", l10n.Args{"N": n})
}
