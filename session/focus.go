package session

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
)

// Focus hours. policy.Focus decides whether focus is on and whom it
// admits; the session enforces it: a 1:1 message from someone focus does
// not admit is held silently (nothing is emitted) and, when focus ends, is
// emitted as a Message with Held set, in arrival order. The held queue is
// kept at each change, so a restart during focus loses nothing: in the
// local archive (encrypted like the messages, which also go there when
// they arrive), or, without one (no keyring), in DataDir/focus-held.json. Presence shows focus: dnd with "Focus until 16:00",
// and the user's own presence again when it ends (the status in the
// user's language). Archive catch-up results and the user's own messages
// (sent carbons) are never held.

const (
	focusFile     = "focus.json"
	focusHeldFile = "focus-held.json"
	// focusHeldState names the held messages in the local archive.
	focusHeldState = "focus-held"
	focusTick      = time.Minute // re-check at least this often (clock changes, suspend)
	focusSetting   = "focus_hours"
)

type focusState struct {
	mu          sync.Mutex
	loaded      bool
	userSet     bool              // the user set rules (else the profile's defaults apply)
	rules       []event.FocusRule // the user's rules
	manualUntil time.Time         // manual focus (FocusNow)
	manual      event.FocusRule   // whom the manual focus admits
	held        []event.Message   // waiting for the end of focus, in arrival order
	active      bool              // as last reported
	until       time.Time         // as last reported
	kick        chan struct{}     // wakes the focus loop
	now         func() time.Time  // tests
	loc         *time.Location    // tests; nil = the profile's time zone or the computer's
}

// focusSaved is DataDir/focus.json.
type focusSaved struct {
	UserSet     bool              `json:"user_set"`
	Rules       []event.FocusRule `json:"rules"`
	ManualUntil time.Time         `json:"manual_until,omitzero"`
	Manual      event.FocusRule   `json:"manual"`
}

func (s *Session) focusNow() time.Time {
	if f := s.focus.now; f != nil {
		return f()
	}
	return time.Now()
}

// focusLoad reads the saved rules and held messages once. f.mu is held.
func (s *Session) focusLoad() {
	f := &s.focus
	if f.loaded {
		return
	}
	f.loaded = true
	if f.kick == nil {
		f.kick = make(chan struct{}, 1)
	}
	if s.cfg.DataDir == "" {
		return
	}
	if b, err := os.ReadFile(filepath.Join(s.cfg.DataDir, focusFile)); err == nil {
		var sv focusSaved
		if err := json.Unmarshal(b, &sv); err != nil {
			s.emit(event.Error{Message: s.lang.T("The focus hours settings could not be read ({{.Err}}); the defaults apply until you set them again.", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		} else {
			f.userSet, f.rules, f.manualUntil, f.manual = sv.UserSet, sv.Rules, sv.ManualUntil, sv.Manual
		}
	}
	if a := s.cfg.Archive; a != nil {
		b, found, err := a.State(focusHeldState)
		switch {
		case err != nil:
			s.emit(event.Error{Message: s.lang.T("The messages held during focus could not be read from the local archive: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		case found:
			var held []event.Message
			if err := json.Unmarshal(b, &held); err != nil {
				s.emit(event.Error{Message: s.lang.T("The messages held during focus could not be read from the local archive: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
			} else {
				f.held = held
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(s.cfg.DataDir, focusHeldFile)); err == nil {
		var held []event.Message
		if err := json.Unmarshal(b, &held); err != nil {
			// Keep the file for inspection; never overwrite what cannot be read.
			bad := filepath.Join(s.cfg.DataDir, focusHeldFile+".unreadable")
			os.Rename(filepath.Join(s.cfg.DataDir, focusHeldFile), bad)
			s.emit(event.Error{Message: s.lang.T("The messages held during focus could not be read ({{.Err}}); the file was kept as {{.Path}}.", l10n.Args{"Err": err.Error(), "Path": bad}), Code: event.CodeConfig})
		} else {
			// Held before a keyring made the archive available (or by
			// an earlier version): into the archive, and the plain file
			// goes.
			f.held = append(f.held, held...)
			if s.cfg.Archive != nil {
				if err := s.focusSaveHeld(); err != nil {
					s.emit(event.Error{Message: s.lang.T("The list of messages held during focus could not be updated: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
				}
			}
		}
	}
}

func (s *Session) focusSave() error {
	f := &s.focus
	if s.cfg.DataDir == "" {
		return nil
	}
	b, _ := json.Marshal(focusSaved{UserSet: f.userSet, Rules: f.rules, ManualUntil: f.manualUntil, Manual: f.manual})
	return atomicfile.Write(filepath.Join(s.cfg.DataDir, focusFile), b)
}

// focusSaveHeld keeps the held messages for a restart: in the local
// archive, encrypted with the messages, when there is one (and then never in
// a plain file); else, without a keyring, in DataDir/focus-held.json (0600),
// since they would otherwise be lost. f.mu is held.
func (s *Session) focusSaveHeld() error {
	f := &s.focus
	if s.cfg.DataDir == "" && s.cfg.Archive == nil {
		return nil
	}
	var b []byte
	if len(f.held) > 0 {
		var err error
		if b, err = json.Marshal(f.held); err != nil {
			return err
		}
	}
	path := filepath.Join(s.cfg.DataDir, focusHeldFile)
	if a := s.cfg.Archive; a != nil {
		if err := a.SetState(focusHeldState, b); err != nil {
			return err
		}
		b = nil // the plain file goes
	}
	if s.cfg.DataDir == "" {
		return nil
	}
	if len(b) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	return atomicfile.Write(path, b)
}

// focusProfile returns the profile's default rule (nil when none), its
// time zone, and whether the profile locks focus hours.
func (s *Session) focusProfile() (rules []event.FocusRule, tz string, locked bool) {
	if s.cfg.Profiles == nil {
		return nil, "", false
	}
	p := s.cfg.Profiles.Active()
	if p == nil {
		return nil, "", false
	}
	for _, l := range p.LockedSettings {
		if l == focusSetting {
			locked = true
		}
	}
	if fh := p.FocusHours; fh != nil && fh.Enabled {
		// The profile's focus hours admit colleagues and hold the rest.
		rules = []event.FocusRule{{Days: fh.Days, Start: fh.Start, End: fh.End, Internal: true}}
		tz = fh.Timezone
	}
	return rules, tz, locked
}

// focusRules are the rules in force: the user's, unless the profile locks
// focus hours or the user has set none. f.mu is held.
func (s *Session) focusRules() (rules []event.FocusRule, fromProfile, locked bool, loc *time.Location, tz string) {
	f := &s.focus
	prules, tz, locked := s.focusProfile()
	rules = f.rules
	if locked || !f.userSet {
		rules, fromProfile = prules, prules != nil
	}
	loc = time.Local
	if fromProfile && tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	} else {
		tz = ""
	}
	if f.loc != nil {
		loc = f.loc
	}
	return rules, fromProfile, locked, loc, tz
}

// toPolicyRule checks a rule; its error is for the user, in l.
func toPolicyRule(l l10n.Lang, r event.FocusRule) (policy.FocusRule, error) {
	return policy.ParseFocusRuleIn(l, r.Days, r.Start, r.End, r.Allow, r.Groups, r.Internal)
}

// focusAt evaluates focus at now. f.mu is held.
func (s *Session) focusAt(now time.Time) (policy.FocusState, *time.Location) {
	f := &s.focus
	rules, _, _, loc, _ := s.focusRules()
	var pf policy.Focus
	for _, r := range rules {
		if pr, err := toPolicyRule(s.lang, r); err == nil {
			pf.Rules = append(pf.Rules, pr)
		}
	}
	if now.Before(f.manualUntil) {
		pf.ManualUntil = f.manualUntil
		m := f.manual
		m.Start, m.End = "00:00", "00:01" // times are not used for a manual focus
		if pr, err := toPolicyRule(s.lang, m); err == nil {
			pf.Manual = pr
		}
	}
	return pf.At(now, loc), loc
}

// focusEvent describes the state. f.mu is held.
func (s *Session) focusEvent(st policy.FocusState) event.Focus {
	f := &s.focus
	rules, fromProfile, locked, _, tz := s.focusRules()
	if rules == nil {
		rules = []event.FocusRule{}
	}
	ev := event.Focus{Active: st.Active, Manual: st.Manual, Held: len(f.held), Rules: rules,
		FromProfile: fromProfile, Locked: locked, Timezone: tz}
	if st.Active {
		ev.Until = st.Until.UTC()
	}
	return ev
}

// focusStart loads the focus settings and starts the loop that follows
// focus changes.
func (s *Session) focusStart() {
	s.focus.mu.Lock()
	s.focusLoad()
	s.focus.mu.Unlock()
	go s.focusLoop()
}

func (s *Session) focusLoop() {
	for {
		next, _ := s.focusCheck()
		if !s.sleepUntil(next, s.focusNow(), focusTick, s.focus.kick) {
			return
		}
	}
}

// sleepUntil waits until next (zero: no particular time), for at most max
// and at least 10 ms from now, or until kick; false when the session ends
// meanwhile. The loops that follow a clock (focus hours, certificates'
// validity) wait with it.
func (s *Session) sleepUntil(next, now time.Time, max time.Duration, kick <-chan struct{}) bool {
	wait := max
	if !next.IsZero() {
		if d := next.Sub(now); d < wait {
			wait = d
		}
	}
	if wait < 10*time.Millisecond {
		wait = 10 * time.Millisecond
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
		return false
	case <-kick:
	case <-t.C:
	}
	return true
}

func (s *Session) focusKick() {
	select {
	case s.focus.kick <- struct{}{}:
	default:
	}
}

// focusCheck reports a change of focus: the Focus event, presence, and at
// the end of focus the held messages. It returns the next time focus may
// change, and whether it emitted a Focus event.
func (s *Session) focusCheck() (time.Time, bool) {
	f := &s.focus
	f.mu.Lock()
	s.focusLoad()
	now := s.focusNow()
	st, _ := s.focusAt(now)
	changed := st.Active != f.active || (st.Active && !st.Until.Equal(f.until))
	ended := f.active && !st.Active
	f.active, f.until = st.Active, st.Until
	var release []event.Message
	if !st.Active && len(f.held) > 0 {
		release, f.held = f.held, nil
		if err := s.focusSaveHeld(); err != nil {
			s.emit(event.Error{Message: s.lang.T("The list of messages held during focus could not be updated: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
		}
	}
	ev := s.focusEvent(st)
	next := st.Until
	if !st.Active {
		next = st.Next
	}
	f.mu.Unlock()
	for _, m := range release {
		m.Held = true
		s.emit(m)
	}
	report := changed || ended || len(release) > 0
	if report {
		s.emit(ev)
		s.mu.Lock()
		if ended && policy.IsFocusStatus(s.presence.Status) {
			// The focus presence came back as the user's own (a front end
			// re-sent what it was shown): not the user's choice, dropped.
			s.presence.Status = ""
			if s.presence.Show == event.ShowDND {
				s.presence.Show = event.ShowAvailable
			}
		}
		if s.cur != nil {
			s.sendPresence(s.cur)
		}
		s.mu.Unlock()
	}
	return next, report
}

// focusPresence is the presence broadcast during focus: dnd with "Focus
// until HH:MM" in the user's language, unless the user chose to appear
// offline. ok is false outside focus.
func (s *Session) focusPresence(p event.SetPresence) (event.SetPresence, bool) {
	if p.Show == event.ShowUnavailable {
		return p, false
	}
	f := &s.focus
	f.mu.Lock()
	defer f.mu.Unlock()
	s.focusLoad()
	now := s.focusNow()
	st, loc := s.focusAt(now)
	if !st.Active {
		return p, false
	}
	return event.SetPresence{Show: event.ShowDND, Status: policy.FocusStatusIn(s.lang, now, st.Until, loc)}, true
}

// emitChat reports a 1:1 message, or holds it when focus does not admit
// its sender.
func (s *Session) emitChat(m event.Message) {
	if m.Outgoing || m.Archived {
		s.emit(m)
		return
	}
	f := &s.focus
	f.mu.Lock()
	s.focusLoad()
	st, _ := s.focusAt(s.focusNow())
	if !st.Active {
		f.mu.Unlock()
		s.emit(m)
		return
	}
	f.mu.Unlock()
	// In focus: the sender's roster groups may admit them (s.mu is taken
	// before f.mu, never inside it).
	sender := peerOf(m.From)
	s.mu.Lock()
	groups := append([]string(nil), s.roster[sender].Groups...)
	s.mu.Unlock()
	f.mu.Lock()
	st, _ = s.focusAt(s.focusNow())
	if st.Admits(sender, groups, m.Trust.Class == event.ClassInternal) {
		f.mu.Unlock()
		s.emit(m)
		return
	}
	f.held = append(f.held, m)
	err := s.focusSaveHeld()
	ev := s.focusEvent(st)
	f.mu.Unlock()
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("A message held during focus could not be saved to disk (it is kept until Palisade stops): {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
	s.emit(ev)
}

// emitChatState reports a typing notification, unless focus holds its
// sender's messages: a held sender stays silent until focus ends (their
// state then is stale and is not replayed).
func (s *Session) emitChatState(cs event.ChatState) {
	f := &s.focus
	f.mu.Lock()
	s.focusLoad()
	st, _ := s.focusAt(s.focusNow())
	f.mu.Unlock()
	if !st.Active {
		s.emit(cs)
		return
	}
	sender := peerOf(cs.From)
	s.mu.Lock()
	groups := append([]string(nil), s.roster[sender].Groups...)
	s.mu.Unlock()
	if st.Admits(sender, groups, cs.Trust.Class == event.ClassInternal) {
		s.emit(cs)
	}
}

// executeFocus handles the focus commands; false when cmd is not one.
func (s *Session) executeFocus(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.GetFocus:
		return s.executeFocus(*c)
	case *event.SetFocus:
		return s.executeFocus(*c)
	case *event.FocusNow:
		return s.executeFocus(*c)
	case event.GetFocus:
		f := &s.focus
		f.mu.Lock()
		s.focusLoad()
		st, _ := s.focusAt(s.focusNow())
		ev := s.focusEvent(st)
		f.mu.Unlock()
		s.emit(ev)
	case event.SetFocus:
		s.setFocus(c)
	case event.FocusNow:
		s.startFocusNow(c)
	default:
		return false
	}
	return true
}

func (s *Session) setFocus(c event.SetFocus) {
	if _, _, locked := s.focusProfile(); locked {
		s.emit(event.Error{Message: s.lang.T("Focus hours cannot be changed: your company's profile sets them."), Code: event.CodeConfig})
		return
	}
	rules := make([]event.FocusRule, 0, len(c.Rules))
	for i, r := range c.Rules {
		if _, err := toPolicyRule(s.lang, r); err != nil {
			s.emit(event.Error{Message: s.lang.T("Focus rule {{.N}} was not saved: {{.Err}}. The focus hours are unchanged.", l10n.Args{"N": strconv.Itoa(i + 1), "Err": err.Error()}), Code: event.CodeBadCommand})
			return
		}
		r.Days = lowerAll(r.Days)
		r.Allow = lowerAll(r.Allow)
		rules = append(rules, r)
	}
	f := &s.focus
	f.mu.Lock()
	s.focusLoad()
	f.userSet, f.rules = true, rules
	err := s.focusSave()
	f.mu.Unlock()
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The focus hours could not be saved (they apply until Palisade stops): {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
	s.focusAnswer()
}

func (s *Session) startFocusNow(c event.FocusNow) {
	if c.Minutes < 0 || c.Minutes > 24*60 {
		s.emit(event.Error{Message: s.lang.T("Focus now: minutes must be between 0 (end a manual focus) and 1440."), Code: event.CodeBadCommand})
		return
	}
	m := event.FocusRule{Start: "00:00", End: "00:01", Allow: c.Allow, Groups: c.Groups, Internal: c.Internal}
	if _, err := toPolicyRule(s.lang, m); err != nil {
		s.emit(event.Error{Message: s.lang.T("Focus now: {{.Err}}.", l10n.Args{"Err": err.Error()}), Code: event.CodeBadCommand})
		return
	}
	f := &s.focus
	f.mu.Lock()
	s.focusLoad()
	f.manual = event.FocusRule{Allow: lowerAll(c.Allow), Groups: c.Groups, Internal: c.Internal}
	f.manualUntil = time.Time{}
	if c.Minutes > 0 {
		f.manualUntil = s.focusNow().Add(time.Duration(c.Minutes) * time.Minute).Truncate(time.Second)
	}
	err := s.focusSave()
	f.mu.Unlock()
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The manual focus could not be saved: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
	s.focusAnswer()
}

// focusAnswer re-evaluates focus after a command and always answers with
// a Focus event.
func (s *Session) focusAnswer() {
	if _, reported := s.focusCheck(); !reported {
		f := &s.focus
		f.mu.Lock()
		st, _ := s.focusAt(s.focusNow())
		ev := s.focusEvent(st)
		f.mu.Unlock()
		s.emit(ev)
	}
	s.focusKick()
}

func lowerAll(l []string) []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}
