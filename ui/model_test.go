package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

func TestValidateJID(t *testing.T) {
	tests := []struct {
		in, wantErr string
	}{
		{"alice@acme.test", ""},
		{"  alice@acme.test ", ""},
		{"", "Enter your address"},
		{"alice", "must look like user@domain"},
		{"@acme.test", "before @ is missing"},
		{"alice@", "domain after @ is missing"},
		{"a@b@c", "only one @"},
		{"alice@acme.test/pc", "without a resource"},
		{"al ice@acme.test", "cannot contain spaces"},
		{"alice@.acme", "is not valid"},
	}
	for _, tt := range tests {
		got := validateJID(tt.in)
		if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
			t.Errorf("validateJID(%q) = %q, want containing %q", tt.in, got, tt.wantErr)
		}
	}
}

func TestValidateSignIn(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       SignIn
		optional bool
		want     signInErrors
	}{
		{"ok", SignIn{JID: "a@b", Password: "p"}, false, signInErrors{}},
		{"no password", SignIn{JID: "a@b"}, false, signInErrors{Password: "Enter your password"}},
		{"password elsewhere", SignIn{JID: "a@b"}, true, signInErrors{}},
		{"server ok", SignIn{JID: "a@b", Password: "p", Server: "xmpp.b:5223"}, false, signInErrors{}},
		{"ipv6 server", SignIn{JID: "a@b", Password: "p", Server: "[::1]:5222"}, false, signInErrors{}},
		{"ca ok", SignIn{JID: "a@b", Password: "p", CAFile: ca}, false, signInErrors{}},
	}
	for _, tt := range tests {
		if got := validateSignIn(tt.in, tt.optional); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	bad := []struct {
		name string
		in   SignIn
		pick func(signInErrors) string
	}{
		{"server without port", SignIn{JID: "a@b", Password: "p", Server: "xmpp.b"}, func(e signInErrors) string { return e.Server }},
		{"server bad port", SignIn{JID: "a@b", Password: "p", Server: "xmpp.b:99999"}, func(e signInErrors) string { return e.Server }},
		{"ca missing", SignIn{JID: "a@b", Password: "p", CAFile: filepath.Join(dir, "nope.pem")}, func(e signInErrors) string { return e.CAFile }},
		{"ca is dir", SignIn{JID: "a@b", Password: "p", CAFile: dir}, func(e signInErrors) string { return e.CAFile }},
		{"bad jid", SignIn{JID: "bob", Password: "p"}, func(e signInErrors) string { return e.JID }},
	}
	for _, tt := range bad {
		e := validateSignIn(tt.in, false)
		if tt.pick(e) == "" || e.ok() {
			t.Errorf("%s: no error in %+v", tt.name, e)
		}
	}
}

func TestPresenceAggregation(t *testing.T) {
	tests := []struct {
		name       string
		pres       []event.Presence
		wantShow   string
		wantStatus string
	}{
		{"none", nil, event.ShowUnavailable, ""},
		{"one", []event.Presence{{From: "b@x/1", JID: "b@x", Show: event.ShowAway, Status: "lunch"}}, event.ShowAway, "lunch"},
		{"most available wins at equal priority", []event.Presence{
			{From: "b@x/1", JID: "b@x", Show: event.ShowAway},
			{From: "b@x/2", JID: "b@x", Show: event.ShowAvailable, Status: "here"},
		}, event.ShowAvailable, "here"},
		{"priority wins", []event.Presence{
			{From: "b@x/1", JID: "b@x", Show: event.ShowDND, Priority: 10, Status: "busy"},
			{From: "b@x/2", JID: "b@x", Show: event.ShowAvailable, Priority: 0},
		}, event.ShowDND, "busy"},
		{"resource goes offline", []event.Presence{
			{From: "b@x/1", JID: "b@x", Show: event.ShowAvailable},
			{From: "b@x/2", JID: "b@x", Show: event.ShowAway},
			{From: "b@x/1", JID: "b@x", Show: event.ShowUnavailable},
		}, event.ShowAway, ""},
		{"all offline", []event.Presence{
			{From: "b@x/1", JID: "b@x", Show: event.ShowAvailable},
			{From: "b@x/1", JID: "b@x", Show: event.ShowUnavailable},
		}, event.ShowUnavailable, ""},
		{"bare unavailable clears every resource", []event.Presence{
			{From: "b@x/1", JID: "b@x", Show: event.ShowAvailable},
			{From: "b@x/2", JID: "b@x", Show: event.ShowAvailable},
			{From: "b@x", JID: "b@x", Show: event.ShowUnavailable},
		}, event.ShowUnavailable, ""},
		{"empty show means available", []event.Presence{{From: "b@x/1", JID: "b@x"}}, event.ShowAvailable, ""},
	}
	for _, tt := range tests {
		m := NewRosterModel()
		for _, p := range tt.pres {
			m.Presence(p)
		}
		c := m.Contact("b@x")
		if c.Show != tt.wantShow || c.Status != tt.wantStatus {
			t.Errorf("%s: got %q %q, want %q %q", tt.name, c.Show, c.Status, tt.wantShow, tt.wantStatus)
		}
	}
}

func rowNames(rows []RosterRow) []string {
	var out []string
	for _, r := range rows {
		if r.Kind == RowGroup {
			out = append(out, "#"+r.Group)
		} else {
			out = append(out, r.Contact.JID)
		}
	}
	return out
}

func TestRosterRows(t *testing.T) {
	roster := event.Roster{Contacts: []event.Contact{
		{JID: "bob@acme.test", Name: "Bob", Groups: []string{"Eng"}},
		{JID: "ann@acme.test", Name: "Ann", Groups: []string{"Eng", "Ops"}},
		{JID: "zed@acme.test", Name: "Zed"},
		{JID: "carl@acme.test", Name: "Carl", Groups: []string{"Ops"}},
	}}
	tests := []struct {
		name  string
		setup func(m *RosterModel)
		want  []string
	}{
		{"grouped and sorted", nil, []string{"#Eng", "ann@acme.test", "bob@acme.test", "#Ops", "ann@acme.test", "carl@acme.test", "#Contacts", "zed@acme.test"}},
		{"filter by name", func(m *RosterModel) { m.SetFilter("BO") }, []string{"#Eng", "bob@acme.test"}},
		{"filter by jid", func(m *RosterModel) { m.SetFilter("carl@") }, []string{"#Ops", "carl@acme.test"}},
		{"filter matches nothing", func(m *RosterModel) { m.SetFilter("nobody") }, nil},
		{"collapsed group", func(m *RosterModel) { m.ToggleGroup("Eng") }, []string{"#Eng", "#Ops", "ann@acme.test", "carl@acme.test", "#Contacts", "zed@acme.test"}},
		{"filter expands collapsed", func(m *RosterModel) { m.ToggleGroup("Eng"); m.SetFilter("bob") }, []string{"#Eng", "bob@acme.test"}},
		{"stranger with unread", func(m *RosterModel) { m.AddUnread("eve@evil.example/x", 2) }, []string{"#Eng", "ann@acme.test", "bob@acme.test", "#Ops", "ann@acme.test", "carl@acme.test", "#Contacts", "zed@acme.test", "#" + strangersName, "eve@evil.example"}},
		{"push adds and removes", func(m *RosterModel) {
			m.Push(event.RosterPush{Contact: event.Contact{JID: "zed@acme.test"}, Removed: true})
			m.Push(event.RosterPush{Contact: event.Contact{JID: "dan@acme.test", Name: "Dan", Groups: []string{"Ops"}}})
		}, []string{"#Eng", "ann@acme.test", "bob@acme.test", "#Ops", "ann@acme.test", "carl@acme.test", "dan@acme.test"}},
	}
	for _, tt := range tests {
		m := NewRosterModel()
		m.SetRoster(roster)
		if tt.setup != nil {
			tt.setup(m)
		}
		if got := rowNames(m.Rows()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, tt.want)
		}
	}
}

func TestRosterGroupCountsAndUnread(t *testing.T) {
	m := NewRosterModel()
	m.SetRoster(event.Roster{Contacts: []event.Contact{{JID: "a@x", Groups: []string{"G"}}, {JID: "b@x", Groups: []string{"G"}}}})
	m.Presence(event.Presence{From: "a@x/1", JID: "a@x", Show: event.ShowAway})
	rows := m.Rows()
	if rows[0].Online != 1 || rows[0].Total != 2 {
		t.Errorf("group counts = %d/%d, want 1/2", rows[0].Online, rows[0].Total)
	}
	m.AddUnread("a@x/1", 1)
	m.AddUnread("a@x", 2)
	m.AddUnread("b@x", 1)
	if got := m.Unread("a@x"); got != 3 {
		t.Errorf("unread a = %d, want 3", got)
	}
	if got := m.TotalUnread(); got != 4 {
		t.Errorf("total = %d, want 4", got)
	}
	if got := m.Rows()[1].Contact.Unread; got != 3 {
		t.Errorf("row unread = %d, want 3", got)
	}
	m.ClearUnread("a@x")
	if got := m.TotalUnread(); got != 1 {
		t.Errorf("total after clear = %d, want 1", got)
	}
	if (ContactView{JID: "heidi@x"}).DisplayName() != "heidi" {
		t.Error("a contact without a name should show its local part")
	}
}

func TestSubscriptionRequests(t *testing.T) {
	m := NewRosterModel()
	m.AddRequest(event.SubscriptionRequest{From: "x@y"})
	m.AddRequest(event.SubscriptionRequest{From: "z@y/res", Status: "hi"})
	m.AddRequest(event.SubscriptionRequest{From: "x@y", Status: "again"})
	got := m.Requests()
	want := []event.SubscriptionRequest{{From: "x@y", Status: "again"}, {From: "z@y", Status: "hi"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("requests = %v, want %v", got, want)
	}
	m.RemoveRequest("x@y")
	if got := m.Requests(); len(got) != 1 || got[0].From != "z@y" {
		t.Errorf("after remove = %v", got)
	}
}

func TestDelivery(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name   string
		events []event.Event
		want   Delivery
	}{
		{"pending", nil, DeliveryPending},
		{"queued", []event.Event{event.Sent{ID: "m1", To: "bob@x", Queued: true}}, DeliveryQueued},
		{"queued then sent", []event.Event{event.Sent{ID: "m1", To: "bob@x", Queued: true}, event.Sent{ID: "m1", To: "bob@x"}}, DeliverySent},
		{"acked", []event.Event{event.Sent{ID: "m1", To: "bob@x"}, event.Acked{ID: "m1", To: "bob@x"}}, DeliveryAcked},
		{"receipt", []event.Event{event.Sent{ID: "m1", To: "bob@x"}, event.Acked{ID: "m1", To: "bob@x"}, event.Receipt{ID: "m1", From: "bob@x/pc"}}, DeliveryReceived},
		{"never goes back", []event.Event{event.Receipt{ID: "m1", From: "bob@x/pc"}, event.Acked{ID: "m1", To: "bob@x"}, event.Sent{ID: "m1", To: "bob@x"}}, DeliveryReceived},
		{"other id ignored", []event.Event{event.Receipt{ID: "m2", From: "bob@x/pc"}}, DeliveryPending},
		{"found by id when peer differs", []event.Event{event.Acked{ID: "m1", To: "BOB@x"}}, DeliveryAcked},
	}
	for _, tt := range tests {
		m := NewChatModel()
		m.Outgoing("bob@x", "m1", "hi", now)
		for _, e := range tt.events {
			switch e := e.(type) {
			case event.Sent:
				m.Sent(e)
			case event.Acked:
				m.Acked(e)
			case event.Receipt:
				m.Receipt(e)
			}
		}
		if got := m.Conv("bob@x").Messages[0].Delivery; got != tt.want {
			t.Errorf("%s: delivery = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIncomingMessages(t *testing.T) {
	m := NewChatModel()
	t0 := time.Unix(1000, 0)
	m.ChatState(event.ChatState{From: "bob@x/pc", State: event.StateComposing}, t0)
	if !m.Conv("bob@x").IsTypingAt(t0.Add(10 * time.Second)) {
		t.Fatal("composing not recorded")
	}
	if m.Conv("bob@x").IsTypingAt(t0.Add(typingStale)) {
		t.Error("a stale composing state still shows typing")
	}
	conv, added := m.Incoming(event.Message{ID: "a", From: "bob@x/pc", To: "me@x", Body: "hi"}, "me@x")
	if conv != "bob@x" || !added {
		t.Fatalf("Incoming = %q %v", conv, added)
	}
	if m.Conv("bob@x").IsTyping() {
		t.Error("a message should end the typing indicator")
	}
	if _, added := m.Incoming(event.Message{ID: "a", From: "bob@x/pc", Body: "hi"}, "me@x"); added {
		t.Error("duplicate id added twice")
	}
	conv, _ = m.Incoming(event.Message{ID: "c", From: "me@x/phone", To: "bob@x", Body: "from my phone", Outgoing: true, Carbon: true}, "me@x")
	if conv != "bob@x" {
		t.Errorf("carbon filed under %q", conv)
	}
	msgs := m.Conv("bob@x").Messages
	if len(msgs) != 2 || !msgs[1].Outgoing || msgs[1].Delivery != DeliveryNone {
		t.Errorf("messages = %+v", msgs)
	}
	m.Incoming(event.Message{From: "bob@x/pc", Body: "no id"}, "me@x")
	m.Incoming(event.Message{From: "bob@x/pc", Body: "no id"}, "me@x")
	if n := len(m.Conv("bob@x").Messages); n != 4 {
		t.Errorf("messages without id must not be deduplicated: %d", n)
	}
}

func TestTypingTracker(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var tr typingTracker
	steps := []struct {
		do   func() string
		want string
	}{
		{func() string { return tr.Edited("h", t0) }, event.StateComposing},
		{func() string { return tr.Edited("he", t0.Add(time.Second)) }, ""},
		{func() string { return tr.Tick(t0.Add(3 * time.Second)) }, ""},
		{func() string { return tr.Tick(t0.Add(7 * time.Second)) }, event.StatePaused},
		{func() string { return tr.Tick(t0.Add(9 * time.Second)) }, ""},
		{func() string { return tr.Edited("hel", t0.Add(10*time.Second)) }, event.StateComposing},
		{func() string { return tr.Edited("", t0.Add(11*time.Second)) }, event.StateActive},
		{func() string { return tr.Edited("", t0.Add(12*time.Second)) }, ""},
		{func() string { return tr.Edited("x", t0.Add(13*time.Second)) }, event.StateComposing},
		{func() string { tr.Sent(); return "" }, ""},
		{func() string { return tr.Tick(t0.Add(60 * time.Second)) }, ""},
		{func() string { return tr.Edited("y", t0.Add(61*time.Second)) }, event.StateComposing},
		{func() string { return tr.Leave() }, event.StatePaused},
		{func() string { return tr.Leave() }, ""},
	}
	for i, s := range steps {
		if got := s.do(); got != s.want {
			t.Errorf("step %d: got %q, want %q", i, got, s.want)
		}
	}
}

func TestConnBanner(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name   string
		events []event.Event
		at     time.Duration
		want   Banner
	}{
		{"connecting", []event.Event{event.Connecting{Attempt: 1, Server: "x:5222"}}, 0, Banner{Kind: BannerInfo, Text: "Connecting to x:5222…"}},
		{"connecting again", []event.Event{event.Connecting{Attempt: 3}}, 0, Banner{Kind: BannerInfo, Text: "Connecting… (attempt 3)"}},
		{"online", []event.Event{event.Connected{JID: "a@b/c"}}, 0, Banner{Kind: BannerHidden}},
		{"offline countdown", []event.Event{event.Connected{}, event.Disconnected{Message: "Network down", RetryIn: 10}}, 3 * time.Second,
			Banner{Kind: BannerWarning, Text: "Offline: Network down. Retrying in 7 s", RetryNow: true}},
		{"offline countdown over", []event.Event{event.Disconnected{Message: "Network down", RetryIn: 1}}, 3 * time.Second,
			Banner{Kind: BannerWarning, Text: "Offline: Network down. Retrying…", RetryNow: true}},
		{"reconnected flash", []event.Event{event.Connected{}, event.Disconnected{RetryIn: 1}, event.Connected{}}, time.Second, Banner{Kind: BannerSuccess, Text: "Reconnected"}},
		{"resumed flash", []event.Event{event.Connected{}, event.Disconnected{RetryIn: 1}, event.Connected{Resumed: true}}, time.Second, Banner{Kind: BannerSuccess, Text: "Reconnected; nothing was lost"}},
		{"flash ends", []event.Event{event.Connected{}, event.Disconnected{RetryIn: 1}, event.Connected{}}, 5 * time.Second, Banner{Kind: BannerHidden}},
		{"fatal", []event.Event{event.Connected{}, event.Disconnected{Message: "Another client took over", Fatal: true, Code: event.CodeConflict}, event.Closed{}}, 0,
			Banner{Kind: BannerError, Text: "Not connected: Another client took over", SignInAgn: true}},
		{"closed", []event.Event{event.Connected{}, event.Closed{}}, 0, Banner{Kind: BannerWarning, Text: "Signed out", SignInAgn: true}},
	}
	for _, tt := range tests {
		var m ConnModel
		for _, e := range tt.events {
			m.Apply(e, t0)
		}
		if got := m.Banner(t0.Add(tt.at)); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestDrainBatches(t *testing.T) {
	ch := make(chan event.Event, 10)
	for i := 0; i < 5; i++ {
		ch <- event.Closed{}
	}
	b, closed := drain(ch, nil, 3)
	if len(b) != 3 || closed {
		t.Errorf("first drain = %d %v", len(b), closed)
	}
	b, closed = drain(ch, nil, 3)
	if len(b) != 2 || closed {
		t.Errorf("second drain = %d %v", len(b), closed)
	}
	close(ch)
	if b, closed = drain(ch, nil, 3); len(b) != 0 || !closed {
		t.Errorf("closed drain = %d %v", len(b), closed)
	}
}
