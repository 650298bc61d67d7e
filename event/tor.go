package event

// Tor routing (issue "Tor routing"): the XMPP connection and every HTTPS
// file transfer go through Tor when the profile requires it, or when the
// user turned it on where the profile allows. Connecting and Connected say
// which route a connection took (Route*); TorState reports Tor itself.

// Routes carried by Connecting and Connected.
const (
	RouteDirect = "direct"
	RouteTor    = "tor"
)

// Tor states carried by TorState.
const (
	TorStarting = "starting" // starting or attaching to Tor, waiting for it to reach the network
	TorReady    = "ready"    // connections can go through Tor
	TorFailed   = "failed"   // Tor could not be used; Reason says why
	TorStopped  = "stopped"  // the Tor process Palisade started has stopped
)

// TorState reports Tor's state, and the routing setting: emitted when it
// changes and in answer to GetTor.
type TorState struct {
	State  string `json:"state,omitempty"`  // one of the Tor* states; "" while Tor is not used
	Reason string `json:"reason,omitempty"` // why it failed, for the user
	// Via says how Tor is reached: "process" (a tor Palisade started),
	// "control" (a running tor, through its control port), "proxy" (a
	// SOCKS5 proxy address given directly).
	Via string `json:"via,omitempty"`
	// Policy is the profile's rule: off, optional or required.
	Policy string `json:"policy"`
	// Enabled: connections go through Tor (required, or chosen by the user).
	Enabled bool `json:"enabled"`
	// Locked: the user cannot change Enabled (the profile says off or
	// required, or locks the setting).
	Locked bool `json:"locked,omitempty"`
	// Onion is the onion address dialled for the company server, when the
	// profile names one.
	Onion string `json:"onion,omitempty"`
}

// GetTor asks for the Tor state and setting (answered by TorState).
type GetTor struct{}

// SetTor turns routing through Tor on or off, where the profile lets the
// user choose. The choice is kept for the next start; the connection is
// made again on the new route. Refused (Error, code config) when locked.
type SetTor struct {
	Enabled bool `json:"enabled"`
}

func init() {
	register(func() Command { return &GetTor{} })
	register(func() Command { return &SetTor{} })
}

func (TorState) EventName() string { return "tor_state" }

func (GetTor) CommandName() string { return "tor" }
func (SetTor) CommandName() string { return "set_tor" }
