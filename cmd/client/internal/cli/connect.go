package cli

import (
	"errors"
	"fmt"
	"github.com/palisade-im/palisade/audit"
	"path/filepath"
	"strings"

	"github.com/palisade-im/palisade/account"
	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/session"
)

// SignIn mirrors ui.SignIn (package main converts between the two), so that
// this package and its tests need no GUI.
type SignIn struct {
	JID       string
	Password  string // empty: take it from the password fd or the keyring
	Remember  bool
	Server    string
	DirectTLS bool
	CAFile    string
	// Lang is the language of the training content ("en" or "fr"), from the
	// GUI's language setting; empty: from the locale environment.
	Lang string
}

// StartFunc builds and starts a backend for a configuration. The real one is
// StartSession; tests substitute fakes.
type StartFunc func(session.Config) (event.Backend, error)

// StartSession creates a session and starts it connecting in the background.
func StartSession(cfg session.Config) (event.Backend, error) {
	s, err := session.New(cfg)
	if err != nil {
		return nil, err
	}
	s.Start()
	return s, nil
}

// Launcher turns a sign-in into a running session. It is the GUI's Connect
// callback.
type Launcher struct {
	DataDir string
	Store   keystore.Store
	// FDPassword is the password read from --password-fd for FDJID, if any.
	FDPassword string
	FDJID      string
	Start      StartFunc // StartSession when nil
	// ProfilePath is the managed profile file (--profile); "" = the
	// system location (profile.SystemDir).
	ProfilePath string
	// DownloadDir and ClamdSocket override the session's defaults for
	// received files (--download-dir, --clamd-socket).
	DownloadDir string
	ClamdSocket string
	// Tor is the Tor configuration from the flags (--tor, --tor-*).
	Tor TorFlags

	// audit is the data directory's audit log, opened once and shared by
	// every session this launcher starts (a sign-out and sign-in must not
	// hold two writers on one hash chain).
	audit *audit.Log

	// ArchiveKeys keeps the local archive's key per account; nil: the OS
	// keyring (service ArchiveKeyService) when Store is the OS keyring,
	// else no archive (archivekey.go).
	ArchiveKeys keystore.Store
	archives    map[string]*archive.Archive // open archives by account, shared by sign-ins

	// DeviceKeys keeps each account's device key; nil: the OS keyring
	// (service DeviceKeyService) when Store is the OS keyring, else none
	// (devicekey.go).
	DeviceKeys keystore.Store
}

// Connect resolves the password (form, then --password-fd, then keyring),
// forgets the stored password at once when Remember is unset, saves the
// account settings and starts the session. When Remember is set, the
// password is stored in the keyring once the server has accepted it (on the
// first "connected" event), so a mistyped password is never remembered.
//
// Keyring and settings problems do not prevent signing in: they are reported
// as "error" events at the start of the returned backend's stream.
func (l *Launcher) Connect(in SignIn) (event.Backend, error) {
	in.JID = strings.TrimSpace(in.JID)
	in.Server = strings.TrimSpace(in.Server)
	in.CAFile = strings.TrimSpace(in.CAFile)
	if err := CheckBareJID(in.JID); err != nil {
		return nil, err
	}
	if in.Server != "" {
		if err := CheckServer(in.Server); err != nil {
			return nil, fmt.Errorf("server: %v", err)
		}
	}
	pw := in.Password
	fromKeyring := false
	if pw == "" && l.FDPassword != "" && in.JID == l.FDJID {
		pw = l.FDPassword
	}
	if pw == "" {
		var err error
		if pw, err = PasswordFromStore(l.Store, in.JID); err != nil {
			if errors.Is(err, keystore.ErrNotFound) {
				return nil, fmt.Errorf("enter the password for %s", in.JID)
			}
			return nil, err
		}
		fromKeyring = true
	}

	var warnings []event.Event
	if !in.Remember {
		if err := l.Store.Delete(in.JID); err != nil {
			warnings = append(warnings, keyringWarning(l10n.Norm(userLang(in)).T("Could not remove the saved password from the system keyring: {{.Err}}", l10n.Args{"Err": err.Error()}), err))
		}
	}
	if l.DataDir != "" {
		err := account.Save(l.DataDir, account.Settings{
			JID: in.JID, Server: in.Server, DirectTLS: in.DirectTLS, CAFile: in.CAFile, Remember: in.Remember,
		})
		if err != nil {
			warnings = append(warnings, event.Error{Message: l10n.Norm(userLang(in)).T("Your account settings could not be saved: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		}
	}

	lang := l10n.Norm(userLang(in))
	profiles, notices := openProfilesIn(lang, l.DataDir, l.ProfilePath)
	if l.audit == nil && l.DataDir != "" {
		// On failure the session tries again and reports why.
		l.audit, _ = audit.Open(filepath.Join(l.DataDir, audit.DirName))
	}
	warnings = append(warnings, notices...)
	arch, archOff := l.archiveFor(lang, in.JID)
	dev := OpenDeviceKey(lang, l.deviceKeys(), l.DataDir, in.JID)
	cfg := session.Config{
		JID:       in.JID,
		Password:  func() (string, error) { return pw, nil },
		Server:    in.Server,
		DirectTLS: in.DirectTLS,
		CAFile:    in.CAFile,
		DataDir:   l.DataDir,
		Profiles:  profiles,
		Lang:      in.Lang,

		DownloadDir: l.DownloadDir,
		ClamdSocket: l.ClamdSocket,
		Tor:         torConfig(l.Tor),
		Audit:       l.audit,
		Archive:     arch,
		ArchiveOff:  archOff,
		DeviceKey:   dev.Key,
		DeviceLost:  dev.Lost,
		DeviceOff:   dev.Off,
	}
	if cfg.Lang == "" {
		cfg.Lang = envLang()
	}
	start := l.Start
	if start == nil {
		start = StartSession
	}
	b, err := start(cfg)
	if err != nil {
		return nil, err
	}
	var onConnected func() []event.Event
	if in.Remember && !fromKeyring {
		store, jid := l.Store, in.JID
		onConnected = func() []event.Event {
			if err := store.Set(jid, pw); err != nil {
				return []event.Event{keyringWarning(l10n.Norm(userLang(in)).T("Your password could not be saved in the system keyring; you will be asked for it next time: {{.Err}}", l10n.Args{"Err": err.Error()}), err)}
			}
			return nil
		}
	}
	if len(warnings) == 0 && onConnected == nil {
		return b, nil
	}
	return wrap(b, warnings, onConnected), nil
}

func keyringWarning(msg string, err error) event.Event {
	code := ""
	if errors.Is(err, keystore.ErrUnavailable) {
		code = event.CodeNoKeyring
	}
	return event.Error{Message: msg, Code: code}
}

// userLang is the language of the sentences for the user: the window's
// setting, else the locale's.
func userLang(in SignIn) string {
	if in.Lang != "" {
		return in.Lang
	}
	return envLang()
}

// wrapped is a backend whose event stream starts with some extra events and
// which runs a hook after forwarding the first Connected event.
type wrapped struct {
	inner  event.Backend
	events chan event.Event
}

func wrap(inner event.Backend, first []event.Event, onConnected func() []event.Event) event.Backend {
	w := &wrapped{inner: inner, events: make(chan event.Event, 64)}
	go func() {
		defer close(w.events)
		for _, ev := range first {
			w.events <- ev
		}
		for ev := range inner.Events() {
			w.events <- ev
			if _, ok := ev.(event.Connected); ok && onConnected != nil {
				for _, extra := range onConnected() {
					w.events <- extra
				}
				onConnected = nil
			}
		}
	}()
	return w
}

func (w *wrapped) Do(c event.Command)         { w.inner.Do(c) }
func (w *wrapped) Events() <-chan event.Event { return w.events }
