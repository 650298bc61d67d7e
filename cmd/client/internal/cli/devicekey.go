package cli

import (
	"crypto/ed25519"
	"errors"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/keystore"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/session"
)

// DeviceKeyService is the keyring service under which each account's
// device key is filed (the account is the bare JID; the value is
// identity.EncodeKey). The key is kept in the OS keyring and nowhere else:
// without a keyring the device has no identity.
const DeviceKeyService = "Palisade device key"

// deviceKeys is where device keys are kept: DeviceKeys when set, else the
// OS keyring when passwords go there too, else nil (no identity).
func (l *Launcher) deviceKeys() keystore.Store {
	if l.DeviceKeys != nil {
		return l.DeviceKeys
	}
	if _, ok := l.Store.(*keystore.Keyring); ok {
		return keystore.NewKeyring(DeviceKeyService, keystore.DefaultTimeout)
	}
	return nil
}

// DeviceKey is the outcome of OpenDeviceKey.
type DeviceKey struct {
	Key  ed25519.PrivateKey // nil: no identity (Off says why)
	Lost bool               // the previous key vanished; Key is a new one
	Off  *event.Error
}

// OpenDeviceKey returns the account's device key from keys, making and
// storing one on first use. When the keyring holds no key but
// dataDir/device.json names a device of this account, the key was lost:
// a new key is made (the old identity cannot come back) and Lost is set,
// so that the session says so and enrols again; it never happens silently.
// Without a keyring (keys nil) or when the keyring fails there is no key
// (no memory fallback: an identity that changed every run would be worse
// than none). A damaged entry is never overwritten.
func OpenDeviceKey(lang l10n.Lang, keys keystore.Store, dataDir, jid string) DeviceKey {
	off := func(msg, code string) DeviceKey {
		return DeviceKey{Off: &event.Error{Message: msg, Code: code}}
	}
	if keys == nil {
		return off(lang.T("No system keyring is available: this device has no identity key, so it cannot be certified and its messages are not signed. The key is never written to a file."), event.CodeNoKeyring)
	}
	v, err := keys.Get(jid)
	switch {
	case err == nil:
		k, derr := identity.DecodeKey(v)
		if derr != nil {
			return off(lang.T("The device key in the system keyring (service \"{{.Service}}\", account {{.JID}}) is damaged, so this device has no identity; the entry was not changed: {{.Err}}", l10n.Args{"Service": DeviceKeyService, "JID": jid, "Err": derr.Error()}), event.CodeConfig)
		}
		return DeviceKey{Key: k}
	case errors.Is(err, keystore.ErrNotFound):
		lost := false
		if dataDir != "" {
			if d, _ := session.LoadDevice(dataDir); d != nil && d.DeviceID != "" && d.JID == jid {
				lost = true
			}
		}
		k, kerr := identity.NewKey()
		if kerr != nil {
			return off(lang.T("No device key could be made: {{.Err}}", l10n.Args{"Err": kerr.Error()}), event.CodeConfig)
		}
		if err := keys.Set(jid, identity.EncodeKey(k)); err != nil {
			code := event.CodeConfig
			if errors.Is(err, keystore.ErrUnavailable) {
				code = event.CodeNoKeyring
			}
			return off(lang.T("The device key could not be stored in the system keyring, so this device has no identity: {{.Err}}", l10n.Args{"Err": err.Error()}), code)
		}
		return DeviceKey{Key: k, Lost: lost}
	default:
		code := event.CodeConfig
		if errors.Is(err, keystore.ErrUnavailable) {
			code = event.CodeNoKeyring
		}
		return off(lang.T("The device key could not be read from the system keyring, so this device has no identity: {{.Err}}", l10n.Args{"Err": err.Error()}), code)
	}
}

// headlessDeviceKey is the device key for headless mode: from the OS
// keyring when the password store is the keyring, else none.
func headlessDeviceKey(env Env, dataDir, jid string) DeviceKey {
	var keys keystore.Store
	if store, err := env.OpenStore(); err == nil {
		if _, ok := store.(*keystore.Keyring); ok {
			keys = keystore.NewKeyring(DeviceKeyService, keystore.DefaultTimeout)
		}
	}
	return OpenDeviceKey(l10n.Norm(envLang()), keys, dataDir, jid)
}
