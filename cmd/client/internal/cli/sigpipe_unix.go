//go:build unix

package cli

import (
	"os"
	"os/signal"
	"syscall"
)

// catchSIGPIPE turns a write to a closed stdout into an EPIPE error instead
// of killing the process, so that headless mode can still close the stream
// cleanly when its reader goes away. It returns a function undoing it.
func catchSIGPIPE() func() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGPIPE)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-c:
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(c); close(done) }
}
