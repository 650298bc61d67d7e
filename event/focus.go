package event

import "time"

// Focus hours (issue "Focus hours"): during focus only the allowed
// contacts reach the user; other 1:1 messages are held silently and
// delivered in order, marked Message.Held, when focus ends. Presence shows
// focus (dnd, "Focus until 16:00").

// FocusRule is one period of focus: on these days, from Start to End
// (local time; End before Start crosses midnight), only the listed
// contacts, roster groups and, with Internal, anyone of the organisation
// reach the user.
type FocusRule struct {
	Days     []string `json:"days,omitempty"` // mon..sun; empty = Monday to Friday
	Start    string   `json:"start"`          // "HH:MM"
	End      string   `json:"end"`            // "HH:MM"
	Allow    []string `json:"allow,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	Internal bool     `json:"internal,omitempty"`
}

// Focus is the focus state: emitted when focus starts or ends, when the
// rules change, when a message is held, and in answer to GetFocus.
type Focus struct {
	Active bool        `json:"active"`
	Until  time.Time   `json:"until,omitzero"`   // when the current focus ends
	Manual bool        `json:"manual,omitempty"` // started with FocusNow
	Held   int         `json:"held"`             // messages waiting for the end of focus
	Rules  []FocusRule `json:"rules"`
	// FromProfile: the rules are the profile's defaults (the user has not
	// set any). Locked: the profile locks focus hours (SetFocus refused).
	FromProfile bool   `json:"from_profile,omitempty"`
	Locked      bool   `json:"locked,omitempty"`
	Timezone    string `json:"timezone,omitempty"` // the rules' time zone; "" = the computer's
}

// GetFocus asks for the focus state (answered by Focus).
type GetFocus struct{}

// SetFocus replaces the user's focus rules (kept in the data directory);
// an empty list turns scheduled focus off. Refused (Error, code config)
// when the profile locks focus hours or a rule is malformed.
type SetFocus struct {
	Rules []FocusRule `json:"rules"`
}

// FocusNow starts focus at once for Minutes minutes (0 ends a manual
// focus early), admitting the listed contacts, groups and, with Internal,
// colleagues.
type FocusNow struct {
	Minutes  int      `json:"minutes"`
	Allow    []string `json:"allow,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	Internal bool     `json:"internal,omitempty"`
}

func init() {
	register(func() Command { return &GetFocus{} })
	register(func() Command { return &SetFocus{} })
	register(func() Command { return &FocusNow{} })
}

func (Focus) EventName() string { return "focus" }

func (GetFocus) CommandName() string { return "focus" }
func (SetFocus) CommandName() string { return "set_focus" }
func (FocusNow) CommandName() string { return "focus_now" }
