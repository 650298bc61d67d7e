//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keystore

import (
	"os"
	"path/filepath"
	"strconv"
)

// platformUnavailable reports when there is no D-Bus session bus to reach
// the Secret Service on. Without this check the D-Bus library would
// "autolaunch" a private bus daemon (and with it a keyring daemon) that
// outlives the process and holds nothing.
func platformUnavailable() *UnavailableError {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	runtimeDir := os.Getenv("XDG_RUNTIME_DIR")
	if runtimeDir == "" {
		runtimeDir = "/run/user/" + strconv.Itoa(os.Getuid())
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(runtimeDir, name)); err == nil {
			return nil
		}
	}
	return &UnavailableError{Reason: "no D-Bus session bus, so no Secret Service"}
}
