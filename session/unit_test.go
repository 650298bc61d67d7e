package session

import (
	"encoding/xml"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"mellium.im/xmpp/jid"
	"mellium.im/xmpp/stream"

	"github.com/palisade-im/palisade/event"
)

func TestBackoff(t *testing.T) {
	b := backoff{base: time.Second, max: time.Minute}
	tests := []struct {
		n        int
		r        float64
		min, max time.Duration
	}{
		{0, 0, 500 * time.Millisecond, time.Second},
		{1, 0, 500 * time.Millisecond, time.Second},
		{1, 0.999, 500 * time.Millisecond, time.Second},
		{2, 0.5, time.Second, 2 * time.Second},
		{3, 0, 2 * time.Second, 4 * time.Second},
		{7, 0.5, 30 * time.Second, time.Minute},
		{100, 0.999, 30 * time.Second, time.Minute},
	}
	for _, tt := range tests {
		b.rand = func() float64 { return tt.r }
		d := b.delay(tt.n)
		if d < tt.min || d >= tt.max {
			t.Errorf("delay(%d) with rand %v = %v, want in [%v, %v)", tt.n, tt.r, d, tt.min, tt.max)
		}
	}
	// Jitter: different random draws give different delays.
	b.rand = nil
	seen := map[time.Duration]bool{}
	for i := 0; i < 20; i++ {
		seen[b.delay(4)] = true
	}
	if len(seen) < 2 {
		t.Error("no jitter")
	}
}

func msg(id string) *outStanza {
	return &outStanza{el: chatMessage(id, "b@x", "hi"), msgID: id, to: "b@x", body: "hi"}
}
func other() *outStanza { return &outStanza{el: presence("", "", "", "")} }

func ids(l []*outStanza) []string {
	var out []string
	for _, o := range l {
		if o.isChat() {
			out = append(out, o.msgID)
		} else {
			out = append(out, "-")
		}
	}
	return out
}

func TestStreamManagementAck(t *testing.T) {
	tests := []struct {
		name      string
		ackedH    uint32
		sent      []*outStanza
		h         uint32
		wantAcked []string
		wantLeft  []string
		wantErr   bool
	}{
		{"none", 0, []*outStanza{msg("a"), msg("b")}, 0, nil, []string{"a", "b"}, false},
		{"some", 0, []*outStanza{msg("a"), other(), msg("b")}, 2, []string{"a", "-"}, []string{"b"}, false},
		{"all", 5, []*outStanza{msg("a")}, 6, []string{"a"}, nil, false},
		{"too many", 0, []*outStanza{msg("a")}, 3, []string{"a"}, nil, true},
		{"wraps", 0xFFFFFFFF, []*outStanza{msg("a"), msg("b")}, 1, []string{"a", "b"}, nil, false},
	}
	for _, tt := range tests {
		m := smState{enabled: true, ackedH: tt.ackedH}
		for _, o := range tt.sent {
			m.sent(o)
		}
		acked, err := m.ack(tt.h)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if !reflect.DeepEqual(ids(acked), tt.wantAcked) || !reflect.DeepEqual(ids(m.unacked), tt.wantLeft) {
			t.Errorf("%s: acked %v left %v, want %v %v", tt.name, ids(acked), ids(m.unacked), tt.wantAcked, tt.wantLeft)
		}
		if m.ackedH != tt.h {
			t.Errorf("%s: ackedH = %d", tt.name, m.ackedH)
		}
	}
}

func TestStreamManagementLifecycle(t *testing.T) {
	var m smState
	m.sent(msg("before-enable")) // not counted: SM is not enabled yet
	if len(m.unacked) != 0 {
		t.Fatal("counted a stanza before <enabled/>")
	}
	m.enable("sm-1", true, "a@x/r")
	if !m.resumable() {
		t.Fatal("not resumable")
	}
	m.sent(msg("a"))
	m.sent(other())
	m.sent(msg("b"))
	m.sent(msg("c"))
	m.inH = 7
	m.ack(1)
	m.lost()
	if m.enabled || !m.resumable() || m.inH != 7 {
		t.Fatalf("after loss: %+v", m)
	}

	// Resumed: the server saw a, the presence and b; only c goes again.
	r := m
	r.unacked = append([]*outStanza(nil), m.unacked...)
	acked, resend, err := r.resumed(3)
	if err != nil || !reflect.DeepEqual(ids(acked), []string{"-", "b"}) || !reflect.DeepEqual(ids(resend), []string{"c"}) {
		t.Errorf("resumed: acked %v resend %v err %v", ids(acked), ids(resend), err)
	}
	if !r.enabled || len(r.unacked) != 0 || r.inH != 7 {
		t.Errorf("after resume: %+v", r)
	}

	// Not resumable: the unacked chat messages go again on the new
	// session; the presence does not.
	resend = m.restart()
	if !reflect.DeepEqual(ids(resend), []string{"b", "c"}) {
		t.Errorf("restart resend %v", ids(resend))
	}
	if m.resumable() || m.enabled || m.inH != 0 {
		t.Errorf("after restart: %+v", m)
	}

	// enable without resume
	m.enable("x", false, "a@x/r")
	if m.resumable() {
		t.Error("resumable without resume='true'")
	}
}

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	o, err := loadOutbox(dir)
	if err != nil || len(o.list()) != 0 {
		t.Fatalf("empty outbox: %v %v", o.list(), err)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{"1", "2", "3", "2"} {
		if err := o.add(outboxEntry{ID: id, To: "bob@acme.test", Body: "body " + id, Queued: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.remove("2"); err != nil {
		t.Fatal(err)
	}
	o2, err := loadOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range o2.list() {
		got = append(got, e.ID+":"+e.Body)
	}
	if !reflect.DeepEqual(got, []string{"1:body 1", "3:body 3"}) {
		t.Errorf("reloaded outbox = %v", got)
	}
	fi, err := os.Stat(filepath.Join(dir, outboxFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("outbox mode %v, want 0600", fi.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".outbox-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A damaged file is reported, not silently emptied.
	os.WriteFile(filepath.Join(dir, outboxFile), []byte("{"), 0o600)
	if _, err := loadOutbox(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged outbox: err = %v", err)
	}
}

func decodeStanza(t *testing.T, s string) *inStanza {
	t.Helper()
	var st inStanza
	if err := xml.Unmarshal([]byte(s), &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func TestDecodeStanza(t *testing.T) {
	st := decodeStanza(t, `<message xmlns="jabber:client" from="bob@x/r" to="a@x/r" id="m1" type="chat">
		<body>hi</body><request xmlns="urn:xmpp:receipts"/><composing xmlns="http://jabber.org/protocol/chatstates"/>
		<delay xmlns="urn:xmpp:delay" stamp="2026-11-26T10:00:00Z"/></message>`)
	if st.Body == nil || *st.Body != "hi" || st.ReceiptRequest == nil || st.chatState() != "composing" || st.ID != "m1" {
		t.Errorf("message = %+v", st)
	}
	if tm, delayed := messageTime(st); !delayed || !tm.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("time %v delayed %v", tm, delayed)
	}

	st = decodeStanza(t, `<message xmlns="jabber:client" from="a@x" to="a@x/r"><sent xmlns="urn:xmpp:carbons:2">
		<forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="a@x/other" to="bob@x" id="c1" type="chat"><body>out</body></message></forwarded></sent></message>`)
	fw := st.CarbonSent.message()
	if fw == nil || fw.ID != "c1" || *fw.Body != "out" || st.CarbonRecvd.message() != nil {
		t.Errorf("carbon = %+v", st)
	}

	st = decodeStanza(t, `<iq xmlns="jabber:client" type="result" id="r1"><query xmlns="jabber:iq:roster" ver="v1">
		<item jid="bob@x" name="Bob" subscription="both"><group>A</group><group>B</group></item>
		<item jid="carol@y" ask="subscribe"/></query></iq>`)
	if st.Roster == nil || len(st.Roster.Items) != 2 {
		t.Fatalf("roster = %+v", st)
	}
	want := []event.Contact{
		{JID: "bob@x", Name: "Bob", Groups: []string{"A", "B"}, Subscription: "both"},
		{JID: "carol@y", Subscription: "none", Pending: true},
	}
	for i, it := range st.Roster.Items {
		if c := contactOf(it); !reflect.DeepEqual(c, want[i]) {
			t.Errorf("contact %d = %+v, want %+v", i, c, want[i])
		}
	}

	st = decodeStanza(t, `<message xmlns="jabber:client" type="error" from="bob@x"><error type="cancel">
		<service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">gone</text></error></message>`)
	if got := st.Error.String(); got != "service-unavailable (gone)" {
		t.Errorf("error = %q", got)
	}
}

func TestFromSelf(t *testing.T) {
	s := &Session{bare: jid.MustParse("alice@acme.test")}
	c := &conn{s: s, bare: "alice@acme.test"}
	tests := []struct {
		from string
		want bool
	}{
		{"", true},
		{"alice@acme.test", true},
		{"Alice@ACME.test", true},
		{"alice@acme.test/desk", false},
		{"acme.test", false},
		{"mallory@evil.test", false},
		{"alice@evil.test", false},
		{"not a jid@@", false},
	}
	for _, tt := range tests {
		if got := c.fromSelf(tt.from); got != tt.want {
			t.Errorf("fromSelf(%q) = %v, want %v", tt.from, got, tt.want)
		}
	}
}

func TestOutgoingStanzas(t *testing.T) {
	tests := []struct {
		e    *el
		want string
	}{
		{chatMessage("m1", "bob@x", "a < b & c"), `<message xmlns="jabber:client" type="chat" to="bob@x" id="m1"><body>a &lt; b &amp; c</body><request xmlns="urn:xmpp:receipts"></request><active xmlns="http://jabber.org/protocol/chatstates"></active></message>`},
		{receiptMessage("r1", "bob@x/r", "m1"), `<message xmlns="jabber:client" to="bob@x/r" id="r1"><received xmlns="urn:xmpp:receipts" id="m1"></received></message>`},
		{presence("", "", "dnd", "busy"), `<presence xmlns="jabber:client"><show>dnd</show><status>busy</status></presence>`},
		{iqError("i1", "m@e", "service-unavailable", "cancel"), `<iq xmlns="jabber:client" type="error" id="i1" to="m@e"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"></service-unavailable></error></iq>`},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	s := &Session{bare: jid.MustParse("alice@acme.test")}
	tests := []struct {
		name      string
		err       error
		a         *attempt
		code      string
		fatal     bool
		msgPrefix string
	}{
		{"mellium no tls", errors.New("xmpp: features advertised out of order"), &attempt{}, event.CodeNoTLS, true, "The server does not offer an encrypted"},
		{"starttls refused", stream.UnsupportedStanzaType, &attempt{}, event.CodeNoTLS, true, "The server does not offer an encrypted"},
		{"stream error after tls", stream.SystemShutdown, &attempt{tlsStarted: true}, event.CodeProtocol, false, "The server closed the stream"},
		{"conflict", stream.Conflict, &attempt{tlsStarted: true}, event.CodeConflict, true, "Another session"},
		{"no scram", errors.New("xmpp: no matching SASL mechanisms found"), &attempt{tlsStarted: true, offered: []string{"PLAIN"}}, event.CodeAuth, true, "The server offers no SCRAM sign-in (it offers PLAIN)"},
		{"network", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset")}, &attempt{tlsStarted: true}, event.CodeNetwork, false, "Connection lost"},
		{"other", errors.New("odd"), &attempt{tlsStarted: true}, event.CodeProtocol, false, "Connection failed"},
	}
	for _, tt := range tests {
		f := s.classify(tt.err, tt.a)
		if f.code != tt.code || f.fatal != tt.fatal || !strings.HasPrefix(f.msg, tt.msgPrefix) {
			t.Errorf("%s: got %+v", tt.name, f)
		}
	}
}
