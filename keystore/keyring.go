package keystore

import (
	"errors"
	"strings"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// DefaultTimeout bounds every keyring call. A keyring that needs the user to
// unlock it may show a prompt; a Secret Service that never answers must not
// hang sign-in forever.
const DefaultTimeout = 20 * time.Second

// Keyring is the Store backed by the operating system's keyring.
type Keyring struct {
	service string
	timeout time.Duration
}

// OS returns the operating system's keyring, with entries under Service.
func OS() *Keyring { return NewKeyring(Service, DefaultTimeout) }

// NewKeyring returns the operating system's keyring with entries filed under
// service (tests use their own service name), each call bounded by timeout.
func NewKeyring(service string, timeout time.Duration) *Keyring {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Keyring{service: service, timeout: timeout}
}

// probeAccount is looked up by Probe; it is never stored.
const probeAccount = "palisade-keyring-probe"

// Probe checks that the keyring answers. It returns nil or an
// *UnavailableError.
func (k *Keyring) Probe() error {
	_, err := k.Get(probeAccount)
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Get implements Store.
func (k *Keyring) Get(account string) (string, error) {
	var p string
	err := k.call(func() error {
		var err error
		p, err = gokeyring.Get(k.service, account)
		return err
	})
	return p, err
}

// Set implements Store.
func (k *Keyring) Set(account, password string) error {
	return k.call(func() error { return gokeyring.Set(k.service, account, password) })
}

// Delete implements Store.
func (k *Keyring) Delete(account string) error {
	err := k.call(func() error { return gokeyring.Delete(k.service, account) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// call runs f against the keyring after checking the platform can reach
// one, with a timeout, and maps the errors to this package's.
func (k *Keyring) call(f func() error) error {
	if u := platformUnavailable(); u != nil {
		return u
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(k.timeout):
		return &UnavailableError{Reason: "the keyring did not answer in " + k.timeout.String() + "; is it locked?"}
	}
	return classify(err)
}

func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gokeyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, gokeyring.ErrSetDataTooBig):
		return ErrTooBig
	}
	msg := err.Error()
	reason := "the keyring failed"
	switch {
	case strings.Contains(msg, "ServiceUnknown"), strings.Contains(msg, "was not provided by any .service files"):
		reason = "Secret Service not running"
	case strings.Contains(msg, "failed to unlock"), strings.Contains(msg, "IsLocked"):
		reason = "the login keyring is missing or locked"
	case strings.Contains(msg, "dbus:"), strings.Contains(msg, "NoReply"), strings.Contains(msg, "Disconnected"):
		reason = "cannot talk to the Secret Service over D-Bus"
	case errors.Is(err, gokeyring.ErrUnsupportedPlatform):
		reason = "no keyring support on this platform"
	}
	return &UnavailableError{Reason: reason, Err: err}
}
