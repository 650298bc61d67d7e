package profile

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/event"
)

func mustApply(t *testing.T, m *Manager, data []byte, jws, source string) Result {
	t.Helper()
	r, err := m.Apply(data, jws, source)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return r
}

// Every refusal names the reason, is logged, and leaves the last good
// profile (serial 5) in force.
func TestManagerRefusals(t *testing.T) {
	k1, k3 := key(t, 1), key(t, 2+1)
	five := doc(t, 5, nil)
	tests := []struct {
		name   string
		data   []byte
		jws    func(data []byte) string
		code   string
		msg    string
		serial int64 // in the log line
	}{
		{"tampered", []byte(strings.Replace(string(five), "ACME", "ACMF", 1)), func([]byte) string { return sign(t, five, k1) }, event.ProfileBadSignature, "profile acme-default serial 5 refused: bad signature", 5},
		{"unknown key", doc(t, 6, nil), func(d []byte) string { return sign(t, d, k3) }, event.ProfileUnknownKey, "profile acme-default serial 6 refused: signed by key " + KeyID(k3.pub) + ", which is not a trusted IT key", 6},
		{"expired", doc(t, 6, func(m map[string]any) {
			m["issued_at"] = "2025-01-01T00:00:00Z"
			m["expires_at"] = "2026-01-01T00:00:00Z"
		}), func(d []byte) string { return sign(t, d, k1) }, event.ProfileExpired, "profile acme-default serial 6 refused: it expired on 2026-01-01T00:00:00Z", 6},
		{"not yet valid", doc(t, 6, func(m map[string]any) { m["issued_at"] = "2026-06-03T00:00:00Z" }), func(d []byte) string { return sign(t, d, k1) }, event.ProfileExpired, "not valid yet", 6},
		{"rollback", doc(t, 4, nil), func(d []byte) string { return sign(t, d, k1) }, event.ProfileRollback, "profile acme-default serial 4 refused: serial 5 is already in force (rollback)", 4},
		{"same serial different bytes", doc(t, 5, func(m map[string]any) { m["tor"] = "required" }), func(d []byte) string { return sign(t, d, k1) }, event.ProfileRollback, "serial 5 already applied with different content", 5},
		{"malformed but signed", doc(t, 6, func(m map[string]any) { m["unknown_domains"] = "ask" }), func(d []byte) string { return sign(t, d, k1) }, event.ProfileMalformed, "profile acme-default serial 6 refused: malformed profile: field unknown_domains", 6},
		{"not json but signed", []byte("serial 9"), func(d []byte) string { return sign(t, d, k1) }, event.ProfileMalformed, "invalid JSON", 0},
		{"no signature", doc(t, 6, nil), func([]byte) string { return "" }, event.ProfileBadSignature, "signature is empty", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			m := open(t, dir)
			mustApply(t, m, five, sign(t, five, k1), SourcePush)
			_, err := m.Apply(tt.data, tt.jws(tt.data), SourceImport)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Apply = %v, want a *Error", err)
			}
			if e.Code != tt.code || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("refusal = %s %q\nwant      %s containing %q", e.Code, e.Msg, tt.code, tt.msg)
			}
			if a := m.Active(); a == nil || a.Serial != 5 || string(a.Bytes()) != string(five) {
				t.Errorf("the last good profile is no longer in force: %+v", a)
			}
			if s := m.Summary(); s.Serial != 5 || !s.Managed || s.Source != SourcePush {
				t.Errorf("Summary after refusal = %+v", s)
			}
			log := readLog(t, dir)
			last := log[len(log)-1]
			if last.Code != tt.code || last.Source != SourceImport || last.Reason != e.Msg || last.Serial != tt.serial || last.Time.IsZero() {
				t.Errorf("log line = %+v", last)
			}
			if tt.serial != 0 && last.ID != "acme-default" {
				t.Errorf("log line id = %q", last.ID)
			}
			// After a restart the same profile is still in force.
			if a := open(t, dir).Active(); a == nil || a.Serial != 5 {
				t.Errorf("after reopen: %+v", a)
			}
		})
	}
}

func TestManagerApplyAndRestore(t *testing.T) {
	dir := t.TempDir()
	k1 := key(t, 1)
	m := open(t, dir)
	if m.Active() != nil {
		t.Fatal("a new data dir has a profile")
	}
	if s := m.Summary(); s.Managed || s.Settings["unknown_domains"] != "warn" {
		t.Errorf("unmanaged summary = %+v", s)
	}
	one := doc(t, 1, nil)
	r := mustApply(t, m, one, sign(t, one, k1), SourceManaged)
	if r.Profile.Serial != 1 || r.KeyID != KeyID(k1.pub) || r.Source != SourceManaged || len(r.Changes) != 1 || !strings.Contains(r.Changes[0], "ACME") {
		t.Errorf("first result = %+v", r)
	}
	// The same profile again: unchanged, nothing to tell the user.
	r = mustApply(t, m, one, sign(t, one, k1), SourcePush)
	if !r.Unchanged || r.Profile.Serial != 1 || len(r.Changes) != 0 {
		t.Errorf("same profile again = %+v", r)
	}
	two := doc(t, 2, func(m map[string]any) {
		m["unknown_domains"] = "confirm"
		m["tor"] = "required"
		m["partners"] = append(m["partners"].([]any), map[string]any{"name": "Globex", "domains": []any{"globex.test"}, "files_allowed": true, "max_file_size": 25 << 20})
		m["blocked_domains"] = []any{"phish.example", "evil.example"}
		m["locked_settings"] = []any{"tor"}
		m["archive"] = map[string]any{"retention_days": 90}
	})
	r = mustApply(t, m, two, sign(t, two, k1), SourcePush)
	for _, want := range []string{
		"Partner Globex added (files allowed, up to 25 MB)",
		"Unknown domains: warn -> confirm",
		"Tor: optional -> required",
		"Blocked domain evil.example added",
		"Setting tor is now locked",
		"Archive retention: keep forever -> 90 days",
	} {
		if !slices.Contains(r.Changes, want) {
			t.Errorf("changes %q lack %q", r.Changes, want)
		}
	}
	s := m.Summary()
	want := event.Profile{Managed: true, ID: "acme-default", Serial: 2, Org: "ACME", Source: SourcePush, KeyID: KeyID(k1.pub),
		IssuedAt: r.Profile.IssuedAt, ExpiresAt: r.Profile.ExpiresAt, Locked: []string{"tor"}}
	if s.Managed != want.Managed || s.ID != want.ID || s.Serial != want.Serial || s.Org != want.Org || s.Source != want.Source ||
		s.KeyID != want.KeyID || !s.IssuedAt.Equal(want.IssuedAt) || !s.ExpiresAt.Equal(want.ExpiresAt) || s.Expired || !slices.Equal(s.Locked, want.Locked) {
		t.Errorf("Summary = %+v\nwant      %+v", s, want)
	}
	if s.Settings["unknown_domains"] != "confirm" || s.Settings["tor"] != "required" || s.Settings["archive.retention_days"] != "90" || s.Settings["files.max_size"] != "104857600" {
		t.Errorf("settings = %v", s.Settings)
	}

	// Stored: files 0600 in a 0700 directory; restored after a restart.
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(filepath.Join(dir, "profile"))
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("profile dir mode %04o", fi.Mode().Perm())
		}
		for _, f := range []string{activeFile, stateFile, logFile} {
			fi, err := os.Stat(filepath.Join(dir, "profile", f))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v, mode %v", f, err, fi)
			}
		}
	}
	m2 := open(t, dir)
	a := m2.Active()
	if a == nil || a.Serial != 2 || string(a.Bytes()) != string(two) {
		t.Fatalf("after restart: %+v", a)
	}
	if s := m2.Summary(); s.Source != SourceStored || s.KeyID != KeyID(k1.pub) {
		t.Errorf("restored summary = %+v", s)
	}
	// Rollback protection survives the restart.
	_, err := m2.Apply(one, sign(t, one, k1), SourcePush)
	if e := asError(err); err == nil || e.Code != event.ProfileRollback {
		t.Errorf("serial 1 after restart: %v", err)
	}
	// ... and losing the state file still leaves the stored profile's serial.
	if err := os.Remove(filepath.Join(dir, "profile", stateFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, dir).Apply(one, sign(t, one, k1), SourcePush); asError(err).Code != event.ProfileRollback {
		t.Errorf("serial 1 without the state file: %v", err)
	}

	// A stored profile edited on disk is not restored.
	var st stored
	b, _ := os.ReadFile(filepath.Join(dir, "profile", activeFile))
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	st.Data = []byte(strings.Replace(string(st.Data), `"required"`, `"off"`, 1))
	if err := writeJSON(filepath.Join(dir, "profile", activeFile), st); err != nil {
		t.Fatal(err)
	}
	if a := open(t, dir).Active(); a != nil {
		t.Errorf("a tampered stored profile was restored: %+v", a)
	}
	log := readLog(t, dir)
	if last := log[len(log)-1]; last.Source != SourceStored || last.Code != event.ProfileBadSignature {
		t.Errorf("tampered store not logged: %+v", last)
	}
	applied := 0
	for _, e := range log {
		if e.Code == "applied" {
			applied++
		}
	}
	if applied != 2 {
		t.Errorf("%d applications logged, want 2", applied)
	}
}

func TestManagerExpiresInForce(t *testing.T) {
	dir := t.TempDir()
	clk := now
	m, err := Open(Options{DataDir: dir, SystemDir: t.TempDir(), BuiltinKeys: []jose.JSONWebKey{*key(t, 1).pub}, Now: func() time.Time { return clk }})
	if err != nil {
		t.Fatal(err)
	}
	d := doc(t, 3, nil)
	mustApply(t, m, d, sign(t, d, key(t, 1)), SourcePush)
	clk = time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC) // past expires_at
	s := m.Summary()
	if !s.Managed || s.Serial != 3 || !s.Expired {
		t.Errorf("expired profile: %+v; want still in force, marked expired", s)
	}
	if m.Active() == nil {
		t.Error("the expired profile left force")
	}
}

func TestLoadManagedAndImport(t *testing.T) {
	sys := t.TempDir()
	dir := t.TempDir()
	k1 := key(t, 1)
	if err := os.MkdirAll(filepath.Join(sys, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(k1.pub)
	if err := os.WriteFile(filepath.Join(sys, "keys", "it.jwk"), pub, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Open(Options{DataDir: dir, SystemDir: sys, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.LoadManaged("")
	if err != nil || r.Profile != nil {
		t.Fatalf("no managed file: %+v, %v", r, err)
	}
	d := doc(t, 1, nil)
	if err := os.WriteFile(filepath.Join(sys, "profile.json"), d, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = m.LoadManaged("")
	if e := asError(err); err == nil || e.Code != event.ProfileBadSignature || !strings.Contains(e.Msg, "no signature") {
		t.Errorf("managed profile without signature: %v", err)
	}
	if err := os.WriteFile(filepath.Join(sys, "profile.json.jws"), []byte(sign(t, d, k1)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = m.LoadManaged("")
	if err != nil || r.Profile == nil || r.Source != SourceManaged || r.KeyID != KeyID(k1.pub) {
		t.Fatalf("managed profile (key from SystemDir/keys): %+v, %v", r, err)
	}

	// Import: a missing file is unreadable; a valid newer one applies.
	_, err = m.ImportFile(filepath.Join(dir, "nope.json"), "")
	if e := asError(err); err == nil || e.Code != event.ProfileUnreadable || !strings.Contains(e.Msg, "nope.json") {
		t.Errorf("import of a missing file: %v", err)
	}
	d2 := doc(t, 2, nil)
	p2 := filepath.Join(dir, "p2.json")
	os.WriteFile(p2, d2, 0o644)
	os.WriteFile(filepath.Join(dir, "sig"), []byte(sign(t, d2, k1)), 0o644)
	r, err = m.ImportFile(p2, filepath.Join(dir, "sig"))
	if err != nil || r.Profile.Serial != 2 || r.Source != SourceImport {
		t.Errorf("import: %+v, %v", r, err)
	}
	// The managed file (serial 1) read again at the next start is a rollback.
	if _, err := m.LoadManaged(""); asError(err).Code != event.ProfileRollback {
		t.Errorf("older managed file: %v", err)
	}
}

// Key rotation: profile 1, signed by the trusted K1, announces K2; profile
// 2, signed by K2, is accepted, also after a restart; a stored announcement
// that no trusted key signed adds nothing.
func TestKeyRotation(t *testing.T) {
	dir := t.TempDir()
	k1, k2, k3, k4 := key(t, 1), key(t, 2), key(t, 3), key(t, 4)
	m := open(t, dir)

	// Before the announcement K2 is unknown.
	two := doc(t, 2, nil)
	if _, err := m.Apply(two, sign(t, two, k2), SourcePush); asError(err).Code != event.ProfileUnknownKey {
		t.Fatalf("K2 before its announcement: %v", err)
	}
	one := doc(t, 1, func(m map[string]any) { m["next_key"] = k2.pub })
	r := mustApply(t, m, one, sign(t, one, k1), SourcePush)
	if !slices.Contains(r.Changes, "Now managed by ACME IT (profile acme-default, serial 1)") {
		t.Errorf("changes = %q", r.Changes)
	}
	r = mustApply(t, m, two, sign(t, two, k2), SourcePush)
	if r.KeyID != KeyID(k2.pub) {
		t.Errorf("profile 2 key = %s", r.KeyID)
	}

	m2 := open(t, dir)
	if a := m2.Active(); a == nil || a.Serial != 2 {
		t.Fatalf("after restart, the profile signed by the rotated key is not in force: %+v", a)
	}
	three := doc(t, 3, nil)
	if _, err := m2.Apply(three, sign(t, three, k2), SourcePush); err != nil {
		t.Errorf("K2 after restart: %v", err)
	}

	// Forge: an announcement of K4 signed by the untrusted K3, slipped into
	// the data directory, and a genuine announcement edited to name K4.
	forged := doc(t, 9, func(m map[string]any) { m["next_key"] = k4.pub })
	x := func(k keyPair) string { return base64.RawURLEncoding.EncodeToString(k.pub.Key.(ed25519.PublicKey)) }
	edited := strings.NewReplacer(x(k2), x(k4), KeyID(k2.pub), KeyID(k4.pub)).Replace(string(one))
	if edited == string(one) || !strings.Contains(edited, x(k4)) {
		t.Fatal("the edited announcement does not name K4")
	}
	if p, err := Parse([]byte(edited)); err != nil || KeyID(p.NextKey) != KeyID(k4.pub) {
		t.Fatalf("the edited announcement should be a valid profile naming K4: %v", err)
	}
	var ann []signedDoc
	b, _ := os.ReadFile(filepath.Join(dir, "profile", announceFile))
	if err := json.Unmarshal(b, &ann); err != nil || len(ann) != 1 {
		t.Fatalf("stored announcements: %v, %d", err, len(ann))
	}
	ann = append(ann, signedDoc{Data: forged, JWS: sign(t, forged, k3)}, signedDoc{Data: []byte(edited), JWS: ann[0].JWS})
	if err := writeJSON(filepath.Join(dir, "profile", announceFile), ann); err != nil {
		t.Fatal(err)
	}
	m3 := open(t, dir)
	four := doc(t, 4, nil)
	if _, err := m3.Apply(four, sign(t, four, k4), SourcePush); asError(err).Code != event.ProfileUnknownKey {
		t.Errorf("a key from a forged stored announcement was trusted: %v", err)
	}
	if _, err := m3.Apply(four, sign(t, four, k2), SourcePush); err != nil {
		t.Errorf("the genuine rotated key is no longer trusted: %v", err)
	}

	// Without the stored announcement, K2 is not trusted and the profile it
	// signed is not restored: the chain is what gives K2 its trust.
	os.Remove(filepath.Join(dir, "profile", announceFile))
	if a := open(t, dir).Active(); a != nil {
		t.Errorf("profile signed by K2 restored without the announcement: %+v", a)
	}
}

func bulletin(t *testing.T, id, issued, expires string) []byte {
	t.Helper()
	b := map[string]any{"format": BulletinFormat, "id": id, "issued_at": issued, "severity": "warning", "title": "Title " + id, "body": "Body of " + id}
	if expires != "" {
		b["expires_at"] = expires
	}
	data, _ := json.Marshal(b)
	return data
}

func TestBulletins(t *testing.T) {
	dir := t.TempDir()
	k1 := key(t, 1)
	m := open(t, dir)
	older := bulletin(t, "b-old", "2026-05-01T00:00:00Z", "2026-12-01T00:00:00Z")
	newer := bulletin(t, "b-new", "2026-05-20T00:00:00Z", "")
	expired := bulletin(t, "b-expired", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
	for _, c := range []struct {
		data    []byte
		wantNew bool
	}{{older, true}, {newer, true}, {older, false}, {expired, false}} {
		b, isNew, err := m.ApplyBulletin(c.data, sign(t, c.data, k1))
		if err != nil || isNew != c.wantNew || b.ID == "" {
			t.Errorf("ApplyBulletin %s = %+v, %v, %v; want new=%v", c.data, b, isNew, err, c.wantNew)
		}
	}
	ids := func(bs []event.Bulletin) []string {
		var s []string
		for _, b := range bs {
			s = append(s, b.ID)
		}
		return s
	}
	if got := ids(m.Bulletins()); !slices.Equal(got, []string{"b-new", "b-old", "b-expired"}) {
		t.Errorf("bulletins = %v, want newest first", got)
	}
	if err := m.Dismiss("b-old"); err != nil {
		t.Fatal(err)
	}
	if err := m.Dismiss("nope"); err == nil {
		t.Error("Dismiss of an unknown bulletin succeeded")
	}
	// Refusals: tampered, unknown key, malformed, from the future.
	bad := bulletin(t, "b-bad", "2026-05-01T00:00:00Z", "")
	future := bulletin(t, "b-future", "2026-07-01T00:00:00Z", "")
	malformed := []byte(strings.Replace(string(bad), `"warning"`, `"panic"`, 1))
	for _, c := range []struct {
		data []byte
		jws  string
		code string
	}{
		{bad, sign(t, older, k1), event.ProfileBadSignature},
		{bad, sign(t, bad, key(t, 3)), event.ProfileUnknownKey},
		{malformed, sign(t, malformed, k1), event.ProfileMalformed},
		{future, sign(t, future, k1), event.ProfileExpired},
	} {
		_, _, err := m.ApplyBulletin(c.data, c.jws)
		if e := asError(err); err == nil || e.Code != c.code || !strings.Contains(e.Msg, "bulletin") {
			t.Errorf("bulletin refusal: %v, want %s", err, c.code)
		}
	}
	// Kept across restarts, with the dismissal.
	bs := open(t, dir).Bulletins()
	if len(bs) != 3 || bs[1].ID != "b-old" || !bs[1].Dismissed || bs[0].Dismissed {
		t.Errorf("after restart: %+v", bs)
	}
	if bs[0].Title != "Title b-new" || bs[0].Severity != "warning" || !bs[0].IssuedAt.Equal(time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("bulletin fields: %+v", bs[0])
	}
	// A bulletin edited in the data directory is dropped on the next start.
	var stored []storedBulletin
	b, _ := os.ReadFile(filepath.Join(dir, "profile", bulletinsFile))
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	stored[0].Data = []byte(strings.Replace(string(stored[0].Data), "Body of", "Click here:", 1))
	writeJSON(filepath.Join(dir, "profile", bulletinsFile), stored)
	if bs := open(t, dir).Bulletins(); len(bs) != 2 {
		t.Errorf("a tampered stored bulletin was kept: %+v", bs)
	}
}

func TestChanges(t *testing.T) {
	parse := func(serial int64, f func(map[string]any)) *Profile {
		p, err := Parse(doc(t, serial, f))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := parse(1, nil)
	tests := []struct {
		name string
		edit func(map[string]any)
		want []string
	}{
		{"nothing", nil, nil},
		{"partner files", func(m map[string]any) {
			m["partners"] = []any{map[string]any{"name": "Partner Ltd", "domains": []any{"partner.test"}}}
		}, []string{"Partner Partner Ltd: files allowed, up to 25 MB -> files not allowed"}},
		{"partner removed", func(m map[string]any) { delete(m, "partners") }, []string{"Partner Partner Ltd removed"}},
		{"blocked domain", func(m map[string]any) { m["blocked_domains"] = []any{"evil.example"} }, []string{"Blocked domain evil.example added", "Blocked domain phish.example removed"}},
		{"files", func(m map[string]any) {
			m["files"] = map[string]any{"max_size": 10 << 20, "blocked_types": []any{".exe"}, "scan_required": true}
		}, []string{"File size limit: 100 MB -> 10 MB", "Virus scan before sending files: not required -> required"}},
		{"gateway", func(m map[string]any) {
			m["gateways"] = []any{map[string]any{"domain": "wa.acme.test", "network": "WhatsApp"}}
		}, []string{"Gateway wa.acme.test (WhatsApp) added"}},
		{"expiry", func(m map[string]any) { m["expires_at"] = "2028-01-01T00:00:00Z" }, []string{"Valid until 2028-01-01"}},
	}
	for _, tt := range tests {
		got := Changes(old, parse(2, tt.edit))
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: changes %q lack %q", tt.name, got, w)
			}
		}
		if tt.want == nil && len(got) != 0 {
			t.Errorf("%s: changes %q, want none", tt.name, got)
		}
	}
}

// The manager is used from the session's goroutines and the GUI's at once.
func TestManagerConcurrent(t *testing.T) {
	dir := t.TempDir()
	m := open(t, dir)
	k1 := key(t, 1)
	var docs [][]byte
	var sigs []string
	for i := int64(1); i <= 8; i++ {
		d := doc(t, i, nil)
		docs = append(docs, d)
		sigs = append(sigs, sign(t, d, k1))
	}
	bl := bulletin(t, "b1", "2026-05-01T00:00:00Z", "")
	blSig := sign(t, bl, k1)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := range docs {
				m.Apply(docs[(i+g)%len(docs)], sigs[(i+g)%len(docs)], SourcePush)
				m.Summary()
				m.Active()
				m.ApplyBulletin(bl, blSig)
				m.Bulletins()
				m.Dismiss("b1")
				m.ImportFile(filepath.Join(dir, "missing.json"), "")
			}
			done <- true
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	// Whatever the order, the highest serial ends in force.
	if a := m.Active(); a == nil || a.Serial != 8 {
		t.Errorf("after concurrent applies: %+v", a)
	}
	if bs := m.Bulletins(); len(bs) != 1 || !bs[0].Dismissed {
		t.Errorf("bulletins: %+v", bs)
	}
}

func TestLogRotates(t *testing.T) {
	dir := t.TempDir()
	m := open(t, dir)
	big := strings.Repeat(`{"code":"old"}`+"\n", maxLogSize/15+1)
	if err := os.WriteFile(LogPath(dir), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	m.Apply([]byte("x"), "", SourcePush)
	if fi, err := os.Stat(LogPath(dir) + ".1"); err != nil || fi.Size() != int64(len(big)) {
		t.Errorf("previous log not kept: %v", err)
	}
	if log := readLog(t, dir); len(log) != 1 || log[0].Code != event.ProfileBadSignature {
		t.Errorf("new log = %+v", log)
	}
}
