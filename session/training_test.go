package session

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/assets/lessons"
	"github.com/palisade-im/palisade/audit"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
)

// trainingProfile is a signed profile of it's organisation (acme.test, with
// partner.test as a partner allowed files) whose training section is tr.
func trainingProfile(t testing.TB, it *itDesk, serial int64, tr map[string]any, identityCA ...[]byte) ([]byte, string) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	p := map[string]any{
		"format":          profile.Format,
		"id":              "acme-main",
		"serial":          serial,
		"issued_at":       now.Add(-time.Hour),
		"expires_at":      now.Add(30 * 24 * time.Hour),
		"organisation":    map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"partners":        []map[string]any{{"name": "Partner Ltd", "domains": []string{"partner.test"}, "files_allowed": true}},
		"unknown_domains": "warn",
		"it": map[string]any{
			"jid":            "it-admin@acme.test",
			"pubsub_service": it.srv.PubSubService,
			"profile_node":   it.profileNode,
			"bulletin_node":  it.bulletinNode,
		},
	}
	if tr != nil {
		p["training"] = tr
	}
	if len(identityCA) > 0 {
		p["trusted_cas"] = map[string]any{"identity": []string{string(identityCA[0])}}
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profile.Parse(data); err != nil {
		t.Fatalf("test profile: %v", err)
	}
	return data, it.sign(data)
}

// offlineTraining is a session that never connects, with a profile that
// has the given training section, in dir ("" = a new one).
func offlineTraining(t testing.TB, dir string, tr map[string]any, lang string) *Session {
	t.Helper()
	it := newITDesk(t, &testenv.Server{PubSubService: "pubsub.acme.test"})
	if dir == "" {
		dir = t.TempDir()
	}
	m := it.manager(dir)
	data, sig := trainingProfile(t, it, time.Now().UnixMicro(), tr)
	if _, err := m.Apply(data, sig, "managed"); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir, Profiles: m, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rightAnswers are the right choices of a built-in module's quiz.
func rightAnswers(t testing.TB, id string) []int {
	t.Helper()
	c, err := lessons.Catalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := c.Module(id, "en")
	if !ok {
		t.Fatalf("no module %s", id)
	}
	var a []int
	for _, q := range m.Questions {
		for i, ch := range q.Choices {
			if ch.Correct {
				a = append(a, i)
			}
		}
	}
	return a
}

func wrongAnswers(t testing.TB, id string) []int {
	a := rightAnswers(t, id)
	for i := range a {
		a[i] = (a[i] + 1) % 2
	}
	return a
}

func eventsOf[T event.Event](evs []event.Event) []T {
	var out []T
	for _, e := range evs {
		if v, ok := e.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func trainingRefusals(evs []event.Event) []event.Refused {
	var out []event.Refused
	for _, r := range eventsOf[event.Refused](evs) {
		if r.Code == event.RefusedTraining {
			out = append(out, r)
		}
	}
	return out
}

// Gates are enforced in the session: each gated command is refused with
// the reason naming the module, others pass, and a passed quiz lifts the
// gate at once.
func TestTrainingGates(t *testing.T) {
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		training map[string]any
		cmd      event.Command
		reason   string // "" = not refused by training
		module   string // completing it lifts the gate
	}{
		{"external chat gated", map[string]any{"required": []any{"phishing"}}, event.Send{To: "carol@partner.test", Body: "hi", ID: "m1"},
			"Complete 'Phishing and spam over IM' to write to people outside your organisation.", "phishing"},
		{"external chat to a stranger", map[string]any{"required": []any{"phishing"}}, event.Send{To: "eve@evil.test/phone", Body: "hi"},
			"Complete 'Phishing and spam over IM' to write", "phishing"},
		{"colleagues are never gated", map[string]any{"required": []any{"phishing"}}, event.Send{To: "bob@acme.test", Body: "hi"}, "", ""},
		{"own account is never gated", map[string]any{"required": []any{"phishing"}}, event.Send{To: "alice@acme.test/laptop", Body: "hi"}, "", ""},
		{"blocked is left to the policy", map[string]any{"required": []any{"phishing"}}, event.Block{JID: "x@acme.test"}, "", ""},
		{"any file", map[string]any{"required": []any{"files"}}, event.SendFile{To: "bob@acme.test", Path: file},
			"Complete 'Files and data leaks' to send files.", "files"},
		{"file to a partner needs both", map[string]any{"required": []any{"verify-identity"}}, event.SendFile{To: "carol@partner.test", Path: file},
			"Complete 'Verify who you are talking to' to send files to partners.", "verify-identity"},
		{"file to a colleague not external", map[string]any{"required": []any{"verify-identity"}}, event.SendFile{To: "bob@acme.test", Path: file}, "", ""},
		{"profile gates replace the module's", map[string]any{"required": []any{"manners", "phishing"}, "gates": map[string]any{"external-chat": []any{"manners"}}},
			event.Send{To: "carol@partner.test", Body: "hi"}, "Complete 'Presence, focus hours and good manners' to write", "manners"},
		{"profile gates with nothing listed", map[string]any{"required": []any{"phishing"}, "gates": map[string]any{"files": []any{"phishing"}}},
			event.Send{To: "carol@partner.test", Body: "hi"}, "", ""},
		{"not required, not gated", map[string]any{"required": []any{"manners"}}, event.Send{To: "carol@partner.test", Body: "hi"}, "", ""},
		{"no training section", nil, event.SendFile{To: "carol@partner.test", Path: file}, "", ""},
		{"pointer commands too", map[string]any{"required": []any{"phishing"}}, &event.Send{To: "carol@partner.test", Body: "hi"},
			"Complete 'Phishing and spam over IM'", "phishing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := offlineTraining(t, "", tt.training, "")
			takeEvents(s)
			s.execute(tt.cmd)
			refused := trainingRefusals(takeEvents(s))
			if tt.reason == "" {
				if len(refused) > 0 {
					t.Fatalf("refused: %+v", refused)
				}
				return
			}
			if len(refused) != 1 || !strings.HasPrefix(refused[0].Reason, tt.reason) {
				t.Fatalf("refusals %+v, want one with %q", refused, tt.reason)
			}
			if n := len(s.outbox.list()); n != 0 {
				t.Errorf("%d messages queued after a refusal", n)
			}
			// A failed quiz keeps the gate; a passed one lifts it at once.
			s.execute(event.SubmitQuiz{Module: tt.module, Version: 1, Answers: wrongAnswers(t, tt.module)})
			evs := takeEvents(s)
			if r := eventsOf[event.QuizResult](evs); len(r) != 1 || r[0].Passed || r[0].Score != 0 {
				t.Fatalf("wrong answers: %+v", r)
			}
			s.execute(tt.cmd)
			if len(trainingRefusals(takeEvents(s))) != 1 {
				t.Fatal("a failed quiz lifted the gate")
			}
			s.execute(event.SubmitQuiz{Module: tt.module, Version: 1, Answers: rightAnswers(t, tt.module)})
			evs = takeEvents(s)
			if r := eventsOf[event.QuizResult](evs); len(r) != 1 || !r[0].Passed {
				t.Fatalf("right answers: %+v", r)
			}
			tr := eventsOf[event.Training](evs)
			if len(tr) != 1 || len(tr[0].Outstanding) != 0 && tr[0].Outstanding[0] == tt.module {
				t.Fatalf("training after the pass: %+v", tr)
			}
			s.execute(tt.cmd)
			if r := trainingRefusals(takeEvents(s)); len(r) != 0 {
				t.Fatalf("still refused after the pass: %+v", r)
			}
		})
	}
}

// Rooms: messages, private messages, invitations and files to a room with
// outsiders need the external training; a room of colleagues does not.
func TestTrainingGatesRooms(t *testing.T) {
	tr := map[string]any{"required": []any{"phishing", "verify-identity"}}
	internal := &event.Occupant{Nick: "bob", JID: "bob@acme.test"}
	self := &event.Occupant{Nick: "alice", JID: "alice@acme.test", Self: true}
	outsider := &event.Occupant{Nick: "carol", JID: "carol@partner.test"}
	hidden := &event.Occupant{Nick: "ghost"}
	file := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(file, []byte("x"), 0o600)
	tests := []struct {
		name    string
		occ     []*event.Occupant
		cmd     event.Command
		refused bool
	}{
		{"colleagues only", []*event.Occupant{self, internal}, event.SendRoomMessage{Room: "r@conference.acme.test", Body: "hi"}, false},
		{"a partner inside", []*event.Occupant{self, internal, outsider}, event.SendRoomMessage{Room: "r@conference.acme.test", Body: "hi"}, true},
		{"a hidden address", []*event.Occupant{self, hidden}, event.SendRoomMessage{Room: "r@conference.acme.test", Body: "hi"}, true},
		{"private to a colleague", []*event.Occupant{self, internal, outsider}, event.PrivateMessage{Room: "r@conference.acme.test", Nick: "bob", Body: "hi"}, false},
		{"private to an outsider", []*event.Occupant{self, internal, outsider}, event.PrivateMessage{Room: "r@conference.acme.test", Nick: "carol", Body: "hi"}, true},
		{"invite an outsider", []*event.Occupant{self, internal}, event.Invite{Room: "r@conference.acme.test", JID: "carol@partner.test"}, true},
		{"invite a colleague to a room with outsiders", []*event.Occupant{self, outsider}, event.Invite{Room: "r@conference.acme.test", JID: "dave@acme.test"}, true},
		{"invite a colleague", []*event.Occupant{self, internal}, event.Invite{Room: "r@conference.acme.test", JID: "dave@acme.test"}, false},
		{"file to a room with outsiders", []*event.Occupant{self, outsider}, event.SendFile{To: "r@conference.acme.test", Path: file}, true},
		{"file to colleagues", []*event.Occupant{self, internal}, event.SendFile{To: "r@conference.acme.test", Path: file}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := offlineTraining(t, "", tr, "")
			r := &room{jid: "r@conference.acme.test", nick: "alice", joined: true, occ: map[string]*event.Occupant{}}
			for _, o := range tt.occ {
				r.occ[o.Nick] = o
			}
			s.muc.rooms = map[string]*room{roomKey(r.jid): r}
			takeEvents(s)
			s.execute(tt.cmd)
			got := trainingRefusals(takeEvents(s))
			if (len(got) > 0) != tt.refused {
				t.Fatalf("training refusals %+v, want refused=%v", got, tt.refused)
			}
		})
	}
}

// The Training event: required modules first in the profile's order, the
// outstanding ones, the gates with reasons, the welcome until it is seen;
// French content when the language is French.
func TestTrainingEvent(t *testing.T) {
	s := offlineTraining(t, "", map[string]any{"required": []any{"files", "phishing", "no-such-module"}}, "fr_FR.UTF-8")
	takeEvents(s)
	s.execute(event.GetTraining{})
	tr := eventsOf[event.Training](takeEvents(s))
	if len(tr) != 1 {
		t.Fatal("no training event")
	}
	ev := tr[0]
	if ev.Lang != "fr" || !strings.HasPrefix(ev.Welcome, "# ") || ev.WelcomeSeen {
		t.Errorf("lang %q, welcome %.20q, seen %v", ev.Lang, ev.Welcome, ev.WelcomeSeen)
	}
	if len(ev.Modules) != len(lessons.Order) || ev.Modules[0].ID != "files" || ev.Modules[1].ID != "phishing" || !ev.Modules[0].Required || ev.Modules[2].Required {
		t.Errorf("modules %+v", ev.Modules)
	}
	if ev.Modules[0].Title != "Fichiers et fuites de données" && !strings.Contains(ev.Modules[0].Title, "ichiers") {
		t.Errorf("French title %q", ev.Modules[0].Title)
	}
	if strings.Join(ev.Outstanding, ",") != "files,phishing" {
		t.Errorf("outstanding %v", ev.Outstanding)
	}
	if g := ev.Gates["files"]; g.Allowed || !strings.HasPrefix(g.Reason, "Terminez") {
		t.Errorf("files gate %+v", g)
	}
	s.execute(event.WelcomeSeen{})
	tr = eventsOf[event.Training](takeEvents(s))
	if len(tr) != 1 || tr[0].Welcome != "" || !tr[0].WelcomeSeen {
		t.Errorf("after welcome_seen: %+v", tr)
	}
	// The lesson carries no answer; a stale version is refused.
	s.execute(event.GetLesson{Module: "files"})
	ls := eventsOf[event.Lesson](takeEvents(s))
	if len(ls) != 1 || ls[0].Lang != "fr" || len(ls[0].Questions) < 3 || ls[0].Pass == 0 || strings.Contains(ls[0].Text, "\n+ ") {
		t.Fatalf("lesson %+v", ls)
	}
	s.execute(event.GetLesson{Module: "files", Lang: "en"})
	if ls := eventsOf[event.Lesson](takeEvents(s)); len(ls) != 1 || ls[0].Title != "Files and data leaks" {
		t.Errorf("English lesson on request: %+v", ls)
	}
	for _, c := range []event.Command{
		event.SubmitQuiz{Module: "files", Version: 9, Answers: rightAnswers(t, "files")},
		event.SubmitQuiz{Module: "files", Version: 1, Answers: []int{0, 0, 0, 0, 0, 0}},
		event.SubmitQuiz{Module: "files", Version: 1, Answers: []int{7}},
		event.SubmitQuiz{Module: "nothing"},
		event.GetLesson{Module: "nothing"},
		event.PromptSeen{Kind: "first-unknown-chat"},
	} {
		s.execute(c)
		evs := takeEvents(s)
		if errs := eventsOf[event.Error](evs); len(errs) != 1 || errs[0].Code != event.CodeBadCommand {
			t.Errorf("%+v: events %+v, want one bad-command error", c, evs)
		}
	}
	// A pass with the explanations; a report waits (no device certificate),
	// saying why in the session's language (French here).
	s.execute(event.SubmitQuiz{Module: "files", Version: 1, Answers: rightAnswers(t, "files")})
	evs := takeEvents(s)
	qr := eventsOf[event.QuizResult](evs)
	if len(qr) != 1 || !qr[0].Passed || qr[0].Score != qr[0].Total || qr[0].Answers[0].Explain == "" {
		t.Fatalf("quiz result %+v", qr)
	}
	rep := eventsOf[event.TrainingReport](evs)
	if len(rep) != 1 || rep[0].Sent || rep[0].To != "it-admin@acme.test" || !strings.Contains(rep[0].Reason, "pas encore de certificat") {
		t.Errorf("report %+v", rep)
	}
	if s.train.data.Reports[0].Module != "files" {
		t.Errorf("report not queued: %+v", s.train.data.Reports)
	}
}

// Prompts are shown once per kind, across triggers and restarts; the
// state file is private; a damaged one is set aside.
func TestTrainingPromptsOnce(t *testing.T) {
	dir := t.TempDir()
	s := offlineTraining(t, dir, nil, "")
	takeEvents(s)
	s.execute(event.Send{To: "eve@evil.test", Body: "hello"})
	s.execute(event.Send{To: "mallory@other.test", Body: "hello"})
	s.execute(event.Send{To: "bob@acme.test", Body: "hello"})
	s.emit(event.Message{From: "eve@evil.test/x", Body: "see https://evil.test/a", Trust: s.trustOf("eve@evil.test")})
	s.emit(event.Message{From: "bob@acme.test/x", Body: "see https://acme.test/a", Trust: s.trustOf("bob@acme.test")})
	s.emit(event.Message{From: "carol@partner.test/x", Body: "www.partner.test", Trust: s.trustOf("carol@partner.test")})
	s.emit(event.IdentityChanged{JID: "bob@acme.test", Change: event.ChangeNewDevice})
	file := filepath.Join(t.TempDir(), "offer.pdf")
	os.WriteFile(file, []byte("%PDF"), 0o600)
	s.execute(event.SendFile{To: "bob@acme.test", Path: file})
	s.execute(event.SendFile{To: "carol@partner.test", Path: file})
	s.execute(event.SendFile{To: "dan@partner.test", Path: file})
	prompts := eventsOf[event.TrainingPrompt](takeEvents(s))
	kinds := []string{}
	for _, p := range prompts {
		kinds = append(kinds, p.Kind+":"+p.JID)
		if p.Title == "" || p.Body == "" || p.Module == "" {
			t.Errorf("prompt %+v incomplete", p)
		}
	}
	want := "first-unknown-chat:eve@evil.test,first-external-link:eve@evil.test,first-identity-change:bob@acme.test,first-partner-file:carol@partner.test"
	if strings.Join(kinds, ",") != want {
		t.Errorf("prompts %v, want %s", kinds, want)
	}
	s.execute(event.PromptSeen{Kind: "first-unknown-chat", OpenedLesson: true})
	if errs := eventsOf[event.Error](takeEvents(s)); len(errs) != 0 {
		t.Errorf("prompt_seen: %+v", errs)
	}
	fi, err := os.Stat(filepath.Join(dir, trainingStateFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
	// Shown and seen prompts are in the audit log.
	s.closeAudit()
	f, err := os.Open(audit.Path(filepath.Join(dir, audit.DirName)))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := audit.ReadEntries(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	for _, e := range entries {
		if strings.HasPrefix(e.Kind, "training_") {
			logged = append(logged, e.Kind+":"+fmt.Sprint(e.Fields["kind"]))
		}
	}
	if got := strings.Join(logged, ","); got != "training_prompt_shown:first-unknown-chat,training_prompt_shown:first-external-link,training_prompt_shown:first-identity-change,training_prompt_shown:first-partner-file,training_prompt_seen:first-unknown-chat" {
		t.Errorf("audit log: %s", got)
	}

	// Restart: no prompt again.
	s2 := offlineTraining(t, dir, nil, "")
	takeEvents(s2)
	s2.execute(event.Send{To: "eve@evil.test", Body: "again"})
	s2.emit(event.Message{From: "eve@evil.test/x", Body: "http://evil.test/b", Trust: s2.trustOf("eve@evil.test")})
	if p := eventsOf[event.TrainingPrompt](takeEvents(s2)); len(p) != 0 {
		t.Errorf("prompts shown again after a restart: %+v", p)
	}
	if rec := s2.train.data.Prompts["first-unknown-chat"]; rec.Seen.IsZero() || !rec.OpenedLesson {
		t.Errorf("seen not kept: %+v", rec)
	}

	// A damaged file is set aside; the session starts with empty progress.
	os.WriteFile(filepath.Join(dir, trainingStateFile), []byte("{not json"), 0o600)
	s3 := offlineTraining(t, dir, nil, "")
	errs := eventsOf[event.Error](takeEvents(s3))
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "set aside") {
		t.Errorf("damaged state: %+v", errs)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, trainingStateFile+".damaged-*")); len(m) != 1 {
		t.Errorf("damaged file not kept aside: %v", m)
	}
}

func TestTrainingLang(t *testing.T) {
	for in, want := range map[string]string{"": "en", "fr": "fr", "fr_FR.UTF-8": "fr", "FR": "fr", "de_DE": "de", "C": "en", "POSIX": "en", "english": "en"} {
		if got := trainingLang(in); got != want {
			t.Errorf("trainingLang(%q) = %q, want %q", in, got, want)
		}
	}
}

// Reports are signed only once enrolment holds a certificate, and only
// with a chain whose leaf certifies this device's key.
func TestDeviceForReports(t *testing.T) {
	ca := newTestCA(t, "ACME Identity CA")
	key, chain := ca.device("alice@acme.test")
	otherKey, _ := ca.device("alice@acme.test")
	tests := []struct {
		name   string
		dev    *DeviceFile
		key    []byte
		want   bool
		reason string
	}{
		{"enrolled", &DeviceFile{State: event.EnrolEnrolled, Chain: string(chain)}, key, true, ""},
		{"no device state", nil, key, false, ""},
		{"request pending", &DeviceFile{State: event.EnrolPending}, key, false, ""},
		{"certificate expired", &DeviceFile{State: event.EnrolExpired, Chain: string(chain)}, key, false, ""},
		{"certificate of another key", &DeviceFile{State: event.EnrolEnrolled, Chain: string(chain)}, otherKey, false, "another key"},
		{"no key", &DeviceFile{State: event.EnrolEnrolled, Chain: string(chain)}, nil, false, ""},
		{"damaged chain", &DeviceFile{State: event.EnrolEnrolled, Chain: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}, key, false, ""},
	}
	for _, tt := range tests {
		s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: t.TempDir(), DeviceKey: tt.key})
		if err != nil {
			t.Fatal(err)
		}
		s.enr.dev = tt.dev
		dev, why := s.deviceForReports()
		if got := len(dev.Chain) > 0 && dev.Key != nil; got != tt.want || !strings.Contains(why, tt.reason) {
			t.Errorf("%s: device %v (%d certificates), reason %q", tt.name, got, len(dev.Chain), why)
		}
	}
}
