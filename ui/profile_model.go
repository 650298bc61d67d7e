package ui

import (
	"fmt"
	"fyne.io/fyne/v2/lang"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/palisade-im/palisade/event"
)

// NoticeKind tells a profile notice's colour.
type NoticeKind int

const (
	NoticeInfo NoticeKind = iota
	NoticeWarning
	NoticeError
	NoticeSuccess // something the user asked for is done (an export)
)

// Notice is a dismissible line under the connection banner: a profile
// update, a refused profile.
type Notice struct {
	ID   int
	Kind NoticeKind
	Text string
}

// ProfileModel holds what the GUI knows of the configuration profile in
// force, the notices about it, and IT's security bulletins. Plain data,
// touched only on the UI event loop.
type ProfileModel struct {
	Profile event.Profile
	Known   bool // a Profile event arrived
	notices []Notice
	nextID  int
	// LastChanges is the change list of the newest profile that changed
	// something, for the settings panel; LastSerial is its serial.
	LastChanges []string
	LastSerial  int64
	bulletins   []event.Bulletin // newest first
}

// NewProfileModel returns a model that knows nothing yet.
func NewProfileModel() *ProfileModel { return &ProfileModel{} }

// orgName is the organisation as the user reads it in "Managed by ACME IT".
func (m *ProfileModel) orgName() string {
	if m.Known && m.Profile.Managed {
		return m.Profile.Org
	}
	return ""
}

func (m *ProfileModel) addNotice(k NoticeKind, text string) {
	m.nextID++
	m.notices = append(m.notices, Notice{ID: m.nextID, Kind: k, Text: text})
}

// SetProfile applies a Profile event. A profile that changed something
// leaves a notice that lists the changes.
func (m *ProfileModel) SetProfile(p event.Profile) {
	m.Profile, m.Known = p, true
	if len(p.Changes) > 0 {
		var b strings.Builder
		if p.Org == "" {
			b.WriteString(lang.L("Your IT department updated your profile (serial {{.Serial}}):", tv{"Serial": p.Serial}))
		} else {
			b.WriteString(lang.L("{{.Org}} IT updated your profile (serial {{.Serial}}):", tv{"Org": p.Org, "Serial": p.Serial}))
		}
		for i, c := range p.Changes {
			if i == maxNoticeChanges && len(p.Changes) > maxNoticeChanges+1 {
				b.WriteString("\n• " + lang.L("and {{.N}} more: see Settings", tv{"N": len(p.Changes) - i}))
				break
			}
			b.WriteString("\n• " + c)
		}
		m.LastChanges = append([]string(nil), p.Changes...)
		m.LastSerial = p.Serial
		m.addNotice(NoticeInfo, b.String())
	}
}

// maxNoticeChanges is how many changes the notice lists; the settings
// panel lists them all.
const maxNoticeChanges = 4

// ProfileRefused applies a ProfileRefused event.
func (m *ProfileModel) ProfileRefused(r event.ProfileRefused) {
	what := lang.L("A configuration profile")
	switch r.Source {
	case "import":
		what = lang.L("The imported profile")
	case "push":
		what = lang.L("A profile pushed by IT")
	case "managed":
		what = lang.L("The managed profile file")
	}
	if r.Serial > 0 {
		what = lang.L("{{.What}} (serial {{.Serial}})", tv{"What": what, "Serial": r.Serial})
	}
	reason := strings.TrimSuffix(strings.TrimSpace(r.Reason), ".")
	if reason == "" {
		reason = r.Code
	}
	m.addNotice(NoticeError, lang.L("{{.What}} was refused: {{.Why}}. The profile in force is unchanged.", tv{"What": what, "Why": reason}))
}

// Notices is the notices not yet dismissed, oldest first.
func (m *ProfileModel) Notices() []Notice { return append([]Notice(nil), m.notices...) }

// DismissNotice hides notice id.
func (m *ProfileModel) DismissNotice(id int) {
	out := m.notices[:0]
	for _, n := range m.notices {
		if n.ID != id {
			out = append(out, n)
		}
	}
	m.notices = out
}

// ManagedLine is the first line of the settings panel: "Managed by ACME IT ·
// profile 7 · signature valid", or "Not managed".
func (m *ProfileModel) ManagedLine() string {
	p := m.Profile
	if !m.Known {
		return lang.L("Profile: not known yet")
	}
	if !p.Managed {
		return lang.L("Not managed: no IT profile, built-in defaults apply")
	}
	if p.Org == "" {
		return lang.L("Managed by your organisation's IT · profile {{.Serial}} · signature valid", tv{"Serial": p.Serial})
	}
	return lang.L("Managed by {{.Org}} IT · profile {{.Serial}} · signature valid", tv{"Org": p.Org, "Serial": p.Serial})
}

// DetailLines are the lines under ManagedLine: key, source, validity.
func (m *ProfileModel) DetailLines() []string {
	p := m.Profile
	if !m.Known || !p.Managed {
		return nil
	}
	var out []string
	if p.KeyID != "" {
		out = append(out, lang.L("Signed with IT key {{.Key}}", tv{"Key": p.KeyID}))
	}
	if p.ID != "" || p.Source != "" {
		s := lang.L("Profile {{.ID}}", tv{"ID": p.ID})
		if w := sourceWords(p.Source); w != "" {
			s += ", " + w
		}
		out = append(out, strings.TrimSpace(s))
	}
	if !p.IssuedAt.IsZero() {
		out = append(out, lang.L("Issued {{.Date}}", tv{"Date": formatDate(p.IssuedAt, dateFormat)}))
	}
	if !p.ExpiresAt.IsZero() && !p.Expired {
		out = append(out, lang.L("Valid until {{.Date}}", tv{"Date": formatDate(p.ExpiresAt, dateFormat)}))
	}
	return out
}

// sourceWords says where the profile in force came from, for reading.
func sourceWords(source string) string {
	switch source {
	case "":
		return ""
	case "managed":
		return lang.L("installed by IT on this computer")
	case "push":
		return lang.L("received from IT's server")
	case "import":
		return lang.L("imported from a file")
	case "stored":
		return lang.L("kept from an earlier session")
	}
	return lang.L("from {{.Source}}", tv{"Source": source})
}

// ExpiredWarning is the warning for an expired profile still in force, or "".
func (m *ProfileModel) ExpiredWarning() string {
	p := m.Profile
	if !m.Known || !p.Managed || !p.Expired {
		return ""
	}
	if !p.ExpiresAt.IsZero() {
		return lang.L("This profile has expired ({{.Date}}). It stays in force until IT sends a newer one; contact IT.", tv{"Date": formatDate(p.ExpiresAt, dateFormat)})
	}
	return lang.L("This profile has expired. It stays in force until IT sends a newer one; contact IT.")
}

const dateFormat = "2 Jan 2006"

// SettingRow is one setting in the settings panel.
type SettingRow struct {
	Name   string // the profile's name for it, e.g. "unknown_domains"
	Label  string // what the user reads, e.g. "Unknown domains"
	Value  string
	Locked bool
}

// Settings is every effective setting, and every locked one, sorted by name.
func (m *ProfileModel) Settings() []SettingRow {
	locked := map[string]bool{}
	for _, l := range m.Profile.Locked {
		locked[l] = true
	}
	names := map[string]bool{}
	for k := range m.Profile.Settings {
		names[k] = true
	}
	for k := range locked {
		names[k] = true
	}
	out := make([]SettingRow, 0, len(names))
	for k := range names {
		v, ok := m.Profile.Settings[k]
		if !ok {
			v = "—"
		}
		out = append(out, SettingRow{Name: k, Label: settingLabel(k), Value: settingValue(k, v), Locked: locked[k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// settingValue writes a value for reading: sizes in bytes as "100 MiB",
// booleans as Yes and No.
func settingValue(name, v string) string {
	switch v {
	case "true":
		return lang.L("Yes")
	case "false":
		return lang.L("No")
	}
	if w := settingWord(v); w != "" {
		return w
	}
	if !strings.HasSuffix(name, "size") {
		return v
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return v
	}
	units := []string{lang.L("bytes"), lang.L("KiB"), lang.L("MiB"), lang.L("GiB"), lang.L("TiB")}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if u == 0 {
		return lang.L("{{.N}} bytes", tv{"N": n})
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %s", int64(f), units[u])
	}
	return decimal1(f) + " " + units[u]
}

// settingWord is a profile setting's value in words when it is one of the
// profile's own values ("required", "warn", "never"...), else "".
func settingWord(v string) string {
	switch v {
	case "off":
		return lang.L("off")
	case "optional":
		return lang.L("optional")
	case "required":
		return lang.L("required")
	case "warn":
		return lang.L("warn")
	case "confirm":
		return lang.L("confirm")
	case "block":
		return lang.L("block")
	case "refuse":
		return lang.L("refuse")
	case "allow":
		return lang.L("allow")
	case "approved":
		return lang.L("approved organisations")
	case "never":
		return lang.L("never")
	}
	return ""
}

// settingLabel names a setting: the profile's settings by their words,
// any other name turned into words ("unknown_domains" into "Unknown
// domains").
func settingLabel(name string) string {
	switch name {
	case "unknown_domains":
		return lang.L("Unknown domains")
	case "tor":
		return "Tor"
	case "files.max_size":
		return lang.L("Files › max size")
	case "files.scan_required":
		return lang.L("Files › scan required")
	case "files.scanner_unavailable":
		return lang.L("Files › scanner unavailable")
	case "files.auto_download":
		return lang.L("Files › download automatically")
	case "archive.retention_days":
		return lang.L("Archive › retention days")
	case "focus_hours":
		return lang.L("Focus hours")
	case "training.required":
		return lang.L("Training › required modules")
	case "security.min_sasl":
		return lang.L("Security › minimum SASL mechanism")
	case "security.require_channel_binding":
		return lang.L("Security › channel binding required")
	}
	s := strings.NewReplacer("_", " ", "-", " ", ".", " › ").Replace(name)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// AddBulletin records a bulletin (a newer copy of the same id replaces it).
func (m *ProfileModel) AddBulletin(b event.Bulletin) {
	for i, old := range m.bulletins {
		if old.ID == b.ID {
			if old.Dismissed {
				b.Dismissed = true
			}
			m.bulletins[i] = b
			m.sortBulletins()
			return
		}
	}
	m.bulletins = append(m.bulletins, b)
	m.sortBulletins()
}

// SetBulletins replaces the list with a Bulletins event.
func (m *ProfileModel) SetBulletins(bs []event.Bulletin) {
	m.bulletins = append([]event.Bulletin(nil), bs...)
	m.sortBulletins()
}

func (m *ProfileModel) sortBulletins() {
	sort.SliceStable(m.bulletins, func(i, j int) bool { return m.bulletins[i].IssuedAt.After(m.bulletins[j].IssuedAt) })
}

// DismissBulletin marks a bulletin dismissed: its banner goes, it stays in
// the list.
func (m *ProfileModel) DismissBulletin(id string) {
	for i := range m.bulletins {
		if m.bulletins[i].ID == id {
			m.bulletins[i].Dismissed = true
		}
	}
}

// Bulletins is every bulletin kept, newest first.
func (m *ProfileModel) Bulletins() []event.Bulletin {
	return append([]event.Bulletin(nil), m.bulletins...)
}

// ActiveBulletins is the bulletins whose banner shows at now: not
// dismissed, not expired; newest first.
func (m *ProfileModel) ActiveBulletins(now time.Time) []event.Bulletin {
	var out []event.Bulletin
	for _, b := range m.bulletins {
		if !b.Dismissed && (b.ExpiresAt.IsZero() || now.Before(b.ExpiresAt)) {
			out = append(out, b)
		}
	}
	// The banners show the gravest first (critical, warning, then
	// notices), newest first within a severity.
	sort.SliceStable(out, func(i, j int) bool { return severityRank(out[i].Severity) > severityRank(out[j].Severity) })
	return out
}

// severityRank orders bulletin severities: critical 2, warning 1, else 0.
func severityRank(sev string) int {
	switch sev {
	case "critical":
		return 2
	case "warning":
		return 1
	}
	return 0
}

// severityKind maps a bulletin's severity to a banner colour.
func severityKind(sev string) BannerKind {
	switch sev {
	case "critical":
		return BannerError
	case "warning":
		return BannerWarning
	}
	return BannerInfo
}

// severityWord is the severity in words, shown with its colour.
func severityWord(sev string) string {
	switch sev {
	case "critical":
		return lang.L("Critical")
	case "warning":
		return lang.L("Warning")
	}
	return lang.L("Notice")
}
