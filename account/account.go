package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// AppDirName is the directory created under the OS configuration directory.
const AppDirName = "Palisade"

// FileName is the settings file inside the data directory.
const FileName = "account.json"

// currentVersion is written in every file; newer versions are refused.
const currentVersion = 1

// Settings are the non-secret settings of the account.
type Settings struct {
	JID       string `json:"jid"`
	Server    string `json:"server,omitempty"` // host:port, overrides DNS SRV
	DirectTLS bool   `json:"direct_tls,omitempty"`
	CAFile    string `json:"ca_file,omitempty"`
	Remember  bool   `json:"remember,omitempty"` // the password is kept in the OS keyring
}

type file struct {
	Version int `json:"version"`
	Settings
}

// DefaultDataDir is the per-user data directory: <os.UserConfigDir()>/Palisade,
// that is ~/.config/Palisade on Linux, ~/Library/Application Support/Palisade
// on macOS, %AppData%\Palisade on Windows.
func DefaultDataDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user configuration directory (use --data-dir): %w", err)
	}
	return filepath.Join(base, AppDirName), nil
}

// Path is the settings file in dir.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// CorruptError reports a settings file that could not be read as settings.
// The file was moved to MovedTo (empty if even that failed) and defaults
// apply.
type CorruptError struct {
	Path    string
	MovedTo string
	Err     error
}

func (e *CorruptError) Error() string {
	if e.MovedTo == "" {
		return fmt.Sprintf("account settings %s are unreadable (%v); they were left in place and defaults are used", e.Path, e.Err)
	}
	return fmt.Sprintf("account settings %s were unreadable (%v); the file was kept as %s and defaults are used", e.Path, e.Err, e.MovedTo)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Load reads the settings in dir. A missing file is not an error: it returns
// zero Settings. A corrupt file is moved aside and reported as a
// *CorruptError, with zero Settings. Other errors (permissions, I/O) leave
// the file alone.
func Load(dir string) (Settings, error) {
	path := Path(dir)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("reading account settings: %w", err)
	}
	s, perr := parse(data)
	if perr == nil {
		return s, nil
	}
	cerr := &CorruptError{Path: path, Err: perr}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405.000000000Z"))
	if err := os.Rename(path, aside); err == nil {
		cerr.MovedTo = aside
	}
	return Settings{}, cerr
}

func parse(data []byte) (Settings, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return Settings{}, fmt.Errorf("not valid JSON: %v", err)
	}
	if dec.More() {
		return Settings{}, errors.New("trailing data after the JSON object")
	}
	if f.Version == 0 {
		return Settings{}, errors.New(`missing "version"`)
	}
	if f.Version > currentVersion {
		return Settings{}, fmt.Errorf("written by a newer Palisade (version %d, this one reads %d)", f.Version, currentVersion)
	}
	return f.Settings, nil
}

// Save writes s to dir atomically, creating dir (mode 0700) if needed. The
// file is readable by the user only.
func Save(dir string, s Settings) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}
	data, err := json.MarshalIndent(file{Version: currentVersion, Settings: s}, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if err := atomicfile.Write(Path(dir), data); err != nil {
		return fmt.Errorf("saving account settings: %w", err)
	}
	return nil
}
