//go:build !unix

package cli

// catchSIGPIPE: there is no SIGPIPE outside Unix; a failed write is an error.
func catchSIGPIPE() func() { return func() {} }
