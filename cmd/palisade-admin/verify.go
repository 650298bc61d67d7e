package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/profile"
)

func init() {
	c := &command{
		name:    "verify",
		usage:   "verify [--keys DIR|KEY.jwk] [--sig FILE.jws] FILE",
		summary: "verify a signed profile or bulletin the way a client would",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flags(c, `Verifies FILE against its detached signature (FILE.jws) and the trusted
public keys, then checks its content and dates the way a client does.
Prints "OK ..." with the id, serial, signing key and expiry, or "REFUSED
(code): reason". Rollback cannot be judged here: it depends on what a client
already applied.`, stdout, stderr)
		keys := fs.String("keys", filepath.Join(profile.SystemDir(), "keys"), "trusted public keys: a `directory` of *.jwk files or one .jwk file")
		sig := fs.String("sig", "", "the signature `file` (default FILE.jws)")
		pos, code, ok := parse(fs, args, stdout)
		if !ok {
			return code
		}
		if len(pos) != 1 {
			return usageError(c, stderr, "give exactly one FILE to verify")
		}
		file := pos[0]
		if *sig == "" {
			*sig = file + ".jws"
		}
		trusted, err := loadKeys(*keys, stderr)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		if len(trusted) == 0 {
			return fail(c, stderr, "no trusted keys in %s", *keys)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return refused(stdout, event.ProfileUnreadable, err.Error())
		}
		jws, err := os.ReadFile(*sig)
		if err != nil {
			return refused(stdout, event.ProfileBadSignature, "no signature: "+err.Error())
		}
		kid, err := profile.Verify(data, string(jws), trusted)
		if err != nil {
			return refusedErr(stdout, err)
		}
		now := time.Now()
		if profile.Kind(data) == "bulletin" {
			b, err := profile.ParseBulletin(data)
			if err != nil {
				return refusedErr(stdout, err)
			}
			exp := "never"
			if !b.ExpiresAt.IsZero() {
				exp = b.ExpiresAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "OK bulletin %s (%s) signed by key %s, expires %s\n", b.ID, b.Severity, kid, exp)
			return exitOK
		}
		p, err := profile.Parse(data)
		if err != nil {
			return refusedErr(stdout, err)
		}
		if p.Expired(now) {
			return refused(stdout, event.ProfileExpired, fmt.Sprintf("profile %s serial %d expired on %s", p.ID, p.Serial, p.ExpiresAt.Format(time.RFC3339)))
		}
		if p.IssuedAt.After(now.Add(profile.MaxFutureSkew)) {
			return refused(stdout, event.ProfileExpired, fmt.Sprintf("profile %s serial %d is not valid until %s", p.ID, p.Serial, p.IssuedAt.Format(time.RFC3339)))
		}
		fmt.Fprintf(stdout, "OK profile %s serial %d (%s) signed by key %s, expires %s\n", p.ID, p.Serial, p.Organisation.Name, kid, p.ExpiresAt.Format(time.RFC3339))
		if p.NextKey != nil {
			fmt.Fprintf(stdout, "   announces the next IT key %s\n", profile.KeyID(p.NextKey))
		}
		return exitOK
	}
	register(c)
}

func loadKeys(path string, stderr io.Writer) ([]jose.JSONWebKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		k, err := profile.ReadPublicKey(path)
		if err != nil {
			return nil, err
		}
		return []jose.JSONWebKey{k}, nil
	}
	keys, errs := profile.ReadKeys(path)
	for _, e := range errs {
		fmt.Fprintf(stderr, "warning: %v\n", e)
	}
	return keys, nil
}

func refused(stdout io.Writer, code, reason string) int {
	fmt.Fprintf(stdout, "REFUSED (%s): %s\n", code, strings.TrimSpace(reason))
	return exitFail
}

func refusedErr(stdout io.Writer, err error) int {
	var e *profile.Error
	if errors.As(err, &e) {
		return refused(stdout, e.Code, e.Msg)
	}
	return refused(stdout, event.ProfileMalformed, err.Error())
}
