package ui

import (
	"fyne.io/fyne/v2/lang"
	"sort"
	"strings"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/textsafe"
)

// ungroupedName is the heading for contacts that are in no roster group.
const ungroupedName = "Contacts"

// strangersName is the heading for people who wrote but are not in the roster.
const strangersName = "Not in your contacts"

// groupTitle is a group's heading as shown: the two headings of the
// roster's own making are translated, the user's group names are not.
func groupTitle(g string) string {
	switch g {
	case ungroupedName:
		return lang.L("Contacts")
	case strangersName:
		return lang.L("Not in your contacts")
	}
	return g
}

// ContactView is what the roster shows for one contact: the roster entry,
// its aggregated presence and its unread count.
type ContactView struct {
	JID          string // bare JID, always shown
	Name         string // roster name, may be empty
	Groups       []string
	Subscription string
	Pending      bool
	InRoster     bool
	Show         string // aggregated over resources; ShowUnavailable when none is online
	Status       string // status text of the resource that decided Show
	Unread       int
	// Trust is the policy's latest verdict on this peer, as carried by the
	// newest event about them; Class is "" until one arrives.
	Trust event.Trust
}

// DisplayName is the roster name, or the local part of the JID when the
// contact has no name. The JID is always shown beside it.
func (c ContactView) DisplayName() string {
	if n := textsafe.Name(c.Name); n != "" {
		return n // on one line, without hidden or reordering characters
	}
	return localPart(c.JID)
}

// Online reports whether at least one resource is available in any way.
func (c ContactView) Online() bool { return c.Show != event.ShowUnavailable && c.Show != "" }

// RosterRowKind tells a group heading from a contact row.
type RosterRowKind int

const (
	RowGroup RosterRowKind = iota
	RowContact
)

// RosterRow is one line of the flattened, filtered roster list.
type RosterRow struct {
	Kind      RosterRowKind
	Group     string
	Collapsed bool // for RowGroup
	Online    int  // for RowGroup: contacts online in the group (after filtering)
	Total     int  // for RowGroup: contacts in the group (after filtering)
	Contact   ContactView
}

// RosterModel holds the roster, presences, unread counts and subscription
// requests. It is plain data: no widget, no goroutine, no lock. The UI
// touches it only on the Fyne event loop.
type RosterModel struct {
	contacts  map[string]event.Contact
	resources map[string]map[string]event.Presence // bare -> full -> presence
	unread    map[string]int
	strangers map[string]bool // conversations with JIDs outside the roster
	requests  []event.SubscriptionRequest
	trust     map[string]event.Trust // bare JID -> latest verdict
	collapsed map[string]bool
	filter    string

	rows  []RosterRow
	dirty bool
}

// NewRosterModel returns an empty roster.
func NewRosterModel() *RosterModel {
	return &RosterModel{
		contacts:  map[string]event.Contact{},
		resources: map[string]map[string]event.Presence{},
		unread:    map[string]int{},
		strangers: map[string]bool{},
		trust:     map[string]event.Trust{},
		collapsed: map[string]bool{},
		dirty:     true,
	}
}

// SetRoster replaces the roster with a full Roster event.
func (m *RosterModel) SetRoster(r event.Roster) {
	m.contacts = make(map[string]event.Contact, len(r.Contacts))
	for _, c := range r.Contacts {
		c.JID = bareJID(c.JID)
		m.contacts[c.JID] = c
		delete(m.strangers, c.JID)
		m.SetTrust(c.JID, c.Trust)
	}
	m.dirty = true
}

// SetTrust records the policy's verdict on jid from the newest event that
// carried one. An event without a verdict (Class "") changes nothing. It
// reports whether the verdict changed.
func (m *RosterModel) SetTrust(jid string, t event.Trust) bool {
	if t.Class == "" {
		return false
	}
	jid = bareJID(jid)
	if old, ok := m.trust[jid]; ok && old == t {
		return false
	}
	m.trust[jid] = t
	m.dirty = true
	return true
}

// Trust is the latest verdict on jid (Class "" when none arrived).
func (m *RosterModel) Trust(jid string) event.Trust { return m.trust[bareJID(jid)] }

// Push applies one roster change.
func (m *RosterModel) Push(p event.RosterPush) {
	jid := bareJID(p.Contact.JID)
	if p.Removed {
		delete(m.contacts, jid)
		if m.unread[jid] > 0 {
			m.strangers[jid] = true
		}
	} else {
		c := p.Contact
		c.JID = jid
		m.contacts[jid] = c
		delete(m.strangers, jid)
		m.SetTrust(jid, c.Trust)
	}
	m.dirty = true
}

// Presence records one resource's presence.
func (m *RosterModel) Presence(p event.Presence) {
	bare := bareJID(p.JID)
	if bare == "" {
		bare = bareJID(p.From)
	}
	full := p.From
	if full == "" {
		full = bare
	}
	res := m.resources[bare]
	if p.Show == event.ShowUnavailable {
		if full == bare { // unavailable from the bare JID: every resource is gone
			delete(m.resources, bare)
		} else if res != nil {
			delete(res, full)
			if len(res) == 0 {
				delete(m.resources, bare)
			}
		}
		m.dirty = true
		return
	}
	if res == nil {
		res = map[string]event.Presence{}
		m.resources[bare] = res
	}
	res[full] = p
	m.dirty = true
}

// ClearPresence forgets every presence, e.g. after a fresh (not resumed)
// connection, when the server sends them all again.
func (m *RosterModel) ClearPresence() {
	m.resources = map[string]map[string]event.Presence{}
	m.dirty = true
}

// showRank orders shows from most to least reachable.
func showRank(show string) int {
	switch show {
	case event.ShowChat:
		return 5
	case event.ShowAvailable, "":
		return 4
	case event.ShowAway:
		return 3
	case event.ShowXA:
		return 2
	case event.ShowDND:
		return 1
	}
	return 0
}

// aggregate picks the presence shown for a contact: the resource with the
// highest priority, ties broken by the most reachable show.
func aggregate(res map[string]event.Presence) (show, status string) {
	if len(res) == 0 {
		return event.ShowUnavailable, ""
	}
	var best event.Presence
	var bestFull string
	first := true
	for full, p := range res {
		better := first ||
			p.Priority > best.Priority ||
			(p.Priority == best.Priority && showRank(p.Show) > showRank(best.Show)) ||
			(p.Priority == best.Priority && showRank(p.Show) == showRank(best.Show) && full < bestFull)
		if better {
			best, bestFull, first = p, full, false
		}
	}
	show = best.Show
	if show == "" {
		show = event.ShowAvailable
	}
	return show, best.Status
}

// Contact returns the view of one contact (known or not).
func (m *RosterModel) Contact(jid string) ContactView {
	jid = bareJID(jid)
	c, in := m.contacts[jid]
	show, status := aggregate(m.resources[jid])
	return ContactView{
		JID: jid, Name: c.Name, Groups: c.Groups, Subscription: c.Subscription, Pending: c.Pending,
		InRoster: in, Show: show, Status: status, Unread: m.unread[jid], Trust: m.trust[jid],
	}
}

// InRoster reports whether jid is a roster entry.
func (m *RosterModel) InRoster(jid string) bool {
	_, ok := m.contacts[bareJID(jid)]
	return ok
}

// AddUnread adds n unread messages from jid. A JID outside the roster gets
// a row under "Not in your contacts" so that its conversation is reachable.
func (m *RosterModel) AddUnread(jid string, n int) {
	jid = bareJID(jid)
	m.unread[jid] += n
	m.Touch(jid)
	m.dirty = true
}

// Touch makes sure a conversation with jid is reachable from the roster.
func (m *RosterModel) Touch(jid string) {
	jid = bareJID(jid)
	if _, ok := m.contacts[jid]; !ok && !m.strangers[jid] {
		m.strangers[jid] = true
		m.dirty = true
	}
}

// ClearUnread marks jid's conversation as read.
func (m *RosterModel) ClearUnread(jid string) {
	jid = bareJID(jid)
	if m.unread[jid] != 0 {
		delete(m.unread, jid)
		m.dirty = true
	}
}

// Unread is the number of unread messages from jid.
func (m *RosterModel) Unread(jid string) int { return m.unread[bareJID(jid)] }

// TotalUnread is the number of unread messages in all conversations.
func (m *RosterModel) TotalUnread() int {
	n := 0
	for _, u := range m.unread {
		n += u
	}
	return n
}

// AddRequest records a subscription request; a repeated request replaces
// the earlier one.
func (m *RosterModel) AddRequest(r event.SubscriptionRequest) {
	r.From = bareJID(r.From)
	m.SetTrust(r.From, r.Trust)
	for i, old := range m.requests {
		if old.From == r.From {
			m.requests[i] = r
			return
		}
	}
	m.requests = append(m.requests, r)
}

// RemoveRequest forgets the request from jid (after Approve or Decline).
func (m *RosterModel) RemoveRequest(jid string) {
	jid = bareJID(jid)
	out := m.requests[:0]
	for _, r := range m.requests {
		if r.From != jid {
			out = append(out, r)
		}
	}
	m.requests = out
}

// Requests lists pending subscription requests, oldest first.
func (m *RosterModel) Requests() []event.SubscriptionRequest {
	return append([]event.SubscriptionRequest(nil), m.requests...)
}

// SetFilter keeps only contacts whose name or JID contains s (any case).
func (m *RosterModel) SetFilter(s string) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s != m.filter {
		m.filter = s
		m.dirty = true
	}
}

// Filter is the current filter text, lower-cased.
func (m *RosterModel) Filter() string { return m.filter }

// ToggleGroup collapses or expands a group heading.
func (m *RosterModel) ToggleGroup(g string) {
	m.collapsed[g] = !m.collapsed[g]
	m.dirty = true
}

func (m *RosterModel) matches(c ContactView) bool {
	if m.filter == "" {
		return true
	}
	return strings.Contains(strings.ToLower(c.Name), m.filter) || strings.Contains(strings.ToLower(c.JID), m.filter)
}

// Rows is the flattened roster: a heading per group (sorted, with
// "Contacts" for the ungrouped and "Not in your contacts" last), then the
// group's contacts sorted by name and JID. While filtering, groups are shown
// expanded and empty groups are left out.
func (m *RosterModel) Rows() []RosterRow {
	if !m.dirty {
		return m.rows
	}
	groups := map[string][]ContactView{}
	for jid, c := range m.contacts {
		v := m.Contact(jid)
		if !m.matches(v) {
			continue
		}
		gs := c.Groups
		if len(gs) == 0 {
			gs = []string{ungroupedName}
		}
		seen := map[string]bool{}
		for _, g := range gs {
			if g = strings.TrimSpace(g); g == "" {
				g = ungroupedName
			}
			if !seen[g] {
				seen[g] = true
				groups[g] = append(groups[g], v)
			}
		}
	}
	for jid := range m.strangers {
		if v := m.Contact(jid); m.matches(v) {
			groups[strangersName] = append(groups[strangersName], v)
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	rank := func(g string) int {
		switch g {
		case ungroupedName:
			return 1
		case strangersName:
			return 2
		}
		return 0
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank(names[i]), rank(names[j])
		if ri != rj {
			return ri < rj
		}
		return strings.ToLower(names[i]) < strings.ToLower(names[j])
	})
	rows := make([]RosterRow, 0, len(m.contacts)+len(names))
	for _, g := range names {
		cs := groups[g]
		sort.Slice(cs, func(i, j int) bool {
			a, b := strings.ToLower(cs[i].DisplayName()), strings.ToLower(cs[j].DisplayName())
			if a != b {
				return a < b
			}
			return cs[i].JID < cs[j].JID
		})
		online := 0
		for _, c := range cs {
			if c.Online() {
				online++
			}
		}
		collapsed := m.collapsed[g] && m.filter == ""
		rows = append(rows, RosterRow{Kind: RowGroup, Group: g, Collapsed: collapsed, Online: online, Total: len(cs)})
		if collapsed {
			continue
		}
		for _, c := range cs {
			rows = append(rows, RosterRow{Kind: RowContact, Group: g, Contact: c})
		}
	}
	m.rows, m.dirty = rows, false
	return rows
}
