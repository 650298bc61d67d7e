package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/palisade-im/palisade/policy"
	"github.com/palisade-im/palisade/profile"
)

func init() {
	c := &command{
		name:    "explain",
		usage:   "explain --profile FILE JID...",
		summary: "print what a profile's policy decides for each JID (JSON)",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flags(c, `Loads a profile (its content only; the signature is not checked, so a
draft can be tested before signing) and prints, for each JID or domain, the
policy's explanation as JSON: jid, class, org, lookalike_of, network,
file_send (allowed or denied), reason and, for lookalikes, techniques.`, stdout, stderr)
		file := fs.String("profile", "", "the profile `file`")
		pos, code, ok := parse(fs, args, stdout)
		if !ok {
			return code
		}
		if *file == "" {
			return usageError(c, stderr, "--profile is required")
		}
		if len(pos) == 0 {
			return usageError(c, stderr, "give at least one JID")
		}
		data, err := os.ReadFile(*file)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		p, err := profile.Parse(data)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		eng, err := policy.New(p.Rules())
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		for _, jid := range pos {
			b, err := json.MarshalIndent(eng.Explain(jid), "", "  ")
			if err != nil {
				return fail(c, stderr, "%v", err)
			}
			fmt.Fprintln(stdout, string(b))
		}
		return exitOK
	}
	register(c)
}
