package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/palisade-im/palisade/profile"
)

func init() {
	c := &command{
		name:    "bulletin",
		usage:   "bulletin new --id ID --title TITLE --body BODY [--severity info|warning|critical] [--expires DURATION] > FILE.json",
		summary: "write a new security bulletin document to stdout (then sign it)",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) == 0 {
			return usageError(c, stderr, "missing subcommand: new")
		}
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			args = []string{"new", "-h"}
		}
		if args[0] != "new" {
			return usageError(c, stderr, "unknown subcommand %q (only: new)", args[0])
		}
		fs := flags(c, `Writes a bulletin document (format palisade-bulletin/1) to stdout, issued
now. Sign it with 'palisade-admin sign' and publish it; clients show it as a
banner until the user dismisses it.`, stdout, stderr)
		id := fs.String("id", "", "unique bulletin `id`, e.g. 2026-11-hr-phishing")
		title := fs.String("title", "", "one-line `title`")
		body := fs.String("body", "", "the `text` users read")
		sev := fs.String("severity", "warning", "`severity`: info, warning or critical")
		exp := fs.Duration("expires", 14*24*time.Hour, "expire after this `duration` (e.g. 336h); 0 = never")
		pos, code, ok := parse(fs, args[1:], stdout)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			return usageError(c, stderr, "unexpected argument %q", pos[0])
		}
		if *exp < 0 {
			return usageError(c, stderr, "--expires must not be negative")
		}
		now := time.Now().UTC().Truncate(time.Second)
		b := profile.Bulletin{Format: profile.BulletinFormat, ID: *id, IssuedAt: now, Severity: *sev, Title: *title, Body: *body}
		if *exp > 0 {
			b.ExpiresAt = now.Add(*exp)
		}
		data, err := json.MarshalIndent(b, "", "  ")
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		data = append(data, '\n')
		if _, err := profile.ParseBulletin(data); err != nil {
			return usageError(c, stderr, "%v", err)
		}
		fmt.Fprint(stdout, string(data))
		return exitOK
	}
	register(c)
}
