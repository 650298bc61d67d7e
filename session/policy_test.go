package session

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/policy"
)

// testRules are company rules for the tests: acme.test internal, two
// partners (one may receive files), a gateway, a blocked domain, and
// confirmation of the first message to unknown domains.
func testRules() policy.Rules {
	return policy.Rules{
		Org:             "Acme",
		InternalDomains: []string{"acme.test"},
		Partners: []policy.Partner{
			{Name: "Partner Corp", Domains: []string{"partner.test"}},
			{Name: "Files Inc", Domains: []string{"files.test"}, FilesAllowed: true, MaxFileSize: 1 << 20},
		},
		Gateways:       []policy.Gateway{{Domain: "wa.acme.test", Network: "WhatsApp"}},
		BlockedDomains: []string{"blocked.test"},
		UnknownDomains: policy.Confirm,
		Files:          policy.FileRules{MaxSize: 10 << 20, BlockedTypes: []string{".exe"}},
	}
}

// offlineSession is a session that is never started: commands run through
// execute directly and events are read from the queue.
func offlineSession(t *testing.T, dir string, r *policy.Rules) *Session {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if r != nil {
		s.setRules(*r)
	}
	return s
}

// queued returns the events queued so far and empties the queue.
func queued(s *Session) []event.Event {
	s.evMu.Lock()
	defer s.evMu.Unlock()
	l := s.evQ
	s.evQ = nil
	return l
}

func only[T event.Event](evs []event.Event) []T {
	var l []T
	for _, e := range evs {
		if v, ok := e.(T); ok {
			l = append(l, v)
		}
	}
	return l
}

func dumpEvents(evs []event.Event) string {
	var b strings.Builder
	for _, e := range evs {
		m, _ := event.Marshal(e)
		b.Write(m)
		b.WriteByte(' ')
	}
	return b.String()
}

func TestTrustOf(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	tests := []struct {
		jid, class, org, domain string
		files                   bool
	}{
		{"bob@acme.test", event.ClassInternal, "Acme", "acme.test", true},
		{"bob@acme.test/phone", event.ClassInternal, "Acme", "acme.test", true},
		{"carol@partner.test", event.ClassPartner, "Partner Corp", "partner.test", false},
		{"fred@files.test", event.ClassPartner, "Files Inc", "files.test", true},
		{"mallory@evil.test", event.ClassUnknown, "", "evil.test", false},
		{"x@blocked.test", event.ClassBlocked, "", "blocked.test", false},
		{"+331234@wa.acme.test", event.ClassGateway, "", "wa.acme.test", false},
	}
	for _, tt := range tests {
		got := s.trustOf(tt.jid)
		if got.Class != tt.class || got.Org != tt.org || got.Domain != tt.domain || got.FileSend != tt.files {
			t.Errorf("trustOf(%q) = %+v, want class %s org %q domain %s file_send %v", tt.jid, got, tt.class, tt.org, tt.domain, tt.files)
		}
		if !got.FileSend && got.FileReason == "" {
			t.Errorf("trustOf(%q): no file_reason although files are denied", tt.jid)
		}
		if got.Accepted {
			t.Errorf("trustOf(%q): accepted before anything was accepted", tt.jid)
		}
	}
	if got := s.trustOf("+331234@wa.acme.test"); got.Network != "WhatsApp" {
		t.Errorf("gateway network = %q", got.Network)
	}
	if got := s.trustOf("bob@acmee.test"); got.Class != event.ClassLookalike || got.LookalikeOf != "acme.test" || got.FileSend {
		t.Errorf("typo-squat: %+v", got)
	}
	// Cyrillic "а": the Unicode form for the user, the punycode beside it.
	if got := s.trustOf("bob@\u0430cme.test"); got.Class != event.ClassLookalike || got.LookalikeOf != "acme.test" ||
		got.Domain != "\u0430cme.test" || got.ASCII != "xn--cme-5cd.test" {
		t.Errorf("homoglyph: %+v", got)
	}
}

func TestUnmanagedDefaults(t *testing.T) {
	s := offlineSession(t, "", nil)
	if got := s.trustOf("bob@acme.test"); got.Class != event.ClassInternal || !got.FileSend {
		t.Errorf("own domain: %+v", got)
	}
	if got := s.trustOf("mallory@evil.test"); got.Class != event.ClassUnknown || got.FileSend {
		t.Errorf("other domain: %+v", got)
	}
}

func TestSendRefusedAndConfirmed(t *testing.T) {
	dir := t.TempDir()
	r := testRules()
	s := offlineSession(t, dir, &r)
	queued(s)

	s.execute(event.Send{To: "mallory@evil.test", Body: "first", ID: "m1"})
	evs := queued(s)
	ref := only[event.Refused](evs)
	if len(ref) != 1 || ref[0].Code != event.RefusedConfirm || ref[0].ID != "m1" || ref[0].Command != "send" ||
		ref[0].Reason == "" || ref[0].Trust == nil || ref[0].Trust.Class != event.ClassUnknown {
		t.Fatalf("events %s, want one refused confirm", dumpEvents(evs))
	}
	if len(only[event.Sent](evs)) != 0 || len(s.outbox.list()) != 0 {
		t.Fatalf("refused message was sent or queued: %s, outbox %v", dumpEvents(evs), s.outbox.list())
	}

	s.execute(event.Send{To: "mallory@evil.test", Body: "first", ID: "m1", Confirmed: true})
	evs = queued(s)
	sent := only[event.Sent](evs)
	acc := only[event.Accepted](evs)
	if len(sent) != 1 || !sent[0].Queued || sent[0].Trust.Class != event.ClassUnknown {
		t.Fatalf("confirmed send: %s", dumpEvents(evs))
	}
	if len(acc) != 1 || acc[0].JID != "mallory@evil.test" || !acc[0].Trust.Accepted {
		t.Fatalf("confirmed send did not accept the peer: %s", dumpEvents(evs))
	}
	if len(s.outbox.list()) != 1 {
		t.Fatalf("outbox %v", s.outbox.list())
	}
	// Accepted is persisted, mode 0600.
	fi, err := os.Stat(filepath.Join(dir, policyStateFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("policy state mode %v", fi.Mode().Perm())
	}
	// A later message needs no confirmation, also after a restart.
	s2 := offlineSession(t, dir, &r)
	queued(s2)
	s2.execute(event.Send{To: "mallory@evil.test/laptop", Body: "second"})
	evs = queued(s2)
	if len(only[event.Refused](evs)) != 0 || len(only[event.Sent](evs)) != 1 {
		t.Fatalf("second message after restart: %s", dumpEvents(evs))
	}
	if !s2.trustOf("mallory@evil.test").Accepted {
		t.Error("accepted not restored")
	}
}

func TestCommandsToBlockedRefused(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	queued(s)
	for _, c := range []event.Command{
		event.Send{To: "x@blocked.test", Body: "hi", Confirmed: true},
		event.AddContact{JID: "x@blocked.test"},
		event.Approve{JID: "x@blocked.test"},
		event.Accept{JID: "x@blocked.test"},
	} {
		s.execute(c)
		evs := queued(s)
		ref := only[event.Refused](evs)
		if len(ref) != 1 || ref[0].Code != event.RefusedBlocked || ref[0].Command != c.CommandName() || ref[0].Reason == "" {
			t.Errorf("%s: events %s, want one refused blocked", c.CommandName(), dumpEvents(evs))
		}
		if len(only[event.Sent](evs))+len(only[event.Accepted](evs))+len(only[event.Error](evs)) != 0 {
			t.Errorf("%s went on after the refusal: %s", c.CommandName(), dumpEvents(evs))
		}
	}
	if len(s.outbox.list()) != 0 {
		t.Errorf("outbox %v", s.outbox.list())
	}
}

func TestChatStateNotSentUnconfirmed(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	for _, tt := range []struct {
		to   string
		want bool
	}{
		{"bob@acme.test", true}, {"carol@partner.test", true},
		{"mallory@evil.test", false}, {"x@blocked.test", false},
	} {
		if got := s.mayNotify(tt.to); got != tt.want {
			t.Errorf("mayNotify(%s) = %v", tt.to, got)
		}
	}
}

func TestInbound(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	s.roster["friend@evil.test"] = event.Contact{JID: "friend@evil.test", Subscription: "both"}
	s.roster["asked@evil.test"] = event.Contact{JID: "asked@evil.test", Subscription: "from"}
	s.accept("ok@evil.test", "accept")
	tests := []struct {
		from          string
		drop, request bool
		class         string
	}{
		{"bob@acme.test/pc", false, false, event.ClassInternal},
		{"carol@partner.test/x", false, false, event.ClassPartner},
		{"mallory@evil.test/x", false, true, event.ClassUnknown},
		{"friend@evil.test/x", false, false, event.ClassUnknown},
		{"asked@evil.test/x", false, true, event.ClassUnknown},
		{"ok@evil.test/x", false, false, event.ClassUnknown},
		{"x@blocked.test/x", true, false, event.ClassBlocked},
		{"alice@acme.test/other", false, false, event.ClassInternal},
		{"", false, false, event.ClassInternal},
	}
	for _, tt := range tests {
		in, tr := s.inbound(tt.from)
		if in.Drop != tt.drop || in.Request != tt.request || tr.Class != tt.class {
			t.Errorf("inbound(%q) = %+v %s, want drop %v request %v %s", tt.from, in, tr.Class, tt.drop, tt.request, tt.class)
		}
	}
}

func TestSendFileEnforcement(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 quarterly figures"), 0o600); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "setup.exe")
	if err := os.WriteFile(exe, []byte("MZ"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := testRules()
	s := offlineSession(t, "", &r)
	var uploads []outgoingFile
	s.pol.upload = func(f outgoingFile) { uploads = append(uploads, f) }
	queued(s)

	tests := []struct {
		name, to, path string
		refused        string // refusal code, or ""
		errCode        string // error code, or ""
		upload         bool
	}{
		{"unknown domain", "mallory@evil.test", file, event.RefusedFilePolicy, "", false},
		{"blocked domain", "x@blocked.test", file, event.RefusedBlocked, "", false},
		{"partner without files", "carol@partner.test", file, event.RefusedFilePolicy, "", false},
		{"blocked type", "bob@acme.test", exe, event.RefusedFilePolicy, "", false},
		{"lookalike", "bob@acmee.test", file, event.RefusedFilePolicy, "", false},
		{"missing file", "bob@acme.test", filepath.Join(dir, "nope.pdf"), "", event.CodeBadCommand, false},
		{"directory", "bob@acme.test", dir, "", event.CodeBadCommand, false},
		{"bad address", "@", file, "", event.CodeBadCommand, false},
		{"internal", "bob@acme.test", file, "", "", true},
		{"partner with files", "fred@files.test/desk", file, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uploads = nil
			s.execute(event.SendFile{To: tt.to, Path: tt.path, ID: "f-" + tt.name})
			evs := queued(s)
			ref := only[event.Refused](evs)
			errs := only[event.Error](evs)
			// Answers about a file carry its id (not a malformed command).
			wantID := "f-" + tt.name
			if tt.name == "bad address" {
				wantID = ""
			}
			switch {
			case tt.refused != "":
				if len(ref) != 1 || ref[0].Code != tt.refused || ref[0].Command != "sendfile" || ref[0].Reason == "" || ref[0].Trust == nil || ref[0].ID != wantID {
					t.Errorf("events %s, want refused %s", dumpEvents(evs), tt.refused)
				}
			case tt.errCode != "":
				if len(errs) != 1 || errs[0].Code != tt.errCode || errs[0].Command != "sendfile" || errs[0].Message == "" || errs[0].ID != wantID {
					t.Errorf("events %s, want error %s", dumpEvents(evs), tt.errCode)
				}
			default:
				if len(ref)+len(errs) != 0 {
					t.Errorf("allowed file: events %s", dumpEvents(evs))
				}
			}
			if got := len(uploads) == 1; got != tt.upload {
				t.Errorf("upload step reached: %v, want %v (%v)", got, tt.upload, uploads)
			}
			if tt.upload && (uploads[0].Name != "report.pdf" || uploads[0].Size != 26) {
				t.Errorf("upload %+v", uploads[0])
			}
		})
	}

	// Without an upload step, an allowed file is answered "unsupported".
	s.pol.upload = nil
	s.execute(event.SendFile{To: "bob@acme.test", Path: file})
	evs := queued(s)
	errs := only[event.Error](evs)
	if len(errs) != 1 || errs[0].Code != event.CodeUnsupported || errs[0].Command != "sendfile" {
		t.Errorf("events %s, want error unsupported", dumpEvents(evs))
	}
}

func TestSetRulesRefreshesRoster(t *testing.T) {
	s := offlineSession(t, "", nil)
	s.mu.Lock()
	s.roster["carol@partner.test"] = event.Contact{JID: "carol@partner.test", Subscription: "both"}
	s.haveRost = true
	s.mu.Unlock()
	queued(s)
	r := testRules()
	s.setRules(r)
	evs := queued(s)
	ros := only[event.Roster](evs)
	if len(ros) != 1 || len(ros[0].Contacts) != 1 {
		t.Fatalf("events %s, want one roster", dumpEvents(evs))
	}
	if tr := ros[0].Contacts[0].Trust; tr.Class != event.ClassPartner || tr.Org != "Partner Corp" {
		t.Errorf("carol's trust after setRules: %+v", tr)
	}
	// Rules the engine refuses leave the previous ones in force.
	bad := testRules()
	bad.InternalDomains = []string{"not a domain!"}
	s.setRules(bad)
	evs = queued(s)
	if e := only[event.Error](evs); len(e) != 1 || e[0].Code != event.CodeConfig {
		t.Errorf("bad rules: events %s", dumpEvents(evs))
	}
	if tr := s.trustOf("carol@partner.test"); tr.Class != event.ClassPartner {
		t.Errorf("after bad rules: %+v", tr)
	}
}

func TestBlocklistLocal(t *testing.T) {
	dir := t.TempDir()
	s := offlineSession(t, dir, nil)
	queued(s)
	s.setBlocked([]string{"evil.test"}, true, false)
	s.setBlocked([]string{"evil.test"}, true, false) // no change, no event
	evs := queued(s)
	if b := only[event.Blocked](evs); len(b) != 1 || b[0].JID != "evil.test" {
		t.Fatalf("events %s", dumpEvents(evs))
	}
	if in, tr := s.inbound("mallory@evil.test/x"); !in.Drop || tr.Class != event.ClassBlocked {
		t.Errorf("after block: %+v %+v", in, tr)
	}
	// Blocks are kept for the next start, until the server's list replaces them.
	s2 := offlineSession(t, dir, nil)
	if tr := s2.trustOf("mallory@evil.test"); tr.Class != event.ClassBlocked {
		t.Errorf("block not restored: %+v", tr)
	}
	queued(s2)
	s2.onBlocklist(&inStanza{Type: "result", Blocklist: &blockItems{}})
	evs = queued(s2)
	if u := only[event.Unblocked](evs); len(u) != 1 || u[0].JID != "evil.test" {
		t.Errorf("server list without the block: events %s", dumpEvents(evs))
	}
	if tr := s2.trustOf("mallory@evil.test"); tr.Class != event.ClassUnknown {
		t.Errorf("after the server list: %+v", tr)
	}
	// An <unblock/> push without items lifts every block.
	s2.setBlocked([]string{"a.test", "b@c.test"}, true, false)
	queued(s2)
	s2.onBlockPush(&inStanza{Unblock: &blockItems{}})
	if u := only[event.Unblocked](queued(s2)); len(u) != 2 {
		t.Errorf("unblock all: %v", u)
	}
}

func TestPolicyStateDamaged(t *testing.T) {
	for _, tt := range []struct{ name, content string }{
		{"not json", "{accepted: ["},
		{"bad entry", `{"accepted": ["not a jid@@"], "blocked": []}`},
		{"wrong type", `{"accepted": "x"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, policyStateFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s := offlineSession(t, dir, nil)
			evs := queued(s)
			errs := only[event.Error](evs)
			if len(errs) != 1 || errs[0].Code != event.CodeConfig || !strings.Contains(errs[0].Message, "set aside") {
				t.Fatalf("events %s, want one config error saying the file was set aside", dumpEvents(evs))
			}
			m, _ := filepath.Glob(path + ".damaged-*")
			if len(m) != 1 {
				t.Fatalf("damaged file not kept: %v", m)
			}
			if b, _ := os.ReadFile(m[0]); string(b) != tt.content {
				t.Errorf("damaged file altered: %q", b)
			}
			// The session works and saves a fresh state.
			s.execute(event.Accept{JID: "mallory@evil.test"})
			if a := only[event.Accepted](queued(s)); len(a) != 1 {
				t.Fatalf("accept after damage: %v", a)
			}
			var d policyFileData
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &d); err != nil || len(d.Accepted) != 1 || d.Accepted[0] != "mallory@evil.test" {
				t.Errorf("saved state %s (%v)", b, err)
			}
		})
	}
}

// BenchmarkRosterTrust measures the trust of a 2,000-contact roster under
// company rules, with an empty cache (the first roster after sign-in or a
// new profile) and with a warm one (a later roster request).
func BenchmarkRosterTrust(b *testing.B) {
	domains := []string{"acme.test", "partner.test", "files.test", "evil.test", "example.org", "acmee.test"}
	jids := make([]string, 2000)
	for i := range jids {
		jids[i] = fmt.Sprintf("contact%04d@%s", i, domains[i%len(domains)])
	}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }})
	if err != nil {
		b.Fatal(err)
	}
	s.setRules(testRules())
	b.Run("cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.pol.mu.Lock()
			s.pol.trust = map[string]event.Trust{}
			s.pol.mu.Unlock()
			for _, j := range jids {
				s.trustOf(j)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, j := range jids {
				s.trustOf(j)
			}
		}
	})
}

// A message queued while offline to a peer blocked since is not sent at
// reconnection: it leaves the outbox as refused.
func TestOutboxBlockedSince(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	s.execute(event.Send{To: "carol@partner.test", Body: "queued", ID: "q1"})
	queued(s)
	s.setBlocked([]string{"carol@partner.test"}, true, false)
	queued(s)
	s.mu.Lock()
	refused := s.outboxRefused(s.outbox.list()[0])
	left := len(s.outbox.list())
	s.mu.Unlock()
	evs := queued(s)
	ref := only[event.Refused](evs)
	if !refused || left != 0 || len(ref) != 1 || ref[0].ID != "q1" || ref[0].Code != event.RefusedBlocked {
		t.Errorf("refused %v, %d left, events %s", refused, left, dumpEvents(evs))
	}
}

// Stanzas from a blocked peer give no event at all; a first message from an
// unknown one is a request.
func TestIncomingFiltered(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	c := &conn{s: s, bare: "alice@acme.test"}
	body := func(b string) *string { return &b }
	queued(s)
	for _, from := range []string{"x@blocked.test/r"} {
		s.onMessage(c, &inStanza{Type: "chat", ID: "1", From: from, Body: body("spam"), Composing: &empty{}, Receipt: &struct {
			ID string `xml:"id,attr"`
		}{ID: "m1"}})
		s.onPresence(c, &inStanza{From: from})
		s.onPresence(c, &inStanza{From: from, Type: "subscribe"})
		if evs := queued(s); len(evs) != 0 {
			t.Errorf("from %s: events %s", from, dumpEvents(evs))
		}
	}
	s.onMessage(c, &inStanza{Type: "chat", ID: "2", From: "eve@evil.test/r", Body: body("hi")})
	s.onMessage(c, &inStanza{Type: "chat", ID: "3", From: "bob@acme.test/r", Body: body("hi")})
	ms := only[event.Message](queued(s))
	if len(ms) != 2 || !ms[0].Request || ms[0].Trust.Class != event.ClassUnknown || ms[1].Request || ms[1].Trust.Class != event.ClassInternal {
		t.Errorf("messages %+v", ms)
	}
}
