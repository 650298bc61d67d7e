package cli

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/session"
)

const identityUsage = `usage: client identity request --jid JID --out FILE [--data-dir DIR]
       client identity import --jid JID [--data-dir DIR] [--profile P.json] FILE
       client identity show --jid JID [--data-dir DIR]

This device's identity (docs/identity.md). The device key is kept in the
system keyring (service "Palisade device key") and nowhere else; these
commands need the keyring.

  request  write this device's certificate request (PEM) to FILE for IT
           ('palisade-admin ca issue'); prints the device id and the
           request's SHA-256 for IT to compare
  import   install the certificate IT issued (PEM, with its chain); it must
           be for this device's key and JID and come from an identity CA the
           profile trusts. It is published for contacts at the next sign-in.
  show     this device's id, state and certificate
`

// Identity runs "client identity ...".
func Identity(args []string, env Env) int {
	if len(args) == 0 || (args[0] != "request" && args[0] != "import" && args[0] != "show") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(env.Stdout, identityUsage)
			return ExitOK
		}
		fmt.Fprint(env.Stderr, identityUsage)
		return ExitUsage
	}
	cmd := args[0]
	name := "client identity " + cmd
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	jidFlag := fs.String("jid", "", "the account (`JID`)")
	dataDir := fs.String("data-dir", "", "the client's data `directory` (default: the per-user one)")
	out := fs.String("out", "", "request: write the request to this `file`")
	prof := fs.String("profile", "", "import: the managed profile `file` (default: the system location)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), identityUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	usage := func(msg string) int {
		fmt.Fprintf(env.Stderr, "%s: %s\nRun '%s --help' for usage.\n", name, msg, name)
		return ExitUsage
	}
	failf := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "%s: %s\n", name, fmt.Sprintf(format, a...))
		return ExitConfig
	}
	j, ok := bareOf(*jidFlag)
	if !ok {
		return usage("--jid must be an account address (user@domain)")
	}
	switch {
	case cmd == "request" && (*out == "" || fs.NArg() != 0):
		return usage("give --out FILE")
	case cmd == "import" && fs.NArg() != 1:
		return usage("give the certificate FILE")
	case cmd == "show" && fs.NArg() != 0:
		return usage("unexpected argument " + fs.Arg(0))
	}
	dir := *dataDir
	if dir == "" {
		var err error
		if dir, err = account.DefaultDataDir(); err != nil {
			return failf("%v", err)
		}
	}
	store, kerr := env.OpenStore()
	var keys keystore.Store
	if _, isKeyring := store.(*keystore.Keyring); isKeyring && kerr == nil {
		keys = keystore.NewKeyring(DeviceKeyService, keystore.DefaultTimeout)
	}
	dk := OpenDeviceKey(l10n.Norm(envLang()), keys, dir, j)
	if dk.Key == nil {
		return failf("%s", dk.Off.Message)
	}
	d, err := deviceFileFor(dir, j, dk)
	if err != nil {
		return failf("%v", err)
	}
	if dk.Lost {
		fmt.Fprintln(env.Stderr, "Your device key is no longer in the keyring; this device needs a new certificate. Your previous identity cannot be recovered. A new key was made (device "+d.DeviceID+").")
	}
	switch cmd {
	case "request":
		csr, err := identity.CreateRequest(dk.Key, identity.Request{JID: j, DeviceID: d.DeviceID})
		if err != nil {
			return failf("%v", err)
		}
		info, err := identity.ParseRequest(csr)
		if err != nil {
			return failf("%v", err)
		}
		if err := os.WriteFile(*out, csr, 0o644); err != nil {
			return failf("%v", err)
		}
		d.State, d.RequestID, d.RequestedAt = event.EnrolPending, "", time.Now().UTC()
		d.Reason = "The certificate request was written to " + *out + ": give it to IT and import the certificate they return."
		if err := session.SaveDevice(dir, d); err != nil {
			return failf("the device file could not be saved: %v", err)
		}
		fmt.Fprintf(env.Stdout, "request for %s written to %s\ndevice  %s\nsha256  %s\n", j, *out, d.DeviceID, info.SHA256)
		return ExitOK
	case "import":
		data, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return failf("%v", err)
		}
		m, notes := openProfiles(dir, *prof)
		for _, n := range notes {
			if e, ok := n.(event.Error); ok {
				fmt.Fprintln(env.Stderr, e.Message)
			}
		}
		v, err := identity.NewVerifier(nil, nil, nil)
		if m != nil && m.Active() != nil {
			v, err = m.Active().IdentityVerifier()
		}
		if err != nil {
			return failf("%v", err)
		}
		chain, err := identity.ChainDER(data)
		if err != nil {
			return failf("%v", err)
		}
		certs, _ := identity.ParseCertificates(data)
		if pub, ok := certs[0].PublicKey.(ed25519.PublicKey); !ok || !pub.Equal(dk.Key.Public()) {
			return failf("the certificate is for another key than this device's (device %s): not installed", d.DeviceID)
		}
		r := v.Verify(chain, j, time.Now())
		if r.Status != event.IdentityVerified {
			return failf("the certificate was not installed (%s): %s", r.Status, r.Reason)
		}
		d.Chain = string(identity.EncodeChain(chain))
		d.State, d.Reason, d.RequestID = event.EnrolEnrolled, "", ""
		if err := session.SaveDevice(dir, d); err != nil {
			return failf("the device file could not be saved: %v", err)
		}
		fmt.Fprintf(env.Stdout, "installed: %s, issued by %s, until %s; published for contacts at the next sign-in\n", r.Subject, r.Issuer, r.NotAfter.Format("2006-01-02"))
		return ExitOK
	default:
		fmt.Fprintf(env.Stdout, "account  %s\ndevice   %s\nstate    %s\n", j, d.DeviceID, d.State)
		if d.Reason != "" {
			fmt.Fprintf(env.Stdout, "reason   %s\n", d.Reason)
		}
		if d.Chain != "" {
			if certs, err := identity.ParseCertificates([]byte(d.Chain)); err == nil {
				c := certs[0]
				fmt.Fprintf(env.Stdout, "subject  %s\nissuer   %s\nserial   %s\nsha256   %s\nvalid    %s to %s\n", c.Subject, c.Issuer,
					identity.FormatSerial(c.SerialNumber), identity.FormatSHA256(c.Raw), c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
			}
		}
		return ExitOK
	}
}

// deviceFileFor returns the device file for the key, starting a new one
// when it names another device (a lost key, or none yet). It is saved.
func deviceFileFor(dir, j string, dk DeviceKey) (*session.DeviceFile, error) {
	pub := dk.Key.Public().(ed25519.PublicKey)
	id := identity.DeviceID(pub)
	d, err := session.LoadDevice(dir)
	if err != nil {
		d = nil
	}
	if d == nil || d.DeviceID != id || !strings.EqualFold(d.JID, j) {
		nd := &session.DeviceFile{JID: j, DeviceID: id, PublicKey: pub, State: event.EnrolNone}
		if d != nil && strings.EqualFold(d.JID, j) && d.DeviceID != "" {
			nd.LostDevice = d.DeviceID
		}
		if dk.Lost {
			nd.State = event.EnrolLostKey
		}
		d = nd
	}
	return d, session.SaveDevice(dir, d)
}

func bareOf(s string) (string, bool) {
	s = strings.TrimSpace(s)
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, "/ ") {
		return "", false
	}
	return strings.ToLower(s), true
}
