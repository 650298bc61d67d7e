package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// FileName is the log's file name inside its directory.
const FileName = "audit.jsonl"

// DirName is the log's directory inside the client's data directory: the
// client opens filepath.Join(dataDir, DirName).
const DirName = "audit"

// Genesis is the prev of the first entry.
var Genesis = strings.Repeat("0", 64)

// Entry kinds written by the client. Other kinds are allowed.
const (
	KindWarningShown      = "warning_shown"      // a trust warning was shown (banner, request, link confirmation)
	KindConfirmationGiven = "confirmation_given" // the user confirmed a send to an external peer, or opened a link
	KindRefused           = "refused"            // the policy refused a command (event.Refused)
	KindProfileApplied    = "profile_applied"    // an IT profile was put in force
	KindProfileRefused    = "profile_refused"    // an IT profile was refused (bad signature, rollback, ...)
	KindIdentityChanged   = "identity_changed"   // a peer's key or certificate changed
	KindTraining          = "training"           // a training module was started or completed
	KindFileInfected      = "file_infected"      // a file scan found malware
	KindAccepted          = "accepted"           // the user accepted an external peer
	KindBlocked           = "blocked"            // the user blocked a peer
	KindTailSetAside      = "tail_set_aside"     // Open moved a torn last line aside (written by this package)
)

// Entry is one line of the log.
type Entry struct {
	Seq    uint64         `json:"seq"`
	Time   string         `json:"time"`
	Kind   string         `json:"kind"`
	Fields map[string]any `json:"fields"`
	Prev   string         `json:"prev"`
	Hash   string         `json:"hash"`
}

// body is an entry without its hash: its encoding is the canonical bytes.
type body struct {
	Seq    uint64         `json:"seq"`
	Time   string         `json:"time"`
	Kind   string         `json:"kind"`
	Fields map[string]any `json:"fields"`
	Prev   string         `json:"prev"`
}

// Options adjusts OpenWith.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil
}

// Recovery says what Open did to a log with a torn last line.
type Recovery struct {
	SetAside string // path of the file holding the torn bytes
	Bytes    int64  // how many bytes were moved
	AfterSeq uint64 // the last good entry kept in the log
	Problem  Problem
}

// Log is an open audit log. It is safe for concurrent use.
type Log struct {
	mu       sync.Mutex
	f        *os.File
	path     string
	size     int64
	head     Anchor
	now      func() time.Time
	failed   error // a write failed and could not be undone: no more appends
	recovery *Recovery
}

// Path is the log file's path for a directory.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// Open opens (or creates) the log in dir. See OpenWith.
func Open(dir string) (*Log, error) { return OpenWith(dir, Options{}) }

// OpenWith opens (or creates) the log in dir, which is created 0700 (and
// tightened to 0700 if it exists: it is the log's own directory). The whole
// log is verified first: a torn last line is set aside (see the package
// documentation and Recovered); any other fault returns a *BrokenError
// (errors.Is ErrBroken) and changes nothing.
func OpenWith(dir string, o Options) (*Log, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	path := Path(dir)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	l := &Log{f: f, path: path, now: o.Now}
	if err := l.load(); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

func (l *Log) load() error {
	data, err := io.ReadAll(l.f)
	if err != nil {
		return fmt.Errorf("audit: reading %s: %w", l.path, err)
	}
	rep, _ := Verify(bytes.NewReader(data))
	if rep.Problem != nil && rep.Problem.Code != ProblemTorn {
		return &BrokenError{Path: l.path, Report: rep}
	}
	l.head, l.size = rep.Head, rep.GoodBytes
	if rep.Problem == nil {
		return nil
	}
	// A torn tail: keep the bytes beside the log, cut them off, and record
	// the repair in the chain.
	tail := data[rep.GoodBytes:]
	aside := fmt.Sprintf("%s.torn-%s", l.path, l.now().UTC().Format("20060102T150405.000000000Z"))
	if err := writeSynced(aside, tail); err != nil {
		return fmt.Errorf("audit: %s has a torn last line and it could not be set aside: %w", l.path, err)
	}
	if err := l.f.Truncate(rep.GoodBytes); err != nil {
		return fmt.Errorf("audit: cutting the torn last line of %s (kept in %s): %w", l.path, aside, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	syncDir(filepath.Dir(l.path))
	sum := sha256.Sum256(tail)
	l.recovery = &Recovery{SetAside: aside, Bytes: int64(len(tail)), AfterSeq: rep.Head.Seq, Problem: *rep.Problem}
	return l.append(KindTailSetAside, map[string]any{
		"file":      filepath.Base(aside),
		"bytes":     len(tail),
		"sha256":    hex.EncodeToString(sum[:]),
		"after_seq": rep.Head.Seq,
		"reason":    rep.Problem.Msg,
	})
}

// Recovered reports what Open did to a torn last line, or nil.
func (l *Log) Recovered() *Recovery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recovery
}

// Head is the last entry: export it (Anchor.String) to verify later that the
// log still holds it. Zero when the log is empty.
func (l *Log) Head() Anchor {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Path is the log file's path.
func (l *Log) Path() string { return l.path }

// Append adds an entry and returns once it is on disk (fsync). fields may be
// nil; it must encode as a JSON object (structs become objects with sorted
// keys: the stored form is the canonical one).
func (l *Log) Append(kind string, fields map[string]any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.append(kind, fields)
}

func (l *Log) append(kind string, fields map[string]any) error {
	if l.f == nil {
		return errors.New("audit: the log is closed")
	}
	if l.failed != nil {
		return fmt.Errorf("audit: an earlier write failed: %w (reopen the log)", l.failed)
	}
	if !validKind(kind) {
		return fmt.Errorf("audit: kind %q: use lower-case letters, digits, '_', '.' or '-', starting with a letter", kind)
	}
	norm, err := normalise(fields)
	if err != nil {
		return err
	}
	prev := l.head.Hash
	if l.head.Seq == 0 {
		prev = Genesis
	}
	b := body{Seq: l.head.Seq + 1, Time: l.now().UTC().Format(time.RFC3339Nano), Kind: kind, Fields: norm, Prev: prev}
	line, hash, err := encode(b)
	if err != nil {
		return err
	}
	n, err := l.f.Write(line)
	if err == nil {
		err = l.f.Sync()
	}
	if err != nil {
		// Undo a partial write so that the file keeps ending on a whole line.
		if n > 0 {
			if terr := l.f.Truncate(l.size); terr != nil {
				l.failed = err
			}
		}
		return fmt.Errorf("audit: writing %s: %w", l.path, err)
	}
	l.size += int64(n)
	l.head = Anchor{Seq: b.Seq, Hash: hash}
	return nil
}

// AppendValue adds an entry whose fields are v encoded as a JSON object
// (for example an event.Refused or event.ProfileRefused as it is).
func (l *Log) AppendValue(kind string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("audit: fields: %w", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return fmt.Errorf("audit: fields: %T does not encode as a JSON object", v)
	}
	return l.Append(kind, fields)
}

// normalise turns fields into the map that re-encodes to the same bytes once
// read back (numbers kept as written, nested objects as sorted maps).
func normalise(fields map[string]any) (map[string]any, error) {
	if len(fields) == 0 {
		return map[string]any{}, nil
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("audit: fields: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("audit: fields: %w", err)
	}
	return m, nil
}

// encode returns the line (with "\n") and the hash of b.
func encode(b body) ([]byte, string, error) {
	canon, err := json.Marshal(b)
	if err != nil {
		return nil, "", fmt.Errorf("audit: %w", err)
	}
	sum := sha256.Sum256(canon)
	hash := hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(canon)+hashMemberLen+1)
	line = append(line, canon[:len(canon)-1]...)
	line = append(line, `,"hash":"`...)
	line = append(line, hash...)
	line = append(line, "\"}\n"...)
	return line, hash, nil
}

// Close flushes and closes the log.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Export copies the log in dir to w exactly as it is on disk and returns its
// verification report (a broken log is still copied: the problem is in the
// report).
func Export(dir string, w io.Writer, o VerifyOptions) (Report, error) {
	data, err := os.ReadFile(Path(dir))
	if err != nil {
		return Report{}, fmt.Errorf("audit: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return Report{}, fmt.Errorf("audit: writing the export: %w", err)
	}
	return VerifyWith(bytes.NewReader(data), o)
}

// VerifyDir verifies the log in dir.
func VerifyDir(dir string, o VerifyOptions) (Report, error) {
	f, err := os.Open(Path(dir))
	if err != nil {
		return Report{}, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	return VerifyWith(f, o)
}

// ReadEntries decodes every line of a log, for display; it does not verify
// (use Verify for that) and stops at the first line that is not an entry.
func ReadEntries(r io.Reader) ([]Entry, error) {
	d := json.NewDecoder(r)
	d.UseNumber()
	var out []Entry
	for {
		var e Entry
		if err := d.Decode(&e); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, fmt.Errorf("audit: entry %d: %w", len(out)+1, err)
		}
		out = append(out, e)
	}
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename or a new file durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
