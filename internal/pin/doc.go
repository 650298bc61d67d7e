// Package pin holds no code. Its tools.go keeps in go.mod the modules that the
// project has chosen but does not import yet (github.com/cretz/bine for Tor
// routing), at the exact versions chosen, so that `go mod tidy` does not drop
// them and every build and CI run resolves the same versions.
//
// This package must not be imported by anything, and must import nothing
// outside its tools build tag.
package pin
