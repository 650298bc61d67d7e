package event

import "time"

// Event is something the session reports. EventName is the stable name used
// on the headless wire ("event" field) and in logs.
type Event interface{ EventName() string }

// Connecting is emitted when a connection attempt starts.
type Connecting struct {
	Attempt int    `json:"attempt"`
	Server  string `json:"server,omitempty"` // host:port being dialled
}

// CertInfo describes an X.509 certificate for display.
type CertInfo struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	SHA256   string    `json:"sha256"` // colon-separated upper-case hex
	NotAfter time.Time `json:"not_after"`
}

// Connected is emitted once the stream is authenticated and bound (or resumed).
type Connected struct {
	JID            string   `json:"jid"`                       // full JID bound by the server
	Resumed        bool     `json:"resumed"`                   // XEP-0198 resumption: nothing was lost
	Mechanism      string   `json:"mechanism,omitempty"`       // SASL mechanism used
	ChannelBinding string   `json:"channel_binding,omitempty"` // e.g. "tls-exporter", "tls-server-end-point", "" for none
	TLSVersion     string   `json:"tls_version,omitempty"`
	ServerCert     CertInfo `json:"server_cert"`
}

// Disconnected is emitted when the stream is lost or a connection attempt failed.
type Disconnected struct {
	Message string  `json:"message"`                    // human-readable, actionable
	Code    string  `json:"code,omitempty"`             // one of the Code* constants
	Fatal   bool    `json:"fatal"`                      // no automatic retry (bad password, untrusted cert, no TLS)
	RetryIn float64 `json:"retry_in_seconds,omitempty"` // seconds until the next automatic attempt
}

// Failure codes carried by Disconnected and Error.
const (
	CodeAuth         = "auth"          // wrong password or account unknown
	CodeTLSUntrusted = "tls-untrusted" // server certificate not trusted
	CodeNoTLS        = "no-tls"        // server offers no TLS
	CodeNetwork      = "network"       // DNS, refused, reset, timeout
	CodeConflict     = "conflict"      // another session took over
	CodeProtocol     = "protocol"      // server misbehaved
	CodeBadCommand   = "bad-command"   // a command was malformed
	CodeNoKeyring    = "no-keyring"    // OS keyring unavailable
	CodeConfig       = "config"        // local configuration problem
)

// Contact is one roster entry.
type Contact struct {
	JID          string   `json:"jid"` // bare JID, always shown to the user
	Name         string   `json:"name,omitempty"`
	Groups       []string `json:"groups,omitempty"`
	Subscription string   `json:"subscription"`      // none, to, from, both
	Pending      bool     `json:"pending,omitempty"` // our subscription request awaits approval
}

// Roster is the full roster, sent after sign-in and in answer to the roster command.
type Roster struct {
	Contacts []Contact `json:"contacts"`
}

// RosterPush is a change to one roster entry pushed by the server.
type RosterPush struct {
	Contact Contact `json:"contact"`
	Removed bool    `json:"removed,omitempty"`
}

// Presence shows, in wire terms.
const (
	ShowAvailable   = "available"
	ShowChat        = "chat"
	ShowAway        = "away"
	ShowXA          = "xa"
	ShowDND         = "dnd"
	ShowUnavailable = "unavailable"
)

// Presence is a contact's (or another own resource's) presence.
type Presence struct {
	From     string `json:"from"` // full JID
	JID      string `json:"jid"`  // bare JID
	Show     string `json:"show"` // one of the Show* constants
	Status   string `json:"status,omitempty"`
	Priority int    `json:"priority,omitempty"`
}

// OwnPresence confirms the user's own presence as broadcast.
type OwnPresence struct {
	Show   string `json:"show"`
	Status string `json:"status,omitempty"`
}

// SubscriptionRequest: someone asks to see the user's presence. The user
// approves or declines with the Approve / Decline commands.
type SubscriptionRequest struct {
	From   string `json:"from"` // bare JID
	Status string `json:"status,omitempty"`
}

// Message is a 1:1 chat message, incoming or (for carbons and echoes) outgoing.
type Message struct {
	ID       string    `json:"id"`
	From     string    `json:"from"` // full JID of the sender
	To       string    `json:"to"`
	Body     string    `json:"body"`
	Time     time.Time `json:"time"`
	Outgoing bool      `json:"outgoing,omitempty"` // sent by this account (a sent carbon from another resource)
	Carbon   bool      `json:"carbon,omitempty"`   // arrived as an XEP-0280 carbon
	Delayed  bool      `json:"delayed,omitempty"`  // carried a XEP-0203 delay (offline storage)
}

// Sent acknowledges a Send command: the message has an id and is either on
// the wire or, when offline, in the persisted outbox.
type Sent struct {
	ID     string `json:"id"`
	To     string `json:"to"`
	Queued bool   `json:"queued,omitempty"` // waiting in the outbox for reconnection
}

// Acked: the server confirmed receipt of an outgoing message (XEP-0198 ack).
type Acked struct {
	ID string `json:"id"`
	To string `json:"to"`
}

// Receipt: the recipient's client confirmed delivery (XEP-0184).
type Receipt struct {
	ID   string `json:"id"` // id of the message that was delivered
	From string `json:"from"`
}

// Chat states (XEP-0085).
const (
	StateActive    = "active"
	StateComposing = "composing"
	StatePaused    = "paused"
	StateInactive  = "inactive"
	StateGone      = "gone"
)

// ChatState is a contact's typing state.
type ChatState struct {
	From  string `json:"from"` // full JID
	State string `json:"state"`
}

// Error reports a problem that does not end the session (a bad command, a
// send that failed, a keyring that is unavailable).
type Error struct {
	Message string `json:"message"` // human-readable, actionable
	Code    string `json:"code,omitempty"`
	Command string `json:"command,omitempty"` // the command that caused it, if any
}

// Closed is the last event: the session has stopped for good (after Quit or a fatal error).
type Closed struct{}

func (Connecting) EventName() string          { return "connecting" }
func (Connected) EventName() string           { return "connected" }
func (Disconnected) EventName() string        { return "disconnected" }
func (Roster) EventName() string              { return "roster" }
func (RosterPush) EventName() string          { return "roster_push" }
func (Presence) EventName() string            { return "presence" }
func (OwnPresence) EventName() string         { return "own_presence" }
func (SubscriptionRequest) EventName() string { return "subscription_request" }
func (Message) EventName() string             { return "message" }
func (Sent) EventName() string                { return "sent" }
func (Acked) EventName() string               { return "acked" }
func (Receipt) EventName() string             { return "receipt" }
func (ChatState) EventName() string           { return "chat_state" }
func (Error) EventName() string               { return "error" }
func (Closed) EventName() string              { return "closed" }
