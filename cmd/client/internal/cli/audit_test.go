package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palisade-im/palisade/audit"
)

// auditDataDir makes a data directory whose audit log holds n entries and
// returns it with the log's lines.
func auditDataDir(t *testing.T, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	l, err := audit.Open(filepath.Join(dir, audit.DirName))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := l.Append(audit.KindWarningShown, map[string]any{"peer": "mallory@evil.test", "i": i}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	data, err := os.ReadFile(audit.Path(filepath.Join(dir, audit.DirName)))
	if err != nil {
		t.Fatal(err)
	}
	return dir, strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
}

func TestAuditVerify(t *testing.T) {
	good, _ := auditDataDir(t, 5)
	broken, lines := auditDataDir(t, 5)
	// Delete entry 3.
	os.WriteFile(audit.Path(filepath.Join(broken, audit.DirName)), []byte(lines[0]+lines[1]+lines[3]+lines[4]+"\n"), 0o600)
	edited, lines2 := auditDataDir(t, 5)
	lines2[1] = strings.Replace(lines2[1], "mallory@evil.test", "mallory@good.test", 1)
	os.WriteFile(audit.Path(filepath.Join(edited, audit.DirName)), []byte(strings.Join(lines2, "")+"\n"), 0o600)

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"intact", []string{"audit", "verify", "--data-dir", good}, ExitOK, []string{"5 entries, the chain is intact", "head: 5:"}, ""},
		{"deleted entry", []string{"audit", "verify", "--data-dir", broken}, ExitFatal, []string{"BROKEN at line 3 (seq 3)", "entry seq 3 is missing", "2 entries verified before it"}, ""},
		{"edited entry", []string{"audit", "verify", "--data-dir", edited}, ExitFatal, []string{"BROKEN at line 2 (seq 2)", "was altered"}, ""},
		{"no log", []string{"audit", "verify", "--data-dir", t.TempDir()}, ExitConfig, nil, "there is no audit log"},
		{"bad anchor", []string{"audit", "verify", "--data-dir", good, "--anchor", "x"}, ExitUsage, nil, "--anchor"},
		{"no subcommand", []string{"audit"}, ExitUsage, nil, "client audit verify"},
		{"unknown subcommand", []string{"audit", "shred"}, ExitUsage, nil, `unknown subcommand "shred"`},
		{"extra argument", []string{"audit", "verify", "--data-dir", good, "x"}, ExitUsage, nil, `unexpected argument "x"`},
		{"help", []string{"audit", "--help"}, ExitOK, []string{"client audit export"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			if code := h.run(tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d; stdout %q stderr %q", code, tt.code, h.stdout.String(), h.stderr.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(h.stdout.String(), want) {
					t.Errorf("stdout %q lacks %q", h.stdout.String(), want)
				}
			}
			if !strings.Contains(h.stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", h.stderr.String(), tt.stderr)
			}
		})
	}
}

func TestAuditAnchorAndJSON(t *testing.T) {
	dir, lines := auditDataDir(t, 4)
	h := newHarness()
	if code := h.run("audit", "verify", "--data-dir", dir, "--json"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, h.stderr.String())
	}
	var rep struct {
		Path string `json:"path"`
		audit.Report
	}
	if err := json.Unmarshal(h.stdout.Bytes(), &rep); err != nil || !rep.OK || rep.Head.Seq != 4 {
		t.Fatalf("JSON report %s: %v", h.stdout.String(), err)
	}
	// The last entry cut off at a line end: only the anchor sees it.
	os.WriteFile(audit.Path(filepath.Join(dir, audit.DirName)), []byte(strings.Join(lines[:3], "")), 0o600)
	h = newHarness()
	if code := h.run("audit", "verify", "--data-dir", dir); code != ExitOK {
		t.Fatalf("without anchor: exit %d", code)
	}
	h = newHarness()
	if code := h.run("audit", "verify", "--data-dir", dir, "--anchor", rep.Head.String()); code != ExitFatal ||
		!strings.Contains(h.stdout.String(), "anchored entry seq 4 is missing") {
		t.Errorf("with anchor: exit %d, %s", code, h.stdout.String())
	}
}

func TestAuditExport(t *testing.T) {
	dir, lines := auditDataDir(t, 3)
	out := filepath.Join(t.TempDir(), "audit-export.jsonl")
	h := newHarness()
	if code := h.run("audit", "export", "--data-dir", dir, "--out", out); code != ExitOK {
		t.Fatalf("exit %d: %s", code, h.stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != strings.Join(lines, "")+"\n" {
		t.Fatalf("export differs from the log: %q %v", got, err)
	}
	if !strings.Contains(h.stdout.String(), "3 entries, the chain is intact") || !strings.Contains(h.stdout.String(), "copy written to "+out) {
		t.Errorf("summary: %q", h.stdout.String())
	}
	// To standard output: the log there, the summary on standard error.
	h = newHarness()
	if code := h.run("audit", "export", "--data-dir", dir); code != ExitOK || h.stdout.String() != string(got) ||
		!strings.Contains(h.stderr.String(), "chain is intact") {
		t.Errorf("export to stdout: exit %d, stdout %q, stderr %q", code, h.stdout.String(), h.stderr.String())
	}
	// A broken log is still exported, with exit status 1.
	os.WriteFile(audit.Path(filepath.Join(dir, audit.DirName)), []byte(lines[1]+lines[0]+lines[2]+"\n"), 0o600)
	h = newHarness()
	if code := h.run("audit", "export", "--data-dir", dir, "--out", out); code != ExitFatal ||
		!strings.Contains(h.stdout.String(), "BROKEN at line 1 (seq 2)") {
		t.Errorf("broken export: exit %d, %q", code, h.stdout.String())
	}
	if again, _ := os.ReadFile(out); string(again) != lines[1]+lines[0]+lines[2]+"\n" {
		t.Error("the broken log was not copied as it is")
	}
}
