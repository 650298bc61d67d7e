package event

// Command is something a consumer asks the session to do. CommandName is the
// stable name used on the headless wire ("cmd" field).
type Command interface{ CommandName() string }

// Send a 1:1 chat message. ID is optional; the session picks one if empty
// and reports it in the Sent event.
type Send struct {
	To   string `json:"to"`
	Body string `json:"body"`
	ID   string `json:"id,omitempty"`
	// Confirmed: the user agreed to write to this external peer after the
	// session refused a first message with code "confirm".
	Confirmed bool `json:"confirmed,omitempty"`
}

// GetRoster asks for the current roster; answered by a Roster event.
type GetRoster struct{}

// SetPresence sets the user's own presence. Show is one of available, chat,
// away, xa, dnd.
type SetPresence struct {
	Show   string `json:"show"`
	Status string `json:"status,omitempty"`
}

// SendChatState tells a contact that the user is typing (or stopped).
type SendChatState struct {
	To    string `json:"to"`
	State string `json:"state"`
}

// AddContact adds a roster entry and asks for a presence subscription.
type AddContact struct {
	JID    string   `json:"jid"`
	Name   string   `json:"name,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// RemoveContact removes a roster entry (and its subscriptions).
type RemoveContact struct {
	JID string `json:"jid"`
}

// Approve a subscription request: the contact may see the user's presence.
type Approve struct {
	JID string `json:"jid"`
}

// Decline a subscription request.
type Decline struct {
	JID string `json:"jid"`
}

// Reconnect now instead of waiting for the backoff timer.
type Reconnect struct{}

// Quit closes the stream cleanly and stops the session; a Closed event follows.
type Quit struct{}

// SendFile sends a file to a peer. The policy decides first: a refusal is a
// Refused event and nothing leaves the machine.
type SendFile struct {
	To   string `json:"to"`
	Path string `json:"path"`
	// ID is optional; the session picks one if empty. It names the transfer
	// in FileProgress, FileSent and FileRejected, and in CancelFile.
	ID string `json:"id,omitempty"`
}

// CancelFile stops an upload or a download in progress (FileRejected with
// code "cancelled" follows), or drops an offer or a quarantined file.
type CancelFile struct {
	ID string `json:"id"`
}

// DownloadFile fetches an offered file that was not downloaded automatically
// (FileOffered with Auto false). Files from blocked peers are never fetched.
type DownloadFile struct {
	ID string `json:"id"`
}

// RetryScan scans a file kept in quarantine as unscanned again; answered by
// FileReceived (clean or still unscanned) or FileRejected (infected).
type RetryScan struct {
	ID string `json:"id"`
}

// ImportProfile imports a signed configuration profile from a file. Sig is
// the detached signature; empty means Path + ".jws". Answered by Profile or
// ProfileRefused.
type ImportProfile struct {
	Path string `json:"path"`
	Sig  string `json:"sig,omitempty"`
}

// GetProfile asks for the profile in force; answered by a Profile event.
type GetProfile struct{}

// GetBulletins asks for the kept bulletins; answered by a Bulletins event.
type GetBulletins struct{}

// DismissBulletin hides a bulletin's banner; it stays in the list.
type DismissBulletin struct {
	ID string `json:"id"`
}

// Accept an external peer who wrote first (moves them out of Requests).
type Accept struct {
	JID string `json:"jid"`
}

// Block a JID, or a whole domain when JID is a bare domain (XEP-0191).
type Block struct {
	JID string `json:"jid"`
}

// Unblock lifts a block.
type Unblock struct {
	JID string `json:"jid"`
}

// WarningShown tells the session that the GUI showed the user a security
// warning (a lookalike interstitial, a confirmation before writing to or
// inviting an outsider, a link from an outsider, a file download warning),
// so that it is recorded in the audit log. It changes nothing else.
type WarningShown struct {
	Warning string `json:"warning"`          // what was shown, e.g. "lookalike_interstitial", "confirm_first_message", "external_link"
	JID     string `json:"jid,omitempty"`    // the peer or room concerned
	Text    string `json:"text,omitempty"`   // the words shown, for the record
	Choice  string `json:"choice,omitempty"` // what the user chose, when known: "proceed", "cancel", "block"
}

func (WarningShown) CommandName() string { return "warning_shown" }

func (Send) CommandName() string            { return "send" }
func (GetRoster) CommandName() string       { return "roster" }
func (SetPresence) CommandName() string     { return "presence" }
func (SendChatState) CommandName() string   { return "chat_state" }
func (AddContact) CommandName() string      { return "add_contact" }
func (RemoveContact) CommandName() string   { return "remove_contact" }
func (Approve) CommandName() string         { return "approve" }
func (Decline) CommandName() string         { return "decline" }
func (Reconnect) CommandName() string       { return "reconnect" }
func (Quit) CommandName() string            { return "quit" }
func (SendFile) CommandName() string        { return "sendfile" }
func (ImportProfile) CommandName() string   { return "import_profile" }
func (GetProfile) CommandName() string      { return "profile" }
func (GetBulletins) CommandName() string    { return "bulletins" }
func (DismissBulletin) CommandName() string { return "dismiss_bulletin" }
func (Accept) CommandName() string          { return "accept" }
func (Block) CommandName() string           { return "block" }
func (Unblock) CommandName() string         { return "unblock" }
func (CancelFile) CommandName() string      { return "cancel_file" }
func (DownloadFile) CommandName() string    { return "download_file" }
func (RetryScan) CommandName() string       { return "retry_scan" }

// Backend is what a consumer (GUI or headless loop) holds. Do never blocks on
// the network: the result of a command comes back later as an event.
// Events is closed after the Closed event.
type Backend interface {
	Do(Command)
	Events() <-chan Event
}
