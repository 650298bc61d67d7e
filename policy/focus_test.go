package policy

import (
	"strings"
	"testing"
	"time"
)

func mustRule(t *testing.T, days []string, start, end string) FocusRule {
	t.Helper()
	r, err := ParseFocusRule(days, start, end, []string{"Boss@ACME.test"}, []string{"Team"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

func TestFocusAt(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	ny := mustLoc(t, "America/New_York")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	work := mustRule(t, nil, "09:00", "12:00")              // Monday to Friday
	night := mustRule(t, []string{"fri"}, "22:00", "02:00") // crosses midnight into Saturday
	weekend := mustRule(t, []string{"sat", "sun"}, "10:00", "11:30")
	early := mustRule(t, []string{"sun"}, "01:00", "04:00")

	// 2026-11-27 is a Friday. Europe/Paris leaves summer time on
	// 2026-10-25 (03:00 -> 02:00) and enters it on 2026-03-29 (02:00 -> 03:00).
	tests := []struct {
		name      string
		rules     []FocusRule
		loc       *time.Location
		now       time.Time
		active    bool
		until     time.Time // when active
		next      time.Time // when not active
		untilSpan time.Duration
	}{
		{"weekday inside", []FocusRule{work}, paris, at(paris, 2026, 11, 27, 10, 30), true, at(paris, 2026, 11, 27, 12, 0), time.Time{}, 0},
		{"at the start", []FocusRule{work}, paris, at(paris, 2026, 11, 27, 9, 0), true, at(paris, 2026, 11, 27, 12, 0), time.Time{}, 0},
		{"at the end (excluded)", []FocusRule{work}, paris, at(paris, 2026, 11, 27, 12, 0), false, time.Time{}, at(paris, 2026, 11, 30, 9, 0), 0},
		{"before the start", []FocusRule{work}, paris, at(paris, 2026, 11, 27, 8, 59), false, time.Time{}, at(paris, 2026, 11, 27, 9, 0), 0},
		{"saturday is not a default day", []FocusRule{work}, paris, at(paris, 2026, 11, 28, 10, 0), false, time.Time{}, at(paris, 2026, 11, 30, 9, 0), 0},
		{"weekend rule on sunday", []FocusRule{work, weekend}, paris, at(paris, 2026, 11, 29, 11, 0), true, at(paris, 2026, 11, 29, 11, 30), time.Time{}, 0},
		{"friday night before midnight", []FocusRule{night}, paris, at(paris, 2026, 11, 27, 23, 0), true, at(paris, 2026, 11, 28, 2, 0), time.Time{}, 0},
		{"after midnight, started friday", []FocusRule{night}, paris, at(paris, 2026, 11, 28, 1, 59), true, at(paris, 2026, 11, 28, 2, 0), time.Time{}, 0},
		{"thursday night is not friday", []FocusRule{night}, paris, at(paris, 2026, 11, 27, 1, 0), false, time.Time{}, at(paris, 2026, 11, 27, 22, 0), 0},
		{"saturday night does not run", []FocusRule{night}, paris, at(paris, 2026, 11, 29, 1, 0), false, time.Time{}, at(paris, 2026, 12, 4, 22, 0), 0},
		// Daylight saving: wall-clock times hold, so the period is an hour
		// shorter or longer in absolute time.
		{"spring forward: 00:30-05:00 is half an hour shorter", []FocusRule{mustRule(t, []string{"sun"}, "00:30", "05:00")}, paris, at(paris, 2026, 3, 29, 4, 0), true, at(paris, 2026, 3, 29, 5, 0), time.Time{}, 3*time.Hour + 30*time.Minute},
		{"fall back: a longer night", []FocusRule{mustRule(t, []string{"sat"}, "22:00", "06:00")}, paris, at(paris, 2026, 10, 25, 2, 30), true, at(paris, 2026, 10, 25, 6, 0), time.Time{}, 9 * time.Hour},
		{"new york spring forward", []FocusRule{early}, ny, at(ny, 2026, 3, 8, 3, 30), true, at(ny, 2026, 3, 8, 4, 0), time.Time{}, 2 * time.Hour},
		{"same instant, other zone", []FocusRule{work}, ny, at(paris, 2026, 11, 27, 10, 30), false, time.Time{}, at(ny, 2026, 11, 27, 9, 0), 0},
		{"no rules", nil, paris, at(paris, 2026, 11, 27, 10, 30), false, time.Time{}, time.Time{}, 0},
	}
	for _, tt := range tests {
		st := Focus{Rules: tt.rules}.At(tt.now, tt.loc)
		if st.Active != tt.active {
			t.Errorf("%s: active = %v, want %v", tt.name, st.Active, tt.active)
			continue
		}
		if tt.active && !st.Until.Equal(tt.until) {
			t.Errorf("%s: until = %v, want %v", tt.name, st.Until, tt.until)
		}
		if !tt.active && !st.Next.Equal(tt.next) {
			t.Errorf("%s: next = %v, want %v", tt.name, st.Next, tt.next)
		}
		if tt.untilSpan != 0 {
			r := tt.rules[0]
			y, m, d := st.Until.Date()
			if r.End <= r.Start {
				d--
			}
			start := time.Date(y, m, d, r.Start/60, r.Start%60, 0, 0, tt.loc)
			if got := st.Until.Sub(start); got != tt.untilSpan {
				t.Errorf("%s: period lasts %v, want %v", tt.name, got, tt.untilSpan)
			}
		}
	}
}

func TestFocusManual(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC) // a Saturday, no rule
	f := Focus{
		Rules:       []FocusRule{mustRule(t, nil, "09:00", "12:00")},
		ManualUntil: now.Add(30 * time.Minute),
		Manual:      FocusRule{Allow: []string{"bob@acme.test"}},
	}
	st := f.At(now, time.UTC)
	if !st.Active || !st.Manual || !st.Until.Equal(now.Add(30*time.Minute)) {
		t.Errorf("manual focus: %+v", st)
	}
	if !st.Admits("bob@acme.test", nil, false) || st.Admits("boss@acme.test", []string{"Team"}, true) {
		t.Error("manual focus admits only its own list")
	}
	if st := f.At(now.Add(30*time.Minute), time.UTC); st.Active || st.Manual {
		t.Errorf("manual focus still active at its end: %+v", st)
	}
}

func TestFocusAdmits(t *testing.T) {
	internal := FocusRule{Internal: true}
	listed := mustRule(t, nil, "09:00", "10:00") // allows boss@acme.test and group Team
	tests := []struct {
		name     string
		st       FocusState
		sender   string
		groups   []string
		internal bool
		want     bool
	}{
		{"not in focus", FocusState{}, "mallory@evil.test", nil, false, true},
		{"listed, any case", FocusState{Active: true, Rules: []FocusRule{listed}}, "BOSS@acme.test", nil, true, true},
		{"not listed colleague", FocusState{Active: true, Rules: []FocusRule{listed}}, "dave@acme.test", nil, true, false},
		{"roster group", FocusState{Active: true, Rules: []FocusRule{listed}}, "carol@partner.test", []string{"Friends", "Team"}, false, true},
		{"group names are exact", FocusState{Active: true, Rules: []FocusRule{listed}}, "carol@partner.test", []string{"team"}, false, false},
		{"internal rule, colleague", FocusState{Active: true, Rules: []FocusRule{internal}}, "dave@acme.test", nil, true, true},
		{"internal rule, partner", FocusState{Active: true, Rules: []FocusRule{internal}}, "carol@partner.test", nil, false, false},
		{"two rules, either admits", FocusState{Active: true, Rules: []FocusRule{internal, listed}}, "boss@acme.test", nil, false, true},
		{"active with no rule admits nobody", FocusState{Active: true}, "boss@acme.test", nil, true, false},
	}
	for _, tt := range tests {
		if got := tt.st.Admits(tt.sender, tt.groups, tt.internal); got != tt.want {
			t.Errorf("%s: Admits = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseFocusRule(t *testing.T) {
	tests := []struct {
		days       []string
		start, end string
		allow      []string
		err        string
	}{
		{[]string{"mon", "SUN"}, "09:00", "17:30", []string{"a@b"}, ""},
		{nil, "23:00", "01:00", nil, ""},
		{[]string{"monday"}, "09:00", "10:00", nil, "not a day"},
		{nil, "9:00", "10:00", nil, "start"},
		{nil, "09:00", "24:00", nil, "end"},
		{nil, "09:60", "10:00", nil, "start"},
		{nil, "10:00", "10:00", nil, "needs a length"},
		{nil, "09:00", "10:00", []string{"bob@acme.test/phone"}, "not a bare address"},
		{nil, "09:00", "10:00", []string{"acme.test"}, "not a bare address"},
	}
	for _, tt := range tests {
		r, err := ParseFocusRule(tt.days, tt.start, tt.end, tt.allow, nil, false)
		if tt.err == "" {
			if err != nil {
				t.Errorf("ParseFocusRule(%v, %s, %s): %v", tt.days, tt.start, tt.end, err)
			} else if FormatHHMM(r.Start) != tt.start || FormatHHMM(r.End) != tt.end {
				t.Errorf("round trip %s-%s = %s-%s", tt.start, tt.end, FormatHHMM(r.Start), FormatHHMM(r.End))
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseFocusRule(%v, %s, %s, %v) error = %v, want %q", tt.days, tt.start, tt.end, tt.allow, err, tt.err)
		}
	}
	r, _ := ParseFocusRule([]string{"sun", "mon"}, "09:00", "10:00", nil, nil, false)
	if got := strings.Join(r.DayNames(), ","); got != "mon,sun" {
		t.Errorf("DayNames = %s", got)
	}
	if got := strings.Join(FocusRule{}.DayNames(), ","); got != "mon,tue,wed,thu,fri" {
		t.Errorf("default DayNames = %s", got)
	}
}

func TestFocusStatus(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, paris)
	if got := FocusStatus(now, time.Date(2026, 11, 27, 16, 0, 0, 0, paris), paris); got != "Focus until 16:00" {
		t.Errorf("same day: %q", got)
	}
	if got := FocusStatus(now, time.Date(2026, 11, 28, 2, 0, 0, 0, paris), paris); got != "Focus until Sat 02:00" {
		t.Errorf("next day: %q", got)
	}
}

func TestTorRoute(t *testing.T) {
	tests := []struct {
		rule          string
		locked, chose bool
		on, fixed     bool
	}{
		{"required", false, false, true, true},
		{"required", true, false, true, true},
		{"off", false, true, false, true},
		{"optional", false, true, true, false},
		{"optional", false, false, false, false},
		{"", false, true, true, false},
		{"optional", true, true, false, true},
	}
	for _, tt := range tests {
		on, fixed := TorRoute(tt.rule, tt.locked, tt.chose)
		if on != tt.on || fixed != tt.fixed {
			t.Errorf("TorRoute(%q, locked=%v, chosen=%v) = %v, %v; want %v, %v", tt.rule, tt.locked, tt.chose, on, fixed, tt.on, tt.fixed)
		}
	}
}
