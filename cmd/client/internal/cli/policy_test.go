package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/profile"
)

// exampleProfile is a company profile for the tests: Acme on acme.test, one
// partner that may not receive files, a blocked domain, confirmation of the
// first message to unknown domains.
func exampleProfile(serial int64, issued, expires time.Time) string {
	return fmt.Sprintf(`{
  "format": "palisade-profile/1",
  "id": "acme-main",
  "serial": %d,
  "issued_at": %q,
  "expires_at": %q,
  "organisation": {"name": "Acme", "domains": ["acme.test"]},
  "partners": [
    {"name": "Partner Corp", "domains": ["partner.test"], "files_allowed": false}
  ],
  "blocked_domains": ["blocked.test"],
  "unknown_domains": "confirm",
  "files": {"max_size": 10485760, "blocked_types": [".exe"]}
}
`, serial, issued.UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339))
}

// itKey makes an IT signing key and writes its public half in dir/keys.
func itKey(t *testing.T, dir string) *jose.JSONWebKey {
	t.Helper()
	priv, pub, err := profile.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "it-"+profile.KeyID(pub)+".jwk"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return priv
}

// writeSigned writes doc at path and its detached signature at path.jws.
func writeSigned(t *testing.T, path, doc string, priv *jose.JSONWebKey) {
	t.Helper()
	sig, err := profile.Sign([]byte(doc), priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".jws", []byte(sig), 0o644); err != nil {
		t.Fatal(err)
	}
}

func validProfile() string {
	now := time.Now()
	return exampleProfile(3, now.Add(-time.Hour), now.Add(30*24*time.Hour))
}

func explainLines(t *testing.T, out string) map[string]map[string]any {
	t.Helper()
	got := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		got[fmt.Sprint(m["jid"])] = m
	}
	return got
}

func TestPolicyExplain(t *testing.T) {
	sys := t.TempDir()
	priv := itKey(t, sys)
	path := filepath.Join(t.TempDir(), "acme.json")
	writeSigned(t, path, validProfile(), priv)

	h := newHarness()
	code := h.run("policy", "explain", "--profile", path, "--keys", filepath.Join(sys, "keys"),
		"bob@acme.test", "carol@partner.test", "mallory@evil.test", "x@blocked.test", "bob@acme-test.test", "evil.test")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, h.stderr.String())
	}
	if h.cfg != nil {
		t.Error("explain started a session")
	}
	got := explainLines(t, h.stdout.String())
	tests := []struct {
		jid, class, org, lookalike, files string
	}{
		{"bob@acme.test", "internal", "Acme", "", "allowed"},
		{"carol@partner.test", "partner", "Partner Corp", "", "denied"},
		{"mallory@evil.test", "unknown", "", "", "denied"},
		{"x@blocked.test", "blocked", "", "", "denied"},
		{"bob@acme-test.test", "lookalike", "", "acme.test", "denied"},
		{"evil.test", "unknown", "", "", "denied"},
	}
	if len(got) != len(tests) {
		t.Fatalf("%d lines, want %d: %s", len(got), len(tests), h.stdout.String())
	}
	for _, tt := range tests {
		m := got[tt.jid]
		if m == nil {
			t.Errorf("no line for %s", tt.jid)
			continue
		}
		for _, k := range []string{"jid", "class", "org", "lookalike_of", "file_send", "reason"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: field %q missing: %v", tt.jid, k, m)
			}
		}
		if m["class"] != tt.class || m["org"] != tt.org || m["lookalike_of"] != tt.lookalike || m["file_send"] != tt.files || m["reason"] == "" {
			t.Errorf("%s: %v, want class %s org %q lookalike_of %q file_send %s", tt.jid, m, tt.class, tt.org, tt.lookalike, tt.files)
		}
	}

	// The system directory is the default for both the profile and the keys.
	writeSigned(t, filepath.Join(sys, "profile.json"), validProfile(), priv)
	t.Setenv("PALISADE_SYSTEM_DIR", sys)
	h = newHarness()
	if code := h.run("policy", "explain", "carol@partner.test"); code != ExitOK {
		t.Fatalf("default locations: exit %d, stderr %s", code, h.stderr.String())
	}
	if m := explainLines(t, h.stdout.String())["carol@partner.test"]; m["org"] != "Partner Corp" {
		t.Errorf("default locations: %v", m)
	}
}

func TestPolicyExplainRefused(t *testing.T) {
	sys := t.TempDir()
	priv := itKey(t, sys)
	otherSys := t.TempDir()
	otherPriv := itKey(t, otherSys)
	keys := filepath.Join(sys, "keys")
	dir := t.TempDir()
	now := time.Now()

	write := func(name, doc string, k *jose.JSONWebKey) string {
		p := filepath.Join(dir, name)
		writeSigned(t, p, doc, k)
		return p
	}
	tampered := write("tampered.json", validProfile(), priv)
	os.WriteFile(tampered, []byte(strings.Replace(validProfile(), `"blocked.test"`, `"other.test"`, 1)), 0o644)
	noSig := filepath.Join(dir, "nosig.json")
	os.WriteFile(noSig, []byte(validProfile()), 0o644)

	tests := []struct {
		name, path, code string
	}{
		{"tampered", tampered, event.ProfileBadSignature},
		{"unknown key", write("other.json", validProfile(), otherPriv), event.ProfileUnknownKey},
		{"expired", write("expired.json", exampleProfile(3, now.Add(-60*24*time.Hour), now.Add(-24*time.Hour)), priv), event.ProfileExpired},
		{"malformed", write("malformed.json", `{"format": "palisade-profile/1", "id": "x"}`, priv), event.ProfileMalformed},
		{"no signature", noSig, event.ProfileBadSignature},
		{"missing", filepath.Join(dir, "absent.json"), event.ProfileUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			code := h.run("policy", "explain", "--profile", tt.path, "--keys", keys, "bob@acme.test")
			if code != ExitFatal {
				t.Errorf("exit %d, want %d", code, ExitFatal)
			}
			if h.stdout.Len() != 0 {
				t.Errorf("a refused profile was explained: %s", h.stdout.String())
			}
			msg := h.stderr.String()
			if !strings.Contains(msg, "refused") || !strings.Contains(msg, tt.code) {
				t.Errorf("stderr %q does not name the refusal %s", msg, tt.code)
			}
		})
	}

	// No keys at all: nothing can be verified.
	h := newHarness()
	if code := h.run("policy", "explain", "--profile", write("ok.json", validProfile(), priv), "--keys", t.TempDir(), "bob@acme.test"); code != ExitFatal ||
		!strings.Contains(h.stderr.String(), event.ProfileUnknownKey) {
		t.Errorf("no keys: exit %d, stderr %s", code, h.stderr.String())
	}
}

func TestPolicyUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"policy"}, ExitUsage, "client policy explain"},
		{[]string{"policy", "frobnicate"}, ExitUsage, `unknown subcommand "frobnicate"`},
		{[]string{"policy", "explain"}, ExitUsage, "at least one JID"},
		{[]string{"policy", "explain", "--no-verify", "x@y"}, ExitUsage, "flag provided but not defined: -no-verify"},
		{[]string{"policy", "explain", "--help"}, ExitOK, "--keys"},
	} {
		h := newHarness()
		code := h.run(tt.args...)
		if code != tt.code || !strings.Contains(h.stderr.String()+h.stdout.String(), tt.want) {
			t.Errorf("%v: exit %d, output %q; want %d and %q", tt.args, code, h.stderr.String()+h.stdout.String(), tt.code, tt.want)
		}
	}
}

func TestMainHeadlessProfile(t *testing.T) {
	sys := t.TempDir()
	priv := itKey(t, sys)
	t.Setenv("PALISADE_SYSTEM_DIR", sys)
	path := filepath.Join(t.TempDir(), "acme.json")
	writeSigned(t, path, validProfile(), priv)

	h := newHarness()
	h.fdPass[3] = "pw"
	code := h.run("--headless", "--jid", "alice@acme.test", "--password-fd", "3", "--data-dir", t.TempDir(), "--profile", path)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, h.stderr.String())
	}
	if h.cfg.Profiles == nil || h.cfg.Profiles.Active() == nil || h.cfg.Profiles.Active().ID != "acme-main" {
		t.Fatalf("the session did not get the profile: %+v", h.cfg.Profiles)
	}

	// A tampered managed profile: refused, reported first, no profile.
	os.WriteFile(path, []byte(strings.Replace(validProfile(), "confirm", "warn", 1)), 0o644)
	h = newHarness()
	h.fdPass[3] = "pw"
	code = h.run("--headless", "--jid", "alice@acme.test", "--password-fd", "3", "--data-dir", t.TempDir(), "--profile", path)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, h.stderr.String())
	}
	first, _, _ := strings.Cut(h.stdout.String(), "\n")
	var ev map[string]any
	if err := json.Unmarshal([]byte(first), &ev); err != nil || ev["event"] != "profile_refused" || ev["code"] != event.ProfileBadSignature || ev["source"] != "managed" {
		t.Errorf("first line %s, want profile_refused bad-signature", first)
	}
	if h.cfg.Profiles == nil || h.cfg.Profiles.Active() != nil {
		t.Errorf("a refused profile is in force")
	}

	// --profile naming a missing file is reported, not ignored.
	h = newHarness()
	h.fdPass[3] = "pw"
	h.run("--headless", "--jid", "alice@acme.test", "--password-fd", "3", "--data-dir", t.TempDir(), "--profile", filepath.Join(sys, "absent.json"))
	if !strings.Contains(h.stdout.String(), `"event":"profile_refused"`) || !strings.Contains(h.stdout.String(), "absent.json") {
		t.Errorf("missing --profile: %s", h.stdout.String())
	}

	// An empty --profile is a usage error.
	h = newHarness()
	if code := h.run("--headless", "--jid", "alice@acme.test", "--profile", ""); code != ExitUsage {
		t.Errorf("empty --profile: exit %d", code)
	}
}

// The GUI's sign-in (Launcher.Connect) runs the session under the managed
// profile too, and reports a refused one first.
func TestConnectProfile(t *testing.T) {
	sys := t.TempDir()
	priv := itKey(t, sys)
	t.Setenv("PALISADE_SYSTEM_DIR", sys)
	writeSigned(t, filepath.Join(sys, "profile.json"), validProfile(), priv)

	l, cfg, _ := newLauncher(t, keystore.NewMemory())
	if _, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if p := (*cfg).Profiles; p == nil || p.Active() == nil || p.Active().Organisation.Name != "Acme" {
		t.Fatalf("Profiles = %+v", p)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	writeSigned(t, bad, validProfile(), priv)
	os.WriteFile(bad, []byte(strings.Replace(validProfile(), `"serial": 3`, `"serial": 4`, 1)), 0o644)
	l, cfg, _ = newLauncher(t, keystore.NewMemory())
	l.ProfilePath = bad
	b, err := l.Connect(SignIn{JID: "alice@acme.test", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := next(t, b).(event.ProfileRefused)
	if !ok || ev.Code != event.ProfileBadSignature || ev.Source != "managed" || ev.Reason == "" {
		t.Errorf("first event %+v, want profile_refused bad-signature", ev)
	}
	if (*cfg).Profiles == nil || (*cfg).Profiles.Active() != nil {
		t.Error("a refused profile is in force")
	}
}
