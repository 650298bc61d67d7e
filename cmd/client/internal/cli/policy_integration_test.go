package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

// The headless client under a signed managed profile, against a real
// Prosody: a file to an unapproved organisation and a first message to an
// unknown domain are refused with a reason, and nothing leaves the machine.
func TestIntegrationHeadlessPolicy(t *testing.T) {
	srv := prosody(t)
	sys := t.TempDir()
	priv := itKey(t, sys)
	prof := filepath.Join(t.TempDir(), "acme.json")
	writeSigned(t, prof, validProfile(), priv)
	file := filepath.Join(t.TempDir(), "payroll.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 salaries"), 0o600); err != nil {
		t.Fatal(err)
	}

	jid, password := newUser(t, srv)
	args := append(serverArgs(srv, jid, t.TempDir()), "--profile", prof)
	c := startClient(t, password, []string{"PALISADE_SYSTEM_DIR=" + sys}, args...)
	p := c.waitFor("profile", connectTimeout)
	if p["managed"] != true || p["id"] != "acme-main" || p["org"] != "Acme" {
		t.Errorf("profile = %v", p)
	}
	c.waitFor("connected", connectTimeout)

	c.send(`{"cmd":"sendfile","to":"mallory@evil.test","path":"` + file + `"}`)
	r := c.waitFor("refused", 10*time.Second)
	tr, _ := r["trust"].(map[string]any)
	if r["command"] != "sendfile" || r["code"] != event.RefusedFilePolicy || r["to"] != "mallory@evil.test" || r["reason"] == "" || tr["class"] != "unknown" || tr["file_send"] != false {
		t.Errorf("refused = %v", r)
	}

	c.send(`{"cmd":"sendfile","to":"carol@partner.test","path":"` + file + `"}`)
	r = c.waitFor("refused", 10*time.Second)
	tr, _ = r["trust"].(map[string]any)
	if r["code"] != event.RefusedFilePolicy || tr["class"] != "partner" || tr["org"] != "Partner Corp" {
		t.Errorf("refused = %v", r)
	}

	c.send(`{"cmd":"send","to":"mallory@evil.test","body":"hello","id":"h-1"}`)
	r = c.waitFor("refused", 10*time.Second)
	if r["command"] != "send" || r["code"] != event.RefusedConfirm || r["id"] != "h-1" || r["reason"] == "" {
		t.Errorf("refused = %v", r)
	}

	// A colleague may receive files: the file is uploaded and its link sent.
	c.send(`{"cmd":"sendfile","to":"bob@acme.test","path":"` + file + `","id":"f-1"}`)
	e := c.waitFor("file_sent", 20*time.Second)
	if e["id"] != "f-1" || e["to"] != "bob@acme.test" || e["name"] != "payroll.pdf" || e["size"] != float64(17) {
		t.Errorf("file_sent = %v", e)
	}

	c.send(`{"cmd":"quit"}`)
	c.waitFor("closed", 15*time.Second)
	if code := c.exit(10 * time.Second); code != ExitOK {
		t.Errorf("exit = %d\n%s", code, c.history())
	}
}
