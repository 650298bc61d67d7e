package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/profile"
)

func init() {
	c := &command{
		name:    "show",
		usage:   "show [--data-dir DIR] [--system-dir DIR]",
		summary: "print the profile in force in a client's data directory (JSON)",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flags(c, `Prints, as JSON, the profile in force for the client whose data directory
is DIR (the stored last good profile, verified again against the trusted
keys), with the effective settings, and the bulletins kept. The refusal and
application log is in DIR/profile/log.jsonl.`, stdout, stderr)
		dataDir := fs.String("data-dir", "", "the client's data `directory` (default: the OS user config dir + /Palisade)")
		sysDir := fs.String("system-dir", profile.SystemDir(), "where IT installs keys and the managed profile (`DIR`)")
		pos, code, ok := parse(fs, args, stdout)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			return usageError(c, stderr, "unexpected argument %q", pos[0])
		}
		if *dataDir == "" {
			d, err := account.DefaultDataDir()
			if err != nil {
				return fail(c, stderr, "%v", err)
			}
			*dataDir = d
		}
		out := struct {
			Profile   event.Profile    `json:"profile"`
			Bulletins []event.Bulletin `json:"bulletins"`
			Log       string           `json:"log"`
		}{Log: profile.LogPath(*dataDir)}
		if _, err := os.Stat(filepath.Join(*dataDir, "profile")); err != nil {
			// Nothing stored: do not create anything in someone's data directory.
			out.Profile = event.Profile{Managed: false, Settings: profile.UnmanagedSettings()}
			out.Bulletins = []event.Bulletin{}
		} else {
			m, err := profile.Open(profile.Options{DataDir: *dataDir, SystemDir: *sysDir})
			if err != nil {
				return fail(c, stderr, "%v", err)
			}
			out.Profile = m.Summary()
			out.Bulletins = m.Bulletins()
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	register(c)
}
