package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/session"
)

// The identity CA (docs/identity.md): IT's certificate authority for
// device certificates. Its state lives in one directory on IT's machine:
//
//	ca.pem       the CA certificate (goes into the profile's trusted_cas.identity)
//	ca.key       the CA's private key (0600; never leaves this machine)
//	issued.json  every certificate issued, with its revocation if any
//	queue.json   requests collected over XMPP and not yet answered
//	crl-number   the number of the last CRL made

const (
	caCertFile   = "ca.pem"
	caKeyFile    = "ca.key"
	caIssuedFile = "issued.json"
	caQueueFile  = "queue.json"
	caCRLNumber  = "crl-number"
)

// issuedCert is one line of the issued list.
type issuedCert struct {
	Serial    string    `json:"serial"` // lower-case hex
	JID       string    `json:"jid"`
	Device    string    `json:"device"`
	Subject   string    `json:"subject"`
	SHA256    string    `json:"sha256"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	IssuedAt  time.Time `json:"issued_at"`
	Request   string    `json:"request,omitempty"` // the XMPP request id, if any
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Reason    string    `json:"reason,omitempty"`
	Cert      string    `json:"cert"` // PEM
}

// queuedRequest is a request waiting for IT's decision.
type queuedRequest struct {
	ID       string    `json:"id"`
	From     string    `json:"from"`
	JID      string    `json:"jid"`
	Device   string    `json:"device"`
	SHA256   string    `json:"sha256"`
	Received time.Time `json:"received"`
	CSR      string    `json:"csr"`
	Problem  string    `json:"problem,omitempty"` // why it cannot be approved
}

type caQueue struct {
	Last     string          `json:"last,omitempty"` // the archive id read up to
	Pending  []queuedRequest `json:"pending"`
	Answered []string        `json:"answered,omitempty"` // request ids answered (approved or rejected)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s is damaged: %v", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'))
}

func loadCADir(dir string) (*identity.CA, error) {
	c, err := os.ReadFile(filepath.Join(dir, caCertFile))
	if err != nil {
		return nil, fmt.Errorf("no identity CA in %s (run 'palisade-admin ca init' first): %v", dir, err)
	}
	k, err := os.ReadFile(filepath.Join(dir, caKeyFile))
	if err != nil {
		return nil, fmt.Errorf("the CA key cannot be read: %v", err)
	}
	return identity.LoadCA(c, k)
}

func loadIssued(dir string) ([]issuedCert, error) {
	var l []issuedCert
	err := readJSON(filepath.Join(dir, caIssuedFile), &l)
	return l, err
}

func loadQueue(dir string) (*caQueue, error) {
	q := &caQueue{}
	err := readJSON(filepath.Join(dir, caQueueFile), q)
	return q, err
}

// issueAndRecord signs a checked request and adds it to the issued list.
func issueAndRecord(dir string, ca *identity.CA, r *identity.RequestInfo, org string, days int, reqID string) ([]byte, issuedCert, error) {
	now := time.Now()
	if org == "" && len(ca.Cert.Subject.Organization) > 0 {
		org = ca.Cert.Subject.Organization[0]
	}
	certPEM, err := ca.Issue(r, identity.IssueOptions{Org: org, Now: now, Validity: time.Duration(days) * 24 * time.Hour})
	if err != nil {
		return nil, issuedCert{}, err
	}
	certs, err := identity.ParseCertificates(certPEM)
	if err != nil {
		return nil, issuedCert{}, err
	}
	c := certs[0]
	rec := issuedCert{Serial: identity.FormatSerial(c.SerialNumber), JID: r.JID, Device: r.DeviceID, Subject: c.Subject.String(),
		SHA256: identity.FormatSHA256(c.Raw), NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), IssuedAt: now.UTC(),
		Request: reqID, Cert: string(certPEM)}
	l, err := loadIssued(dir)
	if err != nil {
		return nil, issuedCert{}, err
	}
	l = append(l, rec)
	if err := writeJSON(filepath.Join(dir, caIssuedFile), l); err != nil {
		return nil, issuedCert{}, fmt.Errorf("the certificate was made but could not be recorded: %v", err)
	}
	return certPEM, rec, nil
}

// connFlags are the flags of the commands that sign in as IT.
type connFlags struct {
	account, server, caFile *string
	pwFD                    *int
	direct, tls12           *bool
	timeout                 *time.Duration
}

// addConnFlags adds the flags to fs; jidHelp says what the account is for
// this command, timeout is the default of --timeout.
func addConnFlags(fs *flag.FlagSet, jidHelp string, timeout time.Duration) connFlags {
	return connFlags{
		account: fs.String("jid", "", jidHelp),
		pwFD:    fs.Int("password-fd", -1, "read the password from this file descriptor (`N`)"),
		server:  fs.String("server", "", "connect to `HOST:PORT` instead of looking up the domain"),
		caFile:  fs.String("ca-file", "", "also trust this CA certificate (`PEM` file) for the server"),
		direct:  fs.Bool("direct-tls", false, "direct TLS (XEP-0368) instead of STARTTLS"),
		tls12:   fs.Bool("tls12", false, "cap TLS at 1.2 for servers that only do tls-unique channel binding (ejabberd before 23.04)"),
		timeout: fs.Duration("timeout", timeout, "give up after this `duration`"),
	}
}

// itAccount checks --jid and --password-fd: the IT account as a bare JID, or
// a usage problem.
func (f connFlags) itAccount() (jid.JID, error) {
	if *f.account == "" || *f.pwFD < 0 {
		return jid.JID{}, errors.New("--jid and --password-fd are required")
	}
	acct, err := jid.Parse(*f.account)
	if err != nil || acct.Localpart() == "" || acct.Resourcepart() != "" {
		return jid.JID{}, fmt.Errorf("--jid %q is not a bare JID (user@domain)", *f.account)
	}
	return acct, nil
}

// sessionConfig reads the password and makes the session's configuration
// for acct.
func (f connFlags) sessionConfig(acct jid.JID) (session.Config, error) {
	pw, err := readPasswordFD(*f.pwFD)
	if err != nil {
		return session.Config{}, err
	}
	return session.Config{JID: acct.String(), Password: func() (string, error) { return pw, nil }, Server: *f.server,
		DirectTLS: *f.direct, CAFile: *f.caFile, ChannelBindingTLS12: *f.tls12}, nil
}

// config is itAccount and sessionConfig at once.
func (f connFlags) config() (session.Config, error) {
	acct, err := f.itAccount()
	if err != nil {
		return session.Config{}, err
	}
	return f.sessionConfig(acct)
}

func init() {
	c := &command{
		name:    "ca",
		usage:   "ca init|issue|revoke|crl|inbox|approve|reject|list [flags]",
		summary: "run the identity CA: device certificates, requests over XMPP, revocation",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) == 0 {
			return usageError(c, stderr, "give a subcommand: init, issue, revoke, crl, inbox, approve, reject or list")
		}
		sub := map[string]func([]string, io.Writer, io.Writer) int{
			"init": caInit, "issue": caIssue, "revoke": caRevoke, "crl": caCRL,
			"inbox": caInbox, "approve": caApprove, "reject": caReject, "list": caList,
		}
		if f, ok := sub[args[0]]; ok {
			return f(args[1:], stdout, stderr)
		}
		switch args[0] {
		case "-h", "-help", "--help", "help":
			fmt.Fprint(stdout, `usage: palisade-admin ca SUBCOMMAND [flags]

  init     make the identity CA (certificate and key) in --dir
  issue    sign a certificate request file (offline exchange)
  revoke   mark an issued certificate revoked (by serial)
  crl      write the CA's certificate revocation list (PEM)
  inbox    sign in as the IT account and collect the requests clients sent
  approve  issue the certificate for queued requests and send it back over XMPP
  reject   decline queued requests over XMPP, with a reason
  list     the certificates issued, and the queued requests

Every subcommand takes --dir (default identity-ca), the CA's directory.
Run 'palisade-admin ca SUBCOMMAND -h' for its flags; docs/identity.md is the
guide.
`)
			return exitOK
		}
		return usageError(c, stderr, "unknown subcommand %q", args[0])
	}
	register(c)
}

func caInit(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca init", usage: "ca init --name NAME --org ORG [--dir DIR] [--years N]"}
	fs := flags(c, `Makes a new identity CA: a self-signed certificate with an Ed25519 key,
written to DIR/ca.pem and DIR/ca.key (0600). Put ca.pem into the profile's
trusted_cas.identity; keep ca.key on this machine only. An existing CA is
never replaced.`, stdout, stderr)
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	name := fs.String("name", "", "the CA's common `name`, e.g. \"ACME Identity CA\"")
	org := fs.String("org", "", "the `organisation`, e.g. ACME")
	years := fs.Int("years", 10, "validity in `years`")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 0 || *name == "" || *years <= 0 {
		return usageError(c, stderr, "--name is required (and --years positive)")
	}
	if _, err := os.Stat(filepath.Join(*dir, caKeyFile)); err == nil {
		return fail(c, stderr, "%s already holds a CA; it is not replaced", *dir)
	}
	certPEM, keyPEM, err := identity.NewCA(*name, *org, time.Now(), time.Duration(*years)*365*24*time.Hour)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	if err := atomicfile.Write(filepath.Join(*dir, caKeyFile), keyPEM); err != nil {
		return fail(c, stderr, "%v", err)
	}
	if err := atomicfile.Write(filepath.Join(*dir, caCertFile), certPEM); err != nil {
		return fail(c, stderr, "%v", err)
	}
	os.Chmod(filepath.Join(*dir, caCertFile), 0o644)
	fmt.Fprintf(stderr, "identity CA %q made in %s: put %s into the profile's trusted_cas.identity; keep %s secret\n",
		*name, *dir, filepath.Join(*dir, caCertFile), filepath.Join(*dir, caKeyFile))
	return exitOK
}

func caIssue(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca issue", usage: "ca issue [--dir DIR] [--name PERSON] [--org ORG] [--days N] [--out FILE] (REQUEST.csr | --jid JID --new-key KEYFILE)"}
	fs := flags(c, `Checks a certificate request a client exported ('client identity request' or
Export request... in the account panel): its signature, the one JID it names
and its device id. Compare the SHA-256 printed with the one the user reads
out. Then signs it and writes the certificate (PEM) to FILE (default
standard output) for the user to import.

For a service account or a bot that has no Palisade client, --jid and
--new-key make the device key here (written to KEYFILE, PEM PKCS#8, 0600)
and certify it; hand the key over as securely as any password.`, stdout, stderr)
	forJID := fs.String("jid", "", "with --new-key: the account (`JID`) to certify")
	newKey := fs.String("new-key", "", "make a device key and write it to `KEYFILE` (0600) instead of reading a request")
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	name := fs.String("name", "", "the person's `name` in the certificate (default: the request's, else the JID)")
	org := fs.String("org", "", "the `organisation` in the certificate (default: the CA's)")
	days := fs.Int("days", 365, "validity in `days`")
	out := fs.String("out", "", "write the certificate to `FILE`")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if (*newKey == "") != (*forJID == "") {
		return usageError(c, stderr, "--jid and --new-key go together")
	}
	if *newKey == "" && len(pos) != 1 || *newKey != "" && len(pos) != 0 {
		return usageError(c, stderr, "give exactly one request file, or --jid and --new-key")
	}
	ca, err := loadCADir(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	var data []byte
	src := ""
	if *newKey != "" {
		k, err := identity.NewKey()
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		if data, err = identity.CreateRequest(k, identity.Request{JID: *forJID}); err != nil {
			return fail(c, stderr, "%v", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		if err := atomicfile.Write(*newKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
			return fail(c, stderr, "%v", err)
		}
		src = "a new key for " + *forJID
	} else {
		src = pos[0]
		if data, err = os.ReadFile(pos[0]); err != nil {
			return fail(c, stderr, "%v", err)
		}
	}
	r, err := identity.ParseRequest(data)
	if err != nil {
		return fail(c, stderr, "%s refused: %v", src, err)
	}
	if *name != "" {
		r.Name = *name
	}
	certPEM, rec, err := issueAndRecord(*dir, ca, r, *org, *days, "")
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, certPEM, 0o644); err != nil {
			return fail(c, stderr, "%v", err)
		}
	} else {
		stdout.Write(certPEM)
	}
	fmt.Fprintf(stderr, "issued serial %s to %s (device %s, request SHA-256 %s) until %s\n", rec.Serial, rec.JID, rec.Device, r.SHA256, rec.NotAfter.Format("2006-01-02"))
	return exitOK
}

func caRevoke(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca revoke", usage: "ca revoke [--dir DIR] [--reason TEXT] SERIAL"}
	fs := flags(c, `Marks an issued certificate revoked. Clients learn it from the profile:
publish a new CRL ('ca crl') in trusted_cas.crls, or add the entry printed
here to trusted_cas.revoked, and publish the profile.`, stdout, stderr)
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	reason := fs.String("reason", "", "why (kept in the issued list)")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(c, stderr, "give exactly one serial number (hex, as 'ca list' shows)")
	}
	n, ok2 := identity.ParseSerial(pos[0])
	if !ok2 {
		return usageError(c, stderr, "%q is not a hexadecimal serial number", pos[0])
	}
	ca, err := loadCADir(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	l, err := loadIssued(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	found := false
	now := time.Now().UTC()
	for i := range l {
		if m, _ := identity.ParseSerial(l[i].Serial); m != nil && m.Cmp(n) == 0 {
			found = true
			if l[i].RevokedAt.IsZero() {
				l[i].RevokedAt, l[i].Reason = now, *reason
			}
			now = l[i].RevokedAt
		}
	}
	if !found {
		return fail(c, stderr, "serial %s was not issued by this CA (see 'ca list')", identity.FormatSerial(n))
	}
	if err := writeJSON(filepath.Join(*dir, caIssuedFile), l); err != nil {
		return fail(c, stderr, "%v", err)
	}
	entry, _ := json.Marshal(map[string]string{"serial": identity.FormatSerial(n), "issuer": ca.Cert.Subject.String(), "at": now.Format(time.RFC3339)})
	fmt.Fprintln(stdout, string(entry))
	fmt.Fprintf(stderr, "revoked %s: add the line above to trusted_cas.revoked, or run 'palisade-admin ca crl' for trusted_cas.crls, and publish the profile\n", identity.FormatSerial(n))
	return exitOK
}

func caCRL(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca crl", usage: "ca crl [--dir DIR] [--days N] [--out FILE]"}
	fs := flags(c, `Writes the CA's certificate revocation list (PEM "X509 CRL") listing every
revoked certificate, for the profile's trusted_cas.crls.`, stdout, stderr)
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	days := fs.Int("days", 30, "next update in `days`")
	out := fs.String("out", "", "write the CRL to `FILE` (default standard output)")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 0 || *days <= 0 {
		return usageError(c, stderr, "no arguments expected")
	}
	ca, err := loadCADir(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	l, err := loadIssued(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	var revoked []identity.Revoked
	for _, x := range l {
		if !x.RevokedAt.IsZero() {
			revoked = append(revoked, identity.Revoked{Serial: x.Serial, At: x.RevokedAt})
		}
	}
	num := int64(0)
	if b, err := os.ReadFile(filepath.Join(*dir, caCRLNumber)); err == nil {
		fmt.Sscan(strings.TrimSpace(string(b)), &num)
	}
	num++
	now := time.Now()
	crl, err := ca.RevocationList(revoked, now, now.Add(time.Duration(*days)*24*time.Hour), big.NewInt(num))
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	if err := atomicfile.Write(filepath.Join(*dir, caCRLNumber), []byte(fmt.Sprintln(num))); err != nil {
		return fail(c, stderr, "%v", err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, crl, 0o644); err != nil {
			return fail(c, stderr, "%v", err)
		}
	} else {
		stdout.Write(crl)
	}
	fmt.Fprintf(stderr, "CRL number %d with %d revoked certificate(s)\n", num, len(revoked))
	return exitOK
}

func caInbox(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca inbox", usage: "ca inbox --jid IT@DOMAIN --password-fd N [--dir DIR] [--server HOST:PORT] [--ca-file F] [--tls12]"}
	fs := flags(c, `Signs in as the IT account, reads the certificate requests clients sent since
the last run from the account's message archive (nothing is removed from the
server) and adds them to the queue (DIR/queue.json). Each request is checked
(signature, one JID, device id, and that the sender is the JID it names); the
queue is printed: id, JID, device, the request's SHA-256, and any problem.
Then approve or reject by id.`, stdout, stderr)
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	all := fs.Bool("all", false, "read the whole archive again, not only what came since the last run")
	cf := addConnFlags(fs, "the IT account (`JID`) requests are sent to (the profile's it.jid)", time.Minute)
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return usageError(c, stderr, "unexpected argument %q", pos[0])
	}
	cfg, err := cf.config()
	if err != nil {
		return usageError(c, stderr, "%v", err)
	}
	if _, err := loadCADir(*dir); err != nil {
		return fail(c, stderr, "%v", err)
	}
	q, err := loadQueue(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	after := q.Last
	if *all {
		after = ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
	defer cancel()
	got, last, err := session.CollectEnrolRequests(ctx, cfg, after)
	if err != nil {
		return fail(c, stderr, "collecting requests: %v", err)
	}
	known := map[string]bool{}
	for _, id := range q.Answered {
		known[id] = true
	}
	for _, p := range q.Pending {
		known[p.ID] = true
	}
	added := 0
	for _, r := range got {
		if r.ID == "" || known[r.ID] {
			continue
		}
		known[r.ID] = true
		qr := queuedRequest{ID: r.ID, From: r.From, Received: r.Time, CSR: string(r.CSR)}
		info, err := identity.ParseRequest(r.CSR)
		if err != nil {
			qr.Problem = err.Error()
		} else {
			qr.JID, qr.Device, qr.SHA256 = info.JID, info.DeviceID, info.SHA256
			if f, err := jid.Parse(r.From); err != nil || !strings.EqualFold(f.Bare().String(), info.JID) {
				qr.Problem = fmt.Sprintf("sent by %s, but the request is for %s", r.From, info.JID)
			}
		}
		q.Pending = append(q.Pending, qr)
		added++
	}
	q.Last = last
	if err := writeJSON(filepath.Join(*dir, caQueueFile), q); err != nil {
		return fail(c, stderr, "%v", err)
	}
	printQueue(stdout, q)
	fmt.Fprintf(stderr, "%d new request(s); %d waiting\n", added, len(q.Pending))
	return exitOK
}

func printQueue(w io.Writer, q *caQueue) {
	for _, p := range q.Pending {
		line := fmt.Sprintf("%s  %s  device %s  sha256 %s  received %s", p.ID, orUnknown(p.JID), p.Device, p.SHA256, p.Received.UTC().Format("2006-01-02 15:04"))
		if p.Problem != "" {
			line += "  PROBLEM: " + p.Problem
		}
		fmt.Fprintln(w, line)
	}
}

// takeQueued removes the requests ids from the queue (all with --all).
func takeQueued(q *caQueue, ids []string, all bool) ([]queuedRequest, error) {
	var out, keep []queuedRequest
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for _, p := range q.Pending {
		if all || want[p.ID] {
			out = append(out, p)
			delete(want, p.ID)
		} else {
			keep = append(keep, p)
		}
	}
	if len(want) > 0 {
		var missing []string
		for id := range want {
			missing = append(missing, id)
		}
		sort.Strings(missing)
		return nil, fmt.Errorf("not in the queue: %s (run 'palisade-admin ca inbox', or 'ca list')", strings.Join(missing, ", "))
	}
	q.Pending = keep
	return out, nil
}

func caApprove(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca approve", usage: "ca approve --jid IT@DOMAIN --password-fd N [--dir DIR] [--name PERSON] [--org ORG] [--days N] (--all | REQUEST-ID...)"}
	fs := flags(c, `Issues the certificate for each queued request named (or every one with
--all that has no problem) and sends it back to the requester over XMPP; the
client installs it and publishes it for its contacts.`, stdout, stderr)
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	name := fs.String("name", "", "the person's `name` in the certificate (one request only; default: the JID)")
	org := fs.String("org", "", "the `organisation` in the certificate (default: the CA's)")
	days := fs.Int("days", 365, "validity in `days`")
	all := fs.Bool("all", false, "approve every queued request that has no problem")
	cf := addConnFlags(fs, "the IT account (`JID`) requests are sent to (the profile's it.jid)", time.Minute)
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) == 0 && !*all {
		return usageError(c, stderr, "name the request ids to approve, or --all")
	}
	if *name != "" && (len(pos) != 1 || *all) {
		return usageError(c, stderr, "--name needs exactly one request id")
	}
	cfg, err := cf.config()
	if err != nil {
		return usageError(c, stderr, "%v", err)
	}
	ca, err := loadCADir(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	q, err := loadQueue(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	if *all {
		var ok []queuedRequest
		for _, p := range q.Pending {
			if p.Problem == "" {
				ok = append(ok, p)
			}
		}
		pos = nil
		for _, p := range ok {
			pos = append(pos, p.ID)
		}
		if len(pos) == 0 {
			fmt.Fprintln(stderr, "no request to approve")
			return exitOK
		}
	}
	take, err := takeQueued(q, pos, false)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	var answers []session.EnrolAnswer
	var recs []issuedCert
	for _, p := range take {
		if p.Problem != "" {
			return fail(c, stderr, "request %s cannot be approved: %s (reject it)", p.ID, p.Problem)
		}
		info, err := identity.ParseRequest([]byte(p.CSR))
		if err != nil {
			return fail(c, stderr, "request %s: %v", p.ID, err)
		}
		if *name != "" {
			info.Name = *name
		}
		certPEM, rec, err := issueAndRecord(*dir, ca, info, *org, *days, p.ID)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		answers = append(answers, session.EnrolAnswer{To: p.JID, ID: p.ID, Cert: certPEM})
		recs = append(recs, rec)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
	defer cancel()
	if err := session.SendEnrolAnswers(ctx, cfg, answers); err != nil {
		return fail(c, stderr, "the certificates were issued (see 'ca list') but could not be sent: %v; run approve again later", err)
	}
	for _, p := range take {
		q.Answered = append(q.Answered, p.ID)
	}
	if err := writeJSON(filepath.Join(*dir, caQueueFile), q); err != nil {
		return fail(c, stderr, "%v", err)
	}
	for _, r := range recs {
		fmt.Fprintf(stdout, "approved %s  %s  device %s  serial %s  until %s\n", r.Request, r.JID, r.Device, r.Serial, r.NotAfter.Format("2006-01-02"))
	}
	return exitOK
}

func caReject(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca reject", usage: "ca reject --jid IT@DOMAIN --password-fd N --reason TEXT [--dir DIR] REQUEST-ID..."}
	fs := flags(c, `Declines queued requests: the requester sees the reason.`, stdout, stderr)
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	reason := fs.String("reason", "", "why, for the requester (`TEXT`)")
	cf := addConnFlags(fs, "the IT account (`JID`) requests are sent to (the profile's it.jid)", time.Minute)
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) == 0 || strings.TrimSpace(*reason) == "" {
		return usageError(c, stderr, "name the request ids and give --reason")
	}
	cfg, err := cf.config()
	if err != nil {
		return usageError(c, stderr, "%v", err)
	}
	q, err := loadQueue(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	take, err := takeQueued(q, pos, false)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	var answers []session.EnrolAnswer
	for _, p := range take {
		to := p.JID
		if to == "" {
			if f, err := jid.Parse(p.From); err == nil {
				to = f.Bare().String()
			}
		}
		answers = append(answers, session.EnrolAnswer{To: to, ID: p.ID, Reason: *reason})
	}
	ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
	defer cancel()
	if err := session.SendEnrolAnswers(ctx, cfg, answers); err != nil {
		return fail(c, stderr, "not sent: %v", err)
	}
	for _, p := range take {
		q.Answered = append(q.Answered, p.ID)
		fmt.Fprintf(stdout, "rejected %s  %s\n", p.ID, orUnknown(p.JID))
	}
	if err := writeJSON(filepath.Join(*dir, caQueueFile), q); err != nil {
		return fail(c, stderr, "%v", err)
	}
	return exitOK
}

func caList(args []string, stdout, stderr io.Writer) int {
	c := &command{name: "ca list", usage: "ca list [--dir DIR] [--json]"}
	fs := flags(c, `Lists the certificates this CA issued (serial, JID, device, validity,
revocation) and the requests waiting in the queue.`, stdout, stderr)
	dir := fs.String("dir", "identity-ca", "the CA's `directory`")
	asJSON := fs.Bool("json", false, "print the issued list as JSON")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return usageError(c, stderr, "unexpected argument %q", pos[0])
	}
	l, err := loadIssued(*dir)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	if *asJSON {
		if l == nil {
			l = []issuedCert{}
		}
		b, _ := json.MarshalIndent(l, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	for _, x := range l {
		state := "valid until " + x.NotAfter.Format("2006-01-02")
		if !x.RevokedAt.IsZero() {
			state = "REVOKED " + x.RevokedAt.Format("2006-01-02")
		} else if time.Now().After(x.NotAfter) {
			state = "expired " + x.NotAfter.Format("2006-01-02")
		}
		fmt.Fprintf(stdout, "%s  %s  device %s  %s  %s\n", x.Serial, x.JID, x.Device, x.Subject, state)
	}
	q, err := loadQueue(*dir)
	if err == nil && len(q.Pending) > 0 {
		fmt.Fprintln(stdout, "\nwaiting:")
		printQueue(stdout, q)
	}
	return exitOK
}
