package profile

import (
	"fmt"
	"slices"
	"strings"
)

// Changes lists, for the user, what differs between the profile that was in
// force (nil: none) and the new one, one line per change.
func Changes(old, new *Profile) []string {
	if new == nil {
		return nil
	}
	if old == nil {
		return []string{fmt.Sprintf("Now managed by %s IT (profile %s, serial %d)", new.Organisation.Name, new.ID, new.Serial)}
	}
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if old.ID != new.ID {
		add("Profile: %s -> %s", old.ID, new.ID)
	}
	if old.Organisation.Name != new.Organisation.Name {
		add("Organisation: %s -> %s", old.Organisation.Name, new.Organisation.Name)
	}
	listDiff(old.Organisation.Domains, new.Organisation.Domains, func(d string) { add("Internal domain %s added", d) }, func(d string) { add("Internal domain %s removed", d) })
	if old.Organisation.SubdomainsInternal != new.Organisation.SubdomainsInternal {
		add("Subdomains of internal domains count as internal: %s -> %s", yesNo(old.Organisation.SubdomainsInternal), yesNo(new.Organisation.SubdomainsInternal))
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
			add("Partner %s added (%s)", p.Name, partnerFiles(new, p))
			continue
		}
		listDiff(o.Domains, p.Domains, func(d string) { add("Partner %s: domain %s added", p.Name, d) }, func(d string) { add("Partner %s: domain %s removed", p.Name, d) })
		if a, b := partnerFiles(old, o), partnerFiles(new, p); a != b {
			add("Partner %s: %s -> %s", p.Name, a, b)
		}
	}
	for _, p := range old.Partners {
		if !newP[p.Name] {
			add("Partner %s removed", p.Name)
		}
	}

	listDiff(old.BlockedDomains, new.BlockedDomains, func(d string) { add("Blocked domain %s added", d) }, func(d string) { add("Blocked domain %s removed", d) })
	gw := func(p *Profile) []string {
		var s []string
		for _, g := range p.Gateways {
			s = append(s, fmt.Sprintf("%s (%s)", g.Domain, g.Network))
		}
		return s
	}
	listDiff(gw(old), gw(new), func(d string) { add("Gateway %s added", d) }, func(d string) { add("Gateway %s removed", d) })
	if a, b := old.unknownDomains(), new.unknownDomains(); a != b {
		add("Unknown domains: %s -> %s", a, b)
	}
	if a, b := old.maxFileSize(), new.maxFileSize(); a != b {
		add("File size limit: %s -> %s", Size(a), Size(b))
	}
	listDiff(old.blockedTypes(), new.blockedTypes(), func(d string) { add("Blocked file type %s added", d) }, func(d string) { add("Blocked file type %s removed", d) })
	if old.Files.ScanRequired != new.Files.ScanRequired {
		add("Virus scan before sending files: %s -> %s", requiredOrNot(old.Files.ScanRequired), requiredOrNot(new.Files.ScanRequired))
	}
	if a, b := old.scannerUnavailable(), new.scannerUnavailable(); a != b {
		add("When no scanner is available: %s -> %s", a, b)
	}
	if a, b := len(old.TrustedCAs.ServerTLS), len(new.TrustedCAs.ServerTLS); a != b || !slices.Equal(old.TrustedCAs.ServerTLS, new.TrustedCAs.ServerTLS) {
		add("Trusted server CAs changed (%d -> %d)", a, b)
	}
	if a, b := len(old.TrustedCAs.Identity), len(new.TrustedCAs.Identity); a != b || !slices.Equal(old.TrustedCAs.Identity, new.TrustedCAs.Identity) {
		add("Trusted identity CAs changed (%d -> %d)", a, b)
	}
	listDiff(old.Training.Required, new.Training.Required, func(d string) { add("Required training %s added", d) }, func(d string) { add("Required training %s removed", d) })
	if a, b := old.tor(), new.tor(); a != b {
		add("Tor: %s -> %s", a, b)
	}
	if a, b := old.TorOnion, new.TorOnion; a != b {
		add("Company server's onion address: %s -> %s", orNone(a), orNone(b))
	}
	listDiff(old.LockedSettings, new.LockedSettings, func(d string) { add("Setting %s is now locked", d) }, func(d string) { add("Setting %s is no longer locked", d) })
	if a, b := old.Settings()["focus_hours"], new.Settings()["focus_hours"]; a != b {
		add("Focus hours: %s -> %s", orNone(a), orNone(b))
	}
	if a, b := old.Archive.RetentionDays, new.Archive.RetentionDays; a != b {
		add("Archive retention: %s -> %s", days(a), days(b))
	}
	if old.IT != new.IT {
		add("IT contact or publishing node changed")
	}
	if new.NextKey != nil && (old.NextKey == nil || KeyID(old.NextKey) != KeyID(new.NextKey)) {
		add("Next IT signing key announced: %s", KeyID(new.NextKey))
	}
	if old.ExpiresAt != new.ExpiresAt {
		add("Valid until %s", new.ExpiresAt.UTC().Format("2006-01-02"))
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

func partnerFiles(p *Profile, x Partner) string {
	if !x.FilesAllowed {
		return "files not allowed"
	}
	max := x.MaxFileSize
	if max == 0 {
		max = p.maxFileSize()
	}
	return "files allowed, up to " + Size(max)
}

// Size formats a byte count for people: MB and GB are powers of 1024.
func Size(n int64) string {
	const (
		kb = 1 << 10
		mb = 1 << 20
		gb = 1 << 30
	)
	switch {
	case n >= gb && n%gb == 0:
		return fmt.Sprintf("%d GB", n/gb)
	case n >= gb:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/gb), ".0") + " GB"
	case n >= mb && n%mb == 0:
		return fmt.Sprintf("%d MB", n/mb)
	case n >= mb:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/mb), ".0") + " MB"
	case n >= kb:
		return fmt.Sprintf("%d KB", n/kb)
	}
	return fmt.Sprintf("%d bytes", n)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func requiredOrNot(b bool) string {
	if b {
		return "required"
	}
	return "not required"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func days(n int) string {
	if n == 0 {
		return "keep forever"
	}
	return fmt.Sprintf("%d days", n)
}
