package event

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line    string
		want    Command
		wantErr string
	}{
		{`{"cmd":"send","to":"bob@acme.test","body":"hi"}`, Send{To: "bob@acme.test", Body: "hi"}, ""},
		{`{"cmd":"send","to":"bob@acme.test","body":"hi","id":"m1"}`, Send{To: "bob@acme.test", Body: "hi", ID: "m1"}, ""},
		{` {"cmd":"roster"} `, GetRoster{}, ""},
		{`{"cmd":"presence","show":"dnd","status":"in a meeting"}`, SetPresence{Show: "dnd", Status: "in a meeting"}, ""},
		{`{"cmd":"chat_state","to":"a@b","state":"composing"}`, SendChatState{To: "a@b", State: "composing"}, ""},
		{`{"cmd":"add_contact","jid":"a@b","name":"A","groups":["X"]}`, AddContact{JID: "a@b", Name: "A", Groups: []string{"X"}}, ""},
		{`{"cmd":"remove_contact","jid":"a@b"}`, RemoveContact{JID: "a@b"}, ""},
		{`{"cmd":"approve","jid":"a@b"}`, Approve{JID: "a@b"}, ""},
		{`{"cmd":"decline","jid":"a@b"}`, Decline{JID: "a@b"}, ""},
		{`{"cmd":"reconnect"}`, Reconnect{}, ""},
		{`{"cmd":"quit"}`, Quit{}, ""},
		{`{"cmd":"send","to":"carol@partner.test","body":"hi","confirmed":true}`, Send{To: "carol@partner.test", Body: "hi", Confirmed: true}, ""},
		{`{"cmd":"sendfile","to":"a@b","path":"/tmp/x.pdf"}`, SendFile{To: "a@b", Path: "/tmp/x.pdf"}, ""},
		{`{"cmd":"import_profile","path":"p.json"}`, ImportProfile{Path: "p.json"}, ""},
		{`{"cmd":"profile"}`, GetProfile{}, ""},
		{`{"cmd":"bulletins"}`, GetBulletins{}, ""},
		{`{"cmd":"dismiss_bulletin","id":"b1"}`, DismissBulletin{ID: "b1"}, ""},
		{`{"cmd":"accept","jid":"m@evil.test"}`, Accept{JID: "m@evil.test"}, ""},
		{`{"cmd":"block","jid":"evil.test"}`, Block{JID: "evil.test"}, ""},
		{`{"cmd":"unblock","jid":"evil.test"}`, Unblock{JID: "evil.test"}, ""},
		{`{"cmd":"warning_shown","warning":"external_link","jid":"eve@evil.test","choice":"cancel"}`, WarningShown{Warning: "external_link", JID: "eve@evil.test", Choice: "cancel"}, ""},
		{`{"cmd":"sendfile","to":"a@b","path":"/tmp/x.pdf","id":"f1"}`, SendFile{To: "a@b", Path: "/tmp/x.pdf", ID: "f1"}, ""},
		{`{"cmd":"cancel_file","id":"f1"}`, CancelFile{ID: "f1"}, ""},
		{`{"cmd":"download_file","id":"f1"}`, DownloadFile{ID: "f1"}, ""},
		{`{"cmd":"retry_scan","id":"f1"}`, RetryScan{ID: "f1"}, ""},
		{`{"cmd":"launch"}`, nil, `unknown command "launch"`},
		{`{"to":"x"}`, nil, `missing string field "cmd"`},
		{`{"cmd":42}`, nil, `not a JSON object`},
		{`not json`, nil, `not a JSON object`},
		{`{"cmd":"send","to":5}`, nil, `command "send"`},
	}
	for _, tt := range tests {
		got, err := ParseCommand([]byte(tt.line))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseCommand(%s) error = %v, want containing %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseCommand(%s): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCommand(%s) = %#v, want %#v", tt.line, got, tt.want)
		}
	}
}

func TestParseCommandKnowsEveryCommand(t *testing.T) {
	for _, name := range CommandNames() {
		c, err := ParseCommand([]byte(`{"cmd":"` + name + `"}`))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if c.CommandName() != name {
			t.Errorf("%s parsed as %s", name, c.CommandName())
		}
	}
}

func TestMarshal(t *testing.T) {
	ts := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		ev   Event
		want map[string]any
	}{
		{Closed{}, map[string]any{"event": "closed"}},
		{Message{ID: "m1", From: "alice@acme.test/pc", To: "bob@acme.test", Body: "hi", Time: ts,
			Trust: Trust{Class: ClassInternal, Org: "ACME", Domain: "acme.test", FileSend: true}},
			map[string]any{"event": "message", "id": "m1", "from": "alice@acme.test/pc", "to": "bob@acme.test", "body": "hi", "time": "2026-11-26T10:00:00Z",
				"trust": map[string]any{"class": "internal", "org": "ACME", "lookalike_of": "", "domain": "acme.test", "file_send": true}}},
		{Refused{Command: "sendfile", To: "m@evil.test", Code: RefusedFilePolicy, Reason: "evil.test is not an approved organisation",
			Trust: &Trust{Class: ClassLookalike, LookalikeOf: "acme.test", Domain: "acrne.test", FileReason: "lookalike"}},
			map[string]any{"event": "refused", "command": "sendfile", "to": "m@evil.test", "code": "file-policy", "reason": "evil.test is not an approved organisation",
				"trust": map[string]any{"class": "lookalike", "org": "", "lookalike_of": "acme.test", "domain": "acrne.test", "file_send": false, "file_reason": "lookalike"}}},
		{Error{Message: "bad", Code: CodeBadCommand}, map[string]any{"event": "error", "message": "bad", "code": "bad-command"}},
		{Receipt{ID: "m1", From: "a@b/c", Trust: Trust{Class: ClassUnknown, Domain: "b"}}, map[string]any{"event": "receipt", "id": "m1", "from": "a@b/c",
			"trust": map[string]any{"class": "unknown", "org": "", "lookalike_of": "", "domain": "b", "file_send": false}}},
		{FileReceived{ID: "f1", From: "bob@acme.test/pc", Name: "a.pdf", Path: "/d/a.pdf", Size: 3, Verdict: VerdictUnscanned, Scanner: "down"},
			map[string]any{"event": "file_received", "id": "f1", "from": "bob@acme.test/pc", "name": "a.pdf", "path": "/d/a.pdf", "size": float64(3), "verdict": "unscanned", "scanner": "down"}},
		{FileProgress{ID: "f1", To: "bob@acme.test", Name: "a.pdf", Bytes: 1, Total: 3},
			map[string]any{"event": "file_progress", "id": "f1", "to": "bob@acme.test", "name": "a.pdf", "bytes": float64(1), "total": float64(3)}},
	}
	for _, tt := range tests {
		b, err := Marshal(tt.ev)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), `{"event":"`+tt.ev.EventName()+`"`) {
			t.Errorf("Marshal(%T) = %s: event field not first", tt.ev, b)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("Marshal(%T) produced invalid JSON %s: %v", tt.ev, b, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Marshal(%T) = %v, want %v", tt.ev, got, tt.want)
		}
	}
}
