package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/audit"
	"github.com/palisade-im/palisade/internal/atomicfile"
)

const auditUsage = `Usage:
  client audit verify [--data-dir DIR] [--anchor SEQ:HASH] [--json]
  client audit export [--data-dir DIR] [--out FILE] [--anchor SEQ:HASH] [--json]

The audit log (DIR/audit/audit.jsonl) records security events, each entry
carrying the hash of the one before. verify checks the whole chain and
names the first altered, missing, reordered or inserted entry (its line and
sequence number); export copies the log exactly as it is (to FILE, or to
standard output) and verifies it the same way.

The summary ends with the head of the chain (SEQ:HASH): keep it somewhere
safe and pass it later with --anchor to prove that no entry up to it was
cut off or rewritten.

Exit status: 0 the chain is intact, 1 it is broken (export still writes
the copy), 2 bad command line, 3 no log or unreadable data directory.
`

// Audit runs "client audit ..." and returns the exit status.
func Audit(args []string, env Env) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "export") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(env.Stdout, auditUsage)
			return ExitOK
		}
		fmt.Fprint(env.Stderr, auditUsage)
		if len(args) > 0 {
			fmt.Fprintf(env.Stderr, "\nclient audit: unknown subcommand %q (verify or export)\n", args[0])
		}
		return ExitUsage
	}
	cmd := args[0]
	name := "client audit " + cmd
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dataDir := fs.String("data-dir", "", "the client's data `directory` (default: the per-user one)")
	anchorS := fs.String("anchor", "", "an earlier head `SEQ:HASH` the log must still hold")
	asJSON := fs.Bool("json", false, "print the verification report as JSON")
	var out *string
	if cmd == "export" {
		out = fs.String("out", "", "write the copy to this `file` (default or \"-\": standard output)")
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), auditUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "%s: unexpected argument %q\nRun '%s --help' for usage.\n", name, fs.Arg(0), name)
		return ExitUsage
	}
	var opts audit.VerifyOptions
	if *anchorS != "" {
		a, err := audit.ParseAnchor(*anchorS)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: --anchor: %v\n", name, err)
			return ExitUsage
		}
		opts.Anchor = &a
	}
	dir := *dataDir
	if dir == "" {
		d, err := account.DefaultDataDir()
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
			return ExitConfig
		}
		dir = d
	}
	logDir := filepath.Join(dir, audit.DirName)
	path := audit.Path(logDir)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(env.Stderr, "%s: there is no audit log at %s (wrong --data-dir?)\n", name, path)
		} else {
			fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		}
		return ExitConfig
	}

	summary := env.Stdout
	var rep audit.Report
	var err error
	if cmd == "verify" {
		rep, err = audit.VerifyDir(logDir, opts)
	} else {
		var buf bytes.Buffer
		rep, err = audit.Export(logDir, &buf, opts)
		if err == nil {
			switch *out {
			case "", "-":
				_, err = env.Stdout.Write(buf.Bytes())
				summary = env.Stderr
			default:
				err = atomicfile.Write(*out, buf.Bytes())
			}
		}
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		return ExitConfig
	}
	printReport(summary, path, rep, *asJSON)
	if cmd == "export" && *out != "" && *out != "-" {
		fmt.Fprintf(summary, "copy written to %s\n", *out)
	}
	if !rep.OK {
		return ExitFatal
	}
	return ExitOK
}

func printReport(w io.Writer, path string, rep audit.Report, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.Encode(struct {
			Path string `json:"path"`
			audit.Report
		}{path, rep})
		return
	}
	if rep.OK {
		fmt.Fprintf(w, "audit log %s: %d entries, the chain is intact\n", path, rep.Entries)
		if rep.Entries > 0 {
			fmt.Fprintf(w, "head: %s\n", rep.Head)
		}
		return
	}
	p := rep.Problem
	fmt.Fprintf(w, "audit log %s: BROKEN at line %d", path, p.Line)
	if p.Seq > 0 {
		fmt.Fprintf(w, " (seq %d)", p.Seq)
	}
	fmt.Fprintf(w, ": %s\n", p.Msg)
	fmt.Fprintf(w, "%d entries verified before it", rep.Entries)
	if rep.Entries > 0 {
		fmt.Fprintf(w, "; last good: %s", rep.Head)
	}
	fmt.Fprintln(w)
}
