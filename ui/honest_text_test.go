package ui

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"
)

// Names and bodies from peers are drawn through textsafe: no bidi override
// reorders them, no invisible character hides in them, and a deceptive link
// names its real host.
func TestHonestText(t *testing.T) {
	if got := (ContactView{JID: "x@acme.test", Name: "Alice\u202E nimda\u200B\nIT"}).DisplayName(); got != "Alice\uFFFD nimda IT" {
		t.Errorf("DisplayName = %q", got)
	}
	if got := (ContactView{JID: "heidi@acme.test", Name: "\u200B"}).DisplayName(); got != "heidi" {
		t.Errorf("an invisible name: DisplayName = %q, want the local part", got)
	}
	segs := bodySegments(ChatMessage{Body: "see invoice\u202Efdp.exe at https://acme.test@evil.test/pay"}, func(string) {})
	var text, open string
	for _, s := range segs {
		switch s := s.(type) {
		case *widget.TextSegment:
			text += s.Text
		case *widget.HyperlinkSegment:
			open += s.Text
		}
	}
	if strings.ContainsRune(text, '\u202E') || !strings.Contains(text, "invoice\uFFFDfdp.exe") {
		t.Errorf("body drawn as %q", text)
	}
	if !strings.Contains(open, "evil.test") || strings.Contains(open, "acme.test@") {
		t.Errorf("the link opens as %q, want its real host named", open)
	}
	for link, want := range map[string]string{
		"https://аpple.com/":       "xn--pple-43d.com",
		"https://acme.test/a":      "Open https://acme.test/a",
		"https://u:p@evil.test/x":  "evil.test",
		"https://evil.test/\u200B": "hidden",
	} {
		u, _ := url.Parse(link)
		if got := openWords(u, link); !strings.Contains(got, want) {
			t.Errorf("openWords(%q) = %q, want %q in it", link, got, want)
		}
	}
}
