package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/palisade-im/palisade/keystore"
)

// maxPassword bounds what is read from --password-fd.
const maxPassword = 64 << 10

// ReadPasswordFD reads the password from the open file descriptor fd until
// EOF and closes it. One trailing newline (LF or CRLF) is dropped; nothing
// else is trimmed, so a password may start or end with spaces.
func ReadPasswordFD(fd int) (string, error) {
	f := os.NewFile(uintptr(fd), fmt.Sprintf("password-fd %d", fd))
	if f == nil {
		return "", fmt.Errorf("--password-fd %d: not a valid file descriptor", fd)
	}
	defer f.Close()
	return readPassword(f, fd)
}

func readPassword(r io.Reader, fd int) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPassword+1))
	if err != nil {
		return "", fmt.Errorf("--password-fd %d: cannot read the password: %v (is the descriptor open? e.g. --password-fd 3 3<passfile)", fd, err)
	}
	if len(data) > maxPassword {
		return "", fmt.Errorf("--password-fd %d: more than %d bytes; that is not a password", fd, maxPassword)
	}
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	if s == "" {
		return "", fmt.Errorf("--password-fd %d: the password is empty", fd)
	}
	return s, nil
}

// NoPasswordError says that no password could be found for an account.
type NoPasswordError struct {
	JID    string
	Reason error // keystore.ErrNotFound, an *keystore.UnavailableError, or another keyring error
}

func (e *NoPasswordError) Error() string {
	hint := fmt.Sprintf("pass it on a file descriptor, e.g. `client --headless --jid %s --password-fd 3 3<passfile`, or sign in once in the GUI with \"Remember me\"", e.JID)
	var u *keystore.UnavailableError
	switch {
	case errors.Is(e.Reason, keystore.ErrNotFound):
		return fmt.Sprintf("no password for %s: none given with --password-fd and none in the system keyring; %s", e.JID, hint)
	case errors.As(e.Reason, &u):
		return fmt.Sprintf("no password for %s: none given with --password-fd, and %v; pass it on a file descriptor, e.g. `client --headless --jid %s --password-fd 3 3<passfile`", e.JID, u, e.JID)
	default:
		return fmt.Sprintf("no password for %s: reading the system keyring failed: %v; %s", e.JID, e.Reason, hint)
	}
}

func (e *NoPasswordError) Unwrap() error { return e.Reason }

// PasswordFromStore looks the account's password up in store.
func PasswordFromStore(store keystore.Store, jid string) (string, error) {
	pw, err := store.Get(jid)
	if err != nil {
		return "", &NoPasswordError{JID: jid, Reason: err}
	}
	if pw == "" {
		return "", &NoPasswordError{JID: jid, Reason: keystore.ErrNotFound}
	}
	return pw, nil
}
