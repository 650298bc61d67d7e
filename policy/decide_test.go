package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMayMessage(t *testing.T) {
	tests := []struct {
		action   UnknownAction
		jid      string
		accepted bool
		allowed  bool
		code     string
		reason   string // fragment
	}{
		{Confirm, "alice@acme.test", false, true, "", ""},
		{Confirm, "carol@partner.test", false, true, "", ""},
		{Confirm, "+44123@whatsapp.acme.test", false, true, "", "gateway to WhatsApp"},
		{Confirm, "dave@example.net", false, false, CodeConfirm, "example.net is not an approved organisation. Confirm that you want to write to dave@example.net."},
		{Confirm, "dave@example.net", true, true, "", "not an approved organisation"},
		{Confirm, "eve@acme.co", false, false, CodeConfirm, "looks like acme.test"},
		{Confirm, "eve@acme.co", true, true, "", "looks like acme.test"},
		{Confirm, "mallory@evil.test", false, false, CodeBlocked, "evil.test is blocked by ACME IT."},
		{Confirm, "mallory@evil.test", true, false, CodeBlocked, "blocked"},
		{Confirm, "spammer@example.org", true, false, CodeBlocked, "You blocked spammer@example.org."},
		{Confirm, "alice@", false, false, CodeBlocked, "not a valid address"},
		{Warn, "dave@example.net", false, true, "", "not an approved organisation"},
		{Warn, "eve@acme.co", false, false, CodeConfirm, "looks like acme.test"},
		{Warn, "alice@acme.test", false, true, "", ""},
		{Block, "dave@example.net", false, false, CodeBlocked, "ACME IT does not allow messages to organisations it has not approved."},
		{Block, "dave@example.net", true, false, CodeBlocked, "not approved"},
		{Block, "eve@acme.co", true, false, CodeBlocked, "looks like acme.test"},
		{Block, "carol@partner.test", false, true, "", ""},
	}
	for _, tt := range tests {
		r := testRules()
		r.UnknownDomains = tt.action
		e := mustEngine(t, r)
		d := e.MayMessage(tt.jid, tt.accepted)
		if d.Allowed != tt.allowed || d.Code != tt.code || !strings.Contains(d.Reason, tt.reason) {
			t.Errorf("%s: MayMessage(%q, accepted %v) = %+v; want allowed %v, code %q, reason containing %q", tt.action, tt.jid, tt.accepted, d, tt.allowed, tt.code, tt.reason)
		}
		if !d.Allowed && d.Reason == "" {
			t.Errorf("%s: MayMessage(%q) refused without a reason", tt.action, tt.jid)
		}
	}
}

func TestIncoming(t *testing.T) {
	e := mustEngine(t, testRules())
	tests := []struct {
		jid      string
		accepted bool
		want     Inbound
	}{
		{"alice@acme.test/pc", false, Inbound{}},
		{"carol@partner.test", false, Inbound{}},
		{"+44123@whatsapp.acme.test", false, Inbound{}},
		{"dave@example.net", false, Inbound{Request: true}},
		{"dave@example.net", true, Inbound{}},
		{"eve@\u0430cme.test", false, Inbound{Request: true}},
		{"eve@\u0430cme.test", true, Inbound{}},
		{"mallory@evil.test", false, Inbound{Drop: true}},
		{"mallory@evil.test", true, Inbound{Drop: true}},
		{"anyone@junk.example", false, Inbound{Drop: true}},
		{"", false, Inbound{Drop: true}},
	}
	for _, tt := range tests {
		got := e.Incoming(tt.jid, tt.accepted)
		if got.Drop != tt.want.Drop || got.Request != tt.want.Request {
			t.Errorf("Incoming(%q, %v) = %+v, want drop %v request %v", tt.jid, tt.accepted, got, tt.want.Drop, tt.want.Request)
		}
		if (got.Drop || got.Request) && got.Reason == "" {
			t.Errorf("Incoming(%q) has no reason", tt.jid)
		}
	}
}

func TestMayFile(t *testing.T) {
	e := mustEngine(t, testRules())
	const MB = 1 << 20
	tests := []struct {
		jid     string
		name    string
		size    int64
		allowed bool
		code    string
		reason  string // fragment
	}{
		{"alice@acme.test", "report.pdf", 1 * MB, true, "", ""},
		{"alice@acme.test", "", -1, true, "", ""},
		{"alice@acme.test", "notes", 10, true, "", ""},
		{"alice@acme.test", "backup.tar.gz", 10, true, "", ""},
		{"alice@acme.test", "exe.pdf", 10, true, "", ""},
		{"alice@acme.test", "setup.exe", 10, false, CodeFilePolicy, "ACME IT does not allow sending .exe files"},
		{"alice@acme.test", "SETUP.EXE", 10, false, CodeFilePolicy, ".exe"},
		{"alice@acme.test", "invoice.pdf.exe", 10, false, CodeFilePolicy, ".exe"},
		{"alice@acme.test", "invoice.pdf.Scr", 10, false, CodeFilePolicy, ".scr"},
		{"alice@acme.test", "virus.exe.", 10, false, CodeFilePolicy, ".exe"},
		{"alice@acme.test", "virus.exe . .", 10, false, CodeFilePolicy, ".exe"},
		{"alice@acme.test", "virus.exe ", 10, false, CodeFilePolicy, ".exe"},
		{"alice@acme.test", "dir/virus.js", 10, false, CodeFilePolicy, ".js"},
		{"alice@acme.test", `C:\Users\bob\virus.js`, 10, false, CodeFilePolicy, ".js"},
		{"alice@acme.test", "payslip\u202efdp.txt", 10, false, CodeFilePolicy, "invisible direction characters"},
		{"alice@acme.test", "virus.exe::$DATA", 10, false, CodeFilePolicy, ".exe"},
		{"alice@acme.test", "virus.exe\x00.pdf", 10, false, CodeFilePolicy, "control characters"},
		{"alice@acme.test", "notes:v2.txt", 10, true, "", ""},
		{"alice@acme.test", "big.iso", 100*MB + 1, false, CodeFilePolicy, "Files larger than 100 MB cannot be sent to ACME."},
		{"alice@acme.test", "big.iso", 100 * MB, true, "", ""},
		{"carol@partner.test", "plan.pdf", 25 * MB, true, "", ""},
		{"carol@partner.test", "plan.pdf", 25*MB + 1, false, CodeFilePolicy, "Files larger than 25 MB cannot be sent to Partner Ltd."},
		{"carol@partner.test", "plan.pdf", -1, true, "", ""},
		{"carol@partner.test", "plan.exe", -1, false, CodeFilePolicy, ".exe"},
		{"peter@initech.com", "tps.pdf", 100 * MB, true, "", ""},
		{"peter@initech.com", "tps.pdf", 100*MB + 1, false, CodeFilePolicy, "Files larger than 100 MB cannot be sent to Initech."},
		{"hans@globex.com", "plan.pdf", 10, false, CodeFilePolicy, "Files to Globex are not allowed by ACME IT."},
		{"+44123@whatsapp.acme.test", "plan.pdf", 10, false, CodeFilePolicy, "Files cannot be sent through the WhatsApp gateway: ACME IT allows files only to ACME and the partners Partner Ltd and Initech."},
		{"dave@example.net", "plan.pdf", 10, false, CodeFilePolicy, "Files to example.net are not allowed: ACME IT allows files only to ACME and the partners Partner Ltd and Initech."},
		{"dev@dev.acme.test", "plan.pdf", 10, false, CodeFilePolicy, "Files to dev.acme.test are not allowed"},
		{"eve@acme.co", "plan.pdf", 10, false, CodeFilePolicy, "acme.co is not acme.test"},
		{"mallory@evil.test", "plan.pdf", 10, false, CodeBlocked, "evil.test is blocked by ACME IT."},
		{"alice@", "plan.pdf", 10, false, CodeFilePolicy, "not a valid address"},
	}
	for _, tt := range tests {
		d := e.MayFile(tt.jid, tt.name, tt.size)
		if d.Allowed != tt.allowed || d.Code != tt.code || !strings.Contains(d.Reason, tt.reason) {
			t.Errorf("MayFile(%q, %q, %d) = %+v; want allowed %v, code %q, reason containing %q", tt.jid, tt.name, tt.size, d, tt.allowed, tt.code, tt.reason)
		}
	}
}

func TestMayFileToRoom(t *testing.T) {
	e := mustEngine(t, testRules())
	tests := []struct {
		occupants []string
		name      string
		size      int64
		allowed   bool
		reason    string
	}{
		{[]string{"alice@acme.test", "bob@acme.com/phone", "carol@partner.test"}, "plan.pdf", 1 << 20, true, ""},
		{[]string{"alice@acme.test", "hans@globex.com", "carol@partner.test"}, "plan.pdf", 1 << 20, false, "Files cannot be sent to this room because of hans@globex.com: Files to Globex are not allowed by ACME IT."},
		{[]string{"alice@acme.test", "carol@partner.test"}, "plan.pdf", 30 << 20, false, "because of carol@partner.test: Files larger than 25 MB cannot be sent to Partner Ltd."},
		{[]string{"alice@acme.test", "dave@example.net"}, "plan.pdf", -1, false, "dave@example.net"},
		{[]string{"alice@acme.test"}, "plan.exe", 1, false, ".exe"},
		{nil, "plan.pdf", 1, false, "its members are not known"},
	}
	for _, tt := range tests {
		d := e.MayFileToRoom(tt.occupants, tt.name, tt.size)
		if d.Allowed != tt.allowed || !strings.Contains(d.Reason, tt.reason) {
			t.Errorf("MayFileToRoom(%v, %q, %d) = %+v; want allowed %v, reason containing %q", tt.occupants, tt.name, tt.size, d, tt.allowed, tt.reason)
		}
		if !d.Allowed && d.Code == "" {
			t.Errorf("MayFileToRoom(%v) refused without a code", tt.occupants)
		}
	}
}

func TestExplainJSON(t *testing.T) {
	e := mustEngine(t, testRules())
	tests := []struct {
		jid  string
		want string
	}{
		{"carol@partner.test", `{"jid":"carol@partner.test","class":"partner","org":"Partner Ltd","lookalike_of":"","network":"","file_send":"allowed","reason":"partner.test belongs to Partner Ltd, a partner approved by ACME IT.","techniques":[]}`},
		{"hans@globex.com", `{"jid":"hans@globex.com","class":"partner","org":"Globex","lookalike_of":"","network":"","file_send":"denied","reason":"globex.com belongs to Globex, a partner approved by ACME IT. Files to Globex are not allowed by ACME IT.","techniques":[]}`},
		{"eve@acme-corp.co", `{"jid":"eve@acme-corp.co","class":"lookalike","org":"","lookalike_of":"acme.test","network":"","file_send":"denied","reason":"acme-corp.co looks like acme.test but is not it (added hyphens or words, a different ending). Files are never sent to look-alike domains: acme-corp.co is not acme.test.","techniques":["hyphenation","tld-swap"]}`},
		{"x@whatsapp.acme.test", `{"jid":"x@whatsapp.acme.test","class":"gateway","org":"","lookalike_of":"","network":"WhatsApp","file_send":"denied","reason":"whatsapp.acme.test is a gateway to WhatsApp: its contacts are outside ACME. Files cannot be sent through the WhatsApp gateway: ACME IT allows files only to ACME and the partners Partner Ltd and Initech.","techniques":[]}`},
		{"mallory@evil.test", `{"jid":"mallory@evil.test","class":"blocked","org":"","lookalike_of":"","network":"","file_send":"denied","reason":"evil.test is blocked by ACME IT.","techniques":[]}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(e.Explain(tt.jid))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("Explain(%q) =\n%s\nwant\n%s", tt.jid, b, tt.want)
		}
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 1023: "1023 bytes", 1024: "1 KB", 1536: "1.5 KB",
		25 << 20: "25 MB", 100 << 20: "100 MB", 25_000_000: "23.8 MB", 3 << 29: "1.5 GB", 1 << 62: "4 EB",
	} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMayInvite(t *testing.T) {
	e := mustEngine(t, testRules())
	tests := []struct {
		jid       string
		confirmed bool
		allowed   bool
		code      string
		reason    string
	}{
		{"bob@acme.test", false, true, "", ""},
		{"carol@partner.test", false, true, "", ""},
		{"eve@unknown.example", false, false, CodeConfirm, "unknown.example is not an approved organisation"},
		{"eve@unknown.example", true, true, "", ""},
		{"x@whatsapp.acme.test", false, false, CodeConfirm, "gateway to WhatsApp"},
		{"boss@acrne.test", false, false, CodeConfirm, "looks like acme.test"},
		{"m@evil.test", true, false, CodeBlocked, "blocked"},
		{"spammer@example.org", true, false, CodeBlocked, ""},
	}
	for _, tt := range tests {
		d := e.MayInvite(tt.jid, tt.confirmed)
		if d.Allowed != tt.allowed || d.Code != tt.code || !strings.Contains(d.Reason, tt.reason) {
			t.Errorf("MayInvite(%s, %v) = %+v, want allowed %v code %q reason containing %q", tt.jid, tt.confirmed, d, tt.allowed, tt.code, tt.reason)
		}
		if !d.Allowed && d.Code == CodeConfirm && !strings.Contains(d.Reason, "will read everything said in the room") {
			t.Errorf("MayInvite(%s): the reason %q does not say what an invitation gives", tt.jid, d.Reason)
		}
	}
}
