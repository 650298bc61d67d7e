package training

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"
)

const good = `id: files
version: 2
lang: en
title: Files and data leaks
gates: files, external-files
---
Lesson text.

? First?
- no
  > because
+ yes
  > right
? Second?
+ yes
  > right
- no
  > wrong
`

func TestParse(t *testing.T) {
	m, err := Parse("files.md", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "files" || m.Version != 2 || m.Lang != "en" || m.Minutes != 2 || m.Pass != 2 ||
		len(m.Questions) != 2 || m.Lesson != "Lesson text." || strings.Join(m.Gates, ",") != "files,external-files" {
		t.Fatalf("parsed %+v", m)
	}
	if c := m.Questions[0].Choices[1]; !c.Correct || c.Explain != "right" {
		t.Errorf("choice %+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"no end of header", "id: x\nversion: 1\nlang: en\ntitle: T\n", `does not end with a line "---"`},
		{"missing title", "id: x\nversion: 1\nlang: en\n---\nL\n? Q\n+ a\n> e\n- b\n> e\n", `no "title"`},
		{"bad id", "id: X Y\n---\n", "line 1: id"},
		{"bad version", "id: x\nversion: one\n---\n", "line 2: version"},
		{"bad lang", "id: x\nlang: english\n---\n", "line 2: lang"},
		{"unknown key", "id: x\ncolour: red\n---\n", `line 2: unknown header key "colour"`},
		{"twice", "id: x\nid: y\n---\n", `"id" is given twice`},
		{"unknown gate", "id: x\nversion: 1\nlang: en\ntitle: T\ngates: teleport\n---\n", `unknown feature "teleport"`},
		{"empty lesson", "id: x\nversion: 1\nlang: en\ntitle: T\n---\n? Q\n+ a\n> e\n- b\n> e\n", "lesson is empty"},
		{"no quiz", "id: x\nversion: 1\nlang: en\ntitle: T\n---\nL\n", "no question"},
		{"one choice", "id: x\nversion: 1\nlang: en\ntitle: T\n---\nL\n? Q\n+ a\n> e\n", "at least two choices"},
		{"two right", "id: x\nversion: 1\nlang: en\ntitle: T\n---\nL\n? Q\n+ a\n> e\n+ b\n> e\n", "exactly one right choice"},
		{"no right", "id: x\nversion: 1\nlang: en\ntitle: T\n---\nL\n? Q\n- a\n> e\n- b\n> e\n", "it has 0"},
		{"unexplained", "id: x\nversion: 1\nlang: en\ntitle: T\n---\nL\n? Q\n+ a\n- b\n> e\n", `"a" has no explanation`},
		{"stray line", "id: x\nversion: 1\nlang: en\ntitle: T\n---\nL\n? Q\nhello\n", "line 8: expected a question"},
		{"pass too high", "id: x\nversion: 1\nlang: en\ntitle: T\npass: 3\n---\nL\n? Q\n+ a\n> e\n- b\n> e\n", "pass 3 is more than the 1 questions"},
		{"not utf8", "id: x\xff\n", "not valid UTF-8"},
		{"too big", strings.Repeat("a", MaxModuleSize+1), "byte limit"},
	}
	for _, tt := range tests {
		_, err := Parse("m.md", []byte(tt.text))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestGrade(t *testing.T) {
	m, _ := Parse("files.md", []byte(good))
	tests := []struct {
		answers []int
		score   int
		passed  bool
	}{
		{[]int{1, 0}, 2, true},
		{[]int{0, 0}, 1, false},
		{[]int{1}, 1, false}, // unanswered counts as wrong
		{[]int{-1, -1}, 0, false},
	}
	for _, tt := range tests {
		r, err := m.Grade(tt.answers)
		if err != nil {
			t.Fatal(err)
		}
		if r.Score != tt.score || r.Passed != tt.passed || r.Total != 2 || len(r.Answers) != 2 {
			t.Errorf("Grade(%v) = %+v", tt.answers, r)
		}
	}
	r, _ := m.Grade([]int{0, 1})
	if r.Answers[0].Explain != "because" || r.Answers[0].Right != 1 || r.Answers[1].Explain != "wrong" {
		t.Errorf("explanations %+v", r.Answers)
	}
	if r, _ := m.Grade([]int{-1}); r.Answers[0].Explain != "right" {
		t.Errorf("an unanswered question explains the right answer, got %q", r.Answers[0].Explain)
	}
	for _, bad := range [][]int{{5, 0}, {0, 0, 0}, {-2, 0}} {
		if _, err := m.Grade(bad); err == nil {
			t.Errorf("Grade(%v) accepted", bad)
		}
	}
}

func mod(id, lang, title, gates string, version int) File {
	return File{Name: lang + "/" + id + ".md", Data: []byte("id: " + id + "\nversion: " + string(rune('0'+version)) + "\nlang: " + lang +
		"\ntitle: " + title + "\ngates: " + gates + "\n---\nL\n? Q\n+ a\n> e\n- b\n> e\n")}
}

func TestGate(t *testing.T) {
	c, err := NewCatalogue([]File{
		mod("phishing", "en", "Phishing", "external-chat", 1),
		mod("files", "en", "Files and data leaks", "files, external-files", 1),
		mod("files", "fr", "Fichiers et fuites de données", "files, external-files", 1),
		mod("identity", "en", "Identity", "external-files", 1),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	req := Requirement{Required: []string{"phishing", "files", "identity"}}
	tests := []struct {
		name    string
		req     Requirement
		prog    Progress
		feature string
		lang    string
		allowed bool
		reason  string
	}{
		{"nothing done", req, nil, FeatureExternalFiles, "en", false, "Complete 'Files and data leaks' and 'Identity' to send files to partners."},
		{"french", req, nil, FeatureFiles, "fr", false, "Terminez 'Fichiers et fuites de données' pour envoyer des fichiers."},
		{"one done", req, Progress{"files": {Version: 1, At: now}}, FeatureExternalFiles, "en", false, "Complete 'Identity' to send files to partners."},
		{"all done", req, Progress{"files": {Version: 1}, "identity": {Version: 1}}, FeatureExternalFiles, "en", true, ""},
		{"not required", Requirement{Required: []string{"phishing"}}, nil, FeatureFiles, "en", true, ""},
		{"no requirement", Requirement{}, nil, FeatureExternalChat, "en", true, ""},
		{"old version", req, Progress{"phishing": {Version: 0}}, FeatureExternalChat, "en", false, "Complete 'Phishing' to write to people outside your organisation."},
		{"explicit gates", Requirement{Required: []string{"phishing", "files"}, Gates: map[string][]string{FeatureFiles: {"phishing"}}}, nil, FeatureFiles, "en", false, "Complete 'Phishing' to send files."},
		{"explicit gate names an unrequired module", Requirement{Required: []string{"files"}, Gates: map[string][]string{FeatureFiles: {"phishing"}}}, nil, FeatureFiles, "en", true, ""},
		{"unknown module required", Requirement{Required: []string{"ghost"}}, nil, FeatureFiles, "en", true, ""},
	}
	for _, tt := range tests {
		d := c.Gate(tt.req, tt.prog, tt.feature, tt.lang)
		if d.Allowed != tt.allowed || d.Reason != tt.reason {
			t.Errorf("%s: %+v, want allowed=%v reason %q", tt.name, d, tt.allowed, tt.reason)
		}
	}
	if got := c.Outstanding(req, Progress{"files": {Version: 1}}); strings.Join(got, ",") != "phishing,identity" {
		t.Errorf("Outstanding = %v", got)
	}
}

func TestCatalogueExtraReplacesAndKeepsGoodModules(t *testing.T) {
	c, err := NewCatalogue([]File{mod("files", "en", "Files", "files", 1)},
		[]File{mod("files", "en", "Files (ACME edition)", "files", 2), {Name: "bad.md", Data: []byte("nonsense")}})
	if err == nil || !strings.Contains(err.Error(), "bad.md") {
		t.Errorf("error %v, want one naming bad.md", err)
	}
	m, ok := c.Module("files", "fr")
	if !ok || m.Title != "Files (ACME edition)" || m.Version != 2 {
		t.Errorf("module %+v: the profile's version should replace the built-in one and serve as fallback", m)
	}
	if c.Done(Progress{"files": {Version: 1}}, "files") {
		t.Error("a completion of version 1 counts for version 2")
	}
}

func TestReport(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	r := Report{JID: "alice@acme.test", DeviceID: "ab12-cd34", Module: "files", Version: 1, Score: 3, Total: 3,
		CompletedAt: time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("CET", 3600))}
	data, sig, err := SignReport(priv, r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyReport(pub, data, sig)
	if err != nil {
		t.Fatal(err)
	}
	if got.JID != r.JID || got.Format != ReportFormat || !got.CompletedAt.Equal(r.CompletedAt) {
		t.Errorf("round trip %+v", got)
	}
	tampered := []byte(strings.Replace(string(data), `"score":3`, `"score":2`, 1))
	if _, err := VerifyReport(pub, tampered, sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered report: %v", err)
	}
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := VerifyReport(otherPub, data, sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other key: %v", err)
	}
	for _, bad := range []Report{{}, {JID: "a@b", DeviceID: "d", Module: "Bad Id", Version: 1, Total: 1, CompletedAt: time.Now()},
		{JID: "a@b", DeviceID: "d", Module: "m", Version: 1, Score: 4, Total: 3, CompletedAt: time.Now()}} {
		if _, _, err := SignReport(priv, bad); err == nil {
			t.Errorf("SignReport accepted %+v", bad)
		}
	}
	if _, _, err := SignReport(nil, r); err == nil {
		t.Error("SignReport without a key")
	}
}

func TestParsePrompts(t *testing.T) {
	p, err := ParsePrompts("p.txt", "en", []byte("# c\n[first-unknown-chat]\ntitle: T\nmodule: phishing\nBody line.\n\n[first-partner-file]\ntitle: F\nText.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p[PromptUnknownChat].Body != "Body line." || p[PromptUnknownChat].Module != "phishing" || p[PromptPartnerFile].Title != "F" {
		t.Errorf("%+v", p)
	}
	for _, bad := range []string{"[nope]\ntitle: T\nx\n", "stray\n", "[first-unknown-chat]\ntitle: T\n", "[first-unknown-chat]\ntitle: T\nx\n[first-unknown-chat]\ntitle: T\ny\n"} {
		if _, err := ParsePrompts("p.txt", "en", []byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("id: x\n---\n? q\n+ a\n> e\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.md", data)
		if err != nil {
			return
		}
		if len(m.Questions) == 0 || m.Pass < 1 || m.Pass > len(m.Questions) {
			t.Fatalf("invalid module accepted: %+v", m)
		}
		for _, q := range m.Questions {
			right := 0
			for _, c := range q.Choices {
				if c.Explain == "" {
					t.Fatal("unexplained choice accepted")
				}
				if c.Correct {
					right++
				}
			}
			if right != 1 {
				t.Fatal("question without exactly one right choice accepted")
			}
		}
		all := make([]int, len(m.Questions))
		if _, err := m.Grade(all); err != nil {
			t.Fatal(err)
		}
	})
}
