package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/palisade-im/palisade/profile"
	"github.com/palisade-im/palisade/session"
)

func init() {
	c := &command{
		name:    "publish",
		usage:   "publish --jid IT@DOMAIN --password-fd N [--server HOST:PORT] [--ca-file F] [--direct-tls] [--tls12] [--service JID] [--node NODE] [--profile P.json] FILE",
		summary: "publish a signed profile or bulletin to the PubSub node clients subscribe to",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flags(c, `Signs in to the XMPP server as the IT account (TLS and SCRAM, as the client
does) and publishes FILE with its detached signature FILE.jws as one item on
the PubSub node clients subscribe to. Clients online apply a newer profile
within seconds and show a new bulletin; the others get it at their next
sign-in.

FILE is a profile or a bulletin, told apart by its "format" field; it is
checked before anything is sent. The service and node default to the
profile's "it" section (pubsub.<first internal domain>,
urn:palisade:profile:1); for a bulletin, to the "it" section of the profile
given with --profile, else pubsub.<domain of --jid> and
urn:palisade:bulletins:1. A node that does not exist yet is created, open to
subscribers, keeping the last profile (or the last 50 bulletins); only an
administrator of the PubSub service may create nodes.

The password is read from file descriptor N (e.g. --password-fd 3 with
3<password-file, or 0 for standard input), never from the command line. On
success the item id is printed.`, stdout, stderr)
		cf := addConnFlags(fs, "the IT account (`JID`), an administrator of the PubSub service", 30*time.Second)
		service := fs.String("service", "", "the PubSub service `JID` (default: see above)")
		node := fs.String("node", "", "the PubSub `node` (default: see above)")
		prof := fs.String("profile", "", "for a bulletin: take the service and node from this profile's \"it\" section (`P.json`)")
		pos, code, ok := parse(fs, args, stdout)
		if !ok {
			return code
		}
		if len(pos) != 1 {
			return usageError(c, stderr, "give exactly one FILE to publish")
		}
		if *cf.account == "" {
			return usageError(c, stderr, "--jid is required")
		}
		if *cf.pwFD < 0 {
			return usageError(c, stderr, "--password-fd is required")
		}
		acct, err := cf.itAccount()
		if err != nil {
			return usageError(c, stderr, "%v", err)
		}
		file := pos[0]
		doc, svc, nd, desc, err := publishable(file, acct.Domainpart())
		if err != nil {
			return fail(c, stderr, "%s not published: %v", file, err)
		}
		if *prof != "" && doc.Kind == session.KindBulletin {
			data, err := os.ReadFile(*prof)
			if err != nil {
				return fail(c, stderr, "%v", err)
			}
			p, err := profile.Parse(data)
			if err != nil {
				return fail(c, stderr, "--profile %s: %v", *prof, err)
			}
			svc, nd = p.IT.PubSubService, p.IT.BulletinNode
		}
		if *service != "" {
			svc = *service
		}
		if *node != "" {
			nd = *node
		}
		cfg, err := cf.sessionConfig(acct)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
		defer cancel()
		id, err := session.Publish(ctx, cfg, svc, nd, doc)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("no answer within %v: %w", *cf.timeout, err)
			}
			return fail(c, stderr, "%s not published: %v", file, err)
		}
		fmt.Fprintf(stderr, "published %s (%s) to %s node %s\n", file, desc, svc, nd)
		fmt.Fprintln(stdout, id)
		return exitOK
	}
	register(c)
}

// publishable reads FILE and FILE.jws, checks the document, and returns it
// with its default service and node.
func publishable(file, domain string) (doc session.Signed, service, node, desc string, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return doc, "", "", "", err
	}
	sig, err := os.ReadFile(file + ".jws")
	if err != nil {
		return doc, "", "", "", fmt.Errorf("no signature: %v (sign it first with palisade-admin sign)", err)
	}
	jws := strings.TrimSpace(string(sig))
	kind := profile.Kind(data)
	switch kind {
	case session.KindProfile:
		p, err := profile.Parse(data)
		if err != nil {
			return doc, "", "", "", err
		}
		service, node = p.IT.PubSubService, p.IT.ProfileNode
	case session.KindBulletin:
		service, node = "pubsub."+domain, session.DefaultBulletinNode
	default:
		return doc, "", "", "", fmt.Errorf(`it is neither a profile (format %q) nor a bulletin (format %q)`, profile.Format, profile.BulletinFormat)
	}
	if desc, err = check(data, time.Now()); err != nil {
		return doc, "", "", "", err
	}
	return session.Signed{Kind: kind, Data: data, JWS: jws}, service, node, desc, nil
}

// readPasswordFD reads a password from an open file descriptor: the first
// line, without its line ending.
func readPasswordFD(fd int) (string, error) {
	f := os.NewFile(uintptr(fd), "password-fd")
	if f == nil {
		return "", fmt.Errorf("--password-fd %d is not an open file descriptor", fd)
	}
	// Up to the first line end (a terminal need not send end of file).
	line, err := bufio.NewReaderSize(io.LimitReader(f, 4096), 4096).ReadString('\n')
	if fd > 2 {
		f.Close()
	}
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password from descriptor %d: %v", fd, err)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pw == "" {
		return "", fmt.Errorf("descriptor %d gave an empty password", fd)
	}
	return pw, nil
}
