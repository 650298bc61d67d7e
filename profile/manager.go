package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// Sources of a profile.
const (
	SourceManaged = "managed" // the managed file IT installed
	SourceImport  = "import"  // imported by the user
	SourcePush    = "push"    // pushed over PubSub
	SourceStored  = "stored"  // restored from the data directory at start
)

// MaxFutureSkew is how far in the future issued_at may be before a profile
// or bulletin is refused as not yet valid.
const MaxFutureSkew = 24 * time.Hour

// Options configure a Manager.
type Options struct {
	DataDir     string // the client's data directory; state goes in DataDir/profile
	SystemDir   string // where IT installs keys and the managed profile; "" = SystemDir()
	BuiltinKeys []jose.JSONWebKey
	Now         func() time.Time // nil = time.Now
}

// Result describes a profile that was applied (or was already in force).
type Result struct {
	Profile   *Profile
	Changes   []string // one line per change since the previous profile, for the user
	Unchanged bool     // the same profile was already in force; nothing changed
	Source    string
	KeyID     string

	prev *Profile // the profile that was in force before (nil: none)
}

// ChangesIn is Changes written in lang.
func (r Result) ChangesIn(lang l10n.Lang) []string {
	if r.Unchanged || r.Profile == nil {
		return r.Changes
	}
	return ChangesIn(lang, r.prev, r.Profile)
}

// Manager keeps the profile in force, the trusted keys and the bulletins.
// It is safe for concurrent use.
type Manager struct {
	mu        sync.Mutex
	o         Options
	dir       string // DataDir/profile
	baseKeys  []jose.JSONWebKey
	keys      []jose.JSONWebKey // baseKeys plus keys announced through verified profiles
	announced []signedDoc       // verified announcing profiles, as stored
	active    *Profile
	st        state
	bulletins []storedBulletin
}

// signedDoc is a document with its signature, as stored on disk.
type signedDoc struct {
	Data []byte `json:"data"` // exact bytes (base64 in JSON)
	JWS  string `json:"jws"`
}

// stored is the envelope of the active profile.
type stored struct {
	signedDoc
	Source    string    `json:"source"`
	KeyID     string    `json:"key_id"`
	AppliedAt time.Time `json:"applied_at"`
}

// state is what survives restarts besides the active profile.
type state struct {
	ID           string    `json:"id,omitempty"`
	MaxSerial    int64     `json:"max_serial"`        // highest serial ever applied
	MaxSerialSum string    `json:"max_serial_sha256"` // SHA-256 of that profile's bytes
	Source       string    `json:"source,omitempty"`
	KeyID        string    `json:"key_id,omitempty"`
	AppliedAt    time.Time `json:"applied_at,omitzero"`
}

type storedBulletin struct {
	signedDoc
	Dismissed  bool      `json:"dismissed,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	b          *Bulletin
}

// File names in DataDir/profile.
const (
	activeFile    = "active.json"
	stateFile     = "state.json"
	announceFile  = "announced-keys.json"
	bulletinsFile = "bulletins.json"
	logFile       = "log.jsonl"
)

// Open loads the trusted keys (SystemDir/keys/*.jwk, the builtin keys and
// keys announced by stored, re-verified profiles) and restores the stored
// last good profile after verifying it again. A stored profile that no
// longer verifies is not put in force; the refusal is logged.
func Open(o Options) (*Manager, error) {
	if o.DataDir == "" {
		return nil, errors.New("profile: no data directory")
	}
	if o.SystemDir == "" {
		o.SystemDir = SystemDir()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Manager{o: o, dir: filepath.Join(o.DataDir, "profile")}
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	_ = os.Chmod(m.dir, 0o700)
	sys, errs := ReadKeys(filepath.Join(o.SystemDir, "keys"))
	for _, err := range errs {
		m.logLocked(logEntry{Source: "keys", Code: "key-skipped", Reason: err.Error()})
	}
	m.baseKeys = append(append([]jose.JSONWebKey(nil), o.BuiltinKeys...), sys...)
	m.keys = append([]jose.JSONWebKey(nil), m.baseKeys...)

	// Announced keys: each announcement must verify against keys already
	// trusted; repeat until nothing new verifies, so order does not matter.
	var pending []signedDoc
	if err := readJSON(filepath.Join(m.dir, announceFile), &pending); err != nil {
		m.logLocked(logEntry{Source: SourceStored, Code: event.ProfileUnreadable, Reason: "announced keys: " + err.Error()})
	}
	for progress := true; progress; {
		progress = false
		rest := pending[:0]
		for _, d := range pending {
			if m.acceptAnnouncement(d) {
				progress = true
			} else {
				rest = append(rest, d)
			}
		}
		pending = rest
	}
	for range pending {
		m.logLocked(logEntry{Source: SourceStored, Code: event.ProfileBadSignature,
			Reason: "a stored key announcement does not verify against the trusted keys; its key is not trusted"})
	}

	if err := readJSON(filepath.Join(m.dir, stateFile), &m.st); err != nil {
		m.logLocked(logEntry{Source: SourceStored, Code: event.ProfileUnreadable, Reason: "state: " + err.Error()})
	}
	var s stored
	err := readJSON(filepath.Join(m.dir, activeFile), &s)
	switch {
	case err != nil:
		m.logLocked(logEntry{Source: SourceStored, Code: event.ProfileUnreadable, Reason: "stored profile: " + err.Error()})
	case s.Data != nil:
		kid, verr := Verify(s.Data, s.JWS, m.keys)
		var p *Profile
		if verr == nil {
			p, verr = Parse(s.Data)
		}
		if verr != nil {
			e := asError(verr)
			m.logLocked(logEntry{Source: SourceStored, Code: e.Code, Reason: "stored profile not restored: " + e.Msg})
			break
		}
		m.active = p
		m.st.Source = SourceStored
		m.st.KeyID = kid
		if p.Serial > m.st.MaxSerial {
			m.st.MaxSerial = p.Serial
			m.st.MaxSerialSum = sum(p.raw)
		}
	}

	var bs []storedBulletin
	if err := readJSON(filepath.Join(m.dir, bulletinsFile), &bs); err != nil {
		m.logLocked(logEntry{Source: SourceStored, Code: event.ProfileUnreadable, Reason: "bulletins: " + err.Error()})
	}
	for _, sb := range bs {
		if _, err := Verify(sb.Data, sb.JWS, m.keys); err != nil {
			m.logLocked(logEntry{Source: SourceStored, Code: asError(err).Code, Reason: "stored bulletin dropped: " + err.Error()})
			continue
		}
		b, err := ParseBulletin(sb.Data)
		if err != nil {
			continue
		}
		sb.b = b
		m.bulletins = append(m.bulletins, sb)
	}
	m.sortBulletins()
	return m, nil
}

// acceptAnnouncement verifies a stored announcing profile against the keys
// trusted so far and, when it verifies, trusts its next_key.
func (m *Manager) acceptAnnouncement(d signedDoc) bool {
	if _, err := Verify(d.Data, d.JWS, m.keys); err != nil {
		return false
	}
	p, err := Parse(d.Data)
	if err != nil || p.NextKey == nil {
		return false
	}
	m.trust(*p.NextKey)
	m.announced = append(m.announced, d)
	return true
}

func (m *Manager) trust(k jose.JSONWebKey) {
	id := KeyID(&k)
	for i := range m.keys {
		if KeyID(&m.keys[i]) == id {
			return
		}
	}
	pub := jose.JSONWebKey{Key: publicOf(&k), Algorithm: string(jose.EdDSA), Use: "sig", KeyID: id}
	m.keys = append(m.keys, pub)
}

// Keys returns the keys trusted now, with their derived key ids.
func (m *Manager) Keys() []jose.JSONWebKey {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]jose.JSONWebKey(nil), m.keys...)
}

// Active returns the profile in force, or nil when unmanaged.
func (m *Manager) Active() *Profile {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active
}

// LoadManaged applies the managed profile at path ("" = SystemDir/profile.json)
// with its signature at path+".jws". A missing profile file is not an error:
// it returns (Result{}, nil).
func (m *Manager) LoadManaged(path string) (Result, error) {
	if path == "" {
		path = filepath.Join(m.o.SystemDir, "profile.json")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Result{}, nil
	}
	return m.applyFile(data, err, path, path+".jws", SourceManaged)
}

// ImportFile applies a profile file chosen by the user; sigPath "" means
// path+".jws".
func (m *Manager) ImportFile(path, sigPath string) (Result, error) {
	if sigPath == "" {
		sigPath = path + ".jws"
	}
	data, err := os.ReadFile(path)
	return m.applyFile(data, err, path, sigPath, SourceImport)
}

func (m *Manager) applyFile(data []byte, readErr error, path, sigPath, source string) (Result, error) {
	if readErr != nil {
		m.mu.Lock()
		defer m.mu.Unlock()
		why := unwrapPath(readErr).Error()
		return Result{}, m.refuse(source, refusal(event.ProfileUnreadable, func(l l10n.Lang) string {
			return l.T("profile refused: cannot read {{.Path}}: {{.Err}}", l10n.Args{"Path": path, "Err": why})
		}), "", 0)
	}
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		m.mu.Lock()
		defer m.mu.Unlock()
		id, serial := peek(data)
		code := event.ProfileUnreadable
		if errors.Is(err, os.ErrNotExist) {
			code = event.ProfileBadSignature
		}
		why := unwrapPath(err).Error()
		return Result{}, m.refuse(source, refusal(code, func(l l10n.Lang) string {
			return profileRefused(l, id, serial, l.T("no signature (cannot read {{.Path}}: {{.Err}})", l10n.Args{"Path": sigPath, "Err": why}))
		}), id, serial)
	}
	return m.Apply(data, string(sig), source)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// peek reads id and serial without validation, for messages only.
func peek(data []byte) (string, int64) {
	var v struct {
		ID     any `json:"id"`
		Serial any `json:"serial"`
	}
	if json.Unmarshal(data, &v) != nil {
		return "", 0
	}
	id, _ := v.ID.(string)
	if !idPattern.MatchString(id) {
		id = ""
	}
	s, _ := v.Serial.(float64)
	if s != float64(int64(s)) {
		s = 0
	}
	return id, int64(s)
}

// profileRefused is the sentence of the refusal of a profile (named by id
// and serial when known) for reason, in lang.
func profileRefused(l l10n.Lang, id string, serial int64, reason string) string {
	a := l10n.Args{"ID": id, "Serial": serial, "Reason": reason}
	switch {
	case id != "" && serial > 0:
		return l.T("profile {{.ID}} serial {{.Serial}} refused: {{.Reason}}", a)
	case id != "":
		return l.T("profile {{.ID}} refused: {{.Reason}}", a)
	}
	return l.T("profile refused: {{.Reason}}", a)
}

// Apply verifies and applies a profile: data is the exact file bytes, jws
// its detached signature, source one of managed, import, push. A refusal is
// a *Error naming the reason; it is logged and the profile in force stays.
func (m *Manager) Apply(data []byte, jws, source string) (Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, serial := peek(data)
	// refuse refuses the profile; reason writes why in a language.
	refuse := func(code string, reason func(l10n.Lang) string) (Result, error) {
		return Result{}, m.refuse(source, refusal(code, func(l l10n.Lang) string {
			return profileRefused(l, id, serial, reason(l))
		}), id, serial)
	}
	if len(data) > MaxSize {
		return refuse(event.ProfileMalformed, func(l l10n.Lang) string {
			return l.T("{{.Size}} bytes is larger than the {{.Max}} byte limit", l10n.Args{"Size": len(data), "Max": MaxSize})
		})
	}
	kid, err := Verify(data, jws, m.keys)
	if err != nil {
		return refuse(asError(err).Code, func(l l10n.Lang) string { return ReasonIn(l, err) })
	}
	p, err := Parse(data)
	if err != nil {
		return refuse(event.ProfileMalformed, func(l l10n.Lang) string { return ReasonIn(l, err) })
	}
	now := m.o.Now()
	if p.Expired(now) {
		return refuse(event.ProfileExpired, func(l l10n.Lang) string {
			return l.T("it expired on {{.Date}}", l10n.Args{"Date": p.ExpiresAt.UTC().Format(time.RFC3339)})
		})
	}
	if p.IssuedAt.After(now.Add(MaxFutureSkew)) {
		return refuse(event.ProfileExpired, func(l l10n.Lang) string {
			return l.T("it is not valid yet: issued at {{.Date}}, more than 24 hours from now (check the computer's clock)", l10n.Args{"Date": p.IssuedAt.UTC().Format(time.RFC3339)})
		})
	}
	h := sum(data)
	switch {
	case p.Serial < m.st.MaxSerial:
		max := m.st.MaxSerial
		return refuse(event.ProfileRollback, func(l l10n.Lang) string {
			return l.T("serial {{.Serial}} is already in force (rollback)", l10n.Args{"Serial": max})
		})
	case p.Serial == m.st.MaxSerial && h != m.st.MaxSerialSum:
		return refuse(event.ProfileRollback, func(l l10n.Lang) string {
			return l.T("serial {{.Serial}} already applied with different content (rollback)", l10n.Args{"Serial": p.Serial})
		})
	case p.Serial == m.st.MaxSerial && m.active != nil && bytes.Equal(m.active.raw, data):
		return Result{Profile: m.active, Unchanged: true, Source: source, KeyID: kid}, nil
	}

	// Store first, then switch: a profile we could not store is not in force.
	if err := writeJSON(filepath.Join(m.dir, activeFile), stored{
		signedDoc: signedDoc{Data: data, JWS: jws}, Source: source, KeyID: kid, AppliedAt: now,
	}); err != nil {
		return refuse(event.ProfileUnreadable, func(l l10n.Lang) string {
			return l.T("cannot store it: {{.Err}}", l10n.Args{"Err": err.Error()})
		})
	}
	if p.NextKey != nil {
		m.announced = append(m.announced, signedDoc{Data: data, JWS: jws})
		if err := writeJSON(filepath.Join(m.dir, announceFile), m.announced); err != nil {
			m.logLocked(logEntry{Source: source, Code: event.ProfileUnreadable, Reason: "cannot store the key announcement: " + err.Error(), ID: p.ID, Serial: p.Serial})
		}
		m.trust(*p.NextKey)
	}
	prev := m.active
	changes := Changes(prev, p)
	m.active = p
	m.st = state{ID: p.ID, MaxSerial: p.Serial, MaxSerialSum: h, Source: source, KeyID: kid, AppliedAt: now}
	if err := writeJSON(filepath.Join(m.dir, stateFile), m.st); err != nil {
		m.logLocked(logEntry{Source: source, Code: event.ProfileUnreadable, Reason: "cannot store the state: " + err.Error(), ID: p.ID, Serial: p.Serial})
	}
	m.logLocked(logEntry{Source: source, Code: "applied", Reason: fmt.Sprintf("applied, signed by key %s; %d changes", kid, len(changes)), ID: p.ID, Serial: p.Serial, KeyID: kid})
	return Result{Profile: p, Changes: changes, Source: source, KeyID: kid, prev: prev}, nil
}

// refuse logs a refusal and returns it. m.mu is held.
func (m *Manager) refuse(source string, e *Error, id string, serial int64) *Error {
	m.logLocked(logEntry{Source: source, Code: e.Code, Reason: e.Msg, ID: id, Serial: serial})
	return e
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: event.ProfileMalformed, Msg: err.Error()}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Summary describes what is in force, as an event.
func (m *Manager) Summary() event.Profile {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.active
	if p == nil {
		return event.Profile{Managed: false, Settings: UnmanagedSettings()}
	}
	return event.Profile{
		Managed:   true,
		ID:        p.ID,
		Serial:    p.Serial,
		Org:       p.Organisation.Name,
		Source:    m.st.Source,
		KeyID:     m.st.KeyID,
		IssuedAt:  p.IssuedAt,
		ExpiresAt: p.ExpiresAt,
		Expired:   p.Expired(m.o.Now()),
		Locked:    append([]string(nil), p.LockedSettings...),
		Settings:  p.Settings(),
	}
}

// ApplyBulletin verifies and keeps a signed bulletin. It returns the
// bulletin and whether it is new and should be shown (false for a bulletin
// already kept, and for one already expired when it arrives, which is kept
// in the list but not shown as a banner). Refusals are *Error and logged.
func (m *Manager) ApplyBulletin(data []byte, jws string) (event.Bulletin, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, _ := peek(data)
	// refused is the sentence of the refusal for reason, in l.
	refused := func(l l10n.Lang, reason string) string {
		if id != "" {
			return l.T("bulletin {{.ID}} refused: {{.Reason}}", l10n.Args{"ID": id, "Reason": reason})
		}
		return l.T("bulletin refused: {{.Reason}}", l10n.Args{"Reason": reason})
	}
	// refuse refuses the bulletin; reason writes why in a language.
	refuse := func(code string, reason func(l10n.Lang) string) (event.Bulletin, bool, error) {
		e := refusal(code, func(l l10n.Lang) string { return refused(l, reason(l)) })
		m.logLocked(logEntry{Source: "bulletin", Code: code, Reason: e.Msg, ID: id})
		return event.Bulletin{}, false, e
	}
	if _, err := Verify(data, jws, m.keys); err != nil {
		return refuse(asError(err).Code, func(l l10n.Lang) string { return ReasonIn(l, err) })
	}
	b, err := ParseBulletin(data)
	if err != nil {
		return refuse(event.ProfileMalformed, func(l l10n.Lang) string { return ReasonIn(l, err) })
	}
	now := m.o.Now()
	if b.IssuedAt.After(now.Add(MaxFutureSkew)) {
		return refuse(event.ProfileExpired, func(l l10n.Lang) string {
			return l.T("it is not valid yet: issued at {{.Date}}, more than 24 hours from now", l10n.Args{"Date": b.IssuedAt.UTC().Format(time.RFC3339)})
		})
	}
	for _, sb := range m.bulletins {
		if sb.b.ID == b.ID {
			ev := sb.b.Event()
			ev.Dismissed = sb.Dismissed
			return ev, false, nil
		}
	}
	sb := storedBulletin{signedDoc: signedDoc{Data: append([]byte(nil), data...), JWS: jws}, ReceivedAt: now, b: b}
	m.bulletins = append(m.bulletins, sb)
	m.sortBulletins()
	if err := m.saveBulletins(); err != nil {
		m.logLocked(logEntry{Source: "bulletin", Code: event.ProfileUnreadable, Reason: "cannot store bulletins: " + err.Error(), ID: b.ID})
	}
	m.logLocked(logEntry{Source: "bulletin", Code: "applied", Reason: "bulletin kept: " + b.Title, ID: b.ID})
	expired := !b.ExpiresAt.IsZero() && now.After(b.ExpiresAt)
	return b.Event(), !expired, nil
}

func (m *Manager) sortBulletins() {
	sort.SliceStable(m.bulletins, func(i, j int) bool {
		return m.bulletins[i].b.IssuedAt.After(m.bulletins[j].b.IssuedAt)
	})
}

func (m *Manager) saveBulletins() error {
	return writeJSON(filepath.Join(m.dir, bulletinsFile), m.bulletins)
}

// Bulletins returns every bulletin kept, newest first.
func (m *Manager) Bulletins() []event.Bulletin {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]event.Bulletin, 0, len(m.bulletins))
	for _, sb := range m.bulletins {
		ev := sb.b.Event()
		ev.Dismissed = sb.Dismissed
		out = append(out, ev)
	}
	return out
}

// Dismiss marks a bulletin as dismissed (kept, no longer shown as a banner).
func (m *Manager) Dismiss(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.bulletins {
		if m.bulletins[i].b.ID == id {
			if m.bulletins[i].Dismissed {
				return nil
			}
			m.bulletins[i].Dismissed = true
			if err := m.saveBulletins(); err != nil {
				m.bulletins[i].Dismissed = false
				return &textError{err: err, say: func(l l10n.Lang) string {
					return l.T("cannot store the dismissal: {{.Err}}", l10n.Args{"Err": err.Error()})
				}}
			}
			return nil
		}
	}
	return &textError{say: func(l l10n.Lang) string {
		return l.T("no bulletin {{.ID}}", l10n.Args{"ID": strconv.Quote(id)})
	}}
}

// logEntry is one line of DataDir/profile/log.jsonl.
type logEntry struct {
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
	Code   string    `json:"code"` // "applied" or a refusal code
	Reason string    `json:"reason"`
	ID     string    `json:"id,omitempty"`
	Serial int64     `json:"serial,omitempty"`
	KeyID  string    `json:"key_id,omitempty"`
}

// maxLogSize is the size at which log.jsonl is moved to log.jsonl.1.
const maxLogSize = 1 << 20

// LogPath is the refusal and application log of a data directory.
func LogPath(dataDir string) string { return filepath.Join(dataDir, "profile", logFile) }

// logLocked appends to the log; m.mu is held (or the manager is not shared
// yet). Failing to log does not change a decision.
func (m *Manager) logLocked(e logEntry) {
	e.Time = m.o.Now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	path := filepath.Join(m.dir, logFile)
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogSize {
		_ = os.Rename(path, path+".1") // keep one previous log
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(b, '\n'))
}

// readJSON reads a JSON file; a missing file leaves v untouched.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %v", filepath.Base(path), err)
	}
	return nil
}

// writeJSON writes v atomically: a temporary file in the same directory,
// synced, then renamed over the old one; mode 0600.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'))
}

func writeAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }
