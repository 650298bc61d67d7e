package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
)

// langSession is offlineSession in a language.
func langSession(t *testing.T, lang, dir string, r *policy.Rules) *Session {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	if r != nil {
		s.setRules(*r)
	}
	return s
}

// The policy's reasons and this side's messages reach the events in the
// user's language (Config.Lang); English stays as it was.
func TestPolicyReasonsInUserLanguage(t *testing.T) {
	const nb = "\u00a0"
	dir := t.TempDir()
	file := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(file, []byte("%PDF"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		run    func(s *Session) string
		en, fr string
	}{
		{"trust of a partner", func(s *Session) string { return s.trustOf("carol@partner.test").Reason },
			"partner.test belongs to Partner Corp, a partner approved by Acme IT.",
			"partner.test appartient à Partner Corp, organisation partenaire approuvée par le service informatique d’Acme."},
		{"file reason of a partner", func(s *Session) string { return s.trustOf("carol@partner.test").FileReason },
			"Files to Partner Corp are not allowed by Acme IT.",
			"Les fichiers destinés à Partner Corp ne sont pas autorisés par le service informatique d’Acme."},
		{"first message refused until confirmed", func(s *Session) string {
			s.execute(event.Send{To: "dave@example.net", Body: "hi", ID: "m1"})
			return refusedReason(t, queued(s))
		},
			"example.net is not an approved organisation. Confirm that you want to write to dave@example.net.",
			"example.net n’est pas une organisation approuvée. Confirmez que vous souhaitez écrire à dave@example.net."},
		{"file to an unknown domain", func(s *Session) string {
			s.execute(event.SendFile{To: "dave@example.net", Path: file, ID: "f1"})
			return refusedReason(t, queued(s))
		},
			"Files to example.net are not allowed: Acme IT allows files only to Acme and Files Inc.",
			"Les fichiers destinés à example.net ne sont pas autorisés" + nb + ": le service informatique d’Acme n’autorise les fichiers que vers Acme et Files Inc."},
		{"file over a partner's limit", func(s *Session) string {
			big := filepath.Join(t.TempDir(), "big.bin")
			if err := os.WriteFile(big, make([]byte, 2<<20), 0o600); err != nil {
				t.Fatal(err)
			}
			s.execute(event.SendFile{To: "fred@files.test", Path: big, ID: "f2"})
			return refusedReason(t, queued(s))
		},
			"Files larger than 1 MB cannot be sent to Files Inc.",
			"Les fichiers de plus de 1" + nb + "Mio ne peuvent pas être envoyés à Files Inc."},
		{"file that does not exist", func(s *Session) string {
			s.execute(event.SendFile{To: "bob@acme.test", Path: filepath.Join(dir, "missing.pdf"), ID: "f3"})
			return errorMessage(t, queued(s))
		},
			"The file " + filepath.Join(dir, "missing.pdf") + " does not exist.",
			"Le fichier " + filepath.Join(dir, "missing.pdf") + " n’existe pas."},
		{"a folder", func(s *Session) string {
			s.execute(event.SendFile{To: "bob@acme.test", Path: dir, ID: "f4"})
			return errorMessage(t, queued(s))
		},
			dir + " is a folder: only a single file can be sent.",
			dir + " est un dossier" + nb + ": seul un fichier unique peut être envoyé."},
		{"accept a bad address", func(s *Session) string {
			s.execute(event.Accept{JID: "not an address"})
			return errorMessage(t, queued(s))
		},
			"Not a valid contact address: not an address",
			"Adresse de contact non valide" + nb + ": not an address"},
	}
	for _, tt := range tests {
		for _, c := range []struct{ lang, want string }{{"", tt.en}, {"en_GB.UTF-8", tt.en}, {"fr", tt.fr}} {
			r := testRules()
			s := langSession(t, c.lang, "", &r)
			queued(s)
			if got := tt.run(s); got != c.want {
				t.Errorf("%s (%q):\n got %q\nwant %q", tt.name, c.lang, got, c.want)
			}
		}
	}
}

// A damaged list of accepted contacts is reported in the user's language.
func TestPolicyStateDamagedInFrench(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, policyStateFile)
	if err := os.WriteFile(path, []byte(`{"accepted": ["not a jid@@"], "blocked": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := langSession(t, "fr_FR.UTF-8", dir, nil)
	msg := errorMessage(t, queued(s))
	m, _ := filepath.Glob(path + ".damaged-*")
	if len(m) != 1 {
		t.Fatalf("damaged file not kept: %v", m)
	}
	want := "La liste des contacts acceptés et des blocages était endommagée (\"not a jid@@\" n’est pas une adresse valide). Elle a été mise de côté sous le nom " + m[0] +
		"\u202f; la liste des contacts acceptés repart de zéro (les blocages sont récupérés auprès du serveur à la connexion)."
	if msg != want {
		t.Errorf("message\n got %q\nwant %q", msg, want)
	}
	if s.engine().Rules().Lang != l10n.French {
		t.Errorf("the engine's language is %q, want fr", s.engine().Rules().Lang)
	}
}

func refusedReason(t *testing.T, evs []event.Event) string {
	t.Helper()
	r := only[event.Refused](evs)
	if len(r) != 1 {
		t.Fatalf("events %s, want one refusal", dumpEvents(evs))
	}
	return r[0].Reason
}

func errorMessage(t *testing.T, evs []event.Event) string {
	t.Helper()
	e := only[event.Error](evs)
	if len(e) != 1 {
		t.Fatalf("events %s, want one error", dumpEvents(evs))
	}
	return strings.TrimSpace(e[0].Message)
}
