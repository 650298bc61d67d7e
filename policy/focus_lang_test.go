package policy

import (
	"testing"
	"time"

	"github.com/palisade-im/palisade/l10n"
)

func TestFocusStatusIn(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	now := time.Date(2026, 3, 6, 14, 0, 0, 0, paris) // a Friday
	for _, tt := range []struct {
		until  time.Time
		en, fr string
	}{
		{time.Date(2026, 3, 6, 16, 0, 0, 0, paris), "Focus until 16:00", "Concentration jusqu’à 16:00"},
		{time.Date(2026, 3, 9, 9, 30, 0, 0, paris), "Focus until Mon 09:30", "Concentration jusqu’à lundi 09:30"},
		{time.Date(2026, 3, 7, 1, 0, 0, 0, paris), "Focus until Sat 01:00", "Concentration jusqu’à samedi 01:00"},
		{time.Date(2026, 3, 8, 8, 0, 0, 0, paris), "Focus until Sun 08:00", "Concentration jusqu’à dimanche 08:00"},
	} {
		if got := FocusStatus(now, tt.until, paris); got != tt.en {
			t.Errorf("FocusStatus(%v) = %q, want %q", tt.until, got, tt.en)
		}
		if got := FocusStatusIn("", now, tt.until, paris); got != tt.en {
			t.Errorf("FocusStatusIn(\"\", %v) = %q, want %q", tt.until, got, tt.en)
		}
		if got := FocusStatusIn(l10n.French, now, tt.until, paris); got != tt.fr {
			t.Errorf("FocusStatusIn(fr, %v) = %q, want %q", tt.until, got, tt.fr)
		}
		if !IsFocusStatus(tt.en) || !IsFocusStatus(tt.fr) {
			t.Errorf("IsFocusStatus does not recognise %q or %q", tt.en, tt.fr)
		}
	}
	for _, s := range []string{"", "In a meeting", "Focus", "Concentré"} {
		if IsFocusStatus(s) {
			t.Errorf("IsFocusStatus(%q) = true", s)
		}
	}
}

func TestParseFocusRuleIn(t *testing.T) {
	const nb = "\u00a0"
	for _, tt := range []struct {
		name       string
		days       []string
		start, end string
		allow      []string
		en, fr     string
	}{
		{"day", []string{"mon", "lundi"}, "09:00", "12:00", nil,
			`"lundi" is not a day (mon, tue, wed, thu, fri, sat, sun)`,
			`"lundi" n’est pas un jour (mon, tue, wed, thu, fri, sat, sun)`},
		{"start", nil, "9h", "12:00", nil,
			`start: "9h" is not a time HH:MM`,
			`début` + nb + `: "9h" n’est pas une heure au format HH:MM`},
		{"end", nil, "09:00", "24:00", nil,
			`end: "24:00" is not a time HH:MM`,
			`fin` + nb + `: "24:00" n’est pas une heure au format HH:MM`},
		{"no length", nil, "09:00", "09:00", nil,
			`start and end are both 09:00: a focus period needs a length`,
			`le début et la fin sont tous deux à 09:00` + nb + `: une période de concentration doit avoir une durée`},
		{"address", nil, "09:00", "12:00", []string{"bob"},
			`"bob" is not a bare address (user@domain)`,
			`"bob" n’est pas une adresse simple (utilisateur@domaine)`},
	} {
		_, err := ParseFocusRule(tt.days, tt.start, tt.end, tt.allow, nil, false)
		if err == nil || err.Error() != tt.en {
			t.Errorf("%s: ParseFocusRule error %v, want %q", tt.name, err, tt.en)
		}
		_, err = ParseFocusRuleIn(l10n.French, tt.days, tt.start, tt.end, tt.allow, nil, false)
		if err == nil || err.Error() != tt.fr {
			t.Errorf("%s: ParseFocusRuleIn(fr) error %v, want %q", tt.name, err, tt.fr)
		}
	}
	if _, err := ParseFocusRuleIn(l10n.French, []string{"sat"}, "22:00", "02:00", []string{"Bob@acme.test"}, []string{"Team"}, true); err != nil {
		t.Errorf("a valid rule: %v", err)
	}
}
