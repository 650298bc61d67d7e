package profile

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/policy"
)

const examplePath = "../docs/examples/acme-profile.json"

func TestParseExample(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		t.Fatalf("the example profile does not parse: %v", err)
	}
	r := p.Rules()
	if r.Org != "ACME" || len(r.InternalDomains) != 1 || r.InternalDomains[0] != "acme.test" || !r.SubdomainsInternal {
		t.Errorf("organisation rules = %+v", r)
	}
	if len(r.Partners) != 1 || r.Partners[0].Name != "Partner Ltd" || !r.Partners[0].FilesAllowed || r.Partners[0].MaxFileSize != 25<<20 {
		t.Errorf("partners = %+v", r.Partners)
	}
	if r.UnknownDomains != policy.Confirm {
		t.Errorf("unknown domains = %q", r.UnknownDomains)
	}
	for _, d := range r.BlockedDomains {
		if d == "evil.test" {
			t.Error("evil.test must stay unknown in the example (mallory@evil.test is the demo's unknown contact)")
		}
	}
	eng, err := policy.New(r)
	if err != nil {
		t.Fatal(err)
	}
	for jid, class := range map[string]string{
		"bob@acme.test":              "internal",
		"carol@partner.test":         "partner",
		"mallory@evil.test":          "unknown",
		"x@phish.example":            "blocked",
		"someone@whatsapp.acme.test": "gateway",
	} {
		if got := eng.Explain(jid).Class; got != class {
			t.Errorf("example profile: %s is %s, want %s", jid, got, class)
		}
	}
	if cas, err := p.ServerCAs(); err != nil || cas == nil {
		t.Errorf("ServerCAs = %v, %v", cas, err)
	}
	if cas, err := p.IdentityCAs(); err != nil || cas == nil {
		t.Errorf("IdentityCAs = %v, %v", cas, err)
	}
	if p.IT.PubSubService != "pubsub.acme.test" || p.IT.ProfileNode != DefaultProfileNode || p.IT.BulletinNode != DefaultBulletinNode {
		t.Errorf("it = %+v", p.IT)
	}
	if string(p.Bytes()) != string(data) {
		t.Error("Bytes() is not the exact input")
	}
}

func TestParseDefaults(t *testing.T) {
	p, err := Parse(doc(t, 1, func(m map[string]any) {
		delete(m, "unknown_domains")
		delete(m, "tor")
		m["organisation"] = map[string]any{"name": "ACME", "domains": []any{"bücher.test", "acme.test"}}
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Rules()
	if r.UnknownDomains != policy.Warn || r.Files.MaxSize != policy.DefaultMaxFileSize || len(r.Files.BlockedTypes) != len(policy.DefaultBlockedTypes) {
		t.Errorf("defaults: %+v", r)
	}
	if p.IT.PubSubService != "pubsub.xn--bcher-kva.test" {
		t.Errorf("default pubsub service = %q", p.IT.PubSubService)
	}
	s := p.Settings()
	if s["tor"] != "optional" || s["unknown_domains"] != "warn" || s["files.max_size"] != "104857600" || s["archive.retention_days"] != "0" {
		t.Errorf("settings = %v", s)
	}
	// An explicit empty list of blocked types means none.
	p, err = Parse(doc(t, 1, func(m map[string]any) { m["files"] = map[string]any{"blocked_types": []any{}} }))
	if err != nil {
		t.Fatal(err)
	}
	if bt := p.Rules().Files.BlockedTypes; bt == nil || len(bt) != 0 {
		t.Errorf("blocked_types [] -> %v, want none", bt)
	}
}

// badDocs are malformed profiles; msg is a part of the message, which must
// name the field. schema says whether the JSON Schema can see the problem
// too (IDNA, certificates, dates order and duplicates are beyond it).
var badDocs = []struct {
	name   string
	data   func(t testing.TB) []byte
	msg    string
	schema bool
}{
	{"empty", raw(""), "empty", true},
	{"not json", raw("hello"), "invalid JSON", true},
	{"array", raw("[]"), "JSON object", true},
	{"truncated", raw(`{"format":"palisade-profile/1"`), "truncated", true},
	{"trailing data", func(t testing.TB) []byte { return append(doc(t, 1, nil), []byte(` {}`)...) }, "after the end", true},
	{"unknown field", edit(func(m map[string]any) { m["colour"] = "red" }), `unknown field "colour"`, true},
	{"unknown nested field", edit(func(m map[string]any) { m["organisation"].(map[string]any)["ceo"] = "x" }), `unknown field "ceo"`, true},
	{"duplicate key", raw(`{"format":"palisade-profile/1","format":"palisade-profile/1"}`), "format appears twice", false},
	{"wrong format", edit(func(m map[string]any) { m["format"] = "palisade-profile/2" }), "field format", true},
	{"no format", edit(func(m map[string]any) { delete(m, "format") }), "field format", true},
	{"no id", edit(func(m map[string]any) { delete(m, "id") }), "field id", true},
	{"bad id", edit(func(m map[string]any) { m["id"] = "a b" }), "field id", true},
	{"no serial", edit(func(m map[string]any) { delete(m, "serial") }), "field serial", true},
	{"zero serial", edit(func(m map[string]any) { m["serial"] = 0 }), "field serial", true},
	{"negative serial", edit(func(m map[string]any) { m["serial"] = -3 }), "field serial", true},
	{"fractional serial", edit(func(m map[string]any) { m["serial"] = 1.5 }), "field serial", true},
	{"string serial", edit(func(m map[string]any) { m["serial"] = "7" }), "field serial", true},
	{"no issued_at", edit(func(m map[string]any) { delete(m, "issued_at") }), "field issued_at", true},
	{"bad issued_at", edit(func(m map[string]any) { m["issued_at"] = "yesterday" }), "field issued_at", true},
	{"no expires_at", edit(func(m map[string]any) { delete(m, "expires_at") }), "field expires_at", true},
	{"bad expires_at", edit(func(m map[string]any) { m["expires_at"] = "2027-13-01T00:00:00Z" }), "field expires_at", true},
	{"expires before issued", edit(func(m map[string]any) { m["expires_at"] = "2026-04-01T00:00:00Z" }), "field expires_at", false},
	{"no organisation", edit(func(m map[string]any) { delete(m, "organisation") }), "organisation.name", true},
	{"no organisation name", edit(func(m map[string]any) { m["organisation"] = map[string]any{"domains": []any{"acme.test"}} }), "organisation.name", true},
	{"blank organisation name", edit(func(m map[string]any) {
		m["organisation"] = map[string]any{"name": "  ", "domains": []any{"acme.test"}}
	}), "organisation.name", true},
	{"no organisation domains", edit(func(m map[string]any) { m["organisation"] = map[string]any{"name": "ACME"} }), "organisation.domains", true},
	{"empty organisation domains", edit(func(m map[string]any) { m["organisation"] = map[string]any{"name": "ACME", "domains": []any{}} }), "organisation.domains", true},
	{"domain with space", edit(func(m map[string]any) {
		m["organisation"] = map[string]any{"name": "ACME", "domains": []any{"acme test"}}
	}), "organisation.domains[0]", true},
	{"domain with @", edit(func(m map[string]any) { m["blocked_domains"] = []any{"x@evil.test"} }), "blocked_domains[0]", true},
	{"domain trailing dot", edit(func(m map[string]any) { m["blocked_domains"] = []any{"evil.test."} }), "blocked_domains[0]", true},
	{"domain bad IDNA", edit(func(m map[string]any) { m["blocked_domains"] = []any{"-evil.test"} }), "blocked_domains[0]", false},
	{"domain label too long", edit(func(m map[string]any) { m["blocked_domains"] = []any{strings.Repeat("a", 64) + ".test"} }), "blocked_domains[0]", false},
	{"domain as number", edit(func(m map[string]any) { m["blocked_domains"] = []any{7} }), "blocked_domains", true},
	{"partner without name", edit(func(m map[string]any) { m["partners"] = []any{map[string]any{"domains": []any{"p.test"}}} }), "partners[0].name", true},
	{"partner without domains", edit(func(m map[string]any) { m["partners"] = []any{map[string]any{"name": "P"}} }), "partners[0].domains", true},
	{"partner negative size", edit(func(m map[string]any) {
		m["partners"] = []any{map[string]any{"name": "P", "domains": []any{"p.test"}, "max_file_size": -1}}
	}), "max_file_size", true},
	{"partner domain also internal", edit(func(m map[string]any) {
		m["partners"] = []any{map[string]any{"name": "P", "domains": []any{"acme.test"}}}
	}), "acme.test", false},
	{"gateway without network", edit(func(m map[string]any) { m["gateways"] = []any{map[string]any{"domain": "wa.acme.test"}} }), "gateways[0].network", true},
	{"bad unknown_domains", edit(func(m map[string]any) { m["unknown_domains"] = "ask" }), "unknown_domains", true},
	{"bad tor", edit(func(m map[string]any) { m["tor"] = "always" }), "field tor", true},
	{"negative max_size", edit(func(m map[string]any) { m["files"] = map[string]any{"max_size": -1} }), "files.max_size", true},
	{"blocked type without dot", edit(func(m map[string]any) { m["files"] = map[string]any{"blocked_types": []any{"exe"}} }), "files.blocked_types[0]", true},
	{"blocked type upper case", edit(func(m map[string]any) { m["files"] = map[string]any{"blocked_types": []any{".EXE"}} }), "files.blocked_types[0]", true},
	{"bad scanner_unavailable", edit(func(m map[string]any) { m["files"] = map[string]any{"scanner_unavailable": "maybe"} }), "scanner_unavailable", true},
	{"CA not PEM", edit(func(m map[string]any) { m["trusted_cas"] = map[string]any{"server_tls": []any{"hello"}} }), "trusted_cas.server_tls[0]", true},
	{"CA garbage PEM", edit(func(m map[string]any) {
		m["trusted_cas"] = map[string]any{"identity": []any{"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}}
	}), "trusted_cas.identity[0]", false},
	{"CA not a CA", edit(func(m map[string]any) { m["trusted_cas"] = map[string]any{"server_tls": []any{leafPEM()}} }), "not a CA", false},
	{"bad training id", edit(func(m map[string]any) { m["training"] = map[string]any{"required": []any{"a b"}} }), "training.required[0]", true},
	{"bad locked setting", edit(func(m map[string]any) { m["locked_settings"] = []any{"Tor!"} }), "locked_settings[0]", true},
	{"bad focus day", edit(func(m map[string]any) { m["focus_hours"] = map[string]any{"enabled": false, "days": []any{"monday"}} }), "focus_hours.days[0]", true},
	{"bad focus start", edit(func(m map[string]any) {
		m["focus_hours"] = map[string]any{"enabled": true, "start": "25:00", "end": "17:00"}
	}), "focus_hours.start", true},
	{"focus enabled without end", edit(func(m map[string]any) { m["focus_hours"] = map[string]any{"enabled": true, "start": "09:00"} }), "focus_hours", true},
	{"negative retention", edit(func(m map[string]any) { m["archive"] = map[string]any{"retention_days": -1} }), "archive.retention_days", true},
	{"bad it jid", edit(func(m map[string]any) { m["it"] = map[string]any{"jid": "it admin@acme.test"} }), "it.jid", true},
	{"bad it service", edit(func(m map[string]any) { m["it"] = map[string]any{"pubsub_service": "pubsub acme"} }), "it.pubsub_service", true},
	{"next_key private", edit(func(m map[string]any) {
		b, _ := key(nil, 2).priv.MarshalJSON()
		var k map[string]any
		_ = jsonUnmarshal(b, &k)
		m["next_key"] = k
	}), "next_key", true},
	{"next_key not a key", edit(func(m map[string]any) { m["next_key"] = map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"} }), "next_key", false},
	{"next_key RSA", edit(func(m map[string]any) { m["next_key"] = map[string]any{"kty": "oct", "k": "AAAA"} }), "next_key", true},
	{"too large", func(t testing.TB) []byte { return append([]byte(`{"format":"`), make([]byte, MaxSize)...) }, "limit", false},
}

func raw(s string) func(testing.TB) []byte { return func(testing.TB) []byte { return []byte(s) } }

func edit(f func(map[string]any)) func(testing.TB) []byte {
	return func(t testing.TB) []byte { return doc(t, 1, f) }
}

func TestParseMalformed(t *testing.T) {
	for _, tt := range badDocs {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.data(t))
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != event.ProfileMalformed {
				t.Fatalf("error %T %v, want *Error with code malformed", err, err)
			}
			if !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("message %q does not name %q", e.Msg, tt.msg)
			}
		})
	}
}

func TestParseBulletin(t *testing.T) {
	good := `{"format":"palisade-bulletin/1","id":"b1","issued_at":"2026-05-01T00:00:00Z","expires_at":"2026-07-01T00:00:00Z","severity":"critical","title":"Phishing","body":"Do not open links about payslips."}`
	b, err := ParseBulletin([]byte(good))
	if err != nil || b.ID != "b1" || b.Severity != "critical" {
		t.Fatalf("ParseBulletin = %+v, %v", b, err)
	}
	for name, tc := range map[string]struct{ old, new, msg string }{
		"severity":      {`"critical"`, `"panic"`, "severity"},
		"format":        {`bulletin/1`, `bulletin/9`, "format"},
		"unknown field": {`"title"`, `"colour":"red","title"`, `unknown field "colour"`},
		"empty title":   {`"Phishing"`, `""`, "title"},
		"empty body":    {`"Do not open links about payslips."`, `" "`, "body"},
		"bad id":        {`"b1"`, `"b 1"`, "id"},
		"expiry order":  {`2026-07-01`, `2026-04-01`, "expires_at"},
	} {
		_, err := ParseBulletin([]byte(strings.Replace(good, tc.old, tc.new, 1)))
		var e *Error
		if !errors.As(err, &e) || e.Code != event.ProfileMalformed || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%s: err = %v, want malformed naming %q", name, err, tc.msg)
		}
	}
	if Kind([]byte(good)) != "bulletin" || Kind(doc(t, 1, nil)) != "profile" || Kind([]byte("x")) != "" {
		t.Error("Kind does not tell profiles and bulletins apart")
	}
}
