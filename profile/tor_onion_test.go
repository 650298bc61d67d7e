package profile

import (
	"strings"
	"testing"
)

// The onion address of the company server: Parse and the schema agree on
// what is one.
func TestTorOnion(t *testing.T) {
	s := compileSchema(t)
	onion := strings.Repeat("a", 52) + "2345" + ".onion"
	for _, tt := range []struct {
		name, tor, addr string
		ok              bool
	}{
		{"v3 address", "required", onion + ":5222", true},
		{"subdomain", "optional", "xmpp." + onion + ":5223", true},
		{"highest port", "optional", onion + ":65535", true},
		{"no port", "optional", onion, false},
		{"port zero", "optional", onion + ":0", false},
		{"port too high", "optional", onion + ":65536", false},
		{"v2 address", "optional", "abcdefghijklmnop.onion:5222", false},
		{"not onion", "optional", "xmpp.acme.test:5222", false},
		{"upper case", "optional", strings.ToUpper(onion) + ":5222", false},
		{"tor off", "off", onion + ":5222", false},
	} {
		data := doc(t, 1, func(m map[string]any) {
			m["tor"] = tt.tor
			m["tor_onion"] = tt.addr
		})
		p, err := Parse(data)
		if tt.ok != (err == nil) {
			t.Errorf("%s: Parse(%q) error = %v, want ok=%v", tt.name, tt.addr, err, tt.ok)
			continue
		}
		if tt.ok && p.TorOnion != tt.addr {
			t.Errorf("%s: TorOnion = %q", tt.name, p.TorOnion)
		}
		if err != nil && !strings.Contains(err.Error(), "tor_onion") {
			t.Errorf("%s: error %q does not name the field", tt.name, err)
		}
		// The schema cannot express "not with tor off"; every other case agrees.
		if tt.tor != "off" {
			if serr := schemaValidate(s, data); tt.ok != (serr == nil) {
				t.Errorf("%s: schema error = %v, want ok=%v", tt.name, serr, tt.ok)
			}
		}
	}
}

func TestTorOnionChange(t *testing.T) {
	onion := strings.Repeat("b", 56) + ".onion:5222"
	p1, err := Parse(doc(t, 1, nil))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Parse(doc(t, 2, func(m map[string]any) { m["tor"] = "required"; m["tor_onion"] = onion }))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(Changes(p1, p2), "\n")
	for _, want := range []string{"Tor: optional -> required", "Company server's onion address: none -> " + onion} {
		if !strings.Contains(got, want) {
			t.Errorf("changes lack %q:\n%s", want, got)
		}
	}
}
