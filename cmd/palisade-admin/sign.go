package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/palisade-im/palisade/profile"
)

func init() {
	c := &command{
		name:    "sign",
		usage:   "sign --key PRIV.jwk [--out FILE.jws] FILE",
		summary: "check a profile or bulletin and write its detached signature FILE.jws",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flags(c, `Checks FILE (a profile or a bulletin, told apart by its "format" field)
and, when it is valid, signs its exact bytes with the private key and writes
the detached JWS next to it as FILE.jws. A malformed document is not signed:
the problem is printed and the exit code is 1. Do not edit FILE after
signing; any change, even whitespace, breaks the signature.`, stdout, stderr)
		key := fs.String("key", "", "the private signing key (`PRIV.jwk`, mode 0600)")
		out := fs.String("out", "", "write the signature to this `file` (default FILE.jws)")
		pos, code, ok := parse(fs, args, stdout)
		if !ok {
			return code
		}
		if len(pos) != 1 {
			return usageError(c, stderr, "give exactly one FILE to sign")
		}
		if *key == "" {
			return usageError(c, stderr, "--key is required")
		}
		file := pos[0]
		data, err := os.ReadFile(file)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		desc, err := check(data, time.Now())
		if err != nil {
			return fail(c, stderr, "%s not signed: %v", file, err)
		}
		priv, err := profile.ReadPrivateKey(*key)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		jws, err := profile.Sign(data, priv)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		if *out == "" {
			*out = file + ".jws"
		}
		if err := os.WriteFile(*out, []byte(jws+"\n"), 0o644); err != nil {
			return fail(c, stderr, "%v", err)
		}
		fmt.Fprintf(stdout, "signed %s (%s) with key %s -> %s\n", file, desc, profile.KeyID(priv), *out)
		return exitOK
	}
	register(c)
}

// check validates a profile or bulletin and describes it in a few words.
func check(data []byte, now time.Time) (string, error) {
	switch profile.Kind(data) {
	case "bulletin":
		b, err := profile.ParseBulletin(data)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("bulletin %s, %s", b.ID, b.Severity), nil
	default:
		p, err := profile.Parse(data)
		if err != nil {
			return "", err
		}
		if p.Expired(now) {
			return "", fmt.Errorf("profile %s serial %d expired on %s; clients would refuse it", p.ID, p.Serial, p.ExpiresAt.Format(time.RFC3339))
		}
		return fmt.Sprintf("profile %s serial %d, expires %s", p.ID, p.Serial, p.ExpiresAt.Format(time.RFC3339)), nil
	}
}
