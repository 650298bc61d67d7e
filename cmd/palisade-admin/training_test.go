package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/assets/lessons"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/testenv"
	"github.com/palisade-im/palisade/profile"
	"github.com/palisade-im/palisade/session"
)

func newUser(t *testing.T, srv *testenv.Server, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	local := prefix + "-" + hex.EncodeToString(b)
	srv.AddUser(t, local, "acme.test", srv.Password)
	return local + "@acme.test"
}

func rightAnswers(t *testing.T, id string) []int {
	t.Helper()
	c, err := lessons.Catalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := c.Module(id, "en")
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

// A user passes a module; "training inbox" collects the signed report over
// Prosody and verifies it; "training status" lists it and who is not done;
// "training verify" accepts the saved report and refuses a tampered one.
func TestTrainingInboxProsody(t *testing.T) {
	srv := testenv.Prosody(t)
	user, itJID := newUser(t, srv, "learner"), newUser(t, srv, "it-reports")

	// The identity CA and the user's device certificate.
	caPEM, caKeyPEM, err := identity.NewCA("ACME Identity CA", "ACME", time.Now().Add(-time.Hour), 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := identity.LoadCA(caPEM, caKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := identity.NewKey()
	csr, _ := identity.CreateRequest(key, identity.Request{JID: user, Name: "Learner", DeviceID: identity.DeviceID(key.Public().(ed25519.PublicKey))})
	info, err := identity.ParseRequest(csr)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(info, identity.IssueOptions{Org: "ACME", Now: time.Now().Add(-time.Minute), Validity: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	caPath := filepath.Join(work, "identity-ca.pem")
	os.WriteFile(caPath, caPEM, 0o644)

	// The client: a profile requiring phishing, reports to itJID.
	it := newITFiles(t)
	now := time.Now().UTC().Truncate(time.Second)
	prof := it.write("p.json", map[string]any{
		"format": profile.Format, "id": "acme-main", "serial": 1,
		"issued_at": now.Add(-time.Hour), "expires_at": now.Add(24 * time.Hour),
		"organisation": map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"it":           map[string]any{"jid": "it-admin@acme.test", "pubsub_service": srv.PubSubService, "profile_node": session.DefaultProfileNode + ":" + it.tag},
		"training":     map[string]any{"required": []string{"phishing"}, "report_to": itJID},
		"trusted_cas":  map[string]any{"identity": []string{string(caPEM)}},
	})
	dir := t.TempDir()
	m, err := profile.Open(profile.Options{DataDir: dir, SystemDir: it.sysDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.LoadManaged(prof); err != nil {
		t.Fatal(err)
	}
	// The device enrolled: its chain in device.json, as enrolment keeps it.
	pub := key.Public().(ed25519.PublicKey)
	if err := session.SaveDevice(dir, &session.DeviceFile{JID: user, DeviceID: identity.DeviceID(pub), PublicKey: pub,
		State: event.EnrolEnrolled, Chain: string(cert) + string(caPEM)}); err != nil {
		t.Fatal(err)
	}
	s, err := session.New(session.Config{
		JID: user, Password: func() (string, error) { return srv.Password, nil },
		Server: srv.Addr, CAFile: srv.CAFile, DataDir: dir, Profiles: m, DeviceKey: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	evs := collect(s)
	s.Start()
	t.Cleanup(func() { s.Do(event.Quit{}) })
	evs.wait(t, "connected", func(e event.Event) bool { _, ok := e.(event.Connected); return ok })
	s.Do(event.SubmitQuiz{Module: "phishing", Version: 1, Answers: rightAnswers(t, "phishing")})
	rep := evs.wait(t, "report", func(e event.Event) bool { _, ok := e.(event.TrainingReport); return ok }).(event.TrainingReport)
	if !rep.Sent {
		t.Fatalf("report not sent: %+v", rep)
	}

	// IT: inbox.
	store := filepath.Join(work, "store")
	inbox := func() (int, string, string) {
		var out, errb bytes.Buffer
		code := run([]string{"training", "inbox", "--jid", itJID, "--password-fd", passwordFD(t, srv.Password),
			"--server", srv.Addr, "--ca-file", srv.CAFile, "--ca", caPath, "--store", store}, &out, &errb)
		return code, out.String(), errb.String()
	}
	var code int
	var out, errs string
	for deadline := time.Now().Add(15 * time.Second); ; {
		code, out, errs = inbox()
		if code != exitOK || strings.Contains(out, "verified") || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if code != exitOK || !strings.Contains(out, "verified  "+user+" phishing v1 3/3") {
		t.Fatalf("inbox: exit %d\n%s%s", code, out, errs)
	}
	if fi, err := os.Stat(filepath.Join(store, reportStoreFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("store file: %v %v", fi, err)
	}
	if code, out, _ := inbox(); code != exitOK || out != "" {
		t.Errorf("second inbox: exit %d, %q (nothing new expected)", code, out)
	}

	// Status: the user is done, bob has nothing.
	users := filepath.Join(work, "users.txt")
	os.WriteFile(users, []byte("# staff\n"+user+"\nbob@acme.test\n"), 0o644)
	var sout, serr bytes.Buffer
	if code := run([]string{"training", "status", "--store", store, "--users", users, "--required", "phishing,files"}, &sout, &serr); code != exitOK {
		t.Fatalf("status: exit %d: %s", code, serr.String())
	}
	st := strings.Join(strings.Fields(sout.String()), " ") // columns aside
	for _, want := range []string{user + " phishing (v1) 3/3", "bob@acme.test NOT DONE: phishing, files", user + " NOT DONE: files"} {
		if !strings.Contains(st, want) {
			t.Errorf("status lacks %q:\n%s", want, st)
		}
	}

	// Verify: the stored report, then a tampered copy.
	stored, err := loadStore(store)
	if err != nil || len(stored.Verified) != 1 {
		t.Fatalf("store: %+v %v", stored, err)
	}
	file := filepath.Join(work, "report.xml")
	os.WriteFile(file, []byte(stored.Verified[0].Report), 0o644)
	var vout, verr bytes.Buffer
	if code := run([]string{"training", "verify", "--ca", caPath, "--from", user + "/laptop", file}, &vout, &verr); code != exitOK || !strings.Contains(vout.String(), "verified: "+user) {
		t.Errorf("verify: exit %d: %s%s", code, vout.String(), verr.String())
	}
	// The same with the profile's identity CAs.
	vout.Reset()
	verr.Reset()
	if code := run([]string{"training", "verify", "--profile", prof, file}, &vout, &verr); code != exitOK || !strings.Contains(vout.String(), "verified: "+user) {
		t.Errorf("verify --profile: exit %d: %s%s", code, vout.String(), verr.String())
	}
	r, _ := session.DecodeReport([]byte(stored.Verified[0].Report))
	r.Data = bytes.Replace(r.Data, []byte(`"score":3`), []byte(`"score":2`), 1)
	os.WriteFile(file, session.EncodeReport(r.Data, r.Sig, r.Chain), 0o644)
	vout.Reset()
	verr.Reset()
	if code := run([]string{"training", "verify", "--ca", caPath, file}, &vout, &verr); code != exitFail || !strings.Contains(verr.String(), "REJECTED") || !strings.Contains(verr.String(), "signature") {
		t.Errorf("tampered verify: exit %d: %s%s", code, vout.String(), verr.String())
	}
	// Another JID sending it is refused too.
	vout.Reset()
	verr.Reset()
	os.WriteFile(file, []byte(stored.Verified[0].Report), 0o644)
	if code := run([]string{"training", "verify", "--ca", caPath, "--from", "mallory@acme.test", file}, &vout, &verr); code != exitFail || !strings.Contains(verr.String(), "not by "+user) {
		t.Errorf("verify from another sender: exit %d: %s", code, verr.String())
	}
}

func TestTrainingUsage(t *testing.T) {
	for _, args := range [][]string{
		{"training"},
		{"training", "nope"},
		{"training", "inbox"},
		{"training", "verify"},
		{"training", "status", "extra"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want usage: %s", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, reportStoreFile), []byte("{broken"), 0o600)
	if code := run([]string{"training", "status", "--store", dir}, &out, &errb); code != exitFail || !strings.Contains(errb.String(), "damaged") {
		t.Errorf("damaged store: exit %d: %s", code, errb.String())
	}
	if code := run([]string{"training", "verify", "--ca", filepath.Join(dir, reportStoreFile), filepath.Join(dir, reportStoreFile)}, &out, &errb); code != exitFail {
		t.Errorf("a CA file without a certificate: exit %d", code)
	}
}
