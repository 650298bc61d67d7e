package cli

import (
	"fmt"
	"runtime"
)

// Version and Build are the release's version and build number. The
// packaging script (scripts/package.sh) sets them from FyneApp.toml with
// -ldflags "-X github.com/palisade-im/palisade/cmd/client/internal/cli.Version=0.2.0 ...";
// a plain `go build` leaves Version "dev".
var (
	Version = "dev"
	Build   = ""
)

// isVersionArg reports whether args asks only for the version.
func isVersionArg(args []string) bool {
	if len(args) != 1 {
		return false
	}
	switch args[0] {
	case "--version", "-version", "version":
		return true
	}
	return false
}

// VersionLine is what `client --version` prints, e.g.
// "palisade 0.2.0 (build 1, linux/amd64)".
func VersionLine() string {
	v := Version
	if v == "" {
		v = "dev"
	}
	b := ""
	if Build != "" {
		b = "build " + Build + ", "
	}
	return fmt.Sprintf("palisade %s (%s%s/%s)", v, b, runtime.GOOS, runtime.GOARCH)
}
