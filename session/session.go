package session

import (
	"github.com/palisade-im/palisade/event"
)

// Config is what a session needs to connect. It holds no secret: the password
// is asked through Password at every connection attempt and never stored.
type Config struct {
	JID       string                 // bare JID of the account, e.g. alice@acme.test
	Password  func() (string, error) // asked at each connection attempt
	Server    string                 // optional host:port; overrides DNS SRV lookup
	DirectTLS bool                   // XEP-0368 direct TLS instead of STARTTLS
	CAFile    string                 // optional extra trusted CA (PEM), besides the system roots
	DataDir   string                 // where the outbox and stream state are persisted
	Resource  string                 // optional resource; the server assigns one if empty
}

// Session is one account's connection. It implements event.Backend.
type Session struct {
	cfg    Config
	events chan event.Event
}

var _ event.Backend = (*Session)(nil)

// New checks the configuration and prepares a session. It does not connect:
// call Start.
func New(cfg Config) (*Session, error) {
	return &Session{cfg: cfg, events: make(chan event.Event, 1024)}, nil
}

// Start begins connecting in the background. Progress is reported as events.
func (s *Session) Start() {}

// Do queues a command. It never blocks on the network.
func (s *Session) Do(c event.Command) {}

// Events is the stream of events; it is closed after event.Closed.
func (s *Session) Events() <-chan event.Event { return s.events }
