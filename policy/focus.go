package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/palisade-im/palisade/l10n"
)

// Focus hours: during focus only the contacts a rule admits reach the
// user; the session holds other messages until focus ends. The decision is
// pure: the rules, the time and its location are arguments.

// FocusRule is one period of focus. Times are minutes after local
// midnight, read as wall-clock times in the location passed to At, so that
// "09:00" stays 09:00 across daylight-saving changes. An End not after
// Start crosses midnight: the period ends the next day, and Days names the
// day it starts.
type FocusRule struct {
	Days       []time.Weekday // empty: Monday to Friday
	Start, End int            // minutes after midnight, 0..1439
	Allow      []string       // bare JIDs that reach the user (lower case)
	Groups     []string       // roster groups whose members reach the user
	Internal   bool           // anyone of the organisation reaches the user
}

// Focus is the user's focus configuration.
type Focus struct {
	Rules []FocusRule
	// ManualUntil, when after the time asked about, is a focus started by
	// hand; Manual says who it admits (its Days and times are not used).
	ManualUntil time.Time
	Manual      FocusRule
}

// FocusState is the focus in force at one time.
type FocusState struct {
	Active bool
	Manual bool      // a manual focus is among the active ones
	Until  time.Time // when the active focus ends (the latest end of the active periods); zero when not active
	Next   time.Time // when not active: the next start within a week; zero when none
	Rules  []FocusRule
}

// DefaultFocusDays are the days of a rule that names none.
var DefaultFocusDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseFocusRule reads a rule from its textual form: days "mon".."sun"
// (empty: Monday to Friday), start and end "HH:MM". Start and end must
// differ. The error says in English what is wrong (ParseFocusRuleIn says
// it in the user's language).
func ParseFocusRule(days []string, start, end string, allow, groups []string, internal bool) (FocusRule, error) {
	return ParseFocusRuleIn(l10n.English, days, start, end, allow, groups, internal)
}

// ParseFocusRuleIn is ParseFocusRule with the error in lang: a clause
// without a final full stop, such as `start: "9h" is not a time HH:MM`.
func ParseFocusRuleIn(lang l10n.Lang, days []string, start, end string, allow, groups []string, internal bool) (FocusRule, error) {
	r := FocusRule{Internal: internal}
	for _, d := range days {
		w, ok := weekdayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return FocusRule{}, errors.New(lang.T("{{.Day}} is not a day (mon, tue, wed, thu, fri, sat, sun)", l10n.Args{"Day": strconv.Quote(d)}))
		}
		r.Days = append(r.Days, w)
	}
	var ok bool
	if r.Start, ok = parseHHMM(start); !ok {
		return FocusRule{}, errors.New(lang.T("start: {{.Time}} is not a time HH:MM", l10n.Args{"Time": strconv.Quote(start)}))
	}
	if r.End, ok = parseHHMM(end); !ok {
		return FocusRule{}, errors.New(lang.T("end: {{.Time}} is not a time HH:MM", l10n.Args{"Time": strconv.Quote(end)}))
	}
	if r.Start == r.End {
		return FocusRule{}, errors.New(lang.T("start and end are both {{.Time}}: a focus period needs a length", l10n.Args{"Time": start}))
	}
	for _, a := range allow {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" || strings.Count(a, "@") != 1 || strings.ContainsAny(a, "/ \t") {
			return FocusRule{}, errors.New(lang.T("{{.Address}} is not a bare address (user@domain)", l10n.Args{"Address": strconv.Quote(a)}))
		}
		r.Allow = append(r.Allow, a)
	}
	for _, g := range groups {
		if g = strings.TrimSpace(g); g != "" {
			r.Groups = append(r.Groups, g)
		}
	}
	return r, nil
}

func parseHHMM(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, false
	}
	return h*60 + m, true
}

// FormatHHMM writes minutes after midnight as "HH:MM".
func FormatHHMM(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// DayNames gives the rule's days as mon..sun, in week order from Monday.
func (r FocusRule) DayNames() []string {
	days := r.days()
	out := make([]string, 0, len(days))
	for _, n := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		for _, d := range days {
			if weekdayNames[n] == d {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

func (r FocusRule) days() []time.Weekday {
	if len(r.Days) == 0 {
		return DefaultFocusDays
	}
	return r.Days
}

func (r FocusRule) on(d time.Weekday) bool {
	for _, x := range r.days() {
		if x == d {
			return true
		}
	}
	return false
}

// period returns the rule's period that starts on the calendar day of
// day (in loc), if the rule applies that day.
func (r FocusRule) period(year int, month time.Month, day int, loc *time.Location) (start, end time.Time, ok bool) {
	start = time.Date(year, month, day, r.Start/60, r.Start%60, 0, 0, loc)
	if !r.on(time.Date(year, month, day, 12, 0, 0, 0, loc).Weekday()) {
		return time.Time{}, time.Time{}, false
	}
	endDay := day
	if r.End <= r.Start {
		endDay++
	}
	end = time.Date(year, month, endDay, r.End/60, r.End%60, 0, 0, loc)
	return start, end, end.After(start)
}

// At says whether focus is active at now, read in loc (nil: UTC), until
// when, and which rules admit whom.
func (f Focus) At(now time.Time, loc *time.Location) FocusState {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	var st FocusState
	if now.Before(f.ManualUntil) {
		st.Active, st.Manual, st.Until = true, true, f.ManualUntil
		st.Rules = append(st.Rules, f.Manual)
	}
	y, m, d := now.Date()
	var next time.Time
	for _, r := range f.Rules {
		// A period that started yesterday may still run (it crosses midnight).
		for off := -1; off <= 7; off++ {
			start, end, ok := r.period(y, m, d+off, loc)
			if !ok {
				continue
			}
			if !now.Before(start) && now.Before(end) {
				st.Active = true
				st.Rules = append(st.Rules, r)
				if end.After(st.Until) {
					st.Until = end
				}
				break
			}
			if start.After(now) {
				if next.IsZero() || start.Before(next) {
					next = start
				}
				break
			}
		}
	}
	if !st.Active {
		st.Next = next
	}
	return st
}

// Admits reports whether a message from sender (a bare JID) reaches the
// user now: always outside focus; during focus when an active rule lists
// the sender, one of the sender's roster groups, or admits colleagues and
// the sender is internal.
func (st FocusState) Admits(sender string, groups []string, internal bool) bool {
	if !st.Active {
		return true
	}
	sender = strings.ToLower(sender)
	for _, r := range st.Rules {
		if internal && r.Internal {
			return true
		}
		for _, a := range r.Allow {
			if a == sender {
				return true
			}
		}
		for _, g := range r.Groups {
			for _, have := range groups {
				if g == have {
					return true
				}
			}
		}
	}
	return false
}

// FocusStatus is the presence status shown during focus: "Focus until
// 16:00" (local time), with the day when focus ends on another day.
func FocusStatus(now, until time.Time, loc *time.Location) string {
	return FocusStatusIn(l10n.English, now, until, loc)
}

// FocusStatusIn is FocusStatus in lang: in French "Concentration
// jusqu’à 16:00", "Concentration jusqu’à lundi 09:00".
func FocusStatusIn(lang l10n.Lang, now, until time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	now, until = now.In(loc), until.In(loc)
	ny, nm, nd := now.Date()
	uy, um, ud := until.Date()
	a := l10n.Args{"Time": until.Format("15:04")}
	if ny == uy && nm == um && nd == ud {
		return lang.T("Focus until {{.Time}}", a)
	}
	switch until.Weekday() {
	case time.Monday:
		return lang.T("Focus until Mon {{.Time}}", a)
	case time.Tuesday:
		return lang.T("Focus until Tue {{.Time}}", a)
	case time.Wednesday:
		return lang.T("Focus until Wed {{.Time}}", a)
	case time.Thursday:
		return lang.T("Focus until Thu {{.Time}}", a)
	case time.Friday:
		return lang.T("Focus until Fri {{.Time}}", a)
	case time.Saturday:
		return lang.T("Focus until Sat {{.Time}}", a)
	default:
		return lang.T("Focus until Sun {{.Time}}", a)
	}
}

// IsFocusStatus reports whether status is a status FocusStatusIn writes,
// in any language, so that it can be recognised when it comes back.
func IsFocusStatus(status string) bool {
	for _, l := range []l10n.Lang{l10n.English, l10n.French} {
		if strings.HasPrefix(status, l.T("Focus until {{.Time}}", l10n.Args{"Time": ""})) {
			return true
		}
	}
	return false
}
