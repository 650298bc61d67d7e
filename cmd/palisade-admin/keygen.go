package main

import (
	"fmt"
	"io"

	"github.com/palisade-im/palisade/profile"
)

func init() {
	c := &command{
		name:    "keygen",
		usage:   "keygen --out DIR [--name NAME]",
		summary: "make an IT signing key pair: NAME.private.jwk (0600) and NAME.jwk",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flags(c, `Generates an Ed25519 signing key pair as JWK files in DIR:
NAME.private.jwk (mode 0600: keep it offline, it signs profiles) and
NAME.jwk (the public key: install it in the clients' keys directory, or
announce it as next_key in a profile signed by the current key).
Existing files are never overwritten.`, stdout, stderr)
		out := fs.String("out", "", "write the key files into this `directory` (created 0700 if missing)")
		name := fs.String("name", "it-signing", "base `name` of the key files")
		pos, code, ok := parse(fs, args, stdout)
		if !ok {
			return code
		}
		if len(pos) > 0 {
			return usageError(c, stderr, "unexpected argument %q", pos[0])
		}
		if *out == "" {
			return usageError(c, stderr, "--out is required")
		}
		priv, pub, err := profile.GenerateKey()
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		privPath, pubPath, err := profile.WriteKeyPair(*out, *name, priv, pub)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		fmt.Fprintf(stdout, "key id:      %s\nprivate key: %s (keep it secret)\npublic key:  %s\n", pub.KeyID, privPath, pubPath)
		return exitOK
	}
	register(c)
}
