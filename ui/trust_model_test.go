package ui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

func TestTrustWords(t *testing.T) {
	tests := []struct {
		name      string
		trust     event.Trust
		jid       string
		badge     Badge
		banner    BannerKind
		bannerHas []string
		who       string
		files     string
		prefix    string
		ask       bool
	}{
		{"none", event.Trust{}, "x@y.test", Badge{}, BannerHidden, nil, "", "", "", true},
		{"internal", tInternal, "bob@acme.test", Badge{Kind: BadgeInternal, Text: "ACME", Icon: IconInternal}, BannerHidden, nil, "", "", "", false},
		{"partner", tPartner, "carol@partner.test", Badge{Kind: BadgePartner, Text: "Partner · Partner Ltd", Icon: IconPartner}, BannerInfo, []string{"Partner Ltd (partner.test)", "ACME IT"},
			"You are writing to an external contact at Partner Ltd (partner.test)", "", "[Partner · Partner Ltd] ", false},
		{"partner without files", tGlobex, "sam@globex.test", Badge{Kind: BadgePartner, Text: "Partner · Globex", Icon: IconPartner}, BannerInfo, []string{"Globex"},
			"You are writing to an external contact at Globex (globex.test)", "Files cannot be sent to Globex: not allowed by ACME IT", "[Partner · Globex] ", false},
		{"gateway", tGateway, "jane@telegram.acme.test", Badge{Kind: BadgeExternal, Text: "External · Telegram", Icon: IconGateway}, BannerWarning, []string{"Telegram", "telegram.acme.test"},
			"You are writing to an external contact at telegram.acme.test (Telegram)", "Files cannot be sent to telegram.acme.test: no files through gateways", "[External · Telegram] ", true},
		{"unknown", tUnknown, "mallory@evil.test", Badge{Kind: BadgeExternal, Text: "External · evil.test", Icon: IconExternal}, BannerWarning, []string{"evil.test"},
			"You are writing to an external contact at evil.test", "Files cannot be sent to evil.test: evil.test is not approved", "[External · evil.test] ", true},
		{"lookalike", tLookalike, "alice@acrne.test", Badge{Kind: BadgeDanger, Text: "Looks like acme.test", Icon: IconLookalike}, BannerError, []string{"Warning: acrne.test is not acme.test."},
			"You are writing to acrne.test, which is NOT acme.test", "Files cannot be sent to acrne.test: acrne.test imitates acme.test", "[Lookalike of acme.test] ", true},
		{"punycode lookalike", tPunycode, "ceo@аcme.test", Badge{Kind: BadgeDanger, Text: "Looks like acme.test", Icon: IconLookalike}, BannerError, []string{"аcme.test (xn--cme-8cd.test) is not acme.test"},
			"You are writing to аcme.test (xn--cme-8cd.test), which is NOT acme.test", "Files cannot be sent to аcme.test (xn--cme-8cd.test)", "[Lookalike of acme.test] ", true},
		{"blocked", tBlocked, "spam@spam.test", Badge{Kind: BadgeBlocked, Text: "Blocked", Icon: IconBlocked}, BannerError, []string{"spam@spam.test"},
			"This contact is blocked: messages are not delivered", "Files cannot be sent to spam.test", "[Blocked] ", true},
	}
	for _, tt := range tests {
		if got := TrustBadge(tt.trust, tt.jid); got != tt.badge {
			t.Errorf("%s: badge %+v, want %+v", tt.name, got, tt.badge)
		}
		b := TrustBanner(tt.trust, tt.jid, "ACME")
		if b.Kind != tt.banner {
			t.Errorf("%s: banner kind %v, want %v", tt.name, b.Kind, tt.banner)
		}
		for _, s := range tt.bannerHas {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s: banner %q lacks %q", tt.name, b.String(), s)
			}
		}
		who, files := ComposerHints(tt.trust, tt.jid)
		if who != tt.who || files != tt.files {
			t.Errorf("%s: hints %q / %q, want %q / %q", tt.name, who, files, tt.who, tt.files)
		}
		if got := NotePrefix(tt.trust, tt.jid); got != tt.prefix {
			t.Errorf("%s: notification prefix %q, want %q", tt.name, got, tt.prefix)
		}
		if got := LinksNeedConfirmation(tt.trust); got != tt.ask {
			t.Errorf("%s: links ask first = %v, want %v", tt.name, got, tt.ask)
		}
	}
	// Every level has an icon and words, not colour alone; each its own icon.
	icons := map[BadgeIcon]string{}
	for _, tt := range tests {
		b := TrustBadge(tt.trust, tt.jid)
		if tt.trust.Class == "" {
			continue
		}
		if b.Text == "" || b.Icon == "" || badgeIcon(b.Icon) == nil {
			t.Errorf("%s: badge %+v lacks words or an icon", tt.name, b)
		}
		if other, ok := icons[b.Icon]; ok && other != tt.trust.Class {
			t.Errorf("%s and %s share the icon %q", tt.trust.Class, other, b.Icon)
		}
		icons[b.Icon] = tt.trust.Class
	}
	if !FileSendAllowed(event.Trust{}) || FileSendAllowed(tGlobex) || !FileSendAllowed(tPartner) {
		t.Error("FileSendAllowed: no verdict lets the session decide; a verdict's FileSend is followed")
	}
}

func TestSplitLinks(t *testing.T) {
	L := func(s string) TextPart { return TextPart{Text: s, Link: true} }
	P := func(s string) TextPart { return TextPart{Text: s} }
	tests := []struct {
		in   string
		want []TextPart
	}{
		{"no links here", []TextPart{P("no links here")}},
		{"see https://a.test/x.", []TextPart{P("see "), L("https://a.test/x"), P(".")}},
		{"[https://acme.test](https://evil.test/p)", []TextPart{P("["), L("https://acme.test"), P("]("), L("https://evil.test/p"), P(")")}},
		{"(www.a.test/wiki/X_(y))", []TextPart{P("("), L("www.a.test/wiki/X_(y)"), P(")")}},
		{"mail mailto:it@acme.test, or ftp://f.test", []TextPart{P("mail "), L("mailto:it@acme.test"), P(", or "), L("ftp://f.test")}},
		{"HTTPS://UP.TEST", []TextPart{L("HTTPS://UP.TEST")}},
	}
	for _, tt := range tests {
		if got := SplitLinks(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitLinks(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestRequestsModel(t *testing.T) {
	m := NewRequestsModel()
	now := time.Now()
	for _, e := range []event.Message{
		{ID: "1", From: "mallory@evil.test/a", Body: "one", Time: now, Request: true, Trust: tUnknown},
		{ID: "1", From: "mallory@evil.test/a", Body: "one again", Time: now, Request: true},
		{ID: "2", From: "mallory@evil.test/b", Body: "two", Time: now, Request: true, Trust: tUnknown},
		{ID: "3", From: "oscar@evil.test/a", Body: "hi", Time: now, Request: true, Trust: tUnknown},
		{ID: "4", From: "trudy@bad.test/a", Body: "yo", Time: now, Request: true},
	} {
		m.Add(e)
	}
	l := m.List()
	if len(l) != 3 || l[0].JID != "mallory@evil.test" || len(l[0].Messages) != 2 || l[2].JID != "trudy@bad.test" {
		t.Fatalf("list = %+v", l)
	}
	if got := requestPreview(l[0]); got != "“two” (and 1 earlier)" {
		t.Errorf("preview = %q", got)
	}
	long := MessageRequest{Messages: []event.Message{{Body: strings.Repeat("word ", 40)}}}
	if got := requestPreview(long); len([]rune(got)) > requestPreviewRunes+3 || !strings.HasSuffix(got, "…”") {
		t.Errorf("long preview = %q: want at most %d characters, cut with …", got, requestPreviewRunes)
	}
	if n := m.Blocked("mallory@evil.test"); n != 1 || m.Len() != 2 {
		t.Errorf("blocking a JID removed %d, %d left", n, m.Len())
	}
	if n := m.Blocked("evil.test"); n != 1 || m.Has("oscar@evil.test") || !m.Has("trudy@bad.test") {
		t.Errorf("blocking a domain removed %d", n)
	}
	if r := m.Take("trudy@bad.test/x"); r == nil || m.Len() != 0 {
		t.Error("Take did not remove the request")
	}
}

func TestSettingValue(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"files.max_size", "104857600", "100 MiB"},
		{"files.max_size", "1536", "1.5 KiB"},
		{"files.max_size", "12", "12 bytes"},
		{"files.max_size", "big", "big"},
		{"tor", "1024", "1024"},
		{"files.scan_required", "true", "Yes"},
		{"subdomains_internal", "false", "No"},
	}
	for _, tt := range tests {
		if got := settingValue(tt.name, tt.in); got != tt.want {
			t.Errorf("settingValue(%q, %q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// With the policy's own reasons (as policy.Classify writes them), a
// banner says each thing once: the title names the domains, the body says
// how and what to do, and never repeats the title.
func TestTrustBannerSaysItOnce(t *testing.T) {
	tests := []struct {
		name        string
		trust       event.Trust
		jid         string
		title, body string
	}{
		{"lookalike", event.Trust{Class: event.ClassLookalike, Domain: "acme-corp.test", LookalikeOf: "acme.test",
			Reason: "acme-corp.test looks like acme.test but is not it (added hyphens or words)."}, "payroll@acme-corp.test",
			"Warning: acme-corp.test is not acme.test.",
			"Its name imitates acme.test with added hyphens or words. Do not share passwords, payments or files."},
		{"lookalike without techniques", event.Trust{Class: event.ClassLookalike, Domain: "acrne.test", LookalikeOf: "acme.test",
			Reason: "acrne.test looks like acme.test but is not it."}, "x@acrne.test",
			"Warning: acrne.test is not acme.test.", "Do not share passwords, payments or files."},
		{"punycode lookalike", event.Trust{Class: event.ClassLookalike, Domain: "аcme.test", ASCII: "xn--cme-8cd.test", LookalikeOf: "acme.test",
			Reason: "аcme.test (xn--cme-8cd.test) looks like acme.test but is not it (look-alike characters, letters from different alphabets)."}, "ceo@аcme.test",
			"Warning: аcme.test (xn--cme-8cd.test) is not acme.test.",
			"Its name imitates acme.test with look-alike characters, letters from different alphabets. Do not share passwords, payments or files."},
		{"unknown", event.Trust{Class: event.ClassUnknown, Domain: "evil.test", Reason: "evil.test is not an approved organisation."}, "eve@evil.test",
			"External contact at evil.test.", "It is not an organisation approved by ACME IT. Be careful with links and files."},
		{"unknown subdomain of a partner", event.Trust{Class: event.ClassUnknown, Domain: "x.partner.test",
			Reason: "x.partner.test is a subdomain of partner.test (Partner Ltd), which is not itself approved."}, "a@x.partner.test",
			"External contact at x.partner.test.", "It is a subdomain of partner.test (Partner Ltd), which is not itself approved. Be careful with links and files."},
		{"gateway", event.Trust{Class: event.ClassGateway, Domain: "telegram.acme.test", Network: "Telegram",
			Reason: "telegram.acme.test is a gateway to Telegram: its contacts are outside ACME."}, "jane@telegram.acme.test",
			"External contact on Telegram, outside ACME.", "Messages go through the gateway telegram.acme.test. Be careful with links and files."},
		{"partner", event.Trust{Class: event.ClassPartner, Domain: "partner.test", Org: "Partner Ltd",
			Reason: "partner.test belongs to Partner Ltd, a partner approved by ACME IT."}, "carol@partner.test",
			"External contact at Partner Ltd (partner.test).", "A partner organisation approved by ACME IT."},
		{"blocked by IT", event.Trust{Class: event.ClassBlocked, Domain: "spam.test", Reason: "spam.test is blocked by ACME IT."}, "s@spam.test",
			"Blocked: messages to and from s@spam.test are not delivered.", "It is blocked by ACME IT."},
		{"blocked by the user", event.Trust{Class: event.ClassBlocked, Domain: "spam.test", Reason: "You blocked s@spam.test."}, "s@spam.test",
			"Blocked: messages to and from s@spam.test are not delivered.", "You blocked s@spam.test."},
	}
	for _, tt := range tests {
		b := TrustBanner(tt.trust, tt.jid, "ACME")
		if b.Title != tt.title || b.Text != tt.body {
			t.Errorf("%s: banner\n  %q\n  %q\nwant\n  %q\n  %q", tt.name, b.Title, b.Text, tt.title, tt.body)
		}
		for _, rep := range []string{"looks like", "but is not it", "not an approved organisation", "a gateway to"} {
			if strings.Count(b.String(), rep) > 0 {
				t.Errorf("%s: banner repeats the reason's %q: %q", tt.name, rep, b.String())
			}
		}
	}
}

func TestProfileSourceWords(t *testing.T) {
	tests := []struct{ source, want string }{
		{"managed", "Profile acme-default, installed by IT on this computer"},
		{"push", "Profile acme-default, received from IT's server"},
		{"import", "Profile acme-default, imported from a file"},
		{"stored", "Profile acme-default, kept from an earlier session"},
		{"", "Profile acme-default"},
	}
	for _, tt := range tests {
		m := NewProfileModel()
		m.SetProfile(event.Profile{Managed: true, Org: "ACME", ID: "acme-default", Serial: 1, Source: tt.source})
		if got := strings.Join(m.DetailLines(), "\n"); !strings.Contains(got, tt.want) || strings.Contains(got, "(from") {
			t.Errorf("source %q: details %q, want %q", tt.source, got, tt.want)
		}
	}
}

func TestProfileModel(t *testing.T) {
	m := NewProfileModel()
	if got := m.ManagedLine(); !strings.Contains(got, "not known") {
		t.Errorf("before any profile: %q", got)
	}
	m.SetProfile(event.Profile{Managed: false})
	if got := m.ManagedLine(); !strings.HasPrefix(got, "Not managed") {
		t.Errorf("unmanaged: %q", got)
	}
	exp := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	m.SetProfile(event.Profile{Managed: true, Org: "ACME", Serial: 7, KeyID: "k1", ExpiresAt: exp, Expired: true,
		Locked: []string{"tor", "archive_retention_days"}, Settings: map[string]string{"tor": "required", "unknown_domains": "warn"}})
	if got := m.ManagedLine(); got != "Managed by ACME IT · profile 7 · signature valid" {
		t.Errorf("managed: %q", got)
	}
	if got := m.ExpiredWarning(); !strings.Contains(got, "expired (2 Jan 2026)") {
		t.Errorf("expired warning: %q", got)
	}
	want := []SettingRow{
		{Name: "archive_retention_days", Label: "Archive retention days", Value: "—", Locked: true},
		{Name: "tor", Label: "Tor", Value: "required", Locked: true},
		{Name: "unknown_domains", Label: "Unknown domains", Value: "warn"},
	}
	if got := m.Settings(); !reflect.DeepEqual(got, want) {
		t.Errorf("settings = %+v", got)
	}
	if len(m.Notices()) != 0 {
		t.Error("a profile without changes left a notice")
	}
	m.SetProfile(event.Profile{Managed: true, Org: "ACME", Serial: 8, Changes: []string{"a", "b"}})
	m.ProfileRefused(event.ProfileRefused{Source: "push", Code: event.ProfileRollback, Reason: "serial 3 is older than 8", Serial: 3})
	ns := m.Notices()
	if len(ns) != 2 || ns[0].Text != "ACME IT updated your profile (serial 8):\n• a\n• b" ||
		ns[1].Kind != NoticeError || ns[1].Text != "A profile pushed by IT (serial 3) was refused: serial 3 is older than 8. The profile in force is unchanged." {
		t.Errorf("notices = %+v", ns)
	}
	m.SetProfile(event.Profile{Managed: true, Org: "ACME", Serial: 9, Changes: []string{"1", "2", "3", "4", "5", "6"}})
	if ns := m.Notices(); ns[2].Text != "ACME IT updated your profile (serial 9):\n• 1\n• 2\n• 3\n• 4\n• and 2 more: see Settings" ||
		len(m.LastChanges) != 6 || m.LastSerial != 9 {
		t.Errorf("long change list: notice %q, last changes %v", ns[2].Text, m.LastChanges)
	}
	m.DismissNotice(m.Notices()[2].ID)
	m.DismissNotice(ns[0].ID)
	if len(m.Notices()) != 1 {
		t.Error("dismiss did not remove the notice")
	}

	now := time.Now()
	m.AddBulletin(event.Bulletin{ID: "old", IssuedAt: now.Add(-time.Hour)})
	m.AddBulletin(event.Bulletin{ID: "new", IssuedAt: now})
	m.AddBulletin(event.Bulletin{ID: "gone", IssuedAt: now, ExpiresAt: now.Add(-time.Minute)})
	m.DismissBulletin("old")
	m.AddBulletin(event.Bulletin{ID: "old", IssuedAt: now.Add(-time.Hour), Title: "again"})
	act := m.ActiveBulletins(now)
	if len(act) != 1 || act[0].ID != "new" {
		t.Errorf("active bulletins = %+v", act)
	}
	if all := m.Bulletins(); len(all) != 3 || all[len(all)-1].ID != "old" || !all[len(all)-1].Dismissed {
		t.Errorf("all bulletins = %+v", all)
	}
}
