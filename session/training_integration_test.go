package session

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/training"
)

// testCA is an identity CA for the training tests.
type testCA struct {
	t    *testing.T
	ca   *identity.CA
	cert []byte // PEM
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	certPEM, keyPEM, err := identity.NewCA(name, "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := identity.LoadCA(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{t: t, ca: ca, cert: certPEM}
}

// device makes a device key for jid and a certificate chain (PEM, leaf
// then CA) for it.
func (c testCA) device(jid string) (ed25519.PrivateKey, []byte) {
	c.t.Helper()
	k, err := identity.NewKey()
	if err != nil {
		c.t.Fatal(err)
	}
	csr, err := identity.CreateRequest(k, identity.Request{JID: jid, Name: strings.Split(jid, "@")[0], DeviceID: identity.DeviceID(k.Public().(ed25519.PublicKey))})
	if err != nil {
		c.t.Fatal(err)
	}
	info, err := identity.ParseRequest(csr)
	if err != nil {
		c.t.Fatal(err)
	}
	cert, err := c.ca.Issue(info, identity.IssueOptions{Org: "ACME", Now: time.Now().Add(-time.Minute), Validity: 24 * time.Hour})
	if err != nil {
		c.t.Fatal(err)
	}
	return k, append(cert, c.cert...)
}

func (c testCA) verifier() *identity.Verifier {
	c.t.Helper()
	certs, err := identity.ParseCertificates(c.cert)
	if err != nil {
		c.t.Fatal(err)
	}
	v, err := identity.NewVerifier([]identity.Anchor{{Cert: certs[0], Org: "ACME", Domains: []string{"acme.test"}}}, nil, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

func chainDER(t *testing.T, pemChain []byte) [][]byte {
	t.Helper()
	c, err := identity.ChainDER(pemChain)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeRaw writes a stanza on a recorder's live connection.
func writeRaw(t *testing.T, r *recorder, e *el) {
	t.Helper()
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.cur == nil {
		t.Fatal("not connected")
	}
	if err := r.s.write(r.s.cur, &outStanza{el: e}); err != nil {
		t.Fatal(err)
	}
}

// The whole path over real Prosody: a send gated until the quiz is
// passed, the signed report received by IT from its archive and verified,
// forged reports rejected, and a prompt shown once across triggers and a
// restart.
func TestTrainingProsody(t *testing.T) {
	srv := prosody(t)
	user := freshUser(t, srv, "trainee", "acme.test")
	itJID := freshUser(t, srv, "it-train", "acme.test")
	forger := freshUser(t, srv, "forger", "acme.test")
	ca := newTestCA(t, "ACME Identity CA")

	it := newITDesk(t, srv)
	dir := t.TempDir()
	m := it.manager(dir)
	data, sig := trainingProfile(t, it, 1, map[string]any{"required": []any{"phishing"}, "report_to": itJID}, ca.cert)
	if _, err := m.Apply(data, sig, "managed"); err != nil {
		t.Fatal(err)
	}
	// The device enrolled (enrol.go keeps the chain in device.json).
	key, chainPEM := ca.device(user)
	pub := key.Public().(ed25519.PublicKey)
	if err := SaveDevice(dir, &DeviceFile{JID: user, DeviceID: identity.DeviceID(pub), PublicKey: pub, State: event.EnrolEnrolled, Chain: string(chainPEM)}); err != nil {
		t.Fatal(err)
	}
	tune := func(s *Session) { s.cfg.Profiles, s.cfg.DeviceKey = m, key }

	r := startSessionWith(t, srv, user, opts{dataDir: dir}, tune)
	r.waitFor("training", 10*time.Second, func(e event.Event) bool {
		tr, ok := e.(event.Training)
		return ok && len(tr.Outstanding) == 1 && tr.Outstanding[0] == "phishing"
	})
	r.connected()

	// Gated: refused with the reason, nothing sent.
	r.s.Do(event.Send{To: "carol@partner.test", Body: "price list?", ID: "gated-1"})
	ref := r.waitFor("refused", 10*time.Second, refusedWith(event.RefusedTraining)).(event.Refused)
	if ref.ID != "gated-1" || !strings.Contains(ref.Reason, "'Phishing and spam over IM'") || ref.Trust == nil || ref.Trust.Class != event.ClassPartner {
		t.Errorf("refused = %+v", ref)
	}
	if r.seen(func(e event.Event) bool { s, ok := e.(event.Sent); return ok && s.ID == "gated-1" }) {
		t.Fatal("a gated message was sent")
	}

	// A failed quiz keeps the gate; a pass lifts it and sends the report.
	r.s.Do(event.SubmitQuiz{Module: "phishing", Version: 1, Answers: wrongAnswers(t, "phishing")})
	if q := r.waitFor("failed quiz", 10*time.Second, isA[event.QuizResult]).(event.QuizResult); q.Passed {
		t.Fatalf("wrong answers passed: %+v", q)
	}
	r.s.Do(event.Send{To: "carol@partner.test", Body: "price list?", ID: "gated-2"})
	r.waitFor("refused again", 10*time.Second, refusedWith(event.RefusedTraining))
	r.s.Do(event.SubmitQuiz{Module: "phishing", Version: 1, Answers: rightAnswers(t, "phishing")})
	if q := r.waitFor("passed quiz", 10*time.Second, isA[event.QuizResult]).(event.QuizResult); !q.Passed {
		t.Fatalf("right answers failed: %+v", q)
	}
	rep := r.waitFor("report", 10*time.Second, isA[event.TrainingReport]).(event.TrainingReport)
	if !rep.Sent || rep.To != itJID || rep.Module != "phishing" {
		t.Fatalf("report = %+v", rep)
	}
	r.s.Do(event.Send{To: "carol@partner.test", Body: "price list?", ID: "lifted-1"})
	r.waitFor("sent after the pass", 10*time.Second, func(e event.Event) bool { s, ok := e.(event.Sent); return ok && s.ID == "lifted-1" && !s.Queued })

	// The prompt of a first chat with an unknown domain: once.
	r.s.Do(event.Send{To: "eve@evil.test", Body: "who are you?", ID: "u1"})
	p := r.waitFor("prompt", 10*time.Second, isA[event.TrainingPrompt]).(event.TrainingPrompt)
	if p.Kind != training.PromptUnknownChat || p.JID != "eve@evil.test" || p.Module != "phishing" {
		t.Errorf("prompt = %+v", p)
	}
	r.s.Do(event.PromptSeen{Kind: p.Kind})
	r.s.Do(event.Send{To: "mallory@evil.test", Body: "and you?", ID: "u2"})
	r.waitFor("second send", 10*time.Second, func(e event.Event) bool { s, ok := e.(event.Sent); return ok && s.ID == "u2" })
	if n := len(eventsOf[event.TrainingPrompt](r.all())); n != 1 {
		t.Errorf("%d prompts after two first chats, want 1", n)
	}
	r.quit()
	r2 := startSessionWith(t, srv, user, opts{dataDir: dir}, tune)
	r2.connected()
	r2.s.Do(event.Send{To: "eve@evil.test", Body: "again", ID: "u3"})
	r2.waitFor("send after restart", 10*time.Second, func(e event.Event) bool { s, ok := e.(event.Sent); return ok && s.ID == "u3" })
	if len(eventsOf[event.TrainingPrompt](r2.all())) != 0 || len(trainingRefusals(r2.all())) != 0 {
		t.Errorf("after a restart: prompts %v, refusals %v", eventsOf[event.TrainingPrompt](r2.all()), trainingRefusals(r2.all()))
	}

	// Forged reports, written by another account.
	f := startSessionWith(t, srv, forger, opts{}, nil)
	f.connected()
	good := training.Report{JID: user, DeviceID: identity.DeviceID(key.Public().(ed25519.PublicKey)), Module: "phishing", Version: 1, Score: 3, Total: 3, CompletedAt: time.Now().UTC()}
	otherKey, _ := identity.NewKey()
	forgerKey, forgerChain := ca.device(forger)
	rogueKey, rogueChain := newTestCA(t, "Rogue CA").device(user)
	forge := func(k ed25519.PrivateKey, r training.Report, chain []byte, tamper bool) {
		r.DeviceID = identity.DeviceID(k.Public().(ed25519.PublicKey))
		data, sig, err := training.SignReport(k, r)
		if err != nil {
			t.Fatal(err)
		}
		if tamper {
			data = []byte(strings.Replace(string(data), `"score":3`, `"score":9`, 1))
			data = []byte(strings.Replace(string(data), `"total":3`, `"total":9`, 1))
		}
		writeRaw(t, f, reportMessage(randomID(), itJID, forger, r, data, sig, chainDER(t, chain)))
	}
	forge(otherKey, good, chainPEM, false)     // wrong key for the certificate
	forge(key, good, chainPEM, true)           // tampered data (the user's own key and certificate)
	forge(forgerKey, good, forgerChain, false) // a certificate for another JID
	forge(rogueKey, good, rogueChain, false)   // a certificate from an untrusted CA

	// IT collects from its archive and verifies.
	cfg := Config{JID: itJID, Password: func() (string, error) { return srv.Password, nil }, Server: srv.Addr, CAFile: srv.CAFile}
	var got []ReceivedReport
	var last string
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var err error
		got, last, err = CollectTrainingReports(ctx, cfg, "")
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) >= 5 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(got) != 5 {
		t.Fatalf("IT collected %d reports, want 5 (one genuine, four forged): %+v", len(got), got)
	}
	v := ca.verifier()
	var reasons []string
	for i, g := range got {
		rep, _, err := VerifyReceivedReport(v, g, time.Now())
		if i == 0 {
			if err != nil || rep.JID != user || rep.Module != "phishing" || rep.Score != rep.Total || !sameBare(g.From, user) {
				t.Errorf("the genuine report: %+v, %v (from %s)", rep, err, g.From)
			}
			continue
		}
		if err == nil {
			t.Errorf("forged report %d accepted: %+v", i, rep)
			continue
		}
		reasons = append(reasons, err.Error())
	}
	want := []string{"signature does not match", "signature does not match", "mismatch", "unverified"}
	for i, w := range want {
		if i >= len(reasons) || !strings.Contains(reasons[i], w) {
			t.Errorf("forged report %d: %v, want a reason with %q", i+1, reasons, w)
		}
	}
	t.Logf("rejected: %s", strings.Join(reasons, " | "))
	// The next collection starts after the last one read.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	again, _, err := CollectTrainingReports(ctx, cfg, last)
	if err != nil || len(again) != 0 {
		t.Errorf("second collection: %d reports, %v", len(again), err)
	}
}
