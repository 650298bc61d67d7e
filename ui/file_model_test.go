package ui

import (
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{-1, "size unknown"}, {0, "0 bytes"}, {1, "1 byte"}, {1023, "1023 bytes"}, {1024, "1.0 KB"},
		{48000, "47 KB"}, {2_600_000, "2.5 MB"}, {48_000_000, "46 MB"}, {5 << 30, "5.0 GB"}, {3 << 50, "3072 TB"},
	}
	for _, tt := range tests {
		if got := FormatSize(tt.n); got != tt.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFileItemWords(t *testing.T) {
	tests := []struct {
		name    string
		f       FileItem
		status  string
		running bool
		retry   bool
		frac    float64
	}{
		{"waiting", FileItem{Outgoing: true, Path: "/a", State: FileWaiting, Total: 10}, "Preparing to send…", true, false, 0},
		{"uploading", FileItem{Outgoing: true, Path: "/a", State: FileUploading, Bytes: 512, Total: 2048}, "Sending… 512 bytes of 2.0 KB", true, false, 0.25},
		{"sent", FileItem{Outgoing: true, Path: "/a", State: FileDone}, "Sent", false, false, -1},
		{"upload failed", FileItem{Outgoing: true, Path: "/a", State: FileFailed, Reason: "The upload broke off."}, "Not sent: The upload broke off.", false, true, -1},
		{"refused by policy", FileItem{Outgoing: true, Path: "/a", State: FileFailed, Reason: "No .exe.", Policy: true}, "Not sent: No .exe.", false, false, -1},
		{"failed without words", FileItem{Outgoing: true, State: FileFailed, Code: "quota"}, "Not sent: it did not go through (quota)", false, false, -1},
		{"offer", FileItem{State: FileOffer}, "Not downloaded yet", false, false, -1},
		{"downloading, size unknown", FileItem{State: FileDownloading, Bytes: 2048, Total: -1}, "Downloading… 2.0 KB", true, false, -1},
		{"clean", FileItem{State: FileClean}, "Scanned: no threat found. Saved in your downloads folder.", false, false, -1},
		{"unscanned", FileItem{State: FileUnscanned, Scanner: "clamd is not running."}, "Not scanned: kept in quarantine", false, false, -1},
		{"infected", FileItem{State: FileFailed, Code: event.FileInfected, Reason: "EICAR found; deleted."}, "EICAR found; deleted.", false, false, -1},
		{"infected, no words", FileItem{State: FileFailed, Code: event.FileInfected}, "The virus scanner found malware in this file; it was deleted.", false, false, -1},
		{"interrupted", FileItem{State: FileFailed, Code: event.FileInterrupted, Reason: "The connection broke."}, "Not downloaded: The connection broke.", false, false, -1},
		{"reason says it", FileItem{State: FileFailed, Reason: "The link was not downloaded: http."}, "The link was not downloaded: http.", false, false, -1},
		{"reason says it, sending", FileItem{Outgoing: true, State: FileFailed, Reason: "File not sent: no upload service."}, "File not sent: no upload service.", false, false, -1},
	}
	for _, tt := range tests {
		f := tt.f
		if got := f.Status(); got != tt.status {
			t.Errorf("%s: status %q, want %q", tt.name, got, tt.status)
		}
		if f.Running() != tt.running || f.CanRetry() != tt.retry || f.Fraction() != tt.frac {
			t.Errorf("%s: running %v retry %v fraction %v, want %v %v %v", tt.name, f.Running(), f.CanRetry(), f.Fraction(), tt.running, tt.retry, tt.frac)
		}
	}
	if d := (&FileItem{State: FileUnscanned, Scanner: "clamd is not running"}).Detail(); d != "Clamd is not running." {
		t.Errorf("unscanned detail %q", d)
	}
	if d := (&FileItem{State: FileClean, Scanner: "OK"}).Detail(); d != "" {
		t.Errorf("clean detail %q", d)
	}
	for name, want := range map[string]bool{"a.PNG": true, "b.jpeg": true, "c.gif": true, "d.svg": false, "e.png.exe": false, "png": false} {
		if got := (&FileItem{Name: name}).IsImage(); got != want {
			t.Errorf("IsImage(%q) = %v", name, got)
		}
	}
}

func TestOfferWarning(t *testing.T) {
	for _, tt := range []struct {
		t        event.Trust
		external bool
	}{{tUnknown, true}, {tLookalike, true}, {tPartner, true}, {tInternal, false}, {event.Trust{}, false}} {
		w := OfferWarning(tt.t)
		if got := w == "From an external contact: files can carry malware; it will be scanned."; got != tt.external {
			t.Errorf("class %q: %q", tt.t.Class, w)
		}
	}
}

// An offer takes the place of the message that carried its link; the
// errors and refusals without an id go to the oldest file still waiting.
func TestChatModelFiles(t *testing.T) {
	m := NewChatModel()
	now := time.Now()
	m.Incoming(event.Message{ID: "1", From: "eve@evil.test/x", Body: "look: https://x.test/a.pdf", Time: now}, "alice@acme.test")
	m.Incoming(event.Message{ID: "2", From: "eve@evil.test/x", Body: " https://x.test/a.pdf ", Time: now}, "alice@acme.test")
	f := &FileItem{ID: "f", Peer: "eve@evil.test", Name: "a.pdf", url: "https://x.test/a.pdf"}
	m.AddFile(f, now)
	c := m.Conv("eve@evil.test")
	if len(c.Messages) != 2 || c.Messages[1].File != f || c.Messages[0].File != nil {
		t.Fatalf("the offer did not replace the bare link message: %+v", c.Messages)
	}
	g := &FileItem{ID: "g", Peer: "eve@evil.test", Name: "b.pdf", url: "https://x.test/b.pdf"}
	m.AddFile(g, now)
	if len(c.Messages) != 3 || c.Messages[2].File != g {
		t.Fatalf("an offer without its message has no row of its own: %+v", c.Messages)
	}

	a := &FileItem{ID: "a", Peer: "bob@acme.test", Outgoing: true, State: FileWaiting}
	b := &FileItem{ID: "b", Peer: "carol@partner.test", Outgoing: true, State: FileWaiting}
	d := &FileItem{ID: "d", Peer: "bob@acme.test", Outgoing: true, State: FileWaiting}
	for _, x := range []*FileItem{a, b, d} {
		m.AddFile(x, now)
	}
	if w := m.waitingFile(""); w != a {
		t.Errorf("oldest waiting file: %+v", w)
	}
	if w := m.waitingFile("carol@partner.test/pc"); w != b {
		t.Errorf("oldest waiting file to carol: %+v", w)
	}
	a.State = FileUploading
	if w := m.waitingFile("bob@acme.test"); w != d {
		t.Errorf("oldest waiting file to bob after the first moved on: %+v", w)
	}
	m.Rekey(d, "d2")
	if m.File("d") != nil || m.File("d2") != d || d.ID != "d2" {
		t.Error("Rekey")
	}
}
