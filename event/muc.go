package event

import "time"

// Group chat (XEP-0045) commands and events, and bookmarks (XEP-0402).
//
// A room is named by its bare JID (room@conference.example). Everything
// about a room's occupants comes from the room's own presence; an occupant's
// JID is their real bare JID only when the room reveals it, else "".

// Join a room under a nickname. Answered by RoomJoined, or by Error (code
// "conflict" when the nickname is taken: the message suggests another one).
type Join struct {
	Room     string `json:"room"`
	Nick     string `json:"nick"`
	Password string `json:"password,omitempty"`
}

// Leave a room; answered by RoomLeft.
type Leave struct {
	Room string `json:"room"`
}

// CreateRoom creates a room (joining it under Nick) and configures it through
// the room configuration form. Answered by RoomJoined, or by Error when the
// room exists already or cannot be configured.
type CreateRoom struct {
	Room        string `json:"room"`
	Nick        string `json:"nick"`
	Name        string `json:"name,omitempty"`
	MembersOnly bool   `json:"members_only,omitempty"`
	Persistent  bool   `json:"persistent,omitempty"`
}

// SendRoomMessage sends a message to everyone in a room (wire name
// "room_message"). ID is optional; the session picks one if empty.
type SendRoomMessage struct {
	Room string `json:"room"`
	Body string `json:"body"`
	ID   string `json:"id,omitempty"`
}

// SetRoomTopic changes a room's subject (wire name "room_topic").
type SetRoomTopic struct {
	Room  string `json:"room"`
	Topic string `json:"topic"`
}

// Invite someone to a room (XEP-0045 mediated invitation). Inviting someone
// outside the approved organisations is refused with code "confirm" until
// the user agrees and sends it again with Confirmed.
type Invite struct {
	Room      string `json:"room"`
	JID       string `json:"jid"`
	Reason    string `json:"reason,omitempty"`
	Confirmed bool   `json:"confirmed,omitempty"`
}

// PrivateMessage sends a private message to one occupant of a room, through
// the room (it is not a direct chat: the occupant's real JID may be hidden).
type PrivateMessage struct {
	Room string `json:"room"`
	Nick string `json:"nick"`
	Body string `json:"body"`
}

// SetBookmark adds, changes or (Remove) deletes a room bookmark (XEP-0402,
// stored in the user's own PEP). Answered by a Bookmarks event.
type SetBookmark struct {
	Room     string `json:"room"`
	Name     string `json:"name,omitempty"`
	Nick     string `json:"nick,omitempty"`
	Password string `json:"password,omitempty"`
	Autojoin bool   `json:"autojoin,omitempty"`
	Remove   bool   `json:"remove,omitempty"`
}

// GetBookmarks asks for the room bookmarks; answered by a Bookmarks event.
type GetBookmarks struct{}

// DeclineInvite declines an invitation to a room (XEP-0045 mediated
// decline): the room passes it on to the inviter. JID is the inviter as
// RoomInvite named them (a bare JID, or room/nick when the room hid who
// invited).
type DeclineInvite struct {
	Room   string `json:"room"`
	JID    string `json:"jid"`
	Reason string `json:"reason,omitempty"`
}

func (Join) CommandName() string            { return "join" }
func (Leave) CommandName() string           { return "leave" }
func (CreateRoom) CommandName() string      { return "create_room" }
func (SendRoomMessage) CommandName() string { return "room_message" }
func (SetRoomTopic) CommandName() string    { return "room_topic" }
func (Invite) CommandName() string          { return "invite" }
func (PrivateMessage) CommandName() string  { return "private_message" }
func (SetBookmark) CommandName() string     { return "bookmark" }
func (GetBookmarks) CommandName() string    { return "bookmarks" }
func (DeclineInvite) CommandName() string   { return "decline_invite" }

func init() {
	register(func() Command { return &Join{} })
	register(func() Command { return &Leave{} })
	register(func() Command { return &CreateRoom{} })
	register(func() Command { return &SendRoomMessage{} })
	register(func() Command { return &SetRoomTopic{} })
	register(func() Command { return &Invite{} })
	register(func() Command { return &PrivateMessage{} })
	register(func() Command { return &SetBookmark{} })
	register(func() Command { return &GetBookmarks{} })
	register(func() Command { return &DeclineInvite{} })
}

// Occupant roles and affiliations (XEP-0045), as the room reports them.
const (
	RoleModerator   = "moderator"
	RoleParticipant = "participant"
	RoleVisitor     = "visitor"
	RoleNone        = "none"

	AffiliationOwner   = "owner"
	AffiliationAdmin   = "admin"
	AffiliationMember  = "member"
	AffiliationOutcast = "outcast"
	AffiliationNone    = "none"
)

// Occupant is one person in a room.
type Occupant struct {
	Nick        string `json:"nick"`
	JID         string `json:"jid"` // real bare JID when the room reveals it, else ""
	Role        string `json:"role"`
	Affiliation string `json:"affiliation"`
	// Trust is the policy's verdict on the real JID; class "unknown" with a
	// reason saying so when the room hides real JIDs.
	Trust Trust `json:"trust"`
	Self  bool  `json:"self,omitempty"` // the user's own occupant
	// Show and Status are the occupant's presence in the room (Show is
	// one of chat, away, xa, dnd; "" when simply available).
	Show   string `json:"show,omitempty"`
	Status string `json:"status,omitempty"`
}

// RoomJoined: the user is in the room (the room confirmed it with status
// 110). Occupants is the list as the room reported it on entry.
type RoomJoined struct {
	Room      string     `json:"room"`
	Nick      string     `json:"nick"`
	Name      string     `json:"name,omitempty"`
	Topic     string     `json:"topic,omitempty"`
	Occupants []Occupant `json:"occupants"`
	Created   bool       `json:"created,omitempty"` // the room was created by this join
}

// OccupantChange: someone entered, changed (role, affiliation, nick) or
// left (Left) a joined room.
type OccupantChange struct {
	Room        string `json:"room"`
	Nick        string `json:"nick"`
	JID         string `json:"jid"`
	Role        string `json:"role"`
	Affiliation string `json:"affiliation"`
	Trust       Trust  `json:"trust"`
	Left        bool   `json:"left,omitempty"`
	NewNick     string `json:"new_nick,omitempty"` // a nick change (status 303): Left is true and the occupant returns under NewNick
	Show        string `json:"show,omitempty"`     // the occupant's presence: chat, away, xa, dnd; "" when simply available
	Status      string `json:"status,omitempty"`
}

// RoomMessage is a message to everyone in a room, incoming or the room's
// echo of the user's own (Outgoing).
type RoomMessage struct {
	Room     string    `json:"room"`
	ID       string    `json:"id"`
	Nick     string    `json:"nick"`
	FromJID  string    `json:"from_jid"` // the sender's real bare JID when the room reveals it, else ""
	Body     string    `json:"body"`
	Time     time.Time `json:"time"`
	Delayed  bool      `json:"delayed,omitempty"`   // history sent by the room on join, or from the archive
	StanzaID string    `json:"stanza_id,omitempty"` // XEP-0359 id assigned by the room (only when its "by" is the room)
	Outgoing bool      `json:"outgoing,omitempty"`
	// Archived: fetched from the room's archive (MUC MAM) after joining,
	// not received live; not to be notified.
	Archived bool  `json:"archived,omitempty"`
	Trust    Trust `json:"trust"`
	// Signature and Device: the device signature's verdict, as for Message
	// (one of the Signature* constants), judged only when the room reveals
	// the sender's real JID and that sender's devices are known; else "".
	Signature string `json:"signature,omitempty"`
	Device    string `json:"device,omitempty"`
}

// RoomTopic: a room's subject, on join and whenever it changes.
type RoomTopic struct {
	Room  string `json:"room"`
	Topic string `json:"topic"`
	By    string `json:"by,omitempty"` // nick of who set it, when known
}

// RoomLeft: the user is no longer in the room (left, kicked, banned, the
// room was destroyed, or it could not be rejoined).
type RoomLeft struct {
	Room   string `json:"room"`
	Reason string `json:"reason,omitempty"`
}

// RoomPrivateMessage is a private message inside a room: from one occupant
// (by nick) to the user, or the user's own (Outgoing). It is never a direct
// chat: the sender is known only by nickname unless the room reveals the
// real JID.
type RoomPrivateMessage struct {
	Room     string    `json:"room"`
	Nick     string    `json:"nick"`
	FromJID  string    `json:"from_jid,omitempty"` // real bare JID when the room reveals it
	Body     string    `json:"body"`
	ID       string    `json:"id,omitempty"`
	Time     time.Time `json:"time"`
	Outgoing bool      `json:"outgoing,omitempty"`
	Trust    Trust     `json:"trust"`
}

// RoomBanner says that a room holds people from outside the organisation.
// It is emitted on join and whenever the set changes; External false and
// Lookalike false means the banner can go.
type RoomBanner struct {
	Room      string `json:"room"`
	External  bool   `json:"external"`  // any occupant is external, unknown (or hidden) or a lookalike
	Lookalike bool   `json:"lookalike"` // any occupant is a lookalike
	Summary   string `json:"summary"`   // e.g. "2 external participants: carol@partner.test (Partner Ltd), eve@evil.test (unknown)"
}

// RoomInvite: someone invited the user to a room.
type RoomInvite struct {
	Room     string `json:"room"`
	From     string `json:"from"` // the inviter's bare JID, or room/nick when the room hides who invited
	Reason   string `json:"reason,omitempty"`
	Password string `json:"password,omitempty"`
	Trust    Trust  `json:"trust"` // the inviter's trust
}

// RoomInfo: what a joined room says about itself (its service discovery
// information), after joining: its name, and its description when it has
// one.
type RoomInfo struct {
	Room        string `json:"room"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// RoomDeclined: someone the user invited declined the invitation (the
// room passed the decline on).
type RoomDeclined struct {
	Room   string `json:"room"`
	From   string `json:"from"` // who declined: a bare JID, or room/nick when the room hides it
	Reason string `json:"reason,omitempty"`
	Trust  Trust  `json:"trust"`
}

// Bookmark is one room bookmark (XEP-0402).
type Bookmark struct {
	Room     string `json:"room"`
	Name     string `json:"name,omitempty"`
	Nick     string `json:"nick,omitempty"`
	Autojoin bool   `json:"autojoin"`
}

// Bookmarks lists the room bookmarks, after sign-in, on every change and in
// answer to the bookmarks command.
type Bookmarks struct {
	Items []Bookmark `json:"items"`
}

func (RoomJoined) EventName() string         { return "room_joined" }
func (OccupantChange) EventName() string     { return "occupant" }
func (RoomMessage) EventName() string        { return "room_message" }
func (RoomTopic) EventName() string          { return "room_topic" }
func (RoomLeft) EventName() string           { return "room_left" }
func (RoomPrivateMessage) EventName() string { return "room_private_message" }
func (RoomBanner) EventName() string         { return "room_banner" }
func (RoomInvite) EventName() string         { return "room_invite" }
func (Bookmarks) EventName() string          { return "bookmarks" }
func (RoomInfo) EventName() string           { return "room_info" }
func (RoomDeclined) EventName() string       { return "room_declined" }
