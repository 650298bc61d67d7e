package cli

import (
	"runtime"
	"strings"
	"testing"
)

func TestMainVersion(t *testing.T) {
	oldV, oldB := Version, Build
	t.Cleanup(func() { Version, Build = oldV, oldB })
	platform := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name           string
		version, build string
		args           []string
		want           string
	}{
		{"long flag", "0.2.0", "7", []string{"--version"}, "palisade 0.2.0 (build 7, " + platform + ")\n"},
		{"single dash", "0.2.0", "7", []string{"-version"}, "palisade 0.2.0 (build 7, " + platform + ")\n"},
		{"word", "0.2.0", "", []string{"version"}, "palisade 0.2.0 (" + platform + ")\n"},
		{"plain go build", "", "", []string{"--version"}, "palisade dev (" + platform + ")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			Version, Build = tt.version, tt.build
			h := newHarness()
			if code := h.run(tt.args...); code != ExitOK {
				t.Fatalf("exit %d, stderr %q", code, h.stderr.String())
			}
			if got := h.stdout.String(); got != tt.want {
				t.Errorf("stdout %q, want %q", got, tt.want)
			}
			if h.backend != nil || h.gui != nil {
				t.Error("--version started a session or the GUI")
			}
		})
	}
}

func TestMainVersionWithOtherFlagsIsUsage(t *testing.T) {
	h := newHarness()
	if code := h.run("--version", "--headless"); code != ExitUsage {
		t.Fatalf("exit %d, want %d (usage)", code, ExitUsage)
	}
	if !strings.Contains(h.stderr.String(), "version") {
		t.Errorf("stderr does not name the flag: %q", h.stderr.String())
	}
}
