package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0 // success
	exitFail  = 1 // refused or failed
	exitUsage = 2 // bad command line
)

// command is one subcommand of palisade-admin.
type command struct {
	name    string
	usage   string // the synopsis after "palisade-admin ", e.g. "keygen --out DIR [--name NAME]"
	summary string // one line for the command list
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is the command table; each command's file adds itself with
// register from an init function.
var commands = map[string]*command{}

// register adds a command to the table. It panics on a duplicate name, a
// programming error caught by any test.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("palisade-admin: command " + c.name + " registered twice")
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one palisade-admin command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run([]string{"-h"}, stdout, stderr)
			}
		}
		usage(stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "palisade-admin: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: palisade-admin COMMAND [flags]")
	fmt.Fprintln(w, "\nIT tool for Palisade's signed configuration profiles and security bulletins.")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'palisade-admin COMMAND -h' for a command's flags. Exit codes: 0 ok, 1 refused or failed, 2 usage.")
}

// flags makes a flag set for a command whose -h prints the synopsis, the
// description and the flags.
func flags(c *command, description string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: palisade-admin %s\n\n%s\n", c.usage, strings.TrimSpace(description))
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses flags that may come before or after the positional
// arguments. It returns the positional arguments, or an exit code (with ok
// false) when parsing ended: 0 after -h, 2 after a bad flag.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) (pos []string, code int, ok bool) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, exitOK, false
		}
		if err != nil {
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError prints a usage problem and the command's synopsis.
func usageError(c *command, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "palisade-admin %s: %s\nusage: palisade-admin %s (-h for help)\n", c.name, fmt.Sprintf(format, args...), c.usage)
	return exitUsage
}

// fail prints a failure and returns exitFail.
func fail(c *command, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "palisade-admin %s: %s\n", c.name, fmt.Sprintf(format, args...))
	return exitFail
}
