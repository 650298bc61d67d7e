// Package atomicfile writes a file so that readers see either the old
// content or the new, never a mix or a truncated file, even if the process
// or the machine stops half-way: the data goes to a temporary file in the
// same directory, is synced, and is renamed over the old file; then the
// directory is synced. Files are private to the user (0600, directory 0700).
//
// This package must not import anything of the module or any GUI or XMPP
// package; it uses only the standard library.
package atomicfile
