package ui

import (
	"fyne.io/fyne/v2/lang"
	"math"
	"time"

	"github.com/palisade-im/palisade/event"
)

// ConnState is the connection as the user sees it.
type ConnState int

const (
	ConnIdle       ConnState = iota // not signed in
	ConnConnecting                  // an attempt is running
	ConnOnline                      // authenticated and bound
	ConnOffline                     // lost; an automatic retry is scheduled
	ConnFatal                       // stopped; the user must act (wrong password, untrusted certificate…)
	ConnClosed                      // the session has ended
)

// BannerKind selects the banner's icon and colour (always with words).
type BannerKind int

const (
	BannerHidden BannerKind = iota
	BannerInfo
	BannerSuccess
	BannerWarning
	BannerError
)

// flashFor is how long "Reconnected" stays visible.
const flashFor = 3 * time.Second

// ConnModel turns connection events into the banner's contents.
type ConnModel struct {
	State         ConnState
	Attempt       int
	Server        string
	JID           string // full JID once connected
	Message       string // last disconnection message
	Code          string
	RetryAt       time.Time
	EverConnected bool
	// The server's certificate and what it chains to, from the latest
	// Connected that reported them (a resumed stream may not).
	ServerCert     event.CertInfo
	ServerTrust    string
	ServerCAPinned bool
	TLSVersion     string
	Mechanism      string
	ChannelBinding string
	// Route is how the connection goes: event.RouteDirect or RouteTor;
	// Tor is Tor's latest state (starting, ready, failed).
	Route      string
	Tor        event.TorState
	flashText  string
	flashUntil time.Time
}

// Apply updates the model with a connection event; other events are ignored.
func (m *ConnModel) Apply(ev event.Event, now time.Time) {
	switch e := ev.(type) {
	case event.Connecting:
		m.State, m.Attempt, m.Server = ConnConnecting, e.Attempt, e.Server
		m.Route = e.Route
	case event.TorState:
		m.Tor = e
	case event.Connected:
		if m.EverConnected {
			if e.Resumed {
				m.flashText = lang.L("Reconnected; nothing was lost")
			} else {
				m.flashText = lang.L("Reconnected")
			}
			m.flashUntil = now.Add(flashFor)
		}
		m.State, m.JID, m.EverConnected = ConnOnline, e.JID, true
		if e.Route != "" {
			m.Route = e.Route
		}
		if e.ServerCert != (event.CertInfo{}) || e.ServerTrust != "" {
			m.ServerCert, m.ServerTrust, m.ServerCAPinned = e.ServerCert, e.ServerTrust, e.ServerCAPinned
		}
		if e.TLSVersion != "" || e.Mechanism != "" {
			m.TLSVersion, m.Mechanism, m.ChannelBinding = e.TLSVersion, e.Mechanism, e.ChannelBinding
		}
		m.Message, m.Code, m.RetryAt = "", "", time.Time{}
	case event.Disconnected:
		m.Message, m.Code = e.Message, e.Code
		m.flashUntil = time.Time{}
		if e.Fatal {
			m.State, m.RetryAt = ConnFatal, time.Time{}
		} else {
			m.State = ConnOffline
			m.RetryAt = time.Time{}
			if e.RetryIn > 0 {
				m.RetryAt = now.Add(time.Duration(e.RetryIn * float64(time.Second)))
			}
		}
	case event.Closed:
		if m.State != ConnFatal {
			m.State = ConnClosed
		}
	}
}

// Counting reports whether the banner shows a countdown that needs a tick
// every second.
func (m *ConnModel) Counting(now time.Time) bool {
	return m.State == ConnOffline && !m.RetryAt.IsZero() && now.Before(m.RetryAt)
}

// Flashing reports whether a "reconnected" message is showing.
func (m *ConnModel) Flashing(now time.Time) bool {
	return m.State == ConnOnline && now.Before(m.flashUntil)
}

// Banner is the text and kind of the connection banner at now, and which
// buttons it offers.
type Banner struct {
	Kind      BannerKind
	Text      string
	RetryNow  bool // offer "Retry now" (Reconnect command)
	SignInAgn bool // offer "Sign in again" (back to the sign-in form)
}

// Banner computes the banner at now.
func (m *ConnModel) Banner(now time.Time) Banner {
	switch m.State {
	case ConnConnecting:
		d := tv{"Server": m.Server}
		t := lang.L("Connecting…", d)
		switch {
		case m.Route == event.RouteTor && m.Tor.State == event.TorStarting && m.Server != "":
			t = lang.L("Starting Tor (this can take a minute), then connecting to {{.Server}}…", d)
		case m.Route == event.RouteTor && m.Tor.State == event.TorStarting:
			t = lang.L("Starting Tor (this can take a minute), then connecting…", d)
		case m.Route == event.RouteTor && m.Server != "":
			t = lang.L("Connecting to {{.Server}} through Tor…", d)
		case m.Route == event.RouteTor:
			t = lang.L("Connecting through Tor…", d)
		case m.Server != "":
			t = lang.L("Connecting to {{.Server}}…", d)
		}
		if m.Attempt > 1 {
			t += " " + lang.L("(attempt {{.N}})", tv{"N": m.Attempt})
		}
		return Banner{Kind: BannerInfo, Text: t}
	case ConnOnline:
		if now.Before(m.flashUntil) {
			return Banner{Kind: BannerSuccess, Text: m.flashText}
		}
		return Banner{Kind: BannerHidden}
	case ConnOffline:
		t := lang.L("Offline")
		if m.Message != "" {
			t += ": " + m.Message
		}
		if !m.RetryAt.IsZero() {
			left := m.RetryAt.Sub(now)
			if left > 0 {
				t += ". " + lang.L("Retrying in {{.N}} s", tv{"N": int(math.Ceil(left.Seconds()))})
			} else {
				t += ". " + lang.L("Retrying…")
			}
		}
		return Banner{Kind: BannerWarning, Text: t, RetryNow: true}
	case ConnFatal:
		t := m.Message
		if t == "" {
			t = lang.L("The connection was closed")
		}
		return Banner{Kind: BannerError, Text: lang.L("Not connected: {{.Why}}", tv{"Why": t}), SignInAgn: true}
	case ConnClosed:
		return Banner{Kind: BannerWarning, Text: lang.L("Signed out"), SignInAgn: true}
	}
	return Banner{Kind: BannerHidden}
}
