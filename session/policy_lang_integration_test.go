package session

import (
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/l10n"
)

// Over a real server, a French user reads the policy's refusals and the
// trust of a first message in French; an English user beside them reads
// the same decisions in English.
func testPolicyFrench(t *testing.T, srv *testenv.Server) {
	alice := freshUser(t, srv, "pfa", "acme.test")
	bob := freshUser(t, srv, "pfb", "acme.test")
	eve := freshUser(t, srv, "pfe", "evil.test")
	french := func(s *Session) { s.lang = l10n.French; s.setRules(testRules()) }

	ra := startSessionWith(t, srv, alice, opts{}, french)
	rb := startSessionWith(t, srv, bob, opts{}, withRules)
	re := startSession(t, srv, eve, opts{})
	ra.connected()
	rb.connected()
	re.connected()
	ra.waitFor("roster", 10*time.Second, isA[event.Roster])
	rb.waitFor("roster", 10*time.Second, isA[event.Roster])

	// The first message to an unknown domain waits for confirmation.
	ra.s.Do(event.Send{To: eve, Body: "premier message", ID: "fr-1"})
	ref := ra.waitFor("refused confirm", 10*time.Second, refusedWith(event.RefusedConfirm)).(event.Refused)
	if want := "evil.test n’est pas une organisation approuvée. Confirmez que vous souhaitez écrire à " + eve + "."; ref.Reason != want {
		t.Errorf("French refusal %q, want %q", ref.Reason, want)
	}
	if ref.Trust == nil || ref.Trust.Reason != "evil.test n’est pas une organisation approuvée." ||
		ref.Trust.FileReason != "Les fichiers destinés à evil.test ne sont pas autorisés\u00a0: le service informatique d’Acme n’autorise les fichiers que vers Acme et Files Inc." {
		t.Errorf("French trust %+v", ref.Trust)
	}
	rb.s.Do(event.Send{To: eve, Body: "first message", ID: "en-1"})
	ref = rb.waitFor("refused confirm", 10*time.Second, refusedWith(event.RefusedConfirm)).(event.Refused)
	if want := "evil.test is not an approved organisation. Confirm that you want to write to " + eve + "."; ref.Reason != want {
		t.Errorf("English refusal %q, want %q", ref.Reason, want)
	}

	// A domain blocked by the rules.
	ra.s.Do(event.Send{To: "someone@blocked.test", Body: "bloqué", ID: "fr-2", Confirmed: true})
	ref = ra.waitFor("refused blocked", 10*time.Second, refusedWith(event.RefusedBlocked)).(event.Refused)
	if want := "blocked.test est bloqué par le service informatique d’Acme."; ref.Reason != want {
		t.Errorf("blocked: %q, want %q", ref.Reason, want)
	}

	// eve writes first: a request whose trust reads in French.
	re.s.Do(event.Send{To: alice, Body: "bonjour de eve"})
	m := ra.message("bonjour de eve")
	if !m.Request || m.Trust.Reason != "evil.test n’est pas une organisation approuvée." {
		t.Errorf("first message from eve: request %v trust %+v", m.Request, m.Trust)
	}
}

func TestProsodyPolicyFrench(t *testing.T)  { testPolicyFrench(t, prosody(t)) }
func TestEjabberdPolicyFrench(t *testing.T) { testPolicyFrench(t, ej(t)) }
