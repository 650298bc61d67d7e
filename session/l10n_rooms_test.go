package session

import (
	"context"
	"crypto/ed25519"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
)

// stanzaErr is a stanza error with one defined condition.
func stanzaErr(cond string) *stanzaError {
	e := &stanzaError{Type: "cancel"}
	e.Conditions = append(e.Conditions, struct{ XMLName xml.Name }{xml.Name{Space: nsStanzaErr, Local: cond}})
	return e
}

// The room's refusals and notices read in French for a French user, and
// stay as they were in English.
func TestRoomSentencesFrench(t *testing.T) {
	status := func(codes ...string) *mucUser {
		u := &mucUser{}
		for _, c := range codes {
			u.Status = append(u.Status, struct {
				Code string `xml:"code,attr"`
			}{c})
		}
		return u
	}
	room := func(lang l10n.Lang, occ ...*event.Occupant) *room {
		r := &room{jid: "projet@conference.acme.test", nick: "sam", lang: lang, occ: map[string]*event.Occupant{}}
		for _, o := range occ {
			r.occ[o.Nick] = o
		}
		return r
	}
	carol := &event.Occupant{Nick: "carol", JID: "carol@partner.test", Trust: event.Trust{Class: event.ClassPartner}}
	boss := &event.Occupant{Nick: "boss", JID: "boss@acrne.test", Trust: event.Trust{Class: event.ClassLookalike, LookalikeOf: "acme.test"}}
	ghost := &event.Occupant{Nick: "ghost"}
	tests := []struct {
		name string
		got  func(l l10n.Lang) string
		en   string
		fr   string
	}{
		{"nickname taken", func(l l10n.Lang) string { return joinError(room(l), stanzaErr("conflict")) },
			`The nickname "sam" is already taken in the room projet@conference.acme.test: join again with another one, for example "sam_2".`,
			"Le pseudonyme \"sam\" est déjà pris dans le salon projet@conference.acme.test\u00a0: rejoignez-le avec un autre, par exemple \"sam_2\"."},
		{"members only", func(l l10n.Lang) string { return joinError(room(l), stanzaErr("registration-required")) },
			"The room projet@conference.acme.test is for members only: ask one of its owners to invite you.",
			"Le salon projet@conference.acme.test est réservé à ses membres\u00a0: demandez à l\u2019un de ses propriétaires de vous inviter."},
		{"full", func(l l10n.Lang) string { return joinError(room(l), stanzaErr("service-unavailable")) },
			"The room projet@conference.acme.test is full or unavailable; try again later.",
			"Le salon projet@conference.acme.test est complet ou indisponible\u202f; réessayez plus tard."},
		{"other refusal", func(l l10n.Lang) string { return joinError(room(l), stanzaErr("gone")) },
			"The room projet@conference.acme.test refused to let you in: gone",
			"Le salon projet@conference.acme.test a refusé de vous laisser entrer\u00a0: gone"},
		{"kicked", func(l l10n.Lang) string {
			return leaveReasonIn(l, status("110", "307"), mucItem{Reason: "spam"}, false)
		}, "You were removed from the room by a moderator (spam).", "Un modérateur vous a exclu du salon (spam)."},
		{"banned", func(l l10n.Lang) string { return leaveReasonIn(l, status("110", "301"), mucItem{}, false) },
			"You were banned from the room.", "Vous avez été banni du salon."},
		{"destroyed", func(l l10n.Lang) string {
			return leaveReasonIn(l, &mucUser{Destroy: &struct {
				Reason string `xml:"reason"`
			}{"moved"}}, mucItem{}, false)
		}, "The room was closed by its owner (moved).", "Le salon a été fermé par son propriétaire (moved)."},
		{"banner", func(l l10n.Lang) string { return bannerOf(room(l, carol, ghost)).Summary },
			"2 external participants: carol@partner.test (partner), ghost (real address hidden)",
			"2 participants extérieurs\u00a0: carol@partner.test (organisation partenaire), ghost (adresse réelle masquée)"},
		{"banner with a lookalike", func(l l10n.Lang) string { return bannerOf(room(l, boss)).Summary },
			"Warning, a lookalike address is in this room. 1 external participant: boss@acrne.test (lookalike of acme.test)",
			"Attention, une adresse imitée se trouve dans ce salon. 1 participant extérieur\u00a0: boss@acrne.test (imite acme.test)"},
	}
	for _, tt := range tests {
		if got := tt.got(l10n.English); got != tt.en {
			t.Errorf("%s, English:\n got %q\nwant %q", tt.name, got, tt.en)
		}
		if got := tt.got(""); got != tt.en {
			t.Errorf("%s, no language:\n got %q\nwant %q", tt.name, got, tt.en)
		}
		if got := tt.got(l10n.French); got != tt.fr {
			t.Errorf("%s, French:\n got %q\nwant %q", tt.name, got, tt.fr)
		}
	}
}

// newLangSession is a session in lang that is never started.
func newLangSession(t *testing.T, lang string) *Session {
	t.Helper()
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: t.TempDir(), Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A Tor that cannot be had is explained in the user's language; the error
// of the system (the missing program) is inserted as it is.
func TestTorFailureFrench(t *testing.T) {
	tests := []struct {
		lang, head, tail string
	}{
		{"en", "Tor is turned on and not available: the tor program was not found (",
			"). Install Tor (Debian and Ubuntu: apt install tor), or give the control port of a Tor that runs already. " +
				"Palisade does not connect without it; turn Tor off in the settings to connect directly."},
		{"fr_FR.UTF-8", "Tor est activé mais n\u2019est pas disponible\u00a0: le programme tor est introuvable (",
			"). Installez Tor (Debian et Ubuntu\u00a0: apt install tor), ou indiquez le port de contrôle d\u2019un Tor déjà lancé. " +
				"Palisade ne se connecte pas sans Tor\u202f; désactivez Tor dans les paramètres pour vous connecter directement."},
	}
	for _, tt := range tests {
		s := newLangSession(t, tt.lang)
		missing := filepath.Join(t.TempDir(), "no-such-tor")
		s.cfg.Tor = TorConfig{Enabled: true, ExePath: missing}
		_, err := s.torDialer(context.Background())
		var f *failure
		if !errors.As(err, &f) || f.code != event.CodeTor {
			t.Fatalf("%s: torDialer = %v, want a failure with code tor", tt.lang, err)
		}
		if !strings.HasPrefix(f.msg, tt.head) || !strings.HasSuffix(f.msg, tt.tail) || !strings.Contains(f.msg, missing) {
			t.Errorf("%s: message\n %q\nwant %q ... (%s) ... %q", tt.lang, f.msg, tt.head, missing, tt.tail)
		}
		// The setting shows the failure (Tor's reason) in the same language.
		reason := ""
		for _, e := range queued(s) {
			if ts, ok := e.(event.TorState); ok && ts.State == event.TorFailed {
				reason = ts.Reason
			}
		}
		if reason == "" || !strings.Contains(f.msg, reason) {
			t.Errorf("%s: TorState reason %q is not the failure's %q", tt.lang, reason, f.msg)
		}
	}
}

// The reasons a training report waits (queued: no IT address, no
// certificate yet, offline) are in the user's language.
func TestTrainingReportQueuedFrench(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	tests := []struct {
		name     string
		reportTo string
		dev      trainingDevice
		en, fr   string
	}{
		{"no IT address", "", trainingDevice{},
			"The profile names no IT address (training.report_to or it.jid): the report is kept until it does.",
			"Le profil n\u2019indique aucune adresse du service informatique (training.report_to ou it.jid)\u00a0: le rapport est conservé jusqu\u2019à ce qu\u2019il en indique une."},
		{"no certificate", "it-admin@acme.test", trainingDevice{},
			"This device has no certificate yet: the report is kept and sent once the device is enrolled.",
			"Cet appareil n\u2019a pas encore de certificat\u00a0: le rapport est conservé et sera envoyé dès que l\u2019appareil aura reçu son certificat."},
		{"offline", "it-admin@acme.test", trainingDevice{Key: key, Chain: [][]byte{{1}}},
			"Not connected: the report is kept and sent when the connection is back.",
			"Non connecté\u00a0: le rapport est conservé et sera envoyé au retour de la connexion."},
	}
	for _, tt := range tests {
		for lang, want := range map[string]string{"": tt.en, "en": tt.en, "fr": tt.fr} {
			s := newLangSession(t, lang)
			queued(s)
			s.train.mu.Lock()
			s.train.reportTo = tt.reportTo
			s.train.data.Reports = []queuedReport{{Module: "phishing", Version: 1, Score: 3, Total: 3}}
			s.train.device = func() (trainingDevice, string) { return tt.dev, "" }
			s.train.mu.Unlock()
			s.sendReports(true)
			reps := only[event.TrainingReport](queued(s))
			if len(reps) != 1 || reps[0].Sent || reps[0].Module != "phishing" || reps[0].Reason != want {
				t.Errorf("%s (%q): reports %+v, want one waiting with reason %q", tt.name, lang, reps, want)
			}
		}
	}
}

// A refused focus command says why in the user's language.
func TestFocusErrorFrench(t *testing.T) {
	bad := event.SetFocus{Rules: []event.FocusRule{{Days: []string{"mon"}, Start: "09:00", End: "10:00"}, {Days: []string{"someday"}, Start: "09:00", End: "10:00"}}}
	tests := []struct {
		lang string
		cmd  event.Command
		want string
	}{
		{"en", event.FocusNow{Minutes: 1441}, "Focus now: minutes must be between 0 (end a manual focus) and 1440."},
		{"fr", event.FocusNow{Minutes: 1441},
			"Me concentrer maintenant\u00a0: la durée doit être comprise entre 0 (pour terminer une concentration manuelle) et 1440 minutes."},
		{"en", bad, `Focus rule 2 was not saved: "someday" is not a day (mon, tue, wed, thu, fri, sat, sun). The focus hours are unchanged.`},
		{"fr", bad, "La règle de concentration 2 n\u2019a pas été enregistrée\u00a0: \"someday\" n\u2019est pas un jour (mon, tue, wed, thu, fri, sat, sun). Les heures de concentration sont inchangées."},
	}
	for _, tt := range tests {
		s := newLangSession(t, tt.lang)
		queued(s)
		s.executeFocus(tt.cmd)
		errs := only[event.Error](queued(s))
		if len(errs) != 1 || errs[0].Message != tt.want || errs[0].Code != event.CodeBadCommand {
			t.Errorf("%s %s: errors %+v, want one bad command %q", tt.lang, tt.cmd.CommandName(), errs, tt.want)
		}
	}
}

// During focus, the presence status is in the user's language, and it is
// recognised as the focus status when it comes back.
func TestFocusStatusFrench(t *testing.T) {
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "Focus until 14:30", "fr": "Concentration jusqu\u2019à 14:30"} {
		s := newLangSession(t, lang)
		s.focus.now = func() time.Time { return now }
		s.focus.loc = time.UTC
		s.executeFocus(event.FocusNow{Minutes: 30})
		p, ok := s.focusPresence(event.SetPresence{Show: event.ShowAvailable})
		if !ok || p.Show != event.ShowDND || p.Status != want {
			t.Errorf("%s: focus presence %+v (%v), want dnd %q", lang, p, ok, want)
		}
		if !policy.IsFocusStatus(p.Status) {
			t.Errorf("%s: %q is not recognised as the focus status", lang, p.Status)
		}
	}
}

// A malformed item from IT's PubSub service is explained in the user's
// language; its Error stays English.
func TestPayloadReasonFrench(t *testing.T) {
	tests := []struct {
		in     string
		en, fr string
	}{
		{`<signed xmlns="urn:palisade:signed:1" kind="profile"><jws>a.b.c</jws></signed>`,
			"malformed PubSub item: the payload has no data",
			"élément PubSub mal formé\u00a0: le contenu n\u2019a pas de données"},
		{`<signed xmlns="urn:palisade:signed:1" kind="policy"><data>AA==</data><jws>a.b.c</jws></signed>`,
			`malformed PubSub item: unknown kind "policy" (want profile or bulletin)`,
			`élément PubSub mal formé` + "\u00a0" + `: type "policy" inconnu (profile ou bulletin attendu)`},
		{`<other xmlns="urn:x"/>`,
			"malformed PubSub item: payload is <other xmlns='urn:x'/>, not <signed xmlns='urn:palisade:signed:1'/>",
			"élément PubSub mal formé\u00a0: le contenu est <other xmlns='urn:x'/> et non <signed xmlns='urn:palisade:signed:1'/>"},
	}
	for _, tt := range tests {
		_, err := decodeSigned([]byte(tt.in))
		if err == nil {
			t.Fatalf("%s: decoded", tt.in)
		}
		if got := err.Error(); got != tt.en {
			t.Errorf("Error() = %q, want %q", got, tt.en)
		}
		if got := payloadReason(l10n.English, err); got != tt.en {
			t.Errorf("English = %q, want %q", got, tt.en)
		}
		if got := payloadReason(l10n.French, err); got != tt.fr {
			t.Errorf("French = %q, want %q", got, tt.fr)
		}
	}
	if got := payloadReason(l10n.French, errPayload("a bulletin on the profile node n")); got != "élément PubSub mal formé\u00a0: a bulletin on the profile node n" {
		t.Errorf("errPayload in French = %q", got)
	}
	if got := payloadReason(l10n.French, errors.New("other")); got != "other" {
		t.Errorf("another error = %q", got)
	}
}

// A Tor setting the company fixes is refused in the user's language.
func TestTorSettingLockedFrench(t *testing.T) {
	it := newITDesk(t, prosodyStub())
	tests := []struct {
		rule    string
		enabled bool
		en, fr  string
	}{
		{"required", false, "Tor cannot be turned off: your company requires Tor.", "Tor ne peut pas être désactivé\u00a0: votre entreprise exige Tor."},
		{"off", true, "Tor cannot be turned on: your company does not allow Tor.", "Tor ne peut pas être activé\u00a0: votre entreprise n\u2019autorise pas Tor."},
	}
	for _, tt := range tests {
		for lang, want := range map[string]string{"en": tt.en, "fr": tt.fr} {
			dir := t.TempDir()
			mgr := torProfile(t, it, dir, map[string]any{"tor": tt.rule})
			s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }, DataDir: dir, Profiles: mgr, Lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			queued(s)
			s.execute(event.SetTor{Enabled: tt.enabled})
			errs := only[event.Error](queued(s))
			if len(errs) != 1 || errs[0].Message != want {
				t.Errorf("%s, %s: errors %+v, want %q", tt.rule, lang, errs, want)
			}
		}
	}
}
