package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/profile"
)

const example = "../../docs/examples/acme-profile.json"

type out struct {
	code           int
	stdout, stderr string
}

func admin(t *testing.T, args ...string) out {
	t.Helper()
	var so, se bytes.Buffer
	code := run(args, &so, &se)
	return out{code, so.String(), se.String()}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// keygen -> sign -> verify, then a tampered copy fails with the reason.
func TestKeygenSignVerify(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	r := admin(t, "keygen", "--out", keys, "--name", "it-2026")
	if r.code != exitOK || !strings.Contains(r.stdout, "key id:") {
		t.Fatalf("keygen: %+v", r)
	}
	priv := filepath.Join(keys, "it-2026.private.jwk")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(priv)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("private key: %v %v", err, fi)
		}
	}
	if r := admin(t, "keygen", "--out", keys, "--name", "it-2026"); r.code != exitFail || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("keygen over an existing key: %+v", r)
	}

	p := filepath.Join(dir, "acme-profile.json")
	copyFile(t, example, p)
	r = admin(t, "sign", "--key", priv, p)
	if r.code != exitOK || !strings.Contains(r.stdout, "profile acme-default serial 1") {
		t.Fatalf("sign: %+v", r)
	}
	if _, err := os.Stat(p + ".jws"); err != nil {
		t.Fatalf("no signature file: %v", err)
	}
	r = admin(t, "verify", "--keys", keys, p)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "OK profile acme-default serial 1 (ACME) signed by key ") || !strings.Contains(r.stdout, "expires 2027-12-31") {
		t.Fatalf("verify: %+v", r)
	}
	// Also with the key file itself and flags after the file.
	if r := admin(t, "verify", p, "--keys", filepath.Join(keys, "it-2026.jwk")); r.code != exitOK {
		t.Errorf("verify with one key file: %+v", r)
	}

	// One byte changed.
	b, _ := os.ReadFile(p)
	b = bytes.Replace(b, []byte(`"serial": 1`), []byte(`"serial": 9`), 1)
	os.WriteFile(p, b, 0o644)
	r = admin(t, "verify", "--keys", keys, p)
	if r.code != exitFail || !strings.Contains(r.stdout, "REFUSED (bad-signature)") || !strings.Contains(r.stdout, "does not match the content") {
		t.Errorf("verify of a tampered file: %+v", r)
	}

	// Another key directory: unknown key.
	other := filepath.Join(dir, "other")
	admin(t, "keygen", "--out", other)
	copyFile(t, example, p)
	r = admin(t, "verify", "--keys", other, p)
	if r.code != exitFail || !strings.Contains(r.stdout, "REFUSED (unknown-key)") {
		t.Errorf("verify with the wrong keys: %+v", r)
	}

	// No signature file.
	os.Remove(p + ".jws")
	if r := admin(t, "verify", "--keys", keys, p); r.code != exitFail || !strings.Contains(r.stdout, "REFUSED (bad-signature): no signature") {
		t.Errorf("verify without a signature: %+v", r)
	}
}

func TestSignRefusesMalformed(t *testing.T) {
	dir := t.TempDir()
	admin(t, "keygen", "--out", dir, "--name", "k")
	priv := filepath.Join(dir, "k.private.jwk")
	for name, tc := range map[string]struct{ content, want string }{
		"bad domain":    {`{"format":"palisade-profile/1","id":"x","serial":1,"issued_at":"2026-01-01T00:00:00Z","expires_at":"2030-01-01T00:00:00Z","organisation":{"name":"A","domains":["a b"]}}`, "organisation.domains[0]"},
		"unknown field": {`{"format":"palisade-profile/1","colour":"red"}`, `unknown field "colour"`},
		"expired":       {`{"format":"palisade-profile/1","id":"x","serial":1,"issued_at":"2020-01-01T00:00:00Z","expires_at":"2021-01-01T00:00:00Z","organisation":{"name":"A","domains":["a.test"]}}`, "expired"},
		"bad bulletin":  {`{"format":"palisade-bulletin/1","id":"b","issued_at":"2026-01-01T00:00:00Z","severity":"panic","title":"t","body":"b"}`, "severity"},
	} {
		f := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		os.WriteFile(f, []byte(tc.content), 0o644)
		r := admin(t, "sign", "--key", priv, f)
		if r.code != exitFail || !strings.Contains(r.stderr, "not signed") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: %+v; want refusal naming %q", name, r, tc.want)
		}
		if _, err := os.Stat(f + ".jws"); err == nil {
			t.Errorf("%s: a signature was written", name)
		}
	}
	if runtime.GOOS != "windows" {
		os.Chmod(priv, 0o644)
		f := filepath.Join(dir, "p.json")
		copyFile(t, example, f)
		if r := admin(t, "sign", "--key", priv, f); r.code != exitFail || !strings.Contains(r.stderr, "readable by others") {
			t.Errorf("sign with a world-readable key: %+v", r)
		}
	}
}

func TestBulletinNewSignVerify(t *testing.T) {
	dir := t.TempDir()
	admin(t, "keygen", "--out", dir, "--name", "k")
	r := admin(t, "bulletin", "new", "--id", "hr-phishing", "--title", "Phishing impersonating HR", "--body", "Do not open links about payslips.", "--severity", "critical", "--expires", "48h")
	if r.code != exitOK {
		t.Fatalf("bulletin new: %+v", r)
	}
	b, err := profile.ParseBulletin([]byte(r.stdout))
	if err != nil || b.Severity != "critical" || b.ExpiresAt.Sub(b.IssuedAt) != 48*time.Hour {
		t.Fatalf("bulletin document: %+v, %v", b, err)
	}
	f := filepath.Join(dir, "bulletin.json")
	os.WriteFile(f, []byte(r.stdout), 0o644)
	if r := admin(t, "sign", "--key", filepath.Join(dir, "k.private.jwk"), f); r.code != exitOK {
		t.Fatalf("sign bulletin: %+v", r)
	}
	if r := admin(t, "verify", "--keys", dir, f); r.code != exitOK || !strings.HasPrefix(r.stdout, "OK bulletin hr-phishing (critical)") {
		t.Errorf("verify bulletin: %+v", r)
	}
	if r := admin(t, "bulletin", "new", "--id", "x", "--title", "t", "--body", "b", "--severity", "loud"); r.code != exitUsage || !strings.Contains(r.stderr, "severity") {
		t.Errorf("bad severity: %+v", r)
	}
}

func TestExplain(t *testing.T) {
	r := admin(t, "explain", "--profile", example, "mallory@evil.test", "carol@partner.test")
	if r.code != exitOK {
		t.Fatalf("explain: %+v", r)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var got []map[string]any
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0]["class"] != "unknown" || got[0]["file_send"] != "denied" || got[1]["class"] != "partner" || got[1]["org"] != "Partner Ltd" || got[1]["file_send"] != "allowed" {
		t.Errorf("explain output: %v", got)
	}
	for _, k := range []string{"jid", "class", "org", "lookalike_of", "file_send", "reason"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("explain output lacks %q", k)
		}
	}
	if r := admin(t, "explain", "--profile", example); r.code != exitUsage {
		t.Errorf("explain without a JID: %+v", r)
	}
}

func TestShow(t *testing.T) {
	data := t.TempDir()
	r := admin(t, "show", "--data-dir", data, "--system-dir", t.TempDir())
	var s struct {
		Profile   event.Profile    `json:"profile"`
		Bulletins []event.Bulletin `json:"bulletins"`
	}
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &s) != nil || s.Profile.Managed {
		t.Fatalf("show of an unmanaged data dir: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(data, "profile")); err == nil {
		t.Error("show created files in the data directory")
	}

	// A client that applied the example profile.
	sys := t.TempDir()
	admin(t, "keygen", "--out", filepath.Join(sys, "keys"), "--name", "it")
	p := filepath.Join(t.TempDir(), "p.json")
	copyFile(t, example, p)
	admin(t, "sign", "--key", filepath.Join(sys, "keys", "it.private.jwk"), p)
	m, err := profile.Open(profile.Options{DataDir: data, SystemDir: sys})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.ImportFile(p, ""); err != nil {
		t.Fatal(err)
	}
	r = admin(t, "show", "--data-dir", data, "--system-dir", sys)
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &s) != nil {
		t.Fatalf("show: %+v", r)
	}
	if !s.Profile.Managed || s.Profile.ID != "acme-default" || s.Profile.Org != "ACME" || s.Profile.Settings["unknown_domains"] != "confirm" {
		t.Errorf("show: %+v", s.Profile)
	}
}

func TestUsageAndHelp(t *testing.T) {
	if r := admin(t); r.code != exitUsage {
		t.Errorf("no arguments: %+v", r)
	}
	if r := admin(t, "frobnicate"); r.code != exitUsage || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("unknown command: %+v", r)
	}
	r := admin(t, "-h")
	if r.code != exitOK {
		t.Errorf("-h: %+v", r)
	}
	for name := range commands {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("the command list lacks %s", name)
		}
		h := admin(t, name, "-h")
		if h.code != exitOK || !strings.Contains(h.stdout, "usage: palisade-admin "+name) {
			t.Errorf("%s -h: %+v", name, h)
		}
	}
	for _, args := range [][]string{
		{"keygen"},
		{"sign", "x.json"},
		{"sign", "--key", "k"},
		{"verify"},
		{"explain", "a@b"},
		{"keygen", "--bogus"},
		{"bulletin"},
		{"bulletin", "old"},
	} {
		if r := admin(t, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
}
