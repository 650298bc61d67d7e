package profile

import (
	"strings"
	"testing"
)

const extraModule = `id: acme-rules
version: 2
lang: en
title: ACME chat rules
gates: external-chat
---
Write to customers only about orders.

? May you discuss prices with customers over chat?
- Yes.
  > Prices go through sales.
+ No, ask sales.
  > Right.
`

func TestTrainingSection(t *testing.T) {
	s := compileSchema(t)
	good := doc(t, 3, func(m map[string]any) {
		m["training"] = map[string]any{
			"required":  []any{"phishing", "acme-rules"},
			"gates":     map[string]any{"external-chat": []any{"acme-rules"}, "files": []any{}},
			"modules":   []any{extraModule},
			"report_to": "training@acme.test",
		}
	})
	p, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemaValidate(s, good); err != nil {
		t.Fatalf("schema refuses a good training section: %v", err)
	}
	r := p.TrainingRequirement()
	if strings.Join(r.Required, ",") != "phishing,acme-rules" || strings.Join(r.Gates["external-chat"], ",") != "acme-rules" || r.Gates["files"] == nil || len(r.Gates["files"]) != 0 {
		t.Errorf("requirement %+v", r)
	}
	if f := p.TrainingModules(); len(f) != 1 || string(f[0].Data) != extraModule || f[0].Name != "profile:training.modules[0]" {
		t.Errorf("modules %+v", f)
	}
	if got := p.TrainingReportTo(); got != "training@acme.test" {
		t.Errorf("report_to %q", got)
	}

	// Defaults: no gates (each module's own), reports to it.jid.
	p, err = Parse(doc(t, 4, func(m map[string]any) {
		m["training"] = map[string]any{"required": []any{"files"}}
		m["it"] = map[string]any{"jid": "it-admin@acme.test"}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if r := p.TrainingRequirement(); r.Gates != nil || len(r.Required) != 1 {
		t.Errorf("default requirement %+v", r)
	}
	if got := p.TrainingReportTo(); got != "it-admin@acme.test" {
		t.Errorf("default report_to %q, want it.jid", got)
	}

	bad := []struct {
		name, want string
		training   map[string]any
		schema     bool // the schema can say it too
	}{
		{"unknown feature", "training.gates", map[string]any{"gates": map[string]any{"voice": []any{"phishing"}}}, true},
		{"bad gate id", "training.gates.files[0]", map[string]any{"gates": map[string]any{"files": []any{"a b"}}}, true},
		{"module without header end", "training.modules[0]", map[string]any{"modules": []any{"id: x\nversion: 1\n"}}, false},
		{"module with two right answers", "line", map[string]any{"modules": []any{strings.Replace(extraModule, "- Yes.", "+ Yes.", 1)}}, false},
		{"report_to not a JID", "training.report_to", map[string]any{"report_to": "it admin"}, true},
		{"report_to with resource", "training.report_to", map[string]any{"report_to": "it@acme.test/desk"}, true},
		{"unknown key", "report", map[string]any{"report": "it@acme.test"}, true},
	}
	for _, tt := range bad {
		data := doc(t, 5, func(m map[string]any) { m["training"] = tt.training })
		_, err := Parse(data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error %v, want one naming %q", tt.name, err, tt.want)
		}
		if serr := schemaValidate(s, data); tt.schema && serr == nil {
			t.Errorf("%s: the schema accepts it", tt.name)
		}
	}
}
