package profile

import (
	"bytes"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("schema.json does not compile: %v", err)
	}
	return s
}

func schemaValidate(s *jsonschema.Schema, data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

func TestSchemaAcceptsTheExample(t *testing.T) {
	s := compileSchema(t)
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemaValidate(s, data); err != nil {
		t.Errorf("the example profile does not validate against schema.json: %v", err)
	}
}

// The schema and Parse agree: good documents pass both, and every bad
// document the schema can describe fails both.
func TestSchemaAgreesWithParse(t *testing.T) {
	s := compileSchema(t)
	pub, _ := key(t, 2).pub.MarshalJSON()
	var nextKey map[string]any
	if err := jsonUnmarshal(pub, &nextKey); err != nil {
		t.Fatal(err)
	}
	good := map[string][]byte{
		"minimal": doc(t, 1, func(m map[string]any) {
			for _, k := range []string{"partners", "blocked_domains", "unknown_domains", "tor"} {
				delete(m, k)
			}
		}),
		"usual": doc(t, 7, nil),
		"everything": doc(t, 9, func(m map[string]any) {
			m["gateways"] = []any{map[string]any{"domain": "wa.acme.test", "network": "WhatsApp"}}
			m["files"] = map[string]any{"max_size": 1000, "blocked_types": []any{".exe"}, "scan_required": true, "scanner_unavailable": "allow"}
			m["training"] = map[string]any{"required": []any{"phishing-2026"}}
			m["locked_settings"] = []any{"tor", "archive.retention_days"}
			m["focus_hours"] = map[string]any{"enabled": true, "start": "09:00", "end": "17:00", "days": []any{"mon"}, "timezone": "UTC"}
			m["archive"] = map[string]any{"retention_days": 30}
			m["it"] = map[string]any{"jid": "it-admin@acme.test", "pubsub_service": "pubsub.acme.test", "profile_node": "n1", "bulletin_node": "n2"}
			m["next_key"] = nextKey
		}),
		"unicode domain": doc(t, 1, func(m map[string]any) { m["blocked_domains"] = []any{"bücher.example"} }),
	}
	for name, data := range good {
		if _, err := Parse(data); err != nil {
			t.Errorf("good %s: Parse: %v", name, err)
		}
		if err := schemaValidate(s, data); err != nil {
			t.Errorf("good %s: schema: %v", name, err)
		}
	}
	for _, tt := range badDocs {
		if !tt.schema {
			continue
		}
		data := tt.data(t)
		_, perr := Parse(data)
		serr := schemaValidate(s, data)
		if perr == nil || serr == nil {
			t.Errorf("bad %s: Parse error %v, schema error %v; both must refuse", tt.name, perr, serr)
		}
	}
}
