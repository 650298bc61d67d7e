package event

import "time"

// Event is something the session reports. EventName is the stable name used
// on the headless wire ("event" field) and in logs.
type Event interface{ EventName() string }

// Connecting is emitted when a connection attempt starts.
type Connecting struct {
	Attempt int    `json:"attempt"`
	Server  string `json:"server,omitempty"` // host:port being dialled
	Route   string `json:"route,omitempty"`  // RouteDirect or RouteTor
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
	// ServerTrust says what the server's certificate chains to: "profile"
	// (a server CA the IT profile names), "configured" (the --ca-file CA),
	// "system" (the system roots). ServerCAPinned: the profile pins the
	// server CA, so the system roots alone were not enough.
	ServerTrust    string `json:"server_trust,omitempty"`
	ServerCAPinned bool   `json:"server_ca_pinned,omitempty"`
	// Route is how the connection goes: RouteDirect or RouteTor.
	Route string `json:"route,omitempty"`
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
	CodeUnsupported  = "unsupported"   // the command is valid but this version cannot do it yet
	CodeTor          = "tor"           // Tor is required (or chosen) and cannot be used
)

// Contact is one roster entry.
type Contact struct {
	JID          string   `json:"jid"` // bare JID, always shown to the user
	Name         string   `json:"name,omitempty"`
	Groups       []string `json:"groups,omitempty"`
	Subscription string   `json:"subscription"`      // none, to, from, both
	Pending      bool     `json:"pending,omitempty"` // our subscription request awaits approval
	Trust        Trust    `json:"trust"`
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
	Trust    Trust  `json:"trust"`
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
	Trust  Trust  `json:"trust"`
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
	// Archived: fetched by MAM (XEP-0313) catch-up, not received live; it
	// goes into the chat's history but must not be notified.
	Archived bool `json:"archived,omitempty"`
	// Held: it arrived during focus hours from someone focus did not
	// admit, and is delivered now that focus ended (in arrival order).
	// Notify it as a summary, not one by one.
	Held bool `json:"held,omitempty"`
	// Request: the sender is outside the approved organisations and the user
	// has not accepted them yet; the message belongs in the Requests area,
	// shown as an inert preview with Accept, Block contact and Block domain.
	Request bool  `json:"request,omitempty"`
	Trust   Trust `json:"trust"` // the peer: the sender, or the recipient when Outgoing
	// Signature: the device signature's verdict (one of the Signature*
	// constants); "" when the message is unsigned and the sender has no
	// certified device (nothing to expect). Device names the signing device.
	Signature string `json:"signature,omitempty"`
	Device    string `json:"device,omitempty"`
}

// Sent acknowledges a Send command: the message has an id and is either on
// the wire or, when offline, in the persisted outbox.
type Sent struct {
	ID     string `json:"id"`
	To     string `json:"to"`
	Queued bool   `json:"queued,omitempty"` // waiting in the outbox for reconnection
	Trust  Trust  `json:"trust"`
}

// Acked: the server confirmed receipt of an outgoing message (XEP-0198 ack).
type Acked struct {
	ID string `json:"id"`
	To string `json:"to"`
}

// Receipt: the recipient's client confirmed delivery (XEP-0184).
type Receipt struct {
	ID    string `json:"id"` // id of the message that was delivered
	From  string `json:"from"`
	Trust Trust  `json:"trust"`
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
	Trust Trust  `json:"trust"`
}

// Error reports a problem that does not end the session (a bad command, a
// send that failed, a keyring that is unavailable).
type Error struct {
	Message string `json:"message"` // human-readable, actionable
	Code    string `json:"code,omitempty"`
	Command string `json:"command,omitempty"` // the command that caused it, if any
	ID      string `json:"id,omitempty"`      // the message or file id the command carried, if any
}

// Trust classes: the policy's verdict on a peer's domain.
const (
	ClassInternal  = "internal"  // the user's own organisation
	ClassPartner   = "partner"   // an approved partner organisation (Org names it)
	ClassGateway   = "gateway"   // a bridge to a public network (Network names it); external
	ClassUnknown   = "unknown"   // not approved, not blocked: external
	ClassLookalike = "lookalike" // imitates an approved domain (LookalikeOf names it)
	ClassBlocked   = "blocked"   // blocked by the profile or by the user
)

// Trust is what the policy decided about a peer. Every event that concerns a
// peer carries one, so that every surface (roster, chat header, composer,
// notification, headless consumer) tells the same truth. The UI shows it; it
// never computes it.
type Trust struct {
	Class       string `json:"class"`                 // one of the Class* constants
	Org         string `json:"org"`                   // organisation name for internal and partner peers, else ""
	LookalikeOf string `json:"lookalike_of"`          // the approved domain imitated, for lookalikes, else ""
	Domain      string `json:"domain"`                // the peer's domain in Unicode form (what the user reads)
	ASCII       string `json:"ascii,omitempty"`       // the punycode form, when it differs from Domain
	Network     string `json:"network,omitempty"`     // for gateway peers: the bridged network
	Reason      string `json:"reason,omitempty"`      // one sentence for the user
	FileSend    bool   `json:"file_send"`             // files may be sent to this peer
	FileReason  string `json:"file_reason,omitempty"` // why not, when FileSend is false
	Accepted    bool   `json:"accepted,omitempty"`    // the user accepted this external peer

	// Identity is what the peer's published device certificates prove
	// (one of the Identity* constants); "" while they have not been
	// fetched yet. Subject and Issuer name the certificate that decided it
	// (for verified: the certified person and the identity CA).
	Identity       string `json:"identity,omitempty"`
	Subject        string `json:"subject,omitempty"`         // certificate subject, e.g. "CN=Alice Martin,O=ACME"
	Issuer         string `json:"issuer,omitempty"`          // issuing CA, e.g. "CN=ACME Identity CA,O=ACME"
	Person         string `json:"person,omitempty"`          // the subject's common name, for badges ("Alice Martin")
	IdentityOrg    string `json:"identity_org,omitempty"`    // the subject's organisation ("ACME")
	IdentityCA     string `json:"identity_ca,omitempty"`     // the issuer's common name ("ACME Identity CA")
	IdentityReason string `json:"identity_reason,omitempty"` // one sentence: why not verified, or what is wrong
	// IdentityChanged: the peer was verified and has since shown a new,
	// uncertified device or a changed certificate; sending is locked until
	// the user acknowledges it (AckIdentity).
	IdentityChanged bool `json:"identity_changed,omitempty"`
}

// External reports whether the peer is outside the user's organisation.
func (t Trust) External() bool { return t.Class != ClassInternal }

// Refusal codes carried by Refused.
const (
	RefusedBlocked    = "blocked"     // the peer's domain or JID is blocked
	RefusedConfirm    = "confirm"     // first message to an external peer: resend with Confirmed once the user agrees
	RefusedFilePolicy = "file-policy" // the profile does not allow this file to this peer
	RefusedLocked     = "locked"      // the setting is locked by IT
	RefusedTraining   = "training"    // required training is not complete
	RefusedIdentity   = "identity"    // the peer's identity changed: acknowledge it (AckIdentity) first
)

// Refused: the session declined a command because the policy forbids it.
// Nothing left the machine.
type Refused struct {
	Command string `json:"command"`         // wire name of the refused command
	ID      string `json:"id,omitempty"`    // the message id, for send
	To      string `json:"to,omitempty"`    // the peer concerned
	Code    string `json:"code"`            // one of the Refused* constants
	Reason  string `json:"reason"`          // human-readable, names the rule
	Trust   *Trust `json:"trust,omitempty"` // the peer's trust, when there is a peer
}

// Profile describes the configuration profile in force. It is emitted at
// start, whenever a newer profile is applied (Changes then says what
// changed, for the user), and in answer to the profile command.
type Profile struct {
	Managed   bool              `json:"managed"` // false: no IT profile, built-in defaults
	ID        string            `json:"id,omitempty"`
	Serial    int64             `json:"serial,omitempty"`
	Org       string            `json:"org,omitempty"`
	Source    string            `json:"source,omitempty"` // managed, import, push, stored
	KeyID     string            `json:"key_id,omitempty"` // the IT key that signed it
	IssuedAt  time.Time         `json:"issued_at,omitzero"`
	ExpiresAt time.Time         `json:"expires_at,omitzero"`
	Expired   bool              `json:"expired,omitempty"`  // still in force (no newer valid one) but past its date
	Locked    []string          `json:"locked,omitempty"`   // settings the user cannot change
	Changes   []string          `json:"changes,omitempty"`  // one line per change since the previous profile
	Settings  map[string]string `json:"settings,omitempty"` // effective values of user-visible settings (tor, unknown_domains, ...)
}

// Profile refusal codes.
const (
	ProfileBadSignature = "bad-signature"
	ProfileUnknownKey   = "unknown-key"
	ProfileExpired      = "expired"
	ProfileRollback     = "rollback"
	ProfileMalformed    = "malformed"
	ProfileUnreadable   = "unreadable"
)

// ProfileRefused: a profile was offered (file, import or push) and refused.
// The profile in force is unchanged.
type ProfileRefused struct {
	Source string `json:"source"` // managed, import, push
	Code   string `json:"code"`   // one of the Profile* constants
	Reason string `json:"reason"` // human-readable, names the reason
	ID     string `json:"id,omitempty"`
	Serial int64  `json:"serial,omitempty"`
}

// Bulletin is a signed security bulletin from IT.
type Bulletin struct {
	ID        string    `json:"id"`
	Severity  string    `json:"severity"` // info, warning, critical
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Dismissed bool      `json:"dismissed,omitempty"`
}

// Bulletins lists every bulletin kept, newest first (answer to the bulletins command).
type Bulletins struct {
	Items []Bulletin `json:"items"`
}

// Accepted: the user accepted an external peer (a request or a first message).
type Accepted struct {
	JID   string `json:"jid"`
	Trust Trust  `json:"trust"`
}

// Blocked: a JID or a whole domain is now blocked (XEP-0191).
type Blocked struct {
	JID string `json:"jid"` // a bare JID or a domain
}

// Unblocked: a block was lifted.
type Unblocked struct {
	JID string `json:"jid"`
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
func (Refused) EventName() string             { return "refused" }
func (Profile) EventName() string             { return "profile" }
func (ProfileRefused) EventName() string      { return "profile_refused" }
func (Bulletin) EventName() string            { return "bulletin" }
func (Bulletins) EventName() string           { return "bulletins" }
func (Accepted) EventName() string            { return "accepted" }
func (Blocked) EventName() string             { return "blocked" }
func (Unblocked) EventName() string           { return "unblocked" }

// File verdicts carried by FileReceived.
const (
	VerdictClean     = "clean"     // the scanner found nothing; the file is in the downloads folder
	VerdictInfected  = "infected"  // the scanner found malware; the file was deleted
	VerdictUnscanned = "unscanned" // the scanner was unavailable; the file waits in quarantine (RetryScan)
)

// File failure codes carried by FileRejected.
const (
	FileNoUpload     = "no-upload-service" // the server offers no HTTP upload service
	FileTooLarge     = "too-large"         // larger than the upload service or the policy allows (Reason gives the limit)
	FileQuota        = "quota"             // the upload service refused for lack of quota
	FileSlotRefused  = "slot-refused"      // the upload service refused the slot for another reason
	FileInterrupted  = "interrupted"       // the transfer broke off; the file can be sent (or fetched) again
	FileCancelled    = "cancelled"         // cancelled with CancelFile
	FileTLSUntrusted = "tls-untrusted"     // the upload or download host's certificate is not trusted
	FileBadURL       = "bad-url"           // the offered URL is not a safe https URL (scheme, credentials, address)
	FileInfected     = "infected"          // the scanner found malware; the file was deleted
	FileBlockedPeer  = "blocked"           // the sender is blocked; nothing is fetched
	FileUnreadable   = "unreadable"        // the local file cannot be read, or the download cannot be stored
	FileHTTP         = "http"              // the HTTP server answered with an error status
)

// FileProgress reports the progress of an upload (To set) or a download
// (From set). It is throttled: at most a few events per second.
type FileProgress struct {
	ID    string `json:"id"`
	To    string `json:"to,omitempty"`
	From  string `json:"from,omitempty"`
	Name  string `json:"name"`
	Bytes int64  `json:"bytes"`
	Total int64  `json:"total"` // -1 when unknown
}

// FileSent: the file is uploaded and the message carrying its URL was sent.
type FileSent struct {
	ID   string `json:"id"`
	To   string `json:"to"`
	Name string `json:"name"`
	URL  string `json:"url"`
	Size int64  `json:"size"`
}

// FileOffered: a peer sent a file link (XEP-0066 out-of-band data, or a body
// that is a single https URL). Auto says whether the session fetches it by
// itself; otherwise the user may fetch it with DownloadFile (never for
// blocked peers).
type FileOffered struct {
	ID    string `json:"id"`
	From  string `json:"from"`
	Name  string `json:"name"` // the safe file name it will be stored under (before collisions)
	Size  int64  `json:"size"` // -1 when unknown
	URL   string `json:"url"`
	Trust Trust  `json:"trust"`
	Auto  bool   `json:"auto"`
}

// FileReceived: a downloaded file has been stored. Path is where it is now:
// the downloads folder when clean, the quarantine folder when unscanned.
type FileReceived struct {
	ID      string `json:"id"`
	From    string `json:"from"`
	Name    string `json:"name"`
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	Verdict string `json:"verdict"`           // one of the Verdict* constants
	Scanner string `json:"scanner,omitempty"` // the scanner's message (why unscanned, or its answer)
}

// FileRejected: a transfer did not happen or did not finish. Nothing is
// kept of a rejected download.
type FileRejected struct {
	ID     string `json:"id"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason"` // human-readable, actionable
	Code   string `json:"code"`   // one of the File* codes
}

func (FileProgress) EventName() string { return "file_progress" }
func (FileSent) EventName() string     { return "file_sent" }
func (FileOffered) EventName() string  { return "file_offered" }
func (FileReceived) EventName() string { return "file_received" }
func (FileRejected) EventName() string { return "file_rejected" }
