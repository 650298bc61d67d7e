package main

import (
	"os"

	"github.com/palisade-im/palisade/cmd/client/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{RunGUI: runGUI}))
}
