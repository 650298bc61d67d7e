// Package testenv starts private, loopback-only XMPP servers (Prosody,
// ejabberd, and a plaintext-only Prosody) with a fresh local CA, the demo
// users and rosters, and offers a TCP proxy whose connections can be cut to
// simulate a dropped network.
//
// It is test support only: it may be imported only by _test.go files. Product
// code must not import it (internal/archtest enforces this), and it must not
// import Fyne, the ui or the session packages.
//
// Each server gets free loopback ports and a temporary directory, so several
// test binaries can run in parallel. The shell scripts and configuration
// templates it renders live in the top-level testenv/ directory, which is also
// usable by hand (see testenv/README.md).
//
// Temporary server directories are removed when the server stops, unless
// PALISADE_KEEP_TESTENV is set; when a test fails, the tail of the server log
// is logged with the test. PALISADE_TESTENV_DIR points to the testenv/
// directory if it cannot be found from the source tree.
//
// When a server binary is missing, the helpers fail the test with a message
// such as "prosody not installed: run `make deps`"; they never skip.
package testenv
