package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/profile"
	"github.com/palisade-im/palisade/session"
	"github.com/palisade-im/palisade/training"
)

// Training reports: clients send a signed completion record to IT's JID
// when a user passes a module (docs/training.md). "training inbox" collects
// them from IT's archive and keeps the verified ones; "training status"
// lists who completed what and who is not done; "training verify" checks
// one report saved to a file.

const reportStoreFile = "reports.json"

// storedReport is one verified completion in the local store.
type storedReport struct {
	JID         string    `json:"jid"`
	DeviceID    string    `json:"device_id"`
	Module      string    `json:"module"`
	Version     int       `json:"version"`
	Score       int       `json:"score"`
	Total       int       `json:"total"`
	CompletedAt time.Time `json:"completed_at"`
	Received    time.Time `json:"received,omitzero"`
	ArchiveID   string    `json:"archive_id,omitempty"`
	Person      string    `json:"person,omitempty"` // the certificate's subject name
	Serial      string    `json:"serial,omitempty"` // the device certificate's serial
	Report      string    `json:"report"`           // the <report/> element as received, for later checks
}

// rejectedReport is a report that failed verification.
type rejectedReport struct {
	From      string    `json:"from"`
	ArchiveID string    `json:"archive_id,omitempty"`
	Received  time.Time `json:"received,omitzero"`
	Reason    string    `json:"reason"`
}

// reportStore is the IT tool's local store of collected reports.
type reportStore struct {
	Last     string           `json:"last,omitempty"` // archive id of the last message read
	Verified []storedReport   `json:"verified"`
	Rejected []rejectedReport `json:"rejected"`
}

func loadStore(dir string) (*reportStore, error) {
	st := &reportStore{}
	data, err := os.ReadFile(filepath.Join(dir, reportStoreFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("%s is damaged: %v (move it away to start a new store)", filepath.Join(dir, reportStoreFile), err)
	}
	return st, nil
}

func (st *reportStore) save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, reportStoreFile), append(data, '\n'))
}

// loadVerifier builds the identity verifier from PEM files of trusted
// identity CAs (optionally limited to domains) or from a profile's
// trusted_cas.identity.
func loadVerifier(caFiles []string, domains []string, profilePath string) (*identity.Verifier, error) {
	var anchors []identity.Anchor
	addPEM := func(what string, data []byte, org string, doms []string) error {
		n := 0
		for {
			var b *pem.Block
			b, data = pem.Decode(data)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return fmt.Errorf("%s: %v", what, err)
			}
			anchors = append(anchors, identity.Anchor{Cert: c, Org: org, Domains: doms})
			n++
		}
		if n == 0 {
			return fmt.Errorf("%s holds no PEM certificate", what)
		}
		return nil
	}
	for _, f := range caFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := addPEM(f, data, "", domains); err != nil {
			return nil, err
		}
	}
	if profilePath != "" {
		data, err := os.ReadFile(profilePath)
		if err != nil {
			return nil, err
		}
		p, err := profile.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("--profile %s: %v", profilePath, err)
		}
		if len(caFiles) == 0 {
			// The profile's own verifier: the organisation's CAs for its
			// domains, partners' CAs for theirs, revocations and CRLs.
			if len(p.TrustedCAs.Identity) == 0 {
				return nil, fmt.Errorf("--profile %s has no trusted_cas.identity", profilePath)
			}
			return p.IdentityVerifier()
		}
		for i, s := range p.TrustedCAs.Identity {
			if err := addPEM(fmt.Sprintf("%s trusted_cas.identity[%d]", profilePath, i), []byte(s), p.Organisation.Name, p.Organisation.Domains); err != nil {
				return nil, err
			}
		}
	}
	if len(anchors) == 0 {
		return nil, errors.New("no identity CA: give --ca FILE (the identity CA certificate, PEM) or --profile with trusted_cas.identity")
	}
	return identity.NewVerifier(anchors, nil, nil)
}

func checkReport(v *identity.Verifier, r session.ReceivedReport, now time.Time) (training.Report, identity.Result, error) {
	return session.VerifyReceivedReport(v, r, now)
}

func init() {
	c := &command{
		name:    "training",
		usage:   "training inbox|status|verify [flags]",
		summary: "collect and verify users' signed training completion reports; who is done, who is not",
	}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) == 0 {
			return usageError(c, stderr, "give a subcommand: inbox, status or verify")
		}
		switch args[0] {
		case "inbox":
			return trainingInbox(c, args[1:], stdout, stderr)
		case "status":
			return trainingStatus(c, args[1:], stdout, stderr)
		case "verify":
			return trainingVerify(c, args[1:], stdout, stderr)
		case "-h", "-help", "--help", "help":
			fmt.Fprintf(stdout, `usage: palisade-admin training SUBCOMMAND [flags]

  inbox   sign in as the IT account, collect the reports clients sent, verify
          each (signature, certificate chain to the identity CA, JID) and keep
          the verified ones in the local store; rejected ones are listed with
          the reason
  status  per user: the modules done with score and date; with --users FILE,
          who is not done
  verify  check one report saved to a file (the <report/> element)

Run 'palisade-admin training SUBCOMMAND -h' for its flags. docs/training.md
describes the reports.
`)
			return exitOK
		}
		return usageError(c, stderr, "unknown subcommand %q (inbox, status or verify)", args[0])
	}
	register(c)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func trainingInbox(parent *command, args []string, stdout, stderr io.Writer) int {
	c := &command{name: "training inbox", usage: "training inbox --jid IT@DOMAIN --password-fd N (--ca FILE | --profile P.json) [--store DIR] [--server HOST:PORT] [--ca-file F] [--tls12]"}
	fs := flags(c, `Signs in as the IT account (TLS and SCRAM, as the client does), reads the
reports clients sent since the last run from the account's message archive
(nothing is removed from the server), and verifies each: the device
certificate must chain to a trusted identity CA and name the JID the report
is for, the signature must match the certified key, and the sender must be
that JID. Verified reports go to the store (DIR/reports.json); rejected ones
are listed with the reason and kept in the store's rejected list.`, stdout, stderr)
	cf := addConnFlags(fs, "the IT account (`JID`) reports are sent to", time.Minute)
	var cas multiFlag
	fs.Var(&cas, "ca", "trusted identity CA certificate (`PEM` file); may be repeated")
	domains := fs.String("domains", "", "with --ca: the CA certifies only these `domains` (comma-separated)")
	prof := fs.String("profile", "", "trust the identity CAs of this profile's trusted_cas.identity (`P.json`)")
	store := fs.String("store", "training-reports", "the local store `DIR`")
	all := fs.Bool("all", false, "read the whole archive again, not only what came since the last run")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return usageError(c, stderr, "unexpected argument %q", pos[0])
	}
	acct, err := cf.itAccount()
	if err != nil {
		return usageError(c, stderr, "%v", err)
	}
	v, err := loadVerifier(cas, splitList(*domains), *prof)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	st, err := loadStore(*store)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	cfg, err := cf.sessionConfig(acct)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	after := st.Last
	if *all {
		after = ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
	defer cancel()
	got, last, err := session.CollectTrainingReports(ctx, cfg, after)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %v: %w", *cf.timeout, err)
		}
		return fail(c, stderr, "collecting reports: %v", err)
	}
	now := time.Now()
	known := map[string]bool{}
	for _, r := range st.Verified {
		known[r.ArchiveID] = true
	}
	for _, r := range st.Rejected {
		known[r.ArchiveID] = true
	}
	nv, nr := 0, 0
	for _, r := range got {
		if r.ArchiveID != "" && known[r.ArchiveID] {
			continue
		}
		rep, res, err := checkReport(v, r, now)
		if err != nil {
			st.Rejected = append(st.Rejected, rejectedReport{From: r.From, ArchiveID: r.ArchiveID, Received: r.Time, Reason: err.Error()})
			fmt.Fprintf(stdout, "REJECTED  %s: %v\n", orUnknown(r.From), err)
			nr++
			continue
		}
		st.Verified = append(st.Verified, storedReport{JID: rep.JID, DeviceID: rep.DeviceID, Module: rep.Module, Version: rep.Version,
			Score: rep.Score, Total: rep.Total, CompletedAt: rep.CompletedAt, Received: r.Time, ArchiveID: r.ArchiveID,
			Person: res.Person, Serial: res.Serial, Report: string(session.EncodeReport(r.Data, r.Sig, r.Chain))})
		fmt.Fprintf(stdout, "verified  %s %s v%d %d/%d %s (device %s)\n", rep.JID, rep.Module, rep.Version, rep.Score, rep.Total,
			rep.CompletedAt.UTC().Format("2006-01-02 15:04"), rep.DeviceID)
		nv++
	}
	st.Last = last
	if err := st.save(*store); err != nil {
		return fail(c, stderr, "saving the store: %v", err)
	}
	fmt.Fprintf(stderr, "%d new report(s): %d verified, %d rejected; store %s\n", nv+nr, nv, nr, filepath.Join(*store, reportStoreFile))
	if nr > 0 {
		return exitFail
	}
	return exitOK
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown sender)"
	}
	return s
}

func trainingStatus(parent *command, args []string, stdout, stderr io.Writer) int {
	c := &command{name: "training status", usage: "training status [--store DIR] [--users FILE] [--required ID,...|--profile P.json]"}
	fs := flags(c, `Lists, per user, the modules completed (verified reports in the store) with
the best score and the date. With --users FILE (one JID per line; # starts
a comment), users who sent nothing are listed too; with --required or
--profile (its training.required), each user's missing modules are named.`, stdout, stderr)
	store := fs.String("store", "training-reports", "the local store `DIR`")
	users := fs.String("users", "", "the users to report on (`FILE`, one JID per line)")
	required := fs.String("required", "", "the required module `ids` (comma-separated)")
	prof := fs.String("profile", "", "take the required modules from this profile (`P.json`)")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return usageError(c, stderr, "unexpected argument %q", pos[0])
	}
	st, err := loadStore(*store)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	req := splitList(*required)
	if *prof != "" {
		data, err := os.ReadFile(*prof)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		p, err := profile.Parse(data)
		if err != nil {
			return fail(c, stderr, "--profile %s: %v", *prof, err)
		}
		req = append(req, p.Training.Required...)
	}
	var list []string
	if *users != "" {
		data, err := os.ReadFile(*users)
		if err != nil {
			return fail(c, stderr, "%v", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			l := strings.TrimSpace(sc.Text())
			if i := strings.IndexByte(l, '#'); i >= 0 {
				l = strings.TrimSpace(l[:i])
			}
			if l == "" {
				continue
			}
			j, err := jid.Parse(l)
			if err != nil || j.Localpart() == "" || j.Resourcepart() != "" {
				return fail(c, stderr, "%s line %d: %q is not a bare JID", *users, n, l)
			}
			list = append(list, j.String())
		}
	}
	best := map[string]map[string]storedReport{} // jid -> module -> best
	for _, r := range st.Verified {
		if best[r.JID] == nil {
			best[r.JID] = map[string]storedReport{}
		}
		if b, ok := best[r.JID][r.Module]; !ok || r.Version > b.Version || r.Version == b.Version && r.CompletedAt.After(b.CompletedAt) {
			best[r.JID][r.Module] = r
		}
	}
	seen := map[string]bool{}
	for _, u := range list {
		seen[u] = true
	}
	for u := range best {
		if !seen[u] {
			list = append(list, u)
			seen[u] = true
		}
	}
	sort.Strings(list)
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tMODULE\tSCORE\tCOMPLETED")
	notDone := 0
	for _, u := range list {
		mods := best[u]
		ids := make([]string, 0, len(mods))
		for id := range mods {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			r := mods[id]
			fmt.Fprintf(tw, "%s\t%s (v%d)\t%d/%d\t%s\n", u, id, r.Version, r.Score, r.Total, r.CompletedAt.UTC().Format("2006-01-02 15:04"))
		}
		var missing []string
		for _, id := range req {
			if _, ok := mods[id]; !ok {
				missing = append(missing, id)
			}
		}
		switch {
		case len(missing) > 0:
			fmt.Fprintf(tw, "%s\tNOT DONE: %s\t\t\n", u, strings.Join(missing, ", "))
			notDone++
		case len(mods) == 0:
			fmt.Fprintf(tw, "%s\tNOTHING DONE\t\t\n", u)
			notDone++
		}
	}
	tw.Flush()
	if len(st.Rejected) > 0 {
		fmt.Fprintf(stdout, "\n%d rejected report(s) in the store (see %s).\n", len(st.Rejected), filepath.Join(*store, reportStoreFile))
	}
	fmt.Fprintf(stderr, "%d user(s), %d not done\n", len(list), notDone)
	return exitOK
}

func trainingVerify(parent *command, args []string, stdout, stderr io.Writer) int {
	c := &command{name: "training verify", usage: "training verify (--ca FILE | --profile P.json) [--from JID] FILE"}
	fs := flags(c, `Checks one report saved to FILE (the <report xmlns="urn:palisade:training:1">
element): the certificate chain to a trusted identity CA for the JID the
report names, the signature with the certified key and the device id; with
--from, that this JID sent it. Prints the report on success.`, stdout, stderr)
	var cas multiFlag
	fs.Var(&cas, "ca", "trusted identity CA certificate (`PEM` file); may be repeated")
	domains := fs.String("domains", "", "with --ca: the CA certifies only these `domains` (comma-separated)")
	prof := fs.String("profile", "", "trust the identity CAs of this profile's trusted_cas.identity (`P.json`)")
	from := fs.String("from", "", "the `JID` that sent the report")
	pos, code, ok := parse(fs, args, stdout)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(c, stderr, "give exactly one report FILE")
	}
	v, err := loadVerifier(cas, splitList(*domains), *prof)
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fail(c, stderr, "%v", err)
	}
	r, err := session.DecodeReport(bytes.TrimSpace(data))
	if err != nil {
		return fail(c, stderr, "%s: %v", pos[0], err)
	}
	r.From = *from
	rep, res, err := checkReport(v, r, time.Now())
	if err != nil {
		return fail(c, stderr, "%s: REJECTED: %v", pos[0], err)
	}
	fmt.Fprintf(stdout, "verified: %s (%s) completed %s version %d, %d/%d, at %s, device %s, certificate %s from %s\n",
		rep.JID, res.Person, rep.Module, rep.Version, rep.Score, rep.Total, rep.CompletedAt.UTC().Format(time.RFC3339), rep.DeviceID, res.Serial, res.Issuer)
	return exitOK
}
