package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
)

// The session enforces the domain policy; package policy decides. The
// engine in force is built from the profile's rules (or policy.Unmanaged for
// the account's own domain) plus the user's blocks, and swapped atomically
// when either changes. Peers the user accepted (a request, or a confirmed
// first message) and the user's blocks are kept in DataDir/policy.json.

const policyStateFile = "policy.json"

// maxTrustCache bounds the per-peer trust cache; it is cleared when full.
const maxTrustCache = 20000

// policyState is the session's share of the policy. mu guards everything but
// eng. Lock order: s.mu before pol.mu, never the other way round.
type policyState struct {
	eng atomic.Pointer[policy.Engine]

	mu       sync.Mutex
	base     policy.Rules           // the profile's rules, before the user's blocks
	blocked  map[string]bool        // the user's blocks: bare JIDs and domains
	accepted map[string]bool        // external peers the user accepted (bare JIDs)
	trust    map[string]event.Trust // cache by bare JID; cleared when anything changes
	path     string                 // "" keeps the state in memory only
	lang     l10n.Lang              // the language of the engine's reasons and of this file's messages (Config.Lang)

	// upload is the step that sends a file the policy allowed. It is the
	// one place where a file is opened. nil: uploads are not available.
	upload func(outgoingFile)
}

// policyFileData is the persisted part of the policy state.
type policyFileData struct {
	Accepted []string `json:"accepted"`
	// Blocked is the user's blocklist as last known (fetched from the
	// server at sign-in, XEP-0191), so that it applies before the next
	// sign-in too.
	Blocked []string `json:"blocked"`
}

// outgoingFile is a file the policy allows to send.
type outgoingFile struct {
	ID   string // the transfer id given with the command; "" = pick one
	To   string // full or bare JID, as given
	Path string
	Name string // base name
	Size int64
}

// initPolicy prepares the policy state: the stored accepted peers and
// blocks, and the engine from the profile in force or the unmanaged
// defaults. Problems are reported as events; the session starts anyway.
func (s *Session) initPolicy() {
	p := &s.pol
	p.lang = s.lang
	p.blocked = map[string]bool{}
	p.accepted = map[string]bool{}
	p.trust = map[string]event.Trust{}
	if s.cfg.DataDir != "" {
		p.path = filepath.Join(s.cfg.DataDir, policyStateFile)
		if err := p.load(); err != nil {
			s.emit(event.Error{Message: err.Error(), Code: event.CodeConfig})
		}
	}
	rules := s.initialRules()
	p.mu.Lock()
	p.base = rules
	err := p.rebuild()
	if err != nil {
		// The profile's rules were refused by the engine: fall back to the
		// built-in defaults rather than running without a policy.
		p.base = policy.Unmanaged(s.bare.Domainpart())
		p.rebuild()
	}
	p.mu.Unlock()
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The domain rules could not be applied ({{.Err}}); the built-in defaults are in force.", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
}

// initialRules returns the rules at start: the active profile's, or the
// unmanaged defaults for the account's own domain.
func (s *Session) initialRules() policy.Rules {
	if r, ok := s.profileRules(); ok {
		return r
	}
	return policy.Unmanaged(s.bare.Domainpart())
}

// rebuild builds the engine from base and the user's blocks and swaps it
// in, with the reasons in the user's language. p.mu is held. On error the
// engine in force is kept.
func (p *policyState) rebuild() error {
	r := p.base
	r.Lang = p.lang
	seen := map[string]bool{}
	var ub []string
	for _, b := range r.UserBlocked {
		if !seen[b] {
			seen[b] = true
			ub = append(ub, b)
		}
	}
	for _, b := range sortedKeys(p.blocked) {
		if !seen[b] {
			seen[b] = true
			ub = append(ub, b)
		}
	}
	r.UserBlocked = ub
	e, err := policy.New(r)
	if err != nil {
		return err
	}
	p.eng.Store(e)
	p.trust = map[string]event.Trust{}
	return nil
}

// engine returns the engine in force.
func (s *Session) engine() *policy.Engine { return s.pol.eng.Load() }

// setRules puts new rules in force (a profile was applied): the engine is
// rebuilt with the user's blocks, and the roster is emitted again so that
// every surface shows the new trust. Rules the engine refuses leave the
// engine in force unchanged and are reported.
func (s *Session) setRules(r policy.Rules) {
	p := &s.pol
	p.mu.Lock()
	old := p.base
	p.base = r
	p.lang = s.lang
	err := p.rebuild()
	if err != nil {
		p.base = old
	}
	p.mu.Unlock()
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The new domain rules could not be applied: {{.Err}}; the previous rules stay in force.", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		return
	}
	s.refreshRoster()
	s.identityRulesChanged()
}

// refreshRoster emits the roster again (with fresh trust) once it is known.
func (s *Session) refreshRoster() {
	s.mu.Lock()
	have := s.haveRost
	var l []event.Contact
	if have {
		l = s.rosterList()
	}
	s.mu.Unlock()
	if have {
		s.emit(event.Roster{Contacts: l})
	}
}

// peerOf returns the bare form of a full or bare JID (or a domain), for
// policy decisions. An address that does not parse is returned cut at the
// resource.
func peerOf(v string) string {
	if j, err := jid.Parse(v); err == nil {
		return j.Bare().String()
	}
	if i := strings.IndexByte(v, '/'); i >= 0 {
		v = v[:i]
	}
	return v
}

// trustOf is the policy's verdict on a peer, with what its device
// certificates prove (identity.go), for events. It does not take s.mu, so
// it may be called with it held.
func (s *Session) trustOf(peer string) event.Trust {
	b := peerOf(peer)
	return s.identityTrust(b, s.policyTrust(b))
}

// policyTrust is the policy's verdict on a bare JID, cached.
func (s *Session) policyTrust(b string) event.Trust {
	p := &s.pol
	p.mu.Lock()
	if t, ok := p.trust[b]; ok {
		p.mu.Unlock()
		return t
	}
	acc := p.accepted[b]
	p.mu.Unlock()
	e := s.engine()
	if e == nil {
		return event.Trust{Class: event.ClassUnknown, Domain: domainOf(b), Accepted: acc}
	}
	v := e.Classify(b)
	t := event.Trust{
		Class:       string(v.Class),
		Org:         v.Org,
		LookalikeOf: v.LookalikeOf,
		Domain:      v.Domain,
		Network:     v.Network,
		Reason:      v.Reason,
		Accepted:    acc,
	}
	if v.ASCII != v.Domain {
		t.ASCII = v.ASCII
	}
	if d := e.MayFile(b, "", -1); d.Allowed {
		t.FileSend = true
	} else {
		t.FileReason = d.Reason
	}
	p.mu.Lock()
	if p.eng.Load() == e && p.accepted[b] == acc {
		if len(p.trust) >= maxTrustCache {
			p.trust = map[string]event.Trust{}
		}
		p.trust[b] = t
	}
	p.mu.Unlock()
	return t
}

func domainOf(bare string) string {
	if i := strings.LastIndexByte(bare, '@'); i >= 0 {
		return bare[i+1:]
	}
	return bare
}

func (s *Session) isAccepted(bare string) bool {
	s.pol.mu.Lock()
	defer s.pol.mu.Unlock()
	return s.pol.accepted[bare]
}

// inbound decides what to do with a stanza from a peer: drop it (blocked),
// or mark it as a request (an external peer the user has not accepted and
// who is not a mutual contact). The account itself is always let through.
func (s *Session) inbound(from string) (policy.Inbound, event.Trust) {
	b := peerOf(from)
	if b == "" || b == s.bare.String() {
		return policy.Inbound{}, s.trustOf(s.bare.String())
	}
	known := s.isAccepted(b)
	if !known {
		s.mu.Lock()
		ct, ok := s.roster[b]
		s.mu.Unlock()
		known = ok && (ct.Subscription == "both" || ct.Subscription == "to")
	}
	e := s.engine()
	if e == nil {
		return policy.Inbound{}, s.trustOf(b)
	}
	return e.Incoming(b, known), s.trustOf(b)
}

// checkSend asks the policy whether a chat message may go to a peer. A
// refusal is reported as event.Refused and false is returned: nothing is
// sent or queued. A send the user confirmed, or any allowed first message
// to a peer who would otherwise land in Requests, records the peer as
// accepted.
func (s *Session) checkSend(c event.Send, to string) (event.Trust, bool) {
	b := peerOf(to)
	e := s.engine()
	if e == nil || b == s.bare.String() {
		return s.trustOf(b), true
	}
	acc := s.isAccepted(b)
	d := e.MayMessage(b, acc || c.Confirmed)
	if !d.Allowed {
		t := s.trustOf(b)
		s.emit(event.Refused{Command: c.CommandName(), ID: c.ID, To: to, Code: refusalCode(d.Code, event.RefusedBlocked), Reason: d.Reason, Trust: &t})
		return t, false
	}
	if s.refuseIdentity(c, c.ID, to) {
		return s.trustOf(b), false
	}
	if !acc && e.Incoming(b, false).Request {
		s.accept(b, c.CommandName())
	}
	return s.trustOf(b), true
}

// outboxRefused drops a queued message whose recipient was blocked since
// it was queued (by a new profile or by the user), or whose identity
// changed and was not acknowledged: it leaves the outbox and is reported as
// refused. s.mu is held.
func (s *Session) outboxRefused(o outboxEntry) bool {
	e := s.engine()
	b := peerOf(o.To)
	if b != s.bare.String() && s.identityLocked(b) != nil {
		// The peer's identity changed since the message was queued
		// (identity.go): it is refused like a new send would be.
		if err := s.outbox.remove(o.ID); err != nil {
			s.emit(event.Error{Message: err.Error(), Code: event.CodeConfig})
		}
		s.refuseIdentity(event.Send{}, o.ID, o.To)
		return true
	}
	if e == nil || b == s.bare.String() {
		return false
	}
	d := e.MayMessage(b, true)
	if d.Allowed || d.Code != event.RefusedBlocked {
		return false
	}
	if err := s.outbox.remove(o.ID); err != nil {
		s.emit(event.Error{Message: err.Error(), Code: event.CodeConfig})
	}
	t := s.trustOf(b)
	s.emit(event.Refused{Command: event.Send{}.CommandName(), ID: o.ID, To: o.To, Code: event.RefusedBlocked, Reason: d.Reason, Trust: &t})
	return true
}

// mayNotify reports whether a chat state may go to a peer: only where a
// message could go without asking, so that typing to a peer the user has
// not confirmed yet reveals nothing.
func (s *Session) mayNotify(to string) bool {
	b := peerOf(to)
	e := s.engine()
	if e == nil || b == s.bare.String() {
		return true
	}
	return e.MayMessage(b, s.isAccepted(b)).Allowed
}

// refuseBlocked refuses a command towards a blocked peer (adding or approving
// a contact): it reports event.Refused and returns true.
func (s *Session) refuseBlocked(c event.Command, bare string) bool {
	e := s.engine()
	if e == nil || bare == s.bare.String() {
		return false
	}
	d := e.MayMessage(bare, true)
	if d.Allowed || d.Code != event.RefusedBlocked {
		return false
	}
	t := s.trustOf(bare)
	s.emit(event.Refused{Command: c.CommandName(), To: bare, Code: event.RefusedBlocked, Reason: d.Reason, Trust: &t})
	return true
}

func refusalCode(code, def string) string {
	if code == "" {
		return def
	}
	return code
}

// accept records an external peer as accepted, persists it and emits
// event.Accepted. It reports false (after an error event) when the state
// could not be saved; the peer is accepted for this session anyway.
func (s *Session) accept(bare, cmd string) {
	p := &s.pol
	p.mu.Lock()
	already := p.accepted[bare]
	var err error
	if !already {
		p.accepted[bare] = true
		delete(p.trust, bare)
		err = p.save()
	}
	p.mu.Unlock()
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("Accepting {{.JID}} could not be saved ({{.Err}}); it holds until the client is closed.", l10n.Args{"JID": bare, "Err": err.Error()}), Code: event.CodeConfig, Command: cmd})
	}
	s.emit(event.Accepted{JID: bare, Trust: s.trustOf(bare)})
}

// executePolicy runs the commands of the policy side. It reports false for
// a command it does not know.
func (s *Session) executePolicy(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.Accept:
		s.execAccept(*c)
	case event.Accept:
		s.execAccept(c)
	case *event.Block:
		s.block(*c)
	case event.Block:
		s.block(c)
	case *event.Unblock:
		s.unblock(*c)
	case event.Unblock:
		s.unblock(c)
	case *event.SendFile:
		s.sendFile(*c)
	case event.SendFile:
		s.sendFile(c)
	default:
		return false
	}
	return true
}

func (s *Session) execAccept(c event.Accept) {
	b, ok := bareJID(c.JID)
	if !ok || !strings.Contains(b, "@") {
		s.badCommand(c, s.lang.T("Not a valid contact address: {{.JID}}", l10n.Args{"JID": c.JID}))
		return
	}
	if e := s.engine(); e != nil {
		if d := e.MayMessage(b, true); !d.Allowed && d.Code == event.RefusedBlocked {
			t := s.trustOf(b)
			s.emit(event.Refused{Command: c.CommandName(), To: b, Code: event.RefusedBlocked, Reason: d.Reason, Trust: &t})
			return
		}
	}
	s.accept(b, c.CommandName())
}

// sendFile is the enforcement point for file sends: the file is looked at
// (not opened), the policy decides on the recipient, the name and the size,
// and only an allowed file goes on to the upload step.
func (s *Session) sendFile(c event.SendFile) {
	// Every answer names the transfer, so a consumer can match it to what
	// it asked even before anything is uploaded.
	if c.ID == "" {
		c.ID = randomID()
	}
	fileErr := func(msg string) {
		s.emit(event.Error{Message: msg, Code: event.CodeBadCommand, Command: c.CommandName(), ID: c.ID})
	}
	to, ok := fullOrBare(c.To)
	if !ok {
		s.badCommand(c, s.lang.T("Not a valid address: {{.Address}}", l10n.Args{"Address": c.To}))
		return
	}
	if strings.TrimSpace(c.Path) == "" {
		s.badCommand(c, s.lang.T("No file given: the sendfile command needs a path."))
		return
	}
	fi, err := os.Stat(c.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fileErr(s.lang.T("The file {{.Path}} does not exist.", l10n.Args{"Path": c.Path}))
		return
	case err != nil:
		fileErr(s.lang.T("The file {{.Path}} cannot be read: {{.Err}}", l10n.Args{"Path": c.Path, "Err": unwrapPath(err).Error()}))
		return
	case fi.IsDir():
		fileErr(s.lang.T("{{.Path}} is a folder: only a single file can be sent.", l10n.Args{"Path": c.Path}))
		return
	case !fi.Mode().IsRegular():
		fileErr(s.lang.T("{{.Path}} is not a regular file and cannot be sent.", l10n.Args{"Path": c.Path}))
		return
	}
	b := peerOf(to)
	name := filepath.Base(c.Path)
	if d, room := s.roomFileDecision(b, name, fi.Size()); room {
		if !d.Allowed { // a room: every occupant must be allowed (muc.go)
			s.emit(event.Refused{Command: c.CommandName(), ID: c.ID, To: to, Code: refusalCode(d.Code, event.RefusedFilePolicy), Reason: d.Reason})
			return
		}
	} else if e := s.engine(); e != nil {
		d := e.MayFile(b, name, fi.Size())
		if !d.Allowed {
			t := s.trustOf(b)
			s.emit(event.Refused{Command: c.CommandName(), ID: c.ID, To: to, Code: refusalCode(d.Code, event.RefusedFilePolicy), Reason: d.Reason, Trust: &t})
			return
		}
	}
	if s.refuseIdentity(c, c.ID, to) {
		return
	}
	f := outgoingFile{ID: c.ID, To: to, Path: c.Path, Name: name, Size: fi.Size()}
	if s.pol.upload != nil {
		s.pol.upload(f)
		return
	}
	s.uploadUnavailable(f)
}

// uploadUnavailable is the upload step of this version: the file was
// allowed, but sending files is not implemented yet. It still says so when
// the file could not be read, which the user can fix.
func (s *Session) uploadUnavailable(f outgoingFile) {
	r, err := os.Open(f.Path)
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The file {{.Path}} cannot be read: {{.Err}}", l10n.Args{"Path": f.Path, "Err": unwrapPath(err).Error()}), Code: event.CodeBadCommand, Command: event.SendFile{}.CommandName()})
		return
	}
	r.Close()
	s.emit(event.Error{Message: s.lang.T("Sending files is not available in this version yet."), Code: event.CodeUnsupported, Command: event.SendFile{}.CommandName()})
}

// load reads the persisted state. A damaged file is set aside (renamed)
// and the state starts empty; an unreadable one is left alone and nothing
// is saved over it. p.mu need not be held (called before Start).
func (p *policyState) load() error {
	data, err := os.ReadFile(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		path := p.path
		p.path = ""
		return errors.New(p.lang.T("The list of accepted contacts and blocks ({{.Path}}) cannot be read: {{.Err}}. Accepted contacts start empty and changes are not saved until the file is readable.", l10n.Args{"Path": path, "Err": err.Error()}))
	}
	var d policyFileData
	if err := json.Unmarshal(data, &d); err == nil {
		if bad := invalidEntry(d.Accepted, d.Blocked); bad != "" {
			err = errors.New(p.lang.T("{{.Entry}} is not a valid address", l10n.Args{"Entry": strconv.Quote(bad)}))
		} else {
			for _, a := range d.Accepted {
				p.accepted[a] = true
			}
			for _, b := range d.Blocked {
				p.blocked[b] = true
			}
			return nil
		}
		return p.setAside(err)
	} else {
		return p.setAside(err)
	}
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func invalidEntry(lists ...[]string) string {
	for _, l := range lists {
		for _, v := range l {
			if b, ok := bareJID(v); !ok || b != v {
				return v
			}
		}
	}
	return ""
}

func (p *policyState) setAside(cause error) error {
	aside := fmt.Sprintf("%s.damaged-%s", p.path, time.Now().UTC().Format("20060102T150405Z"))
	if err := os.Rename(p.path, aside); err != nil {
		path := p.path
		p.path = ""
		return errors.New(p.lang.T("The list of accepted contacts and blocks ({{.Path}}) is damaged ({{.Cause}}) and could not be set aside ({{.Err}}). Accepted contacts start empty and changes are not saved.", l10n.Args{"Path": path, "Cause": cause.Error(), "Err": err.Error()}))
	}
	return errors.New(p.lang.T("The list of accepted contacts and blocks was damaged ({{.Cause}}). It was set aside as {{.Aside}}; accepted contacts start empty (blocks come back from the server at sign-in).", l10n.Args{"Cause": cause.Error(), "Aside": aside}))
}

// save writes the state atomically (temporary file, fsync, rename), mode
// 0600. p.mu is held.
func (p *policyState) save() error {
	if p.path == "" {
		return nil
	}
	d := policyFileData{Accepted: sortedKeys(p.accepted), Blocked: sortedKeys(p.blocked)}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(p.path, data)
}

func sortedKeys(m map[string]bool) []string {
	l := make([]string, 0, len(m))
	for k, v := range m {
		if v {
			l = append(l, k)
		}
	}
	sort.Strings(l)
	return l
}

// profileRules returns the rules of the profile in force, if any.
func (s *Session) profileRules() (policy.Rules, bool) {
	if s.cfg.Profiles == nil {
		return policy.Rules{}, false
	}
	p := s.cfg.Profiles.Active()
	if p == nil {
		return policy.Rules{}, false
	}
	return p.Rules(), true
}
