//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keystore

// platformUnavailable: macOS and Windows always have their keyring service.
func platformUnavailable() *UnavailableError { return nil }
