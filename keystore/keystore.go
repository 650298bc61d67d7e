package keystore

import (
	"errors"
	"fmt"
	"sync"
)

// Service is the service name under which Palisade files its keyring entries.
const Service = "Palisade"

// Store keeps one secret per account. Keys are bare JIDs.
type Store interface {
	// Get returns the stored password, ErrNotFound when there is none, or an
	// error matching ErrUnavailable when the keyring cannot be used.
	Get(account string) (string, error)
	// Set stores (or replaces) the password of account.
	Set(account, password string) error
	// Delete forgets the password of account. Deleting an entry that does
	// not exist is not an error.
	Delete(account string) error
}

var (
	// ErrNotFound means the keyring works but holds nothing for the account.
	ErrNotFound = errors.New("no password stored for this account")
	// ErrUnavailable is matched (errors.Is) by every *UnavailableError.
	ErrUnavailable = errors.New("system keyring unavailable")
	// ErrTooBig means the keyring refused a secret because of its size.
	ErrTooBig = errors.New("password too long for the system keyring")
)

// UnavailableError says why the system keyring cannot be used.
type UnavailableError struct {
	Reason string // short, for people: e.g. "Secret Service not running"
	Err    error  // the underlying error, if any
}

func (e *UnavailableError) Error() string {
	msg := "no system keyring is available (" + e.Reason + ")"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnavailable) true for every *UnavailableError.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Notice is the sentence to show the user when Open fell back to memory.
func (e *UnavailableError) Notice() string {
	return fmt.Sprintf("No system keyring is available (%s): your password will be kept in memory for this session only.", e.Reason)
}

// Open returns the OS keyring if it answers a probe. Otherwise it returns a
// fresh Memory store together with an *UnavailableError explaining why; the
// returned Store is never nil and is usable in both cases.
func Open() (Store, error) {
	k := OS()
	if err := k.Probe(); err != nil {
		var u *UnavailableError
		if !errors.As(err, &u) {
			u = &UnavailableError{Reason: "the keyring failed", Err: err}
		}
		return NewMemory(), u
	}
	return k, nil
}

// Memory is a Store that keeps passwords in the process memory only. The
// zero value is ready to use; it is safe for concurrent use.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{} }

// Get implements Store.
func (s *Memory) Get(account string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[account]
	if !ok {
		return "", ErrNotFound
	}
	return p, nil
}

// Set implements Store.
func (s *Memory) Set(account, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]string)
	}
	s.m[account] = password
	return nil
}

// Delete implements Store.
func (s *Memory) Delete(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, account)
	return nil
}
