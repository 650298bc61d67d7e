package event

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseHistoryCommands(t *testing.T) {
	from := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		line string
		want Command
	}{
		{`{"cmd":"search","query":"élève"}`, Search{Query: "élève"}},
		{`{"cmd":"search","query":"q","conversation":"bob@acme.test","limit":5}`, Search{Query: "q", Conversation: "bob@acme.test", Limit: 5}},
		{`{"cmd":"history","conversation":"bob@acme.test","before_id":"123","limit":20}`, GetHistory{Conversation: "bob@acme.test", BeforeID: "123", Limit: 20}},
		{`{"cmd":"history","conversation":"bob@acme.test","around_id":"9"}`, GetHistory{Conversation: "bob@acme.test", AroundID: "9"}},
		{`{"cmd":"export","format":"html","path":"/tmp/x.html","from":"2026-01-02T00:00:00Z"}`, Export{Format: "html", Path: "/tmp/x.html", From: from}},
	}
	for _, tt := range tests {
		got, err := ParseCommand([]byte(tt.line))
		if err != nil {
			t.Errorf("ParseCommand(%s): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCommand(%s) = %#v, want %#v", tt.line, got, tt.want)
		}
	}
	if _, err := ParseCommand([]byte(`{"cmd":"export","from":"yesterday"}`)); err == nil {
		t.Error("export with a malformed time: no error")
	}
}

func TestMarshalHistoryEvents(t *testing.T) {
	tests := []struct {
		e    Event
		want []string
	}{
		{HistorySynced{Archive: "own", Count: 250, Complete: true}, []string{`{"event":"history_synced","archive":"own","count":250,"complete":true}`}},
		{Exported{Path: "/tmp/x", Count: 3, Format: "jsonl"}, []string{`"event":"exported"`, `"count":3`}},
		{History{Conversation: "bob@acme.test", Messages: []HistoryMessage{{Message: Message{ID: "m1", Body: "hi", Archived: true}, ArchiveID: "42"}}},
			[]string{`"event":"history"`, `"archive_id":"42"`, `"body":"hi"`, `"archived":true`}},
		{SearchResults{Query: "q", Results: []SearchResult{{ID: "7", Snippet: "a q b"}}}, []string{`"event":"search_results"`, `"results":[{"id":"7"`, `"snippet":"a q b"`}},
	}
	for _, tt := range tests {
		b, err := Marshal(tt.e)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("Marshal(%T) = %s, want containing %s", tt.e, b, w)
			}
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("Marshal(%T) is not JSON: %v", tt.e, err)
		}
	}
}
