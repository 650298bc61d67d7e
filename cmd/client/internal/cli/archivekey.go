package cli

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/l10n"
)

// ArchiveKeyService is the keyring service under which each account's
// archive key is filed (the account is the bare JID). The key is 32 random
// bytes, kept as hex in the OS keyring and nowhere else: without a keyring
// the local archive is off.
const ArchiveKeyService = "Palisade archive"

// archiveKeys is where archive keys are kept: ArchiveKeys when set, else
// the OS keyring when passwords go there too (the keyring answered), else
// nil (no keyring: no archive).
func (l *Launcher) archiveKeys() keystore.Store {
	if l.ArchiveKeys != nil {
		return l.ArchiveKeys
	}
	if _, ok := l.Store.(*keystore.Keyring); ok {
		return keystore.NewKeyring(ArchiveKeyService, keystore.DefaultTimeout)
	}
	return nil
}

// archiveFor returns the account's open local archive, opening it (and
// making its key on first use) when needed. It returns nil and the reason,
// for the user, when the archive stays off (the session reports it).
func (l *Launcher) archiveFor(lang l10n.Lang, jid string) (*archive.Archive, *event.Error) {
	if a := l.archives[jid]; a != nil {
		return a, nil
	}
	if l.DataDir == "" {
		return nil, nil
	}
	a, ev := OpenArchive(lang, l.archiveKeys(), l.DataDir, jid)
	if a != nil {
		if l.archives == nil {
			l.archives = map[string]*archive.Archive{}
		}
		l.archives[jid] = a
	}
	return a, ev
}

// OpenArchive opens the account's local archive at dataDir/archive.db with
// its key from keys, making and storing a new key when the account has none
// and no archive exists yet. It never changes an archive it cannot open:
// with a wrong or missing key, or no keyring (keys nil), it returns nil and
// an Error event saying why the archive is off.
func OpenArchive(lang l10n.Lang, keys keystore.Store, dataDir, jid string) (*archive.Archive, *event.Error) {
	path := filepath.Join(dataDir, archive.FileName)
	off := func(msg string, code string) (*archive.Archive, *event.Error) {
		return nil, &event.Error{Message: msg, Code: code}
	}
	if keys == nil {
		return off(lang.T("No system keyring is available: the local archive is off (history is not kept, and search and export are unavailable). Its key is never written to a file."), event.CodeNoKeyring)
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	v, err := keys.Get(jid)
	var key []byte
	switch {
	case err == nil:
		key, err = hex.DecodeString(v)
		if err != nil || len(key) != archive.KeySize {
			return off(lang.T("The local archive's key in the system keyring (service \"{{.Service}}\", account {{.JID}}) is damaged: the archive is off and {{.Path}} was not changed.", l10n.Args{"Service": ArchiveKeyService, "JID": jid, "Path": path}), event.CodeConfig)
		}
	case errors.Is(err, keystore.ErrNotFound) && exists:
		return off(lang.T("The key of the local archive {{.Path}} is not in the system keyring (service \"{{.Service}}\", account {{.JID}}): the archive is off and the file was not changed. Restore the key, or move the file away to start a new archive.", l10n.Args{"Service": ArchiveKeyService, "JID": jid, "Path": path}), event.CodeConfig)
	case errors.Is(err, keystore.ErrNotFound):
		if key, err = archive.NewKey(); err != nil {
			return off(lang.T("The local archive is off: {{.Err}}", l10n.Args{"Err": err.Error()}), event.CodeConfig)
		}
		if err := keys.Set(jid, hex.EncodeToString(key)); err != nil {
			code := event.CodeConfig
			if errors.Is(err, keystore.ErrUnavailable) {
				code = event.CodeNoKeyring
			}
			return off(lang.T("The local archive's key could not be stored in the system keyring, so the archive is off: {{.Err}}", l10n.Args{"Err": err.Error()}), code)
		}
	default:
		code := event.CodeConfig
		if errors.Is(err, keystore.ErrUnavailable) {
			code = event.CodeNoKeyring
		}
		return off(lang.T("The local archive's key could not be read from the system keyring, so the archive is off: {{.Err}}", l10n.Args{"Err": err.Error()}), code)
	}
	a, err := archive.Open(path, key)
	if errors.Is(err, archive.ErrWrongKey) {
		return off(lang.T("The key in the system keyring does not open the local archive {{.Path}}: the archive is off and the file was not changed (it may belong to another account, or the key was replaced).", l10n.Args{"Path": path}), event.CodeConfig)
	}
	if err != nil {
		return off(lang.T("The local archive {{.Path}} could not be opened, so it is off: {{.Err}}", l10n.Args{"Path": path, "Err": err.Error()}), event.CodeConfig)
	}
	return a, nil
}
