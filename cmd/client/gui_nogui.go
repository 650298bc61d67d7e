//go:build nogui

package main

import "github.com/palisade-im/palisade/cmd/client/internal/cli"

// runGUI is nil in a build without the GUI: cli.Main then says to use
// --headless.
var runGUI func(cli.GUI) int
