package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/palisade-im/palisade/assets/itkeys"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
	"github.com/palisade-im/palisade/profile"
)

// openProfiles opens the profile manager for the data directory and loads
// the managed profile file (path; "" = the system location). Problems do not
// prevent signing in: they come back as events to put at the start of the
// session's stream (a refused managed profile as profile_refused; the last
// good profile, if any, stays in force). A nil manager means unmanaged.
// The messages are in the locale's language (openProfilesIn chooses).
func openProfiles(dataDir, path string) (*profile.Manager, []event.Event) {
	return openProfilesIn(l10n.Norm(envLang()), dataDir, path)
}

// openProfilesIn is openProfiles with its messages in lang.
func openProfilesIn(lang l10n.Lang, dataDir, path string) (*profile.Manager, []event.Event) {
	if dataDir == "" {
		return nil, nil
	}
	builtin, kerrs := itkeys.Keys()
	var notes []event.Event
	for _, e := range kerrs {
		notes = append(notes, event.Error{Message: lang.T("An IT key built into this package is ignored: {{.Err}}", l10n.Args{"Err": e.Error()}), Code: event.CodeConfig})
	}
	m, err := profile.Open(profile.Options{DataDir: dataDir, BuiltinKeys: builtin})
	if err != nil {
		return nil, append(notes, event.Error{
			Message: lang.T("The configuration profiles cannot be kept ({{.Err}}); the built-in defaults are in force.", l10n.Args{"Err": err.Error()}),
			Code:    event.CodeConfig,
		})
	}
	if _, err := m.LoadManaged(path); err != nil {
		return m, append(notes, profileRefused(lang, err))
	}
	if path != "" {
		if _, serr := os.Stat(path); errors.Is(serr, os.ErrNotExist) {
			return m, append(notes, event.ProfileRefused{
				Source: profile.SourceManaged, Code: event.ProfileUnreadable,
				Reason: lang.T("The profile {{.Path}} given with --profile does not exist.", l10n.Args{"Path": path}),
			})
		}
	}
	return m, notes
}

func profileRefused(lang l10n.Lang, err error) event.Event {
	var pe *profile.Error
	if errors.As(err, &pe) {
		return event.ProfileRefused{Source: profile.SourceManaged, Code: pe.Code, Reason: profile.ReasonIn(lang, err)}
	}
	return event.ProfileRefused{Source: profile.SourceManaged, Code: event.ProfileUnreadable, Reason: err.Error()}
}

const policyUsage = `Usage:
  client policy explain [--profile FILE] [--keys DIR] JID...

Checks the signature of a configuration profile against the IT keys and
prints, for each JID (or bare domain), one JSON object with what the
profile decides: jid, class (internal, partner, gateway, unknown,
lookalike, blocked), org, lookalike_of, network, file_send (allowed or
denied), reason (in the locale's language: LC_ALL, LC_MESSAGES, LANG;
French or English) and techniques (how a lookalike imitates an approved
domain). A profile that is refused (bad signature, unknown key, expired,
malformed, unreadable) is not explained: the reason goes to standard error
and the exit status is 1.
`

// Policy runs "client policy ..." and returns the exit status.
func Policy(args []string, env Env) int {
	if len(args) == 0 || (args[0] != "explain" && args[0] != "-h" && args[0] != "--help" && args[0] != "help") {
		fmt.Fprint(env.Stderr, policyUsage+"\nRun 'client policy explain --help' for its flags.\n")
		if len(args) > 0 {
			fmt.Fprintf(env.Stderr, "\nclient policy: unknown subcommand %q (the only one is explain)\n", args[0])
		}
		return ExitUsage
	}
	if args[0] != "explain" {
		fmt.Fprint(env.Stdout, policyUsage+"\nRun 'client policy explain --help' for its flags.\n")
		return ExitOK
	}
	fs := flag.NewFlagSet("client policy explain", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	path := fs.String("profile", "", "the profile `file` (its signature is FILE.jws); default: profile.json in the system directory ("+profile.SystemDir()+")")
	keys := fs.String("keys", "", "verify with the IT public keys (*.jwk) in this `directory`; default: the keys directory of the system directory")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), policyUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.Stderr, "client policy explain: give at least one JID or domain to explain\nRun 'client policy explain --help' for usage.\n")
		return ExitUsage
	}
	e, err := verifiedEngine(*path, *keys, time.Now(), l10n.Norm(envLang()))
	if err != nil {
		fmt.Fprintf(env.Stderr, "client policy explain: %v\n", err)
		return ExitFatal
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	for _, j := range fs.Args() {
		x := e.Explain(j)
		if x.Techniques == nil {
			x.Techniques = []string{}
		}
		if err := enc.Encode(x); err != nil {
			fmt.Fprintf(env.Stderr, "client policy explain: %v\n", err)
			return ExitFatal
		}
	}
	return ExitOK
}

// verifiedEngine verifies a profile and its detached signature (path +
// ".jws") against the IT keys and builds the policy engine from its rules.
// The checks are the client's own (a profile manager in a scratch
// directory, so nothing of the user's is touched): signature, key, dates,
// content. Every refusal names its reason and code. The engine writes its
// reasons in lang.
func verifiedEngine(path, keyDir string, now time.Time, lang l10n.Lang) (*policy.Engine, error) {
	if path == "" {
		path = filepath.Join(profile.SystemDir(), "profile.json")
	}
	keysGiven := keyDir != ""
	if !keysGiven {
		keyDir = filepath.Join(profile.SystemDir(), "keys")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("profile refused (%s): cannot read %s: %v", event.ProfileUnreadable, path, unwrapPathErr(err))
	}
	keys, kerrs := profile.ReadKeys(keyDir)
	if !keysGiven {
		builtin, _ := itkeys.Keys()
		keys = append(keys, builtin...)
	}
	if len(keys) == 0 {
		msg := fmt.Sprintf("profile refused (%s): no IT key (*.jwk) in %s to verify it with", event.ProfileUnknownKey, keyDir)
		for _, e := range kerrs {
			msg += "; " + e.Error()
		}
		return nil, errors.New(msg)
	}
	scratch, err := os.MkdirTemp("", "palisade-explain-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	noSystem := filepath.Join(scratch, "system")
	m, err := profile.Open(profile.Options{
		DataDir: filepath.Join(scratch, "data"), SystemDir: noSystem, BuiltinKeys: keys,
		Now: func() time.Time { return now },
	})
	if err != nil {
		return nil, err
	}
	res, err := m.ImportFile(path, "")
	if err != nil {
		var pe *profile.Error
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s (%s)", pe.Msg, pe.Code)
		}
		return nil, err
	}
	r := res.Profile.Rules()
	r.Lang = lang
	e, err := policy.New(r)
	if err != nil {
		return nil, fmt.Errorf("profile refused (%s): %v", event.ProfileMalformed, err)
	}
	return e, nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
